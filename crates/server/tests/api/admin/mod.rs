//! What each role sees around its work: the menu holds only pages that open for it, each role
//! lands on its own work after login, and an error page keeps the menu and offers a way back.
//! Accounts (`users`) and the organisation's edit forms (`org_edit`) have their own files.

mod org_edit;
mod users;

use liaison_testkit::{Backend, PASSWORD, TestApp, on_both_backends, set_cookie};
use org_edit::{
    a_deputy_save_that_names_no_stations_keeps_them, a_station_save_changes_only_what_it_names,
    qr_downloads_carry_the_name, the_edit_form_is_filled_and_saves_only_what_changed,
    the_import_report_is_a_file_and_no_token_reaches_a_url,
};
use reqwest::StatusCode;
use serde_json::json;
use users::{
    a_reset_password_must_be_changed_before_anything_else, accounts_are_disabled_and_enabled_within_the_county,
    everyone_changes_their_own_password, roles_and_scopes_change_by_name_within_the_county,
};

/// The staff of the test county, one per role: (username, role, scope).
pub(crate) const STAFF: &[(&str, &str, &str)] = &[
    ("sys", "system_admin", "region:611026"),
    ("sec", "security_admin", "region:611026"),
    ("aud", "auditor", "region:611026"),
    ("sup", "county_supervisor", "region:611026"),
    ("town", "township_officer", "region:611026001"),
    ("staff", "station_staff", "station:renhe"),
    ("dep", "deputy", "deputy:wang"),
    ("agency", "agency_handler", "agency:transport"),
];

/// A station, a deputy at it and an agency in the test county, and an account per role.
pub(crate) async fn seed(app: &TestApp) -> String {
    let sup = app.token_for("seed", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        (
            "/api/v1/stations",
            json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点",
                "address": "仁和社区党群服务中心一楼", "opening_hours": "每周三上午", "phone": "0914-4312345"}),
        ),
        ("/api/v1/agencies", json!({"slug": "transport", "region": "611026", "name": "县交通运输局", "kind": "部门"})),
        (
            "/api/v1/deputies",
            json!({"slug": "wang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001",
                "phone": "13812345678", "stations": "renhe（驻站）"}),
        ),
    ] {
        let res = app.post_json(path, Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    for (user, role, scope) in STAFF {
        app.create_user(user, role, scope, "611026").await;
    }
    sup
}

pub(crate) fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key).unwrap_or_else(|| panic!("a field {name}")) + key.len();
    unescape(&html[at..at + html[at..].find('"').unwrap()])
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#34;", "\"").replace("&#39;", "'").replace("&#x2f;", "/").replace("&amp;", "&")
}

/// Signs in through the form with an optional `next`; returns the session cookie (as a
/// `Cookie` header value) and where the login sends the browser.
pub(crate) async fn login_with(app: &TestApp, username: &str, password: &str, next: &str) -> (String, String) {
    let res = app.get("/login", None).await;
    let login_cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
    let csrf = hidden(&res.text().await.unwrap(), "csrf_token");
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("liaison_login_csrf={login_cookie}"))
        .form(&[("username", username), ("password", password), ("csrf_token", &csrf), ("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    (format!("liaison_session={}", set_cookie(&res, "liaison_session").unwrap()), location)
}

pub(crate) async fn login(app: &TestApp, username: &str) -> String {
    login_with(app, username, PASSWORD, "").await.0
}

pub(crate) async fn page(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("cookie", cookie).send().await.unwrap()
}

/// The links of the header's menu.
fn menu(html: &str) -> Vec<String> {
    let start = html.find("<nav>").expect("a menu");
    let end = start + html[start..].find("</nav>").unwrap();
    html[start..end].split("href=\"").skip(1).map(|s| unescape(&s[..s.find('"').unwrap()])).collect()
}

async fn every_menu_link_opens_for_its_role(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    for (user, role, _) in STAFF {
        let cookie = login(&app, user).await;
        let res = page(&app, &cookie, "/").await;
        assert_eq!(res.status(), StatusCode::OK, "{role}");
        let links = menu(&res.text().await.unwrap());
        assert!(links.contains(&"/account/password".to_owned()), "{role}: {links:?}");
        for link in &links {
            let res = page(&app, &cookie, link).await;
            assert_eq!(res.status(), StatusCode::OK, "{role} follows its menu link {link}");
        }
        let shows = |href: &str| links.iter().any(|l| l == href);
        let handling = matches!(*role, "county_supervisor" | "township_officer");
        assert_eq!(shows("/stats"), handling || *role == "station_staff", "{role}: 统计 {links:?}");
        assert_eq!(shows("/bulletins"), handling, "{role}: 简报 {links:?}");
        assert_eq!(shows("/org"), handling, "{role}: 组织名册 {links:?}");
        assert_eq!(shows("/regions"), *role == "system_admin", "{role}: 行政区划 {links:?}");
        assert_eq!(shows("/admin/users"), matches!(*role, "system_admin" | "security_admin"), "{role}");
        // What the menu leaves out is closed indeed.
        for hidden in ["/stats", "/bulletins", "/org", "/regions", "/admin/users", "/audit"] {
            if !shows(hidden) {
                let status = page(&app, &cookie, hidden).await.status();
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} {hidden}");
            }
        }
    }
}

async fn each_role_lands_on_its_own_work(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    for (user, role, _) in STAFF {
        let (cookie, location) = login_with(&app, user, PASSWORD, "").await;
        let expected = match *role {
            "agency_handler" => "/cases?status=assigned,reopened&sort=deadline",
            "deputy" => "/cases?sort=-created",
            "station_staff" => "/cases?status=received&sort=deadline",
            _ => "/",
        };
        assert_eq!(location, expected, "{role}");
        assert_eq!(page(&app, &cookie, &location).await.status(), StatusCode::OK, "{role} {location}");
    }
    // An explicit page asked for before signing in wins; an address elsewhere does not.
    let (_, location) = login_with(&app, "agency", PASSWORD, "/cases/1").await;
    assert_eq!(location, "/cases/1");
    for evil in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let (_, location) = login_with(&app, "agency", PASSWORD, evil).await;
        assert_eq!(location, "/cases?status=assigned,reopened&sort=deadline", "{evil}");
    }
}

async fn error_pages_keep_the_menu_and_a_way_back(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let cookie = login(&app, "staff").await;
    // A page the role may not open, reached from its inbox.
    let res = app
        .client
        .get(app.url("/org?region=611026"))
        .header("cookie", &cookie)
        .header("referer", app.url("/cases?status=received"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("没有权限") && html.contains("staff"), "the signed-in name stays in the header");
    assert!(menu(&html).contains(&"/account/password".to_owned()), "the menu stays");
    assert!(html.contains("href=\"/cases?status=received\"") && html.contains("返回上一页"), "{html}");
    assert!(html.contains("回到我的工作"), "a way to the role's own work");
    // An unknown page, and a refused form (no CSRF token) alike.
    let html = page(&app, &cookie, "/no/such/page").await.text().await.unwrap();
    assert!(html.contains("页面不存在") && html.contains("修改密码"), "{html}");
    let res = app
        .client
        .post(app.url("/account/password"))
        .header("cookie", &cookie)
        .form(&[("current_password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("修改密码"));
    // A referer of another site is no way back.
    let res = app
        .client
        .get(app.url("/no/such/page"))
        .header("cookie", &cookie)
        .header("referer", "http://evil.example/cases")
        .send()
        .await
        .unwrap();
    assert!(!res.text().await.unwrap().contains("evil.example"));
    // A visitor's error page leads to tracking, never to the staff login.
    let html = app.get("/station/nobody", None).await.text().await.unwrap();
    assert!(html.contains("页面不存在") && html.contains("href=\"/track\"") && !html.contains("回到工作台"), "{html}");
}

on_both_backends!(
    every_menu_link_opens_for_its_role,
    each_role_lands_on_its_own_work,
    error_pages_keep_the_menu_and_a_way_back,
    a_reset_password_must_be_changed_before_anything_else,
    accounts_are_disabled_and_enabled_within_the_county,
    everyone_changes_their_own_password,
    roles_and_scopes_change_by_name_within_the_county,
    a_station_save_changes_only_what_it_names,
    a_deputy_save_that_names_no_stations_keeps_them,
    the_edit_form_is_filled_and_saves_only_what_changed,
    qr_downloads_carry_the_name,
    the_import_report_is_a_file_and_no_token_reaches_a_url,
);
