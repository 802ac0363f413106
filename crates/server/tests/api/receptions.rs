//! Reception days through the API: schedules by rule and their refusals, fair rosters, swaps
//! and their refusals, reception records whose matters become cases, reminders through the
//! outbox, and calendar feeds parsed back. Each refusal changes nothing; another township's or
//! county's officer is refused.

use chrono::{Datelike, Duration, TimeZone, Utc};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::str::FromStr;

struct World {
    sup: String,
    officer: String,
    other_officer: String,
    zhenan: String,
    staff_b: String,
    /// Deputies of st-a (a station of 乾佑街道).
    deputies: Vec<String>,
}

/// Two stations of 柞水县 in two townships, one of 镇安县; three deputies at st-a.
async fn world(app: &TestApp) -> World {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    for (path, body, token) in [
        (
            "/api/v1/stations",
            json!({"slug": "st-a", "region": "611026001", "name": "仁和站", "kind": "联络站", "address": "仁和社区"}),
            &sup,
        ),
        ("/api/v1/stations", json!({"slug": "st-b", "region": "611026101", "name": "下梁站", "kind": "联络站"}), &sup),
        (
            "/api/v1/stations",
            json!({"slug": "st-z", "region": "611025001", "name": "永乐站", "kind": "联络站"}),
            &zhenan,
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "d1", "name": "代表甲", "gender": "女", "levels": "县级", "region": "611026001", "stations": "st-a", "phone": "13800000001"}),
            &sup,
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "d2", "name": "代表乙", "gender": "男", "levels": "县级", "region": "611026001", "stations": "st-a"}),
            &sup,
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "d3", "name": "代表丙", "gender": "男", "levels": "县级", "region": "611026001", "stations": "st-a"}),
            &sup,
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "db", "name": "代表丁", "gender": "女", "levels": "县级", "region": "611026101", "stations": "st-b"}),
            &sup,
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "dz", "name": "代表戊", "gender": "女", "levels": "县级", "region": "611025001", "stations": "st-z"}),
            &zhenan,
        ),
    ] {
        let res = app.post_json(path, Some(token), &body).await;
        assert!(res.status().is_success(), "{path} {body}: {}", res.text().await.unwrap());
    }
    World {
        officer: app.token_for("officer", "township_officer", "region:611026001", "611026").await,
        other_officer: app.token_for("xialiang", "township_officer", "region:611026101", "611026").await,
        staff_b: app.token_for("staff-b", "station_staff", "station:st-b", "611026").await,
        sup,
        zhenan,
        deputies: vec!["d1".into(), "d2".into(), "d3".into()],
    }
}

fn fifth(station: &str, per_day: i64) -> Value {
    json!({
        "station": station, "kind": "station_day", "title": "5号见",
        "rule": {"kind": "monthly_day", "day": 5}, "holiday_policy": "next_workday",
        "starts_on": "2026-01-01", "start_time": "09:00", "end_time": "12:00",
        "place": "仁和社区党群服务中心", "per_day": per_day, "remind_days": 2
    })
}

async fn put_json(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn schedules(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/v1/reception-schedules?region=611026", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn duties(app: &TestApp, deputy: &str, from: &str, to: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/public/deputies/{deputy}/duties?from={from}&to={to}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match app.db() {
        liaison_store::Db::Sqlite { read, .. } => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).fetch_one(read).await.unwrap()
        }
        liaison_store::Db::Postgres(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).fetch_one(p).await.unwrap()
        }
    }
}

async fn schedules_refusals_and_a_fair_roster(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = world(&app).await;
    let res = app.post_json("/api/v1/reception-schedules", Some(&w.officer), &fifth("st-a", 2)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Refusals: each a clear code on its field, and nothing written.
    let bad = |patch: Value| {
        let mut body = fifth("st-a", 2);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, code) in [
        (bad(json!({"station": "no-such-station"})), "unknown_station"),
        (bad(json!({"rule": {"kind": "dates", "dates": ["2031-05-05"]}})), "no_dates"),
        (bad(json!({"rule": {"kind": "lunar", "days": [1, 31]}})), "invalid_rule"),
        (bad(json!({"rule": {"kind": "every_full_moon"}})), "invalid_rule"),
        (bad(json!({"per_day": 0})), "invalid_per_day"),
        (bad(json!({"end_time": "08:00"})), "invalid_time"),
        (bad(json!({"holiday_policy": "sometimes"})), "invalid_holiday_policy"),
    ] {
        let res = app.post_json("/api/v1/reception-schedules", Some(&w.officer), &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["error"]["code"], code, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{v}");
    }
    // Another township's officer and another county's supervisor are refused.
    for token in [&w.other_officer, &w.zhenan, &w.staff_b] {
        let res = app.post_json("/api/v1/reception-schedules", Some(token), &fifth("st-a", 2)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .post_json(&format!("/api/v1/reception-schedules/{id}/roster"), Some(token), &json!({"year": 2027}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(schedules(&app, &w.sup).await.len(), 1, "refusals wrote nothing");

    // A roster needing more deputies than the station has.
    let res = app.post_json("/api/v1/reception-schedules", Some(&w.officer), &fifth("st-a", 4)).await;
    let four = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .post_json(&format!("/api/v1/reception-schedules/{four}/roster"), Some(&w.officer), &json!({"year": 2027}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "not_enough_deputies");
    assert_eq!(count(&app, "duty_assignments").await, 0);

    // 2027: twelve 5ths, two deputies each, taken in turn from three.
    let res = app
        .post_json(&format!("/api/v1/reception-schedules/{id}/roster"), Some(&w.officer), &json!({"year": 2027}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let g: Value = res.json().await.unwrap();
    assert_eq!((g["days"].as_i64(), g["added"].as_i64()), (Some(12), Some(24)), "{g}");
    let mut per: HashMap<String, usize> = HashMap::new();
    for d in &w.deputies {
        per.insert(d.clone(), duties(&app, d, "2027-01-01", "2027-12-31").await.len());
    }
    assert_eq!(per.values().sum::<usize>(), 24);
    assert!(per.values().all(|n| *n == 8), "{per:?}");
    // Generating again adds nothing: the days are filled.
    let res = app
        .post_json(&format!("/api/v1/reception-schedules/{id}/roster"), Some(&w.officer), &json!({"year": 2027}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["added"], 0);

    // The public days, with the duty deputies' names and the lunar date, never a phone.
    let res = app.get("/api/v1/public/stations/st-a/reception-days?from=2027-10-01&to=2027-10-31", None).await;
    let text = res.text().await.unwrap();
    assert!(!text.contains("13800000001") && !text.contains("phone"), "{text}");
    let days: Vec<Value> = serde_json::from_str(&text).unwrap();
    let days: Vec<&Value> = days.iter().filter(|d| d["schedule_id"] == id).collect();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0]["duty"].as_array().unwrap().len(), 2);
    assert_eq!(days[0]["lunar"].as_str().map(|s| !s.is_empty()), Some(true));
    // Staff month view, refused to another county.
    let res = app.get("/api/v1/reception-days?region=611026001&from=2027-01-01&to=2027-03-31", Some(&w.officer)).await;
    assert_eq!(res.json::<Vec<Value>>().await.unwrap().len(), 3 * 2, "two schedules, three months");
    let res = app.get("/api/v1/reception-days?region=611026001", Some(&w.zhenan)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.get("/api/v1/reception-days?region=611026001&from=2027-01-01&to=2029-01-01", Some(&w.officer)).await;
    assert_eq!(error_code(res).await, "invalid_range");

    // The audit log has the schedule and the roster.
    let res = app
        .get("/api/v1/audit?limit=200", Some(&app.token_for("aud", "auditor", "region:611026", "611026").await))
        .await;
    let log = res.text().await.unwrap();
    assert!(log.contains("reception_schedule.create") && log.contains("duty_roster.generate"), "{log}");
}

async fn swaps_and_their_refusals(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = world(&app).await;
    let res = app.post_json("/api/v1/reception-schedules", Some(&w.officer), &fifth("st-a", 1)).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let next = app.state.app.today().year() + 1;
    app.post_json(&format!("/api/v1/reception-schedules/{id}/roster"), Some(&w.officer), &json!({"year": next})).await;
    let from = format!("{next}-01-01");
    let to = format!("{next}-12-31");
    let mine = duties(&app, "d1", &from, &to).await;
    let duty = mine[0]["id"].as_i64().unwrap();
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;
    let swap = |token: String, to: &'static str| {
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/duties/{duty}/swap"), Some(&token), &json!({"to": to, "reason": "开会"}))
                .await
        }
    };
    // With a deputy of another station, of another county, or unknown; by someone else's hand.
    assert_eq!(error_code(swap(d1.clone(), "db").await).await, "not_station_deputy");
    assert_eq!(error_code(swap(d1.clone(), "dz").await).await, "not_station_deputy");
    assert_eq!(error_code(swap(d1.clone(), "nobody").await).await, "unknown_deputy");
    assert_eq!(error_code(swap(d1.clone(), "d1").await).await, "same_deputy");
    assert_eq!(swap(d2.clone(), "d3").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(swap(w.staff_b.clone(), "d3").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "duty_swaps").await, 0);
    let res = swap(d1.clone(), "d3").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let swap_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let pending: Vec<Value> =
        app.get("/api/v1/duty-swaps?region=611026001", Some(&w.officer)).await.json().await.unwrap();
    assert_eq!(pending.len(), 1);
    let decide = |token: String, approve: bool| {
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/duty-swaps/{swap_id}/decision"), Some(&token), &json!({"approve": approve}))
                .await
        }
    };
    assert_eq!(decide(w.other_officer.clone(), true).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(w.zhenan.clone(), true).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(d1.clone(), true).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(w.officer.clone(), true).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(decide(w.officer.clone(), true).await.status(), StatusCode::CONFLICT);
    assert!(duties(&app, "d3", &from, &to).await.iter().any(|d| d["id"] == duty), "d3 took the duty");
    assert!(!duties(&app, "d1", &from, &to).await.iter().any(|d| d["id"] == duty));

    // The officer's edit: within the station only, and only in their township.
    let res = put_json(&app, &format!("/api/v1/duties/{duty}"), &w.officer, &json!({"deputy": "db"})).await;
    assert_eq!(error_code(res).await, "not_station_deputy");
    let res = put_json(&app, &format!("/api/v1/duties/{duty}"), &w.other_officer, &json!({"deputy": "d2"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = put_json(&app, &format!("/api/v1/duties/{duty}"), &w.officer, &json!({"deputy": "d2"})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(duties(&app, "d2", &from, &to).await.iter().any(|d| d["id"] == duty));

    // Declared unavailability: refused when backwards, then honoured by the next generation.
    let away = |body: Value| {
        let (app, d1) = (&app, d1.clone());
        async move { app.post_json("/api/v1/deputies/d1/unavailability", Some(&d1), &body).await }
    };
    let year2 = next + 1;
    assert_eq!(
        error_code(away(json!({"from": format!("{year2}-03-01"), "to": format!("{year2}-02-01")})).await).await,
        "invalid_date"
    );
    let res = app
        .post_json("/api/v1/deputies/d1/unavailability", Some(&d2), &json!({"from": "2030-01-01", "to": "2030-01-02"}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a deputy declares only their own days");
    let res =
        away(json!({"from": format!("{year2}-01-01"), "to": format!("{year2}-12-31"), "reason": "外出学习"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.post_json(&format!("/api/v1/reception-schedules/{id}/roster"), Some(&w.officer), &json!({"year": year2})).await;
    assert!(duties(&app, "d1", &format!("{year2}-01-01"), &format!("{year2}-12-31")).await.is_empty());
    assert_eq!(duties(&app, "d2", &format!("{year2}-01-01"), &format!("{year2}-12-31")).await.len(), 6);
}

async fn reception_records_make_cases(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = world(&app).await;
    let staff_a = app.token_for("staff-a", "station_staff", "station:st-a", "611026").await;
    let today = app.state.app.today();
    let record = |held_on: String, attendees: Value, matters: Value| {
        json!({"station": "st-a", "kind": "agency_heads", "held_on": held_on, "place": "仁和社区", "visitors": 23,
               "attendees": attendees, "matters": matters})
    };
    let heads =
        json!([{"role": "deputy", "deputy": "d1"}, {"role": "agency_head", "name": "王建平", "title": "县水利局局长"}]);
    let matters = json!([
        {"title": "河道垃圾", "content": "乾佑河仁和段垃圾多", "put_to": "县水利局局长"},
        {"title": "公交班次", "content": "早班车太少", "put_to": "县交通局局长", "answer": "一个月内增开早班车"}
    ]);
    let cases_before = count(&app, "cases").await;
    // Refusals change nothing: a future date, an unknown deputy, a deputy of another county,
    // a matter without content, another station's staff, another county.
    for (token, body, code) in [
        (
            &staff_a,
            record((today + Duration::days(1)).to_string(), heads.clone(), matters.clone()),
            Some("future_date"),
        ),
        (
            &staff_a,
            record(today.to_string(), json!([{"role": "deputy", "deputy": "nobody"}]), matters.clone()),
            Some("unknown_deputy"),
        ),
        (
            &staff_a,
            record(today.to_string(), json!([{"role": "deputy", "deputy": "dz"}]), matters.clone()),
            Some("invalid_attendee"),
        ),
        (
            &staff_a,
            record(today.to_string(), heads.clone(), json!([{"title": "", "content": ""}])),
            Some("invalid_matter"),
        ),
        (&w.staff_b, record(today.to_string(), heads.clone(), matters.clone()), None),
        (&w.zhenan, record(today.to_string(), heads.clone(), matters.clone()), None),
    ] {
        let res = app.post_json("/api/v1/receptions", Some(token), &body).await;
        match code {
            Some(c) => {
                assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(error_code(res).await, c);
            }
            None => assert_eq!(res.status(), StatusCode::FORBIDDEN),
        }
    }
    assert_eq!((count(&app, "receptions").await, count(&app, "cases").await), (0, cases_before));

    let res = app.post_json("/api/v1/receptions", Some(&staff_a), &record(today.to_string(), heads, matters)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rid = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let v: Value = app.get(&format!("/api/v1/receptions/{rid}"), Some(&w.officer)).await.json().await.unwrap();
    assert_eq!(
        (v["matters"].as_i64(), v["answered_on_spot"].as_i64(), v["visitors"].as_i64()),
        (Some(2), Some(1), Some(23)),
        "{v}"
    );
    assert_eq!(v["attendees"].as_array().unwrap().len(), 2);
    let case_id = v["cases"][0]["case_id"].as_i64().unwrap();
    assert_eq!(v["cases"][0]["put_to"], "县水利局局长");
    let case: Value = app.get(&format!("/api/v1/cases/{case_id}"), Some(&w.officer)).await.json().await.unwrap();
    assert_eq!(case["channel"], "reception");
    assert_eq!(app.get(&format!("/api/v1/receptions/{rid}"), Some(&w.staff_b)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/receptions/{rid}"), Some(&w.zhenan)).await.status(), StatusCode::FORBIDDEN);
    // A matter added later, and the channel cannot be claimed outside a record.
    let res = app
        .post_json(
            &format!("/api/v1/receptions/{rid}/matters"),
            Some(&staff_a),
            &json!({"title": "路灯", "content": "路灯坏了"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post_json(
            &format!("/api/v1/receptions/{rid}/matters"),
            Some(&w.staff_b),
            &json!({"title": "路灯", "content": "路灯坏了"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post_json(
            "/api/v1/cases",
            Some(&staff_a),
            &json!({"channel": "reception", "station": "st-a", "title": "冒充", "content": "接待日"}),
        )
        .await;
    assert_eq!(error_code(res).await, "invalid_channel");
    let list: Vec<Value> = app.get("/api/v1/receptions?region=611026001", Some(&w.officer)).await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["matters"], 3);
    // The statistics count it: held, received, matters, answered on the spot, deputies attending.
    let stats: Value = app.get("/api/v1/stats/cases?region=611026001", Some(&w.officer)).await.json().await.unwrap();
    let r = &stats["receptions"];
    assert_eq!(
        (
            r["held"].as_i64(),
            r["visitors"].as_i64(),
            r["matters"].as_i64(),
            r["answered_on_spot"].as_i64(),
            r["deputy_attendances"].as_i64()
        ),
        (Some(1), Some(23), Some(3), Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["by_kind"][0]["kind"], "agency_heads");
    let other: Value = app.get("/api/v1/stats/cases?region=611026101", Some(&w.sup)).await.json().await.unwrap();
    assert_eq!(other["receptions"]["held"], 0, "another township's figures do not include it");

    // A deputy records their own home visit at their station — not a reception day, not elsewhere.
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;
    let visit = |kind: &str, station: &str| {
        json!({"station": station, "kind": kind, "held_on": today.to_string(), "place": "仁和社区", "visitors": 2,
               "households": [{"household": "低保户 陈某", "note": "取暖煤已备足"}],
               "matters": [{"title": "残疾人补贴", "content": "想办理残疾人两项补贴"}]})
    };
    for (kind, station) in [("station_day", "st-a"), ("home_visit", "st-b")] {
        let res = app.post_json("/api/v1/receptions", Some(&d1), &visit(kind, station)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{kind} at {station}");
    }
    let res = app.post_json("/api/v1/receptions", Some(&d1), &visit("home_visit", "st-a")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let vid = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let v: Value = app.get(&format!("/api/v1/receptions/{vid}"), Some(&d1)).await.json().await.unwrap();
    assert_eq!(v["attendees"][0]["deputy"], "d1", "the deputy who recorded it attended: {v}");
    assert_eq!(v["households"][0]["household"], "低保户 陈某");
    let case: Value =
        app.get(&format!("/api/v1/cases/{}", v["cases"][0]["case_id"]), Some(&d1)).await.json().await.unwrap();
    assert_eq!(
        (case["channel"].as_str(), case["deputy"].as_str()),
        (Some("visit"), Some("d1")),
        "a visit's matter: {case}"
    );
    assert_eq!(app.get(&format!("/api/v1/receptions/{vid}"), Some(&d2)).await.status(), StatusCode::FORBIDDEN);
    let res = app
        .post_json(&format!("/api/v1/receptions/{vid}/matters"), Some(&d2), &json!({"title": "x", "content": "y"}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn reminders_go_out_once_and_feeds_parse_back(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = world(&app).await;
    let res = app.post_json("/api/v1/reception-schedules", Some(&w.officer), &fifth("st-a", 2)).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.post_json(&format!("/api/v1/reception-schedules/{id}/roster"), Some(&w.officer), &json!({"year": 2027})).await;
    // Two days before 5 March 2027 (a Friday), in Beijing.
    app.clock.set(Utc.with_ymd_and_hms(2027, 3, 3, 1, 0, 0).unwrap());
    let outbox = |app: &TestApp| {
        let db = app.db().clone();
        async move {
            let mut n = 0;
            for d in ["d1", "d2", "d3"] {
                n += liaison_store::outbox::for_recipient(&db, &format!("deputy:{d}")).await.unwrap().len();
            }
            n
        }
    };
    assert_eq!(liaison_app::receptions::remind(&app.state.app).await.unwrap(), 2);
    assert_eq!(outbox(&app).await, 2);
    assert_eq!(liaison_app::receptions::remind(&app.state.app).await.unwrap(), 0, "once");
    assert_eq!(outbox(&app).await, 2);

    // The feeds: station, deputy and region, parsed back by an iCalendar reader.
    for (path, on_the_fifth) in [
        ("/station/st-a/calendar.ics", true),
        ("/deputy/d1/calendar.ics", false),
        ("/county/611026/calendar.ics", true),
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let text = res.text().await.unwrap();
        let cal = icalendar::Calendar::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        let n = cal.components.iter().filter(|c| matches!(c, icalendar::CalendarComponent::Event(_))).count();
        assert!(n >= 1, "{path}: {n} events");
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n"), "{text}");
        assert!(text.contains("DTSTART;TZID=Asia/Shanghai:2027"), "{path}\n{text}");
        if on_the_fifth {
            assert!(text.contains("DTSTART;TZID=Asia/Shanghai:20270305T090000"), "{path}\n{text}");
        }
        assert!(!text.contains("13800000001"));
    }
    assert_eq!(app.get("/station/nowhere/calendar.ics", None).await.status(), StatusCode::NOT_FOUND);
}

on_both_backends!(
    schedules_refusals_and_a_fair_roster,
    swaps_and_their_refusals,
    reception_records_make_cases,
    reminders_go_out_once_and_feeds_parse_back
);
