//! Cases, their timeline of events, photos and submission keys. The loop's rules live in the
//! domain (`case::next`); this module stores the result of each step: the case row rewritten and
//! an event appended, in the caller's transaction.

mod changed;
mod counts;
mod list;

pub use changed::{events_since, events_with_cases, events_with_ids};
pub use counts::{
    Basis, Cell, CellQuery, Counts, cells, cells_by_scan, counts, counts_by_scan, measures, rebuild_tallies,
    resolved_at,
};
use counts::{tally, write_tallies};
pub use list::{ListFilter, ListSort, Page, list_count, list_page, list_rows};

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx, values};
use crate::error::ResultExt;
use liaison_domain::authz::CaseLocation;
use liaison_domain::region::RegionCode;
use serde::Serialize;
use sqlx::AssertSqlSafe;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub county_code: String,
    pub region_code: String,
    pub station_ref: Option<String>,
    /// The lead agency (主办) once assigned.
    pub agency_ref: Option<String>,
    pub deputy_ref: Option<String>,
    pub title: String,
    pub content: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub tracking_code: Option<String>,
    pub channel: String,
    pub category: String,
    pub location: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub anonymous: bool,
    pub publish_consent: bool,
    pub level: Option<String>,
    /// Assisting agencies (协办), comma-separated slugs.
    pub assist_agencies: String,
    pub round: i64,
    /// YYYY-MM-DD, the last working day to finish.
    pub deadline_on: Option<String>,
    pub first_reply_due: Option<String>,
    pub first_replied_at: Option<i64>,
    pub overdue: bool,
    pub escalated: bool,
    pub agency_result: String,
    pub public_reply: String,
    pub replied_at: Option<i64>,
    pub rating: Option<String>,
    pub rating_comment: String,
    pub rated_at: Option<i64>,
    pub merged_into: Option<i64>,
    pub decline_reason: String,
    pub referral: String,
    pub closed_at: Option<i64>,
    pub created_by: String,
    /// SimHash of title and content, for near-duplicate detection.
    pub fingerprint: i64,
    /// The constituent agreed to get notices about the case by text message.
    pub sms_notices: bool,
    /// Answered on the spot (现场答复): kept once the answer is rated and the case closed, cleared
    /// when a dissatisfied rating sends it back.
    pub on_spot: bool,
}

const COLUMNS: &str = "id, county_code, region_code, station_ref, agency_ref, deputy_ref, title, content, status, created_at, updated_at, \
    tracking_code, channel, category, location, contact_name, contact_phone, anonymous, publish_consent, level, assist_agencies, round, \
    deadline_on, first_reply_due, first_replied_at, overdue, escalated, agency_result, public_reply, replied_at, rating, rating_comment, \
    rated_at, merged_into, decline_reason, referral, closed_at, created_by, fingerprint, sms_notices, on_spot";

impl CaseRow {
    /// Where the case sits, for scope checks: its region, station, lead and assisting agencies
    /// and deputy.
    pub fn location(&self) -> Option<CaseLocation> {
        Some(CaseLocation {
            region: RegionCode::parse(&self.region_code).ok()?,
            station: self.station_ref.clone(),
            agency: self.agency_ref.clone(),
            assisting: self.assisting().into_iter().map(str::to_owned).collect(),
            deputy: self.deputy_ref.clone(),
        })
    }

    pub fn assisting(&self) -> Vec<&str> {
        self.assist_agencies.split(',').filter(|s| !s.is_empty()).collect()
    }
}

pub struct NewCase<'a> {
    pub region: &'a RegionCode,
    pub station_ref: Option<&'a str>,
    pub deputy_ref: Option<&'a str>,
    pub title: &'a str,
    pub content: &'a str,
    pub channel: &'a str,
    pub category: &'a str,
    pub location: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub anonymous: bool,
    pub publish_consent: bool,
    /// Notices about the case by text message to `contact_phone`?
    pub sms_notices: bool,
    pub tracking_code: &'a str,
    pub first_reply_due: Option<&'a str>,
    pub created_by: &'a str,
}

/// Inserts a received case and its first event.
pub async fn insert(tx: &mut Tx, n: &NewCase<'_>, now_ms: i64) -> Result<i64> {
    Ok(insert_many(tx, std::slice::from_ref(n), now_ms).await?.remove(0).id)
}

/// Inserts received cases and their first events, one statement for all the cases and one for
/// all the events (group commit writes a batch of submissions this way). Returns the stored rows
/// in the order given.
pub async fn insert_many(tx: &mut Tx, new: &[NewCase<'_>], now_ms: i64) -> Result<Vec<CaseRow>> {
    Ok(insert_many_with_events(tx, new, now_ms).await?.0)
}

/// As [`insert_many`], with the (event id, case id) of each case's first event besides.
pub async fn insert_many_with_events(
    tx: &mut Tx,
    new: &[NewCase<'_>],
    now_ms: i64,
) -> Result<(Vec<CaseRow>, Vec<(i64, i64)>)> {
    if new.is_empty() {
        return Ok((vec![], vec![]));
    }
    let sql = format!(
        "INSERT INTO cases (county_code, region_code, station_ref, deputy_ref, title, content, status, created_at, updated_at,
            tracking_code, channel, category, location, contact_name, contact_phone, anonymous, publish_consent, first_reply_due, created_by, fingerprint,
            sms_notices)
         VALUES {} RETURNING {COLUMNS}",
        values(tx, new.len(), 21)
    );
    let counties: Vec<String> = new.iter().map(|n| n.region.county_key()).collect();
    let fingerprints: Vec<i64> =
        new.iter().map(|n| liaison_domain::similar::fingerprint(&format!("{}{}", n.title, n.content)) as i64).collect();
    let mut rows: Vec<CaseRow> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for (i, n) in new.iter().enumerate() {
            q = q.bind(&counties[i]).bind(n.region.as_str()).bind(n.station_ref).bind(n.deputy_ref).bind(n.title)
                .bind(n.content).bind("received").bind(now_ms).bind(now_ms).bind(n.tracking_code).bind(n.channel)
                .bind(n.category).bind(n.location).bind(n.contact_name).bind(n.contact_phone).bind(n.anonymous)
                .bind(n.publish_consent).bind(n.first_reply_due).bind(n.created_by).bind(fingerprints[i]).bind(n.sms_notices);
        }
        q.fetch_all(&mut *c).await.store()
    })?;
    // RETURNING gives no order; the tracking codes are unique.
    let position = |r: &CaseRow| new.iter().position(|n| Some(n.tracking_code) == r.tracking_code.as_deref());
    rows.sort_by_key(|r| position(r));
    let events: Vec<Event> = rows
        .iter()
        .zip(new)
        .map(|(r, n)| Event {
            county_code: &r.county_code,
            case_id: r.id,
            actor: n.created_by,
            command: "receive",
            from: None,
            to: "received",
            note: "",
            public: true,
        })
        .collect();
    let events = add_events(tx, &events, now_ms).await?;
    let mut deltas = BTreeMap::new();
    for r in &rows {
        tally(&mut deltas, r, 1);
    }
    write_tallies(tx, deltas).await?;
    Ok((rows, events))
}

/// Rewrites every mutable column of a case from `row`, moving its tallies.
pub async fn save(tx: &mut Tx, row: &CaseRow, now_ms: i64) -> Result<()> {
    let mut deltas = BTreeMap::new();
    if let Some(before) = get_tx(tx, row.id).await? {
        // What the row will hold: the columns below from `row`, the rest as they were.
        let after = CaseRow { channel: before.channel.clone(), created_at: before.created_at, ..row.clone() };
        tally(&mut deltas, &before, -1);
        tally(&mut deltas, &after, 1);
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE cases SET region_code = $2, station_ref = $3, agency_ref = $4, deputy_ref = $5, status = $6, updated_at = $7,
            category = $8, level = $9, assist_agencies = $10, round = $11, deadline_on = $12, first_replied_at = $13, overdue = $14,
            escalated = $15, agency_result = $16, public_reply = $17, replied_at = $18, rating = $19, rating_comment = $20, rated_at = $21,
            merged_into = $22, decline_reason = $23, referral = $24, closed_at = $25, county_code = $26, on_spot = $27
         WHERE id = $1")
        .bind(row.id).bind(&row.region_code).bind(&row.station_ref).bind(&row.agency_ref).bind(&row.deputy_ref).bind(&row.status)
        .bind(now_ms).bind(&row.category).bind(&row.level).bind(&row.assist_agencies).bind(row.round).bind(&row.deadline_on)
        .bind(row.first_replied_at).bind(row.overdue).bind(row.escalated).bind(&row.agency_result).bind(&row.public_reply)
        .bind(row.replied_at).bind(&row.rating).bind(&row.rating_comment).bind(row.rated_at).bind(row.merged_into)
        .bind(&row.decline_reason).bind(&row.referral).bind(row.closed_at).bind(&row.county_code)
        .bind(row.on_spot)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    write_tallies(tx, deltas).await
}

/// One step on a case's timeline.
pub struct Event<'a> {
    pub county_code: &'a str,
    pub case_id: i64,
    pub actor: &'a str,
    pub command: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub note: &'a str,
    /// Shown on the public tracking page.
    pub public: bool,
}

/// Appends one event; returns its (event id, case id).
pub async fn add_event(tx: &mut Tx, e: &Event<'_>, now_ms: i64) -> Result<(i64, i64)> {
    Ok(add_events(tx, std::slice::from_ref(e), now_ms).await?.remove(0))
}

/// Appends several events in one statement; returns their (event id, case id), in no
/// particular order.
pub async fn add_events(tx: &mut Tx, events: &[Event<'_>], now_ms: i64) -> Result<Vec<(i64, i64)>> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "INSERT INTO case_events (county_code, case_id, at, actor, command, from_status, to_status, note, public) VALUES {} \
         RETURNING id, case_id",
        values(tx, events.len(), 9)
    );
    on_tx!(tx, c => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for e in events {
            q = q.bind(e.county_code).bind(e.case_id).bind(now_ms).bind(e.actor).bind(e.command).bind(e.from).bind(e.to)
                .bind(e.note).bind(e.public);
        }
        q.fetch_all(&mut *c).await.store()
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub command: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub public: bool,
}

/// A case's timeline, oldest first; only the public steps when `public_only`.
pub async fn events(db: &Db, case_id: i64, public_only: bool) -> Result<Vec<EventRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT id, at, actor, command, from_status, to_status, note, public FROM case_events WHERE case_id = $1 AND (public OR NOT $2) ORDER BY id")
        .bind(case_id).bind(public_only).fetch_all(p).await.store())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<CaseRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE id = $1")))
        .bind(id).fetch_optional(p).await.store())
}

/// The case as the transaction sees it.
pub async fn get_tx(tx: &mut Tx, id: i64) -> Result<Option<CaseRow>> {
    on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE id = $1")))
        .bind(id).fetch_optional(&mut *c).await.store())
}

pub async fn by_tracking_code(db: &Db, code: &str) -> Result<Option<CaseRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE tracking_code = $1")))
        .bind(code).fetch_optional(p).await.store())
}

/// (tracking code, title) of the cases left with a phone number, newest first.
pub async fn codes_by_phone(db: &Db, phone: &str) -> Result<Vec<(String, String, String)>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT tracking_code, title, county_code FROM cases WHERE contact_phone = $1 AND tracking_code IS NOT NULL ORDER BY id DESC LIMIT 20")
        .bind(phone).fetch_all(p).await.store())
}

/// The case a submission key already produced, if any, with the hash of what was submitted.
pub async fn by_idempotency_key(tx: &mut Tx, key: &str) -> Result<Option<(i64, String)>> {
    on_tx!(tx, c => sqlx::query_as("SELECT case_id, body_hash FROM idempotency_keys WHERE key = $1")
        .bind(key).fetch_optional(&mut *c).await.store())
}

/// The cases that any of `keys` already produced: (key, case id, body hash).
pub async fn by_idempotency_keys(tx: &mut Tx, keys: &[&str]) -> Result<Vec<(String, i64, String)>> {
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT key, case_id, body_hash FROM idempotency_keys WHERE key IN ({})", marks.join(", "));
    on_tx!(tx, c => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for k in keys {
            q = q.bind(*k);
        }
        q.fetch_all(&mut *c).await.store()
    })
}

/// Remembers which case each submission key produced: (key, county, case id, body hash).
pub async fn remember_idempotency_keys(tx: &mut Tx, keys: &[(&str, &str, i64, &str)], now_ms: i64) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO idempotency_keys (key, county_code, case_id, created_at, body_hash) VALUES {}",
        values(tx, keys.len(), 5)
    );
    on_tx!(tx, c => {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (key, county, id, hash) in keys {
            q = q.bind(*key).bind(*county).bind(*id).bind(now_ms).bind(*hash);
        }
        q.execute(&mut *c).await.store().map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn add_photo(
    tx: &mut Tx,
    county: &str,
    case_id: i64,
    hash: &str,
    mime: &str,
    bytes: i64,
    now_ms: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO case_photos (county_code, case_id, hash, mime, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(county).bind(case_id).bind(hash).bind(mime).bind(bytes).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(())
}

/// (hash, mime) of a case's photos.
pub async fn photos(db: &Db, case_id: i64) -> Result<Vec<(String, String)>> {
    on_read!(db, p => sqlx::query_as("SELECT hash, mime FROM case_photos WHERE case_id = $1 ORDER BY id")
        .bind(case_id).fetch_all(p).await.store())
}

/// The cases a set of scopes reaches. A case is listed when any scope matches it.
pub struct Reach<'a> {
    pub region_prefixes: &'a [String],
    pub stations: &'a [String],
    pub agencies: &'a [String],
    pub deputies: &'a [String],
}

/// Open cases of a township other than `except`, with their fingerprints: the candidates a
/// near-duplicate check compares against. A county receives ~10k cases a year, so a township's
/// open cases are few enough to compare in memory.
pub async fn open_in_township(db: &Db, township: &str, except: i64) -> Result<Vec<CaseRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cases WHERE region_code LIKE $1 AND id <> $2
         AND status IN ('received', 'triaged', 'assigned', 'handled', 'replied', 'reopened') ORDER BY id DESC LIMIT 2000")))
        .bind(format!("{township}%")).bind(except).fetch_all(p).await.store())
}

impl Reach<'_> {
    /// Whether the reach covers `row`: the same rule as [`list_page`]'s SQL, for rows found
    /// another way.
    pub fn covers(&self, row: &CaseRow) -> bool {
        let has = |list: &[String], v: &Option<String>| v.as_ref().is_some_and(|v| list.contains(v));
        self.region_prefixes.iter().any(|p| row.region_code.starts_with(p.as_str()))
            || has(self.stations, &row.station_ref)
            || has(self.agencies, &row.agency_ref)
            || has(self.deputies, &row.deputy_ref)
            || row.assisting().iter().any(|a| self.agencies.iter().any(|x| x == a))
    }
}

/// Ids of cases the sweep should look at: assigned past their deadline, online cases past their
/// first-reply date and still unanswered, and replies waiting for a rating since before
/// `unrated_before_ms`. Not yet marked overdue, for the first two.
pub async fn sweep_candidates(db: &Db, today: &str, unrated_before_ms: i64) -> Result<Vec<i64>> {
    on_read!(db, p => sqlx::query_scalar(
        "SELECT id FROM cases WHERE
            (NOT overdue AND status IN ('assigned', 'reopened') AND deadline_on IS NOT NULL AND deadline_on < $1)
         OR (NOT overdue AND status = 'received' AND first_reply_due IS NOT NULL AND first_reply_due < $1)
         OR (status IN ('replied', 'answered_on_spot') AND replied_at IS NOT NULL AND replied_at < $2)
         ORDER BY id LIMIT 1000")
        .bind(today).bind(unrated_before_ms).fetch_all(p).await.store())
}

/// Published outcomes for a station's "民声回响": closed cases whose constituent consented.
pub async fn echoes(db: &Db, station: &str, limit: i64) -> Result<Vec<CaseRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cases WHERE station_ref = $1 AND publish_consent AND status = 'closed' AND public_reply <> ''
         ORDER BY closed_at DESC LIMIT $2")))
        .bind(station).bind(limit).fetch_all(p).await.store())
}

/// The newest published outcomes under a region (a county or below), as [`echoes`] for a station.
pub async fn echoes_in_region(db: &Db, county: &str, region_prefix: &str, limit: i64) -> Result<Vec<CaseRow>> {
    let like = format!("{region_prefix}%");
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cases WHERE county_code = $1 AND publish_consent AND status = 'closed' AND public_reply <> ''
         AND region_code LIKE $2 ORDER BY closed_at DESC LIMIT $3")))
        .bind(county).bind(&like).bind(limit).fetch_all(p).await.store())
}

/// Titles of cases received in `[from_ms, to_ms)` under a region (or at a station) whose
/// constituents allowed publication, newest first: examples for a bulletin.
pub async fn consented_titles(
    db: &Db,
    county: &str,
    region_prefix: &str,
    station: Option<&str>,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    let like = format!("{region_prefix}%");
    on_read!(db, p => sqlx::query_as(
        "SELECT category, title FROM cases WHERE county_code = $1 AND region_code LIKE $2 AND (CAST($3 AS TEXT) IS NULL OR station_ref = $3)
         AND created_at >= $4 AND created_at < $5 AND publish_consent AND status NOT IN ('merged', 'declined')
         ORDER BY created_at DESC LIMIT $6")
        .bind(county).bind(&like).bind(station).bind(from_ms).bind(to_ms).bind(limit).fetch_all(p).await.store())
}

/// Published outcomes (民声回响) closed in `[from_ms, to_ms)` under a region or at a station:
/// (title, public reply, rating).
pub async fn echoes_between(
    db: &Db,
    county: &str,
    region_prefix: &str,
    station: Option<&str>,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<(String, String, Option<String>)>> {
    let like = format!("{region_prefix}%");
    on_read!(db, p => sqlx::query_as(
        "SELECT title, public_reply, rating FROM cases WHERE county_code = $1 AND publish_consent AND status = 'closed'
         AND public_reply <> '' AND region_code LIKE $2 AND (CAST($3 AS TEXT) IS NULL OR station_ref = $3)
         AND closed_at >= $4 AND closed_at < $5 ORDER BY closed_at DESC LIMIT $6")
        .bind(county).bind(&like).bind(station).bind(from_ms).bind(to_ms).bind(limit).fetch_all(p).await.store())
}

/// Timeline steps after `after_id`, oldest first: (event id, case id). The search index follows
/// this stream to learn which cases changed.
pub async fn events_after(db: &Db, after_id: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
    on_read!(db, p => sqlx::query_as("SELECT id, case_id FROM case_events WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after_id).bind(limit).fetch_all(p).await.store())
}

/// The newest timeline step's id, 0 when there is none.
pub async fn last_event_id(db: &Db) -> Result<i64> {
    on_read!(db, p => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM case_events")
        .fetch_one(p).await.store())
}

/// The cases with these ids (any order; unknown ids are skipped).
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<CaseRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {COLUMNS} FROM cases WHERE id IN ({})", marks.join(", "));
        let rows: Vec<CaseRow> = on_read!(db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await.store()
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Cases with an id above `after_id`, in id order: a walk over every case (rebuilding the
/// search index), one page at a time.
pub async fn page_after(db: &Db, after_id: i64, limit: i64) -> Result<Vec<CaseRow>> {
    on_read!(db, p => sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM cases WHERE id > $1 ORDER BY id LIMIT $2")))
        .bind(after_id).bind(limit).fetch_all(p).await.store())
}
