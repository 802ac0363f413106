//! Signing in and out, and finding the session behind a token: argon2id passwords, a lock-out
//! after repeated failures, idle and absolute session lifetimes, every outcome audited.

use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::Principal;
use liaison_domain::{password, token};
use liaison_store::{audit, sessions, users};

/// Why a login was refused. Callers answer `BadCredentials` and `Locked` alike.
#[derive(Debug)]
pub enum LoginError {
    BadCredentials,
    Locked,
    Failed(Error),
}

impl From<liaison_store::StoreError> for LoginError {
    fn from(e: liaison_store::StoreError) -> Self {
        LoginError::Failed(e.into())
    }
}

/// A live session: who, and the token hash and CSRF token that go with it.
pub struct Session {
    pub principal: Principal,
    pub token_hash: String,
    pub csrf: String,
    /// An administrator reset the password: the account must choose its own before anything
    /// else.
    pub must_change_password: bool,
}

/// Checks a username and password and opens a session of `kind` (`cookie` or `bearer`);
/// returns the session token. Failures count toward the lock-out; every outcome is audited.
pub async fn login(app: &App, username: &str, pw: &str, kind: &str) -> std::result::Result<String, LoginError> {
    let username = username.trim().to_lowercase();
    let user = users::find_by_username(&app.db, &username).await?;
    let now = app.clock.now();
    let now_ms = now.timestamp_millis();
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::dummy_hash().to_owned());
    let pw_owned = pw.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify_password(&pw_owned, &hash))
        .await
        .map_err(|e| LoginError::Failed(Error::internal(e)))?;
    let event = |county: &str, action: &str, summary: &str| AuditEvent {
        county_code: county.to_owned(),
        actor: username.clone(),
        action: action.to_owned(),
        target: format!("user:{username}"),
        summary: summary.to_owned(),
    };
    let Some(user) = user else {
        audit::record(&app.db, &event("000000", "session.login_failed", "未知用户名"), now_ms).await?;
        return Err(LoginError::BadCredentials);
    };
    if user.locked_until.is_some_and(|t| t > now_ms) {
        let ev = event(&user.county_code, "session.login_refused_locked", "账号锁定期间尝试登录");
        audit::record(&app.db, &ev, now_ms).await?;
        return Err(LoginError::Locked);
    }
    if user.disabled || !matches {
        let locked = record_failure(app, &user, "密码错误").await.map_err(LoginError::Failed)?;
        return Err(if locked { LoginError::Locked } else { LoginError::BadCredentials });
    }
    let token_value = token::random_token();
    let csrf = token::random_token();
    let mut tx = app.db.begin().await?;
    users::clear_failures(&mut tx, user.id).await?;
    sessions::create(&mut tx, &token::hash_token(&token_value), &user.county_code, user.id, kind, &csrf, now_ms)
        .await?;
    let summary = if kind == "cookie" { "网页登录" } else { "接口令牌登录" };
    audit::append(&mut tx, &event(&user.county_code, "session.login", summary), now_ms).await?;
    tx.commit().await?;
    Ok(token_value)
}

/// Counts a wrong password against `user` (locking the account after too many), with an audit
/// entry saying `summary`; true when the account is now locked. Signing in and confirming as a
/// second person (a ballot's credential keeper) both go through it.
pub(crate) async fn record_failure(app: &App, user: &users::UserRow, summary: &str) -> Result<bool> {
    let c = &app.config;
    let now = app.clock.now();
    let now_ms = now.timestamp_millis();
    let event = |action: &str, summary: &str| AuditEvent {
        county_code: user.county_code.clone(),
        actor: user.username.clone(),
        action: action.to_owned(),
        target: format!("user:{}", user.username),
        summary: summary.to_owned(),
    };
    let mut tx = app.db.begin().await?;
    let until = (now + c.lockout_for).timestamp_millis();
    let locked = users::record_failure(&mut tx, user.id, c.lockout_failures, until).await?;
    audit::append(&mut tx, &event("session.login_failed", summary), now_ms).await?;
    if locked.is_some() {
        let mins = c.lockout_for.num_minutes();
        audit::append(&mut tx, &event("account.locked", &format!("连续登录失败，锁定 {mins} 分钟")), now_ms).await?;
    }
    tx.commit().await?;
    Ok(locked.is_some())
}

/// Finds the session behind a token of `kind`; ends it (and says so) when it has been idle too
/// long or is older than the absolute lifetime. `None`: no such session.
pub async fn resolve(app: &App, token: &str, kind: &str) -> Result<Option<Session>> {
    let hash = token::hash_token(token);
    let Some(sessions::Resolved { session: row, account }) = sessions::find_with_account(&app.db, &hash).await? else {
        return Ok(None);
    };
    if row.kind != kind {
        return Ok(None);
    }
    let now = app.now_ms();
    let c = &app.config;
    if now - row.last_seen_at > c.session_idle.num_milliseconds()
        || now - row.created_at > c.session_max.num_milliseconds()
    {
        let mut tx = app.db.begin().await?;
        sessions::delete(&mut tx, &hash).await?;
        tx.commit().await?;
        return Err(Error::Unauthenticated {
            code: "session_expired", message: "登录已超时，请重新登录".into()
        });
    }
    let Some((account, must_change_password)) = account else {
        return Ok(None);
    };
    // Refresh the idle timer at most once a minute, so reads stay reads.
    if now - row.last_seen_at > 60_000 {
        sessions::touch(&app.db, &hash, now).await?;
    }
    Ok(Some(Session {
        principal: Principal::User(account),
        token_hash: hash,
        csrf: row.csrf_token,
        must_change_password,
    }))
}

/// Ends a session.
pub async fn logout(app: &App, principal: &Principal, token_hash: &str) -> Result<()> {
    let Some(a) = principal.account() else { return Ok(()) };
    let county = users::get_summary(&app.db, a.id).await?.map(|u| u.county_code).unwrap_or_else(|| "000000".into());
    let mut tx = app.db.begin().await?;
    sessions::delete(&mut tx, token_hash).await?;
    let ev = AuditEvent {
        county_code: county,
        actor: a.username.clone(),
        action: "session.logout".into(),
        target: format!("user:{}", a.username),
        summary: "退出登录".into(),
    };
    audit::append(&mut tx, &ev, app.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}
