//! Roster files in and out, shared by the API, the upload page and the `liaison import` command:
//! read the file defensively, parse each sheet, apply all or nothing (`import`); export what a
//! region holds in the same columns (`export`).

mod export;
mod import;

pub use export::{export_rows, export_xlsx};
pub use import::{ImportError, error_report_xlsx, import_bytes};
