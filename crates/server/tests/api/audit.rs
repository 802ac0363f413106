//! The audit trail: state changes leave entries, and `liaison audit verify` finds tampering.

use liaison_testkit::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;

fn verify(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .args(["audit", "verify"])
        .env("LIAISON_DATABASE_URL", url)
        .env("LIAISON_LOG", "warn")
        .output()
        .expect("run liaison");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

async fn tamper(b: Backend, url: &str, sql: &[&'static str]) {
    use sqlx::Connection;
    match b {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            for s in sql {
                sqlx::query(*s).execute(&mut c).await.unwrap();
            }
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            for s in sql {
                sqlx::query(*s).execute(&mut c).await.unwrap();
            }
        }
    }
}

const DROP_GUARDS_SQLITE: &str = "DROP TRIGGER audit_log_no_update";
const DROP_GUARDS_PG: &str = "DROP TRIGGER audit_log_no_update ON audit_log";

async fn state_changes_are_audited_and_an_edit_is_found(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    for (code, name) in [("611026201", "一镇"), ("611026202", "二镇"), ("611026203", "三镇")] {
        let res = app.post_json("/api/v1/regions", Some(&admin), &json!({"code": code, "name": name})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let aud = app.token_for("aud", "auditor", "region:611026", "611026").await;
    let log: Vec<Value> = app.get("/api/v1/audit?action=region.create", Some(&aud)).await.json().await.unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["actor"], "sys");
    assert_eq!(log[0]["target"], "region:611026203");
    let (ok, out) = verify(&app.tdb.url);
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");

    let drop_guard = if b == Backend::Sqlite { DROP_GUARDS_SQLITE } else { DROP_GUARDS_PG };
    tamper(
        b,
        &app.tdb.url,
        &[drop_guard, "UPDATE audit_log SET summary = '新增行政区划 改过' WHERE target = 'region:611026202'"],
    )
    .await;
    let seq = log[1]["seq"].as_i64().unwrap();
    let (ok, out) = verify(&app.tdb.url);
    assert!(!ok, "an edited entry must fail verification: {out}");
    assert!(out.contains(&format!("entry {seq}")) && out.contains("篡改"), "{out}");
}

async fn a_removed_or_reordered_entry_is_found(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let admin = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    for code in ["611026201", "611026202", "611026203"] {
        app.post_json("/api/v1/regions", Some(&admin), &json!({"code": code, "name": "镇"})).await;
    }
    let drop_guard = if b == Backend::Sqlite { DROP_GUARDS_SQLITE } else { DROP_GUARDS_PG };
    let delete_guard: &'static str = if b == Backend::Sqlite { "DROP TRIGGER audit_log_no_delete" } else { "SELECT 1" };
    tamper(b, &app.tdb.url, &[drop_guard, delete_guard, "DELETE FROM audit_log WHERE target = 'region:611026202'"])
        .await;
    let (ok, out) = verify(&app.tdb.url);
    assert!(!ok && out.contains("BROKEN county 611026"), "{out}");
}

on_both_backends!(state_changes_are_audited_and_an_edit_is_found, a_removed_or_reordered_entry_is_found);
