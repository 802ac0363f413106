//! Sessions: browser cookies and API bearer tokens alike, stored under the hash of their token.

use crate::Result;
use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;

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
