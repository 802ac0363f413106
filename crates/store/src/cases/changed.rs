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

/// The timeline steps after `after_event` or among `also_events`, each with its case as it is
/// now, in event order: (event id, case). One statement reads both, so a case is never older
/// than a step listed beside it.
///
/// Meant for the short stretch of the timeline a search index has not committed yet: the
/// statement is planned with its values (not cached), so that PostgreSQL walks the few newest
/// events by their key.
pub async fn events_with_cases(db: &Db, after_event: i64, also_events: &[i64]) -> Result<Vec<(i64, CaseRow)>> {
    #[derive(sqlx::FromRow)]
    struct EventCase {
        event_id: i64,
        #[sqlx(flatten)]
        case: CaseRow,
    }
    let mut events = format!("e.id > {after_event}");
    // Holes are few (transactions in flight); their ids are numbers, written in place.
    if !also_events.is_empty() {
        let ids: Vec<String> = also_events.iter().map(i64::to_string).collect();
        events.push_str(&format!(" OR e.id IN ({})", ids.join(", ")));
    }
    let columns: Vec<String> = COLUMNS.split(',').map(|c| format!("c.{}", c.trim())).collect();
    let sql = format!(
        "SELECT e.id AS event_id, {} FROM case_events e JOIN cases c ON c.id = e.case_id WHERE {events} ORDER BY e.id",
        columns.join(", ")
    );
    let rows: Vec<EventCase> =
        on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).persistent(false).fetch_all(p).await.store())?;
    Ok(rows.into_iter().map(|r| (r.event_id, r.case)).collect())
}
