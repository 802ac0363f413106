//! Deputies' formal suggestions, as stored: the suggestion, its co-signers, the cases it came from
//! and its timeline. Every change is made at a version, so two people acting at once cannot both
//! move it.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SuggestionRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub level: String,
    pub deputy_id: i64,
    pub deputy_slug: String,
    pub deputy_name: String,
    pub title: String,
    pub content: String,
    pub session: String,
    pub status: String,
    pub year: Option<i64>,
    pub number: Option<i64>,
    pub lead_agency: Option<String>,
    pub assist_agencies: String,
    pub assigned_on: Option<String>,
    pub due_on: Option<String>,
    pub extended: bool,
    pub extension_reason: String,
    pub answer_class: Option<String>,
    pub answer: String,
    pub answer_doc: Option<String>,
    pub answer_doc_mime: Option<String>,
    pub answered_on: Option<String>,
    pub promised_on: Option<String>,
    pub promise_kept_on: Option<String>,
    pub rating: Option<String>,
    pub rating_comment: String,
    pub round: i64,
    pub warned: String,
    pub created_by: String,
    pub version: i64,
    pub updated_at: i64,
}

const SUGGESTION: &str = "SELECT s.id, s.county_code, s.region_code, s.level, s.deputy_id, d.slug AS deputy_slug,
    d.name AS deputy_name, s.title, s.content, s.session, s.status, s.year, s.number, s.lead_agency, s.assist_agencies,
    s.assigned_on, s.due_on, s.extended, s.extension_reason, s.answer_class, s.answer, s.answer_doc, s.answer_doc_mime,
    s.answered_on, s.promised_on, s.promise_kept_on, s.rating, s.rating_comment, s.round, s.warned, s.created_by, s.version,
    s.updated_at FROM suggestions s JOIN deputies d ON d.id = s.deputy_id";

/// A suggestion as drafted.
pub struct NewSuggestion<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub level: &'a str,
    pub deputy_id: i64,
    pub title: &'a str,
    pub content: &'a str,
    pub session: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(tx: &mut Tx, s: &NewSuggestion<'_>, cosigners: &[i64], cases: &[i64], now_ms: i64) -> Result<i64> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO suggestions (county_code, region_code, level, deputy_id, title, content, session, status, created_by, version,
            created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, 1, $9, $9) RETURNING id")
        .bind(s.county_code).bind(s.region_code).bind(s.level).bind(s.deputy_id).bind(s.title).bind(s.content).bind(s.session)
        .bind(s.created_by).bind(now_ms).fetch_one(&mut *c).await.store())?;
    for d in cosigners {
        on_tx!(tx, c => sqlx::query("INSERT INTO suggestion_cosigners (suggestion_id, deputy_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id).bind(d).execute(&mut *c).await.store().map(|_| ()))?;
    }
    for case in cases {
        on_tx!(tx, c => sqlx::query("INSERT INTO suggestion_cases (suggestion_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id).bind(case).execute(&mut *c).await.store().map(|_| ()))?;
    }
    Ok(id)
}

/// Appends to a suggestion's timeline.
pub async fn event(tx: &mut Tx, id: i64, actor: &str, action: &str, note: &str, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO suggestion_events (suggestion_id, seq, at, actor, action, note)
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM suggestion_events WHERE suggestion_id = $1), $2, $3, $4, $5)")
        .bind(id).bind(now_ms).bind(actor).bind(action).bind(note).execute(&mut *c).await.store().map(|_| ()))
}

/// (at, actor, action, note) of a suggestion's timeline, oldest first.
pub async fn events(db: &Db, id: i64) -> Result<Vec<(i64, String, String, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT at, actor, action, note FROM suggestion_events WHERE suggestion_id = $1 ORDER BY seq")
        .bind(id).fetch_all(p).await.store())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<SuggestionRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{SUGGESTION} WHERE s.id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// (slug, name) of a suggestion's co-signers.
pub async fn cosigners(db: &Db, id: i64) -> Result<Vec<(String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT d.slug, d.name FROM suggestion_cosigners c JOIN deputies d ON d.id = c.deputy_id WHERE c.suggestion_id = $1
         ORDER BY d.name")
        .bind(id).fetch_all(p).await.store())
}

/// (case id, tracking code, title) of the cases a suggestion came from.
pub async fn cases(db: &Db, id: i64) -> Result<Vec<(i64, Option<String>, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT c.id, c.tracking_code, c.title FROM suggestion_cases sc JOIN cases c ON c.id = sc.case_id
         WHERE sc.suggestion_id = $1 ORDER BY c.id")
        .bind(id).fetch_all(p).await.store())
}

/// The suggestions made from a case (not drafts).
pub async fn for_case(db: &Db, case_id: i64) -> Result<Vec<SuggestionRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{SUGGESTION} JOIN suggestion_cases sc ON sc.suggestion_id = s.id WHERE sc.case_id = $1 AND s.status <> 'draft'
         ORDER BY s.id")))
        .bind(case_id).fetch_all(p).await.store())
}

/// A county's suggestions under `region` (not drafts), newest first, at most 500.
pub async fn in_region(db: &Db, county: &str, region: &str) -> Result<Vec<SuggestionRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{SUGGESTION} WHERE s.county_code = $1 AND (s.region_code = $2 OR s.region_code LIKE $3) AND s.status <> 'draft'
         ORDER BY s.id DESC LIMIT 500")))
        .bind(county).bind(region).bind(format!("{region}%")).fetch_all(p).await.store())
}

/// A deputy's suggestions, their own and those they co-signed, newest first.
pub async fn of_deputy(db: &Db, deputy_id: i64) -> Result<Vec<SuggestionRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{SUGGESTION} WHERE s.deputy_id = $1 OR s.id IN (SELECT suggestion_id FROM suggestion_cosigners WHERE deputy_id = $1)
         ORDER BY s.id DESC LIMIT 500")))
        .bind(deputy_id).fetch_all(p).await.store())
}

/// The suggestions an agency leads or assists on, newest first.
pub async fn of_agency(db: &Db, slug: &str) -> Result<Vec<SuggestionRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{SUGGESTION} WHERE s.status <> 'draft' AND s.status <> 'submitted'
           AND (s.lead_agency = $1 OR ',' || s.assist_agencies || ',' LIKE $2) ORDER BY s.id DESC LIMIT 500")))
        .bind(slug).bind(format!("%,{slug},%")).fetch_all(p).await.store())
}

/// Open suggestions with a deadline or a promised date, for the sweep.
pub async fn open_with_dates(db: &Db) -> Result<Vec<SuggestionRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{SUGGESTION} WHERE (s.status IN ('assigned', 'reopened') AND s.due_on IS NOT NULL)
           OR (s.answer_class = 'b' AND s.promised_on IS NOT NULL AND s.promise_kept_on IS NULL)")))
        .fetch_all(p).await.store())
}

/// The next number of a county's (or township's) suggestions of `year` at `level`.
pub async fn next_number(tx: &mut Tx, county: &str, level: &str, year: i32) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM suggestions WHERE county_code = $1 AND level = $2 AND year = $3")
        .bind(county).bind(level).bind(year as i64).fetch_one(&mut *c).await.store())
}

/// One change of a suggestion, made at its version: the columns to set, in SQL, with their values.
pub enum Value<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    Bool(bool),
}

/// Sets `columns` of suggestion `id` at `version` (and bumps it); false when it changed meanwhile.
pub async fn update(tx: &mut Tx, id: i64, version: i64, columns: &[(&str, Value<'_>)], now_ms: i64) -> Result<bool> {
    let mut sets: Vec<String> = Vec::new();
    for (i, (col, _)) in columns.iter().enumerate() {
        debug_assert!(col.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "a column name");
        sets.push(format!("{col} = ${}", i + 4));
    }
    let sql = format!(
        "UPDATE suggestions SET {}, version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2",
        sets.join(", ")
    );
    on_tx!(tx, c => {
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(id).bind(version).bind(now_ms);
        for (_, v) in columns {
            q = match v {
                Value::Text(s) => q.bind(*s),
                Value::OptText(s) => q.bind(*s),
                Value::Int(n) => q.bind(*n),
                Value::Bool(b) => q.bind(*b),
            };
        }
        q.execute(&mut *c).await.store().map(|r| r.rows_affected() == 1)
    })
}

/// A region's suggestions submitted from `from_ms` to before `to_ms`, counted.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Totals {
    /// (status, count), drafts left out.
    pub by_status: Vec<(String, i64)>,
    /// (answer class, count) of those answered.
    pub by_class: Vec<(String, i64)>,
    /// Answered, and of those answered by their deadline.
    pub answered: i64,
    pub on_time: i64,
    /// (rating, count): the deputies' ratings.
    pub by_rating: Vec<(String, i64)>,
}

pub async fn totals(db: &Db, county: &str, region: &str, from_ms: i64, to_ms: i64) -> Result<Totals> {
    const SCOPE: &str = "county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND status <> 'draft'
        AND created_at >= $4 AND created_at < $5";
    let like = format!("{region}%");
    let group = |col: &str| {
        format!(
            "SELECT {col}, COUNT(*) FROM suggestions WHERE {SCOPE} AND {col} IS NOT NULL GROUP BY {col} ORDER BY {col}"
        )
    };
    let by_status: Vec<(String, i64)> = on_read!(db, p => sqlx::query_as(AssertSqlSafe(group("status")))
        .bind(county).bind(region).bind(&like).bind(from_ms).bind(to_ms).fetch_all(p).await.store())?;
    let by_class: Vec<(String, i64)> = on_read!(db, p => sqlx::query_as(AssertSqlSafe(group("answer_class")))
        .bind(county).bind(region).bind(&like).bind(from_ms).bind(to_ms).fetch_all(p).await.store())?;
    let by_rating: Vec<(String, i64)> = on_read!(db, p => sqlx::query_as(AssertSqlSafe(group("rating")))
        .bind(county).bind(region).bind(&like).bind(from_ms).bind(to_ms).fetch_all(p).await.store())?;
    let (answered, on_time): (i64, i64) = on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN answered_on <= due_on THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM suggestions WHERE {SCOPE} AND answered_on IS NOT NULL")))
        .bind(county).bind(region).bind(&like).bind(from_ms).bind(to_ms).fetch_one(p).await.store())?;
    Ok(Totals { by_status, by_class, answered, on_time, by_rating })
}
