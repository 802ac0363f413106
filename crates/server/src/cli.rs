//! The subcommands of `liaison`.

use crate::config::Config;
use crate::demo;
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Grant, Role, Scope};
use liaison_domain::clock::{Clock, SystemClock};
use liaison_domain::password;
use liaison_domain::region::RegionCode;
use liaison_store::{Db, StoreError, audit, users};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(name = "liaison", version, about = "人大代表联络站服务平台 — the liaison station platform")]
pub struct Cli {
    /// A TOML configuration file (default: ./liaison.toml when present).
    #[arg(long, global = true, env = "LIAISON_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app and API (the default).
    Serve {
        /// Load the demo data before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo county, accounts and cases; running it again changes nothing.
    Demo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the effective configuration, secrets hidden.
    Config,
    /// Import a roster (.xlsx or .csv, UTF-8 or GBK): every row is checked first, then all rows
    /// are applied or none. Prints the row-by-row error report when refused.
    Import {
        file: PathBuf,
        /// The county the roster belongs to.
        #[arg(long)]
        county: String,
        /// Check and count only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Recount a ballot board downloaded from `/api/v1/ballots/{id}/board`: checks the parameters,
    /// the hash chain, every ballot's proofs and credential, the trustees' shares, and prints the
    /// result; names the first thing wrong and exits with 1 if the board does not hold together.
    /// Needs no database.
    BallotVerify { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from LIAISON_PASSWORD or the first line of stdin.
    Add {
        #[arg(long)]
        username: String,
        /// system_admin, security_admin, auditor, county_supervisor, township_officer,
        /// station_staff, deputy or agency_handler.
        #[arg(long)]
        role: String,
        /// region:CODE, station:SLUG, agency:SLUG or deputy:SLUG.
        #[arg(long)]
        scope: String,
        /// Shown name; defaults to the username.
        #[arg(long)]
        display_name: Option<String>,
        /// The account's county; required for station, agency and deputy scopes.
        #[arg(long)]
        county: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every hash chain and every anchor; exits 1 and names the first bad entry if one
    /// was edited, removed or reordered, or an anchored tail or county is gone.
    Verify {
        /// Anchors kept outside the database (lines written by `audit anchor`), checked too.
        #[arg(long)]
        anchors: Option<PathBuf>,
    },
    /// Record every county's chain head in the system chain and append it to a file (by
    /// default DATA/audit-anchors.jsonl) that should be copied off this machine.
    Anchor {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref()).context("reading configuration")?;
    if matches!(cli.command, Some(Command::Config)) {
        print!("{}", config.redacted_toml());
        return Ok(());
    }
    if let Some(Command::BallotVerify { file }) = &cli.command {
        return ballot_verify(file);
    }
    init_logging(&config.log);
    let url = config.database_url();
    let db =
        Db::connect(&url).await.with_context(|| format!("opening database {}", liaison_store::redact_url(&url)))?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            if demo {
                load_demo(&db).await?;
            }
            serve(&config, db).await
        }
        Command::Migrate => {
            println!("数据库已是最新结构 (migrations applied)");
            Ok(())
        }
        Command::Demo => load_demo(&db).await,
        Command::User { command: UserCommand::Add { username, role, scope, display_name, county } } => {
            add_user(&db, &username, &role, &scope, display_name.as_deref(), county.as_deref()).await
        }
        Command::Audit { command: AuditCommand::Verify { anchors } } => verify_audit(&db, anchors.as_deref()).await,
        Command::Audit { command: AuditCommand::Anchor { out } } => {
            let out = out.unwrap_or_else(|| config.data_dir.join(liaison_app::jobs::ANCHOR_FILE));
            let n = liaison_app::jobs::write_anchor(&db, &out, SystemClock.now().timestamp_millis()).await?;
            println!("已锚定 {n} 个县的审计链头，并追加到 {}", out.display());
            Ok(())
        }
        Command::Config | Command::BallotVerify { .. } => unreachable!("handled above"),
        Command::Import { file, county, dry_run } => import(&db, &file, &county, dry_run).await,
    }
}

fn ballot_verify(file: &std::path::Path) -> anyhow::Result<()> {
    let raw = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let board: liaison_ballot::Board = serde_json::from_slice(&raw)
        .map_err(|e| anyhow::anyhow!("不是完整的票决公告板文件（投票截止后才能下载）：{e}"))?;
    match liaison_ballot::recount(&board) {
        Ok(o) => {
            print!("{}", liaison_ballot::report(&board.election, &o));
            if board.outcome.is_none() {
                println!("（计票人尚未全部提交解密份额，以上为重新计票的结果，尚未公布）");
            } else {
                println!("重新计票结果与公布的结果一致。");
            }
            Ok(())
        }
        Err(p) => {
            eprintln!("验证失败：{}", p.0);
            std::process::exit(1);
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

async fn load_demo(db: &Db) -> anyhow::Result<()> {
    let pw = std::env::var("LIAISON_DEMO_PASSWORD").unwrap_or_else(|_| demo::DEMO_PASSWORD.to_owned());
    password::check_new_password(&pw).map_err(|e| anyhow::anyhow!(e.message))?;
    let loaded = demo::load(db, SystemClock.now().timestamp_millis(), &pw).await?;
    println!(
        "演示数据已就绪：{} 个行政区划，新建 {} 个账号，新建 {} 件意见建议，新建 {} 个接待日安排，新增 {} 项履职登记",
        loaded.regions,
        loaded.accounts_created,
        loaded.cases_created,
        loaded.schedules_created,
        loaded.register_entries
    );
    for (kind, c) in &loaded.organisation.counts {
        println!("  {}：新增 {}，更新 {}，未变 {}", kind.label(), c.created, c.updated, c.unchanged);
    }
    if loaded.accounts_created > 0 {
        println!("demo accounts (password {pw}):");
        for (u, name, role, scope, _) in demo::ACCOUNTS {
            println!("  {u:<12} {role:<18} {scope:<24} {name}");
        }
    }
    Ok(())
}

async fn serve(config: &Config, db: Db) -> anyhow::Result<()> {
    config.trusted_proxies()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // Refuse a bad SMS or SMTP configuration before listening.
    let senders = config.senders(clock.clone())?;
    let (app, state) = liaison_web::build_app(db.clone(), clock.clone(), config.web_settings());
    let listener =
        tokio::net::TcpListener::bind(&config.listen).await.with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    if let Some(w) = config.public_url_warning(addr) {
        tracing::warn!(public_url = %config.public_url(), "public_url not set on a non-loopback listener");
        eprintln!("警告：{w}");
    }
    tracing::info!(%addr, backend = ?db.backend(), "liaison listening");
    println!("liaison 已启动：http://{addr}/login");
    let settings = config.web_settings();
    let sweeper = tokio::spawn(sweep_sessions(
        db.clone(),
        clock.clone(),
        (settings.session_idle, settings.session_max),
        state.limits.clone(),
    ));
    let jobs = tokio::spawn(liaison_app::jobs::run(state.app.clone(), senders));
    liaison_web::serve(listener, app, shutdown_signal()).await?;
    sweeper.abort();
    jobs.abort();
    db.close().await;
    tracing::info!("liaison stopped");
    Ok(())
}

/// Removes idle and too old sessions every five minutes, and forgets rate-limit buckets of
/// clients gone quiet. Idempotent, so several instances may run it.
async fn sweep_sessions(
    db: Db,
    clock: Arc<dyn Clock>,
    (idle, max): (chrono::Duration, chrono::Duration),
    limits: Arc<liaison_web::limits::Limits>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        tick.tick().await;
        limits.forget_idle();
        let cutoff = (clock.now() - idle).timestamp_millis();
        let created_before = (clock.now() - max).timestamp_millis();
        match liaison_store::sessions::delete_idle(&db, cutoff, created_before).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "session sweep failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("LIAISON_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn add_user(
    db: &Db,
    username: &str,
    role: &str,
    scope: &str,
    display_name: Option<&str>,
    county: Option<&str>,
) -> anyhow::Result<()> {
    let username = password::parse_username(username).map_err(|e| anyhow::anyhow!(e.message))?;
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!(e.message))?;
    let scope = Scope::parse(scope).map_err(|e| anyhow::anyhow!(e.message))?;
    let grant = Grant::new(role, scope).map_err(|e| anyhow::anyhow!(e.message))?;
    let county = match (&grant.scope, county) {
        (_, Some(c)) => RegionCode::parse(c).map_err(|e| anyhow::anyhow!(e.message))?,
        (Scope::Region(c), None) => c.clone(),
        (_, None) => bail!("--county is required for station, agency and deputy scopes"),
    };
    let target_county = match &grant.scope {
        Scope::Region(_) => Some(county.county_key()),
        Scope::Station(s) => liaison_store::org::station_by_slug(db, s).await?.map(|x| x.data.county_code),
        Scope::Agency(s) => liaison_store::org::agency_by_slug(db, s).await?.map(|x| x.data.county_code),
        Scope::Deputy(s) => liaison_store::org::deputy_by_slug(db, s).await?.map(|x| x.data.county_code),
    };
    if target_county.as_deref() != Some(county.county_key().as_str()) {
        bail!("scope {} names no station, agency or deputy of county {}", grant.scope, county);
    }
    let pw = read_password()?;
    password::check_new_password(&pw).map_err(|e| anyhow::anyhow!(e.message))?;
    let hash = password::hash_password(&pw);
    let now = SystemClock.now().timestamp_millis();
    let county_key = county.county_key();
    let mut tx = db.begin().await?;
    let display = display_name.unwrap_or(&username);
    match users::create(
        &mut tx,
        &users::NewUser {
            county_code: &county_key,
            username: &username,
            display_name: display,
            password_hash: &hash,
            grants: std::slice::from_ref(&grant),
        },
        now,
    )
    .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => bail!("username {username} is taken"),
        Err(e) => return Err(e.into()),
    }
    let ev = AuditEvent {
        county_code: county_key,
        actor: "system:cli".into(),
        action: "user.create".into(),
        target: format!("user:{username}"),
        summary: format!("命令行创建账号，角色 {}，范围 {}", grant.role, grant.scope),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    println!("created {username} ({} over {})", grant.role, grant.scope);
    Ok(())
}

async fn import(db: &Db, file: &std::path::Path, county: &str, dry_run: bool) -> anyhow::Result<()> {
    let county = RegionCode::parse(county).map_err(|e| anyhow::anyhow!(e.message))?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let now = SystemClock.now().timestamp_millis();
    let report = liaison_app::roster::import_bytes(
        db,
        &county,
        std::slice::from_ref(&county),
        &bytes,
        ("system:cli", "roster.import"),
        now,
        dry_run,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !report.errors.is_empty() {
        for e in &report.errors {
            println!("{} 第 {} 行 [{}]：{}", e.sheet, e.row, e.column, e.reason);
        }
        bail!("{} 处错误，未导入任何数据 (nothing was imported)", report.errors.len());
    }
    for (kind, c) in &report.counts {
        println!("{}：新增 {}，更新 {}，未变 {}", kind.label(), c.created, c.updated, c.unchanged);
    }
    println!("{}", if dry_run { "校验通过（试运行，未写入）" } else { "导入完成" });
    Ok(())
}

async fn verify_audit(db: &Db, anchors: Option<&std::path::Path>) -> anyhow::Result<()> {
    let external = match anchors {
        Some(f) => liaison_app::jobs::read_anchors(f).with_context(|| format!("reading {}", f.display()))?,
        None => vec![],
    };
    let v = audit::verify_all(db, &external).await?;
    if let Some(first) = v.breaks.first() {
        for b in &v.breaks {
            println!("BROKEN county {} at entry {}: {}", b.county_code, b.seq, b.reason);
        }
        bail!(
            "audit chain broken: first bad entry is #{} of county {} ({})",
            first.seq,
            first.county_code,
            first.reason
        );
    }
    println!("audit chain intact: {} chains, {} entries", v.chains, v.entries);
    Ok(())
}
