//! Accounts, their grants, and the lock-out bookkeeping of failed logins.

use crate::db::{Db, Tx, on_read, on_tx};
use crate::error::ResultExt;
use crate::{Result, StoreError};
use liaison_domain::authz::{Account, Grant, Role, Scope};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub county_code: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    pub must_change_password: bool,
}

/// What a listing shows: no hashes.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub id: i64,
    pub county_code: String,
    pub username: String,
    pub display_name: String,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub grants: Vec<Grant>,
}

pub struct NewUser<'a> {
    pub county_code: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub grants: &'a [Grant],
}

const USER_COLUMNS: &str = "id, county_code, username, display_name, password_hash, failed_logins, locked_until, disabled, must_change_password";

/// Creates an account with its grants. A taken username is a `Conflict`.
pub async fn create(tx: &mut Tx, u: &NewUser<'_>, now_ms: i64) -> Result<i64> {
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO users (county_code, username, display_name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
        .bind(u.county_code).bind(u.username).bind(u.display_name).bind(u.password_hash).bind(now_ms)
        .fetch_one(&mut *c).await.store())?;
    for g in u.grants {
        add_grant(tx, id, u.county_code, g).await?;
    }
    Ok(id)
}

pub async fn add_grant(tx: &mut Tx, user_id: i64, county_code: &str, g: &Grant) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO grants (county_code, user_id, role, scope_kind, scope_ref) VALUES ($1, $2, $3, $4, $5)")
        .bind(county_code).bind(user_id).bind(g.role.as_str()).bind(g.scope.kind()).bind(g.scope.reference())
        .execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await.store())
}

async fn grants_of(db: &Db, user_id: i64) -> Result<Vec<Grant>> {
    let rows: Vec<(String, String, String)> = on_read!(db, p => sqlx::query_as(
        "SELECT role, scope_kind, scope_ref FROM grants WHERE user_id = $1 ORDER BY id")
        .bind(user_id).fetch_all(p).await.store())?;
    Ok(rows.into_iter().filter_map(|(role, kind, reference)| grant(&role, &kind, &reference)).collect())
}

/// A stored grant; one that no longer parses (a role removed in a later version) grants nothing.
pub(crate) fn grant(role: &str, kind: &str, reference: &str) -> Option<Grant> {
    let role = Role::parse(role).ok()?;
    let scope = Scope::from_parts(kind, reference).ok()?;
    Some(Grant { role, scope })
}

/// The account behind a session, with its grants; `None` if it is gone or disabled.
pub async fn load_account(db: &Db, user_id: i64) -> Result<Option<Account>> {
    Ok(load_session_account(db, user_id).await?.map(|(a, _)| a))
}

/// The account behind a session and whether it must change its password first; `None` if it
/// is gone or disabled.
pub async fn load_session_account(db: &Db, user_id: i64) -> Result<Option<(Account, bool)>> {
    let row: Option<(i64, String, String, String, bool, bool)> = on_read!(db, p => sqlx::query_as(
        "SELECT id, username, display_name, county_code, disabled, must_change_password FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(p).await.store())?;
    let Some((id, username, display_name, county_code, disabled, must_change)) = row else { return Ok(None) };
    if disabled {
        return Ok(None);
    }
    let account = Account { id, username, display_name, county_code, grants: grants_of(db, id).await? };
    Ok(Some((account, must_change)))
}

/// Disables or enables an account; whether anything changed.
pub async fn set_disabled(tx: &mut Tx, user_id: i64, disabled: bool, now_ms: i64) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1 AND disabled <> $2")
        .bind(user_id).bind(disabled).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Sets a new password hash, whether it must be changed at the next login, and lifts any
/// lock-out (a reset is how a forgotten password is recovered).
pub async fn set_password(tx: &mut Tx, user_id: i64, hash: &str, must_change: bool, now_ms: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE users SET password_hash = $2, must_change_password = $3, failed_logins = 0, locked_until = NULL, updated_at = $4 WHERE id = $1")
        .bind(user_id).bind(hash).bind(must_change).bind(now_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The stored password hash of an account.
pub async fn password_hash(db: &Db, user_id: i64) -> Result<Option<String>> {
    on_read!(db, p => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(p).await.store())
}

/// Replaces every grant of an account.
pub async fn replace_grants(tx: &mut Tx, user_id: i64, county_code: &str, grants: &[Grant]) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM grants WHERE user_id = $1")
        .bind(user_id).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    for g in grants {
        add_grant(tx, user_id, county_code, g).await?;
    }
    Ok(())
}

/// Counts a failed login and locks the account once `max_failures` is reached. Returns the
/// lock's end if this failure locked it.
pub async fn record_failure(tx: &mut Tx, user_id: i64, max_failures: i64, lock_until_ms: i64) -> Result<Option<i64>> {
    let failures: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
        .bind(user_id).fetch_one(&mut *c).await.store())?;
    if failures >= max_failures {
        on_tx!(tx, c => sqlx::query("UPDATE users SET locked_until = $2, failed_logins = 0 WHERE id = $1")
            .bind(user_id).bind(lock_until_ms).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        return Ok(Some(lock_until_ms));
    }
    Ok(None)
}

/// Clears failures and any lock, after a good login or a security admin's unlock.
pub async fn clear_failures(tx: &mut Tx, user_id: i64) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn get_summary(db: &Db, user_id: i64) -> Result<Option<UserSummary>> {
    let row: Option<UserRow> = on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")))
        .bind(user_id).fetch_optional(p).await.store())?;
    match row {
        Some(r) => Ok(Some(summary(db, r).await?)),
        None => Ok(None),
    }
}

async fn summary(db: &Db, r: UserRow) -> Result<UserSummary> {
    Ok(UserSummary {
        id: r.id,
        grants: grants_of(db, r.id).await?,
        county_code: r.county_code,
        username: r.username,
        display_name: r.display_name,
        locked_until: r.locked_until,
        disabled: r.disabled,
        must_change_password: r.must_change_password,
    })
}

/// Accounts whose partition lies under `county_prefix` (e.g. "611026" or "61").
pub async fn list(db: &Db, county_prefix: &str) -> Result<Vec<UserSummary>> {
    let rows: Vec<UserRow> = on_read!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE county_code LIKE $1 ORDER BY username LIMIT 1000")))
        .bind(format!("{county_prefix}%")).fetch_all(p).await.store())?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(summary(db, r).await?);
    }
    Ok(out)
}
