//! Who am I.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GrantBody {
    pub role: String,
    pub role_label: String,
    /// `region:CODE`, `station:SLUG`, `agency:SLUG` or `deputy:SLUG`.
    pub scope: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeBody {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<GrantBody>,
}

pub(crate) fn grants_body(grants: &[liaison_domain::authz::Grant]) -> Vec<GrantBody> {
    grants
        .iter()
        .map(|g| GrantBody {
            role: g.role.as_str().into(),
            role_label: g.role.label().into(),
            scope: g.scope.to_string(),
        })
        .collect()
}

/// The signed-in account and its roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])), responses(
    (status = 200, body = MeBody), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Result<Json<MeBody>, ApiError> {
    let a = caller.principal.account().ok_or_else(ApiError::unauthenticated)?;
    Ok(Json(MeBody {
        id: a.id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        grants: grants_body(&a.grants),
    }))
}
