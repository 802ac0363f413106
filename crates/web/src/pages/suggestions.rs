//! Deputies' formal suggestions in the pages: the list each role works on, the form a deputy (or
//! their station's staff) drafts one on — from a case, on a phone — and a suggestion's page with
//! what the viewer may do next: submit, assign, extend, answer, rate, record a promise kept.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liaison_app::receptions::own_deputy;
use liaison_app::suggestions::{self as sug, Answer, Draft, Row};
use liaison_domain::authz::{self, Action, Scope};
use liaison_domain::case::Rating;
use liaison_domain::suggestion::{AnswerClass, Session, SuggestionStatus};
use serde::Deserialize;
use std::collections::HashMap;

fn number(r: &Row) -> String {
    match (r.year, r.number) {
        (Some(y), Some(n)) => format!("{y} 年第 {n} 号"),
        _ => String::new(),
    }
}

fn status_label(r: &Row) -> &'static str {
    SuggestionStatus::parse(&r.status).map_or("", |s| s.label())
}

struct ListRow {
    id: i64,
    number: String,
    title: String,
    deputy: String,
    status: &'static str,
    due: String,
    overdue: bool,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "suggestions.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<ListRow>,
    may_draft: bool,
}

/// `/suggestions`: the suggestions the caller works on.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let rows = sug::list(&state.app, &caller.principal, None).await?;
    let today = state.app.today().to_string();
    let may_draft = own_deputy(&caller.principal).is_some() || !station_deputies(&state, &caller).await?.is_empty();
    Ok(render(&ListPage {
        nav: Nav::for_caller(&caller),
        rows: rows
            .into_iter()
            .map(|r| ListRow {
                id: r.id,
                number: number(&r),
                status: status_label(&r),
                overdue: matches!(r.status.as_str(), "assigned" | "reopened")
                    && r.due_on.as_deref().is_some_and(|d| d < today.as_str()),
                due: if matches!(r.status.as_str(), "assigned" | "reopened") {
                    r.due_on.clone().unwrap_or_default()
                } else {
                    String::new()
                },
                class: r.answer_class.as_deref().and_then(AnswerClass::parse).map_or("", |c| c.label()),
                title: r.title,
                deputy: r.deputy_name,
            })
            .collect(),
        may_draft,
    })?
    .into_response())
}

/// The deputies of the caller's stations (station staff): (slug, name).
pub(super) async fn station_deputies(state: &AppState, caller: &Caller) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    for scope in authz::reach(&caller.principal, Action::CaseWrite) {
        if let Scope::Station(slug) = scope
            && let Some(s) = liaison_app::directory::station(&state.app, slug).await?
        {
            for (d, _) in
                liaison_app::directory::station_deputies(&state.app, liaison_domain::ids::StationId(s.id)).await?
            {
                if !out.iter().any(|(x, _): &(String, String)| *x == d.data.slug) {
                    out.push((d.data.slug, d.data.name));
                }
            }
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "suggestion_new.html")]
struct NewPage {
    nav: Nav,
    /// The deputy it is drafted for, or empty when staff must choose.
    deputy: String,
    deputy_name: String,
    /// Staff: the deputies they may draft for.
    deputies: Vec<(String, String)>,
    /// (id, title) of the case it comes from.
    case: Option<(i64, String)>,
    /// (slug, name, levels, checked) of the deputies of the same stations.
    cosigners: Vec<(String, String, String, bool)>,
    /// (code, label) of the congresses the deputy may put it to.
    levels: Vec<(&'static str, &'static str)>,
    v: HashMap<String, String>,
    error: String,
}

impl NewPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    case: Option<i64>,
    deputy: Option<String>,
}

/// `/suggestions/new`: the draft form, from a case (`?case=`) or from nothing.
pub async fn new(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let office = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, None).is_ok();
    if own_deputy(&caller.principal).is_none() && !office && station_deputies(&state, &caller).await?.is_empty() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "代表建议由代表本人或联络站工作人员起草").into());
    }
    new_page(&state, &caller, q.case, q.deputy, HashMap::new(), String::new()).await
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    case: Option<i64>,
    deputy: Option<String>,
    mut v: HashMap<String, String>,
    error: String,
) -> Result<Response, PageError> {
    let case = match case {
        Some(id) => {
            Some(liaison_app::cases::readable(&state.app, &caller.principal, liaison_domain::ids::CaseId(id)).await?)
        }
        None => None,
    };
    let deputies = station_deputies(state, caller).await?;
    let slug = own_deputy(&caller.principal)
        .map(str::to_owned)
        .or(deputy.filter(|d| !d.is_empty()))
        .or_else(|| case.as_ref().and_then(|c| c.deputy_ref.clone()));
    let d = match &slug {
        Some(s) => liaison_app::directory::deputy(&state.app, s).await?,
        None => None,
    };
    // The deputies of the same stations, of a congress the deputy sits in, may co-sign.
    let mut cosigners = Vec::new();
    let mut levels = Vec::new();
    if let Some(d) = &d {
        let stations = liaison_app::directory::deputy_stations(&state.app, liaison_domain::ids::DeputyId(d.id)).await?;
        for (s, _) in stations {
            for (c, _) in
                liaison_app::directory::station_deputies(&state.app, liaison_domain::ids::StationId(s.id)).await?
            {
                if c.id != d.id
                    && !cosigners.iter().any(|(x, _, _, _): &(String, String, String, bool)| *x == c.data.slug)
                {
                    let checked = v.contains_key(&format!("co_{}", c.data.slug));
                    let levels = c
                        .data
                        .levels
                        .split(',')
                        .filter_map(|l| match l {
                            "county" => Some("县"),
                            "township" => Some("乡镇"),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join("、");
                    cosigners.push((c.data.slug, c.data.name, levels, checked));
                }
            }
        }
        for (code, label) in [("county", "县（区）人民代表大会"), ("township", "乡镇人民代表大会")] {
            if d.data.levels.split(',').any(|l| l == code) {
                levels.push((code, label));
            }
        }
    }
    if v.is_empty()
        && let Some(c) = &case
    {
        v.insert("title".into(), format!("关于{}的建议", c.title));
        v.insert("content".into(), format!("群众反映：{}\n\n建议：", c.content));
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&NewPage {
        nav: Nav::for_caller(caller),
        deputy: d.as_ref().map(|d| d.data.slug.clone()).unwrap_or_default(),
        deputy_name: d.as_ref().map(|d| d.data.name.clone()).unwrap_or_default(),
        deputies,
        case: case.map(|c| (c.id, c.title)),
        cosigners,
        levels,
        v,
        error,
    })?;
    Ok((status, html).into_response())
}

/// Saves a draft (and submits it when asked); on a refusal, the form again as typed.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let deputy = get("deputy");
    let case: Option<i64> = get("case").parse().ok();
    let draft = Draft {
        title: get("title"),
        content: get("content"),
        session: get("session"),
        level: get("level"),
        cases: case.into_iter().collect(),
        cosigners: f.keys().filter_map(|k| k.strip_prefix("co_").map(str::to_owned)).collect(),
    };
    let result = async {
        let id = sug::draft(&state.app, &caller.principal, &deputy, draft).await?;
        if get("then") == "submit" {
            sug::submit(&state.app, &caller.principal, id).await?;
        }
        Ok::<_, liaison_app::Error>(id)
    }
    .await;
    match result.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!(
            "/suggestions/{id}?done={}",
            if get("then") == "submit" { "submitted" } else { "drafted" }
        ))
        .into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            new_page(&state, &caller, case, Some(deputy), f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "suggestion.html")]
struct DetailPage {
    nav: Nav,
    s: Row,
    number: String,
    status: &'static str,
    session: &'static str,
    class: &'static str,
    rating: &'static str,
    lead_name: String,
    assist_names: Vec<String>,
    parts: sug::Parts,
    /// (when, who, what, note)
    timeline: Vec<(String, String, String, String)>,
    may_submit: bool,
    may_assign: bool,
    may_extend: bool,
    may_answer: bool,
    may_rate: bool,
    may_keep: bool,
    agencies: Vec<(String, String)>,
    latest: String,
    today: String,
    notice: &'static str,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    done: Option<String>,
}

/// `/suggestions/{id}`
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("drafted") => "草稿已保存，确认无误后请提交。",
        Some("submitted") => "已提交，等待人大办公室交办；已计入履职登记。",
        Some("assigned") => "已交办，承办单位须在三个月内答复。",
        Some("extended") => "已延期。",
        Some("answered") => "已答复，等待代表评价。",
        Some("rated") => "评价已提交。",
        Some("kept") => "已登记承诺兑现。",
        Some("document") => "答复文件已上传。",
        _ => "",
    };
    detail_page(&state, &caller, id, notice, String::new()).await
}

fn action_label(a: &str) -> &'static str {
    match a {
        "draft" => "起草",
        "submit" => "提交",
        "assign" => "交办",
        "extend" => "延期",
        "answer" => "答复",
        "document" => "上传答复文件",
        "rate" => "代表评价",
        "promise_kept" => "B类承诺兑现",
        "warn" => "系统提醒",
        _ => "",
    }
}

async fn detail_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: &'static str,
    error: String,
) -> Result<Response, PageError> {
    let s = sug::get(&state.app, &caller.principal, id).await?;
    let parts = sug::parts(&state.app, &caller.principal, id).await?;
    let p = &caller.principal;
    let status = SuggestionStatus::parse(&s.status);
    let office_code =
        if s.level == "township" { liaison_app::points::township_of(&s.region_code) } else { s.county_code.as_str() };
    let office = liaison_domain::region::RegionCode::parse(office_code).map_err(ApiError::internal)?;
    let is_office = authz::authorize(p, Action::OrgWrite, authz::Target::Region(&office)).is_ok();
    let lead = authz::reach(p, Action::CaseWrite)
        .iter()
        .any(|sc| matches!(sc, Scope::Agency(a) if Some(a.as_str()) == s.lead_agency.as_deref()));
    let handles = is_office || lead;
    let own = own_deputy(p) == Some(s.deputy_slug.as_str());
    let staff = station_deputies(state, caller).await?.iter().any(|(d, _)| *d == s.deputy_slug);
    let agencies: Vec<(String, String)> = liaison_app::directory::agencies_under(&state.app, &s.county_code, false)
        .await?
        .into_iter()
        .map(|a| (a.data.slug, a.data.name))
        .collect();
    let name_of = |slug: &str| {
        agencies.iter().find(|(x, _)| x == slug).map(|(_, n)| n.clone()).unwrap_or_else(|| slug.to_string())
    };
    let assigned = s.assigned_on.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let actor_names = parts.events.iter().map(|(_, a, _, _)| a.clone()).collect::<Vec<_>>();
    let mut names = HashMap::new();
    for a in actor_names {
        if !names.contains_key(&a) {
            names.insert(a.clone(), liaison_app::accounts::display_name(&state.app, &a).await?);
        }
    }
    let timeline = parts
        .events
        .iter()
        .map(|(at, actor, action, note)| {
            (
                super::beijing(*at),
                names.get(actor).cloned().unwrap_or_default(),
                action_label(action).to_string(),
                note.clone(),
            )
        })
        .collect();
    let status_code = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        number: number(&s),
        status: status.map_or("", |x| x.label()),
        session: Session::parse(&s.session).map_or("", |x| x.label()),
        class: s.answer_class.as_deref().and_then(AnswerClass::parse).map_or("", |c| c.label()),
        rating: s.rating.as_deref().and_then(Rating::parse).map_or("", |r| r.label()),
        lead_name: s.lead_agency.as_deref().map(&name_of).unwrap_or_default(),
        assist_names: s.assist_agencies.split(',').filter(|x| !x.is_empty()).map(&name_of).collect(),
        may_submit: status == Some(SuggestionStatus::Draft) && (own || staff || is_office),
        may_assign: status == Some(SuggestionStatus::Submitted) && is_office,
        may_extend: status == Some(SuggestionStatus::Assigned) && handles && !s.extended,
        may_answer: matches!(status, Some(SuggestionStatus::Assigned | SuggestionStatus::Reopened)) && handles,
        may_rate: status == Some(SuggestionStatus::Answered) && own,
        may_keep: s.answer_class.as_deref() == Some("b") && s.promise_kept_on.is_none() && handles,
        latest: assigned.map(|a| liaison_domain::suggestion::latest_due(a).to_string()).unwrap_or_default(),
        today: state.app.today().to_string(),
        agencies,
        parts,
        timeline,
        notice,
        error,
        s,
    })?;
    Ok((status_code, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    decision: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    assist: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    promised_on: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// One step on a suggestion, then back to its page.
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // Read by hand: the assisting agencies come as one field each.
    let mut f = ActForm::default();
    let mut assist = Vec::new();
    for (k, v) in fields {
        match k.as_str() {
            "decision" => f.decision = v,
            "lead" => f.lead = v,
            "assist" => assist.push(v),
            "to" => f.to = v,
            "reason" => f.reason = v,
            "class" => f.class = v,
            "answer" => f.answer = v,
            "promised_on" => f.promised_on = v,
            "rating" => f.rating = v,
            "comment" => f.comment = v,
            _ => {}
        }
    }
    f.assist = assist.join(",");
    let p = &caller.principal;
    let app = &state.app;
    let result = match f.decision.as_str() {
        "submit" => sug::submit(app, p, id).await.map(|_| "submitted"),
        "assign" => {
            let assist: Vec<String> = f.assist.split([',', '，', ' ']).map(str::to_owned).collect();
            sug::assign(app, p, id, &f.lead, &assist).await.map(|_| "assigned")
        }
        "extend" => sug::extend(app, p, id, &f.to, &f.reason).await.map(|_| "extended"),
        "answer" => sug::answer(app, p, id, Answer { class: f.class, answer: f.answer, promised_on: f.promised_on })
            .await
            .map(|_| "answered"),
        "rate" => sug::rate(app, p, id, &f.rating, &f.comment).await.map(|_| "rated"),
        "keep" => sug::keep_promise(app, p, id, &f.comment).await.map(|_| "kept"),
        _ => Err(liaison_app::Error::invalid("invalid_decision", "未知的操作")),
    };
    match result.map_err(ApiError::from) {
        Ok(done) => Ok(Redirect::to(&format!("/suggestions/{id}?done={done}")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            detail_page(&state, &caller, id, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Uploads the answer's document (multipart field `document`).
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    sug::may_handle(&state.app, &caller.principal, id).await?;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择文件"))?
    {
        if field.name() == Some("document") {
            file = Some(field.bytes().await.map_err(|_| {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "文件过大（PDF 不超过 10 MB）")
            })?);
        }
    }
    let result = match file.filter(|b| !b.is_empty()) {
        None => Err(liaison_app::Error::invalid("required", "请选择答复文件（PDF 或照片）")),
        Some(bytes) => match liaison_app::register::check_evidence(&bytes) {
            Err(e) => Err(e),
            Ok(f) => sug::attach_document(&state.app, &caller.principal, id, f).await,
        },
    };
    match result.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/suggestions/{id}?done=document")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            detail_page(&state, &caller, id, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}
