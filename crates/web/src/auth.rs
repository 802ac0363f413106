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
    /// An administrator reset the password: nothing but choosing a new one until it is done.
    pub must_change_password: bool,
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

    pub fn must_change_password(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.must_change_password)
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
/// page or an error page for the browser (with the caller's menu, once the caller is known).
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

/// The page a request came from, when it is a page of this site other than the one asked for:
/// where an error page's 返回上一页 leads.
pub(crate) fn came_from(headers: &HeaderMap, current: &axum::http::Uri) -> Option<String> {
    let referer: axum::http::Uri = headers.get(header::REFERER)?.to_str().ok()?.parse().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if referer.authority().map(|a| a.as_str()) != Some(host) {
        return None;
    }
    let path = referer.path_and_query()?.as_str();
    let same = current.path_and_query().is_some_and(|c| c.as_str() == path);
    let safe = crate::pages::safe_next(Some(path));
    (!same && safe == path && !path.starts_with("/login")).then(|| path.to_owned())
}

/// Routes open to an account that must first change its password: that page, signing out, and
/// the API's identity and password routes.
const OPEN_DURING_PASSWORD_CHANGE: &[(&str, &str)] = &[
    ("GET", "/account/password"),
    ("POST", "/account/password"),
    ("POST", "/logout"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("DELETE", "/api/v1/session"),
];

fn held_for_password_change(method: &Method, route: &str, path: &str) -> Option<Response> {
    let m = if *method == Method::HEAD { "GET" } else { method.as_str() };
    if OPEN_DURING_PASSWORD_CHANGE.iter().any(|(om, r)| *om == m && *r == route) {
        return None;
    }
    if is_api(path) {
        let e = ApiError::new(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "管理员已重置您的密码，请先修改密码（POST /api/v1/me/password）",
        );
        return Some(e.into_response());
    }
    let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
    Some(Redirect::to(&format!("/account/password?{next}")).into_response())
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
        session: Some(Session {
            token_hash: s.token_hash,
            csrf: s.csrf,
            via_cookie,
            must_change_password: s.must_change_password,
        }),
    }))
}

pub(crate) async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
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
    // An upload carries its token as the first field of its multipart body.
    let mut req = req;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::multipart_token::boundary);
    if let Some(b) = multipart {
        let (found, back) = crate::multipart_token::token(req, &b, CSRF_FIELD).await;
        req = back;
        if let Some(v) = found {
            let ok = token::constant_time_eq(&v, expected);
            return Ok((ok, req));
        }
    }
    // Upload forms used to carry it in their action URL (it then stays in the address bar).
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
    let back = came_from(req.headers(), req.uri());
    if let Err(d) = authz::authorize(&caller.principal, action, Target::Any) {
        return with_menu(refuse(&path, denied_error(d)), &caller, back);
    }
    if action != Action::Public
        && caller.must_change_password()
        && let Some(res) = held_for_password_change(&method, matched.as_deref().unwrap_or(""), &path)
    {
        return res;
    }
    let mut req = req;
    // Public forms (the contact form, code recovery, the survey) carry no token and act for no
    // account, so a staff session in the same browser neither helps nor hinders them.
    let needs_csrf = action != Action::Public;
    if let Some(s) = caller.session.as_ref().filter(|s| needs_csrf && s.via_cookie && !is_safe(&method)) {
        match csrf_ok(req, &s.csrf, state.settings.body_limit).await {
            Ok((true, r)) => req = r,
            Ok((false, _)) => {
                let e = ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_failed",
                    "页面已过期或请求来源无法验证，请刷新页面后重试",
                );
                return with_menu(refuse(&path, e), &caller, back);
            }
            Err(e) => return with_menu(refuse(&path, e), &caller, back),
        }
    }
    req.extensions_mut().insert(caller.clone());
    with_menu(next.run(req).await, &caller, back)
}

/// An error page shows the caller's own menu and a way back.
fn with_menu(res: Response, caller: &Caller, back: Option<String>) -> Response {
    crate::error::with_menu(res, caller, back)
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
