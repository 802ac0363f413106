//! The staff search index: a tantivy index of every case's words and scope, kept in the data
//! directory beside the database and derived from it. It answers "which cases in my scope
//! contain these words, newest first" in milliseconds over millions of cases, where a SQL
//! `LIKE` would scan them all.
//!
//! **Words.** Chinese has no spaces, and staff search for fragments — a village name, 路灯,
//! 减速带 — expecting every case that *contains* them, the way a spreadsheet's find does. So the
//! text is indexed as every run of one to [`MAX_GRAM`] consecutive letters and digits (n-grams, the
//! approach of Lucene's CJK analyzer taken up to four characters), and a query word of up to four
//! characters is a single term: it matches exactly the cases that contain it, as SQL's `LIKE`
//! would (see [`exact`]), and the index alone can count them. A longer word must match all its
//! four-character pieces, which may occur apart. Results are ordered by time, not by score, so a
//! dictionary segmenter's relevance would buy nothing while missing fragments it segments
//! differently. The caller re-checks each hit it shows against the stored case.
//!
//! **Scope.** Each case carries tags for every prefix of its region code, its station, lead and
//! assisting agencies, deputy, status and overdue flag, so a search is filtered by the caller's
//! reach inside the index.
//!
//! **Freshness.** The index follows the case timeline (`case_events`): every change to a case
//! appends an event, and [`CaseIndex::sync`] (run by [`CaseIndex::follow`] once a second)
//! re-indexes the cases whose events it has not seen, committing the cursor as the commit's
//! payload. A search does not commit: it asks [`CaseIndex::pending`] which events the committed
//! index does not reflect yet and reads those few cases from SQL (see the app's search). On
//! PostgreSQL, ids are handed out before commit, so a hole in the ids may be a transaction still
//! in flight: the hole is remembered and looked at again on each sync for up to
//! [`GAP_PATIENCE`], while the events after it are indexed; the committed cursor stays below the
//! oldest hole, so that a restart looks again. A missing, damaged or older-schema index is
//! rebuilt from the cases table in the background; until it is ready, [`CaseIndex::search`]
//! answers `None` and the caller falls back to SQL.

mod recent;

use liaison_store::Db;
use liaison_store::cases::{self, CaseRow};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tantivy::collector::TopDocs;
use tantivy::columnar::{Cardinality, Column};
use tantivy::directory::MmapDirectory;
use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};
use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query, TermQuery, Weight};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{
    DocId, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, SegmentReader, TERMINATED,
    TantivyDocument, Term,
};

/// Bumped whenever the schema or the tokenizer changes: an index of another version is rebuilt.
const VERSION: &str = "cases-v2";
/// How long the cursor waits at a hole in the event ids before deciding no transaction will
/// fill it (it was rolled back).
pub const GAP_PATIENCE: Duration = Duration::from_secs(30);
/// Events read per step of a sync.
const EVENTS_PER_STEP: i64 = 5_000;
/// Cases read per page of a rebuild.
const CASES_PER_PAGE: i64 = 5_000;
/// On a rebuild, the walk over the cases starts this many events before the newest, so that a
/// transaction in flight when it starts is caught by the first sync.
const REBUILD_MARGIN: i64 = 1_000;
/// Memory of the indexing thread before it writes a segment.
const WRITER_HEAP: usize = 20 * 1024 * 1024;
/// Holes remembered at most: transactions in flight hold far fewer ids than this (connections
/// times the events of one intake batch); a larger jump in the ids is not waited for.
const MAX_HOLES: usize = 10_000;
/// The most documents a merge writes into one segment. Tantivy's log policy alone merged a
/// million cases' eight segments into one, reading and writing the whole index (a 137 MB file),
/// and the pages that touched stayed in the server's resident set: 177 MB of mapped files at the
/// peak of a ten-minute soak over a million cases, against 50–60 MB otherwise.
const MAX_MERGED_DOCS: usize = 250_000;
/// Segments' newest matches kept for the questions asked lately, at most (a few kilobytes each).
const MAX_KEPT: usize = 1_024;
/// Pages ending deeper than this are not kept: each search of them reads the segments.
const KEPT_DEPTH: usize = 200;
/// How many of a segment's newest matches are kept beyond a page: room for those deleted or
/// changed since.
const KEPT_BEYOND: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error(transparent)]
    Store(#[from] liaison_store::StoreError),
    #[error("search index task: {0}")]
    Task(String),
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// Region code lengths: province, city, county, township, village.
const REGION_LENGTHS: [usize; 5] = [2, 4, 6, 9, 12];

/// What a staff search asks for. Lists are the caller's reach: a case matches when any of them
/// does.
#[derive(Debug, Default, Clone)]
pub struct SearchQuery<'a> {
    /// Each must appear in the case.
    pub words: &'a [String],
    pub region_prefixes: &'a [String],
    pub stations: &'a [String],
    pub agencies: &'a [String],
    pub deputies: &'a [String],
    /// Only these statuses; empty means all.
    pub statuses: &'a [String],
    pub overdue_only: bool,
    /// How many ids at most, newest first.
    pub limit: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    created_at: Field,
    text: Field,
    tags: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_i64_field("id", INDEXED | FAST);
    let created_at = b.add_i64_field("created_at", FAST);
    let text = b.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer("cjk").set_index_option(IndexRecordOption::Basic),
        ),
    );
    let tags = b.add_text_field("tags", STRING);
    (b.build(), Fields { id, created_at, text, tags })
}

/// The longest run of characters indexed as one term.
pub const MAX_GRAM: usize = 4;

/// Every run of one to [`MAX_GRAM`] consecutive letters and digits, lower-cased.
#[derive(Clone, Default)]
pub struct CjkTokenizer;

pub struct CjkTokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for CjkTokenizer {
    type TokenStream<'a> = CjkTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokens {
        let mut tokens = Vec::new();
        // The last characters of the current run, with their byte offsets.
        let mut tail: Vec<(usize, char)> = Vec::with_capacity(MAX_GRAM);
        for (at, ch) in text.char_indices() {
            if !ch.is_alphanumeric() {
                tail.clear();
                continue;
            }
            let end = at + ch.len_utf8();
            if tail.len() == MAX_GRAM {
                tail.remove(0);
            }
            tail.push((at, ch.to_lowercase().next().unwrap_or(ch)));
            // The n-grams ending at this character, shortest first.
            for n in 1..=tail.len() {
                let gram = &tail[tail.len() - n..];
                tokens.push(Token {
                    offset_from: gram[0].0,
                    offset_to: end,
                    position: tokens.len(),
                    text: gram.iter().map(|(_, c)| *c).collect(),
                    position_length: 1,
                });
            }
        }
        CjkTokens { tokens, next: 0 }
    }
}

impl TokenStream for CjkTokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// The terms a query word must all match: each run of letters and digits in it, lower-cased,
/// where it is at most [`MAX_GRAM`] characters long, else its pieces of that length.
pub fn query_terms(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut flush = |run: &mut Vec<char>| {
        if run.len() <= MAX_GRAM {
            if !run.is_empty() {
                out.push(run.iter().collect());
            }
        } else {
            out.extend(run.windows(MAX_GRAM).map(|w| w.iter().collect::<String>()));
        }
        run.clear();
    };
    for ch in word.chars() {
        if ch.is_alphanumeric() {
            run.push(ch.to_lowercase().next().unwrap_or(ch));
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    out.sort();
    out.dedup();
    out
}

/// Whether the index matches exactly the cases whose title, content, result or reply contain
/// every word, as SQL's `LIKE` on the ASCII-lower-cased text does: each word is one indexed term,
/// that is one run of at most [`MAX_GRAM`] letters and digits, with no letter outside ASCII that
/// has a case (the index lower-cases those, SQL does not). Then the index's count of matches is
/// the list's total.
pub fn exact(words: &[String]) -> bool {
    !words.is_empty()
        && words.iter().all(|w| {
            (1..=MAX_GRAM).contains(&w.chars().count())
                && w.chars().all(|c| c.is_alphanumeric() && (c.is_ascii() || c.to_lowercase().eq(c.to_uppercase())))
        })
}

/// The scope tags of a case.
fn tags(row: &CaseRow) -> Vec<String> {
    let mut t: Vec<String> = REGION_LENGTHS
        .iter()
        .filter(|&&n| row.region_code.len() >= n)
        .map(|&n| format!("r:{}", &row.region_code[..n]))
        .collect();
    if let Some(s) = &row.station_ref {
        t.push(format!("s:{s}"));
    }
    if let Some(a) = &row.agency_ref {
        t.push(format!("a:{a}"));
    }
    t.extend(row.assisting().into_iter().map(|a| format!("a:{a}")));
    if let Some(d) = &row.deputy_ref {
        t.push(format!("d:{d}"));
    }
    t.push(format!("st:{}", row.status));
    if row.overdue {
        t.push("o:1".into());
    }
    t
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    ready: AtomicBool,
    /// Every event up to this id is reflected in the committed index (the commit's payload).
    cursor: AtomicI64,
    /// What the committed index does not reflect, published after the reader reloads.
    pending: Mutex<Pending>,
    /// Commits so far (each one a new segment for tantivy to merge).
    commits: AtomicI64,
    /// Searches answered.
    searches: AtomicI64,
    /// When a sync last read to the end of the timeline.
    caught_up_at: Mutex<Option<Instant>>,
    /// The newest matches of each segment for the questions asked lately (see [`Kept`]).
    kept: Mutex<HashMap<(SegmentId, String), Arc<Kept>>>,
}

/// The timeline steps the committed index does not reflect yet: every event after `seen`, and
/// the events in `holes` (ids below `seen` that were not visible when the index read past
/// them: transactions still in flight on PostgreSQL). A case with such an event may be missing
/// from the index or indexed as it was before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    pub seen: i64,
    pub holes: Vec<i64>,
}

/// Where the follower stands between syncs.
struct Follow {
    needs_rebuild: bool,
    /// The last event id read.
    seen: i64,
    /// Missing event ids below `seen`, and when each was first missed.
    holes: BTreeMap<i64, Instant>,
}

/// The case index of one data directory.
pub struct CaseIndex {
    inner: Arc<Inner>,
    follow: tokio::sync::Mutex<Follow>,
    recent: tokio::sync::Mutex<recent::Recent>,
    offered: recent::Offered,
}

impl CaseIndex {
    /// Opens the index under `data_dir/index`, creating it — or replacing one of another
    /// version or one that cannot be read — as an empty index that [`CaseIndex::sync`] will
    /// rebuild. Fails when another process holds the index.
    pub fn open(data_dir: &Path) -> Result<CaseIndex> {
        let root = data_dir.join("index");
        let dir = root.join(VERSION);
        std::fs::create_dir_all(&dir).map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
        // Indexes of other versions are stale copies.
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                if e.file_name() != VERSION {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let (schema, f) = schema();
        let index = match open_dir(&dir, &schema) {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(error = %e, "the search index could not be read; it will be rebuilt");
                wipe(&dir)?;
                open_dir(&dir, &schema)?
            }
        };
        index.tokenizers().register("cjk", TextAnalyzer::from(CjkTokenizer));
        // One indexing thread and one merge thread: the index is a side job of a small server.
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(WRITER_HEAP)
            .num_worker_threads(1)
            .num_merge_threads(1)
            .build();
        let writer: IndexWriter = index.writer_with_options(options)?;
        writer.set_merge_policy(Box::new(BoundedMerges::new()));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let cursor = index.load_metas()?.payload.as_deref().and_then(|p| p.parse::<i64>().ok());
        let at = cursor.unwrap_or(0);
        let inner = Inner {
            reader,
            writer: Mutex::new(writer),
            f,
            ready: AtomicBool::new(cursor.is_some()),
            cursor: AtomicI64::new(at),
            pending: Mutex::new(Pending { seen: at, holes: vec![] }),
            commits: AtomicI64::new(0),
            searches: AtomicI64::new(0),
            caught_up_at: Mutex::new(None),
            kept: Mutex::new(HashMap::new()),
        };
        Ok(CaseIndex {
            inner: Arc::new(inner),
            follow: tokio::sync::Mutex::new(Follow {
                needs_rebuild: cursor.is_none(),
                seen: at,
                holes: BTreeMap::new(),
            }),
            recent: tokio::sync::Mutex::new(recent::Recent::default()),
            offered: recent::Offered::default(),
        })
    }

    /// True once the index reflects the database (up to the last sync).
    pub fn ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire)
    }

    /// Every event up to this id is reflected in the committed index.
    pub fn cursor(&self) -> i64 {
        self.inner.cursor.load(Ordering::Acquire)
    }

    /// What the committed index does not reflect yet. Read it *before* [`CaseIndex::search`]:
    /// the search then sees this commit or a later one, so every change it may miss is among
    /// these events.
    pub fn pending(&self) -> Pending {
        self.inner.pending.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The cases the committed index described by `pending` may not reflect, as they are now,
    /// whose title, content, agency result or public reply hold every word, in no particular
    /// order. They are kept between searches, so each search reads from SQL only the timeline
    /// steps since the previous one (and the holes still waited for); what the index has
    /// committed since is forgotten. Letter case is ignored for ASCII letters; a word with other
    /// cased letters (É, Ж) is not compared here, so the caller must check every row it keeps.
    pub async fn changed(&self, db: &Db, pending: &Pending, words: &[String]) -> Result<Vec<CaseRow>> {
        let asked = Instant::now();
        Ok(self.recent.lock().await.changed(db, pending, words, asked, &self.offered).await?.0)
    }

    /// As [`CaseIndex::changed`], with the ids of every changed case besides, whether or not it
    /// holds the words: the committed index may describe any of them as they were.
    pub async fn changed_with_ids(
        &self,
        db: &Db,
        pending: &Pending,
        words: &[String],
    ) -> Result<(Vec<CaseRow>, Vec<i64>)> {
        let asked = Instant::now();
        let mut recent = self.recent.lock().await;
        let locked = asked.elapsed();
        let out = recent.changed(db, pending, words, asked, &self.offered).await;
        tracing::debug!(
            lock_ms = locked.as_secs_f64() * 1000.0,
            read_ms = (asked.elapsed() - locked).as_secs_f64() * 1000.0,
            "changed cases read"
        );
        out
    }

    /// Offers the cases a write of this process left as `rows`, with the timeline steps it
    /// appended, (event id, case id), once its transaction has committed: a search then takes
    /// them instead of reading them back from SQL. Steps of cases not among `rows` are read
    /// from SQL as before. Offering nothing is always correct, only slower.
    pub fn offer(&self, events: &[(i64, i64)], rows: &[CaseRow]) {
        self.offered.offer(events, rows, self.cursor());
    }

    /// How many commits this index has made since it was opened.
    pub fn commits(&self) -> i64 {
        self.inner.commits.load(Ordering::Relaxed)
    }

    /// Whether a sync read to the end of the timeline within `within` from now: then the
    /// events [`CaseIndex::pending`] names are at most that long's worth.
    pub fn caught_up_within(&self, within: Duration) -> bool {
        self.inner.caught_up_at.lock().ok().and_then(|at| *at).is_some_and(|at| at.elapsed() < within)
    }

    /// How many searches the index has answered since it was opened.
    pub fn searches(&self) -> i64 {
        self.inner.searches.load(Ordering::Relaxed)
    }

    /// Brings the index up to date with the database: rebuilds it first if needed, then
    /// re-indexes every case with events it has not read, or whose events were missing (in
    /// flight) when it read past them, and commits. Returns the number of cases written.
    pub async fn sync(&self, db: &Db) -> Result<usize> {
        let mut follow = self.follow.lock().await;
        let mut written = 0;
        if follow.needs_rebuild {
            written += self.rebuild(db).await?;
            follow.needs_rebuild = false;
            follow.seen = self.cursor();
            follow.holes.clear();
        }
        loop {
            let events = cases::events_after(db, follow.seen, EVENTS_PER_STEP).await?;
            let waited: Vec<i64> = follow.holes.keys().copied().collect();
            let filled = if waited.is_empty() { vec![] } else { cases::events_with_ids(db, &waited).await? };
            let expired: Vec<i64> =
                follow.holes.iter().filter(|(_, since)| since.elapsed() >= GAP_PATIENCE).map(|(&id, _)| id).collect();
            if events.is_empty() && filled.is_empty() && expired.is_empty() {
                break;
            }
            // Holes filled by transactions that committed since, and holes waited for long
            // enough (their transactions were rolled back).
            for (id, _) in &filled {
                follow.holes.remove(id);
            }
            for id in &expired {
                if follow.holes.remove(id).is_some() {
                    tracing::debug!(event = id, "a hole in the case timeline was not filled; no longer waited for");
                }
            }
            // New holes among the events read.
            let now = Instant::now();
            let mut expected = follow.seen + 1;
            for &(id, _) in &events {
                if id > expected && follow.holes.len() + ((id - expected) as usize) <= MAX_HOLES {
                    follow.holes.extend((expected..id).map(|h| (h, now)));
                }
                expected = id + 1;
            }
            if let Some(&(last, _)) = events.last() {
                follow.seen = last;
            }
            let cursor = follow.holes.keys().next().map_or(follow.seen, |first| first - 1);
            let pending = Pending { seen: follow.seen, holes: follow.holes.keys().copied().collect() };
            let mut ids: Vec<i64> = events.iter().chain(&filled).map(|&(_, case)| case).collect();
            ids.sort_unstable();
            ids.dedup();
            let rows = cases::by_ids(db, &ids).await?;
            written += rows.len();
            let inner = self.inner.clone();
            blocking(move || inner.write(rows, false, Some((cursor, pending)))).await?;
            if (events.len() as i64) < EVENTS_PER_STEP {
                break;
            }
        }
        if let Ok(mut at) = self.inner.caught_up_at.lock() {
            *at = Some(Instant::now());
        }
        Ok(written)
    }

    /// Empties the index and indexes every case, page by page, committing once at the end.
    async fn rebuild(&self, db: &Db) -> Result<usize> {
        let started = Instant::now();
        self.inner.ready.store(false, Ordering::Release);
        let upto = (cases::last_event_id(db).await? - REBUILD_MARGIN).max(0);
        let inner = self.inner.clone();
        blocking(move || {
            inner.writer.lock().map_err(|_| SearchError::Task("writer poisoned".into()))?.delete_all_documents()?;
            Ok(())
        })
        .await?;
        let mut after = 0;
        let mut written = 0;
        loop {
            let rows = cases::page_after(db, after, CASES_PER_PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            written += rows.len();
            let inner = self.inner.clone();
            blocking(move || inner.write(rows, true, None)).await?;
        }
        let inner = self.inner.clone();
        blocking(move || inner.write(vec![], true, Some((upto, Pending { seen: upto, holes: vec![] })))).await?;
        self.inner.ready.store(true, Ordering::Release);
        tracing::info!(cases = written, seconds = started.elapsed().as_secs_f64(), "search index rebuilt");
        Ok(written)
    }

    /// Ids of the cases matching `q`, newest first, or `None` when the index cannot answer (not
    /// built yet, or a region prefix that is not a whole region code). Hits may include cases
    /// that changed since the last sync or whose bigrams occur apart: check them against the
    /// stored rows.
    pub async fn search(&self, q: &SearchQuery<'_>) -> Result<Option<Vec<i64>>> {
        if !self.ready() || q.region_prefixes.iter().any(|p| !REGION_LENGTHS.contains(&p.len())) {
            return Ok(None);
        }
        let searcher = self.inner.reader.searcher();
        let query = self.inner.query(q, &searcher);
        let Some(query) = query else { return Ok(Some(vec![])) };
        let inner = self.inner.clone();
        let limit = q.limit.max(1);
        self.inner.searches.fetch_add(1, Ordering::Relaxed);
        blocking(move || inner.top(&searcher, query, limit)).await.map(Some)
    }

    /// How many cases match `q` in the committed index, leaving out those in `skip` (the
    /// changed cases, which the caller reads from SQL as they are now), and the newest
    /// `q.limit` of them as (created_at, id), newest first. `None` while the index is not ready
    /// or when a region prefix is not one it tags.
    pub async fn count_and_newest(
        &self,
        q: &SearchQuery<'_>,
        skip: Vec<i64>,
    ) -> Result<Option<(usize, Vec<(i64, i64)>)>> {
        if !self.ready() || q.region_prefixes.iter().any(|p| !REGION_LENGTHS.contains(&p.len())) {
            return Ok(None);
        }
        let searcher = self.inner.reader.searcher();
        let Some(query) = self.inner.query(q, &searcher) else { return Ok(Some((0, vec![]))) };
        let question = question(q);
        let inner = self.inner.clone();
        let limit = q.limit.max(1);
        self.inner.searches.fetch_add(1, Ordering::Relaxed);
        let queued = Instant::now();
        blocking(move || {
            let waited = queued.elapsed();
            let out = inner.count_and_top(&searcher, query, &question, skip, limit);
            tracing::debug!(
                queue_ms = waited.as_secs_f64() * 1000.0,
                run_ms = (queued.elapsed() - waited).as_secs_f64() * 1000.0,
                "the index counted"
            );
            out
        })
        .await
        .map(Some)
    }

    /// Keeps the index following the database: syncs every `every` until the returned handle is
    /// dropped or aborted.
    pub fn follow(self: &Arc<Self>, db: Db, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(index) = me.upgrade() else { break };
                if let Err(e) = index.sync(&db).await {
                    tracing::warn!(error = %e, "search index sync failed; retrying");
                }
                drop(index);
                tokio::time::sleep(every).await;
            }
        })
    }
}

impl Inner {
    /// Replaces the documents of `rows` (or, while rebuilding, adds them to an emptied index)
    /// and, with a cursor, commits it as the payload, reloads the reader and then publishes
    /// what the commit does not reflect.
    fn write(&self, rows: Vec<CaseRow>, fresh: bool, commit: Option<(i64, Pending)>) -> Result<()> {
        let mut w = self.writer.lock().map_err(|_| SearchError::Task("writer poisoned".into()))?;
        for row in rows {
            if !fresh {
                w.delete_term(Term::from_field_i64(self.f.id, row.id));
            }
            let mut doc = TantivyDocument::new();
            doc.add_i64(self.f.id, row.id);
            doc.add_i64(self.f.created_at, row.created_at);
            let text = [&row.title, &row.content, &row.agency_result, &row.public_reply];
            doc.add_text(self.f.text, text.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
            for t in tags(&row) {
                doc.add_text(self.f.tags, t);
            }
            w.add_document(doc)?;
        }
        if let Some((cursor, pending)) = commit {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&cursor.to_string());
            prepared.commit()?;
            self.commits.fetch_add(1, Ordering::Relaxed);
            self.reader.reload()?;
            self.cursor.store(cursor, Ordering::Release);
            if let Ok(mut p) = self.pending.lock() {
                *p = pending;
            }
        }
        Ok(())
    }

    /// The question `q` for `searcher`'s segments (the search must use the same searcher: the
    /// reach is left out when every document there lies in it).
    fn query(&self, q: &SearchQuery<'_>, searcher: &Searcher) -> Option<Box<dyn Query>> {
        let term = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
        };
        let any_of = |tags: Vec<String>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(tags.iter().map(|t| (Occur::Should, term(self.f.tags, t))).collect()))
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in q.words {
            for t in query_terms(word) {
                must.push((Occur::Must, term(self.f.text, &t)));
            }
        }
        let mut reach: Vec<String> = q.region_prefixes.iter().map(|r| format!("r:{r}")).collect();
        reach.extend(q.stations.iter().map(|s| format!("s:{s}")));
        reach.extend(q.agencies.iter().map(|a| format!("a:{a}")));
        reach.extend(q.deputies.iter().map(|d| format!("d:{d}")));
        if reach.is_empty() {
            return None;
        }
        // A reach that holds every document (a county's supervisor over a county's index) would
        // only make the index walk its tag's list beside each word's: leave it out.
        let documents: u64 = searcher.segment_readers().iter().map(|r| u64::from(r.max_doc())).sum();
        let everywhere = |tag: &String| {
            searcher.doc_freq(&Term::from_field_text(self.f.tags, tag)).is_ok_and(|n| n == documents && n > 0)
        };
        if !reach.iter().any(everywhere) {
            must.push((Occur::Must, any_of(reach)));
        }
        if !q.statuses.is_empty() {
            must.push((Occur::Must, any_of(q.statuses.iter().map(|s| format!("st:{s}")).collect())));
        }
        if q.overdue_only {
            must.push((Occur::Must, term(self.f.tags, "o:1")));
        }
        if must.is_empty() {
            return Some(Box::new(AllQuery));
        }
        Some(Box::new(BooleanQuery::new(must)))
    }

    /// How many documents match `query` (the `question`) leaving out the cases in `skip`, and
    /// the newest `limit` of them as (created_at, id), newest first (the larger id first at the
    /// same time).
    ///
    /// The count is the index's own (a word's postings, intersected with the reach's when it is
    /// kept), less the live matches among the skipped cases, each looked up by its id. (Checking
    /// every match against the skipped cases doubled the pass during intake, when a thousand new
    /// cases a second are skipped.) The newest page comes from each segment's newest matches for
    /// the question, kept since it was last asked: a segment never changes but for its deleted
    /// documents, so only the segments written since, small ones, are read again.
    fn count_and_top(
        &self,
        searcher: &Searcher,
        query: Box<dyn Query>,
        question: &str,
        mut skip: Vec<i64>,
        limit: usize,
    ) -> Result<(usize, Vec<(i64, i64)>)> {
        skip.sort_unstable();
        skip.dedup();
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut count = 0;
        let mut newest = Newest::new(limit);
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (times, ids) = (fast.i64("created_at")?, fast.i64("id")?);
            // New cases (most of the skipped during intake) lie beyond every id of a segment.
            let skip = within(&skip, ids.min_value(), ids.max_value());
            let skipped = self.skipped_matches(&*weight, segment, skip)?;
            let matches = weight.count(segment)? as usize;
            count += matches.saturating_sub(skipped);
            if newest.limit > KEPT_DEPTH {
                newest.segment(&*weight, segment, &times, &ids, skip)?;
                continue;
            }
            let key = (segment.segment_id(), question.to_owned());
            let held = self.kept.lock().ok().and_then(|k| k.get(&key).cloned());
            let kept = match held.filter(|k| k.complete || k.newest.len() >= newest.limit + KEPT_BEYOND) {
                Some(kept) => kept,
                None => {
                    let mut first = Newest::new(newest.limit + KEPT_BEYOND);
                    first.segment(&*weight, segment, &times, &ids, &[])?;
                    let first = first.into_sorted();
                    let kept = Arc::new(Kept { complete: matches <= first.len(), newest: first });
                    self.keep(searcher, key, kept.clone());
                    kept
                }
            };
            if !newest.take_kept(&kept, segment, skip) {
                // More of its newest were deleted or changed than were kept.
                newest.segment(&*weight, segment, &times, &ids, skip)?;
            }
        }
        Ok((count, newest.into_sorted().into_iter().map(|(at, id, _)| (at, id)).collect()))
    }

    /// Keeps a segment's newest matches for a question, forgetting those of segments merged
    /// away when there are too many.
    fn keep(&self, searcher: &Searcher, key: (SegmentId, String), kept: Arc<Kept>) {
        let Ok(mut held) = self.kept.lock() else { return };
        if held.len() >= MAX_KEPT {
            let live: HashSet<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
            held.retain(|(segment, _), _| live.contains(segment));
            if held.len() >= MAX_KEPT {
                held.clear();
            }
        }
        held.insert(key, kept);
    }

    /// How many live documents of `segment` matching `weight` belong to the cases `skip`.
    fn skipped_matches(&self, weight: &dyn Weight, segment: &SegmentReader, skip: &[i64]) -> Result<usize> {
        if skip.is_empty() {
            return Ok(0);
        }
        let alive = segment.alive_bitset();
        let by_id = segment.inverted_index(self.f.id)?;
        let mut docs = Vec::new();
        for &id in skip {
            let term = Term::from_field_i64(self.f.id, id);
            if let Some(mut postings) =
                by_id.read_postings(&term, IndexRecordOption::Basic).map_err(tantivy::TantivyError::from)?
            {
                while postings.doc() != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(postings.doc())) {
                        docs.push(postings.doc());
                    }
                    postings.advance();
                }
            }
        }
        docs.sort_unstable();
        let mut matches = weight.scorer(segment, 1.0)?;
        let mut found = 0;
        for doc in docs {
            if matches.doc() < doc {
                matches.seek(doc);
            }
            if matches.doc() == doc {
                found += 1;
            }
        }
        Ok(found)
    }

    fn top(&self, searcher: &Searcher, query: Box<dyn Query>, limit: usize) -> Result<Vec<i64>> {
        let collector = TopDocs::with_limit(limit).order_by_fast_field::<i64>("created_at", Order::Desc);
        let hits = searcher.search(&*query, &collector)?;
        // Each segment's id column is opened once: opening one reads the whole column's block
        // table, which for 500 hits used to be most of a search's time.
        let mut columns = HashMap::new();
        let mut ids = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            let column = match columns.entry(addr.segment_ord) {
                Entry::Occupied(c) => c.into_mut(),
                Entry::Vacant(slot) => slot.insert(searcher.segment_reader(addr.segment_ord).fast_fields().i64("id")?),
            };
            if let Some(id) = column.first(addr.doc_id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// The newest `limit` matches seen so far as (created_at, id, document), the oldest of them on
/// top.
struct Newest {
    heap: BinaryHeap<Reverse<(i64, i64, DocId)>>,
    limit: usize,
}

impl Newest {
    fn new(limit: usize) -> Newest {
        let limit = limit.max(1);
        Newest { heap: BinaryHeap::with_capacity(limit + 1), limit }
    }

    /// Whether a match created at `at` could be kept: the newest are not yet `limit`, or it is
    /// no older than the oldest of them (the larger id wins at the same time).
    fn may_take(&self, at: i64) -> bool {
        self.heap.len() < self.limit || self.heap.peek().is_some_and(|Reverse((floor, _, _))| at >= *floor)
    }

    fn take(&mut self, at: i64, id: i64, doc: DocId) {
        if self.heap.len() < self.limit {
            self.heap.push(Reverse((at, id, doc)));
        } else if self.heap.peek().is_some_and(|Reverse(oldest)| (at, id, doc) > *oldest) {
            self.heap.pop();
            self.heap.push(Reverse((at, id, doc)));
        }
    }

    /// Newest first.
    fn into_sorted(self) -> Vec<(i64, i64, DocId)> {
        let mut out: Vec<(i64, i64, DocId)> = self.heap.into_iter().map(|Reverse(n)| n).collect();
        out.sort_unstable_by(|a, b| b.cmp(a));
        out
    }

    /// Offers the newest live matches of `kept` (a segment's) not in `skip`, if there are
    /// enough of them to be sure of the segment's newest `limit`; otherwise offers nothing and
    /// says so.
    fn take_kept(&mut self, kept: &Kept, segment: &SegmentReader, skip: &[i64]) -> bool {
        let alive = segment.alive_bitset();
        let live = kept
            .newest
            .iter()
            .filter(|(_, id, doc)| alive.is_none_or(|a| a.is_alive(*doc)) && skip.binary_search(id).is_err())
            .take(self.limit);
        let live: Vec<(i64, i64, DocId)> = live.copied().collect();
        if live.len() < self.limit && !kept.complete {
            return false;
        }
        for (at, id, doc) in live {
            self.take(at, id, doc);
        }
        true
    }

    /// Offers the live matches of `weight` in `segment` not in `skip` (sorted). Only the times
    /// are read for every match, a block at a time; the id only of a match new enough to be
    /// kept, which after the first few blocks is a rare one.
    fn segment(
        &mut self,
        weight: &dyn Weight,
        segment: &SegmentReader,
        times: &Column<i64>,
        ids: &Column<i64>,
        skip: &[i64],
    ) -> Result<()> {
        let alive = segment.alive_bitset();
        // Every case has a time, so the column is dense and read a block at a time.
        let dense = times.get_cardinality() == Cardinality::Full;
        let mut at = Vec::new();
        weight.for_each_no_score(segment, &mut |docs: &[DocId]| {
            read_times(times, dense, docs, &mut at);
            for (&doc, &at) in docs.iter().zip(&at) {
                if !self.may_take(at) || alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                if let Some(id) = ids.first(doc)
                    && skip.binary_search(&id).is_err()
                {
                    self.take(at, id, doc);
                }
            }
        })?;
        Ok(())
    }
}

/// Tantivy's log merge policy (segments of like size merged together), with no merge writing more
/// than [`MAX_MERGED_DOCS`] documents: a segment of more than half that is left as it is, and
/// a group the log policy proposes is cut into runs of at most that many, smallest first.
#[derive(Debug)]
struct BoundedMerges(LogMergePolicy);

impl BoundedMerges {
    fn new() -> BoundedMerges {
        let mut log = LogMergePolicy::default();
        log.set_max_docs_before_merge(MAX_MERGED_DOCS / 2);
        BoundedMerges(log)
    }
}

impl MergePolicy for BoundedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let docs: HashMap<SegmentId, usize> = segments.iter().map(|s| (s.id(), s.num_docs() as usize)).collect();
        let mut runs = Vec::new();
        for MergeCandidate(mut group) in self.0.compute_merge_candidates(segments) {
            group.sort_by_key(|id| docs.get(id).copied().unwrap_or(0));
            let (mut run, mut total) = (Vec::new(), 0);
            for id in group {
                let n = docs.get(&id).copied().unwrap_or(0);
                if total + n > MAX_MERGED_DOCS {
                    if run.len() >= 2 {
                        runs.push(MergeCandidate(std::mem::take(&mut run)));
                    }
                    (run, total) = (Vec::new(), 0);
                }
                run.push(id);
                total += n;
            }
            if run.len() >= 2 {
                runs.push(MergeCandidate(run));
            }
        }
        runs
    }
}

/// A segment's newest live matches for a question as (created_at, id, document), newest first,
/// changed cases included: each search leaves out those deleted or changed by then.
struct Kept {
    newest: Vec<(i64, i64, DocId)>,
    /// Whether these are all of the segment's live matches when they were read.
    complete: bool,
}

/// The times of `docs` into `at`, a block at a time when every document has one.
fn read_times(times: &Column<i64>, dense: bool, docs: &[DocId], at: &mut Vec<i64>) {
    if dense {
        at.resize(docs.len(), 0);
        times.values.get_vals(docs, at);
    } else {
        at.clear();
        at.extend(docs.iter().map(|&doc| times.first(doc).unwrap_or(i64::MIN)));
    }
}

/// What a question asks of every segment, as the key of what is kept for it.
fn question(q: &SearchQuery<'_>) -> String {
    let terms: Vec<String> = q.words.iter().flat_map(|w| query_terms(w)).collect();
    format!("{:?}", (terms, q.region_prefixes, q.stations, q.agencies, q.deputies, q.statuses, q.overdue_only))
}

/// The ids of `sorted` between `lo` and `hi`, both included.
fn within(sorted: &[i64], lo: i64, hi: i64) -> &[i64] {
    let from = sorted.partition_point(|&x| x < lo);
    let to = sorted.partition_point(|&x| x <= hi).max(from);
    &sorted[from..to]
}

fn open_dir(dir: &Path, schema: &Schema) -> Result<Index> {
    let d = MmapDirectory::open(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
    Ok(Index::open_or_create(d, schema.clone())?)
}

fn wipe(dir: &PathBuf) -> Result<()> {
    std::fs::remove_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| SearchError::Task(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        let mut t = CjkTokenizer;
        let mut stream = t.token_stream(s);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn no_merge_writes_more_than_the_bound() {
        let index = Index::create_in_ram(schema().0);
        let metas = |sizes: &[u32]| -> Vec<SegmentMeta> {
            sizes.iter().map(|&n| index.new_segment_meta(SegmentId::generate_random(), n)).collect()
        };
        let docs = |metas: &[SegmentMeta], c: &MergeCandidate| -> Vec<u32> {
            c.0.iter().map(|id| metas.iter().find(|m| m.id() == *id).unwrap().max_doc()).collect()
        };
        let policy = BoundedMerges::new();
        // Eight segments of 100,000 (the log policy would merge them into one): runs of two.
        let big = metas(&[100_000; 8]);
        let runs = policy.compute_merge_candidates(&big);
        assert_eq!(runs.len(), 4);
        assert!(runs.iter().all(|r| docs(&big, r) == [100_000, 100_000]));
        // Segments over half the bound are left alone; small ones are merged as before.
        let mixed = metas(&[200_000, 200_000, 200_000, 200_000, 200_000, 200_000, 200_000, 200_000]);
        assert!(policy.compute_merge_candidates(&mixed).is_empty());
        let small = metas(&[1_000; 10]);
        let runs = policy.compute_merge_candidates(&small);
        assert_eq!(runs.len(), 1);
        assert_eq!(docs(&small, &runs[0]).iter().sum::<u32>(), 10_000);
        // Sizes close enough for one level of the log policy: runs of neighbours, none over the bound.
        let like = metas(&[80_000, 85_000, 90_000, 95_000, 100_000, 110_000, 120_000, 125_000]);
        let runs = policy.compute_merge_candidates(&like);
        assert_eq!(runs.len(), 4);
        for r in &runs {
            assert!(r.0.len() >= 2 && docs(&like, r).iter().sum::<u32>() as usize <= MAX_MERGED_DOCS);
        }
    }

    #[test]
    fn every_piece_of_up_to_four_characters_of_each_run() {
        assert_eq!(texts("路灯，坏了"), ["路", "灯", "路灯", "坏", "了", "坏了"]);
        assert_eq!(
            texts("G210国道"),
            [
                "g", "2", "g2", "1", "21", "g21", "0", "10", "210", "g210", "国", "0国", "10国", "210国", "道", "国道",
                "0国道", "10国道"
            ]
        );
        assert!(texts("，。！ ").is_empty());
    }

    #[test]
    fn a_query_word_is_one_term_up_to_four_characters() {
        assert_eq!(query_terms("减速带"), ["减速带"]);
        assert_eq!(query_terms("灯"), ["灯"]);
        assert_eq!(query_terms("木耳 基地"), ["基地", "木耳"]);
        assert_eq!(query_terms("县医院住院部"), ["医院住院", "县医院住", "院住院部"]);
        assert!(query_terms("%_").is_empty());
    }

    #[test]
    fn only_words_of_one_run_without_foreign_cased_letters_are_exact() {
        let w = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(exact(&w(&["减速带", "G210", "灯", "养老保险"])));
        assert!(!exact(&w(&[])));
        assert!(!exact(&w(&["县医院住院部"])));
        assert!(!exact(&w(&["3.5米"])));
        assert!(!exact(&w(&["木耳 基地"])));
        assert!(!exact(&w(&["Éclair"])));
    }
}
