//! `liaison serve --demo`, a newcomer's first server: it loads the demo county and serves with
//! its search index open and ready (the demo loader must not keep the index's writer), so that
//! staff search is answered by the index, not by a scan.

use liaison_testkit::{Backend, fresh_url};
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

async fn the_demo_server_searches_through_its_index(b: Backend) {
    let Some((url, dir)) = fresh_url(b).await else { return };
    let data = std::env::temp_dir().join(format!("liaison-demo-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data).unwrap();
    let log = data.join("server.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .env("LIAISON_DATABASE_URL", &url)
        .env("LIAISON_DATA_DIR", &data)
        .env("LIAISON_LISTEN", format!("127.0.0.1:{port}"))
        .env("LIAISON_LOG", "warn")
        .args(["serve", "--demo"])
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let logs = || std::fs::read_to_string(&log).unwrap_or_default();
    // Ready: the database answers and the index reflects it.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut ready = false;
    while Instant::now() < deadline && !ready {
        if let Ok(r) = http.get(format!("{base}/metrics")).send().await {
            let text = r.text().await.unwrap_or_default();
            ready = text.lines().any(|l| l.starts_with("liaison_search_index_ready") && l.ends_with(" 1"));
        }
        if !ready {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let _ = child.try_wait();
    assert!(ready, "the demo server's search index never became ready; server log:\n{}", logs());
    assert!(!logs().contains("no search index"), "the index was busy at start:\n{}", logs());
    let token: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "supervisor", "password": "liaison2026demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().expect("the demo supervisor signs in").to_owned();
    let hits: Value = http
        .get(format!("{base}/api/v1/cases?q=%E5%87%8F%E9%80%9F%E5%B8%A6")) // 减速带
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // A list, or a page holding one.
    let list = hits.as_array().or_else(|| hits.as_object().and_then(|o| o.values().find_map(Value::as_array)));
    let titles: Vec<&str> = list.into_iter().flatten().filter_map(|h| h["title"].as_str()).collect();
    assert!(titles.contains(&"仁和社区路口缺少减速带"), "{titles:?}");
    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    let searches = metrics
        .lines()
        .find(|l| l.starts_with("liaison_search_index_searches_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse::<f64>().ok());
    assert!(searches.is_some_and(|n| n >= 1.0), "the index answered the search:\n{metrics}");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data);
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}

liaison_testkit::on_both_backends!(the_demo_server_searches_through_its_index);
