//! The deputies' secret ballot in the JSON API: setting it up (trustees' keys, credentials, two
//! approvals), voting, paper ballots, closing, the trustees' shares, and the public board that
//! anyone can download and recount (`liaison ballot-verify`).

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use liaison_app::ballots::{self, BallotInput, PublicBoard};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct BallotRequest {
    /// choose (at most `places` of the candidates), each (for/against each) or evaluate (year-end satisfaction).
    pub method: String,
    /// choose and each: the approved candidate list.
    #[serde(default)]
    pub list: Option<i64>,
    /// evaluate: the region and year whose chosen projects are evaluated.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub title: String,
    /// list_order (default) or runoff.
    #[serde(default)]
    pub tie_rule: String,
    /// The session's day, `YYYY-MM-DD`.
    pub held_on: String,
    /// `YYYY-MM-DD HH:MM`, China time, in the future.
    pub closes_at: String,
    /// At least two usernames of the county.
    pub trustees: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BallotCreated {
    pub id: i64,
}

/// Creates a ballot (the office).
#[utoipa::path(post, path = "/api/v1/ballots", tag = "ballots", request_body = BallotRequest, security(("bearer" = [])),
    responses((status = 201, body = BallotCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<BallotRequest>,
) -> Result<(StatusCode, Json<BallotCreated>), ApiError> {
    let i = BallotInput {
        method: b.method,
        list: b.list,
        region: b.region,
        year: b.year,
        title: b.title,
        tie_rule: b.tie_rule,
        held_on: b.held_on,
        closes_at: b.closes_at,
        trustees: b.trustees,
    };
    let id = ballots::create(&state.app, &caller.principal, &i).await?;
    Ok((StatusCode::CREATED, Json(BallotCreated { id })))
}

#[derive(Serialize, ToSchema)]
pub struct BallotProjectBody {
    pub id: i64,
    pub title: String,
    pub place: String,
    /// In yuan.
    pub estimated_cost: i64,
    pub people: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BallotTrusteeBody {
    pub name: String,
    pub has_key: bool,
    pub has_share: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BallotResultBody {
    /// Ballots counted.
    pub cast: u64,
    /// Per question, the votes per option (choose: one question over the projects; each: per
    /// project [for, against]; evaluate: per project [satisfied, basically, not]).
    pub counts: Vec<Vec<u64>>,
    /// Chosen projects' ids, best first.
    pub chosen: Vec<i64>,
    /// Projects tied at the last place under the runoff rule.
    pub undecided: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BallotBody {
    pub id: i64,
    pub title: String,
    pub region: String,
    pub method: String,
    pub places: i64,
    pub tie_rule: String,
    pub held_on: String,
    pub closes_at: i64,
    /// setup, open, closed or tallied.
    pub status: String,
    pub electorate: i64,
    pub cast: usize,
    pub paper_voters: i64,
    pub paper_ballots: i64,
    pub fingerprint: Option<String>,
    pub head: Option<String>,
    pub projects: Vec<BallotProjectBody>,
    pub trustees: Vec<BallotTrusteeBody>,
    pub approvals: usize,
    pub result: Option<BallotResultBody>,
    /// For a deputy of the electorate: "" (not yet), online or paper.
    pub my_vote: Option<String>,
}

fn body(f: ballots::Full) -> BallotBody {
    let ids: Vec<i64> = f.projects.iter().map(|p| p.0).collect();
    let b = f.ballot;
    BallotBody {
        id: b.id,
        title: b.title,
        region: b.region_code,
        method: b.method,
        places: b.places,
        tie_rule: b.tie_rule,
        held_on: b.held_on,
        closes_at: b.closes_at,
        status: b.status,
        electorate: b.electorate,
        cast: f.cast,
        paper_voters: b.paper_voters,
        paper_ballots: b.paper_ballots,
        fingerprint: b.fingerprint,
        head: b.head,
        projects: f
            .projects
            .into_iter()
            .map(|(id, title, place, estimated_cost, people)| BallotProjectBody {
                id,
                title,
                place,
                estimated_cost,
                people,
            })
            .collect(),
        trustees: f
            .trustees
            .into_iter()
            .map(|t| BallotTrusteeBody {
                name: t.display_name,
                has_key: t.public_key.is_some(),
                has_share: t.share.is_some(),
            })
            .collect(),
        approvals: f.approvals.len(),
        result: f.outcome.map(|o| BallotResultBody {
            cast: o.cast,
            counts: o.counts,
            chosen: o.chosen.iter().filter_map(|i| ids.get(*i as usize).copied()).collect(),
            undecided: o.undecided.iter().filter_map(|i| ids.get(*i as usize).copied()).collect(),
        }),
        my_vote: f.my_vote,
    }
}

/// A ballot: public once open; before that, for its office and trustees.
#[utoipa::path(get, path = "/api/v1/ballots/{id}", tag = "ballots", params(("id" = i64, Path)),
    responses((status = 200, body = BallotBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BallotBody>, ApiError> {
    Ok(Json(body(ballots::get(&state.app, &caller.principal, id).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct BallotSummaryBody {
    pub id: i64,
    pub title: String,
    pub method: String,
    pub status: String,
    pub held_on: String,
    pub electorate: i64,
}

/// The ballots under a region.
#[utoipa::path(get, path = "/api/v1/ballots", tag = "ballots", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<BallotSummaryBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<BallotSummaryBody>>, ApiError> {
    let (_, rows) = ballots::list(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| BallotSummaryBody {
                id: b.id,
                title: b.title,
                method: b.method,
                status: b.status,
                held_on: b.held_on,
                electorate: b.electorate,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TrusteeKeyBody {
    /// The trustee's secret key: shown once, never stored. Keep it to decrypt the tally.
    pub secret_key: String,
}

/// A trustee generates their key pair; the secret is returned once and never stored.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/trustee-key", tag = "ballots", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 201, body = TrusteeKeyBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn trustee_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let secret = ballots::trustee_key(&state.app, &caller.principal, id).await?;
    Ok(no_store((StatusCode::CREATED, Json(TrusteeKeyBody { secret_key: secret }))))
}

fn no_store(r: impl IntoResponse) -> Response {
    let mut r = r.into_response();
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    r
}

#[derive(Deserialize, ToSchema)]
pub struct CredentialsRequest {
    /// The second keeper's username (another officer of the office).
    pub keeper: String,
    /// The second keeper's password, typed by them.
    pub keeper_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct CredentialSlipBody {
    pub deputy: String,
    pub region: String,
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct CredentialsBody {
    /// One slip per deputy of the electorate, to print and hand out.
    pub slips: Vec<CredentialSlipBody>,
    /// The credential authority's master secret, in two halves: one for each keeper.
    pub half_a: String,
    pub half_b: String,
    pub keeper_a: String,
    pub keeper_b: String,
}

/// Issues the credentials with a second keeper: the slips and the halves are returned once.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/credentials", tag = "ballots", params(("id" = i64, Path)),
    request_body = CredentialsRequest, security(("bearer" = [])),
    responses((status = 201, body = CredentialsBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn credentials(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CredentialsRequest>,
) -> Result<Response, ApiError> {
    let i = ballots::issue_credentials(&state.app, &caller.principal, id, &b.keeper, &b.keeper_password).await?;
    Ok(no_store((
        StatusCode::CREATED,
        Json(CredentialsBody {
            slips: i
                .slips
                .into_iter()
                .map(|s| CredentialSlipBody { deputy: s.deputy, region: s.region, code: s.code })
                .collect(),
            half_a: i.half_a,
            half_b: i.half_b,
            keeper_a: i.keeper_a,
            keeper_b: i.keeper_b,
        }),
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct ReprintRequest {
    /// The two keepers' halves of the credential authority's secret.
    pub half_a: String,
    pub half_b: String,
    /// The deputy whose slip was lost (a slug); empty for every slip.
    #[serde(default)]
    pub deputy: String,
}

/// Reprints lost credential slips: only with both keepers' halves. The codes are the same.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/reprint", tag = "ballots", params(("id" = i64, Path)),
    request_body = ReprintRequest, security(("bearer" = [])),
    responses((status = 200, body = Vec<CredentialSlipBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reprint(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReprintRequest>,
) -> Result<Response, ApiError> {
    let slips = ballots::reprint(&state.app, &caller.principal, id, &b.half_a, &b.half_b, b.deputy.trim()).await?;
    Ok(no_store(Json(
        slips
            .into_iter()
            .map(|s| CredentialSlipBody { deputy: s.deputy, region: s.region, code: s.code })
            .collect::<Vec<_>>(),
    )))
}

#[derive(Serialize, ToSchema)]
pub struct BallotApproved {
    /// True when this was the second approval and the ballot is now open.
    pub opened: bool,
}

/// Approves opening; the second approval by a different person opens the ballot.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/approve", tag = "ballots", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = BallotApproved), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BallotApproved>, ApiError> {
    let opened = ballots::approve(&state.app, &caller.principal, id).await?;
    Ok(Json(BallotApproved { opened }))
}

#[derive(Deserialize, ToSchema)]
pub struct VoteRequest {
    /// The code on the deputy's credential slip.
    pub credential: String,
    /// Per question, the indices of the options chosen: choose: `[[0, 2, 4]]`; each: per
    /// project `[0]` for, `[1]` against, `[]` abstain; evaluate: per project `[0]`, `[1]` or `[2]`.
    pub choices: Vec<Vec<u32>>,
}

#[derive(Serialize, ToSchema)]
pub struct VoteReceipt {
    /// The ballot's tracker: find it on the board to check the ballot was counted.
    pub tracker: String,
}

/// A deputy of the electorate votes with their credential; one ballot each.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/vote", tag = "ballots", params(("id" = i64, Path)), request_body = VoteRequest,
    security(("bearer" = [])),
    responses((status = 201, body = VoteReceipt), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VoteRequest>,
) -> Result<Response, ApiError> {
    let r = ballots::cast(&state.app, &caller.principal, id, &b.credential, &b.choices).await?;
    Ok(no_store((StatusCode::CREATED, Json(VoteReceipt { tracker: r.tracker }))))
}

#[derive(Deserialize, ToSchema)]
pub struct PaperVotersRequest {
    /// Slugs of the deputies handed a paper ballot.
    pub deputies: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PaperVotersBody {
    pub paper_voters: i64,
}

/// Tellers record the deputies who vote on paper (they can no longer vote online).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/paper-voters", tag = "ballots", params(("id" = i64, Path)),
    request_body = PaperVotersRequest, security(("bearer" = [])),
    responses((status = 200, body = PaperVotersBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn paper_voters(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PaperVotersRequest>,
) -> Result<Json<PaperVotersBody>, ApiError> {
    let n = ballots::paper_voters(&state.app, &caller.principal, id, &b.deputies).await?;
    Ok(Json(PaperVotersBody { paper_voters: n }))
}

#[derive(Deserialize, ToSchema)]
pub struct PaperBallotRequest {
    /// As in a vote.
    pub choices: Vec<Vec<u32>>,
}

/// A teller enters one paper ballot; never more than the deputies recorded as voting on paper.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/paper", tag = "ballots", params(("id" = i64, Path)), request_body = PaperBallotRequest,
    security(("bearer" = [])),
    responses((status = 201, body = VoteReceipt), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn paper(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PaperBallotRequest>,
) -> Result<(StatusCode, Json<VoteReceipt>), ApiError> {
    let r = ballots::enter_paper(&state.app, &caller.principal, id, &b.choices).await?;
    Ok((StatusCode::CREATED, Json(VoteReceipt { tracker: r.tracker })))
}

/// The chair closes the ballot; the board is sealed.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/close", tag = "ballots", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    ballots::close(&state.app, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ShareRequest {
    /// The trustee's secret key, as shown when it was generated.
    pub key: String,
}

#[derive(Serialize, ToSchema)]
pub struct ShareBody {
    /// True when this was the last share and the result is published.
    pub published: bool,
}

/// A trustee gives their decryption share; the last one publishes the result.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/share", tag = "ballots", params(("id" = i64, Path)), request_body = ShareRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ShareBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ShareRequest>,
) -> Result<Json<ShareBody>, ApiError> {
    let o = ballots::give_share(&state.app, &caller.principal, id, &b.key).await?;
    Ok(Json(ShareBody { published: o.is_some() }))
}

/// The public ballot board: while voting, the trackers (sorted); once closed, the whole sealed
/// board — parameters, ballots, trustees' shares and result — to recount with `liaison ballot-verify`.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/board", tag = "ballots", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn board(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let (_, b) = ballots::board(&state.app, id).await?;
    Ok(match b {
        PublicBoard::Trackers(t) => Json(serde_json::json!({ "status": "open", "trackers": t })).into_response(),
        PublicBoard::Sealed(board) => Json(board).into_response(),
    })
}
