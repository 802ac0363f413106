//! The cases changed since a point of the timeline: what the search index follows, and what a
//! search reads from SQL for the changes its index has not committed yet.

use super::{COLUMNS, CaseRow};
use crate::Result;
use crate::db::{Db, on_read};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

/// Timeline steps with these ids that exist now: (event id, case id).
pub async fn events_with_ids(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT id, case_id FROM case_events WHERE id IN ({}) ORDER BY id", marks.join(", "));
        let rows: Vec<(i64, i64)> = on_read!(db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).persistent(false);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await.store()
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// The cases with a timeline step after `after_event` or among `also_events`, as they are now,
/// whose title, content, agency result or public reply contain every word of `words`, in no
/// particular order. Letter case is ignored for ASCII letters; a word with other cased letters
/// (É, Ж) is not compared here, so the caller must check every row it keeps.
///
/// Meant for the short stretch of the timeline a search index has not committed yet: the
/// statement is planned with its values (not cached), so that PostgreSQL walks the few newest
/// events by their key.
pub async fn changed_matching(
    db: &Db,
    after_event: i64,
    also_events: &[i64],
    words: &[String],
) -> Result<Vec<CaseRow>> {
    let mut binds: Vec<String> = Vec::new();
    let mut events = format!("id > {after_event}");
    // Holes are few (transactions in flight); their ids are numbers, written in place.
    if !also_events.is_empty() {
        let ids: Vec<String> = also_events.iter().map(i64::to_string).collect();
        events.push_str(&format!(" OR id IN ({})", ids.join(", ")));
    }
    let mut sql = format!("SELECT {COLUMNS} FROM cases WHERE id IN (SELECT case_id FROM case_events WHERE {events})");
    for word in words {
        if word.chars().any(|c| !c.is_ascii() && c.to_lowercase().ne(c.to_uppercase())) {
            continue;
        }
        let escaped = word.to_ascii_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        binds.push(format!("%{escaped}%"));
        let n = binds.len();
        sql.push_str(&format!(
            " AND (lower(title) LIKE ${n} ESCAPE '\\' OR lower(content) LIKE ${n} ESCAPE '\\' \
             OR lower(public_reply) LIKE ${n} ESCAPE '\\' OR lower(agency_result) LIKE ${n} ESCAPE '\\')"
        ));
    }
    on_read!(db, p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql)).persistent(false);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await.store()
    })
}
