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
use liaison_app::directory::{Agency, Deputy, Station};
use liaison_app::org as app_org;
use liaison_domain::authz::Action;
use liaison_domain::phone::mask_phone;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::RosterKind;
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
    Ok(app_org::scoped_region(&caller.principal, action, asked)?)
}

/// The region subtrees in which the caller may take `action`.
pub(crate) fn region_grants(caller: &Caller, action: Action) -> Vec<RegionCode> {
    app_org::region_grants(&caller.principal, action)
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
    let rows = liaison_app::directory::stations_under(&state.app, region.as_str(), q.include_inactive.unwrap_or(false))
        .await?;
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
    let rows = liaison_app::directory::deputies_under(&state.app, region.as_str(), q.include_inactive.unwrap_or(false))
        .await?;
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
    let rows = liaison_app::directory::agencies_under(&state.app, region.as_str(), q.include_inactive.unwrap_or(false))
        .await?;
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
    let (slug, name, phone) = app_org::deputy_contact(&state.app, &caller.principal, &slug).await?;
    Ok(Json(ContactBody { slug, name, phone }))
}

/// The JSON fields as the roster's text cells: lists of names joined with 、, numbers as text.
pub(crate) fn fields_of(map: serde_json::Map<String, serde_json::Value>) -> Vec<(String, String)> {
    map.into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("、"),
                serde_json::Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            (k, text)
        })
        .collect()
}

async fn save_one(
    state: &AppState,
    caller: &Caller,
    kind: RosterKind,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<StatusCode, ApiError> {
    Ok(match app_org::save(&state.app, &caller.principal, kind, &fields_of(fields)).await? {
        app_org::Saved::Created => StatusCode::CREATED,
        app_org::Saved::Updated => StatusCode::OK,
    })
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

/// Deactivate a station; it is kept, since cases refer to it.
#[utoipa::path(post, path = "/api/v1/stations/{slug}/deactivate", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate_station(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    app_org::deactivate(&state.app, &caller.principal, app_org::Keyed::Station, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivate a deputy (e.g. at the end of a term); the record is kept.
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/deactivate", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate_deputy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    app_org::deactivate(&state.app, &caller.principal, app_org::Keyed::Deputy, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivate an agency; the record is kept.
#[utoipa::path(post, path = "/api/v1/agencies/{slug}/deactivate", tag = "organisation", params(("slug" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate_agency(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    app_org::deactivate(&state.app, &caller.principal, app_org::Keyed::Agency, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The new region code: a township or village of the same county.
    pub region: String,
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
    app_org::move_to(&state.app, &caller.principal, app_org::Keyed::Station, &slug, &b.region).await?;
    Ok(StatusCode::NO_CONTENT)
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
    app_org::move_to(&state.app, &caller.principal, app_org::Keyed::Deputy, &slug, &b.region).await?;
    Ok(StatusCode::NO_CONTENT)
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
    let cells = liaison_app::directory::cells_under(&state.app, region.as_str()).await?;
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
