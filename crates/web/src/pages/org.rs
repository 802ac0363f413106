//! Staff pages for the organisation: stations, deputies (phones masked), agencies, grid coverage,
//! and the roster upload with its row-by-row error report.

use super::{Nav, render};
use crate::api::org::{region_grants, scoped_region};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::PagePath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use liaison_app::roster as roster_io;
use liaison_domain::authz::{Action, Target};
use liaison_domain::org::{AgencyKind, DeputyLevel, StationKind};
use liaison_domain::phone::mask_phone;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::{CellError, RosterKind};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct RegionParam {
    region: Option<String>,
    saved: Option<String>,
}

/// Deactivates a station, deputy or agency from its list.
pub async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((tab, slug)): PagePath<(String, String)>,
    Query(q): Query<RegionParam>,
) -> Result<Response, PageError> {
    let what = match tab.as_str() {
        "stations" => liaison_app::org::Keyed::Station,
        "deputies" => liaison_app::org::Keyed::Deputy,
        "agencies" => liaison_app::org::Keyed::Agency,
        _ => return Err(PageError(ApiError::not_found())),
    };
    liaison_app::org::deactivate(&state.app, &caller.principal, what, &slug).await?;
    let back = if tab == "stations" { "/org".to_owned() } else { format!("/org/{tab}") };
    let region = q.region.unwrap_or_default();
    Ok(axum::response::Redirect::to(&format!("{back}?region={region}&saved=1")).into_response())
}

/// Saves one station, deputy or agency from the edit form, with the API's validation.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(tab): PagePath<String>,
    Query(q): Query<RegionParam>,
    crate::extract::PageForm(form): crate::extract::PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let kind = match tab.as_str() {
        "stations" => RosterKind::Stations,
        "deputies" => RosterKind::Deputies,
        "agencies" => RosterKind::Agencies,
        _ => return Err(PageError(ApiError::not_found())),
    };
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    let fields: Vec<(String, String)> =
        form.into_iter().filter(|(k, v)| k != crate::auth::CSRF_FIELD && !v.trim().is_empty()).collect();
    let back = if tab == "stations" { "/org".to_owned() } else { format!("/org/{tab}") };
    match liaison_app::org::save(&state.app, &caller.principal, kind, &fields).await.map_err(ApiError::from) {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("{back}?region={region}&saved=1")).into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let l = listing(&state, &tab, &region).await?;
            let mut res = render_listing(&caller, &region, l, Some(FormError::Save(e.message)), false)?.into_response();
            *res.status_mut() = match status {
                StatusCode::FORBIDDEN | StatusCode::CONFLICT => status,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok(res)
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    slug: String,
    region: String,
}

/// Moves a station or deputy to another township or village of the county (county level only).
pub async fn move_to(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(tab): PagePath<String>,
    Query(q): Query<RegionParam>,
    crate::extract::PageForm(form): crate::extract::PageForm<MoveForm>,
) -> Result<Response, PageError> {
    let what = match tab.as_str() {
        "stations" => liaison_app::org::Keyed::Station,
        "deputies" => liaison_app::org::Keyed::Deputy,
        _ => return Err(PageError(ApiError::not_found())),
    };
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    let back = if tab == "stations" { "/org".to_owned() } else { format!("/org/{tab}") };
    match liaison_app::org::move_to(&state.app, &caller.principal, what, form.slug.trim(), form.region.trim())
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("{back}?region={region}&saved=1")).into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let l = listing(&state, &tab, &region).await?;
            let message = if status == StatusCode::NOT_FOUND {
                format!("找不到标识为“{}”的记录", form.slug.trim())
            } else {
                e.message
            };
            let mut res = render_listing(&caller, &region, l, Some(FormError::Move(message)), false)?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(PageError(e)),
    }
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
    /// May move a record between townships of the county.
    can_move: bool,
    move_error: Option<String>,
    /// (key, header, hint) of the edit form's fields; empty when the caller may not edit.
    fields: Vec<(&'static str, &'static str, String)>,
    error: Option<String>,
    saved: bool,
}

/// What a list page shows, before the caller-dependent parts.
struct Listing {
    tab: &'static str,
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    note: String,
}

/// The edit form's fields for a tab: the roster columns, with the accepted values as hints.
fn form_fields(tab: &str) -> Vec<(&'static str, &'static str, String)> {
    let kind = match tab {
        "stations" => RosterKind::Stations,
        "deputies" => RosterKind::Deputies,
        "agencies" => RosterKind::Agencies,
        _ => return vec![],
    };
    kind.columns()
        .iter()
        .map(|c| {
            let hint = match (tab, c.key) {
                (_, "slug") => "留空则按名称自动生成；填写已有标识即为修改".to_owned(),
                (_, "region") => "区划代码或名称，如 611026001 或 乾佑街道".to_owned(),
                ("stations", "kind") => StationKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>().join(" / "),
                ("stations", "household_kind") => "联络中心户 / 行业中心户 / 产业中心户".to_owned(),
                ("stations", "parent") => "上级站点的名称或标识".to_owned(),
                ("deputies", "levels") => "如 县级、乡镇级".to_owned(),
                ("deputies", "gender") => "男 / 女".to_owned(),
                ("deputies", "stations") => "站点名称，以顿号分隔；驻站者加（驻站）".to_owned(),
                ("agencies", "kind") => AgencyKind::ALL.iter().map(|k| k.label()).collect::<Vec<_>>().join(" / "),
                _ => String::new(),
            };
            (c.key, c.header, hint)
        })
        .collect()
}

/// A refusal, shown beside the form that caused it.
enum FormError {
    Save(String),
    Move(String),
}

fn render_listing(
    caller: &Caller,
    region: &RegionCode,
    l: Listing,
    error: Option<FormError>,
    saved: bool,
) -> Result<Html<String>, PageError> {
    let (error, move_error) = match error {
        Some(FormError::Save(e)) => (Some(e), None),
        Some(FormError::Move(e)) => (None, Some(e)),
        None => (None, None),
    };
    let can_write = caller.check(Action::OrgWrite, Target::Region(region)).is_ok();
    let fields = if can_write { form_fields(l.tab) } else { vec![] };
    // Moving between townships is the county's: offered to those who may write the whole county.
    let can_move = matches!(l.tab, "stations" | "deputies")
        && region.county().is_some_and(|c| caller.check(Action::OrgWrite, Target::Region(&c)).is_ok());
    render(&OrgPage {
        can_move,
        move_error,
        nav: Nav::for_caller(caller),
        region: region.to_string(),
        tab: l.tab,
        title: l.title,
        headers: l.headers,
        rows: l.rows,
        note: l.note,
        can_write,
        fields,
        error,
        saved,
    })
}

async fn stations_listing(state: &AppState, region: &RegionCode) -> Result<Listing, PageError> {
    let rows = liaison_app::directory::stations_under(&state.app, region.as_str(), false)
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
    Ok(Listing {
        tab: "stations",
        title: "联络站",
        headers: vec!["名称", "类型", "区划", "开放时间", "标识"],
        rows,
        note,
    })
}

async fn deputies_listing(state: &AppState, region: &RegionCode) -> Result<Listing, PageError> {
    let rows = liaison_app::directory::deputies_under(&state.app, region.as_str(), false)
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
    Ok(Listing {
        tab: "deputies",
        title: "代表",
        headers: vec!["姓名", "层级", "选区", "联系电话", "标识"],
        rows,
        note,
    })
}

async fn agencies_listing(state: &AppState, region: &RegionCode) -> Result<Listing, PageError> {
    let rows = liaison_app::directory::agencies_under(&state.app, region.as_str(), false)
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
    Ok(Listing {
        tab: "agencies",
        title: "承办单位",
        headers: vec!["名称", "类型", "区划", "电话", "标识"],
        rows,
        note,
    })
}

async fn listing(state: &AppState, tab: &str, region: &RegionCode) -> Result<Listing, PageError> {
    match tab {
        "deputies" => deputies_listing(state, region).await,
        "agencies" => agencies_listing(state, region).await,
        _ => stations_listing(state, region).await,
    }
}

async fn list_page(state: AppState, caller: Caller, q: RegionParam, tab: &str) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let l = listing(&state, tab, &region).await?;
    render_listing(&caller, &region, l, None, q.saved.is_some())
}

pub async fn stations(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    list_page(state, caller, q, "stations").await
}

pub async fn deputies(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    list_page(state, caller, q, "deputies").await
}

pub async fn agencies(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    list_page(state, caller, q, "agencies").await
}

pub async fn grid(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let region = scoped_region(&caller, Action::OrgRead, q.region.as_deref())?;
    let cells = liaison_app::directory::cells_under(&state.app, region.as_str()).await?;
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
    let l =
        Listing {
            tab: "grid", title: "网格", headers: vec!["编号", "名称", "层级", "包联代表", "网格员"], rows, note
        };
    render_listing(&caller, &region, l, None, false)
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
