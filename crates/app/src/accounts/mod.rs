//! Accounts and sessions: creating an account (`create`), lifting a lock-out (`unlock`), and
//! signing in and out (`session`).

mod create;
mod session;
mod unlock;

pub use create::{NewUser, ValidNewUser, create, create_account, validate_new_user};
pub use session::{LoginError, Session, login, logout, resolve};
pub use unlock::unlock;
