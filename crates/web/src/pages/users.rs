//! Account administration: the list and the creation form for the system admin, and one page per
//! account where the system admin disables, enables and changes roles and scopes, and the
//! security admin lifts a lock-out or resets a forgotten password. Scopes are picked by name.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::accounts::{self, GrantInput, UserSummary};
use liaison_app::choices::Choices;
use liaison_domain::authz::{self, Action, Grant, Role, Scope, Target};
use liaison_domain::ids::UserId;
use liaison_domain::region::RegionCode;
use serde::Deserialize;

/// A group of scope options, shown for the roles that take that kind of scope.
pub struct ScopeGroup {
    pub label: &'static str,
    /// The roles (space-separated codes) this group is for.
    pub roles: &'static str,
    pub options: Vec<(String, String)>,
}

/// The scopes the caller may hand out, by name.
fn scope_groups(c: &Choices) -> Vec<ScopeGroup> {
    let county_or_above = c.regions.iter().filter(|r| r.value.len() <= 6);
    let townships = c.regions.iter().filter(|r| r.value.len() == 9);
    let opt = |kind: &str, v: &str, label: String| (format!("{kind}:{v}"), label);
    vec![
        ScopeGroup {
            label: "县（区）",
            roles: "system_admin security_admin auditor county_supervisor",
            options: county_or_above.map(|r| opt("region", &r.value, r.label.clone())).collect(),
        },
        ScopeGroup {
            label: "乡镇（街道）",
            roles: "township_officer",
            options: townships.map(|r| opt("region", &r.value, format!("{}（{}）", r.label, r.hint))).collect(),
        },
        ScopeGroup {
            label: "联络站",
            roles: "station_staff",
            options: c
                .stations
                .iter()
                .map(|s| opt("station", &s.value, format!("{}（{}）", s.label, s.hint)))
                .collect(),
        },
        ScopeGroup {
            label: "承办单位",
            roles: "agency_handler",
            options: c.agencies.iter().map(|s| opt("agency", &s.value, format!("{}（{}）", s.label, s.hint))).collect(),
        },
        ScopeGroup {
            label: "代表",
            roles: "deputy",
            options: c.deputies.iter().map(|s| opt("deputy", &s.value, format!("{}（{}）", s.label, s.hint))).collect(),
        },
    ]
}

/// A scope by name: 柞水县, 仁和社区代表联络点…
fn scope_name(c: &Choices, s: &Scope) -> String {
    let found = match s {
        Scope::Region(code) => c.region_names.get(code.as_str()).cloned(),
        Scope::Station(x) => Choices::name_of(&c.stations, x),
        Scope::Agency(x) => Choices::name_of(&c.agencies, x),
        Scope::Deputy(x) => Choices::name_of(&c.deputies, x),
    };
    found.unwrap_or_else(|| match s {
        Scope::Region(_) => "辖区外的行政区划".into(),
        Scope::Station(_) => "已停用的联络站".into(),
        Scope::Agency(_) => "已停用的承办单位".into(),
        Scope::Deputy(_) => "已停用的代表".into(),
    })
}

fn describe(c: &Choices, grants: &[Grant]) -> String {
    grants.iter().map(|g| format!("{}（{}）", g.role.label(), scope_name(c, &g.scope))).collect::<Vec<_>>().join("；")
}

/// The region subtrees whose accounts the caller administers.
fn roots(caller: &Caller) -> Vec<RegionCode> {
    authz::reach(&caller.principal, Action::UserRead)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Region(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

async fn choices(state: &AppState, caller: &Caller) -> Result<Choices, PageError> {
    Ok(liaison_app::choices::choices(&state.app, &roots(caller), false).await?)
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// What the status column and the account page say.
fn status(u: &UserSummary, now: i64) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if u.disabled {
        out.push(("已停用", "warn"));
    }
    if u.locked_until.is_some_and(|t| t > now) {
        out.push(("已锁定", "warn"));
    }
    if u.must_change_password {
        out.push(("待修改密码", ""));
    }
    if out.is_empty() {
        out.push(("正常", "ok"));
    }
    out
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub county: String,
    pub grants: String,
    pub status: Vec<(&'static str, &'static str)>,
}

/// What the creation form held when it was refused.
#[derive(Default)]
pub struct Typed {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    rows: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    groups: Vec<ScopeGroup>,
    can_create: bool,
    error: Option<String>,
    created: Option<String>,
    typed: Typed,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    created: Option<String>,
}

async fn users_page(
    state: &AppState,
    caller: &Caller,
    error: Option<String>,
    created: Option<String>,
    typed: Typed,
) -> Result<Html<String>, PageError> {
    let now = state.now_ms();
    let c = choices(state, caller).await?;
    let mut rows: Vec<UserRow> = Vec::new();
    for root in roots(caller) {
        for u in accounts::list(&state.app, root.as_str()).await? {
            if rows.iter().any(|r| r.id == u.id) {
                continue;
            }
            rows.push(UserRow {
                id: u.id,
                status: status(&u, now),
                grants: describe(&c, &u.grants),
                county: c.region_names.get(&u.county_code).cloned().unwrap_or_default(),
                username: u.username,
                display_name: u.display_name,
            });
        }
    }
    rows.sort_by(|a, b| a.username.cmp(&b.username));
    let can_create = authz::authorize(&caller.principal, Action::UserWrite, Target::Any).is_ok();
    render(&UsersPage {
        nav: Nav::for_caller(caller),
        rows,
        roles: roles(),
        groups: scope_groups(&c),
        can_create,
        error,
        created,
        typed,
    })
}

pub async fn users(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UsersQuery>,
) -> Result<Html<String>, PageError> {
    users_page(&state, &caller, None, q.created, Typed::default()).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    scope: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<NewUserForm>,
) -> Result<Response, PageError> {
    let n = accounts::NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: f.password,
        role: f.role.clone(),
        scope: f.scope.clone(),
        county: None,
    };
    let username = n.username.trim().to_owned();
    match accounts::create(&state.app, &caller.principal, &n).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users?created={username}")).into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let typed = Typed { username: f.username, display_name: f.display_name, role: f.role, scope: f.scope };
            let page = users_page(&state, &caller, Some(e.message), None, typed).await?;
            Ok((if status == StatusCode::FORBIDDEN { status } else { StatusCode::UNPROCESSABLE_ENTITY }, page)
                .into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    nav: Nav,
    id: i64,
    username: String,
    display_name: String,
    county: String,
    grants: String,
    status: Vec<(&'static str, &'static str)>,
    disabled: bool,
    locked: bool,
    own: bool,
    can_write: bool,
    can_unlock: bool,
    roles: Vec<(&'static str, &'static str)>,
    groups: Vec<ScopeGroup>,
    /// (role, scope) rows of the roles form: the current grants (or what was typed), and a blank.
    rows: Vec<(String, String)>,
    done: Option<&'static str>,
    error: Option<String>,
    /// A password just reset, shown this once.
    temporary: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct UserQuery {
    done: Option<String>,
}

struct Shown {
    done: Option<&'static str>,
    error: Option<String>,
    temporary: Option<String>,
    rows: Option<Vec<(String, String)>>,
}

async fn user_page(state: &AppState, caller: &Caller, id: i64, shown: Shown) -> Result<Html<String>, PageError> {
    let u = accounts::get(&state.app, &caller.principal, UserId(id)).await?;
    let c = choices(state, caller).await?;
    let county = RegionCode::parse(&u.county_code).map_err(ApiError::internal)?;
    let may = |a: Action| caller.check(a, Target::Region(&county)).is_ok();
    let own = caller.principal.account().is_some_and(|a| a.id == u.id);
    let mut rows = shown
        .rows
        .unwrap_or_else(|| u.grants.iter().map(|g| (g.role.as_str().to_owned(), g.scope.to_string())).collect());
    rows.push(Default::default());
    render(&UserPage {
        nav: Nav::for_caller(caller),
        id: u.id,
        status: status(&u, state.now_ms()),
        grants: describe(&c, &u.grants),
        county: c.region_names.get(&u.county_code).cloned().unwrap_or_default(),
        disabled: u.disabled,
        locked: u.locked_until.is_some_and(|t| t > state.now_ms()),
        username: u.username,
        display_name: u.display_name,
        own,
        can_write: may(Action::UserWrite) && !own,
        can_unlock: may(Action::AccountUnlock) && !own,
        roles: roles(),
        groups: scope_groups(&c),
        rows,
        done: shown.done,
        error: shown.error,
        temporary: shown.temporary,
    })
}

pub async fn user(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<UserQuery>,
) -> Result<Html<String>, PageError> {
    let done = match q.done.as_deref() {
        Some("disabled") => Some("账号已停用，其登录已全部退出。"),
        Some("enabled") => Some("账号已启用。"),
        Some("grants") => Some("角色与范围已修改，对方需重新登录。"),
        Some("unlocked") => Some("已解除锁定。"),
        _ => None,
    };
    user_page(&state, &caller, id, Shown { done, error: None, temporary: None, rows: None }).await
}

/// A refusal shown on the account page, or the error page for what is not a refusal.
async fn refused(
    state: &AppState,
    caller: &Caller,
    id: i64,
    e: ApiError,
    rows: Option<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    if !e.status.is_client_error() || e.status == StatusCode::NOT_FOUND {
        return Err(PageError(e));
    }
    let status = if e.status == StatusCode::FORBIDDEN { e.status } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html =
        user_page(state, caller, id, Shown { done: None, error: Some(e.message), temporary: None, rows }).await?;
    Ok((status, html).into_response())
}

async fn then(
    state: &AppState,
    caller: &Caller,
    id: i64,
    r: liaison_app::Result<()>,
    done: &str,
) -> Result<Response, PageError> {
    match r.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done={done}")).into_response()),
        Err(e) => refused(state, caller, id, e, None).await,
    }
}

pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let r = accounts::set_disabled(&state.app, &caller.principal, UserId(id), true).await;
    then(&state, &caller, id, r, "disabled").await
}

pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let r = accounts::set_disabled(&state.app, &caller.principal, UserId(id), false).await;
    then(&state, &caller, id, r, "enabled").await
}

pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let r = accounts::unlock(&state.app, &caller.principal, UserId(id)).await;
    then(&state, &caller, id, r, "unlocked").await
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// Resets a password; the temporary one is shown on this answer only (never in a URL).
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    let given = Some(f.password.trim()).filter(|p| !p.is_empty());
    match accounts::reset_password(&state.app, &caller.principal, UserId(id), given).await.map_err(ApiError::from) {
        Ok(temporary) => {
            let shown = Shown { done: None, error: None, temporary: Some(temporary), rows: None };
            Ok(user_page(&state, &caller, id, shown).await?.into_response())
        }
        Err(e) => refused(&state, &caller, id, e, None).await,
    }
}

/// Replaces the roles and scopes with the form's rows (`role_N`, `scope_N`); empty rows drop.
pub async fn set_grants(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |k: String| form.iter().find(|(f, _)| *f == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let rows: Vec<(String, String)> = (0..10)
        .map(|i| (value(format!("role_{i}")), value(format!("scope_{i}"))))
        .filter(|(r, s)| !r.is_empty() || !s.is_empty())
        .collect();
    let input: Vec<GrantInput> =
        rows.iter().map(|(role, scope)| GrantInput { role: role.clone(), scope: scope.clone() }).collect();
    match accounts::set_grants(&state.app, &caller.principal, UserId(id), &input).await.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done=grants")).into_response()),
        Err(e) => refused(&state, &caller, id, e, Some(rows)).await,
    }
}
