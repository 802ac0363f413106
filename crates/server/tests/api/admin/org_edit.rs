//! Editing the organisation: a save changes only what it names (through the API and the edit
//! form), the form opens filled with the current values and pickers by name, QR downloads carry
//! the name, and the import's error report is a file.

use super::{hidden, login, page, seed};
use liaison_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn station(app: &TestApp, token: &str, slug: &str) -> Value {
    let list: Vec<Value> = app.get("/api/v1/stations?region=611026", Some(token)).await.json().await.unwrap();
    list.into_iter().find(|s| s["slug"] == slug).expect("the station")
}

/// Reported: saving a station with its opening hours erased its public address.
pub(super) async fn a_station_save_changes_only_what_it_names(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = seed(&app).await;
    let res = app
        .post_json("/api/v1/stations", Some(&sup), &json!({"slug": "renhe", "opening_hours": "每周三、周五上午"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let s = station(&app, &sup, "renhe").await;
    assert_eq!(s["opening_hours"], "每周三、周五上午");
    assert_eq!(s["address"], "仁和社区党群服务中心一楼", "the address stays");
    assert_eq!(
        (s["name"].as_str(), s["kind"].as_str(), s["phone"].as_str()),
        (Some("仁和社区代表联络点"), Some("point"), Some("0914-4312345"))
    );
    assert_eq!(s["region_code"], "611026001001");
    // Named by its natural key (region by name, and name) instead of its slug: the same.
    let first = json!({"region": "611026001", "name": "乾佑站", "kind": "代表联络站", "address": "乾佑街道办一楼"});
    assert_eq!(app.post_json("/api/v1/stations", Some(&sup), &first).await.status(), StatusCode::CREATED);
    let again = json!({"region": "乾佑街道", "name": "乾佑站", "opening_hours": "工作日"});
    assert_eq!(app.post_json("/api/v1/stations", Some(&sup), &again).await.status(), StatusCode::OK);
    let list: Vec<Value> = app.get("/api/v1/stations?region=611026001", Some(&sup)).await.json().await.unwrap();
    let named: Vec<&Value> = list.iter().filter(|s| s["name"] == "乾佑站").collect();
    assert_eq!(named.len(), 1);
    assert_eq!(
        (named[0]["address"].as_str(), named[0]["opening_hours"].as_str()),
        (Some("乾佑街道办一楼"), Some("工作日"))
    );
    // An empty value clears an optional field; a required one cannot be cleared.
    let res = app.post_json("/api/v1/stations", Some(&sup), &json!({"slug": "renhe", "phone": ""})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let s = station(&app, &sup, "renhe").await;
    assert_eq!((s["phone"].as_str(), s["address"].as_str()), (Some(""), Some("仁和社区党群服务中心一楼")));
    let res = app.post_json("/api/v1/stations", Some(&sup), &json!({"slug": "renhe", "name": ""})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A partial save of another county's record is refused and changes nothing.
    let za = app.token_for("sup-za", "county_supervisor", "region:611025", "611025").await;
    let res = app.post_json("/api/v1/stations", Some(&za), &json!({"slug": "renhe", "address": "劫持"})).await;
    assert!(matches!(res.status().as_u16(), 403 | 409), "{}", res.status());
    assert_eq!(station(&app, &sup, "renhe").await["address"], "仁和社区党群服务中心一楼");
}

pub(super) async fn a_deputy_save_that_names_no_stations_keeps_them(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = seed(&app).await;
    let res = app
        .post_json("/api/v1/deputies", Some(&sup), &json!({"slug": "wang", "occupation": "仁和社区党支部书记"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let d = liaison_store::org::deputy_by_slug(app.db(), "wang").await.unwrap().unwrap();
    assert_eq!(d.data.occupation, "仁和社区党支部书记");
    assert_eq!(
        (d.data.phone.as_str(), d.data.gender.as_str(), d.data.levels.as_str()),
        ("13812345678", "female", "county")
    );
    let links = liaison_store::org::deputy_links(app.db(), d.id).await.unwrap();
    assert_eq!(links, vec![("renhe".to_owned(), true)], "still at the station, resident");
}

pub(super) async fn the_edit_form_is_filled_and_saves_only_what_changed(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = seed(&app).await;
    let cookie = login(&app, "town").await;
    let list = page(&app, &cookie, "/org?region=611026001").await.text().await.unwrap();
    assert!(
        list.contains("/org/stations/renhe/edit") && list.contains("/station/renhe/codes"),
        "edit and QR sheet linked"
    );
    assert!(!list.contains("<td>renhe</td>") && list.contains("乾佑街道 · 仁和社区"), "names, not slugs or codes");
    let res = page(&app, &cookie, "/org/stations/renhe/edit?region=611026001").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"仁和社区党群服务中心一楼\"") && html.contains("value=\"每周三上午\""), "{html}");
    assert!(html.contains("<option value=\"联络点\" selected>"), "the kind is a select, set");
    assert!(html.contains("<option value=\"611026001001\" selected>乾佑街道 · 仁和社区</option>"), "region by name");
    // Someone else changes the address while the form is open.
    let res = app.post_json("/api/v1/stations", Some(&sup), &json!({"slug": "renhe", "address": "仁和社区新址"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The form sends everything it holds, with only the opening hours changed.
    let mut form: Vec<(String, String)> = Vec::new();
    for key in ["csrf_token", "editing"] {
        form.push((key.into(), hidden(&html, key)));
    }
    for key in [
        "name",
        "kind",
        "region",
        "household_kind",
        "sector",
        "parent",
        "address",
        "opening_hours",
        "phone",
        "description",
    ] {
        let was = hidden(&html, &format!("was.{key}"));
        form.push((format!("was.{key}"), was.clone()));
        form.push((key.into(), if key == "opening_hours" { "每周三全天".into() } else { was }));
    }
    let res = app
        .client
        .post(app.url("/org/stations/save?region=611026001"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let s = station(&app, &sup, "renhe").await;
    assert_eq!(s["opening_hours"], "每周三全天");
    assert_eq!(s["address"], "仁和社区新址", "the other person's change stays");
    assert_eq!(s["phone"], "0914-4312345");
    // A refusal shows the form again with what was typed, the message beside the field.
    let mut bad = form.clone();
    bad.iter_mut().filter(|(k, _)| k == "name").for_each(|(_, v)| v.clear());
    bad.iter_mut().filter(|(k, _)| k == "opening_hours").for_each(|(_, v)| *v = "周末".into());
    let res = app
        .client
        .post(app.url("/org/stations/save?region=611026001"))
        .header("cookie", &cookie)
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"err-name\"") && html.contains("value=\"周末\""), "{html}");
    // The deputy's form: gender a select, levels ticked, the phone masked, stations by name.
    let html = page(&app, &cookie, "/org/deputies/wang/edit").await.text().await.unwrap();
    assert!(html.contains("<option value=\"女\" selected>女</option>"), "{html}");
    assert!(html.contains("value=\"县人大代表\" checked") && html.contains("value=\"138****5678\""));
    assert!(html.contains("value=\"renhe\" checked> 仁和社区代表联络点"), "{html}");
    // A new station needs no identifier typed.
    let html = page(&app, &cookie, "/org/stations/new?region=611026001").await.text().await.unwrap();
    let csrf = hidden(&html, "csrf_token");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("name", "石镇社区联络点"),
        ("kind", "联络点"),
        ("region", "611026001"),
        ("slug", ""),
    ];
    let res = app
        .client
        .post(app.url("/org/stations/save?region=611026001"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list: Vec<Value> = app.get("/api/v1/stations?region=611026001", Some(&sup)).await.json().await.unwrap();
    assert!(list.iter().any(|s| s["name"] == "石镇社区联络点" && s["slug"].as_str().unwrap().starts_with("st-")));
    // Another township's officer cannot open the form.
    app.create_user("town2", "township_officer", "region:611026101", "611026").await;
    let other = login(&app, "town2").await;
    assert_eq!(page(&app, &other, "/org/stations/renhe/edit").await.status(), StatusCode::FORBIDDEN);
}

pub(super) async fn qr_downloads_carry_the_name(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let res = app.get("/qr/station/renhe.png?download=1", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let d = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(d.starts_with("attachment; filename=\"qr-station-renhe.png\"; filename*=UTF-8''"), "{d}");
    let name = percent_encoding::percent_decode_str(d.rsplit("''").next().unwrap()).decode_utf8().unwrap().into_owned();
    assert_eq!(name, "仁和社区代表联络点-二维码.png");
    let res = app.get("/qr/deputy/wang.svg", None).await;
    let d = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    let name = percent_encoding::percent_decode_str(d.rsplit("''").next().unwrap()).decode_utf8().unwrap().into_owned();
    assert!(d.starts_with("inline;"), "{d}");
    assert_eq!(name, "王芳代表-二维码.svg");
}

fn multipart(parts: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (name, file, value) in parts {
        let filename = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
        out.push_str(&format!(
            "--b0undary\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n{value}\r\n"
        ));
    }
    out.push_str("--b0undary--\r\n");
    out.into_bytes()
}

pub(super) async fn the_import_report_is_a_file_and_no_token_reaches_a_url(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    seed(&app).await;
    let cookie = login(&app, "sup").await;
    let html = page(&app, &cookie, "/org/import?region=611026").await.text().await.unwrap();
    assert!(!html.contains("csrf_token="), "no token in a form's address");
    let csrf = hidden(&html, "csrf_token");
    let csv = "站点名称,类型,所属区划\n坏站,不存在的类型,611026001\n";
    let upload = |token: &str| {
        let body = multipart(&[("csrf_token", None, token), ("file", Some("r.csv"), csv)]);
        app.client
            .post(app.url("/org/import?region=611026"))
            .header("cookie", &cookie)
            .header("content-type", "multipart/form-data; boundary=b0undary")
            .body(body)
    };
    assert_eq!(upload("0").send().await.unwrap().status(), StatusCode::FORBIDDEN, "a wrong token is refused");
    let res = upload(&csrf).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("未知站点类型") && !html.contains("data:application"), "{html}");
    assert!(!html.contains("csrf_token="));
    let report = hidden(&html, "report");
    let body = multipart(&[("csrf_token", None, &csrf), ("report", None, &report)]);
    let res = app
        .client
        .post(app.url("/org/import/report?region=611026"))
        .header("cookie", &cookie)
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let d = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(d.starts_with("attachment;") && d.contains("filename*=UTF-8''%E5%AF%BC%E5%85%A5"), "{d}");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx");
}
