//! Annual duty reports: every demo deputy's report written as PDF into one archive by the server's
//! background job, against a baseline of the same deputies' scored years read as JSON, with the
//! server's peak resident set; and the projection to a county of 3,000 deputies.

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The archive's time and reports written, and the JSON baseline's time.
pub(super) struct Reports {
    pub archive_s: f64,
    pub reports: i64,
    pub json_s: f64,
}

async fn token(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let t: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "supervisor", "password": "liaison2026demo"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(t["token"].as_str().context("login")?.to_owned())
}

pub(super) async fn run(base: &str, year: i32) -> anyhow::Result<Reports> {
    let http = reqwest::Client::new();
    let token = token(&http, base).await?;
    // The baseline: each deputy's scored year as JSON, one after the other.
    let standing: Vec<Value> = http
        .get(format!("{base}/api/v1/duty-targets?region=611026&year={year}"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    if standing.is_empty() {
        bail!("the demo county has no deputies");
    }
    let t = Instant::now();
    for d in &standing {
        let slug = d["deputy"].as_str().context("slug")?;
        let res =
            http.get(format!("{base}/api/v1/deputies/{slug}/points?year={year}")).bearer_auth(&token).send().await?;
        if !res.status().is_success() {
            bail!("points of {slug}: {}", res.status());
        }
        res.bytes().await?;
    }
    let json_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let res: Value = http
        .post(format!("{base}/api/v1/report-archives"))
        .bearer_auth(&token)
        .json(&json!({"region": "611026", "year": year}))
        .send()
        .await?
        .json()
        .await?;
    let id = res["id"].as_i64().with_context(|| format!("archive not started: {res}"))?;
    loop {
        let a: Value =
            http.get(format!("{base}/api/v1/report-archives/{id}")).bearer_auth(&token).send().await?.json().await?;
        match a["status"].as_str() {
            Some("running") => tokio::time::sleep(Duration::from_millis(50)).await,
            Some("done") => {
                let archive_s = t.elapsed().as_secs_f64();
                let reports = a["done"].as_i64().unwrap_or(0);
                let file =
                    http.get(format!("{base}/api/v1/report-archives/{id}/file")).bearer_auth(&token).send().await?;
                if !file.status().is_success() || !file.bytes().await?.starts_with(b"PK") {
                    bail!("the archive did not download");
                }
                return Ok(Reports { archive_s, reports, json_s });
            }
            other => bail!("archive ended {other:?}: {a}"),
        }
    }
}
