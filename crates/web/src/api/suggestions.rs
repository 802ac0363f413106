//! Deputies' formal suggestions in the JSON API: drafting, submitting, assigning, extending,
//! answering (with a document), rating, and B-class promises kept.

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::suggestions::{self as sug, Answer, Draft, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SuggestionBody {
    pub id: i64,
    pub deputy: String,
    pub deputy_name: String,
    /// `county` or `township`: the congress it is put to.
    pub level: String,
    pub title: String,
    pub content: String,
    /// `in_session` or `recess`.
    pub session: String,
    /// draft, submitted, assigned, answered, reopened or closed.
    pub status: String,
    pub year: Option<i64>,
    pub number: Option<i64>,
    pub lead_agency: Option<String>,
    pub assist_agencies: Vec<String>,
    pub assigned_on: Option<String>,
    /// The statutory deadline (three months from assignment; six at most once extended).
    pub due_on: Option<String>,
    pub extended: bool,
    pub extension_reason: String,
    /// `a`, `b` or `c`.
    pub answer_class: Option<String>,
    pub answer: String,
    pub has_document: bool,
    pub answered_on: Option<String>,
    pub promised_on: Option<String>,
    pub promise_kept_on: Option<String>,
    /// satisfied, partly or dissatisfied: the deputy's.
    pub rating: Option<String>,
    pub rating_comment: String,
    /// 2 once sent back after 不满意.
    pub round: i64,
}

impl From<Row> for SuggestionBody {
    fn from(r: Row) -> Self {
        SuggestionBody {
            id: r.id,
            deputy: r.deputy_slug,
            deputy_name: r.deputy_name,
            level: r.level,
            title: r.title,
            content: r.content,
            session: r.session,
            status: r.status,
            year: r.year,
            number: r.number,
            lead_agency: r.lead_agency,
            assist_agencies: r.assist_agencies.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            assigned_on: r.assigned_on,
            due_on: r.due_on,
            extended: r.extended,
            extension_reason: r.extension_reason,
            answer_class: r.answer_class,
            answer: r.answer,
            has_document: r.answer_doc.is_some(),
            answered_on: r.answered_on,
            promised_on: r.promised_on,
            promise_kept_on: r.promise_kept_on,
            rating: r.rating,
            rating_comment: r.rating_comment,
            round: r.round,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct DraftRequest {
    pub title: String,
    pub content: String,
    /// `in_session` (大会期间) or `recess` (闭会期间).
    pub session: String,
    /// `county` or `township`.
    pub level: String,
    /// Ids of the cases it comes from.
    #[serde(default)]
    pub cases: Vec<i64>,
    /// Slugs of co-signing deputies of the same congress.
    #[serde(default)]
    pub cosigners: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionCreated {
    pub id: i64,
}

/// Drafts a suggestion for a deputy (the deputy, their station's staff, the township or county).
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/suggestions", tag = "suggestions", params(("slug" = String, Path)),
    request_body = DraftRequest, security(("bearer" = [])),
    responses((status = 201, body = SuggestionCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(b): ApiJson<DraftRequest>,
) -> Result<(StatusCode, Json<SuggestionCreated>), ApiError> {
    let d = Draft {
        title: b.title,
        content: b.content,
        session: b.session,
        level: b.level,
        cases: b.cases,
        cosigners: b.cosigners,
    };
    let id = sug::draft(&state.app, &caller.principal, &slug, d).await?;
    Ok((StatusCode::CREATED, Json(SuggestionCreated { id })))
}

/// The suggestions the caller works on: a deputy's own and co-signed, an agency's, or a region's.
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "suggestions", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<SuggestionBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<SuggestionBody>>, ApiError> {
    let rows = sug::list(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(rows.into_iter().map(SuggestionBody::from).collect()))
}

/// One suggestion.
#[utoipa::path(get, path = "/api/v1/suggestions/{id}", tag = "suggestions", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = SuggestionBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SuggestionBody>, ApiError> {
    Ok(Json(sug::get(&state.app, &caller.principal, id).await?.into()))
}

/// Submits a draft; the deputy's duty register gains an entry in the same transaction.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/submit", tag = "suggestions", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    sug::submit(&state.app, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AssignRequest {
    /// The lead agency's slug.
    pub lead: String,
    #[serde(default)]
    pub assist: Vec<String>,
}

/// The office numbers and assigns a submitted suggestion; the three-month clock starts.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/assign", tag = "suggestions", params(("id" = i64, Path)), request_body = AssignRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssignRequest>,
) -> Result<StatusCode, ApiError> {
    sug::assign(&state.app, &caller.principal, id, &b.lead, &b.assist).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ExtendRequest {
    /// `YYYY-MM-DD`: at most six months from assignment.
    pub to: String,
    pub reason: String,
}

/// Extends the deadline, once, with a reason.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/extend", tag = "suggestions", params(("id" = i64, Path)), request_body = ExtendRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn extend(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExtendRequest>,
) -> Result<StatusCode, ApiError> {
    sug::extend(&state.app, &caller.principal, id, &b.to, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// `a`, `b` or `c`; required.
    #[serde(default)]
    pub class: String,
    pub answer: String,
    /// For a B-class answer: the date by which it will be done.
    #[serde(default)]
    pub promised_on: String,
}

/// The lead agency (or the office) answers.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/answer", tag = "suggestions", params(("id" = i64, Path)), request_body = AnswerRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AnswerRequest>,
) -> Result<StatusCode, ApiError> {
    sug::answer(
        &state.app,
        &caller.principal,
        id,
        Answer { class: b.class, answer: b.answer, promised_on: b.promised_on },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attaches the answer's document: a PDF or a photo, told apart by content.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/document", tag = "suggestions", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, description = "stored"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    sug::may_handle(&state.app, &caller.principal, id).await?;
    let file = liaison_app::register::check_evidence(&body)?;
    sug::attach_document(&state.app, &caller.principal, id, file).await?;
    Ok(StatusCode::CREATED)
}

/// The answer's document.
#[utoipa::path(get, path = "/api/v1/suggestions/{id}/document", tag = "suggestions", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the file", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let (bytes, mime) = sug::document(&state.app, &caller.principal, id).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct RateRequest {
    /// satisfied, partly or dissatisfied.
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// The deputy rates the answer; 不满意 sends it back once.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/rating", tag = "suggestions", params(("id" = i64, Path)), request_body = RateRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RateRequest>,
) -> Result<StatusCode, ApiError> {
    sug::rate(&state.app, &caller.principal, id, &b.rating, &b.comment).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NoteRequest {
    #[serde(default)]
    pub note: String,
}

/// Records that a B-class answer's promise was kept.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/promise-kept", tag = "suggestions", params(("id" = i64, Path)), request_body = NoteRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn promise_kept(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteRequest>,
) -> Result<StatusCode, ApiError> {
    sug::keep_promise(&state.app, &caller.principal, id, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
