//! The case core: enough to store a case under its region, station, agency and deputy, and to
//! read it back for the scope checks. The six-step loop builds on these rows.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use liaison_domain::authz::CaseLocation;
use liaison_domain::region::RegionCode;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_ref: Option<String>,
    pub agency_ref: Option<String>,
    pub deputy_ref: Option<String>,
    pub title: String,
    pub content: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CaseRow {
    pub fn location(&self) -> Option<CaseLocation> {
        Some(CaseLocation {
            region: RegionCode::parse(&self.region_code).ok()?,
            station: self.station_ref.clone(),
            agency: self.agency_ref.clone(),
            deputy: self.deputy_ref.clone(),
        })
    }
}

pub struct NewCase<'a> {
    pub region: &'a RegionCode,
    pub station_ref: Option<&'a str>,
    pub agency_ref: Option<&'a str>,
    pub deputy_ref: Option<&'a str>,
    pub title: &'a str,
    pub content: &'a str,
}

const COLUMNS: &str =
    "id, county_code, region_code, station_ref, agency_ref, deputy_ref, title, content, status, created_at, updated_at";

pub async fn insert(tx: &mut Tx, n: &NewCase<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO cases (county_code, region_code, station_ref, agency_ref, deputy_ref, title, content, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $8) RETURNING id")
        .bind(n.region.county_key()).bind(n.region.as_str()).bind(n.station_ref).bind(n.agency_ref).bind(n.deputy_ref)
        .bind(n.title).bind(n.content).bind(now_ms)
        .fetch_one(&mut *c).await.store())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<CaseRow>> {
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE id = $1")))
        .bind(id).fetch_optional(p).await.store())
}

/// The cases a set of scopes reaches, newest first. Each argument narrows nothing when empty;
/// a case is listed when any of them matches.
pub struct Reach<'a> {
    pub region_prefixes: &'a [String],
    pub stations: &'a [String],
    pub agencies: &'a [String],
    pub deputies: &'a [String],
}

pub async fn list(db: &Db, reach: &Reach<'_>, limit: i64) -> Result<Vec<CaseRow>> {
    // Scopes are few (usually one), so the filter is built from placeholders only.
    let mut clauses = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let mut push = |col: &str, values: &[String], like: bool| {
        for v in values {
            binds.push(if like { format!("{v}%") } else { v.clone() });
            let op = if like { "LIKE" } else { "=" };
            clauses.push(format!("{col} {op} ${}", binds.len()));
        }
    };
    push("region_code", reach.region_prefixes, true);
    push("station_ref", reach.stations, false);
    push("agency_ref", reach.agencies, false);
    push("deputy_ref", reach.deputies, false);
    if clauses.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM cases WHERE {} ORDER BY created_at DESC, id DESC LIMIT {}",
        clauses.join(" OR "),
        limit.clamp(1, 500)
    );
    on_read!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await.store()
    })
}
