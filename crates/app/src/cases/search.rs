//! Staff search through the index, with the scan as the fallback.

use crate::App;
use liaison_store::cases;
use std::collections::HashSet;

/// Timeline steps the committed index may lag behind before a search brings it up to date
/// instead of reading the changed cases from SQL. The follower commits every second, so this is
/// reached only when it stalls or a bulk load outruns it.
const MAX_PENDING_EVENTS: i64 = 20_000;
/// While the follower caught up this recently, the lag is not counted: a few seconds of even
/// the soak's 1,000 cases a second stay far below [`MAX_PENDING_EVENTS`].
const RECENT_CATCH_UP: std::time::Duration = std::time::Duration::from_secs(3);

/// The cases that may hold every word, newest first, at most `limit`: the committed index, plus
/// the cases changed since its last commit read from SQL, so that staff find what was written a
/// moment ago without each search committing the index. `None` when the index cannot answer (not
/// built yet, or failing), and the caller scans. The list re-reads each candidate and checks the
/// words, the reach and the filters in SQL, so a stale or loose hit never shows.
pub async fn candidates(
    app: &App,
    reach: &cases::Reach<'_>,
    words: &[String],
    statuses: &[String],
    overdue: bool,
    limit: usize,
) -> Option<Vec<i64>> {
    let index = app.search.get()?;
    if !index.ready() {
        return None;
    }
    let query = search_query(reach, words, statuses, overdue, limit);
    let started = std::time::Instant::now();
    let found = async {
        let pending = pending(app, index).await?;
        // The index and the changed cases at once.
        let (ids, changed) = tokio::join!(index.search(&query), index.changed(&app.db, &pending, words));
        let (Some(ids), mut rows) = (ids?, changed?) else { return Ok(None) };
        rows.retain(|r| reach.covers(r) && (statuses.is_empty() || statuses.contains(&r.status)));
        rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        let mut seen = HashSet::new();
        let merged: Vec<i64> = rows.iter().map(|r| r.id).chain(ids).filter(|id| seen.insert(*id)).take(limit).collect();
        Ok::<_, liaison_search::SearchError>(Some(merged))
    };
    match found.await {
        Ok(ids) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            tracing::debug!(ms, candidates = ids.as_ref().map(Vec::len), "search index answered");
            ids
        }
        Err(e) => {
            tracing::warn!(error = %e, "search index failed; scanning instead");
            None
        }
    }
}

/// The index's question for the caller's reach.
fn search_query<'a>(
    reach: &cases::Reach<'a>,
    words: &'a [String],
    statuses: &'a [String],
    overdue_only: bool,
    limit: usize,
) -> liaison_search::SearchQuery<'a> {
    liaison_search::SearchQuery {
        words,
        region_prefixes: reach.region_prefixes,
        stations: reach.stations,
        agencies: reach.agencies,
        deputies: reach.deputies,
        statuses,
        overdue_only,
        limit,
    }
}

/// What the committed index does not reflect, read before the index is searched (the search
/// then sees that commit or a later one), after bringing the index up to date if its follower
/// has fallen far behind.
async fn pending(app: &App, index: &liaison_search::CaseIndex) -> liaison_search::Result<liaison_search::Pending> {
    let pending = index.pending();
    if !index.caught_up_within(RECENT_CATCH_UP)
        && cases::last_event_id(&app.db).await? - pending.seen > MAX_PENDING_EVENTS
    {
        index.sync(&app.db).await?;
        return Ok(index.pending());
    }
    Ok(pending)
}

/// How many cases in `reach` (with one of `statuses`, if any) hold every word, and the ids of
/// the newest `limit` of them, newest first: the committed index counts and orders the cases
/// it reflects, and the cases changed since its last commit are read from SQL as they are now
/// and take their place. `None` when the index cannot answer exactly ([`liaison_search::exact`])
/// or at all, and the caller filters the candidates in SQL instead.
pub async fn newest_matches(
    app: &App,
    reach: &cases::Reach<'_>,
    words: &[String],
    statuses: &[String],
    limit: usize,
) -> Option<(i64, Vec<i64>)> {
    let index = app.search.get()?;
    if !index.ready() || !liaison_search::exact(words) {
        return None;
    }
    let started = std::time::Instant::now();
    let found = async {
        let pending = pending(app, index).await?;
        let (rows, changed) = index.changed_with_ids(&app.db, &pending, words).await?;
        let changed_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::debug!(changed_ms, changed = changed.len(), "search index read the changed cases");
        let query = search_query(reach, words, statuses, false, limit);
        let Some((indexed, hits)) = index.count_and_newest(&query, changed).await? else {
            return Ok(None);
        };
        let mut newest: Vec<(i64, i64)> = rows
            .iter()
            .filter(|r| reach.covers(r) && (statuses.is_empty() || statuses.contains(&r.status)))
            .map(|r| (r.created_at, r.id))
            .collect();
        let total = (indexed + newest.len()) as i64;
        newest.extend(hits);
        newest.sort_unstable_by(|a, b| b.cmp(a));
        newest.truncate(limit);
        Ok::<_, liaison_search::SearchError>(Some((total, newest.into_iter().map(|(_, id)| id).collect())))
    };
    match found.await {
        Ok(found) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            tracing::debug!(ms, total = found.as_ref().map(|f| f.0), "search index counted");
            found
        }
        Err(e) => {
            tracing::warn!(error = %e, "search index failed; scanning instead");
            None
        }
    }
}
