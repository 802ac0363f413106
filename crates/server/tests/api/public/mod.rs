//! The constituent's pages over HTTP: a refused message shown again with every value and each
//! message beside its field, pages that lead to the county directory and never to the staff
//! login, the directory's search, boxes that keep what was typed, and what the rating rounds say.

mod photos;

use liaison_testkit::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A station with a deputy, and an agency; returns the county supervisor's token.
pub(super) async fn organisation(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        (
            "/api/v1/stations",
            json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点", "address": "仁和社区党群服务中心"}),
        ),
        (
            "/api/v1/stations",
            json!({"slug": "xialiang", "region": "611026101", "name": "下梁镇人大代表联络站", "kind": "代表联络站"}),
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

/// A multipart body of text fields and photos, and its content type.
pub(super) fn multipart(fields: &[(&str, &str)], photos: &[&[u8]]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(format!("--x\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for (n, photo) in photos.iter().enumerate() {
        body.extend(
            format!("--x\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"p{n}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend(*photo);
        body.extend(b"\r\n");
    }
    body.extend(b"--x--\r\n");
    ("multipart/form-data; boundary=x".into(), body)
}

pub(super) async fn contact(app: &TestApp, fields: &[(&str, &str)], photos: &[&[u8]]) -> reqwest::Response {
    let (ty, body) = multipart(fields, photos);
    app.client.post(app.url("/contact")).header("content-type", ty).body(body).send().await.unwrap()
}

async fn case_count(app: &TestApp, sup: &str) -> usize {
    app.get("/api/v1/cases", Some(sup)).await.json::<Value>().await.unwrap()["total"].as_u64().unwrap() as usize
}

/// No way from a public page to the staff login; the title leads to the county's directory.
fn leads_to_the_directory(html: &str, county: &str) {
    assert!(!html.contains("href=\"/login") && !html.contains("href=\"/\""), "a link to the staff login:\n{html}");
    assert!(html.contains(&format!("class=\"brand\" href=\"{county}\"")), "the title leads to {county}:\n{html}");
    let footer = html.split("<footer class=\"foot\">").nth(1).and_then(|f| f.split("</footer>").next()).unwrap();
    assert!(!footer.chars().any(|c| c.is_ascii_alphabetic()), "no Latin words in the footer: {footer}");
}

/// Whether the directory shows the item whose search text starts with `name`.
fn shown(html: &str, name: &str) -> bool {
    let at = html.find(&format!("data-search=\"{name}")).unwrap_or_else(|| panic!("{name} is listed"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    !tag.contains("hidden")
}

async fn a_refused_message_shows_the_form_again_with_every_value_and_message(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let typed = [
        ("station", "renhe"),
        ("idempotency_key", "key-0123456789"),
        ("title", "  "),
        ("content", "村口路灯坏了<一个月>"),
        ("category", "城乡建设"),
        ("location", "仁和社区北口"),
        ("contact_name", "张三"),
        ("contact_phone", "12345"),
        ("publish_consent", "1"),
    ];
    let res = contact(&app, &typed, &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(!html.contains("错误代码") && !html.contains("请求有误"), "the form, not the error page");
    assert!(html.contains("仁和社区代表联络点") && html.contains("id=\"form-errors\""));
    // Each message beside its field, and listed above the form.
    assert!(html.contains("<span class=\"field-error\" id=\"title-error\">标题不能为空</span>"), "{html}");
    let phone_error = html.find("id=\"contact_phone-error\"").expect("the phone's message");
    assert!(
        phone_error > html.find("手机号（选填").unwrap() && phone_error < html.find("name=\"contact_phone\"").unwrap()
    );
    assert!(html.contains("以下 2 处") && html.contains("href=\"#f-contact_phone\""));
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"contact_phone-error\""));
    // Everything typed is kept, escaped.
    for kept in [
        "value=\"12345\"",
        "value=\"仁和社区北口\"",
        "value=\"张三\"",
        ">村口路灯坏了&#60;一个月&#62;</textarea>",
        "<option selected>城乡建设</option>",
        "name=\"publish_consent\" value=\"1\" checked",
        "value=\"key-0123456789\"",
    ] {
        assert!(html.contains(kept), "{kept} kept:\n{html}");
    }
    assert!(!html.contains("name=\"anonymous\" value=\"1\" checked"));
    assert!(html.contains("action=\"/contact#liuyan\""));
    leads_to_the_directory(&html, "/county/611026");

    // To a deputy, with a photo that is not one: the deputy's page, the photo's message beside
    // it, the other fields' messages too, and a word that photos must be chosen again.
    let bad_photo: &[u8] = b"MZ\x90\0\x03\0\0\0 this program cannot be run in DOS mode";
    let res = contact(&app, &[("deputy", "wang-fang"), ("title", "路灯"), ("content", "")], &[bad_photo]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("王芳") && html.contains("id=\"photos-error\""), "{html}");
    assert!(html.contains("JPEG、PNG 或 WebP") && html.contains("照片没有保存，请重新选择"));
    assert!(html.contains("id=\"content-error\"") && html.contains("value=\"路灯\""));
    // A control character: its field's message, the rest kept.
    let res = contact(&app, &[("station", "renhe"), ("title", "路灯\u{7}"), ("content", "坏了")], &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"title-error\">内容含有不可见的控制字符"), "{html}");
    assert!(html.contains("value=\"路灯\"") && html.contains(">坏了</textarea>"));
    // A station that does not exist: the error page, which still leads nowhere near the login.
    let res = contact(&app, &[("station", "nowhere"), ("title", "路灯"), ("content", "坏了")], &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("找不到该联络站或代表") && !html.contains("href=\"/login") && !html.contains("href=\"/\""));
    assert_eq!(case_count(&app, &sup).await, 0, "no refusal stored anything");

    // Corrected: sent, then redirected to the page that shows the code and the first-reply date.
    let mut good = typed.to_vec();
    good[2] = ("title", "路灯不亮");
    good[7] = ("contact_phone", "13900001111");
    let res = contact(&app, &good, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/track/") && location.ends_with("?new=1"), "{location}");
    let html = app.get(&location, None).await.text().await.unwrap();
    let code = &location["/track/".len()..location.len() - "?new=1".len()];
    assert!(html.contains(&format!("id=\"tracking-code\">{code}<")), "{html}");
    assert!(html.contains(&format!("data-copy=\"{code}\"")));
    assert!(html.contains("id=\"first-reply\"") && html.contains("前（3 个工作日内"), "{html}");
    leads_to_the_directory(&html, "/county/611026");
    assert_eq!(case_count(&app, &sup).await, 1);
}

async fn public_pages_lead_to_the_county_directory_and_describe_themselves(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let created = app
        .post_json("/api/v1/public/cases", None, &json!({"station": "renhe", "title": "路灯", "content": "坏了"}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let code = created["tracking_code"].as_str().unwrap().to_owned();
    for path in [
        "/county/611026".to_owned(),
        "/station/renhe".into(),
        "/deputy/wang-fang".into(),
        format!("/track/{code}"),
        format!("/track/{code}?new=1"),
    ] {
        let res = app.get(&path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        leads_to_the_directory(&html, "/county/611026");
        assert!(html.contains("<meta name=\"description\" content=\"") && html.contains("<meta property=\"og:title\""));
        assert!(html.contains("href=\"/track\""), "{path}: a way to tracking");
    }
    // Pages whose county is not known lead to the list of counties, which with one county is it.
    for path in ["/track", "/track?code=ABC", "/station/nowhere"] {
        let html = app.get(path, None).await.text().await.unwrap();
        assert!(!html.contains("href=\"/login") && !html.contains("href=\"/\""), "{path}:\n{html}");
        assert!(html.contains("class=\"brand\" href=\"/county\""), "{path}");
    }
    let res = app.get("/county", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/county/611026");
    // The station page leads with its two actions, before the facts and the form.
    let html = app.get("/station/renhe", None).await.text().await.unwrap();
    let actions = html.find("class=\"big-actions\"").unwrap();
    assert!(html[actions..].starts_with(
        "class=\"big-actions\" aria-label=\"主要操作\">\n  <a class=\"button big\" href=\"#liuyan\">我要留言</a>"
    ));
    assert!(actions < html.find("开放时间").unwrap_or(usize::MAX) && actions < html.find("id=\"liuyan\"").unwrap());
    assert!(
        html.contains("<meta name=\"description\" content=\"乾佑街道，仁和社区党群服务中心。扫码向人大代表留言"),
        "{html}"
    );
    // A second county with a station: the list names both.
    let sup_b = app.token_for("sup-b", "county_supervisor", "region:611025", "611025").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&sup_b),
            &json!({"slug": "yongle", "region": "611025001", "name": "永乐街道联络站", "kind": "联络点"}),
        )
        .await;
    assert!(res.status().is_success());
    let html = app.get("/county", None).await.text().await.unwrap();
    assert!(html.contains("href=\"/county/611026\"") && html.contains("镇安县"), "{html}");
}

async fn the_directory_finds_stations_and_deputies_by_name_or_town(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let html = app.get("/county/611026", None).await.text().await.unwrap();
    assert!(shown(&html, "仁和社区代表联络点") && shown(&html, "下梁镇人大代表联络站") && shown(&html, "王芳"));
    assert!(html.contains("action=\"/county/611026\"") && html.contains("data-filter=\"directory\""));
    // By town: 乾佑街道 holds the station and the deputy, not 下梁镇's station.
    let html = app.get("/county/611026?q=%E4%B9%BE%E4%BD%91", None).await.text().await.unwrap();
    assert!(html.contains("value=\"乾佑\"") && html.contains("找到 1 个站点、1 位代表"), "{html}");
    assert!(shown(&html, "仁和社区代表联络点") && shown(&html, "王芳") && !shown(&html, "下梁镇人大代表联络站"));
    // By name.
    let html = app.get("/county/611026?q=%E4%B8%8B%E6%A2%81", None).await.text().await.unwrap();
    assert!(!shown(&html, "仁和社区代表联络点") && !shown(&html, "王芳") && shown(&html, "下梁镇人大代表联络站"));
    let html = app.get("/county/611026?q=%E7%8E%8B%E8%8A%B3", None).await.text().await.unwrap();
    assert!(html.contains("找到 0 个站点、1 位代表") && shown(&html, "王芳"));
    // Nothing found says so.
    let html = app.get("/county/611026?q=xyz", None).await.text().await.unwrap();
    assert!(html.contains("<p class=\"muted\" id=\"directory-empty\" >"), "{html}");
}

async fn the_tracking_and_lookup_boxes_keep_what_was_typed(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let res = app.get("/track?code=AB%3CC", None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"AB&#60;C\"") && html.contains("id=\"code-error\""), "{html}");
    let res = app.get("/track/abcde-fghjk", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"ABCDE-FGHJK\"") && html.contains("没有找到该查询码"), "{html}");
    let res = app.client.post(app.url("/track/lookup")).form(&[("phone", "12345")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    // Without an SMS provider there is no phone box: the refusal shows above what to do instead.
    assert!(html.contains("id=\"lookup-error\"") && html.contains("联系您留言的联络站"), "{html}");
    assert!(!html.contains("id=\"code-error\""), "the message is not beside the code");
}

async fn the_rating_rounds_say_what_really_happens(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let transport = app.token_for("tr", "agency_handler", "agency:zs-transport", "611026").await;
    let created = app
        .post_json(
            "/api/v1/public/cases",
            None,
            &json!({"station": "renhe", "title": "积水", "content": "小区门口积水", "category": "城乡建设"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let (id, code) = (created["id"].as_i64().unwrap(), created["tracking_code"].as_str().unwrap().to_owned());
    let step = |token: String, body: Value| {
        let app = &app;
        async move {
            let res = app.post_json(&format!("/api/v1/cases/{id}/steps"), Some(&token), &body).await;
            assert!(res.status().is_success(), "{body}: {}", res.text().await.unwrap());
        }
    };
    let handle = || async {
        step(sup.clone(), json!({"step": "triage", "level": "township"})).await;
        step(sup.clone(), json!({"step": "assign", "lead": "zs-transport"})).await;
        step(transport.clone(), json!({"step": "result", "result": "已疏通"})).await;
        step(sup.clone(), json!({"step": "reply", "reply": "已疏通排水管"})).await;
    };
    let page = |path: String| {
        let app = &app;
        async move { app.get(&path, None).await.text().await.unwrap() }
    };
    let rate = |rating: &'static str, comment: &'static str| {
        let (app, code) = (&app, code.clone());
        async move {
            app.client
                .post(app.url(&format!("/track/{code}/survey")))
                .form(&[("rating", rating), ("comment", comment)])
                .send()
                .await
                .unwrap()
        }
    };
    handle().await;
    let html = page(format!("/track/{code}")).await;
    assert!(html.contains("选择“不满意”，本件将转回重新办理一次") && html.contains("15 个工作日"), "{html}");
    assert!(html.find("id=\"pingjia\"").unwrap() < html.find("办理过程").unwrap(), "the rating before the steps");
    // A refused rating keeps the comment.
    let res = rate("meh", "排水<还>慢").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(">排水&#60;还&#62;慢</textarea>") && html.contains("class=\"alert\""), "{html}");
    // The first 不满意 reopens the case, and the page says what happens next.
    assert_eq!(rate("dissatisfied", "还是积水").await.status(), StatusCode::SEE_OTHER);
    let html = page(format!("/track/{code}")).await;
    assert!(html.contains(">重新办理</span>") && html.contains("id=\"after-rating\""), "{html}");
    assert!(html.contains("您评价“不满意”后，本件已转回重新办理"));
    handle().await;
    // The second round: any rating closes it, and the hint says so.
    let html = page(format!("/track/{code}")).await;
    assert!(html.contains("无论选择哪一项，本件都将办结，不再转回办理"), "{html}");
    assert!(!html.contains("转回重新办理一次"));
    assert_eq!(rate("dissatisfied", "").await.status(), StatusCode::SEE_OTHER);
    let html = page(format!("/track/{code}")).await;
    assert!(html.contains(">已办结</span>") && html.contains("按规定不再转回办理，现已办结"), "{html}");
    assert!(html.contains("再次留言") && html.contains("href=\"/county/611026\">找到联络站或代表</a>"));
    let detail: Value = app.get(&format!("/api/v1/public/cases/{code}"), None).await.json().await.unwrap();
    assert_eq!((detail["status"].as_str(), detail["round"].as_i64()), (Some("closed"), Some(2)));
    assert!(detail.get("county_code").is_none(), "page-only fields stay out of the API: {detail}");
}

on_both_backends!(
    a_refused_message_shows_the_form_again_with_every_value_and_message,
    public_pages_lead_to_the_county_directory_and_describe_themselves,
    the_directory_finds_stations_and_deputies_by_name_or_town,
    the_tracking_and_lookup_boxes_keep_what_was_typed,
    the_rating_rounds_say_what_really_happens,
);
