//! Staff search through the index, with the scan as the fallback.

use crate::App;
use liaison_store::cases::{self, CaseRow};

/// A word search through the index, brought up to date first so that staff find what was just
/// written; `None` when the index cannot answer (not built yet, or failing), and the caller scans.
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
        index.sync(&app.db).await?;
        let Some(ids) = index.search(&query).await? else { return Ok(None) };
        let mut rows = cases::by_ids(&app.db, &ids).await?;
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
