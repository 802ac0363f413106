//! Health, readiness, metrics, the OpenAPI document, request ids, and the policy table.

use liaison_testkit::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

async fn health_ready_metrics_and_request_ids(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("x-request-id").is_some(), "every response carries a request id");
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-42", "a caller's request id is kept");
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/healthz\""), "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds_bucket"), "{metrics}");
}

async fn readiness_fails_when_the_database_is_gone(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.db().close().await;
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}

async fn openapi_documents_every_api_route_and_every_route_has_an_action(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let doc: Value = app.get("/api/openapi.json", None).await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/cases/{id}",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    let policy: Vec<(String, String)> = app.policy.entries().map(|(m, p, _)| (m.to_owned(), p.to_owned())).collect();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let m = method.to_uppercase();
            assert!(policy.contains(&(m.clone(), path.clone())), "{m} {path} has no action in the policy table");
        }
    }
}

async fn unknown_paths_answer_in_kind(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let res = app.get("/api/v1/nope", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(liaison_testkit::error_code(res).await, "not_found");
    let res = app.get("/nope", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("页面不存在"));
    let res = app.get("/static/app.css", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}

on_both_backends!(
    health_ready_metrics_and_request_ids,
    readiness_fails_when_the_database_is_gone,
    openapi_documents_every_api_route_and_every_route_has_an_action,
    unknown_paths_answer_in_kind,
);
