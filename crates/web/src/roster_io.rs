//! Roster files in and out, shared by the API, the upload page and the `liaison import` command:
//! read the file defensively, parse each sheet, apply all or nothing; export what a region holds
//! in the same columns, so an export can be edited and imported again.

use liaison_domain::org::{DeputyLevel, StationKind};
use liaison_domain::phone::mask_phone;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::{self, CellError, RawCell, RawRow, RosterKind};
use liaison_sheets::{ReadError, SheetOut};
use liaison_store::roster::{Report, Sheet};
use liaison_store::{Db, StoreError, org};
use std::collections::HashMap;

#[derive(Debug)]
pub enum ImportError {
    /// The file itself was refused (size, encoding, zip bomb…).
    File(ReadError),
    /// A sheet's kind could not be told.
    UnknownSheet(String),
    Store(StoreError),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::File(e) => write!(f, "{e}"),
            ImportError::UnknownSheet(s) => write!(
                f,
                "无法判断工作表“{s}”是哪种名册；请将工作表命名为“联络站”“代表”“承办单位”或“网格”，或使用导出文件的列名"
            ),
            ImportError::Store(e) => write!(f, "{e}"),
        }
    }
}

/// Reads, parses and applies a roster file. Parse errors come back in the report, with nothing
/// written; so do resolution errors (unknown township, station, deputy; out of scope).
pub async fn import_bytes(
    db: &Db,
    county: &RegionCode,
    allowed: &[RegionCode],
    bytes: &[u8],
    who: (&str, &str),
    now_ms: i64,
    dry_run: bool,
) -> Result<Report, ImportError> {
    let tables = liaison_sheets::read(bytes).map_err(ImportError::File)?;
    let mut sheets = Vec::new();
    let mut errors: Vec<CellError> = Vec::new();
    for t in tables {
        if t.rows.is_empty() && t.headers.iter().all(|h| h.is_empty()) {
            continue;
        }
        let Some(kind) = roster::detect(&t.sheet, &t.headers) else {
            return Err(ImportError::UnknownSheet(t.sheet));
        };
        let rows: Vec<RawRow> = t
            .rows
            .into_iter()
            .map(|r| RawRow {
                number: r.number,
                cells: r.cells.into_iter().map(|c| RawCell { text: c.text, formula: c.formula }).collect(),
            })
            .collect();
        match roster::parse(kind, &t.sheet, &t.headers, &rows) {
            Ok(records) => sheets.push(Sheet { name: t.sheet, records }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Ok(Report { counts: vec![], errors, applied: false });
    }
    liaison_store::roster::apply(db, county, allowed, &sheets, who, now_ms, dry_run).await.map_err(ImportError::Store)
}

/// The error report as a workbook a clerk can open beside their file.
pub fn error_report_xlsx(errors: &[CellError]) -> Vec<u8> {
    let rows: Vec<Vec<String>> =
        errors.iter().map(|e| vec![e.sheet.clone(), e.row.to_string(), e.column.clone(), e.reason.clone()]).collect();
    liaison_sheets::write_xlsx(&[SheetOut {
        name: "导入错误",
        headers: &["工作表", "行号", "列", "原因"],
        rows: &rows,
    }])
    .unwrap_or_default()
}

/// One kind's rows under a region, in the import columns. Phones are masked unless `unmasked`.
pub async fn export_rows(
    db: &Db,
    region: &RegionCode,
    kind: RosterKind,
    unmasked: bool,
) -> Result<Vec<Vec<String>>, StoreError> {
    let phone = |p: &str| if unmasked || p.is_empty() { p.to_owned() } else { mask_phone(p) };
    let prefix = region.as_str();
    Ok(match kind {
        RosterKind::Stations => {
            let stations = org::stations_under(db, prefix, false).await?;
            let by_id: HashMap<i64, String> = stations.iter().map(|s| (s.id, s.data.name.clone())).collect();
            stations
                .iter()
                .map(|s| {
                    let d = &s.data;
                    vec![
                        d.slug.clone(),
                        d.region_code.clone(),
                        d.name.clone(),
                        StationKind::parse(&d.kind).map(|k| k.label().to_owned()).unwrap_or_default(),
                        d.sector.clone(),
                        d.household_kind
                            .as_deref()
                            .and_then(|h| liaison_domain::org::HouseholdKind::parse(h).ok())
                            .map(|h| h.label().to_owned())
                            .unwrap_or_default(),
                        d.parent_id.and_then(|p| by_id.get(&p).cloned()).unwrap_or_default(),
                        d.address.clone(),
                        d.opening_hours.clone(),
                        d.phone.clone(),
                        d.description.clone(),
                    ]
                })
                .collect()
        }
        RosterKind::Deputies => {
            let deputies = org::deputies_under(db, prefix, false).await?;
            let stations: HashMap<String, String> =
                org::stations_under(db, prefix, true).await?.into_iter().map(|s| (s.data.slug, s.data.name)).collect();
            let mut links: HashMap<String, Vec<String>> = HashMap::new();
            for (station, deputy, resident) in org::links_under(db, prefix).await? {
                let name = stations.get(&station).cloned().unwrap_or(station);
                links.entry(deputy).or_default().push(if resident { format!("{name}（驻站）") } else { name });
            }
            deputies
                .iter()
                .map(|x| {
                    let d = &x.data;
                    let levels = d
                        .levels
                        .split(',')
                        .filter_map(|l| DeputyLevel::parse(l).ok())
                        .map(|l| l.label())
                        .collect::<Vec<_>>()
                        .join("、");
                    vec![
                        d.slug.clone(),
                        d.name.clone(),
                        liaison_domain::org::Gender::parse(&d.gender).map(|g| g.label().to_owned()).unwrap_or_default(),
                        levels,
                        d.term.clone(),
                        d.region_code.clone(),
                        d.constituency.clone(),
                        d.occupation.clone(),
                        d.duties.clone(),
                        phone(&d.phone),
                        links.get(&d.slug).map(|l| l.join("、")).unwrap_or_default(),
                    ]
                })
                .collect()
        }
        RosterKind::Agencies => org::agencies_under(db, prefix, false)
            .await?
            .into_iter()
            .map(|a| {
                let kind = liaison_domain::org::AgencyKind::parse(&a.data.kind)
                    .map(|k| k.label().to_owned())
                    .unwrap_or_default();
                vec![a.data.slug, a.data.region_code, a.data.name, kind, a.data.phone]
            })
            .collect(),
        RosterKind::Grid => {
            let cells = org::cells_under(db, prefix).await?;
            let codes: HashMap<i64, String> = cells.iter().map(|c| (c.cell.id, c.cell.code.clone())).collect();
            cells
                .iter()
                .map(|c| {
                    let worker = c.workers.first().cloned().unwrap_or_default();
                    vec![
                        c.cell.region_code.clone(),
                        c.cell.code.clone(),
                        c.cell.name.clone(),
                        c.cell.level.to_string(),
                        c.cell.parent_id.and_then(|p| codes.get(&p).cloned()).unwrap_or_default(),
                        c.deputies.iter().map(|d| d.0.clone()).collect::<Vec<_>>().join("、"),
                        worker.0,
                        phone(&worker.1),
                    ]
                })
                .collect()
        }
    })
}

/// A workbook with one sheet per kind.
pub async fn export_xlsx(
    db: &Db,
    region: &RegionCode,
    kinds: &[RosterKind],
    unmasked: bool,
) -> Result<Vec<u8>, StoreError> {
    let mut data = Vec::new();
    for k in kinds {
        data.push((*k, k.headers(), export_rows(db, region, *k, unmasked).await?));
    }
    let sheets: Vec<SheetOut<'_>> =
        data.iter().map(|(k, h, rows)| SheetOut { name: k.label(), headers: h, rows }).collect();
    liaison_sheets::write_xlsx(&sheets).map_err(StoreError::Migration)
}
