//! Livelihood projects in the JSON API: nominations (public and recorded), candidate projects,
//! candidate lists and their approval, and the chosen projects' milestones and updates.

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::projects::{self, ListInput, MilestoneInput, NominationInput, ProjectInput, UpdateInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ProjectCreated {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct NominationRequest {
    /// What should be done, briefly (at most 60 characters).
    pub title: String,
    #[serde(default)]
    pub place: String,
    /// Why, and what exactly.
    pub content: String,
    /// How many people ask for it (recorded entries only; default 1).
    #[serde(default)]
    pub people: Option<i64>,
    /// Recorded entries: reception, grid or staff.
    #[serde(default)]
    pub channel: String,
    /// Recorded entries: the township or county; defaults to the caller's own.
    #[serde(default)]
    pub region: Option<String>,
    /// The deputy who collected it.
    #[serde(default)]
    pub deputy: String,
}

impl From<NominationRequest> for NominationInput {
    fn from(b: NominationRequest) -> NominationInput {
        NominationInput {
            title: b.title,
            place: b.place,
            content: b.content,
            people: b.people,
            channel: b.channel,
            region: b.region,
            deputy: b.deputy,
        }
    }
}

/// Anyone nominates a livelihood project through a station (its township screens it).
#[utoipa::path(post, path = "/api/v1/public/stations/{slug}/nominations", tag = "projects", params(("slug" = String, Path)),
    request_body = NominationRequest,
    responses((status = 201, body = ProjectCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nominate_public(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiJson(b): ApiJson<NominationRequest>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let id = projects::nominate_public(&state.app, &slug, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id })))
}

/// The office records a nomination collected at a reception, by a grid or by hand; a deputy
/// records one they collected (their register gains a pending entry).
#[utoipa::path(post, path = "/api/v1/nominations", tag = "projects", request_body = NominationRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nominate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<NominationRequest>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let id = projects::nominate(&state.app, &caller.principal, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id })))
}

#[derive(Deserialize, IntoParams)]
pub struct NominationQuery {
    /// A region code; defaults to the caller's own.
    pub region: Option<String>,
    /// new, merged or declined.
    pub status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NominationBody {
    pub id: i64,
    pub region: String,
    pub station: Option<String>,
    /// public, reception, grid or staff.
    pub channel: String,
    pub title: String,
    pub place: String,
    pub content: String,
    pub people: i64,
    /// new, merged or declined.
    pub status: String,
    pub project: Option<i64>,
    pub reason: String,
    pub created_at: i64,
}

/// The nominations under a region, newest first.
#[utoipa::path(get, path = "/api/v1/nominations", tag = "projects", params(NominationQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<NominationBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nominations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<NominationQuery>,
) -> Result<Json<Vec<NominationBody>>, ApiError> {
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let (_, rows) = projects::nominations(&state.app, &caller.principal, q.region.as_deref(), status).await?;
    Ok(Json(
        rows.into_iter()
            .map(|n| NominationBody {
                id: n.id,
                region: n.region_code,
                station: n.station_slug,
                channel: n.channel,
                title: n.title,
                place: n.place,
                content: n.content,
                people: n.people,
                status: n.status,
                project: n.project_id,
                reason: n.reason,
                created_at: n.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NominationDeclineRequest {
    pub reason: String,
}

/// Declines a nomination, with the reason.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/decline", tag = "projects", params(("id" = i64, Path)),
    request_body = NominationDeclineRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NominationDeclineRequest>,
) -> Result<StatusCode, ApiError> {
    projects::decline(&state.app, &caller.principal, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NominationMergeRequest {
    /// The candidate project it joins.
    pub project: i64,
}

/// Gathers a nomination into an existing candidate project.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/merge", tag = "projects", params(("id" = i64, Path)),
    request_body = NominationMergeRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NominationMergeRequest>,
) -> Result<StatusCode, ApiError> {
    projects::merge(&state.app, &caller.principal, id, b.project).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectRequest {
    /// The township or county; defaults to the caller's own.
    #[serde(default)]
    pub region: Option<String>,
    /// township or county: the congress that decides it.
    pub level: String,
    pub year: i64,
    pub title: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub description: String,
    /// In 万元, e.g. "35.5".
    #[serde(default)]
    pub estimated_cost: String,
    /// The slug of the agency that would carry it out.
    #[serde(default)]
    pub owner_agency: String,
    /// The nominations it gathers (ids of new ones).
    #[serde(default)]
    pub nominations: Vec<i64>,
}

/// Screens nominations into a candidate project.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_project(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ProjectRequest>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let i = ProjectInput {
        region: b.region,
        level: b.level,
        year: b.year,
        title: b.title,
        place: b.place,
        description: b.description,
        estimated_cost: b.estimated_cost,
        owner_agency: b.owner_agency,
        nominations: b.nominations,
    };
    let id = projects::create_project(&state.app, &caller.principal, &i).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id })))
}

#[derive(Serialize, ToSchema)]
pub struct ProjectBody {
    pub id: i64,
    pub region: String,
    pub level: String,
    pub year: i64,
    pub title: String,
    pub place: String,
    pub description: String,
    /// In yuan.
    pub estimated_cost: i64,
    pub owner_agency: Option<String>,
    /// candidate, listed, chosen, not_chosen, undecided or done.
    pub status: String,
    /// How many people asked for it.
    pub people: i64,
}

fn project_body(p: projects::Project) -> ProjectBody {
    ProjectBody {
        id: p.id,
        region: p.region_code,
        level: p.level,
        year: p.year,
        title: p.title,
        place: p.place,
        description: p.description,
        estimated_cost: p.estimated_cost,
        owner_agency: p.owner_agency,
        status: p.status,
        people: p.people,
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ProjectQuery {
    pub region: Option<String>,
    pub year: Option<i64>,
}

/// The projects under a region.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_projects(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> Result<Json<Vec<ProjectBody>>, ApiError> {
    let (_, rows) = projects::projects(&state.app, &caller.principal, q.region.as_deref(), q.year).await?;
    Ok(Json(rows.into_iter().map(project_body).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct ProjectMilestoneBody {
    pub id: i64,
    pub title: String,
    pub due_on: String,
    /// In yuan.
    pub budget: i64,
    pub done_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectUpdateBody {
    pub id: i64,
    /// progress, inspection or question.
    pub kind: String,
    pub happened_on: String,
    pub body: String,
    pub answer: String,
    pub percent: Option<i64>,
    /// In yuan.
    pub spent: Option<i64>,
    /// The deputies who took part, by name.
    pub deputies: String,
    pub photos: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectFullBody {
    pub project: ProjectBody,
    pub milestones: Vec<ProjectMilestoneBody>,
    pub updates: Vec<ProjectUpdateBody>,
}

/// A project with its milestones and updates: public once it is on an approved list.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectFullBody), (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProjectFullBody>, ApiError> {
    let f = projects::get(&state.app, &caller.principal, id).await?;
    let photos = f.photos.clone();
    Ok(Json(ProjectFullBody {
        milestones: f
            .milestones
            .into_iter()
            .map(|m| ProjectMilestoneBody {
                id: m.id,
                title: m.title,
                due_on: m.due_on,
                budget: m.budget,
                done_on: m.done_on,
            })
            .collect(),
        updates: f
            .updates
            .into_iter()
            .map(|u| ProjectUpdateBody {
                photos: photos.iter().filter(|(_, uid)| *uid == u.id).map(|(p, _)| *p).collect(),
                id: u.id,
                kind: u.kind,
                happened_on: u.happened_on,
                body: u.body,
                answer: u.answer,
                percent: u.percent,
                spent: u.spent,
                deputies: u.deputies,
            })
            .collect(),
        project: project_body(f.project),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectOwnerRequest {
    /// The agency's slug.
    pub agency: String,
}

/// Names the owner agency of a project (it is told once the project is chosen).
#[utoipa::path(post, path = "/api/v1/projects/{id}/owner", tag = "projects", params(("id" = i64, Path)), request_body = ProjectOwnerRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_owner(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ProjectOwnerRequest>,
) -> Result<StatusCode, ApiError> {
    projects::set_owner(&state.app, &caller.principal, id, &b.agency).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectMilestoneRequest {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// In 万元.
    #[serde(default)]
    pub budget: String,
}

/// Adds a milestone to a chosen project (its owner or the office).
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones", tag = "projects", params(("id" = i64, Path)),
    request_body = ProjectMilestoneRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_milestone(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ProjectMilestoneRequest>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let i = MilestoneInput { title: b.title, due_on: b.due_on, budget: b.budget };
    let mid = projects::add_milestone(&state.app, &caller.principal, id, &i).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id: mid })))
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectMilestoneDoneRequest {
    /// `YYYY-MM-DD`, not after today.
    pub done_on: String,
}

/// Marks a milestone reached.
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones/{milestone}/done", tag = "projects",
    params(("id" = i64, Path), ("milestone" = i64, Path)), request_body = ProjectMilestoneDoneRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn milestone_done(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, milestone)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<ProjectMilestoneDoneRequest>,
) -> Result<StatusCode, ApiError> {
    projects::milestone_done(&state.app, &caller.principal, id, milestone, &b.done_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectUpdateRequest {
    /// progress (the owner's report), inspection or question (问进度).
    pub kind: String,
    /// `YYYY-MM-DD`, not after today.
    pub happened_on: String,
    pub body: String,
    /// Progress: percent done (100 marks the project done).
    #[serde(default)]
    pub percent: Option<i64>,
    /// Progress: spent so far, in 万元.
    #[serde(default)]
    pub spent: String,
    /// Inspection or question recorded by the office: the deputies' slugs.
    #[serde(default)]
    pub deputies: Vec<String>,
}

/// Records progress, an inspection or a question; the deputies' registers gain an entry.
#[utoipa::path(post, path = "/api/v1/projects/{id}/updates", tag = "projects", params(("id" = i64, Path)),
    request_body = ProjectUpdateRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ProjectUpdateRequest>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let i = UpdateInput {
        kind: b.kind,
        happened_on: b.happened_on,
        body: b.body,
        percent: b.percent,
        spent: b.spent,
        deputies: b.deputies,
    };
    let uid = projects::report(&state.app, &caller.principal, id, &i).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id: uid })))
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectAnswerRequest {
    pub answer: String,
}

/// The owner answers the deputies' question.
#[utoipa::path(post, path = "/api/v1/projects/{id}/updates/{update}/answer", tag = "projects",
    params(("id" = i64, Path), ("update" = i64, Path)), request_body = ProjectAnswerRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, update)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<ProjectAnswerRequest>,
) -> Result<StatusCode, ApiError> {
    projects::answer(&state.app, &caller.principal, id, update, &b.answer).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CandidateListRequest {
    #[serde(default)]
    pub region: Option<String>,
    /// township or county.
    pub level: String,
    pub year: i64,
    /// The session deciding it.
    pub session: String,
    pub places: i64,
    /// Places may be at most this share of the candidates (default 70).
    #[serde(default)]
    pub ratio_percent: Option<i64>,
    /// Candidate project ids, in ballot order.
    pub projects: Vec<i64>,
}

/// Drafts a candidate list; refused without a margin (places < candidates, within the ratio).
#[utoipa::path(post, path = "/api/v1/candidate-lists", tag = "projects", request_body = CandidateListRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<CandidateListRequest>,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let i = ListInput {
        region: b.region,
        level: b.level,
        year: b.year,
        session: b.session,
        places: b.places,
        ratio_percent: b.ratio_percent,
        projects: b.projects,
    };
    let id = projects::create_list(&state.app, &caller.principal, &i).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id })))
}

#[derive(Serialize, ToSchema)]
pub struct CandidateListBody {
    pub id: i64,
    pub region: String,
    pub level: String,
    pub year: i64,
    pub session: String,
    pub places: i64,
    pub ratio_percent: i64,
    /// draft or approved.
    pub status: String,
    pub approved_note: String,
    pub projects: Vec<ProjectBody>,
}

/// The candidate lists under a region.
#[utoipa::path(get, path = "/api/v1/candidate-lists", tag = "projects", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<CandidateListBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lists(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<CandidateListBody>>, ApiError> {
    let (_, rows) = projects::lists(&state.app, &caller.principal, q.region.as_deref()).await?;
    let mut out = Vec::new();
    for l in rows {
        let (l, ps) = projects::list(&state.app, &caller.principal, l.id).await?;
        out.push(list_body(l, ps));
    }
    Ok(Json(out))
}

fn list_body(l: projects::CandidateList, ps: Vec<projects::Project>) -> CandidateListBody {
    CandidateListBody {
        id: l.id,
        region: l.region_code,
        level: l.level,
        year: l.year,
        session: l.session,
        places: l.places,
        ratio_percent: l.ratio_percent,
        status: l.status,
        approved_note: l.approved_note,
        projects: ps.into_iter().map(project_body).collect(),
    }
}

/// One candidate list with its projects.
#[utoipa::path(get, path = "/api/v1/candidate-lists/{id}", tag = "projects", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = CandidateListBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CandidateListBody>, ApiError> {
    let (l, ps) = projects::list(&state.app, &caller.principal, id).await?;
    Ok(Json(list_body(l, ps)))
}

#[derive(Deserialize, ToSchema)]
pub struct CandidateListApproveRequest {
    /// The presidium meeting that approved it, e.g. 主席团第一次会议（2026-12-20）.
    pub note: String,
}

/// Records the presidium's approval (by someone other than who drafted the list).
#[utoipa::path(post, path = "/api/v1/candidate-lists/{id}/approve", tag = "projects", params(("id" = i64, Path)),
    request_body = CandidateListApproveRequest, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CandidateListApproveRequest>,
) -> Result<StatusCode, ApiError> {
    projects::approve_list(&state.app, &caller.principal, id, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attach a photo to a progress report, inspection or question of a chosen project (JPEG, PNG
/// or WebP; at most 5 MB, 9 per entry). EXIF is stripped; the photo is public with the project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/updates/{update}/photos", tag = "projects",
    params(("id" = i64, Path), ("update" = i64, Path)), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    security(("bearer" = [])),
    responses((status = 201, body = ProjectCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, update)): ApiPath<(i64, i64)>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ProjectCreated>), ApiError> {
    let pid = projects::attach_photo(&state.app, &caller.principal, id, update, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id: pid })))
}
