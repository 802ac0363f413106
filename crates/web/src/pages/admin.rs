//! Pages of the three administrators: the audit log for the auditor (accounts are in `users`).

use super::{Nav, beijing, render};
use crate::api::audit_entries;
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

pub struct AuditRow {
    pub at: String,
    pub county: String,
    pub seq: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    rows: Vec<AuditRow>,
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
    let rows = audit_entries(&state, &caller, &q)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: beijing(e.at_ms),
            county: e.county_code,
            seq: e.seq,
            actor: e.actor,
            action: e.action,
            target: e.target,
            summary: e.summary,
        })
        .collect();
    render(&AuditPage {
        nav: Nav::for_caller(&caller),
        rows,
        actor: f.actor.unwrap_or_default(),
        action: f.action.unwrap_or_default(),
    })
}
