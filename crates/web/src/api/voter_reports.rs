//! Reports to voters (述职) in the JSON API: scheduling, editing the text drafted from the
//! register, recording the meeting held with the voters' evaluation, and the coverage figures.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::voter_reports::{self as reports, Held, Report, Schedule};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct VoterReportBody {
    pub id: i64,
    pub deputy: String,
    pub deputy_name: String,
    pub year: i64,
    /// oral or written.
    pub form: String,
    pub scheduled_on: String,
    pub place: String,
    /// The text, first drafted from the duty register.
    pub body: String,
    /// scheduled, held or cancelled.
    pub status: String,
    pub held_on: Option<String>,
    pub attendance: i64,
    pub satisfied: i64,
    pub partly: i64,
    pub dissatisfied: i64,
}

impl From<Report> for VoterReportBody {
    fn from(r: Report) -> Self {
        VoterReportBody {
            id: r.id,
            deputy: r.deputy_slug,
            deputy_name: r.deputy_name,
            year: r.year,
            form: r.form,
            scheduled_on: r.scheduled_on,
            place: r.place,
            body: r.body,
            status: r.status,
            held_on: r.held_on,
            attendance: r.attendance,
            satisfied: r.satisfied,
            partly: r.partly,
            dissatisfied: r.dissatisfied,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct VoterReportRequest {
    /// `oral` (口头) or `written` (书面).
    pub form: String,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    /// Required for an oral report.
    #[serde(default)]
    pub place: String,
}

#[derive(Serialize, ToSchema)]
pub struct VoterReportCreated {
    pub id: i64,
}

/// Schedules a deputy's report to the voters; its text is drafted from the duty register.
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/voter-reports", tag = "voter-reports", params(("slug" = String, Path)),
    request_body = VoterReportRequest, security(("bearer" = [])),
    responses((status = 201, body = VoterReportCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(b): ApiJson<VoterReportRequest>,
) -> Result<(StatusCode, Json<VoterReportCreated>), ApiError> {
    let s = Schedule { form: b.form, scheduled_on: b.scheduled_on, place: b.place };
    let id = reports::schedule(&state.app, &caller.principal, &slug, s).await?;
    Ok((StatusCode::CREATED, Json(VoterReportCreated { id })))
}

#[derive(Deserialize, IntoParams)]
pub struct VoterReportQuery {
    /// A region code; defaults to the caller's own region.
    pub region: Option<String>,
    /// Defaults to this year.
    pub year: Option<i32>,
}

/// The reports the caller works on in a year.
#[utoipa::path(get, path = "/api/v1/voter-reports", tag = "voter-reports", params(VoterReportQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<VoterReportBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<VoterReportQuery>,
) -> Result<Json<Vec<VoterReportBody>>, ApiError> {
    let year = year_of(&state, q.year)?;
    let rows = reports::list(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(Json(rows.into_iter().map(VoterReportBody::from).collect()))
}

fn year_of(state: &AppState, y: Option<i32>) -> Result<i32, ApiError> {
    let this = chrono::Datelike::year(&state.app.today());
    match y {
        None => Ok(this),
        Some(y) if (2000..=this + 1).contains(&y) => Ok(y),
        Some(_) => {
            Err(ApiError::from(liaison_app::Error::invalid("invalid_year", "年份不在可查询的范围内").field("year")))
        }
    }
}

/// One report.
#[utoipa::path(get, path = "/api/v1/voter-reports/{id}", tag = "voter-reports", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = VoterReportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VoterReportBody>, ApiError> {
    Ok(Json(reports::get(&state.app, &caller.principal, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct VoterReportTextRequest {
    pub body: String,
}

/// The deputy edits the text before the report is held.
#[utoipa::path(post, path = "/api/v1/voter-reports/{id}/body", tag = "voter-reports", params(("id" = i64, Path)),
    request_body = VoterReportTextRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VoterReportTextRequest>,
) -> Result<StatusCode, ApiError> {
    reports::edit(&state.app, &caller.principal, id, &b.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct VoterReportHeldRequest {
    /// `YYYY-MM-DD`, not after today.
    pub held_on: String,
    /// Voters present (0 when only a paper tally was kept).
    #[serde(default)]
    pub attendance: i64,
    #[serde(default)]
    pub satisfied: i64,
    #[serde(default)]
    pub partly: i64,
    #[serde(default)]
    pub dissatisfied: i64,
}

/// Records the report held and the voters' evaluation (the township or the station, not the
/// deputy); the deputy's register gains a confirmed entry.
#[utoipa::path(post, path = "/api/v1/voter-reports/{id}/held", tag = "voter-reports", params(("id" = i64, Path)),
    request_body = VoterReportHeldRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn held(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VoterReportHeldRequest>,
) -> Result<StatusCode, ApiError> {
    let h = Held {
        held_on: b.held_on,
        attendance: b.attendance,
        satisfied: b.satisfied,
        partly: b.partly,
        dissatisfied: b.dissatisfied,
    };
    reports::record_held(&state.app, &caller.principal, id, h).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct VoterReportCancelRequest {
    pub reason: String,
}

/// Cancels a report not yet held.
#[utoipa::path(post, path = "/api/v1/voter-reports/{id}/cancel", tag = "voter-reports", params(("id" = i64, Path)),
    request_body = VoterReportCancelRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VoterReportCancelRequest>,
) -> Result<StatusCode, ApiError> {
    reports::cancel(&state.app, &caller.principal, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CoverageRowBody {
    pub region: String,
    pub name: String,
    pub deputies: usize,
    /// Deputies with a report held in the year.
    pub reported: usize,
    /// Deputies with one scheduled but not yet held.
    pub scheduled: usize,
    /// Slugs of the deputies with neither.
    pub missing: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageBody {
    pub year: i32,
    pub total: CoverageRowBody,
    pub townships: Vec<CoverageRowBody>,
}

fn coverage_row(r: reports::CoverageRow) -> CoverageRowBody {
    CoverageRowBody {
        region: r.region,
        name: r.name,
        deputies: r.deputies,
        reported: r.reported,
        scheduled: r.scheduled,
        missing: r.missing.into_iter().map(|(s, _)| s).collect(),
    }
}

/// How many of a region's deputies have reported to their voters in a year, township by township.
#[utoipa::path(get, path = "/api/v1/voter-reports/coverage", tag = "voter-reports", params(VoterReportQuery), security(("bearer" = [])),
    responses((status = 200, body = CoverageBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<VoterReportQuery>,
) -> Result<Json<CoverageBody>, ApiError> {
    let year = year_of(&state, q.year)?;
    let (total, rows) = reports::coverage(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(Json(CoverageBody { year, total: coverage_row(total), townships: rows.into_iter().map(coverage_row).collect() }))
}
