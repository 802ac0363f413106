//! Counts for the dashboard and statistics: per-county day and month tallies kept in each
//! case's own transaction (`tally`, `write_tallies`), one row of figures per dimension value
//! (migration 19), summed over a period; the same sums from a scan of the cases, which the
//! tallies must agree with; and the rebuild of the tallies.

use super::CaseRow;
use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx, values};
use crate::error::ResultExt;
use chrono::{Datelike, NaiveDate};
pub use liaison_domain::figures::Figures;
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
    let q = CellQuery {
        region_prefix,
        basis: Basis::Received,
        from,
        to,
        dims: &["all", "status", "channel", "category"],
        station: None,
        split: false,
    };
    let mut maps: [BTreeMap<String, i64>; 5] = Default::default();
    let mut out = Counts::default();
    for c in cells(db, &q).await? {
        let f = &c.figures;
        match c.dim.as_str() {
            "all" => {
                out.total += f.received;
                out.overdue += f.overdue;
                let not_yet = f.received - f.rated() - f.unrated;
                for (rating, n) in [
                    ("satisfied", f.satisfied),
                    ("partly", f.partly),
                    ("dissatisfied", f.dissatisfied),
                    ("unrated", f.unrated),
                    ("", not_yet),
                ] {
                    *maps[4].entry(rating.to_owned()).or_default() += n;
                }
            }
            "status" => {
                let (level, status) = c.value.split_once('|').unwrap_or(("", &c.value));
                *maps[0].entry(status.to_owned()).or_default() += f.received;
                *maps[3].entry(level.to_owned()).or_default() += f.received;
            }
            "channel" => *maps[1].entry(c.value.clone()).or_default() += f.received,
            "category" => *maps[2].entry(c.value.clone()).or_default() += f.received,
            _ => {}
        }
    }
    let [status, channel, category, level, rating] = maps.map(|m| m.into_iter().filter(|(_, n)| *n != 0).collect());
    out.by_status = status;
    out.by_channel = channel;
    out.by_category = category;
    out.by_level = level;
    out.by_rating = rating;
    Ok(out)
}

/// Which date a statistic counts a case on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The day it was received.
    Received,
    /// The day it was resolved (answered or closed); unresolved cases do not count.
    Resolved,
}

impl Basis {
    /// The month and day grains of a township's rows, or of a county's (`county`).
    fn grains(self, county: bool) -> (&'static str, &'static str) {
        match (self, county) {
            (Basis::Received, false) => ("m", "d"),
            (Basis::Resolved, false) => ("rm", "rd"),
            (Basis::Received, true) => ("cm", "cd"),
            (Basis::Resolved, true) => ("crm", "crd"),
        }
    }
}

/// What to sum from the tallies.
#[derive(Debug, Clone)]
pub struct CellQuery<'a> {
    pub region_prefix: &'a str,
    pub basis: Basis,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Tally dimensions: all, status, channel, category, agency, station, deputy.
    pub dims: &'a [&'static str],
    /// Only this station's cases (read from the `station` dimension).
    pub station: Option<&'a str>,
    /// Keep townships and months apart (otherwise summed over them).
    pub split: bool,
}

/// One sum of tally rows: a dimension's value (see migration 19) and what its cases came to, with
/// the township and month when the query split them ('' otherwise; a county's dimensions other
/// than `all` are summed over its townships, so their township is '' too).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    pub township: String,
    pub month: String,
    pub dim: String,
    pub value: String,
    pub figures: Figures,
}

/// Whether a region reads a dimension from the county rows (township '', grains `c…`) rather
/// than the townships' rows: a county or a wider region does, for every dimension but `all`,
/// which only has township rows; a township (or a village, through its township) reads its
/// township's rows.
fn reads_county_rows(region_prefix: &str, dim: &str) -> bool {
    region_prefix.len() <= 6 && dim != "all"
}

/// Sums the tallies for a region (a county or a township, or every county under a shorter
/// prefix) and a period: whole months from the month rows, the days before and after them from
/// the day rows (or a month's row less the days outside, see `split_period`). A village, below
/// the tallies' townships, is counted from its cases.
pub async fn cells(db: &Db, q: &CellQuery<'_>) -> Result<Vec<Cell>> {
    if q.region_prefix.len() > 9 {
        return cells_by_scan(db, q).await;
    }
    let spans = split_period(q.from, q.to);
    let mut binds: Vec<String> = Vec::new();
    let county = if q.region_prefix.len() >= 6 {
        binds.push(q.region_prefix[..6].to_owned());
        "county_code = $1".to_owned()
    } else {
        binds.push(q.region_prefix.to_owned());
        binds.push(format!("{}~", q.region_prefix));
        "county_code >= $1 AND county_code <= $2".to_owned()
    };
    let dims: Vec<&str> = if q.station.is_some() { vec!["station"] } else { q.dims.to_vec() };
    let station_filter = match q.station {
        Some(s) => {
            binds.push(format!("{s}|%"));
            format!(" AND value LIKE ${}", binds.len())
        }
        None => String::new(),
    };
    let digits = q.region_prefix.replace(|c: char| !c.is_ascii_digit(), "");
    // A whole township is one value of the key's fifth column: read with every period of a
    // span named, the key is entered at each (dimension, period, township) instead of reading
    // every township's rows of the span and filtering them (the deputies' rows are most of
    // those: 301 deputies × 9 townships × 12 months for a county's year).
    let township_exact = digits.len() == 9;
    let township_filter = match digits.len() {
        9 => format!(" AND township_code = '{digits}'"),
        n if n > 6 => format!(" AND township_code LIKE '{digits}%'"),
        _ => String::new(),
    };
    let added = Figures::NAMES.join(", ");
    let taken = Figures::NAMES.map(|f| format!("-{f} AS {f}")).join(", ");
    let mut parts = Vec::new();
    // The townships' rows, then the county's: each part one range of the key.
    for county_rows in [false, true] {
        let list = dims
            .iter()
            .filter(|d| DIMS.contains(d) && reads_county_rows(q.region_prefix, d) == county_rows)
            .map(|d| format!("'{d}'"))
            .collect::<Vec<_>>()
            .join(", ");
        if list.is_empty() {
            continue;
        }
        let (month_grain, day_grain) = q.basis.grains(county_rows);
        let township_filter = if county_rows { "" } else { township_filter.as_str() };
        for span in &spans {
            let grain = if span.months { month_grain } else { day_grain };
            let figures = if span.sign > 0 { &added } else { &taken };
            let named = if township_exact && !county_rows { span.periods() } else { None };
            let periods = match named {
                // Dates the code formatted: digits and dashes.
                Some(list) => {
                    format!("period IN ({})", list.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", "))
                }
                None => {
                    binds.push(span.first.clone());
                    binds.push(span.last.clone());
                    let n = binds.len();
                    format!("period >= ${} AND period <= ${n}", n - 1)
                }
            };
            parts.push(format!(
                "SELECT township_code, period, dim, value, {figures} FROM case_figures WHERE {county} AND grain = '{grain}' \
                 AND dim IN ({list}) AND {periods}{township_filter}{station_filter}"
            ));
        }
    }
    if parts.is_empty() {
        return Ok(vec![]);
    }
    // PostgreSQL refuses a constant in GROUP BY: the unsplit query groups by the value alone.
    let (columns, group) = if q.split {
        ("township_code AS township, substr(period, 1, 7) AS month", "township_code, substr(period, 1, 7), ")
    } else {
        ("CAST('' AS TEXT) AS township, CAST('' AS TEXT) AS month", "")
    };
    let sums = Figures::NAMES.map(|f| format!("CAST(SUM({f}) AS BIGINT) AS {f}")).join(", ");
    let sql = format!(
        "SELECT {columns}, dim, value, {sums} FROM ({}) t GROUP BY {group}dim, value",
        parts.join(" UNION ALL ")
    );
    let rows: Vec<CellRow> = on_read!(db, p => {
        let mut query = sqlx::query_as(AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b);
        }
        query.fetch_all(p).await.store()
    })?;
    Ok(rows.into_iter().map(Cell::from).filter(|c| c.figures.received != 0).collect())
}

/// A [`Cell`] as the database returns it.
#[derive(sqlx::FromRow)]
struct CellRow {
    township: String,
    month: String,
    dim: String,
    value: String,
    received: i64,
    on_spot: i64,
    solved: i64,
    in_progress: i64,
    declined: i64,
    merged: i64,
    overdue: i64,
    on_time: i64,
    late: i64,
    satisfied: i64,
    partly: i64,
    dissatisfied: i64,
    unrated: i64,
}

impl From<CellRow> for Cell {
    fn from(r: CellRow) -> Cell {
        let figures = Figures {
            received: r.received,
            on_spot: r.on_spot,
            solved: r.solved,
            in_progress: r.in_progress,
            declined: r.declined,
            merged: r.merged,
            overdue: r.overdue,
            on_time: r.on_time,
            late: r.late,
            satisfied: r.satisfied,
            partly: r.partly,
            dissatisfied: r.dissatisfied,
            unrated: r.unrated,
        };
        Cell { township: r.township, month: r.month, dim: r.dim, value: r.value, figures }
    }
}

/// The tally dimensions.
const DIMS: &[&str] = &["all", "status", "channel", "category", "agency", "station", "deputy"];

/// [`cells`] from the cases themselves, through the same keys the tallies are written with: a
/// village's figures, and the reference the tallies must agree with.
pub async fn cells_by_scan(db: &Db, q: &CellQuery<'_>) -> Result<Vec<Cell>> {
    let from_ms = china_midnight_ms(q.from);
    let to_ms = china_midnight_ms(q.to.succ_opt().unwrap_or(q.to));
    let like = format!("{}%", q.region_prefix);
    let county_like = format!("{}%", q.region_prefix.get(..6).unwrap_or(q.region_prefix));
    // Resolved cases are looked for among those replied to or closed in the period (a resolved
    // case's day is the first of the two it has).
    let when = match q.basis {
        Basis::Received => "created_at >= $3 AND created_at < $4",
        Basis::Resolved => "((replied_at >= $3 AND replied_at < $4) OR (closed_at >= $3 AND closed_at < $4))",
    };
    let sql =
        format!("SELECT {} FROM cases WHERE county_code LIKE $1 AND region_code LIKE $2 AND {when}", super::COLUMNS);
    let rows: Vec<CaseRow> = on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql))
        .bind(&county_like).bind(&like).bind(from_ms).bind(to_ms).fetch_all(p).await.store())?;

    let (lo, hi) = (q.from.format("%Y-%m-%d").to_string(), q.to.format("%Y-%m-%d").to_string());
    let prefix = q.station.map(|s| format!("{s}|"));
    let dims: Vec<&str> = if q.station.is_some() { vec!["station"] } else { q.dims.to_vec() };
    let mut sums: BTreeMap<(String, String, &'static str, String), Figures> = BTreeMap::new();
    for row in &rows {
        let figures = Figures::of_case(&measures(row));
        for (_, grain, dim, period, township, value) in tally_keys(row) {
            if !dims.contains(&dim) || grain != q.basis.grains(reads_county_rows(q.region_prefix, dim)).1 {
                continue;
            }
            if period < lo || period > hi || (q.region_prefix.len() > 6 && !township.starts_with(&q.region_prefix[..9]))
            {
                continue;
            }
            if prefix.as_ref().is_some_and(|p| !value.starts_with(p.as_str())) {
                continue;
            }
            let (township, month) =
                if q.split { (township, period[..7].to_owned()) } else { (String::new(), String::new()) };
            *sums.entry((township, month, dim, value)).or_default() += &figures;
        }
    }
    Ok(sums
        .into_iter()
        .map(|((township, month, dim, value), figures)| Cell { township, month, dim: dim.to_owned(), value, figures })
        .collect())
}

/// A span of tally rows to add (`sign` 1) or take away (−1): months YYYY-MM or days YYYY-MM-DD,
/// first and last included.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    months: bool,
    first: String,
    last: String,
    sign: i64,
}

impl Span {
    /// Every month (or day) of the span, as the tallies key them, when there are not too many
    /// to name in a statement.
    fn periods(&self) -> Option<Vec<String>> {
        const MAX: usize = 400;
        let parse = |p: &str| if self.months { format!("{p}-01") } else { p.to_owned() }.parse::<NaiveDate>().ok();
        let (mut at, last) = (parse(&self.first)?, parse(&self.last)?);
        let mut out = Vec::new();
        while at <= last {
            if out.len() == MAX {
                return None;
            }
            out.push(if self.months { at.format("%Y-%m").to_string() } else { at.format("%Y-%m-%d").to_string() });
            at = if self.months { at.checked_add_months(chrono::Months::new(1))? } else { at.succ_opt()? };
        }
        Some(out)
    }
}

/// The tally rows that sum to `from..=to`: the whole months it covers, and the days before and
/// after them — or, where a part month is more than half of it, that month's row less the days
/// outside the period (fewer rows). With no whole month, all days.
fn split_period(from: NaiveDate, to: NaiveDate) -> Vec<Span> {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let first_of_next = |d: NaiveDate| {
        let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
        NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month")
    };
    let span = |months, first, last, sign| Span { months, first, last, sign };
    if to < from {
        return vec![];
    }
    let start = if from.day() == 1 { from } else { first_of_next(from) };
    let end_excl = to.succ_opt().map(|d| if d.day() == 1 { d } else { d.with_day(1).expect("day one") });
    let Some(end_excl) = end_excl.filter(|e| *e > start) else {
        return vec![span(false, day(from), day(to), 1)];
    };
    let pred = |d: NaiveDate| d.pred_opt().expect("a day before");
    let mut out = vec![span(true, month(start), month(pred(end_excl)), 1)];
    if from < start {
        // The days of `from`'s month before it, against the days from it to the month's end.
        let month_start = from.with_day(1).expect("day one");
        if (from - month_start).num_days() < (start - from).num_days() {
            out.push(span(true, month(from), month(from), 1));
            out.push(span(false, day(month_start), day(pred(from)), -1));
        } else {
            out.push(span(false, day(from), day(pred(start)), 1));
        }
    }
    if end_excl <= to {
        let next = first_of_next(to);
        let after = to.succ_opt().expect("a day after");
        if (next - after).num_days() < (after - end_excl).num_days() {
            out.push(span(true, month(to), month(to), 1));
            out.push(span(false, day(after), day(pred(next)), -1));
        } else {
            out.push(span(false, day(end_excl), day(to), 1));
        }
    }
    out
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

/// One tally row: a county, grain, dimension, period, township ('' for the county row) and value.
pub(super) type TallyKey = (String, &'static str, &'static str, String, String, String);

/// When a case was resolved — answered (on the spot or by reply) or closed — for the statistics;
/// `None` while it is being handled, and for a declined or merged case.
pub fn resolved_at(row: &CaseRow) -> Option<i64> {
    match row.status.as_str() {
        "merged" | "declined" => None,
        "closed" => row.replied_at.or(row.closed_at),
        _ => row.replied_at,
    }
}

/// The China day of a millisecond timestamp, YYYY-MM-DD.
fn china_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + CHINA_OFFSET_MS).unwrap_or_default().format("%Y-%m-%d").to_string()
}

/// The four measure letters of a case (`Figures::of_case` lists them): outcome, on time, rating
/// and overdue. The backfill computes the same in SQL; a test holds the two together.
pub fn measures(row: &CaseRow) -> String {
    let resolved = resolved_at(row).map(china_day);
    let outcome = match (row.status.as_str(), &resolved) {
        ("merged", _) => 'm',
        ("declined", _) => 'x',
        (_, None) => 'p',
        (_, Some(_)) if row.on_spot => 'o',
        _ => 's',
    };
    let on_time = match (&resolved, &row.deadline_on) {
        (Some(day), Some(deadline)) => {
            if day <= deadline {
                '1'
            } else {
                '0'
            }
        }
        _ => '-',
    };
    let rating = match row.rating.as_deref() {
        Some("satisfied") => 's',
        Some("partly") => 'p',
        Some("dissatisfied") => 'd',
        Some("unrated") => 'u',
        _ => '-',
    };
    let overdue = if row.overdue { '1' } else { '0' };
    [outcome, on_time, rating, overdue].iter().collect()
}

/// The tally rows a case counts in: each dimension's value in its township, and but for `all`
/// in its county as a whole (grains `cd`, `cm`, `crd`, `crm`, township '').
fn tally_keys(row: &CaseRow) -> Vec<TallyKey> {
    let received = china_day(row.created_at);
    let resolved = resolved_at(row).map(china_day);
    let township = row.region_code.get(..9).unwrap_or(&row.region_code).to_owned();
    let level = row.level.clone().unwrap_or_default();
    let mut values: Vec<(&'static str, String)> = vec![
        ("all", String::new()),
        ("status", format!("{level}|{}", row.status)),
        ("channel", row.channel.clone()),
        ("category", row.category.clone()),
    ];
    if let Some(a) = row.agency_ref.as_deref().filter(|a| !a.is_empty()) {
        values.push(("agency", a.to_owned()));
    }
    if let Some(s) = row.station_ref.as_deref().filter(|s| !s.is_empty()) {
        values.push(("station", format!("{s}|{}", row.channel)));
    }
    if let Some(d) = row.deputy_ref.as_deref().filter(|d| !d.is_empty()) {
        values.push(("deputy", d.to_owned()));
    }
    let mut periods = vec![("d", "cd", received.clone()), ("m", "cm", received[..7].to_owned())];
    if let Some(r) = resolved {
        periods.push(("rd", "crd", r.clone()));
        periods.push(("rm", "crm", r[..7].to_owned()));
    }
    let mut keys = Vec::with_capacity(2 * values.len() * periods.len());
    for (grain, county_grain, period) in &periods {
        for (dim, value) in &values {
            keys.push((row.county_code.clone(), *grain, *dim, period.clone(), township.clone(), value.clone()));
            if *dim != "all" {
                keys.push((row.county_code.clone(), *county_grain, *dim, period.clone(), String::new(), value.clone()));
            }
        }
    }
    keys
}

/// Adds `row`'s figures, times `sign`, to each tally row it counts in.
pub(super) fn tally(deltas: &mut BTreeMap<TallyKey, Figures>, row: &CaseRow, sign: i64) {
    let figures = Figures::of_case(&measures(row)).times(sign);
    for k in tally_keys(row) {
        *deltas.entry(k).or_default() += &figures;
    }
}

/// Applies tally changes in key order (so concurrent writers on PostgreSQL lock rows in the same
/// order and cannot deadlock), one statement per 500 rows; a step that only changes a case's
/// measures moves figures within the same rows.
pub(super) async fn write_tallies(tx: &mut Tx, deltas: BTreeMap<TallyKey, Figures>) -> Result<()> {
    let rows: Vec<(TallyKey, Figures)> = deltas.into_iter().filter(|(_, f)| !f.is_zero()).collect();
    let names = Figures::NAMES.join(", ");
    let updates = Figures::NAMES.map(|f| format!("{f} = case_figures.{f} + excluded.{f}")).join(", ");
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO case_figures (county_code, grain, dim, period, township_code, value, {names}) VALUES {}
             ON CONFLICT (county_code, grain, dim, period, township_code, value) DO UPDATE SET {updates}",
            values(tx, chunk.len(), 6 + Figures::NAMES.len())
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for ((county, grain, dim, period, township, value), f) in chunk {
                q = q.bind(county).bind(*grain).bind(*dim).bind(period).bind(township).bind(value);
                for n in f.to_array() {
                    q = q.bind(n);
                }
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
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM case_figures").execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    // Fresh statistics, so the planner reads the tallies through their key.
    on_tx!(&mut tx, c => sqlx::query("ANALYZE case_figures").execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn spans(from: &str, to: &str) -> Vec<(bool, &'static str, &'static str, i64)> {
        split_period(d(from), d(to))
            .into_iter()
            .map(|s| (s.months, &*s.first.leak(), &*s.last.leak(), s.sign))
            .collect()
    }

    #[test]
    fn a_period_is_months_and_days_whichever_reads_fewer_rows() {
        assert_eq!(spans("2026-01-01", "2026-12-31"), vec![(true, "2026-01", "2026-12", 1)]);
        // Within a month, or across two part months: days.
        assert_eq!(spans("2026-03-05", "2026-03-09"), vec![(false, "2026-03-05", "2026-03-09", 1)]);
        assert_eq!(spans("2026-02-20", "2026-03-02"), vec![(false, "2026-02-20", "2026-03-02", 1)]);
        // 15 March – 20 June: March less its first 14 days, April and May, June less its last 10.
        assert_eq!(
            spans("2026-03-15", "2026-06-20"),
            vec![
                (true, "2026-04", "2026-05", 1),
                (true, "2026-03", "2026-03", 1),
                (false, "2026-03-01", "2026-03-14", -1),
                (true, "2026-06", "2026-06", 1),
                (false, "2026-06-21", "2026-06-30", -1),
            ]
        );
        // Short ends stay days: 28–31 January, 1–3 April.
        assert_eq!(
            spans("2026-01-28", "2026-04-03"),
            vec![
                (true, "2026-02", "2026-03", 1),
                (false, "2026-01-28", "2026-01-31", 1),
                (false, "2026-04-01", "2026-04-03", 1)
            ]
        );
        // Across a year's end.
        assert_eq!(
            spans("2025-12-02", "2026-01-31"),
            vec![
                (true, "2026-01", "2026-01", 1),
                (true, "2025-12", "2025-12", 1),
                (false, "2025-12-01", "2025-12-01", -1)
            ]
        );
        assert!(spans("2026-02-01", "2026-01-31").is_empty());
    }

    #[test]
    fn a_span_names_each_of_its_months_or_days() {
        let months = |a: &str, b: &str| Span { months: true, first: a.into(), last: b.into(), sign: 1 }.periods();
        let days = |a: &str, b: &str| Span { months: false, first: a.into(), last: b.into(), sign: 1 }.periods();
        assert_eq!(months("2025-11", "2026-02").unwrap(), ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(months("2026-03", "2026-03").unwrap(), ["2026-03"]);
        assert_eq!(days("2026-02-27", "2026-03-01").unwrap(), ["2026-02-27", "2026-02-28", "2026-03-01"]);
        // Too many to name: the caller reads the range.
        assert_eq!(months("1990-01", "2026-12"), None);
        assert_eq!(months("not a month", "2026-12"), None);
    }
}
