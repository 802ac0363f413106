//! The one error type of the web layer. API errors answer
//! `{"error": {"code", "message", "field"}}`; pages show the same message on a Chinese error page.
//! 5xx are logged with their cause and never show it.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use liaison_domain::Invalid;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// When several fields are wrong, each of them (the first is the one above).
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub code: String,
    pub message: String,
    pub field: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_region_code`.
    pub code: String,
    /// What went wrong, in Chinese.
    pub message: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault, when a submission had several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), field: None, fields: vec![] }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "您没有权限执行此操作")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "未找到请求的资源")
    }

    /// Logs `cause` and answers a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，请稍后再试")
    }

    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self.field.clone(),
                fields: if self.fields.len() > 1 { self.fields.clone() } else { vec![] },
            },
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code, e.message).with_field(e.field)
    }
}

/// The one place where the use-cases' errors become HTTP answers.
impl From<liaison_app::Error> for ApiError {
    fn from(e: liaison_app::Error) -> Self {
        use liaison_app::Error as E;
        let with = |a: ApiError, field: Option<String>| match field {
            Some(f) => a.with_field(f),
            None => a,
        };
        match e {
            E::Unauthenticated { code, message } => ApiError::new(StatusCode::UNAUTHORIZED, code, message),
            E::Refused { message } => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            E::NotFound => ApiError::not_found(),
            E::Conflict { code, message, field } => with(ApiError::new(StatusCode::CONFLICT, code, message), field),
            E::Invalid { code, message, field } => {
                with(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message), field)
            }
            E::Malformed { code, message, field } => with(ApiError::bad_request(code, message), field),
            E::TooLarge { message } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message),
            E::Unavailable { message } => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message),
            E::Fields(errors) => {
                let fields = errors
                    .iter()
                    .map(|e| FieldError { code: e.code.into(), message: e.message.clone(), field: e.field.into() })
                    .collect();
                let first = errors.into_iter().next().map(ApiError::from).unwrap_or_else(|| {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "请求字段不符合要求")
                });
                ApiError { fields, ..first }
            }
            E::Storage(s) => ApiError::internal(s),
            E::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// The same error, shown as a page.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    status: u16,
    message: &'a str,
    nav: crate::pages::Nav,
    /// The page of this site the request came from.
    back: Option<String>,
    /// Where else to go: the caller's own work, or for a visitor the tracking page.
    ways: Vec<(String, &'static str)>,
}

/// What an error page showed, kept on the response so that the gate, which knows the caller, can
/// show it again with the caller's menu and a way back.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    title: &'static str,
    message: String,
}

fn page_html(status: StatusCode, shown: &Shown, nav: crate::pages::Nav, back: Option<String>) -> Option<String> {
    let ways = match &nav.user {
        Some(_) => vec![(nav.home.clone(), if nav.home == "/" { "回到工作台" } else { "回到我的工作" })],
        None => vec![("/track".to_owned(), "查询办理进度")],
    };
    let page = ErrorPage { title: shown.title, status: status.as_u16(), message: &shown.message, nav, back, ways };
    page.render().ok()
}

/// Shows an error page again with the caller's menu and a way back; other answers pass as they
/// are.
pub(crate) fn with_menu(mut res: Response, caller: &crate::auth::Caller, back: Option<String>) -> Response {
    let Some(shown) = res.extensions_mut().remove::<Shown>() else { return res };
    if let Some(html) = page_html(res.status(), &shown, crate::pages::Nav::for_caller(caller), back) {
        res.headers_mut().remove(axum::http::header::CONTENT_LENGTH);
        *res.body_mut() = axum::body::Body::from(html);
    }
    res
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let title = match e.status.as_u16() {
            401 => "请先登录",
            403 => "没有权限",
            404 => "页面不存在",
            413 => "提交的内容过大",
            400..=499 => "请求有误",
            _ => "服务器错误",
        };
        // Every field at fault, so that one correction is enough.
        let all = e.fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("；");
        let message = if e.fields.len() > 1 { all } else { e.message.clone() };
        let shown = Shown { title, message };
        let mut res = match page_html(e.status, &shown, crate::pages::Nav::default(), None) {
            Some(html) => (e.status, Html(html)).into_response(),
            None => (e.status, e.message).into_response(),
        };
        res.extensions_mut().insert(shown);
        res
    }
}
