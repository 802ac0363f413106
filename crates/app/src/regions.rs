//! The region tree: read within the reader's own part of it (their region or county, and the
//! path above it), extended by system admins within their region.

use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::region::RegionCode;
pub use liaison_store::regions::Region;
use liaison_store::{StoreError, audit, regions};

/// Refuses a region outside the principal's part of the tree.
pub fn readable(principal: &Principal, r: &RegionCode) -> Result<()> {
    match principal.account() {
        Some(a) if a.may_read_region(r) => Ok(()),
        _ => Err(Error::refused()),
    }
}

fn readable_only(principal: &Principal, rows: Vec<Region>) -> Vec<Region> {
    let Some(a) = principal.account() else { return vec![] };
    rows.into_iter().filter(|r| RegionCode::parse(&r.code).is_ok_and(|c| a.may_read_region(&c))).collect()
}

/// The children the principal may see of `parent` (the top level when `None`).
pub async fn children(app: &App, principal: &Principal, parent: Option<&RegionCode>) -> Result<Vec<Region>> {
    if let Some(p) = parent {
        readable(principal, p)?;
    }
    Ok(readable_only(principal, regions::children(&app.db, parent).await?))
}

/// One region the principal may read.
pub async fn get(app: &App, principal: &Principal, code: &RegionCode) -> Result<Region> {
    readable(principal, code)?;
    regions::get(&app.db, code).await?.ok_or(Error::NotFound)
}

/// A region for the public directory (names are public), if it exists.
pub async fn public(app: &App, code: &RegionCode) -> Result<Option<Region>> {
    Ok(regions::get(&app.db, code).await?)
}

/// A region and everything under it, for the public directory.
pub async fn subtree(app: &App, code: &RegionCode) -> Result<Vec<Region>> {
    Ok(regions::subtree(&app.db, code).await?)
}

/// Adds a region under an existing one; audited.
pub async fn create(app: &App, principal: &Principal, code: &RegionCode, name: &str) -> Result<Region> {
    crate::check(principal, Action::RegionWrite, Target::Region(code))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let region = match regions::insert(&mut tx, code, name, now).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return Err(Error::invalid("parent_missing", "上级行政区划不存在，请先添加上级").field("code"));
        }
        Err(StoreError::Conflict(_)) => {
            return Err(Error::conflict("region_exists", "该行政区划代码已存在").field("code"));
        }
        Err(e) => return Err(e.into()),
    };
    let ev = AuditEvent {
        county_code: code.county_key(),
        actor: principal.actor(),
        action: "region.create".into(),
        target: format!("region:{code}"),
        summary: format!("新增行政区划 {name}"),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(region)
}
