//! The organisation as read for the public directory (county list, station wall, deputy page,
//! QR codes) and the staff lists. Reads only; the callers check the reader's scope first.

use crate::{App, Result};
use liaison_domain::ids::{DeputyId, StationId};
use liaison_store::org;
pub use liaison_store::org::{Agency, CellView, Deputy, Station};

/// Stations whose region lies under `region_prefix`.
pub async fn stations_under(app: &App, region_prefix: &str, include_inactive: bool) -> Result<Vec<Station>> {
    Ok(org::stations_under(&app.db, region_prefix, include_inactive).await?)
}

/// Deputies whose region lies under `region_prefix`.
pub async fn deputies_under(app: &App, region_prefix: &str, include_inactive: bool) -> Result<Vec<Deputy>> {
    Ok(org::deputies_under(&app.db, region_prefix, include_inactive).await?)
}

/// Agencies whose region lies under `region_prefix`.
pub async fn agencies_under(app: &App, region_prefix: &str, include_inactive: bool) -> Result<Vec<Agency>> {
    Ok(org::agencies_under(&app.db, region_prefix, include_inactive).await?)
}

/// An active station by its slug.
pub async fn agency(app: &App, slug: &str) -> Result<Option<Agency>> {
    Ok(org::agency_by_slug(&app.db, slug).await?)
}

pub async fn station(app: &App, slug: &str) -> Result<Option<Station>> {
    Ok(org::station_by_slug(&app.db, slug).await?.filter(|s| s.active))
}

/// An active deputy by their slug.
pub async fn deputy(app: &App, slug: &str) -> Result<Option<Deputy>> {
    Ok(org::deputy_by_slug(&app.db, slug).await?.filter(|d| d.active))
}

/// A station's deputies, with whether each is resident (驻站).
pub async fn station_deputies(app: &App, station: StationId) -> Result<Vec<(Deputy, bool)>> {
    Ok(org::station_deputies(&app.db, station.get()).await?)
}

/// A deputy's stations, with whether they are resident there.
pub async fn deputy_stations(app: &App, deputy: DeputyId) -> Result<Vec<(Station, bool)>> {
    Ok(org::deputy_stations(&app.db, deputy.get()).await?)
}

/// The grid cells under a region, with their deputies and workers.
pub async fn cells_under(app: &App, region_prefix: &str) -> Result<Vec<CellView>> {
    Ok(org::cells_under(&app.db, region_prefix).await?)
}
