//! The case core on the API: staff record a case under a region (and optionally a station,
//! agency and deputy) and read cases within their scope.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, CaseLocation, Scope, Target, parse_slug};
use liaison_domain::case::{parse_content, parse_title};
use liaison_domain::region::RegionCode;
use liaison_store::{audit, cases, regions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    pub region_code: String,
    pub station: Option<String>,
    pub agency: Option<String>,
    pub deputy: Option<String>,
    pub title: String,
    pub content: String,
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl From<cases::CaseRow> for CaseBody {
    fn from(c: cases::CaseRow) -> Self {
        CaseBody {
            id: c.id,
            region_code: c.region_code,
            station: c.station_ref,
            agency: c.agency_ref,
            deputy: c.deputy_ref,
            title: c.title,
            content: c.content,
            status: c.status,
            created_at: c.created_at,
        }
    }
}

/// Cases within the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), responses(
    (status = 200, body = Vec<CaseBody>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<CaseBody>>, ApiError> {
    let (mut regions, mut stations, mut agencies, mut deputies) = (vec![], vec![], vec![], vec![]);
    for s in authz::reach(&caller.principal, Action::CaseRead) {
        match s {
            Scope::Region(c) => regions.push(c.as_str().to_owned()),
            Scope::Station(x) => stations.push(x.clone()),
            Scope::Agency(x) => agencies.push(x.clone()),
            Scope::Deputy(x) => deputies.push(x.clone()),
        }
    }
    let reach =
        cases::Reach { region_prefixes: &regions, stations: &stations, agencies: &agencies, deputies: &deputies };
    let rows = cases::list(&state.db, &reach, 200).await?;
    Ok(Json(rows.into_iter().map(CaseBody::from).collect()))
}

/// One case, if it lies within the caller's scope.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 200, body = CaseBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CaseBody>, ApiError> {
    let row = cases::get(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    let loc = row.location().ok_or_else(|| ApiError::internal("case with invalid region"))?;
    caller.check(Action::CaseRead, Target::Case(&loc))?;
    Ok(Json(row.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCase {
    /// The township or village the matter concerns.
    pub region: String,
    pub station: Option<String>,
    pub agency: Option<String>,
    pub deputy: Option<String>,
    pub title: String,
    pub content: String,
}

fn opt_slug(v: &Option<String>, field: &'static str) -> Result<Option<String>, ApiError> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_slug(s).map_err(|e| ApiError::from(e).with_field(field)))
        .transpose()
}

/// Record a case raised in person.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase, security(("bearer" = [])), responses(
    (status = 201, body = CaseBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(n): ApiJson<NewCase>,
) -> Result<(StatusCode, Json<CaseBody>), ApiError> {
    let region = RegionCode::parse(&n.region).map_err(|e| ApiError::from(e).with_field("region"))?;
    let title = parse_title(&n.title)?;
    let content = parse_content(&n.content)?;
    let loc = CaseLocation {
        region: region.clone(),
        station: opt_slug(&n.station, "station")?,
        agency: opt_slug(&n.agency, "agency")?,
        deputy: opt_slug(&n.deputy, "deputy")?,
    };
    caller.check(Action::CaseWrite, Target::Case(&loc))?;
    if regions::get(&state.db, &region).await?.is_none() {
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_region", "行政区划不存在").with_field("region")
        );
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id = cases::insert(
        &mut tx,
        &cases::NewCase {
            region: &region,
            station_ref: loc.station.as_deref(),
            agency_ref: loc.agency.as_deref(),
            deputy_ref: loc.deputy.as_deref(),
            title: &title,
            content: &content,
        },
        now,
    )
    .await?;
    let ev = AuditEvent {
        county_code: region.county_key(),
        actor: caller.actor(),
        action: "case.receive".into(),
        target: format!("case:{id}"),
        summary: "登记意见建议".into(),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    let row = cases::get(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(row.into())))
}
