//! Schedules by rule, and the reception days they give with their duty deputies.

use crate::{App, Error, Result};
use chrono::{NaiveDate, NaiveTime};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::reception::{HolidayPolicy, RawSchedule, ReceptionKind, Rule, ScheduleSpec, lunar_name};
use liaison_domain::region::RegionCode;
use liaison_store::receptions::{self as store, ScheduleData, ScheduleRow};
use liaison_store::{audit, org};
use std::collections::HashMap;

/// A schedule as written by a township officer (from a form or the API).
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    /// The station (slug); empty for a county-wide reception such as the joint petition day.
    pub station: Option<String>,
    /// For a county-wide reception: the county (6-digit code).
    pub region: Option<String>,
    pub kind: String,
    pub title: String,
    pub rule: Option<Rule>,
    pub holiday_policy: String,
    pub starts_on: String,
    pub ends_on: String,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub per_day: i64,
    pub remind_days: i64,
    pub active: bool,
}

/// A stored schedule and its parsed rule.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub row: ScheduleRow,
    pub spec: ScheduleSpec,
}

impl Schedule {
    fn from_row(row: ScheduleRow) -> Result<Schedule> {
        let broken = |what: &str| Error::internal(format!("reception schedule {} has a broken {what}", row.id));
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| broken("date"));
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| broken("time"));
        let spec = ScheduleSpec {
            title: row.title.clone(),
            kind: ReceptionKind::parse(&row.kind).ok_or_else(|| broken("kind"))?,
            rule: serde_json::from_str(&row.rule).map_err(|_| broken("rule"))?,
            policy: HolidayPolicy::parse(&row.holiday_policy).map_err(|_| broken("holiday policy"))?,
            starts_on: date(&row.starts_on)?,
            ends_on: row.ends_on.as_deref().map(date).transpose()?,
            start_time: time(&row.start_time)?,
            end_time: time(&row.end_time)?,
            place: row.place.clone(),
            per_day: u8::try_from(row.per_day).map_err(|_| broken("size"))?,
            remind_days: u8::try_from(row.remind_days).map_err(|_| broken("reminder"))?,
        };
        Ok(Schedule { row, spec })
    }

    pub fn region(&self) -> Result<RegionCode> {
        RegionCode::parse(&self.row.region_code).map_err(Error::internal)
    }
}

pub async fn load(app: &App, id: i64) -> Result<Schedule> {
    Schedule::from_row(store::schedule(&app.db, id).await?.ok_or(Error::NotFound)?)
}

/// The active schedules of an active station (public).
pub async fn station_schedules(app: &App, station: &str) -> Result<Vec<Schedule>> {
    let s = org::station_by_slug(&app.db, station).await?.filter(|s| s.active).ok_or(Error::NotFound)?;
    store::station_schedules(&app.db, s.id).await?.into_iter().map(Schedule::from_row).collect()
}

/// Creates (`id` None) or rewrites a schedule; returns its id.
pub async fn save(app: &App, principal: &Principal, id: Option<i64>, input: ScheduleInput) -> Result<i64> {
    // Where it belongs: the existing schedule's place, else the station's, else the county's.
    let (county, region, station_id, station_slug) = match id {
        Some(id) => {
            let s = load(app, id).await?;
            (s.row.county_code.clone(), s.region()?, s.row.station_id, s.row.station_slug.clone())
        }
        None => match input.station.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => {
                let s = org::station_by_slug(&app.db, slug)
                    .await?
                    .filter(|s| s.active)
                    .ok_or_else(|| Error::invalid("unknown_station", "找不到该联络站").field("station"))?;
                let region = RegionCode::parse(&s.data.region_code).map_err(Error::internal)?;
                (s.data.county_code, region, Some(s.id), Some(s.data.slug))
            }
            None => {
                let raw = input.region.as_deref().unwrap_or("").trim();
                let region = RegionCode::parse(raw).ok().filter(|_| raw.len() == 6).ok_or_else(|| {
                    Error::invalid("invalid_region", "请选择联络站；全县的联合接访请填写县级行政区划代码（6 位）")
                        .field("region")
                })?;
                (region.county_key(), region, None, None)
            }
        },
    };
    crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
    let raw = RawSchedule {
        title: &input.title,
        kind: &input.kind,
        rule: input.rule.clone(),
        policy: &input.holiday_policy,
        starts_on: &input.starts_on,
        ends_on: &input.ends_on,
        start_time: &input.start_time,
        end_time: &input.end_time,
        place: &input.place,
        per_day: input.per_day,
        remind_days: input.remind_days,
    };
    let cal = &app.calendar;
    let spec = ScheduleSpec::parse(&raw, cal).map_err(Error::from_fields)?;
    let data = ScheduleData {
        county_code: county.clone(),
        region_code: region.as_str().to_owned(),
        station_id,
        kind: spec.kind.as_str().into(),
        title: spec.title.clone(),
        rule: serde_json::to_string(&spec.rule).map_err(Error::internal)?,
        holiday_policy: spec.policy.as_str().into(),
        starts_on: spec.starts_on.to_string(),
        ends_on: spec.ends_on.map(|d| d.to_string()),
        start_time: spec.start_time.format("%H:%M").to_string(),
        end_time: spec.end_time.format("%H:%M").to_string(),
        place: spec.place.clone(),
        per_day: i64::from(spec.per_day),
        remind_days: i64::from(spec.remind_days),
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let (id, verb) = match id {
        Some(id) => {
            store::update_schedule(&mut tx, id, &data, input.active, now).await?;
            (id, "update")
        }
        None => (store::insert_schedule(&mut tx, &data, now).await?, "create"),
    };
    let place = station_slug.map(|s| format!("station:{s}")).unwrap_or_else(|| format!("region:{}", region.as_str()));
    let ev = AuditEvent {
        county_code: county,
        actor: principal.actor(),
        action: format!("reception_schedule.{verb}"),
        target: format!("reception_schedule:{id}"),
        summary: format!("{}：{}（{place}）", spec.title, spec.describe()),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// One duty deputy of a reception day.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Duty {
    pub assignment_id: i64,
    pub deputy: String,
    pub name: String,
}

/// A reception day, as pages, the API and the calendar feeds show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Day {
    pub date: NaiveDate,
    /// The date the rule named, when a holiday moved it.
    pub moved_from: Option<NaiveDate>,
    /// The lunar date (农历), e.g. 冬月初六.
    pub lunar: String,
    pub schedule_id: i64,
    pub title: String,
    pub kind: ReceptionKind,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub place: String,
    pub start_time: String,
    pub end_time: String,
    pub duty: Vec<Duty>,
    /// Places on the roster nobody fills yet.
    pub open_places: usize,
}

/// The reception days of `schedules` from `from` to `to`, in date order, with their duties.
pub async fn days(app: &App, schedules: &[Schedule], from: NaiveDate, to: NaiveDate) -> Result<Vec<Day>> {
    let cal = &app.calendar;
    let ids: Vec<i64> = schedules.iter().map(|s| s.row.id).collect();
    let mut duties: HashMap<(i64, String), Vec<Duty>> = HashMap::new();
    for a in store::assignments(&app.db, &ids, &from.to_string(), &to.to_string()).await? {
        duties.entry((a.schedule_id, a.held_on.clone())).or_default().push(Duty {
            assignment_id: a.id,
            deputy: a.deputy_slug,
            name: a.deputy_name,
        });
    }
    let mut out = Vec::new();
    for s in schedules {
        for o in s.spec.dates(cal, from, to) {
            let duty = duties.remove(&(s.row.id, o.date.to_string())).unwrap_or_default();
            out.push(Day {
                date: o.date,
                moved_from: o.moved().then_some(o.nominal),
                lunar: lunar_name(o.date).unwrap_or_default(),
                schedule_id: s.row.id,
                title: s.spec.title.clone(),
                kind: s.spec.kind,
                station: s.row.station_slug.clone(),
                station_name: s.row.station_name.clone(),
                place: s.spec.place.clone(),
                start_time: s.row.start_time.clone(),
                end_time: s.row.end_time.clone(),
                open_places: usize::from(s.spec.per_day).saturating_sub(duty.len()),
                duty,
            });
        }
    }
    out.sort_by(|a, b| (a.date, &a.start_time, a.schedule_id).cmp(&(b.date, &b.start_time, b.schedule_id)));
    Ok(out)
}

/// A station's schedules and its reception days from `from` to `to` (public).
pub async fn public_days(
    app: &App,
    station: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<Schedule>, Vec<Day>)> {
    let schedules = station_schedules(app, station).await?;
    let days = days(app, &schedules, from, to).await?;
    Ok((schedules, days))
}

/// Every reception day of a region's stations (and of its county-wide schedules) from `from` to
/// `to`; for staff who may read the region, or for the public feed when `principal` is None.
pub async fn month_days(
    app: &App,
    principal: Option<&Principal>,
    region: &RegionCode,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Day>> {
    if let Some(p) = principal {
        crate::check(p, Action::OrgRead, Target::Region(region))?;
    }
    let county = region.county_key();
    let mut rows = store::schedules_under(&app.db, &county, region.as_str(), false).await?;
    // A township sees the county-wide receptions too.
    if region.as_str().len() > 6 {
        rows.extend(
            store::schedules_under(&app.db, &county, &county, false)
                .await?
                .into_iter()
                .filter(|r| r.station_id.is_none()),
        );
        rows.sort_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
    }
    let schedules: Vec<Schedule> = rows.into_iter().map(Schedule::from_row).collect::<Result<_>>()?;
    days(app, &schedules, from, to).await
}

/// One schedule, for staff who may read its region.
pub async fn read_schedule(app: &App, principal: &Principal, id: i64) -> Result<Schedule> {
    let s = load(app, id).await?;
    crate::check(principal, Action::OrgRead, Target::Region(&s.region()?))?;
    Ok(s)
}

/// The schedules of a region (its stations' and its own), for staff who may read it.
pub async fn schedules_in(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<Schedule>> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    store::schedules_under(&app.db, &region.county_key(), region.as_str(), true)
        .await?
        .into_iter()
        .map(Schedule::from_row)
        .collect()
}
