//! The duty register in the JSON API: a deputy's entries, entering and correcting them, and the
//! township's confirmations.

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::register::{self as reg, Entry, EntryInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct EntryBody {
    pub id: i64,
    pub deputy: String,
    pub deputy_name: String,
    /// meeting, training, inspection, law_check, suggestion, voter_contact, deed, reception,
    /// home_visit, case_handled, report, activity_month, volunteer or policy_talk.
    pub kind: String,
    pub kind_label: String,
    pub done_on: String,
    pub place: String,
    pub description: String,
    /// manual, reception or case.
    pub source: String,
    /// pending, confirmed or rejected; only confirmed entries count.
    pub status: String,
    pub decision_note: String,
    pub version: i64,
    /// Hashes of its evidence files (`/api/v1/register/{id}/evidence/{hash}`).
    pub evidence: Vec<String>,
}

impl From<Entry> for EntryBody {
    fn from(e: Entry) -> Self {
        EntryBody {
            kind_label: liaison_domain::register::DutyKind::parse(&e.kind).map(|k| k.label()).unwrap_or("").into(),
            id: e.id,
            deputy: e.deputy_slug,
            deputy_name: e.deputy_name,
            kind: e.kind,
            done_on: e.done_on,
            place: e.place,
            description: e.description,
            source: e.source,
            status: e.status,
            decision_note: e.decision_note,
            version: e.version,
            evidence: vec![],
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Defaults to this year.
    pub year: Option<i32>,
}

/// A deputy's register for a year: for the deputy, their station's staff and the township/county.
#[utoipa::path(get, path = "/api/v1/deputies/{slug}/register", tag = "register", params(("slug" = String, Path), YearQuery),
    security(("bearer" = [])), responses((status = 200, body = Vec<EntryBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn of_deputy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Vec<EntryBody>>, ApiError> {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&state.app.today())).clamp(2000, 2100);
    let (_, rows) = reg::of_deputy(&state.app, &caller.principal, &slug, year).await?;
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let files = reg::evidence_list(&state.app, e.id).await?;
        let mut body = EntryBody::from(e);
        body.evidence = files.into_iter().map(|(h, _)| h).collect();
        out.push(body);
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
pub struct EntryRequest {
    /// See `EntryBody.kind`.
    pub kind: String,
    /// `YYYY-MM-DD`, today or earlier.
    pub done_on: String,
    #[serde(default)]
    pub place: String,
    pub description: String,
}

impl From<EntryRequest> for EntryInput {
    fn from(r: EntryRequest) -> Self {
        EntryInput { kind: r.kind, done_on: r.done_on, place: r.place, description: r.description }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryCreated {
    pub id: i64,
}

/// Enters an activity in a deputy's register, pending the township's confirmation.
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/register", tag = "register", params(("slug" = String, Path)),
    request_body = EntryRequest, security(("bearer" = [])),
    responses((status = 201, body = EntryCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<EntryRequest>,
) -> Result<(StatusCode, Json<EntryCreated>), ApiError> {
    let id = reg::add(&state.app, &caller.principal, &slug, body.into()).await?;
    Ok((StatusCode::CREATED, Json(EntryCreated { id })))
}

/// Corrects an entry: a new version, pending again; the earlier one is kept.
#[utoipa::path(put, path = "/api/v1/register/{id}", tag = "register", params(("id" = i64, Path)), request_body = EntryRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EntryRequest>,
) -> Result<StatusCode, ApiError> {
    reg::correct(&state.app, &caller.principal, id, body.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub confirm: bool,
    #[serde(default)]
    pub note: String,
}

/// The township (or county) confirms or rejects an entry.
#[utoipa::path(post, path = "/api/v1/register/{id}/decision", tag = "register", params(("id" = i64, Path)), request_body = DecisionRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<StatusCode, ApiError> {
    reg::decide(&state.app, &caller.principal, id, body.confirm, &body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Entries waiting for the township's decision.
#[utoipa::path(get, path = "/api/v1/register", tag = "register", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<EntryBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pending(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<EntryBody>>, ApiError> {
    let rows = reg::pending(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(rows.into_iter().map(EntryBody::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub actor: String,
    pub status: String,
    pub note: String,
}

/// Every version of an entry, oldest first.
#[utoipa::path(get, path = "/api/v1/register/{id}/history", tag = "register", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<VersionBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<VersionBody>>, ApiError> {
    let rows = reg::history(&state.app, &caller.principal, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(version, at, actor, status, note)| VersionBody { version, at, actor, status, note })
            .collect(),
    ))
}

/// Adds a file of evidence to an entry: a photo (JPEG, PNG or WebP, at most 5 MB; EXIF stripped)
/// or a PDF (at most 10 MB), told apart by content.
#[utoipa::path(post, path = "/api/v1/register/{id}/evidence", tag = "register", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, description = "stored"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    // Who may not read the entry hears so before the file is looked at.
    reg::readable(&state.app, &caller.principal, id).await?;
    let file = reg::check_evidence(&body)?;
    reg::add_evidence(&state.app, &caller.principal, id, file).await?;
    Ok(StatusCode::CREATED)
}

/// A file of an entry's evidence.
#[utoipa::path(get, path = "/api/v1/register/{id}/evidence/{hash}", tag = "register", params(("id" = i64, Path), ("hash" = String, Path)),
    security(("bearer" = [])), responses((status = 200, description = "the file", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, hash)): ApiPath<(i64, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let (bytes, mime) = reg::evidence_file(&state.app, &caller.principal, id, &hash).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
}
