//! The region tree.

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use crate::{Result, StoreError};
use liaison_domain::region::{RegionCode, RegionLevel};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub county_code: String,
    pub parent_code: Option<String>,
    pub name: String,
    pub level: String,
}

/// Inserts a region under its parent, which must already exist unless it is a province.
pub async fn insert(tx: &mut Tx, code: &RegionCode, name: &str, now_ms: i64) -> Result<Region> {
    let parent = code.parent();
    let parent_ref = match &parent {
        Some(p) => {
            let exists: Option<String> = on_tx!(tx, c => sqlx::query_scalar("SELECT code FROM regions WHERE code = $1")
                .bind(p.as_str()).fetch_optional(&mut *c).await.store())?;
            exists.ok_or(StoreError::NotFound)?;
            Some(p.as_str().to_owned())
        }
        None => None,
    };
    let region = Region {
        code: code.as_str().to_owned(),
        county_code: code.county_key(),
        parent_code: parent_ref,
        name: name.to_owned(),
        level: code.level().as_str().to_owned(),
    };
    on_tx!(tx, c => sqlx::query("INSERT INTO regions (code, county_code, parent_code, name, level, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&region.code).bind(&region.county_code).bind(&region.parent_code).bind(&region.name).bind(&region.level).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(region)
}

/// Inserts or renames a region; used by the idempotent demo loader.
pub async fn upsert(tx: &mut Tx, code: &RegionCode, name: &str, now_ms: i64) -> Result<()> {
    let parent = code.parent().map(|p| p.as_str().to_owned());
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO regions (code, county_code, parent_code, name, level, created_at)
         VALUES ($1, $2, (SELECT code FROM regions WHERE code = $3), $4, $5, $6)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name")
        .bind(code.as_str()).bind(code.county_key()).bind(parent).bind(name).bind(code.level().as_str()).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(db: &Db, code: &RegionCode) -> Result<Option<Region>> {
    on_read!(db, p => sqlx::query_as("SELECT code, county_code, parent_code, name, level FROM regions WHERE code = $1")
        .bind(code.as_str()).fetch_optional(p).await.store())
}

/// The direct children of a region, or the top-level regions when `parent` is `None`.
pub async fn children(db: &Db, parent: Option<&RegionCode>) -> Result<Vec<Region>> {
    match parent {
        Some(p) => on_read!(db, pool => sqlx::query_as(
            "SELECT code, county_code, parent_code, name, level FROM regions WHERE parent_code = $1 ORDER BY code")
            .bind(p.as_str()).fetch_all(pool).await.store()),
        None => on_read!(db, pool => sqlx::query_as(
            "SELECT code, county_code, parent_code, name, level FROM regions WHERE parent_code IS NULL ORDER BY code")
            .fetch_all(pool).await.store()),
    }
}

/// A region and everything beneath it, in code order.
pub async fn subtree(db: &Db, root: &RegionCode) -> Result<Vec<Region>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT code, county_code, parent_code, name, level FROM regions WHERE code LIKE $1 ORDER BY code")
        .bind(format!("{}%", root.as_str())).fetch_all(p).await.store())
}

impl Region {
    pub fn level_label(&self) -> &'static str {
        RegionCode::parse(&self.code).map(|c| c.level().label()).unwrap_or(RegionLevel::Village.label())
    }
}

/// A subtree as the transaction sees it.
pub async fn subtree_tx(tx: &mut Tx, root: &RegionCode) -> Result<Vec<Region>> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT code, county_code, parent_code, name, level FROM regions WHERE code LIKE $1 ORDER BY code")
        .bind(format!("{}%", root.as_str())).fetch_all(&mut *c).await.store())
}
