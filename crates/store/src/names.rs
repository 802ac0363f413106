//! Batched name lookups for what staff read: accounts' display names and grants by username, and
//! the names of stations, agencies, deputies and regions by slug or code. One query per kind
//! for a whole page, never one per row; inactive records keep their names.

use crate::Result;
use crate::db::{Db, on_read};
use crate::error::ResultExt;
use sqlx::AssertSqlSafe;

/// The tables whose names are looked up by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Station,
    Agency,
    Deputy,
    Region,
}

impl Named {
    fn select(self) -> &'static str {
        match self {
            Named::Station => "SELECT slug, name FROM stations WHERE slug IN",
            Named::Agency => "SELECT slug, name FROM agencies WHERE slug IN",
            Named::Deputy => "SELECT slug, name FROM deputies WHERE slug IN",
            Named::Region => "SELECT code, name FROM regions WHERE code IN",
        }
    }
}

/// Keys are bound in chunks, so that a long list never exceeds a backend's parameter limit.
const CHUNK: usize = 500;

fn marks(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// (key, name) of the records of `what` among `keys`; unknown keys are left out.
pub async fn names(db: &Db, what: Named, keys: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let sql = format!("{} ({})", what.select(), marks(chunk.len()));
        let rows: Vec<(String, String)> = on_read!(db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k);
            }
            q.fetch_all(p).await.store()
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// An account as others see it in a timeline or a log: its display name and its grants' raw
/// (role, scope kind, scope reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName {
    pub username: String,
    pub display_name: String,
    pub grants: Vec<(String, String, String)>,
}

/// The accounts among `usernames`, each with its grants in the order they were given.
pub async fn accounts(db: &Db, usernames: &[String]) -> Result<Vec<AccountName>> {
    let mut out: Vec<AccountName> = Vec::with_capacity(usernames.len());
    for chunk in usernames.chunks(CHUNK) {
        let sql = format!(
            "SELECT u.username, u.display_name, g.role, g.scope_kind, g.scope_ref FROM users u \
             LEFT JOIN grants g ON g.user_id = u.id WHERE u.username IN ({}) ORDER BY u.username, g.id",
            marks(chunk.len())
        );
        type Row = (String, String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_read!(db, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k);
            }
            q.fetch_all(p).await.store()
        })?;
        for (username, display_name, role, kind, reference) in rows {
            if out.last().is_none_or(|a| a.username != username) {
                out.push(AccountName { username: username.clone(), display_name, grants: vec![] });
            }
            if let (Some(r), Some(k), Some(s), Some(last)) = (role, kind, reference, out.last_mut()) {
                last.grants.push((r, k, s));
            }
        }
    }
    Ok(out)
}
