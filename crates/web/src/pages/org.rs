//! Staff pages for the organisation: stations, deputies (phones masked), agencies, grid coverage,
//! and the roster upload with its row-by-row error report.

use super::{Nav, render};
use crate::api::org::{region_grants, scoped_region};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::roster_io;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use liaison_domain::authz::Action;
use liaison_domain::org::{AgencyKind, DeputyLevel, StationKind};
use liaison_domain::phone::mask_phone;
use liaison_domain::roster::{CellError, RosterKind};
use liaison_store::org;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct RegionParam {
    region: Option<String>,
}

pub struct Row {
    pub cells: Vec<String>,
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    nav: Nav,
    region: String,
    tab: &'static str,
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    note: String,
    can_write: bool,
}

fn page(
    caller: &Caller,
    region: &liaison_domain::region::RegionCode,
    tab: &'static str,
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    note: String,
) -> Result<Html<String>, PageError> {
    let can_write = caller.check(Action::OrgWrite, liaison_domain::authz::Target::Region(region)).is_ok();
    render(&OrgPage {
        nav: Nav::for_caller(caller),
        region: region.to_string(),
        tab,
        title,
        headers,
        rows,
        note,
        can_write,
    })
}

pub async fn stations(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let rows = org::stations_under(&state.db, region.as_str(), false)
        .await?
        .into_iter()
        .map(|s| Row {
            link: Some(format!("/station/{}", s.data.slug)),
            cells: vec![
                s.data.name,
                StationKind::parse(&s.data.kind).map(|k| k.label()).unwrap_or("").into(),
                s.data.region_code,
                s.data.opening_hours,
                s.data.slug,
            ],
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 个站点", rows.len());
    page(&caller, &region, "stations", "联络站", vec!["名称", "类型", "区划", "开放时间", "标识"], rows, note)
}

pub async fn deputies(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let rows = org::deputies_under(&state.db, region.as_str(), false)
        .await?
        .into_iter()
        .map(|d| {
            let levels = d
                .data
                .levels
                .split(',')
                .filter_map(|l| DeputyLevel::parse(l).ok())
                .map(|l| l.label())
                .collect::<Vec<_>>()
                .join("、");
            Row {
                link: Some(format!("/deputy/{}", d.data.slug)),
                cells: vec![
                    d.data.name,
                    levels,
                    d.data.constituency,
                    if d.data.phone.is_empty() { String::new() } else { mask_phone(&d.data.phone) },
                    d.data.slug,
                ],
            }
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 名代表；联系电话已遮蔽，需要时经授权查看并留痕", rows.len());
    page(&caller, &region, "deputies", "代表", vec!["姓名", "层级", "选区", "联系电话", "标识"], rows, note)
}

pub async fn agencies(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let rows = org::agencies_under(&state.db, region.as_str(), false)
        .await?
        .into_iter()
        .map(|a| Row {
            link: None,
            cells: vec![
                a.data.name,
                AgencyKind::parse(&a.data.kind).map(|k| k.label()).unwrap_or("").into(),
                a.data.region_code,
                a.data.phone,
                a.data.slug,
            ],
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 个承办单位", rows.len());
    page(&caller, &region, "agencies", "承办单位", vec!["名称", "类型", "区划", "电话", "标识"], rows, note)
}

pub async fn grid(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let cells = org::cells_under(&state.db, region.as_str()).await?;
    let uncovered = cells.iter().filter(|c| c.deputies.is_empty()).count();
    let rows = cells
        .into_iter()
        .map(|c| Row {
            link: None,
            cells: vec![
                c.cell.code,
                c.cell.name,
                format!("{} 级", c.cell.level),
                if c.deputies.is_empty() {
                    "⚠ 无包联代表".into()
                } else {
                    c.deputies.iter().map(|d| d.1.clone()).collect::<Vec<_>>().join("、")
                },
                c.workers.iter().map(|w| w.0.clone()).collect::<Vec<_>>().join("、"),
            ],
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 个网格，其中 {uncovered} 个尚无包联代表", rows.len());
    page(&caller, &region, "grid", "网格", vec!["编号", "名称", "层级", "包联代表", "网格员"], rows, note)
}

#[derive(Template)]
#[template(path = "org_import.html")]
struct ImportPage {
    nav: Nav,
    region: String,
    message: Option<String>,
    counts: Vec<(String, usize, usize, usize)>,
    errors: Vec<CellError>,
    report_href: String,
    kinds: Vec<(&'static str, &'static str, String)>,
}

fn import_page(
    caller: &Caller,
    region: &str,
    message: Option<String>,
    counts: Vec<(String, usize, usize, usize)>,
    errors: Vec<CellError>,
) -> Result<Html<String>, PageError> {
    let report_href = if errors.is_empty() {
        String::new()
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(roster_io::error_report_xlsx(&errors));
        format!("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{b64}")
    };
    let kinds = RosterKind::ALL.iter().map(|k| (k.as_str(), k.label(), k.headers().join("、"))).collect();
    render(&ImportPage {
        nav: Nav::for_caller(caller),
        region: region.to_owned(),
        message,
        counts,
        errors,
        report_href,
        kinds,
    })
}

pub async fn import_form(caller: Caller, Query(q): Query<RegionParam>) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    import_page(&caller, region.as_str(), None, vec![], vec![])
}

pub async fn import_upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    let county = region.county().unwrap_or_else(|| region.clone());
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择文件"))?
    {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("文件过大（不能超过 {} MB）", liaison_sheets::MAX_FILE_BYTES / 1024 / 1024),
                )
            })?;
            file = Some(bytes);
        }
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let html = import_page(&caller, region.as_str(), Some("请选择要导入的文件".into()), vec![], vec![])?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    };
    let allowed = region_grants(&caller, Action::OrgWrite);
    let result = roster_io::import_bytes(
        &state.db,
        &county,
        &allowed,
        &bytes,
        (&caller.actor(), "roster.import"),
        state.now_ms(),
        false,
    )
    .await;
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
        Err(roster_io::ImportError::Store(e)) => Err(e.into()),
        Err(e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            import_page(&caller, region.as_str(), Some(e.to_string()), vec![], vec![])?,
        )
            .into_response()),
    }
}
