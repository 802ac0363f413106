//! The organisation: importing a clerk's roster, the public directory and its QR codes,
//! exports, personal data, and who may change what.

mod moves;

use liaison_domain::region::RegionCode;
use liaison_testkit::{Backend, TestApp, on_both_backends};
use moves::{
    a_slug_of_another_county_or_township_is_never_moved_by_a_save,
    moving_between_townships_is_the_county_s_audited_action,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ROSTER: &[u8] = include_bytes!("../../fixtures/zhashui-roster.xlsx");
const GBK_DEPUTIES: &[u8] = include_bytes!("../../fixtures/deputies-gbk.csv");

/// The villages and towns the fixture names, beyond the test app's base tree.
async fn more_regions(app: &TestApp) {
    let mut tx = app.db().begin().await.unwrap();
    for (code, name) in [
        ("611026001002", "石镇社区"),
        ("611026101001", "石瓮社区"),
        ("611026107", "小岭镇"),
        ("611026107001", "金米村"),
    ] {
        liaison_store::regions::upsert(&mut tx, &RegionCode::parse(code).unwrap(), name, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn import(app: &TestApp, token: &str, bytes: &[u8], query: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/roster/import{query}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

fn counts(v: &Value) -> Vec<(String, u64, u64, u64)> {
    v["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["created"].as_u64().unwrap(),
                c["updated"].as_u64().unwrap(),
                c["unchanged"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> =
        app.get(&format!("/api/v1/audit?action={action}&limit=1000"), Some(&aud)).await.json().await.unwrap();
    log.len()
}

async fn a_clerks_workbook_imports_once_and_again_changes_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res = import(&app, &sup, ROSTER, "?dry_run=true").await;
    assert_eq!(res.status(), StatusCode::OK);
    let dry: Value = res.json().await.unwrap();
    assert_eq!(dry["applied"], false);
    let stations: Vec<Value> = app.get("/api/v1/public/stations?region=611026", None).await.json().await.unwrap();
    assert!(stations.is_empty(), "a dry run writes nothing");

    let res = import(&app, &sup, ROSTER, "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["applied"], true);
    assert_eq!(
        counts(&first),
        vec![
            ("stations".into(), 6, 0, 0),
            ("agencies".into(), 3, 0, 0),
            ("deputies".into(), 4, 0, 0),
            ("grid".into(), 4, 0, 0)
        ]
    );
    assert_eq!(audit_count(&app, "roster.import").await, 1);

    let res = import(&app, &sup, ROSTER, "").await;
    let again: Value = res.json().await.unwrap();
    assert_eq!(
        counts(&again),
        vec![
            ("stations".into(), 0, 0, 6),
            ("agencies".into(), 0, 0, 3),
            ("deputies".into(), 0, 0, 4),
            ("grid".into(), 0, 0, 4)
        ]
    );
    assert_eq!(audit_count(&app, "roster.import").await, 1, "an import that changes nothing leaves no entry");

    // What the import built: a station under its parent, deputies on their stations, the grid.
    let stations: Vec<Value> = app.get("/api/v1/stations?region=611026", Some(&sup)).await.json().await.unwrap();
    let renhe = stations.iter().find(|s| s["name"] == "仁和社区代表联络点").unwrap();
    assert_eq!(renhe["kind"], "point");
    assert_eq!(renhe["region_code"], "611026001001");
    assert!(renhe["parent_id"].as_i64().is_some());
    let household = stations.iter().find(|s| s["kind"] == "household").unwrap();
    assert_eq!(household["household_kind"], "enterprise");
    let deputies: Vec<Value> = app.get("/api/v1/public/deputies?region=611026001", None).await.json().await.unwrap();
    let wang = deputies.iter().find(|d| d["name"] == "王芳").unwrap();
    assert_eq!(wang["levels"], json!(["county", "township"]));
    let grid: Value = app.get("/api/v1/grid?region=611026001", Some(&sup)).await.json().await.unwrap();
    assert_eq!(grid["cells"].as_array().unwrap().len(), 4);
    assert_eq!(grid["uncovered"], json!(["1", "1-1-1"]), "the coverage view lists cells with no deputy");

    // An export is itself importable and changes nothing.
    let res = app.get("/api/v1/roster/export?region=611026", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let exported = res.bytes().await.unwrap();
    let res = import(&app, &sup, &exported, "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let round: Value = res.json().await.unwrap();
    assert!(counts(&round).iter().all(|c| c.1 == 0 && c.2 == 0), "{round}");
}

async fn gbk_csv_from_excel_is_read_correctly(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    assert_eq!(import(&app, &sup, ROSTER, "").await.status(), StatusCode::OK);
    let res = import(&app, &sup, GBK_DEPUTIES, "").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let deputies: Vec<Value> = app.get("/api/v1/public/deputies?region=611026101", None).await.json().await.unwrap();
    let names: Vec<&str> = deputies.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"赵德明") && names.contains(&"周淑珍"), "{names:?}");
}

async fn bad_rows_are_reported_and_nothing_is_written(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let csv = "姓名,性别,代表层级,所属乡镇,联系电话,所在联络站\n\
               王芳,女,县级,乾佑街道,13891400001,\n\
               李四,未知,县级,乾佑街道,12345,\n\
               张三,男,村级,火星镇,,不存在的站\n\
               =HYPERLINK(\"http://x\"),男,县级,乾佑街道,,\n";
    let res = import(&app, &sup, csv.as_bytes(), "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["applied"], false);
    let errs: Vec<(u64, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap().to_owned()))
        .collect();
    assert!(errs.contains(&(3, "性别".into())) && errs.contains(&(3, "联系电话".into())), "{errs:?}");
    assert!(errs.contains(&(4, "代表层级".into())), "{errs:?}");
    assert!(errs.contains(&(5, "姓名".into())), "a formula is refused: {errs:?}");
    let deputies: Vec<Value> = app.get("/api/v1/public/deputies?region=611026", None).await.json().await.unwrap();
    assert!(deputies.is_empty(), "the good first row was not written either");

    // Unknown places and stations are found when resolving, with the same all-or-nothing rule.
    let csv = "姓名,性别,代表层级,所属乡镇,所在联络站\n王芳,女,县级,乾佑街道,\n张三,男,县级,火星镇,不存在的站\n";
    let body: Value = import(&app, &sup, csv.as_bytes(), "").await.json().await.unwrap();
    let reasons: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.contains("火星镇")), "{reasons:?}");
    assert!(
        app.get("/api/v1/public/deputies?region=611026", None).await.json::<Vec<Value>>().await.unwrap().is_empty()
    );

    // The report comes as a workbook on request.
    let res = import(&app, &sup, csv.as_bytes(), "?report=xlsx").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let report = res.bytes().await.unwrap();
    assert!(report.starts_with(b"PK"));
}

async fn hostile_files_are_refused(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    // Wrong columns.
    let res = import(&app, &sup, "名称,颜色\n仁和站,红\n".as_bytes(), "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("无法判断") || body.contains("无法识别的列"), "{body}");
    // 100,000 rows.
    let mut big = String::from("姓名,性别,代表层级,所属乡镇\n");
    for i in 0..100_000 {
        big.push_str(&format!("代表{i},男,县级,乾佑街道\n"));
    }
    let res = import(&app, &sup, big.as_bytes(), "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["applied"], false);
    assert!(v["errors"][0]["reason"].as_str().unwrap().contains("行数过多"), "{v}");
    // Binary garbage that is neither UTF-8 nor GBK.
    let res = import(&app, &sup, &[0x81, 0x20, 0xfe, 0xff, 0x00, 0x01, 0x80, 0x80], "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert!(v["errors"][0]["reason"].as_str().unwrap().contains("编码"), "{v}");
    // A zip bomb dressed as a workbook.
    let bomb = {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..120 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    };
    let res = import(&app, &sup, &bomb, "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("压缩炸弹"));
    // Over the size limit.
    // The server closes a connection whose body it refused unread: send it on a connection of
    // its own, so the shared client's pool never holds the closed one.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/roster/import"))
        .bearer_auth(&sup)
        .body(vec![b'a'; 11 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let stations: Vec<Value> = app.get("/api/v1/public/stations?region=611026", None).await.json().await.unwrap();
    assert!(stations.is_empty());
}

async fn scope_decides_who_changes_what(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let officer = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    // A township officer may write their own township…
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&officer),
            &json!({"region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    // …but not the next one, by API or by import.
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&officer),
            &json!({"region": "611026101", "name": "下梁镇站", "kind": "代表联络站"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = import(&app, &officer, ROSTER, "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"].as_array().unwrap().iter().any(|e| e["reason"].as_str().unwrap().contains("管辖范围")));
    // A supervisor of another county is refused at the door.
    let other = app.token_for("sup-za", "county_supervisor", "region:611025", "611025").await;
    assert_eq!(import(&app, &other, ROSTER, "?county=611026").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/stations?region=611026", Some(&other)).await.status(), StatusCode::FORBIDDEN);
    // Deputies, station staff and agency handlers change nothing.
    for (u, role, scope) in [
        ("dep", "deputy", "deputy:wang-fang"),
        ("staff", "station_staff", "station:qianyou-renhe"),
        ("handler", "agency_handler", "agency:zs-transport"),
    ] {
        let t = app.token_for(u, role, scope, "611026").await;
        assert_eq!(import(&app, &t, ROSTER, "?county=611026").await.status(), StatusCode::FORBIDDEN, "{role}");
        let res = app
            .post_json("/api/v1/stations", Some(&t), &json!({"region": "611026001", "name": "x", "kind": "联络点"}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role}");
    }
    // Nor do the administrators.
    let sys = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    assert_eq!(import(&app, &sys, ROSTER, "").await.status(), StatusCode::FORBIDDEN);
    let stations: Vec<Value> = app.get("/api/v1/public/stations?region=611026", None).await.json().await.unwrap();
    assert_eq!(stations.len(), 1, "only the officer's own station was written");
}

async fn single_edits_validate_and_deactivation_keeps_the_row(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let refusals = [
        (json!({"region": "611026001", "name": "", "kind": "联络点"}), "slug"),
        (json!({"region": "611026001", "name": "站", "kind": "驿站"}), "kind"),
        (json!({"region": "611026001", "name": "站", "kind": "联络点", "phone": "123"}), "phone"),
        (json!({"region": "611026001", "name": "站", "kind": "联络点", "colour": "红"}), "colour"),
    ];
    for (body, field) in refusals {
        let res = app.post_json("/api/v1/stations", Some(&sup), &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        if field != "slug" {
            assert_eq!(err["error"]["field"], field, "{err}");
        }
    }
    let res = app.post_json("/api/v1/stations", Some(&sup), &json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "point", "phone": "0914-4321999"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app.post_json("/api/v1/stations", Some(&sup), &json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "point", "phone": "0914-4321999", "opening_hours": "每周一"})).await;
    assert_eq!(res.status(), StatusCode::OK, "an edit of the same slug updates");
    assert_eq!(app.get("/station/renhe", None).await.status(), StatusCode::OK);
    let res = app.post_json("/api/v1/stations/renhe/deactivate", Some(&sup), &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/station/renhe", None).await.status(),
        StatusCode::NOT_FOUND,
        "a deactivated station leaves the public pages"
    );
    let all: Vec<Value> =
        app.get("/api/v1/stations?region=611026&include_inactive=true", Some(&sup)).await.json().await.unwrap();
    assert_eq!(all.len(), 1, "…but stays in the database");
    assert_eq!(all[0]["active"], false);
    assert_eq!(audit_count(&app, "station.").await, 3);
}

/// Decodes a PNG QR code into its text.
fn decode_qr(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

async fn qr_codes_open_the_right_pages_and_pages_show_no_private_phones(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    assert_eq!(import(&app, &sup, ROSTER, "").await.status(), StatusCode::OK);
    let deputies: Vec<Value> = app.get("/api/v1/public/deputies?region=611026", None).await.json().await.unwrap();
    assert_eq!(deputies.len(), 4);
    for d in &deputies {
        let text = serde_json::to_string(d).unwrap();
        assert!(!text.contains("13891400") && !text.contains("4322001"), "no personal phone in the public API: {text}");
        let png = app
            .client
            .get(d["qr_png_url"].as_str().unwrap().replace("http://127.0.0.1:8080", &app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(png.headers()["content-type"], "image/png");
        let url = decode_qr(&png.bytes().await.unwrap());
        assert_eq!(url, d["page_url"].as_str().unwrap(), "the code opens that deputy's page");
        assert!(url.ends_with(&format!("/deputy/{}", d["slug"].as_str().unwrap())));
        let svg = app.get(&format!("/qr/deputy/{}.svg", d["slug"].as_str().unwrap()), None).await.text().await.unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    }
    let stations: Vec<Value> = app.get("/api/v1/public/stations?region=611026", None).await.json().await.unwrap();
    let center = stations.iter().find(|s| s["name"] == "乾佑街道人大代表联络站").unwrap();
    let png =
        app.get(&format!("/qr/station/{}.png", center["slug"].as_str().unwrap()), None).await.bytes().await.unwrap();
    assert!(decode_qr(&png).ends_with(&format!("/station/{}", center["slug"].as_str().unwrap())));
    // The station's wall: deputies and opening hours, the station phone, no personal phone.
    let res = app.get(&format!("/station/{}", center["slug"].as_str().unwrap()), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.len() < 100 * 1024, "page weight {}", html.len());
    assert!(html.contains("王芳") && html.contains("李建国") && html.contains("驻站") && html.contains("每月5日"));
    assert!(html.contains("0914-4321888"), "the station's own phone may show");
    assert!(!html.contains("13891400"), "personal phones never show");
    let sheet =
        app.get(&format!("/station/{}/codes", center["slug"].as_str().unwrap()), None).await.text().await.unwrap();
    assert_eq!(sheet.matches("<svg").count(), 3, "the station's code and one per deputy");
    let county = app.get("/county/611026", None).await.text().await.unwrap();
    assert!(county.contains("乾佑街道") && county.contains("仁和社区代表联络点"));
    // Re-importing keeps every slug, so printed codes stay valid.
    assert_eq!(import(&app, &sup, ROSTER, "").await.status(), StatusCode::OK);
    let again: Vec<Value> = app.get("/api/v1/public/deputies?region=611026", None).await.json().await.unwrap();
    assert_eq!(
        again.iter().map(|d| d["slug"].clone()).collect::<Vec<_>>(),
        deputies.iter().map(|d| d["slug"].clone()).collect::<Vec<_>>()
    );
    assert_eq!(app.get("/api/v1/public/deputies", None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/v1/public/deputies?region=61102x", None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn personal_phones_are_masked_and_unmasking_is_audited(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    assert_eq!(import(&app, &sup, ROSTER, "").await.status(), StatusCode::OK);
    let listed: Vec<Value> = app.get("/api/v1/deputies?region=611026001", Some(&sup)).await.json().await.unwrap();
    let wang = listed.iter().find(|d| d["name"] == "王芳").unwrap();
    assert_eq!(wang["phone_masked"], "138****0001");
    let slug = wang["slug"].as_str().unwrap();
    let before = audit_count(&app, "personal_data.view").await;
    let contact: Value = app.get(&format!("/api/v1/deputies/{slug}/contact"), Some(&sup)).await.json().await.unwrap();
    assert_eq!(contact["phone"], "13891400001");
    assert_eq!(audit_count(&app, "personal_data.view").await, before + 1);
    let staff = app.token_for("staff", "station_staff", "station:qianyou-renhe", "611026").await;
    assert_eq!(
        app.get(&format!("/api/v1/deputies/{slug}/contact"), Some(&staff)).await.status(),
        StatusCode::FORBIDDEN
    );
    let other = app.token_for("sup-za", "county_supervisor", "region:611025", "611025").await;
    assert_eq!(
        app.get(&format!("/api/v1/deputies/{slug}/contact"), Some(&other)).await.status(),
        StatusCode::FORBIDDEN
    );
    // Exports are audited too.
    assert_eq!(
        app.get("/api/v1/roster/export?region=611026&kind=deputies&format=csv", Some(&sup)).await.status(),
        StatusCode::OK
    );
    assert_eq!(audit_count(&app, "roster.export").await, 1);
}

async fn exports_neutralise_formulas(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&sup),
            &json!({"region": "611026001", "name": "-站", "kind": "联络点", "description": "@SUM(A1:A9)"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let csv =
        app.get("/api/v1/roster/export?region=611026&kind=stations&format=csv", Some(&sup)).await.text().await.unwrap();
    assert!(csv.contains("'-站") && csv.contains("'@SUM(A1:A9)"), "{csv}");
    assert!(!csv.contains(",@SUM") && !csv.contains(",-站"), "{csv}");
}

on_both_backends!(
    a_clerks_workbook_imports_once_and_again_changes_nothing,
    gbk_csv_from_excel_is_read_correctly,
    bad_rows_are_reported_and_nothing_is_written,
    hostile_files_are_refused,
    scope_decides_who_changes_what,
    single_edits_validate_and_deactivation_keeps_the_row,
    qr_codes_open_the_right_pages_and_pages_show_no_private_phones,
    personal_phones_are_masked_and_unmasking_is_audited,
    exports_neutralise_formulas,
    the_import_command_applies_all_or_nothing,
    a_slug_of_another_county_or_township_is_never_moved_by_a_save,
    moving_between_townships_is_the_county_s_audited_action,
);

fn liaison_import(url: &str, file: &std::path::Path, extra: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liaison"))
        .arg("import")
        .arg(file)
        .args(["--county", "611026"])
        .args(extra)
        .env("LIAISON_DATABASE_URL", url)
        .env("LIAISON_LOG", "warn")
        .output()
        .expect("run liaison");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

async fn the_import_command_applies_all_or_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    more_regions(&app).await;
    let dir = std::env::temp_dir().join(format!("liaison-cli-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join(format!("bad-{b:?}.csv"));
    std::fs::write(&bad, "姓名,性别,代表层级,所属乡镇\n王芳,女,县级,乾佑街道\n李四,男,村级,乾佑街道\n").unwrap();
    let (ok, out) = liaison_import(&app.tdb.url, &bad, &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("第 3 行 [代表层级]") && out.contains("未导入任何数据"), "{out}");
    assert!(
        app.get("/api/v1/public/deputies?region=611026", None).await.json::<Vec<Value>>().await.unwrap().is_empty()
    );
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zhashui-roster.xlsx");
    let (ok, out) = liaison_import(&app.tdb.url, &fixture, &["--dry-run"]);
    assert!(ok && out.contains("试运行"), "{out}");
    assert!(
        app.get("/api/v1/public/deputies?region=611026", None).await.json::<Vec<Value>>().await.unwrap().is_empty()
    );
    let (ok, out) = liaison_import(&app.tdb.url, &fixture, &[]);
    assert!(ok && out.contains("代表：新增 4"), "{out}");
    let (ok, out) = liaison_import(&app.tdb.url, &fixture, &[]);
    assert!(ok && out.contains("代表：新增 0，更新 0，未变 4"), "{out}");
    let _ = std::fs::remove_file(&bad);
}
