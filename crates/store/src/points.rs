//! Points rule sets, as stored: items and targets as JSON, read back by the application.

use crate::Result;
use crate::db::{Backend, Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleSetRow {
    pub id: i64,
    pub county_code: String,
    pub township_code: String,
    pub name: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub term_from: Option<String>,
    pub items: String,
    pub targets: String,
    pub created_by: String,
    pub created_at: i64,
}

const SET: &str =
    "SELECT id, county_code, township_code, name, effective_from, effective_to, term_from, items, targets,
    created_by, created_at FROM points_rule_sets";

/// A county's rule sets, the county's own and its townships', oldest first.
pub async fn of_county(db: &Db, county: &str) -> Result<Vec<RuleSetRow>> {
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SET} WHERE county_code = $1 ORDER BY township_code, effective_from, id")))
        .bind(county).fetch_all(p).await.store())
}

/// The same, inside a transaction (for the overlap check of a new set).
pub async fn of_county_tx(tx: &mut Tx, county: &str) -> Result<Vec<RuleSetRow>> {
    on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SET} WHERE county_code = $1 ORDER BY township_code, effective_from, id")))
        .bind(county).fetch_all(&mut *c).await.store())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<RuleSetRow>> {
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SET} WHERE id = $1")))
        .bind(id).fetch_optional(p).await.store())
}

/// A new set as written.
#[derive(Debug, Clone)]
pub struct NewSet<'a> {
    pub county_code: &'a str,
    pub township_code: &'a str,
    pub name: &'a str,
    pub effective_from: &'a str,
    pub effective_to: Option<&'a str>,
    pub term_from: Option<&'a str>,
    pub items: &'a str,
    pub targets: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(tx: &mut Tx, s: &NewSet<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO points_rule_sets (county_code, township_code, name, effective_from, effective_to, term_from, items, targets,
            created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
        .bind(s.county_code).bind(s.township_code).bind(s.name).bind(s.effective_from).bind(s.effective_to).bind(s.term_from)
        .bind(s.items).bind(s.targets).bind(s.created_by).bind(now_ms)
        .fetch_one(&mut *c).await.store())
}

/// Ends an open set on `to` (when the next version begins the day after).
pub async fn end(tx: &mut Tx, id: i64, to: &str, now_ms: i64) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE points_rule_sets SET effective_to = $2, updated_at = $3 WHERE id = $1 AND effective_to IS NULL")
        .bind(id).bind(to).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

/// Notes a reminder to a deputy behind their targets; false when one went out that day already.
pub async fn note_reminder(tx: &mut Tx, deputy_id: i64, year: i32, on: &str, by: &str) -> Result<bool> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO duty_target_reminders (deputy_id, year, sent_on, sent_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (deputy_id, year, sent_on) DO NOTHING")
        .bind(deputy_id).bind(year as i64).bind(on).bind(by).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

/// (deputy id, last day reminded) of `year`'s targets, for the deputies of a county under `region`.
pub async fn last_reminders(db: &Db, county: &str, region: &str, year: i32) -> Result<Vec<(i64, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT r.deputy_id, MAX(r.sent_on) FROM duty_target_reminders r JOIN deputies d ON d.id = r.deputy_id
         WHERE d.county_code = $1 AND (d.region_code = $2 OR d.region_code LIKE $3) AND r.year = $4 GROUP BY r.deputy_id")
        .bind(county).bind(region).bind(format!("{region}%")).bind(year as i64).fetch_all(p).await.store())
}

/// A deputy's confirmed entries in a period, and where the deputy lives.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub deputy_id: i64,
    /// The deputy's home region ('' if the deputy is gone).
    pub home: String,
    /// (kind, done_on) by date, then entry.
    pub entries: Vec<(String, String)>,
}

/// Confirmed entries of a county's deputies under `region` from `from` to `to`, by deputy (for
/// reports and the township's list).
pub async fn confirmed_in(db: &Db, county: &str, region: &str, from: &str, to: &str) -> Result<Vec<Confirmed>> {
    // Everything in one row, joined in order: a county's year is thousands of entries of a few
    // hundred deputies, and on SQLite each row returned costs more than the work of joining
    // them (it crosses from the database's thread to the caller's).
    let agg = match db.backend() {
        Backend::Sqlite => "group_concat",
        Backend::Postgres => "string_agg",
    };
    let sql = format!(
        "SELECT (SELECT {agg}(CAST(d.id AS TEXT) || ' ' || d.region_code, ',') FROM deputies d WHERE d.county_code = $1),
                (SELECT {agg}(CAST(e.deputy_id AS TEXT) || ' ' || e.kind || ' ' || e.done_on, ',' ORDER BY e.deputy_id, e.done_on, e.id)
                 FROM duty_entries e WHERE e.county_code = $1 AND e.status = 'confirmed'
                   AND (e.region_code = $2 OR e.region_code LIKE $3) AND e.done_on >= $4 AND e.done_on <= $5)"
    );
    let (homes, entries): (Option<String>, Option<String>) = on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql))
        .bind(county).bind(region).bind(format!("{region}%")).bind(from).bind(to).fetch_one(p).await.store())?;
    // Ids are numbers, kinds words, regions digits and days YYYY-MM-DD: none holds a space or
    // a comma.
    let homes: std::collections::HashMap<&str, &str> =
        homes.as_deref().unwrap_or_default().split(',').filter_map(|h| h.split_once(' ')).collect();
    let mut out: Vec<Confirmed> = Vec::new();
    for e in entries.as_deref().unwrap_or_default().split(',') {
        let mut parts = e.splitn(3, ' ');
        let (Some(id), Some(kind), Some(day)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let Ok(deputy_id) = id.parse::<i64>() else { continue };
        if out.last().is_none_or(|c| c.deputy_id != deputy_id) {
            let home = homes.get(id).copied().unwrap_or_default().to_owned();
            out.push(Confirmed { deputy_id, home, entries: Vec::new() });
        }
        if let Some(c) = out.last_mut() {
            c.entries.push((kind.to_owned(), day.to_owned()));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArchiveRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub year: i64,
    pub status: String,
    pub done: i64,
    pub total: i64,
    pub error: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const ARCHIVE: &str = "SELECT id, county_code, region_code, year, status, done, total, error, created_by, created_at, updated_at FROM report_archives";

pub async fn new_archive(
    tx: &mut Tx,
    county: &str,
    region: &str,
    year: i32,
    total: i64,
    by: &str,
    now_ms: i64,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO report_archives (county_code, region_code, year, status, done, total, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, 'running', 0, $4, $5, $6, $6) RETURNING id")
        .bind(county).bind(region).bind(year as i64).bind(total).bind(by).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn archive(db: &Db, id: i64) -> Result<Option<ArchiveRow>> {
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{ARCHIVE} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// The latest archives of a region, newest first.
pub async fn archives(db: &Db, county: &str, region: &str) -> Result<Vec<ArchiveRow>> {
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ARCHIVE} WHERE county_code = $1 AND region_code = $2 ORDER BY created_at DESC, id DESC LIMIT 10")))
        .bind(county).bind(region).fetch_all(p).await.store())
}

/// Records an archive's progress (and its end, with `status` other than running).
pub async fn archive_progress(db: &Db, id: i64, done: i64, status: &str, error: &str, now_ms: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE report_archives SET done = $2, status = $3, error = $4, updated_at = $5 WHERE id = $1")
        .bind(id).bind(done).bind(status).bind(error).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))?;
    tx.commit().await
}
