//! Reports to voters (述职) in the pages: the year's reports with the coverage township by
//! township, the form to schedule one, and a report's page where the deputy edits the text drafted
//! from the register and the township records the voters' evaluation.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use liaison_app::receptions::own_deputy;
use liaison_app::voter_reports::{self as reports, CoverageRow, Held, Report, Schedule};
use liaison_domain::authz::Action;
use liaison_domain::voter_work::{Evaluation, ReportForm, ReportStatus};
use serde::Deserialize;
use std::collections::HashMap;

fn form_label(f: &str) -> &'static str {
    ReportForm::parse(f).map_or("", |f| f.label())
}

fn status_label(s: &str) -> &'static str {
    ReportStatus::parse(s).map_or("", |s| s.label())
}

#[derive(Template)]
#[template(path = "voter_reports.html")]
struct ListPage {
    nav: Nav,
    year: i32,
    years: Vec<i32>,
    /// The region asked for (empty: the caller's own), kept in the year links.
    region: String,
    rows: Vec<Report>,
    total: Option<CoverageRow>,
    townships: Vec<CoverageRow>,
    /// The deputies the caller may schedule a report for.
    deputies: Vec<(String, String)>,
    v: HashMap<String, String>,
    error: String,
}

impl ListPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    /// A township under the caller's region, from the coverage table.
    region: Option<String>,
}

/// The deputies the caller may schedule for: themself, their stations' deputies, or those under
/// the region they keep.
async fn schedulable(state: &AppState, caller: &Caller) -> Result<Vec<(String, String)>, ApiError> {
    let p = &caller.principal;
    if let Some(me) = own_deputy(p) {
        let d = liaison_app::directory::deputy(&state.app, me).await?;
        return Ok(d.map(|d| vec![(d.data.slug, d.data.name)]).unwrap_or_default());
    }
    if let Ok(region) = liaison_app::org::scoped_region(p, Action::OrgWrite, None) {
        return Ok(liaison_app::directory::deputies_under(&state.app, region.as_str(), false)
            .await?
            .into_iter()
            .map(|d| (d.data.slug, d.data.name))
            .collect());
    }
    super::suggestions::station_deputies(state, caller).await
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    year: Option<i32>,
    region: Option<&str>,
    v: HashMap<String, String>,
    error: String,
) -> Result<Response, PageError> {
    let this = state.app.today().year();
    let year = year.filter(|y| (2000..=this + 1).contains(y)).unwrap_or(this);
    let region = region.filter(|r| !r.is_empty());
    let rows = reports::list(&state.app, &caller.principal, region, year).await?;
    let (total, townships) = match reports::coverage(&state.app, &caller.principal, region, year).await {
        Ok((t, rows)) => (Some(t), rows),
        Err(_) => (None, vec![]),
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&ListPage {
        nav: Nav::for_caller(caller),
        year,
        years: ((this - 2)..=(this + 1)).rev().collect(),
        region: region.unwrap_or_default().to_string(),
        rows,
        total,
        townships,
        deputies: schedulable(state, caller).await?,
        v,
        error,
    })?;
    Ok((status, html).into_response())
}

/// `/voter-reports`
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &caller, q.year, q.region.as_deref(), HashMap::new(), String::new()).await
}

/// Schedules a report from the list page's form.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let s = Schedule { form: get("form"), scheduled_on: get("scheduled_on"), place: get("place") };
    match reports::schedule(&state.app, &caller.principal, &get("deputy"), s).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/voter-reports/{id}?done=scheduled")).into_response()),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN && e.status != StatusCode::NOT_FOUND =>
        {
            list_page(&state, &caller, None, None, f, e.message).await
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            list_page(&state, &caller, None, None, f, "请选择述职的代表".into()).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "voter_report.html")]
struct DetailPage {
    nav: Nav,
    r: Report,
    form: &'static str,
    status: &'static str,
    approval: i64,
    may_edit: bool,
    may_record: bool,
    today: String,
    notice: &'static str,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `/voter-reports/{id}`
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("scheduled") => "述职已安排。述职稿已按履职登记簿起草，请代表修改定稿。",
        Some("edited") => "述职稿已保存。",
        Some("held") => "述职情况和选民测评已登记，已计入代表的履职登记。",
        Some("cancelled") => "述职已取消。",
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
    let r = reports::get(&state.app, &caller.principal, id).await?;
    let scheduled = r.status == ReportStatus::Scheduled.as_str();
    let may_edit = scheduled && reports::may_schedule(&state.app, &caller.principal, &r.deputy_slug).await;
    let may_record = scheduled && reports::may_record(&state.app, &caller.principal, &r).await;
    let e =
        Evaluation { attendance: r.attendance, satisfied: r.satisfied, partly: r.partly, dissatisfied: r.dissatisfied };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        form: form_label(&r.form),
        status: status_label(&r.status),
        approval: e.approval_percent(),
        may_edit,
        may_record,
        today: state.app.today().to_string(),
        r,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

/// A count typed on the form: empty is 0; anything but a whole number is refused.
fn count(raw: Option<&String>, field: &'static str, label: &str) -> Result<i64, liaison_app::Error> {
    match raw.map(|s| s.trim()).unwrap_or("") {
        "" => Ok(0),
        s => s.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            liaison_app::Error::invalid("invalid_count", format!("{label}人数请填写整数，例如 30")).field(field)
        }),
    }
}

/// One step on a report: edit the text, record it held, or cancel it.
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let p = &caller.principal;
    let app = &state.app;
    let result = match get("decision").as_str() {
        "edit" => reports::edit(app, p, id, &get("body")).await.map(|_| "edited"),
        "held" => {
            let counts = (|| {
                Ok::<_, liaison_app::Error>(Held {
                    held_on: get("held_on"),
                    attendance: count(f.get("attendance"), "attendance", "到会选民")?,
                    satisfied: count(f.get("satisfied"), "satisfied", "满意")?,
                    partly: count(f.get("partly"), "partly", "基本满意")?,
                    dissatisfied: count(f.get("dissatisfied"), "dissatisfied", "不满意")?,
                })
            })();
            match counts {
                Ok(h) => reports::record_held(app, p, id, h).await.map(|_| "held"),
                Err(e) => Err(e),
            }
        }
        "cancel" => reports::cancel(app, p, id, &get("reason")).await.map(|_| "cancelled"),
        _ => Err(liaison_app::Error::invalid("invalid_decision", "未知的操作")),
    };
    match result.map_err(ApiError::from) {
        Ok(done) => Ok(Redirect::to(&format!("/voter-reports/{id}?done={done}")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            detail_page(&state, &caller, id, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}
