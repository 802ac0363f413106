//! Reception days for staff: the month view of every station's reception days with their duty
//! deputies, a schedule's page with its roster (generate, reassign), the schedule form, and the
//! swaps waiting for the township's decision.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, Months, NaiveDate};
use liaison_app::receptions::{self as rec, Day, Schedule, ScheduleInput};
use liaison_domain::authz::{self, Action, Target};
use liaison_domain::reception::{HolidayPolicy, ReceptionKind, Rule, ShortMonth};
use liaison_domain::region::RegionCode;
use serde::Deserialize;

const WEEKDAYS: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];

/// 12月5日 星期六.
pub(crate) fn date_cn(d: NaiveDate) -> String {
    format!("{}月{}日 {}", d.month(), d.day(), WEEKDAYS[d.weekday().num_days_from_monday() as usize])
}

/// A reception day as a row of a page.
pub(crate) struct DayRow {
    pub date: String,
    pub iso: String,
    pub lunar: String,
    pub moved: String,
    pub title: String,
    pub station: String,
    pub station_name: String,
    pub place: String,
    pub time: String,
    pub schedule_id: i64,
    /// (roster entry id, deputy slug, name).
    pub duty: Vec<(i64, String, String)>,
    pub open_places: usize,
    pub past: bool,
}

pub(crate) fn day_row(d: Day, today: NaiveDate) -> DayRow {
    DayRow {
        date: date_cn(d.date),
        iso: d.date.to_string(),
        lunar: if d.lunar.is_empty() { String::new() } else { format!("农历{}", d.lunar) },
        moved: d.moved_from.map(|m| format!("原定{}月{}日，遇休息日顺延", m.month(), m.day())).unwrap_or_default(),
        title: d.title,
        station: d.station.unwrap_or_default(),
        station_name: d.station_name.unwrap_or_else(|| "全县".into()),
        place: d.place,
        time: format!("{}–{}", d.start_time, d.end_time),
        schedule_id: d.schedule_id,
        duty: d.duty.into_iter().map(|x| (x.assignment_id, x.deputy, x.name)).collect(),
        open_places: d.open_places,
        past: d.date < today,
    }
}

pub(crate) struct ScheduleLine {
    pub id: i64,
    pub title: String,
    pub station_name: String,
    pub text: String,
    pub place: String,
    pub active: bool,
}

fn line(s: &Schedule) -> ScheduleLine {
    ScheduleLine {
        id: s.row.id,
        title: s.spec.title.clone(),
        station_name: s.row.station_name.clone().unwrap_or_else(|| "全县".into()),
        text: s.spec.describe(),
        place: s.spec.place.clone(),
        active: s.row.active,
    }
}

#[derive(Template)]
#[template(path = "receptions.html")]
struct MonthPage {
    nav: Nav,
    region: String,
    region_name: String,
    month: String,
    prev: String,
    next: String,
    days: Vec<DayRow>,
    schedules: Vec<ScheduleLine>,
    swaps: Vec<liaison_app::receptions::SwapRow>,
    may_write: bool,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    region: Option<String>,
    /// `YYYY-MM`.
    month: Option<String>,
}

/// The first day of the `YYYY-MM` asked for, or of this month.
pub(crate) fn month_start(raw: Option<&str>, today: NaiveDate) -> NaiveDate {
    raw.and_then(|m| NaiveDate::parse_from_str(&format!("{}-01", m.trim()), "%Y-%m-%d").ok())
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or_else(|| today.with_day(1).unwrap_or(today))
}

/// The month before or after the one starting on `first`, as `YYYY-MM`.
pub(crate) fn month_key(first: NaiveDate, next: bool) -> String {
    let d = if next { first.checked_add_months(Months::new(1)) } else { first.checked_sub_months(Months::new(1)) };
    d.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default()
}

/// `/receptions`: the month's reception days of the caller's region, its schedules and the swaps
/// to decide.
pub async fn month(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonthQuery>,
) -> Result<Html<String>, PageError> {
    let region = liaison_app::org::scoped_region(&caller.principal, Action::OrgRead, q.region.as_deref())?;
    let today = state.app.today();
    let first = month_start(q.month.as_deref(), today);
    let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    let days = rec::month_days(&state.app, Some(&caller.principal), &region, first, last).await?;
    let schedules = rec::schedules_in(&state.app, &caller.principal, Some(region.as_str())).await?;
    let may_write = authz::authorize(&caller.principal, Action::OrgWrite, Target::Region(&region)).is_ok();
    let swaps = if may_write {
        rec::pending_swaps(&state.app, &caller.principal, Some(region.as_str())).await?
    } else {
        vec![]
    };
    let region_name =
        liaison_app::regions::public(&state.app, &region).await.ok().flatten().map(|r| r.name).unwrap_or_default();
    let shift = |m: i32| month_key(first, m > 0);
    render(&MonthPage {
        nav: Nav::for_caller(&caller),
        region: region.to_string(),
        region_name,
        month: format!("{}年{}月", first.year(), first.month()),
        prev: shift(-1),
        next: shift(1),
        days: days.into_iter().map(|d| day_row(d, today)).collect(),
        schedules: schedules.iter().map(line).collect(),
        swaps,
        may_write,
    })
}

#[derive(Template)]
#[template(path = "reception_schedule.html")]
struct SchedulePage {
    nav: Nav,
    s: ScheduleLine,
    station: String,
    per_day: i64,
    remind_days: i64,
    year: i32,
    days: Vec<DayRow>,
    pool: Vec<(String, String)>,
    may_write: bool,
    notice: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct ScheduleQuery {
    year: Option<i32>,
    generated: Option<usize>,
    gaps: Option<usize>,
    saved: Option<String>,
    error: Option<String>,
}

/// `/receptions/schedules/{id}`: a schedule, its year of reception days and the roster.
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<ScheduleQuery>,
) -> Result<Html<String>, PageError> {
    let s = rec::read_schedule(&state.app, &caller.principal, id).await?;
    let today = state.app.today();
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year());
    let (from, to) =
        (NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today), NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today));
    let days = rec::days(&state.app, std::slice::from_ref(&s), from, to).await?;
    let may_write = authz::authorize(&caller.principal, Action::OrgWrite, Target::Region(&s.region()?)).is_ok();
    let pool = rec::pool_names(&state.app, &s).await?;
    let notice = match (q.generated, q.gaps, q.saved.is_some()) {
        (Some(n), Some(g), _) if g > 0 => {
            format!("已新排 {n} 人次；有 {g} 个接待日因代表请假等原因人数不足，请手工调整。")
        }
        (Some(n), _, _) => format!("已按轮值规则新排 {n} 人次。"),
        (_, _, true) => "已保存。".into(),
        _ => String::new(),
    };
    render(&SchedulePage {
        nav: Nav::for_caller(&caller),
        station: s.row.station_slug.clone().unwrap_or_default(),
        per_day: s.row.per_day,
        remind_days: s.row.remind_days,
        s: line(&s),
        year,
        days: days.into_iter().map(|d| day_row(d, today)).collect(),
        pool,
        may_write,
        notice,
        error: q.error.unwrap_or_default(),
    })
}

#[derive(Deserialize)]
pub struct YearForm {
    year: i32,
}

/// Fills the year's roster, then back to the schedule.
pub async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<YearForm>,
) -> Result<Response, PageError> {
    match rec::generate(&state.app, &caller.principal, id, f.year).await.map_err(ApiError::from) {
        Ok(g) => Ok(Redirect::to(&format!(
            "/receptions/schedules/{id}?year={}&generated={}&gaps={}",
            f.year,
            g.added,
            g.gaps.len()
        ))
        .into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            Ok(back_with(id, f.year, &e.message))
        }
        Err(e) => Err(PageError(e)),
    }
}

fn back_with(id: i64, year: i32, message: &str) -> Response {
    let m = serde_urlencoded::to_string([("error", message)]).unwrap_or_default();
    Redirect::to(&format!("/receptions/schedules/{id}?year={year}&{m}")).into_response()
}

#[derive(Deserialize)]
pub struct ReassignForm {
    deputy: String,
    schedule: i64,
    year: i32,
}

/// Puts another deputy on a duty, then back to the schedule.
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<ReassignForm>,
) -> Result<Response, PageError> {
    match rec::reassign(&state.app, &caller.principal, id, &f.deputy).await.map_err(ApiError::from) {
        Ok(()) => {
            Ok(Redirect::to(&format!("/receptions/schedules/{}?year={}&saved=1", f.schedule, f.year)).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            Ok(back_with(f.schedule, f.year, &e.message))
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
}

/// Approves or refuses a swap, then back to the month view.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<DecisionForm>,
) -> Result<Response, PageError> {
    rec::decide_swap(&state.app, &caller.principal, id, f.decision == "approve").await?;
    Ok(Redirect::to("/receptions").into_response())
}

// ---------------------------------------------------------------------------------------------
// The schedule form

#[derive(Default, Clone)]
pub(crate) struct ScheduleValues {
    pub station: String,
    pub kind: String,
    pub title: String,
    pub rule_kind: String,
    pub day: String,
    pub nth: String,
    pub weekday: String,
    pub weekdays: Vec<String>,
    pub lunar: String,
    pub short_month: String,
    pub dates: String,
    pub policy: String,
    pub starts_on: String,
    pub ends_on: String,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub per_day: String,
    pub remind_days: String,
    pub active: bool,
}

impl ScheduleValues {
    fn of(s: &Schedule) -> ScheduleValues {
        let mut v = ScheduleValues {
            station: s.row.station_slug.clone().unwrap_or_default(),
            kind: s.spec.kind.as_str().into(),
            title: s.spec.title.clone(),
            policy: s.spec.policy.as_str().into(),
            starts_on: s.row.starts_on.clone(),
            ends_on: s.row.ends_on.clone().unwrap_or_default(),
            start_time: s.row.start_time.clone(),
            end_time: s.row.end_time.clone(),
            place: s.spec.place.clone(),
            per_day: s.row.per_day.to_string(),
            remind_days: s.row.remind_days.to_string(),
            active: s.row.active,
            short_month: "skip".into(),
            ..Default::default()
        };
        match &s.spec.rule {
            Rule::MonthlyDay { day } => (v.rule_kind, v.day) = ("monthly_day".into(), day.to_string()),
            Rule::NthWeekday { nth, weekday } => {
                (v.rule_kind, v.nth, v.weekday) = ("nth_weekday".into(), nth.to_string(), weekday.to_string())
            }
            Rule::Weekly { weekdays } => {
                (v.rule_kind, v.weekdays) = ("weekly".into(), weekdays.iter().map(u8::to_string).collect())
            }
            Rule::Lunar { days, short_month } => {
                v.rule_kind = "lunar".into();
                v.lunar = days.iter().map(u8::to_string).collect::<Vec<_>>().join(",");
                v.short_month = if *short_month == ShortMonth::LastDay { "last_day" } else { "skip" }.into();
            }
            Rule::Dates { dates } => {
                v.rule_kind = "dates".into();
                v.dates = dates.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n");
            }
        }
        v
    }

    fn fresh(today: NaiveDate) -> ScheduleValues {
        ScheduleValues {
            kind: "station_day".into(),
            title: "代表接待日".into(),
            rule_kind: "monthly_day".into(),
            day: "5".into(),
            nth: "1".into(),
            weekday: "1".into(),
            lunar: "1,6,11,16,21,26".into(),
            short_month: "skip".into(),
            policy: "next_workday".into(),
            starts_on: today.to_string(),
            start_time: "09:00".into(),
            end_time: "12:00".into(),
            per_day: "2".into(),
            remind_days: "2".into(),
            active: true,
            ..Default::default()
        }
    }

    /// The rule the form describes; `None` with the refusal when it cannot be read.
    fn rule(&self) -> Result<Rule, String> {
        let num = |s: &str, what: &str| s.trim().parse::<i64>().map_err(|_| format!("{what}应为数字"));
        let small = |n: i64| u8::try_from(n).map_err(|_| "数字超出范围".to_string());
        match self.rule_kind.as_str() {
            "monthly_day" => Ok(Rule::MonthlyDay { day: small(num(&self.day, "每月的日期")?)? }),
            "nth_weekday" => Ok(Rule::NthWeekday {
                nth: i8::try_from(num(&self.nth, "第几个")?).map_err(|_| "数字超出范围".to_string())?,
                weekday: small(num(&self.weekday, "星期几")?)?,
            }),
            "weekly" => {
                let days: Result<Vec<u8>, String> =
                    self.weekdays.iter().map(|w| num(w, "星期几").and_then(small)).collect();
                Ok(Rule::Weekly { weekdays: days? })
            }
            "lunar" => {
                let days: Result<Vec<u8>, String> = self
                    .lunar
                    .split([',', '，', '、', ' '])
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| num(s, "农历日期").and_then(small))
                    .collect();
                let short_month = if self.short_month == "last_day" { ShortMonth::LastDay } else { ShortMonth::Skip };
                Ok(Rule::Lunar { days: days?, short_month })
            }
            "dates" => {
                let dates: Result<Vec<NaiveDate>, String> = self
                    .dates
                    .split(['\n', ',', '，', '、', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("日期“{s}”应写作 YYYY-MM-DD"))
                    })
                    .collect();
                Ok(Rule::Dates { dates: dates? })
            }
            _ => Err("请选择接待日规则".into()),
        }
    }
}

#[derive(Template)]
#[template(path = "reception_schedule_form.html")]
struct FormPage {
    nav: Nav,
    editing: Option<i64>,
    region: String,
    v: ScheduleValues,
    stations: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    policies: Vec<(&'static str, &'static str)>,
    nths: Vec<(&'static str, &'static str)>,
    /// Whether the caller may set up a county-wide reception (the county office).
    may_county: bool,
    weekday_names: Vec<(&'static str, &'static str)>,
    /// (field, message) of each refusal.
    errors: Vec<(String, String)>,
}

impl FormPage {
    fn error(&self, field: &str) -> String {
        self.errors.iter().filter(|(f, _)| f == field).map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；")
    }

    fn other_errors(&self) -> Vec<&str> {
        const PLACED: [&str; 12] = [
            "station",
            "kind",
            "title",
            "rule",
            "holiday_policy",
            "starts_on",
            "ends_on",
            "start_time",
            "end_time",
            "place",
            "per_day",
            "remind_days",
        ];
        self.errors.iter().filter(|(f, _)| !PLACED.contains(&f.as_str())).map(|(_, m)| m.as_str()).collect()
    }
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    region: &RegionCode,
    editing: Option<i64>,
    v: ScheduleValues,
    errors: Vec<(String, String)>,
) -> Result<FormPage, PageError> {
    let stations = liaison_app::directory::stations_under(&state.app, region.as_str(), false)
        .await?
        .into_iter()
        .map(|s| (s.data.slug, s.data.name))
        .collect();
    let county = RegionCode::parse(&region.county_key()).map_err(ApiError::internal)?;
    let may_county = authz::authorize(&caller.principal, Action::OrgWrite, Target::Region(&county)).is_ok();
    Ok(FormPage {
        may_county,
        nav: Nav::for_caller(caller),
        editing,
        region: region.to_string(),
        v,
        stations,
        kinds: ReceptionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        policies: HolidayPolicy::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        nths: vec![("1", "第一个"), ("2", "第二个"), ("3", "第三个"), ("4", "第四个"), ("-1", "最后一个")],
        weekday_names: ["1", "2", "3", "4", "5", "6", "7"].into_iter().zip(WEEKDAYS).collect(),
        errors,
    })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    region: Option<String>,
    station: Option<String>,
}

/// `/receptions/schedules/new`
pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, PageError> {
    let region = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, q.region.as_deref())?;
    let mut v = ScheduleValues::fresh(state.app.today());
    v.station = q.station.unwrap_or_default();
    render(&form_page(&state, &caller, &region, None, v, vec![]).await?)
}

/// `/receptions/schedules/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    let s = rec::read_schedule(&state.app, &caller.principal, id).await?;
    let region = s.region()?;
    liaison_app::check(&caller.principal, Action::OrgWrite, Target::Region(&region))?;
    let township = RegionCode::parse(&region.as_str()[..region.as_str().len().min(9)]).unwrap_or(region);
    render(&form_page(&state, &caller, &township, Some(id), ScheduleValues::of(&s), vec![]).await?)
}

/// Saves the form; on a refusal, the form again as typed with each message beside its field.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let first = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let editing = first("editing").parse::<i64>().ok();
    let v = ScheduleValues {
        station: first("station"),
        kind: first("kind"),
        title: first("title"),
        rule_kind: first("rule_kind"),
        day: first("day"),
        nth: first("nth"),
        weekday: first("weekday"),
        weekdays: form.iter().filter(|(f, _)| f == "weekdays").map(|(_, v)| v.clone()).collect(),
        lunar: first("lunar"),
        short_month: first("short_month"),
        dates: first("dates"),
        policy: first("holiday_policy"),
        starts_on: first("starts_on"),
        ends_on: first("ends_on"),
        start_time: first("start_time"),
        end_time: first("end_time"),
        place: first("place"),
        per_day: first("per_day"),
        remind_days: first("remind_days"),
        active: editing.is_none() || first("active") == "1",
    };
    let region = liaison_app::org::scoped_region(&caller.principal, Action::OrgWrite, Some(&first("region")))?;
    let mut errors = Vec::new();
    let rule = match v.rule() {
        Ok(r) => Some(r),
        Err(m) => {
            errors.push(("rule".to_owned(), m));
            None
        }
    };
    let number = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
    let input = ScheduleInput {
        station: Some(v.station.clone()).filter(|s| !s.is_empty()),
        region: Some(region.county_key()),
        kind: v.kind.clone(),
        title: v.title.clone(),
        rule,
        holiday_policy: v.policy.clone(),
        starts_on: v.starts_on.clone(),
        ends_on: v.ends_on.clone(),
        start_time: v.start_time.clone(),
        end_time: v.end_time.clone(),
        place: v.place.clone(),
        per_day: number(&v.per_day),
        remind_days: number(&v.remind_days),
        active: v.active,
    };
    if errors.is_empty() {
        match rec::save(&state.app, &caller.principal, editing, input).await {
            Ok(id) => return Ok(Redirect::to(&format!("/receptions/schedules/{id}?saved=1")).into_response()),
            Err(liaison_app::Error::Fields(fields)) => {
                errors.extend(fields.into_iter().map(|f| (f.field.to_owned(), f.message)))
            }
            Err(e) => {
                let e = ApiError::from(e);
                if !e.status.is_client_error() {
                    return Err(PageError(e));
                }
                errors.push((e.field.clone().unwrap_or_default(), e.message.clone()));
            }
        }
    }
    let page = form_page(&state, &caller, &region, editing, v, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}
