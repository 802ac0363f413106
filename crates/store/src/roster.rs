//! Applying parsed rosters: names of regions, stations and deputies are resolved within the
//! county, every row is checked against the importer's scope, and then either every row is
//! written in one transaction or nothing is. Upserts are keyed by stable slugs, so importing the
//! same file again changes nothing.
//!
//! Natural keys (used to derive a slug when the file has no 标识 column):
//! station = (region code, name); deputy = (county, name, constituency); agency = (region code,
//! name); grid cell = (township code, cell code).

use crate::db::{Db, Tx};
use crate::org::{self, AgencyData, DeputyData, GridMember, Keyed, Outcome, StationData};
use crate::{Result, audit, regions};
use liaison_domain::audit::AuditEvent;
use liaison_domain::org::derive_slug;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::{CellError, Records, Refusal, RosterKind};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Counts {
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Per kind, in the order applied.
    pub counts: Vec<(RosterKind, Counts)>,
    pub errors: Vec<CellError>,
    pub applied: bool,
}

impl Report {
    pub fn changed(&self) -> bool {
        self.counts.iter().any(|(_, c)| c.created + c.updated > 0)
    }
}

/// One sheet's records.
pub struct Sheet {
    pub name: String,
    pub records: Records,
}

struct Ctx<'a> {
    county: &'a RegionCode,
    allowed: &'a [RegionCode],
    regions: Vec<regions::Region>,
    errors: Vec<CellError>,
}

impl Ctx<'_> {
    fn err(&mut self, sheet: &str, row: usize, column: &str, reason: String) {
        self.errors.push(CellError::new(sheet, row, column, reason));
    }

    /// Whether a stored region code lies in the importer's scope.
    fn reaches(&self, region: &str) -> bool {
        RegionCode::parse(region).is_ok_and(|r| self.allowed.iter().any(|a| a.contains(&r)))
    }

    fn refuse(&mut self, sheet: &str, row: usize, column: &str, reason: String, refusal: Refusal) {
        self.errors.push(CellError { refusal, ..CellError::new(sheet, row, column, reason) });
    }

    /// An upsert may change a record only where it already lives: in this county, inside the
    /// importer's scope and in the same township. Moving between townships is its own action.
    async fn check_home(
        &mut self,
        tx: &mut Tx,
        (sheet, row, column): (&str, usize, &str),
        what: Keyed,
        slug: &str,
        region: &RegionCode,
    ) -> Result<bool> {
        let Some((county, old)) = org::home_tx(tx, what, slug).await? else { return Ok(true) };
        let label = match what {
            Keyed::Station => "联络站",
            Keyed::Deputy => "代表",
            Keyed::Agency => "承办单位",
        };
        if county != self.county.county_key() {
            let reason = format!("标识“{slug}”已被其他县（区）的{label}使用，请换一个标识");
            self.refuse(sheet, row, column, reason, Refusal::Conflict);
            return Ok(false);
        }
        let old = RegionCode::parse(&old).ok().filter(|old| self.allowed.iter().any(|a| a.contains(old)));
        let Some(old) = old else {
            let reason = format!("{label}“{slug}”不在您的管辖范围内，不能修改");
            self.refuse(sheet, row, column, reason, Refusal::OutOfScope);
            return Ok(false);
        };
        if township(&old) != township(region) {
            let name = self.regions.iter().find(|r| r.code == old.as_str()).map(|r| r.name.clone());
            let reason = format!(
                "{label}“{slug}”属于{}；改到其他乡镇（街道）须由县级在“调整所属区划”中办理",
                name.unwrap_or_else(|| old.to_string())
            );
            self.refuse(sheet, row, column, reason, Refusal::Conflict);
            return Ok(false);
        }
        Ok(true)
    }

    /// A region by code or by its exact name, inside the county and the importer's scope.
    fn region(&mut self, sheet: &str, row: usize, column: &str, raw: &str) -> Option<RegionCode> {
        let raw = raw.trim();
        let found: Vec<&regions::Region> = if raw.bytes().all(|b| b.is_ascii_digit()) {
            self.regions.iter().filter(|r| r.code == raw).collect()
        } else {
            self.regions.iter().filter(|r| r.name == raw).collect()
        };
        let code = match found.as_slice() {
            [one] => RegionCode::parse(&one.code).ok()?,
            [] => {
                self.err(sheet, row, column, format!("在{}内找不到行政区划“{raw}”", self.county_name()));
                return None;
            }
            _ => {
                self.err(sheet, row, column, format!("行政区划“{raw}”有重名，请填写行政区划代码"));
                return None;
            }
        };
        if !self.allowed.iter().any(|a| a.contains(&code)) {
            self.refuse(sheet, row, column, format!("“{raw}”不在您的管辖范围内"), Refusal::OutOfScope);
            return None;
        }
        Some(code)
    }

    fn county_name(&self) -> String {
        self.regions
            .iter()
            .find(|r| r.code == self.county.as_str())
            .map(|r| r.name.clone())
            .unwrap_or_else(|| self.county.to_string())
    }
}

/// The township a region lies in (the region itself above township level).
fn township(r: &RegionCode) -> &str {
    &r.as_str()[..r.as_str().len().min(9)]
}

/// Finds one item whose slug or name is `key`; `None` with a reason when absent or ambiguous.
fn find_one<'a, T>(
    items: &'a [T],
    key: &str,
    slug: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
) -> Result<&'a T, &'static str> {
    if let Some(t) = items.iter().find(|t| slug(t) == key) {
        return Ok(t);
    }
    let named: Vec<&T> = items.iter().filter(|t| name(t) == key).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err("找不到"),
        _ => Err("有重名，请改填标识"),
    }
}

/// Validates and applies every sheet in one transaction. `allowed` are the region subtrees the
/// importer may write; `who` is (actor, audit action). A dry run validates and counts, then
/// rolls back. When any row fails, nothing is written and the report lists every error.
pub async fn apply(
    db: &Db,
    county: &RegionCode,
    allowed: &[RegionCode],
    sheets: &[Sheet],
    who: (&str, &str),
    now_ms: i64,
    dry_run: bool,
) -> Result<Report> {
    let (actor, action) = who;
    let mut tx = db.begin().await?;
    let regions = regions::subtree_tx(&mut tx, county).await?;
    let mut ctx = Ctx { county, allowed, regions, errors: vec![] };
    let mut report = Report::default();
    // Stations before the deputies and grid cells that name them.
    let order = [RosterKind::Stations, RosterKind::Agencies, RosterKind::Deputies, RosterKind::Grid];
    for kind in order {
        for sheet in sheets.iter().filter(|s| kind_of(&s.records) == kind) {
            let counts = match &sheet.records {
                Records::Stations(v) => stations(&mut tx, &mut ctx, &sheet.name, v, now_ms).await?,
                Records::Agencies(v) => agencies(&mut tx, &mut ctx, &sheet.name, v, now_ms).await?,
                Records::Deputies(v) => deputies(&mut tx, &mut ctx, &sheet.name, v, now_ms).await?,
                Records::Grid(v) => grid(&mut tx, &mut ctx, &sheet.name, v, now_ms).await?,
            };
            report.counts.push((kind, counts));
        }
    }
    report.errors = ctx.errors;
    if !report.errors.is_empty() || dry_run {
        // Dropping the transaction rolls every write back.
        return Ok(report);
    }
    if report.changed() {
        let summary = report
            .counts
            .iter()
            .map(|(k, c)| format!("{}：新增 {}，更新 {}，未变 {}", k.label(), c.created, c.updated, c.unchanged))
            .collect::<Vec<_>>()
            .join("；");
        let ev = AuditEvent {
            county_code: county.county_key(),
            actor: actor.to_owned(),
            action: action.into(),
            target: format!("region:{county}"),
            summary: format!("保存名册。{summary}"),
        };
        audit::append(&mut tx, &ev, now_ms).await?;
    }
    tx.commit().await?;
    report.applied = true;
    Ok(report)
}

fn kind_of(r: &Records) -> RosterKind {
    match r {
        Records::Stations(_) => RosterKind::Stations,
        Records::Deputies(_) => RosterKind::Deputies,
        Records::Agencies(_) => RosterKind::Agencies,
        Records::Grid(_) => RosterKind::Grid,
    }
}

async fn stations(
    tx: &mut Tx,
    ctx: &mut Ctx<'_>,
    sheet: &str,
    recs: &[liaison_domain::roster::StationRecord],
    now: i64,
) -> Result<Counts> {
    let county_key = ctx.county.county_key();
    // Resolve regions and slugs first, so parents may be named in any row order.
    let mut resolved: Vec<(usize, RegionCode, String)> = Vec::new();
    for (i, r) in recs.iter().enumerate() {
        if let Some(code) = ctx.region(sheet, r.row, "所属区划", &r.region) {
            let slug = r.slug.clone().unwrap_or_else(|| derive_slug("st", &[code.as_str(), &r.name]));
            if resolved.iter().any(|(_, _, s)| *s == slug) {
                ctx.err(sheet, r.row, "站点名称", format!("与前面的行重复：{}", r.name));
                continue;
            }
            if !ctx.check_home(tx, (sheet, r.row, "标识"), Keyed::Station, &slug, &code).await? {
                continue;
            }
            resolved.push((i, code, slug));
        }
    }
    let existing = org::stations_under_tx(tx, ctx.county.as_str()).await?;
    // (slug, name) of every station the file or the county knows.
    let mut known: Vec<(String, String)> =
        existing.iter().map(|s| (s.data.slug.clone(), s.data.name.clone())).collect();
    for (i, _, slug) in &resolved {
        if !known.iter().any(|(s, _)| s == slug) {
            known.push((slug.clone(), recs[*i].name.clone()));
        }
    }
    let mut parent_slug: HashMap<usize, Option<String>> = HashMap::new();
    for (i, _, slug) in &resolved {
        let r = &recs[*i];
        let p = match &r.parent {
            None => None,
            Some(p) => match find_one(&known, p, |k| &k.0, |k| &k.1) {
                Ok((s, _)) if s == slug => {
                    ctx.err(sheet, r.row, "上级站点", "上级站点不能是自己".into());
                    continue;
                }
                Ok((s, _)) => Some(s.clone()),
                Err(why) => {
                    ctx.err(sheet, r.row, "上级站点", format!("上级站点“{p}”{why}"));
                    continue;
                }
            },
        };
        parent_slug.insert(*i, p);
    }
    let mut counts = Counts::default();
    if !ctx.errors.is_empty() {
        return Ok(counts);
    }
    // Write parents before children: repeat passes until every row is placed.
    let mut ids: HashMap<String, i64> = existing.iter().map(|s| (s.data.slug.clone(), s.id)).collect();
    let mut pending: Vec<&(usize, RegionCode, String)> = resolved.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for item in pending {
            let (i, code, slug) = item;
            let r = &recs[*i];
            let parent_id = match parent_slug.get(i).cloned().flatten() {
                None => None,
                // A parent from the file gets its id once written; until then, wait a pass.
                Some(p) => match ids.get(&p) {
                    Some(id) => Some(*id),
                    None => {
                        rest.push(item);
                        continue;
                    }
                },
            };
            let data = StationData {
                slug: slug.clone(),
                county_code: county_key.clone(),
                region_code: code.as_str().to_owned(),
                parent_id,
                kind: r.kind.as_str().to_owned(),
                sector: r.sector.clone(),
                household_kind: r.household_kind.map(|h| h.as_str().to_owned()),
                name: r.name.clone(),
                address: r.address.clone(),
                opening_hours: r.opening_hours.clone(),
                phone: r.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
                description: r.description.clone(),
            };
            let (id, outcome) = org::upsert_station(tx, &data, now).await?;
            ids.insert(slug.clone(), id);
            counts.add(outcome);
        }
        if rest.len() == before {
            for (i, _, _) in rest {
                ctx.err(sheet, recs[*i].row, "上级站点", "上级站点关系成环".into());
            }
            break;
        }
        pending = rest;
    }
    Ok(counts)
}

async fn agencies(
    tx: &mut Tx,
    ctx: &mut Ctx<'_>,
    sheet: &str,
    recs: &[liaison_domain::roster::AgencyRecord],
    now: i64,
) -> Result<Counts> {
    let mut counts = Counts::default();
    let mut planned = Vec::new();
    for r in recs {
        if let Some(code) = ctx.region(sheet, r.row, "所属区划", &r.region) {
            let slug = r.slug.clone().unwrap_or_else(|| derive_slug("ag", &[code.as_str(), &r.name]));
            if planned.iter().any(|d: &AgencyData| d.slug == slug) {
                ctx.err(sheet, r.row, "单位名称", format!("与前面的行重复：{}", r.name));
                continue;
            }
            if !ctx.check_home(tx, (sheet, r.row, "标识"), Keyed::Agency, &slug, &code).await? {
                continue;
            }
            planned.push(AgencyData {
                slug,
                county_code: ctx.county.county_key(),
                region_code: code.as_str().to_owned(),
                name: r.name.clone(),
                kind: r.kind.as_str().to_owned(),
                phone: r.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            });
        }
    }
    if ctx.errors.is_empty() {
        for d in &planned {
            counts.add(org::upsert_agency(tx, d, now).await?.1);
        }
    }
    Ok(counts)
}

async fn deputies(
    tx: &mut Tx,
    ctx: &mut Ctx<'_>,
    sheet: &str,
    recs: &[liaison_domain::roster::DeputyRecord],
    now: i64,
) -> Result<Counts> {
    let stations = org::stations_under_tx(tx, ctx.county.as_str()).await?;
    let mut planned: Vec<(DeputyData, Vec<(i64, bool)>)> = Vec::new();
    for r in recs {
        let Some(code) = ctx.region(sheet, r.row, "所属区划", &r.region) else { continue };
        let county = ctx.county.county_key();
        let slug = r.slug.clone().unwrap_or_else(|| derive_slug("d", &[&county, &r.name, &r.constituency]));
        if planned.iter().any(|(d, _)| d.slug == slug) {
            ctx.err(sheet, r.row, "姓名", format!("与前面的行重复：{}（同名同选区请填写标识）", r.name));
            continue;
        }
        if !ctx.check_home(tx, (sheet, r.row, "标识"), Keyed::Deputy, &slug, &code).await? {
            continue;
        }
        let mut links = Vec::new();
        // Links the deputy already has may stay, wherever the station is.
        let linked = org::deputy_link_ids_tx(tx, &slug).await?;
        for (s, resident) in &r.stations {
            match find_one(&stations, s, |x| &x.data.slug, |x| &x.data.name) {
                // Linking a deputy changes the station's page too: only stations in scope.
                Ok(st) if !ctx.reaches(&st.data.region_code) && !linked.contains(&st.id) => {
                    let reason = format!("联络站“{s}”不在您的管辖范围内");
                    ctx.refuse(sheet, r.row, "所在联络站", reason, Refusal::OutOfScope);
                }
                Ok(st) => links.push((st.id, *resident)),
                Err(why) => ctx.err(sheet, r.row, "所在联络站", format!("联络站“{s}”{why}")),
            }
        }
        let levels = r.levels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(",");
        planned.push((
            DeputyData {
                slug,
                county_code: county,
                region_code: code.as_str().to_owned(),
                name: r.name.clone(),
                gender: r.gender.as_str().to_owned(),
                levels,
                term: r.term.clone(),
                constituency: r.constituency.clone(),
                occupation: r.occupation.clone(),
                duties: r.duties.clone(),
                phone: r.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            },
            links,
        ));
    }
    let mut counts = Counts::default();
    if ctx.errors.is_empty() {
        for (d, links) in &planned {
            let (id, mut outcome) = org::upsert_deputy(tx, d, now).await?;
            if org::set_deputy_stations(tx, &d.county_code, id, links).await? && outcome == Outcome::Unchanged {
                outcome = Outcome::Updated;
            }
            counts.add(outcome);
        }
    }
    Ok(counts)
}

async fn grid(
    tx: &mut Tx,
    ctx: &mut Ctx<'_>,
    sheet: &str,
    recs: &[liaison_domain::roster::GridRecord],
    now: i64,
) -> Result<Counts> {
    let deputies = org::deputies_under_tx(tx, ctx.county.as_str()).await?;
    let mut planned = Vec::new();
    for r in recs {
        let Some(code) = ctx.region(sheet, r.row, "所属乡镇（街道）", &r.region) else { continue };
        if code.as_str().len() != 9 {
            ctx.err(sheet, r.row, "所属乡镇（街道）", "网格应建在乡镇（街道）下".into());
            continue;
        }
        if planned.iter().any(|(c, rr, _): &(RegionCode, &liaison_domain::roster::GridRecord, Vec<GridMember>)| {
            *c == code && rr.code == r.code
        }) {
            ctx.err(sheet, r.row, "网格编号", format!("网格编号重复：{}", r.code));
            continue;
        }
        let mut members = Vec::new();
        for d in &r.deputies {
            match find_one(&deputies, d, |x| &x.data.slug, |x| &x.data.name) {
                Ok(dep) if !ctx.reaches(&dep.data.region_code) => {
                    let reason = format!("代表“{d}”不在您的管辖范围内");
                    ctx.refuse(sheet, r.row, "包联代表", reason, Refusal::OutOfScope);
                }
                Ok(dep) => members.push(GridMember::Deputy(dep.id)),
                Err(why) => ctx.err(sheet, r.row, "包联代表", format!("代表“{d}”{why}")),
            }
        }
        if !r.worker.is_empty() {
            members.push(GridMember::Worker {
                name: r.worker.clone(),
                phone: r.worker_phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            });
        }
        planned.push((code, r, members));
    }
    // Parents must be in the file or already stored.
    let mut counts = Counts::default();
    if !ctx.errors.is_empty() {
        return Ok(counts);
    }
    planned.sort_by_key(|(_, r, _)| r.level);
    for (code, r, members) in planned {
        let parent_id = match &r.parent {
            None => None,
            Some(p) => match org::cell_by_code_tx(tx, code.as_str(), p).await? {
                Some(cell) if cell.level < r.level => Some(cell.id),
                Some(_) => {
                    ctx.err(sheet, r.row, "上级网格编号", "上级网格的层级应高于本网格".into());
                    continue;
                }
                None => {
                    ctx.err(sheet, r.row, "上级网格编号", format!("找不到上级网格“{p}”"));
                    continue;
                }
            },
        };
        let county = ctx.county.county_key();
        let cell = org::CellData {
            county: &county,
            region: code.as_str(),
            code: &r.code,
            name: &r.name,
            level: r.level,
            parent_id,
        };
        let (id, mut outcome) = org::upsert_cell(tx, &cell, now).await?;
        if org::set_cell_members(tx, &county, id, &members).await? && outcome == Outcome::Unchanged {
            outcome = Outcome::Updated;
        }
        counts.add(outcome);
    }
    Ok(counts)
}
