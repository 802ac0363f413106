//! Bad input gets a clear error in our format and changes nothing.

use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn malformed_wrong_type_and_oversized_bodies(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    let send = |body: Vec<u8>, ct: &'static str| {
        app.client.post(app.url("/api/v1/regions")).bearer_auth(&admin).header("content-type", ct).body(body).send()
    };
    let res = send(b"{\"code\": \"611026201\", ".to_vec(), "application/json").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "malformed_json");
    assert_eq!(body["error"]["message"], "请求体不是有效的 JSON");

    let res = send(b"{\"code\": 611026201}".to_vec(), "application/json").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "invalid_body");

    let res = send(b"code=611026201".to_vec(), "application/x-www-form-urlencoded").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let mut huge = b"{\"code\": \"611026201\", \"name\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    huge.extend(b"\"}");
    // Refused unread, so the server closes that connection: use one of its own.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/regions"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(res).await, "body_too_large");

    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let res = app.get("/api/v1/regions/611026", Some(&admin)).await;
    let kids = res.json::<Value>().await.unwrap()["children"].as_array().unwrap().len();
    assert_eq!(kids, 2, "none of the refused requests added a region");
}

async fn region_codes_are_validated(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    let refusals = [
        (json!({"code": "6110261", "name": "七位"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_region_code"),
        (json!({"code": "61102600a", "name": "字母"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_region_code"),
        (json!({"code": "611026000", "name": "全零"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_region_code"),
        (json!({"code": "611026201001", "name": "无上级"}), StatusCode::UNPROCESSABLE_ENTITY, "parent_missing"),
        (json!({"code": "611025002", "name": "外县乡镇"}), StatusCode::FORBIDDEN, "forbidden"),
        (json!({"code": "611026001", "name": "重复"}), StatusCode::CONFLICT, "region_exists"),
        (json!({"code": "611026201", "name": ""}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_region_name"),
    ];
    for (body, status, code) in refusals {
        let res = app.post_json("/api/v1/regions", Some(&admin), &body).await;
        assert_eq!(res.status(), status, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], code, "{body}");
        assert!(!err["error"]["message"].as_str().unwrap().is_ascii(), "messages are in Chinese: {err}");
    }
    let res = app.post_json("/api/v1/regions", Some(&admin), &json!({"code": "611026201", "name": "新设镇"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!((created["level"].as_str(), created["parent_code"].as_str()), (Some("township"), Some("611026")));
    let detail: Value = app.get("/api/v1/regions/611026", Some(&admin)).await.json().await.unwrap();
    let codes: Vec<&str> = detail["children"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["611026001", "611026101", "611026201"], "only the valid region was added");
    let res = app.get("/api/v1/regions/12345", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/v1/regions/611026999", Some(&admin)).await.status(), StatusCode::NOT_FOUND);
    let res = app.get("/api/v1/regions?parent=abc", Some(&admin)).await;
    let err: Value = res.json().await.unwrap();
    assert_eq!(
        (err["error"]["code"].as_str(), err["error"]["field"].as_str()),
        (Some("invalid_region_code"), Some("parent"))
    );
}

async fn case_fields_are_validated(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let long = "长".repeat(5001);
    let refusals = [
        (json!({"channel": "station", "region": "611026001", "title": "标题", "content": "   "}), "empty_content"),
        (json!({"channel": "station", "region": "611026001", "title": "", "content": "内容"}), "empty_title"),
        (json!({"channel": "station", "region": "611026001", "title": "标题", "content": long}), "content_too_long"),
        (
            json!({"channel": "station", "region": "611026001", "title": "标题", "content": "内容", "station": "Not A Slug"}),
            "invalid_slug",
        ),
        (json!({"channel": "station", "region": "611026888", "title": "标题", "content": "内容"}), "unknown_region"),
    ];
    for (body, code) in refusals {
        let res = app.post_json("/api/v1/cases", Some(&sup), &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(error_code(res).await, code);
    }
    assert!(liaison_testkit::items(app.get("/api/v1/cases", Some(&sup)).await).await.is_empty());
}

on_both_backends!(malformed_wrong_type_and_oversized_bodies, region_codes_are_validated, case_fields_are_validated);
