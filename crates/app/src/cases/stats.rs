//! The counts the seeds quote, for a region (or one station) and a period, from the per-county
//! tallies kept in each case's transaction.

use crate::{Error, Result};
use liaison_domain::authz::{Action, Principal, parse_slug};
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
}

fn date(raw: Option<&str>, field: &'static str, default: chrono::NaiveDate) -> Result<chrono::NaiveDate> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Error::invalid("invalid_date", "日期应写作 YYYY-MM-DD").field(field)),
    }
}

/// Counts for the region (the principal's own by default) and period.
pub async fn stats(app: &crate::App, principal: &Principal, q: &StatsQuery) -> Result<Stats> {
    let region = crate::org::scoped_region(principal, Action::CaseRead, q.region.as_deref())?;
    let today = app.today();
    let jan1 = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).expect("valid date");
    let from = date(q.from.as_deref(), "from", jan1)?;
    let to = date(q.to.as_deref(), "to", today)?;
    if to < from {
        return Err(Error::invalid("invalid_range", "结束日期不能早于开始日期").field("to"));
    }
    let station = q
        .station
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_slug(s).map_err(|e| Error::from(e).field("station")))
        .transpose()?;
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
    Ok(Stats { region, from, to, counts, receptions, suggestions, outreach, projects })
}
