//! Staff intake on its own page: pickers by name, multipart with photos and the CSRF token as a
//! field, every typed value kept on a refusal (渠道 included), messages beside the fields.

use super::{Browser, browser, organisation, visible};
use liaison_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xFC, 0xCF, 0xC0, 0x50, 0x0F, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xA9, 0x8C,
    0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn as_refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A multipart body of text fields and files (name, filename, type, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend(format!("--xyz\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").into_bytes());
    }
    for (k, name, ct, bytes) in files {
        out.extend(
            format!("--xyz\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n")
                .into_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend(b"\r\n");
    }
    out.extend(b"--xyz--\r\n");
    out
}

async fn post_multipart(app: &TestApp, b: &Browser, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/cases/new"))
        .header("cookie", &b.cookie)
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(super) async fn staff_intake_page_picks_by_name(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    // Station staff: their station, its deputies, its township's places; no slug to type.
    let staff = browser(&app, "staff").await;
    let (status, html) = staff.get(&app, "/cases/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<option value=\"renhe\" selected>仁和社区代表联络点</option>"), "{html}");
    assert!(!html.contains("下梁镇代表联络站"), "only their own station");
    assert!(
        html.contains(">王芳</option>") && html.contains(">仁和社区</option>") && html.contains(">乾佑街道</option>")
    );
    assert!(html.contains("<select name=\"channel\">") && html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("<option value=\"station\" selected>坐诊接待</option>"));
    let text = visible(&html);
    assert!(!text.contains("renhe") && !text.contains("wang-fang") && !text.contains("611026"), "{text}");
    // A deputy's quick report starts as 随手拍, for themself.
    let dep = browser(&app, "dep").await;
    let (_, html) = dep.get(&app, "/cases/new").await;
    assert!(html.contains("<option value=\"snapshot\" selected>随手拍</option>"));
    assert!(html.contains("<option value=\"wang-fang\" selected>王芳</option>"));
    // The supervisor picks among the county's stations, grouped by township.
    let sup = browser(&app, "sup").await;
    let (_, html) = sup.get(&app, "/cases/new").await;
    assert!(html.contains("<optgroup label=\"下梁镇\"><option value=\"xialiang\">下梁镇代表联络站</option>"), "{html}");
    // An agency handles cases but does not record them; the list page links here.
    let agency = browser(&app, "agency").await;
    assert_eq!(agency.get(&app, "/cases/new").await.0, StatusCode::FORBIDDEN);
}

pub(super) async fn intake_keeps_values_and_takes_photos(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let staff = browser(&app, "staff").await;
    let (_, html) = staff.get(&app, "/cases/new").await;
    let key = html.split("name=\"idempotency_key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let fields = |title: &'static str, phone: &'static str| {
        vec![
            ("csrf_token", staff.csrf.clone()),
            ("idempotency_key", key.clone()),
            ("channel", "hotline".to_owned()),
            ("title", title.to_owned()),
            ("content", "群众来电反映村口路灯坏了一个月".to_owned()),
            ("category", "城乡建设".to_owned()),
            ("location", "仁和社区北口".to_owned()),
            ("station", "renhe".to_owned()),
            ("deputy", "wang-fang".to_owned()),
            ("region", "611026001001".to_owned()),
            ("contact_name", "陈大爷".to_owned()),
            ("contact_phone", phone.to_owned()),
            ("publish_consent", "1".to_owned()),
        ]
    };

    // Refused twice over: every value comes back, 电话 stays the channel, messages beside fields.
    let f = fields("", "12345");
    let res = post_multipart(&app, &staff, multipart(&as_refs(&f), &[("photos", "a.png", "image/png", PNG)])).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("<option value=\"hotline\" selected>电话</option>"), "the channel is kept");
    for kept in [
        "群众来电反映村口路灯坏了一个月",
        "value=\"仁和社区北口\"",
        "value=\"陈大爷\"",
        "value=\"12345\"",
        "<option selected>城乡建设</option>",
        "<option value=\"611026001001\" selected>仁和社区</option>",
        "<option value=\"wang-fang\" selected>王芳</option>",
    ] {
        assert!(html.contains(kept), "lost {kept:?}");
    }
    assert!(html.contains("name=\"publish_consent\" value=\"1\" checked"));
    assert!(html.contains("<span class=\"field-error\">标题不能为空</span>"), "{}", visible(&html));
    assert!(html.matches("class=\"field-error\"").count() >= 2, "the phone's own message too");
    assert!(html.contains("刚才选择的 1 张照片需要重新选择"));
    // A file that is not a photo is refused beside the photo field, with the text kept.
    let f = fields("村口路灯不亮", "13900001111");
    let res =
        post_multipart(&app, &staff, multipart(&as_refs(&f), &[("photos", "a.png", "image/png", b"not a picture")]))
            .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("只能上传 JPEG、PNG 或 WebP 格式的照片") && html.contains("value=\"村口路灯不亮\""));
    // Without the token in the form: refused, nothing recorded.
    let no_token: Vec<_> = as_refs(&f).into_iter().filter(|(k, _)| *k != "csrf_token").collect();
    let res = post_multipart(&app, &staff, multipart(&no_token, &[])).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let sup = app.token_for("sup", "", "", "").await;
    let list: Value = app.get("/api/v1/cases", Some(&sup)).await.json().await.unwrap();
    assert_eq!(list["total"], 0, "refusals record nothing");

    // With a photo: recorded as a phone call, the photo shown as a thumbnail.
    let res = post_multipart(&app, &staff, multipart(&as_refs(&f), &[("photos", "a.png", "image/png", PNG)])).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(!location.contains("csrf"), "no token in a URL after an upload");
    let id: i64 = location.trim_start_matches("/cases/").parse().unwrap();
    let case: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&sup)).await.json().await.unwrap();
    assert_eq!(case["channel"], "hotline");
    assert_eq!(case["station"], "renhe");
    assert_eq!(case["deputy"], "wang-fang");
    assert_eq!(case["region_code"], "611026001001");
    assert_eq!(case["photos"].as_array().unwrap().len(), 1);
    let hash = case["photos"][0].as_str().unwrap();
    let (_, html) = staff.get(&app, &location).await;
    assert!(html.contains(&format!("<a href=\"/api/v1/cases/{id}/photos/{hash}\"")), "opens the full image");
    assert!(html.contains(&format!("<img src=\"/api/v1/cases/{id}/photos/{hash}?size=thumb\"")), "a thumbnail");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/cases/{id}/photos/{hash}")))
        .header("cookie", &staff.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The same form sent again (a double tap) is the same case.
    let res = post_multipart(&app, &staff, multipart(&as_refs(&f), &[("photos", "a.png", "image/png", PNG)])).await;
    assert_eq!(res.headers()["location"].to_str().unwrap(), location);
    // The old URL-encoded form still records (no photos).
    let (status, _) = staff
        .post(
            &app,
            "/cases/new",
            &[("channel", "visit"), ("title", "走访发现"), ("content", "水渠堵塞"), ("station", "renhe")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
