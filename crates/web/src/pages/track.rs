//! The constituent's pages: the contact form's submission (with photos) and its tracking code,
//! the tracking page with the public timeline and the satisfaction survey, and recovering codes
//! by phone. No login; rate-limited per address like the API.

use super::{Nav, beijing, render};
use crate::api::public_cases::{self, PublicCase, SurveyBody, Tracking};
use crate::error::{ApiError, PageError};
use crate::extract::PageForm;
use crate::extract::PagePath;
use crate::limits::{Bucket, ClientIp};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::cases as casework;
use liaison_app::photos;
use liaison_domain::case::{Channel, Rating};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_submitted.html")]
struct Submitted {
    nav: Nav,
    code: String,
}

/// The contact form: fields and photos as multipart.
pub async fn contact(
    State(state): State<AppState>,
    client: ClientIp,
    mut form: Multipart,
) -> Result<Response, PageError> {
    public_cases::limit(&state, client, Bucket::Submit, 1)?;
    let mut p = PublicCase {
        deputy: None,
        station: None,
        title: String::new(),
        content: String::new(),
        category: None,
        location: None,
        contact_name: None,
        contact_phone: None,
        anonymous: false,
        publish_consent: false,
    };
    let mut key = None;
    let mut pics = Vec::new();
    let bad_upload = || ApiError::bad_request("invalid_upload", "提交的内容不完整，请返回重新填写");
    while let Some(field) = form.next_field().await.map_err(|_| bad_upload())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photos" {
            let bytes = field.bytes().await.map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "照片过大，每张不能超过 5 MB，合计不超过 40 MB",
                )
            })?;
            if !bytes.is_empty() {
                if pics.len() >= photos::MAX_PHOTOS {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "too_many_photos",
                        "最多上传 9 张照片",
                    )
                    .into());
                }
                pics.push(photos::clean(&bytes)?);
            }
            continue;
        }
        let text = field.text().await.map_err(|_| bad_upload())?;
        // Multipart bodies pass the request-wide guard unread; check their text here.
        if liaison_domain::text::find_control(&text, liaison_domain::text::Lines::Many).is_some() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "control_character",
                "内容含有不可见的控制字符，请删除后重新提交",
            )
            .with_field(name)
            .into());
        }
        match name.as_str() {
            "deputy" => p.deputy = Some(text),
            "station" => p.station = Some(text),
            "title" => p.title = text,
            "content" => p.content = text,
            "category" => p.category = Some(text),
            "location" => p.location = Some(text),
            "contact_name" => p.contact_name = Some(text),
            "contact_phone" => p.contact_phone = Some(text),
            "anonymous" => p.anonymous = !text.is_empty(),
            "publish_consent" => p.publish_consent = !text.is_empty(),
            "idempotency_key" => key = casework::check_idempotency_key(Some(&text))?,
            _ => {}
        }
    }
    let (row, _) = public_cases::submit(&state, p, Channel::Qr, pics, key).await?;
    let code = liaison_domain::case::TrackingCode::parse(row.tracking_code.as_deref().unwrap_or_default())
        .map(|c| c.display())
        .unwrap_or_default();
    Ok(render(&Submitted { nav: Nav::default(), code })?.into_response())
}

#[derive(Template)]
#[template(path = "public_track.html")]
struct TrackPage {
    nav: Nav,
    tracking: Option<Tracking>,
    /// (when, what, note)
    timeline: Vec<(String, String, String)>,
    rating_label: String,
    error: Option<String>,
    message: Option<String>,
}

fn step_label(step: &str, status: &str) -> String {
    match step {
        "receive" => "已接收".into(),
        "triage" => "已受理研判".into(),
        "assign" => "已交办".into(),
        "escalate" => "提级办理".into(),
        "publish_reply" | "answer_on_spot" => "已答复".into(),
        "survey" => "群众评价".into(),
        "close_unrated" => "已办结".into(),
        "decline" => "不予受理".into(),
        "merge" => "已合并".into(),
        "note" => "办理进展".into(),
        _ => status.to_owned(),
    }
}

fn page(tracking: Option<Tracking>, error: Option<String>, message: Option<String>) -> Result<Html<String>, PageError> {
    let timeline = tracking
        .as_ref()
        .map(|t| {
            t.timeline.iter().map(|e| (beijing(e.at), step_label(&e.step, &e.status_label), e.note.clone())).collect()
        })
        .unwrap_or_default();
    let rating_label = tracking
        .as_ref()
        .and_then(|t| t.rating.as_deref())
        .and_then(Rating::parse)
        .map(|r| r.label().to_owned())
        .unwrap_or_default();
    render(&TrackPage { nav: Nav::default(), tracking, timeline, rating_label, error, message })
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    code: Option<String>,
}

/// The lookup form, or a redirect to the code's page.
pub async fn form(Query(q): Query<CodeQuery>) -> Result<Response, PageError> {
    match q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(raw) => match public_cases::parse_code(raw) {
            Ok(code) => Ok(Redirect::to(&format!("/track/{}", code.display())).into_response()),
            Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, page(None, Some(e.message), None)?).into_response()),
        },
        None => Ok(page(None, None, None)?.into_response()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    client: ClientIp,
    PagePath(code): PagePath<String>,
) -> Result<Response, PageError> {
    public_cases::limit(&state, client, Bucket::Track, 1)?;
    let code = match public_cases::parse_code(&code) {
        Ok(c) => c,
        Err(e) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(None, Some(e.message), None)?).into_response()),
    };
    match public_cases::tracking(&state, &code).await {
        Ok(t) => Ok(page(Some(t), None, None)?.into_response()),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            Ok((StatusCode::NOT_FOUND, page(None, Some(e.message), None)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn survey(
    State(state): State<AppState>,
    client: ClientIp,
    PagePath(code): PagePath<String>,
    PageForm(b): PageForm<SurveyBody>,
) -> Result<Response, PageError> {
    public_cases::limit(&state, client, Bucket::Track, 1)?;
    let code = public_cases::parse_code(&code)?;
    let (rating, comment) = public_cases::parse_survey(&b)?;
    casework::survey(&state.app, &code, rating, comment).await?;
    Ok(Redirect::to(&format!("/track/{}", code.display())).into_response())
}

#[derive(Deserialize)]
pub struct PhoneForm {
    phone: String,
}

pub async fn lookup(
    State(state): State<AppState>,
    client: ClientIp,
    PageForm(f): PageForm<PhoneForm>,
) -> Result<Response, PageError> {
    public_cases::limit(&state, client, Bucket::Recover, 1)?;
    match public_cases::send_codes(&state, &f.phone).await {
        Ok(msg) => Ok(page(None, None, Some(msg))?.into_response()),
        Err(e) if e.status.is_client_error() => Ok((e.status, page(None, Some(e.message), None)?).into_response()),
        Err(e) => Err(e.into()),
    }
}
