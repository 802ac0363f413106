//! Open311 GeoReport v2 over the same cases, so existing civic-reporting clients can submit and
//! read. Services are the case categories; a request's `jurisdiction_id` names the station (or
//! `deputy:SLUG`) it goes to; `service_request_id` is the tracking code. Listings show only cases
//! whose constituent consented to publication, and never personal data. JSON only.

use super::public_cases::{self, PublicCase};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::extract::ApiQuery;
use crate::limits::{Bucket, ClientIp};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use liaison_app::cases::CaseRow;
use liaison_domain::case::{CaseStatus, Channel, TrackingCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// GeoReport's error list.
fn error(status: StatusCode, description: impl Into<String>) -> Response {
    #[derive(Serialize)]
    struct E {
        code: u16,
        description: String,
    }
    (status, Json(vec![E { code: status.as_u16(), description: description.into() }])).into_response()
}

fn from_api(e: ApiError) -> Response {
    error(e.status, e.message)
}

#[derive(Serialize, ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

/// The services (case categories).
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311", responses((status = 200, body = Vec<Service>)))]
pub async fn services(State(state): State<AppState>) -> Json<Vec<Service>> {
    Json(
        state
            .settings
            .categories
            .iter()
            .map(|c| Service {
                service_code: c.clone(),
                service_name: c.clone(),
                description: format!("{c}方面的意见建议"),
                metadata: false,
                kind: "realtime".into(),
                keywords: c.clone(),
                group: "人大代表联络站".into(),
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// open or closed.
    pub status: String,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
}

fn rfc3339(ms: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    liaison_domain::clock::from_millis(ms).with_timezone(&tz).to_rfc3339()
}

fn request(c: CaseRow) -> ServiceRequest {
    let open = CaseStatus::parse(&c.status)
        .is_some_and(|s| s.is_open() && s != CaseStatus::Replied && s != CaseStatus::AnsweredOnSpot);
    ServiceRequest {
        service_request_id: c
            .tracking_code
            .as_deref()
            .and_then(|t| TrackingCode::parse(t).ok())
            .map(|t| t.display())
            .unwrap_or_default(),
        status: if open { "open" } else { "closed" }.into(),
        status_notes: c.public_reply,
        service_name: c.category.clone(),
        service_code: c.category,
        description: c.title,
        agency_responsible: c.agency_ref.unwrap_or_default(),
        requested_datetime: rfc3339(c.created_at),
        updated_datetime: rfc3339(c.updated_at),
        expected_datetime: c.deadline_on,
        address: c.location,
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// A station's slug: list the published requests of that station.
    pub jurisdiction_id: Option<String>,
    /// Comma-separated tracking codes.
    pub service_request_id: Option<String>,
}

/// Published requests of a station, or requests by id.
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", params(ListQuery), responses((status = 200, body = Vec<ServiceRequest>)))]
pub async fn requests(State(state): State<AppState>, client: ClientIp, ApiQuery(q): ApiQuery<ListQuery>) -> Response {
    // Every code named is one guess at a tracking code.
    let ids: Vec<&str> = q.service_request_id.as_deref().map(|s| s.split(',').take(20).collect()).unwrap_or_default();
    if let Err(e) = public_cases::limit(&state, client, Bucket::Track, ids.len().max(1) as u32) {
        return from_api(e);
    }
    let mut out = Vec::new();
    if !ids.is_empty() {
        for raw in ids {
            let Ok(code) = TrackingCode::parse(raw) else {
                return error(StatusCode::BAD_REQUEST, format!("无效的 service_request_id：{raw}"));
            };
            match liaison_app::cases::by_code(&state.app, &code).await.map(|(c, _, _)| Some(c)).or_else(|e| match e {
                liaison_app::Error::NotFound => Ok(None),
                e => Err(e),
            }) {
                Ok(Some(c)) => out.push(request(c)),
                Ok(None) => {}
                Err(e) => return from_api(e.into()),
            }
        }
    } else if let Some(station) = q.jurisdiction_id.as_deref() {
        match liaison_app::cases::echoes(&state.app, station, 50).await {
            Ok(rows) => out.extend(rows.into_iter().map(request)),
            Err(e) => return from_api(e.into()),
        }
    } else {
        return error(StatusCode::BAD_REQUEST, "请提供 jurisdiction_id（联络站标识）或 service_request_id");
    }
    Json(out).into_response()
}

/// One request by its id (the tracking code).
#[utoipa::path(get, path = "/open311/v2/requests/{id}", tag = "open311", params(("id" = String, Path, description = "tracking code, with .json")),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 404)))]
pub async fn request_by_id(State(state): State<AppState>, client: ClientIp, ApiPath(id): ApiPath<String>) -> Response {
    if let Err(e) = public_cases::limit(&state, client, Bucket::Track, 1) {
        return from_api(e);
    }
    let Ok(code) = TrackingCode::parse(id.trim_end_matches(".json")) else {
        return error(StatusCode::BAD_REQUEST, "无效的 service_request_id");
    };
    match liaison_app::cases::by_code(&state.app, &code).await.map(|(c, _, _)| Some(c)).or_else(|e| match e {
        liaison_app::Error::NotFound => Ok(None),
        e => Err(e),
    }) {
        Ok(Some(c)) => Json(vec![request(c)]).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "没有找到该请求"),
        Err(e) => from_api(e.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewRequest {
    /// A station's slug, or `deputy:SLUG`.
    pub jurisdiction_id: String,
    /// A category from services.json.
    pub service_code: String,
    pub description: String,
    pub address_string: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub service_request_id: String,
    pub service_notice: String,
}

/// Submit a request (form-encoded, as GeoReport v2 specifies).
#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311",
    request_body(content = NewRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, body = Vec<Created>), (status = 400)))]
pub async fn create(
    State(state): State<AppState>,
    client: ClientIp,
    form: Result<axum::Form<NewRequest>, axum::extract::rejection::FormRejection>,
) -> Response {
    if let Err(e) = public_cases::limit(&state, client, Bucket::Submit, 1) {
        return from_api(e);
    }
    let Ok(axum::Form(r)) = form else {
        return error(StatusCode::BAD_REQUEST, "请求须为表单编码，并包含 jurisdiction_id、service_code、description");
    };
    let (station, deputy) = match r.jurisdiction_id.strip_prefix("deputy:") {
        Some(d) => (None, Some(d.to_owned())),
        None => (Some(r.jurisdiction_id.clone()), None),
    };
    // The title is the description's first line, cut to fit.
    let title: String = r.description.lines().next().unwrap_or("").chars().take(30).collect();
    let name = format!("{}{}", r.last_name.unwrap_or_default(), r.first_name.unwrap_or_default());
    let p = PublicCase {
        deputy,
        station,
        title,
        content: r.description,
        category: Some(r.service_code),
        location: r.address_string,
        contact_name: Some(name),
        contact_phone: r.phone,
        anonymous: false,
        publish_consent: false,
        sms_notices: None,
    };
    match public_cases::submit(&state, p, Channel::Online, vec![], None).await {
        Ok((row, _)) => {
            let id = row
                .tracking_code
                .as_deref()
                .and_then(|t| TrackingCode::parse(t).ok())
                .map(|t| t.display())
                .unwrap_or_default();
            (
                StatusCode::CREATED,
                Json(vec![Created {
                    service_request_id: id, service_notice: "已收到，请凭查询码查看办理进度".into()
                }]),
            )
                .into_response()
        }
        Err(e) => error(if e.status.is_client_error() { StatusCode::BAD_REQUEST } else { e.status }, e.message),
    }
}
