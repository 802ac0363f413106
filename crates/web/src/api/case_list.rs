//! The staff list of cases as JSON (one page, its total, filters and order) and as an .xlsx
//! export. The page `/cases` and its export take the same parameters.

use super::cases::CaseBody;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use liaison_app::cases::{self as casework, Listing};
use liaison_domain::case_list::{ListQuery, RawListQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The list's parameters. Every value is text, so that a bad one is refused with its field
/// (422) rather than as an unreadable query.
#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Comma-separated: `received`, `triaged`, `assigned`, `handled`, `replied`,
    /// `answered_on_spot`, `reopened`, `closed`, `merged`, `declined`; omitted, all.
    pub status: Option<String>,
    /// A township's 9-digit region code.
    pub township: Option<String>,
    /// A station's slug.
    pub station: Option<String>,
    /// An agency's slug: cases it leads or assists.
    pub agency: Option<String>,
    /// A deputy's slug.
    pub deputy: Option<String>,
    /// `qr`, `online`, `station`, `visit`, `wechat`, `hotline`, `snapshot`.
    pub channel: Option<String>,
    /// One of the configured categories, e.g. 道路交通.
    pub category: Option<String>,
    /// `township` or `county`.
    pub level: Option<String>,
    /// Received on or after this day (YYYY-MM-DD, China time).
    pub from: Option<String>,
    /// Received on or before this day (YYYY-MM-DD, China time).
    pub to: Option<String>,
    /// `1`: only overdue cases.
    pub overdue: Option<String>,
    /// `1`: only open cases due within the configured number of working days.
    pub due_soon: Option<String>,
    /// A tracking code (with or without the dash), a constituent's phone number (for staff who
    /// may see contact details), or words separated by spaces that must all appear in the title,
    /// content, the agency's result or the reply.
    pub q: Option<String>,
    /// `deadline` (open work first, nearest deadline first; the default), `-created` (newest
    /// first; the default with words in `q`), `created`, `-updated`.
    pub sort: Option<String>,
    /// 1-based; a list pages through its first 10,000 rows.
    pub page: Option<String>,
    /// Rows per page, 50 unless given, at most 200.
    pub per_page: Option<String>,
    /// Deprecated: the former name of `per_page`.
    pub limit: Option<String>,
}

impl InboxQuery {
    pub fn raw(&self) -> RawListQuery {
        RawListQuery {
            status: self.status.clone(),
            township: self.township.clone(),
            station: self.station.clone(),
            agency: self.agency.clone(),
            deputy: self.deputy.clone(),
            channel: self.channel.clone(),
            category: self.category.clone(),
            level: self.level.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            overdue: self.overdue.clone(),
            due_soon: self.due_soon.clone(),
            q: self.q.clone(),
            sort: self.sort.clone(),
            page: self.page.clone(),
            per_page: self.per_page.clone().or_else(|| self.limit.clone()),
        }
    }
}

/// Parses the list parameters; every bad one is reported in `error.fields`.
pub(crate) fn parse_list(raw: &RawListQuery) -> Result<ListQuery, ApiError> {
    ListQuery::parse(raw).map_err(|errors| ApiError::from(liaison_app::Error::from_fields(errors)))
}

pub(crate) async fn inbox(state: &AppState, caller: &Caller, q: &ListQuery) -> Result<Listing, ApiError> {
    Ok(casework::inbox(&state.app, &caller.principal, q).await?)
}

/// What a list says besides its rows, in Chinese.
pub(crate) fn notice(l: &Listing) -> Option<String> {
    if l.phone_refused {
        Some("您没有查看群众联系方式的权限，不能按手机号查找。".into())
    } else if l.search_capped {
        Some(format!(
            "匹配的意见建议较多，只在最新的 {} 件中筛选和统计；请增加搜索词或筛选条件。",
            casework::SEARCH_CANDIDATES
        ))
    } else {
        None
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// This page's cases.
    pub items: Vec<CaseBody>,
    /// Cases on all pages.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// Said when the answer is not all there is: a search by phone number without the right to
    /// see contact details, or a word search matching more cases than it filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// Cases within the caller's scope (mine, my station, my township, my agency), one page at a
/// time with the total, filtered and sorted.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(InboxQuery), security(("bearer" = [])), responses(
    (status = 200, body = CaseList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let q = parse_list(&q.raw())?;
    let l = inbox(&state, &caller, &q).await?;
    let notice = notice(&l);
    Ok(Json(CaseList {
        total: l.total,
        page: l.page,
        per_page: l.per_page,
        items: l.rows.into_iter().map(CaseBody::from).collect(),
        notice,
    }))
}

/// The workbook of a list as an HTTP answer.
pub(crate) fn xlsx_response(bytes: Vec<u8>, today: chrono::NaiveDate) -> Response {
    let day = today.format("%Y%m%d");
    super::points::download(bytes, super::points::XLSX, &format!("cases-{day}.xlsx"), &format!("意见建议-{day}.xlsx"))
}

/// The whole filtered list (every page, in its order, at most 10,000 rows) as an .xlsx workbook.
/// Phones and names are masked unless the caller may see contact details where the case lies;
/// every export is audited.
#[utoipa::path(get, path = "/api/v1/cases/export", tag = "cases", params(InboxQuery), security(("bearer" = [])), responses(
    (status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Response, ApiError> {
    let q = parse_list(&q.raw())?;
    let e = casework::export_xlsx(&state.app, &caller.principal, &q).await?;
    let mut res = xlsx_response(e.bytes, state.app.today());
    res.headers_mut().insert("x-total-count", e.total.into());
    res.headers_mut().insert("x-exported-rows", (e.rows as u64).into());
    Ok(res)
}
