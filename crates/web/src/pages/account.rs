//! Changing one's own password, and the forced change after an administrator's reset: until it
//! is done, the gate sends every page here.

use super::{Nav, render, safe_next};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::PageForm;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    nav: Nav,
    forced: bool,
    next: String,
    /// (field, message) of a refusal, shown beside the field.
    error: Option<(String, String)>,
    done: bool,
}

#[derive(Deserialize, Default)]
pub struct PasswordQuery {
    next: Option<String>,
    done: Option<String>,
}

fn page(caller: &Caller, next: String, error: Option<(String, String)>, done: bool) -> Result<Html<String>, PageError> {
    render(&PasswordPage { nav: Nav::for_caller(caller), forced: caller.must_change_password(), next, error, done })
}

pub async fn form(caller: Caller, Query(q): Query<PasswordQuery>) -> Result<Html<String>, PageError> {
    let next = q.next.as_deref().map(|n| safe_next(Some(n))).unwrap_or_default();
    page(&caller, next, None, q.done.is_some())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_again: String,
    next: Option<String>,
}

pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let next = f.next.as_deref().filter(|n| !n.is_empty()).map(|n| safe_next(Some(n))).unwrap_or_default();
    let refuse = |field: &str, message: String| -> Result<Response, PageError> {
        let html = page(&caller, next.clone(), Some((field.to_owned(), message)), false)?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
    };
    if f.new_password != f.new_password_again {
        return refuse("new_password_again", "两次输入的新密码不一致".into());
    }
    let keep = caller.session.as_ref().map(|s| s.token_hash.as_str());
    let result = liaison_app::accounts::change_own_password(
        &state.app,
        &caller.principal,
        keep,
        &f.current_password,
        &f.new_password,
    )
    .await
    .map_err(ApiError::from);
    match result {
        Ok(()) if next.is_empty() && caller.must_change_password() => {
            Ok(Redirect::to(super::landing(&caller.principal)).into_response())
        }
        Ok(()) if next.is_empty() => Ok(Redirect::to("/account/password?done=1").into_response()),
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            refuse(e.field.as_deref().unwrap_or("new_password"), e.message)
        }
        Err(e) => Err(PageError(e)),
    }
}
