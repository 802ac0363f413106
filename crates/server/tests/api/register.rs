//! The duty register through the API: entries that arise on their own, once, from a reception
//! the deputy attended and from a case raised to the deputy that closed; entries a deputy or
//! their station's staff enter, confirmed by the township; corrections that keep history; and
//! the refusals, each changing nothing.

use chrono::Duration;
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn seed(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        ("/api/v1/stations", json!({"slug": "st-a", "region": "611026001", "name": "仁和站", "kind": "联络站"})),
        ("/api/v1/stations", json!({"slug": "st-b", "region": "611026101", "name": "下梁站", "kind": "联络站"})),
        (
            "/api/v1/deputies",
            json!({"slug": "d1", "name": "代表甲", "gender": "女", "levels": "县级", "region": "611026001", "stations": "st-a"}),
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "d2", "name": "代表乙", "gender": "男", "levels": "县级", "region": "611026001", "stations": "st-a"}),
        ),
    ] {
        let res = app.post_json(path, Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    sup
}

/// A deputy's entries of the year the test began in (the clock may move on).
async fn entries(app: &TestApp, token: &str, deputy: &str) -> Vec<Value> {
    let year = chrono::Datelike::year(&(chrono::Utc::now() + chrono::Duration::hours(8)));
    let res = app.get(&format!("/api/v1/deputies/{deputy}/register?year={year}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn automatic_entries_arise_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = seed(&app).await;
    let staff = app.token_for("staff-a", "station_staff", "station:st-a", "611026").await;
    let today = app.state.app.today();
    // A reception both deputies attended (d1 named twice): one confirmed entry each.
    let body = json!({"station": "st-a", "kind": "station_day", "held_on": today.to_string(), "place": "仁和", "visitors": 5,
        "attendees": [{"role": "deputy", "deputy": "d1"}, {"role": "deputy", "deputy": "d2"}, {"role": "deputy", "deputy": "d1"}]});
    assert_eq!(app.post_json("/api/v1/receptions", Some(&staff), &body).await.status(), StatusCode::CREATED);
    for d in ["d1", "d2"] {
        let e = entries(&app, &sup, d).await;
        assert_eq!(e.len(), 1, "{d}: {e:?}");
        assert_eq!(
            (e[0]["kind"].as_str(), e[0]["status"].as_str(), e[0]["source"].as_str()),
            (Some("reception"), Some("confirmed"), Some("reception"))
        );
    }
    // A case raised to d1, answered on the spot and rated: it closes, and d1's register has it.
    let res = app
        .post_json(
            "/api/v1/cases",
            Some(&staff),
            &json!({"channel": "station", "station": "st-a", "deputy": "d1", "title": "路灯", "content": "路灯不亮"}),
        )
        .await;
    let case: Value = res.json().await.unwrap();
    let id = case["id"].as_i64().unwrap();
    let code = case["tracking_code"].as_str().unwrap().to_owned();
    let res = app
        .post_json(
            &format!("/api/v1/cases/{id}/steps"),
            Some(&sup),
            &json!({"step": "answer_on_spot", "reply": "已修"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(entries(&app, &sup, "d1").await.len(), 1, "not before it closes");
    let res =
        app.post_json(&format!("/api/v1/public/cases/{code}/survey"), None, &json!({"rating": "satisfied"})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    // A replayed rating is refused and the sweep passes over the closed case: still one entry.
    let res =
        app.post_json(&format!("/api/v1/public/cases/{code}/survey"), None, &json!({"rating": "satisfied"})).await;
    assert!(res.status().is_client_error());
    app.clock.advance(Duration::days(30));
    liaison_app::cases::sweep(&app.state.app).await.unwrap();
    // A month on, the session is over: sign in again.
    let sup = app.token_for("sup-later", "county_supervisor", "region:611026", "611026").await;
    let e = entries(&app, &sup, "d1").await;
    let handled: Vec<&Value> = e.iter().filter(|x| x["kind"] == "case_handled").collect();
    assert_eq!(handled.len(), 1, "{e:?}");
    assert_eq!(handled[0]["status"], "confirmed");
    assert_eq!(entries(&app, &sup, "d2").await.len(), 1, "the case was not raised to d2");
}

async fn entries_are_entered_confirmed_and_corrected(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = seed(&app).await;
    let d1 = app.token_for("dep-d1", "deputy", "deputy:d1", "611026").await;
    let d2 = app.token_for("dep-d2", "deputy", "deputy:d2", "611026").await;
    let staff_a = app.token_for("staff-a", "station_staff", "station:st-a", "611026").await;
    let staff_b = app.token_for("staff-b", "station_staff", "station:st-b", "611026").await;
    let officer = app.token_for("officer", "township_officer", "region:611026001", "611026").await;
    let other = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    let yesterday = (app.state.app.today() - Duration::days(1)).to_string();
    let tomorrow = (app.state.app.today() + Duration::days(1)).to_string();
    let entry = |kind: &str, on: &str, text: &str| json!({"kind": kind, "done_on": on, "place": "县委党校", "description": text});

    // Refusals: each a clear code, nothing written.
    for (token, body, expect) in [
        (&d1, entry("training", &tomorrow, "培训"), Some("future_date")),
        (&d1, entry("party", &yesterday, "培训"), Some("invalid_kind")),
        (&d1, entry("training", &yesterday, ""), Some("required")),
        (&d2, entry("training", &yesterday, "替别人登记"), None),
        (&staff_b, entry("training", &yesterday, "别站登记"), None),
        (&zhenan, entry("training", &yesterday, "外县登记"), None),
    ] {
        let res = app.post_json("/api/v1/deputies/d1/register", Some(token), &body).await;
        match expect {
            Some(code) => {
                assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(error_code(res).await, code);
            }
            None => assert_eq!(res.status(), StatusCode::FORBIDDEN),
        }
    }
    assert!(entries(&app, &sup, "d1").await.is_empty());

    let res = app
        .post_json("/api/v1/deputies/d1/register", Some(&d1), &entry("training", &yesterday, "参加代表履职培训"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res =
        app.post_json("/api/v1/deputies/d1/register", Some(&staff_a), &entry("deed", &yesterday, "协调修好村道")).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the station's staff enter for its deputies");
    assert_eq!(entries(&app, &d1, "d1").await.iter().filter(|e| e["status"] == "pending").count(), 2);
    let pending: Vec<Value> = app.get("/api/v1/register?region=611026001", Some(&officer)).await.json().await.unwrap();
    assert_eq!(pending.len(), 2);

    // Deciding: the township's own officer only.
    let decide = |token: String, confirm: bool| {
        let app = &app;
        async move {
            app.post_json(
                &format!("/api/v1/register/{id}/decision"),
                Some(&token),
                &json!({"confirm": confirm, "note": "属实"}),
            )
            .await
        }
    };
    assert_eq!(decide(other.clone(), true).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(zhenan.clone(), true).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(d1.clone(), true).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(decide(officer.clone(), true).await.status(), StatusCode::NO_CONTENT);
    let e = entries(&app, &officer, "d1").await;
    assert_eq!(e.iter().find(|x| x["id"] == id).unwrap()["status"], "confirmed");

    // A correction by another deputy is refused; by the deputy it makes a new pending version.
    let put = |token: &str, body: Value| {
        app.client.put(app.url(&format!("/api/v1/register/{id}"))).bearer_auth(token).json(&body).send()
    };
    assert_eq!(put(&d2, entry("training", &yesterday, "改")).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(put(&d1, entry("training", &tomorrow, "改")).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        put(&d1, entry("training", &yesterday, "参加全天履职培训")).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let e = entries(&app, &d1, "d1").await;
    let corrected = e.iter().find(|x| x["id"] == id).unwrap();
    assert_eq!((corrected["status"].as_str(), corrected["version"].as_i64()), (Some("pending"), Some(3)));
    let history: Vec<Value> = app.get(&format!("/api/v1/register/{id}/history"), Some(&d1)).await.json().await.unwrap();
    let statuses: Vec<&str> = history.iter().map(|h| h["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "confirmed", "pending"], "nothing is lost: {history:?}");

    // Evidence: a PDF or a photo, told apart by content; anything else refused; only those who
    // may enter the deputy's entries add it.
    let upload = |token: &str, body: Vec<u8>, ct: &str| {
        app.client
            .post(app.url(&format!("/api/v1/register/{id}/evidence")))
            .bearer_auth(token)
            .header("content-type", ct.to_owned())
            .body(body)
            .send()
    };
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    assert_eq!(upload(&d2, pdf.clone(), "application/pdf").await.unwrap().status(), StatusCode::FORBIDDEN);
    let res = upload(&d1, b"just some text".to_vec(), "text/plain").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(res).await, "invalid_evidence");
    assert_eq!(upload(&d1, pdf.clone(), "application/pdf").await.unwrap().status(), StatusCode::CREATED);
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([0, 90, 200]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(upload(&staff_a, png, "image/png").await.unwrap().status(), StatusCode::CREATED);
    let e = entries(&app, &officer, "d1").await;
    let files: Vec<String> = e.iter().find(|x| x["id"] == id).unwrap()["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(files.len(), 2);
    let res = app.get(&format!("/api/v1/register/{id}/evidence/{}", files[0]), Some(&officer)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let back = res.bytes().await.unwrap();
    assert!(back.starts_with(b"%PDF-") || back.starts_with(b"\x89PNG"), "a stored file comes back");
    assert_eq!(
        app.get(&format!("/api/v1/register/{id}/evidence/{}", files[0]), Some(&d2)).await.status(),
        StatusCode::FORBIDDEN
    );

    // Reading: the deputy, the station and the township; not another deputy or county.
    assert_eq!(app.get("/api/v1/deputies/d1/register", Some(&d2)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/deputies/d1/register", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/deputies/d1/register", Some(&staff_b)).await.status(), StatusCode::FORBIDDEN);
    let res = app
        .get("/api/v1/audit?limit=100", Some(&app.token_for("aud", "auditor", "region:611026", "611026").await))
        .await;
    let log = res.text().await.unwrap();
    assert!(
        log.contains("duty_entry.add") && log.contains("duty_entry.confirmed") && log.contains("duty_entry.correct")
    );
}

on_both_backends!(automatic_entries_arise_once, entries_are_entered_confirmed_and_corrected);
