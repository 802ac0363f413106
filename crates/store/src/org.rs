//! Stations, deputies, agencies and grid cells. Writes are upserts keyed by slug (or, for grid
//! cells, by township and cell code) that report whether anything changed, so that importing the
//! same roster twice changes nothing.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use serde::Serialize;
use sqlx::AssertSqlSafe;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StationData {
    pub slug: String,
    pub county_code: String,
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub sector: String,
    pub household_kind: Option<String>,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub phone: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Station {
    pub id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub data: StationData,
    pub photo: Option<String>,
    pub active: bool,
}

const STATION_DATA: &str = "slug, county_code, region_code, parent_id, kind, sector, household_kind, name, address, opening_hours, phone, description";

async fn station_data(tx: &mut Tx, slug: &str) -> Result<Option<(i64, StationData, bool)>> {
    let sql = format!("SELECT id, {STATION_DATA}, photo, active FROM stations WHERE slug = $1");
    let row: Option<Station> =
        on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(slug).fetch_optional(&mut *c).await.store())?;
    Ok(row.map(|s| (s.id, s.data, s.active)))
}

/// Creates or updates a station by slug; an inactive station that is upserted again comes back.
pub async fn upsert_station(tx: &mut Tx, d: &StationData, now_ms: i64) -> Result<(i64, Outcome)> {
    if let Some((id, existing, active)) = station_data(tx, &d.slug).await? {
        if existing == *d && active {
            return Ok((id, Outcome::Unchanged));
        }
        on_tx!(tx, c => sqlx::query(
            "UPDATE stations SET county_code = $2, region_code = $3, parent_id = $4, kind = $5, sector = $6, household_kind = $7,
             name = $8, address = $9, opening_hours = $10, phone = $11, description = $12, active = $13, updated_at = $14 WHERE id = $1")
            .bind(id).bind(&d.county_code).bind(&d.region_code).bind(d.parent_id).bind(&d.kind).bind(&d.sector)
            .bind(&d.household_kind).bind(&d.name).bind(&d.address).bind(&d.opening_hours).bind(&d.phone)
            .bind(&d.description).bind(true).bind(now_ms)
            .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        return Ok((id, Outcome::Updated));
    }
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO stations (slug, county_code, region_code, parent_id, kind, sector, household_kind, name, address, opening_hours, phone, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id")
        .bind(&d.slug).bind(&d.county_code).bind(&d.region_code).bind(d.parent_id).bind(&d.kind).bind(&d.sector)
        .bind(&d.household_kind).bind(&d.name).bind(&d.address).bind(&d.opening_hours).bind(&d.phone).bind(&d.description).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    Ok((id, Outcome::Created))
}

/// Deactivates or reactivates a station; returns false when it was already so.
pub async fn set_station_active(tx: &mut Tx, id: i64, active: bool, now_ms: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE stations SET active = $2, updated_at = $3 WHERE id = $1 AND active <> $2")
        .bind(id).bind(active).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn station_by_slug(db: &Db, slug: &str) -> Result<Option<Station>> {
    let sql = format!("SELECT id, {STATION_DATA}, photo, active FROM stations WHERE slug = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await.store())
}

/// The tables whose rows are keyed by a public slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyed {
    Station,
    Deputy,
    Agency,
}

impl Keyed {
    /// The name used in audit actions and targets: `station`, `deputy`, `agency`.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyed::Station => "station",
            Keyed::Deputy => "deputy",
            Keyed::Agency => "agency",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Keyed::Station => "stations",
            Keyed::Deputy => "deputies",
            Keyed::Agency => "agencies",
        }
    }
}

/// Where the row with this slug lives: (county code, region code), whatever county asks.
pub async fn home_tx(tx: &mut Tx, what: Keyed, slug: &str) -> Result<Option<(String, String)>> {
    let sql = format!("SELECT county_code, region_code FROM {} WHERE slug = $1", what.table());
    on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(slug).fetch_optional(&mut *c).await.store())
}

/// Moves a station or a deputy to another region of the same county; returns the old region,
/// or `None` when it was already there.
pub async fn move_tx(tx: &mut Tx, what: Keyed, id: i64, region: &str, now_ms: i64) -> Result<Option<String>> {
    let sql = format!("SELECT region_code FROM {} WHERE id = $1", what.table());
    let old: String =
        on_tx!(tx, c => sqlx::query_scalar(AssertSqlSafe(sql)).bind(id).fetch_one(&mut *c).await.store())?;
    if old == region {
        return Ok(None);
    }
    let sql = format!("UPDATE {} SET region_code = $2, updated_at = $3 WHERE id = $1", what.table());
    on_tx!(tx, c => sqlx::query(AssertSqlSafe(sql)).bind(id).bind(region).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))?;
    Ok(Some(old))
}

/// Stations whose region lies under `region_prefix`, by region then name.
pub async fn stations_under(db: &Db, region_prefix: &str, include_inactive: bool) -> Result<Vec<Station>> {
    let sql = format!(
        "SELECT id, {STATION_DATA}, photo, active FROM stations WHERE region_code LIKE $1 AND (active OR $2) ORDER BY region_code, kind, name"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(format!("{region_prefix}%")).bind(include_inactive).fetch_all(p).await.store())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DeputyData {
    pub slug: String,
    pub county_code: String,
    pub region_code: String,
    pub name: String,
    pub gender: String,
    /// Comma-separated `DeputyLevel` codes, in level order.
    pub levels: String,
    pub term: String,
    pub constituency: String,
    pub occupation: String,
    pub duties: String,
    /// Private: shown only to staff who need it, always masked in public.
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Deputy {
    pub id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub data: DeputyData,
    pub photo: Option<String>,
    pub active: bool,
}

const DEPUTY_DATA: &str =
    "slug, county_code, region_code, name, gender, levels, term, constituency, occupation, duties, phone";

pub async fn upsert_deputy(tx: &mut Tx, d: &DeputyData, now_ms: i64) -> Result<(i64, Outcome)> {
    let sql = format!("SELECT id, {DEPUTY_DATA}, photo, active FROM deputies WHERE slug = $1");
    let existing: Option<Deputy> =
        on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(&d.slug).fetch_optional(&mut *c).await.store())?;
    if let Some(e) = existing {
        if e.data == *d && e.active {
            return Ok((e.id, Outcome::Unchanged));
        }
        on_tx!(tx, c => sqlx::query(
            "UPDATE deputies SET county_code = $2, region_code = $3, name = $4, gender = $5, levels = $6, term = $7, constituency = $8,
             occupation = $9, duties = $10, phone = $11, active = $12, updated_at = $13 WHERE id = $1")
            .bind(e.id).bind(&d.county_code).bind(&d.region_code).bind(&d.name).bind(&d.gender).bind(&d.levels).bind(&d.term)
            .bind(&d.constituency).bind(&d.occupation).bind(&d.duties).bind(&d.phone).bind(true).bind(now_ms)
            .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        return Ok((e.id, Outcome::Updated));
    }
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO deputies (slug, county_code, region_code, name, gender, levels, term, constituency, occupation, duties, phone, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id")
        .bind(&d.slug).bind(&d.county_code).bind(&d.region_code).bind(&d.name).bind(&d.gender).bind(&d.levels).bind(&d.term)
        .bind(&d.constituency).bind(&d.occupation).bind(&d.duties).bind(&d.phone).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    Ok((id, Outcome::Created))
}

pub async fn set_deputy_active(tx: &mut Tx, id: i64, active: bool, now_ms: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE deputies SET active = $2, updated_at = $3 WHERE id = $1 AND active <> $2")
        .bind(id).bind(active).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn deputy_by_slug(db: &Db, slug: &str) -> Result<Option<Deputy>> {
    let sql = format!("SELECT id, {DEPUTY_DATA}, photo, active FROM deputies WHERE slug = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await.store())
}

pub async fn deputies_under(db: &Db, region_prefix: &str, include_inactive: bool) -> Result<Vec<Deputy>> {
    let sql = format!(
        "SELECT id, {DEPUTY_DATA}, photo, active FROM deputies WHERE region_code LIKE $1 AND (active OR $2) ORDER BY region_code, name"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(format!("{region_prefix}%")).bind(include_inactive).fetch_all(p).await.store())
}

/// Replaces a deputy's station attachments; returns whether they changed.
pub async fn set_deputy_stations(tx: &mut Tx, county: &str, deputy_id: i64, links: &[(i64, bool)]) -> Result<bool> {
    let mut current: Vec<(i64, bool)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT station_id, resident FROM station_deputies WHERE deputy_id = $1 ORDER BY station_id")
        .bind(deputy_id).fetch_all(&mut *c).await.store())?;
    let mut wanted = links.to_vec();
    wanted.sort();
    wanted.dedup_by_key(|l| l.0);
    current.sort();
    if current == wanted {
        return Ok(false);
    }
    on_tx!(tx, c => sqlx::query("DELETE FROM station_deputies WHERE deputy_id = $1")
        .bind(deputy_id).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    for (station_id, resident) in wanted {
        on_tx!(tx, c => sqlx::query("INSERT INTO station_deputies (county_code, station_id, deputy_id, resident) VALUES ($1, $2, $3, $4)")
            .bind(county).bind(station_id).bind(deputy_id).bind(resident)
            .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    }
    Ok(true)
}

/// The active deputies attached to a station, resident ones first.
pub async fn station_deputies(db: &Db, station_id: i64) -> Result<Vec<(Deputy, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Linked {
        #[sqlx(flatten)]
        d: Deputy,
        resident: bool,
    }
    let sql = format!(
        "SELECT d.id, {}, d.photo, d.active, sd.resident FROM station_deputies sd JOIN deputies d ON d.id = sd.deputy_id
         WHERE sd.station_id = $1 AND d.active ORDER BY sd.resident DESC, d.name",
        DEPUTY_DATA.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
    );
    let rows: Vec<Linked> =
        on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(station_id).fetch_all(p).await.store())?;
    Ok(rows.into_iter().map(|r| (r.d, r.resident)).collect())
}

/// The active stations a deputy is attached to.
pub async fn deputy_stations(db: &Db, deputy_id: i64) -> Result<Vec<(Station, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Linked {
        #[sqlx(flatten)]
        s: Station,
        resident: bool,
    }
    let sql = format!(
        "SELECT s.id, {}, s.photo, s.active, sd.resident FROM station_deputies sd JOIN stations s ON s.id = sd.station_id
         WHERE sd.deputy_id = $1 AND s.active ORDER BY sd.resident DESC, s.name",
        STATION_DATA.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ")
    );
    let rows: Vec<Linked> =
        on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(deputy_id).fetch_all(p).await.store())?;
    Ok(rows.into_iter().map(|r| (r.s, r.resident)).collect())
}

/// Every station a deputy is attached to, active or not: (station slug, resident), by slug.
pub async fn deputy_links(db: &Db, deputy_id: i64) -> Result<Vec<(String, bool)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT s.slug, sd.resident FROM station_deputies sd JOIN stations s ON s.id = sd.station_id
         WHERE sd.deputy_id = $1 ORDER BY s.slug")
        .bind(deputy_id).fetch_all(p).await.store())
}

/// The ids of the stations the deputy with `slug` is attached to, as the transaction sees them.
pub async fn deputy_link_ids_tx(tx: &mut Tx, slug: &str) -> Result<Vec<i64>> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT sd.station_id FROM station_deputies sd JOIN deputies d ON d.id = sd.deputy_id WHERE d.slug = $1")
        .bind(slug).fetch_all(&mut *c).await.store())
}

/// A station's slug by its id.
pub async fn station_slug(db: &Db, id: i64) -> Result<Option<String>> {
    on_read!(db, p => sqlx::query_scalar("SELECT slug FROM stations WHERE id = $1").bind(id).fetch_optional(p).await.store())
}

/// Every (station slug, deputy slug, resident) link under a region prefix, for exports.
pub async fn links_under(db: &Db, region_prefix: &str) -> Result<Vec<(String, String, bool)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT s.slug, d.slug, sd.resident FROM station_deputies sd JOIN stations s ON s.id = sd.station_id
         JOIN deputies d ON d.id = sd.deputy_id WHERE d.region_code LIKE $1 ORDER BY d.slug, s.slug")
        .bind(format!("{region_prefix}%")).fetch_all(p).await.store())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgencyData {
    pub slug: String,
    pub county_code: String,
    pub region_code: String,
    pub name: String,
    pub kind: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Agency {
    pub id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub data: AgencyData,
    pub active: bool,
}

const AGENCY_DATA: &str = "slug, county_code, region_code, name, kind, phone";

pub async fn upsert_agency(tx: &mut Tx, d: &AgencyData, now_ms: i64) -> Result<(i64, Outcome)> {
    let sql = format!("SELECT id, {AGENCY_DATA}, active FROM agencies WHERE slug = $1");
    let existing: Option<Agency> =
        on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(&d.slug).fetch_optional(&mut *c).await.store())?;
    if let Some(e) = existing {
        if e.data == *d && e.active {
            return Ok((e.id, Outcome::Unchanged));
        }
        on_tx!(tx, c => sqlx::query(
            "UPDATE agencies SET county_code = $2, region_code = $3, name = $4, kind = $5, phone = $6, active = $7, updated_at = $8 WHERE id = $1")
            .bind(e.id).bind(&d.county_code).bind(&d.region_code).bind(&d.name).bind(&d.kind).bind(&d.phone).bind(true).bind(now_ms)
            .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        return Ok((e.id, Outcome::Updated));
    }
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO agencies (slug, county_code, region_code, name, kind, phone, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
        .bind(&d.slug).bind(&d.county_code).bind(&d.region_code).bind(&d.name).bind(&d.kind).bind(&d.phone).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    Ok((id, Outcome::Created))
}

pub async fn set_agency_active(tx: &mut Tx, id: i64, active: bool, now_ms: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE agencies SET active = $2, updated_at = $3 WHERE id = $1 AND active <> $2")
        .bind(id).bind(active).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn agency_by_slug(db: &Db, slug: &str) -> Result<Option<Agency>> {
    let sql = format!("SELECT id, {AGENCY_DATA}, active FROM agencies WHERE slug = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(slug).fetch_optional(p).await.store())
}

pub async fn agencies_under(db: &Db, region_prefix: &str, include_inactive: bool) -> Result<Vec<Agency>> {
    let sql = format!(
        "SELECT id, {AGENCY_DATA}, active FROM agencies WHERE region_code LIKE $1 AND (active OR $2) ORDER BY region_code, name"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(format!("{region_prefix}%")).bind(include_inactive).fetch_all(p).await.store())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GridCell {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_id: Option<i64>,
}

/// A member of a grid cell: a deputy, or a grid worker (name and private phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum GridMember {
    Deputy(i64),
    Worker { name: String, phone: String },
}

/// A grid cell to write, keyed by (township, code).
pub struct CellData<'a> {
    pub county: &'a str,
    pub region: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub level: i64,
    pub parent_id: Option<i64>,
}

/// Creates or renames a grid cell.
pub async fn upsert_cell(tx: &mut Tx, d: &CellData<'_>, now_ms: i64) -> Result<(i64, Outcome)> {
    let existing: Option<GridCell> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, county_code, region_code, code, name, level, parent_id FROM grid_cells WHERE region_code = $1 AND code = $2")
        .bind(d.region).bind(d.code).fetch_optional(&mut *c).await.store())?;
    if let Some(e) = existing {
        if e.name == d.name && e.level == d.level && e.parent_id == d.parent_id {
            return Ok((e.id, Outcome::Unchanged));
        }
        on_tx!(tx, c => sqlx::query("UPDATE grid_cells SET name = $2, level = $3, parent_id = $4 WHERE id = $1")
            .bind(e.id).bind(d.name).bind(d.level).bind(d.parent_id).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        return Ok((e.id, Outcome::Updated));
    }
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO grid_cells (county_code, region_code, code, name, level, parent_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(d.county).bind(d.region).bind(d.code).bind(d.name).bind(d.level).bind(d.parent_id).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    Ok((id, Outcome::Created))
}

async fn members_tx(tx: &mut Tx, cell_id: i64) -> Result<Vec<GridMember>> {
    let rows: Vec<(Option<i64>, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT deputy_id, worker_name, worker_phone FROM grid_members WHERE cell_id = $1 ORDER BY id")
        .bind(cell_id).fetch_all(&mut *c).await.store())?;
    Ok(rows.into_iter().map(member).collect())
}

fn member((deputy, name, phone): (Option<i64>, String, String)) -> GridMember {
    match deputy {
        Some(d) => GridMember::Deputy(d),
        None => GridMember::Worker { name, phone },
    }
}

/// Replaces a cell's members; returns whether they changed.
pub async fn set_cell_members(tx: &mut Tx, county: &str, cell_id: i64, members: &[GridMember]) -> Result<bool> {
    if members_tx(tx, cell_id).await? == members {
        return Ok(false);
    }
    on_tx!(tx, c => sqlx::query("DELETE FROM grid_members WHERE cell_id = $1")
        .bind(cell_id).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    for m in members {
        let (deputy, name, phone) = match m {
            GridMember::Deputy(d) => (Some(*d), "", ""),
            GridMember::Worker { name, phone } => (None, name.as_str(), phone.as_str()),
        };
        on_tx!(tx, c => sqlx::query("INSERT INTO grid_members (county_code, cell_id, deputy_id, worker_name, worker_phone) VALUES ($1, $2, $3, $4, $5)")
            .bind(county).bind(cell_id).bind(deputy).bind(name).bind(phone)
            .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    }
    Ok(true)
}

pub async fn cell_by_code_tx(tx: &mut Tx, region: &str, code: &str) -> Result<Option<GridCell>> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, county_code, region_code, code, name, level, parent_id FROM grid_cells WHERE region_code = $1 AND code = $2")
        .bind(region).bind(code).fetch_optional(&mut *c).await.store())
}

/// A cell with its members, deputies named.
#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    pub cell: GridCell,
    pub deputies: Vec<(String, String)>,
    pub workers: Vec<(String, String)>,
}

/// Every cell under a region prefix, in code order, with its deputies (slug, name) and workers.
pub async fn cells_under(db: &Db, region_prefix: &str) -> Result<Vec<CellView>> {
    let cells: Vec<GridCell> = on_read!(db, p => sqlx::query_as(
        "SELECT id, county_code, region_code, code, name, level, parent_id FROM grid_cells WHERE region_code LIKE $1 ORDER BY region_code, code")
        .bind(format!("{region_prefix}%")).fetch_all(p).await.store())?;
    #[derive(sqlx::FromRow)]
    struct MemberRow {
        cell_id: i64,
        slug: Option<String>,
        name: Option<String>,
        worker_name: String,
        worker_phone: String,
    }
    let members: Vec<MemberRow> = on_read!(db, p => sqlx::query_as(
        "SELECT m.cell_id, d.slug, d.name, m.worker_name, m.worker_phone FROM grid_members m
         JOIN grid_cells g ON g.id = m.cell_id LEFT JOIN deputies d ON d.id = m.deputy_id
         WHERE g.region_code LIKE $1 ORDER BY m.id")
        .bind(format!("{region_prefix}%")).fetch_all(p).await.store())?;
    Ok(cells
        .into_iter()
        .map(|cell| {
            let mine = members.iter().filter(|m| m.cell_id == cell.id);
            let deputies = mine.clone().filter_map(|m| Some((m.slug.clone()?, m.name.clone()?))).collect();
            let workers =
                mine.filter(|m| m.slug.is_none()).map(|m| (m.worker_name.clone(), m.worker_phone.clone())).collect();
            CellView { cell, deputies, workers }
        })
        .collect())
}

/// Stations under a region prefix as the transaction sees them (including its own writes).
pub async fn stations_under_tx(tx: &mut Tx, region_prefix: &str) -> Result<Vec<Station>> {
    let sql = format!("SELECT id, {STATION_DATA}, photo, active FROM stations WHERE region_code LIKE $1 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(format!("{region_prefix}%")).fetch_all(&mut *c).await.store())
}

pub async fn deputies_under_tx(tx: &mut Tx, region_prefix: &str) -> Result<Vec<Deputy>> {
    let sql = format!("SELECT id, {DEPUTY_DATA}, photo, active FROM deputies WHERE region_code LIKE $1 ORDER BY id");
    on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(format!("{region_prefix}%")).fetch_all(&mut *c).await.store())
}
