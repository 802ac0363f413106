//! Everyone changes their own password: the current one first, then a new one that meets the
//! password rule. It also ends a forced change after an administrator's reset; the account's
//! other sessions end, the one in use stays.

use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::Principal;
use liaison_domain::password;
use liaison_store::{audit, sessions, users};

/// Changes the principal's password. `keep` is the hash of the session in use, which stays
/// open. A wrong current password counts toward the lock-out, as a failed login does.
pub async fn change_own_password(
    app: &App,
    principal: &Principal,
    keep: Option<&str>,
    current: &str,
    new: &str,
) -> Result<()> {
    let account = principal.account().ok_or_else(Error::refused)?;
    let u = users::get_summary(&app.db, account.id).await?.ok_or(Error::NotFound)?;
    let hash = users::password_hash(&app.db, account.id).await?.ok_or(Error::NotFound)?;
    let (cur, stored) = (current.to_owned(), hash);
    let matches =
        tokio::task::spawn_blocking(move || password::verify_password(&cur, &stored)).await.map_err(Error::internal)?;
    let now = app.clock.now();
    let now_ms = now.timestamp_millis();
    let event = |action: &str, summary: &str| AuditEvent {
        county_code: u.county_code.clone(),
        actor: account.username.clone(),
        action: action.into(),
        target: format!("user:{}", account.username),
        summary: summary.into(),
    };
    if !matches {
        let c = &app.config;
        let mut tx = app.db.begin().await?;
        let until = (now + c.lockout_for).timestamp_millis();
        let locked = users::record_failure(&mut tx, account.id, c.lockout_failures, until).await?;
        audit::append(&mut tx, &event("user.password_change_failed", "修改密码时当前密码错误"), now_ms).await?;
        if locked.is_some() {
            let mins = c.lockout_for.num_minutes();
            let summary = format!("连续输错密码，锁定 {mins} 分钟");
            audit::append(&mut tx, &event("account.locked", &summary), now_ms).await?;
        }
        tx.commit().await?;
        return Err(Error::invalid("wrong_password", "当前密码不正确").field("current_password"));
    }
    if new == current {
        return Err(Error::invalid("same_password", "新密码不能与当前密码相同").field("new_password"));
    }
    password::check_new_password(new).map_err(|e| Error::from(e).field("new_password"))?;
    let hash = {
        let pw = new.to_owned();
        tokio::task::spawn_blocking(move || password::hash_password(&pw)).await.map_err(Error::internal)?
    };
    let mut tx = app.db.begin().await?;
    users::set_password(&mut tx, account.id, &hash, false, now_ms).await?;
    let ended = sessions::delete_for_user(&mut tx, account.id, keep).await?;
    let summary = if u.must_change_password {
        format!("按要求修改了管理员重置的密码，结束其他 {ended} 个登录会话")
    } else {
        format!("修改了自己的密码，结束其他 {ended} 个登录会话")
    };
    audit::append(&mut tx, &event("user.password_change", &summary), now_ms).await?;
    tx.commit().await?;
    Ok(())
}
