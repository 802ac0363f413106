//! Meetings with agency heads in the JSON API: recording one with its questions and commitments,
//! reading them, and an agency reporting a commitment kept.

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::meetings::{self, CommitmentInput, MeetingInput, QuestionInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct MeetingQuestionRequest {
    /// The slug of the deputy who put it (one of the meeting's), or empty.
    #[serde(default)]
    pub deputy: String,
    pub question: String,
    /// The case it is about, if any.
    #[serde(default)]
    pub case: Option<i64>,
    /// The suggestion it is about, if any.
    #[serde(default)]
    pub suggestion: Option<i64>,
    /// `answered` (on the spot) or `study` (taken away for study).
    pub outcome: String,
    /// Required when answered on the spot.
    #[serde(default)]
    pub reply: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingCommitmentRequest {
    /// The slug of one of the meeting's agencies.
    pub agency: String,
    pub content: String,
    /// `YYYY-MM-DD`, after the meeting.
    pub due_on: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingRequest {
    /// appointment (约见), face_to_face (代表·局长面对面), director_reception (主任接待代表) or briefing (通报会).
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD`, not after today.
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    /// The region holding it; defaults to the caller's own.
    #[serde(default)]
    pub region: Option<String>,
    /// Slugs of the agencies whose heads took part.
    pub agencies: Vec<String>,
    /// Slugs of the deputies who took part.
    pub deputies: Vec<String>,
    #[serde(default)]
    pub summary: String,
    /// At least one.
    pub questions: Vec<MeetingQuestionRequest>,
    #[serde(default)]
    pub commitments: Vec<MeetingCommitmentRequest>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingCreated {
    pub id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingSummaryBody {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub region: String,
    pub agencies: Vec<String>,
    /// Commitments not yet kept, and of those past their date.
    pub open_commitments: i64,
    pub overdue_commitments: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDeputyBody {
    pub slug: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingQuestionBody {
    pub deputy_name: Option<String>,
    pub question: String,
    pub case: Option<i64>,
    pub suggestion: Option<i64>,
    pub outcome: String,
    pub reply: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingCommitmentBody {
    pub id: i64,
    pub agency: String,
    pub content: String,
    pub due_on: String,
    /// open or done.
    pub status: String,
    pub done_on: Option<String>,
    pub done_note: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingBody {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub region: String,
    pub agencies: Vec<String>,
    pub summary: String,
    pub deputies: Vec<MeetingDeputyBody>,
    pub questions: Vec<MeetingQuestionBody>,
    pub commitments: Vec<MeetingCommitmentBody>,
}

/// Records a meeting held between deputies and agency heads (the township or the county); each
/// deputy's register gains a confirmed entry, each agency is told of its commitments.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingRequest, security(("bearer" = [])),
    responses((status = 201, body = MeetingCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<MeetingRequest>,
) -> Result<(StatusCode, Json<MeetingCreated>), ApiError> {
    let i = MeetingInput {
        kind: b.kind,
        title: b.title,
        held_on: b.held_on,
        place: b.place,
        region: b.region,
        agencies: b.agencies,
        deputies: b.deputies,
        summary: b.summary,
        questions: b
            .questions
            .into_iter()
            .map(|q| QuestionInput {
                deputy: q.deputy,
                question: q.question,
                case: q.case,
                suggestion: q.suggestion,
                outcome: q.outcome,
                reply: q.reply,
            })
            .collect(),
        commitments: b
            .commitments
            .into_iter()
            .map(|c| CommitmentInput { agency: c.agency, content: c.content, due_on: c.due_on })
            .collect(),
    };
    let id = meetings::record(&state.app, &caller.principal, i).await?;
    Ok((StatusCode::CREATED, Json(MeetingCreated { id })))
}

/// The meetings the caller may read: a deputy's, an agency's, or a region's.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<MeetingSummaryBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<MeetingSummaryBody>>, ApiError> {
    let rows = meetings::list(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(m, open, overdue)| MeetingSummaryBody {
                id: m.id,
                kind: m.kind,
                title: m.title,
                held_on: m.held_on,
                region: m.region_code,
                agencies: m.agencies.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                open_commitments: open,
                overdue_commitments: overdue,
            })
            .collect(),
    ))
}

/// One meeting with its deputies, questions and commitments.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = MeetingBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MeetingBody>, ApiError> {
    let f = meetings::get(&state.app, &caller.principal, id).await?;
    let m = f.meeting;
    Ok(Json(MeetingBody {
        id: m.id,
        kind: m.kind,
        title: m.title,
        held_on: m.held_on,
        place: m.place,
        region: m.region_code,
        agencies: m.agencies.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        summary: m.summary,
        deputies: f.deputies.into_iter().map(|(_, slug, name)| MeetingDeputyBody { slug, name }).collect(),
        questions: f
            .questions
            .into_iter()
            .map(|q| MeetingQuestionBody {
                deputy_name: q.deputy_name,
                question: q.question,
                case: q.case_id,
                suggestion: q.suggestion_id,
                outcome: q.outcome,
                reply: q.reply,
            })
            .collect(),
        commitments: f
            .commitments
            .into_iter()
            .map(|c| MeetingCommitmentBody {
                id: c.id,
                agency: c.agency,
                content: c.content,
                due_on: c.due_on,
                status: c.status,
                done_on: c.done_on,
                done_note: c.done_note,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CommitmentDoneRequest {
    /// How it was kept.
    pub note: String,
}

/// The agency that made a commitment (or the office) reports it kept; the deputies are told.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/done", tag = "meetings", params(("id" = i64, Path)), request_body = CommitmentDoneRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn commitment_done(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CommitmentDoneRequest>,
) -> Result<StatusCode, ApiError> {
    meetings::commitment_done(&state.app, &caller.principal, id, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
