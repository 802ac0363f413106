//! The organisation: stations, deputies, agencies and grids. Saving one record (`save`) goes
//! through the same validation and all-or-nothing apply as a roster import; deactivating keeps the
//! row (`deactivate`); moving a station or deputy to another township is the county's own,
//! audited action (`move_to`).

mod current;
mod deactivate;
mod move_to;
mod save;

pub use current::{Current, current, for_edit, stations_cell};
pub use deactivate::deactivate;
pub use move_to::move_to;
pub use save::{Saved, save};

use crate::{Error, Result};
use liaison_domain::authz::{self, Action, Principal, Scope, Target};
use liaison_domain::region::RegionCode;
pub use liaison_store::org::Keyed;

/// The region subtrees in which `principal` may take `action`.
pub fn region_grants(principal: &Principal, action: Action) -> Vec<RegionCode> {
    authz::reach(principal, action)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Region(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// The region a list or a write is about: the one asked for, checked against the principal's
/// scope, or the principal's first region.
pub fn scoped_region(principal: &Principal, action: Action, asked: Option<&str>) -> Result<RegionCode> {
    let region = match asked.filter(|s| !s.trim().is_empty()) {
        Some(r) => RegionCode::parse(r).map_err(|e| Error::from(e).field("region"))?,
        None => region_grants(principal, action).into_iter().next().ok_or_else(Error::refused)?,
    };
    crate::check(principal, action, Target::Region(&region))?;
    Ok(region)
}

/// A deputy's full phone number, for staff who may see personal data; every call is audited.
/// Returns (slug, name, phone).
pub async fn deputy_contact(app: &crate::App, principal: &Principal, slug: &str) -> Result<(String, String, String)> {
    let d = liaison_store::org::deputy_by_slug(&app.db, slug).await?.ok_or(Error::NotFound)?;
    let region = RegionCode::parse(&d.data.region_code).map_err(Error::internal)?;
    crate::check(principal, Action::PersonalDataRead, Target::Region(&region))?;
    let ev = liaison_domain::audit::AuditEvent {
        county_code: d.data.county_code.clone(),
        actor: principal.actor(),
        action: "personal_data.view".into(),
        target: format!("deputy:{slug}"),
        summary: "查看代表联系电话".into(),
    };
    liaison_store::audit::record(&app.db, &ev, app.now_ms()).await?;
    Ok((d.data.slug, d.data.name, d.data.phone))
}
