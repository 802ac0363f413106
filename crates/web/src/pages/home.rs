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
        work: super::case_list::work_counts(&state, &caller).await?,
    })
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
