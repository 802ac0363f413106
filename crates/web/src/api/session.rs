//! Bearer tokens for API clients.

use crate::auth::{self, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// The token lapses after this many seconds without use.
    pub idle_timeout_seconds: i64,
    /// An administrator reset the password: until it is changed (`POST /api/v1/me/password`),
    /// every other route answers 403 `password_change_required`.
    pub must_change_password: bool,
}

/// Log in and receive a bearer token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Credentials, responses(
    (status = 201, body = TokenBody),
    (status = 401, description = "wrong username or password, or the account is locked (answered alike)", body = ErrorBody),
    (status = 429, description = "too many attempts from this address", body = ErrorBody),
    (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    client: crate::limits::ClientIp,
    ApiJson(c): ApiJson<Credentials>,
) -> Result<(StatusCode, Json<TokenBody>), ApiError> {
    if c.username.len() > 64 || c.password.len() > 256 {
        return Err(auth::login_refusal(auth::LoginError::BadCredentials));
    }
    let logged = auth::login(&state, client, &c.username, &c.password, "bearer").await?;
    let must_change_password = liaison_app::accounts::resolve(&state.app, &logged.token, "bearer")
        .await?
        .is_some_and(|s| s.must_change_password);
    Ok((
        StatusCode::CREATED,
        Json(TokenBody {
            token: logged.token,
            idle_timeout_seconds: state.settings.session_idle.num_seconds(),
            must_change_password,
        }),
    ))
}

/// End the current session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody)))]
pub async fn delete(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    auth::logout(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
