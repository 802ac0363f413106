//! Staff lists over HTTP on both stores: a 210-case inbox pages with its total and the oldest on
//! the last page, the default deadline order, each filter of the query contract, refused
//! parameters (422 with every field on the API, a Chinese message on the page), search by
//! tracking code and by phone, the xlsx export (masked phones without the right, an audit entry
//! each time), the dashboard's counts, and nothing of one county reaching another.

use chrono::{DateTime, Duration, Utc};
use liaison_testkit::{Backend, TestApp, items, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Stations, agencies and a deputy of 柞水县, a station of 镇安县, made through the API.
async fn organisation(app: &TestApp) -> (String, String) {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let other = app.token_for("other-sup", "county_supervisor", "region:611025", "611025").await;
    for (token, path, body) in [
        (
            &sup,
            "/api/v1/stations",
            json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点"}),
        ),
        (
            &sup,
            "/api/v1/stations",
            json!({"slug": "xialiang", "region": "611026101", "name": "下梁镇人大代表联络站", "kind": "联络站"}),
        ),
        (
            &sup,
            "/api/v1/agencies",
            json!({"slug": "zs-transport", "region": "611026", "name": "柞水县交通运输局", "kind": "部门"}),
        ),
        (
            &sup,
            "/api/v1/agencies",
            json!({"slug": "zs-water", "region": "611026", "name": "柞水县水利局", "kind": "部门"}),
        ),
        (
            &sup,
            "/api/v1/deputies",
            json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001", "stations": "renhe"}),
        ),
        (
            &other,
            "/api/v1/stations",
            json!({"slug": "yongle", "region": "611025001", "name": "永乐街道代表联络站", "kind": "联络站"}),
        ),
    ] {
        let res = app.post_json(path, Some(token), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    (sup, other)
}

async fn record(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_json("/api/v1/cases", Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/cases?{query}"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

fn titles(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_owned()).collect()
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) {
    let res = app.post_json(&format!("/api/v1/cases/{id}/steps"), Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}: {}", res.text().await.unwrap());
}

/// 210 cases, a minute apart: the first 70 at 仁和 by visit, the next 70 at 下梁 by hotline, the
/// last 70 at 仁和 for 王芳 by a station reception. Returns their ids in order.
async fn inbox_of_210(app: &TestApp, sup: &str) -> Vec<i64> {
    // Monday 2 March 2026, 09:00 in China.
    app.clock.set(at("2026-03-02T01:00:00Z"));
    let mut ids = Vec::new();
    for i in 0..210 {
        let body = match i / 70 {
            0 => {
                json!({"channel": "visit", "station": "renhe", "title": format!("第{i:03}件 村口路灯"), "content": "路灯不亮", "category": "道路交通", "contact_phone": "13912340000"})
            }
            1 => {
                json!({"channel": "hotline", "station": "xialiang", "title": format!("第{i:03}件 垃圾清运"), "content": "垃圾堆积", "category": "生态环境"})
            }
            _ => {
                json!({"channel": "station", "station": "renhe", "deputy": "wang-fang", "title": format!("第{i:03}件 减速带"), "content": "车速太快", "category": "道路交通"})
            }
        };
        ids.push(record(app, sup, body).await["id"].as_i64().unwrap());
        app.clock.advance(Duration::minutes(1));
    }
    ids
}

async fn a_long_inbox_pages_sorts_and_filters(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (sup, _) = organisation(&app).await;
    let ids = inbox_of_210(&app, &sup).await;

    // Newest first, 50 a page: the oldest is last on page 5.
    let first = list(&app, &sup, "sort=-created").await;
    assert_eq!(
        (first["total"].as_i64(), first["page"].as_i64(), first["per_page"].as_i64()),
        (Some(210), Some(1), Some(50))
    );
    assert_eq!(titles(&first)[0], "第209件 减速带");
    let last = list(&app, &sup, "sort=-created&page=5").await;
    assert_eq!(last["items"].as_array().unwrap().len(), 10);
    assert_eq!(last["items"][9]["id"].as_i64(), Some(ids[0]), "the oldest on the last page");
    assert!(list(&app, &sup, "sort=-created&page=6").await["items"].as_array().unwrap().is_empty());
    assert_eq!(list(&app, &sup, "per_page=200&page=2").await["items"].as_array().unwrap().len(), 10);
    assert_eq!(
        items(app.get("/api/v1/cases?limit=20", Some(&sup)).await).await.len(),
        20,
        "the former name of per_page"
    );

    // The deadline order: cases with a deadline first, the nearest first; then the oldest.
    step(&app, &sup, ids[150], json!({"step": "triage", "level": "county"})).await;
    step(&app, &sup, ids[150], json!({"step": "assign", "lead": "zs-transport"})).await;
    step(&app, &sup, ids[5], json!({"step": "triage", "level": "township"})).await;
    step(&app, &sup, ids[5], json!({"step": "assign", "lead": "zs-water", "assisting": ["zs-transport"]})).await;
    step(&app, &sup, ids[9], json!({"step": "answer_on_spot", "reply": "已现场答复"})).await;
    let work = list(&app, &sup, "").await;
    let order: Vec<i64> = work["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    let (d5, d150) = (
        list(&app, &sup, &format!("q={}", ids_code(&app, ids[5]).await)).await["items"][0]["deadline_on"].clone(),
        list(&app, &sup, &format!("q={}", ids_code(&app, ids[150]).await)).await["items"][0]["deadline_on"].clone(),
    );
    assert!(d5.as_str() < d150.as_str(), "the township deadline is nearer: {d5} {d150}");
    assert_eq!(&order[..3], &[ids[5], ids[150], ids[0]], "deadlines first, then the oldest");
    assert!(!order.contains(&ids[9]), "answered on the spot waits at the end");
    let tail = list(&app, &sup, "page=5").await;
    assert_eq!(tail["items"][9]["id"].as_i64(), Some(ids[9]));

    // Each filter of the contract.
    let total = |q: &'static str| {
        let (app, sup) = (&app, sup.clone());
        async move { list(app, &sup, q).await["total"].as_i64().unwrap() }
    };
    assert_eq!(total("status=assigned").await, 2);
    assert_eq!(total("status=received,assigned").await, 209);
    assert_eq!(total("status=answered_on_spot,assigned").await, 3);
    assert_eq!(total("township=611026001").await, 140);
    assert_eq!(total("township=611026101").await, 70);
    assert_eq!(total("station=xialiang").await, 70);
    assert_eq!(total("agency=zs-transport").await, 2, "lead or assisting");
    assert_eq!(total("agency=zs-water").await, 1);
    assert_eq!(total("deputy=wang-fang").await, 70);
    assert_eq!(total("channel=hotline").await, 70);
    assert_eq!(total("category=生态环境").await, 70);
    assert_eq!(total("level=county").await, 1);
    assert_eq!(total("level=township&status=assigned").await, 1);
    assert_eq!(total("from=2026-03-02&to=2026-03-02").await, 210);
    assert_eq!(total("from=2026-03-03").await, 0);
    assert_eq!(total("to=2026-03-01").await, 0);
    assert_eq!(total("overdue=1").await, 0);
    assert_eq!(total("due_soon=1").await, 0, "fifteen working days away");
    assert_eq!(total("q=路灯").await, 70);
    assert_eq!(total("q=路灯 第00").await, 10);
    assert_eq!(total("q=路灯&channel=visit&station=renhe&status=received").await, 68);
    assert_eq!(total("q=減速帯").await, 0);
    // Three weeks later the deadlines are near, then past.
    app.clock.advance(Duration::days(17));
    assert_eq!(total("due_soon=1").await, 1, "the township deadline is within three working days");
    app.clock.advance(Duration::days(10));
    let sweep = liaison_app::cases::sweep(&app.state.app).await.unwrap();
    assert!(sweep.overdue >= 1);
    assert!(total("overdue=1").await >= 1);
    assert_eq!(total("due_soon=1&overdue=1").await, 0, "overdue is not due soon");
}

async fn ids_code(app: &TestApp, id: i64) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let v: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&sup)).await.json().await.unwrap();
    v["tracking_code"].as_str().unwrap().to_owned()
}

async fn refused_parameters_change_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (sup, _) = organisation(&app).await;
    for (query, field, code) in [
        ("status=lost", "status", "invalid_status"),
        ("sort=title", "sort", "invalid_sort"),
        ("from=2026-02-30", "from", "invalid_date"),
        ("to=yesterday", "to", "invalid_date"),
        ("page=0", "page", "invalid_number"),
        ("page=201", "page", "page_too_deep"),
        ("per_page=201", "per_page", "per_page_too_large"),
        ("per_page=abc", "per_page", "invalid_number"),
        ("township=611026", "township", "invalid_township"),
        ("station=Ren He", "station", "invalid_slug"),
        ("channel=fax", "channel", "invalid_channel"),
        ("level=city", "level", "invalid_level"),
        ("category=不存在的类别", "category", "invalid_category"),
        ("overdue=yes", "overdue", "invalid_flag"),
        ("q=a b c d e f", "q", "invalid_query"),
    ] {
        let res = app.get(&format!("/api/v1/cases?{query}"), Some(&sup)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let e: Value = res.json().await.unwrap();
        assert_eq!((e["error"]["field"].as_str(), e["error"]["code"].as_str()), (Some(field), Some(code)), "{query}");
        let res = app.get(&format!("/api/v1/cases/export?{query}"), Some(&sup)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "export {query}");
    }
    let res = app.get("/api/v1/cases?status=lost&sort=x&page=0", Some(&sup)).await;
    let e: Value = res.json().await.unwrap();
    let fields: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["status", "sort", "page"], "every bad parameter at once");
    // The page says it in Chinese beside the field, keeps what was asked, and lists nothing.
    let res = app.get("/cases?q=%E8%B7%AF%E7%81%AF&from=2026-13-01&sort=title", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("筛选条件有误") && html.contains("日期无效") && html.contains("排序方式无效"), "{html}");
    assert!(html.contains("value=\"路灯\""), "the search is kept");
    assert!(!html.contains("class=\"case-list\""));
    let res = app.get("/cases/export.xlsx?page=0", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let audit = liaison_store::audit::list(
        app.db(),
        &liaison_store::audit::Filter { action: Some("case.export".into()), limit: 10, ..Default::default() },
    )
    .await
    .unwrap();
    assert!(audit.is_empty(), "a refused export is no export");
}

/// The sheet's cells as text, in order (shared strings are where the writer puts them).
fn xlsx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

async fn export_masks_phones_and_is_audited(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (sup, other) = organisation(&app).await;
    let staff = app.token_for("renhe-staff", "station_staff", "station:renhe", "611026").await;
    let first = record(&app, &sup, json!({"channel": "visit", "station": "renhe", "title": "=HYPERLINK(\"x\")", "content": "路灯不亮", "contact_name": "李秀英", "contact_phone": "13912345678"})).await;
    record(&app, &sup, json!({"channel": "hotline", "station": "xialiang", "title": "垃圾清运", "content": "垃圾堆积", "contact_phone": "13811112222"})).await;
    let res = app.get("/api/v1/cases/export?sort=-created", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
    assert_eq!(res.headers()["x-exported-rows"], "2");
    let text = xlsx_text(&res.bytes().await.unwrap());
    assert!(text.contains("13912345678") && text.contains("李秀英"), "the supervisor may see contacts");
    assert!(text.contains(&liaison_app::cases::display_code(first["tracking_code"].as_str())), "codes with their dash");
    assert!(text.contains("仁和社区代表联络点") && !text.contains("renhe<"), "names, not slugs");
    assert!(text.contains("'=HYPERLINK"), "a formula is written as text");
    // Station staff may not: masked, and only their station's case.
    let res = app.get("/cases/export.xlsx", Some(&staff)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = xlsx_text(&res.bytes().await.unwrap());
    assert!(text.contains("139****5678") && !text.contains("13912345678"), "masked");
    assert!(text.contains("李**") && !text.contains("李秀英"));
    assert!(!text.contains("垃圾清运"), "only what the station reaches");
    // Another county exports nothing of this one.
    let res = app.get("/api/v1/cases/export", Some(&other)).await;
    assert_eq!(res.headers()["x-exported-rows"], "0");
    assert!(!xlsx_text(&res.bytes().await.unwrap()).contains("路灯"));
    let audit = liaison_store::audit::list(
        app.db(),
        &liaison_store::audit::Filter { action: Some("case.export".into()), limit: 10, ..Default::default() },
    )
    .await
    .unwrap();
    let mine: Vec<_> = audit.iter().filter(|e| e.county_code == "611026").collect();
    assert_eq!(mine.len(), 2, "one entry per export");
    assert!(
        mine.iter().any(|e| e.actor == "sup" && e.summary.contains("2 件") && e.summary.contains("含完整联系电话"))
    );
    assert!(mine.iter().any(|e| e.actor == "renhe-staff" && e.summary.contains("联系电话已遮蔽")));
    assert!(audit.iter().any(|e| e.county_code == "611025" && e.actor == "other-sup"));
}

async fn search_by_code_and_phone(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (sup, other) = organisation(&app).await;
    let staff = app.token_for("renhe-staff", "station_staff", "station:renhe", "611026").await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let c = record(&app, &sup, json!({"channel": "visit", "station": "renhe", "title": "村口路灯", "content": "路灯不亮", "contact_phone": "13912345678"})).await;
    record(&app, &sup, json!({"channel": "visit", "station": "renhe", "title": "河堤护栏", "content": "护栏破损"}))
        .await;
    let code = c["tracking_code"].as_str().unwrap().to_owned();
    let dashed = format!("{}-{}", &code[..5], &code[5..]);
    for q in [code.clone(), dashed.clone(), dashed.to_lowercase()] {
        let v = list(&app, &staff, &format!("q={q}")).await;
        assert_eq!(v["total"], 1, "{q}");
        assert_eq!(v["items"][0]["id"], c["id"]);
    }
    assert_eq!(list(&app, &other, &format!("q={code}")).await["total"], 0, "not across counties");
    // By phone: for those who may see contact details.
    for (token, who) in [(&sup, "supervisor"), (&officer, "township officer")] {
        let v = list(&app, token, "q=139 1234 5678").await;
        assert_eq!(v["total"], 1, "{who}");
        assert!(v.get("notice").is_none());
    }
    let v = list(&app, &staff, "q=13912345678").await;
    assert_eq!(v["total"], 0, "station staff may not look people up by phone");
    assert!(v["notice"].as_str().unwrap().contains("联系方式"), "and are told why");
    let html = app.get("/cases?q=13912345678", Some(&staff)).await.text().await.unwrap();
    assert!(html.contains("不能按手机号查找"));
    // The page shows codes with their dash.
    let html = app.get("/cases", Some(&staff)).await.text().await.unwrap();
    assert!(html.contains(&dashed), "{html}");
}

async fn other_counties_and_agencies_see_none_of_it(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let (sup, other) = organisation(&app).await;
    let water = app.token_for("water", "agency_handler", "agency:zs-water", "611026").await;
    let c =
        record(&app, &sup, json!({"channel": "visit", "station": "renhe", "title": "村口路灯", "content": "路灯不亮"}))
            .await;
    let id = c["id"].as_i64().unwrap();
    step(&app, &sup, id, json!({"step": "triage", "level": "county"})).await;
    step(&app, &sup, id, json!({"step": "assign", "lead": "zs-transport"})).await;
    let triaged =
        record(&app, &sup, json!({"channel": "visit", "station": "renhe", "title": "河堤护栏", "content": "护栏破损"}))
            .await;
    step(&app, &sup, triaged["id"].as_i64().unwrap(), json!({"step": "triage", "level": "township"})).await;
    record(&app, &other, json!({"channel": "visit", "station": "yongle", "title": "镇安的事", "content": "别县"}))
        .await;
    for (token, who) in [(&other, "the other county"), (&water, "an agency it was not sent to")] {
        for q in ["", "q=路灯", "status=assigned", "township=611026001", "station=renhe", "agency=zs-transport"] {
            let v = list(&app, token, q).await;
            assert!(titles(&v).iter().all(|t| t != "村口路灯" && t != "河堤护栏"), "{who}: {q}");
            assert_eq!(v["total"].as_i64().unwrap(), v["items"].as_array().unwrap().len() as i64, "{who}: {q}");
        }
        let res = app.get("/cases/export.xlsx?status=assigned", Some(token)).await;
        assert!(!xlsx_text(&res.bytes().await.unwrap()).contains("村口路灯"), "{who} export");
        let html = app.get("/", Some(token)).await.text().await.unwrap();
        assert!(html.contains("<strong>0</strong><span>待交办</span>"), "{who} counts");
    }
    assert_eq!(list(&app, &other, "").await["total"], 1, "the other county sees its own");
    assert_eq!(list(&app, &water, "").await["total"], 0);
    // The dashboard counts within reach, each linking to its list, scopes by name.
    let html = app.get("/", Some(&sup)).await.text().await.unwrap();
    assert!(html.contains("<a href=\"/cases?status=triaged\"><strong>1</strong><span>待交办</span>"), "{html}");
    assert!(html.contains("href=\"/cases?status=received,reopened\"") && html.contains("href=\"/cases?due_soon=1\""));
    assert!(html.contains("柞水县") && !html.contains("region:611026"), "the scope by its name");
    let transport = app.token_for("transport", "agency_handler", "agency:zs-transport", "611026").await;
    let html = app.get("/", Some(&transport)).await.text().await.unwrap();
    assert!(html.contains("柞水县交通运输局") && !html.contains("agency:zs-transport"));
    assert_eq!(list(&app, &transport, "").await["total"], 1);
}

on_both_backends!(
    a_long_inbox_pages_sorts_and_filters,
    refused_parameters_change_nothing,
    export_masks_phones_and_is_audited,
    search_by_code_and_phone,
    other_counties_and_agencies_see_none_of_it,
);
