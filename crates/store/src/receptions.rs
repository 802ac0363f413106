//! Reception days: schedules, the duty roster, swaps, declared unavailability and the records of
//! receptions held. Dates are `YYYY-MM-DD` text, so they compare as text on both backends.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use serde::Serialize;
use sqlx::AssertSqlSafe;

// ---------------------------------------------------------------------------------------------
// Schedules

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_id: Option<i64>,
    pub station_slug: Option<String>,
    pub station_name: Option<String>,
    pub kind: String,
    pub title: String,
    pub rule: String,
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

const SCHEDULE: &str =
    "SELECT r.id, r.county_code, r.region_code, r.station_id, s.slug AS station_slug, s.name AS station_name,
    r.kind, r.title, r.rule, r.holiday_policy, r.starts_on, r.ends_on, r.start_time, r.end_time, r.place, r.per_day,
    r.remind_days, r.active FROM reception_schedules r LEFT JOIN stations s ON s.id = r.station_id";

/// A schedule's fields as written.
#[derive(Debug, Clone)]
pub struct ScheduleData {
    pub county_code: String,
    pub region_code: String,
    pub station_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub rule: String,
    pub holiday_policy: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub per_day: i64,
    pub remind_days: i64,
}

pub async fn insert_schedule(tx: &mut Tx, d: &ScheduleData, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO reception_schedules (county_code, region_code, station_id, kind, title, rule, holiday_policy, starts_on, ends_on,
            start_time, end_time, place, per_day, remind_days, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id")
        .bind(&d.county_code).bind(&d.region_code).bind(d.station_id).bind(&d.kind).bind(&d.title).bind(&d.rule)
        .bind(&d.holiday_policy).bind(&d.starts_on).bind(&d.ends_on).bind(&d.start_time).bind(&d.end_time).bind(&d.place)
        .bind(d.per_day).bind(d.remind_days).bind(now_ms)
        .fetch_one(&mut *c).await.store())
}

/// Rewrites a schedule's rule, times, place and sizes (not its station or county).
pub async fn update_schedule(tx: &mut Tx, id: i64, d: &ScheduleData, active: bool, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE reception_schedules SET kind = $2, title = $3, rule = $4, holiday_policy = $5, starts_on = $6, ends_on = $7,
            start_time = $8, end_time = $9, place = $10, per_day = $11, remind_days = $12, active = $13, updated_at = $14 WHERE id = $1")
        .bind(id).bind(&d.kind).bind(&d.title).bind(&d.rule).bind(&d.holiday_policy).bind(&d.starts_on).bind(&d.ends_on)
        .bind(&d.start_time).bind(&d.end_time).bind(&d.place).bind(d.per_day).bind(d.remind_days).bind(active).bind(now_ms)
        .execute(&mut *c).await.store().map(|_| ()))
}

pub async fn schedule(db: &Db, id: i64) -> Result<Option<ScheduleRow>> {
    let sql = format!("{SCHEDULE} WHERE r.id = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await.store())
}

/// The active schedules of a station.
pub async fn station_schedules(db: &Db, station_id: i64) -> Result<Vec<ScheduleRow>> {
    let sql = format!("{SCHEDULE} WHERE r.station_id = $1 AND r.active ORDER BY r.id");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(station_id).fetch_all(p).await.store())
}

/// The schedules of a county whose region lies under `region` (a code prefix), active ones only
/// unless `all`.
pub async fn schedules_under(db: &Db, county: &str, region: &str, all: bool) -> Result<Vec<ScheduleRow>> {
    let active = if all { "" } else { " AND r.active" };
    let sql = format!(
        "{SCHEDULE} WHERE r.county_code = $1 AND (r.region_code = $2 OR r.region_code LIKE $3){active} ORDER BY r.region_code, r.id"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(county).bind(region).bind(format!("{region}%"))
        .fetch_all(p).await.store())
}

// ---------------------------------------------------------------------------------------------
// The roster

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub schedule_id: i64,
    pub held_on: String,
    pub deputy_id: i64,
    pub deputy_slug: String,
    pub deputy_name: String,
    pub deputy_phone: String,
    pub reminded_at: Option<i64>,
}

const ASSIGNMENT: &str =
    "SELECT a.id, a.schedule_id, a.held_on, a.deputy_id, d.slug AS deputy_slug, d.name AS deputy_name,
    d.phone AS deputy_phone, a.reminded_at FROM duty_assignments a JOIN deputies d ON d.id = a.deputy_id";

/// The duty deputies of the schedules `ids` from `from` to `to`, by date then id.
pub async fn assignments(db: &Db, ids: &[i64], from: &str, to: &str) -> Result<Vec<AssignmentRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "{ASSIGNMENT} WHERE a.held_on >= $1 AND a.held_on <= $2 AND a.schedule_id IN ({}) ORDER BY a.held_on, a.id",
        marks.join(", ")
    );
    on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(from).bind(to);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await.store()
    })
}

/// A deputy's duties from `from` to `to`.
pub async fn deputy_assignments(db: &Db, deputy_id: i64, from: &str, to: &str) -> Result<Vec<AssignmentRow>> {
    let sql =
        format!("{ASSIGNMENT} WHERE a.deputy_id = $1 AND a.held_on >= $2 AND a.held_on <= $3 ORDER BY a.held_on, a.id");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(deputy_id).bind(from).bind(to).fetch_all(p).await.store())
}

pub async fn assignment(db: &Db, id: i64) -> Result<Option<AssignmentRow>> {
    let sql = format!("{ASSIGNMENT} WHERE a.id = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await.store())
}

/// (deputy, duties, last duty) of a schedule before `before`: the turns already served.
pub async fn served(db: &Db, schedule_id: i64, before: &str) -> Result<Vec<(i64, i64, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT deputy_id, COUNT(*), MAX(held_on) FROM duty_assignments WHERE schedule_id = $1 AND held_on < $2 GROUP BY deputy_id")
        .bind(schedule_id).bind(before).fetch_all(p).await.store())
}

/// Adds duties; (date, deputy) pairs already on the roster are left as they are.
pub async fn add_assignments(
    tx: &mut Tx,
    county: &str,
    schedule_id: i64,
    duties: &[(String, i64)],
    now_ms: i64,
) -> Result<u64> {
    let mut added = 0;
    for (day, deputy) in duties {
        added += on_tx!(tx, c => sqlx::query(
            "INSERT INTO duty_assignments (county_code, schedule_id, held_on, deputy_id, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (schedule_id, held_on, deputy_id) DO NOTHING")
            .bind(county).bind(schedule_id).bind(day).bind(*deputy).bind(now_ms)
            .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    }
    Ok(added)
}

/// Puts another deputy on a duty; the reminder is sent again to the new one.
pub async fn set_assignment_deputy(tx: &mut Tx, id: i64, deputy_id: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE duty_assignments SET deputy_id = $2, reminded_at = NULL WHERE id = $1")
        .bind(id).bind(deputy_id).execute(&mut *c).await.store().map(|_| ()))
}

/// Duties from `from` to `to` not yet reminded, with their schedule's reminder lead and title.
pub async fn unreminded(db: &Db, from: &str, to: &str) -> Result<Vec<(AssignmentRow, i64, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        a: AssignmentRow,
        remind_days: i64,
        county_code: String,
    }
    let sql = "SELECT a.id, a.schedule_id, a.held_on, a.deputy_id, d.slug AS deputy_slug, d.name AS deputy_name, d.phone AS deputy_phone,
            a.reminded_at, r.remind_days, r.county_code
         FROM duty_assignments a JOIN deputies d ON d.id = a.deputy_id JOIN reception_schedules r ON r.id = a.schedule_id
         WHERE a.reminded_at IS NULL AND a.held_on >= $1 AND a.held_on <= $2 AND r.active AND r.remind_days > 0 ORDER BY a.held_on, a.id";
    let rows: Vec<Row> = on_read!(db, p => sqlx::query_as(sql).bind(from).bind(to).fetch_all(p).await.store())?;
    Ok(rows.into_iter().map(|r| (r.a, r.remind_days, r.county_code)).collect())
}

pub async fn mark_reminded(tx: &mut Tx, id: i64, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE duty_assignments SET reminded_at = $2 WHERE id = $1")
        .bind(id).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))
}

// ---------------------------------------------------------------------------------------------
// Unavailability and swaps

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Unavailable {
    pub id: i64,
    pub deputy_id: i64,
    pub from_on: String,
    pub to_on: String,
    pub reason: String,
}

pub async fn add_unavailable(
    tx: &mut Tx,
    county: &str,
    deputy_id: i64,
    from: &str,
    to: &str,
    reason: &str,
    now_ms: i64,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO deputy_unavailability (county_code, deputy_id, from_on, to_on, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(county).bind(deputy_id).bind(from).bind(to).bind(reason).bind(now_ms).fetch_one(&mut *c).await.store())
}

/// Declared unavailability of `deputies` overlapping `from`..=`to`.
pub async fn unavailable(db: &Db, deputies: &[i64], from: &str, to: &str) -> Result<Vec<Unavailable>> {
    if deputies.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (0..deputies.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT id, deputy_id, from_on, to_on, reason FROM deputy_unavailability WHERE to_on >= $1 AND from_on <= $2 AND deputy_id IN ({}) ORDER BY from_on",
        marks.join(", ")
    );
    on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(from).bind(to);
        for d in deputies {
            q = q.bind(*d);
        }
        q.fetch_all(p).await.store()
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SwapRow {
    pub id: i64,
    pub county_code: String,
    pub assignment_id: i64,
    pub schedule_id: i64,
    pub held_on: String,
    pub from_deputy: String,
    pub from_name: String,
    pub to_deputy: String,
    pub to_name: String,
    pub to_deputy_id: i64,
    pub reason: String,
    pub status: String,
    pub region_code: String,
    pub title: String,
}

const SWAP: &str = "SELECT w.id, w.county_code, w.assignment_id, a.schedule_id, a.held_on, f.slug AS from_deputy, f.name AS from_name,
    t.slug AS to_deputy, t.name AS to_name, w.to_deputy_id, w.reason, w.status, r.region_code, r.title
    FROM duty_swaps w JOIN duty_assignments a ON a.id = w.assignment_id JOIN reception_schedules r ON r.id = a.schedule_id
    JOIN deputies f ON f.id = w.from_deputy_id JOIN deputies t ON t.id = w.to_deputy_id";

#[allow(clippy::too_many_arguments)]
pub async fn request_swap(
    tx: &mut Tx,
    county: &str,
    assignment_id: i64,
    from: i64,
    to: i64,
    reason: &str,
    by: &str,
    now_ms: i64,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO duty_swaps (county_code, assignment_id, from_deputy_id, to_deputy_id, reason, status, requested_by, created_at)
         VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7) RETURNING id")
        .bind(county).bind(assignment_id).bind(from).bind(to).bind(reason).bind(by).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn swap(db: &Db, id: i64) -> Result<Option<SwapRow>> {
    let sql = format!("{SWAP} WHERE w.id = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await.store())
}

/// Swaps waiting for a decision in a county, under `region`.
pub async fn pending_swaps(db: &Db, county: &str, region: &str) -> Result<Vec<SwapRow>> {
    let sql = format!(
        "{SWAP} WHERE w.county_code = $1 AND w.status = 'requested' AND (r.region_code = $2 OR r.region_code LIKE $3) ORDER BY a.held_on, w.id"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(county).bind(region).bind(format!("{region}%")).fetch_all(p).await.store())
}

/// The swaps a deputy asked for or was asked to take.
pub async fn deputy_swaps(db: &Db, deputy_id: i64) -> Result<Vec<SwapRow>> {
    let sql = format!("{SWAP} WHERE w.from_deputy_id = $1 OR w.to_deputy_id = $1 ORDER BY w.id DESC LIMIT 50");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(deputy_id).fetch_all(p).await.store())
}

/// Decides a swap that is still requested; false when it was decided already.
pub async fn decide_swap(tx: &mut Tx, id: i64, status: &str, by: &str, now_ms: i64) -> Result<bool> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE duty_swaps SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND status = 'requested'")
        .bind(id).bind(status).bind(by).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

// ---------------------------------------------------------------------------------------------
// Reception records

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReceptionRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_id: Option<i64>,
    pub station_slug: Option<String>,
    pub station_name: Option<String>,
    pub schedule_id: Option<i64>,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub visitors: i64,
    pub summary: String,
    pub recorded_by: String,
    /// Matters raised (cases linked), and how many of them were answered on the spot.
    pub matters: i64,
    pub on_spot: i64,
}

const RECEPTION: &str =
    "SELECT e.id, e.county_code, e.region_code, e.station_id, s.slug AS station_slug, s.name AS station_name,
    e.schedule_id, e.kind, e.held_on, e.place, e.visitors, e.summary, e.recorded_by,
    (SELECT COUNT(*) FROM reception_cases rc WHERE rc.reception_id = e.id) AS matters,
    (SELECT COUNT(*) FROM reception_cases rc JOIN cases c ON c.id = rc.case_id WHERE rc.reception_id = e.id
        AND EXISTS (SELECT 1 FROM case_events v WHERE v.case_id = c.id AND v.to_status = 'answered_on_spot')) AS on_spot
    FROM receptions e LEFT JOIN stations s ON s.id = e.station_id";

#[derive(Debug, Clone)]
pub struct ReceptionData {
    pub county_code: String,
    pub region_code: String,
    pub station_id: Option<i64>,
    pub schedule_id: Option<i64>,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub visitors: i64,
    pub summary: String,
    pub recorded_by: String,
    /// (role, deputy id, name, title).
    pub attendees: Vec<(String, Option<i64>, String, String)>,
    /// (household, note).
    pub households: Vec<(String, String)>,
}

pub async fn insert_reception(tx: &mut Tx, d: &ReceptionData, now_ms: i64) -> Result<i64> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO receptions (county_code, region_code, station_id, schedule_id, kind, held_on, place, visitors, summary, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
        .bind(&d.county_code).bind(&d.region_code).bind(d.station_id).bind(d.schedule_id).bind(&d.kind).bind(&d.held_on)
        .bind(&d.place).bind(d.visitors).bind(&d.summary).bind(&d.recorded_by).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    for (i, (role, deputy, name, title)) in d.attendees.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO reception_attendees (reception_id, position, role, deputy_id, name, title) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(i as i64).bind(role).bind(*deputy).bind(name).bind(title).execute(&mut *c).await.store().map(|_| ()))?;
    }
    for (i, (household, note)) in d.households.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO reception_households (reception_id, position, household, note) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(i as i64).bind(household).bind(note).execute(&mut *c).await.store().map(|_| ()))?;
    }
    Ok(id)
}

pub async fn reception(db: &Db, id: i64) -> Result<Option<ReceptionRow>> {
    let sql = format!("{RECEPTION} WHERE e.id = $1");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await.store())
}

/// Receptions of a county under `region` (a code prefix), or of one station, newest first.
pub async fn receptions(
    db: &Db,
    county: &str,
    region: &str,
    station_id: Option<i64>,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<ReceptionRow>> {
    let sql = format!(
        "{RECEPTION} WHERE e.county_code = $1 AND (e.region_code = $2 OR e.region_code LIKE $3) AND ($4 = 0 OR e.station_id = $4)
         AND e.held_on >= $5 AND e.held_on <= $6 ORDER BY e.held_on DESC, e.id DESC LIMIT $7"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(county).bind(region).bind(format!("{region}%"))
        .bind(station_id.unwrap_or(0)).bind(from).bind(to).bind(limit).fetch_all(p).await.store())
}

/// The receptions a deputy attended, newest first.
pub async fn attended(db: &Db, deputy_id: i64, from: &str, to: &str) -> Result<Vec<ReceptionRow>> {
    let sql = format!(
        "{RECEPTION} WHERE e.id IN (SELECT reception_id FROM reception_attendees WHERE deputy_id = $1)
         AND e.held_on >= $2 AND e.held_on <= $3 ORDER BY e.held_on DESC, e.id DESC LIMIT 300"
    );
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).bind(deputy_id).bind(from).bind(to).fetch_all(p).await.store())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttendeeRow {
    pub role: String,
    pub deputy_id: Option<i64>,
    pub deputy_slug: Option<String>,
    pub name: String,
    pub title: String,
}

pub async fn attendees(db: &Db, reception_id: i64) -> Result<Vec<AttendeeRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT a.role, a.deputy_id, d.slug AS deputy_slug, a.name, a.title FROM reception_attendees a
         LEFT JOIN deputies d ON d.id = a.deputy_id WHERE a.reception_id = $1 ORDER BY a.position")
        .bind(reception_id).fetch_all(p).await.store())
}

pub async fn households(db: &Db, reception_id: i64) -> Result<Vec<(String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT household, note FROM reception_households WHERE reception_id = $1 ORDER BY position")
        .bind(reception_id).fetch_all(p).await.store())
}

pub async fn link_case(tx: &mut Tx, case_id: i64, reception_id: i64, put_to: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO reception_cases (case_id, reception_id, put_to) VALUES ($1, $2, $3)")
        .bind(case_id).bind(reception_id).bind(put_to).execute(&mut *c).await.store().map(|_| ()))
}

/// (case id, the agency head it was put to) of a reception's matters, in the order raised.
pub async fn linked_cases(db: &Db, reception_id: i64) -> Result<Vec<(i64, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT case_id, put_to FROM reception_cases WHERE reception_id = $1 ORDER BY case_id")
        .bind(reception_id).fetch_all(p).await.store())
}

/// The reception a case was raised at, if any.
pub async fn reception_of_case(db: &Db, case_id: i64) -> Result<Option<(i64, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT reception_id, put_to FROM reception_cases WHERE case_id = $1")
        .bind(case_id).fetch_optional(p).await.store())
}

/// Receptions held in a county under `region` (a code prefix), at one station (`station` slug,
/// or all when empty), from `from` to `to`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// (kind, receptions held, constituents received).
    pub by_kind: Vec<(String, i64, i64)>,
    /// Matters raised, and those answered on the spot.
    pub matters: i64,
    pub on_spot: i64,
    /// Deputies' attendances (one per deputy per reception).
    pub deputy_attendances: i64,
}

pub async fn totals(db: &Db, county: &str, region: &str, station: &str, from: &str, to: &str) -> Result<Totals> {
    const SCOPE: &str = "e.county_code = $1 AND (e.region_code = $2 OR e.region_code LIKE $3)
        AND ($4 = '' OR e.station_id = (SELECT id FROM stations WHERE slug = $4)) AND e.held_on >= $5 AND e.held_on <= $6";
    let like = format!("{region}%");
    let by_kind: Vec<(String, i64, i64)> = on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT e.kind, COUNT(*), CAST(COALESCE(SUM(e.visitors), 0) AS BIGINT) FROM receptions e WHERE {SCOPE} GROUP BY e.kind ORDER BY e.kind")))
        .bind(county).bind(region).bind(&like).bind(station).bind(from).bind(to).fetch_all(p).await.store())?;
    let (matters, on_spot): (i64, i64) = on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM case_events v WHERE v.case_id = rc.case_id
            AND v.to_status = 'answered_on_spot') THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM reception_cases rc JOIN receptions e ON e.id = rc.reception_id WHERE {SCOPE}")))
        .bind(county).bind(region).bind(&like).bind(station).bind(from).bind(to).fetch_one(p).await.store())?;
    let deputy_attendances: i64 = on_read!(db, p => sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM reception_attendees a JOIN receptions e ON e.id = a.reception_id WHERE a.role = 'deputy' AND {SCOPE}")))
        .bind(county).bind(region).bind(&like).bind(station).bind(from).bind(to).fetch_one(p).await.store())?;
    Ok(Totals { by_kind, matters, on_spot, deputy_attendances })
}

/// Adds a photo to a reception; the same photo twice is kept once.
pub async fn add_photo(tx: &mut Tx, reception_id: i64, hash: &str, mime: &str, size: i64, now_ms: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO reception_photos (reception_id, hash, mime, size, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (reception_id, hash) DO NOTHING")
        .bind(reception_id).bind(hash).bind(mime).bind(size).bind(now_ms).execute(&mut *c).await.store().map(|_| ()))
}

/// (hash, media type) of a reception's photos, in the order added.
pub async fn photos(db: &Db, reception_id: i64) -> Result<Vec<(String, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT hash, mime FROM reception_photos WHERE reception_id = $1 ORDER BY created_at, hash")
        .bind(reception_id).fetch_all(p).await.store())
}
