//! Exporting what a region holds in the roster columns, so that an export can be edited and
//! imported again.

use liaison_domain::org::{DeputyLevel, StationKind};
use liaison_domain::phone::mask_phone;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::RosterKind;
use liaison_sheets::SheetOut;
use liaison_store::{Db, StoreError, org};
use std::collections::HashMap;

/// One kind's rows under a region, in the import columns. Phones are masked unless `unmasked`.
pub async fn export_rows(
    db: &Db,
    region: &RegionCode,
    kind: RosterKind,
    unmasked: bool,
) -> Result<Vec<Vec<String>>, StoreError> {
    let phone = |p: &str| if unmasked || p.is_empty() { p.to_owned() } else { mask_phone(p) };
    let prefix = region.as_str();
    Ok(match kind {
        RosterKind::Stations => {
            let stations = org::stations_under(db, prefix, false).await?;
            let by_id: HashMap<i64, String> = stations.iter().map(|s| (s.id, s.data.name.clone())).collect();
            stations
                .iter()
                .map(|s| {
                    let d = &s.data;
                    vec![
                        d.slug.clone(),
                        d.region_code.clone(),
                        d.name.clone(),
                        StationKind::parse(&d.kind).map(|k| k.label().to_owned()).unwrap_or_default(),
                        d.sector.clone(),
                        d.household_kind
                            .as_deref()
                            .and_then(|h| liaison_domain::org::HouseholdKind::parse(h).ok())
                            .map(|h| h.label().to_owned())
                            .unwrap_or_default(),
                        d.parent_id.and_then(|p| by_id.get(&p).cloned()).unwrap_or_default(),
                        d.address.clone(),
                        d.opening_hours.clone(),
                        d.phone.clone(),
                        d.description.clone(),
                    ]
                })
                .collect()
        }
        RosterKind::Deputies => {
            let deputies = org::deputies_under(db, prefix, false).await?;
            let stations: HashMap<String, String> =
                org::stations_under(db, prefix, true).await?.into_iter().map(|s| (s.data.slug, s.data.name)).collect();
            let mut links: HashMap<String, Vec<String>> = HashMap::new();
            for (station, deputy, resident) in org::links_under(db, prefix).await? {
                let name = stations.get(&station).cloned().unwrap_or(station);
                links.entry(deputy).or_default().push(if resident { format!("{name}（驻站）") } else { name });
            }
            deputies
                .iter()
                .map(|x| {
                    let d = &x.data;
                    let levels = d
                        .levels
                        .split(',')
                        .filter_map(|l| DeputyLevel::parse(l).ok())
                        .map(|l| l.label())
                        .collect::<Vec<_>>()
                        .join("、");
                    vec![
                        d.slug.clone(),
                        d.name.clone(),
                        liaison_domain::org::Gender::parse(&d.gender).map(|g| g.label().to_owned()).unwrap_or_default(),
                        levels,
                        d.term.clone(),
                        d.region_code.clone(),
                        d.constituency.clone(),
                        d.occupation.clone(),
                        d.duties.clone(),
                        phone(&d.phone),
                        links.get(&d.slug).map(|l| l.join("、")).unwrap_or_default(),
                    ]
                })
                .collect()
        }
        RosterKind::Agencies => org::agencies_under(db, prefix, false)
            .await?
            .into_iter()
            .map(|a| {
                let kind = liaison_domain::org::AgencyKind::parse(&a.data.kind)
                    .map(|k| k.label().to_owned())
                    .unwrap_or_default();
                vec![a.data.slug, a.data.region_code, a.data.name, kind, a.data.phone]
            })
            .collect(),
        RosterKind::Grid => {
            let cells = org::cells_under(db, prefix).await?;
            let codes: HashMap<i64, String> = cells.iter().map(|c| (c.cell.id, c.cell.code.clone())).collect();
            cells
                .iter()
                .map(|c| {
                    let worker = c.workers.first().cloned().unwrap_or_default();
                    vec![
                        c.cell.region_code.clone(),
                        c.cell.code.clone(),
                        c.cell.name.clone(),
                        c.cell.level.to_string(),
                        c.cell.parent_id.and_then(|p| codes.get(&p).cloned()).unwrap_or_default(),
                        c.deputies.iter().map(|d| d.0.clone()).collect::<Vec<_>>().join("、"),
                        worker.0,
                        phone(&worker.1),
                    ]
                })
                .collect()
        }
    })
}

/// A workbook with one sheet per kind.
pub async fn export_xlsx(
    db: &Db,
    region: &RegionCode,
    kinds: &[RosterKind],
    unmasked: bool,
) -> Result<Vec<u8>, StoreError> {
    let mut data = Vec::new();
    for k in kinds {
        data.push((*k, k.headers(), export_rows(db, region, *k, unmasked).await?));
    }
    let sheets: Vec<SheetOut<'_>> =
        data.iter().map(|(k, h, rows)| SheetOut { name: k.label(), headers: h, rows }).collect();
    liaison_sheets::write_xlsx(&sheets).map_err(StoreError::Migration)
}
