//! The ledger (台账) of linked voters and households in the pages: the list (masked), the form to
//! add one, a contact's page with its visits — where the full ID number, address and phone show
//! only after a deliberate, audited request — and the export, which asks what it is for.

use super::{Nav, render};
use crate::api::points::{XLSX, download};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liaison_app::ledger::{self, Contact, ContactEdit, ContactInput, Visit, VisitInput};
use liaison_app::receptions::own_deputy;
use liaison_domain::authz::Action;
use liaison_domain::voter_work::{ContactKind, HouseholdCategory};
use serde::Deserialize;
use std::collections::HashMap;

fn kind_label(k: &str) -> &'static str {
    ContactKind::parse(k).map_or("", |k| k.label())
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Contact>,
    today: String,
    due: usize,
    is_deputy: bool,
    may_export: bool,
    notice: &'static str,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    notice: &'static str,
    error: String,
) -> Result<Response, PageError> {
    let rows = ledger::list(&state.app, &caller.principal, None).await?;
    let today = state.app.today().to_string();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&ListPage {
        nav: Nav::for_caller(caller),
        due: ledger::due(&rows, &today),
        rows,
        today,
        is_deputy: own_deputy(&caller.principal).is_some(),
        may_export: liaison_app::org::scoped_region(&caller.principal, Action::PersonalDataRead, None).is_ok(),
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

/// `/ledger`
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice =
        if q.done.as_deref() == Some("removed") { "已移出台账，走访记录仍然保留。" } else { "" };
    list_page(&state, &caller, notice, String::new()).await
}

#[derive(Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    reason: String,
}

/// `POST /ledger/export`: the region's ledger as xlsx, once a purpose is given.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<ExportForm>,
) -> Result<Response, PageError> {
    match ledger::export(&state.app, &caller.principal, None, &f.reason).await.map_err(ApiError::from) {
        Ok(bytes) => Ok(download(bytes, XLSX, "ledger.xlsx", "联系台账.xlsx")),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            list_page(&state, &caller, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "ledger_new.html")]
struct NewPage {
    nav: Nav,
    /// (slug, name) of the deputies the caller keeps a ledger for.
    deputies: Vec<(String, String)>,
    /// (code, name) of the villages and communities to choose from.
    places: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    v: HashMap<String, String>,
    checked: Vec<String>,
    error: String,
}

impl NewPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
    fn is_checked(&self, c: &str) -> bool {
        self.checked.iter().any(|x| x == c)
    }
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    form: Vec<(String, String)>,
    error: String,
) -> Result<Response, PageError> {
    let p = &caller.principal;
    let (deputies, root) = if let Some(me) = own_deputy(p) {
        let d = liaison_app::directory::deputy(&state.app, me).await?.ok_or_else(ApiError::not_found)?;
        let township = liaison_app::points::township_of(&d.data.region_code).to_string();
        (vec![(d.data.slug, d.data.name)], township)
    } else {
        let region = liaison_app::org::scoped_region(p, Action::PersonalDataRead, None)?;
        let ds = liaison_app::directory::deputies_under(&state.app, region.as_str(), false).await?;
        (ds.into_iter().map(|d| (d.data.slug, d.data.name)).collect(), region.to_string())
    };
    let places = match liaison_domain::region::RegionCode::parse(&root) {
        Ok(code) => {
            liaison_app::regions::subtree(&state.app, &code).await?.into_iter().map(|r| (r.code, r.name)).collect()
        }
        Err(_) => vec![],
    };
    let mut v = HashMap::new();
    let mut checked = Vec::new();
    for (k, val) in form {
        if k == "categories" {
            checked.push(val);
        } else {
            v.insert(k, val);
        }
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&NewPage {
        nav: Nav::for_caller(caller),
        deputies,
        places,
        categories: HouseholdCategory::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        v,
        checked,
        error,
    })?;
    Ok((status, html).into_response())
}

/// `/ledger/new`
pub async fn new(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    if !ledger::may_read_region(&caller.principal) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "联系台账由代表本人和乡镇（街道）、县（区）人大登记",
        )
        .into());
    }
    new_page(&state, &caller, vec![("kind".into(), "household".into())], String::new()).await
}

/// Adds a contact; on a refusal, the form again as typed.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let members = one("members");
    let members = if members.is_empty() { Ok(0) } else { members.parse::<i64>() };
    let i = ContactInput {
        kind: one("kind"),
        name: one("name"),
        id_number: one("id_number"),
        address: one("address"),
        phone: one("phone"),
        categories: f.iter().filter(|(k, _)| k == "categories").map(|(_, v)| v.clone()).collect(),
        members: members.unwrap_or(-1),
        note: one("note"),
        region: Some(one("region")),
    };
    match ledger::add(&state.app, &caller.principal, &one("deputy"), i).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/ledger/{id}?done=added")).into_response()),
        Err(e) if e.status == StatusCode::NOT_FOUND => new_page(&state, &caller, f, "请选择联系的代表".into()).await,
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            new_page(&state, &caller, f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "ledger_contact.html")]
struct DetailPage {
    nav: Nav,
    c: Contact,
    kind: &'static str,
    visits: Vec<Visit>,
    /// (code, label, the contact's) of every household category.
    categories: Vec<(&'static str, &'static str, bool)>,
    today: String,
    notice: &'static str,
    error: String,
}

/// `/ledger/{id}`: masked.
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("added") => "已加入台账。",
        Some("visited") => "走访已登记，并计入代表的履职登记。",
        Some("edited") => "已保存修改。",
        _ => "",
    };
    detail_page(&state, &caller, id, None, notice, String::new()).await
}

async fn detail_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    unmasked: Option<Contact>,
    notice: &'static str,
    error: String,
) -> Result<Response, PageError> {
    let (masked, visits) = ledger::get(&state.app, &caller.principal, id).await?;
    let c = unmasked.unwrap_or(masked);
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        kind: kind_label(&c.kind),
        categories: HouseholdCategory::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(), c.categories.iter().any(|x| x == k.as_str())))
            .collect(),
        c,
        visits,
        today: state.app.today().to_string(),
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct UnmaskForm {
    #[serde(default)]
    reason: String,
}

/// `POST /ledger/{id}/unmask`: the same page, unmasked; the audit records it.
pub async fn unmask(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<UnmaskForm>,
) -> Result<Response, PageError> {
    match ledger::unmask(&state.app, &caller.principal, id, &f.reason).await.map_err(ApiError::from) {
        Ok(c) => {
            let mut res =
                detail_page(&state, &caller, id, Some(c), "完整信息仅本次显示，查看已记入审计日志。", String::new())
                    .await?;
            res.headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            detail_page(&state, &caller, id, None, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `POST /ledger/{id}/act`: record a visit, or take the contact off the ledger.
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let categories: Vec<String> = fields.iter().filter(|(k, _)| k == "categories").map(|(_, v)| v.clone()).collect();
    let f: HashMap<String, String> = fields.into_iter().collect();
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let result = match get("decision").as_str() {
        "visit" => {
            let i = VisitInput {
                visited_on: get("visited_on"),
                needs: get("needs"),
                help: get("help"),
                next_visit_on: get("next_visit_on"),
            };
            ledger::visit(&state.app, &caller.principal, id, i).await.map(|_| format!("/ledger/{id}?done=visited"))
        }
        "remove" => ledger::remove(&state.app, &caller.principal, id, &get("reason"))
            .await
            .map(|_| "/ledger?done=removed".to_string()),
        "edit" => {
            let members = match get("members").trim() {
                "" => 0,
                raw => raw.parse::<i64>().unwrap_or(-1),
            };
            let e = ContactEdit {
                name: get("name"),
                id_number: get("id_number"),
                address: get("address"),
                phone: get("phone"),
                categories,
                members,
                note: get("note"),
            };
            ledger::edit(&state.app, &caller.principal, id, e).await.map(|_| format!("/ledger/{id}?done=edited"))
        }
        _ => Err(liaison_app::Error::invalid("invalid_decision", "未知的操作")),
    };
    match result.map_err(ApiError::from) {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            detail_page(&state, &caller, id, None, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}
