//! Staff search through the index, with the scan as the fallback.

use crate::App;
use liaison_store::cases::{self, CaseRow};
use std::collections::HashSet;

/// Timeline steps the committed index may lag behind before a search brings it up to date
/// instead of reading the changed cases from SQL. The follower commits every second, so this is
/// reached only when it stalls or a bulk load outruns it.
const MAX_PENDING_EVENTS: i64 = 20_000;
/// While the follower caught up this recently, the lag is not counted: a few seconds of even
/// the soak's 1,000 cases a second stay far below [`MAX_PENDING_EVENTS`].
const RECENT_CATCH_UP: std::time::Duration = std::time::Duration::from_secs(3);

/// A word search: the committed index, plus the cases changed since its last commit read from
/// SQL, so that staff find what was written a moment ago without each search committing the
/// index. `None` when the index cannot answer (not built yet, or failing), and the caller scans.
/// Each hit is checked against the stored case, so a stale or loose hit never shows.
pub async fn search(app: &App, reach: &cases::Reach<'_>, filter: &cases::Filter) -> Option<Vec<CaseRow>> {
    let index = app.search.get()?;
    if !index.ready() {
        return None;
    }
    let limit = filter.limit.clamp(1, 500) as usize;
    let query = liaison_search::SearchQuery {
        words: &filter.text,
        region_prefixes: reach.region_prefixes,
        stations: reach.stations,
        agencies: reach.agencies,
        deputies: reach.deputies,
        statuses: &filter.statuses,
        overdue_only: filter.overdue,
        limit: limit * 2 + 50,
    };
    let found = async {
        // What the committed index does not reflect, read before the index is searched: the
        // search sees that commit or a later one.
        let mut pending = index.pending();
        if !index.caught_up_within(RECENT_CATCH_UP)
            && cases::last_event_id(&app.db).await? - pending.seen > MAX_PENDING_EVENTS
        {
            index.sync(&app.db).await?;
            pending = index.pending();
        }
        // The index and the changed cases at once.
        let (ids, changed) = tokio::join!(
            index.search(&query),
            cases::changed_matching(&app.db, pending.seen, &pending.holes, &filter.text)
        );
        let (Some(ids), mut rows) = (ids?, changed?) else { return Ok(None) };
        let fresh: HashSet<i64> = rows.iter().map(|r| r.id).collect();
        let indexed: Vec<i64> = ids.into_iter().filter(|id| !fresh.contains(id)).collect();
        rows.extend(cases::by_ids(&app.db, &indexed).await?);
        rows.retain(|r| reach.covers(r) && filter.admits(r));
        rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        rows.truncate(limit);
        Ok::<_, liaison_search::SearchError>(Some(rows))
    };
    match found.await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "search index failed; scanning instead");
            None
        }
    }
}
