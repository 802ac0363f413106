//! The HTTP adapter of liaison: the router and its OpenAPI document, the authorization
//! middleware every route passes through, the JSON API and the Chinese pages. Handlers are thin:
//! they extract input, call the domain and the store, and map errors.

mod api;
mod assets;
pub mod auth;
mod download;
mod error;
mod extract;
pub mod limits;
mod multipart_token;
mod pages;
pub mod qr;
mod routes;
mod security_headers;
mod state;
mod telemetry;
mod text_guard;

pub use error::ApiError;
pub use routes::{Policy, app_state, build_app};
pub use state::{AppState, Settings};
pub use telemetry::metrics_handle;

use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Serves the app on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
