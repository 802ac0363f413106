//! One case as staff see it: its facts, timeline and photos, the steps the viewer may take, and
//! the intake of a case raised in person (reception, visit, WeChat group, phone, 随手拍).

use super::{Nav, beijing, render};
use crate::api::cases::{InboxQuery, StepBody, parse_step};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::PageForm;
use crate::extract::PagePath;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::cases as casework;
use liaison_app::cases::CaseRow;
use liaison_domain::authz::{self, Action, Target};
use liaison_domain::case::{self as loop_, CaseStatus, Channel, Command, Level};
use liaison_domain::ids::CaseId;
use serde::Deserialize;

/// A matter raised at a reception, on a visit, in a WeChat group, by phone, or a 随手拍.
#[derive(Deserialize)]
pub struct IntakeForm {
    channel: String,
    title: String,
    content: String,
    category: Option<String>,
    location: Option<String>,
    region: Option<String>,
    station: Option<String>,
    deputy: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    anonymous: Option<String>,
    publish_consent: Option<String>,
}

pub async fn intake(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<IntakeForm>,
) -> Result<Response, PageError> {
    let n = crate::api::cases::NewCase {
        region: f.region,
        station: f.station,
        deputy: f.deputy,
        channel: f.channel,
        title: f.title,
        content: f.content,
        category: f.category,
        location: f.location,
        contact_name: f.contact_name,
        contact_phone: f.contact_phone,
        anonymous: f.anonymous.is_some(),
        publish_consent: f.publish_consent.is_some(),
    };
    match crate::api::cases::record(&state, &caller, n, None).await {
        Ok((row, _)) => Ok(Redirect::to(&format!("/cases/{}", row.id)).into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let page = super::cases::inbox_page(
                &state,
                &caller,
                "todo".into(),
                InboxQuery { status: Some("received,reopened".into()), ..Default::default() },
                String::new(),
                Some(e.message),
            )
            .await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Nav,
    c: CaseRow,
    status: String,
    channel: String,
    level: String,
    contact_name: String,
    contact_phone: String,
    /// (when, who, what, note, public)
    timeline: Vec<(String, String, String, String, bool)>,
    photos: Vec<String>,
    /// The steps the viewer may take now.
    steps: Vec<&'static str>,
    agencies: Vec<(String, String)>,
    categories: Vec<String>,
    error: Option<String>,
    similar: Vec<crate::api::cases::SimilarBody>,
}

fn allowed_steps(caller: &Caller, row: &CaseRow) -> Vec<&'static str> {
    let Some(loc) = row.location() else { return vec![] };
    let roles = authz::roles_for(&caller.principal, Action::CaseWrite, Target::Case(&loc));
    let status = CaseStatus::parse(&row.status).unwrap_or(CaseStatus::Closed);
    let level = row.level.as_deref().and_then(Level::parse);
    let candidates = [
        ("triage", Command::Triage),
        ("assign", Command::Assign),
        ("urge", Command::Urge),
        ("result", Command::RecordResult),
        ("return", Command::Return),
        ("reply", Command::PublishReply),
        ("answer_on_spot", Command::AnswerOnSpot),
        ("decline", Command::Decline),
        ("merge", Command::Merge),
        ("escalate", Command::Escalate),
    ];
    candidates
        .into_iter()
        .filter(|(_, cmd)| loop_::next(status, row.round as u8, *cmd).is_ok())
        .filter(|(_, cmd)| {
            roles.iter().any(|r| loop_::may(*r, *cmd, if *cmd == Command::Triage { None } else { level }))
        })
        .filter(|(name, _)| !matches!(*name, "result" | "return") || row.agency_ref.is_some())
        .map(|(n, _)| n)
        .collect()
}

async fn case_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let (c, events, photos) = liaison_app::cases::detail(&state.app, &caller.principal, CaseId(id)).await?;
    let timeline = events.into_iter().map(|e| (beijing(e.at), e.actor, e.command, e.note, e.public)).collect();
    let agencies = liaison_app::directory::agencies_under(&state.app, &c.county_code, false)
        .await?
        .into_iter()
        .map(|a| (a.data.slug, a.data.name))
        .collect();
    render(&CasePage {
        nav: Nav::for_caller(caller),
        status: CaseStatus::parse(&c.status).map(|s| s.label()).unwrap_or("").into(),
        channel: Channel::parse(&c.channel).map(|s| s.label()).unwrap_or("").into(),
        level: c.level.as_deref().and_then(Level::parse).map(|l| l.label()).unwrap_or("未定").into(),
        contact_name: if c.anonymous { "匿名".into() } else { casework::mask_name(&c.contact_name) },
        contact_phone: casework::shown_phone(&c.contact_phone, false),
        steps: allowed_steps(caller, &c),
        timeline,
        photos,
        agencies,
        categories: state.settings.categories.clone(),
        error,
        similar: crate::api::cases::similar_cases(state, caller, id).await?,
        c,
    })
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    case_page(&state, &caller, id, None).await
}

/// The step forms post their fields flat; `step` names the step.
#[derive(Deserialize)]
pub struct StepForm {
    step: String,
    level: Option<String>,
    category: Option<String>,
    lead: Option<String>,
    assisting: Option<String>,
    note: Option<String>,
    message: Option<String>,
    result: Option<String>,
    reason: Option<String>,
    reply: Option<String>,
    referral: Option<String>,
    into: Option<String>,
}

fn to_body(f: StepForm) -> Result<StepBody, ApiError> {
    let s = |v: Option<String>| v.unwrap_or_default();
    Ok(match f.step.as_str() {
        "triage" => StepBody::Triage { level: s(f.level), category: f.category, note: s(f.note) },
        "assign" => StepBody::Assign {
            lead: s(f.lead),
            assisting: s(f.assisting)
                .split([',', '，', '、', ' '])
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect(),
            note: s(f.note),
        },
        "urge" => StepBody::Urge { message: s(f.message) },
        "result" => StepBody::Result { result: s(f.result) },
        "return" => StepBody::Return { reason: s(f.reason) },
        "reply" => StepBody::Reply { reply: s(f.reply) },
        "answer_on_spot" => StepBody::AnswerOnSpot { reply: s(f.reply) },
        "decline" => StepBody::Decline { reason: s(f.reason), referral: s(f.referral) },
        "merge" => StepBody::Merge {
            into: s(f.into).trim().trim_start_matches('#').parse().map_err(|_| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_case_id", "请填写要合并到的意见建议编号")
                    .with_field("into")
            })?,
        },
        "escalate" => StepBody::Escalate { note: s(f.note) },
        _ => return Err(ApiError::bad_request("invalid_step", "未知的办理步骤")),
    })
}

pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let result = match to_body(f).and_then(parse_step) {
        Ok(step) => {
            casework::act(&state.app, &caller.principal, CaseId(id), step).await.map(|_| ()).map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let status = e.status;
            Ok((status, case_page(&state, &caller, id, Some(e.message)).await?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}
