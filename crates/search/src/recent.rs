//! The cases changed since the index's last commit, kept in memory between searches, so that a
//! search reads from SQL only the steps taken since the previous search (a tenth of a second of
//! them at ten searches a second) instead of every step since the commit.

use crate::{MAX_HOLES, Pending, Result};
use liaison_store::Db;
use liaison_store::cases::{self, CaseRow};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

/// What the searches have read of the timeline past the committed index.
#[derive(Default)]
pub(crate) struct Recent {
    /// Every event up to this id has been read, but those in `holes`.
    read: i64,
    /// Event ids below `read` and above the committed index's cursor that were not there when
    /// the events after them were read (transactions in flight on PostgreSQL).
    holes: BTreeSet<i64>,
    /// Case id → the case as last read, with the events read for it.
    cases: HashMap<i64, RecentCase>,
    /// The newest committed index this cache forgot by.
    base: Pending,
    /// When the last read of the timeline began.
    read_at: Option<Instant>,
}

struct RecentCase {
    /// Events of this case the committed index may not reflect.
    events: Vec<i64>,
    row: CaseRow,
    /// Title, content, public reply and agency result, ASCII letters lower-cased.
    text: String,
}

impl Recent {
    /// Brings the cache up to the timeline and returns the cases the committed index described
    /// by `pending` may not reflect whose text holds every word. Letter case is ignored for
    /// ASCII letters; a word with other cased letters (É, Ж) is not compared here, so the caller
    /// must check every row it keeps.
    ///
    /// The ids of every case the index may not reflect come besides, matching or not. A search
    /// that `asked` before the last read of the timeline began (it waited while another search
    /// read) takes that read as it is: it saw every step committed before this search asked.
    pub(crate) async fn changed(
        &mut self,
        db: &Db,
        pending: &Pending,
        words: &[String],
        asked: Instant,
    ) -> Result<(Vec<CaseRow>, Vec<i64>)> {
        let words = comparable(words);
        if older(pending, &self.base) {
            // A search that read what the index had committed before a newer search made this
            // cache forget: it may be searching that older commit, so it reads everything after
            // it (rare: two searches at once around a commit).
            let read = cases::events_with_cases(db, pending.seen, &pending.holes).await?;
            let mut rows: HashMap<i64, CaseRow> = HashMap::new();
            for (_, row) in read {
                rows.insert(row.id, row);
            }
            let ids = rows.keys().copied().collect();
            return Ok((rows.into_values().filter(|r| holds(&text_of(r), &words)).collect(), ids));
        }
        self.forget_reflected(pending);
        self.base = pending.clone();
        if self.read_at.is_none_or(|at| at < asked) {
            self.read(db, pending).await?;
        }
        let rows = self.cases.values().filter(|c| holds(&c.text, &words)).map(|c| c.row.clone()).collect();
        Ok((rows, self.cases.keys().copied().collect()))
    }

    /// Reads the timeline's steps since the last read, the holes this cache waits for and those
    /// the index described by `pending` waits for, with their cases.
    async fn read(&mut self, db: &Db, pending: &Pending) -> Result<()> {
        let started = Instant::now();
        // The new events, the holes this cache is waiting for, and those the index waits for
        // (below its cursor, which this cache does not track).
        let mut waited: Vec<i64> = self.holes.iter().copied().chain(pending.holes.iter().copied()).collect();
        waited.sort_unstable();
        waited.dedup();
        let read = cases::events_with_cases(db, self.read, &waited).await?;
        let mut expected = self.read + 1;
        for (event, row) in read {
            if event > self.read {
                if event > expected && self.holes.len() + ((event - expected) as usize) <= MAX_HOLES {
                    self.holes.extend(expected..event);
                }
                expected = event + 1;
            } else {
                self.holes.remove(&event);
            }
            self.keep(event, row);
        }
        self.read = self.read.max(expected - 1);
        self.read_at = Some(started);
        Ok(())
    }

    /// Drops what the committed index reflects: events up to its cursor but the holes it is
    /// still waiting for.
    fn forget_reflected(&mut self, pending: &Pending) {
        let waited: HashSet<i64> = pending.holes.iter().copied().collect();
        let reflected = |e: i64| e <= pending.seen && !waited.contains(&e);
        // After a long pause the index may have committed past what was read: start at it.
        self.read = self.read.max(pending.seen);
        self.holes.retain(|&h| h > pending.seen);
        self.cases.retain(|_, c| {
            c.events.retain(|&e| !reflected(e));
            !c.events.is_empty()
        });
    }

    /// Keeps `row` as read with `event` (a later read is never older: each read is one
    /// statement, and the statements follow one another).
    fn keep(&mut self, event: i64, row: CaseRow) {
        let text = text_of(&row);
        match self.cases.entry(row.id) {
            Entry::Occupied(mut held) => {
                let c = held.get_mut();
                if !c.events.contains(&event) {
                    c.events.push(event);
                }
                c.row = row;
                c.text = text;
            }
            Entry::Vacant(slot) => {
                slot.insert(RecentCase { events: vec![event], row, text });
            }
        }
    }
}

/// Whether `a` is a commit of the index before `b`. The follower publishes its commits in order:
/// the cursor never goes back, and at one cursor the holes only get fewer (filled or given up).
fn older(a: &Pending, b: &Pending) -> bool {
    a.seen < b.seen || (a.seen == b.seen && a.holes.len() > b.holes.len())
}

/// The words compared here, ASCII letters lower-cased; those with other cased letters are left
/// to the caller.
fn comparable(words: &[String]) -> Vec<String> {
    words
        .iter()
        .filter(|w| !w.chars().any(|c| !c.is_ascii() && c.to_lowercase().ne(c.to_uppercase())))
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

/// A case's searchable text: title, content, public reply and agency result, ASCII letters
/// lower-cased, apart.
fn text_of(row: &CaseRow) -> String {
    [row.title.as_str(), &row.content, &row.public_reply, &row.agency_result].join("\u{0}").to_ascii_lowercase()
}

fn holds(text: &str, words: &[String]) -> bool {
    words.iter().all(|w| text.contains(w.as_str()))
}
