//! The use-cases of liaison, between the storage (`store`, `search`, `sheets`) and the adapters
//! (`web`, the CLI, the background jobs). One module per capability and one file per action: a
//! reader finds where a case is assigned in `cases/step.rs`. Each use-case takes an actor (a
//! `Principal`) and parsed input, checks authorization itself, runs one transaction, and returns
//! [`Error`], which knows nothing of HTTP.

pub mod accounts;
pub mod audit;
pub mod ballots;
pub mod bulletins;
pub mod cases;
pub mod choices;
mod context;
pub mod directory;
pub mod duty_report;
mod error;
pub mod jobs;
pub mod ledger;
pub mod meetings;
pub mod names;
pub mod notify;
pub mod org;
pub mod photos;
pub mod points;
pub mod projects;
pub mod receptions;
pub mod regions;
pub mod register;
pub mod roster;
pub mod stars;
pub mod statistics;
pub mod suggestions;
pub mod voter_reports;

pub use context::{App, Config};
pub use error::{Error, Result};
/// The database handle the adapters pass through to [`App::new`].
pub use liaison_store::Db;

use liaison_domain::authz::{self, Action, Principal, Target};

/// Refuses `principal` unless it may take `action` on `target`.
pub fn check(principal: &Principal, action: Action, target: Target<'_>) -> Result<()> {
    authz::authorize(principal, action, target).map_err(Error::from)
}
