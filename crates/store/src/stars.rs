//! Scorecards and stations' yearly scorings, as stored (criteria, thresholds and scores as JSON).

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScorecardRow {
    pub id: i64,
    pub county_code: String,
    pub name: String,
    pub criteria: String,
    pub thresholds: String,
    pub created_by: String,
    pub created_at: i64,
}

const CARD: &str = "SELECT id, county_code, name, criteria, thresholds, created_by, created_at FROM scorecards";

pub async fn insert_scorecard(
    tx: &mut Tx,
    county: &str,
    name: &str,
    criteria: &str,
    thresholds: &str,
    by: &str,
    now_ms: i64,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO scorecards (county_code, name, criteria, thresholds, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(county).bind(name).bind(criteria).bind(thresholds).bind(by).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn scorecards(db: &Db, county: &str) -> Result<Vec<ScorecardRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{CARD} WHERE county_code = $1 ORDER BY id DESC")))
        .bind(county).fetch_all(p).await.store())
}

pub async fn scorecard(db: &Db, id: i64) -> Result<Option<ScorecardRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{CARD} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_id: i64,
    pub station_slug: String,
    pub station_name: String,
    pub year: i64,
    pub scorecard_id: i64,
    pub scores: String,
    pub total: i64,
    pub stars: i64,
    pub status: String,
    pub note: String,
    pub scored_by: String,
    pub reviewed_by: Option<String>,
    pub review_note: String,
    pub version: i64,
    pub updated_at: i64,
}

const ASSESSMENT: &str = "SELECT a.id, a.county_code, a.region_code, a.station_id, s.slug AS station_slug, s.name AS station_name,
    a.year, a.scorecard_id, a.scores, a.total, a.stars, a.status, a.note, a.scored_by, a.reviewed_by, a.review_note, a.version,
    a.updated_at FROM station_assessments a JOIN stations s ON s.id = a.station_id";

pub async fn assessment(db: &Db, id: i64) -> Result<Option<AssessmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{ASSESSMENT} WHERE a.id = $1"))).bind(id).fetch_optional(p).await.store())
}

pub async fn assessment_of(db: &Db, station_id: i64, year: i32) -> Result<Option<AssessmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{ASSESSMENT} WHERE a.station_id = $1 AND a.year = $2")))
        .bind(station_id).bind(year as i64).fetch_optional(p).await.store())
}

/// A county's scorings of `year` under `region`.
pub async fn assessments(db: &Db, county: &str, region: &str, year: i32) -> Result<Vec<AssessmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{ASSESSMENT} WHERE a.county_code = $1 AND (a.region_code = $2 OR a.region_code LIKE $3) AND a.year = $4 ORDER BY s.name")))
        .bind(county).bind(region).bind(format!("{region}%")).bind(year as i64).fetch_all(p).await.store())
}

/// A station's latest approved scoring.
pub async fn latest_approved(db: &Db, station_id: i64) -> Result<Option<AssessmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{ASSESSMENT} WHERE a.station_id = $1 AND a.status = 'approved' ORDER BY a.year DESC LIMIT 1")))
        .bind(station_id).fetch_optional(p).await.store())
}

/// A scoring as written.
pub struct Scoring<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub station_id: i64,
    pub year: i32,
    pub scorecard_id: i64,
    pub scores: &'a str,
    pub total: i64,
    pub stars: i64,
    pub note: &'a str,
    pub by: &'a str,
}

/// Adds a station's scoring of a year, or replaces the scores of one still open (draft or
/// returned) at `version`; `None` when it is submitted or approved, or changed meanwhile.
pub async fn save(tx: &mut Tx, s: &Scoring<'_>, version: Option<i64>, now_ms: i64) -> Result<Option<i64>> {
    match version {
        None => on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO station_assessments (county_code, region_code, station_id, year, scorecard_id, scores, total, stars, status,
                note, scored_by, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, 1, $11, $11)
             ON CONFLICT (station_id, year) DO NOTHING RETURNING id")
            .bind(s.county_code).bind(s.region_code).bind(s.station_id).bind(s.year as i64).bind(s.scorecard_id).bind(s.scores)
            .bind(s.total).bind(s.stars).bind(s.note).bind(s.by).bind(now_ms)
            .fetch_optional(&mut *c).await.store()),
        Some(v) => on_tx!(tx, c => sqlx::query_scalar(
            "UPDATE station_assessments SET scorecard_id = $3, scores = $4, total = $5, stars = $6, note = $7, scored_by = $8,
                status = 'draft', version = version + 1, updated_at = $9
             WHERE station_id = $1 AND year = $2 AND version = $10 AND status IN ('draft', 'returned') RETURNING id")
            .bind(s.station_id).bind(s.year as i64).bind(s.scorecard_id).bind(s.scores).bind(s.total).bind(s.stars).bind(s.note)
            .bind(s.by).bind(now_ms).bind(v)
            .fetch_optional(&mut *c).await.store()),
    }
}

/// Moves a scoring from one status to another at `version`; false when it was not there.
#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    version: i64,
    from: &str,
    to: &str,
    reviewed_by: Option<&str>,
    review_note: &str,
    now_ms: i64,
) -> Result<bool> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE station_assessments SET status = $4, reviewed_by = COALESCE($5, reviewed_by), review_note = $6,
            version = version + 1, updated_at = $7 WHERE id = $1 AND version = $2 AND status = $3")
        .bind(id).bind(version).bind(from).bind(to).bind(reviewed_by).bind(review_note).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

pub async fn add_evidence(
    tx: &mut Tx,
    id: i64,
    criterion: i64,
    hash: &str,
    mime: &str,
    size: i64,
    now_ms: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO assessment_evidence (assessment_id, criterion, hash, mime, size, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (assessment_id, criterion, hash) DO NOTHING")
        .bind(id).bind(criterion).bind(hash).bind(mime).bind(size).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))
}

/// (criterion, hash, media type) of a scoring's evidence.
pub async fn evidence(db: &Db, id: i64) -> Result<Vec<(i64, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT criterion, hash, mime FROM assessment_evidence WHERE assessment_id = $1 ORDER BY criterion, created_at, hash")
        .bind(id).fetch_all(p).await.store())
}
