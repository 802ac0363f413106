//! Station stars in the JSON API: scorecards, a station's yearly scoring, its review by a second
//! person, and evidence per criterion.

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::stars::{self, Assessment, Card};
use liaison_domain::stars::{Criterion, DEFAULT_THRESHOLDS, Scorecard};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct CriterionBody {
    /// The heading it falls under; may be empty.
    #[serde(default)]
    pub group: String,
    pub title: String,
    /// Most points it gives; a scorecard's weights add up to 100.
    pub weight: u32,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardBody {
    pub id: i64,
    pub name: String,
    pub criteria: Vec<CriterionBody>,
    /// The least total for one to five stars.
    pub thresholds: Vec<u32>,
}

impl From<Card> for ScorecardBody {
    fn from(c: Card) -> Self {
        ScorecardBody {
            id: c.id,
            name: c.card.name,
            criteria: c
                .card
                .criteria
                .into_iter()
                .map(|c| CriterionBody { group: c.group, title: c.title, weight: c.weight })
                .collect(),
            thresholds: c.card.thresholds.to_vec(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ScorecardRequest {
    pub name: String,
    pub criteria: Vec<CriterionBody>,
    /// Five rising totals for one to five stars; default 60, 70, 80, 90, 95.
    #[serde(default)]
    pub thresholds: Option<Vec<u32>>,
}

#[derive(Serialize, ToSchema)]
pub struct StarsCreated {
    pub id: i64,
}

/// The scorecards of the caller's county.
#[utoipa::path(get, path = "/api/v1/scorecards", tag = "stars", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ScorecardBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_scorecards(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<ScorecardBody>>, ApiError> {
    let cards = stars::scorecards(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(cards.into_iter().map(ScorecardBody::from).collect()))
}

/// Adds a scorecard; refused (422 `weights_sum`) when its weights do not add up to 100.
#[utoipa::path(post, path = "/api/v1/scorecards", tag = "stars", params(RegionQuery), request_body = ScorecardRequest,
    security(("bearer" = [])),
    responses((status = 201, body = StarsCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_scorecard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
    ApiJson(body): ApiJson<ScorecardRequest>,
) -> Result<(StatusCode, Json<StarsCreated>), ApiError> {
    let thresholds = match body.thresholds {
        None => DEFAULT_THRESHOLDS,
        Some(t) => t.try_into().map_err(|_| {
            liaison_app::Error::invalid("invalid_thresholds", "一星到五星应各有一条分数线").field("thresholds")
        })?,
    };
    let card = Scorecard {
        name: body.name,
        criteria: body
            .criteria
            .into_iter()
            .map(|c| Criterion { group: c.group, title: c.title, weight: c.weight })
            .collect(),
        thresholds,
    };
    let id = stars::create_scorecard(&state.app, &caller.principal, q.region.as_deref(), card).await?;
    Ok((StatusCode::CREATED, Json(StarsCreated { id })))
}

/// One scorecard.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}", tag = "stars", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ScorecardBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_scorecard(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScorecardBody>, ApiError> {
    Ok(Json(stars::scorecard(&state.app, &caller.principal, id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentBody {
    pub id: i64,
    pub station: String,
    pub station_name: String,
    pub year: i32,
    pub scorecard: i64,
    /// A score per criterion, in the scorecard's order.
    pub scores: Vec<u32>,
    pub total: u32,
    /// 0 to 5.
    pub stars: u8,
    /// draft, submitted, approved or returned.
    pub status: String,
    pub note: String,
    pub review_note: String,
    /// Its evidence (`/api/v1/assessments/{id}/evidence/{hash}`).
    pub evidence: Vec<EvidenceRef>,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceRef {
    /// The criterion's number, from 1.
    pub criterion: i64,
    pub hash: String,
}

impl From<Assessment> for AssessmentBody {
    fn from(a: Assessment) -> Self {
        AssessmentBody {
            id: a.row.id,
            station: a.row.station_slug,
            station_name: a.row.station_name,
            year: a.row.year as i32,
            scorecard: a.row.scorecard_id,
            total: a.scores.iter().sum(),
            scores: a.scores,
            stars: a.row.stars as u8,
            status: a.status.as_str().into(),
            note: a.row.note,
            review_note: a.row.review_note,
            evidence: a.evidence.into_iter().map(|(criterion, hash, _)| EvidenceRef { criterion, hash }).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ScoreRequest {
    pub year: i32,
    pub scorecard: i64,
    /// A score per criterion, each at most its weight.
    pub scores: Vec<u32>,
    #[serde(default)]
    pub note: String,
}

/// Scores a station for a year (a new scoring, or one still open); the county only.
#[utoipa::path(post, path = "/api/v1/stations/{slug}/assessments", tag = "stars", params(("slug" = String, Path)),
    request_body = ScoreRequest, security(("bearer" = [])),
    responses((status = 201, body = StarsCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<ScoreRequest>,
) -> Result<(StatusCode, Json<StarsCreated>), ApiError> {
    let id =
        stars::score(&state.app, &caller.principal, &slug, body.year, body.scorecard, body.scores, &body.note).await?;
    Ok((StatusCode::CREATED, Json(StarsCreated { id })))
}

#[derive(Deserialize, IntoParams)]
pub struct RegionYear {
    /// A region code; defaults to the caller's own region.
    pub region: Option<String>,
    /// Defaults to this year.
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct StationStanding {
    pub station: String,
    pub station_name: String,
    /// The scoring of the year, if any.
    pub assessment: Option<i64>,
    pub status: Option<String>,
    pub total: Option<u32>,
    pub stars: Option<u8>,
}

/// The stations of a region with their scoring of a year.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "stars", params(RegionYear), security(("bearer" = [])),
    responses((status = 200, body = Vec<StationStanding>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionYear>,
) -> Result<Json<Vec<StationStanding>>, ApiError> {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&state.app.today())).clamp(2000, 2100);
    let (_, rows) = stars::list(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(s, a)| StationStanding {
                station: s.data.slug,
                station_name: s.data.name,
                assessment: a.as_ref().map(|a| a.id),
                status: a.as_ref().map(|a| a.status.clone()),
                total: a.as_ref().map(|a| a.total as u32),
                stars: a.as_ref().map(|a| a.stars as u8),
            })
            .collect(),
    ))
}

/// One scoring.
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "stars", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AssessmentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AssessmentBody>, ApiError> {
    Ok(Json(stars::assessment(&state.app, &caller.principal, id).await?.into()))
}

/// Submits a scoring for review by a second person.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/submit", tag = "stars", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    stars::submit(&state.app, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewRequest {
    pub approve: bool,
    /// Required when returning it.
    #[serde(default)]
    pub note: String,
}

/// The second person approves a submitted scoring (its stars then show in public) or returns it;
/// the one who scored it may not (403).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/review", tag = "stars", params(("id" = i64, Path)), request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<StatusCode, ApiError> {
    stars::review(&state.app, &caller.principal, id, body.approve, &body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct CriterionQuery {
    /// The criterion's number, from 1.
    pub criterion: usize,
}

/// Adds a file of evidence to a criterion: a photo (JPEG, PNG or WebP) or a PDF, told apart by content.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/evidence", tag = "stars", params(("id" = i64, Path), CriterionQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, description = "stored"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CriterionQuery>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let a = stars::assessment(&state.app, &caller.principal, id).await?;
    // Who may not score hears so before the file is looked at.
    stars::may_score(&state.app, &caller.principal, &a.row.station_slug).await?;
    let file = liaison_app::register::check_evidence(&body)?;
    stars::add_evidence(&state.app, &caller.principal, id, q.criterion, file).await?;
    Ok(StatusCode::CREATED)
}

/// A file of a scoring's evidence.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/evidence/{hash}", tag = "stars", params(("id" = i64, Path), ("hash" = String, Path)),
    security(("bearer" = [])), responses((status = 200, description = "the file", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, hash)): ApiPath<(i64, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let (bytes, mime) = stars::evidence_file(&state.app, &caller.principal, id, &hash).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
}
