//! Extractors whose rejections answer in our error format, so that even a malformed or oversized
//! body gets a clear Chinese message.

use crate::error::{ApiError, PageError};
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "请求体过大");
    }
    match r {
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request("malformed_json", "请求体不是有效的 JSON"),
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("请求字段不符合要求：{}", e.body_text().rsplit(": ").next().unwrap_or_default()),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求体应为 JSON（Content-Type: application/json）",
        ),
        other => ApiError::bad_request("bad_request", format!("无法读取请求体（{}）", other.status())),
    }
}

/// A query string parsed into `T`; a bad one is a 400 in our format.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(
            |e: QueryRejection| ApiError::bad_request("invalid_query", format!("查询参数不正确：{}", e.body_text())),
        )
    }
}

/// A submitted form; rejections render as an error page.
pub struct PageForm<T>(pub T);

impl<S, T> FromRequest<S> for PageForm<T>
where
    axum::Form<T>: FromRequest<S, Rejection = FormRejection>,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "提交的内容过大").into())
            }
            Err(_) => Err(ApiError::bad_request("invalid_form", "表单内容不完整或格式不正确").into()),
        }
    }
}

/// A path parameter that does not parse (`/api/v1/cases/abc`) answers in our format, in
/// Chinese, instead of axum's English plain text.
fn path_rejection(r: PathRejection) -> ApiError {
    tracing::debug!(rejection = %r.body_text(), "path parameter refused");
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "地址中的编号或标识格式不正确，未找到请求的资源")
}

/// Path parameters for the JSON API.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state).await.map(|p| ApiPath(p.0)).map_err(path_rejection)
    }
}

/// Path parameters for pages: a bad one shows the Chinese error page.
pub struct PagePath<T>(pub T);

impl<S, T> FromRequestParts<S> for PagePath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PagePath(p.0))
            .map_err(|r| PageError(path_rejection(r)))
    }
}

/// The `Idempotency-Key` header: 8 to 128 visible ASCII characters. A header that is present but
/// not readable (non-ASCII) is refused rather than ignored.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) if !s.trim().is_empty() => Ok(liaison_app::cases::check_idempotency_key(Some(s))?),
            _ => Err(ApiError::bad_request("invalid_idempotency_key", "Idempotency-Key 应为 8 到 128 个可见字符")),
        },
    }
}
