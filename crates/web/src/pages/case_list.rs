//! The page of case lists: quick views by step, a filter bar of names (never slugs), the total,
//! pages that keep the filters, rows as a table on a desk and as cards on a phone, and the
//! export of the same list as Excel. Refused parameters are shown beside their fields with what
//! was typed kept, and nothing is listed.

use super::{Nav, beijing, render};
use crate::api::case_list::{inbox, notice, parse_list, xlsx_response};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use liaison_app::cases::{self as casework, CaseRow, Names};
use liaison_domain::authz::{self, Action};
use liaison_domain::case::{CaseStatus, Channel, Level};
use liaison_domain::case_list::{ListQuery, MAX_ROWS, PER_PAGE_DEFAULT, RawListQuery, Sort};

/// One row of a list as the page shows it.
pub struct CaseLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: String,
    pub channel: String,
    pub township: String,
    pub station: String,
    pub agency: String,
    /// The deadline, or the first-reply date before there is one.
    pub due: String,
    pub due_label: &'static str,
    pub overdue: bool,
    pub received: String,
}

pub fn line(c: &CaseRow, names: &Names) -> CaseLine {
    let (due, due_label) = match (&c.deadline_on, &c.first_reply_due) {
        (Some(d), _) => (d.clone(), "办理期限"),
        (None, Some(d)) if c.first_replied_at.is_none() => (d.clone(), "首次答复"),
        _ => (String::new(), "办理期限"),
    };
    CaseLine {
        id: c.id,
        code: casework::display_code(c.tracking_code.as_deref()),
        title: c.title.clone(),
        status: CaseStatus::parse(&c.status).map(|s| s.label()).unwrap_or("").into(),
        channel: Channel::parse(&c.channel).map(|s| s.label()).unwrap_or("").into(),
        township: names.township(&c.region_code),
        station: names.station(c.station_ref.as_deref()),
        agency: names.agency(c.agency_ref.as_deref()),
        due,
        due_label,
        overdue: c.overdue,
        received: beijing(c.created_at).get(..16).unwrap_or_default().to_owned(),
    }
}

/// A choice of a select or a checkbox.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub on: bool,
}

fn opts(list: impl IntoIterator<Item = (String, String)>, chosen: &str) -> Vec<Opt> {
    list.into_iter().map(|(value, label)| Opt { on: value == chosen, value, label }).collect()
}

/// A link of the pager; no `href` for the current page or a gap.
pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    nav: Nav,
    can_write: bool,
    error: Option<String>,
    /// (field, message) of each refused parameter.
    field_errors: Vec<(String, String)>,
    raw: RawListQuery,
    presets: Vec<(String, &'static str, bool)>,
    statuses: Vec<Opt>,
    townships: Vec<Opt>,
    stations: Vec<Opt>,
    agencies: Vec<Opt>,
    deputies: Vec<Opt>,
    channels: Vec<Opt>,
    categories: Vec<Opt>,
    levels: Vec<Opt>,
    sorts: Vec<Opt>,
    per_pages: Vec<Opt>,
    /// What narrows the list now, in words.
    chips: Vec<String>,
    listed: bool,
    rows: Vec<CaseLine>,
    total: i64,
    page: u32,
    pages: u32,
    pager: Vec<PageLink>,
    deep: bool,
    export_href: String,
    export_truncated: bool,
    notice: Option<String>,
}

impl ListPage {
    fn err(&self, field: &str) -> String {
        self.field_errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()).unwrap_or_default()
    }
}

/// The quick views: a label and the query behind it.
const PRESETS: &[(&str, &str)] = &[
    ("待研判", "status=received,reopened"),
    ("待交办", "status=triaged"),
    ("办理中", "status=assigned"),
    ("待答复", "status=handled"),
    ("即将到期", "due_soon=1"),
    ("已逾期", "overdue=1"),
    ("全部", ""),
];

/// The list query of the query string; a parameter given several times (the status boxes) is
/// joined with commas. The former `tab` links still open their view.
pub fn raw_from_pairs(pairs: &[(String, String)]) -> RawListQuery {
    let mut r = RawListQuery::default();
    let mut tab = None;
    for (k, v) in pairs {
        let slot = match k.as_str() {
            "status" => &mut r.status,
            "township" => &mut r.township,
            "station" => &mut r.station,
            "agency" => &mut r.agency,
            "deputy" => &mut r.deputy,
            "channel" => &mut r.channel,
            "category" => &mut r.category,
            "level" => &mut r.level,
            "from" => &mut r.from,
            "to" => &mut r.to,
            "overdue" => &mut r.overdue,
            "due_soon" => &mut r.due_soon,
            "q" => &mut r.q,
            "sort" => &mut r.sort,
            "page" => &mut r.page,
            "per_page" | "limit" => &mut r.per_page,
            "tab" => {
                tab = Some(v.clone());
                continue;
            }
            _ => continue,
        };
        match slot {
            Some(prev) if k == "status" && !v.trim().is_empty() => *prev = format!("{prev},{v}"),
            Some(_) => {}
            None => *slot = Some(v.clone()),
        }
    }
    match tab.as_deref() {
        Some("todo") if r.status.is_none() => r.status = Some("received,reopened".into()),
        Some(s @ ("triaged" | "assigned" | "handled")) if r.status.is_none() => r.status = Some(s.into()),
        Some("due") => r.due_soon = Some("1".into()),
        Some("overdue") => r.overdue = Some("1".into()),
        _ => {}
    }
    r
}

fn query_string(params: &[(&'static str, String)]) -> String {
    serde_urlencoded::to_string(params).unwrap_or_default()
}

/// `/cases?…` for the query with another page.
fn href(q: &ListQuery, page: u32) -> String {
    let mut p = q.params();
    if page > 1 {
        p.push(("page", page.to_string()));
    }
    let s = query_string(&p);
    if s.is_empty() { "/cases".into() } else { format!("/cases?{s}") }
}

fn pager(q: &ListQuery, pages: u32) -> Vec<PageLink> {
    let mut out = Vec::new();
    if pages <= 1 {
        return out;
    }
    let link =
        |label: String, page: u32, current: bool| PageLink { label, href: (!current).then(|| href(q, page)), current };
    if q.page > 1 {
        out.push(link("上一页".into(), q.page - 1, false));
    }
    let (lo, hi) = (q.page.saturating_sub(2).max(1), (q.page + 2).min(pages));
    if lo > 1 {
        out.push(link("1".into(), 1, false));
        if lo > 2 {
            out.push(PageLink { label: "…".into(), href: None, current: false });
        }
    }
    for p in lo..=hi {
        out.push(link(p.to_string(), p, p == q.page));
    }
    if hi < pages {
        if hi + 1 < pages {
            out.push(PageLink { label: "…".into(), href: None, current: false });
        }
        out.push(link(pages.to_string(), pages, false));
    }
    if q.page < pages {
        out.push(link("下一页".into(), q.page + 1, false));
    }
    out
}

fn chips(q: &ListQuery, names: &Names) -> Vec<String> {
    let d = liaison_app::cases::export::describe(q, names);
    if q.is_filtered() { d.split('；').map(str::to_owned).collect() } else { vec![] }
}

/// Renders the list for `raw`; a refused parameter answers 422 with the form kept.
pub async fn render_list(
    state: &AppState,
    caller: &Caller,
    raw: RawListQuery,
    error: Option<String>,
) -> Result<Response, PageError> {
    Ok(list_html(state, caller, raw, error).await?.into_response())
}

/// The list page and the status it answers with.
pub async fn list_html(
    state: &AppState,
    caller: &Caller,
    raw: RawListQuery,
    error: Option<String>,
) -> Result<(StatusCode, Html<String>), PageError> {
    let (names, choices) = casework::names(&state.app, &caller.principal).await?;
    let parsed = parse_list(&raw);
    let (mut status, mut error, mut field_errors) = (StatusCode::OK, error, Vec::new());
    let (mut listing, mut q) = (None, None);
    match parsed {
        Ok(lq) => match inbox(state, caller, &lq).await {
            Ok(l) => {
                listing = Some(l);
                q = Some(lq);
            }
            Err(e) if e.status.is_client_error() => {
                status = e.status;
                field_errors.push((e.field.clone().unwrap_or_default(), e.message.clone()));
                error = error.or(Some(e.message));
            }
            Err(e) => return Err(PageError(e)),
        },
        Err(e) => {
            status = e.status;
            if e.fields.is_empty() {
                field_errors.push((e.field.clone().unwrap_or_default(), e.message.clone()));
            } else {
                field_errors.extend(e.fields.iter().map(|f| (f.field.clone(), f.message.clone())));
            }
            error = error.or(Some("筛选条件有误，请按提示修改后重新筛选。".into()));
        }
    }
    let chosen = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_owned();
    let picked: Vec<String> = chosen(&raw.status).split(',').map(|s| s.trim().to_owned()).collect();
    let statuses = CaseStatus::ALL
        .iter()
        .map(|s| Opt {
            value: s.as_str().into(),
            label: s.label().into(),
            on: picked.iter().any(|p| CaseStatus::parse(p) == Some(*s)),
        })
        .collect();
    let same_view = |preset: &str| {
        let Some(q) = &q else { return false };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(preset).unwrap_or_default();
        let Ok(mut p) = ListQuery::parse(&raw_from_pairs(&pairs)) else { return false };
        (p.sort, p.page, p.per_page) = (q.sort, q.page, q.per_page);
        p == *q
    };
    let presets = PRESETS
        .iter()
        .map(|(label, query)| {
            let href = if query.is_empty() { "/cases".to_owned() } else { format!("/cases?{query}") };
            (href, *label, same_view(query))
        })
        .collect();
    let (rows, total, page, pages, pager_links, notice_text, deep, chip_list, export_href) = match (&listing, &q) {
        (Some(l), Some(q)) => {
            let reachable = i64::from(MAX_ROWS).min(l.total);
            let pages = ((reachable + i64::from(l.per_page) - 1) / i64::from(l.per_page)).max(1) as u32;
            let export = query_string(&q.params());
            (
                l.rows.iter().map(|c| line(c, &names)).collect(),
                l.total,
                l.page,
                pages,
                pager(q, pages),
                notice(l),
                l.total > i64::from(MAX_ROWS),
                chips(q, &names),
                if export.is_empty() {
                    "/cases/export.xlsx".to_owned()
                } else {
                    format!("/cases/export.xlsx?{export}")
                },
            )
        }
        _ => (vec![], 0, 1, 1, vec![], None, false, vec![], String::new()),
    };
    let page_html = render(&ListPage {
        nav: Nav::for_caller(caller),
        can_write: !authz::reach(&caller.principal, Action::CaseWrite).is_empty(),
        error,
        field_errors,
        presets,
        statuses,
        townships: opts(choices.townships, &chosen(&raw.township)),
        stations: opts(choices.stations, &chosen(&raw.station)),
        agencies: opts(choices.agencies, &chosen(&raw.agency)),
        deputies: opts(choices.deputies, &chosen(&raw.deputy)),
        channels: opts(
            Channel::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())),
            &chosen(&raw.channel),
        ),
        categories: opts(state.settings.categories.iter().map(|c| (c.clone(), c.clone())), &chosen(&raw.category)),
        levels: opts(Level::ALL.iter().map(|l| (l.as_str().to_owned(), l.label().to_owned())), &chosen(&raw.level)),
        sorts: opts(Sort::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())), &chosen(&raw.sort)),
        per_pages: opts(
            [20, PER_PAGE_DEFAULT, 100, 200].iter().map(|n| (n.to_string(), format!("每页 {n} 件"))),
            &raw.per_page.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| PER_PAGE_DEFAULT.to_string()),
        ),
        chips: chip_list,
        listed: listing.is_some(),
        export_truncated: total > casework::EXPORT_MAX_ROWS,
        raw,
        rows,
        total,
        page,
        pages,
        pager: pager_links,
        deep,
        export_href,
        notice: notice_text,
    })?;
    Ok((status, page_html))
}

/// The list as Excel, with the page's parameters; refused parameters show the page instead.
pub async fn export(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let raw = raw_from_pairs(&pairs);
    let q = match parse_list(&raw) {
        Ok(q) => q,
        Err(_) => return render_list(&state, &caller, raw, None).await,
    };
    match casework::export_xlsx(&state.app, &caller.principal, &q).await {
        Ok(e) => Ok(xlsx_response(e.bytes, state.app.today())),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status.is_client_error() {
                render_list(&state, &caller, raw, Some(e.message)).await
            } else {
                Err(PageError(e))
            }
        }
    }
}

/// The dashboard's tiles: (label, count, link to the list).
pub async fn work_counts(state: &AppState, caller: &Caller) -> Result<Vec<(&'static str, i64, String)>, PageError> {
    if authz::authorize(&caller.principal, Action::CaseRead, authz::Target::Any).is_err() {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for (label, query) in [
        ("待研判", "status=received,reopened"),
        ("待交办", "status=triaged"),
        ("即将到期", "due_soon=1"),
        ("已逾期", "overdue=1"),
        ("待答复", "status=handled"),
    ] {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let q = parse_list(&raw_from_pairs(&pairs)).map_err(PageError)?;
        let n = casework::count(&state.app, &caller.principal, &q).await.map_err(|e| PageError(e.into()))?;
        out.push((label, n, format!("/cases?{query}")));
    }
    Ok(out)
}
