//! A deputy's work with agencies and voters through the API: a meeting with agency heads and its
//! commitments, a report to voters from schedule to the voters' evaluation with the coverage
//! figures, and the ledger — masked by default, unmasked and exported only with an audit entry
//! (the export with a stated purpose) — each feeding the duty register and the statistics, with
//! the refusals, each changing nothing.

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
        (&sup, "/api/v1/agencies", json!({"slug": "water", "region": "611026", "name": "县水利局", "kind": "部门"})),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "d1", "name": "代表甲", "gender": "女", "levels": "县级", "region": "611026001", "stations": "st-a"}),
        ),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "d2", "name": "代表乙", "gender": "男", "levels": "县级", "region": "611026001"}),
        ),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "d3", "name": "代表丙", "gender": "男", "levels": "县级", "region": "611026101"}),
        ),
        (
            &zhenan,
            "/api/v1/deputies",
            json!({"slug": "z1", "name": "镇安代表", "gender": "男", "levels": "县级", "region": "611025001"}),
        ),
        (
            &zhenan,
            "/api/v1/agencies",
            json!({"slug": "z-traffic", "region": "611025", "name": "镇安县交通局", "kind": "部门"}),
        ),
    ] {
        let res = app.post_json(path, Some(token), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    sup
}

async fn register_of(app: &TestApp, token: &str, slug: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/deputies/{slug}/register?year=2026"), Some(token)).await.json().await.unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    let auditor = app.token_for("auditor", "auditor", "region:611026", "611026").await;
    app.get(&format!("/api/v1/audit?action={action}"), Some(&auditor)).await.json::<Vec<Value>>().await.unwrap().len()
}

async fn a_meeting_records_questions_and_tracks_commitments(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 10, 2, 0, 0).unwrap());
    let sup = seed(&app).await;
    let town = app.token_for("town", "township_officer", "region:611026001", "611026").await;
    let traffic = app.token_for("traffic", "agency_handler", "agency:traffic", "611026").await;
    let water = app.token_for("water", "agency_handler", "agency:water", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d3 = app.token_for("dep-d3", "deputy", "deputy:d3", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;

    let meeting = |deputies: Value, questions: Value, commitments: Value| {
        json!({"kind": "appointment", "title": "约见：村道修复", "held_on": "2026-06-08", "place": "街道联络站",
               "agencies": ["traffic"], "deputies": deputies, "questions": questions, "commitments": commitments})
    };
    let q = json!([{"deputy": "d1", "question": "村道塌方什么时候修？", "outcome": "answered", "reply": "本月内修复。"},
                   {"deputy": "d2", "question": "能否加装护栏？", "outcome": "study"}]);
    let c = json!([{"agency": "traffic", "content": "修复村道塌方路段", "due_on": "2026-06-30"}]);
    // Refused, changing nothing.
    for (body, code, status) in [
        (meeting(json!(["d1", "d2"]), json!([]), c.clone()), "question_required", StatusCode::UNPROCESSABLE_ENTITY),
        (
            meeting(
                json!(["d1", "d2"]),
                q.clone(),
                json!([{"agency": "water", "content": "x", "due_on": "2026-06-30"}]),
            ),
            "invalid_agency",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (meeting(json!(["d1", "z1"]), q.clone(), c.clone()), "invalid_deputy", StatusCode::UNPROCESSABLE_ENTITY),
        // A deputy of another township is not the township's to record.
        (meeting(json!(["d1", "d3"]), q.clone(), c.clone()), "invalid_deputy", StatusCode::UNPROCESSABLE_ENTITY),
        (
            meeting(json!(["d1", "d2"]), json!([{"question": "答复呢？", "outcome": "answered"}]), c.clone()),
            "reply_required",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            meeting(
                json!(["d1", "d2"]),
                q.clone(),
                json!([{"agency": "traffic", "content": "修路", "due_on": "2026-06-01"}]),
            ),
            "due_required",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let res = app.post_json("/api/v1/meetings", Some(&town), &body).await;
        assert_eq!(res.status(), status);
        assert_eq!(error_code(res).await, code);
    }
    // Another county's agency may not take part; a deputy may not record one.
    let mut other = meeting(json!(["d1"]), q.clone(), json!([]));
    other["agencies"] = json!(["z-traffic"]);
    assert_eq!(error_code(app.post_json("/api/v1/meetings", Some(&town), &other).await).await, "invalid_agency");
    assert_eq!(
        app.post_json("/api/v1/meetings", Some(&d1), &meeting(json!(["d1"]), q.clone(), c.clone())).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(app.get("/api/v1/meetings", Some(&town)).await.json::<Vec<Value>>().await.unwrap().is_empty());
    assert!(register_of(&app, &sup, "d1").await.is_empty());

    let res = app.post_json("/api/v1/meetings", Some(&town), &meeting(json!(["d1", "d2"]), q.clone(), c.clone())).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Each deputy's register has a confirmed entry.
    for slug in ["d1", "d2"] {
        let reg = register_of(&app, &sup, slug).await;
        assert_eq!(reg.len(), 1, "{slug}");
        assert_eq!(reg[0]["kind"], "meeting");
        assert_eq!(reg[0]["status"], "confirmed");
    }
    // Read by the deputies and the agency that took part, the county; not by another deputy,
    // another agency or another county.
    for token in [&d1, &traffic, &sup, &town] {
        assert_eq!(app.get(&format!("/api/v1/meetings/{id}"), Some(token)).await.status(), StatusCode::OK);
    }
    for token in [&d3, &water, &zhenan] {
        assert_eq!(app.get(&format!("/api/v1/meetings/{id}"), Some(token)).await.status(), StatusCode::FORBIDDEN);
    }
    let m: Value = app.get(&format!("/api/v1/meetings/{id}"), Some(&traffic)).await.json().await.unwrap();
    assert_eq!(m["questions"].as_array().unwrap().len(), 2);
    let cid = m["commitments"][0]["id"].as_i64().unwrap();
    // The agency that did not promise it may not report it kept; an empty note is refused.
    let done = format!("/api/v1/commitments/{cid}/done");
    assert_eq!(app.post_json(&done, Some(&water), &json!({"note": "办好了"})).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(app.post_json(&done, Some(&traffic), &json!({"note": " "})).await).await, "required");
    // Past its date, the sweep warns once.
    app.clock.set(Utc.with_ymd_and_hms(2026, 7, 2, 2, 0, 0).unwrap());
    let traffic = app.token_for("traffic", "agency_handler", "agency:traffic", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let town = app.token_for("town", "township_officer", "region:611026001", "611026").await;
    let list: Vec<Value> = app.get("/api/v1/meetings", Some(&traffic)).await.json().await.unwrap();
    assert_eq!((list[0]["open_commitments"].as_i64(), list[0]["overdue_commitments"].as_i64()), (Some(1), Some(1)));
    assert_eq!(liaison_app::meetings::sweep(&app.state.app).await.unwrap(), 1);
    assert_eq!(liaison_app::meetings::sweep(&app.state.app).await.unwrap(), 0);
    assert_eq!(
        app.post_json(&done, Some(&traffic), &json!({"note": "塌方路段已修复通车"})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        error_code(app.post_json(&done, Some(&traffic), &json!({"note": "再报一次"})).await).await,
        "already_done"
    );
    let m: Value = app.get(&format!("/api/v1/meetings/{id}"), Some(&d1)).await.json().await.unwrap();
    assert_eq!(m["commitments"][0]["status"], "done");
    // A county meeting one of its deputies attended is in the township's list too; not in another's.
    let mut county = meeting(json!(["d1", "d2", "d3"]), q.clone(), json!([]));
    county["region"] = json!("611026");
    county["title"] = json!("代表·局长面对面");
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res = app.post_json("/api/v1/meetings", Some(&sup), &county).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let list: Vec<Value> = app.get("/api/v1/meetings", Some(&town)).await.json().await.unwrap();
    assert_eq!(list.len(), 2);
    let other = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    let list: Vec<Value> = app.get("/api/v1/meetings", Some(&other)).await.json().await.unwrap();
    assert_eq!(list.len(), 1, "only the county meeting its deputy d3 attended");
    // The statistics count the township's own.
    let s: Value = app.get("/api/v1/stats/cases?region=611026001", Some(&town)).await.json().await.unwrap();
    assert_eq!(s["outreach"]["meetings"], 1);
    assert_eq!(s["outreach"]["questions"], 2);
    assert_eq!(s["outreach"]["answered_on_spot"], 1);
    assert_eq!((s["outreach"]["commitments"].as_i64(), s["outreach"]["commitments_done"].as_i64()), (Some(1), Some(1)));
}

async fn a_report_to_voters_runs_from_draft_to_evaluation(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 10, 2, 0, 0).unwrap());
    seed(&app).await;
    let town = app.token_for("town", "township_officer", "region:611026001", "611026").await;
    let staff = app.token_for("staff", "station_staff", "station:st-a", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;

    // Something in the register for the draft to tell.
    let res = app
        .post_json(
            "/api/v1/deputies/d1/register",
            Some(&town),
            &json!({"kind": "inspection", "done_on": "2026-05-02", "description": "视察农村公路"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let entry = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res =
        app.post_json(&format!("/api/v1/register/{entry}/decision"), Some(&town), &json!({"confirm": true})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // Refused, changing nothing: an oral report without a place; another deputy; another county.
    let sched = "/api/v1/deputies/d1/voter-reports";
    let res = app.post_json(sched, Some(&staff), &json!({"form": "oral", "scheduled_on": "2026-06-20"})).await;
    assert_eq!(error_code(res).await, "required");
    assert_eq!(
        app.post_json(sched, Some(&d2), &json!({"form": "written", "scheduled_on": "2026-06-20"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(sched, Some(&zhenan), &json!({"form": "written", "scheduled_on": "2026-06-20"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(app.get("/api/v1/voter-reports", Some(&d1)).await.json::<Vec<Value>>().await.unwrap().is_empty());

    let res = app
        .post_json(
            sched,
            Some(&staff),
            &json!({"form": "oral", "scheduled_on": "2026-06-20", "place": "仁和社区会议室"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r: Value = app.get(&format!("/api/v1/voter-reports/{id}"), Some(&d1)).await.json().await.unwrap();
    let body = r["body"].as_str().unwrap();
    assert!(body.contains("代表甲") && body.contains("视察调研：1 次"), "{body}");
    // The deputy edits it.
    let text = format!("{body}\n下一步：继续推动村道修复。");
    assert_eq!(
        app.post_json(&format!("/api/v1/voter-reports/{id}/body"), Some(&d1), &json!({"body": text})).await.status(),
        StatusCode::NO_CONTENT
    );
    // Coverage before: two deputies in 乾佑街道, one scheduled, none reported.
    let cov: Value =
        app.get("/api/v1/voter-reports/coverage?region=611026001", Some(&town)).await.json().await.unwrap();
    assert_eq!(
        (cov["total"]["deputies"].as_u64(), cov["total"]["reported"].as_u64(), cov["total"]["scheduled"].as_u64()),
        (Some(2), Some(0), Some(1))
    );
    assert_eq!(cov["total"]["missing"], json!(["d2"]));
    assert_eq!(
        app.get("/api/v1/voter-reports/coverage?region=611026", Some(&zhenan)).await.status(),
        StatusCode::FORBIDDEN
    );

    // The deputy does not count the votes on themself; more votes than voters present is refused.
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 21, 2, 0, 0).unwrap());
    let town = app.token_for("town", "township_officer", "region:611026001", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let held = format!("/api/v1/voter-reports/{id}/held");
    let ok = json!({"held_on": "2026-06-20", "attendance": 40, "satisfied": 30, "partly": 8, "dissatisfied": 2});
    assert_eq!(app.post_json(&held, Some(&d1), &ok).await.status(), StatusCode::FORBIDDEN);
    let res =
        app.post_json(&held, Some(&town), &json!({"held_on": "2026-06-20", "attendance": 20, "satisfied": 30})).await;
    assert_eq!(error_code(res).await, "evaluation_exceeds_attendance");
    let res = app.post_json(&held, Some(&town), &json!({"held_on": "2026-06-20"})).await;
    assert_eq!(error_code(res).await, "evaluation_required");
    let res = app.post_json(&held, Some(&town), &json!({"held_on": "2025-12-30", "satisfied": 3})).await;
    assert_eq!(error_code(res).await, "invalid_date");
    assert!(register_of(&app, &sup, "d1").await.iter().all(|e| e["kind"] != "report"));

    assert_eq!(app.post_json(&held, Some(&town), &ok).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(error_code(app.post_json(&held, Some(&town), &ok).await).await, "not_scheduled");
    let reports: Vec<Value> =
        register_of(&app, &sup, "d1").await.into_iter().filter(|e| e["kind"] == "report").collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["status"], "confirmed");
    // Held, the text is fixed.
    let res = app.post_json(&format!("/api/v1/voter-reports/{id}/body"), Some(&d1), &json!({"body": text})).await;
    assert_eq!(error_code(res).await, "not_scheduled");
    let cov: Value = app.get("/api/v1/voter-reports/coverage?region=611026", Some(&sup)).await.json().await.unwrap();
    assert_eq!((cov["total"]["deputies"].as_u64(), cov["total"]["reported"].as_u64()), (Some(3), Some(1)));
    let s: Value = app.get("/api/v1/stats/cases?region=611026", Some(&sup)).await.json().await.unwrap();
    assert_eq!(
        (s["outreach"]["reports_held"].as_i64(), s["outreach"]["deputies_reported"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(s["outreach"]["report_satisfied"], 30);
}

async fn the_ledger_is_masked_scoped_and_audited(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 10, 2, 0, 0).unwrap());
    let sup = seed(&app).await;
    let town = app.token_for("town", "township_officer", "region:611026001", "611026").await;
    let other_town = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    let staff = app.token_for("staff", "station_staff", "station:st-a", "611026").await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;

    let household = json!({"kind": "household", "name": "张秀兰", "id_number": "11010519491231002X",
        "address": "乾佑街道仁和社区三组12号", "phone": "13791451234", "categories": ["elderly_alone"], "members": 1});
    // Refused, changing nothing.
    let add = "/api/v1/deputies/d1/ledger";
    for (body, code) in [
        (json!({"kind": "household", "name": "李四", "categories": []}), "category_required"),
        (json!({"kind": "household", "name": "李四", "categories": ["vip"]}), "invalid_category"),
        (json!({"kind": "voter", "name": "李四", "id_number": "110105194912310021"}), "invalid_id_number"),
        (json!({"kind": "voter", "name": " "}), "required"),
        // A place in another county, or in another township of the county.
        (json!({"kind": "voter", "name": "李四", "region": "611025001"}), "invalid_region"),
        (json!({"kind": "voter", "name": "李四", "region": "611026101"}), "invalid_region"),
    ] {
        let res = app.post_json(add, Some(&town), &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_code(res).await, code);
    }
    // Station staff, another deputy, another township and another county may not keep it.
    for token in [&staff, &d2, &other_town, &zhenan] {
        assert_eq!(app.post_json(add, Some(token), &household).await.status(), StatusCode::FORBIDDEN);
    }
    assert!(app.get("/api/v1/ledger", Some(&d1)).await.json::<Vec<Value>>().await.unwrap().is_empty());

    let res = app.post_json(add, Some(&town), &household).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app.post_json(add, Some(&d1), &json!({"kind": "voter", "name": "刘海燕"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // Masked for everyone who may read it.
    for token in [&d1, &town, &sup] {
        let list: Vec<Value> = app.get("/api/v1/ledger", Some(token)).await.json().await.unwrap();
        assert_eq!(list.len(), 2);
        let h = list.iter().find(|c| c["kind"] == "household").unwrap();
        assert_eq!(h["id_number"], "1101**********002X");
        assert_eq!(h["address"], "乾佑街道仁和社区****");
        assert_eq!(h["phone"], "137****1234");
        assert_eq!(h["masked"], true);
    }
    // Reading a household from another township, another deputy, station staff, another county.
    for token in [&other_town, &d2, &staff, &zhenan] {
        let res = app.get(&format!("/api/v1/ledger/{id}"), Some(token)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let body: Value = res.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("台账"), "{body}");
        assert_eq!(
            app.post_json(&format!("/api/v1/ledger/{id}/unmask"), Some(token), &json!({})).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    assert!(app.get("/api/v1/ledger", Some(&other_town)).await.json::<Vec<Value>>().await.unwrap().is_empty());
    assert_eq!(app.get("/api/v1/ledger", Some(&staff)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(audit_count(&app, "personal_data.view").await, 0);

    // Unmasked once, audited.
    let full: Value = app
        .post_json(&format!("/api/v1/ledger/{id}/unmask"), Some(&d1), &json!({"reason": "上门走访"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["id_number"], "11010519491231002X");
    assert_eq!(full["address"], "乾佑街道仁和社区三组12号");
    assert_eq!(audit_count(&app, "personal_data.view").await, 1);
    // The audit names the record, not the person.
    let auditor = app.token_for("auditor", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> =
        app.get("/api/v1/audit?action=personal_data.view", Some(&auditor)).await.json().await.unwrap();
    assert!(!log[0].to_string().contains("张秀兰"), "{}", log[0]);
    assert!(log[0].to_string().contains("上门走访"), "{}", log[0]);

    // The export needs a purpose; without one nothing leaves and the audit has nothing.
    for body in [json!({}), json!({"reason": ""}), json!({"reason": " 看 "})] {
        let res = app.post_json("/api/v1/ledger/export", Some(&town), &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_code(res).await, "reason_required");
    }
    let purpose = json!({"reason": "核对低保名单"});
    assert_eq!(app.post_json("/api/v1/ledger/export", Some(&d1), &purpose).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(audit_count(&app, "ledger.export").await, 0);
    let res = app.post_json("/api/v1/ledger/export", Some(&town), &purpose).await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let sheets = liaison_sheets::read(&bytes).unwrap();
    assert_eq!(sheets[0].rows.len(), 2);
    assert!(sheets[0].rows.iter().any(|r| r.cells.iter().any(|c| c.text == "11010519491231002X")));
    assert_eq!(audit_count(&app, "ledger.export").await, 1);

    // Visits feed the register: pending when the deputy records one, confirmed when the township does.
    let visit = format!("/api/v1/ledger/{id}/visits");
    let res = app.post_json(&visit, Some(&d1), &json!({"visited_on": "2026-06-12"})).await;
    assert_eq!(error_code(res).await, "future_date");
    let res = app.post_json(&visit, Some(&d1), &json!({"visited_on": "2026-06-09"})).await;
    assert_eq!(error_code(res).await, "required");
    let res = app
        .post_json(
            &visit,
            Some(&d1),
            &json!({"visited_on": "2026-06-09", "needs": "取暖煤不够", "next_visit_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(error_code(res).await, "invalid_date");
    assert_eq!(
        app.post_json(&visit, Some(&other_town), &json!({"visited_on": "2026-06-09", "help": "x"})).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_json(&visit, Some(&d1), &json!({"visited_on": "2026-06-09", "needs": "取暖煤不够", "help": "联系社区送煤", "next_visit_on": "2026-07-09"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let res = app.post_json(&visit, Some(&town), &json!({"visited_on": "2026-06-10", "help": "送去米面油"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let visits: Vec<Value> =
        register_of(&app, &sup, "d1").await.into_iter().filter(|e| e["kind"] == "home_visit").collect();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits.iter().filter(|e| e["status"] == "pending").count(), 1);
    let detail: Value = app.get(&format!("/api/v1/ledger/{id}"), Some(&town)).await.json().await.unwrap();
    assert_eq!(detail["visits"].as_array().unwrap().len(), 2);
    assert_eq!(detail["contact"]["last_visit"], "2026-06-10");
    let s: Value = app.get("/api/v1/stats/cases?region=611026", Some(&sup)).await.json().await.unwrap();
    assert_eq!(
        (
            s["outreach"]["visits"].as_i64(),
            s["outreach"]["households"].as_i64(),
            s["outreach"]["linked_voters"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );

    // Corrected: an empty ID number, address or phone keeps the one on file; refusals change nothing.
    let put = |token: &str, body: Value| {
        app.client.put(app.url(&format!("/api/v1/ledger/{id}"))).bearer_auth(token.to_owned()).json(&body).send()
    };
    let res = put(&other_town, json!({"name": "张秀兰", "categories": ["elderly_alone"]})).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = put(&town, json!({"name": "张秀兰", "id_number": "123", "categories": ["elderly_alone"]})).await.unwrap();
    assert_eq!(error_code(res).await, "invalid_id_number");
    let res = put(&town, json!({"name": "张秀兰", "categories": []})).await.unwrap();
    assert_eq!(error_code(res).await, "category_required");
    let res = put(&d1, json!({"name": "张秀兰", "address": "乾佑街道仁和社区五组3号", "categories": ["elderly_alone", "disabled"], "members": 2}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let full: Value =
        app.post_json(&format!("/api/v1/ledger/{id}/unmask"), Some(&town), &json!({})).await.json().await.unwrap();
    assert_eq!(full["id_number"], "11010519491231002X", "kept");
    assert_eq!(full["phone"], "13791451234", "kept");
    assert_eq!(full["address"], "乾佑街道仁和社区五组3号");
    assert_eq!(full["categories"], json!(["elderly_alone", "disabled"]));
    let log: Vec<Value> = app.get("/api/v1/audit?action=ledger.edit", Some(&auditor)).await.json().await.unwrap();
    assert_eq!(log.len(), 1);
    assert!(log[0]["summary"].as_str().unwrap().contains("住址"), "{}", log[0]);
    assert!(!log[0].to_string().contains("五组"), "the audit holds no values: {}", log[0]);

    // Taken off with a reason; its visits stay counted.
    let res = app.post_json(&format!("/api/v1/ledger/{id}/remove"), Some(&town), &json!({"reason": ""})).await;
    assert_eq!(error_code(res).await, "required");
    assert_eq!(
        app.post_json(&format!("/api/v1/ledger/{id}/remove"), Some(&town), &json!({"reason": "已迁出"})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&format!("/api/v1/ledger/{id}"), Some(&town)).await.status(), StatusCode::NOT_FOUND);
}

on_both_backends!(
    a_meeting_records_questions_and_tracks_commitments,
    a_report_to_voters_runs_from_draft_to_evaluation,
    the_ledger_is_masked_scoped_and_audited
);
