//! The Chinese pages: one shared layout, a form's CSRF token in every form, assets embedded.

mod admin;
mod audit;
mod case;
mod case_list;
mod case_new;
mod case_steps;
mod cases;
mod home;
mod login;
mod org;
mod public;
mod track;

use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::routes::Registry;
use askama::Template;
use axum::http::Method;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use liaison_domain::authz::{self, Action, Target};

pub(crate) fn register(r: Registry) -> Registry {
    r.page(Method::GET, "/", Action::Authenticated, get(home::dashboard))
        .page(Method::GET, "/login", Action::Public, get(login::form))
        .page(Method::POST, "/login", Action::Public, post(login::submit))
        .page(Method::POST, "/logout", Action::Authenticated, post(login::logout))
        .page(Method::GET, "/regions", Action::RegionRead, get(home::regions))
        .page(Method::GET, "/audit", Action::AuditRead, get(audit::audit))
        .page(Method::GET, "/admin/users", Action::UserRead, get(admin::users))
        .page(Method::POST, "/admin/users", Action::UserWrite, post(admin::create_user))
        .page(Method::GET, "/org", Action::OrgRead, get(org::stations))
        .page(Method::GET, "/org/deputies", Action::OrgRead, get(org::deputies))
        .page(Method::GET, "/org/agencies", Action::OrgRead, get(org::agencies))
        .page(Method::GET, "/org/grid", Action::OrgRead, get(org::grid))
        .page(Method::GET, "/org/import", Action::OrgWrite, get(org::import_form))
        .page(Method::POST, "/org/{tab}/save", Action::OrgWrite, post(org::save))
        .page(Method::POST, "/org/{tab}/{slug}/deactivate", Action::OrgWrite, post(org::deactivate))
        .page(Method::POST, "/org/{tab}/move", Action::OrgWrite, post(org::move_to))
        .page(
            Method::POST,
            "/org/import",
            Action::OrgWrite,
            post(org::import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(liaison_sheets::MAX_FILE_BYTES + 64 * 1024)),
        )
        .page(Method::GET, "/county", Action::Public, get(public::counties))
        .page(Method::GET, "/county/{code}", Action::Public, get(public::county))
        .page(Method::GET, "/station/{slug}", Action::Public, get(public::station))
        .page(Method::GET, "/station/{slug}/codes", Action::Public, get(public::codes_sheet))
        .page(Method::GET, "/deputy/{slug}", Action::Public, get(public::deputy))
        .page(Method::GET, "/qr/{what}/{file}", Action::Public, get(public::qr_code))
        .page(
            Method::POST,
            "/contact",
            Action::Public,
            post(track::contact).layer(axum::extract::DefaultBodyLimit::max(40 * 1024 * 1024)),
        )
        .page(Method::GET, "/cases", Action::CaseRead, get(cases::list))
        .page(Method::GET, "/cases/export.xlsx", Action::CaseRead, get(case_list::export))
        .page(Method::GET, "/cases/new", Action::CaseWrite, get(case_new::form))
        .page(
            Method::POST,
            "/cases/new",
            Action::CaseWrite,
            post(case_new::intake).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/cases/{id}", Action::CaseRead, get(case::show))
        .page(Method::POST, "/cases/{id}/step", Action::CaseWrite, post(case::step))
        .page(Method::POST, "/cases/{id}/contact", Action::PersonalDataRead, post(case::contact))
        .page(Method::GET, "/cases/{id}/print", Action::CaseRead, get(case::print))
        .page(Method::GET, "/stats", Action::CaseRead, get(cases::dashboard))
        .page(Method::GET, "/track", Action::Public, get(track::form))
        .page(Method::POST, "/track/lookup", Action::Public, post(track::lookup))
        .page(Method::GET, "/track/{code}", Action::Public, get(track::show))
        .page(Method::POST, "/track/{code}/survey", Action::Public, post(track::survey))
}

/// What the layout's header shows: the signed-in name and the links the caller may follow.
#[derive(Debug, Default, Clone)]
pub struct Nav {
    pub user: Option<String>,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
}

impl Nav {
    pub fn for_caller(caller: &Caller) -> Nav {
        let Some(account) = caller.principal.account() else { return Nav::default() };
        let may = |a: Action| authz::authorize(&caller.principal, a, Target::Any).is_ok();
        let mut links = vec![("/", "工作台")];
        if may(Action::RegionRead) {
            links.push(("/regions", "行政区划"));
        }
        if may(Action::CaseRead) {
            links.push(("/cases", "意见建议"));
            links.push(("/stats", "统计"));
        }
        if may(Action::OrgRead) {
            links.push(("/org", "组织名册"));
        }
        if may(Action::UserRead) {
            links.push(("/admin/users", "账号管理"));
        }
        if may(Action::AuditRead) {
            links.push(("/audit", "审计日志"));
        }
        Nav { user: Some(account.display_name.clone()), csrf: caller.csrf().to_owned(), links }
    }
}

pub(crate) fn render<T: Template>(t: &T) -> Result<Html<String>, PageError> {
    t.render().map(Html).map_err(|e| PageError(ApiError::internal(e)))
}

/// Unknown paths: JSON under the API prefixes, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/open311/") {
        ApiError::not_found().into_response()
    } else {
        PageError(ApiError::not_found()).into_response()
    }
}

/// Formats Unix milliseconds as Beijing time.
pub(crate) fn beijing(ms: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    liaison_domain::clock::from_millis(ms).with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}
