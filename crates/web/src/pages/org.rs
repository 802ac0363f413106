//! Staff pages for the organisation: stations, deputies (phones masked), agencies and grid
//! coverage of a region chosen by name, with links to edit a record, its QR codes, deactivation,
//! and moving a record between townships. Edit forms are in `org_edit`, the roster upload in
//! `org_import`.

use super::{Nav, render};
use crate::api::org::{region_grants, scoped_region};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::PagePath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::choices::{Choice, Choices};
use liaison_domain::authz::{Action, Target};
use liaison_domain::org::{AgencyKind, DeputyLevel, StationKind};
use liaison_domain::phone::mask_phone;
use liaison_domain::region::RegionCode;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct RegionParam {
    pub(crate) region: Option<String>,
    saved: Option<String>,
}

/// Where a tab's list lives.
pub(crate) fn list_href(tab: &str, region: &str) -> String {
    let base = if tab == "stations" { "/org".to_owned() } else { format!("/org/{tab}") };
    format!("{base}?region={region}")
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
    let region = q.region.unwrap_or_default();
    Ok(Redirect::to(&format!("{}&saved=1", list_href(&tab, &region))).into_response())
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
    match liaison_app::org::move_to(&state.app, &caller.principal, what, form.slug.trim(), form.region.trim())
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!("{}&saved=1", list_href(&tab, region.as_str()))).into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let message = if status == StatusCode::NOT_FOUND {
                "找不到所选的记录，请重新选择".to_owned()
            } else {
                e.message
            };
            let l = listing(&state, &tab, &region).await?;
            let typed = (form.slug.trim().to_owned(), form.region.trim().to_owned());
            let mut res =
                render_listing(&state, &caller, &region, l, Some((message, typed)), false).await?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(PageError(e)),
    }
}

pub struct Row {
    pub cells: Vec<String>,
    /// The public page the first cell links to.
    pub link: Option<String>,
    /// The record's slug, for the edit and deactivate links; none for grid cells.
    pub slug: Option<String>,
    /// (href, label, download) of the record's QR codes.
    pub codes: Option<(String, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    nav: Nav,
    region: String,
    region_label: String,
    /// Regions the caller may list, for the region picker.
    regions: Vec<Choice>,
    tab: &'static str,
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    note: String,
    can_write: bool,
    /// May move a record between townships of the county.
    can_move: bool,
    /// Where a record may be moved to: the county's townships and villages.
    move_regions: Vec<Choice>,
    move_error: Option<String>,
    /// What the move form held when it was refused: (slug, region).
    move_typed: (String, String),
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

async fn render_listing(
    state: &AppState,
    caller: &Caller,
    region: &RegionCode,
    mut l: Listing,
    move_error: Option<(String, (String, String))>,
    saved: bool,
) -> Result<Html<String>, PageError> {
    let can_write = caller.check(Action::OrgWrite, Target::Region(region)).is_ok();
    if !can_write {
        l.rows.iter_mut().for_each(|r| r.slug = None);
    }
    // Moving between townships is the county's: offered to those who may write the whole county.
    let county = region.county();
    let can_move = matches!(l.tab, "stations" | "deputies")
        && county.as_ref().is_some_and(|c| caller.check(Action::OrgWrite, Target::Region(c)).is_ok());
    let names = liaison_app::choices::regions(&state.app, &region_grants(caller, Action::OrgRead), false).await?;
    let move_regions = match (&county, can_move) {
        (Some(c), true) => liaison_app::choices::regions(&state.app, std::slice::from_ref(c), true)
            .await?
            .regions
            .into_iter()
            .filter(|r| r.value.len() > 6)
            .map(|r| Choice { label: with_township(&r), ..r })
            .collect(),
        _ => vec![],
    };
    let (move_error, move_typed) = match move_error {
        Some((e, typed)) => (Some(e), typed),
        None => (None, Default::default()),
    };
    render(&OrgPage {
        can_move,
        move_regions,
        move_error,
        move_typed,
        nav: Nav::for_caller(caller),
        region: region.to_string(),
        region_label: names.region_label(region.as_str()),
        regions: names.regions,
        tab: l.tab,
        title: l.title,
        headers: l.headers,
        rows: l.rows,
        note: l.note,
        can_write,
        saved,
    })
}

/// A village's name with its township's, so that two 新华村 can be told apart.
fn with_township(r: &Choice) -> String {
    if r.value.len() > 9 && !r.hint.is_empty() { format!("{} · {}", r.hint, r.label) } else { r.label.clone() }
}

async fn names(state: &AppState, region: &RegionCode) -> Result<Choices, PageError> {
    Ok(liaison_app::choices::regions(&state.app, std::slice::from_ref(region), true).await?)
}

async fn stations_listing(state: &AppState, region: &RegionCode) -> Result<Listing, PageError> {
    let names = names(state, region).await?;
    let rows = liaison_app::directory::stations_under(&state.app, region.as_str(), false)
        .await?
        .into_iter()
        .map(|s| Row {
            link: Some(format!("/station/{}", s.data.slug)),
            codes: Some((format!("/station/{}/codes", s.data.slug), "二维码", false)),
            cells: vec![
                s.data.name,
                StationKind::parse(&s.data.kind).map(|k| k.label()).unwrap_or("").into(),
                names.region_label(&s.data.region_code),
                s.data.opening_hours,
            ],
            slug: Some(s.data.slug),
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 个站点", rows.len());
    Ok(Listing {
        tab: "stations", title: "联络站", headers: vec!["名称", "类型", "所在区划", "开放时间"], rows, note
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
                codes: Some((format!("/qr/deputy/{}.png?download=1", d.data.slug), "下载二维码", true)),
                cells: vec![
                    d.data.name,
                    levels,
                    d.data.constituency,
                    if d.data.phone.is_empty() { String::new() } else { mask_phone(&d.data.phone) },
                ],
                slug: Some(d.data.slug),
            }
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 名代表；联系电话已遮蔽，需要时经授权查看并留痕", rows.len());
    Ok(Listing {
        tab: "deputies", title: "代表", headers: vec!["姓名", "层级", "选区", "联系电话"], rows, note
    })
}

async fn agencies_listing(state: &AppState, region: &RegionCode) -> Result<Listing, PageError> {
    let names = names(state, region).await?;
    let rows = liaison_app::directory::agencies_under(&state.app, region.as_str(), false)
        .await?
        .into_iter()
        .map(|a| Row {
            link: None,
            codes: None,
            cells: vec![
                a.data.name,
                AgencyKind::parse(&a.data.kind).map(|k| k.label()).unwrap_or("").into(),
                names.region_label(&a.data.region_code),
                a.data.phone,
            ],
            slug: Some(a.data.slug),
        })
        .collect::<Vec<_>>();
    let note = format!("共 {} 个承办单位", rows.len());
    Ok(Listing {
        tab: "agencies", title: "承办单位", headers: vec!["名称", "类型", "所在区划", "电话"], rows, note
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
    render_listing(&state, &caller, &region, l, None, q.saved.is_some()).await
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
            slug: None,
            codes: None,
            cells: vec![
                c.cell.name,
                c.cell.code,
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
            tab: "grid", title: "网格", headers: vec!["名称", "编号", "层级", "包联代表", "网格员"], rows, note
        };
    render_listing(&state, &caller, &region, l, None, false).await
}
