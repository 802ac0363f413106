//! The ballot in the staff pages: creating one from an approved list (or a year's evaluation),
//! and its page, which shows each person the step that is theirs — a trustee's key (shown once),
//! the keepers' credential slips (printed once), the two approvals, a deputy's vote with the
//! receipt, the tellers' paper ballots, closing, the trustees' shares — and the result.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liaison_app::ballots::{self, BallotInput};
use liaison_domain::authz::Action;
use liaison_domain::project::{BallotMethod, TieRule, wan_yuan};
use serde::Deserialize;
use std::collections::HashMap;

fn no_store(html: axum::response::Html<String>) -> Response {
    let mut r = html.into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// China time of a millisecond timestamp, `YYYY-MM-DD HH:MM`.
pub(super) fn china_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "ballot_new.html")]
struct NewPage {
    nav: Nav,
    /// The list's session, or the evaluation's year.
    subject: String,
    list: Option<i64>,
    evaluate: Option<i64>,
    /// (value, label) of the methods offered.
    methods: Vec<(&'static str, &'static str)>,
    ties: Vec<(&'static str, &'static str)>,
    /// (username, name, role) of the accounts that may be trustees.
    accounts: Vec<(String, String, &'static str)>,
    today: String,
    v: HashMap<String, String>,
    checked: Vec<String>,
    error: String,
}

impl NewPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
    fn is_checked(&self, u: &str) -> bool {
        self.checked.iter().any(|c| c == u)
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    list: Option<i64>,
    evaluate: Option<i64>,
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    q: NewQuery,
    form: Vec<(String, String)>,
    error: String,
) -> Result<Response, PageError> {
    let region = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, None)?;
    let (subject, methods) = match (q.list, q.evaluate) {
        (Some(id), _) => {
            let (l, ps) = liaison_app::projects::list(&state.app, &caller.principal, id).await?;
            (
                format!("{}（{} 个候选项目，{} 个名额）", l.session, ps.len(), l.places),
                vec![BallotMethod::Choose, BallotMethod::Each],
            )
        }
        (None, Some(y)) => (format!("{y} 年票决确定的民生实事项目"), vec![BallotMethod::Evaluate]),
        _ => return Err(ApiError::not_found().into()),
    };
    let accounts = liaison_app::accounts::list(&state.app, &region.county_key())
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.county_code == region.county_key())
        .filter_map(|u| {
            let role = u.grants.iter().map(|g| g.role).find(|r| ballots::may_be_trustee(*r))?.label();
            Some((u.username, u.display_name, role))
        })
        .collect();
    let mut v = HashMap::new();
    let mut checked = Vec::new();
    for (k, val) in form {
        if k == "trustee" {
            checked.push(val);
        } else {
            v.insert(k, val);
        }
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&NewPage {
        nav: Nav::for_caller(caller),
        subject,
        list: q.list,
        evaluate: q.evaluate,
        methods: methods.iter().map(|m| (m.as_str(), m.label())).collect(),
        ties: TieRule::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        accounts,
        today: state.app.today().to_string(),
        v,
        checked,
        error,
    })?;
    Ok((status, html).into_response())
}

/// `/ballots/new?list=ID` or `?evaluate=YEAR`
pub async fn new(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    new_page(&state, &caller, q, Vec::new(), String::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let list = one("list").parse::<i64>().ok();
    let evaluate = one("evaluate").parse::<i64>().ok();
    let i = BallotInput {
        method: one("method"),
        list,
        region: None,
        year: evaluate,
        title: one("title"),
        tie_rule: one("tie_rule"),
        held_on: one("held_on"),
        closes_at: format!("{} {}", one("closes_on"), one("closes_time")),
        trustees: f.iter().filter(|(k, _)| k == "trustee").map(|(_, v)| v.clone()).collect(),
    };
    match ballots::create(&state.app, &caller.principal, &i).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/ballots/{id}?done=created")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            new_page(&state, &caller, NewQuery { list, evaluate }, f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A question of the ballot as the vote form shows it.
struct QuestionView {
    /// Field name.
    name: String,
    title: String,
    /// (index, label).
    options: Vec<(usize, String)>,
}

pub(super) struct ResultRow {
    pub title: String,
    /// The votes per option, as text.
    pub figures: String,
    /// Width of the bar in percent of the ballots cast.
    pub bar: u64,
    pub chosen: bool,
    pub undecided: bool,
}

#[derive(Template)]
#[template(path = "ballot.html")]
struct DetailPage {
    nav: Nav,
    b: ballots::Ballot,
    method: &'static str,
    method_code: String,
    tie: &'static str,
    closes: String,
    /// (title, place, cost, people).
    projects: Vec<(String, String, String, i64)>,
    /// (name, has key, has share).
    trustees: Vec<(String, bool, bool)>,
    approvals: usize,
    cast: usize,
    office: bool,
    issued: bool,
    /// The caller's trustee seat: (has key, has share).
    trustee: Option<(bool, bool)>,
    my_vote: Option<String>,
    questions: Vec<QuestionView>,
    results: Vec<ResultRow>,
    /// Deputies of the electorate not yet voted: (slug, name), for the tellers.
    not_voted: Vec<(String, String)>,
    notice: &'static str,
    error: String,
    status: &'static str,
    /// The form as typed, kept on a refusal.
    v: Vec<(String, String)>,
}

impl DetailPage {
    fn val(&self, key: &str) -> &str {
        self.v.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
    }
    fn kept(&self, name: &str, i: &usize) -> bool {
        self.v.iter().any(|(k, v)| k == name && *v == i.to_string())
    }
    fn answered(&self, name: &str) -> bool {
        self.v.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

#[derive(Deserialize, Default)]
pub struct Notice {
    done: Option<String>,
}

/// `/ballots/{id}`
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("created") => "票决已创建。下一步：各位计票人生成计票密钥，两位保管人发放投票凭证。",
        Some("approved") => "已同意开始投票。",
        Some("opened") => "两人已同意，投票已经开始。",
        Some("paper") => "已登记。",
        Some("closed") => "投票已截止，投票箱已封存。请各位计票人提交解密份额。",
        Some("share") => "已提交解密份额。",
        Some("tallied") => "全部计票人已提交解密份额，结果已公布。",
        _ => "",
    };
    detail_page(&state, &caller, id, notice, String::new(), Vec::new()).await
}

fn questions_of(f: &ballots::Full) -> Vec<QuestionView> {
    let titles: Vec<String> = f.projects.iter().map(|p| p.1.clone()).collect();
    match f.ballot.method.as_str() {
        "choose" => vec![QuestionView {
            name: "q0".into(),
            title: format!("请在下列项目中最多选择 {} 项", f.ballot.places),
            options: titles.into_iter().enumerate().collect(),
        }],
        "each" => titles
            .into_iter()
            .enumerate()
            .map(|(i, t)| QuestionView {
                name: format!("q{i}"),
                title: t,
                options: vec![(0, "赞成".into()), (1, "反对".into())],
            })
            .collect(),
        _ => titles
            .into_iter()
            .enumerate()
            .map(|(i, t)| QuestionView {
                name: format!("q{i}"),
                title: t,
                options: vec![(0, "满意".into()), (1, "基本满意".into()), (2, "不满意".into())],
            })
            .collect(),
    }
}

pub(super) fn results_of(method: &str, titles: &[String], o: &liaison_app::ballots::Outcome) -> Vec<ResultRowPub> {
    let cast = o.cast.max(1);
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (figures, score) = match method {
                "choose" => (format!("{} 票", o.counts[0][i]), o.counts[0][i]),
                "each" => {
                    let (y, n) = (o.counts[i][0], o.counts[i][1]);
                    (format!("赞成 {y}，反对 {n}，弃权 {}", o.cast - y - n), y)
                }
                _ => {
                    let r = &o.counts[i];
                    (format!("满意 {}，基本满意 {}，不满意 {}", r[0], r[1], r[2]), r[0] + r[1])
                }
            };
            ResultRowPub {
                title: t.clone(),
                figures,
                bar: score * 100 / cast,
                chosen: o.chosen.contains(&(i as u32)),
                undecided: o.undecided.contains(&(i as u32)),
            }
        })
        .collect()
}

pub(super) type ResultRowPub = ResultRow;

async fn detail_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    notice: &'static str,
    error: String,
    form: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let f = ballots::get(&state.app, &caller.principal, id).await?;
    let titles: Vec<String> = f.projects.iter().map(|p| p.1.clone()).collect();
    let results = f.outcome.as_ref().map(|o| results_of(&f.ballot.method, &titles, o)).unwrap_or_default();
    let electorate = if f.is_office && matches!(f.ballot.status.as_str(), "setup" | "open") {
        ballots::electorate(&state.app, &caller.principal, id).await?
    } else {
        Vec::new()
    };
    let not_voted: Vec<(String, String)> = electorate
        .iter()
        .filter(|(_, _, voted)| voted.is_empty())
        .map(|(slug, name, _)| (slug.clone(), name.clone()))
        .collect();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        method: BallotMethod::parse(&f.ballot.method).map_or("", |m| m.label()),
        method_code: f.ballot.method.clone(),
        tie: TieRule::parse(&f.ballot.tie_rule).map_or("", |t| t.label()),
        closes: china_time(f.ballot.closes_at),
        questions: questions_of(&f),
        projects: f
            .projects
            .iter()
            .map(|(_, t, place, cost, people)| {
                (t.clone(), place.clone(), if *cost > 0 { wan_yuan(*cost) } else { String::new() }, *people)
            })
            .collect(),
        trustees: f
            .trustees
            .iter()
            .map(|t| (t.display_name.clone(), t.public_key.is_some(), t.share.is_some()))
            .collect(),
        approvals: f.approvals.len(),
        cast: f.cast,
        office: f.is_office,
        issued: f.ballot.credential_commitment.is_some(),
        trustee: f.my_trustee.as_ref().map(|t| (t.public_key.is_some(), t.share.is_some())),
        my_vote: f.my_vote.clone(),
        results,
        not_voted,
        status: super::projects::ballot_status(&f.ballot.status),
        b: f.ballot,
        notice,
        error,
        v: form,
    })?;
    Ok((status, html).into_response())
}

async fn after(
    state: &AppState,
    caller: &Caller,
    id: i64,
    done: &str,
    r: liaison_app::Result<()>,
) -> Result<Response, PageError> {
    match r.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/ballots/{id}?done={done}")).into_response()),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            detail_page(state, caller, id, "", e.message, Vec::new()).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "ballot_secret.html")]
struct SecretPage {
    nav: Nav,
    id: i64,
    title: String,
    key: String,
    slips: Vec<ballots::Slip>,
    half_a: String,
    half_b: String,
    keeper_a: String,
    keeper_b: String,
    /// For each slip, the QR code (an SVG) of the voting page with the code in its fragment.
    qr: Vec<String>,
}

/// `/ballots/{id}/trustee-key`: the trustee's key, shown once.
pub async fn trustee_key(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    match ballots::trustee_key(&state.app, &caller.principal, id).await.map_err(ApiError::from) {
        Ok(key) => {
            let b = ballots::get(&state.app, &caller.principal, id).await?;
            Ok(no_store(render(&SecretPage {
                nav: Nav::for_caller(&caller),
                id,
                title: b.ballot.title,
                key,
                slips: Vec::new(),
                half_a: String::new(),
                half_b: String::new(),
                keeper_a: String::new(),
                keeper_b: String::new(),
                qr: Vec::new(),
            })?))
        }
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            detail_page(&state, &caller, id, "", e.message, Vec::new()).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct KeeperForm {
    #[serde(default)]
    keeper: String,
    #[serde(default)]
    keeper_password: String,
}

/// `/ballots/{id}/credentials`: the slips and the keepers' halves, shown once.
pub async fn credentials(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<KeeperForm>,
) -> Result<Response, PageError> {
    match ballots::issue_credentials(&state.app, &caller.principal, id, &f.keeper, &f.keeper_password)
        .await
        .map_err(ApiError::from)
    {
        Ok(i) => {
            let b = ballots::get(&state.app, &caller.principal, id).await?;
            let qr = i
                .slips
                .iter()
                .map(|s| crate::qr::svg(&format!("{}/ballots/{id}#{}", state.settings.public_url, s.code)))
                .collect();
            let keeper_a = liaison_app::accounts::display_name(&state.app, &i.keeper_a).await?;
            let keeper_b = liaison_app::accounts::display_name(&state.app, &i.keeper_b).await?;
            Ok(no_store(render(&SecretPage {
                nav: Nav::for_caller(&caller),
                id,
                title: b.ballot.title,
                key: String::new(),
                slips: i.slips,
                half_a: i.half_a,
                half_b: i.half_b,
                keeper_a,
                keeper_b,
                qr,
            })?))
        }
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            let form = vec![("keeper".to_string(), f.keeper)];
            detail_page(&state, &caller, id, "", e.message, form).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct ReprintForm {
    #[serde(default)]
    half_a: String,
    #[serde(default)]
    half_b: String,
    #[serde(default)]
    deputy: String,
}

/// `/ballots/{id}/reprint`: a lost slip, from both keepers' halves.
pub async fn reprint(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<ReprintForm>,
) -> Result<Response, PageError> {
    match ballots::reprint(&state.app, &caller.principal, id, &f.half_a, &f.half_b, f.deputy.trim())
        .await
        .map_err(ApiError::from)
    {
        Ok(slips) => {
            let b = ballots::get(&state.app, &caller.principal, id).await?;
            let qr = slips
                .iter()
                .map(|s| crate::qr::svg(&format!("{}/ballots/{id}#{}", state.settings.public_url, s.code)))
                .collect();
            Ok(no_store(render(&SecretPage {
                nav: Nav::for_caller(&caller),
                id,
                title: b.ballot.title,
                key: String::new(),
                slips,
                half_a: String::new(),
                half_b: String::new(),
                keeper_a: String::new(),
                keeper_b: String::new(),
                qr,
            })?))
        }
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            let form = vec![("deputy".to_string(), f.deputy)];
            detail_page(&state, &caller, id, "", e.message, form).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `/ballots/{id}/approve`
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    match ballots::approve(&state.app, &caller.principal, id).await.map_err(ApiError::from) {
        Ok(opened) => {
            Ok(Redirect::to(&format!("/ballots/{id}?done={}", if opened { "opened" } else { "approved" }))
                .into_response())
        }
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            detail_page(&state, &caller, id, "", e.message, Vec::new()).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// The chosen options per question from a vote form (`q0`, `q1`… each one or more indices).
fn choices_of(f: &[(String, String)], questions: usize) -> Vec<Vec<u32>> {
    (0..questions)
        .map(|i| {
            let name = format!("q{i}");
            f.iter().filter(|(k, _)| *k == name).filter_map(|(_, v)| v.parse().ok()).collect()
        })
        .collect()
}

#[derive(Template)]
#[template(path = "ballot_receipt.html")]
struct ReceiptPage {
    nav: Nav,
    id: i64,
    title: String,
    tracker: String,
    paper: bool,
}

fn question_count(b: &ballots::Full) -> usize {
    if b.ballot.method == "choose" { 1 } else { b.projects.len() }
}

/// `/ballots/{id}/vote`: a deputy's ballot; the receipt on success.
pub async fn vote(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    ballots::may_vote(&state.app, &caller.principal, id).await?;
    let full = ballots::get(&state.app, &caller.principal, id).await?;
    let code = f.iter().find(|(k, _)| k == "credential").map(|(_, v)| v.clone()).unwrap_or_default();
    let choices = choices_of(&f, question_count(&full));
    match ballots::cast(&state.app, &caller.principal, id, &code, &choices).await.map_err(ApiError::from) {
        Ok(r) => Ok(no_store(render(&ReceiptPage {
            nav: Nav::for_caller(&caller),
            id,
            title: full.ballot.title,
            tracker: r.tracker,
            paper: false,
        })?)),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            // The choices are kept; the code is not put back in the page.
            let kept = f.into_iter().filter(|(k, _)| k != "credential" && k != "csrf_token").collect();
            detail_page(&state, &caller, id, "", e.message, kept).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `/ballots/{id}/paper-voters`: the tellers record who took a paper ballot.
pub async fn paper_voters(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let deputies: Vec<String> = f.iter().filter(|(k, _)| k == "deputy").map(|(_, v)| v.clone()).collect();
    let r = ballots::paper_voters(&state.app, &caller.principal, id, &deputies).await.map(|_| ());
    after(&state, &caller, id, "paper", r).await
}

/// `/ballots/{id}/paper`: a teller enters one paper ballot.
pub async fn paper(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    ballots::may_run(&state.app, &caller.principal, id).await?;
    let full = ballots::get(&state.app, &caller.principal, id).await?;
    let choices = choices_of(&f, question_count(&full));
    match ballots::enter_paper(&state.app, &caller.principal, id, &choices).await.map_err(ApiError::from) {
        Ok(r) => Ok(no_store(render(&ReceiptPage {
            nav: Nav::for_caller(&caller),
            id,
            title: full.ballot.title,
            tracker: r.tracker,
            paper: true,
        })?)),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            detail_page(&state, &caller, id, "", e.message, Vec::new()).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `/ballots/{id}/close`
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let r = ballots::close(&state.app, &caller.principal, id).await;
    after(&state, &caller, id, "closed", r).await
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    key: String,
}

/// `/ballots/{id}/share`: a trustee's decryption share.
pub async fn share(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<ShareForm>,
) -> Result<Response, PageError> {
    match ballots::give_share(&state.app, &caller.principal, id, f.key.trim()).await.map_err(ApiError::from) {
        Ok(o) => Ok(Redirect::to(&format!("/ballots/{id}?done={}", if o.is_some() { "tallied" } else { "share" }))
            .into_response()),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND && e.status != StatusCode::FORBIDDEN =>
        {
            detail_page(&state, &caller, id, "", e.message, Vec::new()).await
        }
        Err(e) => Err(PageError(e)),
    }
}
