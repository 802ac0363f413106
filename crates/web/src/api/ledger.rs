//! The ledger of linked voters and households in the JSON API. Everything comes masked; one
//! contact is unmasked by a POST the audit records, and an export needs a stated purpose.

use super::points::{XLSX, download};
use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liaison_app::ledger::{self, Contact, ContactEdit, ContactInput, Visit, VisitInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct LedgerContactBody {
    pub id: i64,
    pub region: String,
    pub deputy: String,
    pub deputy_name: String,
    /// voter (a linked voter) or household.
    pub kind: String,
    pub name: String,
    /// Masked (`4205**********1234`) unless unmasked.
    pub id_number: String,
    /// Masked unless unmasked.
    pub address: String,
    /// Masked unless unmasked.
    pub phone: String,
    /// elderly_alone, left_behind_child, disabled, hardship.
    pub categories: Vec<String>,
    pub members: i64,
    pub note: String,
    pub last_visit: Option<String>,
    pub next_visit: Option<String>,
    pub visits: i64,
    pub masked: bool,
}

impl From<Contact> for LedgerContactBody {
    fn from(c: Contact) -> Self {
        LedgerContactBody {
            id: c.id,
            region: c.region_code,
            deputy: c.deputy_slug,
            deputy_name: c.deputy_name,
            kind: c.kind,
            name: c.name,
            id_number: c.id_number,
            address: c.address,
            phone: c.phone,
            categories: c.categories,
            members: c.members,
            note: c.note,
            last_visit: c.last_visit,
            next_visit: c.next_visit,
            visits: c.visits,
            masked: c.masked,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LedgerVisitBody {
    pub id: i64,
    pub deputy_name: String,
    pub visited_on: String,
    pub needs: String,
    pub help: String,
    pub next_visit_on: Option<String>,
}

impl From<Visit> for LedgerVisitBody {
    fn from(v: Visit) -> Self {
        LedgerVisitBody {
            id: v.id,
            deputy_name: v.deputy_name,
            visited_on: v.visited_on,
            needs: v.needs,
            help: v.help,
            next_visit_on: v.next_visit_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LedgerContactDetail {
    pub contact: LedgerContactBody,
    pub visits: Vec<LedgerVisitBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerContactRequest {
    /// `voter` or `household`.
    pub kind: String,
    pub name: String,
    /// An 18-character resident ID number, or empty.
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// For a household, at least one of elderly_alone, left_behind_child, disabled, hardship.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub members: i64,
    #[serde(default)]
    pub note: String,
    /// The village or community (under the deputy's township); defaults to the deputy's region.
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerContactCreated {
    pub id: i64,
}

/// Adds a linked voter or a household to a deputy's ledger (the deputy, the township or county).
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/ledger", tag = "ledger", params(("slug" = String, Path)),
    request_body = LedgerContactRequest, security(("bearer" = [])),
    responses((status = 201, body = LedgerContactCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(b): ApiJson<LedgerContactRequest>,
) -> Result<(StatusCode, Json<LedgerContactCreated>), ApiError> {
    let i = ContactInput {
        kind: b.kind,
        name: b.name,
        id_number: b.id_number,
        address: b.address,
        phone: b.phone,
        categories: b.categories,
        members: b.members,
        note: b.note,
        region: b.region,
    };
    let id = ledger::add(&state.app, &caller.principal, &slug, i).await?;
    Ok((StatusCode::CREATED, Json(LedgerContactCreated { id })))
}

/// The ledger the caller keeps, masked: a deputy's own, or a region's (township or county).
#[utoipa::path(get, path = "/api/v1/ledger", tag = "ledger", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<LedgerContactBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<LedgerContactBody>>, ApiError> {
    let rows = ledger::list(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(rows.into_iter().map(LedgerContactBody::from).collect()))
}

/// One contact, masked, with its visits.
#[utoipa::path(get, path = "/api/v1/ledger/{id}", tag = "ledger", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = LedgerContactDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LedgerContactDetail>, ApiError> {
    let (c, visits) = ledger::get(&state.app, &caller.principal, id).await?;
    Ok(Json(LedgerContactDetail { contact: c.into(), visits: visits.into_iter().map(LedgerVisitBody::from).collect() }))
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerUnmaskRequest {
    /// Why (kept in the audit).
    #[serde(default)]
    pub reason: String,
}

/// One contact unmasked; the audit records who looked and why.
#[utoipa::path(post, path = "/api/v1/ledger/{id}/unmask", tag = "ledger", params(("id" = i64, Path)), request_body = LedgerUnmaskRequest,
    security(("bearer" = [])),
    responses((status = 200, body = LedgerContactBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unmask(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LedgerUnmaskRequest>,
) -> Result<Json<LedgerContactBody>, ApiError> {
    Ok(Json(ledger::unmask(&state.app, &caller.principal, id, &b.reason).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerVisitRequest {
    /// `YYYY-MM-DD`, not after today.
    pub visited_on: String,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub help: String,
    /// `YYYY-MM-DD`, after this visit, or empty.
    #[serde(default)]
    pub next_visit_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerVisitCreated {
    pub id: i64,
}

/// Records a visit by the contact's deputy; the deputy's register gains an entry (pending when
/// the deputy records it, confirmed when the township does).
#[utoipa::path(post, path = "/api/v1/ledger/{id}/visits", tag = "ledger", params(("id" = i64, Path)), request_body = LedgerVisitRequest,
    security(("bearer" = [])),
    responses((status = 201, body = LedgerVisitCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn visit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LedgerVisitRequest>,
) -> Result<(StatusCode, Json<LedgerVisitCreated>), ApiError> {
    let i = VisitInput { visited_on: b.visited_on, needs: b.needs, help: b.help, next_visit_on: b.next_visit_on };
    let id = ledger::visit(&state.app, &caller.principal, id, i).await?;
    Ok((StatusCode::CREATED, Json(LedgerVisitCreated { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerEditRequest {
    pub name: String,
    /// Empty keeps the one on file.
    #[serde(default)]
    pub id_number: String,
    /// Empty keeps the one on file.
    #[serde(default)]
    pub address: String,
    /// Empty keeps the one on file.
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub members: i64,
    #[serde(default)]
    pub note: String,
}

/// Corrects a contact's details (kind, deputy and place stay); the audit names the fields changed.
#[utoipa::path(put, path = "/api/v1/ledger/{id}", tag = "ledger", params(("id" = i64, Path)), request_body = LedgerEditRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LedgerEditRequest>,
) -> Result<StatusCode, ApiError> {
    let e = ContactEdit {
        name: b.name,
        id_number: b.id_number,
        address: b.address,
        phone: b.phone,
        categories: b.categories,
        members: b.members,
        note: b.note,
    };
    ledger::edit(&state.app, &caller.principal, id, e).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerRemoveRequest {
    pub reason: String,
}

/// Takes a contact off the ledger, with a reason; its visits stay.
#[utoipa::path(post, path = "/api/v1/ledger/{id}/remove", tag = "ledger", params(("id" = i64, Path)), request_body = LedgerRemoveRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LedgerRemoveRequest>,
) -> Result<StatusCode, ApiError> {
    ledger::remove(&state.app, &caller.principal, id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerExportRequest {
    /// A region code; defaults to the caller's own region.
    #[serde(default)]
    pub region: Option<String>,
    /// What the export is for (at least 4 characters; kept in the audit).
    #[serde(default)]
    pub reason: String,
}

/// A region's ledger as xlsx, unmasked: the township or county only, with a stated purpose (in
/// the body, so that it stays out of logs and no link can start an export).
#[utoipa::path(post, path = "/api/v1/ledger/export", tag = "ledger", request_body = LedgerExportRequest, security(("bearer" = [])),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<LedgerExportRequest>,
) -> Result<Response, ApiError> {
    let bytes = ledger::export(&state.app, &caller.principal, b.region.as_deref(), &b.reason).await?;
    Ok(download(bytes, XLSX, "ledger.xlsx", "联系台账.xlsx"))
}
