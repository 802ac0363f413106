//! Staff lists of cases: one page in a chosen order plus the total, within a reach and filters.
//!
//! Each scope of the reach is one "arm" (a county, a township, a station, a lead agency, an
//! assisting agency, a deputy) that an index answers in the list's order (migration 7); several
//! arms are merged by taking each arm's first rows. Totals of a county or township filtered by at
//! most one tallied dimension come from the tallies, the rest from `COUNT(*)` over the same arms.

use super::{COLUMNS, CaseRow, Reach, counts};
use crate::Result;
use crate::db::{Db, on_read};
use crate::error::ResultExt;
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;

/// 0 while staff work on the case, 1 while it waits for the constituent's rating, 2 when finished:
/// the first key of the deadline order. The same text as in the indexes of migration 7.
const RANK: &str =
    "(CASE WHEN status IN ('closed', 'merged', 'declined') THEN 2 WHEN status IN ('replied', 'answered_on_spot') THEN 1 ELSE 0 END)";
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
    fn order_by(self) -> String {
        match self {
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
    /// Open cases due on or before this day (YYYY-MM-DD).
    pub due_by: Option<String>,
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

fn filter_sql(sql: &mut Sql, f: &ListFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f.statuses.iter().map(|s| sql.text(s)).collect();
        parts.push(format!("status IN ({})", marks.join(", ")));
        // All of one rank: say so, so that the index of the deadline order is entered there.
        let r = rank_of(&f.statuses[0]);
        if f.statuses.iter().all(|s| rank_of(s) == r) {
            parts.push(format!("{RANK} = {r}"));
        }
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
    if let Some(d) = &f.due_by {
        let m = sql.text(d);
        // The last two terms follow from the first ones; they let the index be read as a range.
        parts.push(format!(
            "deadline_on IS NOT NULL AND deadline_on <= {m} AND status IN ('triaged', 'assigned', 'reopened') AND {RANK} = 0 AND {DUE} <= {m}"
        ));
    }
    for w in &f.words {
        let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let m = sql.text(format!("%{escaped}%"));
        parts.push(format!(
            "(title LIKE {m} ESCAPE '\\' OR content LIKE {m} ESCAPE '\\' OR public_reply LIKE {m} ESCAPE '\\' OR agency_result LIKE {m} ESCAPE '\\')"
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
        let mut q = sqlx::query_as(AssertSqlSafe(sql.text));
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_all(p).await.store()
    })
}

async fn fetch_count(db: &Db, sql: Sql) -> Result<i64> {
    on_read!(db, p => {
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql.text));
        for b in sql.binds {
            q = match b { Bind::Text(s) => q.bind(s), Bind::Int(i) => q.bind(i) };
        }
        q.fetch_one(p).await.store()
    })
}

/// The rows `offset..offset + limit` of the list in `sort` order.
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
    let order = sort.order_by();
    let (offset, limit) = (offset.max(0), limit.max(1));
    let mut sql = Sql::default();
    if let [arm] = arms.as_slice() {
        let a = arm_sql(&mut sql, arm);
        let f = filter_sql(&mut sql, filter);
        sql.text = format!("SELECT {COLUMNS} FROM cases WHERE {a}{f} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    } else {
        // The first offset + limit rows of the union are among the first offset + limit of each arm.
        let mut parts = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            let a = arm_sql(&mut sql, arm);
            let f = filter_sql(&mut sql, filter);
            parts.push(format!(
                "SELECT id FROM (SELECT id FROM cases WHERE {a}{f} ORDER BY {order} LIMIT {}) a{i}",
                offset + limit
            ));
        }
        sql.text = format!(
            "SELECT {COLUMNS} FROM cases WHERE id IN ({}) ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            parts.join(" UNION ")
        );
    }
    fetch_rows(db, sql).await
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
    let mut sql = Sql::default();
    if let [arm] = arms.as_slice() {
        let a = arm_sql(&mut sql, arm);
        let f = filter_sql(&mut sql, filter);
        sql.text = format!("SELECT COUNT(*) FROM cases WHERE {a}{f}");
    } else {
        let mut parts = Vec::new();
        for arm in &arms {
            let a = arm_sql(&mut sql, arm);
            let f = filter_sql(&mut sql, filter);
            parts.push(format!("SELECT id FROM cases WHERE {a}{f}"));
        }
        sql.text = format!("SELECT COUNT(*) FROM ({}) u", parts.join(" UNION "));
    }
    fetch_count(db, sql).await
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
        && f.due_by.is_none()
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
