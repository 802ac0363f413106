//! Crash safety: a server under continuous submissions is killed with SIGKILL at random moments,
//! twenty times, and restarted. Every case whose tracking code was acknowledged must be there,
//! intact; the SQLite file must pass `PRAGMA integrity_check`; the audit chain must verify; and a
//! retry with an acknowledged submission's key must return the same case.

use liaison_testkit::{Backend, fresh_url};
use rand::RngExt;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KILLS: usize = 20;

fn liaison(url: &str, data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_liaison"));
    c.env("LIAISON_DATABASE_URL", url)
        .env("LIAISON_DATA_DIR", data)
        .env("LIAISON_LOG", "error")
        .env("LIAISON_PUBLIC_PER_MINUTE", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(url: &str, data: &std::path::Path) -> (Child, String) {
    let port = free_port();
    let mut child = liaison(url, data).env("LIAISON_LISTEN", format!("127.0.0.1:{port}")).arg("serve").spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

async fn submissions_survive_sigkill(b: Backend) {
    let Some((url, dir)) = fresh_url(b).await else { return };
    let data = std::env::temp_dir().join(format!("liaison-crash-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data).unwrap();
    let status = liaison(&url, &data).arg("demo").status().unwrap();
    assert!(status.success(), "demo data");
    let acked: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let mut n = 0usize;
    for round in 0..KILLS {
        let (mut child, base) = start(&url, &data).await;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut clients = Vec::new();
        for worker in 0..4 {
            let (base, acked, stop) = (base.clone(), acked.clone(), stop.clone());
            let start_n = n + worker * 100_000;
            clients.push(tokio::spawn(async move {
                let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
                let mut i = start_n;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    i += 1;
                    let key = format!("crash-{round}-{worker}-{i}");
                    let title = format!("第{round}轮第{i}件");
                    let res = client
                        .post(format!("{base}/api/v1/public/cases"))
                        .header("idempotency-key", &key)
                        .json(&json!({"station": "qianyou-renhe", "title": title, "content": "崩溃测试：村口路灯不亮"}))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => {
                            if let Ok(v) = r.json::<Value>().await {
                                let code = v["tracking_code"].as_str().unwrap_or_default().to_owned();
                                acked.lock().unwrap().push((key, code, title));
                            }
                        }
                        _ => tokio::time::sleep(Duration::from_millis(5)).await,
                    }
                }
            }));
        }
        let wait = rand::rng().random_range(150..600);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for c in clients {
            c.await.unwrap();
        }
        n += 1_000_000;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= KILLS, "the server acknowledged submissions between kills ({})", acked.len());

    // Every acknowledged case is stored, intact.
    let db = liaison_store::Db::connect(&url).await.unwrap();
    for (_, code, title) in &acked {
        let row = liaison_store::cases::by_tracking_code(&db, code).await.unwrap();
        let row = row.unwrap_or_else(|| panic!("acknowledged case {code} was lost"));
        assert_eq!(&row.title, title);
        assert_eq!(row.status, "received");
    }
    let v = liaison_store::audit::verify_all(&db, &[]).await.unwrap();
    assert!(v.breaks.is_empty(), "audit chain: {:?}", v.breaks);
    db.close().await;
    let out = liaison(&url, &data).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    if b == Backend::Sqlite {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut c).await.unwrap();
        assert_eq!(check, "ok");
    }

    // A retry of an acknowledged submission returns the same case, not a second one.
    let (mut child, base) = start(&url, &data).await;
    let (key, code, title) = &acked[acked.len() / 2];
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/public/cases"))
        .header("idempotency-key", key)
        .json(&json!({"station": "qianyou-renhe", "title": title, "content": "崩溃测试：村口路灯不亮"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["tracking_code"].as_str(), Some(code.as_str()));
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data);
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}

liaison_testkit::on_both_backends!(submissions_survive_sigkill);
