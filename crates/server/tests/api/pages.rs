//! The browser side: the login form, session cookies and CSRF tokens on every form.

use liaison_testkit::{Backend, PASSWORD, TestApp, on_both_backends, set_cookie};
use reqwest::StatusCode;

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").expect("a CSRF field") + "name=\"csrf_token\" value=\"".len();
    html[at..at + 64].to_owned()
}

/// Logs in through the form; returns the session cookie.
async fn browser_login(app: &TestApp, username: &str) -> String {
    let res = app.get("/login", None).await;
    let login_cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("liaison_login_csrf={login_cookie}"))
        .form(&[("username", username), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "/admin/users")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/users");
    let raw = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax"), "{raw}");
    set_cookie(&res, "liaison_session").unwrap()
}

async fn login_page_is_chinese_and_carries_a_csrf_token(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let res = app.get("/login", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookie(&res, "liaison_login_csrf").is_some());
    let html = res.text().await.unwrap();
    assert!(html.contains("工作人员登录") && html.contains("lang=\"zh-CN\""));
    assert_eq!(hidden_csrf(&html).len(), 64);
    assert!(!html.contains("http://") && !html.contains("https://"), "no external assets");
    // The dashboard sends strangers to the login page.
    let res = app.get("/admin/users", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?next=%2Fadmin%2Fusers");
}

async fn login_form_refuses_a_missing_or_wrong_token(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("sys", "system_admin", "region:611026", "611026").await;
    let res = app.get("/login", None).await;
    let cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
    for (cookie_header, token) in
        [(format!("liaison_login_csrf={cookie}"), "0".repeat(64)), (String::new(), cookie.clone())]
    {
        let res = app
            .client
            .post(app.url("/login"))
            .header("cookie", cookie_header)
            .form(&[("username", "sys"), ("password", PASSWORD), ("csrf_token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(set_cookie(&res, "liaison_session").is_none());
        assert!(res.text().await.unwrap().contains("页面已过期"));
    }
    // A wrong password on the form shows the message on the page.
    let res = app.get("/login", None).await;
    let cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("liaison_login_csrf={cookie}"))
        .form(&[("username", "sys"), ("password", "wrong-password-1"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("用户名或密码错误"));
}

async fn forms_need_the_session_csrf_token(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("sys", "system_admin", "region:611026", "611026").await;
    let session = browser_login(&app, "sys").await;
    let cookie = format!("liaison_session={session}");
    let page = app.client.get(app.url("/admin/users")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden_csrf(&page.text().await.unwrap());
    let form = |token: &str| {
        vec![
            ("username", "clerk2".to_owned()),
            ("display_name", "联络员".to_owned()),
            ("password", "good-password-1".to_owned()),
            ("role", "township_officer".to_owned()),
            ("scope", "region:611026001".to_owned()),
            ("county", "611026".to_owned()),
            ("csrf_token", token.to_owned()),
        ]
    };
    for bad in ["", "f00d"] {
        let res =
            app.client.post(app.url("/admin/users")).header("cookie", &cookie).form(&form(bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "token {bad:?}");
        assert!(res.text().await.unwrap().contains("请刷新页面"));
    }
    assert!(
        liaison_store::users::find_by_username(app.db(), "clerk2").await.unwrap().is_none(),
        "refused forms change nothing"
    );
    // A cookie-authenticated JSON call needs the header too.
    let res = app
        .client
        .post(app.url("/api/v1/regions"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"code": "611026201", "name": "新设镇"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(liaison_testkit::error_code(res).await, "csrf_failed");
    let res =
        app.client.post(app.url("/admin/users")).header("cookie", &cookie).form(&form(&csrf)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(liaison_store::users::find_by_username(app.db(), "clerk2").await.unwrap().is_some());
    // Logging out ends the cookie session.
    let res = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.client.get(app.url("/admin/users")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "back to the login page");
}

async fn pages_follow_roles(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("sys", "system_admin", "region:611026", "611026").await;
    app.create_user("aud", "auditor", "region:611026", "611026").await;
    let sys = format!("liaison_session={}", browser_login(&app, "sys").await);
    let aud_session = format!("liaison_session={}", browser_login(&app, "aud").await);
    let get = |cookie: String, path: &'static str| {
        let req = app.client.get(app.url(path)).header("cookie", cookie);
        async move { req.send().await.unwrap() }
    };
    let res = get(aud_session.clone(), "/audit").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("审计日志") && html.contains("登录"), "the auditor sees the log");
    assert_eq!(get(aud_session.clone(), "/admin/users").await.status(), StatusCode::FORBIDDEN);
    let res = get(sys.clone(), "/audit").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("没有权限"));
    let res = get(sys.clone(), "/regions").await;
    assert!(res.text().await.unwrap().contains("陕西省"));
    let res = get(sys, "/").await;
    let html = res.text().await.unwrap();
    assert!(html.contains("账号管理") && !html.contains("href=\"/audit\""), "links follow the role");
}

async fn staff_edit_the_organisation_from_the_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("sup", "county_supervisor", "region:611026", "611026").await;
    app.create_user("sup-za", "county_supervisor", "region:611025", "611025").await;
    let cookie = format!("liaison_session={}", browser_login(&app, "sup").await);
    let page = app.client.get(app.url("/org")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("新增联络站") && html.contains("导入名册"));
    let csrf = hidden_csrf(&html);
    let form = |token: &str, name: &str| {
        vec![
            ("csrf_token", token.to_owned()),
            ("region", "乾佑街道".to_owned()),
            ("name", name.to_owned()),
            ("kind", "代表联络站".to_owned()),
            ("slug", "qianyou".to_owned()),
        ]
    };
    let res = app
        .client
        .post(app.url("/org/stations/save?region=611026"))
        .header("cookie", &cookie)
        .form(&form("", "乾佑街道人大代表联络站"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token, no change");
    let res = app
        .client
        .post(app.url("/org/stations/save?region=611026"))
        .header("cookie", &cookie)
        .form(&form(&csrf, ""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("站点名称不能为空"));
    let res = app
        .client
        .post(app.url("/org/stations/save?region=611026"))
        .header("cookie", &cookie)
        .form(&form(&csrf, "乾佑街道人大代表联络站"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/station/qianyou", None).await.status(), StatusCode::OK);
    let res = app
        .client
        .post(app.url("/org/stations/qianyou/deactivate?region=611026"))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/station/qianyou", None).await.status(), StatusCode::NOT_FOUND);
    // A supervisor of the neighbouring county is refused.
    let other = format!("liaison_session={}", browser_login(&app, "sup-za").await);
    let res = app.client.get(app.url("/org?region=611026")).header("cookie", &other).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn staff_record_and_handle_cases_from_the_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("sup", "county_supervisor", "region:611026", "611026").await;
    let cookie = format!("liaison_session={}", browser_login(&app, "sup").await);
    let page = app.client.get(app.url("/cases")).header("cookie", &cookie).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("登记意见建议"));
    let csrf = hidden_csrf(&html);
    let intake = |token: &str, title: &str| {
        vec![
            ("csrf_token", token.to_owned()),
            ("channel", "station".to_owned()),
            ("title", title.to_owned()),
            ("content", "接待日群众反映村口路灯不亮".to_owned()),
            ("region", "611026001".to_owned()),
        ]
    };
    let res =
        app.client.post(app.url("/cases/new")).header("cookie", &cookie).form(&intake(&csrf, "")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("标题不能为空"));
    let res = app
        .client
        .post(app.url("/cases/new"))
        .header("cookie", &cookie)
        .form(&intake("", "路灯"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let res = app
        .client
        .post(app.url("/cases/new"))
        .header("cookie", &cookie)
        .form(&intake(&csrf, "路灯"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let html = app.client.get(app.url(&location)).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已接收") && html.contains("id=\"step-triage\""), "the triage form is offered");
    let step = format!("{location}/step");
    let res = app
        .client
        .post(app.url(&step))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str()), ("step", "triage"), ("level", "county"), ("category", "城乡建设")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.client.get(app.url(&location)).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已研判") && html.contains("主办单位"), "now the assign form");
    let res = app
        .client
        .post(app.url(&step))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str()), ("step", "reply"), ("reply", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("不能执行"));
    let stats = app.client.get(app.url("/stats")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(stats.contains("解决率") && stats.contains("坐诊接待"));
}

on_both_backends!(
    staff_record_and_handle_cases_from_the_pages,
    staff_edit_the_organisation_from_the_pages,
    login_page_is_chinese_and_carries_a_csrf_token,
    login_form_refuses_a_missing_or_wrong_token,
    forms_need_the_session_csrf_token,
    pages_follow_roles,
);
