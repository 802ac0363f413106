//! Notifications: the outbox worker hands messages to SMTP (a real SMTP exchange with a sink on
//! loopback) or the log; a failing sender leaves the message queued for a retry and the case
//! untouched.

use liaison_app::notify::{LogSender, Sender, SmtpSender};
use liaison_testkit::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts one message and returns (recipients, data).
async fn smtp_sink() -> (u16, tokio::task::JoinHandle<(Vec<String>, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
        let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    w.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 sink\r\n"
            } else if upper.starts_with("RCPT TO:") {
                rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                b"250 ok\r\n"
            } else if upper.starts_with("DATA") {
                in_data = true;
                b"354 go on\r\n"
            } else if upper.starts_with("QUIT") {
                w.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                b"250 ok\r\n"
            };
            w.write_all(reply).await.unwrap();
        }
        (rcpt, data)
    });
    (port, task)
}

async fn notifications_go_out_by_email_or_wait_for_a_retry(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let res = app
        .post_json(
            "/api/v1/stations",
            Some(&sup),
            &json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点"}),
        )
        .await;
    assert!(res.status().is_success());
    let res = app
        .post_json(
            "/api/v1/public/cases",
            None,
            &json!({"station": "renhe", "title": "路灯不亮", "content": "村口路灯不亮"}),
        )
        .await;
    let code = res.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_owned();

    // A relay that is down: the message stays queued, the case is untouched.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let routes: std::collections::BTreeMap<String, String> =
        [("station:renhe".to_owned(), "renhe@zhashui.example".to_owned())].into();
    let down: Arc<dyn Sender> =
        Arc::new(SmtpSender::new("127.0.0.1", closed, "liaison@zhashui.example", routes.clone()).unwrap());
    assert_eq!(liaison_app::notify::drain_outbox(&app.state.app, &[down]).await, 0);
    let queued = liaison_store::outbox::for_recipient(app.db(), "station:renhe").await.unwrap();
    assert_eq!(queued[0].2, "pending", "kept for a retry");
    let t: Value = app.get(&format!("/api/v1/public/cases/{code}"), None).await.json().await.unwrap();
    assert_eq!(t["status"], "received");

    // The retry is due after the back-off; then a working relay delivers it.
    app.clock.advance(chrono::Duration::minutes(2));
    let (port, sink) = smtp_sink().await;
    let smtp: Arc<dyn Sender> =
        Arc::new(SmtpSender::new("127.0.0.1", port, "liaison@zhashui.example", routes).unwrap());
    let log: Arc<dyn Sender> = Arc::new(LogSender);
    assert_eq!(liaison_app::notify::drain_outbox(&app.state.app, &[smtp, log]).await, 1);
    let (rcpt, data) = sink.await.unwrap();
    assert_eq!(rcpt, vec!["renhe@zhashui.example"]);
    assert!(data.contains("Subject:"), "{data}");
    let sent = liaison_store::outbox::for_recipient(app.db(), "station:renhe").await.unwrap();
    assert_eq!(sent[0].2, "sent");
    // Nothing is sent twice.
    let log: Arc<dyn Sender> = Arc::new(LogSender);
    assert_eq!(liaison_app::notify::drain_outbox(&app.state.app, &[log]).await, 0);
}

on_both_backends!(notifications_go_out_by_email_or_wait_for_a_retry);
