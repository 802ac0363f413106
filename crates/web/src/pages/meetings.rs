//! Meetings with agency heads in the pages: the list (with commitments still open), the form the
//! township or county records one on, and a meeting's page where an agency reports a commitment
//! kept.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liaison_app::meetings::{self, CommitmentInput, MeetingInput, QuestionInput};
use liaison_domain::authz::{self, Action, Scope};
use liaison_domain::voter_work::{CommitmentStatus, MeetingKind, QuestionOutcome};
use serde::Deserialize;
use std::collections::HashMap;

/// Question and commitment rows on the form; empty rows are skipped.
const QUESTION_ROWS: usize = 4;
const COMMITMENT_ROWS: usize = 3;

fn kind_label(k: &str) -> &'static str {
    MeetingKind::parse(k).map_or("约见", |k| k.label())
}

struct ListRow {
    id: i64,
    kind: &'static str,
    title: String,
    held_on: String,
    agencies: String,
    open: i64,
    overdue: i64,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<ListRow>,
    may_record: bool,
    notice: &'static str,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `/meetings`
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let rows = meetings::list(&state.app, &caller.principal, None).await?;
    let mut out = Vec::new();
    for (m, open, overdue) in rows {
        let names = meetings::agency_names(&state.app, &m).await?;
        out.push(ListRow {
            id: m.id,
            kind: kind_label(&m.kind),
            title: m.title,
            held_on: m.held_on,
            agencies: names.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join("、"),
            open,
            overdue,
        });
    }
    Ok(render(&ListPage {
        nav: Nav::for_caller(&caller),
        rows: out,
        may_record: liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, None).is_ok(),
        notice: if q.done.as_deref() == Some("recorded") {
            "约见记录已保存，承诺事项已通知有关单位。"
        } else {
            ""
        },
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewPage {
    nav: Nav,
    kinds: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    deputies: Vec<(String, String)>,
    questions: Vec<usize>,
    commitments: Vec<usize>,
    today: String,
    v: HashMap<String, String>,
    checked: Vec<String>,
    error: String,
}

impl NewPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
    fn row(&self, prefix: &str, n: &usize, key: &str) -> &str {
        self.v.get(&format!("{prefix}{n}_{key}")).map(String::as_str).unwrap_or("")
    }
    fn is_checked(&self, what: &str, slug: &str) -> bool {
        self.checked.iter().any(|c| c == &format!("{what}:{slug}"))
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
    let deputies = liaison_app::directory::deputies_under(&state.app, region.as_str(), false)
        .await?
        .into_iter()
        .map(|d| (d.data.slug, d.data.name))
        .collect();
    let mut v = HashMap::new();
    let mut checked = Vec::new();
    for (k, val) in form {
        match k.as_str() {
            "agency" | "deputy" => checked.push(format!("{k}:{val}")),
            _ => {
                v.insert(k, val);
            }
        }
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&NewPage {
        nav: Nav::for_caller(caller),
        kinds: MeetingKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        agencies,
        deputies,
        questions: (1..=QUESTION_ROWS).collect(),
        commitments: (1..=COMMITMENT_ROWS).collect(),
        today: state.app.today().to_string(),
        v,
        checked,
        error,
    })?;
    Ok((status, html).into_response())
}

/// `/meetings/new`: the township or county records a meeting held.
pub async fn new(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    new_page(&state, &caller, Vec::new(), String::new()).await
}

/// Saves the meeting; on a refusal, the form again as typed.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let all = |k: &str| f.iter().filter(|(x, _)| x == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let mut questions = Vec::new();
    for n in 1..=QUESTION_ROWS {
        let text = one(&format!("q{n}_text"));
        if text.is_empty() {
            continue;
        }
        let case = one(&format!("q{n}_case"));
        let case = match case.trim_start_matches('#') {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    let message = format!("第 {n} 个问题的群众意见编号应为数字，例如 12");
                    return new_page(&state, &caller, f, message).await;
                }
            },
        };
        questions.push(QuestionInput {
            deputy: one(&format!("q{n}_deputy")),
            question: text,
            case,
            suggestion: None,
            outcome: one(&format!("q{n}_outcome")),
            reply: one(&format!("q{n}_reply")),
        });
    }
    let mut commitments = Vec::new();
    for n in 1..=COMMITMENT_ROWS {
        let content = one(&format!("c{n}_content"));
        if content.is_empty() {
            continue;
        }
        commitments.push(CommitmentInput {
            agency: one(&format!("c{n}_agency")),
            content,
            due_on: one(&format!("c{n}_due")),
        });
    }
    let i = MeetingInput {
        kind: one("kind"),
        title: one("title"),
        held_on: one("held_on"),
        place: one("place"),
        region: None,
        agencies: all("agency"),
        deputies: all("deputy"),
        summary: one("summary"),
        questions,
        commitments,
    };
    match meetings::record(&state.app, &caller.principal, i).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}?done=recorded")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            new_page(&state, &caller, f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A question as the page shows it: (who, question, case id, suggestion id, outcome, reply).
type QuestionView = (String, String, Option<i64>, Option<i64>, &'static str, String);

struct CommitmentView {
    id: i64,
    agency: String,
    content: String,
    due_on: String,
    done: bool,
    overdue: bool,
    done_on: String,
    done_note: String,
    may_close: bool,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct DetailPage {
    nav: Nav,
    m: meetings::Meeting,
    kind: &'static str,
    agencies: String,
    deputies: String,
    questions: Vec<QuestionView>,
    commitments: Vec<CommitmentView>,
    notice: &'static str,
    error: String,
}

/// `/meetings/{id}`
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("recorded") => "约见记录已保存：参加的代表已计入履职登记，承诺事项已通知有关单位。",
        Some("kept") => "已登记承诺落实情况，参加约见的代表会收到通知。",
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
    let f = meetings::get(&state.app, &caller.principal, id).await?;
    let names = meetings::agency_names(&state.app, &f.meeting).await?;
    let name_of =
        |slug: &str| names.iter().find(|(s, _)| s == slug).map_or_else(|| slug.to_string(), |(_, n)| n.clone());
    let region = liaison_domain::region::RegionCode::parse(&f.meeting.region_code).map_err(ApiError::internal)?;
    let office = authz::authorize(&caller.principal, Action::OrgWrite, authz::Target::Region(&region)).is_ok();
    let mine: Vec<String> = authz::reach(&caller.principal, Action::CaseWrite)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Agency(a) => Some(a.clone()),
            _ => None,
        })
        .collect();
    let today = state.app.today().to_string();
    let commitments = f
        .commitments
        .into_iter()
        .map(|c| {
            let open = c.status == CommitmentStatus::Open.as_str();
            CommitmentView {
                id: c.id,
                agency: name_of(&c.agency),
                overdue: open && c.due_on < today,
                may_close: open && (office || mine.contains(&c.agency)),
                done: !open,
                content: c.content,
                due_on: c.due_on,
                done_on: c.done_on.unwrap_or_default(),
                done_note: c.done_note,
            }
        })
        .collect();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        kind: kind_label(&f.meeting.kind),
        agencies: names.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"),
        deputies: f.deputies.iter().map(|(_, _, n)| n.as_str()).collect::<Vec<_>>().join("、"),
        questions: f
            .questions
            .into_iter()
            .map(|q| {
                (
                    q.deputy_name.unwrap_or_default(),
                    q.question,
                    q.case_id,
                    q.suggestion_id,
                    QuestionOutcome::parse(&q.outcome).map_or("", |o| o.label()),
                    q.reply,
                )
            })
            .collect(),
        commitments,
        m: f.meeting,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct KeptForm {
    #[serde(default)]
    note: String,
}

/// `/meetings/{id}/commitments/{cid}/done`: a commitment reported kept.
pub async fn commitment_done(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((id, cid)): PagePath<(i64, i64)>,
    PageForm(f): PageForm<KeptForm>,
) -> Result<Response, PageError> {
    // The commitment must be this meeting's, or the page would show the wrong one.
    let full = meetings::get(&state.app, &caller.principal, id).await?;
    if !full.commitments.iter().any(|c| c.id == cid) {
        return Err(ApiError::not_found().into());
    }
    match meetings::commitment_done(&state.app, &caller.principal, cid, &f.note).await.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}?done=kept")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            detail_page(&state, &caller, id, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}
