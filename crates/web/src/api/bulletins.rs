//! Bulletins (简报) for staff: draft one from its period's data, edit its text, approve it (a
//! second person), send it back, publish it. The public pages show the published ones.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::bulletins::{self, Bulletin, DraftInput, Texts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct BulletinBody {
    pub id: i64,
    /// weekly or monthly.
    pub kind: String,
    pub kind_label: String,
    pub region: String,
    /// The station's slug, when the bulletin is one station's.
    pub station: Option<String>,
    pub period_from: String,
    pub period_to: String,
    pub year: i64,
    /// 第 N 期 of its series and year, once published.
    pub number: Option<i64>,
    /// draft, approved or published.
    pub status: String,
    pub status_label: String,
    pub title: String,
    pub intro: String,
    /// 民心所盼.
    pub asks: String,
    /// 民意纵览.
    pub progress: String,
    /// 民声回响.
    pub echoes: String,
    /// The period's statistics (see `GET /api/v1/stats/report`), fixed on approval.
    pub figures: super::statistics::ReportBody,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub published_at: Option<i64>,
    /// Give it back with a change, so that two editors cannot overwrite each other.
    pub version: i64,
}

impl TryFrom<Bulletin> for BulletinBody {
    type Error = ApiError;

    fn try_from(b: Bulletin) -> Result<Self, ApiError> {
        let r = bulletins::report(&b)?;
        Ok(BulletinBody {
            id: b.id,
            kind_label: bulletins::kind_label(&b.kind).into(),
            kind: b.kind,
            region: b.region_code,
            station: (!b.station_slug.is_empty()).then_some(b.station_slug),
            period_from: b.period_from,
            period_to: b.period_to,
            year: b.year,
            number: b.number,
            status_label: bulletins::status_label(&b.status).into(),
            status: b.status,
            title: b.title,
            intro: b.intro,
            asks: b.asks,
            progress: b.progress,
            echoes: b.echoes,
            figures: (&r).into(),
            created_by: b.created_by,
            approved_by: b.approved_by,
            published_at: b.published_at,
            version: b.version,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct BulletinSummary {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub period_from: String,
    pub period_to: String,
    pub status: String,
    pub number: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct DraftRequest {
    /// weekly or monthly.
    pub kind: String,
    /// The county or township; defaults to the caller's region.
    pub region: Option<String>,
    /// One station under the region.
    pub station: Option<String>,
    /// The month (YYYY-MM) for a monthly bulletin, any day of the week (YYYY-MM-DD) for a weekly one.
    pub period: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EditRequest {
    pub version: i64,
    pub title: String,
    #[serde(default)]
    pub intro: String,
    pub asks: String,
    pub progress: String,
    pub echoes: String,
}

#[derive(Deserialize, ToSchema)]
pub struct VersionRequest {
    pub version: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// A region under the caller's; defaults to the caller's own.
    pub region: Option<String>,
}

/// Draft a bulletin from the data of its period.
#[utoipa::path(post, path = "/api/v1/bulletins", tag = "bulletins", request_body = DraftRequest, security(("bearer" = [])),
    responses((status = 201, body = BulletinBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(r): ApiJson<DraftRequest>,
) -> Result<(StatusCode, Json<BulletinBody>), ApiError> {
    let input = DraftInput { kind: r.kind, region: r.region, station: r.station, period: r.period };
    let id = bulletins::draft(&state.app, &caller.principal, &input).await?;
    let b = bulletins::get(&state.app, &caller.principal, id).await?;
    Ok((StatusCode::CREATED, Json(b.try_into()?)))
}

/// The bulletins of a region, newest period first.
#[utoipa::path(get, path = "/api/v1/bulletins", tag = "bulletins", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<BulletinSummary>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<BulletinSummary>>, ApiError> {
    let rows = bulletins::list(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| BulletinSummary {
                id: b.id,
                kind: b.kind,
                title: b.title,
                period_from: b.period_from,
                period_to: b.period_to,
                status: b.status,
                number: b.number,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}", tag = "bulletins", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = BulletinBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BulletinBody>, ApiError> {
    Ok(Json(bulletins::get(&state.app, &caller.principal, id).await?.try_into()?))
}

/// Save a draft's text; its figures are refreshed from the data of its period.
#[utoipa::path(put, path = "/api/v1/bulletins/{id}", tag = "bulletins", params(("id" = i64, Path)), request_body = EditRequest,
    security(("bearer" = [])), responses((status = 200, body = BulletinBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<EditRequest>,
) -> Result<Json<BulletinBody>, ApiError> {
    let t = Texts { title: r.title, intro: r.intro, asks: r.asks, progress: r.progress, echoes: r.echoes };
    Ok(Json(bulletins::edit(&state.app, &caller.principal, id, r.version, &t).await?.try_into()?))
}

/// Approve a draft (someone other than its drafter); its figures are fixed.
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/approve", tag = "bulletins", params(("id" = i64, Path)),
    request_body = VersionRequest, security(("bearer" = [])), responses((status = 200, body = BulletinBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<VersionRequest>,
) -> Result<Json<BulletinBody>, ApiError> {
    Ok(Json(bulletins::approve(&state.app, &caller.principal, id, r.version).await?.try_into()?))
}

/// Send an approved bulletin back to draft.
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/reopen", tag = "bulletins", params(("id" = i64, Path)),
    request_body = VersionRequest, security(("bearer" = [])), responses((status = 200, body = BulletinBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<VersionRequest>,
) -> Result<Json<BulletinBody>, ApiError> {
    Ok(Json(bulletins::reopen(&state.app, &caller.principal, id, r.version).await?.try_into()?))
}

/// Publish an approved bulletin: it takes the next number of its series and appears on the
/// public pages and the feed.
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/publish", tag = "bulletins", params(("id" = i64, Path)),
    request_body = VersionRequest, security(("bearer" = [])), responses((status = 200, body = BulletinBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<VersionRequest>,
) -> Result<Json<BulletinBody>, ApiError> {
    Ok(Json(bulletins::publish(&state.app, &caller.principal, id, r.version).await?.try_into()?))
}
