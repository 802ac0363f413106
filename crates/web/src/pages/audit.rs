//! The audit log as the auditor reads it: who (by name, the login name in a tooltip), what (in
//! Chinese), on what (names, not identifiers), filtered by a person and a kind of action picked
//! from lists.

use super::{Nav, beijing, render};
use crate::api::audit_entries;
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use liaison_app::names::{self, Wanted};
use liaison_domain::authz::{self, Action, Scope};
use serde::Deserialize;

pub struct AuditRow {
    pub at: String,
    pub county: String,
    pub seq: i64,
    pub actor: String,
    /// The login name, for the tooltip; empty for the constituent and the system.
    pub login: String,
    pub action: String,
    pub target: String,
    pub summary: String,
}

/// The kinds of action the auditor can filter by: (action prefix, label).
const KINDS: &[(&str, &str)] = &[
    ("session.", "登录与退出"),
    ("account.", "账号锁定与解锁"),
    ("user.", "账号管理"),
    ("personal_data.", "查看个人信息"),
    ("case.", "意见建议办理"),
    ("roster.", "名册导入导出"),
    ("station.", "联络站"),
    ("deput", "代表"),
    ("agenc", "承办单位"),
    ("grid", "网格"),
    ("region.", "行政区划"),
];

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    rows: Vec<AuditRow>,
    /// (login name, display name) of the accounts in the auditor's regions.
    people: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    actor: String,
    action: String,
}

#[derive(Deserialize, Default)]
pub struct AuditFilter {
    actor: Option<String>,
    action: Option<String>,
}

pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(f): Query<AuditFilter>,
) -> Result<Html<String>, PageError> {
    let q = crate::api::AuditQuery {
        actor: f.actor.clone(),
        action: f.action.clone(),
        limit: Some(200),
        ..Default::default()
    };
    let entries = audit_entries(&state, &caller, &q).await?;
    let mut w = Wanted::new();
    for e in &entries {
        w.actor(&e.actor).target(&e.target).region(&e.county_code).text(&e.summary);
    }
    let names = names::resolve(&state.app, w).await?;
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: beijing(e.at_ms),
            county: if e.county_code.trim_matches('0').is_empty() {
                "未归属".into()
            } else {
                names.region(&e.county_code)
            },
            seq: e.seq,
            login: if names.is_account(&e.actor) { e.actor.clone() } else { String::new() },
            actor: names.actor(&e.actor),
            action: names::audit_action_label(&e.action),
            target: names.target(&e.target),
            summary: names.text(&e.summary),
        })
        .collect();
    let mut people = Vec::new();
    for scope in authz::reach(&caller.principal, Action::AuditRead) {
        if let Scope::Region(code) = scope {
            for u in liaison_app::accounts::list(&state.app, code.as_str()).await? {
                people.push((u.username, u.display_name));
            }
        }
    }
    people.sort_by(|a, b| a.1.cmp(&b.1));
    people.dedup();
    render(&AuditPage {
        nav: Nav::for_caller(&caller),
        rows,
        people,
        kinds: KINDS.to_vec(),
        actor: f.actor.unwrap_or_default(),
        action: f.action.unwrap_or_default(),
    })
}
