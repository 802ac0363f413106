//! The livelihood-project ballot as 太和 ran it: people nominate, the township screens seven
//! candidate projects, the presidium approves a list with five places, and 86 township deputies
//! vote by secret ballot — 80 on their phones, 6 on paper entered by the tellers. Then the board
//! is sealed, both trustees give their shares, the published result agrees with an independent
//! recount (the library and the `ballot-verify` command), and a search of every table, the audit
//! log, the outbox and the server log finds nothing that tells how any deputy voted. Every
//! refusal the issue lists is tried and changes nothing.

use chrono::{TimeZone, Utc};
use liaison_testkit::{Backend, TestApp, error_code, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};

const DEPUTIES: usize = 86;
const PAPER: usize = 6;

/// The server's log, captured for the whole test binary.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_log() -> Option<LogBuffer> {
    static LOG: std::sync::OnceLock<Option<LogBuffer>> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_writer(move || writer.clone())
            .try_init()
            .ok()
            .map(|_| buf)
    })
    .clone()
}

/// Deputy `i`'s choices among the 7 candidates: at most 5, a fixed pattern so the expected
/// counts are known.
fn choices(i: usize) -> Vec<u32> {
    (0..7u32).filter(|j| (i * 3 + *j as usize * 5) % 11 < 6).take(5).collect()
}

async fn ok(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {text}");
    if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() }
}

async fn table_columns(app: &TestApp, table: &str) -> Vec<String> {
    match app.db() {
        liaison_store::Db::Sqlite { read, .. } => {
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
                .fetch_all(read)
                .await
                .unwrap()
        }
        liaison_store::Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap(),
    }
}

async fn tables(app: &TestApp) -> Vec<String> {
    match app.db() {
        liaison_store::Db::Sqlite { read, .. } => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'",
        )
        .fetch_all(read)
        .await
        .unwrap(),
        liaison_store::Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    }
}

/// Every value of every column of `table`, as text.
async fn dump(app: &TestApp, table: &str) -> Vec<String> {
    let cols = table_columns(app, table).await;
    let mut out = Vec::new();
    for c in cols {
        let sql = format!("SELECT CAST(\"{c}\" AS TEXT) FROM \"{table}\"");
        let vals: Vec<Option<String>> = match app.db() {
            liaison_store::Db::Sqlite { read, .. } => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(read).await.unwrap_or_default()
            }
            liaison_store::Db::Postgres(pool) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await.unwrap_or_default()
            }
        };
        out.extend(vals.into_iter().flatten());
    }
    out
}

async fn the_taihe_ballot_is_secret_and_recounts(b: Backend) {
    let log = capture_log();
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 12, 10, 1, 0, 0).unwrap());
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let town = app.token_for("town", "township_officer", "region:611026001", "611026").await;
    let town2 = app.token_for("town2", "township_officer", "region:611026001", "611026").await;
    let t1 = app.token_for("trustee1", "township_officer", "region:611026001", "611026").await;
    let t2 = app.token_for("trustee2", "county_supervisor", "region:611026", "611026").await;
    let zhenan = app.token_for("zhenan", "county_supervisor", "region:611025", "611025").await;

    // The organisation: a station, 86 township deputies, and two who are not in the electorate.
    ok(
        app.post_json(
            "/api/v1/stations",
            Some(&sup),
            &json!({"slug": "taihe", "region": "611026001", "name": "太和联络站", "kind": "联络站"}),
        )
        .await,
        "station",
    )
    .await;
    ok(
        app.post_json(
            "/api/v1/agencies",
            Some(&sup),
            &json!({"slug": "roads", "region": "611026", "name": "县交通运输局", "kind": "部门"}),
        )
        .await,
        "agency",
    )
    .await;
    for i in 0..DEPUTIES {
        let body = json!({"slug": format!("th{i:02}"), "name": format!("太和代表{i:02}"), "gender": if i % 2 == 0 { "男" } else { "女" },
                          "levels": "乡镇级", "region": "611026001"});
        ok(app.post_json("/api/v1/deputies", Some(&sup), &body).await, "deputy").await;
    }
    ok(
        app.post_json(
            "/api/v1/deputies",
            Some(&sup),
            &json!({"slug": "xl", "name": "下梁代表", "gender": "男", "levels": "乡镇级", "region": "611026101"}),
        )
        .await,
        "other",
    )
    .await;
    ok(
        app.post_json(
            "/api/v1/deputies",
            Some(&sup),
            &json!({"slug": "cty", "name": "县代表", "gender": "男", "levels": "县级", "region": "611026001"}),
        )
        .await,
        "county",
    )
    .await;

    // 群众点单: nominations from the public form and recorded by the township.
    let mut nominations = Vec::new();
    for title in ["修缮太和中心小学操场", "太和街道路灯亮化", "农贸市场改造"] {
        let res = app
            .post_json(
                "/api/v1/public/stations/taihe/nominations",
                None,
                &json!({"title": title, "content": "群众呼声很高，希望今年能办。"}),
            )
            .await;
        nominations.push(ok(res, "public nomination").await["id"].as_i64().unwrap());
    }
    let res =
        app.post_json("/api/v1/public/stations/taihe/nominations", None, &json!({"title": "", "content": ""})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let recorded = ok(
        app.post_json(
            "/api/v1/nominations",
            Some(&town),
            &json!({"title": "敬老院扩建", "content": "接待日上代表收集", "people": 35,
            "channel": "reception", "deputy": "th01"}),
        )
        .await,
        "recorded nomination",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let listed: Vec<Value> = ok(app.get("/api/v1/nominations?status=new", Some(&town)).await, "nominations")
        .await
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(listed.len(), 4);
    assert_eq!(app.get("/api/v1/nominations?region=611026001", Some(&zhenan)).await.status(), StatusCode::FORBIDDEN);

    // The township screens them into seven candidate projects.
    let titles = [
        "中心小学操场修缮",
        "街道路灯亮化",
        "农贸市场改造",
        "敬老院扩建",
        "村组道路硬化",
        "饮水安全提升",
        "文化广场建设",
    ];
    let mut projects = Vec::new();
    for (i, t) in titles.iter().enumerate() {
        let noms: Vec<i64> = match i {
            0..=2 => vec![nominations[i]],
            3 => vec![recorded],
            _ => vec![],
        };
        let body = json!({"region": "611026001", "level": "township", "year": 2026, "title": t, "estimated_cost": "120.5",
                          "owner_agency": "roads", "nominations": noms});
        projects.push(
            ok(app.post_json("/api/v1/projects", Some(&town), &body).await, "project").await["id"].as_i64().unwrap(),
        );
    }
    // Another county gathering these nominations, or naming this county's deputy, is refused.
    let res = app
        .post_json(
            "/api/v1/projects",
            Some(&zhenan),
            &json!({"level": "county", "year": 2026, "title": "挪用", "nominations": [nominations[0]]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_json(
            "/api/v1/nominations",
            Some(&zhenan),
            &json!({"title": "挪用", "content": "x", "channel": "staff", "deputy": "th01"}),
        )
        .await;
    assert_eq!(error_code(res).await, "invalid_deputy");
    let p3: Value = ok(app.get(&format!("/api/v1/projects/{}", projects[3]), Some(&town)).await, "project").await;
    assert_eq!(p3["project"]["people"], 35);
    assert_eq!(p3["project"]["estimated_cost"], 1_205_000);

    // The candidate list: 5 places need 7 candidates at 70%.
    let list = |ps: &[i64], places: i64| {
        json!({"region": "611026001", "level": "township", "year": 2026, "session": "太和镇第十八届人民代表大会第五次会议",
               "places": places, "projects": ps})
    };
    let res = app.post_json("/api/v1/candidate-lists", Some(&town), &list(&projects[..6], 5)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("至少需要 7 个候选项目"), "{v}");
    let res = app.post_json("/api/v1/candidate-lists", Some(&town), &list(&projects[..5], 5)).await;
    assert_eq!(error_code(res).await, "no_margin");
    let res = app.post_json("/api/v1/candidate-lists", Some(&zhenan), &list(&projects, 5)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let list_id =
        ok(app.post_json("/api/v1/candidate-lists", Some(&town), &list(&projects, 5)).await, "list").await["id"]
            .as_i64()
            .unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/candidate-lists/{list_id}/approve"),
            Some(&town),
            &json!({"note": "主席团第一次会议"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "the drafter cannot approve their own list");
    ok(
        app.post_json(
            &format!("/api/v1/candidate-lists/{list_id}/approve"),
            Some(&town2),
            &json!({"note": "主席团第一次会议（2026-12-10）"}),
        )
        .await,
        "approve",
    )
    .await;

    // The ballot: two trustees at least.
    let ballot = |trustees: Value| {
        json!({"method": "choose", "list": list_id, "held_on": "2026-12-10", "closes_at": "2026-12-10 12:00", "trustees": trustees,
               "tie_rule": "list_order"})
    };
    let res = app.post_json("/api/v1/ballots", Some(&town), &ballot(json!(["trustee1"]))).await;
    assert_eq!(error_code(res).await, "two_trustees");
    let res = app.post_json("/api/v1/ballots", Some(&town), &ballot(json!(["trustee1", "trustee1"]))).await;
    assert_eq!(error_code(res).await, "two_trustees");
    app.create_user("admin-a", "system_admin", "region:611026", "611026").await;
    let res = app.post_json("/api/v1/ballots", Some(&town), &ballot(json!(["trustee1", "admin-a"]))).await;
    assert_eq!(error_code(res).await, "invalid_trustee", "a system administrator holds no trustee's key");
    let res = app.post_json("/api/v1/ballots", Some(&zhenan), &ballot(json!(["zhenan", "trustee1"]))).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "another county cannot run a ballot on this list");
    let id =
        ok(app.post_json("/api/v1/ballots", Some(&town), &ballot(json!(["trustee1", "trustee2"]))).await, "ballot")
            .await["id"]
            .as_i64()
            .unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/ballots/{id}"), None).await.status(),
        StatusCode::NOT_FOUND,
        "not public before opening"
    );
    let url = |s: &str| format!("/api/v1/ballots/{id}/{s}");

    // Each trustee generates a key: shown once.
    let res = app.post_json(&url("trustee-key"), Some(&town), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only a trustee");
    let k1 = ok(app.post_json(&url("trustee-key"), Some(&t1), &json!({})).await, "key 1").await["secret_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app.post_json(&url("trustee-key"), Some(&t1), &json!({})).await;
    assert_eq!(error_code(res).await, "key_exists");
    let res = app.post_json(&url("approve"), Some(&town), &json!({})).await;
    assert_eq!(error_code(res).await, "trustee_key_missing");
    let k2 = ok(app.post_json(&url("trustee-key"), Some(&t2), &json!({})).await, "key 2").await["secret_key"]
        .as_str()
        .unwrap()
        .to_owned();

    // Credentials: a second keeper confirms with their password.
    let res =
        app.post_json(&url("credentials"), Some(&town), &json!({"keeper": "town2", "keeper_password": "wrong"})).await;
    assert_eq!(error_code(res).await, "keeper_password");
    let res = app
        .post_json(
            &url("credentials"),
            Some(&town),
            &json!({"keeper": "town", "keeper_password": liaison_testkit::PASSWORD}),
        )
        .await;
    assert_eq!(error_code(res).await, "same_keeper");
    let res = app.post_json(&url("approve"), Some(&town), &json!({})).await;
    assert_eq!(error_code(res).await, "not_issued");
    let issued = ok(
        app.post_json(
            &url("credentials"),
            Some(&town),
            &json!({"keeper": "town2", "keeper_password": liaison_testkit::PASSWORD}),
        )
        .await,
        "credentials",
    )
    .await;
    let slips = issued["slips"].as_array().unwrap().clone();
    assert_eq!(slips.len(), DEPUTIES, "the electorate is the township congress's deputies");
    let code_of = |i: usize| {
        slips.iter().find(|s| s["deputy"] == format!("太和代表{i:02}")).unwrap()["code"].as_str().unwrap().to_owned()
    };
    let res = app
        .post_json(
            &url("credentials"),
            Some(&town),
            &json!({"keeper": "town2", "keeper_password": liaison_testkit::PASSWORD}),
        )
        .await;
    assert_eq!(error_code(res).await, "already_issued");
    // A lost slip comes back only with both halves, and with the same code.
    let (ha, hb) = (issued["half_a"].as_str().unwrap(), issued["half_b"].as_str().unwrap());
    let res = app.post_json(&url("reprint"), Some(&town), &json!({"half_a": ha, "half_b": ha, "deputy": "th07"})).await;
    assert_eq!(error_code(res).await, "bad_halves");
    let again: Value = ok(
        app.post_json(&url("reprint"), Some(&town), &json!({"half_a": ha, "half_b": hb, "deputy": "th07"})).await,
        "reprint",
    )
    .await;
    assert_eq!(again.as_array().unwrap().len(), 1);
    assert_eq!(again[0]["code"].as_str().unwrap(), code_of(7));

    // Two approvals by different people open it.
    assert_eq!(ok(app.post_json(&url("approve"), Some(&town), &json!({})).await, "approve 1").await["opened"], false);
    let res = app.post_json(&url("approve"), Some(&town), &json!({})).await;
    assert_eq!(error_code(res).await, "already_approved");
    let res = app
        .post_json(
            &url("vote"),
            Some(&app.token_for("dep-th00", "deputy", "deputy:th00", "611026").await),
            &json!({"credential": code_of(0), "choices": [[0]]}),
        )
        .await;
    assert_eq!(error_code(res).await, "not_open", "one approval does not open it");
    let res = app.post_json(&url("approve"), Some(&zhenan), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(ok(app.post_json(&url("approve"), Some(&town2), &json!({})).await, "approve 2").await["opened"], true);

    // Deputies vote: 80 online.
    let mut expected = [0u64; 7];
    let mut receipts = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..DEPUTIES {
        tokens.push(app.token_for(&format!("dep-th{i:02}"), "deputy", &format!("deputy:th{i:02}"), "611026").await);
    }
    let over = app
        .post_json(&url("vote"), Some(&tokens[0]), &json!({"credential": code_of(0), "choices": [[0, 1, 2, 3, 4, 5]]}))
        .await;
    assert_eq!(over.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(over.text().await.unwrap().contains("最多只能选 5 个项目"));
    let bad = app
        .post_json(&url("vote"), Some(&tokens[0]), &json!({"credential": "ABCD-EFGH-JKMN-PQRS-TUVW", "choices": [[0]]}))
        .await;
    assert_eq!(error_code(bad).await, "unknown_credential");
    for (i, token) in tokens.iter().enumerate().take(DEPUTIES - PAPER) {
        let c = choices(i);
        for j in &c {
            expected[*j as usize] += 1;
        }
        let r = ok(
            app.post_json(&url("vote"), Some(token), &json!({"credential": code_of(i), "choices": [c]})).await,
            "vote",
        )
        .await;
        receipts.push(r["tracker"].as_str().unwrap().to_owned());
    }
    let again =
        app.post_json(&url("vote"), Some(&tokens[0]), &json!({"credential": code_of(0), "choices": [[1]]})).await;
    assert_eq!(error_code(again).await, "already_voted");
    let outsider = app.token_for("dep-xl", "deputy", "deputy:xl", "611026").await;
    let res = app.post_json(&url("vote"), Some(&outsider), &json!({"credential": code_of(85), "choices": [[1]]})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a deputy outside the electorate");
    let open_board: Value = ok(app.get(&url("board"), None).await, "open board").await;
    assert_eq!(open_board["trackers"].as_array().unwrap().len(), DEPUTIES - PAPER);
    assert!(open_board["trackers"].as_array().unwrap().iter().any(|t| *t == receipts[0]));

    // Six on paper: the tellers record them, then enter their ballots, never one more.
    let paper: Vec<String> = (DEPUTIES - PAPER..DEPUTIES).map(|i| format!("th{i:02}")).collect();
    let res = app.post_json(&url("paper-voters"), Some(&town), &json!({"deputies": ["th00"]})).await;
    assert_eq!(error_code(res).await, "already_voted");
    ok(app.post_json(&url("paper-voters"), Some(&town), &json!({"deputies": paper})).await, "paper voters").await;
    for i in DEPUTIES - PAPER..DEPUTIES {
        let c = choices(i);
        for j in &c {
            expected[*j as usize] += 1;
        }
        ok(app.post_json(&url("paper"), Some(&town), &json!({"choices": [c]})).await, "paper").await;
    }
    let res = app.post_json(&url("paper"), Some(&town), &json!({"choices": [[0]]})).await;
    assert_eq!(error_code(res).await, "too_many_paper");
    let res = app
        .post_json(
            &url("vote"),
            Some(&tokens[DEPUTIES - 1]),
            &json!({"credential": code_of(DEPUTIES - 1), "choices": [[0]]}),
        )
        .await;
    assert_eq!(error_code(res).await, "already_voted", "a paper voter cannot also vote online");

    // The chair closes it; voting after is refused; the trustees decrypt the sum.
    let res = app.post_json(&url("close"), Some(&zhenan), &json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    ok(app.post_json(&url("close"), Some(&town), &json!({})).await, "close").await;
    let res = app.post_json(&url("vote"), Some(&tokens[1]), &json!({"credential": code_of(1), "choices": [[1]]})).await;
    assert_eq!(error_code(res).await, "closed");
    let res = app.post_json(&url("share"), Some(&t1), &json!({"key": k2})).await;
    assert_eq!(error_code(res).await, "wrong_key", "a trustee's share needs their own key");
    assert_eq!(
        ok(app.post_json(&url("share"), Some(&t1), &json!({"key": k1})).await, "share 1").await["published"],
        false
    );
    assert_eq!(
        ok(app.post_json(&url("share"), Some(&t2), &json!({"key": k2})).await, "share 2").await["published"],
        true
    );

    // The result: the scripted counts, the five most voted chosen.
    let got: Value = ok(app.get(&format!("/api/v1/ballots/{id}"), None).await, "ballot").await;
    assert_eq!(got["status"], "tallied");
    assert_eq!(got["result"]["cast"], DEPUTIES as u64);
    let counts: Vec<u64> = got["result"]["counts"][0].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(counts, expected.to_vec());
    let mut order: Vec<usize> = (0..7).filter(|j| expected[*j] * 2 > DEPUTIES as u64).collect();
    order.sort_by(|a, b| expected[*b].cmp(&expected[*a]));
    let chosen: Vec<i64> = order.iter().take(5).map(|j| projects[*j]).collect();
    assert_eq!(got["result"]["chosen"], json!(chosen));
    for (j, p) in projects.iter().enumerate() {
        let pj: Value = ok(app.get(&format!("/api/v1/projects/{p}"), None).await, "public project").await;
        let want = if chosen.contains(p) { "chosen" } else { "not_chosen" };
        assert_eq!(pj["project"]["status"], want, "project {j}");
    }

    // The statistics count the nominations, the ballot and who voted — never how.
    let st: Value = ok(app.get("/api/v1/stats/cases?region=611026001&to=2026-12-10", Some(&town)).await, "stats").await;
    assert_eq!(st["projects"]["nominations"], 4);
    assert_eq!(st["projects"]["people"], 3 + 35);
    assert_eq!(st["projects"]["ballots_tallied"], 1);
    assert_eq!(st["projects"]["ballots_cast"], DEPUTIES as u64);
    assert_eq!(st["projects"]["chosen"], chosen.len());

    // The independent recount: the library, then the command a citizen would run.
    let board_text = app.get(&url("board"), None).await.text().await.unwrap();
    let board: liaison_ballot::Board = serde_json::from_str(&board_text).unwrap();
    let recount = liaison_ballot::recount(&board).unwrap();
    assert_eq!(recount.counts[0], expected.to_vec());
    for r in &receipts {
        assert!(board.entries.iter().any(|e| &e.tracker == r), "every receipt is on the board");
    }
    let dir = std::env::temp_dir().join(format!("liaison-board-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("board.json");
    std::fs::write(&file, &board_text).unwrap();
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_liaison")).arg("ballot-verify").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("重新计票结果与公布的结果一致") && stdout.contains("当选"), "{stdout}");
    let mut tampered: Value = serde_json::from_str(&board_text).unwrap();
    let c = &mut tampered["entries"][9]["ballot"]["answers"][0]["choices"];
    let first = c[0].clone();
    c[0] = c[1].clone();
    c[1] = first;
    std::fs::write(&file, serde_json::to_string(&tampered).unwrap()).unwrap();
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_liaison")).arg("ballot-verify").arg(&file).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("第 10 张选票"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();

    // The duty register: every deputy "voted", the same words for all, never how.
    let reg: Vec<Value> = ok(app.get("/api/v1/deputies/th05/register?year=2026", Some(&town)).await, "register")
        .await
        .as_array()
        .unwrap()
        .clone();
    let entry = reg.iter().find(|e| e["source"] == "ballot").expect("a register entry for the ballot");
    assert!(entry["description"].as_str().unwrap().starts_with("参加民生实事项目票决"));

    // Secrecy. The board's table holds no time and no deputy; its rows sit in tracker order.
    let mut cols = table_columns(&app, "ballot_board").await;
    cols.sort();
    assert_eq!(cols, ["ballot_id", "body", "chain", "credential", "paper", "seq", "tracker"]);
    let trackers: Vec<String> = board.entries.iter().map(|e| e.tracker.clone()).collect();
    let mut sorted = trackers.clone();
    sorted.sort();
    assert_eq!(trackers, sorted, "the sealed order is the trackers' order, not the order of voting");
    match app.db() {
        liaison_store::Db::Sqlite { read, .. } => {
            let stored: Vec<String> = sqlx::query_scalar("SELECT tracker FROM ballot_board WHERE ballot_id = $1")
                .bind(id)
                .fetch_all(read)
                .await
                .unwrap();
            assert_eq!(stored, sorted, "no rowid keeps the order of voting");
        }
        liaison_store::Db::Postgres(pool) => {
            let xmins: i64 =
                sqlx::query_scalar("SELECT COUNT(DISTINCT xmin::text) FROM ballot_board WHERE ballot_id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await
                    .unwrap();
            assert_eq!(xmins, 1, "sealing rewrote every row in one transaction");
        }
    }
    // Nothing outside the board holds a tracker, a credential or a credential code; the
    // electorate says only who voted and how (online or on paper).
    // The public credentials appear, sorted and nameless, in the parameters and their own table.
    let mut secrets: Vec<String> = trackers.iter().map(|t| t[..24].to_owned()).collect();
    let mut credentials = Vec::new();
    for e in &board.entries {
        if let Some(c) = &e.ballot.credential {
            credentials.push(c.to_hex()[..24].to_owned());
        }
        let a = &e.ballot.answers[0].choices[0];
        secrets.push(a.alpha.to_hex()[..24].to_owned());
    }
    for i in 0..DEPUTIES {
        secrets.push(code_of(i));
    }
    for t in tables(&app).await {
        if t == "ballot_board" {
            continue;
        }
        let values = dump(&app, &t).await;
        let public_list = t == "ballots" || t == "ballot_credentials";
        for v in &values {
            for s in secrets.iter().chain(credentials.iter().filter(|_| !public_list)) {
                assert!(!v.contains(s.as_str()), "table {t} holds {s}");
            }
        }
    }
    let mut c = table_columns(&app, "ballot_credentials").await;
    c.sort();
    assert_eq!(c, ["ballot_id", "credential"], "the public credentials name nobody");
    let electorate_cols = {
        let mut c = table_columns(&app, "ballot_electorate").await;
        c.sort();
        c
    };
    assert_eq!(electorate_cols, ["ballot_id", "deputy_id", "voted"]);
    let auditor = app.token_for("auditor", "auditor", "region:611026", "611026").await;
    let votes: Vec<Value> = ok(app.get("/api/v1/audit?action=ballot.vote&limit=1000", Some(&auditor)).await, "audit")
        .await
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(votes.len(), DEPUTIES - PAPER);
    assert!(votes.iter().all(|v| v["summary"] == "代表已投票" && v["target"] == format!("ballot:{id}")));
    if let Some(log) = log {
        let text = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
        assert!(text.contains(&format!("/api/v1/ballots/{id}/vote")), "the log was captured");
        for s in secrets.iter().chain(&credentials) {
            assert!(!text.contains(s.as_str()), "the server log holds {s}");
        }
    }
}

async fn the_year_end_evaluation_runs_through_the_same_machinery(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.clock.set(Utc.with_ymd_and_hms(2026, 3, 1, 1, 0, 0).unwrap());
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    let sup2 = app.token_for("sup2", "county_supervisor", "region:611026", "611026").await;
    let roads = app.token_for("roads", "agency_handler", "agency:roads", "611026").await;
    let other = app.token_for("water", "agency_handler", "agency:water", "611026").await;
    ok(
        app.post_json(
            "/api/v1/agencies",
            Some(&sup),
            &json!({"slug": "roads", "region": "611026", "name": "县交通运输局", "kind": "部门"}),
        )
        .await,
        "agency",
    )
    .await;
    ok(
        app.post_json(
            "/api/v1/agencies",
            Some(&sup),
            &json!({"slug": "water", "region": "611026", "name": "县水利局", "kind": "部门"}),
        )
        .await,
        "agency",
    )
    .await;
    for i in 0..4 {
        let body = json!({"slug": format!("c{i}"), "name": format!("县代表{i}"), "gender": "男", "levels": "县级", "region": "611026001"});
        ok(app.post_json("/api/v1/deputies", Some(&sup), &body).await, "deputy").await;
    }
    let mut projects = Vec::new();
    for t in ["县城污水管网改造", "乡村公交延伸", "农村饮水提升"] {
        let body =
            json!({"level": "county", "year": 2026, "title": t, "estimated_cost": "300", "owner_agency": "roads"});
        projects.push(
            ok(app.post_json("/api/v1/projects", Some(&sup), &body).await, "project").await["id"].as_i64().unwrap(),
        );
    }
    let list = ok(
        app.post_json(
            "/api/v1/candidate-lists",
            Some(&sup),
            &json!({"level": "county", "year": 2026, "session": "县人代会", "places": 2, "projects": projects}),
        )
        .await,
        "list",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    ok(
        app.post_json(&format!("/api/v1/candidate-lists/{list}/approve"), Some(&sup2), &json!({"note": "主席团会议"}))
            .await,
        "approve",
    )
    .await;

    // A for/against ballot, run quickly by the county.
    let run = |method: &'static str, list: Option<i64>| {
        let app = &app;
        let (sup, sup2) = (sup.clone(), sup2.clone());
        async move {
            let body = json!({"method": method, "list": list, "region": "611026", "year": 2026, "held_on": "2026-03-01",
                              "closes_at": "2026-03-01 18:00", "trustees": ["sup", "sup2"]});
            let id =
                ok(app.post_json("/api/v1/ballots", Some(&sup), &body).await, "ballot").await["id"].as_i64().unwrap();
            let k1 = ok(app.post_json(&format!("/api/v1/ballots/{id}/trustee-key"), Some(&sup), &json!({})).await, "k")
                .await["secret_key"]
                .as_str()
                .unwrap()
                .to_owned();
            let k2 =
                ok(app.post_json(&format!("/api/v1/ballots/{id}/trustee-key"), Some(&sup2), &json!({})).await, "k")
                    .await["secret_key"]
                    .as_str()
                    .unwrap()
                    .to_owned();
            let issued = ok(
                app.post_json(
                    &format!("/api/v1/ballots/{id}/credentials"),
                    Some(&sup),
                    &json!({"keeper": "sup2", "keeper_password": liaison_testkit::PASSWORD}),
                )
                .await,
                "cred",
            )
            .await;
            ok(app.post_json(&format!("/api/v1/ballots/{id}/approve"), Some(&sup), &json!({})).await, "a1").await;
            ok(app.post_json(&format!("/api/v1/ballots/{id}/approve"), Some(&sup2), &json!({})).await, "a2").await;
            (id, k1, k2, issued["slips"].as_array().unwrap().clone())
        }
    };
    let (id, k1, k2, slips) = run("each", Some(list)).await;
    // Every deputy: for 0 and 1, against 2 — except c3 who abstains on 0.
    for i in 0..4 {
        let tok = app.token_for(&format!("dep-c{i}"), "deputy", &format!("deputy:c{i}"), "611026").await;
        let code =
            slips.iter().find(|s| s["deputy"] == format!("县代表{i}")).unwrap()["code"].as_str().unwrap().to_owned();
        let first: Vec<u32> = if i == 3 { vec![] } else { vec![0] };
        let res = app
            .post_json(
                &format!("/api/v1/ballots/{id}/vote"),
                Some(&tok),
                &json!({"credential": code, "choices": [[0, 1], [0], [1]]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "for and against the same project");
        ok(
            app.post_json(
                &format!("/api/v1/ballots/{id}/vote"),
                Some(&tok),
                &json!({"credential": code, "choices": [first, [0], [1]]}),
            )
            .await,
            "vote",
        )
        .await;
    }
    ok(app.post_json(&format!("/api/v1/ballots/{id}/close"), Some(&sup), &json!({})).await, "close").await;
    ok(app.post_json(&format!("/api/v1/ballots/{id}/share"), Some(&sup), &json!({"key": k1})).await, "s1").await;
    ok(app.post_json(&format!("/api/v1/ballots/{id}/share"), Some(&sup2), &json!({"key": k2})).await, "s2").await;
    let got: Value = ok(app.get(&format!("/api/v1/ballots/{id}"), None).await, "result").await;
    assert_eq!(got["result"]["counts"], json!([[3, 0], [4, 0], [0, 4]]));
    assert_eq!(got["result"]["chosen"], json!([projects[1], projects[0]]));

    // 政府买单: milestones, progress, the deputies' questions; only the owner reports.
    let p = projects[1];
    let res = app
        .post_json(
            &format!("/api/v1/projects/{p}/milestones"),
            Some(&other),
            &json!({"title": "招标", "due_on": "2026-05-01"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "another agency");
    ok(
        app.post_json(
            &format!("/api/v1/projects/{p}/milestones"),
            Some(&roads),
            &json!({"title": "招标", "due_on": "2026-05-01", "budget": "20"}),
        )
        .await,
        "milestone",
    )
    .await;
    let progress = ok(
        app.post_json(
            &format!("/api/v1/projects/{p}/updates"),
            Some(&roads),
            &json!({"kind": "progress", "happened_on": "2026-03-01", "body": "完成选线", "percent": 30, "spent": "12"}),
        )
        .await,
        "progress",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // A site photo, public with the project.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image::RgbImage::from_pixel(64, 48, image::Rgb([30, 120, 60])))
        .unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/projects/{p}/updates/{progress}/photos")))
        .bearer_auth(&other)
        .header("content-type", "image/jpeg")
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "another agency");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/projects/{p}/updates/{progress}/photos")))
        .bearer_auth(&roads)
        .header("content-type", "image/jpeg")
        .body(jpeg)
        .send()
        .await
        .unwrap();
    let photo = ok(res, "photo").await["id"].as_i64().unwrap();
    let thumb = app.get(&format!("/project-photos/{photo}?size=thumb"), None).await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let res = app
        .post_json(
            &format!("/api/v1/projects/{}/updates", projects[2]),
            Some(&roads),
            &json!({"kind": "progress", "happened_on": "2026-03-01", "body": "x", "percent": 10}),
        )
        .await;
    assert_eq!(error_code(res).await, "not_chosen");
    let c0 = app.token_for("dep-c0", "deputy", "deputy:c0", "611026").await;
    let q = ok(
        app.post_json(
            &format!("/api/v1/projects/{p}/updates"),
            Some(&c0),
            &json!({"kind": "question", "happened_on": "2026-03-01", "body": "什么时候通车？"}),
        )
        .await,
        "question",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    ok(
        app.post_json(
            &format!("/api/v1/projects/{p}/updates/{q}/answer"),
            Some(&roads),
            &json!({"answer": "六月底通车。"}),
        )
        .await,
        "answer",
    )
    .await;
    ok(
        app.post_json(
            &format!("/api/v1/projects/{p}/updates"),
            Some(&sup),
            &json!({"kind": "inspection", "happened_on": "2026-03-01", "body": "现场查看", "deputies": ["c1", "c2"]}),
        )
        .await,
        "inspection",
    )
    .await;
    let reg: Vec<Value> = ok(app.get("/api/v1/deputies/c1/register?year=2026", Some(&sup)).await, "register")
        .await
        .as_array()
        .unwrap()
        .clone();
    assert!(reg.iter().any(|e| e["source"] == "project_update" && e["status"] == "confirmed"));
    let page: Value = ok(app.get(&format!("/api/v1/projects/{p}"), None).await, "public page").await;
    assert_eq!(page["updates"].as_array().unwrap().len(), 3);
    assert_eq!(page["milestones"][0]["title"], "招标");

    // 人大验单: the year-end evaluation of the chosen projects.
    let (eid, k1, k2, slips) = run("evaluate", None).await;
    for i in 0..4 {
        let tok = app.token_for(&format!("dep-c{i}"), "deputy", &format!("deputy:c{i}"), "611026").await;
        let code =
            slips.iter().find(|s| s["deputy"] == format!("县代表{i}")).unwrap()["code"].as_str().unwrap().to_owned();
        let first = if i < 3 { 0 } else { 2 };
        ok(
            app.post_json(
                &format!("/api/v1/ballots/{eid}/vote"),
                Some(&tok),
                &json!({"credential": code, "choices": [[first], [1]]}),
            )
            .await,
            "eval",
        )
        .await;
    }
    ok(app.post_json(&format!("/api/v1/ballots/{eid}/close"), Some(&sup), &json!({})).await, "close").await;
    ok(app.post_json(&format!("/api/v1/ballots/{eid}/share"), Some(&sup), &json!({"key": k1})).await, "s1").await;
    ok(app.post_json(&format!("/api/v1/ballots/{eid}/share"), Some(&sup2), &json!({"key": k2})).await, "s2").await;
    let got: Value = ok(app.get(&format!("/api/v1/ballots/{eid}"), None).await, "evaluation").await;
    assert_eq!(got["method"], "evaluate");
    assert_eq!(got["result"]["counts"], json!([[3, 0, 1], [0, 4, 0]]));
}

on_both_backends!(the_taihe_ballot_is_secret_and_recounts, the_year_end_evaluation_runs_through_the_same_machinery);
