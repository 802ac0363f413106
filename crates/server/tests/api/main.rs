//! End-to-end tests: the real server on a random port against a fresh database of each backend,
//! spoken to over HTTP. One test binary, so linking stays fast.

mod accounts;
mod admin;
mod audit;
mod ballots;
mod browser;
mod caseloop;
mod casepage;
mod crash;
mod demo;
mod hardening;
mod input;
mod lists;
mod matrix;
mod notify;
mod ops;
mod org;
mod outreach;
mod pages;
mod points;
mod public;
mod receptions;
mod register;
mod scope;
mod sms;
mod stars;
mod statistics;
mod suggestions;
