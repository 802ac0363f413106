//! The gate every request passes: find the caller from a bearer token or session cookie, expire
//! idle sessions, check CSRF on cookie-authenticated writes, and ask `authz::authorize` whether
//! the route's action is allowed. Handlers then check the resource they touch with the same
//! function through [`Caller::check`].

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use liaison_domain::authz::{self, Action, Denied, Principal, Target};
use liaison_domain::token;

pub const SESSION_COOKIE: &str = "liaison_session";
pub const LOGIN_CSRF_COOKIE: &str = "liaison_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub csrf: String,
    pub via_cookie: bool,
}

/// The caller of a request, as the gate found it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub session: Option<Session>,
}

impl Caller {
    /// The resource-level check: may this caller take `action` on `target`?
    pub fn check(&self, action: Action, target: Target<'_>) -> Result<(), ApiError> {
        authz::authorize(&self.principal, action, target).map_err(denied_error)
    }

    pub fn actor(&self) -> String {
        self.principal.actor()
    }

    pub fn csrf(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or("")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route reached without passing the gate"))
    }
}

pub fn denied_error(d: Denied) -> ApiError {
    match d {
        Denied::Unauthenticated => ApiError::unauthenticated(),
        Denied::Forbidden => ApiError::forbidden(),
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/open311/")
}

/// Answers a refusal in the form the client expects: JSON for the API, a redirect to the login
/// page or an error page for the browser.
fn refuse(path: &str, e: ApiError) -> Response {
    if is_api(path) {
        return e.into_response();
    }
    if e.status == StatusCode::UNAUTHORIZED {
        let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{next}")).into_response();
    }
    crate::error::PageError(e).into_response()
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// A `Set-Cookie` value. Session cookies are HttpOnly and SameSite=Lax, Secure behind TLS.
pub fn set_cookie(name: &str, value: &str, path: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).expect("cookie values are ASCII tokens")
}

/// Finds the session behind a token (the use-case ends it when idle or too old).
async fn resolve(state: &AppState, token: &str, via_cookie: bool) -> Result<Option<Caller>, ApiError> {
    let kind = if via_cookie { "cookie" } else { "bearer" };
    Ok(liaison_app::accounts::resolve(&state.app, token, kind).await?.map(|s| Caller {
        principal: s.principal,
        session: Some(Session { token_hash: s.token_hash, csrf: s.csrf, via_cookie }),
    }))
}

async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let anonymous = Caller { principal: Principal::Anonymous, session: None };
    if let Some(t) = bearer(headers) {
        return match resolve(state, t, false).await? {
            Some(c) => Ok(c),
            None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "令牌无效或已失效，请重新登录")),
        };
    }
    if let Some(t) = cookie_value(headers, SESSION_COOKIE) {
        return Ok(resolve(state, t, true).await?.unwrap_or(anonymous));
    }
    Ok(anonymous)
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// For a cookie-authenticated write, finds the CSRF token in the header or, for a form post, in
/// the body (which is read and put back).
async fn csrf_ok(req: Request, expected: &str, limit: usize) -> Result<(bool, Request), ApiError> {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = token::constant_time_eq(h, expected);
        return Ok((ok, req));
    }
    // An older multipart form carries its token in its action URL.
    if let Some(q) = req.uri().query() {
        let from_query = serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .unwrap_or_default()
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v);
        if let Some(v) = from_query {
            let ok = token::constant_time_eq(&v, expected);
            return Ok((ok, req));
        }
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if content_type.starts_with("multipart/form-data") {
        return multipart_csrf_ok(req, expected, &content_type).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((false, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "提交的内容过大"))?;
    let found = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v);
    let ok = found.is_some_and(|v| token::constant_time_eq(&v, expected));
    Ok((ok, Request::from_parts(parts, Body::from(bytes))))
}

/// The largest upload a page form may send: nine photos (or a roster file) and the fields.
pub const UPLOAD_LIMIT: usize = 40 * 1024 * 1024 + 64 * 1024;

/// A multipart form (an upload) carries its token as a field, so that it never appears in a URL:
/// the body is read (up to [`UPLOAD_LIMIT`]), its fields are scanned for the token, and the body
/// is put back for the handler.
async fn multipart_csrf_ok(req: Request, expected: &str, content_type: &str) -> Result<(bool, Request), ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, UPLOAD_LIMIT)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "提交的内容过大"))?;
    let copy = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.clone()))
        .map_err(ApiError::internal)?;
    let mut ok = false;
    if let Ok(mut form) = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(copy, &()).await {
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some(CSRF_FIELD) {
                ok = field.text().await.is_ok_and(|v| token::constant_time_eq(&v, expected));
                break;
            }
        }
    }
    Ok((ok, Request::from_parts(parts, Body::from(bytes))))
}

/// The middleware on every route (installed with `route_layer`, so the route is known).
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let matched = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let method = req.method().clone();
    let Some(action) = matched.as_deref().and_then(|m| state.policy.action(&method, m)) else {
        // A known route asked with another method: 405, with the methods it has.
        let allowed = matched.as_deref().map(|m| state.policy.methods(m)).unwrap_or_default();
        if !allowed.is_empty() {
            let e = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "不支持该请求方法");
            let mut res = refuse(&path, e);
            if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                res.headers_mut().insert(header::ALLOW, v);
            }
            return res;
        }
        // A route nobody gave an action to is closed.
        tracing::error!(%method, path = matched.as_deref().unwrap_or("?"), "route without an action in the policy table");
        return refuse(&path, ApiError::forbidden());
    };
    let caller = match identify(&state, req.headers()).await {
        Ok(c) => c,
        Err(e) => return refuse(&path, e),
    };
    if let Err(d) = authz::authorize(&caller.principal, action, Target::Any) {
        return refuse(&path, denied_error(d));
    }
    let mut req = req;
    // Public forms (the contact form, code recovery, the survey) carry no token and act for no
    // account, so a staff session in the same browser neither helps nor hinders them.
    let needs_csrf = action != Action::Public;
    if let Some(s) = caller.session.as_ref().filter(|s| needs_csrf && s.via_cookie && !is_safe(&method)) {
        match csrf_ok(req, &s.csrf, state.settings.body_limit).await {
            Ok((true, r)) => req = r,
            Ok((false, _)) => {
                return refuse(
                    &path,
                    ApiError::new(
                        StatusCode::FORBIDDEN,
                        "csrf_failed",
                        "页面已过期或请求来源无法验证，请刷新页面后重试",
                    ),
                );
            }
            Err(e) => return refuse(&path, e),
        }
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

pub use liaison_app::accounts::LoginError;

/// Unknown, wrong and locked answer alike, so that nobody learns which usernames exist or which
/// accounts are locked (the audit log tells the security admin).
pub fn login_refusal(e: LoginError) -> ApiError {
    match e {
        LoginError::BadCredentials | LoginError::Locked => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误。连续输错多次的账号会暂时锁定，请稍后再试或联系安全管理员",
        ),
        LoginError::Failed(e) => e.into(),
    }
}

pub struct LoggedIn {
    pub token: String,
}

/// Checks a username and password and opens a session of `kind` ("cookie" or "bearer"), after
/// slowing down by address: the per-account lock-out alone lets one client try a password on
/// every account in turn.
pub async fn login(
    state: &AppState,
    client: crate::limits::ClientIp,
    username: &str,
    pw: &str,
    kind: &str,
) -> Result<LoggedIn, ApiError> {
    state.limits.spend(crate::limits::Bucket::Login, client, 1)?;
    let token = liaison_app::accounts::login(&state.app, username, pw, kind).await.map_err(login_refusal)?;
    Ok(LoggedIn { token })
}

/// Ends the caller's session.
pub async fn logout(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let Some(s) = &caller.session else { return Ok(()) };
    Ok(liaison_app::accounts::logout(&state.app, &caller.principal, &s.token_hash).await?)
}
