//! The `liaison` program: configuration, subcommands, demo data and the background jobs around
//! the web app.

pub mod cli;
pub mod config;
pub mod demo;
mod demo_bulletins;
mod demo_org;
mod demo_outreach;
mod demo_projects;
mod demo_receptions;
mod demo_register;
mod demo_stars;
mod demo_suggestions;
