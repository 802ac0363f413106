//! Deactivating a station, deputy or agency: the row stays (cases refer to it) but is no longer
//! shown publicly.

use super::Keyed;
use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::region::RegionCode;
use liaison_store::{audit, org};

/// Deactivates the record; deactivating it again changes and audits nothing.
pub async fn deactivate(app: &App, principal: &Principal, what: Keyed, slug: &str) -> Result<()> {
    let (id, region, county) = match what {
        Keyed::Station => {
            org::station_by_slug(&app.db, slug).await?.map(|s| (s.id, s.data.region_code, s.data.county_code))
        }
        Keyed::Deputy => {
            org::deputy_by_slug(&app.db, slug).await?.map(|s| (s.id, s.data.region_code, s.data.county_code))
        }
        Keyed::Agency => {
            org::agency_by_slug(&app.db, slug).await?.map(|s| (s.id, s.data.region_code, s.data.county_code))
        }
    }
    .ok_or(Error::NotFound)?;
    let region = RegionCode::parse(&region).map_err(Error::internal)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let changed = match what {
        Keyed::Station => org::set_station_active(&mut tx, id, false, now).await?,
        Keyed::Deputy => org::set_deputy_active(&mut tx, id, false, now).await?,
        Keyed::Agency => org::set_agency_active(&mut tx, id, false, now).await?,
    };
    if changed {
        let kind = what.as_str();
        let ev = AuditEvent {
            county_code: county,
            actor: principal.actor(),
            action: format!("{kind}.deactivate"),
            target: format!("{kind}:{slug}"),
            summary: "停用（保留记录）".into(),
        };
        audit::append(&mut tx, &ev, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
