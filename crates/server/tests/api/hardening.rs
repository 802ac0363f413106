//! The security review's findings, each with the test that would have caught it: control
//! characters, the login redirect, security headers, rate limits behind a proxy, public forms
//! with a staff session, path errors, idempotency keys, lock-out, session lifetime, common
//! passwords, 405, and the region tree's scope.

use liaison_testkit::{Backend, PASSWORD, TestApp, error_code, on_both_backends, set_cookie};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CSRF_FIELD: &str = "name=\"csrf_token\" value=\"";

async fn station(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&sup),
            &json!({"slug": "renhe", "region": "611026001", "name": "仁和站", "kind": "联络点"}),
        )
        .await;
    assert!(res.status().is_success());
    sup
}

async fn case_count(app: &TestApp, sup: &str) -> usize {
    liaison_testkit::items(app.get("/api/v1/cases", Some(sup)).await).await.len()
}

fn public_case(extra: Value) -> Value {
    let mut v = json!({"station": "renhe", "title": "路灯不亮", "content": "村口路灯坏了一个月。", "contact_name": "张三", "contact_phone": "13900001111"});
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    v
}

/// PostgreSQL refuses a NUL byte in text with an error (it used to become a 500); SQLite stored
/// it. Both now refuse it, and other control characters, before anything is written.
async fn control_characters_are_refused_before_they_reach_the_store(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = station(&app).await;
    for (field, value) in [
        ("content", "路灯\u{0}不亮"),
        ("contact_name", "张\u{0}三"),
        ("location", "村口\u{1b}[31m"),
        ("title", "路灯\u{7}"),
        ("contact_name", "张三\n李四"),
    ] {
        let res = app.post_json("/api/v1/public/cases", None, &public_case(json!({field: value}))).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let e: Value = res.json().await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains("控制字符") || e["error"]["code"] == "control_characters",
            "{e}"
        );
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    // Line breaks and tabs stay welcome where text spans lines.
    let ok = app.post_json("/api/v1/public/cases", None, &public_case(json!({"content": "第一行\n\t第二行"}))).await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    let code = ok.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_owned();
    assert_eq!(case_count(&app, &sup).await, 1);
    // The login, by API and by form.
    let res = app.post_json("/api/v1/session", None, &json!({"username": "sup\u{0}", "password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "control_character");
    let res =
        app.client.post(app.url("/login")).form(&[("username", "sup\u{0}"), ("password", "x")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("控制字符"), "a Chinese page");
    // A step's note, the survey comment, a query filter and a path segment.
    let id = liaison_testkit::items(app.get("/api/v1/cases", Some(&sup)).await).await[0]["id"].as_i64().unwrap();
    let res = app
        .post_json(&format!("/api/v1/cases/{id}/steps"), Some(&sup), &json!({"step": "urge", "message": "快\u{0}"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_json(
            &format!("/api/v1/public/cases/{code}/survey"),
            None,
            &json!({"rating": "satisfied", "comment": "好\u{0}"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let res = app.get("/api/v1/audit?actor=sup%00", Some(&aud)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "control_character");
    let res = app.get("/api/v1/deputies/a%00b/contact", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The contact form is multipart: its text fields are checked too.
    let body = "--x\r\nContent-Disposition: form-data; name=\"station\"\r\n\r\nrenhe\r\n--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n路灯\r\n--x\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n路灯\u{0}坏了\r\n--x--\r\n";
    let res = app
        .client
        .post(app.url("/contact"))
        .header("content-type", "multipart/form-data; boundary=x")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(case_count(&app, &sup).await, 1, "no refusal wrote anything");
}

/// A submission is parsed whole before anything happens: every bad field comes back at once, on
/// every channel, and nothing is stored.
async fn every_bad_field_of_a_submission_is_reported_at_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = station(&app).await;
    let bad =
        json!({"station": "renhe", "title": "", "content": "路灯坏了", "contact_phone": "12345", "category": "天气"});
    let res = app.post_json("/api/v1/public/cases", None, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["field"], "title", "the first field at fault leads: {e}");
    let fields: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "category", "contact_phone"]);
    // Staff entry parses the same fields the same way.
    let staff = json!({"channel": "station", "station": "renhe", "title": "", "content": "", "contact_phone": "12345"});
    let e: Value = app.post_json("/api/v1/cases", Some(&sup), &staff).await.json().await.unwrap();
    let fields: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "content", "contact_phone"]);
    // One bad field answers as before, without a list.
    let e: Value =
        app.post_json("/api/v1/public/cases", None, &public_case(json!({"title": ""}))).await.json().await.unwrap();
    assert_eq!(e["error"]["field"], "title");
    assert!(e["error"].get("fields").is_none(), "{e}");
    assert_eq!(case_count(&app, &sup).await, 0);
}

async fn after_login_only_a_path_of_this_site(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("clerk", "county_supervisor", "region:611026", "611026").await;
    for next in
        ["/\t/evil.example/", "/\n/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/"]
    {
        let res = app.get("/login", None).await;
        let login_cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
        let html = res.text().await.unwrap();
        let at = html.find(CSRF_FIELD).unwrap() + CSRF_FIELD.len();
        let csrf = html[at..at + 64].to_owned();
        let res = app
            .client
            .post(app.url("/login"))
            .header("cookie", format!("liaison_login_csrf={login_cookie}"))
            .form(&[("username", "clerk"), ("password", PASSWORD), ("csrf_token", &csrf), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
    }
    // The form page does not carry a foreign `next` either.
    let html = app.get("/login?next=//evil.example/", None).await.text().await.unwrap();
    assert!(!html.contains("evil.example"), "{html}");
}

async fn every_answer_carries_the_security_headers(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = station(&app).await;
    let res = app.post_json("/api/v1/public/cases", None, &public_case(json!({}))).await;
    let created: Value = res.json().await.unwrap();
    let (id, code) = (created["id"].as_i64().unwrap(), created["tracking_code"].as_str().unwrap().to_owned());
    for (path, token, personal) in [
        ("/login".to_owned(), None, true),
        (format!("/track/{code}"), None, true),
        (format!("/api/v1/public/cases/{code}"), None, true),
        (format!("/api/v1/cases/{id}"), Some(sup.as_str()), true),
        (format!("/api/v1/cases/{id}/contact"), Some(sup.as_str()), true),
        (format!("/cases/{id}"), Some(sup.as_str()), true),
        ("/api/v1/me".to_owned(), None, true),
        ("/nowhere".to_owned(), None, true),
        ("/static/app.css".to_owned(), None, false),
        ("/station/renhe".to_owned(), None, false),
    ] {
        let res = app.get(&path, token).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let cache = h.get("cache-control").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert_eq!(cache == "no-store", personal, "{path}: {cache}");
    }
    // No page relies on inline script, which the policy forbids.
    let html = app.get("/station/renhe", None).await.text().await.unwrap();
    assert!(!html.contains("onsubmit=") && !html.contains("onclick=") && !html.contains("<script>"), "{html}");
}

fn limited(per_minute: u32, trusted: &[&str]) -> liaison_web::Settings {
    liaison_web::Settings {
        public_per_minute: per_minute,
        login_per_minute: 3,
        trusted_proxies: trusted.iter().map(|t| t.parse().unwrap()).collect(),
        ..Default::default()
    }
}

async fn track(app: &TestApp, code: &str, forwarded_for: &str) -> StatusCode {
    let url = app.url(&format!("/api/v1/public/cases/{code}"));
    app.client.get(url).header("x-forwarded-for", forwarded_for).send().await.unwrap().status()
}

/// Behind a proxy that is not configured as trusted, the header is a client's claim and is
/// ignored: everyone is the proxy. Configured, each constituent gets their own buckets.
async fn rate_limits_have_one_bucket_per_purpose_and_trust_only_configured_proxies(b: Backend) {
    let Some(app) = TestApp::spawn_with(b, limited(3, &[])).await else { return };
    station(&app).await;
    let code = app
        .post_json("/api/v1/public/cases", None, &public_case(json!({})))
        .await
        .json::<Value>()
        .await
        .unwrap()["tracking_code"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 0..3 {
        assert_eq!(track(&app, &code, &format!("198.51.100.{n}")).await, StatusCode::OK);
    }
    assert_eq!(
        track(&app, &code, "198.51.100.9").await,
        StatusCode::TOO_MANY_REQUESTS,
        "an untrusted header changes nothing"
    );
    // Guessing codes does not block writing: that is another bucket.
    let res = app.post_json("/api/v1/public/cases", None, &public_case(json!({"title": "第二件"}))).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let Some(app) = TestApp::spawn_with(b, limited(3, &["127.0.0.1/32"])).await else { return };
    station(&app).await;
    let code = app
        .post_json("/api/v1/public/cases", None, &public_case(json!({})))
        .await
        .json::<Value>()
        .await
        .unwrap()["tracking_code"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..3 {
        assert_eq!(track(&app, &code, "203.0.113.5").await, StatusCode::OK);
    }
    assert_eq!(track(&app, &code, "203.0.113.5").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(track(&app, &code, "203.0.113.6").await, StatusCode::OK, "another constituent behind the same proxy");
    assert_eq!(
        track(&app, &code, "203.0.113.99, 203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the right-most untrusted address counts, not what a client wrote on the left"
    );
    // Open311 counts each code asked for: four codes from a fresh address exceed three.
    let codes = [code.as_str(); 4].join(",");
    let res = app
        .client
        .get(app.url(&format!("/open311/v2/requests.json?service_request_id={codes}")))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Code recovery: a few messages to one phone, whichever address asks.
    let mut statuses = Vec::new();
    for n in 0..4 {
        let res = app
            .client
            .post(app.url("/api/v1/public/cases/lookup"))
            .header("x-forwarded-for", format!("192.0.2.{n}"))
            .json(&json!({"phone": "13900001111"}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    // 200: no SMS provider here, so the answer says to ask the station; the limit holds anyway.
    assert_eq!(statuses, [200, 200, 200, 429], "at most three messages to one phone at once");
    // Logins are slowed by address too, across accounts.
    let mut statuses = Vec::new();
    for n in 0..4 {
        let res = app
            .client
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", "192.0.2.99")
            .json(&json!({"username": format!("user{n}"), "password": "wrong-password-1"}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}

/// A constituent who is also staff (or uses the station's PC) can still use the public forms.
async fn public_forms_work_in_a_browser_that_holds_a_staff_session(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    station(&app).await;
    app.create_user("clerk", "county_supervisor", "region:611026", "611026").await;
    let res = app.get("/login", None).await;
    let login_cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
    let html = res.text().await.unwrap();
    let at = html.find(CSRF_FIELD).unwrap() + CSRF_FIELD.len();
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("liaison_login_csrf={login_cookie}"))
        .form(&[("username", "clerk"), ("password", PASSWORD), ("csrf_token", &html[at..at + 64])])
        .send()
        .await
        .unwrap();
    let session = set_cookie(&res, "liaison_session").unwrap();
    let cookie = format!("liaison_session={session}");
    let res = app
        .client
        .post(app.url("/track/lookup"))
        .header("cookie", &cookie)
        .form(&[("phone", "13900001111")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the public form is not refused as expired");
    // A staff form without its token still is.
    let res = app
        .client
        .post(app.url("/cases/new"))
        .header("cookie", &cookie)
        .form(&[("channel", "station"), ("station", "renhe"), ("title", "t"), ("content", "c")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn bad_paths_and_methods_answer_in_our_format(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = station(&app).await;
    let res = app.get("/api/v1/cases/abc", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["code"], "not_found");
    assert!(e["error"]["message"].as_str().unwrap().contains("格式不正确"), "{e}");
    let res = app.get("/cases/abc", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("格式不正确"));
    let res = app.client.delete(app.url("/api/v1/cases")).bearer_auth(&sup).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert_eq!(error_code(res).await, "method_not_allowed");
    let res = app.client.put(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

async fn submit_with_key(app: &TestApp, key: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
    let path = if token.is_some() { "/api/v1/cases" } else { "/api/v1/public/cases" };
    let mut r = app.client.post(app.url(path)).header("idempotency-key", key).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

async fn idempotency_keys_are_bound_to_the_body_and_the_caller(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = station(&app).await;
    let body = public_case(json!({}));
    let first = submit_with_key(&app, "key-0000000001", None, &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = submit_with_key(&app, "key-0000000001", None, &body).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["tracking_code"], first["tracking_code"]);
    // The same key with another body is refused, not answered with the first case.
    let other = public_case(json!({"content": "另一件事。", "contact_phone": "13700002222"}));
    let res = submit_with_key(&app, "key-0000000001", None, &other).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["code"], "idempotency_key_reused");
    assert!(!e.to_string().contains(first["tracking_code"].as_str().unwrap()));
    // A key another caller used does not answer with that caller's case.
    let staff_body = json!({"channel": "station", "station": "renhe", "title": "路灯", "content": "村口路灯坏了。"});
    let clerk = app.token_for("clerk", "county_supervisor", "region:611026", "611026").await;
    let a = submit_with_key(&app, "key-0000000002", Some(&sup), &staff_body).await;
    let b2 = submit_with_key(&app, "key-0000000002", Some(&clerk), &staff_body).await;
    assert_eq!((a.status(), b2.status()), (StatusCode::CREATED, StatusCode::CREATED));
    let (a, b2): (Value, Value) = (a.json().await.unwrap(), b2.json().await.unwrap());
    assert_ne!(a["id"], b2["id"]);
    // A key that is not ASCII is refused instead of silently ignored.
    let res = app
        .client
        .post(app.url("/api/v1/public/cases"))
        .header("idempotency-key", reqwest::header::HeaderValue::from_bytes("键键键键键键键键".as_bytes()).unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(res).await, "invalid_idempotency_key");
    assert_eq!(case_count(&app, &sup).await, 3);
}

async fn sessions_end_twelve_hours_after_sign_in_however_busy(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let token = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    for _ in 0..35 {
        app.clock.advance(chrono::Duration::minutes(20));
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::OK);
    }
    app.clock.advance(chrono::Duration::minutes(20));
    let res = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "past 12 hours since sign-in");
    assert_eq!(error_code(res).await, "session_expired");
}

async fn common_passwords_are_refused(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    let new = |pw: &str| json!({"username": "new.clerk", "display_name": "新", "password": pw, "role": "township_officer", "scope": "region:611026001"});
    let res = app.post_json("/api/v1/users", Some(&admin), &new("Password123")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "common_password");
    assert_eq!(app.post_json("/api/v1/users", Some(&admin), &new("mv8-Kq2z-Lp4x")).await.status(), StatusCode::CREATED);
}

async fn another_county_s_region_tree_is_not_readable(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    let staff = app.token_for("staff", "station_staff", "station:renhe", "611026").await;
    assert_eq!(app.get("/api/v1/regions/611026", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/regions?parent=611026", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/regions?code=611026001", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    // The path down to their own county stays readable, without the neighbours.
    let city: Value = app.get("/api/v1/regions/6110", Some(&zhenan)).await.json().await.unwrap();
    let children: Vec<&str> =
        city["children"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(children, ["611025"]);
    // Accounts scoped to a station read their county.
    assert_eq!(app.get("/api/v1/regions/611026001", Some(&staff)).await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/regions/611025", Some(&staff)).await.status(), StatusCode::FORBIDDEN);
}

on_both_backends!(
    control_characters_are_refused_before_they_reach_the_store,
    every_bad_field_of_a_submission_is_reported_at_once,
    after_login_only_a_path_of_this_site,
    every_answer_carries_the_security_headers,
    rate_limits_have_one_bucket_per_purpose_and_trust_only_configured_proxies,
    public_forms_work_in_a_browser_that_holds_a_staff_session,
    bad_paths_and_methods_answer_in_our_format,
    idempotency_keys_are_bound_to_the_body_and_the_caller,
    sessions_end_twelve_hours_after_sign_in_however_busy,
    common_passwords_are_refused,
    another_county_s_region_tree_is_not_readable,
);
