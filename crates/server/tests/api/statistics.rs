//! Statistics by every dimension, on both stores: cases entered through the API on every
//! channel and taken to every outcome, then the report's figures — received and resolved per
//! month, answered on the spot after the rating closed it, level × status, channel × outcome,
//! agencies' on-time and satisfaction rates, the overdue heat — the tallies against a scan of the
//! cases and against their rebuild, the export, the public pages, and the refusals.

use chrono::{DateTime, Utc};
use liaison_store::cases::{Basis, CellQuery};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn setup(app: &TestApp) -> String {
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

/// A case recorded by staff: (id, tracking code).
async fn record(app: &TestApp, token: &str, body: Value) -> (i64, String) {
    let res = app.post_json("/api/v1/cases", Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    let c: Value = res.json().await.unwrap();
    (c["id"].as_i64().unwrap(), c["tracking_code"].as_str().unwrap().to_owned())
}

async fn ok_step(app: &TestApp, token: &str, id: i64, body: Value) {
    let res = app.post_json(&format!("/api/v1/cases/{id}/steps"), Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}: {}", res.text().await.unwrap());
}

async fn rate(app: &TestApp, code: &str, rating: &str) {
    let res = app.post_json(&format!("/api/v1/public/cases/{code}/survey"), None, &json!({"rating": rating})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/stats/report?{query}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

fn line<'a>(lines: &'a Value, key: &str) -> &'a Value {
    lines.as_array().unwrap().iter().find(|l| l["key"] == key).unwrap_or_else(|| panic!("{key} not in {lines}"))
}

fn cell(t: &Value, row: &str, column: &str) -> i64 {
    let r = t["rows"].as_array().unwrap().iter().position(|x| x == row).unwrap_or_else(|| panic!("{row} in {t}"));
    let c =
        t["columns"].as_array().unwrap().iter().position(|x| x == column).unwrap_or_else(|| panic!("{column} in {t}"));
    t["cells"][r][c].as_i64().unwrap()
}

/// Every dimension and both bases, summed from the tallies (whole months, days, and months less
/// days for periods that cut months in two) and counted from the cases.
async fn tallies_agree_with_the_cases(app: &TestApp, when: &str) {
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    // A year; days across two months; and a month less its first days and a month less its last.
    for ((from, to), basis) in [(day(1, 1), day(12, 31)), (day(2, 20), day(3, 2)), (day(2, 3), day(3, 30))]
        .into_iter()
        .flat_map(|p| [(p, Basis::Received), (p, Basis::Resolved)])
    {
        for (prefix, station) in [("611026", None), ("611026001", None), ("611026", Some("renhe"))] {
            for split in [false, true] {
                let q = CellQuery {
                    region_prefix: prefix,
                    basis,
                    from,
                    to,
                    dims: &["all", "status", "channel", "category", "agency", "station", "deputy"],
                    station,
                    split,
                };
                let mut tallied = liaison_store::cases::cells(app.db(), &q).await.unwrap();
                let mut scanned = liaison_store::cases::cells_by_scan(app.db(), &q).await.unwrap();
                tallied.sort();
                scanned.sort();
                assert_eq!(tallied, scanned, "{when}: {from}–{to} {basis:?} {prefix} {station:?} split {split}");
            }
        }
    }
}

async fn statistics_by_every_dimension(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    setup(&app).await;
    // Monday 2 March 2026, 10:00 in China.
    app.clock.set(at("2026-03-02T02:00:00Z"));
    let sup = app.token_for("sup", "", "", "").await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let gov = app.token_for("gov", "agency_handler", "agency:qianyou-gov", "611026").await;
    let person = |title: &str| {
        json!({"title": title, "content": format!("{title}，请尽快处理。"), "category": "道路交通",
               "contact_name": "李秀英", "contact_phone": "13912345678", "publish_consent": true})
    };
    let with = |mut v: Value, extra: Value| {
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };

    // A: raised at the station's reception, answered on the spot, rated 满意 (and so closed).
    let (a, a_code) =
        record(&app, &sup, with(person("仁和路口路灯不亮"), json!({"channel": "station", "station": "renhe"}))).await;
    ok_step(&app, &sup, a, json!({"step": "answer_on_spot", "reply": "已联系供电所，今晚修复。"})).await;
    rate(&app, &a_code, "satisfied").await;
    // B: met on a patrol visit (巡诊), handled at township level on time, rated 基本满意.
    let (b_id, b_code) = record(
        &app,
        &sup,
        with(person("仁和小区垃圾清运不及时"), json!({"channel": "visit", "station": "renhe", "deputy": "wang-fang"})),
    )
    .await;
    ok_step(&app, &officer, b_id, json!({"step": "triage", "level": "township"})).await;
    ok_step(&app, &officer, b_id, json!({"step": "assign", "lead": "qianyou-gov"})).await;
    ok_step(&app, &gov, b_id, json!({"step": "result", "result": "已增加清运车次"})).await;
    ok_step(&app, &officer, b_id, json!({"step": "reply", "reply": "已增加清运车次。"})).await;
    rate(&app, &b_code, "partly").await;
    // C: from the WeChat group, at county level, overdue, answered late (in April).
    let (c, _) =
        record(&app, &sup, with(person("县道护栏缺失"), json!({"channel": "wechat", "region": "611026001"}))).await;
    ok_step(&app, &sup, c, json!({"step": "triage", "level": "county"})).await;
    ok_step(&app, &sup, c, json!({"step": "assign", "lead": "zs-transport"})).await;
    // D: a QR message still being handled; E: a hotline call declined; F: merged into D.
    let d = app
        .client
        .post(app.url("/api/v1/public/cases"))
        .header("idempotency-key", "stats-d-0001")
        .json(&with(person("学校门口缺减速带"), json!({"station": "renhe"})))
        .send()
        .await
        .unwrap();
    assert_eq!(d.status(), StatusCode::CREATED);
    let d = d.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let (e, _) =
        record(&app, &sup, with(person("邻里纠纷"), json!({"channel": "hotline", "region": "611026001"}))).await;
    ok_step(
        &app,
        &sup,
        e,
        json!({"step": "decline", "reason": "属民事纠纷", "referral": "请向人民调解委员会申请调解"}),
    )
    .await;
    let (f, _) =
        record(&app, &sup, with(person("学校门口车速太快"), json!({"channel": "hotline", "region": "611026001"})))
            .await;
    ok_step(&app, &sup, f, json!({"step": "merge", "into": d})).await;

    // In April C is past its deadline: the sweep marks it, then the agency answers late.
    app.clock.set(at("2026-04-28T02:00:00Z"));
    // (D, a QR message, is overdue too: nobody answered it within the first-reply days.)
    let swept = liaison_app::cases::sweep(&app.state.app).await.unwrap();
    assert_eq!(swept.overdue, 2);
    let sup = app.token_for("sup", "", "", "").await;
    let transport = app.token_for("transport", "agency_handler", "agency:zs-transport", "611026").await;
    ok_step(&app, &transport, c, json!({"step": "result", "result": "护栏已安装"})).await;
    ok_step(&app, &sup, c, json!({"step": "reply", "reply": "护栏已安装。"})).await;
    tallies_agree_with_the_cases(&app, "as kept by the steps").await;

    // March: six received; A on the spot, B solved, D in progress, E declined, F merged — and C
    // still open in March's own figures? No: figures describe the cases as they are now.
    let r = report(&app, &sup, "region=611026&from=2026-03-01&to=2026-03-31").await;
    let t = &r["received"];
    assert_eq!(t["received"], 6, "{r}");
    assert_eq!((t["on_spot"].as_i64(), t["solved"].as_i64()), (Some(1), Some(2)), "A stays 现场答复 once closed");
    assert_eq!((t["in_progress"].as_i64(), t["declined"].as_i64(), t["merged"].as_i64()), (Some(1), Some(1), Some(1)));
    assert_eq!(t["resolved"], 3);
    assert_eq!(t["resolution_rate"].as_f64(), Some(3.0 / 5.0), "merged cases are left out");
    assert_eq!((t["on_time"].as_i64(), t["late"].as_i64()), (Some(1), Some(1)), "B on time, C late; A had no deadline");
    assert_eq!(t["on_time_rate"].as_f64(), Some(0.5));
    assert_eq!((t["satisfied"].as_i64(), t["partly"].as_i64()), (Some(1), Some(1)));
    assert_eq!(t["satisfaction_rate"].as_f64(), Some(1.0));
    assert_eq!(t["overdue"], 2, "C and D");
    // Resolved in March: A and B; C was resolved in April.
    assert_eq!(r["resolved"]["received"], 2);
    let year = report(&app, &sup, "region=611026&from=2026-01-01&to=2026-12-31").await;
    assert_eq!(year["resolved"]["received"], 3);
    assert_eq!(line(&year["resolved_by_month"], "2026-04")["figures"]["received"], 1, "solved in April");
    assert_eq!(line(&year["by_month"], "2026-03")["figures"]["received"], 6);
    assert_eq!(line(&year["by_month"], "2026-04")["figures"]["received"], 0);
    assert_eq!(year["by_month"].as_array().unwrap().len(), 12);
    // By year: a period over two years has a line for each.
    let two = report(&app, &sup, "region=611026&from=2025-07-01&to=2026-12-31").await;
    let years: Vec<(&str, i64)> = two["by_year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["key"].as_str().unwrap(), l["figures"]["received"].as_i64().unwrap()))
        .collect();
    assert_eq!(years, vec![("2025", 0), ("2026", year["received"]["received"].as_i64().unwrap())]);
    assert_eq!(line(&two["resolved_by_year"], "2026")["figures"]["received"], 3);

    // By channel, with the channel × outcome crossing.
    assert_eq!(line(&r["by_channel"], "station")["figures"]["on_spot"], 1);
    assert_eq!(line(&r["by_channel"], "hotline")["figures"]["received"], 2);
    assert_eq!(cell(&r["channel_outcome"], "坐诊接待", "现场答复"), 1);
    assert_eq!(cell(&r["channel_outcome"], "电话", "不予受理"), 1);
    assert_eq!(cell(&r["channel_outcome"], "电话", "已合并"), 1);
    // Level × status: closed at township level is countable.
    assert_eq!(cell(&r["level_status"], "乡镇（街道）", "已办结"), 1);
    assert_eq!(cell(&r["level_status"], "县级", "已答复"), 1);
    assert_eq!(line(&r["by_level"], "township")["figures"]["resolved"], 1);
    // Agencies: on time and satisfaction.
    let gov_line = line(&r["by_agency"], "qianyou-gov");
    assert_eq!(gov_line["label"], "乾佑街道办事处");
    assert_eq!(
        (gov_line["figures"]["on_time_rate"].as_f64(), gov_line["figures"]["satisfaction_rate"].as_f64()),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(line(&r["by_agency"], "zs-transport")["figures"]["on_time_rate"].as_f64(), Some(0.0));
    // Township, station, deputy, category.
    assert_eq!(line(&r["by_township"], "611026001")["figures"]["received"], 6);
    assert_eq!(line(&r["by_station"], "renhe")["figures"]["received"], 3, "A, B and D");
    assert_eq!(line(&r["by_deputy"], "wang-fang")["figures"]["resolved"], 1);
    assert_eq!(line(&r["by_category"], "道路交通")["figures"]["received"], 6);
    // The overdue heat: 乾佑街道 × March.
    let heat = &year["overdue_heat"];
    let town = heat["rows"][0].as_str().unwrap().to_owned();
    assert_eq!(cell(heat, &town, "2026年3月"), 2);
    // One station's statistics.
    let s = report(&app, &sup, "region=611026&station=renhe&from=2026-03-01&to=2026-03-31").await;
    assert_eq!((s["station"].as_str(), s["station_name"].as_str()), (Some("renhe"), Some("仁和社区代表联络点")));
    assert_eq!(s["received"]["received"], 3);
    assert_eq!(line(&s["by_channel"], "visit")["figures"]["solved"], 1);
    assert!(s["by_township"].as_array().unwrap().is_empty());
    // The older counts agree: answered on the spot still counts after the rating closed it.
    let old: Value = app
        .get("/api/v1/stats/cases?region=611026&from=2026-03-01&to=2026-03-31", Some(&sup))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((old["answered_on_spot"].as_i64(), old["resolved"].as_i64()), (Some(1), Some(3)));

    // The tallies, rebuilt from the cases by SQL, say the same as the steps kept them.
    liaison_store::cases::rebuild_tallies(app.db()).await.unwrap();
    tallies_agree_with_the_cases(&app, "after the rebuild").await;
    assert_eq!(report(&app, &sup, "region=611026&from=2026-03-01&to=2026-03-31").await, r);

    // The export: one sheet a table, audited.
    let res = app.get("/api/v1/stats/report.xlsx?region=611026&from=2026-03-01&to=2026-03-31", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let book = liaison_sheets::read(&res.bytes().await.unwrap()).unwrap();
    let sheets: Vec<&str> = book.iter().map(|t| t.sheet.as_str()).collect();
    for name in [
        "总览",
        "按乡镇",
        "按联络站",
        "按代表",
        "按承办单位",
        "按渠道",
        "按层级",
        "按年收集",
        "层级×状态",
        "渠道×结果",
        "逾期分布",
    ] {
        assert!(sheets.contains(&name), "{name} in {sheets:?}");
    }
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> = app.get("/api/v1/audit?action=statistics.export", Some(&aud)).await.json().await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");

    // Refusals: another county, an agency, nobody, a bad date, a backwards period, a station
    // elsewhere — and none of them is audited.
    let other = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    for path in ["/api/v1/stats/report?region=611026", "/api/v1/stats/report.xlsx?region=611026"] {
        assert_eq!(app.get(path, Some(&other)).await.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(app.get(path, Some(&transport)).await.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(app.get(path, None).await.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = app.get("/api/v1/stats/report?region=611026&from=2026-13-01", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "invalid_date");
    let res = app.get("/api/v1/stats/report?region=611026&from=2026-05-01&to=2026-04-01", Some(&sup)).await;
    assert_eq!(error_code(res).await, "invalid_range");
    let res = app.get("/api/v1/stats/report.xlsx?region=611026&station=no-such", Some(&sup)).await;
    assert_eq!(error_code(res).await, "unknown_station");
    let log: Vec<Value> = app.get("/api/v1/audit?action=statistics.export", Some(&aud)).await.json().await.unwrap();
    assert_eq!(log.len(), 1, "refused exports leave no entry");
    // Station staff see their own station, never another's.
    let staff = app.token_for("renhe-staff", "station_staff", "station:renhe", "611026").await;
    let own = report(&app, &staff, "from=2026-03-01&to=2026-03-31").await;
    assert_eq!(own["received"]["received"], 3);
    let res = app.get("/api/v1/stats/report?station=elsewhere", Some(&staff)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The public pages: figures and charts, nothing personal.
    for path in ["/county/611026/stats?year=2026", "/station/renhe/stats?year=2026"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("<svg") && html.contains("收集意见建议"), "{path}");
        for private in ["李秀英", "13912345678", "139****5678"] {
            assert!(!html.contains(private), "{private} on {path}");
        }
    }
    assert_eq!(app.get("/station/no-such/stats", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/county/611026/stats?year=1999", None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_monthly_bulletin_is_drafted_approved_and_published(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    setup(&app).await;
    // October: a matter answered on the spot and rated, one still being handled.
    app.clock.set(at("2026-10-12T02:00:00Z"));
    let sup = app.token_for("sup", "", "", "").await;
    let body = |title: &str, extra: Value| {
        let mut v = json!({"title": title, "content": format!("{title}。"), "category": "道路交通",
            "contact_name": "李秀英", "contact_phone": "13912345678", "publish_consent": true});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let (a, a_code) =
        record(&app, &sup, body("仁和路口路灯不亮", json!({"channel": "station", "station": "renhe"}))).await;
    ok_step(&app, &sup, a, json!({"step": "answer_on_spot", "reply": "供电所当晚修复了路灯。"})).await;
    rate(&app, &a_code, "satisfied").await;
    record(&app, &sup, body("产业路需要硬化", json!({"channel": "visit", "region": "611026001"}))).await;

    app.clock.set(at("2026-11-05T02:00:00Z"));
    let sup = app.token_for("sup", "", "", "").await;
    let reviewer = app.token_for("reviewer", "county_supervisor", "region:611026", "611026").await;
    let draft = |token: String, body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/bulletins", Some(&token), &body).await }
    };
    // Refusals first: none of them drafts anything.
    let other = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    let transport = app.token_for("transport", "agency_handler", "agency:zs-transport", "611026").await;
    let oct = json!({"kind": "monthly", "region": "611026", "period": "2026-10"});
    assert_eq!(draft(other.clone(), oct.clone()).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(draft(transport.clone(), oct.clone()).await.status(), StatusCode::FORBIDDEN);
    for (bad, code) in [
        (json!({"kind": "yearly", "period": "2026-10"}), "invalid_kind"),
        (json!({"kind": "monthly", "period": "2026/10"}), "invalid_period"),
        (json!({"kind": "monthly", "period": "2026-12"}), "invalid_period"),
        (json!({"kind": "weekly", "period": "2026-10"}), "invalid_period"),
        (json!({"kind": "monthly", "period": "2026-10", "station": "elsewhere"}), "unknown_station"),
    ] {
        let res = draft(sup.clone(), bad.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(error_code(res).await, code, "{bad}");
    }
    let list: Vec<Value> = app.get("/api/v1/bulletins", Some(&sup)).await.json().await.unwrap();
    assert!(list.is_empty());

    // The draft, written from October's data.
    let res = draft(sup.clone(), oct.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let d: Value = res.json().await.unwrap();
    let id = d["id"].as_i64().unwrap();
    assert_eq!(
        (d["status"].as_str(), d["period_from"].as_str(), d["period_to"].as_str()),
        (Some("draft"), Some("2026-10-01"), Some("2026-10-31"))
    );
    assert_eq!(d["figures"]["received"]["received"], 2);
    assert_eq!(d["figures"]["received"]["on_spot"], 1);
    assert!(d["asks"].as_str().unwrap().contains("产业路需要硬化"), "examples the constituents allowed: {d}");
    assert!(d["echoes"].as_str().unwrap().contains("供电所当晚修复了路灯"), "{d}");
    assert!(d["progress"].as_str().unwrap().contains("现场答复1件"), "{d}");
    for private in ["李秀英", "13912345678"] {
        assert!(!d.to_string().contains(private));
    }
    let res = draft(sup.clone(), oct.clone()).await;
    assert_eq!(error_code(res).await, "bulletin_exists");
    // A weekly brief for one station is its own series.
    let res = draft(sup.clone(), json!({"kind": "weekly", "period": "2026-10-14", "station": "renhe"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let w: Value = res.json().await.unwrap();
    assert_eq!((w["period_from"].as_str(), w["period_to"].as_str()), (Some("2026-10-12"), Some("2026-10-18")));
    assert_eq!(w["figures"]["received"]["received"], 1, "the station's matter only");

    // Editing: the text is staff's; a blank section or an old version is refused.
    let path = format!("/api/v1/bulletins/{id}");
    let text = |version: i64, asks: &str| {
        json!({"version": version, "title": "柞水县民情月报（2026年10月）", "intro": d["intro"], "asks": asks,
               "progress": d["progress"], "echoes": d["echoes"]})
    };
    let res = app.put_json(&path, Some(&sup), &text(1, "  ")).await;
    assert_eq!(error_code(res).await, "empty_section");
    let res = app.put_json(&path, Some(&sup), &text(1, "群众最盼的是产业路硬化。")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let e: Value = res.json().await.unwrap();
    assert_eq!((e["version"].as_i64(), e["asks"].as_str()), (Some(2), Some("群众最盼的是产业路硬化。")));
    let res = app.put_json(&path, Some(&sup), &text(1, "旧版本")).await;
    assert_eq!(error_code(res).await, "stale_version");
    assert_eq!(app.put_json(&path, Some(&other), &text(2, "他县")).await.status(), StatusCode::FORBIDDEN);

    // Approval: not by the drafter, not published before it.
    let act = |token: String, what: &'static str, version: i64| {
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/bulletins/{id}/{what}"), Some(&token), &json!({"version": version})).await
        }
    };
    assert_eq!(error_code(act(sup.clone(), "publish", 2).await).await, "not_approved");
    assert_eq!(error_code(act(sup.clone(), "approve", 2).await).await, "own_draft");
    assert_eq!(act(other.clone(), "approve", 2).await.status(), StatusCode::FORBIDDEN);
    let res = act(reviewer.clone(), "approve", 2).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "approved");
    assert_eq!(error_code(app.put_json(&path, Some(&sup), &text(3, "审核后")).await).await, "not_a_draft");
    // Sent back, corrected, approved again, published as number 1.
    assert_eq!(act(sup.clone(), "reopen", 3).await.status(), StatusCode::OK);
    assert_eq!(
        app.put_json(&path, Some(&sup), &text(4, "群众最盼的是产业路早日硬化。")).await.status(),
        StatusCode::OK
    );
    assert_eq!(act(reviewer.clone(), "approve", 5).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/bulletin/{id}"), None).await.status(),
        StatusCode::NOT_FOUND,
        "not public before publication"
    );
    let res = act(sup.clone(), "publish", 6).await;
    assert_eq!(res.status(), StatusCode::OK);
    let p: Value = res.json().await.unwrap();
    assert_eq!((p["status"].as_str(), p["number"].as_i64()), (Some("published"), Some(1)));
    assert_eq!(error_code(act(sup.clone(), "publish", 7).await).await, "not_approved");

    // A late entry for October changes the statistics, not the published figures.
    app.clock.set(at("2026-10-20T02:00:00Z"));
    let sup = app.token_for("sup", "", "", "").await;
    record(&app, &sup, body("河堤护栏松动", json!({"channel": "hotline", "region": "611026001"}))).await;
    app.clock.set(at("2026-11-05T03:00:00Z"));
    let sup = app.token_for("sup", "", "", "").await;
    let now = report(&app, &sup, "region=611026&from=2026-10-01&to=2026-10-31").await;
    assert_eq!(now["received"]["received"], 3);
    let kept: Value = app.get(&path, Some(&sup)).await.json().await.unwrap();
    assert_eq!(kept["figures"]["received"]["received"], 2);

    // Published: a web page, a PDF with the three parts in an embedded Chinese font, a workbook,
    // the archive and the feed — for everyone.
    let html = app.get(&format!("/bulletin/{id}"), None).await.text().await.unwrap();
    for part in ["民心所盼", "民意纵览", "民声回响", "群众最盼的是产业路早日硬化。", "2026年第1期", "<svg"]
    {
        assert!(html.contains(part), "{part} on the page");
    }
    let res = app.get(&format!("/bulletin/{id}/bulletin.pdf"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    let text = crate::points::poppler("pdftotext", &pdf).replace(char::is_whitespace, "");
    for part in ["一、民心所盼", "二、民意纵览", "三、民声回响", "柞水县民情月报", "群众最盼的是产业路早日硬化。"]
    {
        assert!(text.contains(part), "{part} in the PDF:\n{text}");
    }
    let fonts = crate::points::poppler("pdffonts", &pdf);
    assert!(fonts.lines().nth(2).is_some_and(|f| f.contains("CID TrueType") && f.contains("yes yes yes")), "{fonts}");
    let res = app.get(&format!("/bulletin/{id}/figures.xlsx"), None).await;
    let book = liaison_sheets::read(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(book[0].sheet, "总览");
    let archive = app.get("/county/611026/bulletins", None).await.text().await.unwrap();
    assert!(archive.contains(&format!("/bulletin/{id}")) && !archive.contains(&format!("/bulletin/{}\"", w["id"])));
    let res = app.get("/county/611026/bulletins.atom", None).await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let feed = res.text().await.unwrap();
    assert!(
        feed.contains("<entry>")
            && feed.contains(&format!("urn:liaison:bulletin:{id}"))
            && feed.contains("2026年第1期"),
        "{feed}"
    );
    assert_eq!(feed.matches("<entry>").count(), 1, "drafts stay out of the feed");

    // Every change is audited.
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> = app.get("/api/v1/audit?action=bulletin.", Some(&aud)).await.json().await.unwrap();
    let mut actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "bulletin.approve",
            "bulletin.approve",
            "bulletin.draft",
            "bulletin.draft",
            "bulletin.publish",
            "bulletin.reopen",
            "bulletin.save",
            "bulletin.save"
        ]
    );
}

/// The seeds' figures, entered as their places entered them, come out of the statistics:
/// 太和's three channels (坐诊 50 receptions, 163 people, 23 matters; 巡诊 35 visits, 71 people, 35
/// matters; 网诊 106 matters — all solved), 柞水's 97 township-level and 32 county-level matters,
/// 界牌's 26 collected and 22 solved.
async fn the_seeds_figures_come_out_of_the_statistics(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    setup(&app).await;
    app.clock.set(at("2026-06-30T02:00:00Z"));
    let sup = app.token_for("sup", "", "", "").await;
    let staff = app.token_for("renhe-staff", "station_staff", "station:renhe", "611026").await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let day = |i: i64| (chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Duration::days(i)).to_string();
    // 太和 坐诊: 50 station days, 163 people (13 × 4 + 37 × 3), 23 matters answered there.
    for i in 0..50 {
        let matters = if i < 23 {
            json!([{"title": format!("坐诊事项{i}"), "content": "群众当面反映的问题。", "answer": "当场答复并解决。"}])
        } else {
            json!([])
        };
        let body = json!({"station": "renhe", "kind": "station_day", "held_on": day(i), "place": "仁和社区",
            "visitors": if i < 13 { 4 } else { 3 }, "attendees": [{"role": "deputy", "deputy": "wang-fang"}], "matters": matters});
        let res = app.post_json("/api/v1/receptions", Some(&staff), &body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    }
    // 太和 巡诊: 35 visits, 71 people (34 × 2 + 3), one matter each, solved.
    for i in 0..35 {
        let body = json!({"station": "renhe", "kind": "home_visit", "held_on": day(i), "place": "仁和社区",
            "visitors": if i == 0 { 3 } else { 2 }, "attendees": [{"role": "deputy", "deputy": "wang-fang"}],
            "matters": [{"title": format!("巡诊事项{i}"), "content": "走访中群众反映的问题。", "answer": "现场协调解决。"}]});
        let res = app.post_json("/api/v1/receptions", Some(&staff), &body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    }
    // 太和 网诊: 106 matters from the grid's WeChat groups, each answered.
    for i in 0..106 {
        let (id, _) = record(
            &app,
            &sup,
            json!({"channel": "wechat", "region": "611026001", "title": format!("网诊事项{i}"),
            "content": "微信群里反映的问题。"}),
        )
        .await;
        ok_step(&app, &sup, id, json!({"step": "answer_on_spot", "reply": "已在群里答复并解决。"})).await;
    }
    // 柞水: 129 matters by phone, 97 for the township to solve and 32 for the county.
    for i in 0..129 {
        let (id, _) = record(
            &app,
            &sup,
            json!({"channel": "hotline", "region": "611026001", "title": format!("热线事项{i}"),
            "content": "电话反映的问题。"}),
        )
        .await;
        let level = if i < 97 { "township" } else { "county" };
        ok_step(&app, if i < 97 { &officer } else { &sup }, id, json!({"step": "triage", "level": level})).await;
    }
    // 界牌 (another township): 26 collected, 22 solved.
    for i in 0..26 {
        let (id, _) = record(
            &app,
            &sup,
            json!({"channel": "visit", "region": "611026101", "title": format!("进社区事项{i}"),
            "content": "进社区收集的问题。"}),
        )
        .await;
        if i < 22 {
            ok_step(&app, &sup, id, json!({"step": "answer_on_spot", "reply": "已解决。"})).await;
        }
    }

    let q = "from=2026-01-01&to=2026-06-30";
    let taihe = report(&app, &sup, &format!("region=611026001&{q}")).await;
    for (channel, n) in [("reception", 23), ("visit", 35), ("wechat", 106)] {
        let f = &line(&taihe["by_channel"], channel)["figures"];
        assert_eq!((f["received"].as_i64(), f["resolved"].as_i64()), (Some(n), Some(n)), "{channel}");
        assert_eq!(f["resolution_rate"].as_f64(), Some(1.0), "{channel}: 解决率均达到100%");
    }
    let counts: Value =
        app.get(&format!("/api/v1/stats/cases?region=611026001&{q}"), Some(&sup)).await.json().await.unwrap();
    let kind = |k: &str| {
        counts["receptions"]["by_kind"].as_array().unwrap().iter().find(|x| x["kind"] == k).cloned().unwrap_or_default()
    };
    assert_eq!((kind("station_day")["held"].as_i64(), kind("station_day")["visitors"].as_i64()), (Some(50), Some(163)));
    assert_eq!((kind("home_visit")["held"].as_i64(), kind("home_visit")["visitors"].as_i64()), (Some(35), Some(71)));
    let zhashui = report(&app, &sup, &format!("region=611026&{q}")).await;
    assert_eq!(line(&zhashui["by_level"], "township")["figures"]["received"], 97);
    assert_eq!(line(&zhashui["by_level"], "county")["figures"]["received"], 32);
    assert_eq!(cell(&zhashui["level_status"], "乡镇（街道）", "已研判"), 97);
    let jiepai = report(&app, &sup, &format!("region=611026101&{q}")).await;
    assert_eq!(
        (jiepai["received"]["received"].as_i64(), jiepai["received"]["resolved"].as_i64()),
        (Some(26), Some(22))
    );
}

on_both_backends!(
    statistics_by_every_dimension,
    a_monthly_bulletin_is_drafted_approved_and_published,
    the_seeds_figures_come_out_of_the_statistics
);
