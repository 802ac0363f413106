//! Refuses control characters in any text a request carries — path, query, JSON and form bodies —
//! before a handler sees it, so that a NUL byte never reaches PostgreSQL (which refuses it with an
//! error) nor SQLite (which would store it). Newline, carriage return and tab are allowed in
//! bodies, where text may be multi-line; single-line fields refuse them in their own parsers.

use crate::error::{ApiError, PageError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use liaison_domain::text::{Lines, find_control};

/// Where the offending character was found: the field (or `path`, `query`).
fn refusal(req_path: &str, field: &str) -> Response {
    let e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "control_character",
        "内容含有不可见的控制字符，请删除后重新提交",
    )
    .with_field(field.to_owned());
    if is_api(req_path) { e.into_response() } else { PageError(e).into_response() }
}

pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/open311/")
}

/// The first field of a JSON value whose text holds a control character.
fn json_field(v: &serde_json::Value, at: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) => find_control(s, Lines::Many).map(|_| at.to_owned()),
        serde_json::Value::Array(items) => items.iter().find_map(|x| json_field(x, at)),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            if find_control(k, Lines::One).is_some() {
                return Some(at.to_owned());
            }
            json_field(x, if at.is_empty() { k } else { at })
        }),
        _ => None,
    }
}

/// The first pair of a URL-encoded string (a query or a form) that holds a control character.
fn urlencoded_field(raw: &[u8], lines: Lines) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| find_control(k, Lines::One).is_some() || find_control(v, lines).is_some())
        .map(|(k, _)| k)
}

pub async fn refuse_control_characters(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
    if find_control(&decoded, Lines::One).is_some() {
        return refusal(&path, "path");
    }
    if let Some(q) = req.uri().query()
        && let Some(field) = urlencoded_field(q.as_bytes(), Lines::One)
    {
        return refusal(&path, &field);
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let json = content_type.starts_with("application/json");
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    if !json && !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "请求体过大").into_response();
    };
    let bad = if json {
        // A body that is not JSON is left to the handler's extractor, which answers it.
        serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|v| json_field(&v, ""))
    } else {
        urlencoded_field(&bytes, Lines::Many)
    };
    if let Some(field) = bad {
        return refusal(&path, if field.is_empty() { "body" } else { &field });
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}
