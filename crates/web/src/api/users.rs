//! Accounts: system admins create them within their region; security admins unlock them.

use super::me::{GrantBody, grants_body};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_app::accounts;
use liaison_domain::authz::{self, Action, Scope};
use liaison_domain::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub county_code: String,
    pub locked: bool,
    pub disabled: bool,
    pub grants: Vec<GrantBody>,
}

fn body(u: accounts::UserSummary, now_ms: i64) -> UserBody {
    UserBody {
        id: u.id,
        locked: u.locked_until.is_some_and(|t| t > now_ms),
        grants: grants_body(&u.grants),
        username: u.username,
        display_name: u.display_name,
        county_code: u.county_code,
        disabled: u.disabled,
    }
}

/// The region prefixes in which the caller may take `action`.
fn region_prefixes(caller: &Caller, action: Action) -> Vec<String> {
    authz::reach(&caller.principal, action)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Region(c) => Some(c.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

/// Accounts within the caller's region.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), responses(
    (status = 200, body = Vec<UserBody>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<UserBody>>, ApiError> {
    let now = state.now_ms();
    let mut out = Vec::new();
    for prefix in region_prefixes(&caller, Action::UserRead) {
        out.extend(accounts::list(&state.app, &prefix).await?.into_iter().map(|u| body(u, now)));
    }
    out.sort_by(|a, b| a.username.cmp(&b.username));
    out.dedup_by_key(|u| u.id);
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// One of system_admin, security_admin, auditor, county_supervisor, township_officer,
    /// station_staff, deputy, agency_handler.
    pub role: String,
    /// `region:CODE`, `station:SLUG`, `agency:SLUG` or `deputy:SLUG`.
    pub scope: String,
    /// The county the account belongs to; required for station, agency and deputy scopes.
    pub county: Option<String>,
}

impl From<NewUser> for accounts::NewUser {
    fn from(n: NewUser) -> Self {
        accounts::NewUser {
            username: n.username,
            display_name: n.display_name,
            password: n.password,
            role: n.role,
            scope: n.scope,
            county: n.county,
        }
    }
}

/// Create an account with one role over one scope.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, security(("bearer" = [])), responses(
    (status = 201, body = UserBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(n): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserBody>), ApiError> {
    // The account's county and, for a region scope, the region itself must lie in the admin's.
    let id = accounts::create(&state.app, &caller.principal, &n.into()).await?;
    let u = accounts::summary(&state.app, UserId(id)).await?.ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(body(u, state.now_ms()))))
}

/// Lift a lock-out before it runs out.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::unlock(&state.app, &caller.principal, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
