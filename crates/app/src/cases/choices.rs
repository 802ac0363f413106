//! What staff pick from when they record a case: the stations, deputies and regions their grants
//! let them record for, by name, so that nobody types a slug or a region code. A station's staff
//! get their station, its deputies and its township; a deputy gets themself, their stations and
//! their township; township officers and supervisors everything under their region.

use crate::{App, Result};
use liaison_domain::authz::{self, Action, Principal, Scope};
use liaison_domain::region::RegionCode;
use liaison_store::{org, regions};
use std::collections::{HashMap, HashSet};

/// One thing to pick: its key (slug or code), its name, and the township it lies in (for
/// grouping a long list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub key: String,
    pub name: String,
    pub group: String,
}

#[derive(Debug, Clone, Default)]
pub struct IntakeChoices {
    pub stations: Vec<Choice>,
    pub deputies: Vec<Choice>,
    pub regions: Vec<Choice>,
    /// The station or deputy the principal's own grant names, to preselect.
    pub own_station: Option<String>,
    pub own_deputy: Option<String>,
}

/// The township (or the region itself when above it) a region code lies in.
fn township_of(code: &str) -> &str {
    code.get(..9).unwrap_or(code)
}

/// The choices of the principal's intake form, within the scopes where it may write cases.
pub async fn intake_choices(app: &App, principal: &Principal) -> Result<IntakeChoices> {
    let mut out = IntakeChoices::default();
    let mut stations = Vec::new();
    let mut deputies = Vec::new();
    let mut region_roots: Vec<String> = Vec::new();
    for scope in authz::reach(principal, Action::CaseWrite) {
        match scope {
            Scope::Region(r) => {
                stations.extend(org::stations_under(&app.db, r.as_str(), false).await?);
                deputies.extend(org::deputies_under(&app.db, r.as_str(), false).await?);
                region_roots.push(r.as_str().to_owned());
            }
            Scope::Station(slug) => {
                if let Some(s) = org::station_by_slug(&app.db, slug).await?.filter(|s| s.active) {
                    deputies.extend(
                        org::station_deputies(&app.db, s.id).await?.into_iter().map(|(d, _)| d).filter(|d| d.active),
                    );
                    region_roots.push(township_of(&s.data.region_code).to_owned());
                    out.own_station.get_or_insert_with(|| s.data.slug.clone());
                    stations.push(s);
                }
            }
            Scope::Deputy(slug) => {
                if let Some(d) = org::deputy_by_slug(&app.db, slug).await?.filter(|d| d.active) {
                    stations.extend(
                        org::deputy_stations(&app.db, d.id).await?.into_iter().map(|(s, _)| s).filter(|s| s.active),
                    );
                    region_roots.push(township_of(&d.data.region_code).to_owned());
                    out.own_deputy.get_or_insert_with(|| d.data.slug.clone());
                    deputies.push(d);
                }
            }
            Scope::Agency(_) => {}
        }
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    region_roots.sort();
    region_roots.dedup();
    for root in &region_roots {
        let Ok(code) = RegionCode::parse(root) else { continue };
        for r in regions::subtree(&app.db, &code).await? {
            names.insert(r.code.clone(), r.name.clone());
            if seen.insert(r.code.clone()) {
                out.regions.push(Choice { key: r.code.clone(), name: r.name, group: township_of(&r.code).to_owned() });
            }
        }
    }
    // A township's villages are grouped under it; the county and townships themselves come first.
    let group_name = |code: &str| names.get(township_of(code)).cloned().unwrap_or_default();
    for c in &mut out.regions {
        c.group = if c.key.len() <= 9 { String::new() } else { group_name(&c.key) };
    }
    for s in stations {
        if seen.insert(format!("station:{}", s.data.slug)) {
            out.stations.push(Choice { group: group_name(&s.data.region_code), key: s.data.slug, name: s.data.name });
        }
    }
    for d in deputies {
        if seen.insert(format!("deputy:{}", d.data.slug)) {
            out.deputies.push(Choice { group: group_name(&d.data.region_code), key: d.data.slug, name: d.data.name });
        }
    }
    out.stations.sort_by(|a, b| a.group.cmp(&b.group).then(a.name.cmp(&b.name)));
    out.deputies.sort_by(|a, b| a.group.cmp(&b.group).then(a.name.cmp(&b.name)));
    Ok(out)
}
