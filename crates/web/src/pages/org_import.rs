//! The roster upload with its row-by-row error report, and that report as an Excel file. The
//! page keeps nothing on the server: the report's rows travel back with the download form.

use super::org::RegionParam;
use super::{Nav, render};
use crate::api::org::{region_grants, scoped_region};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use liaison_app::roster as roster_io;
use liaison_domain::authz::Action;
use liaison_domain::roster::{CellError, RosterKind};

#[derive(Template)]
#[template(path = "org_import.html")]
struct ImportPage {
    nav: Nav,
    region: String,
    message: Option<String>,
    counts: Vec<(String, usize, usize, usize)>,
    errors: Vec<CellError>,
    /// The errors as JSON, sent back by the download form.
    report: String,
    kinds: Vec<(&'static str, &'static str, String)>,
}

fn import_page(
    caller: &Caller,
    region: &str,
    message: Option<String>,
    counts: Vec<(String, usize, usize, usize)>,
    errors: Vec<CellError>,
) -> Result<Html<String>, PageError> {
    let rows: Vec<(&str, usize, &str, &str)> =
        errors.iter().map(|e| (e.sheet.as_str(), e.row, e.column.as_str(), e.reason.as_str())).collect();
    let report = if errors.is_empty() { String::new() } else { serde_json::to_string(&rows).unwrap_or_default() };
    let kinds = RosterKind::ALL.iter().map(|k| (k.as_str(), k.label(), k.headers().join("、"))).collect();
    render(&ImportPage {
        nav: Nav::for_caller(caller),
        region: region.to_owned(),
        message,
        counts,
        errors,
        report,
        kinds,
    })
}

pub async fn import_form(caller: Caller, Query(q): Query<RegionParam>) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    import_page(&caller, region.as_str(), None, vec![], vec![])
}

/// Reads the named fields of a multipart form (the file's bytes under `file`).
async fn fields(mut form: Multipart, names: &[&str]) -> Result<Vec<(String, axum::body::Bytes)>, ApiError> {
    let mut out = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择文件"))?
    {
        let Some(name) = field.name().map(str::to_owned).filter(|n| names.contains(&n.as_str())) else { continue };
        let bytes = field.bytes().await.map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("文件过大（不能超过 {} MB）", liaison_sheets::MAX_FILE_BYTES / 1024 / 1024),
            )
        })?;
        out.push((name, bytes));
    }
    Ok(out)
}

pub async fn import_upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
    form: Multipart,
) -> Result<Response, PageError> {
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    let county = region.county().unwrap_or_else(|| region.clone());
    let file = fields(form, &["file"]).await?.into_iter().next().map(|(_, b)| b);
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let html = import_page(&caller, region.as_str(), Some("请选择要导入的文件".into()), vec![], vec![])?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    };
    let allowed = region_grants(&caller, Action::OrgWrite);
    let result =
        roster_io::import(&state.app, &county, &allowed, &bytes, (&caller.actor(), "roster.import"), false).await;
    match result {
        Ok(report) if report.errors.is_empty() => {
            let counts =
                report.counts.iter().map(|(k, c)| (k.label().to_owned(), c.created, c.updated, c.unchanged)).collect();
            let msg = if report.changed() {
                "导入成功"
            } else {
                "导入完成：文件与现有数据一致，没有任何改动"
            };
            Ok(import_page(&caller, region.as_str(), Some(msg.into()), counts, vec![])?.into_response())
        }
        Ok(report) => {
            let msg = format!("发现 {} 处错误，未导入任何数据。请按下表修改后重新导入。", report.errors.len());
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                import_page(&caller, region.as_str(), Some(msg), vec![], report.errors)?,
            )
                .into_response())
        }
        Err(roster_io::ImportError::Store(e)) => Err(liaison_app::Error::from(e).into()),
        Err(e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            import_page(&caller, region.as_str(), Some(e.to_string()), vec![], vec![])?,
        )
            .into_response()),
    }
}

/// The error report of an import as an Excel file named 导入错误报告.xlsx, built from the rows the
/// page sent back (they came from the caller's own upload; the writer neutralises formulas).
pub async fn error_report(form: Multipart) -> Result<Response, PageError> {
    let raw = fields(form, &["report"]).await?.into_iter().next().map(|(_, b)| b).unwrap_or_default();
    let rows: Vec<(String, usize, String, String)> = serde_json::from_slice(&raw)
        .map_err(|_| ApiError::bad_request("invalid_report", "错误报告的内容不完整，请重新导入后再下载"))?;
    let errors: Vec<CellError> =
        rows.into_iter().map(|(sheet, row, column, reason)| CellError::new(&sheet, row, &column, reason)).collect();
    let bytes = roster_io::error_report_xlsx(&errors);
    let mut res =
        ([(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")], bytes)
            .into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        crate::download::disposition(true, "import-errors.xlsx", "导入错误报告.xlsx"),
    );
    Ok(res)
}
