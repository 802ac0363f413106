//! Staff pages of the loop: the list of cases (built in `case_list.rs`) and the dashboard of
//! counts (one case and the intake form live in `case.rs` and `case_new.rs`).

use super::{Nav, case_list, render};
use crate::api::cases::StatsQuery;
use crate::auth::Caller;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use liaison_app::statistics;

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
    v: super::statistics::ReportView,
    /// (code, name, selected) of the regions the caller may choose.
    regions: Vec<(String, String, bool)>,
    /// (slug, name, selected) of the stations in the region.
    stations: Vec<(String, String, bool)>,
    /// The query string of this view, for the export link.
    query: String,
    /// (kind, held, constituents) of the receptions.
    reception_kinds: Vec<(String, i64, i64)>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Result<Html<String>, PageError> {
    // The report, and the case counts from it with the other capabilities' totals.
    let asked = crate::api::statistics::query(&q);
    // The regions to choose from, read while the report is built: the caller's own and the
    // townships under each.
    let choices = async {
        let mut out = Vec::new();
        for top in liaison_app::org::region_grants(&caller.principal, liaison_domain::authz::Action::CaseRead) {
            for r in liaison_app::regions::subtree(&state.app, &top).await? {
                if r.code == top.as_str() || (r.code.len() == 9 && top.as_str().len() < 9) {
                    out.push((r.code, r.name));
                }
            }
        }
        Ok::<_, liaison_app::Error>(out)
    };
    let ((report, s), choices) =
        tokio::try_join!(liaison_app::cases::stats::with_report(&state.app, &caller.principal, &asked), choices)?;
    let s = crate::api::cases::stats_body(s);
    let reception_kinds = s
        .receptions
        .by_kind
        .iter()
        .map(|k| {
            let label = liaison_domain::reception::ReceptionKind::parse(&k.kind).map(|x| x.label()).unwrap_or("其他");
            (label.to_owned(), k.held, k.visitors)
        })
        .collect();
    let regions: Vec<(String, String, bool)> = choices
        .into_iter()
        .map(|(code, name)| {
            let selected = code == report.region;
            (code, name, selected)
        })
        .collect();
    let stations = if regions.is_empty() {
        vec![]
    } else {
        liaison_app::directory::stations_under(&state.app, &report.region, false)
            .await?
            .into_iter()
            .map(|st| {
                let selected = report.station.as_ref().is_some_and(|(slug, _)| *slug == st.data.slug);
                (st.data.slug, st.data.name, selected)
            })
            .collect()
    };
    let mut query = format!("from={}&to={}", report.from, report.to);
    match &report.station {
        Some((slug, _)) => query.push_str(&format!("&station={slug}")),
        None => query.push_str(&format!("&region={}", report.region)),
    }
    if report.station.is_some() && !regions.is_empty() {
        query.push_str(&format!("&region={}", report.region));
    }
    render(&StatsPage {
        nav: Nav::for_caller(&caller),
        v: super::statistics::ReportView::new(&report),
        s,
        regions,
        stations,
        query,
        reception_kinds,
    })
}

/// The statistics as an .xlsx workbook (audited).
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let (name, bytes) = statistics::export(&state.app, &caller.principal, &crate::api::statistics::query(&q)).await?;
    let day = state.app.today().format("%Y%m%d");
    Ok(crate::api::points::download(bytes, crate::api::points::XLSX, &format!("statistics-{day}.xlsx"), &name))
}
