//! Rosters as counties keep them in spreadsheets: the columns of each kind (Chinese headers with
//! the variants clerks write), and the parsing of rows into records with an error per bad cell.
//! Names of regions, stations and deputies are resolved against the database later, by the store.

use crate::org::{AgencyKind, DeputyLevel, Gender, HouseholdKind, StationKind};
use crate::phone::PhoneNumber;
use serde::Serialize;

mod columns;
mod parse;

use columns::{AGENCY_COLUMNS, DEPUTY_COLUMNS, GRID_COLUMNS, IGNORED_HEADERS, STATION_COLUMNS};
pub use columns::{Column, detect};
pub use parse::{parse, parse_grid_level};

/// A spreadsheet cell as read: its text, and whether it holds a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCell {
    pub text: String,
    pub formula: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub number: usize,
    pub cells: Vec<RawCell>,
}

/// One refusal: where and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    pub sheet: String,
    pub row: usize,
    pub column: String,
    pub reason: String,
    /// What kind of refusal, so that a single edit can answer 403 or 409 instead of 422.
    #[serde(skip)]
    pub refusal: Refusal,
}

impl CellError {
    pub fn new(sheet: &str, row: usize, column: &str, reason: String) -> Self {
        CellError { sheet: sheet.to_owned(), row, column: column.to_owned(), reason, refusal: Refusal::Invalid }
    }
}

/// Why a row was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refusal {
    /// The row itself is wrong.
    #[default]
    Invalid,
    /// The row names a region or an existing record outside the importer's scope.
    OutOfScope,
    /// The row's key names a record that lives elsewhere (another county, another township).
    Conflict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterKind {
    Stations,
    Deputies,
    Agencies,
    Grid,
}

impl RosterKind {
    pub const ALL: [RosterKind; 4] =
        [RosterKind::Stations, RosterKind::Deputies, RosterKind::Agencies, RosterKind::Grid];

    pub fn label(self) -> &'static str {
        match self {
            RosterKind::Stations => "联络站",
            RosterKind::Deputies => "代表",
            RosterKind::Agencies => "承办单位",
            RosterKind::Grid => "网格",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RosterKind::Stations => "stations",
            RosterKind::Deputies => "deputies",
            RosterKind::Agencies => "agencies",
            RosterKind::Grid => "grid",
        }
    }

    pub fn parse(raw: &str) -> Option<RosterKind> {
        RosterKind::ALL.into_iter().find(|k| k.as_str() == raw || k.label() == raw)
    }

    /// The columns of this kind, in export order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            RosterKind::Stations => STATION_COLUMNS,
            RosterKind::Deputies => DEPUTY_COLUMNS,
            RosterKind::Agencies => AGENCY_COLUMNS,
            RosterKind::Grid => GRID_COLUMNS,
        }
    }

    pub fn headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.header).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationRecord {
    pub row: usize,
    pub slug: Option<String>,
    pub region: String,
    pub name: String,
    pub kind: StationKind,
    pub sector: String,
    pub household_kind: Option<HouseholdKind>,
    pub parent: Option<String>,
    pub address: String,
    pub opening_hours: String,
    pub phone: Option<PhoneNumber>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeputyRecord {
    pub row: usize,
    pub slug: Option<String>,
    pub name: String,
    pub gender: Gender,
    pub levels: Vec<DeputyLevel>,
    pub term: String,
    pub region: String,
    pub constituency: String,
    pub occupation: String,
    pub duties: String,
    pub phone: Option<PhoneNumber>,
    /// (station name or slug, resident)
    pub stations: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRecord {
    pub row: usize,
    pub slug: Option<String>,
    pub region: String,
    pub name: String,
    pub kind: AgencyKind,
    pub phone: Option<PhoneNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridRecord {
    pub row: usize,
    pub region: String,
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent: Option<String>,
    pub deputies: Vec<String>,
    pub worker: String,
    pub worker_phone: Option<PhoneNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Records {
    Stations(Vec<StationRecord>),
    Deputies(Vec<DeputyRecord>),
    Agencies(Vec<AgencyRecord>),
    Grid(Vec<GridRecord>),
}

impl Records {
    pub fn len(&self) -> usize {
        match self {
            Records::Stations(v) => v.len(),
            Records::Deputies(v) => v.len(),
            Records::Agencies(v) => v.len(),
            Records::Grid(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
