//! The audit log, for auditors only.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use liaison_domain::audit::AuditEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// An action or its prefix, e.g. `session.` or `user.create`.
    pub action: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryBody {
    pub county_code: String,
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub summary: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(e: AuditEntry) -> Self {
        AuditEntryBody {
            county_code: e.county_code,
            seq: e.seq,
            at: e.at_ms,
            actor: e.actor,
            action: e.action,
            target: e.target,
            summary: e.summary,
            hash: e.hash,
        }
    }
}

/// Entries within the auditor's region, newest first.
pub async fn entries(state: &AppState, caller: &Caller, q: &AuditQuery) -> Result<Vec<AuditEntry>, ApiError> {
    let query = liaison_app::audit::AuditQuery {
        actor: q.actor.clone(),
        action: q.action.clone(),
        from_ms: q.from,
        to_ms: q.to,
        limit: q.limit,
        offset: q.offset,
    };
    Ok(liaison_app::audit::entries(&state.app, &caller.principal, &query).await?)
}

/// The audit log, filtered.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("bearer" = [])), responses(
    (status = 200, body = Vec<AuditEntryBody>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntryBody>>, ApiError> {
    Ok(Json(entries(&state, &caller, &q).await?.into_iter().map(AuditEntryBody::from).collect()))
}
