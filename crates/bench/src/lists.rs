//! The staff lists as people use them, over the generated county: each account's inbox with its
//! total, the deadline order, a deep page, filters that the tallies cannot count, a search with a
//! filter, a tracking code, and an export of 10,000 rows (its time and the server's memory).

use crate::{Server, encode, percentile};
use anyhow::Context;
use serde_json::{Value, json};
use std::time::Instant;

/// One measured list: what it is, who asks, the paths asked in turn.
struct Case {
    measure: &'static str,
    account: &'static str,
    paths: Vec<String>,
}

pub struct Measured {
    pub measure: String,
    pub p50: f64,
    pub p99: f64,
    /// Rows in the list (the total of the first answer).
    pub total: i64,
}

async fn token(http: &reqwest::Client, base: &str, username: &str) -> anyhow::Result<String> {
    let v: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": "liaison2026demo"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(v["token"].as_str().with_context(|| format!("login of {username}"))?.to_owned())
}

/// Each list `n` times, in turn: (measure, p50, p99, total).
pub async fn lists(server: &Server, n: usize) -> anyhow::Result<Vec<Measured>> {
    let base = &server.base;
    let http = reqwest::Client::new();
    let first: Value = http
        .get(format!("{base}/api/v1/cases?per_page=1&sort=-created"))
        .bearer_auth(token(&http, base, "supervisor").await?)
        .send()
        .await?
        .json()
        .await?;
    let code = first["items"][0]["tracking_code"].as_str().unwrap_or("AAAAA22222").to_owned();
    let pages = |q: &str, from: u32, to: u32| (from..=to).map(|p| format!("/api/v1/cases?{q}page={p}")).collect();
    let cases = [
        Case {
            measure: "county inbox 待研判, with total",
            account: "supervisor",
            paths: pages("status=received,reopened&", 1, 5),
        },
        Case { measure: "county work list, deadline order", account: "supervisor", paths: pages("", 1, 5) },
        Case { measure: "county deep page (rows 9,951–10,000)", account: "supervisor", paths: pages("", 196, 200) },
        Case {
            measure: "county newest first, page 100",
            account: "supervisor",
            paths: pages("sort=-created&", 96, 100),
        },
        Case {
            measure: "county closed, one channel, one month",
            account: "supervisor",
            paths: ["qr", "online", "station", "visit", "hotline"]
                .iter()
                .map(|c| format!("/api/v1/cases?status=closed&channel={c}&from=2026-03-01&to=2026-03-31"))
                .collect(),
        },
        Case { measure: "county due soon", account: "supervisor", paths: vec!["/api/v1/cases?due_soon=1".into()] },
        Case { measure: "county overdue, deadline order", account: "supervisor", paths: pages("overdue=1&", 1, 3) },
        Case { measure: "township inbox 办理中", account: "qianyou", paths: pages("status=assigned&", 1, 5) },
        Case { measure: "station inbox, deadline order", account: "renhe", paths: pages("", 1, 5) },
        Case {
            measure: "agency inbox 办理中 (lead or assisting)",
            account: "transport",
            paths: pages("status=assigned&", 1, 5),
        },
        Case { measure: "deputy's cases", account: "deputy.wang", paths: pages("", 1, 3) },
        Case {
            measure: "search words + status filter",
            account: "supervisor",
            paths: ["路灯", "减速带", "垃圾", "护栏"]
                .iter()
                .map(|w| format!("/api/v1/cases?q={}&status=closed", encode(w)))
                .collect(),
        },
        Case { measure: "tracking code", account: "supervisor", paths: vec![format!("/api/v1/cases?q={code}")] },
    ];
    let mut out = Vec::new();
    for c in cases {
        let t = token(&http, base, c.account).await?;
        let mut times = Vec::with_capacity(n);
        let mut total = -1;
        for i in 0..n {
            let started = Instant::now();
            let res = http.get(format!("{base}{}", c.paths[i % c.paths.len()])).bearer_auth(&t).send().await?;
            let status = res.status();
            let body = res.bytes().await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status.is_success(), "{}: {status}", c.measure);
            if total < 0 {
                total = serde_json::from_slice::<Value>(&body)?["total"].as_i64().unwrap_or(-1);
            }
        }
        times.sort_by(f64::total_cmp);
        out.push(Measured {
            measure: c.measure.into(),
            p50: percentile(&times, 0.5),
            p99: percentile(&times, 0.99),
            total,
        });
    }
    Ok(out)
}

/// The county's closed cases as a workbook, capped at 10,000 rows: (seconds, rows, bytes).
pub async fn export(server: &Server) -> anyhow::Result<(f64, i64, usize)> {
    let http = reqwest::Client::new();
    let t = token(&http, &server.base, "supervisor").await?;
    let started = Instant::now();
    let res = http.get(format!("{}/api/v1/cases/export?status=closed", server.base)).bearer_auth(&t).send().await?;
    anyhow::ensure!(res.status().is_success(), "export: {}", res.status());
    let rows = res.headers().get("x-exported-rows").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let bytes = res.bytes().await?.len();
    Ok((started.elapsed().as_secs_f64(), rows.unwrap_or(-1), bytes))
}
