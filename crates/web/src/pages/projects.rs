//! Livelihood projects in the staff pages: `/projects` (民生实事) gathers the nominations to
//! screen, the candidate projects, the candidate lists and the ballots for the office; the
//! projects an agency carries out; the ballots a deputy votes in. Then the forms: a candidate
//! project from nominations, a candidate list, and a project's page with its milestones, progress,
//! the deputies' inspections and questions (问进度) and the owner's answers.

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
use liaison_app::ballots;
use liaison_app::projects::{self, ListInput, MilestoneInput, ProjectInput, UpdateInput};
use liaison_domain::authz::Action;
use liaison_domain::project::{BallotStatus, CongressLevel, NominationChannel, ProjectStatus, UpdateKind, wan_yuan};
use serde::Deserialize;
use std::collections::HashMap;

pub(super) fn status_label(s: &str) -> &'static str {
    ProjectStatus::parse(s).map_or("", |s| s.label())
}

pub(super) fn ballot_status(s: &str) -> &'static str {
    BallotStatus::parse(s).map_or("", |s| s.label())
}

struct NominationRow {
    id: i64,
    title: String,
    place: String,
    content: String,
    channel: &'static str,
    people: i64,
    day: String,
}

struct ProjectRow {
    id: i64,
    year: i64,
    title: String,
    status: &'static str,
    status_code: String,
    cost: String,
    people: i64,
}

struct ListRow {
    id: i64,
    session: String,
    places: i64,
    candidates: usize,
    approved: bool,
    has_ballot: bool,
}

struct BallotRow {
    id: i64,
    title: String,
    status: &'static str,
    held_on: String,
    /// For a deputy: 已投票 / 未投票.
    mine: &'static str,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct HubPage {
    nav: Nav,
    office: bool,
    agency: bool,
    year: i32,
    nominations: Vec<NominationRow>,
    projects: Vec<ProjectRow>,
    lists: Vec<ListRow>,
    ballots: Vec<BallotRow>,
    /// Chosen projects of this year that an evaluation could cover.
    may_evaluate: bool,
    notice: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct Notice {
    done: Option<String>,
}

fn day_of(ms: i64) -> String {
    super::beijing(ms)[..10].to_string()
}

fn project_row(p: projects::Project) -> ProjectRow {
    ProjectRow {
        id: p.id,
        year: p.year,
        status: status_label(&p.status),
        status_code: p.status,
        cost: if p.estimated_cost > 0 { wan_yuan(p.estimated_cost) } else { String::new() },
        people: p.people,
        title: p.title,
    }
}

/// `/projects`
pub async fn hub(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("declined") => "已登记未采纳的理由。",
        Some("list") => "候选名单已拟定，请由另一位工作人员登记主席团审议通过。",
        _ => "",
    };
    hub_page(&state, &caller, notice.into(), String::new()).await
}

async fn hub_page(state: &AppState, caller: &Caller, notice: String, error: String) -> Result<Response, PageError> {
    let app = &state.app;
    let p = &caller.principal;
    let year = app.today().year();
    let office = liaison_app::org::scoped_region(p, Action::OrgWrite, None).is_ok();
    let mut nominations = Vec::new();
    let project_rows: Vec<ProjectRow>;
    let mut agency = false;
    let mut lists = Vec::new();
    let mut ballot_rows = Vec::new();
    if let Ok((_, rows)) = projects::nominations(app, p, None, Some("new")).await {
        nominations = rows
            .into_iter()
            .map(|n| NominationRow {
                id: n.id,
                title: n.title,
                place: n.place,
                content: n.content,
                channel: NominationChannel::parse(&n.channel).map_or("", |c| c.label()),
                people: n.people,
                day: day_of(n.created_at),
            })
            .collect();
    }
    if let Ok((_, rows)) = projects::projects(app, p, None, None).await {
        project_rows = rows.into_iter().map(project_row).collect();
    } else {
        let owned = projects::owned(app, p).await?;
        agency = !owned.is_empty();
        let rows = if owned.is_empty() {
            // A deputy (or station staff) follows the county's decided projects.
            let county = p.account().map(|a| a.county_code.clone()).unwrap_or_default();
            projects::public_projects(app, &county).await?
        } else {
            owned
        };
        project_rows = rows.into_iter().map(project_row).collect();
    }
    let mut with_ballot = Vec::new();
    if let Ok((_, rows)) = ballots::list(app, p, None).await {
        for b in rows {
            if let Some(l) = b.list_id {
                with_ballot.push(l);
            }
            ballot_rows.push(BallotRow {
                id: b.id,
                status: ballot_status(&b.status),
                held_on: b.held_on,
                title: b.title,
                mine: "",
            });
        }
    } else if let Ok(rows) = ballots::mine(app, p).await {
        for (b, voted) in rows {
            ballot_rows.push(BallotRow {
                id: b.id,
                status: ballot_status(&b.status),
                held_on: b.held_on,
                title: b.title,
                mine: if voted.is_empty() { "未投票" } else { "已投票" },
            });
        }
    }
    if let Ok((_, rows)) = projects::lists(app, p, None).await {
        for l in rows {
            let (_, ps) = projects::list(app, p, l.id).await?;
            lists.push(ListRow {
                id: l.id,
                session: l.session,
                places: l.places,
                candidates: ps.len(),
                approved: l.status == "approved",
                has_ballot: with_ballot.contains(&l.id),
            });
        }
    }
    let may_evaluate = office && project_rows.iter().any(|r| r.status_code == "chosen" || r.status_code == "done");
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&HubPage {
        nav: Nav::for_caller(caller),
        office,
        agency,
        year,
        nominations,
        projects: project_rows,
        lists,
        ballots: ballot_rows,
        may_evaluate,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    reason: String,
}

/// `/nominations/{id}/decline`
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<DeclineForm>,
) -> Result<Response, PageError> {
    match projects::decline(&state.app, &caller.principal, id, &f.reason).await.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to("/projects?done=declined").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            hub_page(&state, &caller, String::new(), e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "project_new.html")]
struct NewPage {
    nav: Nav,
    year: i32,
    levels: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    nominations: Vec<NominationRow>,
    v: HashMap<String, String>,
    checked: Vec<String>,
    error: String,
}

impl NewPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
    fn is_checked(&self, id: &i64) -> bool {
        self.checked.iter().any(|c| *c == id.to_string())
    }
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    form: Vec<(String, String)>,
    error: String,
) -> Result<Response, PageError> {
    let region = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, None)?;
    let agencies = liaison_app::directory::agencies_under(&state.app, &region.county_key(), false)
        .await?
        .into_iter()
        .map(|a| (a.data.slug, a.data.name))
        .collect();
    let (_, rows) = projects::nominations(&state.app, &caller.principal, None, Some("new")).await?;
    let nominations = rows
        .into_iter()
        .map(|n| NominationRow {
            id: n.id,
            title: n.title,
            place: n.place,
            content: n.content,
            channel: NominationChannel::parse(&n.channel).map_or("", |c| c.label()),
            people: n.people,
            day: day_of(n.created_at),
        })
        .collect();
    let mut v = HashMap::new();
    let mut checked = Vec::new();
    for (k, val) in form {
        if k == "nomination" {
            checked.push(val);
        } else {
            v.insert(k, val);
        }
    }
    // A township office decides with its township congress by default.
    if !v.contains_key("level") {
        let level = if region.as_str().len() > 6 { "township" } else { "county" };
        v.insert("level".into(), level.into());
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&NewPage {
        nav: Nav::for_caller(caller),
        year: state.app.today().year(),
        levels: CongressLevel::ALL.iter().map(|l| (l.as_str(), l.label())).collect(),
        agencies,
        nominations,
        v,
        checked,
        error,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct FromNomination {
    nomination: Option<i64>,
}

/// `/projects/new`: a candidate project from nominations.
pub async fn new(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FromNomination>,
) -> Result<Response, PageError> {
    let mut form = Vec::new();
    if let Some(id) = q.nomination {
        form.push(("nomination".to_string(), id.to_string()));
        if let Ok((_, rows)) = projects::nominations(&state.app, &caller.principal, None, Some("new")).await
            && let Some(n) = rows.into_iter().find(|n| n.id == id)
        {
            form.push(("title".into(), n.title));
            form.push(("place".into(), n.place));
            form.push(("description".into(), n.content));
        }
    }
    new_page(&state, &caller, form, String::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let i = ProjectInput {
        region: None,
        level: one("level"),
        year: one("year").parse().unwrap_or(0),
        title: one("title"),
        place: one("place"),
        description: one("description"),
        estimated_cost: one("estimated_cost"),
        owner_agency: one("owner_agency"),
        nominations: f.iter().filter(|(k, _)| k == "nomination").filter_map(|(_, v)| v.parse().ok()).collect(),
    };
    match projects::create_project(&state.app, &caller.principal, &i).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}?done=created")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            new_page(&state, &caller, f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "candidate_list_new.html")]
struct ListNewPage {
    nav: Nav,
    year: i32,
    levels: Vec<(&'static str, &'static str)>,
    candidates: Vec<ProjectRow>,
    v: HashMap<String, String>,
    checked: Vec<String>,
    error: String,
}

impl ListNewPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
    fn is_checked(&self, id: &i64) -> bool {
        self.checked.iter().any(|c| *c == id.to_string())
    }
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    form: Vec<(String, String)>,
    error: String,
) -> Result<Response, PageError> {
    let region = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, None)?;
    let (_, rows) = projects::projects(&state.app, &caller.principal, None, None).await?;
    let candidates = rows
        .into_iter()
        .filter(|p| p.status == "candidate" && p.region_code == region.as_str())
        .map(project_row)
        .collect();
    let mut v = HashMap::new();
    let mut checked = Vec::new();
    for (k, val) in form {
        if k == "project" {
            checked.push(val);
        } else {
            v.insert(k, val);
        }
    }
    if !v.contains_key("level") {
        v.insert("level".into(), if region.as_str().len() > 6 { "township" } else { "county" }.into());
    }
    if !v.contains_key("ratio_percent") {
        v.insert("ratio_percent".into(), "70".into());
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&ListNewPage {
        nav: Nav::for_caller(caller),
        year: state.app.today().year(),
        levels: CongressLevel::ALL.iter().map(|l| (l.as_str(), l.label())).collect(),
        candidates,
        v,
        checked,
        error,
    })?;
    Ok((status, html).into_response())
}

/// `/candidate-lists/new`
pub async fn list_new(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    list_page(&state, &caller, Vec::new(), String::new()).await
}

pub async fn list_create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let places: i64 = match one("places").parse() {
        Ok(n) => n,
        Err(_) => return list_page(&state, &caller, f, "名额请填写数字".into()).await,
    };
    let ratio: i64 = match one("ratio_percent").parse() {
        Ok(n) => n,
        Err(_) => return list_page(&state, &caller, f, "差额比例请填写 1 到 99 之间的数字".into()).await,
    };
    let i = ListInput {
        region: None,
        level: one("level"),
        year: one("year").parse().unwrap_or(0),
        session: one("session"),
        places,
        ratio_percent: Some(ratio),
        projects: f.iter().filter(|(k, _)| k == "project").filter_map(|(_, v)| v.parse().ok()).collect(),
    };
    match projects::create_list(&state.app, &caller.principal, &i).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to("/projects?done=list").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            list_page(&state, &caller, f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "candidate_list.html")]
struct ListDetailPage {
    nav: Nav,
    l: projects::CandidateList,
    level: &'static str,
    projects: Vec<ProjectRow>,
    may_approve: bool,
    may_ballot: bool,
    notice: &'static str,
    error: String,
}

/// `/candidate-lists/{id}`
pub async fn list_detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = if q.done.as_deref() == Some("approved") {
        "已登记主席团审议通过，可以据此创建票决。"
    } else {
        ""
    };
    list_detail_page(&state, &caller, id, notice, String::new()).await
}

async fn list_detail_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: &'static str,
    error: String,
) -> Result<Response, PageError> {
    let (l, ps) = projects::list(&state.app, &caller.principal, id).await?;
    let region = liaison_domain::region::RegionCode::parse(&l.region_code).map_err(ApiError::internal)?;
    let office = liaison_domain::authz::authorize(
        &caller.principal,
        Action::OrgWrite,
        liaison_domain::authz::Target::Region(&region),
    )
    .is_ok();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&ListDetailPage {
        nav: Nav::for_caller(caller),
        level: CongressLevel::parse(&l.level).map_or("", |x| x.label()),
        may_approve: office && l.status == "draft" && l.created_by != caller.actor(),
        may_ballot: office && l.status == "approved" && ps.iter().all(|p| p.status == "listed"),
        projects: ps.into_iter().map(project_row).collect(),
        l,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    note: String,
}

/// `/candidate-lists/{id}/approve`
pub async fn list_approve(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<ApproveForm>,
) -> Result<Response, PageError> {
    match projects::approve_list(&state.app, &caller.principal, id, &f.note).await.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/candidate-lists/{id}?done=approved")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            list_detail_page(&state, &caller, id, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

struct UpdateView {
    id: i64,
    kind: &'static str,
    is_question: bool,
    day: String,
    body: String,
    answer: String,
    percent: Option<i64>,
    spent: String,
    deputies: String,
    photos: Vec<i64>,
}

#[derive(Template)]
#[template(path = "project.html")]
struct DetailPage {
    nav: Nav,
    p: projects::Project,
    status: &'static str,
    level: &'static str,
    cost: String,
    owner: String,
    agencies: Vec<(String, String)>,
    deputies: Vec<(String, String)>,
    nominations: Vec<NominationRow>,
    milestones: Vec<(i64, String, String, String, String)>,
    updates: Vec<UpdateView>,
    percent: i64,
    office: bool,
    may_report: bool,
    may_inspect: bool,
    today: String,
    notice: &'static str,
    error: String,
}

/// `/projects/{id}`
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("created") => "候选项目已建立，群众建议已归入。",
        Some("saved") => "已保存。",
        _ => "",
    };
    detail_page(&state, &caller, id, notice, String::new()).await
}

async fn detail_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: &'static str,
    error: String,
) -> Result<Response, PageError> {
    let f = projects::get(&state.app, &caller.principal, id).await?;
    let p = f.project;
    let region = liaison_domain::region::RegionCode::parse(&p.region_code).map_err(ApiError::internal)?;
    let office = liaison_domain::authz::authorize(
        &caller.principal,
        Action::OrgWrite,
        liaison_domain::authz::Target::Region(&region),
    )
    .is_ok();
    let agencies: Vec<(String, String)> = liaison_app::directory::agencies_under(&state.app, &p.county_code, false)
        .await?
        .into_iter()
        .map(|a| (a.data.slug, a.data.name))
        .collect();
    let owner = p
        .owner_agency
        .as_ref()
        .map(|s| agencies.iter().find(|(x, _)| x == s).map_or_else(|| s.clone(), |(_, n)| n.clone()))
        .unwrap_or_default();
    let deputies = if office {
        liaison_app::directory::deputies_under(&state.app, &p.region_code, false)
            .await?
            .into_iter()
            .filter(|d| d.data.levels.split(',').any(|l| l == p.level))
            .map(|d| (d.data.slug, d.data.name))
            .collect()
    } else {
        Vec::new()
    };
    let percent = f.updates.iter().filter_map(|u| u.percent).max().unwrap_or(0);
    let updates = f
        .updates
        .into_iter()
        .map(|u| UpdateView {
            photos: f.photos.iter().filter(|(_, uid)| *uid == u.id).map(|(p, _)| *p).collect(),
            id: u.id,
            kind: UpdateKind::parse(&u.kind).map_or("", |k| k.label()),
            is_question: u.kind == "question",
            day: u.happened_on,
            body: u.body,
            answer: u.answer,
            percent: u.percent,
            spent: u.spent.filter(|s| *s > 0).map(wan_yuan).unwrap_or_default(),
            deputies: u.deputies,
        })
        .collect();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        status: status_label(&p.status),
        level: CongressLevel::parse(&p.level).map_or("", |l| l.label()),
        cost: if p.estimated_cost > 0 { wan_yuan(p.estimated_cost) } else { "未估算".into() },
        owner,
        agencies,
        deputies,
        nominations: f
            .nominations
            .into_iter()
            .map(|n| NominationRow {
                id: n.id,
                title: n.title,
                place: n.place,
                content: n.content,
                channel: NominationChannel::parse(&n.channel).map_or("", |c| c.label()),
                people: n.people,
                day: day_of(n.created_at),
            })
            .collect(),
        milestones: f
            .milestones
            .into_iter()
            .map(|m| {
                let budget = if m.budget > 0 { wan_yuan(m.budget) } else { String::new() };
                (m.id, m.title, m.due_on, budget, m.done_on.unwrap_or_default())
            })
            .collect(),
        updates,
        percent,
        office,
        may_report: f.may_report,
        may_inspect: f.may_inspect,
        today: state.app.today().to_string(),
        p,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

async fn after(state: &AppState, caller: &Caller, id: i64, r: liaison_app::Result<()>) -> Result<Response, PageError> {
    match r.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}?done=saved")).into_response()),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            detail_page(state, caller, id, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct OwnerForm {
    #[serde(default)]
    owner_agency: String,
}

pub async fn set_owner(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<OwnerForm>,
) -> Result<Response, PageError> {
    let r = projects::set_owner(&state.app, &caller.principal, id, &f.owner_agency).await;
    after(&state, &caller, id, r).await
}

#[derive(Deserialize)]
pub struct MilestoneForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    budget: String,
}

pub async fn add_milestone(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<MilestoneForm>,
) -> Result<Response, PageError> {
    let i = MilestoneInput { title: f.title, due_on: f.due_on, budget: f.budget };
    let r = projects::add_milestone(&state.app, &caller.principal, id, &i).await.map(|_| ());
    after(&state, &caller, id, r).await
}

#[derive(Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    done_on: String,
}

pub async fn milestone_done(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((id, mid)): PagePath<(i64, i64)>,
    PageForm(f): PageForm<DoneForm>,
) -> Result<Response, PageError> {
    let r = projects::milestone_done(&state.app, &caller.principal, id, mid, &f.done_on).await;
    after(&state, &caller, id, r).await
}

pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let percent = match one("percent").as_str() {
        "" => None,
        raw => match raw.trim_end_matches('%').parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return detail_page(&state, &caller, id, "", "完成比例请填写 0 到 100 之间的数字".into()).await,
        },
    };
    let i = UpdateInput {
        kind: one("kind"),
        happened_on: one("happened_on"),
        body: one("body"),
        percent,
        spent: one("spent"),
        deputies: f.iter().filter(|(k, _)| k == "deputy").map(|(_, v)| v.clone()).collect(),
    };
    let r = projects::report(&state.app, &caller.principal, id, &i).await.map(|_| ());
    after(&state, &caller, id, r).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((id, uid)): PagePath<(i64, i64)>,
    PageForm(f): PageForm<AnswerForm>,
) -> Result<Response, PageError> {
    let r = projects::answer(&state.app, &caller.principal, id, uid, &f.answer).await;
    after(&state, &caller, id, r).await
}

/// `/projects/{id}/updates/{uid}/photos`: photos of a progress report or an inspection (shrunk in
/// the page where JavaScript runs).
pub async fn add_photos(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((id, uid)): PagePath<(i64, i64)>,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    projects::may_photograph(&state.app, &caller.principal, id).await?;
    let mut outcome: liaison_app::Result<()> = Ok(());
    let mut any = false;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择照片"))?
    {
        if field.name() != Some("photos") {
            continue;
        }
        let bytes = field.bytes().await.map_err(|_| {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "照片过大，请选择小一些的照片")
        })?;
        if bytes.is_empty() {
            continue;
        }
        any = true;
        if let Err(e) = projects::attach_photo(&state.app, &caller.principal, id, uid, bytes.to_vec()).await {
            outcome = Err(e);
            break;
        }
    }
    if !any && outcome.is_ok() {
        return detail_page(&state, &caller, id, "", "请选择要上传的照片".into()).await;
    }
    after(&state, &caller, id, outcome).await
}
