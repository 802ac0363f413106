//! Accounts and sessions: creating an account (`create`), lifting a lock-out (`unlock`),
//! disabling, resetting a password and changing roles (`manage`), changing one's own password
//! (`password`), and signing in and out (`session`).

mod create;
mod manage;
mod password;
mod session;
pub(crate) use session::record_failure;
mod unlock;

pub use create::{NewUser, ValidNewUser, create, create_account, validate_new_user};
pub use manage::{GrantInput, reset_password, set_disabled, set_grants};
pub use password::change_own_password;
pub use session::{LoginError, Session, login, logout, resolve};
pub use unlock::unlock;

use crate::{App, Result};
pub use liaison_store::users::UserSummary;

/// Accounts whose county lies under `county_prefix` (the callers check the reader's scope).
pub async fn list(app: &App, county_prefix: &str) -> Result<Vec<UserSummary>> {
    Ok(liaison_store::users::list(&app.db, county_prefix).await?)
}

/// One account, for a principal who may read the accounts of its county.
pub async fn get(
    app: &App,
    principal: &liaison_domain::authz::Principal,
    user: liaison_domain::ids::UserId,
) -> Result<UserSummary> {
    use liaison_domain::authz::{Action, Target};
    let u = liaison_store::users::get_summary(&app.db, user.get()).await?.ok_or(crate::Error::NotFound)?;
    let county = liaison_domain::region::RegionCode::parse(&u.county_code).map_err(crate::Error::internal)?;
    crate::check(principal, Action::UserRead, Target::Region(&county))?;
    Ok(u)
}

/// One account.
pub async fn summary(app: &App, user: liaison_domain::ids::UserId) -> Result<Option<UserSummary>> {
    Ok(liaison_store::users::get_summary(&app.db, user.get()).await?)
}

/// An account's display name (the username itself when the account is gone or is the system).
pub async fn display_name(app: &crate::App, username: &str) -> crate::Result<String> {
    if username == "system" {
        return Ok("系统".into());
    }
    Ok(liaison_store::users::find_by_username(&app.db, username)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| username.to_string()))
}
