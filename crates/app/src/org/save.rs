//! Creating or updating one station, deputy or agency from its fields (the roster column keys),
//! with the validation and the scope checks of a roster import: a record is changed only where
//! it lives, never moved to another county or township by a save.

use super::{region_grants, scoped_region};
use crate::{App, Error, Result};
use liaison_domain::authz::{Action, Principal};
use liaison_domain::region::RegionCode;
use liaison_domain::roster::{self, RawCell, RawRow, Records, Refusal, RosterKind};
use liaison_store::roster as store_roster;

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    /// Updated, or unchanged.
    Updated,
}

/// Turns the fields into one roster row, so that single edits and imports share one validation.
fn one_row(kind: RosterKind, fields: &[(String, String)]) -> Result<Records> {
    let cols = kind.columns();
    if let Some((k, _)) = fields.iter().find(|(k, _)| !cols.iter().any(|c| c.key == k)) {
        return Err(Error::invalid("unknown_field", format!("未知字段：{k}")).field(k.clone()));
    }
    let headers: Vec<String> = cols.iter().map(|c| c.key.to_owned()).collect();
    let cells = cols
        .iter()
        .map(|c| {
            let text = fields.iter().find(|(k, _)| k == c.key).map(|(_, v)| v.clone()).unwrap_or_default();
            RawCell { text, formula: false }
        })
        .collect();
    roster::parse(kind, "api", &headers, &[RawRow { number: 1, cells }]).map_err(|errs| {
        let e = &errs[0];
        let key = cols.iter().find(|c| c.header == e.column).map(|c| c.key).unwrap_or("");
        Error::invalid("invalid_field", e.reason.clone()).field(key)
    })
}

/// The county a write lands in: the county of the row's region (a code), else the principal's.
fn county_for(principal: &Principal, fields: &[(String, String)]) -> Result<RegionCode> {
    let raw = fields.iter().find(|(k, _)| k == "region").map(|(_, v)| v.as_str()).unwrap_or("");
    if let Ok(code) = RegionCode::parse(raw)
        && let Some(c) = code.county()
    {
        return Ok(c);
    }
    let region = scoped_region(principal, Action::OrgWrite, None)?;
    region.county().ok_or_else(|| Error::invalid("county_required", "请填写县级以下的行政区划代码").field("region"))
}

/// Saves one record of `kind` from its fields; audited as `station.save`, `deputie.save`…
/// Updating an existing record (named by its slug or natural key) changes only the fields given:
/// the others keep their stored values, and an empty value clears an optional field.
pub async fn save(app: &App, principal: &Principal, kind: RosterKind, fields: &[(String, String)]) -> Result<Saved> {
    if let Some((k, _)) = fields.iter().find(|(k, _)| !kind.columns().iter().any(|c| c.key == k)) {
        return Err(Error::invalid("unknown_field", format!("未知字段：{k}")).field(k.clone()));
    }
    let fields = &super::current::with_current(app, kind, &county_for(principal, fields)?, fields).await?;
    // The record's own county, once its stored region is known.
    let county = county_for(principal, fields)?;
    let records = one_row(kind, fields)?;
    let allowed = region_grants(principal, Action::OrgWrite);
    if !allowed.iter().any(|a| a.contains(&county) || county.contains(a)) {
        return Err(Error::refused());
    }
    let sheets = [store_roster::Sheet { name: "api".into(), records }];
    let action = format!("{}.save", kind.as_str().trim_end_matches('s'));
    let who = (principal.actor(), action);
    let report =
        store_roster::apply(&app.db, &county, &allowed, &sheets, (&who.0, &who.1), app.now_ms(), false).await?;
    if let Some(e) = report.errors.first() {
        let key = kind.columns().iter().find(|c| c.header == e.column).map(|c| c.key).unwrap_or("");
        return Err(match e.refusal {
            Refusal::OutOfScope => Error::refused_because(e.reason.clone()),
            Refusal::Conflict => Error::conflict("slug_elsewhere", e.reason.clone()).field(key),
            Refusal::Invalid => Error::invalid("invalid_field", e.reason.clone()).field(key),
        });
    }
    let created = report.counts.iter().any(|(_, c)| c.created > 0);
    Ok(if created { Saved::Created } else { Saved::Updated })
}
