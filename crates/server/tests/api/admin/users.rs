//! Accounts: disabling and enabling (system admin), resetting a password with a forced change at
//! the next login (security admin), changing roles and scopes, and changing one's own password;
//! every refusal, including an administrator of another county.

use super::{hidden, login, login_with, page, seed};
use liaison_testkit::{Backend, PASSWORD, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn id_of(app: &TestApp, username: &str) -> i64 {
    liaison_store::users::find_by_username(app.db(), username).await.unwrap().unwrap().id
}

/// The audit entries of exactly `action`.
async fn audited(app: &TestApp, action: &str) -> Vec<Value> {
    let aud = app.token_for("audit-reader", "auditor", "region:611026", "611026").await;
    let all: Vec<Value> = app.get(&format!("/api/v1/audit?action={action}"), Some(&aud)).await.json().await.unwrap();
    all.into_iter().filter(|e| e["action"] == action).collect()
}

async fn post_form(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url(path)).header("cookie", cookie).form(form).send().await.unwrap()
}

pub(super) async fn accounts_are_disabled_and_enabled_within_the_county(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let staff = id_of(&app, "staff").await;
    let staff_token = app.token_for("staff", "", "", "").await;
    let sys = app.token_for("sys", "", "", "").await;
    let sec = app.token_for("sec", "", "", "").await;
    let foreign = app.token_for("sys-za", "system_admin", "region:611025", "611025").await;
    let disable = |t: String| {
        let url = app.url(&format!("/api/v1/users/{staff}/disable"));
        let req = app.client.post(url).bearer_auth(t);
        async move { req.send().await.unwrap() }
    };
    // Another county's admin, the security admin and oneself are refused.
    let res = disable(foreign.clone()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(res).await, "forbidden");
    assert_eq!(disable(sec.clone()).await.status(), StatusCode::FORBIDDEN);
    let own = app.client.post(app.url(&format!("/api/v1/users/{}/disable", id_of(&app, "sys").await)));
    assert_eq!(own.bearer_auth(&sys).send().await.unwrap().status(), StatusCode::FORBIDDEN, "not one's own");
    assert_eq!(app.get("/api/v1/me", Some(&staff_token)).await.status(), StatusCode::OK);
    // Disabled: the session ends and a login is refused like a wrong password.
    assert_eq!(disable(sys.clone()).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", Some(&staff_token)).await.status(), StatusCode::UNAUTHORIZED);
    let res = app.try_login("staff", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(res).await, "bad_credentials");
    let user: Value = app.get(&format!("/api/v1/users/{staff}"), Some(&sys)).await.json().await.unwrap();
    assert_eq!(user["disabled"], true);
    assert_eq!(audited(&app, "user.disable").await.len(), 1);
    // Enabled again from the page.
    let cookie = login(&app, "sys").await;
    let html = page(&app, &cookie, &format!("/admin/users/{staff}")).await.text().await.unwrap();
    assert!(html.contains("已停用") && html.contains("启用账号"), "{html}");
    let csrf = hidden(&html, "csrf_token");
    let res = post_form(&app, &cookie, &format!("/admin/users/{staff}/enable"), &[("csrf_token", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.try_login("staff", PASSWORD).await.status(), StatusCode::CREATED);
    assert_eq!(audited(&app, "user.enable").await.len(), 1);
    // The page refuses another county's admin too.
    let za = app.token_for("sys-za", "", "", "").await;
    let res = app.client.get(app.url(&format!("/admin/users/{staff}"))).bearer_auth(&za).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

pub(super) async fn a_reset_password_must_be_changed_before_anything_else(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let staff = id_of(&app, "staff").await;
    let (old_cookie, _) = login_with(&app, "staff", PASSWORD, "").await;
    // The system admin and another county's security admin may not reset it.
    let sys = app.token_for("sys", "", "", "").await;
    let url = format!("/api/v1/users/{staff}/password-reset");
    assert_eq!(app.post_json(&url, Some(&sys), &json!({})).await.status(), StatusCode::FORBIDDEN);
    let sec_za = app.token_for("sec-za", "security_admin", "region:611025", "611025").await;
    assert_eq!(app.post_json(&url, Some(&sec_za), &json!({})).await.status(), StatusCode::FORBIDDEN);
    let sec = app.token_for("sec", "", "", "").await;
    let res = app.post_json(&url, Some(&sec), &json!({"password": "short1"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a chosen one meets the rule");
    // The security admin resets it on the page; the temporary password is shown once.
    let sec_cookie = login(&app, "sec").await;
    let html = page(&app, &sec_cookie, &format!("/admin/users/{staff}")).await.text().await.unwrap();
    assert!(html.contains("重置密码") && !html.contains("停用账号"), "the security admin's part only");
    let csrf = hidden(&html, "csrf_token");
    let res = post_form(
        &app,
        &sec_cookie,
        &format!("/admin/users/{staff}/password"),
        &[("csrf_token", &csrf), ("password", "")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let at = html.find("id=\"temporary-password\">").unwrap() + "id=\"temporary-password\">".len();
    let temporary = html[at..at + html[at..].find('<').unwrap()].to_owned();
    assert_eq!(temporary.len(), 14, "{temporary}");
    let html = page(&app, &sec_cookie, &format!("/admin/users/{staff}")).await.text().await.unwrap();
    assert!(!html.contains(&temporary) && html.contains("待修改密码"), "shown once");
    // The old session is over; the old password too.
    assert_eq!(page(&app, &old_cookie, "/cases").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.try_login("staff", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    // Signing in with it leads to the change, and every page waits for it.
    let (cookie, location) = login_with(&app, "staff", &temporary, "").await;
    assert_eq!(location, "/account/password?next=%2Fcases%3Fstatus%3Dreceived%26sort%3Ddeadline");
    let res = page(&app, &cookie, "/cases").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account/password?next=%2Fcases");
    let html = page(&app, &cookie, "/account/password").await.text().await.unwrap();
    assert!(html.contains("管理员已重置您的密码"), "{html}");
    // So does the API.
    let res = app.try_login("staff", &temporary).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["must_change_password"], true);
    let token = body["token"].as_str().unwrap().to_owned();
    let res = app.get("/api/v1/cases", Some(&token)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(res).await, "password_change_required");
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::OK);
    // Refusals beside their fields: wrong current password, a weak one, two that differ.
    let csrf = hidden(&html, "csrf_token");
    for (current, new, again, says) in [
        ("wrong-password-9", "mv8-Kq2z-Lp4x", "mv8-Kq2z-Lp4x", "当前密码不正确"),
        (temporary.as_str(), "password123", "password123", "密码过于常见"),
        (temporary.as_str(), "short1", "short1", "密码应为 10 到 128 位"),
        (temporary.as_str(), "mv8-Kq2z-Lp4x", "mv8-Kq2z-Lp4y", "两次输入的新密码不一致"),
    ] {
        let form = [
            ("csrf_token", csrf.as_str()),
            ("current_password", current),
            ("new_password", new),
            ("new_password_again", again),
            ("next", "/cases?status=received&sort=deadline"),
        ];
        let res = post_form(&app, &cookie, "/account/password", &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        let html = res.text().await.unwrap();
        assert!(html.contains(says) && html.contains("class=\"field-error\""), "{says}: {html}");
    }
    let form = [
        ("csrf_token", csrf.as_str()),
        ("current_password", temporary.as_str()),
        ("new_password", "mv8-Kq2z-Lp4x"),
        ("new_password_again", "mv8-Kq2z-Lp4x"),
        ("next", "/cases?status=received&sort=deadline"),
    ];
    let res = post_form(&app, &cookie, "/account/password", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/cases?status=received&sort=deadline");
    assert_eq!(page(&app, &cookie, "/cases").await.status(), StatusCode::OK, "the same session goes on");
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::UNAUTHORIZED, "others end");
    assert_eq!(app.try_login("staff", "mv8-Kq2z-Lp4x").await.status(), StatusCode::CREATED);
    assert_eq!(audited(&app, "user.password_reset").await.len(), 1);
    assert_eq!(audited(&app, "user.password_change").await.len(), 1);
    assert_eq!(audited(&app, "user.password_change_failed").await.len(), 1);
}

pub(super) async fn everyone_changes_their_own_password(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let token = app.token_for("dep", "", "", "").await;
    let other = app.token_for("dep", "", "", "").await;
    let change = |current: &str, new: &str| {
        let body = json!({"current_password": current, "new_password": new});
        let req = app.client.post(app.url("/api/v1/me/password")).bearer_auth(&token).json(&body);
        async move { req.send().await.unwrap() }
    };
    let res = change("wrong-password-9", "mv8-Kq2z-Lp4x").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
        (Some("wrong_password"), Some("current_password"))
    );
    for (weak, code) in [("short1", "weak_password"), ("Password123", "common_password"), (PASSWORD, "same_password")] {
        let res = change(PASSWORD, weak).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert_eq!(error_code(res).await, code, "{weak}");
    }
    assert_eq!(change(PASSWORD, "mv8-Kq2z-Lp4x").await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::OK, "this session stays");
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.status(), StatusCode::UNAUTHORIZED, "the others end");
    assert_eq!(app.try_login("dep", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.try_login("dep", "mv8-Kq2z-Lp4x").await.status(), StatusCode::CREATED);
    // The page for it is in everyone's menu; done, it says so.
    let (cookie, _) = login_with(&app, "aud", PASSWORD, "").await;
    let html = page(&app, &cookie, "/account/password").await.text().await.unwrap();
    let csrf = hidden(&html, "csrf_token");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("current_password", PASSWORD),
        ("new_password", "qz7-Rt4m-Wx9p"),
        ("new_password_again", "qz7-Rt4m-Wx9p"),
        ("next", ""),
    ];
    let res = post_form(&app, &cookie, "/account/password", &form).await;
    assert_eq!(res.headers()["location"], "/account/password?done=1");
    let html = page(&app, &cookie, "/account/password?done=1").await.text().await.unwrap();
    assert!(html.contains("密码已修改"));
}

pub(super) async fn roles_and_scopes_change_by_name_within_the_county(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let staff = id_of(&app, "staff").await;
    let staff_token = app.token_for("staff", "", "", "").await;
    let sys = app.token_for("sys", "", "", "").await;
    let url = format!("/api/v1/users/{staff}/grants");
    let put = |token: &str, grants: Value| {
        let req = app.client.put(app.url(&url)).bearer_auth(token).json(&json!({ "grants": grants }));
        async move { req.send().await.unwrap() }
    };
    // Refusals: nothing, a scope that does not fit the role, a record of another county.
    app.token_for("seed-za", "county_supervisor", "region:611025", "611025").await;
    let za = app.token_for("seed-za", "", "", "").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&za),
            &json!({"slug": "yongle", "region": "611025001", "name": "永乐站", "kind": "联络点"}),
        )
        .await;
    assert!(res.status().is_success());
    for (grants, code) in [
        (json!([]), "grant_required"),
        (json!([{"role": "station_staff", "scope": "agency:transport"}]), "scope_mismatch"),
        (json!([{"role": "station_staff", "scope": "station:yongle"}]), "scope_outside_county"),
        (json!([{"role": "county_supervisor", "scope": "region:611025"}]), "scope_outside_county"),
        (json!([{"role": "pilot", "scope": "region:611026"}]), "invalid_role"),
    ] {
        let res = put(&sys, grants.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{grants}");
        assert_eq!(error_code(res).await, code, "{grants}");
    }
    let foreign = app.token_for("sys-za", "system_admin", "region:611025", "611025").await;
    let ok = json!([{"role": "agency_handler", "scope": "agency:transport"}]);
    assert_eq!(put(&foreign, ok.clone()).await.status(), StatusCode::FORBIDDEN);
    let res = put(&sys, ok).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["grants"][0]["scope"], "agency:transport");
    assert_eq!(app.get("/api/v1/me", Some(&staff_token)).await.status(), StatusCode::UNAUTHORIZED, "applies at once");
    assert_eq!(audited(&app, "user.grants").await.len(), 1);
    // On the page, scopes are offered by name and the choice is kept on a refusal.
    let cookie = login(&app, "sys").await;
    let html = page(&app, &cookie, &format!("/admin/users/{staff}")).await.text().await.unwrap();
    assert!(html.contains("仁和社区代表联络点") && html.contains("县交通运输局") && html.contains("乾佑街道"));
    assert!(!html.contains(">renhe<") && !html.contains("（station:"), "no slugs shown");
    let csrf = hidden(&html, "csrf_token");
    let form = [("csrf_token", csrf.as_str()), ("role_0", "deputy"), ("scope_0", "station:renhe")];
    let res = post_form(&app, &cookie, &format!("/admin/users/{staff}/grants"), &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("范围类型与角色不符"), "{html}");
    assert!(html.contains("<option value=\"deputy\" selected>"), "the typed role is kept");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("role_0", "station_staff"),
        ("scope_0", "station:renhe"),
        ("role_1", ""),
        ("scope_1", ""),
    ];
    let res = post_form(&app, &cookie, &format!("/admin/users/{staff}/grants"), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let body: Value = app.get(&format!("/api/v1/users/{staff}"), Some(&sys)).await.json().await.unwrap();
    assert_eq!(body["grants"][0]["scope"], "station:renhe");
    // A new account is created with its scope picked by name; its county follows the record.
    let html = page(&app, &cookie, "/admin/users").await.text().await.unwrap();
    assert!(html.contains("仁和社区代表联络点（乾佑街道 · 仁和社区）"), "{html}");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("username", "clerk2"),
        ("display_name", "新联络员"),
        ("password", "mv8-Kq2z-Lp4x"),
        ("role", "station_staff"),
        ("scope", "station:renhe"),
    ];
    assert_eq!(post_form(&app, &cookie, "/admin/users", &form).await.status(), StatusCode::SEE_OTHER);
    let clerk = liaison_store::users::find_by_username(app.db(), "clerk2").await.unwrap().unwrap();
    assert_eq!(clerk.county_code, "611026");
}
