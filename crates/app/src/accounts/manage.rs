//! What administrators do to an existing account, within their county: the system admin disables
//! and enables it and changes its roles and scopes; the security admin resets a forgotten
//! password (the account must then choose its own at the next login). Nobody does any of this to
//! their own account, so that no administrator can widen or unlock their own powers.

use super::create::check_scope_target;
use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Grant, Principal, Role, Scope, Target};
use liaison_domain::ids::UserId;
use liaison_domain::password;
use liaison_domain::region::RegionCode;
use liaison_store::users::UserSummary;
use liaison_store::{audit, sessions, users};

/// The account `principal` acts on with `action`: it exists, belongs to a county the principal
/// reaches for that action, and is not the principal's own.
async fn target(app: &App, principal: &Principal, user: UserId, action: Action) -> Result<(UserSummary, RegionCode)> {
    let u = users::get_summary(&app.db, user.get()).await?.ok_or(Error::NotFound)?;
    let county = RegionCode::parse(&u.county_code).map_err(Error::internal)?;
    crate::check(principal, action, Target::Region(&county))?;
    if principal.account().is_some_and(|a| a.id == u.id) {
        return Err(Error::refused_because("不能对自己的账号执行此操作；修改自己的密码请到“修改密码”页面"));
    }
    Ok((u, county))
}

fn event(principal: &Principal, u: &UserSummary, action: &str, summary: String) -> AuditEvent {
    AuditEvent {
        county_code: u.county_code.clone(),
        actor: principal.actor(),
        action: action.into(),
        target: format!("user:{}", u.username),
        summary,
    }
}

/// Disables the account (it can no longer sign in and its sessions end) or enables it again.
/// Doing what is already done changes and audits nothing.
pub async fn set_disabled(app: &App, principal: &Principal, user: UserId, disabled: bool) -> Result<()> {
    let (u, _) = target(app, principal, user, Action::UserWrite).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if users::set_disabled(&mut tx, u.id, disabled, now).await? {
        let ended = if disabled { sessions::delete_for_user(&mut tx, u.id, None).await? } else { 0 };
        let (action, summary) = if disabled {
            ("user.disable", format!("停用账号，结束其 {ended} 个登录会话"))
        } else {
            ("user.enable", "启用账号".to_owned())
        };
        audit::append(&mut tx, &event(principal, &u, action, summary), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Resets a forgotten password to `given` (checked against the password rule) or, when none is
/// given, to a generated one; returns the temporary password, to be shown once. The account's
/// sessions end, any lock-out is lifted, and it must choose its own password at the next login.
pub async fn reset_password(app: &App, principal: &Principal, user: UserId, given: Option<&str>) -> Result<String> {
    let (u, _) = target(app, principal, user, Action::AccountUnlock).await?;
    let temporary = match given.filter(|p| !p.is_empty()) {
        Some(p) => {
            password::check_new_password(p).map_err(|e| Error::from(e).field("password"))?;
            p.to_owned()
        }
        None => password::generate_temporary(),
    };
    let hash = {
        let pw = temporary.clone();
        tokio::task::spawn_blocking(move || password::hash_password(&pw)).await.map_err(Error::internal)?
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    users::set_password(&mut tx, u.id, &hash, true, now).await?;
    let ended = sessions::delete_for_user(&mut tx, u.id, None).await?;
    let how = if given.is_some_and(|p| !p.is_empty()) { "管理员设定" } else { "系统生成" };
    let summary = format!("重置密码（临时密码由{how}，须在下次登录时修改），结束其 {ended} 个登录会话");
    audit::append(&mut tx, &event(principal, &u, "user.password_reset", summary), now).await?;
    tx.commit().await?;
    Ok(temporary)
}

/// A grant as submitted: a role and a scope (`region:CODE`, `station:SLUG`…).
#[derive(Debug, Clone)]
pub struct GrantInput {
    pub role: String,
    pub scope: String,
}

/// Replaces the account's roles and scopes. Each must fit its role, lie in the account's county,
/// and (for a region) inside the administrator's own; a station, agency or deputy must be an
/// active record of that county. The account's sessions end, so the change applies at once.
pub async fn set_grants(app: &App, principal: &Principal, user: UserId, input: &[GrantInput]) -> Result<()> {
    let (u, county) = target(app, principal, user, Action::UserWrite).await?;
    if input.is_empty() {
        return Err(Error::invalid("grant_required", "至少保留一个角色").field("role"));
    }
    let mut grants: Vec<Grant> = Vec::new();
    for g in input {
        let role = Role::parse(&g.role)?;
        let scope = Scope::parse(&g.scope)?;
        let grant = Grant::new(role, scope)?;
        if let Scope::Region(c) = &grant.scope {
            if !county.contains(c) && !c.contains(&county) {
                return Err(Error::invalid("scope_outside_county", "账号范围不在所属县（区）内").field("scope"));
            }
            crate::check(principal, Action::UserWrite, Target::Region(c))?;
        }
        check_scope_target(app, &grant, &county).await?;
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    if grants == u.grants {
        return Ok(());
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    users::replace_grants(&mut tx, u.id, &u.county_code, &grants).await?;
    let ended = sessions::delete_for_user(&mut tx, u.id, None).await?;
    let describe =
        |gs: &[Grant]| gs.iter().map(|g| format!("{}（{}）", g.role.label(), g.scope)).collect::<Vec<_>>().join("、");
    let summary = format!("角色与范围由 {} 改为 {}，结束其 {ended} 个登录会话", describe(&u.grants), describe(&grants));
    audit::append(&mut tx, &event(principal, &u, "user.grants", summary), now).await?;
    tx.commit().await?;
    Ok(())
}
