//! The business types and rules of liaison. No HTTP, no SQL: the store and web crates depend on
//! this one, never the reverse.

pub mod audit;
pub mod authz;
pub mod calendar;
pub mod case;
pub mod case_list;
pub mod clock;
pub mod error;
pub mod figures;
pub mod ids;
pub mod org;
pub mod password;
pub mod phone;
pub mod points;
pub mod project;
pub mod reception;
pub mod region;
pub mod register;
pub mod roster;
pub mod similar;
pub mod stars;
pub mod submission;
pub mod suggestion;
pub mod text;
pub mod token;
pub mod voter_work;

pub use error::Invalid;
