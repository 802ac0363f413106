//! Liveness, readiness and metrics.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "ok", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses(
    (status = 200, description = "ready", body = String),
    (status = 503, description = "database unreachable", body = String)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.app.ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Prometheus text format: requests by route and status, latency histogram, and the search
/// index's state (`liaison_search_index_ready` 0 or 1, `liaison_search_index_cursor`: the last
/// case event it reflects, `liaison_search_index_searches_total`: searches it answered,
/// `liaison_search_index_commits_total`: its commits since the server started).
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Some(index) = state.app.search_index() {
        metrics::gauge!("liaison_search_index_ready").set(if index.ready() { 1.0 } else { 0.0 });
        metrics::gauge!("liaison_search_index_cursor").set(index.cursor() as f64);
        metrics::counter!("liaison_search_index_searches_total").absolute(index.searches() as u64);
        metrics::counter!("liaison_search_index_commits_total").absolute(index.commits() as u64);
    }
    crate::telemetry::render_metrics().await
}
