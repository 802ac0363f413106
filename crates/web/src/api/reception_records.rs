//! Reception records in the JSON API: a reception held, who attended, the households a home
//! visit went to, and the matters raised, each a case with channel `reception`.

use super::receptions::{ReceptionCreated, window};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use liaison_app::receptions as rec;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct AttendeeRequest {
    /// deputy, agency_head, lawyer, leader or staff.
    pub role: String,
    /// For a deputy: their slug.
    pub deputy: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MatterRequest {
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub publish_consent: bool,
    /// For 代表·局长面对面: the agency head the question was put to.
    #[serde(default)]
    pub put_to: String,
    /// The answer given on the spot; leave empty when the matter is taken away to be handled.
    #[serde(default)]
    pub answer: String,
}

impl From<MatterRequest> for rec::Matter {
    fn from(m: MatterRequest) -> Self {
        rec::Matter {
            title: m.title,
            content: m.content,
            category: m.category,
            contact_name: m.contact_name,
            contact_phone: m.contact_phone,
            anonymous: m.anonymous,
            publish_consent: m.publish_consent,
            put_to: m.put_to,
            answer: m.answer,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct HouseholdRequest {
    pub household: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReceptionRequest {
    pub station: Option<String>,
    /// Without a station: the township or county it was held for.
    pub region: Option<String>,
    /// The schedule it was held under, if any.
    pub schedule_id: Option<i64>,
    /// station_day, joint_petition, agency_heads, yard_meeting or home_visit.
    pub kind: String,
    /// `YYYY-MM-DD`, today or earlier.
    pub held_on: String,
    pub place: String,
    /// Constituents received.
    pub visitors: i64,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub attendees: Vec<AttendeeRequest>,
    /// For a home visit: the households visited.
    #[serde(default)]
    pub households: Vec<HouseholdRequest>,
    /// The matters raised, each recorded as a case with channel `reception`.
    #[serde(default)]
    pub matters: Vec<MatterRequest>,
}

/// Records a reception held, with its matters as cases.
#[utoipa::path(post, path = "/api/v1/receptions", tag = "receptions", request_body = ReceptionRequest, security(("bearer" = [])),
    responses((status = 201, body = ReceptionCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ReceptionRequest>,
) -> Result<(StatusCode, Json<ReceptionCreated>), ApiError> {
    let n = rec::NewReception {
        station: b.station,
        region: b.region,
        schedule_id: b.schedule_id,
        kind: b.kind,
        held_on: b.held_on,
        place: b.place,
        visitors: b.visitors,
        summary: b.summary,
        attendees: b
            .attendees
            .into_iter()
            .map(|a| rec::Attendee { role: a.role, deputy: a.deputy, name: a.name, title: a.title })
            .collect(),
        households: b.households.into_iter().map(|h| (h.household, h.note)).collect(),
        matters: b.matters.into_iter().map(rec::Matter::from).collect(),
    };
    let id = rec::record(&state.app, &caller.principal, n).await?;
    Ok((StatusCode::CREATED, Json(ReceptionCreated { id })))
}

#[derive(Serialize, ToSchema)]
pub struct ReceptionBody {
    pub id: i64,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub region_code: String,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub visitors: i64,
    pub summary: String,
    /// Matters raised, and how many were answered on the spot.
    pub matters: i64,
    pub answered_on_spot: i64,
}

impl From<liaison_app::receptions::ReceptionRow> for ReceptionBody {
    fn from(r: liaison_app::receptions::ReceptionRow) -> Self {
        ReceptionBody {
            id: r.id,
            station: r.station_slug,
            station_name: r.station_name,
            region_code: r.region_code,
            kind: r.kind,
            held_on: r.held_on,
            place: r.place,
            visitors: r.visitors,
            summary: r.summary,
            matters: r.matters,
            answered_on_spot: r.on_spot,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ReceptionsQuery {
    pub region: Option<String>,
    /// `YYYY-MM-DD`; defaults to a year ago.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; defaults to today.
    pub to: Option<String>,
}

/// Receptions held in a region, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/receptions", tag = "receptions", params(ReceptionsQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ReceptionBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReceptionsQuery>,
) -> Result<Json<Vec<ReceptionBody>>, ApiError> {
    let region = liaison_app::org::scoped_region(
        &caller.principal,
        liaison_domain::authz::Action::OrgRead,
        q.region.as_deref(),
    )?;
    let today = state.app.today();
    let from = q.from.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| (today - Duration::days(365)).to_string());
    let to = q.to.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| today.to_string());
    let (from, to) = window(&state.app, Some(&from), Some(&to))?;
    let rows = rec::list_receptions(&state.app, Some(&caller.principal), &region, None, from, to, 500).await?;
    Ok(Json(rows.into_iter().map(ReceptionBody::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct AttendeeBody {
    pub role: String,
    pub deputy: Option<String>,
    pub name: String,
    pub title: String,
}

#[derive(Serialize, ToSchema)]
pub struct MatterBody {
    pub case_id: i64,
    pub title: String,
    pub status: String,
    pub put_to: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReceptionDetail {
    #[serde(flatten)]
    pub reception: ReceptionBody,
    /// Hashes of its photos (`/api/v1/receptions/{id}/photos/{hash}`).
    pub photos: Vec<String>,
    pub attendees: Vec<AttendeeBody>,
    pub households: Vec<HouseholdBody>,
    pub cases: Vec<MatterBody>,
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdBody {
    pub household: String,
    pub note: String,
}

/// One reception record with who attended and the matters raised.
#[utoipa::path(get, path = "/api/v1/receptions/{id}", tag = "receptions", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ReceptionDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReceptionDetail>, ApiError> {
    let v = rec::reception(&state.app, &caller.principal, id).await?;
    Ok(Json(ReceptionDetail {
        reception: v.reception.into(),
        photos: v.photos,
        attendees: v
            .attendees
            .into_iter()
            .map(|a| AttendeeBody { role: a.role, deputy: a.deputy_slug, name: a.name, title: a.title })
            .collect(),
        households: v.households.into_iter().map(|(household, note)| HouseholdBody { household, note }).collect(),
        cases: v
            .matters
            .into_iter()
            .map(|(case_id, title, status, put_to)| MatterBody { case_id, title, status, put_to })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MatterCreated {
    pub case_id: i64,
}

/// Adds a matter raised at a reception, recorded as a case (channel `reception`).
#[utoipa::path(post, path = "/api/v1/receptions/{id}/matters", tag = "receptions", params(("id" = i64, Path)), request_body = MatterRequest,
    security(("bearer" = [])),
    responses((status = 201, body = MatterCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_matter(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MatterRequest>,
) -> Result<(StatusCode, Json<MatterCreated>), ApiError> {
    // Reading the record first answers 404 for a reception outside the caller's reach.
    rec::reception(&state.app, &caller.principal, id).await?;
    let case_id = rec::add_matter(&state.app, &caller.principal, id, body.into()).await?;
    Ok((StatusCode::CREATED, Json(MatterCreated { case_id })))
}

/// Attach a photo of a reception (JPEG, PNG or WebP; at most 5 MB, 9 per reception). EXIF is
/// stripped.
#[utoipa::path(post, path = "/api/v1/receptions/{id}/photos", tag = "receptions", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"), security(("bearer" = [])),
    responses((status = 201, description = "stored"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    // Who may not read the record hears so before the photo is looked at.
    rec::reception(&state.app, &caller.principal, id).await?;
    let photo = liaison_app::photos::clean_blocking(body.to_vec()).await?;
    rec::add_photos(&state.app, &caller.principal, id, vec![photo]).await?;
    Ok(StatusCode::CREATED)
}

/// A reception's photo, or its thumbnail (`size=thumb`).
#[utoipa::path(get, path = "/api/v1/receptions/{id}/photos/{hash}", tag = "receptions",
    params(("id" = i64, Path), ("hash" = String, Path), crate::api::cases::PhotoQuery), security(("bearer" = [])),
    responses((status = 200, description = "the image", content_type = "image/jpeg"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, hash)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<crate::api::cases::PhotoQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let thumb = crate::api::cases::wants_thumb(q.size.as_deref())?;
    let (bytes, mime) = rec::photo_file(&state.app, &caller.principal, id, &hash, thumb).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
}
