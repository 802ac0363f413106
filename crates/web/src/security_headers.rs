//! The headers every answer carries: a Content-Security-Policy that lets a page load only this
//! server's own scripts, styles and images (no inline script, no framing), `nosniff`, a referrer
//! policy that keeps tracking codes in URLs from leaking to other sites, and `no-store` on every
//! answer that may carry personal data.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Public answers that hold no personal data and may be cached: assets, QR codes, the public
/// directory and the API description. Everything else is `no-store`.
fn cacheable(path: &str) -> bool {
    const PREFIXES: &[&str] =
        &["/static/", "/qr/", "/county/", "/station/", "/deputy/", "/api/openapi.json", "/healthz", "/readyz"];
    PREFIXES.iter().any(|p| path.starts_with(p)) && !path.contains("/contact")
}

pub async fn set(req: Request, next: Next) -> Response {
    let store = !cacheable(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if store {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
