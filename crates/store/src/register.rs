//! The duty register: entries, their earlier versions, and the township's decisions.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use serde::Serialize;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub deputy_id: i64,
    pub deputy_slug: String,
    pub deputy_name: String,
    pub kind: String,
    pub done_on: String,
    pub place: String,
    pub description: String,
    pub source: String,
    pub source_key: Option<String>,
    pub status: String,
    pub recorded_by: String,
    pub decided_by: Option<String>,
    pub decision_note: String,
    pub version: i64,
}

const ENTRY: &str = "SELECT e.id, e.county_code, e.region_code, e.deputy_id, d.slug AS deputy_slug, d.name AS deputy_name, e.kind,
    e.done_on, e.place, e.description, e.source, e.source_key, e.status, e.recorded_by, e.decided_by, e.decision_note, e.version
    FROM duty_entries e JOIN deputies d ON d.id = e.deputy_id";

/// An entry as written.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub deputy_id: i64,
    pub kind: &'a str,
    pub done_on: &'a str,
    pub place: &'a str,
    pub description: &'a str,
    pub source: &'a str,
    pub source_key: Option<&'a str>,
    pub status: &'a str,
    pub recorded_by: &'a str,
}

/// Adds an entry and its first version; `None` when an entry of the same deputy and source is
/// already there (the automatic entries' once-only rule).
pub async fn insert(tx: &mut Tx, e: &NewEntry<'_>, now_ms: i64) -> Result<Option<i64>> {
    let id: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO duty_entries (county_code, region_code, deputy_id, kind, done_on, place, description, source, source_key,
            status, recorded_by, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)
         ON CONFLICT (deputy_id, source_key) DO NOTHING RETURNING id")
        .bind(e.county_code).bind(e.region_code).bind(e.deputy_id).bind(e.kind).bind(e.done_on).bind(e.place).bind(e.description)
        .bind(e.source).bind(e.source_key).bind(e.status).bind(e.recorded_by).bind(now_ms)
        .fetch_optional(&mut *c).await.store())?;
    if let Some(id) = id {
        history(tx, id, 1, e.recorded_by, (e.kind, e.done_on, e.place, e.description, e.status), "", now_ms).await?;
    }
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn history(
    tx: &mut Tx,
    id: i64,
    version: i64,
    actor: &str,
    (kind, done_on, place, description, status): (&str, &str, &str, &str, &str),
    note: &str,
    now_ms: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO duty_entry_history (entry_id, version, at, actor, kind, done_on, place, description, status, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(id).bind(version).bind(now_ms).bind(actor).bind(kind).bind(done_on).bind(place).bind(description).bind(status).bind(note)
        .execute(&mut *c).await.store().map(|_| ()))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<EntryRow>> {
    let sql = format!("{ENTRY} WHERE e.id = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await.store())
}

/// A corrected entry: a new version, pending again; the earlier one stays in the history.
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    tx: &mut Tx,
    e: &EntryRow,
    kind: &str,
    done_on: &str,
    place: &str,
    description: &str,
    actor: &str,
    now_ms: i64,
) -> Result<()> {
    let version = e.version + 1;
    on_tx!(tx, c => sqlx::query(
        "UPDATE duty_entries SET kind = $2, done_on = $3, place = $4, description = $5, status = 'pending', decided_by = NULL,
            decision_note = '', version = $6, updated_at = $7 WHERE id = $1")
        .bind(e.id).bind(kind).bind(done_on).bind(place).bind(description).bind(version).bind(now_ms)
        .execute(&mut *c).await.store().map(|_| ()))?;
    history(tx, e.id, version, actor, (kind, done_on, place, description, "pending"), "更正", now_ms).await
}

/// The township's decision on an entry at `version`; false when it changed meanwhile.
pub async fn decide(tx: &mut Tx, e: &EntryRow, status: &str, by: &str, note: &str, now_ms: i64) -> Result<bool> {
    let version = e.version + 1;
    let changed = on_tx!(tx, c => sqlx::query(
        "UPDATE duty_entries SET status = $2, decided_by = $3, decision_note = $4, version = $5, updated_at = $6
         WHERE id = $1 AND version = $7")
        .bind(e.id).bind(status).bind(by).bind(note).bind(version).bind(now_ms).bind(e.version)
        .execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))?;
    if changed {
        history(tx, e.id, version, by, (&e.kind, &e.done_on, &e.place, &e.description, status), note, now_ms).await?;
    }
    Ok(changed)
}

/// A deputy's entries from `from` to `to`, newest first.
pub async fn of_deputy(db: &Db, deputy_id: i64, from: &str, to: &str) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "{ENTRY} WHERE e.deputy_id = $1 AND e.done_on >= $2 AND e.done_on <= $3 ORDER BY e.done_on DESC, e.id DESC"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(deputy_id).bind(from).bind(to).fetch_all(p).await.store())
}

/// Entries of a county's deputies under `region` with `status`, oldest first (at most 500).
pub async fn by_status(db: &Db, county: &str, region: &str, status: &str) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "{ENTRY} WHERE e.county_code = $1 AND e.status = $2 AND (e.region_code = $3 OR e.region_code LIKE $4)
         ORDER BY e.done_on, e.id LIMIT 500"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(county).bind(status).bind(region).bind(format!("{region}%"))
        .fetch_all(p).await.store())
}

/// (version, at, actor, status, note) of an entry's history, oldest first.
pub async fn versions(db: &Db, id: i64) -> Result<Vec<(i64, i64, String, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT version, at, actor, status, note FROM duty_entry_history WHERE entry_id = $1 ORDER BY version")
        .bind(id).fetch_all(p).await.store())
}

/// Confirmed entries of a deputy from `from` to `to`, by kind: (kind, count).
pub async fn confirmed_counts(db: &Db, deputy_id: i64, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT kind, COUNT(*) FROM duty_entries WHERE deputy_id = $1 AND status = 'confirmed' AND done_on >= $2 AND done_on <= $3
         GROUP BY kind ORDER BY kind")
        .bind(deputy_id).bind(from).bind(to).fetch_all(p).await.store())
}

/// Adds a file to an entry's evidence; the same file twice is kept once.
pub async fn add_evidence(tx: &mut Tx, entry_id: i64, hash: &str, mime: &str, size: i64, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO duty_evidence (entry_id, hash, mime, size, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (entry_id, hash) DO NOTHING")
        .bind(entry_id).bind(hash).bind(mime).bind(size).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))
}

/// (hash, media type) of an entry's evidence, in the order added.
pub async fn evidence(db: &Db, entry_id: i64) -> Result<Vec<(String, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT hash, mime FROM duty_evidence WHERE entry_id = $1 ORDER BY created_at, hash")
        .bind(entry_id).fetch_all(p).await.store())
}

/// Cases raised to a deputy (by slug) received from `from_ms` to before `to_ms`, oldest first:
/// (tracking code, title, status, rating).
pub async fn cases_of_deputy(
    db: &Db,
    slug: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(Option<String>, String, String, Option<String>)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT tracking_code, title, status, rating FROM cases WHERE deputy_ref = $1 AND created_at >= $2 AND created_at < $3
           AND merged_into IS NULL ORDER BY created_at, id")
        .bind(slug).bind(from_ms).bind(to_ms).fetch_all(p).await.store())
}

/// An entry, inside a transaction.
pub async fn get_tx(tx: &mut Tx, id: i64) -> Result<EntryRow> {
    let sql = format!("{ENTRY} WHERE e.id = $1");
    on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_one(&mut *c).await.store())
}
