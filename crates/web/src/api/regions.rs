//! The region tree: read by every staff role within their own part of it (their region or
//! county, and the path above it), extended by system admins within their region.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::regions;
use liaison_domain::region::{RegionCode, parse_region_name};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct RegionBody {
    pub code: String,
    pub name: String,
    /// province, city, county, township or village.
    pub level: String,
    pub parent_code: Option<String>,
    pub county_code: String,
}

impl From<regions::Region> for RegionBody {
    fn from(r: regions::Region) -> Self {
        RegionBody {
            code: r.code,
            name: r.name,
            level: r.level,
            parent_code: r.parent_code,
            county_code: r.county_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: RegionBody,
    pub children: Vec<RegionBody>,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// The parent's code; omitted, the top-level regions.
    pub parent: Option<String>,
}

fn parse_code(raw: &str, field: &'static str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(raw).map_err(|e| ApiError::from(e).with_field(field))
}

/// Children of a region.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", params(ListQuery), security(("bearer" = [])), responses(
    (status = 200, body = Vec<RegionBody>), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<RegionBody>>, ApiError> {
    let parent = q.parent.as_deref().filter(|p| !p.is_empty()).map(|p| parse_code(p, "parent")).transpose()?;
    let rows = regions::children(&state.app, &caller.principal, parent.as_ref()).await?;
    Ok(Json(rows.into_iter().map(RegionBody::from).collect()))
}

/// One region with its children.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions", params(("code" = String, Path, description = "official region code")),
    security(("bearer" = [])), responses((status = 200, body = RegionDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<RegionDetail>, ApiError> {
    let code = parse_code(&code, "code")?;
    let region = regions::get(&state.app, &caller.principal, &code).await?;
    let children = regions::children(&state.app, &caller.principal, Some(&code)).await?;
    Ok(Json(RegionDetail { region: region.into(), children: children.into_iter().map(RegionBody::from).collect() }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewRegion {
    /// 2, 4, 6, 9 or 12 digits; its parent (the code without its last segment) must exist.
    pub code: String,
    pub name: String,
}

/// Add a region under an existing one.
#[utoipa::path(post, path = "/api/v1/regions", tag = "regions", request_body = NewRegion, security(("bearer" = [])), responses(
    (status = 201, body = RegionBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(n): ApiJson<NewRegion>,
) -> Result<(StatusCode, Json<RegionBody>), ApiError> {
    let code = parse_code(&n.code, "code")?;
    let name = parse_region_name(&n.name)?;
    let region = regions::create(&state.app, &caller.principal, &code, &name).await?;
    Ok((StatusCode::CREATED, Json(region.into())))
}
