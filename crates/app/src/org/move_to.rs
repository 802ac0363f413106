//! Moving a station or deputy to another township or village of its county: the county's own
//! action (a township officer cannot take a record out of, or into, another township), audited.

use super::Keyed;
use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::region::RegionCode;
use liaison_store::{audit, org, regions};

/// Moves the record to `raw_region`; moving it where it already is changes and audits nothing.
pub async fn move_to(app: &App, principal: &Principal, what: Keyed, slug: &str, raw_region: &str) -> Result<()> {
    let (id, label, old_region, county) = match what {
        Keyed::Station => {
            org::station_by_slug(&app.db, slug).await?.map(|s| (s.id, "联络站", s.data.region_code, s.data.county_code))
        }
        Keyed::Deputy => {
            org::deputy_by_slug(&app.db, slug).await?.map(|d| (d.id, "代表", d.data.region_code, d.data.county_code))
        }
        Keyed::Agency => return Err(Error::invalid("not_movable", "承办单位不能调整所属区划").field("slug")),
    }
    .ok_or(Error::NotFound)?;
    let county = RegionCode::parse(&county).map_err(Error::internal)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&county))?;
    let region = RegionCode::parse(raw_region).map_err(|e| Error::from(e).field("region"))?;
    if !county.contains(&region) || region == county {
        return Err(Error::invalid("outside_county", "只能调整到本县（区）的乡镇（街道）或村（社区）").field("region"));
    }
    let Some(target) = regions::get(&app.db, &region).await? else {
        return Err(Error::invalid("unknown_region", "行政区划不存在").field("region"));
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if org::move_tx(&mut tx, what, id, region.as_str(), now).await?.is_some() {
        let kind = what.as_str();
        let ev = AuditEvent {
            county_code: county.county_key(),
            actor: principal.actor(),
            action: format!("{kind}.move"),
            target: format!("{kind}:{slug}"),
            summary: format!("{label}所属区划由 {old_region} 调整为 {}（{}）", region, target.name),
        };
        audit::append(&mut tx, &ev, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
