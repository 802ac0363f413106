//! Schema migrations, embedded in the binary and applied in order at start. Each has a portable
//! part and optional per-backend extras; a checksum guards against a migration edited after it ran.

use crate::db::{Backend, Db, Tx, on_tx};
use crate::error::ResultExt;
use crate::{Result, StoreError, dialect};
use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;

struct Migration {
    version: i64,
    name: &'static str,
    portable: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        portable: include_str!("../migrations/0001_foundation.sql"),
        sqlite: include_str!("../migrations/0001_foundation.sqlite.sql"),
        postgres: include_str!("../migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "organisation",
        portable: include_str!("../migrations/0002_organisation.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "case_loop",
        portable: include_str!("../migrations/0003_case_loop.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "case_fingerprint",
        portable: include_str!("../migrations/0004_case_fingerprint.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "case_tallies",
        portable: concat!(
            include_str!("../migrations/0005_case_tallies.sql"),
            include_str!("../migrations/tally_backfill.sql")
        ),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "idempotency_body",
        portable: include_str!("../migrations/0006_idempotency_body.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "sms",
        portable: include_str!("../migrations/0007_sms.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "case_lists",
        portable: include_str!("../migrations/0008_case_lists.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 9,
        name: "password_change",
        portable: include_str!("../migrations/0009_password_change.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "receptions",
        portable: include_str!("../migrations/0010_receptions.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 11,
        name: "duty_register",
        portable: include_str!("../migrations/0011_duty_register.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "points_rules",
        portable: include_str!("../migrations/0012_points_rules.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "station_stars",
        portable: include_str!("../migrations/0013_station_stars.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "suggestions",
        portable: include_str!("../migrations/0014_suggestions.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "voter_work",
        portable: include_str!("../migrations/0015_voter_work.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 16,
        name: "projects",
        portable: include_str!("../migrations/0016_projects.sql"),
        sqlite: r#"
-- Who may vote in a ballot, and whether they did (`online`, `paper`): never how.
CREATE TABLE ballot_electorate (
    ballot_id BIGINT NOT NULL REFERENCES ballots (id),
    deputy_id BIGINT NOT NULL REFERENCES deputies (id),
    voted     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ballot_id, deputy_id)
) WITHOUT ROWID;
CREATE TABLE ballot_credentials (
    ballot_id  BIGINT NOT NULL REFERENCES ballots (id),
    credential TEXT NOT NULL,
    PRIMARY KEY (ballot_id, credential)
) WITHOUT ROWID;
-- The encrypted ballots, keyed by tracker: no time, no row number. `seq` and `chain` are set
-- when the ballot closes and the board is sealed in tracker order.
CREATE TABLE ballot_board (
    ballot_id  BIGINT NOT NULL REFERENCES ballots (id),
    tracker    TEXT NOT NULL,
    credential TEXT,
    paper      BIGINT,
    body       TEXT NOT NULL,
    seq        BIGINT,
    chain      TEXT,
    PRIMARY KEY (ballot_id, tracker),
    UNIQUE (ballot_id, credential),
    UNIQUE (ballot_id, paper)
) WITHOUT ROWID;
"#,
        postgres: r#"
-- Who may vote in a ballot, and whether they did (`online`, `paper`): never how.
CREATE TABLE ballot_electorate (
    ballot_id BIGINT NOT NULL REFERENCES ballots (id),
    deputy_id BIGINT NOT NULL REFERENCES deputies (id),
    voted     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ballot_id, deputy_id)
);
CREATE TABLE ballot_credentials (
    ballot_id  BIGINT NOT NULL REFERENCES ballots (id),
    credential TEXT NOT NULL,
    PRIMARY KEY (ballot_id, credential)
);
-- The encrypted ballots, keyed by tracker: no time, no row number. `seq` and `chain` are set
-- when the ballot closes and the board is sealed in tracker order.
CREATE TABLE ballot_board (
    ballot_id  BIGINT NOT NULL REFERENCES ballots (id),
    tracker    TEXT NOT NULL,
    credential TEXT,
    paper      BIGINT,
    body       TEXT NOT NULL,
    seq        BIGINT,
    chain      TEXT,
    PRIMARY KEY (ballot_id, tracker),
    UNIQUE (ballot_id, credential),
    UNIQUE (ballot_id, paper)
);
"#,
    },
    Migration {
        version: 17,
        name: "case_statistics",
        portable: concat!(
            include_str!("../migrations/0017_case_statistics.sql"),
            include_str!("../migrations/case_facts_backfill.sql")
        ),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 18,
        name: "bulletins",
        portable: include_str!("../migrations/0018_bulletins.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 19,
        name: "case_figures",
        portable: concat!(
            include_str!("../migrations/0019_case_figures.sql"),
            include_str!("../migrations/case_figures_backfill.sql")
        ),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 20,
        name: "duty_period_index",
        portable: include_str!("../migrations/0020_duty_period_index.sql"),
        sqlite: "",
        postgres: "",
    },
];

/// Recomputes the tallies of every case, as migration 19 fills them (migrations 5 and 17 filled
/// older shapes, which it replaced).
pub(crate) const TALLY_BACKFILL: &str = include_str!("../migrations/case_figures_backfill.sql");

impl Migration {
    fn sql(&self, backend: Backend) -> String {
        let extra = match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        };
        format!("{}\n{}", dialect::render_ddl(backend, self.portable), extra)
    }
}

pub(crate) async fn run(db: &Db) -> Result<()> {
    let backend = db.backend();
    let mut tx = db.begin().await?;
    if let Some(lock) = dialect::migration_lock(backend) {
        on_tx!(&mut tx, c => sqlx::query(lock).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    }
    on_tx!(&mut tx, c => sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)"
    ).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
    let applied: Vec<(i64, String)> = on_tx!(&mut tx, c => sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *c).await.store())?;
    tx.commit().await?;

    for m in MIGRATIONS {
        let sql = m.sql(backend);
        let checksum = hex::encode(Sha256::digest(sql.as_bytes()));
        if let Some((_, sum)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *sum != checksum {
                return Err(StoreError::Migration(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            continue;
        }
        let mut tx: Tx = db.begin().await?;
        if let Some(lock) = dialect::migration_lock(backend) {
            on_tx!(&mut tx, c => sqlx::query(lock).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        }
        // Another instance may have applied it while we waited for the lock.
        let done: Option<i64> = on_tx!(&mut tx, c => sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(m.version).fetch_optional(&mut *c).await.store())?;
        if done.is_some() {
            continue;
        }
        tracing::info!(version = m.version, name = m.name, "applying migration");
        on_tx!(&mut tx, c => sqlx::raw_sql(AssertSqlSafe(sql.clone())).execute(&mut *c).await.map(|r| r.rows_affected())
            .map_err(|e| StoreError::Migration(format!("migration {} ({}): {e}", m.version, m.name))))?;
        let now = liaison_domain::clock::to_millis(chrono_now());
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version).bind(m.name).bind(&checksum).bind(now).execute(&mut *c).await.store().map(|r| r.rows_affected()))?;
        tx.commit().await?;
    }
    Ok(())
}

/// When a migration ran is bookkeeping, not a deadline: the real clock is right here.
fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    use liaison_domain::clock::Clock;
    liaison_domain::clock::SystemClock.now()
}
