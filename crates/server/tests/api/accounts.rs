//! Logging in, lock-out, idle expiry, logout, and account management by the admins.

use chrono::Duration;
use liaison_testkit::{Backend, PASSWORD, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn login_gives_a_token_that_names_the_caller(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let token = app.token_for("supervisor", "county_supervisor", "region:611026", "611026").await;
    let me: Value = app.get("/api/v1/me", Some(&token)).await.json().await.unwrap();
    assert_eq!(me["username"], "supervisor");
    assert_eq!(me["grants"][0]["role"], "county_supervisor");
    assert_eq!(me["grants"][0]["scope"], "region:611026");
    let res = app.get("/api/v1/me", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(res).await, "unauthenticated");
    let res = app.get("/api/v1/me", Some("not-a-real-token")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(res).await, "invalid_token");
}

async fn wrong_password_is_refused_and_audited(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("clerk", "station_staff", "station:renhe", "611026").await;
    let res = app.try_login("clerk", "wrong-password-1").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_credentials");
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("用户名或密码错误"), "{message}");
    let res = app.try_login("nobody", "wrong-password-1").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let other: Value = res.json().await.unwrap();
    assert_eq!(other, body, "an unknown user gets the very same answer");
    let auditor = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> =
        app.get("/api/v1/audit?action=session.login_failed", Some(&auditor)).await.json().await.unwrap();
    assert!(log.iter().any(|e| e["actor"] == "clerk"), "{log:?}");
}

async fn five_failures_lock_the_account_for_fifteen_minutes(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("clerk", "station_staff", "station:renhe", "611026").await;
    for attempt in 1..=4 {
        let res = app.try_login("clerk", "wrong-password-1").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Locked answers exactly like a wrong password or an unknown name, so that nobody learns
    // which accounts exist or are locked; the audit log tells the security admin.
    let unknown: Value = app.try_login("nobody", "wrong-password-1").await.json().await.unwrap();
    let res = app.try_login("clerk", "wrong-password-1").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the fifth failure locks");
    assert_eq!(res.json::<Value>().await.unwrap(), unknown);
    let res = app.try_login("clerk", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "even the right password is refused while locked");
    assert_eq!(res.json::<Value>().await.unwrap(), unknown);
    app.clock.advance(Duration::minutes(14));
    assert_eq!(app.try_login("clerk", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let auditor = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> =
        app.get("/api/v1/audit?action=session.login_refused_locked", Some(&auditor)).await.json().await.unwrap();
    assert_eq!(log.len(), 2, "the security admin sees the refusals for what they are");
    app.clock.advance(Duration::minutes(2));
    assert_eq!(app.try_login("clerk", PASSWORD).await.status(), StatusCode::CREATED, "the lock runs out");
}

async fn security_admin_unlocks_within_their_county_only(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.create_user("clerk", "station_staff", "station:renhe", "611026").await;
    for _ in 0..5 {
        app.try_login("clerk", "wrong-password-1").await;
    }
    let id = liaison_store::users::find_by_username(app.db(), "clerk").await.unwrap().unwrap().id;
    let foreign = app.token_for("sec-za", "security_admin", "region:611025", "611025").await;
    let res = app.post_json(&format!("/api/v1/users/{id}/unlock"), Some(&foreign), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let sysadmin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    let res = app.post_json(&format!("/api/v1/users/{id}/unlock"), Some(&sysadmin), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "unlocking is the security admin's job");
    assert_eq!(app.try_login("clerk", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let sec = app.token_for("sec", "security_admin", "region:611026", "611026").await;
    let res = app.post_json(&format!("/api/v1/users/{id}/unlock"), Some(&sec), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.try_login("clerk", PASSWORD).await.status(), StatusCode::CREATED);
}

async fn idle_sessions_expire(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let token = app.token_for("supervisor", "county_supervisor", "region:611026", "611026").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::OK, "use keeps it alive");
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status(),
        StatusCode::OK,
        "29 idle minutes after the last use"
    );
    app.clock.advance(Duration::minutes(31));
    let res = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(res).await, "session_expired");
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED,
        "an expired session stays dead"
    );
}

async fn logout_ends_the_token(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let token = app.token_for("supervisor", "county_supervisor", "region:611026", "611026").await;
    let res = app.client.delete(app.url("/api/v1/session")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
}

async fn system_admin_creates_accounts_in_their_county(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    let new_user = |username: &str, role: &str, scope: &str, password: &str| json!({"username": username, "display_name": "新账号", "password": password, "role": role, "scope": scope, "county": "611026"});
    let res = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &new_user("officer1", "township_officer", "region:611026001", "good-password-1"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["grants"][0]["scope"], "region:611026001");
    assert!(body.get("password_hash").is_none());
    // The new account can log in.
    assert_eq!(app.try_login("officer1", "good-password-1").await.status(), StatusCode::CREATED);

    let cases = [
        (
            new_user("officer1", "township_officer", "region:611026001", "good-password-1"),
            StatusCode::CONFLICT,
            "username_taken",
        ),
        (
            new_user("weak", "township_officer", "region:611026001", "short"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
        ),
        (
            new_user("Bad Name", "township_officer", "region:611026001", "good-password-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_username",
        ),
        (
            new_user("x-role", "emperor", "region:611026001", "good-password-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_role",
        ),
        (
            new_user("x-scope", "township_officer", "region:611026", "good-password-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "scope_mismatch",
        ),
        (
            json!({"username": "foreign", "display_name": "外县", "password": "good-password-1", "role": "county_supervisor", "scope": "region:611025"}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ];
    for (body, status, code) in cases {
        let res = app.post_json("/api/v1/users", Some(&admin), &body).await;
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(error_code(res).await, code, "{body}");
    }
    let listed: Vec<Value> = app.get("/api/v1/users", Some(&admin)).await.json().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["officer1", "sys"], "refusals created nothing");
    // A deputy account links to an existing deputy record of the county.
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res = app
        .post_json(
            "/api/v1/deputies",
            Some(&sup),
            &json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &new_user("deputy.wang", "deputy", "deputy:wang-fang", "good-password-1"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let foreign_admin = app.token_for("sys-za", "system_admin", "region:611025", "611025").await;
    let theirs: Vec<Value> = app.get("/api/v1/users", Some(&foreign_admin)).await.json().await.unwrap();
    assert_eq!(theirs.len(), 1, "an admin of another county sees only their own accounts");
}

on_both_backends!(
    login_gives_a_token_that_names_the_caller,
    wrong_password_is_refused_and_audited,
    five_failures_lock_the_account_for_fifteen_minutes,
    security_admin_unlocks_within_their_county_only,
    idle_sessions_expire,
    logout_ends_the_token,
    system_admin_creates_accounts_in_their_county,
);
