//! The public pages in a real browser (headless Chromium) at a phone's size. Chromium comes from
//! Debian's `chromium` package, which .ci/run installs; without it the test is skipped unless
//! LIAISON_REQUIRE_BROWSER=1.

use liaison_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use std::process::Command;

const ROSTER: &[u8] = include_bytes!("../fixtures/zhashui-roster.xlsx");

fn chromium() -> Option<String> {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return Some(c.to_owned());
        }
    }
    if std::env::var("LIAISON_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("LIAISON_REQUIRE_BROWSER=1 but no Chromium is installed");
    }
    eprintln!("skipping browser test: no Chromium");
    None
}

/// Runs headless Chromium at 390×844 (a common phone) and returns what `args` produce.
fn headless(bin: &str, profile: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=390,844",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn station_and_deputy_pages_render_on_a_phone() {
    let Some(bin) = chromium() else { return };
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let mut tx = app.db().begin().await.unwrap();
    for (code, name) in [("611026001002", "石镇社区"), ("611026107", "小岭镇"), ("611026107001", "金米村")] {
        liaison_store::regions::upsert(&mut tx, &liaison_domain::region::RegionCode::parse(code).unwrap(), name, 0)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res =
        app.client.post(app.url("/api/v1/roster/import")).bearer_auth(&sup).body(ROSTER.to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let stations: Vec<Value> = app.get("/api/v1/public/stations?region=611026001", None).await.json().await.unwrap();
    let slug =
        stations.iter().find(|s| s["name"] == "乾佑街道人大代表联络站").unwrap()["slug"].as_str().unwrap().to_owned();
    let deputies: Vec<Value> = app.get("/api/v1/public/deputies?region=611026001", None).await.json().await.unwrap();
    let wang = deputies.iter().find(|d| d["name"] == "王芳").unwrap()["slug"].as_str().unwrap().to_owned();

    let dir = std::env::temp_dir().join(format!("liaison-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("station.png");
    let station_url = app.url(&format!("/station/{slug}"));
    let out = headless(&bin, &dir.join("profile-a"), &[&format!("--screenshot={}", shot.display()), &station_url]);
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    let info = png::Decoder::new(std::io::Cursor::new(&png)).read_info().unwrap().info().clone();
    assert_eq!((info.width, info.height), (390, 844), "rendered at a phone's size");
    assert!(png.len() > 10_000, "the page drew something ({} bytes)", png.len());

    let out = headless(&bin, &dir.join("profile-b"), &["--dump-dom", &station_url]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("乾佑街道人大代表联络站") && dom.contains("王芳") && dom.contains("进站代表"), "{dom}");
    let out = headless(&bin, &dir.join("profile-c"), &["--dump-dom", &app.url(&format!("/deputy/{wang}"))]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("一人一码") && dom.contains(&format!("/qr/deputy/{wang}.svg")), "{dom}");
    let _ = std::fs::remove_dir_all(&dir);
}
