//! The closed loop end to end, on both stores: a constituent's message through triage,
//! assignment, an overdue escalation, urging, the agency's result, the reply and the rating —
//! with deadlines counted on the working-day calendar under an injected clock.

mod search;

use chrono::{DateTime, Duration, Utc};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use search::{near_duplicates_and_search, open311_clients_submit_and_read};
use serde_json::{Value, json};

/// Stations, a deputy and agencies of 乾佑街道 and the county, made through the API.
async fn organisation(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        (
            "/api/v1/stations",
            json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点"}),
        ),
        (
            "/api/v1/agencies",
            json!({"slug": "qianyou-gov", "region": "611026001", "name": "乾佑街道办事处", "kind": "政府"}),
        ),
        (
            "/api/v1/agencies",
            json!({"slug": "zs-transport", "region": "611026", "name": "柞水县交通运输局", "kind": "部门"}),
        ),
        ("/api/v1/agencies", json!({"slug": "zs-water", "region": "611026", "name": "柞水县水利局", "kind": "部门"})),
        (
            "/api/v1/deputies",
            json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001", "stations": "renhe"}),
        ),
    ] {
        let res = app.post_json(path, Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    sup
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.post_json(&format!("/api/v1/cases/{id}/steps"), Some(token), &body).await
}

async fn ok_step(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let res = step(app, token, id, body.clone()).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn submit(app: &TestApp, key: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url("/api/v1/public/cases")).header("idempotency-key", key).json(&body).send().await.unwrap()
}

async fn track(app: &TestApp, code: &str) -> Value {
    let res = app.get(&format!("/api/v1/public/cases/{code}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn outbox(app: &TestApp, recipient: &str) -> Vec<String> {
    liaison_store::outbox::for_recipient(app.db(), recipient).await.unwrap().into_iter().map(|(_, s, _)| s).collect()
}

async fn the_whole_loop(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    // Tuesday 29 September 2026, 10:00 in China: National Day is two days away.
    app.clock.set(at("2026-09-29T02:00:00Z"));

    // 1. Receive: a constituent scans 王芳's code.
    let message = json!({"deputy": "wang-fang", "title": "仁和社区路口缺少减速带", "content": "小学门口车速快，希望增设减速带和人行横道。",
        "category": "道路交通", "contact_name": "李秀英", "contact_phone": "13912345678", "publish_consent": true});
    let res = submit(&app, "key-loop-0001", message.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let (id, code) = (created["id"].as_i64().unwrap(), created["tracking_code"].as_str().unwrap().to_owned());
    assert_eq!(created["status"], "received");
    let again = submit(&app, "key-loop-0001", message).await;
    assert_eq!(again.status(), StatusCode::OK, "a retry with the same key");
    assert_eq!(again.json::<Value>().await.unwrap()["id"].as_i64(), Some(id), "…returns the same case");
    assert_eq!(track(&app, &code).await["status"], "received");
    assert!(outbox(&app, "deputy:wang-fang").await.iter().any(|s| s.contains("减速带")), "the deputy is told");

    // Who sees it: the station, the deputy, the township, not the agency yet.
    let staff = app.token_for("renhe-staff", "station_staff", "station:renhe", "611026").await;
    let deputy = app.token_for("wang", "deputy", "deputy:wang-fang", "611026").await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let gov = app.token_for("gov", "agency_handler", "agency:qianyou-gov", "611026").await;
    let transport = app.token_for("transport", "agency_handler", "agency:zs-transport", "611026").await;
    for (t, sees) in [(&staff, true), (&deputy, true), (&officer, true), (&gov, false)] {
        let list = liaison_testkit::items(app.get("/api/v1/cases", Some(t)).await).await;
        assert_eq!(list.iter().any(|c| c["id"] == id), sees);
    }
    let detail: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&staff)).await.json().await.unwrap();
    assert_eq!(detail["contact_phone"], "139****5678", "staff lists show the phone masked");
    assert_eq!(detail["contact_name"], "李**");

    // Refusals: a step the role may not take, and a step the state does not allow.
    let res = step(&app, &staff, id, json!({"step": "result", "result": "已办"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = step(&app, &sup, id, json!({"step": "reply", "reply": "已办"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(res).await, "transition_refused");

    // 2–3. Triage at township level and assign: 15 working days across National Day and the
    // make-up Saturday of 10 October end on Monday 26 October.
    ok_step(&app, &officer, id, json!({"step": "triage", "level": "township", "category": "道路交通"})).await;
    let assigned =
        ok_step(&app, &officer, id, json!({"step": "assign", "lead": "qianyou-gov", "assisting": ["zs-transport"]}))
            .await;
    assert_eq!(assigned["deadline_on"], "2026-10-26");
    assert_eq!(assigned["status"], "assigned");
    let list = liaison_testkit::items(app.get("/api/v1/cases", Some(&gov)).await).await;
    assert!(list.iter().any(|c| c["id"] == id), "the lead agency sees it now");
    let list = liaison_testkit::items(app.get("/api/v1/cases", Some(&transport)).await).await;
    assert!(list.iter().any(|c| c["id"] == id), "and so does the assisting agency");
    assert!(outbox(&app, "agency:qianyou-gov").await.iter().any(|s| s.starts_with("交办")));
    let due = liaison_testkit::items(app.get("/api/v1/cases?due_soon=1", Some(&officer)).await).await;
    assert!(due.is_empty(), "not due soon yet");

    // 4. Supervise: on 27 October the deadline has passed; the sweep marks it overdue and sends
    // the township case up to the county. A second sweep does nothing more.
    app.clock.set(at("2026-10-27T01:00:00Z"));
    // A month later every session has lapsed: sign in again.
    let sup = app.token_for("sup", "", "", "").await;
    let staff = app.token_for("renhe-staff", "", "", "").await;
    let deputy = app.token_for("wang", "", "", "").await;
    let officer = app.token_for("qianyou", "", "", "").await;
    let gov = app.token_for("gov", "", "", "").await;
    let transport = app.token_for("transport", "", "", "").await;
    let swept = liaison_app::cases::sweep(&app.state.app).await.unwrap();
    assert_eq!((swept.overdue, swept.escalated), (1, 1));
    assert_eq!(liaison_app::cases::sweep(&app.state.app).await.unwrap(), Default::default());
    let overdue = liaison_testkit::items(app.get("/api/v1/cases?overdue=1", Some(&sup)).await).await;
    assert_eq!(overdue.len(), 1);
    assert_eq!((overdue[0]["level"].as_str(), overdue[0]["escalated"].as_bool()), (Some("county"), Some(true)));
    assert!(outbox(&app, "agency:qianyou-gov").await.iter().any(|s| s.starts_with("逾期提醒")));
    assert!(outbox(&app, "county:611026").await.iter().any(|s| s.starts_with("逾期提醒")));
    let res = step(&app, &officer, id, json!({"step": "assign", "lead": "zs-transport"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a county-level case is assigned by the county");
    ok_step(&app, &sup, id, json!({"step": "urge", "message": "请于本周内办结"})).await;
    let reassigned = ok_step(&app, &sup, id, json!({"step": "assign", "lead": "zs-transport"})).await;
    assert_eq!(reassigned["overdue"], false);
    assert_eq!(reassigned["deadline_on"], "2026-12-08", "30 working days from 27 October");

    // 5. Reply: only the lead agency records the result; the deputy answers the constituent.
    let res = step(&app, &gov, id, json!({"step": "result", "result": "已设置"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no longer this agency's case");
    ok_step(&app, &transport, id, json!({"step": "result", "result": "已在路口增设减速带两处、人行横道一处"})).await;
    ok_step(&app, &deputy, id, json!({"step": "reply", "reply": "交通局已增设减速带和人行横道，感谢您的反映。"})).await;
    let t = track(&app, &code).await;
    assert_eq!((t["status"].as_str(), t["awaiting_rating"].as_bool()), (Some("replied"), Some(true)));
    assert!(
        outbox(&app, "phone:13912345678").await.is_empty(),
        "without an SMS provider nothing waits for the phone (text messages: sms.rs)"
    );

    // 6. Survey: dissatisfied once reopens it for one second handling…
    let res = app
        .post_json(
            &format!("/api/v1/public/cases/{code}/survey"),
            None,
            &json!({"rating": "dissatisfied", "comment": "人行横道太窄"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["status"], "reopened");
    let detail: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&sup)).await.json().await.unwrap();
    assert_eq!(detail["round"], 2);
    ok_step(&app, &sup, id, json!({"step": "triage", "level": "county"})).await;
    ok_step(&app, &sup, id, json!({"step": "assign", "lead": "zs-transport"})).await;
    ok_step(&app, &transport, id, json!({"step": "result", "result": "人行横道已加宽"})).await;
    ok_step(&app, &staff, id, json!({"step": "reply", "reply": "人行横道已加宽至四米。"})).await;
    // …and the second handling closes whatever the rating.
    let res =
        app.post_json(&format!("/api/v1/public/cases/{code}/survey"), None, &json!({"rating": "dissatisfied"})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "closed");
    let res =
        app.post_json(&format!("/api/v1/public/cases/{code}/survey"), None, &json!({"rating": "satisfied"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "rated once");

    // The public timeline: the public steps, no staff names.
    let t = track(&app, &code).await;
    let steps: Vec<&str> = t["timeline"].as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        vec![
            "receive",
            "triage",
            "assign",
            "escalate",
            "assign",
            "publish_reply",
            "survey",
            "triage",
            "assign",
            "publish_reply",
            "survey"
        ]
    );
    let text = t.to_string();
    for name in ["qianyou", "\"sup\"", "transport\"", "李秀英", "13912345678"] {
        assert!(!text.contains(name), "{name} leaked into the public view: {text}");
    }
    // The full timeline keeps every step, with who did it.
    let detail: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&sup)).await.json().await.unwrap();
    let commands: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["command"].as_str().unwrap()).collect();
    for c in ["overdue", "urge", "record_result"] {
        assert!(commands.contains(&c), "{c} missing from {commands:?}");
    }

    // The counts.
    let stats: Value = app
        .get("/api/v1/stats/cases?region=611026&from=2026-01-01&to=2026-12-31", Some(&sup))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (stats["received"].as_i64(), stats["closed"].as_i64(), stats["in_progress"].as_i64()),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(stats["resolution_rate"].as_f64(), Some(1.0));
    assert_eq!(stats["satisfaction_rate"].as_f64(), Some(0.0));
    assert_eq!(stats["by_channel"], json!([{"key": "qr", "count": 1}]));
    let res = app.get("/api/v1/stats/cases?region=611025", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "another county's counts");

    // Every step left an audit entry, and the chain holds.
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> = app.get("/api/v1/audit?action=case.&limit=100", Some(&aud)).await.json().await.unwrap();
    assert_eq!(log.len(), 14, "one entry per step: receive, 11 steps, 2 ratings");
    let v = liaison_store::audit::verify_all(app.db(), &[]).await.unwrap();
    assert!(v.breaks.is_empty(), "{:?}", v.breaks);
}

async fn deadline_rules_by_level_and_category(b: Backend) {
    let mut settings = liaison_web::Settings::default();
    settings.deadline_rules.insert("township:道路交通".into(), 5);
    let Some(app) = TestApp::spawn_with(b, settings).await else { return };
    let _ = organisation(&app).await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    // Friday 25 September: 5 working days end on Friday 9 October (1–7 October are holidays).
    app.clock.set(at("2026-09-25T02:00:00Z"));
    for (i, (category, due)) in [("道路交通", "2026-10-09"), ("农业农村", "2026-10-22")].iter().enumerate() {
        let res = submit(
            &app,
            &format!("key-rule-000{i}"),
            json!({"station": "renhe", "title": "问题", "content": "内容", "category": category}),
        )
        .await;
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        ok_step(&app, &officer, id, json!({"step": "triage", "level": "township"})).await;
        let v = ok_step(&app, &officer, id, json!({"step": "assign", "lead": "qianyou-gov"})).await;
        assert_eq!(v["deadline_on"], *due, "{category}");
    }
}

async fn unanswered_and_unrated_cases_are_swept(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let _ = organisation(&app).await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    // Friday 25 September: 3 working days run to Wednesday 30 September.
    app.clock.set(at("2026-09-25T02:00:00Z"));
    let res = submit(&app, "key-sweep-0001", json!({"station": "renhe", "title": "路灯", "content": "路灯不亮"})).await;
    let unanswered = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res =
        submit(&app, "key-sweep-0002", json!({"station": "renhe", "title": "养老保险", "content": "咨询缴费"})).await;
    let spot = res.json::<Value>().await.unwrap();
    let spot_code = spot["tracking_code"].as_str().unwrap().to_owned();
    ok_step(&app, &officer, spot["id"].as_i64().unwrap(), json!({"step": "answer_on_spot", "reply": "已现场解答"}))
        .await;
    app.clock.set(at("2026-09-30T03:00:00Z"));
    assert_eq!(
        liaison_app::cases::sweep(&app.state.app).await.unwrap(),
        Default::default(),
        "on the due day, nothing yet"
    );
    app.clock.set(at("2026-10-08T03:00:00Z"));
    let swept = liaison_app::cases::sweep(&app.state.app).await.unwrap();
    assert_eq!((swept.overdue, swept.escalated, swept.closed_unrated), (1, 0, 1));
    let detail: Value = app.get(&format!("/api/v1/cases/{unanswered}"), Some(&officer)).await.json().await.unwrap();
    assert_eq!((detail["overdue"].as_bool(), detail["status"].as_str()), (Some(true), Some("received")));
    let t = track(&app, &spot_code).await;
    assert_eq!((t["status"].as_str(), t["rating"].as_str()), (Some("closed"), Some("unrated")));
    assert!(outbox(&app, "station:renhe").await.iter().any(|s| s.starts_with("逾期提醒")));
}

async fn return_merge_and_decline(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let gov = app.token_for("gov", "agency_handler", "agency:qianyou-gov", "611026").await;
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    for i in 0..3 {
        let res = submit(
            &app,
            &format!("key-misc-000{i}"),
            json!({"station": "renhe", "title": format!("问题{i}"), "content": "内容"}),
        )
        .await;
        let v: Value = res.json().await.unwrap();
        ids.push(v["id"].as_i64().unwrap());
        codes.push(v["tracking_code"].as_str().unwrap().to_owned());
    }
    // An agency sends back what is not theirs: it goes back to triage.
    ok_step(&app, &officer, ids[0], json!({"step": "triage", "level": "township"})).await;
    ok_step(&app, &officer, ids[0], json!({"step": "assign", "lead": "qianyou-gov"})).await;
    let back = ok_step(&app, &gov, ids[0], json!({"step": "return", "reason": "属县水利局职责"})).await;
    assert_eq!((back["status"].as_str(), back["agency"].as_str()), (Some("received"), None));
    let res = step(&app, &gov, ids[0], json!({"step": "return", "reason": "again"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no longer theirs");
    // A duplicate is merged: its constituent follows the surviving case.
    let res = step(&app, &officer, ids[1], json!({"step": "merge", "into": ids[1]})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    ok_step(&app, &officer, ids[1], json!({"step": "merge", "into": ids[0]})).await;
    let t = track(&app, &codes[1]).await;
    assert_eq!(t["status"], "merged");
    assert_eq!(t["merged_into"].as_str().unwrap().replace('-', ""), codes[0]);
    // A matter for the courts is declined with a referral, shown publicly.
    ok_step(&app, &officer, ids[2], json!({"step": "decline", "reason": "属民事纠纷", "referral": "可向人民法院起诉"}))
        .await;
    let t = track(&app, &codes[2]).await;
    assert!(t["timeline"].to_string().contains("可向人民法院起诉"));
    let res = step(&app, &sup, ids[2], json!({"step": "triage", "level": "county"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "a declined case is finished");
    // Bad step bodies.
    for body in
        [json!({"step": "fly"}), json!({"step": "triage", "level": "province"}), json!({"step": "urge", "message": ""})]
    {
        let res = step(&app, &sup, ids[0], body.clone()).await;
        assert!(res.status() == StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", res.status());
    }
}

async fn bad_public_input_is_refused_and_stores_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let long = "长".repeat(100 * 1024 / 3);
    let refusals = [
        (json!({"deputy": "wang-fang", "title": "标题", "content": "  "}), "empty_content"),
        (json!({"deputy": "wang-fang", "title": "标题", "content": long}), "content_too_long"),
        (json!({"deputy": "wang-fang", "title": "标题", "content": "内容", "contact_phone": "12345"}), "invalid_phone"),
        (json!({"deputy": "no-such-deputy", "title": "标题", "content": "内容"}), "unknown_recipient"),
        (json!({"title": "标题", "content": "内容"}), "recipient_required"),
        (json!({"deputy": "wang-fang", "title": "标题", "content": "内容", "category": "外星人"}), "invalid_category"),
    ];
    for (body, code) in refusals {
        let res = app.post_json("/api/v1/public/cases", None, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], code);
        assert!(!err["error"]["message"].as_str().unwrap().is_ascii());
    }
    let res = app
        .client
        .post(app.url("/api/v1/public/cases"))
        .header("idempotency-key", "short")
        .json(&json!({"deputy": "wang-fang", "title": "t", "content": "c"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await, "invalid_idempotency_key");
    assert_eq!(app.get("/api/v1/public/cases/not-a-code", None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/v1/public/cases/ABCDE-FGHJK", None).await.status(), StatusCode::NOT_FOUND);
    let res = app.post_json("/api/v1/public/cases/ABCDE-FGHJK/survey", None, &json!({"rating": "meh"})).await;
    assert_eq!(error_code(res).await, "invalid_rating");
    let stats: Value = app.get("/api/v1/stats/cases?region=611026", Some(&sup)).await.json().await.unwrap();
    assert_eq!(stats["received"], 0, "nothing was stored");
}

async fn photos_are_checked_by_content_and_stripped(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let _ = organisation(&app).await;
    let deputy = app.token_for("wang", "deputy", "deputy:wang-fang", "611026").await;
    // 随手拍: the deputy's own report.
    let res = app
        .post_json("/api/v1/cases", Some(&deputy), &json!({"channel": "snapshot", "deputy": "wang-fang", "title": "边坡落石", "content": "村道边坡有落石", "location": "仁和社区北口"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let post = |bytes: Vec<u8>| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/cases/{id}/photos")))
            .bearer_auth(&deputy)
            .body(bytes)
            .send()
    };
    // A JPEG carrying an EXIF block with a GPS position.
    let mut jpeg = vec![0xFF, 0xD8];
    let exif = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude=33.68N";
    jpeg.extend([0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
    jpeg.extend(exif);
    jpeg.extend([0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xD9]);
    assert_eq!(post(jpeg).await.unwrap().status(), StatusCode::CREATED);
    let detail: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&deputy)).await.json().await.unwrap();
    let hash = detail["photos"][0].as_str().unwrap().to_owned();
    let stored = app.get(&format!("/api/v1/cases/{id}/photos/{hash}"), Some(&deputy)).await.bytes().await.unwrap();
    assert!(stored.starts_with(&[0xFF, 0xD8]));
    assert!(!stored.windows(4).any(|w| w == b"Exif") && !stored.windows(3).any(|w| w == b"GPS"), "EXIF stripped");
    // A program renamed .jpg, and a 20 MB photo.
    let res = post(b"MZ\x90\0\x03\0\0\0 this program cannot be run in DOS mode".to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "unsupported_photo");
    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(20 * 1024 * 1024, 0);
    // The server answers 413 without reading the rest, and may close the connection before the
    // client has finished writing: either way the photo is refused.
    match post(big).await {
        Ok(res) => assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    let detail: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&deputy)).await.json().await.unwrap();
    assert_eq!(detail["photos"].as_array().unwrap().len(), 1, "refused photos stored nothing");
    // Another deputy cannot add to it.
    let other = app.token_for("li", "deputy", "deputy:li-ming", "611026").await;
    let res = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/cases/{id}/photos")))
        .bearer_auth(&other)
        .body(vec![0xFF, 0xD8, 0xFF, 0xD9])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn tracking_lookups_are_rate_limited(b: Backend) {
    let settings = liaison_web::Settings { public_per_minute: 3, ..Default::default() };
    let Some(app) = TestApp::spawn_with(b, settings).await else { return };
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/public/cases/ABCDE-FGHJK", None).await.status(), StatusCode::NOT_FOUND);
    }
    let res = app.get("/api/v1/public/cases/ABCDE-FGHJK", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(res).await, "rate_limited");
    // Code recovery has a bucket of its own (a sixth of the lookups, here one a minute), so that
    // guessing codes does not block it, nor it the guesses.
    let res = app.post_json("/api/v1/public/cases/lookup", None, &json!({"phone": "13912345678"})).await;
    assert_eq!(res.status(), StatusCode::OK, "answered (no SMS provider here)");
    let res = app.post_json("/api/v1/public/cases/lookup", None, &json!({"phone": "13912340000"})).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn codes_are_sent_to_the_phone_not_shown(b: Backend) {
    let sms_kinds = liaison_app::notify::SmsKind::ALL.to_vec();
    let Some(app) = TestApp::spawn_with(b, liaison_web::Settings { sms_kinds, ..Default::default() }).await else {
        return;
    };
    let _ = organisation(&app).await;
    let res = submit(
        &app,
        "key-phone-0001",
        json!({"station": "renhe", "title": "路灯", "content": "路灯不亮", "contact_phone": "13912345678"}),
    )
    .await;
    let code = res.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_owned();
    let res = app.post_json("/api/v1/public/cases/lookup", None, &json!({"phone": "139 1234 5678"})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let text = res.text().await.unwrap();
    assert!(!text.contains(&code) && text.contains("139****5678"), "{text}");
    let res = app.post_json("/api/v1/public/cases/lookup", None, &json!({"phone": "13800000000"})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED, "the same answer for a number that never wrote");
    assert_eq!(outbox(&app, "phone:13912345678").await, vec!["短信：查询码".to_owned()]);
    assert!(outbox(&app, "phone:13800000000").await.is_empty());
}

async fn agencies_and_deputies_see_only_their_own(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let mut ids = Vec::new();
    for (i, lead) in ["zs-transport", "zs-water"].iter().enumerate() {
        let res =
            submit(&app, &format!("key-scope-000{i}"), json!({"station": "renhe", "title": "问题", "content": "内容"}))
                .await;
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        ok_step(&app, &sup, id, json!({"step": "triage", "level": "county"})).await;
        ok_step(&app, &sup, id, json!({"step": "assign", "lead": lead})).await;
        ids.push(id);
    }
    let a = app.token_for("transport", "agency_handler", "agency:zs-transport", "611026").await;
    let b_tok = app.token_for("water", "agency_handler", "agency:zs-water", "611026").await;
    assert_eq!(app.get(&format!("/api/v1/cases/{}", ids[0]), Some(&a)).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/cases/{}", ids[0]), Some(&b_tok)).await.status(),
        StatusCode::FORBIDDEN,
        "agency B cannot read agency A's case"
    );
    let res = step(&app, &b_tok, ids[0], json!({"step": "result", "result": "x"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A deputy sees cases addressed to them or their stations only.
    let res =
        submit(&app, "key-scope-0009", json!({"deputy": "wang-fang", "title": "写给王芳", "content": "内容"})).await;
    let to_wang = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let other = app.token_for("li", "deputy", "deputy:li-ming", "611026").await;
    assert_eq!(app.get(&format!("/api/v1/cases/{to_wang}"), Some(&other)).await.status(), StatusCode::FORBIDDEN);
    assert!(liaison_testkit::items(app.get("/api/v1/cases", Some(&other)).await).await.is_empty());
    // Unmasked contact details only for roles that need them, and audited.
    let staff = app.token_for("renhe-staff", "station_staff", "station:renhe", "611026").await;
    assert_eq!(
        app.get(&format!("/api/v1/cases/{to_wang}/contact"), Some(&staff)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&format!("/api/v1/cases/{to_wang}/contact"), Some(&sup)).await.status(), StatusCode::OK);
    let _ = Duration::zero();
}

on_both_backends!(
    deadline_rules_by_level_and_category,
    near_duplicates_and_search,
    open311_clients_submit_and_read,
    the_whole_loop,
    unanswered_and_unrated_cases_are_swept,
    return_merge_and_decline,
    bad_public_input_is_refused_and_stores_nothing,
    photos_are_checked_by_content_and_stripped,
    tracking_lookups_are_rate_limited,
    codes_are_sent_to_the_phone_not_shown,
    agencies_and_deputies_see_only_their_own,
);
