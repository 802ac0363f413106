//! Bulletins (简报) as stored. Every change is made at a version, so two people editing or
//! approving at once cannot both succeed.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct BulletinRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_slug: String,
    pub kind: String,
    pub period_from: String,
    pub period_to: String,
    pub year: i64,
    pub number: Option<i64>,
    pub title: String,
    pub intro: String,
    pub asks: String,
    pub progress: String,
    pub echoes: String,
    pub figures: String,
    pub status: String,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub published_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub approved_at: Option<i64>,
    pub published_at: Option<i64>,
    pub version: i64,
}

const COLUMNS: &str = "id, county_code, region_code, station_slug, kind, period_from, period_to, year, number, title, intro, asks,
    progress, echoes, figures, status, created_by, approved_by, published_by, created_at, updated_at, approved_at, published_at, version";

/// A bulletin as drafted.
pub struct NewBulletin<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub station_slug: &'a str,
    pub kind: &'a str,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub year: i64,
    pub title: &'a str,
    pub intro: &'a str,
    pub asks: &'a str,
    pub progress: &'a str,
    pub echoes: &'a str,
    pub figures: &'a str,
    pub created_by: &'a str,
}

/// Inserts a draft; `None` when the same region or station already has one of this kind for
/// the period.
pub async fn insert(tx: &mut Tx, b: &NewBulletin<'_>, now_ms: i64) -> Result<Option<i64>> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO bulletins (county_code, region_code, station_slug, kind, period_from, period_to, year, title, intro, asks,
            progress, echoes, figures, status, created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $15, $15, 1)
         ON CONFLICT (county_code, region_code, station_slug, kind, period_from) DO NOTHING RETURNING id")
        .bind(b.county_code).bind(b.region_code).bind(b.station_slug).bind(b.kind).bind(b.period_from).bind(b.period_to)
        .bind(b.year).bind(b.title).bind(b.intro).bind(b.asks).bind(b.progress).bind(b.echoes).bind(b.figures)
        .bind(b.created_by).bind(now_ms).fetch_optional(&mut *c).await.store())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<BulletinRow>> {
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM bulletins WHERE id = $1")))
        .bind(id).fetch_optional(p).await.store())
}

pub async fn get_tx(tx: &mut Tx, id: i64) -> Result<Option<BulletinRow>> {
    on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM bulletins WHERE id = $1")))
        .bind(id).fetch_optional(&mut *c).await.store())
}

/// Bulletins under a region (a county or below; a station's bulletins count under its
/// region), newest period first; `published_only` for the public archive, `station` for one
/// station's.
pub async fn list(
    db: &Db,
    county: &str,
    region_prefix: &str,
    station: Option<&str>,
    published_only: bool,
    limit: i64,
) -> Result<Vec<BulletinRow>> {
    let like = format!("{region_prefix}%");
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM bulletins WHERE county_code = $1 AND region_code LIKE $2
         AND (CAST($3 AS TEXT) IS NULL OR station_slug = $3) AND ($4 = 0 OR status = 'published')
         ORDER BY period_from DESC, id DESC LIMIT $5")))
        .bind(county).bind(&like).bind(station).bind(i64::from(published_only)).bind(limit).fetch_all(p).await.store())
}

/// Rewrites the texts (and the figures) of a draft at `version`; false when someone else
/// changed it first or it is no longer a draft.
#[allow(clippy::too_many_arguments)]
pub async fn edit(
    tx: &mut Tx,
    id: i64,
    version: i64,
    title: &str,
    texts: [&str; 4],
    figures: &str,
    now_ms: i64,
) -> Result<bool> {
    let [intro, asks, progress, echoes] = texts;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE bulletins SET title = $3, intro = $4, asks = $5, progress = $6, echoes = $7, figures = $8, updated_at = $9,
            version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'draft'")
        .bind(id).bind(version).bind(title).bind(intro).bind(asks).bind(progress).bind(echoes).bind(figures).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Approves a draft at `version`, fixing its figures.
pub async fn approve(tx: &mut Tx, id: i64, version: i64, figures: &str, by: &str, now_ms: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE bulletins SET status = 'approved', figures = $3, approved_by = $4, approved_at = $5, updated_at = $5,
            version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'draft'")
        .bind(id).bind(version).bind(figures).bind(by).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Sends an approved bulletin back to draft (to correct it before publication).
pub async fn reopen(tx: &mut Tx, id: i64, version: i64, now_ms: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE bulletins SET status = 'draft', approved_by = NULL, approved_at = NULL, updated_at = $3, version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'approved'")
        .bind(id).bind(version).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Publishes an approved bulletin with the next number of its series for the year.
pub async fn publish(tx: &mut Tx, b: &BulletinRow, by: &str, now_ms: i64) -> Result<Option<i64>> {
    let number: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM bulletins
         WHERE county_code = $1 AND region_code = $2 AND station_slug = $3 AND kind = $4 AND year = $5 AND status = 'published'")
        .bind(&b.county_code).bind(&b.region_code).bind(&b.station_slug).bind(&b.kind).bind(b.year)
        .fetch_one(&mut *c).await.store())?;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE bulletins SET status = 'published', number = $3, published_by = $4, published_at = $5, updated_at = $5,
            version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'approved'")
        .bind(b.id).bind(b.version).bind(number).bind(by).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok((n == 1).then_some(number))
}
