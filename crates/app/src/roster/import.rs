//! Reading a roster file defensively, parsing each sheet and applying all or nothing; the
//! row-by-row error report as a workbook.

use liaison_domain::region::RegionCode;
use liaison_domain::roster::{self, CellError, RawCell, RawRow};
use liaison_sheets::{ReadError, SheetOut};
use liaison_store::roster::{Report, Sheet};
use liaison_store::{Db, StoreError};

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
