//! Reception days in the JSON API: schedules by rule, the reception days with their duty deputies,
//! the roster (generate, edit, swap, unavailability) and the records of receptions held.
//! The public reads dates, places and duty deputies' names; never their phones.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use liaison_app::receptions::{self as rec, Day, Schedule};
use liaison_domain::reception::Rule;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ScheduleBody {
    pub id: i64,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub region_code: String,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    /// The rule: `{"kind": "monthly_day", "day": 5}`, `{"kind": "nth_weekday", "nth": 1,
    /// "weekday": 1}` (nth -1: the last; weekday 1 = Monday … 7 = Sunday), `{"kind": "weekly",
    /// "weekdays": [2, 4]}`, `{"kind": "lunar", "days": [1, 6, 11, 16, 21, 26], "short_month":
    /// "skip" | "last_day"}`, `{"kind": "dates", "dates": ["2026-12-12"]}`.
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
    /// The rule in Chinese, e.g. 农历逢一逢六.
    pub rule_text: String,
    /// skip, next_workday or keep.
    pub holiday_policy: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub per_day: i64,
    pub remind_days: i64,
    pub active: bool,
}

impl From<&Schedule> for ScheduleBody {
    fn from(s: &Schedule) -> Self {
        let r = &s.row;
        ScheduleBody {
            id: r.id,
            station: r.station_slug.clone(),
            station_name: r.station_name.clone(),
            region_code: r.region_code.clone(),
            kind: s.spec.kind.as_str().into(),
            kind_label: s.spec.kind.label().into(),
            title: s.spec.title.clone(),
            rule: serde_json::to_value(&s.spec.rule).unwrap_or_default(),
            rule_text: s.spec.rule.describe(),
            holiday_policy: s.spec.policy.as_str().into(),
            starts_on: r.starts_on.clone(),
            ends_on: r.ends_on.clone(),
            start_time: r.start_time.clone(),
            end_time: r.end_time.clone(),
            place: s.spec.place.clone(),
            per_day: r.per_day,
            remind_days: r.remind_days,
            active: r.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DutyBody {
    /// The roster entry, for edits and swaps.
    pub id: i64,
    pub deputy: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct DayBody {
    pub date: String,
    /// The date the rule named, when a holiday moved it.
    pub moved_from: Option<String>,
    /// The lunar date, e.g. 冬月初六.
    pub lunar: String,
    pub schedule_id: i64,
    pub title: String,
    pub kind: String,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub place: String,
    pub start_time: String,
    pub end_time: String,
    pub duty: Vec<DutyBody>,
    /// Places on the roster nobody fills yet.
    pub open_places: usize,
}

impl From<Day> for DayBody {
    fn from(d: Day) -> Self {
        DayBody {
            date: d.date.to_string(),
            moved_from: d.moved_from.map(|m| m.to_string()),
            lunar: d.lunar,
            schedule_id: d.schedule_id,
            title: d.title,
            kind: d.kind.as_str().into(),
            station: d.station,
            station_name: d.station_name,
            place: d.place,
            start_time: d.start_time,
            end_time: d.end_time,
            duty: d
                .duty
                .into_iter()
                .map(|x| DutyBody { id: x.assignment_id, deputy: x.deputy, name: x.name })
                .collect(),
            open_places: d.open_places,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ScheduleRequest {
    /// The station (slug); leave out for a county-wide reception and give `region` instead.
    pub station: Option<String>,
    /// For a county-wide reception (联合接访): the county's 6-digit code.
    pub region: Option<String>,
    /// station_day, joint_petition, agency_heads, yard_meeting or home_visit.
    pub kind: String,
    pub title: String,
    /// See `ScheduleBody.rule`.
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
    /// skip, next_workday or keep.
    pub holiday_policy: String,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// `HH:MM`.
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    /// Deputies on duty each time (1–20).
    pub per_day: i64,
    /// Days before a reception that the duty deputies are reminded (0–30).
    #[serde(default)]
    pub remind_days: i64,
    /// On an update: false stops the schedule.
    pub active: Option<bool>,
}

impl ScheduleRequest {
    fn into_input(self) -> Result<rec::ScheduleInput, ApiError> {
        let rule: Rule = serde_json::from_value(self.rule).map_err(|_| {
            ApiError::from(
                liaison_app::Error::invalid("invalid_rule", "接待日规则的写法不对，请参照接口文档").field("rule"),
            )
        })?;
        Ok(rec::ScheduleInput {
            station: self.station,
            region: self.region,
            kind: self.kind,
            title: self.title,
            rule: Some(rule),
            holiday_policy: self.holiday_policy,
            starts_on: self.starts_on,
            ends_on: self.ends_on.unwrap_or_default(),
            start_time: self.start_time,
            end_time: self.end_time,
            place: self.place,
            per_day: self.per_day,
            remind_days: self.remind_days,
            active: self.active.unwrap_or(true),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReceptionCreated {
    pub id: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct RegionQuery {
    /// A region code; defaults to the caller's own region.
    pub region: Option<String>,
}

/// The reception schedules of a region (its stations' and its own).
#[utoipa::path(get, path = "/api/v1/reception-schedules", tag = "receptions", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ScheduleBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_schedules(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<ScheduleBody>>, ApiError> {
    let rows = rec::schedules_in(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(rows.iter().map(ScheduleBody::from).collect()))
}

/// Creates a schedule: a station's reception day by rule, or a county-wide one.
#[utoipa::path(post, path = "/api/v1/reception-schedules", tag = "receptions", request_body = ScheduleRequest, security(("bearer" = [])),
    responses((status = 201, body = ReceptionCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ScheduleRequest>,
) -> Result<(StatusCode, Json<ReceptionCreated>), ApiError> {
    let id = rec::save(&state.app, &caller.principal, None, body.into_input()?).await?;
    Ok((StatusCode::CREATED, Json(ReceptionCreated { id })))
}

/// One schedule.
#[utoipa::path(get, path = "/api/v1/reception-schedules/{id}", tag = "receptions", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ScheduleBody), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScheduleBody>, ApiError> {
    let s = rec::read_schedule(&state.app, &caller.principal, id).await?;
    Ok(Json(ScheduleBody::from(&s)))
}

/// Rewrites a schedule (its station stays).
#[utoipa::path(put, path = "/api/v1/reception-schedules/{id}", tag = "receptions", params(("id" = i64, Path)), request_body = ScheduleRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ReceptionCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ScheduleRequest>,
) -> Result<Json<ReceptionCreated>, ApiError> {
    let id = rec::save(&state.app, &caller.principal, Some(id), body.into_input()?).await?;
    Ok(Json(ReceptionCreated { id }))
}

#[derive(Deserialize, ToSchema)]
pub struct RosterRequest {
    /// The year to fill (days that already have duty deputies keep them).
    pub year: i32,
}

#[derive(Serialize, ToSchema)]
pub struct GapBody {
    pub date: String,
    pub open_places: usize,
}

#[derive(Serialize, ToSchema)]
pub struct GeneratedBody {
    pub days: usize,
    pub added: usize,
    /// Days on which too few deputies were free.
    pub gaps: Vec<GapBody>,
}

/// Fills a year's duty roster fairly from the deputies linked to the station.
#[utoipa::path(post, path = "/api/v1/reception-schedules/{id}/roster", tag = "receptions", params(("id" = i64, Path)),
    request_body = RosterRequest, security(("bearer" = [])),
    responses((status = 200, body = GeneratedBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn generate_roster(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RosterRequest>,
) -> Result<Json<GeneratedBody>, ApiError> {
    let g = rec::generate(&state.app, &caller.principal, id, body.year).await?;
    Ok(Json(GeneratedBody {
        days: g.days,
        added: g.added,
        gaps: g.gaps.into_iter().map(|(d, n)| GapBody { date: d.to_string(), open_places: n }).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct DaysQuery {
    /// A region code; defaults to the caller's own region.
    pub region: Option<String>,
    /// `YYYY-MM-DD`; defaults to today.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, at most 366 days after `from`; defaults to 31 days after it.
    pub to: Option<String>,
}

pub(crate) fn window(
    app: &liaison_app::App,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let parse = |field: &'static str, raw: &str| {
        liaison_domain::reception::parse_date(field, raw).map_err(|e| ApiError::from(liaison_app::Error::from(e)))
    };
    let from = match from.filter(|s| !s.trim().is_empty()) {
        Some(f) => parse("from", f)?,
        None => app.today(),
    };
    let to = match to.filter(|s| !s.trim().is_empty()) {
        Some(t) => parse("to", t)?,
        None => from + Duration::days(31),
    };
    if to < from || to - from > Duration::days(366) {
        return Err(liaison_app::Error::invalid("invalid_range", "日期范围应在一年以内，且结束不早于开始")
            .field("to")
            .into());
    }
    Ok((from, to))
}

/// Every reception day of a region's stations with its duty deputies (the staff month view).
#[utoipa::path(get, path = "/api/v1/reception-days", tag = "receptions", params(DaysQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<DayBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn region_days(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DaysQuery>,
) -> Result<Json<Vec<DayBody>>, ApiError> {
    let region = liaison_app::org::scoped_region(
        &caller.principal,
        liaison_domain::authz::Action::OrgRead,
        q.region.as_deref(),
    )?;
    let (from, to) = window(&state.app, q.from.as_deref(), q.to.as_deref())?;
    let days = rec::month_days(&state.app, Some(&caller.principal), &region, from, to).await?;
    Ok(Json(days.into_iter().map(DayBody::from).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct WindowQuery {
    /// `YYYY-MM-DD`; defaults to today.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, at most 366 days after `from`; defaults to 31 days after it.
    pub to: Option<String>,
}

/// A station's reception days with the duty deputies' names (public).
#[utoipa::path(get, path = "/api/v1/public/stations/{slug}/reception-days", tag = "receptions", params(("slug" = String, Path), WindowQuery),
    responses((status = 200, body = Vec<DayBody>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn station_days(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> Result<Json<Vec<DayBody>>, ApiError> {
    let (from, to) = window(&state.app, q.from.as_deref(), q.to.as_deref())?;
    let (_, days) = rec::public_days(&state.app, &slug, from, to).await?;
    Ok(Json(days.into_iter().map(DayBody::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct DeputyDutyBody {
    pub id: i64,
    pub date: String,
    pub title: String,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub place: String,
    pub start_time: String,
    pub end_time: String,
}

/// A deputy's reception-day duties (public: dates, places, no phones).
#[utoipa::path(get, path = "/api/v1/public/deputies/{slug}/duties", tag = "receptions", params(("slug" = String, Path), WindowQuery),
    responses((status = 200, body = Vec<DeputyDutyBody>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deputy_duties(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> Result<Json<Vec<DeputyDutyBody>>, ApiError> {
    let (from, to) = window(&state.app, q.from.as_deref(), q.to.as_deref())?;
    let (_, duties, _, _) = rec::deputy_duties(&state.app, &slug, from, to).await?;
    Ok(Json(
        duties
            .into_iter()
            .map(|v| DeputyDutyBody {
                id: v.assignment_id,
                date: v.date.to_string(),
                title: v.title,
                station: v.station,
                station_name: v.station_name,
                place: v.place,
                start_time: v.start_time,
                end_time: v.end_time,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReassignRequest {
    /// The deputy (slug) who takes the duty; a deputy linked to the same station.
    pub deputy: String,
}

/// Puts another deputy on a duty (township officer).
#[utoipa::path(put, path = "/api/v1/duties/{id}", tag = "receptions", params(("id" = i64, Path)), request_body = ReassignRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReassignRequest>,
) -> Result<StatusCode, ApiError> {
    rec::reassign(&state.app, &caller.principal, id, &body.deputy).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct SwapRequest {
    /// The deputy (slug) asked to take the duty; linked to the same station.
    pub to: String,
    #[serde(default)]
    pub reason: String,
}

/// A deputy asks another deputy of the station to take one of their duties.
#[utoipa::path(post, path = "/api/v1/duties/{id}/swap", tag = "receptions", params(("id" = i64, Path)), request_body = SwapRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ReceptionCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_swap(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SwapRequest>,
) -> Result<(StatusCode, Json<ReceptionCreated>), ApiError> {
    let id = rec::request_swap(&state.app, &caller.principal, id, &body.to, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(ReceptionCreated { id })))
}

#[derive(Serialize, ToSchema)]
pub struct SwapBody {
    pub id: i64,
    pub duty: i64,
    pub date: String,
    pub title: String,
    pub from_deputy: String,
    pub from_name: String,
    pub to_deputy: String,
    pub to_name: String,
    pub reason: String,
    /// requested, approved or refused.
    pub status: String,
}

impl From<liaison_app::receptions::SwapRow> for SwapBody {
    fn from(w: liaison_app::receptions::SwapRow) -> Self {
        SwapBody {
            id: w.id,
            duty: w.assignment_id,
            date: w.held_on,
            title: w.title,
            from_deputy: w.from_deputy,
            from_name: w.from_name,
            to_deputy: w.to_deputy,
            to_name: w.to_name,
            reason: w.reason,
            status: w.status,
        }
    }
}

/// Swaps waiting for a decision in a region.
#[utoipa::path(get, path = "/api/v1/duty-swaps", tag = "receptions", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<SwapBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pending_swaps(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<SwapBody>>, ApiError> {
    let rows = rec::pending_swaps(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(rows.into_iter().map(SwapBody::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub approve: bool,
}

/// Approves or refuses a swap (township officer).
#[utoipa::path(post, path = "/api/v1/duty-swaps/{id}/decision", tag = "receptions", params(("id" = i64, Path)), request_body = DecisionRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decide_swap(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<StatusCode, ApiError> {
    rec::decide_swap(&state.app, &caller.principal, id, body.approve).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct UnavailableRequest {
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub reason: String,
}

/// A deputy declares days they cannot be on duty (their own, or staff for them).
#[utoipa::path(post, path = "/api/v1/deputies/{slug}/unavailability", tag = "receptions", params(("slug" = String, Path)),
    request_body = UnavailableRequest, security(("bearer" = [])),
    responses((status = 201, body = ReceptionCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn declare_unavailable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<UnavailableRequest>,
) -> Result<(StatusCode, Json<ReceptionCreated>), ApiError> {
    let id = rec::declare_unavailable(&state.app, &caller.principal, &slug, &body.from, &body.to, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(ReceptionCreated { id })))
}
