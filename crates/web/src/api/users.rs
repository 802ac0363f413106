//! Accounts: system admins create them, disable and enable them and change their roles within
//! their region; security admins unlock them and reset forgotten passwords; everyone changes
//! their own password.

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
    /// An administrator reset the password; the account must choose its own first.
    pub must_change_password: bool,
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
        must_change_password: u.must_change_password,
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

/// One account within the caller's region.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 200, body = UserBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UserBody>, ApiError> {
    let u = accounts::get(&state.app, &caller.principal, UserId(id)).await?;
    Ok(Json(body(u, state.now_ms())))
}

/// Disable an account: it can no longer sign in and its sessions end. Not one's own.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::set_disabled(&state.app, &caller.principal, UserId(id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a disabled account again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    accounts::set_disabled(&state.app, &caller.principal, UserId(id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ResetBody {
    /// A temporary password that meets the password rule; omitted, one is generated.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResetAnswer {
    /// Shown once: hand it to the account's owner, who must change it at the next login.
    pub temporary_password: String,
}

/// Reset a forgotten password (security admin). The account's sessions end, a lock-out is
/// lifted, and the owner must choose a new password at the next login.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "users", params(("id" = i64, Path)), request_body = ResetBody, security(("bearer" = [])), responses(
    (status = 200, body = ResetAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ResetBody>,
) -> Result<Json<ResetAnswer>, ApiError> {
    let given = b.password.as_deref().filter(|p| !p.is_empty());
    let temporary_password = accounts::reset_password(&state.app, &caller.principal, UserId(id), given).await?;
    Ok(Json(ResetAnswer { temporary_password }))
}

#[derive(Deserialize, ToSchema)]
pub struct GrantInputBody {
    /// A role code, e.g. `station_staff`.
    pub role: String,
    /// `region:CODE`, `station:SLUG`, `agency:SLUG` or `deputy:SLUG`.
    pub scope: String,
}

#[derive(Deserialize, ToSchema)]
pub struct GrantsBody {
    /// Every role and scope the account is to hold (at least one); they replace the current ones.
    pub grants: Vec<GrantInputBody>,
}

/// Replace an account's roles and scopes; its sessions end so that the change applies at once.
#[utoipa::path(put, path = "/api/v1/users/{id}/grants", tag = "users", params(("id" = i64, Path)), request_body = GrantsBody, security(("bearer" = [])), responses(
    (status = 200, body = UserBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_grants(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<GrantsBody>,
) -> Result<Json<UserBody>, ApiError> {
    let input: Vec<accounts::GrantInput> =
        b.grants.into_iter().map(|g| accounts::GrantInput { role: g.role, scope: g.scope }).collect();
    accounts::set_grants(&state.app, &caller.principal, UserId(id), &input).await?;
    let u = accounts::get(&state.app, &caller.principal, UserId(id)).await?;
    Ok(Json(body(u, state.now_ms())))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters with letters and digits, not a common password.
    pub new_password: String,
}

/// Change one's own password (also the way out of a forced change after a reset). The other
/// sessions of the account end; this one stays.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordChange, security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 422, description = "wrong current password (`wrong_password`) or a new one the rule refuses", body = ErrorBody)))]
pub async fn change_own_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let keep = caller.session.as_ref().map(|s| s.token_hash.as_str());
    accounts::change_own_password(&state.app, &caller.principal, keep, &b.current_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
