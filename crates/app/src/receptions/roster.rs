//! The duty roster: generated fairly, edited by the township, swapped on a deputy's request once
//! approved, and reminded through the outbox.

use super::schedule::{Schedule, load};
use super::{bad_date, own_deputy};
use crate::notify::SmsKind;
use crate::{App, Error, Result};
use chrono::{Datelike, Duration, NaiveDate};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::reception::{parse_date, roster};
use liaison_domain::region::RegionCode;
use liaison_domain::text::{Lines, optional};
use liaison_store::org::{self, Deputy};
use liaison_store::receptions::{self as store, SwapRow, Unavailable};
use liaison_store::{audit, outbox};
use std::collections::HashMap;

/// The deputies a schedule's roster draws from, in rotation order: those linked to its station,
/// or for a county-wide schedule every deputy of the county. Active ones only.
async fn pool(app: &App, s: &Schedule) -> Result<Vec<Deputy>> {
    let mut out: Vec<Deputy> = match s.row.station_id {
        Some(id) => org::station_deputies(&app.db, id).await?.into_iter().map(|(d, _)| d).collect(),
        None => org::deputies_under(&app.db, &s.row.county_code, false).await?,
    };
    out.retain(|d| d.active);
    out.sort_by_key(|d| d.id);
    Ok(out)
}

async fn audit_one(
    app: &App,
    tx: &mut liaison_store::Tx,
    p: &Principal,
    county: &str,
    action: &str,
    target: String,
    summary: String,
) -> Result<()> {
    let ev = AuditEvent { county_code: county.to_owned(), actor: p.actor(), action: action.into(), target, summary };
    audit::append(tx, &ev, app.now_ms()).await?;
    Ok(())
}

/// What a roster generation did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Generated {
    /// Reception days of the year, and duties added.
    pub days: usize,
    pub added: usize,
    /// Days where fewer deputies than needed were free: (date, places left open).
    pub gaps: Vec<(NaiveDate, usize)>,
}

/// Fills the roster of `year`: each reception day without duty deputies gets `per_day` of them,
/// continuing the rotation from the duties already on the roster (edited ones stay as they are).
pub async fn generate(app: &App, principal: &Principal, schedule_id: i64, year: i32) -> Result<Generated> {
    let s = load(app, schedule_id).await?;
    crate::check(principal, Action::OrgWrite, Target::Region(&s.region()?))?;
    let (Some(from), Some(to)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return Err(Error::invalid("invalid_year", "年份不正确").field("year"));
    };
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("invalid_year", "年份应在 2000 到 2100 之间").field("year"));
    }
    let deputies = pool(app, &s).await?;
    let ids: Vec<i64> = deputies.iter().map(|d| d.id).collect();
    let dates: Vec<NaiveDate> = s.spec.dates(&app.calendar, from, to).into_iter().map(|o| o.date).collect();
    let existing = store::assignments(&app.db, &[s.row.id], &from.to_string(), &to.to_string()).await?;
    let filled: std::collections::HashSet<&str> = existing.iter().map(|a| a.held_on.as_str()).collect();
    let open: Vec<NaiveDate> = dates.iter().copied().filter(|d| !filled.contains(d.to_string().as_str())).collect();
    // Turns served: everything on this schedule's roster up to the end of the year.
    let mut served: HashMap<i64, roster::Turns> = HashMap::new();
    for (deputy, count, last) in store::served(&app.db, s.row.id, &(to + Duration::days(1)).to_string()).await? {
        let last = NaiveDate::parse_from_str(&last, "%Y-%m-%d").ok();
        served.insert(deputy, roster::Turns { count: u32::try_from(count).unwrap_or(0), last });
    }
    let away = store::unavailable(&app.db, &ids, &from.to_string(), &to.to_string()).await?;
    let is_away = |who: i64, when: NaiveDate| {
        let w = when.to_string();
        away.iter().any(|u| u.deputy_id == who && u.from_on <= w && w <= u.to_on)
    };
    let slots = roster::generate(&open, &ids, usize::from(s.spec.per_day), &served, is_away)?;
    let duties: Vec<(String, i64)> =
        slots.iter().flat_map(|sl| sl.deputies.iter().map(move |d| (sl.date.to_string(), *d))).collect();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let added = store::add_assignments(&mut tx, &s.row.county_code, s.row.id, &duties, now).await?;
    let summary = format!("{} {year} 年轮值表：{} 个接待日，新排 {added} 人次", s.spec.title, dates.len());
    audit_one(
        app,
        &mut tx,
        principal,
        &s.row.county_code,
        "duty_roster.generate",
        format!("reception_schedule:{}", s.row.id),
        summary,
    )
    .await?;
    tx.commit().await?;
    let gaps = slots.iter().filter(|sl| sl.unfilled > 0).map(|sl| (sl.date, sl.unfilled)).collect();
    Ok(Generated { days: dates.len(), added: usize::try_from(added).unwrap_or(0), gaps })
}

/// A deputy of the schedule's pool, by slug; refused with `field` when not in it.
async fn in_pool(app: &App, s: &Schedule, slug: &str, field: &'static str) -> Result<Deputy> {
    let slug = slug.trim();
    let pool = pool(app, s).await?;
    if let Some(d) = pool.into_iter().find(|d| d.data.slug == slug) {
        return Ok(d);
    }
    match org::deputy_by_slug(&app.db, slug).await? {
        Some(_) if s.row.station_id.is_some() => {
            Err(Error::invalid("not_station_deputy", "该代表不是本联络站的代表，不能在此值班").field(field))
        }
        Some(_) => Err(Error::invalid("not_county_deputy", "该代表不属于本县（区）").field(field)),
        None => Err(Error::invalid("unknown_deputy", "找不到该代表").field(field)),
    }
}

/// Puts another deputy of the station on a duty (the township officer's edit).
pub async fn reassign(app: &App, principal: &Principal, assignment_id: i64, deputy: &str) -> Result<()> {
    let a = store::assignment(&app.db, assignment_id).await?.ok_or(Error::NotFound)?;
    let s = load(app, a.schedule_id).await?;
    crate::check(principal, Action::OrgWrite, Target::Region(&s.region()?))?;
    let d = in_pool(app, &s, deputy, "deputy").await?;
    if d.id == a.deputy_id {
        return Ok(());
    }
    let same_day = store::assignments(&app.db, &[s.row.id], &a.held_on, &a.held_on).await?;
    if same_day.iter().any(|x| x.deputy_id == d.id) {
        return Err(Error::conflict("already_on_duty", "该代表当天已在值班名单中").field("deputy"));
    }
    let mut tx = app.db.begin().await?;
    store::set_assignment_deputy(&mut tx, a.id, d.id).await?;
    let summary = format!("{} {}：{} 改为 {}", s.spec.title, a.held_on, a.deputy_name, d.data.name);
    audit_one(app, &mut tx, principal, &s.row.county_code, "duty_roster.reassign", format!("duty:{}", a.id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A deputy asks another deputy of the same station to take one of their duties; the township
/// approves or refuses. Station officers may file it for the deputy.
pub async fn request_swap(app: &App, principal: &Principal, assignment_id: i64, to: &str, reason: &str) -> Result<i64> {
    let a = store::assignment(&app.db, assignment_id).await?.ok_or(Error::NotFound)?;
    let s = load(app, a.schedule_id).await?;
    let region = s.region()?;
    if own_deputy(principal) != Some(a.deputy_slug.as_str()) {
        crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
    }
    let reason = optional("reason", reason, 200, "换班理由", Lines::One)?;
    let d = in_pool(app, &s, to, "to").await?;
    if d.id == a.deputy_id {
        return Err(Error::invalid("same_deputy", "请选择另一位代表").field("to"));
    }
    if a.held_on < app.today().to_string() {
        return Err(Error::conflict("duty_past", "该接待日已过，不能换班"));
    }
    let same_day = store::assignments(&app.db, &[s.row.id], &a.held_on, &a.held_on).await?;
    if same_day.iter().any(|x| x.deputy_id == d.id) {
        return Err(Error::conflict("already_on_duty", "该代表当天已在值班名单中").field("to"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id =
        store::request_swap(&mut tx, &s.row.county_code, a.id, a.deputy_id, d.id, &reason, &principal.actor(), now)
            .await?;
    let summary = format!("{} {}：{} 申请由 {} 代班", s.spec.title, a.held_on, a.deputy_name, d.data.name);
    audit_one(app, &mut tx, principal, &s.row.county_code, "duty_swap.request", format!("duty_swap:{id}"), summary)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Approves (the other deputy takes the duty) or refuses a requested swap.
pub async fn decide_swap(app: &App, principal: &Principal, swap_id: i64, approve: bool) -> Result<()> {
    let w = store::swap(&app.db, swap_id).await?.ok_or(Error::NotFound)?;
    let region = RegionCode::parse(&w.region_code).map_err(Error::internal)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
    if w.status != "requested" {
        return Err(Error::conflict("swap_decided", "该换班申请已处理"));
    }
    if approve {
        let same_day = store::assignments(&app.db, &[w.schedule_id], &w.held_on, &w.held_on).await?;
        if same_day.iter().any(|x| x.deputy_id == w.to_deputy_id) {
            return Err(Error::conflict("already_on_duty", "该代表当天已在值班名单中，不能同意"));
        }
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let status = if approve { "approved" } else { "refused" };
    if !store::decide_swap(&mut tx, w.id, status, &principal.actor(), now).await? {
        return Err(Error::conflict("swap_decided", "该换班申请已处理"));
    }
    if approve {
        store::set_assignment_deputy(&mut tx, w.assignment_id, w.to_deputy_id).await?;
    }
    let verb = if approve { "同意" } else { "不同意" };
    let summary = format!("{} {}：{verb} {} 由 {} 代班", w.title, w.held_on, w.from_name, w.to_name);
    audit_one(
        app,
        &mut tx,
        principal,
        &w.county_code,
        &format!("duty_swap.{status}"),
        format!("duty_swap:{}", w.id),
        summary,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Swaps waiting for the principal's decision, within `region` (default: their first region).
pub async fn pending_swaps(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<SwapRow>> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, region)?;
    Ok(store::pending_swaps(&app.db, &region.county_key(), region.as_str()).await?)
}

/// A deputy declares days they cannot be on duty; generation passes them over.
pub async fn declare_unavailable(
    app: &App,
    principal: &Principal,
    deputy: &str,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<i64> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.filter(|d| d.active).ok_or(Error::NotFound)?;
    if own_deputy(principal) != Some(d.data.slug.as_str()) {
        let region = RegionCode::parse(&d.data.region_code).map_err(Error::internal)?;
        crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
    }
    let from = parse_date("from", from).map_err(bad_date("from"))?;
    let to = parse_date("to", to).map_err(bad_date("to"))?;
    if to < from {
        return Err(Error::invalid("invalid_date", "结束日期不能早于开始日期").field("to"));
    }
    if to - from > Duration::days(366) {
        return Err(Error::invalid("invalid_date", "一次最多登记一年").field("to"));
    }
    let reason = optional("reason", reason, 200, "原因", Lines::One)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id =
        store::add_unavailable(&mut tx, &d.data.county_code, d.id, &from.to_string(), &to.to_string(), &reason, now)
            .await?;
    let summary = format!("{} {from} 至 {to} 不能值班", d.data.name);
    audit_one(
        app,
        &mut tx,
        principal,
        &d.data.county_code,
        "deputy.unavailable",
        format!("deputy:{}", d.data.slug),
        summary,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// One of a deputy's duties, with where and when.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DutyView {
    pub assignment_id: i64,
    pub schedule_id: i64,
    pub date: NaiveDate,
    pub title: String,
    pub station: Option<String>,
    pub station_name: Option<String>,
    pub place: String,
    pub start_time: String,
    pub end_time: String,
    /// The other deputies on duty that day (slugs).
    pub with: Vec<String>,
}

/// A deputy's duties from `from` to `to` (public: no phones), their swaps and declared
/// unavailability (for the deputy themself and staff).
pub async fn deputy_duties(
    app: &App,
    deputy: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Deputy, Vec<DutyView>, Vec<SwapRow>, Vec<Unavailable>)> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.filter(|d| d.active).ok_or(Error::NotFound)?;
    let rows = store::deputy_assignments(&app.db, d.id, &from.to_string(), &to.to_string()).await?;
    let mut schedules: HashMap<i64, Schedule> = HashMap::new();
    let mut duties = Vec::new();
    for a in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = schedules.entry(a.schedule_id) {
            e.insert(load(app, a.schedule_id).await?);
        }
        let s = &schedules[&a.schedule_id];
        let Ok(date) = NaiveDate::parse_from_str(&a.held_on, "%Y-%m-%d") else { continue };
        let with = store::assignments(&app.db, &[a.schedule_id], &a.held_on, &a.held_on)
            .await?
            .into_iter()
            .filter(|x| x.deputy_id != d.id)
            .map(|x| x.deputy_slug)
            .collect();
        duties.push(DutyView {
            with,
            assignment_id: a.id,
            schedule_id: a.schedule_id,
            date,
            title: s.spec.title.clone(),
            station: s.row.station_slug.clone(),
            station_name: s.row.station_name.clone(),
            place: s.spec.place.clone(),
            start_time: s.row.start_time.clone(),
            end_time: s.row.end_time.clone(),
        });
    }
    let swaps = store::deputy_swaps(&app.db, d.id).await?;
    let away = store::unavailable(&app.db, &[d.id], &from.to_string(), "9999-12-31").await?;
    Ok((d, duties, swaps, away))
}

/// Reminds duty deputies of their reception days, `remind_days` before, once each: a message to
/// the deputy in the outbox, and a text message where a provider is configured for it.
pub async fn remind(app: &App) -> Result<usize> {
    let today = app.today();
    let horizon = today + Duration::days(31);
    let due = store::unreminded(&app.db, &today.to_string(), &horizon.to_string()).await?;
    let mut sent = 0;
    for (a, lead, county) in due {
        let Ok(day) = NaiveDate::parse_from_str(&a.held_on, "%Y-%m-%d") else { continue };
        if day - today > Duration::days(lead) {
            continue;
        }
        let s = load(app, a.schedule_id).await?;
        let when = format!("{}月{}日 {}", day.month(), day.day(), s.row.start_time);
        let body = format!(
            "{} 代表：您是{}（{}）的轮值代表，请于 {when} 到 {} 接待群众。如需换班，请登录平台申请。",
            a.deputy_name,
            s.spec.title,
            s.row.station_name.as_deref().unwrap_or("全县"),
            s.spec.place
        );
        let recipient = format!("deputy:{}", a.deputy_slug);
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        outbox::enqueue(&mut tx, &outbox::Message::plain(&county, &recipient, "接待日值班提醒", &body), now).await?;
        crate::cases::text(app, &mut tx, &county, &a.deputy_phone, SmsKind::Duty, &[when, s.spec.place.clone()], now)
            .await?;
        store::mark_reminded(&mut tx, a.id, now).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// The deputies a schedule's duties may go to: (slug, name), in rotation order.
pub async fn pool_names(app: &App, s: &Schedule) -> Result<Vec<(String, String)>> {
    Ok(pool(app, s).await?.into_iter().map(|d| (d.data.slug, d.data.name)).collect())
}
