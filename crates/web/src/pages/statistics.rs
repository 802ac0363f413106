//! What the statistics pages show of a report — figures as text, charts as SVG, tables with
//! the same numbers — and the public statistics pages of a county and a station.

use super::charts;
use crate::auth::Caller;
use crate::error::PageError;
use crate::extract::PagePath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use liaison_app::statistics::{self, Figures, Line, Report, Subject, Table};
use liaison_domain::region::RegionCode;
use serde::Deserialize;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

/// A breakdown line as the pages show it.
pub struct LineView {
    pub label: String,
    pub received: i64,
    pub on_spot: i64,
    pub resolved: i64,
    pub in_progress: i64,
    pub overdue: i64,
    pub rated: i64,
    pub resolution: String,
    pub on_time: String,
    pub satisfaction: String,
}

impl LineView {
    fn new(label: &str, f: &Figures) -> LineView {
        LineView {
            label: label.to_owned(),
            received: f.received,
            on_spot: f.on_spot,
            resolved: f.resolved(),
            in_progress: f.in_progress,
            overdue: f.overdue,
            rated: f.rated(),
            resolution: pct(f.resolution_rate()),
            on_time: pct(f.on_time_rate()),
            satisfaction: pct(f.satisfaction_rate()),
        }
    }
}

fn lines(l: &[Line]) -> Vec<LineView> {
    l.iter().map(|l| LineView::new(&l.label, &l.figures)).collect()
}

/// A crossing with a shade per cell.
pub struct TableView {
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<(i64, &'static str)>)>,
}

impl TableView {
    fn new(t: &Table) -> TableView {
        let max = t.cells.iter().flatten().copied().max().unwrap_or(0);
        TableView {
            columns: t.columns.clone(),
            rows: t
                .rows
                .iter()
                .zip(&t.cells)
                .map(|(r, cells)| (r.clone(), cells.iter().map(|n| (*n, charts::heat_class(*n, max))).collect()))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A report ready for a template.
pub struct ReportView {
    /// 柞水县 or 柞水县 仁和社区代表联络点.
    pub scope: String,
    pub from: String,
    pub to: String,
    pub total: LineView,
    pub resolved: LineView,
    pub by_county: Vec<LineView>,
    pub by_township: Vec<LineView>,
    pub by_station: Vec<LineView>,
    pub by_deputy: Vec<LineView>,
    pub by_agency: Vec<LineView>,
    pub by_channel: Vec<LineView>,
    pub by_category: Vec<LineView>,
    pub by_level: Vec<LineView>,
    /// (month, received, resolved).
    pub months: Vec<(String, i64, i64)>,
    /// By the year received, when the period spans more than one.
    pub by_year: Vec<LineView>,
    pub month_chart: String,
    pub channel_chart: String,
    pub agency_chart: String,
    pub township_chart: String,
    pub channel_outcome: TableView,
    pub level_status: TableView,
    pub overdue_heat: TableView,
}

impl ReportView {
    pub fn new(r: &Report) -> ReportView {
        let scope = match &r.station {
            Some((_, name)) => name.clone(),
            None => r.region_name.clone(),
        };
        let months: Vec<(String, i64, i64)> = r
            .by_month
            .iter()
            .zip(&r.resolved_by_month)
            .map(|(a, b)| (a.label.clone(), a.figures.received, b.figures.received))
            .collect();
        let month_labels: Vec<String> = months.iter().map(|m| m.0.clone()).collect();
        let month_chart = charts::columns(
            "每月收集和解决的意见建议",
            &month_labels,
            &[
                ("收集", charts::RECEIVED, months.iter().map(|m| m.1).collect()),
                ("解决", charts::RESOLVED, months.iter().map(|m| m.2).collect()),
            ],
        );
        let outcome_names: Vec<&str> = r.channel_outcome.columns.iter().map(String::as_str).collect();
        let outcome_colours =
            [charts::IN_PROGRESS, charts::RESOLVED, charts::ON_SPOT, charts::DECLINED, charts::MERGED];
        let channel_chart = charts::stacked(
            "各渠道意见建议的办理结果",
            &r.channel_outcome.rows,
            &outcome_names,
            &outcome_colours,
            &r.channel_outcome.cells,
        );
        let agencies: Vec<&Line> = r.by_agency.iter().take(15).collect();
        let agency_chart = charts::shares(
            "承办单位按期办结率和满意率",
            &agencies.iter().map(|l| l.label.clone()).collect::<Vec<_>>(),
            &[
                ("按期办结率", agencies.iter().map(|l| l.figures.on_time_rate()).collect()),
                ("满意率", agencies.iter().map(|l| l.figures.satisfaction_rate()).collect()),
            ],
        );
        let places = if r.by_county.is_empty() { &r.by_township } else { &r.by_county };
        let township_chart = charts::stacked(
            if r.by_county.is_empty() {
                "各乡镇（街道）意见建议的办理情况"
            } else {
                "各县（市、区）意见建议的办理情况"
            },
            &places.iter().map(|l| l.label.clone()).collect::<Vec<_>>(),
            &["解决", "办理中", "不予受理或合并"],
            &[charts::RESOLVED, charts::IN_PROGRESS, charts::DECLINED],
            &places
                .iter()
                .map(|l| {
                    let f = &l.figures;
                    vec![f.resolved(), f.in_progress, f.declined + f.merged]
                })
                .collect::<Vec<_>>(),
        );
        ReportView {
            scope,
            from: r.from.to_string(),
            to: r.to.to_string(),
            total: LineView::new("收集", &r.received),
            resolved: LineView::new("解决", &r.resolved),
            by_county: lines(&r.by_county),
            by_township: lines(&r.by_township),
            by_station: lines(&r.by_station),
            by_deputy: lines(&r.by_deputy),
            by_agency: lines(&r.by_agency),
            by_channel: lines(&r.by_channel),
            by_category: lines(&r.by_category),
            by_level: lines(&r.by_level),
            months,
            by_year: if r.by_year.len() > 1 { lines(&r.by_year) } else { vec![] },
            month_chart,
            channel_chart,
            agency_chart,
            township_chart,
            channel_outcome: TableView::new(&r.channel_outcome),
            level_status: TableView::new(&r.level_status),
            overdue_heat: TableView::new(&r.overdue_heat),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PublicQuery {
    /// A year to show; this year by default.
    pub year: Option<String>,
}

#[derive(Template)]
#[template(path = "public_stats.html")]
struct PublicStatsPage {
    nav: super::Nav,
    head: super::public::Head,
    v: ReportView,
    /// The page's own address, for the year links.
    here: String,
    /// Where the page belongs: the county directory or the station page.
    back: (String, String),
    year: i32,
    years: Vec<i32>,
    /// Receptions held and constituents received in the year.
    receptions: (i64, i64),
    /// (title, reply) of outcomes the constituents allowed to publish.
    echoes: Vec<(String, String)>,
}

fn year_of(q: &PublicQuery, this_year: i32) -> Result<i32, PageError> {
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(this_year),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=this_year).contains(y))
            .ok_or_else(|| liaison_app::Error::invalid("invalid_year", "年份不正确").field("year").into()),
    }
}

async fn public_page(
    state: &AppState,
    caller: &Caller,
    subject: Subject,
    q: &PublicQuery,
    here: String,
    back: (String, String),
) -> Result<Html<String>, PageError> {
    let today = state.app.today();
    let this_year = chrono::Datelike::year(&today);
    let year = year_of(q, this_year)?;
    let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("a date");
    let to = if year == this_year { today } else { chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("a date") };
    let subject_county = subject.region.county_key();
    let report = statistics::build(&state.app, &subject, from, to).await?;
    let receptions = statistics::public_receptions(&state.app, &subject, from, to).await?;
    let echoes = statistics::public_echoes(&state.app, &subject, 6)
        .await?
        .into_iter()
        .map(|c| (c.title, c.public_reply))
        .collect();
    let v = ReportView::new(&report);
    let title = format!("{} {year} 年意见建议办理情况", v.scope);
    let description = format!(
        "{}：收集意见建议 {} 件，已解决 {} 件，解决率 {}，满意率 {}。",
        v.scope, v.total.received, v.total.resolved, v.total.resolution, v.total.satisfaction
    );
    super::render(&PublicStatsPage {
        nav: super::Nav::for_caller(caller),
        head: super::public::Head::new(state, &subject_county, title, description).await,
        v,
        here,
        back,
        year,
        years: (this_year - 2..=this_year).rev().collect(),
        receptions,
        echoes,
    })
}

/// `/county/{code}/stats`: the county's figures for everyone.
pub async fn county(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(code): PagePath<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Html<String>, PageError> {
    let code = RegionCode::parse(&code)?;
    let county =
        liaison_app::regions::public(&state.app, &code).await?.ok_or_else(crate::error::ApiError::not_found)?;
    let here = format!("/county/{}/stats", county.code);
    let back = (format!("/county/{}", county.code), format!("{}人大代表联络站", county.name));
    public_page(&state, &caller, Subject { region: code, station: None }, &q, here, back).await
}

/// `/station/{slug}/stats`: one station's figures for everyone.
pub async fn station(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Html<String>, PageError> {
    let s = liaison_app::directory::station(&state.app, &slug)
        .await?
        .filter(|s| s.active)
        .ok_or_else(crate::error::ApiError::not_found)?;
    let region = RegionCode::parse(&s.data.region_code[..s.data.region_code.len().min(6)])?;
    let here = format!("/station/{}/stats", s.data.slug);
    let back = (format!("/station/{}", s.data.slug), s.data.name.clone());
    public_page(&state, &caller, Subject { region, station: Some(s.data.slug.clone()) }, &q, here, back).await
}
