//! Staff search through the index, with the scan as the fallback.

use crate::App;
use liaison_store::cases;

/// The cases that may hold every word, newest first, at most `limit`, from the index brought up
/// to date first so that staff find what was just written; `None` when the index cannot answer
/// (not built yet, or failing), and the caller scans. The list re-reads each candidate and checks
/// the words, the reach and the filters in SQL, so a stale or loose hit never shows.
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
    let query = liaison_search::SearchQuery {
        words,
        region_prefixes: reach.region_prefixes,
        stations: reach.stations,
        agencies: reach.agencies,
        deputies: reach.deputies,
        statuses,
        overdue_only: overdue,
        limit,
    };
    let started = std::time::Instant::now();
    let found = async {
        index.sync(&app.db).await?;
        index.search(&query).await
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
