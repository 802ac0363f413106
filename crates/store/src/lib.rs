//! Storage of liaison. One implementation speaks both SQLite (the embedded default) and
//! PostgreSQL: queries are written once in portable SQL with `$n` parameters, and the few
//! statements that must differ live in `dialect.rs`.

mod db;
mod dialect;
mod error;
mod migrate;

pub mod audit;
pub mod bulletins;
pub mod cases;
pub mod leases;
pub mod names;
pub mod org;
pub mod outbox;
pub mod points;
pub mod projects;
pub mod receptions;
pub mod regions;
pub mod register;
pub mod roster;
pub mod sessions;
pub mod stars;
pub mod suggestions;
pub mod users;
pub mod voter_work;

pub use db::{Backend, Db, Tx, redact_url};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
