//! The constituent's pages: the contact form's submission (with photos) and its tracking code,
//! the tracking page with the public timeline and the satisfaction survey, and recovering codes
//! by phone. No login; rate-limited per address like the API.

use super::public::{self, Head};
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
use liaison_app::notify::SmsKind;
use liaison_app::photos;
use liaison_domain::case::{CaseStatus, Channel, Rating};
use liaison_domain::submission::{RawSubmission, Submission};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_submitted.html")]
struct Submitted {
    nav: Nav,
    head: Head,
    code: String,
    /// The date by which the first answer is due (the first-reply rule), as `2026年3月5日`.
    first_reply_due: String,
    first_reply_days: u32,
    phone_left: bool,
}

/// `2026-03-05` as `2026年3月5日`.
fn chinese_date(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => format!("{}年{}月{}日", d.format("%Y"), d.format("%-m"), d.format("%-d")),
        Err(_) => iso.to_owned(),
    }
}

/// Text without control characters, for showing a refused field again.
fn visible(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).collect()
}

/// The contact form: fields and photos as multipart. A refusal shows the station's or deputy's
/// page again with every typed value kept and each message beside its field.
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
        // The form offers the choice only when text messages go out; unticked, nothing is sent.
        sms_notices: Some(!state.app.sends_sms(SmsKind::Reply)),
    };
    let mut key = None;
    let mut pics = Vec::new();
    let mut photos_sent = false;
    // Every text field as typed, and each refusal as (field, message).
    let mut typed: Vec<(String, String)> = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
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
            if bytes.is_empty() {
                continue;
            }
            photos_sent = true;
            let refused_before = errors.iter().any(|(f, _)| f == "photos");
            if pics.len() >= photos::MAX_PHOTOS {
                if !refused_before {
                    errors.push(("photos".into(), format!("最多上传 {} 张照片", photos::MAX_PHOTOS)));
                }
                continue;
            }
            match photos::clean_blocking(bytes.to_vec()).await {
                Ok(photo) => pics.push(photo),
                Err(e) if !refused_before => errors.push(("photos".into(), format!("第 {} 张：{e}", pics.len() + 1))),
                Err(_) => {}
            }
            continue;
        }
        let text = field.text().await.map_err(|_| bad_upload())?;
        // Multipart bodies pass the request-wide guard unread; check their text here.
        if liaison_domain::text::find_control(&text, liaison_domain::text::Lines::Many).is_some() {
            errors.push((name.clone(), "内容含有不可见的控制字符，请删除后重新提交".into()));
            typed.push((name, visible(&text)));
            continue;
        }
        if name != "idempotency_key" {
            typed.push((name.clone(), text.clone()));
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
            "sms_notices" => p.sms_notices = Some(!text.is_empty()),
            "idempotency_key" => key = casework::check_idempotency_key(Some(&text))?,
            _ => {}
        }
    }
    if !errors.is_empty() {
        // The other fields' messages too, so that one correction is enough.
        let raw = RawSubmission {
            title: &p.title,
            content: &p.content,
            category: p.category.as_deref(),
            location: p.location.as_deref(),
            contact_name: p.contact_name.as_deref(),
            contact_phone: p.contact_phone.as_deref(),
            anonymous: p.anonymous,
        };
        if let Err(more) = Submission::parse(&raw, &state.settings.categories) {
            errors.extend(more.into_iter().map(|e| (e.field.to_owned(), e.message)));
        }
        let r = public::Refused { typed, key, errors, photos_lost: photos_sent };
        return refuse(&state, r, ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "")).await;
    }
    match public_cases::submit(&state, p, Channel::Qr, pics, key.clone()).await {
        // Post, redirect, get: a refresh or the back button does not send it again.
        Ok((row, _)) => {
            let code = liaison_domain::case::TrackingCode::parse(row.tracking_code.as_deref().unwrap_or_default())
                .map(|c| c.display())
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/track/{code}?new=1")).into_response())
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let (errors, key) = if e.code == "idempotency_key_reused" {
                // The page was sent once, then changed (the back button): a new message, once more.
                (
                    vec![(
                        String::new(),
                        "这条留言和您刚才提交的那条不同。确认要再提交一条新的留言，请再点一次“提交”。".to_owned(),
                    )],
                    None,
                )
            } else if e.fields.is_empty() {
                (vec![(e.field.clone().unwrap_or_default(), e.message.clone())], key)
            } else {
                (e.fields.iter().map(|f| (f.field.clone(), f.message.clone())).collect(), key)
            };
            refuse(&state, public::Refused { typed, key, errors, photos_lost: photos_sent }, e).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The form's page again with the refusal (422), or the error page when the form named no
/// station or deputy that exists.
async fn refuse(state: &AppState, r: public::Refused, e: ApiError) -> Result<Response, PageError> {
    let fallback = match r.errors.first() {
        Some((_, m)) if e.message.is_empty() => ApiError { message: m.clone(), ..e },
        _ => e,
    };
    match public::refused_page(state, r).await? {
        Some(html) => Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response()),
        None => Err(fallback.into()),
    }
}

#[derive(Template)]
#[template(path = "public_track.html")]
struct TrackPage {
    nav: Nav,
    head: Head,
    tracking: Option<Tracking>,
    /// (when, what, note)
    timeline: Vec<(String, String, String)>,
    rating_label: String,
    /// What a rating does now, and what happened after the one given.
    rating_hint: String,
    after_rating: Option<String>,
    survey_days: i64,
    view: View,
    /// Whether lost codes can be sent by text message (an SMS provider sends them).
    sms: bool,
}

/// What the page shows besides the case: a refusal or a notice, and what was typed.
#[derive(Default)]
struct View {
    error: Option<String>,
    message: Option<String>,
    code: String,
    phone: String,
    comment: String,
    rating: String,
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

/// How long a second handling takes, in words.
fn second_handling(t: &Tracking) -> String {
    match t.handling_days {
        Some(days) => format!("工作人员将重新研判、交办，承办单位须在交办后 {days} 个工作日内办结并再次答复您"),
        None => "工作人员将重新研判、交办，承办单位按规定期限办结后再次答复您".into(),
    }
}

/// The truth about ratings (domain::case::next): a first 不满意 reopens the case once; after
/// that second handling, every rating closes it.
fn rating_texts(t: &Tracking) -> (String, Option<String>) {
    let status = CaseStatus::parse(&t.status);
    let rating = t.rating.as_deref().and_then(Rating::parse);
    let hint = if t.round < 2 {
        format!(
            "选择“满意”或“基本满意”，本件即办结。选择“不满意”，本件将转回重新办理一次：{}，届时您可以再评价一次。",
            second_handling(t)
        )
    } else {
        "本件已经重新办理过一次。这次无论选择哪一项，本件都将办结，不再转回办理；选择“不满意”会如实记录，计入满意度统计。".into()
    };
    let after = match (status, rating) {
        (Some(CaseStatus::Reopened | CaseStatus::Triaged | CaseStatus::Assigned | CaseStatus::Handled), _)
            if t.round >= 2 =>
        {
            let deadline = if t.deadline_on.is_some() {
                "办理期限见上方"
            } else {
                "办理期限确定后会显示在这里"
            };
            Some(format!("您评价“不满意”后，本件已转回重新办理：{}。{deadline}。", second_handling(t)))
        }
        (Some(CaseStatus::Closed), Some(Rating::Dissatisfied)) => Some(
            "本件已经重新办理过一次，按规定不再转回办理，现已办结；您的“不满意”评价已记录在案，计入满意度统计。".into(),
        ),
        (Some(CaseStatus::Closed), Some(Rating::Satisfied | Rating::Partly)) => {
            Some("感谢您的评价，本件已办结。".into())
        }
        (Some(CaseStatus::Closed), Some(Rating::Unrated)) => Some("答复后超过评价期限未评价，本件已自动办结。".into()),
        _ => None,
    };
    (hint, after)
}

async fn page(state: &AppState, tracking: Option<Tracking>, view: View) -> Result<Html<String>, PageError> {
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
    let county = tracking.as_ref().map(|t| t.county_code.as_str()).unwrap_or("");
    let (title, description) = match &tracking {
        Some(t) => (
            format!("办理进度：{}", t.title),
            format!("查询码 {} 的意见建议办理进度：{}。", t.tracking_code, t.status_label),
        ),
        None => ("办理进度查询".to_owned(), "凭查询码查看意见建议的办理进度，评价办理结果。".to_owned()),
    };
    let head = Head::new(state, county, title, description).await;
    let (rating_hint, after_rating) = match &tracking {
        Some(t) => rating_texts(t),
        None => (String::new(), None),
    };
    let sms = state.app.sends_sms(SmsKind::Code);
    render(&TrackPage {
        nav: Nav::default(),
        head,
        tracking,
        timeline,
        rating_label,
        rating_hint,
        after_rating,
        survey_days: state.settings.survey_days,
        view,
        sms,
    })
}

fn refused(error: String, view: View) -> View {
    View { error: Some(error), ..view }
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    code: Option<String>,
}

/// The lookup form, or a redirect to the code's page.
pub async fn form(State(state): State<AppState>, Query(q): Query<CodeQuery>) -> Result<Response, PageError> {
    match q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(raw) => match public_cases::parse_code(raw) {
            Ok(code) => Ok(Redirect::to(&format!("/track/{}", code.display())).into_response()),
            Err(e) => {
                let view = refused(e.message, View { code: visible(raw), ..View::default() });
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, None, view).await?).into_response())
            }
        },
        None => Ok(page(&state, None, View::default()).await?.into_response()),
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// Set by the contact form's redirect: show the code to keep before the progress.
    new: Option<String>,
}

/// The page after a message was sent: the code to keep, and when the first answer is due.
async fn submitted(state: &AppState, t: Tracking) -> Result<Html<String>, PageError> {
    let head =
        Head::new(state, &t.county_code, "提交成功".into(), "意见建议已提交，凭查询码查看办理进度。".into()).await;
    render(&Submitted {
        nav: Nav::default(),
        head,
        first_reply_due: t.first_reply_due.as_deref().map(chinese_date).unwrap_or_default(),
        first_reply_days: state.settings.first_reply_days,
        phone_left: t.phone_left,
        code: t.tracking_code,
    })
}

pub async fn show(
    State(state): State<AppState>,
    client: ClientIp,
    PagePath(code): PagePath<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    public_cases::limit(&state, client, Bucket::Track, 1)?;
    let typed = View { code: visible(&code), ..View::default() };
    let code = match public_cases::parse_code(&code) {
        Ok(c) => c,
        Err(e) => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, None, refused(e.message, typed)).await?)
                .into_response());
        }
    };
    match public_cases::tracking(&state, &code).await {
        Ok(t) if q.new.is_some() => Ok(submitted(&state, t).await?.into_response()),
        Ok(t) => Ok(page(&state, Some(t), View::default()).await?.into_response()),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            let typed = View { code: code.display(), ..View::default() };
            Ok((StatusCode::NOT_FOUND, page(&state, None, refused(e.message, typed)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The rating. A refusal shows the case again with the choice and the comment kept.
pub async fn survey(
    State(state): State<AppState>,
    client: ClientIp,
    PagePath(code): PagePath<String>,
    PageForm(b): PageForm<SurveyBody>,
) -> Result<Response, PageError> {
    public_cases::limit(&state, client, Bucket::Track, 1)?;
    let code = public_cases::parse_code(&code)?;
    let outcome = match public_cases::parse_survey(&b) {
        Ok((rating, comment)) => casework::survey(&state.app, &code, rating, comment).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/track/{}#pingjia", code.display())).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let view = View { comment: visible(&b.comment), rating: b.rating.clone(), ..View::default() };
            let t = public_cases::tracking(&state, &code).await?;
            Ok((e.status, page(&state, Some(t), refused(e.message, view)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
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
        Ok(answer) => {
            Ok(page(&state, None, View { message: Some(answer.message), ..View::default() }).await?.into_response())
        }
        Err(e) if e.status.is_client_error() => {
            let view = refused(e.message, View { phone: visible(&f.phone), ..View::default() });
            Ok((e.status, page(&state, None, view).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
