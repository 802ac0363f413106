//! Pages of the administrators: accounts for the system admin (the auditor's log is in
//! `audit.rs`).

use super::{Nav, render};
use crate::api::users::NewUser;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::error::PageError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_domain::authz::{self, Action, Role, Scope};
use serde::Deserialize;

pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub county: String,
    pub grants: String,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    rows: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    created: Option<String>,
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
) -> Result<Html<String>, PageError> {
    let now = state.now_ms();
    let mut rows = Vec::new();
    for scope in authz::reach(&caller.principal, Action::UserRead) {
        if let Scope::Region(code) = scope {
            for u in liaison_app::accounts::list(&state.app, code.as_str()).await? {
                rows.push(UserRow {
                    locked: u.locked_until.is_some_and(|t| t > now),
                    grants: u
                        .grants
                        .iter()
                        .map(|g| format!("{}（{}）", g.role.label(), g.scope))
                        .collect::<Vec<_>>()
                        .join("；"),
                    username: u.username,
                    display_name: u.display_name,
                    county: u.county_code,
                });
            }
        }
    }
    let roles = Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    render(&UsersPage { nav: Nav::for_caller(caller), rows, roles, error, created })
}

pub async fn users(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UsersQuery>,
) -> Result<Html<String>, PageError> {
    users_page(&state, &caller, None, q.created).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    scope: String,
    county: Option<String>,
}

pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<NewUserForm>,
) -> Result<Response, PageError> {
    let n = NewUser {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        role: f.role,
        scope: f.scope,
        county: f.county,
    };
    let username = n.username.trim().to_owned();
    let result = liaison_app::accounts::create(&state.app, &caller.principal, &n.into())
        .await
        .map(|_| username)
        .map_err(ApiError::from);
    match result {
        Ok(username) => Ok(Redirect::to(&format!("/admin/users?created={username}")).into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let page = users_page(&state, &caller, Some(e.message), None).await?;
            Ok((if status == StatusCode::FORBIDDEN { status } else { StatusCode::UNPROCESSABLE_ENTITY }, page)
                .into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}
