//! Near-duplicate detection, staff search, and Open311 clients.

use super::*;

pub(super) async fn near_duplicates_and_search(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = organisation(&app).await;
    let mut ids = Vec::new();
    for (i, (title, content)) in [
        ("仁和社区路口缺少减速带", "小学门口车速快，希望增设减速带和人行横道。"),
        ("小学门口需要减速带", "仁和社区小学门口路口车速太快，希望增设减速带。"),
        ("木耳基地产业路需硬化", "金米村木耳基地产业路雨天泥泞，运输困难。"),
    ]
    .iter()
    .enumerate()
    {
        let res =
            submit(&app, &format!("key-dup-000{i}"), json!({"station": "renhe", "title": title, "content": content}))
                .await;
        ids.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let similar: Vec<Value> =
        app.get(&format!("/api/v1/cases/{}/similar", ids[1]), Some(&sup)).await.json().await.unwrap();
    let found: Vec<i64> = similar.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(found, vec![ids[0]], "the other speed-bump case, not the mushroom road");
    let other_county = app.token_for("sup-za", "county_supervisor", "region:611025", "611025").await;
    assert_eq!(
        app.get(&format!("/api/v1/cases/{}/similar", ids[1]), Some(&other_county)).await.status(),
        StatusCode::FORBIDDEN
    );
    // Staff search goes through the index once it is built (it follows the database in the
    // background; a search adds the cases changed since its last commit, read from SQL).
    let index = app.state.app.search_index().expect("the app opens its search index").clone();
    for _ in 0..100 {
        if index.ready() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(index.ready());
    let hits = |q: &'static str| {
        let app = &app;
        let sup = sup.clone();
        async move {
            let url = format!(
                "/api/v1/cases?q={}",
                serde_urlencoded::to_string([("x", q)]).unwrap().trim_start_matches("x=")
            );
            liaison_testkit::items(app.get(&url, Some(&sup)).await).await.len()
        }
    };
    assert_eq!(hits("减速带").await, 2);
    assert_eq!(hits("减速带 人行横道").await, 1, "every word must appear");
    assert_eq!(hits("木耳").await, 1);
    assert_eq!(hits("耳").await, 1, "one character");
    assert_eq!(hits("门口路").await, 1, "a fragment across words");
    // Every pair of this word occurs (the first ones in the content, the last in the title), but
    // the word itself nowhere: the index offers the case, the check against the row drops it.
    assert_eq!(hits("米村木耳基地产业路需硬化").await, 0);
    assert_eq!(hits("100%").await, 0, "wildcards are matched literally");
    // What was written a moment ago is found at once, before the follower's next commit.
    for i in 0..3 {
        let res = submit(
            &app,
            &format!("key-fresh-000{i}"),
            json!({"station": "renhe", "title": format!("桥头护栏松动{i}"), "content": "河边护栏一碰就晃。"}),
        )
        .await;
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let url = format!(
            "/api/v1/cases?q={}",
            serde_urlencoded::to_string([("x", "护栏")]).unwrap().trim_start_matches("x=")
        );
        let found: Value = app.get(&url, Some(&sup)).await.json().await.unwrap();
        let found = found["items"].as_array().unwrap();
        assert_eq!(found.len(), i + 1);
        assert_eq!(found[0]["id"].as_i64(), Some(id), "the newest first");
    }
    assert_eq!(hits("_").await, 0);
    let res = app.get("/api/v1/cases?q=a%20b%20c%20d%20e%20f", Some(&sup)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Search never crosses the scope.
    assert!(liaison_testkit::items(app.get("/api/v1/cases?q=减速带", Some(&other_county)).await).await.is_empty());
}

pub(super) async fn open311_clients_submit_and_read(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let _ = organisation(&app).await;
    let services: Vec<Value> = app.get("/open311/v2/services.json", None).await.json().await.unwrap();
    assert!(services.iter().any(|s| s["service_code"] == "道路交通"));
    let res = app
        .client
        .post(app.url("/open311/v2/requests.json"))
        .form(&[
            ("jurisdiction_id", "renhe"),
            ("service_code", "道路交通"),
            ("description", "路口缺少减速带\n小学门口车速快"),
            ("phone", "13900001234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Vec<Value> = res.json().await.unwrap();
    let id = created[0]["service_request_id"].as_str().unwrap().to_owned();
    let got: Vec<Value> = app.get(&format!("/open311/v2/requests/{id}.json"), None).await.json().await.unwrap();
    assert_eq!((got[0]["status"].as_str(), got[0]["service_code"].as_str()), (Some("open"), Some("道路交通")));
    assert!(!got[0].to_string().contains("13900001234"), "no personal data");
    let listed: Vec<Value> =
        app.get("/open311/v2/requests.json?jurisdiction_id=renhe", None).await.json().await.unwrap();
    assert!(listed.is_empty(), "unpublished and open requests are not listed");
    let res = app
        .client
        .post(app.url("/open311/v2/requests.json"))
        .form(&[("jurisdiction_id", "renhe"), ("service_code", "外星人"), ("description", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Vec<Value> = res.json().await.unwrap();
    assert_eq!(err[0]["code"], 400);
    assert_eq!(app.get("/open311/v2/requests/ABCDE-FGHJK.json", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/open311/v2/requests.json", None).await.status(), StatusCode::BAD_REQUEST);
}
