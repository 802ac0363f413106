//! Counts for the dashboard and statistics: per-county day and month tallies kept in each
//! case's own transaction (`tally`, `write_tallies`), summed over a period; a scan of the cases
//! table for the days a period starts or ends on; and the rebuild of the tallies.

use super::CaseRow;
use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx, values};
use crate::error::ResultExt;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use std::collections::BTreeMap;

/// Counts for the dashboard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub by_status: Vec<(String, i64)>,
    pub by_channel: Vec<(String, i64)>,
    pub by_category: Vec<(String, i64)>,
    pub by_level: Vec<(String, i64)>,
    pub by_rating: Vec<(String, i64)>,
    pub overdue: i64,
    pub total: i64,
}

/// Counts of cases received from `from` to `to` (China dates, both included) under a region
/// prefix, optionally of one station. A region down to a township without a station reads the
/// tallies (a few thousand rows however many cases); a village or a station counts its cases.
pub async fn counts(
    db: &Db,
    region_prefix: &str,
    station: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Counts> {
    if station.is_some() || region_prefix.len() > 9 {
        return counts_by_scan(db, region_prefix, station, from, to).await;
    }
    let (months, head, tail) = split_period(from, to);
    // Equality on the county when the prefix names one, so the key is used from its first column.
    let mut binds: Vec<String> = Vec::new();
    let county = if region_prefix.len() >= 6 {
        binds.push(region_prefix[..6].to_owned());
        "county_code = $1".to_owned()
    } else {
        binds.push(region_prefix.to_owned());
        binds.push(format!("{region_prefix}~"));
        "county_code >= $1 AND county_code <= $2".to_owned()
    };
    let mut parts = Vec::new();
    for (grain, span) in [("m", months), ("d", head), ("d", tail)] {
        let Some((lo, hi)) = span else { continue };
        binds.push(lo);
        binds.push(hi);
        let n = binds.len();
        let mut part = format!(
            "SELECT dim, key, n FROM case_tallies WHERE {county} AND grain = '{grain}' AND period >= ${} AND period <= ${n}",
            n - 1
        );
        if region_prefix.len() > 6 {
            part.push_str(&format!(
                " AND township_code LIKE '{}%'",
                region_prefix.replace(|c: char| !c.is_ascii_digit(), "")
            ));
        }
        parts.push(part);
    }
    if parts.is_empty() {
        return Ok(Counts::default());
    }
    let sql = format!(
        "SELECT dim, key, CAST(SUM(n) AS BIGINT) AS n FROM ({}) t GROUP BY dim, key",
        parts.join(" UNION ALL ")
    );
    let rows: Vec<(String, String, i64)> = on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await.store()
    })?;
    let mut out = Counts::default();
    for (dim, key, n) in rows {
        if n == 0 {
            continue;
        }
        let list = match dim.as_str() {
            "total" => {
                out.total += n;
                continue;
            }
            "overdue" => {
                if key == "1" {
                    out.overdue += n;
                }
                continue;
            }
            "status" => &mut out.by_status,
            "channel" => &mut out.by_channel,
            "category" => &mut out.by_category,
            "level" => &mut out.by_level,
            "rating" => &mut out.by_rating,
            _ => continue,
        };
        list.push((key, n));
    }
    for list in [&mut out.by_status, &mut out.by_channel, &mut out.by_category, &mut out.by_level, &mut out.by_rating] {
        list.sort();
    }
    Ok(out)
}

/// First and last period of a span, both included.
type Span = (String, String);

/// Splits `from..=to` into the whole months it covers (YYYY-MM, first and last) and the days
/// before and after them (YYYY-MM-DD, first and last); with no whole month, all days are the head.
fn split_period(from: NaiveDate, to: NaiveDate) -> (Option<Span>, Option<Span>, Option<Span>) {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let first_of_next = |d: NaiveDate| {
        let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
        NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month")
    };
    if to < from {
        return (None, None, None);
    }
    let start = if from.day() == 1 { from } else { first_of_next(from) };
    let end_excl = to.succ_opt().map(|d| if d.day() == 1 { d } else { d.with_day(1).expect("day one") });
    let Some(end_excl) = end_excl.filter(|e| *e > start) else {
        return (None, Some((day(from), day(to))), None);
    };
    let last_month = end_excl.pred_opt().expect("a day before");
    let head = (from < start).then(|| (day(from), day(start.pred_opt().expect("a day before"))));
    let tail = (end_excl <= to).then(|| (day(end_excl), day(to)));
    (Some((month(start), month(last_month))), head, tail)
}

/// The counts straight from the cases: the reference the tallies must agree with, and the way
/// for a village or a station.
pub async fn counts_by_scan(
    db: &Db,
    region_prefix: &str,
    station: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Counts> {
    #[derive(sqlx::FromRow)]
    struct Group {
        status: String,
        channel: String,
        category: String,
        level: String,
        rating: String,
        overdue: bool,
        n: i64,
    }
    let from_ms = china_midnight_ms(from);
    let to_ms = china_midnight_ms(to.succ_opt().unwrap_or(to));
    let like = format!("{region_prefix}%");
    let county = region_prefix.get(..6).unwrap_or(region_prefix).to_owned();
    let county_like = format!("{county}%");
    // One pass over the cases; the breakdowns are summed from its groups.
    let groups: Vec<Group> = on_read!(db, p => sqlx::query_as(
        "SELECT status, channel, category, COALESCE(level, '') AS level, COALESCE(rating, '') AS rating, overdue, COUNT(*) AS n
         FROM cases WHERE county_code LIKE $1 AND region_code LIKE $2 AND (CAST($3 AS TEXT) IS NULL OR station_ref = $3)
         AND created_at >= $4 AND created_at < $5
         GROUP BY status, channel, category, COALESCE(level, ''), COALESCE(rating, ''), overdue")
        .bind(&county_like).bind(&like).bind(station).bind(from_ms).bind(to_ms).fetch_all(p).await.store())?;
    let mut maps: [std::collections::BTreeMap<String, i64>; 5] = Default::default();
    let mut out = Counts::default();
    for g in groups {
        for (i, key) in [g.status, g.channel, g.category, g.level, g.rating].into_iter().enumerate() {
            *maps[i].entry(key).or_default() += g.n;
        }
        out.total += g.n;
        if g.overdue {
            out.overdue += g.n;
        }
    }
    let [status, channel, category, level, rating] = maps.map(|m| m.into_iter().collect::<Vec<_>>());
    out.by_status = status;
    out.by_channel = channel;
    out.by_category = category;
    out.by_level = level;
    out.by_rating = rating;
    Ok(out)
}

const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

fn china_midnight_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis() - CHINA_OFFSET_MS
}

/// One tally row: a county, grain, period, township, dimension and value.
pub(super) type TallyKey = (String, &'static str, String, String, &'static str, String);

/// The tally rows a case counts in.
fn tally_keys(row: &CaseRow) -> Vec<TallyKey> {
    let at = chrono::DateTime::from_timestamp_millis(row.created_at + CHINA_OFFSET_MS).unwrap_or_default();
    let township = row.region_code.get(..9).unwrap_or(&row.region_code).to_owned();
    let values: [(&'static str, String); 7] = [
        ("total", String::new()),
        ("status", row.status.clone()),
        ("channel", row.channel.clone()),
        ("category", row.category.clone()),
        ("level", row.level.clone().unwrap_or_default()),
        ("rating", row.rating.clone().unwrap_or_default()),
        ("overdue", if row.overdue { "1" } else { "0" }.to_owned()),
    ];
    let mut keys = Vec::with_capacity(14);
    for (grain, period) in [("d", at.format("%Y-%m-%d").to_string()), ("m", at.format("%Y-%m").to_string())] {
        for (dim, key) in &values {
            keys.push((row.county_code.clone(), grain, period.clone(), township.clone(), *dim, key.clone()));
        }
    }
    keys
}

/// Adds `sign` for each tally row `row` counts in.
pub(super) fn tally(deltas: &mut BTreeMap<TallyKey, i64>, row: &CaseRow, sign: i64) {
    for k in tally_keys(row) {
        *deltas.entry(k).or_default() += sign;
    }
}

/// Applies tally changes in key order (so concurrent writers on PostgreSQL lock rows in the same
/// order and cannot deadlock), one statement per 500 rows.
pub(super) async fn write_tallies(tx: &mut Tx, deltas: BTreeMap<TallyKey, i64>) -> Result<()> {
    let rows: Vec<(TallyKey, i64)> = deltas.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO case_tallies (county_code, grain, period, township_code, dim, key, n) VALUES {}
             ON CONFLICT (county_code, grain, period, township_code, dim, key) DO UPDATE SET n = case_tallies.n + excluded.n",
            values(chunk.len(), 7)
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for ((county, grain, period, township, dim, key), n) in chunk {
                q = q.bind(county).bind(*grain).bind(period).bind(township).bind(*dim).bind(key).bind(*n);
            }
            q.execute(&mut *c).await.store().map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Recomputes every tally from the cases (after a bulk load that bypassed the store).
pub async fn rebuild_tallies(db: &Db) -> Result<()> {
    let sql = crate::dialect::render_ddl(db.backend(), crate::migrate::TALLY_BACKFILL);
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM case_tallies").execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    // Fresh statistics, so the planner reads the tallies through their key.
    on_tx!(&mut tx, c => sqlx::query("ANALYZE case_tallies").execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await
}
