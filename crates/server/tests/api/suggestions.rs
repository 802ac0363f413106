//! Deputies' formal suggestions through the API: made from two cases, the whole path — register,
//! assign, extend, answer B with a date, 不满意, handled again, answer A, 满意 — with the statutory
//! clock across the three- and six-month limits on the injected clock, the cases' tracking pages
//! showing it, the duty register's entry, and the refusals, each changing nothing.

use chrono::{TimeZone, Utc};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn seed(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    for (token, path, body) in [
        (&sup, "/api/v1/stations", json!({"slug": "st-a", "region": "611026001", "name": "仁和站", "kind": "联络站"})),
        (
            &sup,
            "/api/v1/agencies",
            json!({"slug": "traffic", "region": "611026", "name": "县交通运输局", "kind": "部门"}),
        ),
        (&sup, "/api/v1/agencies", json!({"slug": "finance", "region": "611026", "name": "县财政局", "kind": "部门"})),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "d1", "name": "代表甲", "gender": "女", "levels": "县级", "region": "611026001", "stations": "st-a"}),
        ),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "d2", "name": "代表乙", "gender": "男", "levels": "县级", "region": "611026101"}),
        ),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "d3", "name": "代表丙", "gender": "男", "levels": "乡镇", "region": "611026001"}),
        ),
        (
            &zhenan,
            "/api/v1/deputies",
            json!({"slug": "z1", "name": "镇安代表", "gender": "男", "levels": "县级", "region": "611025001"}),
        ),
    ] {
        let res = app.post_json(path, Some(token), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    sup
}

async fn get(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app.get(&format!("/api/v1/suggestions/{id}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn warnings(app: &TestApp, subject: &str) -> usize {
    liaison_store::outbox::for_recipient(app.db(), "agency:traffic")
        .await
        .unwrap()
        .iter()
        .filter(|(_, s, _)| s == subject)
        .count()
}

async fn a_suggestion_from_two_cases_runs_the_whole_path(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 3, 31, 2, 0, 0).unwrap());
    let sup = seed(&app).await;
    let staff = app.token_for("staff", "station_staff", "station:st-a", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;
    let traffic = app.token_for("traffic", "agency_handler", "agency:traffic", "611026").await;
    let finance = app.token_for("finance", "agency_handler", "agency:finance", "611026").await;

    // Two cases raised to d1 at the station.
    let mut cases = Vec::new();
    let mut codes = Vec::new();
    for title in ["村道坑洼", "村道没有路灯"] {
        let res = app
            .post_json(
                "/api/v1/cases",
                Some(&staff),
                &json!({"channel": "station", "station": "st-a", "deputy": "d1", "title": title, "content": format!("{title}，群众出行不便")}),
            )
            .await;
        let c: Value = res.json().await.unwrap();
        cases.push(c["id"].as_i64().unwrap());
        codes.push(c["tracking_code"].as_str().unwrap().to_owned());
    }

    // Refused, changing nothing: a co-signer of another county, or of another congress level.
    let draft = |cosigners: Value| {
        json!({"title": "关于改善仁和社区村道的建议", "content": "村道坑洼且没有路灯，建议纳入农村公路改造和亮化计划。",
               "session": "recess", "level": "county", "cases": cases, "cosigners": cosigners})
    };
    for bad in [json!(["z1"]), json!(["d3"])] {
        let res = app.post_json("/api/v1/deputies/d1/suggestions", Some(&d1), &draft(bad)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_code(res).await, "invalid_cosigner");
    }
    assert_eq!(app.get("/api/v1/suggestions", Some(&d1)).await.json::<Vec<Value>>().await.unwrap().len(), 0);
    // Another deputy may not draft for d1.
    assert_eq!(
        app.post_json("/api/v1/deputies/d1/suggestions", Some(&d2), &draft(json!([]))).await.status(),
        StatusCode::FORBIDDEN
    );

    let res = app.post_json("/api/v1/deputies/d1/suggestions", Some(&d1), &draft(json!(["d2"]))).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        app.post_json(&format!("/api/v1/suggestions/{id}/submit"), Some(&d1), &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    // The duty register has it, once, however often it is submitted.
    assert_eq!(
        error_code(app.post_json(&format!("/api/v1/suggestions/{id}/submit"), Some(&d1), &json!({})).await).await,
        "not_draft"
    );
    let register: Vec<Value> =
        app.get("/api/v1/deputies/d1/register?year=2026", Some(&sup)).await.json().await.unwrap();
    assert_eq!(register.iter().filter(|e| e["kind"] == "suggestion").count(), 1);
    // The co-signer sees it too.
    assert_eq!(app.get(&format!("/api/v1/suggestions/{id}"), Some(&d2)).await.status(), StatusCode::OK);

    // The office assigns it: numbered, three months.
    assert_eq!(
        app.post_json(&format!("/api/v1/suggestions/{id}/assign"), Some(&d1), &json!({"lead": "traffic"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_json(
            &format!("/api/v1/suggestions/{id}/assign"),
            Some(&sup),
            &json!({"lead": "traffic", "assist": ["finance"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", res.text().await.unwrap());
    let s = get(&app, &traffic, id).await;
    assert_eq!(
        (s["number"].as_i64(), s["due_on"].as_str(), s["status"].as_str()),
        (Some(1), Some("2026-06-30"), Some("assigned"))
    );
    assert_eq!(get(&app, &finance, id).await["lead_agency"], "traffic", "the assisting agency reads it");
    for code in &codes {
        let t: Value = app.get(&format!("/api/v1/public/cases/{code}"), None).await.json().await.unwrap();
        assert!(t["suggestions"][0].as_str().unwrap().contains("2026 年第 1 号"), "{t}");
    }

    // The clock: a week before the deadline, a warning; past it, another; each once.
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 24, 2, 0, 0).unwrap());
    liaison_app::suggestions::sweep(&app.state.app).await.unwrap();
    liaison_app::suggestions::sweep(&app.state.app).await.unwrap();
    assert_eq!(warnings(&app, "代表建议即将到期").await, 1);
    app.clock.set(Utc.with_ymd_and_hms(2026, 7, 1, 2, 0, 0).unwrap());
    liaison_app::suggestions::sweep(&app.state.app).await.unwrap();
    liaison_app::suggestions::sweep(&app.state.app).await.unwrap();
    assert_eq!(warnings(&app, "代表建议超期").await, 1);
    let traffic = app.token_for("traffic", "agency_handler", "agency:traffic", "611026").await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;

    // Extension: beyond six months refused; without a reason refused; once to the limit; not twice.
    let extend = format!("/api/v1/suggestions/{id}/extend");
    let res = app.post_json(&extend, Some(&traffic), &json!({"to": "2026-10-01", "reason": "需要财政预算安排"})).await;
    assert_eq!(error_code(res).await, "beyond_six_months");
    assert_eq!(
        error_code(app.post_json(&extend, Some(&traffic), &json!({"to": "2026-09-30", "reason": ""})).await).await,
        "required"
    );
    let finance = app.token_for("finance", "agency_handler", "agency:finance", "611026").await;
    assert_eq!(
        app.post_json(&extend, Some(&finance), &json!({"to": "2026-09-30", "reason": "协办"})).await.status(),
        StatusCode::FORBIDDEN,
        "an assisting agency does not extend"
    );
    let res = app.post_json(&extend, Some(&traffic), &json!({"to": "2026-09-30", "reason": "需要财政预算安排"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", res.text().await.unwrap());
    let res = app.post_json(&extend, Some(&traffic), &json!({"to": "2026-09-29", "reason": "再延"})).await;
    assert_eq!(error_code(res).await, "already_extended");
    assert_eq!(get(&app, &sup, id).await["due_on"], "2026-09-30");

    // Answer: a class is required; B needs its date.
    let answer = format!("/api/v1/suggestions/{id}/answer");
    let res = app
        .post_json(&answer, Some(&traffic), &json!({"answer": "已列入明年农村公路改造计划，届时统一硬化并安装路灯。"}))
        .await;
    assert_eq!(error_code(res).await, "answer_class_required");
    let res = app
        .post_json(
            &answer,
            Some(&traffic),
            &json!({"class": "b", "answer": "已列入明年农村公路改造计划，届时统一硬化并安装路灯。"}),
        )
        .await;
    assert_eq!(error_code(res).await, "promise_required");
    assert_eq!(get(&app, &sup, id).await["status"], "assigned", "refusals changed nothing");
    let doc = app
        .client
        .post(app.url(&format!("/api/v1/suggestions/{id}/document")))
        .bearer_auth(&traffic)
        .header("content-type", "application/octet-stream")
        .body(b"%PDF-1.4\n%%EOF\n".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), StatusCode::CREATED);
    let res = app
        .post_json(
            &answer,
            Some(&traffic),
            &json!({"class": "b", "answer": "已列入明年农村公路改造计划，届时统一硬化并安装路灯。", "promised_on": "2027-06-30"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", res.text().await.unwrap());
    let s = get(&app, &d1, id).await;
    assert_eq!((s["answer_class"].as_str(), s["has_document"].as_bool()), (Some("b"), Some(true)));

    // Only the deputy rates; 不满意 sends it back, within a month.
    let rating = format!("/api/v1/suggestions/{id}/rating");
    assert_eq!(
        app.post_json(&rating, Some(&d2), &json!({"rating": "satisfied"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(&rating, Some(&sup), &json!({"rating": "satisfied"})).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_json(&rating, Some(&d1), &json!({"rating": "dissatisfied", "comment": "等到明年太久，请先填补坑洼"}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let s = get(&app, &sup, id).await;
    assert_eq!(
        (s["status"].as_str(), s["round"].as_i64(), s["due_on"].as_str()),
        (Some("reopened"), Some(2), Some("2026-08-01"))
    );

    // Handled again, answered A, rated 满意: closed; the cases' tracking pages say so.
    let res = app
        .post_json(&answer, Some(&traffic), &json!({"class": "a", "answer": "已组织施工队填补坑洼，路灯已安装六盏。"}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.post_json(&rating, Some(&d1), &json!({"rating": "satisfied"})).await.status(),
        StatusCode::NO_CONTENT
    );
    let s = get(&app, &sup, id).await;
    assert_eq!(
        (s["status"].as_str(), s["rating"].as_str(), s["answer_class"].as_str()),
        (Some("closed"), Some("satisfied"), Some("a"))
    );
    // The statistics count it.
    let stats: Value = app.get("/api/v1/stats/cases?region=611026", Some(&sup)).await.json().await.unwrap();
    let sg = &stats["suggestions"];
    assert_eq!(
        (sg["submitted"].as_i64(), sg["answered"].as_i64(), sg["answered_on_time"].as_i64()),
        (Some(1), Some(1), Some(1)),
        "{sg}"
    );
    assert_eq!(sg["by_class"], json!([{"key": "a", "count": 1}]));
    assert_eq!(sg["by_rating"], json!([{"key": "satisfied", "count": 1}]));
    for code in &codes {
        let page = app.get(&format!("/track/{code}"), None).await.text().await.unwrap();
        assert!(page.contains("已答复，A类"), "the tracking page shows the answer");
    }

    // Readers: the deputy, the co-signer, the station, the county, the agencies; not another
    // county nor an agency it was not assigned to.
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    assert_eq!(app.get(&format!("/api/v1/suggestions/{id}"), Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    let other = app.token_for("other-agency", "agency_handler", "agency:other", "611026").await;
    assert_eq!(app.get(&format!("/api/v1/suggestions/{id}"), Some(&other)).await.status(), StatusCode::FORBIDDEN);
    let staff = app.token_for("staff", "station_staff", "station:st-a", "611026").await;
    assert_eq!(app.get(&format!("/api/v1/suggestions/{id}"), Some(&staff)).await.status(), StatusCode::OK);
    let log = app
        .get("/api/v1/audit?limit=100", Some(&app.token_for("aud", "auditor", "region:611026", "611026").await))
        .await
        .text()
        .await
        .unwrap();
    for action in ["suggestion.draft", "suggestion.assign", "suggestion.extend", "suggestion.answer", "suggestion.rate"]
    {
        assert!(log.contains(action), "{action} audited");
    }
}

on_both_backends!(a_suggestion_from_two_cases_runs_the_whole_path);
