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
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, Denied, Principal, Target};
use liaison_domain::{password, token};
use liaison_store::{audit, sessions, users};

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

/// Finds the session behind a token, ending it if it has been idle too long.
async fn resolve(state: &AppState, token: &str, via_cookie: bool) -> Result<Option<Caller>, ApiError> {
    let hash = token::hash_token(token);
    let Some(row) = sessions::find(&state.db, &hash).await? else { return Ok(None) };
    let expected_kind = if via_cookie { "cookie" } else { "bearer" };
    if row.kind != expected_kind {
        return Ok(None);
    }
    let now = state.now_ms();
    let idle_ms = state.settings.session_idle.num_milliseconds();
    let max_ms = state.settings.session_max.num_milliseconds();
    if now - row.last_seen_at > idle_ms || now - row.created_at > max_ms {
        let mut tx = state.db.begin().await?;
        sessions::delete(&mut tx, &hash).await?;
        tx.commit().await?;
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "session_expired", "登录已超时，请重新登录"));
    }
    let Some(account) = users::load_account(&state.db, row.user_id).await? else { return Ok(None) };
    // Refresh the idle timer at most once a minute, so reads stay reads.
    if now - row.last_seen_at > 60_000 {
        sessions::touch(&state.db, &hash, now).await?;
    }
    Ok(Some(Caller {
        principal: Principal::User(account),
        session: Some(Session { token_hash: hash, csrf: row.csrf_token, via_cookie }),
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
    // A multipart upload carries its token in the form's action URL.
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
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
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

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginError {
    BadCredentials,
    Locked,
    Store(ApiError),
}

impl From<liaison_store::StoreError> for LoginError {
    fn from(e: liaison_store::StoreError) -> Self {
        LoginError::Store(e.into())
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> ApiError {
        match e {
            // Unknown, wrong and locked answer alike, so that nobody learns which usernames
            // exist or which accounts are locked (the audit log tells the security admin).
            LoginError::BadCredentials | LoginError::Locked => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "用户名或密码错误。连续输错多次的账号会暂时锁定，请稍后再试或联系安全管理员",
            ),
            LoginError::Store(e) => e,
        }
    }
}

pub struct LoggedIn {
    pub token: String,
}

/// Checks a username and password and opens a session of `kind` ("cookie" or "bearer").
/// Failures count toward the lock-out; every outcome is audited.
pub async fn login(
    state: &AppState,
    client: crate::limits::ClientIp,
    username: &str,
    pw: &str,
    kind: &str,
) -> Result<LoggedIn, LoginError> {
    // Slow down by address too: the per-account lock-out alone lets one client try a password
    // on every account in turn.
    state.limits.spend(crate::limits::Bucket::Login, client, 1).map_err(LoginError::Store)?;
    let username = username.trim().to_lowercase();
    let user = users::find_by_username(&state.db, &username).await?;
    let now = state.app.clock.now();
    let now_ms = now.timestamp_millis();
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::dummy_hash().to_owned());
    let pw_owned = pw.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify_password(&pw_owned, &hash))
        .await
        .map_err(|e| LoginError::Store(ApiError::internal(e)))?;
    let event = |county: &str, action: &str, summary: &str| AuditEvent {
        county_code: county.to_owned(),
        actor: username.clone(),
        action: action.to_owned(),
        target: format!("user:{username}"),
        summary: summary.to_owned(),
    };
    let Some(user) = user else {
        audit::record(&state.db, &event("000000", "session.login_failed", "未知用户名"), now_ms).await?;
        return Err(LoginError::BadCredentials);
    };
    if user.locked_until.is_some_and(|t| t > now_ms) {
        audit::record(
            &state.db,
            &event(&user.county_code, "session.login_refused_locked", "账号锁定期间尝试登录"),
            now_ms,
        )
        .await?;
        return Err(LoginError::Locked);
    }
    if user.disabled || !matches {
        let mut tx = state.db.begin().await?;
        let until = (now + state.settings.lockout_for).timestamp_millis();
        let locked = users::record_failure(&mut tx, user.id, state.settings.lockout_failures, until).await?;
        audit::append(&mut tx, &event(&user.county_code, "session.login_failed", "密码错误"), now_ms).await?;
        if locked.is_some() {
            let mins = state.settings.lockout_for.num_minutes();
            audit::append(
                &mut tx,
                &event(&user.county_code, "account.locked", &format!("连续登录失败，锁定 {mins} 分钟")),
                now_ms,
            )
            .await?;
        }
        tx.commit().await?;
        return Err(if locked.is_some() { LoginError::Locked } else { LoginError::BadCredentials });
    }
    let token_value = token::random_token();
    let csrf = token::random_token();
    let mut tx = state.db.begin().await?;
    users::clear_failures(&mut tx, user.id).await?;
    sessions::create(&mut tx, &token::hash_token(&token_value), &user.county_code, user.id, kind, &csrf, now_ms)
        .await?;
    audit::append(
        &mut tx,
        &event(&user.county_code, "session.login", if kind == "cookie" { "网页登录" } else { "接口令牌登录" }),
        now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(LoggedIn { token: token_value })
}

/// Ends the caller's session.
pub async fn logout(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let (Some(s), Some(a)) = (&caller.session, caller.principal.account()) else {
        return Ok(());
    };
    let county = users::get_summary(&state.db, a.id).await?.map(|u| u.county_code).unwrap_or_else(|| "000000".into());
    let mut tx = state.db.begin().await?;
    sessions::delete(&mut tx, &s.token_hash).await?;
    let ev = AuditEvent {
        county_code: county,
        actor: a.username.clone(),
        action: "session.logout".into(),
        target: format!("user:{}", a.username),
        summary: "退出登录".into(),
    };
    audit::append(&mut tx, &ev, state.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}
