//! Statistics by every dimension: the report as JSON and as an .xlsx workbook (audited).

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use liaison_app::statistics::{self, Figures, Line, Report, Table};
use serde::Serialize;
use utoipa::ToSchema;

use super::cases::StatsQuery;

/// What a set of cases came to. Rates are 0–1, absent when there is nothing to divide by.
#[derive(Serialize, ToSchema)]
pub struct FiguresBody {
    /// Cases counted: received in the period (or, in `resolved`, resolved in it).
    pub received: i64,
    /// Answered on the spot (现场答复), rated or not.
    pub on_spot: i64,
    /// Answered by reply, or closed after it.
    pub solved: i64,
    /// on_spot + solved.
    pub resolved: i64,
    pub in_progress: i64,
    pub declined: i64,
    pub merged: i64,
    pub overdue: i64,
    /// Resolved by the deadline, and after it.
    pub on_time: i64,
    pub late: i64,
    pub satisfied: i64,
    pub partly: i64,
    pub dissatisfied: i64,
    pub unrated: i64,
    /// resolved / (received − merged).
    pub resolution_rate: Option<f64>,
    /// on_time / (on_time + late).
    pub on_time_rate: Option<f64>,
    /// (satisfied + partly) / (satisfied + partly + dissatisfied).
    pub satisfaction_rate: Option<f64>,
}

impl From<&Figures> for FiguresBody {
    fn from(f: &Figures) -> Self {
        FiguresBody {
            received: f.received,
            on_spot: f.on_spot,
            solved: f.solved,
            resolved: f.resolved(),
            in_progress: f.in_progress,
            declined: f.declined,
            merged: f.merged,
            overdue: f.overdue,
            on_time: f.on_time,
            late: f.late,
            satisfied: f.satisfied,
            partly: f.partly,
            dissatisfied: f.dissatisfied,
            unrated: f.unrated,
            resolution_rate: f.resolution_rate(),
            on_time_rate: f.on_time_rate(),
            satisfaction_rate: f.satisfaction_rate(),
        }
    }
}

/// One line of a breakdown: a region code, slug, channel, category, level or month (YYYY-MM),
/// its name, and its figures.
#[derive(Serialize, ToSchema)]
pub struct LineBody {
    pub key: String,
    pub label: String,
    pub figures: FiguresBody,
}

/// A crossing: `cells[i][j]` counts row `i` and column `j`.
#[derive(Serialize, ToSchema)]
pub struct TableBody {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<i64>>,
}

/// Statistics of a region or station for a period.
#[derive(Serialize, ToSchema)]
pub struct ReportBody {
    pub region: String,
    pub region_name: String,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub from: String,
    pub to: String,
    /// Cases received in the period and what became of them.
    pub received: FiguresBody,
    /// Cases resolved in the period, whenever they were received.
    pub resolved: FiguresBody,
    pub by_county: Vec<LineBody>,
    pub by_township: Vec<LineBody>,
    pub by_station: Vec<LineBody>,
    pub by_deputy: Vec<LineBody>,
    /// By lead agency (主办).
    pub by_agency: Vec<LineBody>,
    pub by_channel: Vec<LineBody>,
    pub by_category: Vec<LineBody>,
    pub by_level: Vec<LineBody>,
    /// By status now (empty for a station).
    pub by_status: Vec<LineBody>,
    /// Received per month.
    pub by_month: Vec<LineBody>,
    /// Resolved per month.
    pub resolved_by_month: Vec<LineBody>,
    /// Received per year (key YYYY).
    pub by_year: Vec<LineBody>,
    /// Resolved per year.
    pub resolved_by_year: Vec<LineBody>,
    /// Level × status.
    pub level_status: TableBody,
    /// Channel × outcome.
    pub channel_outcome: TableBody,
    /// Townships × months received: cases marked overdue.
    pub overdue_heat: TableBody,
}

fn lines(l: &[Line]) -> Vec<LineBody> {
    l.iter().map(|l| LineBody { key: l.key.clone(), label: l.label.clone(), figures: (&l.figures).into() }).collect()
}

fn table(t: &Table) -> TableBody {
    TableBody { rows: t.rows.clone(), columns: t.columns.clone(), cells: t.cells.clone() }
}

impl From<&Report> for ReportBody {
    fn from(r: &Report) -> Self {
        ReportBody {
            region: r.region.clone(),
            region_name: r.region_name.clone(),
            station: r.station.as_ref().map(|s| s.0.clone()),
            station_name: r.station.as_ref().map(|s| s.1.clone()),
            from: r.from.to_string(),
            to: r.to.to_string(),
            received: (&r.received).into(),
            resolved: (&r.resolved).into(),
            by_county: lines(&r.by_county),
            by_township: lines(&r.by_township),
            by_station: lines(&r.by_station),
            by_deputy: lines(&r.by_deputy),
            by_agency: lines(&r.by_agency),
            by_channel: lines(&r.by_channel),
            by_category: lines(&r.by_category),
            by_level: lines(&r.by_level),
            by_status: lines(&r.by_status),
            by_month: lines(&r.by_month),
            resolved_by_month: lines(&r.resolved_by_month),
            by_year: lines(&r.by_year),
            resolved_by_year: lines(&r.resolved_by_year),
            level_status: table(&r.level_status),
            channel_outcome: table(&r.channel_outcome),
            overdue_heat: table(&r.overdue_heat),
        }
    }
}

pub(crate) fn query(q: &StatsQuery) -> statistics::Query {
    statistics::Query { region: q.region.clone(), station: q.station.clone(), from: q.from.clone(), to: q.to.clone() }
}

/// Statistics by county, township, station, deputy, agency, channel, category, level, month and year,
/// with the crossings, for a region (or a station) and a period.
#[utoipa::path(get, path = "/api/v1/stats/report", tag = "statistics", params(StatsQuery), security(("bearer" = [])), responses(
    (status = 200, body = ReportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<ReportBody>, ApiError> {
    let r = statistics::report(&state.app, &caller.principal, &query(&q)).await?;
    Ok(Json((&r).into()))
}

/// The same statistics as an .xlsx workbook, one sheet a table, numbers as numbers; audited.
#[utoipa::path(get, path = "/api/v1/stats/report.xlsx", tag = "statistics", params(StatsQuery), security(("bearer" = [])), responses(
    (status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Response, ApiError> {
    let (name, bytes) = statistics::export(&state.app, &caller.principal, &query(&q)).await?;
    let day = state.app.today().format("%Y%m%d");
    Ok(super::points::download(bytes, super::points::XLSX, &format!("statistics-{day}.xlsx"), &name))
}
