//! Roster files in and out, shared by the API, the upload page and the `liaison import` command:
//! read the file defensively, parse each sheet, apply all or nothing (`import`); export what a
//! region holds in the same columns (`export`).

mod export;
mod import;

pub use export::{export_rows, export_xlsx};
pub use import::{ImportError, error_report_xlsx, import_bytes};

pub use liaison_store::roster::Report;

use crate::{App, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::RosterKind;

/// Imports a roster file into `county` for an importer who may write `allowed`; `who` is
/// (actor, audit action).
pub async fn import(
    app: &App,
    county: &RegionCode,
    allowed: &[RegionCode],
    bytes: &[u8],
    who: (&str, &str),
    dry_run: bool,
) -> std::result::Result<Report, ImportError> {
    import_bytes(&app.db, county, allowed, bytes, who, app.now_ms(), dry_run).await
}

/// The roster of `region` as CSV (one kind) or .xlsx (every kind asked), audited: an export
/// with full phone numbers is a disclosure of personal data.
pub async fn export(
    app: &App,
    actor: &str,
    region: &RegionCode,
    kinds: &[RosterKind],
    unmasked: bool,
    csv: bool,
) -> Result<Vec<u8>> {
    let bytes = if csv {
        let rows = export_rows(&app.db, region, kinds[0], unmasked).await?;
        liaison_sheets::write_csv(&kinds[0].headers(), &rows)
    } else {
        export_xlsx(&app.db, region, kinds, unmasked).await?
    };
    let ev = AuditEvent {
        county_code: region.county_key(),
        actor: actor.to_owned(),
        action: "roster.export".into(),
        target: format!("region:{region}"),
        summary: format!(
            "导出名册（{}）{}",
            kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、"),
            if unmasked { "，含完整联系电话" } else { "，联系电话已遮蔽" }
        ),
    };
    liaison_store::audit::record(&app.db, &ev, app.now_ms()).await?;
    Ok(bytes)
}
