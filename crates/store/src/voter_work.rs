//! Meetings with agency heads and their commitments, reports to voters, and the ledger of linked
//! voters and households with their visits, as stored. Changes to a report, a commitment or a
//! ledger contact are made at a version, so two people acting at once cannot both move it.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

/// A value to set in [`update`].
pub enum Value<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
}

/// The tables [`update`] may change.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Reports,
    Commitments,
    Contacts,
    Nominations,
    Projects,
    CandidateLists,
    Ballots,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Reports => "voter_reports",
            Table::Commitments => "agency_commitments",
            Table::Contacts => "ledger_contacts",
            Table::Nominations => "project_nominations",
            Table::Projects => "projects",
            Table::CandidateLists => "candidate_lists",
            Table::Ballots => "ballots",
        }
    }
}

/// Sets `columns` of row `id` of `table` at `version` (and bumps it); false when it changed
/// meanwhile.
pub async fn update(
    tx: &mut Tx,
    table: Table,
    id: i64,
    version: i64,
    columns: &[(&str, Value<'_>)],
    now_ms: i64,
) -> Result<bool> {
    let mut sets: Vec<String> = Vec::new();
    for (i, (col, _)) in columns.iter().enumerate() {
        debug_assert!(col.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "a column name");
        sets.push(format!("{col} = ${}", i + 4));
    }
    let sql = format!(
        "UPDATE {} SET {}, version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2",
        table.name(),
        sets.join(", ")
    );
    on_tx!(tx, c => {
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(id).bind(version).bind(now_ms);
        for (_, v) in columns {
            q = match v {
                Value::Text(s) => q.bind(*s),
                Value::OptText(s) => q.bind(*s),
                Value::Int(n) => q.bind(*n),
                Value::OptInt(n) => q.bind(*n),
                Value::Bool(b) => q.bind(*b),
            };
        }
        q.execute(&mut *c).await.store().map(|r| r.rows_affected() == 1)
    })
}

// ---- Meetings with agency heads ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub agencies: String,
    pub summary: String,
    pub recorded_by: String,
    pub created_at: i64,
}

const MEETING: &str =
    "SELECT m.id, m.county_code, m.region_code, m.kind, m.title, m.held_on, m.place, m.agencies, m.summary,
    m.recorded_by, m.created_at FROM agency_meetings m";

pub struct NewMeeting<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub held_on: &'a str,
    pub place: &'a str,
    pub agencies: &'a str,
    pub summary: &'a str,
    pub recorded_by: &'a str,
}

pub async fn insert_meeting(tx: &mut Tx, m: &NewMeeting<'_>, deputies: &[i64], now_ms: i64) -> Result<i64> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO agency_meetings (county_code, region_code, kind, title, held_on, place, agencies, summary, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(m.county_code).bind(m.region_code).bind(m.kind).bind(m.title).bind(m.held_on).bind(m.place).bind(m.agencies)
        .bind(m.summary).bind(m.recorded_by).bind(now_ms).fetch_one(&mut *c).await.store())?;
    for d in deputies {
        on_tx!(tx, c => sqlx::query("INSERT INTO agency_meeting_deputies (meeting_id, deputy_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id).bind(d).execute(&mut *c).await.store().map(|_| ()))?;
    }
    Ok(id)
}

/// A question put at a meeting.
pub struct NewQuestion<'a> {
    pub deputy_id: Option<i64>,
    pub question: &'a str,
    pub case_id: Option<i64>,
    pub suggestion_id: Option<i64>,
    pub outcome: &'a str,
    pub reply: &'a str,
}

pub async fn insert_question(tx: &mut Tx, meeting_id: i64, seq: i64, q: &NewQuestion<'_>) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO agency_meeting_questions (meeting_id, seq, deputy_id, question, case_id, suggestion_id, outcome, reply)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(meeting_id).bind(seq).bind(q.deputy_id).bind(q.question).bind(q.case_id).bind(q.suggestion_id).bind(q.outcome)
        .bind(q.reply).execute(&mut *c).await.store().map(|_| ()))
}

pub async fn insert_commitment(
    tx: &mut Tx,
    meeting_id: i64,
    county: &str,
    agency: &str,
    content: &str,
    due_on: &str,
    now_ms: i64,
) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO agency_commitments (meeting_id, county_code, agency, content, due_on, status, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'open', 1, $6) RETURNING id")
        .bind(meeting_id).bind(county).bind(agency).bind(content).bind(due_on).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn meeting(db: &Db, id: i64) -> Result<Option<MeetingRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{MEETING} WHERE m.id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// (deputy id, slug, name) of a meeting's deputies.
pub async fn meeting_deputies(db: &Db, id: i64) -> Result<Vec<(i64, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT d.id, d.slug, d.name FROM agency_meeting_deputies md JOIN deputies d ON d.id = md.deputy_id
         WHERE md.meeting_id = $1 ORDER BY d.name")
        .bind(id).fetch_all(p).await.store())
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct QuestionRow {
    pub seq: i64,
    pub deputy_name: Option<String>,
    pub question: String,
    pub case_id: Option<i64>,
    pub suggestion_id: Option<i64>,
    pub outcome: String,
    pub reply: String,
}

pub async fn meeting_questions(db: &Db, id: i64) -> Result<Vec<QuestionRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT q.seq, d.name AS deputy_name, q.question, q.case_id, q.suggestion_id, q.outcome, q.reply
         FROM agency_meeting_questions q LEFT JOIN deputies d ON d.id = q.deputy_id WHERE q.meeting_id = $1 ORDER BY q.seq")
        .bind(id).fetch_all(p).await.store())
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct CommitmentRow {
    pub id: i64,
    pub meeting_id: i64,
    pub county_code: String,
    pub agency: String,
    pub content: String,
    pub due_on: String,
    pub status: String,
    pub done_on: Option<String>,
    pub done_note: String,
    pub warned: bool,
    pub version: i64,
}

const COMMITMENT: &str = "SELECT id, meeting_id, county_code, agency, content, due_on, status, done_on, done_note, warned, version FROM agency_commitments";

pub async fn commitments(db: &Db, meeting_id: i64) -> Result<Vec<CommitmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{COMMITMENT} WHERE meeting_id = $1 ORDER BY id")))
        .bind(meeting_id).fetch_all(p).await.store())
}

pub async fn commitment(db: &Db, id: i64) -> Result<Option<CommitmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{COMMITMENT} WHERE id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// Remembers that a commitment's lateness was warned of (its version unchanged, so that an
/// agency reporting it kept at the same moment is not turned away).
pub async fn commitment_warned(tx: &mut Tx, id: i64) -> Result<bool> {
    on_tx!(tx, c => sqlx::query("UPDATE agency_commitments SET warned = $2 WHERE id = $1 AND warned = $3")
        .bind(id).bind(true).bind(false).execute(&mut *c).await.store().map(|r| r.rows_affected() == 1))
}

/// Open commitments past `today` not yet warned of.
pub async fn overdue_commitments(db: &Db, today: &str) -> Result<Vec<CommitmentRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{COMMITMENT} WHERE status = 'open' AND due_on < $1 AND warned = $2")))
        .bind(today).bind(false).fetch_all(p).await.store())
}

/// A county's meetings held under `region` or attended by a deputy of it, newest first, at most 300.
pub async fn meetings_in_region(db: &Db, county: &str, region: &str) -> Result<Vec<MeetingRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{MEETING} WHERE m.county_code = $1 AND (m.region_code = $2 OR m.region_code LIKE $3
           OR m.id IN (SELECT md.meeting_id FROM agency_meeting_deputies md JOIN deputies d ON d.id = md.deputy_id
                       WHERE d.region_code = $2 OR d.region_code LIKE $3))
         ORDER BY m.held_on DESC, m.id DESC LIMIT 300")))
        .bind(county).bind(region).bind(format!("{region}%")).fetch_all(p).await.store())
}

/// The meetings a deputy took part in, newest first.
pub async fn meetings_of_deputy(db: &Db, deputy_id: i64) -> Result<Vec<MeetingRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{MEETING} JOIN agency_meeting_deputies md ON md.meeting_id = m.id WHERE md.deputy_id = $1
         ORDER BY m.held_on DESC, m.id DESC LIMIT 300")))
        .bind(deputy_id).fetch_all(p).await.store())
}

/// The meetings an agency's head took part in, newest first.
pub async fn meetings_of_agency(db: &Db, slug: &str) -> Result<Vec<MeetingRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{MEETING} WHERE ',' || m.agencies || ',' LIKE $1 ORDER BY m.held_on DESC, m.id DESC LIMIT 300")))
        .bind(format!("%,{slug},%")).fetch_all(p).await.store())
}

/// (meeting id, open commitments, of those past due on `today`) for the meetings given; only
/// `agency`'s commitments when one is named.
pub async fn open_commitment_counts(
    db: &Db,
    ids: &[i64],
    today: &str,
    agency: Option<&str>,
) -> Result<Vec<(i64, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT meeting_id, COUNT(*), CAST(COALESCE(SUM(CASE WHEN due_on < $1 THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM agency_commitments WHERE status = 'open' AND meeting_id IN ({list}) AND ($2 = '' OR agency = $2)
         GROUP BY meeting_id")))
        .bind(today).bind(agency.unwrap_or("")).fetch_all(p).await.store())
}

// ---- Reports to voters ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub deputy_id: i64,
    pub deputy_slug: String,
    pub deputy_name: String,
    pub year: i64,
    pub form: String,
    pub scheduled_on: String,
    pub place: String,
    pub body: String,
    pub status: String,
    pub held_on: Option<String>,
    pub attendance: i64,
    pub satisfied: i64,
    pub partly: i64,
    pub dissatisfied: i64,
    pub recorded_by: String,
    pub version: i64,
}

const REPORT: &str = "SELECT r.id, r.county_code, r.region_code, r.deputy_id, d.slug AS deputy_slug, d.name AS deputy_name,
    r.year, r.form, r.scheduled_on, r.place, r.body, r.status, r.held_on, r.attendance, r.satisfied, r.partly, r.dissatisfied,
    r.recorded_by, r.version FROM voter_reports r JOIN deputies d ON d.id = r.deputy_id";

pub struct NewReport<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub deputy_id: i64,
    pub year: i32,
    pub form: &'a str,
    pub scheduled_on: &'a str,
    pub place: &'a str,
    pub body: &'a str,
    pub recorded_by: &'a str,
}

pub async fn insert_report(tx: &mut Tx, r: &NewReport<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO voter_reports (county_code, region_code, deputy_id, year, form, scheduled_on, place, body, status, recorded_by,
            version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', $9, 1, $10, $10) RETURNING id")
        .bind(r.county_code).bind(r.region_code).bind(r.deputy_id).bind(r.year as i64).bind(r.form).bind(r.scheduled_on)
        .bind(r.place).bind(r.body).bind(r.recorded_by).bind(now_ms).fetch_one(&mut *c).await.store())
}

pub async fn report(db: &Db, id: i64) -> Result<Option<ReportRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{REPORT} WHERE r.id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// A county's reports of `year` under `region`, by date.
pub async fn reports_in_region(db: &Db, county: &str, region: &str, year: i32) -> Result<Vec<ReportRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{REPORT} WHERE r.county_code = $1 AND (r.region_code = $2 OR r.region_code LIKE $3) AND r.year = $4
         ORDER BY r.scheduled_on, r.id")))
        .bind(county).bind(region).bind(format!("{region}%")).bind(year as i64).fetch_all(p).await.store())
}

/// A deputy's reports, newest first.
pub async fn reports_of_deputy(db: &Db, deputy_id: i64) -> Result<Vec<ReportRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{REPORT} WHERE r.deputy_id = $1 ORDER BY r.scheduled_on DESC, r.id DESC LIMIT 100")))
        .bind(deputy_id).fetch_all(p).await.store())
}

// ---- The ledger ----

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub deputy_id: i64,
    pub deputy_slug: String,
    pub deputy_name: String,
    pub kind: String,
    pub name: String,
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub categories: String,
    pub members: i64,
    pub note: String,
    pub active: bool,
    pub version: i64,
    /// The last visit's date and the next one planned, and how many visits so far.
    pub last_visit: Option<String>,
    pub next_visit: Option<String>,
    pub visits: i64,
}

const CONTACT: &str = "SELECT c.id, c.county_code, c.region_code, c.deputy_id, d.slug AS deputy_slug, d.name AS deputy_name,
    c.kind, c.name, c.id_number, c.address, c.phone, c.categories, c.members, c.note, c.active, c.version,
    (SELECT MAX(v.visited_on) FROM ledger_visits v WHERE v.contact_id = c.id) AS last_visit,
    (SELECT v.next_visit_on FROM ledger_visits v WHERE v.contact_id = c.id ORDER BY v.visited_on DESC, v.id DESC LIMIT 1) AS next_visit,
    (SELECT COUNT(*) FROM ledger_visits v WHERE v.contact_id = c.id) AS visits
    FROM ledger_contacts c JOIN deputies d ON d.id = c.deputy_id";

pub struct NewContact<'a> {
    pub county_code: &'a str,
    pub region_code: &'a str,
    pub deputy_id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub id_number: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub categories: &'a str,
    pub members: i64,
    pub note: &'a str,
    pub created_by: &'a str,
}

pub async fn insert_contact(tx: &mut Tx, c: &NewContact<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO ledger_contacts (county_code, region_code, deputy_id, kind, name, id_number, address, phone, categories, members,
            note, created_by, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id")
        .bind(c.county_code).bind(c.region_code).bind(c.deputy_id).bind(c.kind).bind(c.name).bind(c.id_number).bind(c.address)
        .bind(c.phone).bind(c.categories).bind(c.members).bind(c.note).bind(c.created_by).bind(now_ms)
        .fetch_one(&mut *conn).await.store())
}

pub async fn contact(db: &Db, id: i64) -> Result<Option<ContactRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("{CONTACT} WHERE c.id = $1"))).bind(id).fetch_optional(p).await.store())
}

/// A deputy's active contacts, households first, by name.
pub async fn contacts_of_deputy(db: &Db, deputy_id: i64) -> Result<Vec<ContactRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{CONTACT} WHERE c.deputy_id = $1 AND c.active = $2 ORDER BY c.kind, c.name, c.id")))
        .bind(deputy_id).bind(true).fetch_all(p).await.store())
}

/// A county's active contacts under `region`, by deputy and name; at most `limit` when given.
pub async fn contacts_in_region(db: &Db, county: &str, region: &str, limit: Option<i64>) -> Result<Vec<ContactRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "{CONTACT} WHERE c.county_code = $1 AND (c.region_code = $2 OR c.region_code LIKE $3) AND c.active = $4
         ORDER BY d.name, c.kind, c.name, c.id LIMIT $5")))
        .bind(county).bind(region).bind(format!("{region}%")).bind(true).bind(limit.unwrap_or(i64::MAX))
        .fetch_all(p).await.store())
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub contact_id: i64,
    pub deputy_name: String,
    pub visited_on: String,
    pub needs: String,
    pub help: String,
    pub next_visit_on: Option<String>,
    pub recorded_by: String,
}

pub struct NewVisit<'a> {
    pub contact_id: i64,
    pub deputy_id: i64,
    pub visited_on: &'a str,
    pub needs: &'a str,
    pub help: &'a str,
    pub next_visit_on: Option<&'a str>,
    pub recorded_by: &'a str,
}

pub async fn insert_visit(tx: &mut Tx, v: &NewVisit<'_>, now_ms: i64) -> Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO ledger_visits (contact_id, deputy_id, visited_on, needs, help, next_visit_on, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(v.contact_id).bind(v.deputy_id).bind(v.visited_on).bind(v.needs).bind(v.help).bind(v.next_visit_on)
        .bind(v.recorded_by).bind(now_ms).fetch_one(&mut *c).await.store())
}

/// A contact's visits, newest first.
pub async fn visits(db: &Db, contact_id: i64) -> Result<Vec<VisitRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT v.id, v.contact_id, d.name AS deputy_name, v.visited_on, v.needs, v.help, v.next_visit_on, v.recorded_by
         FROM ledger_visits v JOIN deputies d ON d.id = v.deputy_id WHERE v.contact_id = $1 ORDER BY v.visited_on DESC, v.id DESC")
        .bind(contact_id).fetch_all(p).await.store())
}

// ---- Statistics ----

/// What a region's deputies did with agencies and voters in a period.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Totals {
    pub meetings: i64,
    pub questions: i64,
    pub answered_on_spot: i64,
    pub commitments: i64,
    pub commitments_done: i64,
    pub reports_held: i64,
    pub deputies_reported: i64,
    pub report_satisfied: i64,
    pub report_partly: i64,
    pub report_dissatisfied: i64,
    pub visits: i64,
    pub households_visited: i64,
    /// Active contacts on the ledger now (not bound to the period).
    pub households: i64,
    pub linked_voters: i64,
}

pub async fn totals(db: &Db, county: &str, region: &str, from: &str, to: &str) -> Result<Totals> {
    let like = format!("{region}%");
    let (meetings,): (i64,) = on_read!(db, p => sqlx::query_as(
        "SELECT COUNT(*) FROM agency_meetings WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3)
           AND held_on >= $4 AND held_on <= $5")
        .bind(county).bind(region).bind(&like).bind(from).bind(to).fetch_one(p).await.store())?;
    let (questions, answered_on_spot): (i64, i64) = on_read!(db, p => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN q.outcome = 'answered' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM agency_meeting_questions q JOIN agency_meetings m ON m.id = q.meeting_id
         WHERE m.county_code = $1 AND (m.region_code = $2 OR m.region_code LIKE $3) AND m.held_on >= $4 AND m.held_on <= $5")
        .bind(county).bind(region).bind(&like).bind(from).bind(to).fetch_one(p).await.store())?;
    let (commitments, commitments_done): (i64, i64) = on_read!(db, p => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN c.status = 'done' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM agency_commitments c JOIN agency_meetings m ON m.id = c.meeting_id
         WHERE m.county_code = $1 AND (m.region_code = $2 OR m.region_code LIKE $3) AND m.held_on >= $4 AND m.held_on <= $5")
        .bind(county).bind(region).bind(&like).bind(from).bind(to).fetch_one(p).await.store())?;
    let (reports_held, deputies_reported, report_satisfied, report_partly, report_dissatisfied): (
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = on_read!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT deputy_id), CAST(COALESCE(SUM(satisfied), 0) AS BIGINT),
                CAST(COALESCE(SUM(partly), 0) AS BIGINT), CAST(COALESCE(SUM(dissatisfied), 0) AS BIGINT)
         FROM voter_reports WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND status = 'held'
           AND held_on >= $4 AND held_on <= $5")
        .bind(county).bind(region).bind(&like).bind(from).bind(to).fetch_one(p).await.store())?;
    let (visits, households_visited): (i64, i64) = on_read!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT v.contact_id) FROM ledger_visits v JOIN ledger_contacts c ON c.id = v.contact_id
         WHERE c.county_code = $1 AND (c.region_code = $2 OR c.region_code LIKE $3) AND v.visited_on >= $4 AND v.visited_on <= $5")
        .bind(county).bind(region).bind(&like).bind(from).bind(to).fetch_one(p).await.store())?;
    let (households, linked_voters): (i64, i64) = on_read!(db, p => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'household' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN kind = 'voter' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM ledger_contacts WHERE county_code = $1 AND (region_code = $2 OR region_code LIKE $3) AND active = $4")
        .bind(county).bind(region).bind(&like).bind(true).fetch_one(p).await.store())?;
    Ok(Totals {
        meetings,
        questions,
        answered_on_spot,
        commitments,
        commitments_done,
        reports_held,
        deputies_reported,
        report_satisfied,
        report_partly,
        report_dissatisfied,
        visits,
        households_visited,
        households,
        linked_voters,
    })
}
