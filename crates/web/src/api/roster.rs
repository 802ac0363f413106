//! Roster import and export over the API.

use super::org::{region_grants, scoped_region};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use liaison_app::roster::{self as roster_io, ImportError};
use liaison_domain::authz::{Action, Target};
use liaison_domain::roster::{CellError, RosterKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// The county the roster belongs to; defaults to the caller's.
    pub county: Option<String>,
    /// Validate and count only; write nothing.
    pub dry_run: Option<bool>,
    /// `xlsx` to receive the error report as a workbook instead of JSON.
    pub report: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct KindCounts {
    pub kind: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ImportBody {
    /// True when the rows were written (false for a dry run or when any row failed).
    pub applied: bool,
    pub counts: Vec<KindCounts>,
    pub errors: Vec<ImportErrorBody>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportErrorBody {
    pub sheet: String,
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl From<CellError> for ImportErrorBody {
    fn from(e: CellError) -> Self {
        ImportErrorBody { sheet: e.sheet, row: e.row, column: e.column, reason: e.reason }
    }
}

/// Import a roster: the request body is the .xlsx or .csv file (UTF-8 or GBK). Every row is
/// validated first; either all rows are applied or none, and the answer lists every bad cell.
#[utoipa::path(post, path = "/api/v1/roster/import", tag = "organisation", params(ImportQuery), security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportBody, description = "applied, or a dry run"),
        (status = 422, body = ImportBody, description = "rows refused; nothing written"),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let county = scoped_region(&caller, Action::OrgWrite, q.county.as_deref())?;
    let county = county.county().unwrap_or(county);
    let allowed = region_grants(&caller, Action::OrgWrite);
    let dry = q.dry_run.unwrap_or(false);
    let report = match roster_io::import(&state.app, &county, &allowed, &body, (&caller.actor(), "roster.import"), dry)
        .await
    {
        Ok(r) => r,
        Err(ImportError::Store(e)) => return Err(liaison_app::Error::from(e).into()),
        // A refused file answers like refused rows: one error, nothing applied.
        Err(e) => {
            roster_io::Report { counts: vec![], errors: vec![CellError::new("", 0, "", e.to_string())], applied: false }
        }
    };
    let failed = !report.errors.is_empty();
    if failed && q.report.as_deref() == Some("xlsx") {
        let bytes = roster_io::error_report_xlsx(&report.errors);
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"import-errors.xlsx\""),
            ],
            bytes,
        )
            .into_response());
    }
    let body = ImportBody {
        applied: report.applied,
        counts: report
            .counts
            .iter()
            .map(|(k, c)| KindCounts {
                kind: k.as_str().into(),
                created: c.created,
                updated: c.updated,
                unchanged: c.unchanged,
            })
            .collect(),
        errors: report.errors.into_iter().map(ImportErrorBody::from).collect(),
    };
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Json(body)).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    pub region: Option<String>,
    /// stations, deputies, agencies, grid; omitted, all four (xlsx only).
    pub kind: Option<String>,
    /// xlsx (default) or csv.
    pub format: Option<String>,
}

/// Export rosters in the import columns. Personal phones are unmasked only for roles that may see
/// them; every export is audited.
#[utoipa::path(get, path = "/api/v1/roster/export", tag = "organisation", params(ExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "the file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let kinds: Vec<RosterKind> = match q.kind.as_deref() {
        None | Some("") | Some("all") => RosterKind::ALL.to_vec(),
        Some(k) => vec![RosterKind::parse(k).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_kind",
                "名册类型应为 stations、deputies、agencies 或 grid",
            )
            .with_field("kind")
        })?],
    };
    let unmasked = caller.check(Action::PersonalDataRead, Target::Region(&region)).is_ok();
    let csv = match q.format.as_deref() {
        None | Some("") | Some("xlsx") => false,
        Some("csv") if kinds.len() == 1 => true,
        Some("csv") => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_format",
                "CSV 一次只能导出一种名册，请指定 kind",
            )
            .with_field("format"));
        }
        Some(_) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_format", "格式应为 xlsx 或 csv")
                .with_field("format"));
        }
    };
    let bytes = roster_io::export(&state.app, &caller.actor(), &region, &kinds, unmasked, csv).await?;
    let (mime, ext) = if csv {
        ("text/csv; charset=utf-8", "csv")
    } else {
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    };
    let filename = format!("attachment; filename=\"roster-{region}.{ext}\"");
    Ok(([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, filename)], bytes).into_response())
}
