//! Sessions: browser cookies and API bearer tokens alike, stored under the hash of their token.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use crate::users;
use liaison_domain::authz::Account;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn create(
    tx: &mut Tx,
    token_hash: &str,
    county_code: &str,
    user_id: i64,
    kind: &str,
    csrf: &str,
    now_ms: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO sessions (token_hash, county_code, user_id, kind, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
        .bind(token_hash).bind(county_code).bind(user_id).bind(kind).bind(csrf).bind(now_ms)
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn find(db: &Db, token_hash: &str) -> Result<Option<SessionRow>> {
    on_read!(db, p => sqlx::query_as(
        "SELECT token_hash, user_id, kind, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash).fetch_optional(p).await.store())
}

/// A session with what a request needs of its account.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub session: SessionRow,
    /// The account with its grants, and whether it must change its password first; `None` if
    /// the account is gone or disabled.
    pub account: Option<(Account, bool)>,
}

/// The session behind a token hash, its account and the account's grants, in one statement:
/// every signed-in request starts here, and on SQLite each statement is a hop to the
/// connection's thread.
pub async fn find_with_account(db: &Db, token_hash: &str) -> Result<Option<Resolved>> {
    type Joined = (
        String,
        i64,
        String,
        String,
        i64,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<bool>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Joined> = on_read!(db, p => sqlx::query_as(
        "SELECT s.token_hash, s.user_id, s.kind, s.csrf_token, s.created_at, s.last_seen_at, \
         u.username, u.display_name, u.county_code, u.disabled, u.must_change_password, g.role, g.scope_kind, g.scope_ref \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN grants g ON g.user_id = s.user_id \
         WHERE s.token_hash = $1 ORDER BY g.id")
        .bind(token_hash).fetch_all(p).await.store())?;
    let Some(first) = rows.first() else { return Ok(None) };
    let session = SessionRow {
        token_hash: first.0.clone(),
        user_id: first.1,
        kind: first.2.clone(),
        csrf_token: first.3.clone(),
        created_at: first.4,
        last_seen_at: first.5,
    };
    let account = match (&first.6, &first.7, &first.8, first.9, first.10) {
        (Some(username), Some(display_name), Some(county_code), Some(false), Some(must_change)) => {
            let grants = rows
                .iter()
                .filter_map(|r| match (&r.11, &r.12, &r.13) {
                    (Some(role), Some(kind), Some(reference)) => users::grant(role, kind, reference),
                    _ => None,
                })
                .collect();
            let account = Account {
                id: session.user_id,
                username: username.clone(),
                display_name: display_name.clone(),
                county_code: county_code.clone(),
                grants,
            };
            Some((account, must_change))
        }
        _ => None,
    };
    Ok(Some(Resolved { session, account }))
}

pub async fn touch(db: &Db, token_hash: &str, now_ms: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Ends every session of an account but `keep` (a token hash); returns how many.
pub async fn delete_for_user(tx: &mut Tx, user_id: i64, keep: Option<&str>) -> Result<u64> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id).bind(keep.unwrap_or("")).execute(&mut *c).await.store().map(|r| r.rows_affected()))
}

/// Removes sessions idle since before `cutoff_ms` or opened before `created_before_ms` (the
/// absolute lifetime); returns how many.
pub async fn delete_idle(db: &Db, cutoff_ms: i64, created_before_ms: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(cutoff_ms).bind(created_before_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n)
}
