//! The soak: paced submissions, staff steps and searches at once for a while, then a check
//! that every acknowledged case is stored and no answer was a server error.

use super::*;

#[derive(Default)]
pub(super) struct Soak {
    pub(super) submitted: u64,
    pub(super) lost: u64,
    pub(super) steps: u64,
    pub(super) refused: u64,
    pub(super) searches: u64,
    pub(super) search_p50: f64,
    pub(super) search_p99: f64,
    pub(super) errors: u64,
}

/// Load without loss: for `seconds`, constituents submit at a steady 1,000 cases/s (far above any
/// county's day, sustained), two staff pipelines take cases through the loop (triage and assign
/// by the county, result by the agency, reply by the county) and two staff members search, each
/// five times a second (paced, so that a faster search does not turn into more load). Then every
/// acknowledged tracking code is looked up in the database.
pub(super) async fn soak(base: &str, url: &str, supervisor: &str, seconds: f64) -> anyhow::Result<Soak> {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let login = |user: &'static str| {
        let http = http.clone();
        let base = base.to_owned();
        async move {
            let v: Value = http
                .post(format!("{base}/api/v1/session"))
                .json(&json!({"username": user, "password": "liaison2026demo"}))
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(v["token"].as_str().context("login")?.to_owned())
        }
    };
    let agency = login("transport").await?;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let fresh = Arc::new(Mutex::new(std::collections::VecDeque::<i64>::new()));
    let (errors, steps, refused) =
        (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    // Submissions: 20 clients, each paced at 50 cases/s.
    for w in 0..20usize {
        let (http, base, acked, fresh, errors) =
            (http.clone(), base.to_owned(), acked.clone(), fresh.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let mut i = 0usize;
            while started.elapsed().as_secs_f64() < seconds {
                tick.tick().await;
                i += 1;
                let (cat, title, content) = MATTERS[(w + i) % MATTERS.len()];
                let res = http
                    .post(format!("{base}/api/v1/public/cases"))
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .json(&json!({"station": "qianyou-renhe", "title": title, "content": content, "category": cat}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let v: Value = r.json().await.unwrap_or_default();
                        if let (Some(code), Some(id)) = (v["tracking_code"].as_str(), v["id"].as_i64()) {
                            acked.lock().unwrap().push(code.to_owned());
                            let mut f = fresh.lock().unwrap();
                            if f.len() < 10_000 {
                                f.push_back(id);
                            }
                        }
                    }
                    _ => {
                        errors.fetch_add(1, Relaxed);
                    }
                }
            }
        }));
    }
    // Staff pipelines.
    for _ in 0..2 {
        let (http, base, fresh) = (http.clone(), base.to_owned(), fresh.clone());
        let (sup, agency) = (supervisor.to_owned(), agency.clone());
        let (errors, steps, refused) = (errors.clone(), steps.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed().as_secs_f64() < seconds {
                let next = fresh.lock().unwrap().pop_front();
                let Some(id) = next else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let loop_steps = [
                    (&sup, json!({"step": "triage", "level": "county"})),
                    (&sup, json!({"step": "assign", "lead": "zs-transport"})),
                    (&agency, json!({"step": "result", "result": "已安排维修，三日内完成。"})),
                    (&sup, json!({"step": "reply", "reply": "您反映的问题已转交县交通运输局，已安排维修。"})),
                ];
                for (token, body) in loop_steps {
                    let res = http
                        .post(format!("{base}/api/v1/cases/{id}/steps"))
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await;
                    steps.fetch_add(1, Relaxed);
                    match res.map(|r| r.status()) {
                        Ok(s) if s.is_success() => {}
                        Ok(s) if s.is_client_error() => {
                            refused.fetch_add(1, Relaxed);
                            break;
                        }
                        _ => {
                            errors.fetch_add(1, Relaxed);
                            break;
                        }
                    }
                }
            }
        }));
    }
    // Searches: the two staff members on a thread and runtime of their own, as their browsers
    // would be, so that a search's time is the server's and not its turn in the load
    // generator's queue behind a thousand submissions a second.
    let search_ms = Arc::new(Mutex::new(Vec::new()));
    let searchers = {
        let (base, sup, errors, search_ms) =
            (base.to_owned(), supervisor.to_owned(), errors.clone(), search_ms.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async move {
                let http = reqwest::Client::builder().build()?;
                let mut staff = Vec::new();
                for w in 0..2usize {
                    let (http, base, sup, errors, search_ms) =
                        (http.clone(), base.clone(), sup.clone(), errors.clone(), search_ms.clone());
                    staff.push(tokio::spawn(async move {
                        let words = ["路灯", "减速带", "产业路", "垃圾", "降压药", "养老保险", "护栏", "噪音"];
                        let mut i = w;
                        let mut tick = tokio::time::interval(Duration::from_millis(200));
                        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                        while started.elapsed().as_secs_f64() < seconds {
                            tick.tick().await;
                            i += 1;
                            let t = Instant::now();
                            let res = http
                                .get(format!("{base}/api/v1/cases?limit=20&q={}", encode(words[i % words.len()])))
                                .bearer_auth(&sup)
                                .send()
                                .await;
                            match res {
                                Ok(r) if r.status().is_success() => {
                                    let _ = r.bytes().await;
                                    search_ms.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
                                }
                                _ => {
                                    errors.fetch_add(1, Relaxed);
                                }
                            }
                        }
                    }));
                }
                for s in staff {
                    s.await?;
                }
                anyhow::Ok(())
            })
        })
    };
    for t in tasks {
        t.await?;
    }
    tokio::task::spawn_blocking(move || searchers.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the searchers panicked"))??;
    // Every acknowledged case must be stored.
    let acked = acked.lock().unwrap().clone();
    let db = Db::connect(url).await?;
    let mut lost = 0u64;
    for code in &acked {
        if cases::by_tracking_code(&db, code).await?.is_none() {
            lost += 1;
        }
    }
    db.close().await;
    let mut l = search_ms.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    Ok(Soak {
        submitted: acked.len() as u64,
        lost,
        steps: steps.load(Relaxed),
        refused: refused.load(Relaxed),
        searches: l.len() as u64,
        search_p50: percentile(&l, 0.5),
        search_p99: percentile(&l, 0.99),
        errors: errors.load(Relaxed),
    })
}
