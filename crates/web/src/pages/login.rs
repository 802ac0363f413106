//! Signing in and out in the browser. The login form carries its own CSRF token (a cookie and a
//! hidden field that must match), since there is no session yet.

use super::{Nav, render};
use crate::auth::{self, Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie_value, is_secure, set_cookie};
use crate::error::PageError;
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liaison_domain::token;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path of this site may follow a login: one leading `/`, no `//` or backslash (which
/// browsers read as another host), no control character or space (a browser drops a tab or a
/// newline and then reads `/\t/evil.example/` as `//evil.example/`); else the landing page.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2000
                && !n.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_follow_a_login() {
        for ok in ["/", "/cases?status=received", "/cases/12", "/track/ABCDE-FGHJK"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/ /evil.example",
            "/\u{3000}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let csrf = token::random_token();
    let html = render(&LoginPage { nav: Nav::default(), csrf: csrf.clone(), next, username, error })?;
    let cookie = set_cookie(LOGIN_CSRF_COOKIE, &csrf, "/login", is_secure(state, headers), None);
    Ok((status, [(header::SET_COOKIE, cookie)], html).into_response())
}

/// The page asked for before signing in, if any: kept through the form; without one, each role
/// lands on its own work.
fn asked_next(next: Option<&str>) -> String {
    match next.filter(|n| !n.is_empty()) {
        // An address elsewhere is dropped: the role's own landing page instead.
        Some(n) if safe_next(Some(n)) == n => n.to_owned(),
        _ => String::new(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    login_page(&state, &headers, StatusCode::OK, asked_next(q.next.as_deref()), String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    client: crate::limits::ClientIp,
    headers: HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Result<Response, PageError> {
    let next = asked_next(f.next.as_deref());
    let cookie_token = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if cookie_token.is_empty() || !token::constant_time_eq(cookie_token, &f.csrf_token) {
        let msg = "页面已过期，请重新提交".to_owned();
        return login_page(&state, &headers, StatusCode::FORBIDDEN, next, f.username, Some(msg));
    }
    match auth::login(&state, client, &f.username, &f.password, "cookie").await {
        Ok(logged) => {
            let secure = is_secure(&state, &headers);
            let session = set_cookie(SESSION_COOKIE, &logged.token, "/", secure, None);
            let clear = set_cookie(LOGIN_CSRF_COOKIE, "", "/login", secure, Some(0));
            let opened = liaison_app::accounts::resolve(&state.app, &logged.token, "cookie").await?;
            let target = match (&opened, next.is_empty()) {
                (Some(s), true) => super::landing(&s.principal).to_owned(),
                _ if next.is_empty() => "/".to_owned(),
                _ => next,
            };
            // A reset password is replaced before anything else.
            let target = if opened.is_some_and(|s| s.must_change_password) {
                format!("/account/password?{}", serde_urlencoded::to_string([("next", &target)]).unwrap_or_default())
            } else {
                target
            };
            let mut res = Redirect::to(&target).into_response();
            res.headers_mut().append(header::SET_COOKIE, session);
            res.headers_mut().append(header::SET_COOKIE, clear);
            Ok(res)
        }
        Err(e) => {
            if e.status.is_server_error() {
                return Err(PageError(e));
            }
            login_page(&state, &headers, e.status, next, f.username, Some(e.message))
        }
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, caller: Caller) -> Result<Response, PageError> {
    auth::logout(&state, &caller).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", is_secure(&state, &headers), Some(0)));
    Ok(res)
}
