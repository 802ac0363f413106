//! The counts the seeds quote, for a region (or one station) and a period, from the per-county
//! tallies kept in each case's transaction.

use crate::Result;
use liaison_domain::authz::Principal;
use liaison_store::cases::{self, Counts};

/// A statistics query as submitted.
#[derive(Debug, Clone, Default)]
pub struct StatsQuery {
    pub region: Option<String>,
    pub station: Option<String>,
    /// YYYY-MM-DD, inclusive; defaults to the start of this year.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive; defaults to today.
    pub to: Option<String>,
}

/// The period and region a query resolved to, with the counts.
pub struct Stats {
    pub region: liaison_domain::region::RegionCode,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub counts: Counts,
    /// The receptions held in the same region, station and days.
    pub receptions: liaison_store::receptions::Totals,
    /// The formal suggestions submitted in the region and days (a station does not narrow them).
    pub suggestions: liaison_store::suggestions::Totals,
    /// Meetings with agency heads, reports to voters and ledger visits in the region and days
    /// (a station does not narrow them).
    pub outreach: liaison_store::voter_work::Totals,
    /// Livelihood projects of the year the period ends in.
    pub projects: liaison_store::projects::Totals,
    /// Confirmed duty-register entries of the region's deputies in the period, by kind (a
    /// station does not narrow them).
    pub register: Vec<(String, i64)>,
    /// The points those entries scored by the county's points rules.
    pub points: i64,
    /// What became of the cases received (answered on the spot counts as such once closed).
    pub figures: crate::statistics::Figures,
}

/// Counts for the region (the principal's own by default) and period.
pub async fn stats(app: &crate::App, principal: &Principal, q: &StatsQuery) -> Result<Stats> {
    let subject = crate::statistics::subject(app, principal, q.region.as_deref(), q.station.as_deref()).await?;
    let (from, to) = crate::statistics::period(app.today(), q.from.as_deref(), q.to.as_deref())?;
    let ((counts, figures), others) =
        tokio::try_join!(case_counts(app, &subject, from, to), totals(app, &subject, from, to))?;
    Ok(Stats::new(subject, from, to, counts, figures, others))
}

/// The statistics report and the counts of the same subject and period, as the staff statistics
/// page shows them together: the case counts come out of the report (a region's report holds
/// them all) rather than from a second read of the tallies; a station's are counted from its
/// cases.
pub async fn with_report(
    app: &crate::App,
    principal: &Principal,
    q: &crate::statistics::Query,
) -> Result<(crate::statistics::Report, Stats)> {
    let subject = crate::statistics::subject(app, principal, q.region.as_deref(), q.station.as_deref()).await?;
    let (from, to) = crate::statistics::period(app.today(), q.from.as_deref(), q.to.as_deref())?;
    let (report, others) =
        tokio::try_join!(crate::statistics::build(app, &subject, from, to), totals(app, &subject, from, to))?;
    let (counts, figures) = match from_report(&report) {
        Some(c) => c,
        None => case_counts(app, &subject, from, to).await?,
    };
    Ok((report, Stats::new(subject, from, to, counts, figures, others)))
}

/// The counts a region's report holds (a station's report does not break its cases down by
/// status or category, nor does a report below a township).
fn from_report(r: &crate::statistics::Report) -> Option<(Counts, crate::statistics::Figures)> {
    if r.station.is_some() || r.region.len() > 9 {
        return None;
    }
    let f = &r.received;
    let keyed = |lines: &[crate::statistics::Line]| -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> =
            lines.iter().filter(|l| l.figures.received != 0).map(|l| (l.key.clone(), l.figures.received)).collect();
        out.sort();
        out
    };
    let mut by_rating: Vec<(String, i64)> = [
        ("satisfied", f.satisfied),
        ("partly", f.partly),
        ("dissatisfied", f.dissatisfied),
        ("unrated", f.unrated),
        ("", f.received - f.rated() - f.unrated),
    ]
    .into_iter()
    .filter(|(_, n)| *n != 0)
    .map(|(k, n)| (k.to_owned(), n))
    .collect();
    by_rating.sort();
    let counts = Counts {
        by_status: keyed(&r.by_status),
        by_channel: keyed(&r.by_channel),
        by_category: keyed(&r.by_category),
        by_level: keyed(&r.by_level),
        by_rating,
        overdue: f.overdue,
        total: f.received,
    };
    Some((counts, *f))
}

/// The case counts and figures of a subject and period, from the tallies (a station's or a
/// village's from its cases).
async fn case_counts(
    app: &crate::App,
    subject: &crate::statistics::Subject,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<(Counts, crate::statistics::Figures)> {
    let region = subject.region.as_str();
    let station = subject.station.as_deref();
    let cq = cases::CellQuery {
        region_prefix: region,
        basis: cases::Basis::Received,
        from,
        to,
        dims: &["all"],
        station,
        split: false,
    };
    let (cells, counts) =
        tokio::try_join!(cases::cells(&app.db, &cq), cases::counts(&app.db, region, station, from, to))?;
    let mut figures = crate::statistics::Figures::default();
    for c in &cells {
        figures += &c.figures;
    }
    Ok((counts, figures))
}

/// What the other capabilities did in the same region and period.
struct Others {
    receptions: liaison_store::receptions::Totals,
    suggestions: liaison_store::suggestions::Totals,
    outreach: liaison_store::voter_work::Totals,
    projects: liaison_store::projects::Totals,
    register: Vec<(String, i64)>,
    points: i64,
}

impl Stats {
    fn new(
        subject: crate::statistics::Subject,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        counts: Counts,
        figures: crate::statistics::Figures,
        o: Others,
    ) -> Stats {
        Stats {
            region: subject.region,
            from,
            to,
            counts,
            receptions: o.receptions,
            suggestions: o.suggestions,
            outreach: o.outreach,
            projects: o.projects,
            register: o.register,
            points: o.points,
            figures,
        }
    }
}

/// The receptions, suggestions, outreach, projects, register and points of a subject and
/// period, read at once (each is a small query of its own table).
async fn totals(
    app: &crate::App,
    subject: &crate::statistics::Subject,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Others> {
    let region = &subject.region;
    let county = region.county_key();
    let (from_day, to_day) = (from.to_string(), to.to_string());
    let ms = |d: chrono::NaiveDate| {
        let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
        d.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(tz).single()).map_or(0, |t| t.timestamp_millis())
    };
    let year = i64::from(chrono::Datelike::year(&to));
    let db = &app.db;
    let (receptions, suggestions, outreach, projects, (register, points)) = tokio::try_join!(
        async {
            let station = subject.station.as_deref().unwrap_or("");
            Ok::<_, crate::Error>(
                liaison_store::receptions::totals(db, &county, region.as_str(), station, &from_day, &to_day).await?,
            )
        },
        async {
            let to_ms = ms(to + chrono::Duration::days(1));
            Ok(liaison_store::suggestions::totals(db, &county, region.as_str(), ms(from), to_ms).await?)
        },
        async { Ok(liaison_store::voter_work::totals(db, &county, region.as_str(), &from_day, &to_day).await?) },
        async { Ok(liaison_store::projects::totals(db, &county, region.as_str(), year).await?) },
        crate::points::region_register(app, region, from, to),
    )?;
    Ok(Others { receptions, suggestions, outreach, projects, register, points })
}
