//! Station stars through the API: a scorecard whose weights do not add up is refused; the county
//! scores a station with evidence per criterion, one person submits and a second approves (never
//! the same one), a return needs a reason, an approved scoring is closed and its stars show on the
//! public station page; townships, other counties and deputies are refused.

use chrono::{TimeZone, Utc};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn card(weights: &[u32]) -> Value {
    json!({
        "name": "五个五",
        "criteria": weights.iter().enumerate().map(|(i, w)| json!({"group": "阵地建设", "title": format!("标准{}", i + 1), "weight": w})).collect::<Vec<_>>()
    })
}

async fn upload(app: &TestApp, token: &str, id: i64, criterion: usize, body: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/assessments/{id}/evidence?criterion={criterion}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn status(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/api/v1/assessments/{id}"), Some(token)).await.json().await.unwrap()
}

async fn a_second_person_approves_the_stars(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap());
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let sup2 = app.token_for("sup2", "county_supervisor", "region:611026", "611026").await;
    let officer = app.token_for("officer", "township_officer", "region:611026001", "611026").await;
    let xialiang = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&sup),
            &json!({"slug": "st-a", "region": "611026001", "name": "仁和站", "kind": "联络站"}),
        )
        .await;
    assert!(res.status().is_success());

    // Weights that do not add up to 100: refused, nothing made.
    let res = app.post_json("/api/v1/scorecards", Some(&sup), &card(&[25, 25, 25, 24])).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "weights_sum");
    assert!(body["error"]["message"].as_str().unwrap().contains("现为 99 分"), "{body}");
    let mut bad = card(&[25, 25, 25, 25]);
    bad["thresholds"] = json!([60, 70, 70, 90, 95]);
    assert_eq!(error_code(app.post_json("/api/v1/scorecards", Some(&sup), &bad).await).await, "invalid_thresholds");
    // Only the county makes them, and only its own.
    assert_eq!(
        app.post_json("/api/v1/scorecards", Some(&officer), &card(&[100])).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app.post_json("/api/v1/scorecards?region=611026", Some(&zhenan), &card(&[100])).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let cards: Vec<Value> = app.get("/api/v1/scorecards", Some(&sup)).await.json().await.unwrap();
    assert!(cards.is_empty());
    let res = app.post_json("/api/v1/scorecards", Some(&sup), &card(&[25, 25, 25, 25])).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let card_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Scoring: the county only; scores within the weights; a year begun.
    let score = |scores: Value, year: i32| json!({"year": year, "scorecard": card_id, "scores": scores});
    let url = "/api/v1/stations/st-a/assessments";
    assert_eq!(
        app.post_json(url, Some(&officer), &score(json!([25, 20, 15, 10]), 2026)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(url, Some(&zhenan), &score(json!([25, 20, 15, 10]), 2026)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        error_code(app.post_json(url, Some(&sup), &score(json!([26, 20, 15, 10]), 2026)).await).await,
        "score_above_weight"
    );
    assert_eq!(error_code(app.post_json(url, Some(&sup), &score(json!([25, 20]), 2026)).await).await, "scores_count");
    assert_eq!(
        error_code(app.post_json(url, Some(&sup), &score(json!([25, 20, 15, 10]), 2027)).await).await,
        "invalid_year"
    );
    let res = app.post_json(url, Some(&sup), &score(json!([25, 20, 15, 10]), 2026)).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let a = status(&app, &sup, id).await;
    assert_eq!((a["total"].as_u64(), a["stars"].as_u64(), a["status"].as_str()), (Some(70), Some(2), Some("draft")));

    // Another county may not score its own station on this county's scorecard.
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&zhenan),
            &json!({"slug": "st-z", "region": "611025001", "name": "永乐站", "kind": "联络站"}),
        )
        .await;
    assert!(res.status().is_success());
    let res =
        app.post_json("/api/v1/stations/st-z/assessments", Some(&zhenan), &score(json!([25, 25, 25, 25]), 2026)).await;
    assert_eq!(error_code(res).await, "invalid_scorecard");

    // Evidence per criterion: a PDF is kept, anything else refused.
    let res = upload(&app, &sup, id, 1, b"just some words").await;
    assert_eq!(error_code(res).await, "invalid_evidence");
    assert_eq!(error_code(upload(&app, &sup, id, 9, b"%PDF-1.4\n%%EOF\n").await).await, "invalid_criterion");
    assert_eq!(upload(&app, &officer, id, 1, b"%PDF-1.4\n%%EOF\n").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(upload(&app, &sup, id, 1, b"%PDF-1.4\n%%EOF\n").await.status(), StatusCode::CREATED);
    assert_eq!(status(&app, &sup, id).await["evidence"].as_array().unwrap().len(), 1);

    // One submits; the same person may not approve; a return needs a reason.
    let submit = format!("/api/v1/assessments/{id}/submit");
    let review = format!("/api/v1/assessments/{id}/review");
    assert_eq!(app.post_json(&submit, Some(&sup), &json!({})).await.status(), StatusCode::NO_CONTENT);
    let res = app.post_json(&review, Some(&sup), &json!({"approve": true})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("不能复核自己的评分"));
    assert_eq!(app.post_json(&review, Some(&officer), &json!({"approve": true})).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(status(&app, &sup, id).await["status"], "submitted", "refusals changed nothing");
    assert_eq!(error_code(app.post_json(&review, Some(&sup2), &json!({"approve": false})).await).await, "required");
    let res = app.post_json(&review, Some(&sup2), &json!({"approve": false, "note": "第 4 条缺少材料"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(status(&app, &sup, id).await["review_note"], "第 4 条缺少材料");

    // Scored again, submitted again, approved by the second person: five stars, in public.
    assert!(
        !app.get("/station/st-a", None).await.text().await.unwrap().contains("星级联络站"),
        "no stars before approval"
    );
    let res = app.post_json(url, Some(&sup), &score(json!([25, 25, 25, 20]), 2026)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.post_json(&submit, Some(&sup), &json!({})).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.post_json(&review, Some(&sup2), &json!({"approve": true})).await.status(), StatusCode::NO_CONTENT);
    let a = status(&app, &officer, id).await;
    assert_eq!((a["status"].as_str(), a["stars"].as_u64(), a["total"].as_u64()), (Some("approved"), Some(5), Some(95)));
    let page = app.get("/station/st-a", None).await.text().await.unwrap();
    assert!(page.contains("2026 年度五星级联络站") && page.contains("★★★★★"), "the public page shows the stars");

    // Approved is closed.
    let res = app.post_json(url, Some(&sup), &score(json!([0, 0, 0, 0]), 2026)).await;
    assert_eq!(error_code(res).await, "assessment_closed");
    assert_eq!(upload(&app, &sup, id, 2, b"%PDF-1.4\n%%EOF\n").await.status(), StatusCode::CONFLICT);
    assert_eq!(status(&app, &sup, id).await["total"], 95);

    // Reading: the township of the station, not another township, county or a deputy.
    assert_eq!(app.get(&format!("/api/v1/assessments/{id}"), Some(&xialiang)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/assessments/{id}"), Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    let list: Vec<Value> = app.get("/api/v1/assessments?year=2026", Some(&officer)).await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["stars"], 5);
    let log = app
        .get("/api/v1/audit?limit=100", Some(&app.token_for("aud", "auditor", "region:611026", "611026").await))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        log.contains("scorecard.create")
            && log.contains("station_assessment.approved")
            && log.contains("station_assessment.returned")
    );
}

on_both_backends!(a_second_person_approves_the_stars);
