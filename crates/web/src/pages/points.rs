//! 履职考评 in the pages: the points rules (every version, a form for the next one prefilled from
//! the current, import and export as xlsx), the township's list of deputies and their targets with
//! a reminder, rankings, archives of annual reports, and a deputy's annual report.

use super::{Nav, render};
use crate::api::points::{XLSX, download};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use liaison_app::duty_report::{self, Report};
use liaison_app::points::{self, SetInput, Stored};
use liaison_domain::authz::{self, Action, Target as AuthTarget};
use liaison_domain::points::{Item, Per, Progress, Target};
use liaison_domain::register::DutyKind;
use serde::Deserialize;
use std::collections::HashMap;

/// A progress bar's facts.
pub struct Bar {
    pub label: String,
    pub done: u32,
    /// `done`, at most `min` (the bar's fill).
    pub value: u32,
    pub min: u32,
    pub met: bool,
}

pub fn bars(p: &[Progress]) -> Vec<Bar> {
    p.iter()
        .map(|p| Bar { label: p.describe(), done: p.done, value: p.done.min(p.min), min: p.min, met: p.met() })
        .collect()
}

/// A set as the page shows it.
struct SetView {
    id: i64,
    name: String,
    scope: String,
    period: String,
    current: bool,
    term_from: String,
    /// (kind, points, month cap, year cap)
    items: Vec<(String, String, String, String)>,
    targets: Vec<String>,
}

fn view(s: &Stored, today: chrono::NaiveDate, names: &HashMap<String, String>) -> SetView {
    let set = &s.set;
    let cap = |c: Option<i32>| c.map(|c| format!("{c} 分")).unwrap_or_else(|| "不限".into());
    SetView {
        id: set.id,
        name: set.name.clone(),
        scope: match &set.township {
            Some(t) => names.get(t).cloned().unwrap_or_else(|| t.clone()),
            None => "全县（区）".into(),
        },
        period: match set.to {
            Some(to) => format!("{} 至 {}", set.from, to),
            None => format!("{} 起", set.from),
        },
        current: set.covers(today),
        term_from: set.term_from.map(|d| d.to_string()).unwrap_or_default(),
        items: set
            .items
            .iter()
            .map(|i| {
                let points = if i.points > 0 { format!("+{}", i.points) } else { i.points.to_string() };
                (i.kind.label().into(), points, cap(i.month_cap), cap(i.year_cap))
            })
            .collect(),
        targets: set.targets.iter().map(|t| format!("{}{}至少 {} 次", t.per.label(), t.kind.label(), t.min)).collect(),
    }
}

/// A row of the rules form: (kind, label, points, month cap, year cap).
type FormItem = (&'static str, &'static str, String, String, String);

#[derive(Template)]
#[template(path = "points.html")]
struct RulesPage {
    nav: Nav,
    region: String,
    region_name: String,
    sets: Vec<SetView>,
    may_write: bool,
    /// May make the county's own rules (else only a township's).
    may_county: bool,
    items: Vec<FormItem>,
    /// (index, kind, per, min) of the targets' rows.
    targets: Vec<(usize, String, String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    townships: Vec<(String, String)>,
    v: HashMap<String, String>,
    error: String,
    notice: String,
}

impl RulesPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct RegionQuery {
    region: Option<String>,
    year: Option<i32>,
    done: Option<String>,
}

async fn names(state: &AppState, county: &str) -> Result<HashMap<String, String>, ApiError> {
    let code = liaison_domain::region::RegionCode::parse(county).map_err(ApiError::internal)?;
    Ok(liaison_app::regions::subtree(&state.app, &code).await?.into_iter().map(|r| (r.code, r.name)).collect())
}

/// `/points`: the points rules that apply under the caller's region.
pub async fn rules(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("created") => "新版本已保存。",
        _ => "",
    };
    rules_page(&state, &caller, q.region.as_deref(), HashMap::new(), String::new(), notice).await
}

async fn rules_page(
    state: &AppState,
    caller: &Caller,
    region: Option<&str>,
    v: HashMap<String, String>,
    error: String,
    notice: &str,
) -> Result<Response, PageError> {
    let (region, sets) = points::list(&state.app, &caller.principal, region).await?;
    let names = names(state, &region.county_key()).await?;
    let today = state.app.today();
    let may_write = authz::authorize(&caller.principal, Action::OrgWrite, AuthTarget::Region(&region)).is_ok();
    // A township officer makes their township's own rules, never the county's.
    let county = liaison_domain::region::RegionCode::parse(&region.county_key()).map_err(ApiError::internal)?;
    let may_county = authz::authorize(&caller.principal, Action::OrgWrite, AuthTarget::Region(&county)).is_ok();
    // The form starts from the set in force today for the region (the township's, else the county's).
    let township = points::township_of(region.as_str());
    let base: Vec<liaison_domain::points::RuleSet> = sets.iter().map(|s| s.set.clone()).collect();
    let current = liaison_domain::points::in_force(&base, township, today).or_else(|| base.last());
    let items = DutyKind::ALL
        .iter()
        .map(|k| {
            let i = current.and_then(|s| s.item(*k));
            let get = |f: &str, d: String| v.get(&format!("{f}_{}", k.as_str())).cloned().unwrap_or(d);
            let opt = |c: Option<i32>| c.map(|c| c.to_string()).unwrap_or_default();
            (
                k.as_str(),
                k.label(),
                get("points", i.map(|i| i.points.to_string()).unwrap_or_default()),
                get("month", opt(i.and_then(|i| i.month_cap))),
                get("year", opt(i.and_then(|i| i.year_cap))),
            )
        })
        .collect();
    let existing: Vec<&Target> = current.map(|s| s.targets.iter().collect()).unwrap_or_default();
    let targets = (0..existing.len().max(3) + 2)
        .map(|n| {
            let t = existing.get(n);
            let get = |f: &str, d: String| v.get(&format!("{f}_{n}")).cloned().unwrap_or(d);
            (
                n,
                get("tkind", t.map(|t| t.kind.as_str().to_string()).unwrap_or_default()),
                get("tper", t.map(|t| t.per.as_str().to_string()).unwrap_or_else(|| "year".into())),
                get("tmin", t.map(|t| t.min.to_string()).unwrap_or_default()),
            )
        })
        .collect();
    let mut v = v;
    if v.is_empty() {
        v.insert("name".into(), format!("{} 年履职积分办法", today.year() + 1));
        v.insert("from".into(), format!("{}-01-01", today.year() + 1));
        v.insert("term_from".into(), current.and_then(|s| s.term_from).map(|d| d.to_string()).unwrap_or_default());
        v.insert("township".into(), current.and_then(|s| s.township.clone()).unwrap_or_default());
    }
    if !may_county && v.get("township").is_none_or(|t| t.is_empty()) {
        v.insert("township".into(), township.to_string());
    }
    let mut townships: Vec<(String, String)> = names
        .iter()
        .filter(|(code, _)| {
            code.len() == 9 && (code.starts_with(region.as_str()) || region.as_str().starts_with(code.as_str()))
        })
        .map(|(c, n)| (c.clone(), n.clone()))
        .collect();
    townships.sort();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&RulesPage {
        nav: Nav::for_caller(caller),
        region_name: names.get(region.as_str()).cloned().unwrap_or_default(),
        region: region.as_str().into(),
        sets: sets.iter().rev().map(|s| view(s, today, &names)).collect(),
        may_write,
        may_county,
        items,
        targets,
        kinds: DutyKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        townships,
        v,
        error,
        notice: notice.into(),
    })?;
    Ok((status, html).into_response())
}

fn form_input(f: &HashMap<String, String>) -> Result<SetInput, liaison_app::Error> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let number = |k: &str, what: &str, label: &str| -> Result<Option<i32>, liaison_app::Error> {
        let v = get(k);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i32>().map(Some).map_err(|_| {
            liaison_app::Error::invalid("invalid_number", format!("“{label}”的{what}应为整数")).field("items")
        })
    };
    let mut items = Vec::new();
    for k in DutyKind::ALL {
        let Some(points) = number(&format!("points_{}", k.as_str()), "分值", k.label())? else { continue };
        items.push(Item {
            kind: *k,
            points,
            month_cap: number(&format!("month_{}", k.as_str()), "每月上限", k.label())?,
            year_cap: number(&format!("year_{}", k.as_str()), "每年上限", k.label())?,
        });
    }
    let mut targets = Vec::new();
    for n in 0..20 {
        let kind = get(&format!("tkind_{n}"));
        if kind.is_empty() {
            continue;
        }
        let kind = liaison_domain::register::parse_kind(&kind)?;
        let per = Per::parse(&get(&format!("tper_{n}"))).unwrap_or(Per::Year);
        let min = number(&format!("tmin_{n}"), "目标次数", kind.label())?.unwrap_or(0);
        targets.push(Target { kind, per, min: min.max(0) as u32 });
    }
    Ok(SetInput {
        name: get("name"),
        township: get("township"),
        from: get("from"),
        to: get("to"),
        term_from: get("term_from"),
        items,
        targets,
    })
}

/// Saves a new version of the rules from the form; on a refusal, the form again as typed.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let result = match form_input(&f) {
        Ok(input) => points::create(&state.app, &caller.principal, q.region.as_deref(), input).await,
        Err(e) => Err(e),
    };
    match result.map_err(ApiError::from) {
        Ok(_) => {
            Ok(Redirect::to(&format!("/points?done=created&region={}", q.region.unwrap_or_default())).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            rules_page(&state, &caller, q.region.as_deref(), f, e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Adds a version from an uploaded workbook.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, q.region.as_deref())?;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择文件"))?
    {
        if field.name() == Some("file") {
            file = Some(
                field
                    .bytes()
                    .await
                    .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "文件过大"))?,
            );
        }
    }
    let result = match file.filter(|b| !b.is_empty()) {
        None => Err(liaison_app::Error::invalid("required", "请选择要导入的 Excel 文件")),
        Some(bytes) => match points::import(&bytes) {
            Ok(input) => points::create(&state.app, &caller.principal, q.region.as_deref(), input).await,
            Err(e) => Err(e),
        },
    };
    match result.map_err(ApiError::from) {
        Ok(_) => {
            Ok(Redirect::to(&format!("/points?done=created&region={}", q.region.unwrap_or_default())).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            rules_page(&state, &caller, q.region.as_deref(), HashMap::new(), format!("导入失败：{}", e.message), "")
                .await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A version as xlsx.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let s = points::get(&state.app, &caller.principal, id).await?;
    let bytes = points::export(&s.set)?;
    Ok(download(bytes, XLSX, &format!("points-rules-{id}.xlsx"), &format!("积分规则-{}.xlsx", s.set.name)))
}

struct StandingRow {
    slug: String,
    name: String,
    township: String,
    points: i32,
    /// A cell per column of targets: (done, min, met), or none where the target does not apply.
    cells: Vec<Option<(u32, u32, bool)>>,
    behind: bool,
    last_reminded: String,
}

struct ArchiveRow {
    id: i64,
    year: i32,
    status: &'static str,
    done: i64,
    total: i64,
}

fn archive_row(a: duty_report::Archive) -> ArchiveRow {
    let status = match a.status {
        "running" => "生成中",
        "done" => "已完成",
        "interrupted" => "已中断（服务重启），请重新生成",
        _ => "生成失败，请重新生成",
    };
    ArchiveRow { id: a.id, year: a.year, status, done: a.done, total: a.total }
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    nav: Nav,
    region: String,
    region_name: String,
    year: i32,
    this_year: bool,
    /// The targets' column heads (每年为民办实事).
    columns: Vec<String>,
    rows: Vec<StandingRow>,
    behind: usize,
    archives: Vec<ArchiveRow>,
    notice: String,
    error: String,
}

/// `/targets`: the region's deputies with their points and targets, those behind first.
pub async fn targets(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some(n) if n.starts_with("reminded-") => {
            format!("已向 {} 名未达标代表发送提醒（今天已提醒过的不再重复）。", &n[9..])
        }
        _ => String::new(),
    };
    targets_page(&state, &caller, q.region.as_deref(), q.year, notice, String::new()).await
}

async fn targets_page(
    state: &AppState,
    caller: &Caller,
    region: Option<&str>,
    year: Option<i32>,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let year = year.filter(|y| (2000..=today.year()).contains(y)).unwrap_or(today.year());
    let (region, list) = points::standing(&state.app, &caller.principal, region, year).await?;
    let names = names(state, &region.county_key()).await?;
    // One column per target, in the order the rules list them.
    let mut columns: Vec<(DutyKind, Per, String)> = Vec::new();
    for p in list.iter().flat_map(|b| &b.progress) {
        if !columns.iter().any(|(k, per, _)| *k == p.kind && *per == p.per) {
            columns.push((p.kind, p.per, format!("{}{}", p.per.label(), p.kind.label())));
        }
    }
    let rows: Vec<StandingRow> = list
        .into_iter()
        .map(|b| StandingRow {
            township: names.get(points::township_of(&b.region_code)).cloned().unwrap_or_else(|| "县级".into()),
            behind: b.progress.iter().any(|p| !p.met()),
            cells: columns
                .iter()
                .map(|(k, per, _)| {
                    b.progress.iter().find(|p| p.kind == *k && p.per == *per).map(|p| (p.done, p.min, p.met()))
                })
                .collect(),
            slug: b.slug,
            name: b.name,
            points: b.points,
            last_reminded: b.last_reminded.unwrap_or_default(),
        })
        .collect();
    let archives =
        duty_report::archives(&state.app, &caller.principal, &region).await?.into_iter().map(archive_row).collect();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&TargetsPage {
        nav: Nav::for_caller(caller),
        region_name: names.get(region.as_str()).cloned().unwrap_or_default(),
        region: region.as_str().into(),
        year,
        this_year: year == today.year(),
        behind: rows.iter().filter(|r| r.behind).count(),
        columns: columns.into_iter().map(|(_, _, l)| l).collect(),
        rows,
        archives,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct RegionYearForm {
    #[serde(default)]
    region: String,
    year: Option<i32>,
}

/// Reminds the deputies behind their targets, then back to the list.
pub async fn remind(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<RegionYearForm>,
) -> Result<Response, PageError> {
    let year = f.year.unwrap_or_else(|| state.app.today().year());
    let region = Some(f.region.as_str()).filter(|r| !r.is_empty());
    match points::remind_behind(&state.app, &caller.principal, region, year).await.map_err(ApiError::from) {
        Ok(n) => Ok(Redirect::to(&format!("/targets?region={}&done=reminded-{n}", f.region)).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            targets_page(&state, &caller, region, Some(year), String::new(), e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Rankings as xlsx.
pub async fn rankings(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
) -> Result<Response, PageError> {
    let year = q.year.unwrap_or_else(|| state.app.today().year());
    let bytes = duty_report::rankings(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(download(bytes, XLSX, &format!("rankings-{year}.xlsx"), &format!("{year}年度代表履职积分排名.xlsx")))
}

/// Starts an archive of the region's reports, then its progress page.
pub async fn start_archive(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<RegionYearForm>,
) -> Result<Response, PageError> {
    let year = f.year.unwrap_or_else(|| state.app.today().year());
    let region = Some(f.region.as_str()).filter(|r| !r.is_empty());
    match duty_report::start_archive(&state.app, &caller.principal, region, year).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/targets/archives/{id}")).into_response()),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN
                || e.status == StatusCode::SERVICE_UNAVAILABLE =>
        {
            targets_page(&state, &caller, region, Some(year), String::new(), e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "report_archive.html")]
struct ArchivePage {
    nav: Nav,
    a: ArchiveRow,
    running: bool,
    region: String,
    region_name: String,
}

/// An archive's progress, reloading itself while the job runs; the download once done.
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let a = duty_report::archive(&state.app, &caller.principal, id).await?;
    let names = names(
        &state,
        &liaison_domain::region::RegionCode::parse(&a.region_code).map_err(ApiError::internal)?.county_key(),
    )
    .await?;
    Ok(render(&ArchivePage {
        nav: Nav::for_caller(&caller),
        running: a.status == "running",
        region_name: names.get(&a.region_code).cloned().unwrap_or_default(),
        region: a.region_code.clone(),
        a: archive_row(a),
    })?
    .into_response())
}

/// A finished archive.
pub async fn archive_file(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let a = duty_report::archive(&state.app, &caller.principal, id).await?;
    let bytes = duty_report::archive_file(&state.app, &caller.principal, id).await?;
    Ok(download(
        bytes,
        "application/zip",
        &format!("reports-{}-{id}.zip", a.year),
        &format!("{}年度履职报告-{id}.zip", a.year),
    ))
}

#[derive(Template)]
#[template(path = "duty_report.html")]
struct ReportPage {
    nav: Nav,
    r: Report,
    slug: String,
    year: i32,
    bars: Vec<Bar>,
    /// (date, kind, what, points)
    entries: Vec<(String, &'static str, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

fn year_of(state: &AppState, q: &YearQuery) -> i32 {
    let today = state.app.today().year();
    q.year.filter(|y| (2000..=today).contains(y)).unwrap_or(today)
}

/// `/register/{slug}/report`: the annual report as a page, with the PDF to download.
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &q);
    let r = duty_report::of_deputy(&state.app, &caller.principal, &slug, year).await?;
    let entries = r
        .year
        .entries
        .iter()
        .map(|(e, s)| {
            let what =
                if e.place.is_empty() { e.description.clone() } else { format!("{}（{}）", e.description, e.place) };
            let points = if s.capped { format!("{}（已达上限）", s.points) } else { s.points.to_string() };
            (e.done_on.clone(), DutyKind::parse(&e.kind).map_or("", |k| k.label()), what, points)
        })
        .collect();
    Ok(render(&ReportPage {
        nav: Nav::for_caller(&caller),
        bars: bars(&r.year.progress),
        slug: r.deputy.data.slug.clone(),
        year,
        entries,
        r,
    })?
    .into_response())
}

/// The annual report as PDF.
pub async fn report_pdf(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    Ok(crate::api::points::report_download(&state, &caller, &slug, year_of(&state, &q)).await?)
}
