//! The reception-day rows of the authorization table, and the county A records they name.

use super::*;

/// A deputy's own duties, or the township's.
pub(super) const SWAPPERS: &[&str] = &["county_supervisor", "township_officer", "deputy"];
/// Who reads and enters a deputy's register: the deputy, their station, the township and county.
pub(super) const REGISTER: &[&str] = &["county_supervisor", "township_officer", "station_staff", "deputy"];
/// Who records a station's receptions.
pub(super) const RECORDERS: &[&str] = &["county_supervisor", "township_officer", "station_staff"];

pub(super) fn schedule_body() -> Value {
    json!({"station": "st-a", "kind": "station_day", "title": "5号见", "rule": {"kind": "monthly_day", "day": 5},
           "holiday_policy": "next_workday", "starts_on": "2026-01-01", "start_time": "09:00", "end_time": "12:00",
           "place": "仁和社区", "per_day": 1})
}

pub(super) fn reception_body() -> Value {
    json!({"station": "st-a", "kind": "station_day", "held_on": "2026-01-05", "place": "仁和社区", "visitors": 3})
}

/// The ids of county A's reception-day records the table's URLs name.
pub(super) struct Receptions {
    pub entry: i64,
    pub schedule: i64,
    pub duty: i64,
    pub swap: i64,
    pub reception: i64,
}

/// A schedule at st-a with next year's roster, a swap asked by dep-a, and a reception held.
pub(super) async fn seed(app: &TestApp) -> Receptions {
    let sup = app.token_for("seed-a", "", "", "").await;
    let res = app
        .post_json("/api/v1/deputies", Some(&sup), &json!({"slug": "dep-a2", "name": "代表a2", "gender": "男", "levels": "县级", "region": "611026001", "stations": "st-a"}))
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = app.post_json("/api/v1/reception-schedules", Some(&sup), &schedule_body()).await;
    let schedule = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let year = chrono::Datelike::year(&app.state.app.today()) + 1;
    let res = app
        .post_json(&format!("/api/v1/reception-schedules/{schedule}/roster"), Some(&sup), &json!({"year": year}))
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let duties: Vec<Value> = app
        .get(&format!("/api/v1/public/deputies/dep-a/duties?from={year}-01-01&to={year}-12-31"), None)
        .await
        .json()
        .await
        .unwrap();
    let duty = duties[0]["id"].as_i64().unwrap();
    let dep = app.token_for("seed-dep-a", "deputy", "deputy:dep-a", "611026").await;
    let res = app.post_json(&format!("/api/v1/duties/{duty}/swap"), Some(&dep), &json!({"to": "dep-a2"})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let swap = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app.post_json("/api/v1/receptions", Some(&sup), &reception_body()).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let reception = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .post_json(
            "/api/v1/deputies/dep-a/register",
            Some(&sup),
            &json!({"kind": "training", "done_on": "2026-01-05", "description": "培训"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let entry = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    Receptions { entry, schedule, duty, swap, reception }
}

pub(super) fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
        s(
            "GET",
            "/api/v1/reception-schedules",
            "/api/v1/reception-schedules?region=611026001",
            Roles(HANDLING, true),
            None,
        ),
        s(
            "POST",
            "/api/v1/reception-schedules",
            "/api/v1/reception-schedules",
            Roles(HANDLING, true),
            Json(schedule_body()),
        ),
        s(
            "GET",
            "/api/v1/reception-schedules/{id}",
            "/api/v1/reception-schedules/{schedule_a}",
            Roles(HANDLING, true),
            None,
        ),
        s(
            "PUT",
            "/api/v1/reception-schedules/{id}",
            "/api/v1/reception-schedules/{schedule_a}",
            Roles(HANDLING, true),
            Json(schedule_body()),
        ),
        s(
            "POST",
            "/api/v1/reception-schedules/{id}/roster",
            "/api/v1/reception-schedules/{schedule_a}/roster",
            Roles(HANDLING, true),
            Json(json!({"year": 2030})),
        ),
        s("GET", "/api/v1/reception-days", "/api/v1/reception-days?region=611026001", Roles(HANDLING, true), None),
        s(
            "GET",
            "/api/v1/public/stations/{slug}/reception-days",
            "/api/v1/public/stations/st-a/reception-days",
            Public,
            None,
        ),
        s("GET", "/api/v1/public/deputies/{slug}/duties", "/api/v1/public/deputies/dep-a/duties", Public, None),
        s(
            "POST",
            "/api/v1/duties/{id}/swap",
            "/api/v1/duties/{duty_a}/swap",
            Roles(SWAPPERS, true),
            Json(json!({"to": "dep-a2"})),
        ),
        s(
            "PUT",
            "/api/v1/duties/{id}",
            "/api/v1/duties/{duty_a}",
            Roles(HANDLING, true),
            Json(json!({"deputy": "dep-a"})),
        ),
        s("GET", "/api/v1/duty-swaps", "/api/v1/duty-swaps?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/duty-swaps/{id}/decision",
            "/api/v1/duty-swaps/{swap_a}/decision",
            Roles(HANDLING, true),
            Json(json!({"approve": false})),
        ),
        s(
            "POST",
            "/api/v1/deputies/{slug}/unavailability",
            "/api/v1/deputies/dep-a/unavailability",
            Roles(SWAPPERS, true),
            Json(json!({"from": "2030-01-01", "to": "2030-01-02"})),
        ),
        s("POST", "/api/v1/receptions", "/api/v1/receptions", Roles(RECORDERS, true), Json(reception_body())),
        s("GET", "/api/v1/receptions", "/api/v1/receptions?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/receptions/{id}", "/api/v1/receptions/{reception_a}", Roles(RECORDERS, true), None),
        s(
            "POST",
            "/api/v1/receptions/{id}/matters",
            "/api/v1/receptions/{reception_a}/matters",
            Roles(RECORDERS, true),
            Json(json!({"title": "路灯", "content": "路灯坏了"})),
        ),
        s(
            "POST",
            "/api/v1/receptions/{id}/photos",
            "/api/v1/receptions/{reception_a}/photos",
            Roles(RECORDERS, true),
            Bytes(JPEG, "image/jpeg"),
        ),
        s("GET", "/api/v1/receptions/{id}/photos/{hash}", "/api/v1/receptions/{reception_a}/photos/none", Roles(RECORDERS, true), None),
        s(
            "POST",
            "/receptions/records/{id}/photos",
            "/receptions/records/{reception_a}/photos",
            Roles(RECORDERS, true),
            Bytes(b"--x\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nnot\r\n--x--\r\n", "multipart/form-data; boundary=x"),
        ),
        s("GET", "/api/v1/deputies/{slug}/register", "/api/v1/deputies/dep-a/register", Roles(REGISTER, true), None),
        s(
            "POST",
            "/api/v1/deputies/{slug}/register",
            "/api/v1/deputies/dep-a/register",
            Roles(REGISTER, true),
            Json(json!({"kind": "deed", "done_on": "2026-01-05", "description": "办实事"})),
        ),
        s(
            "PUT",
            "/api/v1/register/{id}",
            "/api/v1/register/{entry_a}",
            Roles(REGISTER, true),
            Json(json!({"kind": "training", "done_on": "2026-01-05", "description": "培训"})),
        ),
        s(
            "POST",
            "/api/v1/register/{id}/decision",
            "/api/v1/register/{entry_a}/decision",
            Roles(HANDLING, true),
            Json(json!({"confirm": true})),
        ),
        s("GET", "/api/v1/register", "/api/v1/register?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/register/{id}/history", "/api/v1/register/{entry_a}/history", Roles(REGISTER, true), None),
        s(
            "POST",
            "/api/v1/register/{id}/evidence",
            "/api/v1/register/{entry_a}/evidence",
            Roles(REGISTER, true),
            Bytes(b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        ),
        s("GET", "/api/v1/register/{id}/evidence/{hash}", "/api/v1/register/{entry_a}/evidence/none", Roles(REGISTER, true), None),
        s(
            "POST",
            "/register/entries/{id}/evidence",
            "/register/entries/{entry_a}/evidence",
            Roles(REGISTER, true),
            Bytes(b"--x\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nnot\r\n--x--\r\n", "multipart/form-data; boundary=x"),
        ),
        s("GET", "/register", "/register", Roles(CASE_ROLES, false), None),
        s("GET", "/register/{slug}", "/register/dep-a", Roles(REGISTER, true), None),
        s(
            "POST",
            "/register/{slug}",
            "/register/dep-a",
            Roles(REGISTER, true),
            Form(&[("kind", "deed"), ("done_on", "2026-01-05"), ("description", "办实事")]),
        ),
        s(
            "POST",
            "/register/entries/{id}/decision",
            "/register/entries/{entry_a}/decision",
            Roles(HANDLING, true),
            Form(&[("decision", "confirm")]),
        ),
        s("GET", "/receptions", "/receptions?region=611026001", Roles(HANDLING, true), None),
        s(
            "GET",
            "/receptions/schedules/new",
            "/receptions/schedules/new?region=611026001",
            Roles(HANDLING, true),
            None,
        ),
        s(
            "POST",
            "/receptions/schedules/save",
            "/receptions/schedules/save",
            Roles(HANDLING, true),
            Form(&[
                ("region", "611026001"),
                ("station", "st-a"),
                ("kind", "station_day"),
                ("title", "5号见"),
                ("rule_kind", "monthly_day"),
                ("day", "5"),
                ("holiday_policy", "next_workday"),
                ("starts_on", "2026-01-01"),
                ("start_time", "09:00"),
                ("end_time", "12:00"),
                ("place", "仁和社区"),
                ("per_day", "1"),
                ("remind_days", "0"),
            ]),
        ),
        s("GET", "/receptions/schedules/{id}", "/receptions/schedules/{schedule_a}", Roles(HANDLING, true), None),
        s(
            "GET",
            "/receptions/schedules/{id}/edit",
            "/receptions/schedules/{schedule_a}/edit",
            Roles(HANDLING, true),
            None,
        ),
        s(
            "POST",
            "/receptions/schedules/{id}/roster",
            "/receptions/schedules/{schedule_a}/roster",
            Roles(HANDLING, true),
            Form(&[("year", "2030")]),
        ),
        s(
            "POST",
            "/receptions/duties/{id}/reassign",
            "/receptions/duties/{duty_a}/reassign",
            Roles(HANDLING, true),
            Form(&[("deputy", "dep-a"), ("schedule", "1"), ("year", "2030")]),
        ),
        s(
            "POST",
            "/receptions/swaps/{id}/decision",
            "/receptions/swaps/{swap_a}/decision",
            Roles(HANDLING, true),
            Form(&[("decision", "refuse")]),
        ),
        s("GET", "/receptions/records", "/receptions/records", Roles(CASE_ROLES, false), None),
        s("GET", "/receptions/records/new", "/receptions/records/new", Roles(CASE_ROLES, false), None),
        s(
            "POST",
            "/receptions/records/new",
            "/receptions/records/new",
            Roles(RECORDERS, true),
            Form(&[
                ("station", "st-a"),
                ("kind", "station_day"),
                ("held_on", "2026-01-05"),
                ("place", "仁和"),
                ("visitors", "3"),
            ]),
        ),
        s("GET", "/receptions/records/{id}", "/receptions/records/{reception_a}", Roles(RECORDERS, true), None),
        s(
            "POST",
            "/receptions/records/{id}/matters",
            "/receptions/records/{reception_a}/matters",
            Roles(RECORDERS, true),
            Form(&[("matter_title", "路灯"), ("matter_content", "路灯坏了")]),
        ),
        s("GET", "/duties", "/duties", Roles(CASE_ROLES, false), None),
        s("POST", "/duties/{id}/swap", "/duties/{duty_a}/swap", Roles(SWAPPERS, true), Form(&[("to", "dep-a2")])),
        s(
            "POST",
            "/duties/away",
            "/duties/away",
            Roles(CASE_ROLES, false),
            Form(&[("from", "2030-02-01"), ("to", "2030-02-02")]),
        ),
        s("GET", "/station/{slug}/calendar.ics", "/station/st-a/calendar.ics", Public, None),
        s("GET", "/station/{slug}/notice", "/station/st-a/notice", Public, None),
        s("GET", "/deputy/{slug}/calendar.ics", "/deputy/dep-a/calendar.ics", Public, None),
        s("GET", "/county/{code}/calendar.ics", "/county/611026/calendar.ics", Public, None),
    ]
}
