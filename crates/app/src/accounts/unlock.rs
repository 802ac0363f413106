//! Lifting a lock-out before it runs out: the security admin's job, within their county.

use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::ids::UserId;
use liaison_domain::region::RegionCode;
use liaison_store::{audit, users};

pub async fn unlock(app: &App, principal: &Principal, user: UserId) -> Result<()> {
    let user_id = user.get();
    let u = users::get_summary(&app.db, user_id).await?.ok_or(Error::NotFound)?;
    let county = RegionCode::parse(&u.county_code).map_err(Error::internal)?;
    crate::check(principal, Action::AccountUnlock, Target::Region(&county))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    users::clear_failures(&mut tx, user_id).await?;
    let ev = AuditEvent {
        county_code: u.county_code.clone(),
        actor: principal.actor(),
        action: "account.unlock".into(),
        target: format!("user:{}", u.username),
        summary: "解除账号锁定".into(),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}
