//! The constituent's side of the loop: write to a deputy or a station, follow the case by its
//! tracking code, rate the result, and recover codes by phone. No account; lookups and
//! submissions are rate-limited per address.

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::extract::ApiPath;
use crate::limits::{Bucket, ClientIp};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use liaison_app::cases::CaseRow;
use liaison_app::cases::{self as casework};
use liaison_domain::case::{CaseStatus, Channel, Level, Rating, TrackingCode};
use liaison_domain::phone::PhoneNumber;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Refuses a client that asked too often; `n` is what the request spends of the bucket.
pub(crate) fn limit(state: &AppState, client: ClientIp, bucket: Bucket, n: u32) -> Result<(), ApiError> {
    state.limits.spend(bucket, client, n)
}

#[derive(Deserialize, ToSchema)]
pub struct PublicCase {
    /// The deputy's slug (from their QR code), or…
    pub deputy: Option<String>,
    /// …the station's slug.
    pub station: Option<String>,
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// May the outcome be shown on the station's page (民声回响)?
    #[serde(default)]
    pub publish_consent: bool,
    /// Notices about the case (the reply with a request to rate it, a reopening, the end) by
    /// text message to `contact_phone`, when the platform has an SMS provider. Default: true.
    pub sms_notices: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Submitted {
    pub id: i64,
    /// Keep it: it is the only way to follow the case. Shown as `XXXXX-XXXXX`.
    pub tracking_code: String,
    pub status: String,
}

pub(crate) async fn submit(
    state: &AppState,
    p: PublicCase,
    channel: Channel,
    photos: Vec<liaison_app::photos::Photo>,
    key: Option<String>,
) -> Result<(CaseRow, bool), ApiError> {
    let p = casework::PublicCase {
        deputy: p.deputy,
        station: p.station,
        title: p.title,
        content: p.content,
        category: p.category,
        location: p.location,
        contact_name: p.contact_name,
        contact_phone: p.contact_phone,
        anonymous: p.anonymous,
        publish_consent: p.publish_consent,
        sms_notices: p.sms_notices.unwrap_or(true),
    };
    Ok(casework::submit(&state.app, p, channel, photos, key).await?)
}

/// Write to a deputy or a station. Send an `Idempotency-Key` header so that a retry after a lost
/// answer returns the same case instead of creating a second one. The answer comes only once the
/// case is stored durably.
#[utoipa::path(post, path = "/api/v1/public/cases", tag = "public", request_body = PublicCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "a client-generated key, 8–128 characters")),
    responses((status = 201, body = Submitted), (status = 200, body = Submitted, description = "the same key again"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    ApiJson(p): ApiJson<PublicCase>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    limit(&state, client, Bucket::Submit, 1)?;
    let key = crate::extract::idempotency_key(&headers)?;
    let (row, created) = submit(&state, p, Channel::Qr, vec![], key).await?;
    let body =
        Submitted { id: row.id, tracking_code: row.tracking_code.clone().unwrap_or_default(), status: row.status };
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(body)))
}

#[derive(Serialize, ToSchema)]
pub struct PublicEvent {
    /// Unix milliseconds.
    pub at: i64,
    pub step: String,
    pub status: String,
    pub status_label: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Tracking {
    pub tracking_code: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub category: String,
    /// Unix milliseconds.
    pub received_at: i64,
    pub deadline_on: Option<String>,
    pub public_reply: String,
    pub rating: Option<String>,
    /// True when the constituent may rate now.
    pub awaiting_rating: bool,
    /// When the case was merged, the code of the case that carries on.
    pub merged_into: Option<String>,
    /// 1 for the first handling; 2 once a 不满意 sent it back for its one second handling,
    /// after which any rating closes it.
    pub round: i64,
    pub timeline: Vec<PublicEvent>,
    /// What became of the matter when a deputy made it a formal suggestion (代表建议).
    pub suggestions: Vec<String>,
    /// For the pages: the county whose directory the page leads back to…
    #[serde(skip)]
    pub county_code: String,
    /// …the working days a handling at the case's level has once assigned, if known…
    #[serde(skip)]
    pub handling_days: Option<u32>,
    /// …the date the first answer is due by (online messages), and whether a phone was left.
    #[serde(skip)]
    pub first_reply_due: Option<String>,
    #[serde(skip)]
    pub phone_left: bool,
}

/// The public view of a case: status and the public steps only, no names.
pub(crate) async fn tracking(state: &AppState, code: &TrackingCode) -> Result<Tracking, ApiError> {
    let (row, merged_into, timeline) = casework::by_code(&state.app, code).await.map_err(|e| match e {
        liaison_app::Error::NotFound => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有找到该查询码对应的意见建议，请核对后重试")
        }
        e => e.into(),
    })?;
    let timeline = timeline
        .into_iter()
        .map(|e| PublicEvent {
            at: e.at,
            status_label: CaseStatus::parse(&e.to_status).map(|s| s.label()).unwrap_or("").into(),
            step: e.command,
            status: e.to_status,
            note: e.note,
        })
        .collect();
    let status = CaseStatus::parse(&row.status);
    let suggestions = liaison_app::suggestions::public_for_case(&state.app, row.id).await?;
    let handling_days = row.level.as_deref().and_then(Level::parse).map(|l| state.app.deadline_days(l, &row.category));
    Ok(Tracking {
        round: row.round,
        county_code: row.county_code,
        handling_days,
        first_reply_due: row.first_reply_due,
        phone_left: !row.contact_phone.is_empty(),
        tracking_code: TrackingCode::parse(row.tracking_code.as_deref().unwrap_or_default())
            .map(|c| c.display())
            .unwrap_or_default(),
        title: row.title,
        status_label: status.map(|s| s.label()).unwrap_or("").into(),
        awaiting_rating: matches!(status, Some(CaseStatus::Replied | CaseStatus::AnsweredOnSpot)),
        status: row.status,
        category: row.category,
        received_at: row.created_at,
        deadline_on: row.deadline_on,
        public_reply: row.public_reply,
        rating: row.rating,
        merged_into,
        timeline,
        suggestions,
    })
}

pub(crate) fn parse_code(raw: &str) -> Result<TrackingCode, ApiError> {
    TrackingCode::parse(raw).map_err(|e| ApiError::from(e).with_field("tracking_code"))
}

/// Follow a case by its tracking code.
#[utoipa::path(get, path = "/api/v1/public/cases/{tracking_code}", tag = "public", params(("tracking_code" = String, Path)),
    responses((status = 200, body = Tracking), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    client: ClientIp,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Tracking>, ApiError> {
    limit(&state, client, Bucket::Track, 1)?;
    Ok(Json(tracking(&state, &parse_code(&code)?).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SurveyBody {
    /// satisfied, partly or dissatisfied.
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

pub(crate) fn parse_survey(b: &SurveyBody) -> Result<(Rating, String), ApiError> {
    let rating = Rating::parse(&b.rating).filter(|r| *r != Rating::Unrated).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_rating",
            "评价应为 satisfied（满意）、partly（基本满意）或 dissatisfied（不满意）",
        )
        .with_field("rating")
    })?;
    let comment = b.comment.trim();
    if comment.chars().count() > 500 {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "too_long", "评价意见不能超过 500 个字")
            .with_field("comment"));
    }
    liaison_domain::text::check("comment", "评价意见", comment, liaison_domain::text::Lines::Many)?;
    Ok((rating, comment.to_owned()))
}

/// Rate the result. 不满意 the first time (`round` 1) sends the case back for one second
/// handling; after it (`round` 2) every rating, 不满意 included, closes the case.
#[utoipa::path(post, path = "/api/v1/public/cases/{tracking_code}/survey", tag = "public", params(("tracking_code" = String, Path)),
    request_body = SurveyBody, responses((status = 200, body = Tracking), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn survey(
    State(state): State<AppState>,
    client: ClientIp,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<SurveyBody>,
) -> Result<Json<Tracking>, ApiError> {
    limit(&state, client, Bucket::Track, 1)?;
    let code = parse_code(&code)?;
    let (rating, comment) = parse_survey(&b)?;
    casework::survey(&state.app, &code, rating, comment).await?;
    Ok(Json(tracking(&state, &code).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct LookupBody {
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct LookupAnswer {
    /// What happens next, in Chinese. With an SMS provider, the same sentence whether or not the
    /// number wrote; without one, how to get the codes from the station instead.
    pub message: String,
    /// True when the codes are being sent by text message (if the number left any); false when
    /// the platform sends no text messages, and nothing was sent.
    pub texted: bool,
}

/// Recover tracking codes: they are sent by text message to the phone left with the cases, never
/// shown here. Without an SMS provider nothing is sent (200, `texted` false) and the message says
/// to ask the station.
#[utoipa::path(post, path = "/api/v1/public/cases/lookup", tag = "public", request_body = LookupBody,
    responses((status = 202, body = LookupAnswer, description = "a text message will carry the codes, if the number left any"),
        (status = 200, body = LookupAnswer, description = "no SMS provider: nothing sent; ask the station"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    client: ClientIp,
    ApiJson(b): ApiJson<LookupBody>,
) -> Result<(StatusCode, Json<LookupAnswer>), ApiError> {
    limit(&state, client, Bucket::Recover, 1)?;
    let answer = send_codes(&state, &b.phone).await?;
    let status = if answer.texted { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(answer)))
}

pub(crate) async fn send_codes(state: &AppState, raw_phone: &str) -> Result<LookupAnswer, ApiError> {
    let phone = PhoneNumber::parse(raw_phone).map_err(|e| ApiError::from(e).with_field("phone"))?;
    state.limits.spend_phone(phone.as_str())?;
    Ok(match casework::send_codes(&state.app, &phone).await? {
        casework::CodeRequest::Texted => LookupAnswer {
            message: format!(
                "如果号码 {} 留过言，查询码将通过短信发到该号码，请留意查收。几分钟后仍未收到，请联系您留言的联络站。",
                phone.masked()
            ),
            texted: true,
        },
        casework::CodeRequest::NoSms => LookupAnswer { message: NO_SMS_LOOKUP.into(), texted: false },
    })
}

/// What a constituent who lost the code does when the platform sends no text messages.
pub(crate) const NO_SMS_LOOKUP: &str = "本平台未开通短信，查询码无法发到手机。请联系您留言的联络站，说明留言时填写的手机号，工作人员核实后会告诉您查询码。";
