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
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Target};
use liaison_domain::region::{RegionCode, parse_region_name};
use liaison_store::{StoreError, audit, regions};
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
    if let Some(p) = &parent {
        readable(&caller, p)?;
    }
    let rows = readable_children(&caller, regions::children(&state.db, parent.as_ref()).await?);
    Ok(Json(rows.into_iter().map(RegionBody::from).collect()))
}

/// Refuses a region outside the caller's part of the tree.
pub(crate) fn readable(caller: &Caller, r: &RegionCode) -> Result<(), ApiError> {
    match caller.principal.account() {
        Some(a) if a.may_read_region(r) => Ok(()),
        _ => Err(ApiError::forbidden()),
    }
}

/// The children the caller may see.
pub(crate) fn readable_children(caller: &Caller, rows: Vec<regions::Region>) -> Vec<regions::Region> {
    let Some(a) = caller.principal.account() else { return vec![] };
    rows.into_iter().filter(|r| RegionCode::parse(&r.code).is_ok_and(|c| a.may_read_region(&c))).collect()
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
    readable(&caller, &code)?;
    let region = regions::get(&state.db, &code).await?.ok_or_else(ApiError::not_found)?;
    let children = readable_children(&caller, regions::children(&state.db, Some(&code)).await?);
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
    caller.check(Action::RegionWrite, Target::Region(&code))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let region = match regions::insert(&mut tx, &code, &name, now).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "parent_missing",
                "上级行政区划不存在，请先添加上级",
            )
            .with_field("code"));
        }
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "region_exists", "该行政区划代码已存在").with_field("code"));
        }
        Err(e) => return Err(e.into()),
    };
    let ev = AuditEvent {
        county_code: code.county_key(),
        actor: caller.actor(),
        action: "region.create".into(),
        target: format!("region:{code}"),
        summary: format!("新增行政区划 {name}"),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(region.into())))
}
