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
    let region = subject.region.clone();
    let station = subject.station.clone();
    let (from, to) = crate::statistics::period(app.today(), q.from.as_deref(), q.to.as_deref())?;
    let mut figures = crate::statistics::Figures::default();
    let cq = cases::CellQuery {
        region_prefix: region.as_str(),
        basis: cases::Basis::Received,
        from,
        to,
        dims: &["all"],
        station: station.as_deref(),
        split: false,
    };
    for c in cases::cells(&app.db, &cq).await? {
        figures += &c.figures;
    }
    let counts = cases::counts(&app.db, region.as_str(), station.as_deref(), from, to).await?;
    let receptions = liaison_store::receptions::totals(
        &app.db,
        &region.county_key(),
        region.as_str(),
        station.as_deref().unwrap_or(""),
        &from.to_string(),
        &to.to_string(),
    )
    .await?;
    let ms = |d: chrono::NaiveDate| {
        let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
        d.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(tz).single()).map_or(0, |t| t.timestamp_millis())
    };
    let suggestions = liaison_store::suggestions::totals(
        &app.db,
        &region.county_key(),
        region.as_str(),
        ms(from),
        ms(to + chrono::Duration::days(1)),
    )
    .await?;
    let outreach = liaison_store::voter_work::totals(
        &app.db,
        &region.county_key(),
        region.as_str(),
        &from.to_string(),
        &to.to_string(),
    )
    .await?;
    let year = i64::from(chrono::Datelike::year(&to));
    let projects = liaison_store::projects::totals(&app.db, &region.county_key(), region.as_str(), year).await?;
    let register = liaison_store::register::region_counts(
        &app.db,
        &region.county_key(),
        region.as_str(),
        &from.to_string(),
        &to.to_string(),
    )
    .await?;
    let points = crate::points::region_points(app, &region, from, to).await?;
    Ok(Stats { region, from, to, counts, receptions, suggestions, outreach, projects, figures, register, points })
}
