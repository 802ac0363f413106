//! The cases changed since the index's last commit, kept in memory between searches, so that a
//! search reads from SQL only the steps taken since the previous search (a tenth of a second of
//! them at ten searches a second) instead of every step since the commit. The writes of this
//! process offer the cases as they left them ([`Offered`]), so a search reads only the steps'
//! ids and re-reads just the cases no write here offered (another process's, or a step on a
//! case besides the one a write changed).

use crate::{MAX_HOLES, Pending, Result};
use liaison_store::Db;
use liaison_store::cases::{self, CaseRow};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Offered cases kept at most while no search takes them; past this, those the committed index
/// reflects are dropped, and if that is not enough, all (searches then read them from SQL).
const MAX_OFFERED: usize = 20_000;

/// Cases as the writes of this process committed them, by the timeline step that left them so:
/// event id → the case right after that step's transaction. A case's steps take their ids
/// after the write holds the case's row (or the only writer, on SQLite), so of a case's
/// committed steps the newest is the one its row now reflects.
#[derive(Default)]
pub(crate) struct Offered {
    by_event: Mutex<HashMap<i64, Arc<CaseRow>>>,
}

impl Offered {
    /// Keeps `rows` under their steps `events` (event id, case id), once their transaction has
    /// committed. Steps of cases not among `rows` are left out. `reflected` is the committed
    /// index's cursor, used to drop what no search needs any longer when the map is full.
    pub(crate) fn offer(&self, events: &[(i64, i64)], rows: &[CaseRow], reflected: i64) {
        let Ok(mut by_event) = self.by_event.lock() else { return };
        if by_event.len() + events.len() > MAX_OFFERED {
            by_event.retain(|&e, _| e > reflected);
            if by_event.len() + events.len() > MAX_OFFERED {
                by_event.clear();
            }
        }
        for row in rows {
            let row = Arc::new(row.clone());
            for &(event, _) in events.iter().filter(|(_, case)| *case == row.id) {
                by_event.insert(event, row.clone());
            }
        }
    }

    /// Takes the rows offered for `events`, and drops those at or below `read` but for the
    /// `holes` (offered after a search had read their steps without them).
    fn take(&self, events: &[(i64, i64)], read: i64, holes: &BTreeSet<i64>) -> HashMap<i64, Arc<CaseRow>> {
        let Ok(mut by_event) = self.by_event.lock() else { return HashMap::new() };
        let taken = events.iter().filter_map(|(e, _)| Some((*e, by_event.remove(e)?))).collect();
        by_event.retain(|e, _| *e > read || holes.contains(e));
        taken
    }
}

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
        offered: &Offered,
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
            self.read(db, pending, offered).await?;
        }
        let rows = self.cases.values().filter(|c| holds(&c.text, &words)).map(|c| c.row.clone()).collect();
        Ok((rows, self.cases.keys().copied().collect()))
    }

    /// Reads the timeline's steps since the last read, the holes this cache waits for and those
    /// the index described by `pending` waits for, and their cases: the rows this process's
    /// writes offered for them, and from SQL as they are now the cases with a step none offered.
    async fn read(&mut self, db: &Db, pending: &Pending, offered: &Offered) -> Result<()> {
        let started = Instant::now();
        // The new events, the holes this cache is waiting for, and those the index waits for
        // (below its cursor, which this cache does not track).
        let mut waited: Vec<i64> = self.holes.iter().copied().chain(pending.holes.iter().copied()).collect();
        waited.sort_unstable();
        waited.dedup();
        let listed = cases::events_since(db, self.read, &waited).await?;
        let mut expected = self.read + 1;
        for &(event, _) in &listed {
            if event > self.read {
                if event > expected && self.holes.len() + ((event - expected) as usize) <= MAX_HOLES {
                    self.holes.extend(expected..event);
                }
                expected = event + 1;
            } else {
                self.holes.remove(&event);
            }
        }
        self.read = self.read.max(expected - 1);
        let mut taken = offered.take(&listed, self.read, &self.holes);
        // Per case: its steps listed, in order, and whether every one was offered.
        let mut by_case: HashMap<i64, (Vec<i64>, bool)> = HashMap::new();
        for &(event, case) in &listed {
            let (events, all) = by_case.entry(case).or_insert((vec![], true));
            events.push(event);
            *all &= taken.contains_key(&event);
        }
        let unoffered: Vec<i64> = by_case.iter().filter(|(_, (_, all))| !all).map(|(&case, _)| case).collect();
        let mut rows: HashMap<i64, CaseRow> =
            cases::by_ids(db, &unoffered).await?.into_iter().map(|r| (r.id, r)).collect();
        for (case, (events, all)) in by_case {
            let newest = events.iter().max().and_then(|e| taken.remove(e));
            let row = if all { newest.map(Arc::unwrap_or_clone) } else { rows.remove(&case) };
            // A case no longer stored (deleted since) is no longer searched.
            let Some(row) = row else { continue };
            self.keep(events, row);
        }
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

    /// Keeps `row` as the case is after its steps `events` (each read is newer than the one
    /// before: its steps were listed later).
    fn keep(&mut self, events: Vec<i64>, row: CaseRow) {
        let text = text_of(&row);
        match self.cases.entry(row.id) {
            Entry::Occupied(mut held) => {
                let c = held.get_mut();
                for event in events {
                    if !c.events.contains(&event) {
                        c.events.push(event);
                    }
                }
                c.row = row;
                c.text = text;
            }
            Entry::Vacant(slot) => {
                slot.insert(RecentCase { events, row, text });
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
