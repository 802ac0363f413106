//! Accounts and sessions: creating an account (`create`), lifting a lock-out (`unlock`), and
//! signing in and out (`session`).

mod create;
mod session;
mod unlock;

pub use create::{NewUser, ValidNewUser, create, create_account, validate_new_user};
pub use session::{LoginError, Session, login, logout, resolve};
pub use unlock::unlock;

use crate::{App, Result};
pub use liaison_store::users::UserSummary;

/// Accounts whose county lies under `county_prefix` (the callers check the reader's scope).
pub async fn list(app: &App, county_prefix: &str) -> Result<Vec<UserSummary>> {
    Ok(liaison_store::users::list(&app.db, county_prefix).await?)
}

/// One account.
pub async fn summary(app: &App, user: liaison_domain::ids::UserId) -> Result<Option<UserSummary>> {
    Ok(liaison_store::users::get_summary(&app.db, user.get()).await?)
}
