//! The duty register in the pages: a deputy's own register with the form to enter an activity,
//! a deputy's register for their station's staff and the township, and the township's list of
//! entries to confirm.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use liaison_app::receptions::own_deputy;
use liaison_app::register::{self as reg, EntryInput};
use liaison_domain::authz::{self, Action, Scope};
use liaison_domain::register::{DutyKind, EntryStatus};
use serde::Deserialize;

pub(crate) struct EntryLine {
    pub id: i64,
    pub deputy: String,
    pub deputy_name: String,
    pub kind: String,
    pub done_on: String,
    pub place: String,
    pub description: String,
    pub status: String,
    pub status_key: String,
    pub auto: bool,
    pub note: String,
    /// What a confirmed entry scored (“+2 分”), empty otherwise.
    pub points: String,
    /// (hash, is a PDF) of its evidence.
    pub evidence: Vec<(String, bool)>,
}

fn line(e: reg::Entry) -> EntryLine {
    EntryLine {
        kind: DutyKind::parse(&e.kind).map(|k| k.label()).unwrap_or("").into(),
        status: EntryStatus::parse(&e.status).map(|s| s.label()).unwrap_or("").into(),
        status_key: e.status,
        auto: e.source != "manual",
        id: e.id,
        deputy: e.deputy_slug,
        deputy_name: e.deputy_name,
        done_on: e.done_on,
        place: e.place,
        description: e.description,
        note: e.decision_note,
        points: String::new(),
        evidence: vec![],
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct DeputyPage {
    nav: Nav,
    slug: String,
    name: String,
    year: i32,
    entries: Vec<EntryLine>,
    confirmed: usize,
    kinds: Vec<(&'static str, &'static str)>,
    may_decide: bool,
    error: String,
    notice: String,
    v: (String, String, String, String),
    today: String,
    total: i32,
    bars: Vec<super::points::Bar>,
    /// The year's rules as one line.
    rules: String,
}

#[derive(Template)]
#[template(path = "register_pending.html")]
struct PendingPage {
    nav: Nav,
    entries: Vec<EntryLine>,
    /// The deputies of the caller's stations (staff): (slug, name).
    deputies: Vec<(String, String)>,
    may_decide: bool,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    year: Option<i32>,
    done: Option<String>,
}

/// `/register`: a deputy's own register; for the township, the entries to confirm; for station
/// staff, their deputies.
pub async fn home(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    if let Some(me) = own_deputy(&caller.principal).map(str::to_owned) {
        return deputy_page(&state, &caller, &me, q, String::new(), Default::default()).await;
    }
    let may_decide = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, None).is_ok();
    let entries = if may_decide { reg::pending(&state.app, &caller.principal, None).await? } else { vec![] };
    let mut deputies = Vec::new();
    for scope in authz::reach(&caller.principal, Action::CaseWrite) {
        if let Scope::Station(slug) = scope
            && let Some(s) = liaison_app::directory::station(&state.app, slug).await?
        {
            for (d, _) in
                liaison_app::directory::station_deputies(&state.app, liaison_domain::ids::StationId(s.id)).await?
            {
                deputies.push((d.data.slug, d.data.name));
            }
        }
    }
    Ok(render(&PendingPage {
        nav: Nav::for_caller(&caller),
        entries: entries.into_iter().map(line).collect(),
        deputies,
        may_decide,
    })?
    .into_response())
}

/// `/register/{slug}`: one deputy's register.
pub async fn deputy(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    deputy_page(&state, &caller, &slug, q, String::new(), Default::default()).await
}

async fn deputy_page(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    q: PageQuery,
    error: String,
    v: (String, String, String, String),
) -> Result<Response, PageError> {
    let today = state.app.today();
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year());
    let (d, rows) = reg::of_deputy(&state.app, &caller.principal, slug, year).await?;
    let region = liaison_domain::region::RegionCode::parse(&d.data.region_code).map_err(ApiError::internal)?;
    let may_decide = authz::authorize(&caller.principal, Action::OrgWrite, authz::Target::Region(&region)).is_ok()
        && own_deputy(&caller.principal) != Some(slug);
    let scored = liaison_app::points::year_of(&state.app, &d, year).await?;
    let points: std::collections::HashMap<i64, (i32, bool)> =
        scored.entries.iter().map(|(e, s)| (e.id, (s.points, s.capped))).collect();
    let mut entries: Vec<EntryLine> = Vec::with_capacity(rows.len());
    for e in rows {
        let files = reg::evidence_list(&state.app, e.id).await?;
        let scored_as = points.get(&e.id).copied();
        let mut l = line(e);
        if let Some((p, capped)) = scored_as {
            l.points = match (p, capped) {
                (p, true) => format!("{p:+} 分（已达上限）"),
                (0, false) => "不计分".into(),
                (p, false) => format!("{p:+} 分"),
            };
        }
        l.evidence = files.into_iter().map(|(h, m)| (h, m == "application/pdf")).collect();
        entries.push(l);
    }
    let notice = match q.done.as_deref() {
        Some("add") => "已登记，等待乡镇（街道）人大确认；确认后计入履职。",
        Some("decided") => "已处理。",
        Some("evidence") => "证明材料已上传。",
        _ => "",
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let v = if v.0.is_empty() { ("training".into(), today.to_string(), String::new(), String::new()) } else { v };
    let html = render(&DeputyPage {
        nav: Nav::for_caller(caller),
        slug: d.data.slug,
        name: d.data.name,
        year,
        confirmed: entries.iter().filter(|e| e.status_key == "confirmed").count(),
        entries,
        // The system enters closed cases; a deputy does not enter a deduction or a commendation.
        kinds: DutyKind::ALL
            .iter()
            .filter(|k| **k != DutyKind::CaseHandled)
            .filter(|k| may_decide || !matches!(k, DutyKind::Absence | DutyKind::Commendation))
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        total: scored.total,
        bars: super::points::bars(&scored.progress),
        rules: if scored.sets.is_empty() {
            "本年度还没有施行中的积分规则，各项暂不计分。".into()
        } else {
            format!("按{}计分。", scored.sets.iter().map(|s| format!("“{}”", s.name)).collect::<Vec<_>>().join("、"))
        },
        may_decide,
        error,
        notice: notice.into(),
        v,
        today: today.to_string(),
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct EntryForm {
    kind: String,
    done_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    description: String,
}

/// Enters an activity; on a refusal, the register again with what was typed.
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
    PageForm(f): PageForm<EntryForm>,
) -> Result<Response, PageError> {
    let input = EntryInput {
        kind: f.kind.clone(),
        done_on: f.done_on.clone(),
        place: f.place.clone(),
        description: f.description.clone(),
    };
    match reg::add(&state.app, &caller.principal, &slug, input).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/register/{slug}?done=add")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            deputy_page(
                &state,
                &caller,
                &slug,
                PageQuery::default(),
                e.message,
                (f.kind, f.done_on, f.place, f.description),
            )
            .await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    note: String,
    /// Where to go back: the deputy's register or the list.
    #[serde(default)]
    back: String,
}

/// Confirms or rejects an entry, then back.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    reg::decide(&state.app, &caller.principal, id, f.decision == "confirm", &f.note).await?;
    let back = if f.back.starts_with("/register/") && f.back.len() < 80 && !f.back.contains("//") {
        format!("{}?done=decided", f.back)
    } else {
        "/register".to_owned()
    };
    Ok(Redirect::to(&back).into_response())
}

/// Adds a file of evidence (a photo or a PDF) to an entry, then back to the deputy's register.
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let slug = reg::readable(&state.app, &caller.principal, id).await?.deputy_slug;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择文件"))?
    {
        if field.name() == Some("evidence") {
            let bytes = field.bytes().await.map_err(|_| {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "文件过大（PDF 不超过 10 MB）")
            })?;
            file = Some(bytes);
        }
    }
    let result = match file.filter(|b| !b.is_empty()) {
        None => Err("请选择要上传的照片或 PDF 文件".to_owned()),
        Some(bytes) => match reg::check_evidence(&bytes) {
            Err(e) => Err(ApiError::from(e).message),
            Ok(f) => match reg::add_evidence(&state.app, &caller.principal, id, f).await.map_err(ApiError::from) {
                Ok(()) => Ok(()),
                Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => Err(e.message),
                Err(e) => return Err(PageError(e)),
            },
        },
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/register/{slug}?done=evidence")).into_response()),
        Err(m) => deputy_page(&state, &caller, &slug, PageQuery::default(), m, Default::default()).await,
    }
}
