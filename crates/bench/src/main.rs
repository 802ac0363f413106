//! `liaison-bench`: measures a release `liaison` server on this machine and prints one table
//! (also written as JSON). Every speed figure comes with a baseline measured in the same run:
//! intake is compared with the storage limit — the same row inserted directly through the
//! driver, one row per durable transaction — on SQLite and, when a PostgreSQL URL is given, on
//! PostgreSQL.
//!
//! `liaison-bench --quick` runs in seconds (CI); without it, the full run generates 1,000,000
//! cases for the search and count figures.

mod ballot;
mod lists;
mod memory;
mod reports;
mod soak;
mod statistics;

use anyhow::{Context, bail};
use liaison_domain::region::RegionCode;
use liaison_store::{Db, cases};
use rand::RngExt;
use serde::Serialize;
use serde_json::{Value, json};
use soak::soak;
use statistics::login;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Options {
    quick: bool,
    out: PathBuf,
    binary: PathBuf,
    postgres: Option<String>,
    soak: Option<u64>,
    /// Cases generated for search and counts (default 20,000 quick, 1,000,000 full).
    cases: Option<usize>,
    /// Cases posted through the public API by 16 clients to a fresh server, for its memory
    /// (default 5,000 quick, 100,000 full).
    bulk: Option<usize>,
    /// Only the staff lists over the generated cases: no intake, search or soak.
    only_lists: bool,
    /// Only the ballot's cryptography (no server, no database).
    only_ballot: bool,
    /// Only the statistics and bulletins over the generated cases.
    only_stats: bool,
    /// Skip SQLite: measure PostgreSQL alone (with `--postgres`).
    no_sqlite: bool,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let here = std::env::current_exe()?.parent().map(|p| p.join("liaison")).unwrap_or_default();
    let mut o = Options {
        quick: false,
        out: PathBuf::from("bench.json"),
        binary: here,
        postgres: std::env::var("LIAISON_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()),
        soak: None,
        cases: None,
        bulk: None,
        only_lists: false,
        only_ballot: false,
        only_stats: false,
        no_sqlite: false,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--out" => o.out = args.next().context("--out FILE")?.into(),
            "--binary" => o.binary = args.next().context("--binary PATH")?.into(),
            "--postgres" => o.postgres = Some(args.next().context("--postgres URL")?),
            "--no-postgres" => o.postgres = None,
            "--soak" => o.soak = Some(args.next().context("--soak SECONDS")?.parse()?),
            "--cases" => o.cases = Some(args.next().context("--cases N")?.parse()?),
            "--bulk" => o.bulk = Some(args.next().context("--bulk N")?.parse()?),
            "--only-lists" => o.only_lists = true,
            "--only-ballot" => o.only_ballot = true,
            "--only-stats" => o.only_stats = true,
            "--no-sqlite" => o.no_sqlite = true,
            "-h" | "--help" => {
                println!(
                    "liaison-bench [--quick] [--out bench.json] [--binary target/release/liaison] [--postgres URL | --no-postgres] [--no-sqlite] [--soak SECONDS] [--cases N] [--bulk N] [--only-lists] [--only-ballot] [--only-stats]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if !o.only_ballot && !o.binary.exists() {
        bail!("no liaison binary at {} (build it with cargo build --release -p liaison-server)", o.binary.display());
    }
    Ok(o)
}

/// One row of the result table.
#[derive(Serialize, Clone)]
struct Row {
    backend: String,
    measure: String,
    value: f64,
    unit: String,
    /// A comparison with the baseline measured in the same run, or with the target.
    note: String,
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Peak resident memory of the server process since it started (or since the last
    /// [`memory::Watch`]), in MB (Linux).
    fn peak_rss_mb(&self) -> f64 {
        memory::status(self.child.id()).hwm
    }

    fn watch(&self) -> memory::Watch {
        memory::Watch::start(self.child.id())
    }

    /// Waits until the server has used under a tenth of a core for three seconds in a row (at
    /// most ten minutes): after its search index is ready, the index's merges go on in the
    /// background for a while, and what is measured then is a server in steady use.
    async fn wait_until_quiet(&self) {
        let started = Instant::now();
        let mut last = memory::cpu_seconds(self.child.id());
        let mut quiet = 0;
        while quiet < 3 && started.elapsed() < Duration::from_secs(600) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = memory::cpu_seconds(self.child.id());
            quiet = if now - last < 0.1 { quiet + 1 } else { 0 };
            last = now;
        }
    }
}

/// The server's command. Its log is dropped, unless `LIAISON_BENCH_SERVER_LOG` names a filter
/// (`debug`, `warn,liaison_app=debug`…): then it goes to `server.log` in the data directory.
fn liaison(bin: &PathBuf, url: &str, data: &std::path::Path) -> Command {
    let mut c = Command::new(bin);
    c.env("LIAISON_DATABASE_URL", url)
        .env("LIAISON_DATA_DIR", data)
        .env("LIAISON_PUBLIC_PER_MINUTE", "100000000")
        .stderr(Stdio::null());
    let log = std::env::var("LIAISON_BENCH_SERVER_LOG").ok().filter(|f| !f.is_empty());
    let file = log
        .as_ref()
        .and_then(|_| std::fs::OpenOptions::new().create(true).append(true).open(data.join("server.log")).ok());
    match (log, file) {
        (Some(filter), Some(file)) => c.env("LIAISON_LOG", filter).stdout(file),
        _ => c.env("LIAISON_LOG", "error").stdout(Stdio::null()),
    };
    c
}

async fn start(bin: &PathBuf, url: &str, data: &std::path::Path) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = liaison(bin, url, data).env("LIAISON_LISTEN", format!("127.0.0.1:{port}")).arg("serve").spawn()?;
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{}/readyz", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server did not start")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

const MATTERS: &[(&str, &str, &str)] = &[
    ("道路交通", "村口路灯不亮", "村口两盏路灯坏了一个多月，晚上出行不安全，希望尽快修复。"),
    ("道路交通", "路口缺少减速带", "小学门口车速快，上下学时段存在安全隐患，希望增设减速带和人行横道。"),
    ("农业农村", "产业路需硬化", "木耳基地至村委会的产业路雨天泥泞，运输困难，群众希望尽快硬化。"),
    ("生态环境", "垃圾清运不及时", "周末垃圾清运不及时，夏天异味大，影响周边居民生活。"),
    ("教育医疗", "卫生室药品不全", "常用降压药经常缺货，老人需要到镇上购买，希望卫生室增加备货。"),
    ("社会保障", "咨询养老保险", "群众咨询城乡居民养老保险缴费档次、补贴标准和领取条件。"),
    ("城乡建设", "河堤护栏破损", "河堤步道约二十米护栏松动破损，晚间散步的老人和孩子存在安全隐患。"),
    ("社会治理", "邻里噪音扰民", "楼下商铺夜间经营噪音大，影响居民休息，协调多次未果。"),
];

/// The storage limit: the intake row inserted directly, one per durable transaction.
async fn storage_limit(db: &Db, seconds: f64) -> anyhow::Result<f64> {
    let region = RegionCode::parse("611026001001")?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        let (cat, title, content) = MATTERS[n as usize % MATTERS.len()];
        let code = liaison_domain::case::TrackingCode::generate();
        let mut tx = db.begin().await?;
        cases::insert(
            &mut tx,
            &cases::NewCase {
                region: &region,
                station_ref: Some("qianyou-renhe"),
                deputy_ref: None,
                title,
                content,
                channel: "qr",
                category: cat,
                location: "",
                contact_name: "",
                contact_phone: "",
                anonymous: false,
                publish_consent: false,
                sms_notices: true,
                tracking_code: code.as_str(),
                first_reply_due: None,
                created_by: "bench",
            },
            0,
        )
        .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// Concurrent clients posting cases for `seconds`: (cases/s, p50 ms, p99 ms, errors).
async fn intake(base: &str, clients: usize, seconds: f64) -> (f64, f64, f64, u64) {
    post_cases(base, clients, Until::Seconds(seconds)).await
}

/// `total` cases posted by `clients` concurrent clients as fast as they are answered:
/// (cases/s, p50 ms, p99 ms, errors).
async fn bulk(base: &str, clients: usize, total: usize) -> (f64, f64, f64, u64) {
    post_cases(base, clients, Until::Total(total)).await
}

/// When the posting clients stop.
#[derive(Clone, Copy)]
enum Until {
    Seconds(f64),
    /// This many cases in all, each with its own number in its content.
    Total(usize),
}

async fn post_cases(base: &str, clients: usize, until: Until) -> (f64, f64, f64, u64) {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, next, latencies, errors) =
            (http.clone(), base.to_owned(), next.clone(), latencies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Relaxed);
                let (cat, title, content) = MATTERS[i % MATTERS.len()];
                let content = match until {
                    Until::Seconds(s) if started.elapsed().as_secs_f64() >= s => break,
                    Until::Seconds(_) => content.to_owned(),
                    Until::Total(n) if i >= n => break,
                    Until::Total(_) => format!("{content}（第{i}件）"),
                };
                let t = Instant::now();
                let res = http
                    .post(format!("{base}/api/v1/public/cases"))
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .json(&json!({"station": "qianyou-renhe", "title": title, "content": content, "category": cat}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().as_u16() == 201 => mine.push(t.elapsed().as_secs_f64() * 1000.0),
                    _ => {
                        errors.fetch_add(1, Relaxed);
                    }
                }
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    (l.len() as f64 / elapsed, percentile(&l, 0.5), percentile(&l, 0.99), errors.load(Relaxed))
}

/// Fills the county with generated cases in batches, straight through SQL (a generator, not a
/// measured path): believable matters across categories, townships and statuses.
async fn generate(url: &str, total: usize) -> anyhow::Result<f64> {
    let townships = [
        "611026001",
        "611026100",
        "611026101",
        "611026102",
        "611026103",
        "611026104",
        "611026105",
        "611026106",
        "611026107",
    ];
    let statuses =
        ["received", "triaged", "assigned", "handled", "replied", "closed", "closed", "closed", "answered_on_spot"];
    let channels = ["qr", "online", "station", "visit", "wechat", "hotline", "snapshot"];
    let places = ["村口", "社区北门", "小学门口", "集镇", "河堤", "产业园", "卫生院", "文化广场"];
    let mut rng = rand::rng();
    let pg = url.starts_with("postgres");
    let batch = 500;
    let mut done = 0;
    macro_rules! fill {
        ($conn:expr) => {{
            while done < total {
                let n = batch.min(total - done);
                let mut sql = String::from(
                    "INSERT INTO cases (county_code, region_code, station_ref, deputy_ref, agency_ref, assist_agencies, title, content, status, created_at, updated_at, tracking_code, channel, category, level, fingerprint, deadline_on, first_reply_due, overdue, replied_at, closed_at, rating, on_spot) VALUES ",
                );
                let mut rows = Vec::with_capacity(n);
                for i in 0..n {
                    let (cat, title, content) = MATTERS[rng.random_range(0..MATTERS.len())];
                    let mut t = townships[rng.random_range(0..townships.len())].to_owned();
                    let place = places[rng.random_range(0..places.len())];
                    let status = statuses[rng.random_range(0..statuses.len())];
                    let ch = channels[rng.random_range(0..channels.len())];
                    let level = if rng.random_range(0..4) == 0 { "'county'" } else { "'township'" };
                    let at = 1_767_196_800_000i64 + rng.random_range(0..31_536_000_000i64);
                    let code = liaison_domain::case::TrackingCode::generate();
                    let title = format!("{place}{title}");
                    let content = format!("{place}{content}（第{}件）", done + i);
                    let fp = liaison_domain::similar::fingerprint(&format!("{title}{content}")) as i64;
                    // What the staff lists filter by: one case in twenty at the demo's 仁和 station,
                    // one in fifty to 王芳, the lead agency and a deadline from assignment on, a
                    // first-reply date for online messages.
                    let station = if rng.random_range(0..20) == 0 {
                        t = "611026001001".into();
                        "'qianyou-renhe'"
                    } else {
                        "NULL"
                    };
                    // One in fifty to 王芳, one in three to one of the county's other 300 deputies.
                    let deputy = match rng.random_range(0..150) {
                        0..3 => "'wang-fang'".to_owned(),
                        3..53 => format!("'zs-deputy-{}'", rng.random_range(0..300)),
                        _ => "NULL".to_owned(),
                    };
                    let handled = matches!(status, "assigned" | "handled" | "replied" | "closed");
                    let agency = match (handled, rng.random_range(0..4)) {
                        (false, _) => "NULL".to_owned(),
                        (true, 0) => "'zs-transport'".to_owned(),
                        (true, k) => format!("'zs-agency-{k}'"),
                    };
                    let assist = if handled && rng.random_range(0..100) == 0 { "zs-transport" } else { "" };
                    let day = |ms: i64| {
                        chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
                            .map(|d| format!("'{}'", d.format("%Y-%m-%d")))
                            .unwrap_or_else(|| "NULL".into())
                    };
                    let deadline = if handled { day(at + 21 * 86_400_000) } else { "NULL".into() };
                    let first_reply = if matches!(ch, "qr" | "online") { day(at + 5 * 86_400_000) } else { "NULL".into() };
                    let overdue = if status == "assigned" && rng.random_range(0..10) == 0 { "TRUE" } else { "FALSE" };
                    // Answered cases: a reply from one to forty days later (some after the
                    // deadline), closed ones rated.
                    let on_spot = status == "answered_on_spot" || (status == "closed" && rng.random_range(0..5) == 0);
                    let replied = matches!(status, "replied" | "closed" | "answered_on_spot")
                        .then(|| at + rng.random_range(if on_spot { 0..3_600_000 } else { 86_400_000..40 * 86_400_000 }));
                    let closed = (status == "closed").then(|| replied.unwrap_or(at) + 7 * 86_400_000);
                    let rating = if status == "closed" {
                        ["'satisfied'", "'satisfied'", "'satisfied'", "'partly'", "'dissatisfied'", "'unrated'"]
                            [rng.random_range(0..6)]
                    } else {
                        "NULL"
                    };
                    let deadline = if on_spot { "NULL".to_owned() } else { deadline };
                    let opt = |v: Option<i64>| v.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
                    let on_spot = if on_spot { "TRUE" } else { "FALSE" };
                    rows.push(format!(
                        "('611026', '{t}', {station}, {deputy}, {agency}, '{assist}', '{title}', '{content}', '{status}', {at}, {at}, '{}', '{ch}', '{cat}', {level}, {fp}, {deadline}, {first_reply}, {overdue}, {}, {}, {rating}, {on_spot})",
                        code.as_str(),
                        opt(replied),
                        opt(closed)
                    ));
                }
                sql.push_str(&rows.join(", "));
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut $conn).await?;
                done += n;
            }
        }};
    }
    use sqlx::Connection;
    if pg {
        let mut c = sqlx::PgConnection::connect(url).await?;
        fill!(c);
        sqlx::raw_sql("ANALYZE").execute(&mut c).await?;
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL").execute(&mut c).await?;
        fill!(c);
        sqlx::raw_sql("ANALYZE").execute(&mut c).await?;
    }
    // The load bypassed the store, so the dashboard's tallies are recomputed from the cases.
    let db = Db::connect(url).await?;
    let t = Instant::now();
    cases::rebuild_tallies(&db).await?;
    let rebuild_s = t.elapsed().as_secs_f64();
    db.close().await;
    if pg {
        // What autovacuum would do some minutes after a bulk load, done now so that the first
        // measurements do not race it: the visibility map lets index-only scans skip the heap.
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql("VACUUM (ANALYZE)").execute(&mut c).await?;
    }
    Ok(rebuild_s)
}

/// Waits until the server's search index reflects the database (it rebuilds in the background
/// after a bulk load); returns the seconds waited.
async fn wait_for_index(base: &str) -> anyhow::Result<f64> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let metrics = http.get(format!("{base}/metrics")).send().await?.text().await?;
        if metrics.lines().any(|l| l.starts_with("liaison_search_index_ready") && l.trim_end().ends_with(" 1")) {
            return Ok(started.elapsed().as_secs_f64());
        }
        if started.elapsed() > Duration::from_secs(3600) {
            bail!("the search index was not ready within an hour");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The p50 and p99 of `n` requests, one at a time, cycling through `paths`, after one unmeasured
/// round of them (at least three requests): the first requests open the server's database
/// connections, which a server in use has open.
async fn timed_gets(base: &str, token: &str, paths: &[String], n: usize) -> (f64, f64) {
    let http = reqwest::Client::new();
    for i in 0..paths.len().max(3) {
        if let Ok(r) = http.get(format!("{base}{}", paths[i % paths.len()])).bearer_auth(token).send().await {
            let _ = r.bytes().await;
        }
    }
    let mut l = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let r = http.get(format!("{base}{}", paths[i % paths.len()])).bearer_auth(token).send().await;
        if let Ok(r) = r {
            let _ = r.bytes().await;
        }
        l.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    l.sort_by(f64::total_cmp);
    (percentile(&l, 0.5), percentile(&l, 0.99))
}

/// Bytes on the wire, gzip as served, for the QR contact page and its assets.
async fn page_weight(base: &str) -> anyhow::Result<f64> {
    let http = reqwest::Client::builder().build()?;
    let mut total = 0usize;
    for path in ["/station/qianyou-renhe", "/static/app.css", "/static/app.js"] {
        let r = http.get(format!("{base}{path}")).header("accept-encoding", "gzip").send().await?;
        total += r.bytes().await?.len();
    }
    Ok(total as f64 / 1024.0)
}

async fn backend(
    o: &Options,
    label: &str,
    url: String,
    dir: Option<PathBuf>,
    rows: &mut Vec<Row>,
    failures: &mut Vec<String>,
) -> anyhow::Result<()> {
    let data = std::env::temp_dir().join(format!("liaison-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data)?;
    let ok = liaison(&o.binary, &url, &data).arg("demo").status()?.success();
    if !ok {
        bail!("demo data failed on {label}");
    }
    let row = |measure: &str, value: f64, unit: &str, note: String| Row {
        backend: label.into(),
        measure: measure.into(),
        value,
        unit: unit.into(),
        note,
    };

    // The storage limit, then intake through the server.
    let seconds = if o.quick { 2.0 } else { 10.0 };
    if !o.only_lists && !o.only_stats {
        let db = Db::connect(&url).await?;
        let limit = storage_limit(&db, seconds).await?;
        db.close().await;
        rows.push(row("storage limit: one row per durable transaction", limit, "rows/s", "baseline".into()));
        let server = start(&o.binary, &url, &data).await?;
        let levels: &[usize] = if o.quick { &[1, 8, 32] } else { &[1, 8, 32, 128] };
        for &c in levels {
            let (rate, p50, p99, errors) = intake(&server.base, c, seconds).await;
            rows.push(row(
                &format!("intake, {c} clients"),
                rate,
                "cases/s",
                format!("{:.2}× the storage limit; p50 {p50:.1} ms, p99 {p99:.1} ms; {errors} errors", rate / limit),
            ));
        }
        rows.push(row(
            "page weight: QR contact page + CSS + JS, gzip",
            page_weight(&server.base).await?,
            "KB",
            "target < 50 KB".into(),
        ));
        // Every demo deputy's annual report, as the county's archive job writes them.
        let year = chrono::Datelike::year(&chrono::Utc::now());
        let watch = server.watch();
        let r = reports::run(&server.base, year).await?;
        let peak = watch.stop();
        let per = r.archive_s / r.reports.max(1) as f64;
        rows.push(row(
            &format!("annual reports: {} deputies' PDFs into one archive", r.reports),
            r.archive_s,
            "s",
            format!(
                "{:.1} ms a report; {:.1}× reading the same scored years as JSON ({:.2} s); 3,000 deputies: ~{:.0} s projected (linear: one report at a time)",
                per * 1000.0,
                r.archive_s / r.json_s.max(1e-9),
                r.json_s,
                per * 3000.0
            ),
        ));
        rows.push(row(
            "peak RSS while writing the reports' archive",
            peak.hwm,
            "MB",
            format!("{}; reports are written one at a time into a file, so 3,000 deputies need no more", peak.note()),
        ));
        drop(server);
    }

    // Search and counts over a county full of cases.
    let total = o.cases.unwrap_or(if o.quick { 20_000 } else { 1_000_000 });
    let t = Instant::now();
    let rebuild_s = generate(&url, total).await?;
    let gen_s = t.elapsed().as_secs_f64();
    rows.push(row(
        &format!("case tallies rebuilt from {total} cases (the SQL of migration 19)"),
        rebuild_s,
        "s",
        "once, after a bulk load or on upgrading to migration 19".into(),
    ));
    if o.only_stats {
        let server = start(&o.binary, &url, &data).await?;
        // The search index is rebuilt in the background after the bulk load; measured while it
        // builds, the reports would share the cores with it.
        wait_for_index(&server.base).await?;
        server.wait_until_quiet().await;
        let token = login(&server.base, "supervisor").await?;
        for (measure, p99, note) in statistics::run(&server.base, &token, total, o.quick).await? {
            rows.push(row(&measure, p99, "ms p99", note));
        }
        rows.push(row(&format!("peak RSS, {total} cases"), server.peak_rss_mb(), "MB", "target < 250 MB".into()));
        drop(server);
        remove_data(&data, dir);
        return Ok(());
    }
    // The load bypassed the case timeline the index follows: start it afresh, as an operator does
    // after restoring a database (docs/operations.md).
    let _ = std::fs::remove_dir_all(data.join("index"));
    let server = start(&o.binary, &url, &data).await?;
    let index_s = wait_for_index(&server.base).await?;
    rows.push(row(
        &format!("search index built from {total} cases"),
        index_s,
        "s",
        "in the background after start; search scans until it is ready".into(),
    ));
    server.wait_until_quiet().await;
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/api/v1/session", server.base))
        .json(&json!({"username": "supervisor", "password": "liaison2026demo"}))
        .send()
        .await?
        .json()
        .await?;
    let token = token["token"].as_str().context("login")?.to_owned();
    let words = ["路灯", "减速带", "产业路", "垃圾", "降压药", "养老保险", "护栏", "噪音"];
    let searches: Vec<String> = words.iter().map(|w| format!("/api/v1/cases?limit=20&q={}", encode(w))).collect();
    let n = if o.quick { 50 } else { 1000 };
    if !o.only_lists {
        let (p50, p99) = timed_gets(&server.base, &token, &searches, n).await;
        rows.push(row(
            &format!("search over {total} cases, {n} queries"),
            p99,
            "ms p99",
            format!("p50 {p50:.1} ms; target p99 < 20 ms; generated in {gen_s:.0} s"),
        ));
        let stats = vec!["/api/v1/stats/cases?region=611026&from=2026-01-01&to=2026-12-31".to_owned()];
        let (p50, p99) = timed_gets(&server.base, &token, &stats, if o.quick { 20 } else { 200 }).await;
        rows.push(row(
            &format!("county counts over {total} cases"),
            p99,
            "ms p99",
            format!("p50 {p50:.1} ms; target < 50 ms"),
        ));
        for (measure, p99, note) in statistics::run(&server.base, &token, total, o.quick).await? {
            rows.push(row(&measure, p99, "ms p99", note));
        }
        rows.push(row(&format!("peak RSS, {total} cases"), server.peak_rss_mb(), "MB", "target < 250 MB".into()));
    }
    // The staff lists as people use them, and an export of 10,000 rows.
    for m in lists::lists(&server, if o.quick { 20 } else { 200 }).await? {
        rows.push(row(
            &format!("list: {} ({} rows)", m.measure, m.total),
            m.p99,
            "ms p99",
            format!("p50 {:.1} ms; target p99 < 50 ms", m.p50),
        ));
    }
    let (secs, exported, bytes) = lists::export(&server).await?;
    rows.push(row(
        "export of a filtered list as xlsx",
        secs,
        "s",
        format!(
            "{exported} rows{}, {:.1} MB; peak RSS after it {:.1} MB",
            if exported >= 10_000 { " (the cap)" } else { "" },
            bytes as f64 / 1e6,
            server.peak_rss_mb()
        ),
    ));
    drop(server);
    if o.only_lists {
        remove_data(&data, dir);
        return Ok(());
    }

    // Bulk intake into the full county, through a fresh server process (its index opened from
    // disk), whose peak resident set is then this load's.
    let n = o.bulk.unwrap_or(if o.quick { 5_000 } else { 100_000 });
    let server = start(&o.binary, &url, &data).await?;
    let watch = server.watch();
    let (rate, p50, p99, errors) = bulk(&server.base, 16, n).await;
    let peak = watch.stop();
    if errors > 0 {
        failures.push(format!("{label} bulk intake: {errors} errors"));
    }
    rows.push(row(
        &format!("bulk intake, {n} cases, 16 clients"),
        rate,
        "cases/s",
        format!("into {total} cases; p50 {p50:.1} ms, p99 {p99:.1} ms; {errors} errors"),
    ));
    rows.push(row(&format!("peak RSS during bulk intake of {n} cases"), peak.hwm, "MB", peak.note()));
    // Quick mode soaks for a few seconds, so that CI proves the mix loses nothing.
    if let Some(secs) = o.soak.or(o.quick.then_some(5)) {
        let watch = server.watch();
        let r = soak(&server.base, &url, &token, secs as f64).await?;
        let peak = watch.stop();
        if r.lost + r.refused + r.errors > 0 || r.submitted == 0 {
            failures.push(format!(
                "{label} soak: {} lost, {} refused, {} errors, {} acknowledged",
                r.lost, r.refused, r.errors, r.submitted
            ));
        }
        rows.push(row(
            &format!("soak, {secs} s: submissions + staff steps + searches"),
            r.submitted as f64 / secs as f64,
            "cases/s",
            format!(
                "{} acknowledged, {} lost; {} staff steps ({} refused), {} searches (p50 {:.1} ms, p99 {:.1} ms); {} server errors (5xx or no answer); must all be 0: lost, refused, errors",
                r.submitted, r.lost, r.steps, r.refused, r.searches, r.search_p50, r.search_p99, r.errors
            ),
        ));
        rows.push(row(
            "search during the soak",
            r.search_p99,
            "ms p99",
            format!("p50 {:.1} ms over {} searches; target p99 < 20 ms", r.search_p50, r.searches),
        ));
        rows.push(row(&format!("peak RSS during the soak, {total} cases"), peak.hwm, "MB", peak.note()));
    }
    drop(server);
    remove_data(&data, dir);
    Ok(())
}

/// Removes a run's data directory and, for SQLite, the database's — unless
/// `LIAISON_BENCH_KEEP` is set, to look into the generated data afterwards.
fn remove_data(data: &std::path::Path, dir: Option<PathBuf>) {
    if std::env::var_os("LIAISON_BENCH_KEEP").is_some() {
        eprintln!("kept: {} {}", data.display(), dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default());
        return;
    }
    let _ = std::fs::remove_dir_all(data);
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    if o.no_sqlite && o.postgres.is_none() {
        bail!("--no-sqlite leaves nothing to measure without --postgres URL");
    }
    if !o.only_ballot {
        if !o.no_sqlite {
            let (url, dir) = liaison_testkit::fresh_url(liaison_testkit::Backend::Sqlite).await.context("SQLite")?;
            backend(&o, "SQLite", url, dir, &mut rows, &mut failures).await?;
        }
        if let Some(admin) = &o.postgres {
            let url = liaison_testkit::fresh_postgres_url(admin).await;
            backend(&o, "PostgreSQL", url, None, &mut rows, &mut failures).await?;
        }
    }
    // The ballot of a congress: 3,000 voters (300 quick), 7 candidates, 5 places.
    let voters = if o.quick { 300 } else { 3_000 };
    let f = tokio::task::spawn_blocking(move || ballot::run(voters)).await?;
    let row = |measure: String, value: f64, unit: &str, note: String| Row {
        backend: "ballot".into(),
        measure,
        value,
        unit: unit.into(),
        note,
    };
    rows.push(row("baseline: one group exponentiation".into(), f.exp_us, "µs", String::new()));
    rows.push(row(
        "cast one ballot (7 choices, proofs, signature) mean".into(),
        f.cast_ms,
        "ms",
        format!("{:.0}× the baseline", f.cast_ms * 1000.0 / f.exp_us),
    ));
    rows.push(row("cast one ballot p99".into(), f.cast_p99_ms, "ms", String::new()));
    rows.push(row(
        format!("tally and recount {voters} ballots"),
        f.tally_s,
        "s",
        format!("{:.0}× the baseline per ballot", f.tally_s * 1e6 / voters as f64 / f.exp_us),
    ));
    println!("{:<11} {:<52} {:>12} {:<9} note", "backend", "measure", "value", "unit");
    for r in &rows {
        println!("{:<11} {:<52} {:>12.1} {:<9} {}", r.backend, r.measure, r.value, r.unit, r.note);
    }
    std::fs::write(&o.out, serde_json::to_string_pretty(&rows)?)?;
    println!("written to {}", o.out.display());
    if !failures.is_empty() {
        bail!("load without loss failed: {}", failures.join("; "));
    }
    Ok(())
}
