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

fn liaison(url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .args(args)
        .env("LIAISON_DATABASE_URL", url)
        .env("LIAISON_LOG", "warn")
        .output()
        .expect("run liaison");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// What the chain alone cannot see — the tail cut off with the head rewritten to match, a whole
/// county removed with its head — the anchors do; and when the anchors inside the database are
/// cut off too, the anchor file kept outside still does.
async fn anchors_find_a_truncated_tail_and_a_removed_county(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let zs = app.token_for("sys", "system_admin", "region:611026", "611026").await;
    let za = app.token_for("sys-za", "system_admin", "region:611025", "611025").await;
    for code in ["611026201", "611026202", "611026203"] {
        app.post_json("/api/v1/regions", Some(&zs), &json!({"code": code, "name": "镇"})).await;
    }
    app.post_json("/api/v1/regions", Some(&za), &json!({"code": "611025201", "name": "镇"})).await;
    let file = std::env::temp_dir().join(format!("anchors-{}.jsonl", uuid::Uuid::new_v4()));
    let (ok, out) = liaison(&app.tdb.url, &["audit", "anchor", "--out", file.to_str().unwrap()]);
    assert!(ok && out.contains("已锚定"), "{out}");
    let lines = std::fs::read_to_string(&file).unwrap();
    assert!(lines.contains("\"county_code\":\"611026\"") && lines.contains("\"county_code\":\"611025\""), "{lines}");
    // Work goes on after the anchor.
    app.post_json("/api/v1/regions", Some(&zs), &json!({"code": "611026204", "name": "镇"})).await;
    let (ok, out) = verify(&app.tdb.url);
    assert!(ok, "{out}");

    // Cut 柞水's chain back to its first entry and rewrite the head to match: the chain itself
    // is consistent again, but the anchored entry is gone.
    let drop_guard = if b == Backend::Sqlite { DROP_GUARDS_SQLITE } else { DROP_GUARDS_PG };
    let delete_guard: &'static str = if b == Backend::Sqlite { "DROP TRIGGER audit_log_no_delete" } else { "SELECT 1" };
    tamper(
        b,
        &app.tdb.url,
        &[
            drop_guard,
            delete_guard,
            "DELETE FROM audit_log WHERE county_code = '611026' AND seq > 1",
            "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE county_code = '611026' AND seq = 1) WHERE county_code = '611026'",
        ],
    )
    .await;
    let (ok, out) = verify(&app.tdb.url);
    assert!(!ok && out.contains("BROKEN county 611026") && out.contains("锚定"), "{out}");

    // Remove 镇安 altogether.
    tamper(
        b,
        &app.tdb.url,
        &["DELETE FROM audit_log WHERE county_code = '611025'", "DELETE FROM audit_head WHERE county_code = '611025'"],
    )
    .await;
    let (ok, out) = verify(&app.tdb.url);
    assert!(!ok && out.contains("BROKEN county 611025") && out.contains("整县"), "{out}");

    // Cut the anchors out of the system chain as well: only the file kept outside still knows.
    tamper(
        b,
        &app.tdb.url,
        &[
            "DELETE FROM audit_log WHERE county_code = '000000' AND action = 'audit.anchor'",
            "UPDATE audit_head SET seq = (SELECT COUNT(*) FROM audit_log WHERE county_code = '000000'), hash = COALESCE((SELECT hash FROM audit_log WHERE county_code = '000000' ORDER BY seq DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000') WHERE county_code = '000000'",
        ],
    )
    .await;
    let (ok, out) = verify(&app.tdb.url);
    assert!(ok, "without anchors the rewritten chains look whole (docs/security.md says so): {out}");
    let (ok, out) = liaison(&app.tdb.url, &["audit", "verify", "--anchors", file.to_str().unwrap()]);
    assert!(!ok && out.contains("BROKEN county 611026") && out.contains("BROKEN county 611025"), "{out}");
    let _ = std::fs::remove_file(&file);
}

on_both_backends!(
    state_changes_are_audited_and_an_edit_is_found,
    a_removed_or_reordered_entry_is_found,
    anchors_find_a_truncated_tail_and_a_removed_county,
);
