//! Points rules, points and targets, annual reports and rankings through the API: a year's report
//! stays byte-identical when next year's rules come in; the PDF carries the deputy's name and the
//! Chinese kinds in an embedded CJK font; overlapping versions and bad sets are refused and change
//! nothing; reminders go out once a day; archives and rankings; and the scope of each.

use chrono::{TimeZone, Utc};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn seed(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        ("/api/v1/stations", json!({"slug": "st-a", "region": "611026001", "name": "仁和站", "kind": "联络站"})),
        (
            "/api/v1/deputies",
            json!({"slug": "d1", "name": "代表甲", "gender": "女", "levels": "县级", "region": "611026001", "stations": "st-a"}),
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "d2", "name": "代表乙", "gender": "男", "levels": "乡镇", "region": "611026001", "stations": "st-a"}),
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "d3", "name": "代表丙", "gender": "男", "levels": "县级", "region": "611026101"}),
        ),
    ] {
        let res = app.post_json(path, Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    sup
}

fn v1() -> Value {
    json!({
        "name": "积分办法（第一版）", "from": "2026-01-01", "term_from": "2021-10-01",
        "items": [
            {"kind": "training", "points": 3},
            {"kind": "deed", "points": 5, "month_cap": 5},
            {"kind": "voter_contact", "points": 2},
            {"kind": "absence", "points": -5}
        ],
        "targets": [{"kind": "deed", "min": 1, "per": "year"}, {"kind": "training", "min": 2, "per": "term"}]
    })
}

/// Enters an activity for `deputy` as the deputy, and the township confirms it.
async fn entered(app: &TestApp, deputy: &str, officer: &str, kind: &str, on: &str) -> i64 {
    let res = app
        .post_json(
            &format!("/api/v1/deputies/{}/register", deputy.trim_start_matches("dep-")),
            Some(deputy_token(app, deputy).await.as_str()),
            &json!({"kind": kind, "done_on": on, "description": format!("{kind} 活动")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app.post_json(&format!("/api/v1/register/{id}/decision"), Some(officer), &json!({"confirm": true})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    id
}

async fn deputy_token(app: &TestApp, user: &str) -> String {
    let slug = user.trim_start_matches("dep-");
    app.token_for(user, "deputy", &format!("deputy:{slug}"), "611026").await
}

async fn pdf(app: &TestApp, token: &str, deputy: &str, year: i32) -> Vec<u8> {
    let res = app.get(&format!("/api/v1/deputies/{deputy}/report.pdf?year={year}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    res.bytes().await.unwrap().to_vec()
}

async fn points(app: &TestApp, token: &str, deputy: &str, year: i32) -> Value {
    let res = app.get(&format!("/api/v1/deputies/{deputy}/points?year={year}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn sets(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/v1/points-rules", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// What poppler's `tool` says of `bytes` (the scripts install poppler-utils).
pub(crate) fn poppler(tool: &str, bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("liaison-report-{}-{}.pdf", std::process::id(), uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    let mut cmd = std::process::Command::new(tool);
    if tool == "pdftotext" {
        cmd.arg("-layout").arg(&path).arg("-");
    } else {
        cmd.arg(&path);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{tool} (Debian poppler-utils) must be installed: {e}"));
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn next_years_rules_leave_this_years_report_unchanged(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap());
    let sup = seed(&app).await;
    let officer = app.token_for("officer", "township_officer", "region:611026001", "611026").await;
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &v1()).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let first = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Before the term the rules name (2021-10-01): refused, nothing entered.
    let res = app
        .post_json(
            "/api/v1/deputies/d1/register",
            Some(&deputy_token(&app, "dep-d1").await),
            &json!({"kind": "training", "done_on": "2021-09-30", "description": "上届的培训"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
        (Some("before_term"), Some("done_on"))
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("早于本届任期"), "{body}");
    entered(&app, "dep-d1", &officer, "training", "2026-03-01").await;
    entered(&app, "dep-d1", &officer, "deed", "2026-04-01").await;
    entered(&app, "dep-d1", &officer, "deed", "2026-04-10").await;
    entered(&app, "dep-d1", &officer, "voter_contact", "2026-05-01").await;
    // Waiting for the township: counts nothing.
    let res = app
        .post_json(
            "/api/v1/deputies/d1/register",
            Some(&deputy_token(&app, "dep-d1").await),
            &json!({"kind": "deed", "done_on": "2026-06-01", "description": "待确认"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let p = points(&app, &sup, "d1", 2026).await;
    assert_eq!(p["total"], 10, "3 + 5 + 0 (the month's cap) + 2: {p}");
    // The statistics sum the region's points the same way, caps included.
    entered(&app, "dep-d3", &sup, "training", "2026-05-02").await;
    let region_points = |query: &'static str| {
        let (app, sup) = (&app, &sup);
        async move {
            let res = app.get(&format!("/api/v1/stats/cases?{query}"), Some(sup)).await;
            assert_eq!(res.status(), StatusCode::OK);
            let body: Value = res.json().await.unwrap();
            (body["register"]["entries"].as_i64().unwrap(), body["register"]["points"].as_i64().unwrap())
        }
    };
    assert_eq!(region_points("region=611026&from=2026-01-01&to=2026-06-15").await, (5, 13));
    assert_eq!(region_points("region=611026001&from=2026-01-01&to=2026-06-15").await, (4, 10), "d3 is elsewhere");
    // From 5 April: the deed of the 10th stays capped by the one of the 1st, outside the period.
    assert_eq!(region_points("region=611026&from=2026-04-05&to=2026-06-15").await, (3, 5));
    let capped: Vec<bool> = p["entries"].as_array().unwrap().iter().map(|e| e["capped"].as_bool().unwrap()).collect();
    assert_eq!(capped, vec![false, false, true, false]);
    let progress = p["progress"].as_array().unwrap();
    assert_eq!((progress[0]["done"].as_u64(), progress[0]["met"].as_bool()), (Some(2), Some(true)));
    assert_eq!((progress[1]["done"].as_u64(), progress[1]["met"].as_bool()), (Some(1), Some(false)));

    let before = pdf(&app, &sup, "d1", 2026).await;
    let text = poppler("pdftotext", &before).replace(char::is_whitespace, "");
    for word in ["代表甲2026年度履职报告", "学习培训", "为民办实事", "联系选民", "积分办法（第一版）"]
    {
        assert!(text.contains(word), "{word} in the PDF's text:\n{text}");
    }
    let fonts = poppler("pdffonts", &before);
    let font = fonts.lines().nth(2).unwrap_or_default();
    assert!(
        font.contains("CID TrueType") && font.contains("yes yes yes"),
        "embedded, subset, with a Unicode map:\n{fonts}"
    );

    // Refused, changing nothing: a version overlapping the one in force; a version that would
    // follow it from a day already past; a set with a kind twice; an unknown kind.
    let mut overlap = v1();
    overlap["from"] = json!("2025-06-01");
    overlap["to"] = json!("2026-02-01");
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &overlap).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "overlap", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("积分办法（第一版）"), "{body}");
    let mut backdated = v1();
    backdated["from"] = json!("2026-06-01");
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &backdated).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("明天或以后"));
    let mut twice = v1();
    twice["from"] = json!("2027-01-01");
    twice["items"].as_array_mut().unwrap().push(json!({"kind": "training", "points": 1}));
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &twice).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "duplicate_kind");
    let mut unknown = v1();
    unknown["from"] = json!("2027-01-01");
    unknown["items"] = json!([{"kind": "mahjong", "points": 1}]);
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &unknown).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "invalid_kind");
    let mut no_term = v1();
    no_term["from"] = json!("2027-01-01");
    no_term["term_from"] = json!("");
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &no_term).await;
    assert_eq!(error_code(res).await, "term_required");
    // Not the township's to set for the county, nor another county's, nor an agency's.
    let mut next = v1();
    next["from"] = json!("2027-01-01");
    assert_eq!(app.post_json("/api/v1/points-rules", Some(&officer), &next).await.status(), StatusCode::FORBIDDEN);
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    let res = app.post_json("/api/v1/points-rules?region=611026", Some(&zhenan), &next).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let agency = app.token_for("agency", "agency_handler", "agency:traffic", "611026").await;
    assert_eq!(app.post_json("/api/v1/points-rules", Some(&agency), &next).await.status(), StatusCode::FORBIDDEN);
    let mut elsewhere = next.clone();
    elsewhere["township"] = json!("611026101");
    assert_eq!(app.post_json("/api/v1/points-rules", Some(&officer), &elsewhere).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(sets(&app, &sup).await.len(), 1, "nothing was added");
    assert!(pdf(&app, &sup, "d1", 2026).await == before, "refusals change no report");

    // Next year's rules: training scores 10, deeds have no cap. This year's report is the same.
    next["name"] = json!("积分办法（第二版）");
    next["items"] = json!([{"kind": "training", "points": 10}, {"kind": "deed", "points": 5}]);
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &next).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let list = sets(&app, &sup).await;
    let old = list.iter().find(|s| s["id"] == first).unwrap();
    assert_eq!(old["to"], "2026-12-31", "the open version ends the day before the next begins");
    assert_eq!(points(&app, &sup, "d1", 2026).await["total"], 10);
    assert!(pdf(&app, &sup, "d1", 2026).await == before, "byte-identical after next year's rules");

    // A year on: 2027's activities score by the new rules, 2026's report is still the same.
    app.clock.set(Utc.with_ymd_and_hms(2027, 3, 1, 2, 0, 0).unwrap());
    // Sessions end with the jump: sign in again.
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let officer = app.token_for("officer", "township_officer", "region:611026001", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    entered(&app, "dep-d1", &officer, "training", "2027-02-01").await;
    assert_eq!(points(&app, &sup, "d1", 2027).await["total"], 10);
    assert!(pdf(&app, &sup, "d1", 2026).await == before, "byte-identical a year on");
    let after = poppler("pdftotext", &pdf(&app, &sup, "d1", 2027).await).replace(char::is_whitespace, "");
    assert!(after.contains("积分办法（第二版）"), "{after}");

    // The archive of the township's reports holds the same bytes.
    let res = app.post_json("/api/v1/report-archives", Some(&officer), &json!({"year": 2026})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut status = Value::Null;
    for _ in 0..300 {
        status = app.get(&format!("/api/v1/report-archives/{id}"), Some(&officer)).await.json().await.unwrap();
        if status["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        (status["status"].as_str(), status["done"].as_i64(), status["total"].as_i64()),
        (Some("done"), Some(2), Some(2))
    );
    let res = app.get(&format!("/api/v1/report-archives/{id}/file"), Some(&officer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    assert_eq!(names, vec!["乾佑街道/代表乙-d2.pdf", "乾佑街道/代表甲-d1.pdf"]);
    let mut inside = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("乾佑街道/代表甲-d1.pdf").unwrap(), &mut inside).unwrap();
    assert!(inside == before, "the archive holds the same report");
    // Another county's supervisor and the other deputy see none of it.
    assert_eq!(app.get(&format!("/api/v1/report-archives/{id}"), Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    let d2 = deputy_token(&app, "dep-d2").await;
    assert_eq!(app.get("/api/v1/deputies/d1/points", Some(&d2)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/deputies/d1/report.pdf", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/deputies/d1/report.pdf", Some(&d2)).await.status(), StatusCode::FORBIDDEN);
    let d1 = deputy_token(&app, "dep-d1").await;
    assert_eq!(app.get("/api/v1/deputies/d1/report.pdf?year=2026", Some(&d1)).await.status(), StatusCode::OK);
}

async fn rules_travel_as_xlsx_and_targets_remind_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap());
    let sup = seed(&app).await;
    let officer = app.token_for("officer", "township_officer", "region:611026001", "611026").await;
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &v1()).await;
    let first = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Exported, the workbook reads back into the same set; imported again it overlaps itself.
    let res = app.get(&format!("/api/v1/points-rules/{first}/xlsx"), Some(&officer)).await;
    assert_eq!(res.status(), StatusCode::OK, "the township reads the county's rules");
    let book = res.bytes().await.unwrap();
    let tables = liaison_sheets::read(&book).unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t.sheet.as_str()).collect();
    assert_eq!(names, vec!["规则", "计分项目", "履职目标"]);
    let import = |token: String, region: &'static str, body: Vec<u8>| {
        let url = app.url(&format!("/api/v1/points-rules/import?region={region}"));
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = import(sup.clone(), "611026", book.to_vec()).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "overlap", "{body}");

    // A township's own version, filled in by hand in the same layout, from a later day.
    let rule = vec![
        vec!["名称".to_string(), "乾佑街道积分办法".to_string()],
        vec!["适用乡镇代码".into(), "611026001".into()],
        vec!["施行日期".into(), "2026-07-01".into()],
    ];
    let items =
        vec![vec!["为民办实事".to_string(), "2".into(), "".into(), "".into()], vec!["无故缺席".into(), "-2".into()]];
    let targets = vec![vec!["为民办实事".to_string(), "每年".into(), "1".into()]];
    let sheet = |items: &[Vec<String>]| {
        liaison_sheets::write_xlsx(&[
            liaison_sheets::SheetOut { name: "规则", headers: &["项目", "内容"], rows: &rule },
            liaison_sheets::SheetOut {
                name: "计分项目",
                headers: &["履职类别", "每次分值", "每月上限", "每年上限"],
                rows: items,
            },
            liaison_sheets::SheetOut {
                name: "履职目标", headers: &["履职类别", "周期", "至少次数"], rows: &targets
            },
        ])
        .unwrap()
    };
    let bad = vec![vec!["打麻将".to_string(), "2".into()]];
    let res = import(officer.clone(), "611026001", sheet(&bad)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("计分项目”第 2 行：不认识的履职类别“打麻将”"),
        "{body}"
    );
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    assert_eq!(import(zhenan.clone(), "611026001", sheet(&items)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(sets(&app, &sup).await.len(), 1, "nothing was added");
    let res = import(officer.clone(), "611026001", sheet(&items)).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let list = sets(&app, &officer).await;
    let own = list.iter().find(|s| s["township"] == "611026001").unwrap();
    assert_eq!((own["from"].as_str(), own["items"].as_array().unwrap().len()), (Some("2026-07-01"), 2));
    // 下梁镇's officer does not see 乾佑's own rules.
    let xialiang = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    assert!(sets(&app, &xialiang).await.iter().all(|s| s["township"].is_null()));
    let own_id = own["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/points-rules/{own_id}"), Some(&xialiang)).await.status(),
        StatusCode::FORBIDDEN
    );

    // Targets: both 乾佑 deputies are behind; the reminder goes once a day.
    let res = app.get("/api/v1/duty-targets", Some(&officer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let standing: Vec<Value> = res.json().await.unwrap();
    assert_eq!(standing.len(), 2);
    assert!(standing.iter().all(|s| s["behind"] == true));
    let res = app.post_json("/api/v1/duty-targets/remind", Some(&officer), &json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["reminded"], 2);
    let res = app.post_json("/api/v1/duty-targets/remind", Some(&officer), &json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["reminded"], 0, "once a day");
    let sent = liaison_store::outbox::for_recipient(app.db(), "deputy:d1").await.unwrap();
    assert_eq!(sent.iter().filter(|(_, subject, _)| subject == "履职目标提醒").count(), 1, "{sent:?}");
    assert_eq!(app.get("/api/v1/duty-targets?region=611026001", Some(&xialiang)).await.status(), StatusCode::FORBIDDEN);
    let d1 = deputy_token(&app, "dep-d1").await;
    assert_eq!(
        app.post_json("/api/v1/duty-targets/remind", Some(&d1), &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );

    // Rankings: the county's deputies by points, per level too.
    entered(&app, "dep-d2", &officer, "deed", "2026-06-01").await;
    let res = app.get("/api/v1/rankings.xlsx?year=2026", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tables = liaison_sheets::read(&res.bytes().await.unwrap()).unwrap();
    let all = &tables[0];
    assert_eq!(all.sheet, "全部代表");
    let first_row: Vec<&str> = all.rows[0].cells.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(first_row, vec!["1", "代表乙", "乡镇人大代表", "乾佑街道", "1", "5", "1/2"]);
    assert_eq!(all.rows.len(), 3);
    assert!(tables.iter().any(|t| t.sheet == "县人大代表" && t.rows.len() == 2));
    assert_eq!(app.get("/api/v1/rankings.xlsx", Some(&zhenan)).await.status(), StatusCode::OK, "their own county");
    assert_eq!(app.get("/api/v1/rankings.xlsx?region=611026", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    let log = app
        .get("/api/v1/audit?limit=100", Some(&app.token_for("aud", "auditor", "region:611026", "611026").await))
        .await
        .text()
        .await
        .unwrap();
    assert!(log.contains("points_rules.create") && log.contains("duty_targets.remind"), "{log}");
}

on_both_backends!(next_years_rules_leave_this_years_report_unchanged, rules_travel_as_xlsx_and_targets_remind_once);
