//! Everyone sees only their own scope; the three administrators are kept apart.

use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Records a case as a supervisor of its county and returns its id.
async fn case_in(app: &TestApp, token: &str, region: &str, extra: Value) -> i64 {
    let mut body = json!({"channel": "station", "region": region, "title": "路灯不亮", "content": "村口路灯已坏一月，夜间出行不便。"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let res = app.post_json("/api/v1/cases", Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn a_supervisor_of_one_county_cannot_read_another(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let zs = app.token_for("sup-zs", "county_supervisor", "region:611026", "611026").await;
    let za = app.token_for("sup-za", "county_supervisor", "region:611025", "611025").await;
    let ours = case_in(&app, &zs, "611026001", json!({})).await;
    let theirs = case_in(&app, &za, "611025001", json!({})).await;
    assert_eq!(app.get(&format!("/api/v1/cases/{ours}"), Some(&zs)).await.status(), StatusCode::OK);
    let res = app.get(&format!("/api/v1/cases/{theirs}"), Some(&zs)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(res).await, "forbidden");
    let listed = liaison_testkit::items(app.get("/api/v1/cases", Some(&zs)).await).await;
    assert_eq!(listed.iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![ours]);
    // Nor can it write into the other county.
    let res = app
        .post_json(
            "/api/v1/cases",
            Some(&zs),
            &json!({"channel": "station", "region": "611025001", "title": "t", "content": "c"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        liaison_testkit::items(app.get("/api/v1/cases", Some(&za)).await).await.len(),
        1,
        "the refusal stored nothing"
    );
}

/// Creates the agencies and sends a case to one of them at county level.
async fn assign(app: &TestApp, sup: &str, id: i64, agency: &str) {
    for slug in ["zs-transport", "zs-water"] {
        app.post_json(
            "/api/v1/agencies",
            Some(sup),
            &json!({"slug": slug, "region": "611026", "name": slug, "kind": "部门"}),
        )
        .await;
    }
    let res = app
        .post_json(&format!("/api/v1/cases/{id}/steps"), Some(sup), &json!({"step": "triage", "level": "county"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = app
        .post_json(&format!("/api/v1/cases/{id}/steps"), Some(sup), &json!({"step": "assign", "lead": agency}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn township_station_agency_and_deputy_scopes(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    // A case names only stations and deputies that exist in its county.
    for (path, body) in [
        ("/api/v1/stations", json!({"slug": "renhe", "region": "611026001001", "name": "仁和站", "kind": "联络点"})),
        (
            "/api/v1/deputies",
            json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001"}),
        ),
    ] {
        assert!(app.post_json(path, Some(&sup), &body).await.status().is_success());
    }
    let addressed = case_in(&app, &sup, "611026001001", json!({"station": "renhe", "deputy": "wang-fang"})).await;
    assign(&app, &sup, addressed, "zs-transport").await;
    let elsewhere = case_in(&app, &sup, "611026101", json!({})).await;
    assign(&app, &sup, elsewhere, "zs-water").await;
    let who = [
        ("qianyou", "township_officer", "region:611026001", true),
        ("xialiang", "township_officer", "region:611026101", false),
        ("renhe", "station_staff", "station:renhe", true),
        ("other-station", "station_staff", "station:shizhen", false),
        ("transport", "agency_handler", "agency:zs-transport", true),
        ("water", "agency_handler", "agency:zs-water", false),
        ("deputy.wang", "deputy", "deputy:wang-fang", true),
        ("deputy.li", "deputy", "deputy:li-ming", false),
    ];
    for (user, role, scope, sees) in who {
        let token = app.token_for(user, role, scope, "611026").await;
        let res = app.get(&format!("/api/v1/cases/{addressed}"), Some(&token)).await;
        let status = res.status();
        assert_eq!(status == StatusCode::OK, sees, "{user} reading the addressed case: {status}");
        if sees {
            assert_eq!(status, StatusCode::OK);
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        let listed = liaison_testkit::items(app.get("/api/v1/cases", Some(&token)).await).await;
        assert_eq!(listed.iter().any(|c| c["id"] == addressed), sees, "{user} listing");
    }
    let water = app.token_for("water", "agency_handler", "agency:zs-water", "611026").await;
    assert_eq!(app.get(&format!("/api/v1/cases/{elsewhere}"), Some(&water)).await.status(), StatusCode::OK);
}

async fn the_three_administrators_never_read_cases(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let id = case_in(&app, &sup, "611026001", json!({})).await;
    for (user, role) in [("sys", "system_admin"), ("sec", "security_admin"), ("aud", "auditor")] {
        let token = app.token_for(user, role, "region:611026", "611026").await;
        let res = app.get(&format!("/api/v1/cases/{id}"), Some(&token)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} reading a case");
        assert_eq!(
            app.get("/api/v1/cases", Some(&token)).await.status(),
            StatusCode::FORBIDDEN,
            "{role} listing cases"
        );
    }
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    assert_eq!(app.get("/api/v1/audit", Some(&aud)).await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/regions", Some(&aud)).await.status(),
        StatusCode::FORBIDDEN,
        "auditors read only the audit log"
    );
    let sys = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    assert_eq!(app.get("/api/v1/audit", Some(&sys)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/users", Some(&sys)).await.status(), StatusCode::OK);
}

async fn a_deputy_cannot_call_admin_routes(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let deputy = app.token_for("deputy.wang", "deputy", "deputy:wang-fang", "611026").await;
    let admin_calls = [
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/users/1/unlock"),
        ("GET", "/api/v1/audit"),
        ("POST", "/api/v1/regions"),
    ];
    for (method, path) in admin_calls {
        let req = match method {
            "GET" => app.client.get(app.url(path)),
            _ => app.client.post(app.url(path)).json(&json!({})),
        };
        let res = req.bearer_auth(&deputy).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(error_code(res).await, "forbidden");
        let anon = match method {
            "GET" => app.client.get(app.url(path)),
            _ => app.client.post(app.url(path)).json(&json!({})),
        };
        assert_eq!(anon.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "anonymous {method} {path}");
    }
}

on_both_backends!(
    a_supervisor_of_one_county_cannot_read_another,
    township_station_agency_and_deputy_scopes,
    the_three_administrators_never_read_cases,
    a_deputy_cannot_call_admin_routes,
);
