//! Staff lists of cases: one page in a chosen order plus the total, within a reach and filters.
//!
//! Each scope of the reach is one "arm" (a county, a township, a station, a lead agency, an
//! assisting agency, a deputy) that an index answers in the list's order (migration 7); several
//! arms are merged by taking each arm's first rows. Totals of a county or township filtered by at
//! most one tallied dimension come from the tallies, the rest from `COUNT(*)` over the same arms.

use super::{COLUMNS, CaseRow, Reach, counts};
use crate::Result;
use crate::db::{Backend, Db, on_read};
use crate::error::ResultExt;
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;

/// 0 while staff work on the case, 1 while it waits for the constituent's rating, 2 when finished:
/// the first key of the deadline order. The same text as in the indexes of migration 7.
const RANK: &str = "(CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END)";
/// The next date the case is due: its deadline, else its first-reply date, else never.
const DUE: &str = "COALESCE(deadline_on, first_reply_due, '9999-12-31')";
const TOWNSHIP: &str = "substr(region_code, 1, 9)";

/// The rank [`RANK`] gives a status.
fn rank_of(status: &str) -> u8 {
    match status {
        "closed" | "merged" | "declined" => 2,
        "replied" | "answered_on_spot" => 1,
        _ => 0,
    }
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListSort {
    /// Open work first, nearest due date first, then oldest.
    #[default]
    Deadline,
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
}

impl ListSort {
    /// The ORDER BY of the list. With the rank fixed by the filter it is left out: SQLite does
    /// not see that an expression held equal needs no sorting, and would sort every row.
    fn order_by(self, rank_fixed: bool) -> String {
        match self {
            ListSort::Deadline if rank_fixed => format!("{DUE}, created_at, id"),
            ListSort::Deadline => format!("{RANK}, {DUE}, created_at, id"),
            ListSort::CreatedDesc => "created_at DESC, id DESC".into(),
            ListSort::CreatedAsc => "created_at, id".into(),
            ListSort::UpdatedDesc => "updated_at DESC, id DESC".into(),
        }
    }
}

/// What narrows a list beyond the reach. Empty or `None` narrows nothing.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub statuses: Vec<String>,
    /// Nine digits.
    pub township: Option<String>,
    pub station: Option<String>,
    /// Lead or assisting.
    pub agency: Option<String>,
    pub deputy: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    /// Received on or after this China day…
    pub from: Option<NaiveDate>,
    /// …and on or before this one.
    pub to: Option<NaiveDate>,
    pub overdue: bool,
    /// Cases being worked on, not overdue, whose deadline (or, before one is set, whose
    /// first-reply date while no reply was sent) falls in these days (YYYY-MM-DD, both included).
    pub due_between: Option<(String, String)>,
    /// Each in the title, content, result or reply.
    pub words: Vec<String>,
    pub phone: Option<String>,
    pub tracking_code: Option<String>,
    /// Only these cases (the search index's candidates).
    pub ids: Option<Vec<i64>>,
}

/// One page and the number of rows on all pages.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub rows: Vec<CaseRow>,
    pub total: i64,
}

enum Bind {
    Text(String),
    Int(i64),
}

#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn text(&mut self, v: impl Into<String>) -> String {
        self.binds.push(Bind::Text(v.into()));
        format!("${}", self.binds.len())
    }

    fn int(&mut self, v: i64) -> String {
        self.binds.push(Bind::Int(v));
        format!("${}", self.binds.len())
    }
}

/// One scope of the reach.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arm {
    Region(String),
    Station(String),
    Agency(String),
    Assisting(String),
    Deputy(String),
}

fn arms(reach: &Reach<'_>) -> Vec<Arm> {
    let mut prefixes: Vec<&String> = reach.region_prefixes.iter().collect();
    prefixes.sort_by_key(|p| p.len());
    let mut out: Vec<Arm> = Vec::new();
    for p in prefixes {
        // A region inside another one the reach holds adds nothing.
        if !out.iter().any(|a| matches!(a, Arm::Region(q) if p.starts_with(q.as_str()))) {
            out.push(Arm::Region(p.clone()));
        }
    }
    out.extend(reach.stations.iter().map(|s| Arm::Station(s.clone())));
    for a in reach.agencies {
        out.push(Arm::Agency(a.clone()));
        out.push(Arm::Assisting(a.clone()));
    }
    out.extend(reach.deputies.iter().map(|d| Arm::Deputy(d.clone())));
    out.dedup();
    out
}

const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

fn china_midnight_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis() - CHINA_OFFSET_MS
}

fn assisting(sql: &mut Sql, agency: &str) -> String {
    // Slugs hold only letters, digits and hyphens: nothing to escape in the pattern.
    let m = sql.text(format!("%,{agency},%"));
    format!("(assist_agencies <> '' AND (',' || assist_agencies || ',') LIKE {m})")
}

fn arm_sql(sql: &mut Sql, arm: &Arm) -> String {
    match arm {
        Arm::Region(p) => match p.len() {
            6 => format!("county_code = {}", sql.text(p)),
            9 => format!("county_code = {} AND {TOWNSHIP} = {}", sql.text(&p[..6]), sql.text(p)),
            n if n > 9 => format!("county_code = {} AND region_code = {}", sql.text(&p[..6]), sql.text(p)),
            n => format!("substr(county_code, 1, {n}) = {}", sql.text(p)),
        },
        Arm::Station(s) => format!("station_ref = {}", sql.text(s)),
        Arm::Agency(a) => format!("agency_ref = {}", sql.text(a)),
        Arm::Assisting(a) => assisting(sql, a),
        Arm::Deputy(d) => format!("deputy_ref = {}", sql.text(d)),
    }
}

/// The rank every listed case has, when the filter decides it: statuses of one rank, or due
/// soon (work in progress).
fn fixed_rank(f: &ListFilter) -> Option<u8> {
    if f.due_between.is_some() {
        return Some(0);
    }
    let r = rank_of(f.statuses.first()?);
    f.statuses.iter().all(|s| rank_of(s) == r).then_some(r)
}

fn filter_sql(sql: &mut Sql, f: &ListFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f.statuses.iter().map(|s| sql.text(s)).collect();
        parts.push(format!("status IN ({})", marks.join(", ")));
    }
    if let Some(r) = fixed_rank(f) {
        // So that the index of the deadline order is entered at that rank.
        parts.push(format!("{RANK} = {r}"));
    }
    if let Some(t) = &f.township {
        parts.push(format!("{TOWNSHIP} = {}", sql.text(t)));
    }
    if let Some(s) = &f.station {
        parts.push(format!("station_ref = {}", sql.text(s)));
    }
    if let Some(a) = &f.agency {
        let lead = sql.text(a);
        parts.push(format!("(agency_ref = {lead} OR {})", assisting(sql, a)));
    }
    if let Some(d) = &f.deputy {
        parts.push(format!("deputy_ref = {}", sql.text(d)));
    }
    for (col, v) in [("channel", &f.channel), ("category", &f.category), ("level", &f.level)] {
        if let Some(v) = v {
            parts.push(format!("{col} = {}", sql.text(v)));
        }
    }
    if let Some(d) = f.from {
        parts.push(format!("created_at >= {}", sql.int(china_midnight_ms(d))));
    }
    if let Some(d) = f.to {
        parts.push(format!("created_at < {}", sql.int(china_midnight_ms(d.succ_opt().unwrap_or(d)))));
    }
    if f.overdue {
        parts.push("overdue".into());
    }
    if let Some((from, to)) = &f.due_between {
        let (from, to) = (sql.text(from), sql.text(to));
        // A range of the deadline order's index.
        parts.push(format!(
            "{DUE} >= {from} AND {DUE} <= {to} AND NOT overdue AND (deadline_on IS NOT NULL OR first_replied_at IS NULL)"
        ));
    }
    for w in &f.words {
        // Latin letters match in either case on both stores (PostgreSQL's LIKE minds the case,
        // SQLite's does not); lower() folds the same ASCII letters on both.
        let escaped = w.to_ascii_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let m = sql.text(format!("%{escaped}%"));
        parts.push(format!(
            "(lower(title) LIKE {m} ESCAPE '\\' OR lower(content) LIKE {m} ESCAPE '\\' \
             OR lower(public_reply) LIKE {m} ESCAPE '\\' OR lower(agency_result) LIKE {m} ESCAPE '\\')"
        ));
    }
    if let Some(p) = &f.phone {
        parts.push(format!("contact_phone = {}", sql.text(p)));
    }
    if let Some(c) = &f.tracking_code {
        parts.push(format!("tracking_code = {}", sql.text(c)));
    }
    if let Some(ids) = &f.ids {
        // Integers from the index: written into the statement, no placeholder limit to meet.
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        parts.push(if list.is_empty() { "1 = 0".into() } else { format!("id IN ({})", list.join(", ")) });
    }
    parts.into_iter().map(|p| format!(" AND {p}")).collect()
}

async fn fetch_rows(db: &Db, sql: Sql) -> Result<Vec<CaseRow>> {
    on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.text)).persistent(false);
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_all(p).await.store()
    })
}

/// A row of a list with the count of the whole list (`COUNT(*) OVER ()`).
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: CaseRow,
    total: i64,
}

async fn fetch_counted(db: &Db, sql: Sql) -> Result<Vec<Counted>> {
    on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.text)).persistent(false);
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_all(p).await.store()
    })
}

async fn fetch_ids(db: &Db, sql: Sql) -> Result<Vec<i64>> {
    on_read!(db, p => {
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql.text)).persistent(false);
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_all(p).await.store()
    })
}

/// (id, and the list's order as up to three keys).
type Keyed = (i64, i64, String, i64);

async fn fetch_keyed(db: &Db, sql: Sql) -> Result<Vec<Keyed>> {
    on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.text)).persistent(false);
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_all(p).await.store()
    })
}

async fn fetch_count(db: &Db, sql: Sql) -> Result<i64> {
    on_read!(db, p => {
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql.text)).persistent(false);
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_one(p).await.store()
    })
}

/// The narrowest scope a statement can be read by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    County,
    Township,
    Station,
    Agency,
    Deputy,
}

/// How SQLite is told to read one arm.
enum Hint {
    /// `INDEXED BY` this index.
    Index(&'static str),
    /// By rowid: a few candidates from the search index.
    Rowids,
    /// As the planner likes.
    Planner,
}

/// How SQLite reads one arm. SQLite plans without statistics unless someone ran ANALYZE, and
/// even with them it prefers an index on (county, status) and sorts a hundred thousand rows over
/// reading the deadline order and stopping after a page; the scope indexes hold every filtered
/// column, so reading one is never much worse than the best plan. PostgreSQL's planner weighs the
/// LIMIT and its statistics itself.
fn sqlite_hint(arm: &Arm, f: &ListFilter, sort: Option<ListSort>) -> Hint {
    if f.tracking_code.is_some() {
        return Hint::Index("cases_tracking_code");
    }
    if f.phone.is_some() {
        return Hint::Index("cases_contact_phone");
    }
    if f.ids.is_some() {
        return Hint::Rowids;
    }
    let scope = match arm {
        Arm::Assisting(_) => return Hint::Index("cases_assisted"),
        _ if f.station.is_some() => Scope::Station,
        _ if f.deputy.is_some() => Scope::Deputy,
        Arm::Station(_) => Scope::Station,
        Arm::Agency(_) => Scope::Agency,
        Arm::Deputy(_) => Scope::Deputy,
        // Every region arm below a province names its county: the county's indexes serve it.
        Arm::Region(p) if p.len() < 6 => return Hint::Planner,
        _ if f.township.is_some() => Scope::Township,
        Arm::Region(p) if p.len() == 9 => Scope::Township,
        // A county, or a village read through its county's indexes.
        Arm::Region(_) => Scope::County,
    };
    let dated = f.from.is_some() || f.to.is_some();
    Hint::Index(match (scope, sort) {
        (Scope::County | Scope::Township, Some(ListSort::CreatedDesc | ListSort::CreatedAsc)) => "cases_created_county",
        (Scope::County | Scope::Township, Some(ListSort::UpdatedDesc)) => "cases_updated_county",
        // A period is a range of the newest-first index; the matches are then sorted.
        (Scope::County, _) if dated => "cases_created_county",
        // Counting by status: a range per status.
        (Scope::County, None) if !f.statuses.is_empty() => "cases_count_county",
        (Scope::County, _) => "cases_work_county",
        (Scope::Township, _) => "cases_work_township",
        (Scope::Station, _) => "cases_work_station",
        (Scope::Agency, _) => "cases_work_agency",
        (Scope::Deputy, _) => "cases_work_deputy",
    })
}

fn from_cases(db: &Db, arm: &Arm, f: &ListFilter, sort: Option<ListSort>) -> String {
    if db.backend() != Backend::Sqlite {
        return "cases".into();
    }
    match sqlite_hint(arm, f, sort) {
        Hint::Index(index) => format!("cases INDEXED BY {index}"),
        Hint::Rowids => "cases NOT INDEXED".into(),
        Hint::Planner => "cases".into(),
    }
}

/// The cases of `arm` that an earlier arm does not hold, so that counts can be added up.
fn not_arm(sql: &mut Sql, arm: &Arm) -> String {
    match arm {
        Arm::Region(p) => match p.len() {
            6 => format!("county_code <> {}", sql.text(p)),
            9 => format!("NOT (county_code = {} AND {TOWNSHIP} = {})", sql.text(&p[..6]), sql.text(p)),
            n if n > 9 => format!("region_code <> {}", sql.text(p)),
            n => format!("substr(county_code, 1, {n}) <> {}", sql.text(p)),
        },
        Arm::Station(x) => format!("COALESCE(station_ref, '') <> {}", sql.text(x)),
        Arm::Agency(x) => format!("COALESCE(agency_ref, '') <> {}", sql.text(x)),
        Arm::Assisting(x) => format!("NOT {}", assisting(sql, x)),
        Arm::Deputy(x) => format!("COALESCE(deputy_ref, '') <> {}", sql.text(x)),
    }
}

fn keys(sort: ListSort) -> String {
    match sort {
        ListSort::Deadline => format!("CAST({RANK} AS BIGINT), {DUE}, created_at"),
        ListSort::CreatedDesc | ListSort::CreatedAsc => "created_at, '', CAST(0 AS BIGINT)".into(),
        ListSort::UpdatedDesc => "updated_at, '', CAST(0 AS BIGINT)".into(),
    }
}

fn merge_order(sort: ListSort, a: &Keyed, b: &Keyed) -> std::cmp::Ordering {
    let asc = (a.1, &a.2, a.3, a.0).cmp(&(b.1, &b.2, b.3, b.0));
    match sort {
        ListSort::Deadline | ListSort::CreatedAsc => asc,
        ListSort::CreatedDesc | ListSort::UpdatedDesc => asc.reverse(),
    }
}

/// The cases with these ids, in this order.
async fn rows_in_order(db: &Db, ids: &[i64]) -> Result<Vec<CaseRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = Sql { text: format!("SELECT {COLUMNS} FROM cases WHERE id IN ({})", list.join(", ")), binds: vec![] };
        rows.extend(fetch_rows(db, sql).await?);
    }
    let at: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| at.get(&r.id).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// Whether a filter names few cases: a code, a phone, or a bounded set of candidates.
fn bounded(f: &ListFilter) -> bool {
    f.tracking_code.is_some() || f.phone.is_some() || f.ids.is_some()
}

/// The ids of the list in `sort` order: the rows `offset..offset + limit` of it, or all of them.
async fn ordered_ids(
    db: &Db,
    arms: &[Arm],
    filter: &ListFilter,
    sort: ListSort,
    window: Option<(i64, i64)>,
) -> Result<Vec<i64>> {
    let order = sort.order_by(fixed_rank(filter).is_some());
    if let [arm] = arms {
        let mut sql = Sql::default();
        let a = arm_sql(&mut sql, arm);
        let f = filter_sql(&mut sql, filter);
        let from = from_cases(db, arm, filter, Some(sort));
        let page = window.map(|(o, l)| format!(" LIMIT {l} OFFSET {o}")).unwrap_or_default();
        sql.text = format!("SELECT id FROM {from} WHERE {a}{f} ORDER BY {order}{page}");
        return fetch_ids(db, sql).await;
    }
    // The first offset + limit rows of the union are among the first offset + limit of each arm.
    let mut all: Vec<Keyed> = Vec::new();
    for arm in arms {
        let mut sql = Sql::default();
        let a = arm_sql(&mut sql, arm);
        let f = filter_sql(&mut sql, filter);
        let from = from_cases(db, arm, filter, Some(sort));
        let first = window.map(|(o, l)| format!(" LIMIT {}", o + l)).unwrap_or_default();
        sql.text = format!("SELECT id, {} FROM {from} WHERE {a}{f} ORDER BY {order}{first}", keys(sort));
        all.extend(fetch_keyed(db, sql).await?);
    }
    all.sort_by(|a, b| merge_order(sort, a, b));
    all.dedup_by_key(|k| k.0);
    let (skip, take) = window.map(|(o, l)| (o as usize, l as usize)).unwrap_or((0, usize::MAX));
    Ok(all.into_iter().skip(skip).take(take).map(|k| k.0).collect())
}

/// The rows `offset..offset + limit` of the list in `sort` order. The page's ids are read first
/// (from an index alone where one holds the filter), then their rows.
pub async fn list_rows(
    db: &Db,
    reach: &Reach<'_>,
    filter: &ListFilter,
    sort: ListSort,
    offset: i64,
    limit: i64,
) -> Result<Vec<CaseRow>> {
    let arms = arms(reach);
    if arms.is_empty() || limit <= 0 {
        return Ok(vec![]);
    }
    let ids = ordered_ids(db, &arms, filter, sort, Some((offset.max(0), limit.max(1)))).await?;
    rows_in_order(db, &ids).await
}

/// How many cases the list holds.
pub async fn list_count(db: &Db, reach: &Reach<'_>, filter: &ListFilter) -> Result<i64> {
    let arms = arms(reach);
    if arms.is_empty() {
        return Ok(0);
    }
    if let Some(n) = count_by_tallies(db, &arms, filter).await? {
        return Ok(n);
    }
    // Each arm counts what the arms before it do not hold, each through its own index.
    let mut total = 0;
    for (i, arm) in arms.iter().enumerate() {
        let mut sql = Sql::default();
        let a = arm_sql(&mut sql, arm);
        let f = filter_sql(&mut sql, filter);
        let mut not = String::new();
        for earlier in &arms[..i] {
            not.push_str(&format!(" AND {}", not_arm(&mut sql, earlier)));
        }
        let from = from_cases(db, arm, filter, None);
        sql.text = format!("SELECT COUNT(*) FROM {from} WHERE {a}{f}{not}");
        total += fetch_count(db, sql).await?;
    }
    Ok(total)
}

/// One page of the list and its total.
pub async fn list_page(
    db: &Db,
    reach: &Reach<'_>,
    filter: &ListFilter,
    sort: ListSort,
    offset: i64,
    limit: i64,
) -> Result<Page> {
    if bounded(filter) {
        // A code, a phone or the index's candidates: few enough to read every match in order
        // once, which gives the total and the page together. Within one scope, one statement
        // returns the page's rows with the count of every match beside each.
        let arms = arms(reach);
        if let ([arm], true) = (arms.as_slice(), limit > 0) {
            let order = sort.order_by(fixed_rank(filter).is_some());
            let mut sql = Sql::default();
            let a = arm_sql(&mut sql, arm);
            let f = filter_sql(&mut sql, filter);
            let from = from_cases(db, arm, filter, Some(sort));
            sql.text = format!(
                "SELECT {COLUMNS}, COUNT(*) OVER () AS total FROM {from} WHERE {a}{f} ORDER BY {order} LIMIT {limit} OFFSET {}",
                offset.max(0)
            );
            let counted = fetch_counted(db, sql).await?;
            if let Some(first) = counted.first() {
                let total = first.total;
                return Ok(Page { rows: counted.into_iter().map(|c| c.row).collect(), total });
            }
            if offset <= 0 {
                return Ok(Page { rows: vec![], total: 0 });
            }
            // Past the end: the count alone.
        }
        let ids = ordered_ids(db, &arms, filter, sort, None).await?;
        let total = ids.len() as i64;
        let page: Vec<i64> = ids.into_iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).collect();
        return Ok(Page { rows: rows_in_order(db, &page).await?, total });
    }
    let total = list_count(db, reach, filter).await?;
    let rows = if offset < total { list_rows(db, reach, filter, sort, offset, limit).await? } else { vec![] };
    Ok(Page { rows, total })
}

/// The total from the tallies, when the reach is whole counties or townships and the filter at
/// most one tallied dimension, a township and a period: a few thousand tally rows instead of
/// every case. `None` when the tallies cannot say.
async fn count_by_tallies(db: &Db, arms: &[Arm], f: &ListFilter) -> Result<Option<i64>> {
    let plain = f.station.is_none()
        && f.agency.is_none()
        && f.deputy.is_none()
        && f.due_between.is_none()
        && f.words.is_empty()
        && f.phone.is_none()
        && f.tracking_code.is_none()
        && f.ids.is_none();
    let dims = [!f.statuses.is_empty(), f.channel.is_some(), f.category.is_some(), f.level.is_some(), f.overdue];
    if !plain || dims.iter().filter(|d| **d).count() > 1 {
        return Ok(None);
    }
    let mut prefixes = Vec::new();
    for arm in arms {
        let Arm::Region(p) = arm else { return Ok(None) };
        if p.len() != 6 && p.len() != 9 {
            return Ok(None);
        }
        match &f.township {
            None => prefixes.push(p.clone()),
            Some(t) if t.starts_with(p.as_str()) => prefixes.push(t.clone()),
            Some(_) => {}
        }
    }
    prefixes.sort();
    prefixes.dedup();
    let from = f.from.unwrap_or(NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date"));
    let to = f.to.unwrap_or(NaiveDate::from_ymd_opt(2999, 12, 31).expect("a date"));
    let mut total = 0;
    for p in prefixes {
        let c = counts::counts(db, &p, None, from, to).await?;
        let sum = |list: &[(String, i64)], keys: &[&str]| -> i64 {
            list.iter().filter(|(k, _)| keys.contains(&k.as_str())).map(|(_, n)| n).sum()
        };
        total += if !f.statuses.is_empty() {
            sum(&c.by_status, &f.statuses.iter().map(String::as_str).collect::<Vec<_>>())
        } else if let Some(ch) = &f.channel {
            sum(&c.by_channel, &[ch])
        } else if let Some(cat) = &f.category {
            sum(&c.by_category, &[cat])
        } else if let Some(l) = &f.level {
            sum(&c.by_level, &[l])
        } else if f.overdue {
            c.overdue
        } else {
            c.total
        };
    }
    Ok(Some(total))
}
