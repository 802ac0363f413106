//! A save never moves a record to another county or township; moving is the county's audited
//! action.

use super::*;

async fn station_home(app: &TestApp, token: &str, slug: &str) -> (String, String) {
    let list: Vec<Value> =
        app.get("/api/v1/stations?region=611026&include_inactive=true", Some(token)).await.json().await.unwrap();
    let s = list.iter().find(|s| s["slug"] == slug).expect("station still in its county");
    (s["region_code"].as_str().unwrap().to_owned(), s["name"].as_str().unwrap().to_owned())
}

/// The security review's reproduction: 镇安's supervisor saved 柞水's station under its own
/// slug with a 镇安 region, and the station (with every constituent who scanned its QR code)
/// moved to 镇安. Now: 409 with a Chinese message, and nothing changes.
pub(super) async fn a_slug_of_another_county_or_township_is_never_moved_by_a_save(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let zs = app.token_for("supervisor", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        (
            "/api/v1/stations",
            json!({"slug": "qianyou-renhe", "region": "611026001", "name": "仁和站", "kind": "联络点"}),
        ),
        (
            "/api/v1/deputies",
            json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001", "phone": "13800001234"}),
        ),
        (
            "/api/v1/agencies",
            json!({"slug": "zs-transport", "region": "611026", "name": "县交通运输局", "kind": "部门"}),
        ),
    ] {
        assert_eq!(app.post_json(path, Some(&zs), &body).await.status(), StatusCode::CREATED);
    }
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    for (path, body) in [
        ("/api/v1/stations", json!({"slug": "qianyou-renhe", "region": "611025001", "name": "劫持", "kind": "联络点"})),
        (
            "/api/v1/deputies",
            json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611025001"}),
        ),
        ("/api/v1/agencies", json!({"slug": "zs-transport", "region": "611025", "name": "劫持", "kind": "部门"})),
    ] {
        let res = app.post_json(path, Some(&zhenan), &body).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{path}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["code"], "slug_elsewhere");
        assert_eq!(e["error"]["field"], "slug");
        assert!(e["error"]["message"].as_str().unwrap().contains("已被其他县（区）"), "{e}");
    }
    // The same by the roster import of 镇安.
    let res = import(
        &app,
        &zhenan,
        "标识,站点名称,类型,所属区划\nqianyou-renhe,劫持,联络点,611025001\n".as_bytes(),
        "?county=611025",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"][0]["reason"].as_str().unwrap().contains("已被其他县（区）的联络站使用"), "{body}");
    assert_eq!(station_home(&app, &zs, "qianyou-renhe").await, ("611026001".into(), "仁和站".into()));
    let deputies: Vec<Value> = app.get("/api/v1/deputies?region=611026", Some(&zs)).await.json().await.unwrap();
    assert_eq!(deputies[0]["region_code"], "611026001");
    assert_eq!(deputies[0]["phone_masked"], "138****1234");
    let agencies: Vec<Value> = app.get("/api/v1/agencies?region=611026", Some(&zs)).await.json().await.unwrap();
    assert_eq!(agencies[0]["name"], "县交通运输局");

    // A township officer of 下梁镇 can neither edit 乾佑's station nor pull it over.
    let xialiang = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&xialiang),
            &json!({"slug": "qianyou-renhe", "region": "611026101", "name": "劫持", "kind": "联络点"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("不在您的管辖范围内"));
    // 乾佑's own officer edits it in place, but cannot send it to another township by a save.
    let qianyou = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&qianyou),
            &json!({"slug": "qianyou-renhe", "region": "611026001001", "name": "仁和社区联络点", "kind": "联络点"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "an edit inside the township is an edit");
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&zs),
            &json!({"slug": "qianyou-renhe", "region": "611026101", "name": "仁和社区联络点", "kind": "联络点"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "even the county moves a station only by the move action");
    assert!(res.text().await.unwrap().contains("调整所属区划"));
    assert_eq!(station_home(&app, &zs, "qianyou-renhe").await.0, "611026001001");
    assert_eq!(audit_count(&app, "station.save").await, 2, "the creation and the one edit in place");
}

pub(super) async fn moving_between_townships_is_the_county_s_audited_action(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let zs = app.token_for("supervisor", "county_supervisor", "region:611026", "611026").await;
    let body = json!({"slug": "renhe", "region": "611026001", "name": "仁和站", "kind": "联络点"});
    assert_eq!(app.post_json("/api/v1/stations", Some(&zs), &body).await.status(), StatusCode::CREATED);
    let body = json!({"slug": "li", "name": "李", "gender": "男", "levels": "县级", "region": "611026001"});
    assert_eq!(app.post_json("/api/v1/deputies", Some(&zs), &body).await.status(), StatusCode::CREATED);
    // Refused: township officers (even of the station's own township), other counties, regions
    // outside the county or unknown.
    let qianyou = app.token_for("qianyou", "township_officer", "region:611026001", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;
    let to = |r: &str| json!({"region": r});
    assert_eq!(
        app.post_json("/api/v1/stations/renhe/move", Some(&qianyou), &to("611026101")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json("/api/v1/stations/renhe/move", Some(&zhenan), &to("611025001")).await.status(),
        StatusCode::FORBIDDEN
    );
    for bad in ["611025001", "611026", "611026999", "abc"] {
        let res = app.post_json("/api/v1/stations/renhe/move", Some(&zs), &to(bad)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(
        app.post_json("/api/v1/stations/nobody/move", Some(&zs), &to("611026101")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(audit_count(&app, "station.move").await, 0);
    // The county moves it; the audit says from where to where.
    for (path, what) in [("/api/v1/stations/renhe/move", "station"), ("/api/v1/deputies/li/move", "deputy")] {
        let res = app.post_json(path, Some(&zs), &to("611026101")).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", res.text().await.unwrap());
        // Again: nothing more to do, nothing more audited.
        assert_eq!(app.post_json(path, Some(&zs), &to("611026101")).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(audit_count(&app, &format!("{what}.move")).await, 1);
    }
    assert_eq!(station_home(&app, &zs, "renhe").await.0, "611026101");
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> = app.get("/api/v1/audit?action=station.move", Some(&aud)).await.json().await.unwrap();
    assert!(log[0]["summary"].as_str().unwrap().contains("由 611026001 调整为 611026101（下梁镇）"), "{log:?}");
    // Now 下梁镇's officer may edit it, and 乾佑's may not.
    let body = json!({"slug": "renhe", "region": "611026101", "name": "仁和站（迁）", "kind": "联络点"});
    assert_eq!(app.post_json("/api/v1/stations", Some(&qianyou), &body).await.status(), StatusCode::FORBIDDEN);
    let xialiang = app.token_for("xialiang", "township_officer", "region:611026101", "611026").await;
    assert_eq!(app.post_json("/api/v1/stations", Some(&xialiang), &body).await.status(), StatusCode::OK);
}
