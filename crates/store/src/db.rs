//! The connection to either backend, chosen by the URL scheme. SQLite runs in WAL mode with
//! foreign keys on, a busy timeout and a single writer connection; readers have their own pool.

use crate::{Result, StoreError, error::ResultExt, migrate};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// A write transaction on either backend.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per backend arm: the same
/// text compiles against each driver's types.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

/// Runs `$body` with `$p` bound to a pool for reading.
macro_rules! on_read {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { read, .. } => {
                let $p = read;
                $body
            }
            $crate::db::Db::Postgres(pool) => {
                let $p = pool;
                $body
            }
        }
    };
}

pub(crate) use {on_read, on_tx};

/// `($1, $2), ($3, $4)` for a multi-row `VALUES` of `rows` rows of `cols` columns in a statement
/// of `tx`'s backend: one statement for a batch instead of one per row. SQLite gets anonymous
/// `?` parameters, bound in order: binding a numbered one looks its name up in a list as long as
/// the statement's parameters, which made a batch's binding quadratic in its size.
pub(crate) fn values(tx: &Tx, rows: usize, cols: usize) -> String {
    let sqlite = matches!(tx, Tx::Sqlite(_));
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            if sqlite {
                out.push('?');
            } else {
                out.push_str(&format!("${}", r * cols + c + 1));
            }
        }
        out.push(')');
    }
    out
}

impl Db {
    /// Connects to `sqlite://PATH` or `postgres://…`, creating the SQLite file and its folder if
    /// needed, and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Db> {
        let db = Self::connect_without_migrating(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn connect_without_migrating(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .store()?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(dir) = opts.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Migration(format!("cannot create {}: {e}", dir.display())))?;
            }
            // An embedded connection cannot drop, so it is not pinged before each use: a ping is a
            // round trip to the connection's thread, as long as a short statement's.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(opts.clone())
                .await
                .store()?;
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .connect_with(opts.read_only(true))
                .await
                .store()?;
            Ok(Db::Sqlite { write, read })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut opts = PgConnectOptions::from_str(url).store()?;
            // No parallel plans: every statement here reads at most a few thousand rows through
            // an index, and on a county's few cores two workers cost more to start than they
            // save while taking cores from the requests beside them (a period's statistics at
            // 1,000,000 cases: 30 ms with them, 16 ms without). A URL naming the setting
            // (`?options=-c max_parallel_workers_per_gather=2`) keeps its own.
            if !url.contains("max_parallel_workers_per_gather") {
                opts = opts.options([("max_parallel_workers_per_gather", "0")]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .store()?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::Migration(format!(
                "unsupported database URL (expected sqlite:// or postgres://): {}",
                redact_url(url)
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        migrate::run(self).await
    }

    /// Starts a write transaction. On SQLite it waits for the single writer connection, so write
    /// transactions never race to upgrade their locks.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await.store()?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await.store()?),
        })
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_read!(self, p => sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await.store(),
            Tx::Postgres(t) => t.commit().await.store(),
        }
    }
}

/// Hides the password in a database URL, for logs and `liaison config`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
