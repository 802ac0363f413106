//! Points rules (积分办法) and what they give: versions per county (or township), entered in the
//! pages or imported from a spreadsheet; each deputy's points and progress toward targets for a
//! year, always scored by the set in force on each entry's date; the township's list of deputies
//! behind their targets, with a reminder through the outbox.
//!
//! A set is never edited: a new version starting on a later day than today ends the open one the
//! day before, so nothing already scored changes. Any other overlap of periods is refused.

use crate::{App, Error, Result};
use chrono::{Datelike, Duration, NaiveDate};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target as AuthTarget};
use liaison_domain::points::{self, Item, Per, Progress, RuleSet, Scored, Target};
use liaison_domain::reception::parse_date;
use liaison_domain::region::{RegionCode, RegionLevel};
use liaison_domain::register::DutyKind;
use liaison_store::org::{self, Deputy};
use liaison_store::points::{self as store, NewSet, RuleSetRow};
use liaison_store::{audit, outbox};

/// A set as stored, with its scope.
#[derive(Debug, Clone)]
pub struct Stored {
    pub set: RuleSet,
    pub county_code: String,
    pub created_by: String,
}

fn date(raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(Error::internal)
}

fn from_row(r: RuleSetRow) -> Result<Stored> {
    let set = RuleSet {
        id: r.id,
        name: r.name,
        township: Some(r.township_code).filter(|t| !t.is_empty()),
        from: date(&r.effective_from)?,
        to: r.effective_to.as_deref().map(date).transpose()?,
        term_from: r.term_from.as_deref().map(date).transpose()?,
        items: serde_json::from_str(&r.items).map_err(Error::internal)?,
        targets: serde_json::from_str(&r.targets).map_err(Error::internal)?,
    };
    Ok(Stored { set, county_code: r.county_code, created_by: r.created_by })
}

/// Every set of a county (no check: for scoring, which shows only a deputy's own points).
pub(crate) async fn county_sets(app: &App, county: &str) -> Result<Vec<RuleSet>> {
    store::of_county(&app.db, county).await?.into_iter().map(|r| from_row(r).map(|s| s.set)).collect()
}

/// A deputy's levels in words (县人大代表、乡镇人大代表), from the stored comma-separated codes.
pub fn levels_label(levels: &str) -> String {
    levels
        .split(',')
        .filter_map(|l| liaison_domain::org::DeputyLevel::parse(l).ok())
        .map(|l| l.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// The township a region lies in ('' for a county-level region).
pub fn township_of(region: &str) -> &str {
    if region.len() >= 9 { &region[..9] } else { "" }
}

/// The sets a principal may read under `region` (default: their first region): the county's
/// own, and those of the townships within the region, by scope and date.
pub async fn list(app: &App, principal: &Principal, region: Option<&str>) -> Result<(RegionCode, Vec<Stored>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    let county = region.county_key();
    let sets = store::of_county(&app.db, &county)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|s| match &s.set.township {
            None => true,
            Some(t) => t.starts_with(region.as_str()) || region.as_str().starts_with(t.as_str()),
        })
        .collect();
    Ok((region, sets))
}

/// One set, for whoever may read its county or township.
pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<Stored> {
    let s = store::get(&app.db, id).await?.ok_or(Error::NotFound).and_then(from_row)?;
    let scope = s.set.township.clone().unwrap_or_else(|| s.county_code.clone());
    let region = RegionCode::parse(&scope).map_err(Error::internal)?;
    if crate::check(principal, Action::OrgRead, AuthTarget::Region(&region)).is_err() {
        // A township officer reads the county's sets that apply to their township.
        let county = RegionCode::parse(&s.county_code).map_err(Error::internal)?;
        let under = crate::org::region_grants(principal, Action::OrgRead).into_iter().any(|g| county.contains(&g));
        if s.set.township.is_some() || !under {
            return Err(Error::refused());
        }
    }
    Ok(s)
}

/// A set as entered in a form, an import or the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SetInput {
    pub name: String,
    /// A township's code for a set of that township alone; empty for the county.
    #[serde(default)]
    pub township: String,
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub term_from: String,
    pub items: Vec<Item>,
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// Adds a version of the points rules for the county of `region` (or the township `township`):
/// the county for county sets, the township (or county) for a township's. Refused when its period
/// overlaps another set of the same scope, except the open set it follows, which then ends the day
/// before it begins (only for a start after today, so that nothing scored already changes).
pub async fn create(app: &App, principal: &Principal, region: Option<&str>, i: SetInput) -> Result<i64> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, region)?;
    let county = region.county().ok_or_else(Error::refused)?;
    let township = i.township.trim().to_string();
    let scope = if township.is_empty() {
        county.clone()
    } else {
        let t = RegionCode::parse(&township).map_err(|e| Error::from(e).field("township"))?;
        // Another county's township is refused as such, before anything is said of it.
        crate::check(principal, Action::OrgWrite, AuthTarget::Region(&t))?;
        if t.level() != RegionLevel::Township || !county.contains(&t) {
            return Err(Error::invalid("invalid_township", "适用乡镇应为本县的乡镇（街道）").field("township"));
        }
        t
    };
    crate::check(principal, Action::OrgWrite, AuthTarget::Region(&scope))?;
    let set = RuleSet {
        id: 0,
        name: i.name.trim().to_string(),
        township: Some(township.clone()).filter(|t| !t.is_empty()),
        from: parse_date("from", &i.from).map_err(|e| Error::from(e).field("from"))?,
        to: optional_date("to", &i.to)?,
        term_from: optional_date("term_from", &i.term_from)?,
        items: i.items,
        targets: i.targets,
    };
    set.check()?;
    let today = app.today();
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let same: Vec<Stored> = store::of_county_tx(&mut tx, county.as_str())
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|s| s.set.township == set.township)
        .collect();
    let mut ends = None;
    for s in same.iter().filter(|s| s.set.overlaps(&set)) {
        let follows = s.set.to.is_none() && s.set.from < set.from && set.from > today && ends.is_none();
        if !follows {
            let period = match s.set.to {
                Some(to) => format!("{} 至 {}", s.set.from, to),
                None => format!("{} 起", s.set.from),
            };
            let why = if s.set.to.is_none() && s.set.from < set.from {
                "新版本只能从明天或以后施行，已计的积分不会改变".to_string()
            } else {
                "同一范围内的规则施行期不能重叠".to_string()
            };
            return Err(
                Error::conflict("overlap", format!("与“{}”（{period}）的施行期重叠：{why}", s.set.name)).field("from")
            );
        }
        ends = Some(s);
    }
    if let Some(prev) = ends {
        store::end(&mut tx, prev.set.id, &(set.from - Duration::days(1)).to_string(), now).await?;
    }
    let items = serde_json::to_string(&set.items).map_err(Error::internal)?;
    let targets = serde_json::to_string(&set.targets).map_err(Error::internal)?;
    let id = store::insert(
        &mut tx,
        &NewSet {
            county_code: county.as_str(),
            township_code: &township,
            name: &set.name,
            effective_from: &set.from.to_string(),
            effective_to: set.to.map(|d| d.to_string()).as_deref(),
            term_from: set.term_from.map(|d| d.to_string()).as_deref(),
            items: &items,
            targets: &targets,
            created_by: &actor,
        },
        now,
    )
    .await?;
    let summary = match ends {
        Some(prev) => format!("积分规则“{}”自 {} 起施行；“{}”施行至前一日", set.name, set.from, prev.set.name),
        None => format!("积分规则“{}”自 {} 起施行", set.name, set.from),
    };
    let ev = AuditEvent {
        county_code: county.county_key(),
        actor,
        action: "points_rules.create".into(),
        target: format!("points_rules:{id}"),
        summary,
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

fn optional_date(field: &'static str, raw: &str) -> Result<Option<NaiveDate>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    parse_date(field, raw).map(Some).map_err(|e| Error::from(e).field(field))
}

const SHEET_RULE: &str = "规则";
const SHEET_ITEMS: &str = "计分项目";
const SHEET_TARGETS: &str = "履职目标";

/// A set as a workbook of three sheets (the rule, its items, its targets), read back by [`import`].
pub fn export(s: &RuleSet) -> Result<Vec<u8>> {
    let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rule = vec![
        vec!["名称".to_string(), s.name.clone()],
        vec!["适用乡镇代码".into(), s.township.clone().unwrap_or_default()],
        vec!["施行日期".into(), s.from.to_string()],
        vec!["截止日期".into(), opt(s.to)],
        vec!["本届起始日期".into(), opt(s.term_from)],
    ];
    let cap = |c: Option<i32>| c.map(|c| c.to_string()).unwrap_or_default();
    let items: Vec<Vec<String>> = s
        .items
        .iter()
        .map(|i| vec![i.kind.label().into(), i.points.to_string(), cap(i.month_cap), cap(i.year_cap)])
        .collect();
    let targets: Vec<Vec<String>> =
        s.targets.iter().map(|t| vec![t.kind.label().into(), t.per.label().into(), t.min.to_string()]).collect();
    liaison_sheets::write_xlsx(&[
        liaison_sheets::SheetOut { name: SHEET_RULE, headers: &["项目", "内容"], rows: &rule },
        liaison_sheets::SheetOut {
            name: SHEET_ITEMS,
            headers: &["履职类别", "每次分值", "每月上限（分）", "每年上限（分）"],
            rows: &items,
        },
        liaison_sheets::SheetOut {
            name: SHEET_TARGETS, headers: &["履职类别", "周期", "至少次数"], rows: &targets
        },
    ])
    .map_err(Error::internal)
}

fn sheet_error(sheet: &str, row: usize, message: impl std::fmt::Display) -> Error {
    Error::invalid("invalid_sheet", format!("工作表“{sheet}”第 {row} 行：{message}")).field("file")
}

/// Reads a workbook written by [`export`] (or filled in by hand in its layout) into a set.
pub fn import(bytes: &[u8]) -> Result<SetInput> {
    let tables =
        liaison_sheets::read(bytes).map_err(|e| Error::invalid("invalid_file", e.to_string()).field("file"))?;
    let find = |name: &str| tables.iter().find(|t| t.sheet.trim() == name);
    let Some(rule) = find(SHEET_RULE) else {
        return Err(Error::invalid("invalid_file", format!("缺少工作表“{SHEET_RULE}”（请先导出一份规则作为模板）"))
            .field("file"));
    };
    let items = find(SHEET_ITEMS)
        .ok_or_else(|| Error::invalid("invalid_file", format!("缺少工作表“{SHEET_ITEMS}”")).field("file"))?;
    let cell =
        |r: &liaison_sheets::Row, i: usize| r.cells.get(i).map(|c| c.text.trim().to_string()).unwrap_or_default();
    let mut input = SetInput::default();
    for r in &rule.rows {
        let v = cell(r, 1);
        match cell(r, 0).as_str() {
            "名称" => input.name = v,
            "适用乡镇代码" => input.township = v,
            "施行日期" => input.from = v,
            "截止日期" => input.to = v,
            "本届起始日期" => input.term_from = v,
            "" => {}
            other => return Err(sheet_error(SHEET_RULE, r.number, format!("不认识的项目“{other}”"))),
        }
    }
    let number = |sheet: &str, r: &liaison_sheets::Row, i: usize, what: &str| -> Result<Option<i32>> {
        let v = cell(r, i);
        // The export writes every cell as text, a leading minus behind an apostrophe.
        let v = v.strip_prefix('\'').unwrap_or(&v).trim().to_string();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i32>().map(Some).map_err(|_| sheet_error(sheet, r.number, format!("{what}应为整数，而不是“{v}”")))
    };
    for r in items.rows.iter().filter(|r| !cell(r, 0).is_empty()) {
        let kind = DutyKind::parse(&cell(r, 0))
            .ok_or_else(|| sheet_error(SHEET_ITEMS, r.number, format!("不认识的履职类别“{}”", cell(r, 0))))?;
        let points = number(SHEET_ITEMS, r, 1, "每次分值")?
            .ok_or_else(|| sheet_error(SHEET_ITEMS, r.number, "请填写每次分值"))?;
        input.items.push(Item {
            kind,
            points,
            month_cap: number(SHEET_ITEMS, r, 2, "每月上限")?,
            year_cap: number(SHEET_ITEMS, r, 3, "每年上限")?,
        });
    }
    if let Some(targets) = find(SHEET_TARGETS) {
        for r in targets.rows.iter().filter(|r| !cell(r, 0).is_empty()) {
            let kind = DutyKind::parse(&cell(r, 0))
                .ok_or_else(|| sheet_error(SHEET_TARGETS, r.number, format!("不认识的履职类别“{}”", cell(r, 0))))?;
            let per = Per::parse(&cell(r, 1))
                .ok_or_else(|| sheet_error(SHEET_TARGETS, r.number, "周期应为“每年”或“每届”"))?;
            let min = number(SHEET_TARGETS, r, 2, "至少次数")?
                .filter(|n| *n >= 0)
                .ok_or_else(|| sheet_error(SHEET_TARGETS, r.number, "请填写至少次数"))?;
            input.targets.push(Target { kind, per, min: min as u32 });
        }
    }
    Ok(input)
}

/// A deputy's year, scored: each confirmed entry with its points, totals by kind, and progress
/// toward the targets of the set in force at the year's end (or today, in the current year).
#[derive(Debug, Clone)]
pub struct Year {
    pub year: i32,
    /// (entry, what it scored), by date.
    pub entries: Vec<(liaison_store::register::EntryRow, Scored)>,
    /// (kind, count, points), in the register's order of kinds, kinds with entries only.
    pub by_kind: Vec<(DutyKind, usize, i32)>,
    pub total: i32,
    pub progress: Vec<Progress>,
    /// The sets the year was scored by, by date.
    pub sets: Vec<RuleSet>,
}

/// Scores deputy `d`'s confirmed entries of `year` with the county's sets `sets`. `term` holds
/// the deputy's confirmed (kind, date) since the term began, for targets counted per term.
pub fn score_year(
    d: &Deputy,
    year: i32,
    confirmed: Vec<liaison_store::register::EntryRow>,
    term: &[(DutyKind, NaiveDate)],
    sets: &[RuleSet],
    today: NaiveDate,
) -> Year {
    let township = township_of(&d.data.region_code);
    let mut rows: Vec<_> = confirmed.into_iter().filter(|e| e.status == "confirmed").collect();
    rows.sort_by(|a, b| (a.done_on.as_str(), a.id).cmp(&(b.done_on.as_str(), b.id)));
    let keyed: Vec<(DutyKind, NaiveDate)> = rows
        .iter()
        .filter_map(|e| Some((DutyKind::parse(&e.kind)?, NaiveDate::parse_from_str(&e.done_on, "%Y-%m-%d").ok()?)))
        .collect();
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|e| DutyKind::parse(&e.kind).is_some() && NaiveDate::parse_from_str(&e.done_on, "%Y-%m-%d").is_ok())
        .collect();
    let scored = points::score(&keyed, sets, township);
    let by_kind = DutyKind::ALL
        .iter()
        .filter_map(|k| {
            let mine: Vec<_> = keyed.iter().zip(&scored).filter(|((kk, _), _)| kk == k).collect();
            (!mine.is_empty()).then(|| (*k, mine.len(), mine.iter().map(|(_, s)| s.points).sum()))
        })
        .collect();
    let total = scored.iter().map(|s| s.points).sum();
    let end = year_end(year, today);
    let progress =
        points::in_force(sets, township, end).map(|s| points::progress(s, term, year, end)).unwrap_or_default();
    let mut used: Vec<i64> = scored.iter().filter_map(|s| s.rule_set).collect();
    used.dedup();
    if let Some(s) = points::in_force(sets, township, end)
        && !used.contains(&s.id)
    {
        used.push(s.id);
    }
    let sets = used.iter().filter_map(|id| sets.iter().find(|s| s.id == *id).cloned()).collect();
    Year { year, entries: rows.into_iter().zip(scored).collect(), by_kind, total, progress, sets }
}

/// The day a year's targets are measured on: its last day once it is over, else today (or its
/// first day, for a year still to come).
fn year_end(year: i32, today: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    today.clamp(first, last)
}

/// The first day counted for a deputy's targets in `year`: the earliest term start of the sets in
/// force during the year, or the year's first day.
fn counted_from(sets: &[RuleSet], year: i32) -> NaiveDate {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    sets.iter().filter_map(|s| s.term_from).filter(|t| *t < jan1).min().unwrap_or(jan1)
}

/// Deputy `d`'s scored year, read from the store (the caller has checked access).
pub async fn year_of(app: &App, d: &Deputy, year: i32) -> Result<Year> {
    let sets = county_sets(app, &d.data.county_code).await?;
    let from = counted_from(&sets, year);
    let rows = liaison_store::register::of_deputy(&app.db, d.id, &from.to_string(), &format!("{year}-12-31")).await?;
    let confirmed: Vec<_> = rows.into_iter().filter(|e| e.status == "confirmed").collect();
    let term: Vec<(DutyKind, NaiveDate)> = confirmed
        .iter()
        .filter_map(|e| Some((DutyKind::parse(&e.kind)?, NaiveDate::parse_from_str(&e.done_on, "%Y-%m-%d").ok()?)))
        .collect();
    let this_year: Vec<_> = confirmed.into_iter().filter(|e| e.done_on.starts_with(&format!("{year}-"))).collect();
    Ok(score_year(d, year, this_year, &term, &sets, app.today()))
}

/// A deputy's scored year, for whoever may read the deputy's register.
pub async fn deputy_year(app: &App, principal: &Principal, deputy: &str, year: i32) -> Result<(Deputy, Year)> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.ok_or(Error::NotFound)?;
    crate::register::may_read(app, principal, &d).await?;
    let y = year_of(app, &d, year).await?;
    Ok((d, y))
}

/// The confirmed register entries of `region` dated from `from` to `to`, counted by kind (kinds
/// in alphabetical order), and the points the region's deputies earned by them, both from one
/// read of the entries. Each deputy's years are scored whole by the county's sets, as on the
/// deputy's own page (so the monthly and yearly caps count the same), and the points of the
/// entries dated in the period are summed. Entries are those recorded in the region, as for the
/// township's list of deputies behind their targets.
pub async fn region_register(
    app: &App,
    region: &RegionCode,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<(String, i64)>, i64)> {
    let county = region.county_key();
    if to < from {
        return Ok((vec![], 0));
    }
    let first = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let last = NaiveDate::from_ymd_opt(to.year(), 12, 31).unwrap_or(to);
    let (sets, rows) = tokio::try_join!(county_sets(app, &county), async {
        Ok(store::confirmed_in(&app.db, &county, region.as_str(), &first.to_string(), &last.to_string()).await?)
    })?;
    // Days are YYYY-MM-DD: as text they compare as dates.
    let (lo, hi) = (from.to_string(), to.to_string());
    let mut counts: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for (kind, day) in rows.iter().flat_map(|d| &d.entries) {
        if *day >= lo && *day <= hi {
            *counts.entry(kind.clone()).or_default() += 1;
        }
    }
    let counts = counts.into_iter().collect();
    if sets.is_empty() {
        return Ok((counts, 0));
    }
    let mut total = 0i64;
    for deputy in &rows {
        let township = if deputy.home.is_empty() { region.as_str() } else { township_of(&deputy.home) };
        let entries: Vec<(DutyKind, NaiveDate)> = deputy
            .entries
            .iter()
            .filter_map(|(kind, day)| Some((DutyKind::parse(kind)?, day.parse::<NaiveDate>().ok()?)))
            .collect();
        // The entries come by date: each year is one run, scored in one go.
        for year in entries.chunk_by(|a, b| a.1.year() == b.1.year()) {
            let scored = points::score(year, &sets, township);
            total += year
                .iter()
                .zip(&scored)
                .filter(|((_, day), _)| (from..=to).contains(day))
                .map(|(_, s)| i64::from(s.points))
                .sum::<i64>();
        }
    }
    Ok((counts, total))
}

/// A deputy behind at least one target.
#[derive(Debug, Clone)]
pub struct Behind {
    pub deputy_id: i64,
    pub county_code: String,
    pub slug: String,
    pub name: String,
    pub region_code: String,
    /// The deputy's levels, in words (县人大代表、乡镇人大代表).
    pub levels: String,
    pub points: i32,
    pub progress: Vec<Progress>,
    pub last_reminded: Option<String>,
}

/// The deputies of `region` (default: the principal's first, for the township officer) and their
/// targets in `year`: those behind first, then the rest, each with points and progress.
pub async fn standing(
    app: &App,
    principal: &Principal,
    region: Option<&str>,
    year: i32,
) -> Result<(RegionCode, Vec<Behind>)> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, region)?;
    let county = region.county_key();
    let sets = county_sets(app, &county).await?;
    let from = counted_from(&sets, year);
    let rows =
        store::confirmed_in(&app.db, &county, region.as_str(), &from.to_string(), &format!("{year}-12-31")).await?;
    let deputies = org::deputies_under(&app.db, region.as_str(), false).await?;
    let reminded = store::last_reminders(&app.db, &county, region.as_str(), year).await?;
    let end = year_end(year, app.today());
    let mut out = Vec::new();
    for d in deputies.into_iter().filter(|d| d.data.county_code == county) {
        let term: Vec<(DutyKind, NaiveDate)> = rows
            .iter()
            .filter(|c| c.deputy_id == d.id)
            .flat_map(|c| &c.entries)
            .filter_map(|(k, day)| Some((DutyKind::parse(k)?, day.parse::<NaiveDate>().ok()?)))
            .collect();
        let township = township_of(&d.data.region_code);
        let this_year: Vec<_> = term.iter().copied().filter(|(_, day)| day.year() == year).collect();
        let points = points::score(&this_year, &sets, township).iter().map(|s| s.points).sum();
        let progress =
            points::in_force(&sets, township, end).map(|s| points::progress(s, &term, year, end)).unwrap_or_default();
        let last_reminded = reminded.iter().find(|(id, _)| *id == d.id).map(|(_, on)| on.clone());
        out.push(Behind {
            levels: levels_label(&d.data.levels),
            deputy_id: d.id,
            county_code: d.data.county_code.clone(),
            slug: d.data.slug,
            name: d.data.name,
            region_code: d.data.region_code,
            points,
            progress,
            last_reminded,
        });
    }
    out.sort_by_key(|b| (b.progress.iter().all(|p| p.met()), b.region_code.clone(), b.slug.clone()));
    Ok((region, out))
}

/// Reminds the deputies of `region` who are behind a target in `year`, once a day each, through
/// the outbox. Returns how many were reminded.
pub async fn remind_behind(app: &App, principal: &Principal, region: Option<&str>, year: i32) -> Result<usize> {
    if year != app.today().year() {
        return Err(Error::invalid("past_year", "只能提醒本年度的履职目标").field("year"));
    }
    let (region, list) = standing(app, principal, region, year).await?;
    let today = app.today().to_string();
    let actor = principal.actor();
    let now = app.now_ms();
    let mut sent = 0;
    let mut tx = app.db.begin().await?;
    for b in list.iter().filter(|b| b.progress.iter().any(|p| !p.met())) {
        if !store::note_reminder(&mut tx, b.deputy_id, year, &today, &actor).await? {
            continue;
        }
        let behind: Vec<String> = b
            .progress
            .iter()
            .filter(|p| !p.met())
            .map(|p| format!("{}（已完成 {} 次）", p.describe(), p.done))
            .collect();
        let body =
            format!("{} 代表：{year} 年度履职目标尚未完成：{}。请及时参加活动并登记。", b.name, behind.join("；"));
        let recipient = format!("deputy:{}", b.slug);
        outbox::enqueue(&mut tx, &outbox::Message::plain(&b.county_code, &recipient, "履职目标提醒", &body), now)
            .await?;
        sent += 1;
    }
    let ev = AuditEvent {
        county_code: region.county_key(),
        actor,
        action: "duty_targets.remind".into(),
        target: format!("region:{}", region.as_str()),
        summary: format!("提醒 {sent} 名代表完成 {year} 年度履职目标"),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(sent)
}
