//! A deputy's own reception-day duties: when and where, asking another deputy of the station to
//! take one (the township approves), and declaring days they cannot come.

use super::receptions::date_cn;
use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use liaison_app::receptions as rec;
use liaison_domain::reception::SwapStatus;
use serde::Deserialize;

pub(crate) struct DutyRow {
    pub id: i64,
    pub date: String,
    pub title: String,
    pub station_name: String,
    pub time: String,
    pub place: String,
    /// Other deputies of the station: (slug, name).
    pub others: Vec<(String, String)>,
    pub pending: bool,
}

#[derive(Template)]
#[template(path = "duties.html")]
struct DutiesPage {
    nav: Nav,
    name: String,
    slug: String,
    duties: Vec<DutyRow>,
    /// (date, title, from, to, status label).
    swaps: Vec<(String, String, String, String, String)>,
    away: Vec<(String, String, String)>,
    error: String,
    notice: String,
}

async fn page(state: &AppState, caller: &Caller, error: String, notice: &str) -> Result<Response, PageError> {
    let Some(me) = rec::own_deputy(&caller.principal).map(str::to_owned) else {
        return Ok(Redirect::to("/receptions").into_response());
    };
    let today = state.app.today();
    let (d, duties, swaps, away) = rec::deputy_duties(&state.app, &me, today, today + Duration::days(366)).await?;
    let mut rows = Vec::new();
    let mut pools: std::collections::HashMap<i64, Vec<(String, String)>> = Default::default();
    for v in duties {
        if let std::collections::hash_map::Entry::Vacant(e) = pools.entry(v.schedule_id) {
            let s = rec::load(&state.app, v.schedule_id).await?;
            e.insert(rec::pool_names(&state.app, &s).await?);
        }
        // Anyone of the station but the deputy and those already on duty that day.
        let others = pools[&v.schedule_id].iter().filter(|(k, _)| *k != me && !v.with.contains(k)).cloned().collect();
        let pending = swaps.iter().any(|w| w.assignment_id == v.assignment_id && w.status == "requested");
        rows.push(DutyRow {
            id: v.assignment_id,
            date: date_cn(v.date),
            title: v.title,
            station_name: v.station_name.unwrap_or_else(|| "全县".into()),
            time: format!("{}–{}", v.start_time, v.end_time),
            place: v.place,
            others,
            pending,
        });
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DutiesPage {
        nav: Nav::for_caller(caller),
        name: d.data.name,
        slug: d.data.slug,
        duties: rows,
        swaps: swaps
            .into_iter()
            .map(|w| {
                let status = SwapStatus::parse(&w.status).map(|s| s.label()).unwrap_or("").to_owned();
                (w.held_on, w.title, w.from_name, w.to_name, status)
            })
            .collect(),
        away: away.into_iter().map(|u| (u.from_on, u.to_on, u.reason)).collect(),
        error,
        notice: notice.to_owned(),
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct Flash {
    done: Option<String>,
}

/// `/duties`: the signed-in deputy's duties for the coming year.
pub async fn mine(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(f): axum::extract::Query<Flash>,
) -> Result<Response, PageError> {
    let notice = match f.done.as_deref() {
        Some("swap") => "换班申请已提交，等待乡镇（街道）人大审批。",
        Some("away") => "已登记。排班时会避开这些日子；已经排上的，请申请换班。",
        _ => "",
    };
    page(&state, &caller, String::new(), notice).await
}

#[derive(Deserialize)]
pub struct SwapForm {
    to: String,
    #[serde(default)]
    reason: String,
}

/// Asks another deputy to take a duty.
pub async fn swap(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<SwapForm>,
) -> Result<Response, PageError> {
    match rec::request_swap(&state.app, &caller.principal, id, &f.to, &f.reason).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to("/duties?done=swap").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            page(&state, &caller, e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct AwayForm {
    from: String,
    to: String,
    #[serde(default)]
    reason: String,
}

/// Declares days the deputy cannot be on duty.
pub async fn away(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<AwayForm>,
) -> Result<Response, PageError> {
    let Some(me) = rec::own_deputy(&caller.principal).map(str::to_owned) else {
        return Ok(Redirect::to("/receptions").into_response());
    };
    match rec::declare_unavailable(&state.app, &caller.principal, &me, &f.from, &f.to, &f.reason)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(Redirect::to("/duties?done=away").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            page(&state, &caller, e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}
