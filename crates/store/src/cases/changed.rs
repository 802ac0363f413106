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

/// The timeline steps after `after_event` or among `also_events`, in event order: (event id,
/// case id). A search asks this several times a second, so the statement is prepared once per
/// connection and PostgreSQL answers in one round trip (the holes, few, come as one array
/// there). SQLite has one writer and almost never holes; it plans them with their values.
pub async fn events_since(db: &Db, after_event: i64, also_events: &[i64]) -> Result<Vec<(i64, i64)>> {
    match db {
        Db::Postgres(p) => {
            sqlx::query_as("SELECT id, case_id FROM case_events WHERE id > $1 OR id = ANY($2) ORDER BY id")
                .bind(after_event)
                .bind(also_events)
                .fetch_all(p)
                .await
                .store()
        }
        Db::Sqlite { read, .. } if also_events.is_empty() => {
            sqlx::query_as("SELECT id, case_id FROM case_events WHERE id > $1 ORDER BY id")
                .bind(after_event)
                .fetch_all(read)
                .await
                .store()
        }
        Db::Sqlite { read, .. } => {
            let sql = format!(
                "SELECT id, case_id FROM case_events WHERE {} ORDER BY id",
                since("id", after_event, also_events)
            );
            sqlx::query_as(AssertSqlSafe(sql)).persistent(false).fetch_all(read).await.store()
        }
    }
}

/// The event `column` after `after_event` or among `also_events`. Holes are few (transactions
/// in flight); their ids are numbers, written in place.
fn since(column: &str, after_event: i64, also_events: &[i64]) -> String {
    let mut events = format!("{column} > {after_event}");
    if !also_events.is_empty() {
        let ids: Vec<String> = also_events.iter().map(i64::to_string).collect();
        events.push_str(&format!(" OR {column} IN ({})", ids.join(", ")));
    }
    events
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
    let events = since("e.id", after_event, also_events);
    let columns: Vec<String> = COLUMNS.split(',').map(|c| format!("c.{}", c.trim())).collect();
    let sql = format!(
        "SELECT e.id AS event_id, {} FROM case_events e JOIN cases c ON c.id = e.case_id WHERE {events} ORDER BY e.id",
        columns.join(", ")
    );
    let rows: Vec<EventCase> =
        on_read!(db, p => sqlx::query_as(AssertSqlSafe(sql)).persistent(false).fetch_all(p).await.store())?;
    Ok(rows.into_iter().map(|r| (r.event_id, r.case)).collect())
}
