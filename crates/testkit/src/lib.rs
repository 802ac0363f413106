//! Test helpers: a fresh database of either backend per test, and the real liaison app served on
//! 127.0.0.1:0 with an injectable clock.
//!
//! PostgreSQL tests need `LIAISON_TEST_POSTGRES_URL` (an account that may create databases).
//! Without it they are skipped with a message, unless `LIAISON_REQUIRE_POSTGRES=1`, when they fail.

use liaison_domain::authz::{Grant, Role, Scope};
use liaison_domain::clock::OffsetClock;
use liaison_domain::password;
use liaison_store::Db;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The password every test account gets.
pub const PASSWORD: &str = "test-password-2026";

/// A fresh, migrated database; the SQLite folder is removed on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    dir: Option<PathBuf>,
    /// The app's data directory, removed with the database.
    pub extra_dir: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        for d in [&self.dir, &self.extra_dir].into_iter().flatten() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn postgres_admin_url() -> Option<String> {
    match std::env::var("LIAISON_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("LIAISON_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("LIAISON_REQUIRE_POSTGRES=1 but LIAISON_TEST_POSTGRES_URL is not set");
            }
            eprintln!("skipping PostgreSQL test: LIAISON_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// Creates an empty database. `None` when the backend is PostgreSQL and none is configured.
pub async fn fresh_url(backend: Backend) -> Option<(String, Option<PathBuf>)> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("liaison-test-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Some((format!("sqlite://{}", dir.join("liaison.db").display()), Some(dir)))
        }
        Backend::Postgres => {
            let admin = postgres_admin_url()?;
            Some((fresh_postgres_url(&admin).await, None))
        }
    }
}

/// Creates an empty PostgreSQL database through `admin` (an account that may create databases)
/// and returns its URL.
pub async fn fresh_postgres_url(admin: &str) -> String {
    let name = format!("liaison_t_{}", uuid::Uuid::new_v4().simple());
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.expect("connect to the PostgreSQL admin URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

pub async fn fresh_db(backend: Backend) -> Option<TestDb> {
    let (url, dir) = fresh_url(backend).await?;
    let db = Db::connect(&url).await.expect("connect and migrate");
    Some(TestDb { db, url, dir, extra_dir: None })
}

/// The app, served for real on a random local port.
pub struct TestApp {
    pub base: String,
    pub clock: Arc<OffsetClock>,
    pub client: reqwest::Client,
    pub policy: Arc<liaison_web::Policy>,
    /// The same database, clock and settings as the server's, for running its jobs.
    pub state: liaison_web::AppState,
    pub tdb: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
    }
}

/// The region tree every test app starts with: two neighbouring counties.
pub const REGIONS: &[(&str, &str)] = &[
    ("61", "陕西省"),
    ("6110", "商洛市"),
    ("611026", "柞水县"),
    ("611026001", "乾佑街道"),
    ("611026001001", "仁和社区"),
    ("611026101", "下梁镇"),
    ("611025", "镇安县"),
    ("611025001", "永乐街道"),
];

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, liaison_web::Settings::default()).await
    }

    pub async fn spawn_with(backend: Backend, mut settings: liaison_web::Settings) -> Option<TestApp> {
        let mut tdb = fresh_db(backend).await?;
        // Photos and calendar files go to a folder of the test's own.
        let data = std::env::temp_dir().join(format!("liaison-data-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&data).unwrap();
        settings.data_dir = data.clone();
        // Tests sign in dozens of accounts from one address; a test of that limit sets its own.
        if settings.login_per_minute == liaison_web::Settings::default().login_per_minute {
            settings.login_per_minute = 100_000;
        }
        tdb.extra_dir = Some(data);
        let clock = Arc::new(OffsetClock::default());
        let mut tx = tdb.db.begin().await.unwrap();
        for (code, name) in REGIONS {
            let code = liaison_domain::region::RegionCode::parse(code).unwrap();
            liaison_store::regions::upsert(&mut tx, &code, name, 0).await.unwrap();
        }
        tx.commit().await.unwrap();
        let (app, state) = liaison_web::build_app(tdb.db.clone(), clock.clone(), settings);
        let policy = state.policy.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            liaison_web::serve(listener, app, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Some(TestApp { base, clock, client, policy, state, tdb, shutdown: Some(tx) })
    }

    pub fn db(&self) -> &Db {
        &self.tdb.db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an account directly in the store (the test's arrangement, not under test).
    pub async fn create_user(&self, username: &str, role: &str, scope: &str, county: &str) {
        let grant = Grant::new(Role::parse(role).unwrap(), Scope::parse(scope).unwrap()).unwrap();
        let hash = password::hash_password(PASSWORD);
        let mut tx = self.db().begin().await.unwrap();
        liaison_store::users::create(
            &mut tx,
            &liaison_store::users::NewUser {
                county_code: county,
                username,
                display_name: username,
                password_hash: &hash,
                grants: &[grant],
            },
            0,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    /// Logs in through the API and returns the raw response.
    pub async fn try_login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Creates the account if needed and returns a bearer token for it.
    pub async fn token_for(&self, username: &str, role: &str, scope: &str, county: &str) -> String {
        if liaison_store::users::find_by_username(self.db(), username).await.unwrap().is_none() {
            self.create_user(username, role, scope, county).await;
        }
        let res = self.try_login(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::CREATED, "login of {username}");
        res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut r = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut r = self.client.put(self.url(path)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }
}

/// The `error.code` of an API error response.
pub async fn error_code(res: reqwest::Response) -> String {
    let v: Value = res.json().await.expect("error body is JSON");
    v["error"]["code"].as_str().unwrap_or_default().to_owned()
}

/// The cookie `name` set by a response, if any.
pub fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Runs a test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::Backend::Postgres).await } )*
        }
    };
}

/// The cases of a `GET /api/v1/cases` answer (`{"items": […], "total", "page", "per_page"}`).
pub async fn items(res: reqwest::Response) -> Vec<Value> {
    assert_eq!(res.status(), StatusCode::OK, "listing cases");
    let v: Value = res.json().await.expect("a list is JSON");
    v["items"].as_array().expect("a list has items").clone()
}
