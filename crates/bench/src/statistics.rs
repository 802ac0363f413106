//! The statistics and bulletins over the generated county: each report's p99 (the county's year,
//! a township, a station, a period cutting months in two, the workbook, the public page) against
//! the 50 ms target, and the monthly bulletin — drafted from a month's data, then read as a page
//! and as a PDF.

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::time::Instant;

/// Signs in with the demo password: the bearer token.
pub(super) async fn login(base: &str, username: &str) -> anyhow::Result<String> {
    let t: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": "liaison2026demo"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(t["token"].as_str().context("login")?.to_owned())
}

async fn post(http: &reqwest::Client, base: &str, token: &str, path: &str, body: Value) -> anyhow::Result<Value> {
    let res = http.post(format!("{base}{path}")).bearer_auth(token).json(&body).send().await?;
    let status = res.status();
    let v: Value = res.json().await?;
    if !status.is_success() {
        bail!("{path}: {status} {v}");
    }
    Ok(v)
}

/// (measure, p99 ms, note) rows.
pub(super) async fn run(
    base: &str,
    token: &str,
    total: usize,
    quick: bool,
) -> anyhow::Result<Vec<(String, f64, String)>> {
    let mut out = Vec::new();
    // Enough requests that the p99 is not simply the slowest one.
    let n = if quick { 20 } else { 200 };
    for (what, path) in [
        ("statistics report, county, one year", "/api/v1/stats/report?region=611026&from=2026-01-01&to=2026-12-31"),
        (
            "statistics report, township, one year",
            "/api/v1/stats/report?region=611026101&from=2026-01-01&to=2026-12-31",
        ),
        (
            "statistics report, station, one year",
            "/api/v1/stats/report?region=611026&station=qianyou-renhe&from=2026-01-01&to=2026-12-31",
        ),
        (
            "statistics report, county, 15 Mar – 20 Jun",
            "/api/v1/stats/report?region=611026&from=2026-03-15&to=2026-06-20",
        ),
        (
            "statistics workbook (xlsx), county, one year",
            "/api/v1/stats/report.xlsx?region=611026&from=2026-01-01&to=2026-12-31",
        ),
        ("public statistics page, county", "/county/611026/stats?year=2026"),
        ("staff statistics page, county", "/stats?region=611026&from=2026-01-01&to=2026-12-31"),
    ] {
        let (p50, p99) = super::timed_gets(base, token, &[path.to_owned()], n).await;
        out.push((format!("{what}, {total} cases"), p99, format!("p50 {p50:.1} ms; target < 50 ms")));
    }

    // The monthly bulletin: a draft for each month of the year (the report, the examples and
    // the outcomes of the month), then the published one read as a page and a PDF.
    let http = reqwest::Client::new();
    let reviewer = login(base, "reviewer").await?;
    // January to November: the demo has already published this month's (December 2026).
    let months = if quick { 3 } else { 11 };
    let mut drafts = Vec::new();
    let mut ids = Vec::new();
    for m in 1..=months {
        let t = Instant::now();
        let b = post(
            &http,
            base,
            token,
            "/api/v1/bulletins",
            json!({"kind": "monthly", "region": "611026", "period": format!("2026-{m:02}")}),
        )
        .await?;
        drafts.push(t.elapsed().as_secs_f64() * 1000.0);
        ids.push((b["id"].as_i64().context("bulletin id")?, b["version"].as_i64().unwrap_or(1)));
    }
    drafts.sort_by(f64::total_cmp);
    out.push((
        format!("monthly bulletin drafted from a month's data, {total} cases ({months} months)"),
        super::percentile(&drafts, 0.99),
        format!("p50 {:.1} ms; target < 50 ms", super::percentile(&drafts, 0.5)),
    ));
    let (id, version) = ids[0];
    let a =
        post(&http, base, &reviewer, &format!("/api/v1/bulletins/{id}/approve"), json!({"version": version})).await?;
    post(&http, base, token, &format!("/api/v1/bulletins/{id}/publish"), json!({"version": a["version"]})).await?;
    let (p50, p99) = super::timed_gets(base, token, &[format!("/bulletin/{id}")], n).await;
    out.push((
        format!("published monthly bulletin, web page, {total} cases"),
        p99,
        format!("p50 {p50:.1} ms; target < 50 ms"),
    ));
    let (p50, p99) = super::timed_gets(base, token, &[format!("/bulletin/{id}/bulletin.pdf")], n).await;
    out.push((
        format!("published monthly bulletin, PDF, {total} cases"),
        p99,
        format!("p50 {p50:.1} ms; typeset on each request (the figures are fixed; a cache would make it a file read)"),
    ));
    Ok(out)
}
