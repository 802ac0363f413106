//! A record's current values in the roster's fields, as an import would write them: what an edit
//! form shows, and what a save keeps for every field it does not name (so that saving a
//! station's opening hours leaves its address as it was).

use crate::{App, Error, Result};
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::org::{AgencyKind, DeputyLevel, Gender, HouseholdKind, StationKind, derive_slug};
use liaison_domain::region::RegionCode;
use liaison_domain::roster::RosterKind;
use liaison_store::{org, regions};

/// A station, deputy or agency as its fields: `(key, text)` in the roster's column order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub region: RegionCode,
    pub active: bool,
    pub fields: Vec<(&'static str, String)>,
}

impl Current {
    pub fn get(&self, key: &str) -> &str {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

/// A deputy's stations as the roster writes them: slugs, the resident one marked （驻站）, in
/// slug order, so that two writings of the same links compare equal.
pub fn stations_cell(links: &[(String, bool)]) -> String {
    let mut links = links.to_vec();
    links.sort();
    links.dedup_by(|a, b| a.0 == b.0);
    links.iter().map(|(s, r)| if *r { format!("{s}（驻站）") } else { s.clone() }).collect::<Vec<_>>().join("、")
}

/// The record of `kind` with `slug`, if it exists (whatever its county; callers check scope).
pub async fn current(app: &App, kind: RosterKind, slug: &str) -> Result<Option<Current>> {
    let label = |r: std::result::Result<&'static str, liaison_domain::Invalid>| r.unwrap_or("").to_owned();
    let parse_region = |c: &str| RegionCode::parse(c).map_err(Error::internal);
    Ok(match kind {
        RosterKind::Stations => match org::station_by_slug(&app.db, slug).await? {
            None => None,
            Some(s) => {
                let parent = match s.data.parent_id {
                    Some(id) => org::station_slug(&app.db, id).await?.unwrap_or_default(),
                    None => String::new(),
                };
                let d = s.data;
                Some(Current {
                    region: parse_region(&d.region_code)?,
                    active: s.active,
                    fields: vec![
                        ("slug", d.slug),
                        ("region", d.region_code),
                        ("name", d.name),
                        ("kind", label(StationKind::parse(&d.kind).map(|k| k.label()))),
                        ("sector", d.sector),
                        (
                            "household_kind",
                            d.household_kind
                                .as_deref()
                                .map(|h| label(HouseholdKind::parse(h).map(|k| k.label())))
                                .unwrap_or_default(),
                        ),
                        ("parent", parent),
                        ("address", d.address),
                        ("opening_hours", d.opening_hours),
                        ("phone", d.phone),
                        ("description", d.description),
                    ],
                })
            }
        },
        RosterKind::Deputies => match org::deputy_by_slug(&app.db, slug).await? {
            None => None,
            Some(x) => {
                let links = org::deputy_links(&app.db, x.id).await?;
                let d = x.data;
                let levels = d
                    .levels
                    .split(',')
                    .filter_map(|l| DeputyLevel::parse(l).ok())
                    .map(|l| l.label())
                    .collect::<Vec<_>>()
                    .join("、");
                Some(Current {
                    region: parse_region(&d.region_code)?,
                    active: x.active,
                    fields: vec![
                        ("slug", d.slug),
                        ("name", d.name),
                        ("gender", label(Gender::parse(&d.gender).map(|g| g.label()))),
                        ("levels", levels),
                        ("term", d.term),
                        ("region", d.region_code),
                        ("constituency", d.constituency),
                        ("occupation", d.occupation),
                        ("duties", d.duties),
                        ("phone", d.phone),
                        ("stations", stations_cell(&links)),
                    ],
                })
            }
        },
        RosterKind::Agencies => match org::agency_by_slug(&app.db, slug).await? {
            None => None,
            Some(a) => {
                let d = a.data;
                Some(Current {
                    region: parse_region(&d.region_code)?,
                    active: a.active,
                    fields: vec![
                        ("slug", d.slug),
                        ("region", d.region_code),
                        ("name", d.name),
                        ("kind", label(AgencyKind::parse(&d.kind).map(|k| k.label()))),
                        ("phone", d.phone),
                    ],
                })
            }
        },
        RosterKind::Grid => None,
    })
}

/// The record for an edit form: it must lie where the principal may edit.
pub async fn for_edit(app: &App, principal: &Principal, kind: RosterKind, slug: &str) -> Result<Current> {
    let c = current(app, kind, slug).await?.ok_or(Error::NotFound)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&c.region))?;
    Ok(c)
}

/// The slug a save is about: the one given, or the one the store would derive from the natural
/// key — (region, name) for stations and agencies, (county, name, constituency) for deputies —
/// with a region named by its code or its unique name in `county`.
async fn slug_of(
    app: &App,
    kind: RosterKind,
    county: &RegionCode,
    fields: &[(String, String)],
) -> Result<Option<String>> {
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim()).unwrap_or("");
    if !get("slug").is_empty() {
        return Ok(Some(get("slug").to_owned()));
    }
    let (raw_region, name) = (get("region"), get("name"));
    if raw_region.is_empty() || name.is_empty() {
        return Ok(None);
    }
    let region = match RegionCode::parse(raw_region) {
        Ok(c) => c,
        Err(_) => {
            let named: Vec<_> =
                regions::subtree(&app.db, county).await?.into_iter().filter(|r| r.name == raw_region).collect();
            match named.as_slice() {
                [one] => RegionCode::parse(&one.code).map_err(Error::internal)?,
                _ => return Ok(None),
            }
        }
    };
    Ok(match kind {
        RosterKind::Stations => Some(derive_slug("st", &[region.as_str(), name])),
        RosterKind::Agencies => Some(derive_slug("ag", &[region.as_str(), name])),
        RosterKind::Deputies => Some(derive_slug("d", &[&region.county_key(), name, get("constituency")])),
        RosterKind::Grid => None,
    })
}

/// The fields of a save with every field it does not name taken from the stored record: a save
/// changes only what it names, and an empty value clears an optional field.
pub async fn with_current(
    app: &App,
    kind: RosterKind,
    county: &RegionCode,
    fields: &[(String, String)],
) -> Result<Vec<(String, String)>> {
    let Some(slug) = slug_of(app, kind, county, fields).await? else { return Ok(fields.to_vec()) };
    let Some(cur) = current(app, kind, &slug).await? else { return Ok(fields.to_vec()) };
    let mut merged: Vec<(String, String)> = cur
        .fields
        .into_iter()
        .filter(|(k, _)| !fields.iter().any(|(f, _)| f == k))
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    merged.extend(fields.iter().cloned());
    Ok(merged)
}
