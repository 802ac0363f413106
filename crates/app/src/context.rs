//! What every use-case can reach: the database, the clock, the rules in force (deadlines,
//! categories, the working-day calendar), the intake queue and the search index.

use liaison_domain::calendar::WorkCalendar;
use liaison_domain::case::Level;
use liaison_domain::clock::Clock;
use liaison_store::Db;
use std::sync::{Arc, OnceLock};

/// The rules a county configures, as the use-cases need them.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where photos, the search index and calendar files live.
    pub data_dir: std::path::PathBuf,
    /// Case categories offered on forms.
    pub categories: Vec<String>,
    /// Working days to handle a township-level and a county-level case.
    pub deadline_township_days: u32,
    pub deadline_county_days: u32,
    /// Exceptions by level and category, keyed `township:道路交通` or `county:社会保障`.
    pub deadline_rules: std::collections::BTreeMap<String, u32>,
    /// Working days to first answer an online message (点军: 3 days).
    pub first_reply_days: u32,
    /// Days after a reply before an unrated case closes as 未评价.
    pub survey_days: i64,
    /// Working days before the deadline from which a case counts as due soon.
    pub due_soon_days: u32,
    /// A session unused for this long is over; and however busy, this long after sign-in.
    pub session_idle: chrono::Duration,
    pub session_max: chrono::Duration,
    /// Failed logins in a row that lock an account, and for how long.
    pub lockout_failures: i64,
    pub lockout_for: chrono::Duration,
    /// The kinds of text message an SMS provider is configured for (a template each); empty
    /// when no provider is: then no text message is queued and the pages say so.
    pub sms_kinds: Vec<crate::notify::SmsKind>,
    /// The CJK font printable reports embed; `None`: the first Debian CJK font found.
    pub report_font: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: std::path::PathBuf::from("./data"),
            categories: liaison_domain::case::DEFAULT_CATEGORIES.iter().map(|s| (*s).to_owned()).collect(),
            deadline_township_days: 15,
            deadline_county_days: 30,
            deadline_rules: Default::default(),
            first_reply_days: 3,
            survey_days: 7,
            due_soon_days: 3,
            session_idle: chrono::Duration::minutes(30),
            session_max: chrono::Duration::hours(12),
            lockout_failures: 5,
            lockout_for: chrono::Duration::minutes(15),
            sms_kinds: vec![],
            report_font: None,
        }
    }
}

/// How often an index that could not be opened is tried again.
pub const SEARCH_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// The application: cheap to clone, shared by the web adapter, the CLI and the background jobs.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub calendar: Arc<WorkCalendar>,
    /// The group-commit queue for intake, once started.
    pub(crate) intake: Arc<OnceLock<crate::cases::receive::IntakeQueue>>,
    /// The staff search index in the data directory, once opened; without it, search scans.
    pub(crate) search: Arc<OnceLock<Arc<liaison_search::CaseIndex>>>,
}

impl App {
    /// The application over `db`, with the built-in working-day calendar plus any
    /// `DATA/calendar/YYYY.txt`. Call [`App::start`] inside a runtime to start the intake queue
    /// and the search index; without it each submission commits on its own and search scans.
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config) -> App {
        let mut calendar = WorkCalendar::built_in();
        match calendar.load_dir(&config.data_dir.join("calendar")) {
            Ok(years) if !years.is_empty() => {
                tracing::info!(?years, "working-day calendar years loaded from the data directory")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "a calendar file was refused; the built-in years stay in force"),
        }
        App {
            db,
            clock,
            config: Arc::new(config),
            calendar: Arc::new(calendar),
            intake: Arc::default(),
            search: Arc::default(),
        }
    }

    /// Starts the group committer and opens the search index, which then follows the database
    /// (committing once a second). One process holds the index of a data directory: a loader
    /// that runs before the server in the same process (the demo) uses an `App` it does not
    /// start.
    pub fn start(&self) {
        let _ = self.intake.set(crate::cases::receive::IntakeQueue::start(self.clone()));
        self.open_search(Some(std::time::Duration::from_secs(1)));
    }

    /// Hands the search index the cases a committed write left as `rows`, with the timeline
    /// steps it appended (event id, case id), so that searches need not read them back.
    pub(crate) fn offer_to_search(&self, events: &[(i64, i64)], rows: &[liaison_store::cases::CaseRow]) {
        if let Some(index) = self.search.get() {
            index.offer(events, rows);
        }
    }

    /// Opens the search index of the data directory; with `follow_every`, it then follows the
    /// database. When the index cannot be opened — another process still holds it, as during a
    /// restart — search scans the cases table and the opening is retried every
    /// [`SEARCH_RETRY`] in the background until it succeeds or the app is dropped.
    pub fn open_search(&self, follow_every: Option<std::time::Duration>) {
        let (cell, db, dir) = (self.search.clone(), self.db.clone(), self.config.data_dir.clone());
        let open = move |cell: &OnceLock<Arc<liaison_search::CaseIndex>>| {
            liaison_search::CaseIndex::open(&dir).map(|index| {
                let index = Arc::new(index);
                if let Some(every) = follow_every {
                    index.follow(db.clone(), every);
                }
                let _ = cell.set(index);
            })
        };
        let Err(e) = open(&cell) else { return };
        tracing::warn!(error = %e, "no search index yet; staff search scans the cases table meanwhile");
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let cell = Arc::downgrade(&cell);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(SEARCH_RETRY).await;
                let Some(cell) = cell.upgrade() else { break };
                match open(&cell) {
                    Ok(()) => {
                        tracing::info!("search index opened");
                        break;
                    }
                    Err(e) => tracing::debug!(error = %e, "search index still unavailable"),
                }
            }
        });
    }

    /// The search index, when it is open.
    pub fn search_index(&self) -> Option<&Arc<liaison_search::CaseIndex>> {
        self.search.get()
    }

    /// Working days to handle a case of this level and category.
    pub fn deadline_days(&self, level: Level, category: &str) -> u32 {
        let c = &self.config;
        c.deadline_rules.get(&format!("{}:{category}", level.as_str())).copied().unwrap_or(match level {
            Level::Township => c.deadline_township_days,
            Level::County => c.deadline_county_days,
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ready(&self) -> bool {
        self.db.ping().await
    }

    /// Whether text messages of this kind go out (a provider and its template are configured).
    pub fn sends_sms(&self, kind: crate::notify::SmsKind) -> bool {
        self.config.sms_kinds.contains(&kind)
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// Today's date in China (UTC+8), which deadlines count in.
    pub fn today(&self) -> chrono::NaiveDate {
        let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
        self.clock.now().with_timezone(&tz).date_naive()
    }
}
