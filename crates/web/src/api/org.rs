//! Stations, deputies, agencies and grids for staff. Lists are filtered to a region the caller
//! reaches; writes go through the same validation and upsert as roster imports; personal phone
//! numbers are masked unless fetched through the audited contact route.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, Scope, Target};
use liaison_domain::phone::mask_phone;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::{self, RawCell, RawRow, Records, Refusal, RosterKind};
use liaison_store::org::{self, Agency, Deputy, Station};
use liaison_store::{audit, roster as store_roster};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct RegionQuery {
    /// A region code; defaults to the caller's own region.
    pub region: Option<String>,
    /// Include deactivated rows.
    pub include_inactive: Option<bool>,
}

/// The region a list or a write is about: the one asked for, checked against the caller's
/// scope, or the caller's first region.
pub(crate) fn scoped_region(caller: &Caller, action: Action, asked: Option<&str>) -> Result<RegionCode, ApiError> {
    let region = match asked.filter(|s| !s.trim().is_empty()) {
        Some(r) => RegionCode::parse(r).map_err(|e| ApiError::from(e).with_field("region"))?,
        None => authz::reach(&caller.principal, action)
            .into_iter()
            .find_map(|s| match s {
                Scope::Region(c) => Some(c.clone()),
                _ => None,
            })
            .ok_or_else(ApiError::forbidden)?,
    };
    caller.check(action, Target::Region(&region))?;
    Ok(region)
}

/// The region subtrees in which the caller may take `action`.
pub(crate) fn region_grants(caller: &Caller, action: Action) -> Vec<RegionCode> {
    authz::reach(&caller.principal, action)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Region(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct StationBody {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub region_code: String,
    pub sector: String,
    pub household_kind: Option<String>,
    pub parent_id: Option<i64>,
    pub address: String,
    pub opening_hours: String,
    /// The station's public phone.
    pub phone: String,
    pub description: String,
    pub active: bool,
}

impl From<Station> for StationBody {
    fn from(s: Station) -> Self {
        let d = s.data;
        StationBody {
            kind_label: liaison_domain::org::StationKind::parse(&d.kind).map(|k| k.label()).unwrap_or("").to_owned(),
            slug: d.slug,
            name: d.name,
            kind: d.kind,
            region_code: d.region_code,
            sector: d.sector,
            household_kind: d.household_kind,
            parent_id: d.parent_id,
            address: d.address,
            opening_hours: d.opening_hours,
            phone: d.phone,
            description: d.description,
            active: s.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeputyBody {
    pub slug: String,
    pub name: String,
    pub gender: String,
    pub levels: Vec<String>,
    pub term: String,
    pub region_code: String,
    pub constituency: String,
    pub occupation: String,
    pub duties: String,
    /// Masked, e.g. `138****5678`; the full number is at `/api/v1/deputies/{slug}/contact`.
    pub phone_masked: String,
    pub active: bool,
}

impl From<Deputy> for DeputyBody {
    fn from(d: Deputy) -> Self {
        let x = d.data;
        DeputyBody {
            phone_masked: if x.phone.is_empty() { String::new() } else { mask_phone(&x.phone) },
            levels: x.levels.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            slug: x.slug,
            name: x.name,
            gender: x.gender,
            term: x.term,
            region_code: x.region_code,
            constituency: x.constituency,
            occupation: x.occupation,
            duties: x.duties,
            active: d.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgencyBody {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub phone: String,
    pub active: bool,
}

impl From<Agency> for AgencyBody {
    fn from(a: Agency) -> Self {
        AgencyBody {
            slug: a.data.slug,
            name: a.data.name,
            kind: a.data.kind,
            region_code: a.data.region_code,
            phone: a.data.phone,
            active: a.active,
        }
    }
}

/// Stations in a region.
#[utoipa::path(get, path = "/api/v1/stations", tag = "organisation", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<StationBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_stations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<StationBody>>, ApiError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let rows = org::stations_under(&state.db, region.as_str(), q.include_inactive.unwrap_or(false)).await?;
    Ok(Json(rows.into_iter().map(StationBody::from).collect()))
}

/// Deputies in a region; phone numbers masked.
#[utoipa::path(get, path = "/api/v1/deputies", tag = "organisation", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<DeputyBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_deputies(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<DeputyBody>>, ApiError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let rows = org::deputies_under(&state.db, region.as_str(), q.include_inactive.unwrap_or(false)).await?;
    Ok(Json(rows.into_iter().map(DeputyBody::from).collect()))
}

/// Agencies in a region.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "organisation", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AgencyBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_agencies(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<AgencyBody>>, ApiError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let rows = org::agencies_under(&state.db, region.as_str(), q.include_inactive.unwrap_or(false)).await?;
    Ok(Json(rows.into_iter().map(AgencyBody::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct ContactBody {
    pub slug: String,
    pub name: String,
    pub phone: String,
}

/// A deputy's full phone number, for staff who need it; every call is audited.
#[utoipa::path(get, path = "/api/v1/deputies/{slug}/contact", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ContactBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deputy_contact(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<ContactBody>, ApiError> {
    let d = org::deputy_by_slug(&state.db, &slug).await?.ok_or_else(ApiError::not_found)?;
    let region = RegionCode::parse(&d.data.region_code).map_err(ApiError::internal)?;
    caller.check(Action::PersonalDataRead, Target::Region(&region))?;
    let ev = AuditEvent {
        county_code: d.data.county_code.clone(),
        actor: caller.actor(),
        action: "personal_data.view".into(),
        target: format!("deputy:{slug}"),
        summary: "查看代表联系电话".into(),
    };
    audit::record(&state.db, &ev, state.now_ms()).await?;
    Ok(Json(ContactBody { slug: d.data.slug, name: d.data.name, phone: d.data.phone }))
}

/// Turns a JSON object of column keys into one roster row, so that single edits and imports
/// share one validation.
fn one_row(kind: RosterKind, fields: &serde_json::Map<String, serde_json::Value>) -> Result<Records, ApiError> {
    let cols = kind.columns();
    for k in fields.keys() {
        if !cols.iter().any(|c| c.key == k) {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_field", format!("未知字段：{k}"))
                .with_field(k.clone()));
        }
    }
    let headers: Vec<String> = cols.iter().map(|c| c.key.to_owned()).collect();
    let cells = cols
        .iter()
        .map(|c| {
            let text = match fields.get(c.key) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("、"),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            RawCell { text, formula: false }
        })
        .collect();
    roster::parse(kind, "api", &headers, &[RawRow { number: 1, cells }]).map_err(|errs| {
        let e = &errs[0];
        let key = cols.iter().find(|c| c.header == e.column).map(|c| c.key).unwrap_or("");
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", e.reason.clone()).with_field(key)
    })
}

/// The county a write lands in: the county of the row's region (a code), else the caller's.
fn county_for(caller: &Caller, fields: &serde_json::Map<String, serde_json::Value>) -> Result<RegionCode, ApiError> {
    let raw = fields.get("region").and_then(|v| v.as_str()).unwrap_or("");
    if let Ok(code) = RegionCode::parse(raw)
        && let Some(c) = code.county()
    {
        return Ok(c);
    }
    let region = scoped_region(caller, Action::OrgWrite, None)?;
    region.county().ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "county_required", "请填写县级以下的行政区划代码")
            .with_field("region")
    })
}

pub(crate) async fn save_one(
    state: &AppState,
    caller: &Caller,
    kind: RosterKind,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<StatusCode, ApiError> {
    let records = one_row(kind, &fields)?;
    let county = county_for(caller, &fields)?;
    let allowed = region_grants(caller, Action::OrgWrite);
    if !allowed.iter().any(|a| a.contains(&county) || county.contains(a)) {
        return Err(ApiError::forbidden());
    }
    let sheets = [store_roster::Sheet { name: "api".into(), records }];
    let action = format!("{}.save", kind.as_str().trim_end_matches('s'));
    let report =
        store_roster::apply(&state.db, &county, &allowed, &sheets, (&caller.actor(), &action), state.now_ms(), false)
            .await?;
    if let Some(e) = report.errors.first() {
        let (status, code) = match e.refusal {
            Refusal::OutOfScope => (StatusCode::FORBIDDEN, "forbidden"),
            Refusal::Conflict => (StatusCode::CONFLICT, "slug_elsewhere"),
            Refusal::Invalid if e.reason.contains("管辖范围") => (StatusCode::FORBIDDEN, "forbidden"),
            Refusal::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        };
        let key = kind.columns().iter().find(|c| c.header == e.column).map(|c| c.key).unwrap_or("");
        return Err(ApiError::new(status, code, e.reason.clone()).with_field(key));
    }
    let created = report.counts.iter().any(|(_, c)| c.created > 0);
    Ok(if created { StatusCode::CREATED } else { StatusCode::OK })
}

/// Create or update a station (keyed by `slug`, or by region and name). Fields are the roster
/// column keys: `slug`, `region`, `name`, `kind`, `sector`, `household_kind`, `parent`,
/// `address`, `opening_hours`, `phone`, `description`.
#[utoipa::path(post, path = "/api/v1/stations", tag = "organisation", request_body = Object, security(("bearer" = [])),
    responses((status = 201, description = "created"), (status = 200, description = "updated or unchanged"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_station(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(f): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    save_one(&state, &caller, RosterKind::Stations, f).await
}

/// Create or update a deputy. Fields: `slug`, `name`, `gender`, `levels`, `term`, `region`,
/// `constituency`, `occupation`, `duties`, `phone`, `stations`.
#[utoipa::path(post, path = "/api/v1/deputies", tag = "organisation", request_body = Object, security(("bearer" = [])),
    responses((status = 201, description = "created"), (status = 200, description = "updated or unchanged"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_deputy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(f): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    save_one(&state, &caller, RosterKind::Deputies, f).await
}

/// Create or update an agency. Fields: `slug`, `region`, `name`, `kind`, `phone`.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "organisation", request_body = Object, security(("bearer" = [])),
    responses((status = 201, description = "created"), (status = 200, description = "updated or unchanged"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_agency(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(f): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    save_one(&state, &caller, RosterKind::Agencies, f).await
}

pub(crate) async fn deactivate(
    state: &AppState,
    caller: &Caller,
    what: &str,
    slug: &str,
) -> Result<StatusCode, ApiError> {
    let (id, region, county) = match what {
        "station" => {
            org::station_by_slug(&state.db, slug).await?.map(|s| (s.id, s.data.region_code, s.data.county_code))
        }
        "deputy" => org::deputy_by_slug(&state.db, slug).await?.map(|s| (s.id, s.data.region_code, s.data.county_code)),
        _ => org::agency_by_slug(&state.db, slug).await?.map(|s| (s.id, s.data.region_code, s.data.county_code)),
    }
    .ok_or_else(ApiError::not_found)?;
    let region = RegionCode::parse(&region).map_err(ApiError::internal)?;
    caller.check(Action::OrgWrite, Target::Region(&region))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let changed = match what {
        "station" => org::set_station_active(&mut tx, id, false, now).await?,
        "deputy" => org::set_deputy_active(&mut tx, id, false, now).await?,
        _ => org::set_agency_active(&mut tx, id, false, now).await?,
    };
    if changed {
        let ev = AuditEvent {
            county_code: county,
            actor: caller.actor(),
            action: format!("{what}.deactivate"),
            target: format!("{what}:{slug}"),
            summary: "停用（保留记录）".into(),
        };
        audit::append(&mut tx, &ev, now).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivate a station; it is kept, since cases refer to it.
#[utoipa::path(post, path = "/api/v1/stations/{slug}/deactivate", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate_station(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    deactivate(&state, &caller, "station", &slug).await
}

/// Deactivate a deputy (e.g. at the end of a term); the record is kept.
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/deactivate", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate_deputy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    deactivate(&state, &caller, "deputy", &slug).await
}

/// Deactivate an agency; the record is kept.
#[utoipa::path(post, path = "/api/v1/agencies/{slug}/deactivate", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate_agency(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    deactivate(&state, &caller, "agency", &slug).await
}

#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The new region code: a township or village of the same county.
    pub region: String,
}

/// Moves a station or deputy to another township or village of its county: the county's own
/// action (a township officer cannot take a record out of, or into, another township), audited.
pub(crate) async fn move_to(
    state: &AppState,
    caller: &Caller,
    what: org::Keyed,
    slug: &str,
    raw_region: &str,
) -> Result<StatusCode, ApiError> {
    let (id, label, old_region, county) = match what {
        org::Keyed::Station => org::station_by_slug(&state.db, slug)
            .await?
            .map(|s| (s.id, "联络站", s.data.region_code, s.data.county_code)),
        _ => {
            org::deputy_by_slug(&state.db, slug).await?.map(|d| (d.id, "代表", d.data.region_code, d.data.county_code))
        }
    }
    .ok_or_else(ApiError::not_found)?;
    let county = RegionCode::parse(&county).map_err(ApiError::internal)?;
    caller.check(Action::OrgWrite, Target::Region(&county))?;
    let region = RegionCode::parse(raw_region).map_err(|e| ApiError::from(e).with_field("region"))?;
    if !county.contains(&region) || region == county {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_county",
            "只能调整到本县（区）的乡镇（街道）或村（社区）",
        )
        .with_field("region"));
    }
    let Some(target) = liaison_store::regions::get(&state.db, &region).await? else {
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_region", "行政区划不存在").with_field("region")
        );
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    if org::move_tx(&mut tx, what, id, region.as_str(), now).await?.is_some() {
        let kind = if what == org::Keyed::Station { "station" } else { "deputy" };
        let ev = AuditEvent {
            county_code: county.county_key(),
            actor: caller.actor(),
            action: format!("{kind}.move"),
            target: format!("{kind}:{slug}"),
            summary: format!("{label}所属区划由 {old_region} 调整为 {}（{}）", region, target.name),
        };
        audit::append(&mut tx, &ev, now).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a station to another township or village of its county (county level only; audited).
#[utoipa::path(post, path = "/api/v1/stations/{slug}/move", tag = "organisation", params(("slug" = String, Path)), request_body = MoveBody, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_station(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<StatusCode, ApiError> {
    move_to(&state, &caller, org::Keyed::Station, &slug, &b.region).await
}

/// Move a deputy to another township or village of their county (county level only; audited).
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/move", tag = "organisation", params(("slug" = String, Path)), request_body = MoveBody, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_deputy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<StatusCode, ApiError> {
    move_to(&state, &caller, org::Keyed::Deputy, &slug, &b.region).await
}

#[derive(Serialize, ToSchema)]
pub struct CellBody {
    pub region_code: String,
    pub code: String,
    pub name: String,
    pub level: i64,
    /// The deputies assigned.
    pub deputies: Vec<CellDeputy>,
    /// Names of grid workers (phones are personal data and not listed).
    pub workers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CellDeputy {
    pub slug: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct GridBody {
    pub cells: Vec<CellBody>,
    /// Codes of the cells with no deputy.
    pub uncovered: Vec<String>,
}

/// The grid of a region with its deputies and workers, and the cells no deputy covers.
#[utoipa::path(get, path = "/api/v1/grid", tag = "organisation", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = GridBody), (status = 403, body = ErrorBody)))]
pub async fn grid(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<GridBody>, ApiError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let cells = org::cells_under(&state.db, region.as_str()).await?;
    let uncovered = cells.iter().filter(|c| c.deputies.is_empty()).map(|c| c.cell.code.clone()).collect();
    let cells = cells
        .into_iter()
        .map(|c| CellBody {
            region_code: c.cell.region_code,
            code: c.cell.code,
            name: c.cell.name,
            level: c.cell.level,
            deputies: c.deputies.into_iter().map(|(slug, name)| CellDeputy { slug, name }).collect(),
            workers: c.workers.into_iter().map(|w| w.0).collect(),
        })
        .collect();
    Ok(Json(GridBody { cells, uncovered }))
}
