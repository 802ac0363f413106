//! `/outreach` (联系群众): one door to a deputy's work with agencies and voters — meetings with
//! agency heads, reports to voters, the ledger — with what each needs next.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use liaison_app::{ledger, meetings, voter_reports};

#[derive(Template)]
#[template(path = "outreach.html")]
struct HubPage {
    nav: Nav,
    year: i32,
    /// Meetings readable, commitments open, of those overdue.
    meetings: Option<(usize, i64, i64)>,
    /// Deputies, reported, scheduled (coverage) — or the caller's own reports this year.
    coverage: Option<(usize, usize, usize)>,
    own_reports: Option<(usize, usize)>,
    /// Contacts, households, visits due.
    ledger: Option<(usize, usize, usize)>,
}

pub async fn hub(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    let app = &state.app;
    let p = &caller.principal;
    let year = app.today().year();
    let meetings = meetings::list(app, p, None)
        .await
        .ok()
        .map(|rows| (rows.len(), rows.iter().map(|r| r.1).sum(), rows.iter().map(|r| r.2).sum()));
    let coverage =
        voter_reports::coverage(app, p, None, year).await.ok().map(|(t, _)| (t.deputies, t.reported, t.scheduled));
    let own_reports = if coverage.is_none() {
        voter_reports::list(app, p, None, year).await.ok().map(|rows| {
            (
                rows.iter().filter(|r| r.status == "held").count(),
                rows.iter().filter(|r| r.status == "scheduled").count(),
            )
        })
    } else {
        None
    };
    let today = app.today().to_string();
    let ledger = if ledger::may_read_region(p) {
        ledger::list(app, p, None)
            .await
            .ok()
            .map(|rows| (rows.len(), rows.iter().filter(|c| c.kind == "household").count(), ledger::due(&rows, &today)))
    } else {
        None
    };
    Ok(render(&HubPage { nav: Nav::for_caller(&caller), year, meetings, coverage, own_reports, ledger })?
        .into_response())
}
