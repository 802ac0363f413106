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
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, Grant, Role, Scope, Target};
use liaison_domain::password;
use liaison_domain::region::RegionCode;
use liaison_store::{StoreError, audit, users};
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

fn body(u: users::UserSummary, now_ms: i64) -> UserBody {
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
        out.extend(users::list(&state.db, &prefix).await?.into_iter().map(|u| body(u, now)));
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

/// What a new account needs, parsed: shared by the API, the admin page and the CLI.
pub struct ValidNewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grant: Grant,
    pub county: RegionCode,
}

pub fn validate_new_user(n: &NewUser) -> Result<ValidNewUser, ApiError> {
    let username = password::parse_username(&n.username)?;
    let display_name = n.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 40 {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_display_name", "姓名应为 1 到 40 个字")
            .with_field("display_name"));
    }
    password::check_new_password(&n.password)?;
    let role = Role::parse(&n.role)?;
    let scope = Scope::parse(&n.scope)?;
    let grant = Grant::new(role, scope)?;
    let county = match (&grant.scope, n.county.as_deref().filter(|c| !c.trim().is_empty())) {
        (Scope::Region(c), None) => c.clone(),
        (_, Some(c)) => RegionCode::parse(c).map_err(|e| ApiError::from(e).with_field("county"))?,
        (_, None) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "county_required",
                "联络站、承办单位和代表账号须注明所属县（区）",
            )
            .with_field("county"));
        }
    };
    if let Scope::Region(c) = &grant.scope
        && !county.contains(c)
        && !c.contains(&county)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "scope_outside_county",
            "账号范围不在所属县（区）内",
        )
        .with_field("scope"));
    }
    Ok(ValidNewUser { username, display_name, password: n.password.clone(), grant, county })
}

/// Creates the account and audits it, in one transaction. `actor` is who did it.
pub async fn create_account(state: &AppState, v: ValidNewUser, actor: &str) -> Result<i64, ApiError> {
    check_scope_target(state, &v).await?;
    let hash = {
        let pw = v.password.clone();
        tokio::task::spawn_blocking(move || password::hash_password(&pw)).await.map_err(ApiError::internal)?
    };
    let now = state.now_ms();
    let county_key = v.county.county_key();
    let mut tx = state.db.begin().await?;
    let id = match users::create(
        &mut tx,
        &users::NewUser {
            county_code: &county_key,
            username: &v.username,
            display_name: &v.display_name,
            password_hash: &hash,
            grants: std::slice::from_ref(&v.grant),
        },
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(
                ApiError::new(StatusCode::CONFLICT, "username_taken", "该用户名已被使用").with_field("username")
            );
        }
        Err(e) => return Err(e.into()),
    };
    let ev = AuditEvent {
        county_code: county_key,
        actor: actor.to_owned(),
        action: "user.create".into(),
        target: format!("user:{}", v.username),
        summary: format!("创建账号，角色 {}，范围 {}", v.grant.role.as_str(), v.grant.scope),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A station, agency or deputy scope must name an active record of the account's county: a
/// deputy account is thereby linked to its deputy record.
async fn check_scope_target(state: &AppState, v: &ValidNewUser) -> Result<(), ApiError> {
    use liaison_store::org;
    let county = match &v.grant.scope {
        Scope::Region(_) => return Ok(()),
        Scope::Station(s) => org::station_by_slug(&state.db, s).await?.filter(|x| x.active).map(|x| x.data.county_code),
        Scope::Agency(s) => org::agency_by_slug(&state.db, s).await?.filter(|x| x.active).map(|x| x.data.county_code),
        Scope::Deputy(s) => org::deputy_by_slug(&state.db, s).await?.filter(|x| x.active).map(|x| x.data.county_code),
    };
    match county {
        Some(c) if c == v.county.county_key() => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "scope_outside_county",
            "所选联络站、单位或代表不属于该县（区）",
        )
        .with_field("scope")),
        None => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_scope",
            "找不到范围所指的联络站、承办单位或代表（请填写其标识）",
        )
        .with_field("scope")),
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
    let v = validate_new_user(&n)?;
    // The account's county and, for a region scope, the region itself must lie in the admin's.
    caller.check(Action::UserWrite, Target::Region(&v.county))?;
    if let Scope::Region(c) = &v.grant.scope {
        caller.check(Action::UserWrite, Target::Region(c))?;
    }
    let id = create_account(&state, v, &caller.actor()).await?;
    let u = users::get_summary(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
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
    let u = users::get_summary(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    let county = RegionCode::parse(&u.county_code).map_err(ApiError::internal)?;
    caller.check(Action::AccountUnlock, Target::Region(&county))?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    users::clear_failures(&mut tx, id).await?;
    let ev = AuditEvent {
        county_code: u.county_code.clone(),
        actor: caller.actor(),
        action: "account.unlock".into(),
        target: format!("user:{}", u.username),
        summary: "解除账号锁定".into(),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
