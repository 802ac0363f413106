//! The signed-in dashboard (the caller's work in counts, their roles by name) and the region tree.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use liaison_app::regions;
use liaison_domain::region::RegionCode;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    nav: Nav,
    name: String,
    /// (role, scope) by name.
    grants: Vec<(String, String)>,
    /// (label, count, link to the list) of the caller's work.
    work: Vec<(&'static str, i64, String)>,
}

pub async fn dashboard(State(state): State<AppState>, caller: Caller) -> Result<Html<String>, PageError> {
    let a = caller.principal.account().cloned().unwrap_or_else(unreachable_account);
    let (names, _) = liaison_app::cases::names(&state.app, &caller.principal).await?;
    render(&Dashboard {
        nav: Nav::for_caller(&caller),
        name: a.display_name,
        grants: a.grants.iter().map(|g| (g.role.label().to_owned(), names.scope(&g.scope))).collect(),
        work: {
            let mut work = super::case_list::work_counts(&state, &caller).await?;
            work.extend(outreach_work(&state, &caller).await);
            work
        },
    })
}

/// The caller's work beyond cases, where there is some: suggestions to answer and those past their
/// deadline, meeting commitments not kept and those overdue, ledger visits come due. A list the
/// caller may not read adds nothing.
async fn outreach_work(state: &AppState, caller: &Caller) -> Vec<(&'static str, i64, String)> {
    let app = &state.app;
    let p = &caller.principal;
    let today = app.today().to_string();
    let mut out = Vec::new();
    if let Ok(rows) = liaison_app::suggestions::list(app, p, None).await {
        let open: Vec<_> = rows.iter().filter(|r| matches!(r.status.as_str(), "assigned" | "reopened")).collect();
        let overdue = open.iter().filter(|r| r.due_on.as_deref().is_some_and(|d| d < today.as_str())).count();
        if !open.is_empty() {
            out.push(("代表建议待答复", open.len() as i64, "/suggestions".to_string()));
        }
        if overdue > 0 {
            out.push(("代表建议超期", overdue as i64, "/suggestions".to_string()));
        }
    }
    if let Ok(rows) = liaison_app::meetings::list(app, p, None).await {
        let (open, overdue) = rows.iter().fold((0, 0), |(o, d), (_, open, overdue)| (o + open, d + overdue));
        if open > 0 {
            out.push(("约见承诺待落实", open, "/meetings".to_string()));
        }
        if overdue > 0 {
            out.push(("约见承诺超期", overdue, "/meetings".to_string()));
        }
    }
    if liaison_app::receptions::own_deputy(p).is_some()
        && let Ok(rows) = liaison_app::ledger::list(app, p, None).await
    {
        let due = liaison_app::ledger::due(&rows, &today);
        if due > 0 {
            out.push(("台账到期走访", due as i64, "/ledger".to_string()));
        }
    }
    out
}

fn unreachable_account() -> liaison_domain::authz::Account {
    liaison_domain::authz::Account {
        id: 0,
        username: String::new(),
        display_name: String::new(),
        county_code: String::new(),
        grants: vec![],
    }
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    nav: Nav,
    current: Option<regions::Region>,
    children: Vec<regions::Region>,
}

#[derive(Deserialize)]
pub struct RegionQuery {
    code: Option<String>,
}

pub async fn regions(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
) -> Result<Html<String>, PageError> {
    let code = q.code.as_deref().filter(|c| !c.is_empty()).map(RegionCode::parse).transpose()?;
    let current = match &code {
        Some(c) => Some(regions::get(&state.app, &caller.principal, c).await?),
        None => None,
    };
    let children = regions::children(&state.app, &caller.principal, code.as_ref()).await?;
    render(&RegionsPage { nav: Nav::for_caller(&caller), current, children })
}
