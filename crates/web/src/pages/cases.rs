//! Staff pages of the loop: the list of cases (built in `case_list.rs`) and the dashboard of
//! counts (one case and the intake form live in `case.rs` and `case_new.rs`).

use super::{Nav, case_list, render};
use crate::api::cases::{StatsQuery, stats};
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use liaison_domain::case::Channel;

/// The list of cases: `/cases` with the filters of the query contract (see `case_list.rs`).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    case_list::render_list(&state, &caller, case_list::raw_from_pairs(&pairs), None).await
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
    /// (kind, held, constituents) of the receptions.
    reception_kinds: Vec<(String, i64, i64)>,
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
    let reception_kinds = s
        .receptions
        .by_kind
        .iter()
        .map(|k| {
            let label = liaison_domain::reception::ReceptionKind::parse(&k.kind).map(|x| x.label()).unwrap_or("其他");
            (label.to_owned(), k.held, k.visitors)
        })
        .collect();
    render(&StatsPage {
        reception_kinds,
        nav: Nav::for_caller(&caller),
        resolution: pct(s.resolution_rate),
        satisfaction: pct(s.satisfaction_rate),
        channels,
        categories,
        s,
    })
}
