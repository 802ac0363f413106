//! Staff pages of the loop: inboxes by step and the dashboard of counts (one case and the intake
//! form live in `case.rs`).

use super::{Nav, beijing, render};
use crate::api::cases::{InboxQuery, StatsQuery, inbox, stats};
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use liaison_app::cases::CaseRow;
use liaison_domain::authz::{self, Action};
use liaison_domain::case::{CaseStatus, Channel};
use serde::Deserialize;

pub struct CaseLine {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub channel: String,
    pub deadline: String,
    pub overdue: bool,
    pub received: String,
}

fn line(c: &CaseRow) -> CaseLine {
    CaseLine {
        id: c.id,
        title: c.title.clone(),
        status: CaseStatus::parse(&c.status).map(|s| s.label()).unwrap_or("").into(),
        channel: Channel::parse(&c.channel).map(|s| s.label()).unwrap_or("").into(),
        deadline: c.deadline_on.clone().unwrap_or_default(),
        overdue: c.overdue,
        received: beijing(c.created_at),
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct InboxPage {
    nav: Nav,
    can_write: bool,
    categories: Vec<String>,
    /// The station or deputy the caller's grant names, to prefill the intake form.
    own_station: String,
    own_deputy: String,
    error: Option<String>,
    tab: String,
    tabs: Vec<(&'static str, &'static str)>,
    rows: Vec<CaseLine>,
    q: String,
}

#[derive(Deserialize, Default)]
pub struct TabQuery {
    tab: Option<String>,
    q: Option<String>,
}

const TABS: &[(&str, &str)] = &[
    ("todo", "待研判"),
    ("triaged", "待交办"),
    ("assigned", "办理中"),
    ("handled", "待答复"),
    ("due", "即将到期"),
    ("overdue", "已逾期"),
    ("all", "全部"),
];

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TabQuery>,
) -> Result<Html<String>, PageError> {
    let tab = q.tab.unwrap_or_else(|| "todo".into());
    let mut iq = InboxQuery::default();
    match tab.as_str() {
        "todo" => iq.status = Some("received,reopened".into()),
        "triaged" => iq.status = Some("triaged".into()),
        "assigned" => iq.status = Some("assigned".into()),
        "handled" => iq.status = Some("handled".into()),
        "due" => iq.due_soon = Some(true),
        "overdue" => iq.overdue = Some(true),
        _ => {}
    }
    iq.q = q.q.clone().filter(|s| !s.trim().is_empty());
    inbox_page(&state, &caller, tab, iq, q.q.unwrap_or_default(), None).await
}

async fn inbox_page(
    state: &AppState,
    caller: &Caller,
    tab: String,
    iq: InboxQuery,
    q: String,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let rows = inbox(state, caller, &iq).await?.iter().map(line).collect();
    let scopes = authz::reach(&caller.principal, Action::CaseWrite);
    let own =
        |kind: &str| scopes.iter().find(|s| s.kind() == kind).map(|s| s.reference().to_owned()).unwrap_or_default();
    render(&InboxPage {
        nav: Nav::for_caller(caller),
        can_write: !scopes.is_empty(),
        categories: state.settings.categories.clone(),
        own_station: own("station"),
        own_deputy: own("deputy"),
        error,
        tab,
        tabs: TABS.to_vec(),
        rows,
        q,
    })
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    nav: Nav,
    s: crate::api::cases::StatsBody,
    resolution: String,
    satisfaction: String,
    channels: Vec<(String, i64)>,
    categories: Vec<(String, i64)>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Result<Html<String>, PageError> {
    let s = stats(&state, &caller, &q).await?;
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let channels = s
        .by_channel
        .iter()
        .map(|c| (Channel::parse(&c.key).map(|x| x.label().to_owned()).unwrap_or_else(|| c.key.clone()), c.count))
        .collect();
    let categories = s.by_category.iter().map(|c| (c.key.clone(), c.count)).collect();
    render(&StatsPage {
        nav: Nav::for_caller(&caller),
        resolution: pct(s.resolution_rate),
        satisfaction: pct(s.satisfaction_rate),
        channels,
        categories,
        s,
    })
}
