//! Statistics (统计): the figures the seeds report their work in, by every dimension they use —
//! county, township, station, deputy, agency, channel, category, level, month — and their
//! crossings (level × status, channel × outcome, township × month for overdue cases).
//!
//! Everything is summed from the tallies each case's transaction keeps (`store::cases::cells`),
//! counted twice over: by the day a case was received and by the day it was resolved, so that
//! "solved in month M" is a sum like "received in month M". Each tally row holds the figures of
//! its cases (outcome, on time, rating, overdue), so a line is a sum of rows.

use crate::{Error, Result};
use chrono::{Datelike, NaiveDate};
use liaison_domain::authz::{self, Action, Principal, Scope, parse_slug};
use liaison_domain::case::{CaseStatus, Channel, Level};
use liaison_domain::region::RegionCode;
use liaison_store::cases::{self as store, Basis, CellQuery};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use liaison_domain::figures::Figures;

/// One line of a breakdown: the value (a code, slug or month), its name, and its figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub key: String,
    pub label: String,
    pub figures: Figures,
}

/// A crossing: rows × columns of counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Table {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<i64>>,
}

/// The statistics of a region or a station for a period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub region: String,
    pub region_name: String,
    /// (slug, name) when the report is one station's.
    pub station: Option<(String, String)>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Cases received in the period and what became of them.
    pub received: Figures,
    /// Cases resolved in the period, whenever received ("solved in month M").
    pub resolved: Figures,
    /// By county (a region above a county), township, station, deputy, lead agency, channel,
    /// category and level, of the cases received in the period.
    pub by_county: Vec<Line>,
    pub by_township: Vec<Line>,
    pub by_station: Vec<Line>,
    pub by_deputy: Vec<Line>,
    pub by_agency: Vec<Line>,
    pub by_channel: Vec<Line>,
    pub by_category: Vec<Line>,
    pub by_level: Vec<Line>,
    /// By status now (reports kept before this existed read empty; so does a station's).
    #[serde(default)]
    pub by_status: Vec<Line>,
    /// Received per month, and resolved per month.
    pub by_month: Vec<Line>,
    pub resolved_by_month: Vec<Line>,
    /// Received per year, and resolved per year (reports kept before these existed read empty).
    #[serde(default)]
    pub by_year: Vec<Line>,
    #[serde(default)]
    pub resolved_by_year: Vec<Line>,
    /// Level (乡镇 / 县级 / 未分级) × status.
    pub level_status: Table,
    /// Channel × outcome.
    pub channel_outcome: Table,
    /// Townships × months: cases marked overdue, by the month received.
    pub overdue_heat: Table,
}

/// A statistics query as submitted.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub region: Option<String>,
    pub station: Option<String>,
    /// YYYY-MM-DD, inclusive; defaults to the start of this year.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive; defaults to today.
    pub to: Option<String>,
}

fn date(raw: Option<&str>, field: &'static str, default: NaiveDate) -> Result<NaiveDate> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| Error::invalid("invalid_date", "日期应写作 YYYY-MM-DD").field(field)),
    }
}

/// The period a query asks for: this year to today by default; at most ten years.
pub fn period(today: NaiveDate, from: Option<&str>, to: Option<&str>) -> Result<(NaiveDate, NaiveDate)> {
    let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("valid date");
    let from = date(from, "from", jan1)?;
    let to = date(to, "to", today)?;
    if to < from {
        return Err(Error::invalid("invalid_range", "结束日期不能早于开始日期").field("to"));
    }
    if (to - from).num_days() > 3660 {
        return Err(Error::invalid("invalid_range", "统计期间最长十年").field("from"));
    }
    Ok((from, to))
}

/// Where a report is about, once the caller's scope allowed it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub region: RegionCode,
    pub station: Option<String>,
}

/// The region (or station) a staff query is about: the one asked for within the caller's scope;
/// station staff see their own station.
pub async fn subject(
    app: &crate::App,
    principal: &Principal,
    region: Option<&str>,
    station: Option<&str>,
) -> Result<Subject> {
    let station = station
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_slug(s.trim()).map_err(|e| Error::from(e).field("station")))
        .transpose()?;
    let own_station = authz::reach(principal, Action::CaseRead).into_iter().find_map(|s| match s {
        Scope::Station(s) => Some(s.clone()),
        _ => None,
    });
    let has_region = !crate::org::region_grants(principal, Action::CaseRead).is_empty();
    if !has_region && region.is_none_or(|r| r.trim().is_empty()) {
        // A station's staff: their station, whatever else was asked.
        let Some(own) = own_station else { return Err(Error::refused()) };
        if station.as_ref().is_some_and(|s| *s != own) {
            return Err(Error::refused());
        }
        let st = liaison_store::org::station_by_slug(&app.db, &own).await?.ok_or(Error::NotFound)?;
        let region = RegionCode::parse(&st.data.region_code).map_err(Error::internal)?;
        return Ok(Subject { region, station: Some(own) });
    }
    let region = crate::org::scoped_region(principal, Action::CaseRead, region)?;
    if let Some(s) = &station {
        let st = liaison_store::org::station_by_slug(&app.db, s)
            .await?
            .ok_or_else(|| Error::invalid("unknown_station", "找不到该联络站").field("station"))?;
        if !st.data.region_code.starts_with(region.as_str()) {
            return Err(Error::invalid("unknown_station", "该联络站不在所选区划内").field("station"));
        }
    }
    Ok(Subject { region, station })
}

/// The statistics a staff member asked for.
pub async fn report(app: &crate::App, principal: &Principal, q: &Query) -> Result<Report> {
    let subject = subject(app, principal, q.region.as_deref(), q.station.as_deref()).await?;
    let (from, to) = period(app.today(), q.from.as_deref(), q.to.as_deref())?;
    build(app, &subject, from, to).await
}

/// The statistics of a subject and period, without a scope check: the public pages call it for
/// what they show to everyone.
pub async fn build(app: &crate::App, subject: &Subject, from: NaiveDate, to: NaiveDate) -> Result<Report> {
    let prefix = subject.region.as_str();
    let station = subject.station.as_deref();
    // A station's cases are found in its county's tallies by the station's key, wherever in the
    // county the subject region is.
    let county = subject.region.county_key();
    let cell_prefix = if station.is_some() { county.as_str() } else { prefix };
    let query = |basis, dims: &'static [&'static str], split| CellQuery {
        region_prefix: cell_prefix,
        basis,
        from,
        to,
        dims,
        station,
        split,
    };
    // The cells' queries at once.
    let (received_cells, resolved_cells, parts) = if station.is_some() {
        let (a, b) = (query(Basis::Received, &["station"], true), query(Basis::Resolved, &["station"], true));
        let (a, b) = tokio::try_join!(store::cells(&app.db, &a), store::cells(&app.db, &b))?;
        (a, b, vec![])
    } else {
        let (a, b) = (query(Basis::Received, &["all"], true), query(Basis::Resolved, &["all"], true));
        let c = query(Basis::Received, &["status", "channel", "category", "agency", "station", "deputy"], false);
        tokio::try_join!(store::cells(&app.db, &a), store::cells(&app.db, &b), store::cells(&app.db, &c))?
    };

    let mut received = Figures::default();
    let mut counties: BTreeMap<String, Figures> = BTreeMap::new();
    let mut townships: BTreeMap<String, Figures> = BTreeMap::new();
    let mut months: BTreeMap<String, Figures> = BTreeMap::new();
    let mut years: BTreeMap<String, Figures> = BTreeMap::new();
    let mut heat: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut channels: BTreeMap<String, Figures> = BTreeMap::new();
    for c in &received_cells {
        let f = &c.figures;
        received += f;
        *counties.entry(c.township.get(..6).unwrap_or_default().to_owned()).or_default() += f;
        *townships.entry(c.township.clone()).or_default() += f;
        *months.entry(c.month.clone()).or_default() += f;
        *years.entry(c.month.get(..4).unwrap_or_default().to_owned()).or_default() += f;
        if f.overdue != 0 {
            *heat.entry((c.township.clone(), c.month.clone())).or_default() += f.overdue;
        }
        if station.is_some() {
            // station|channel
            let channel = c.value.rsplit_once('|').map_or(c.value.as_str(), |(_, ch)| ch);
            *channels.entry(channel.to_owned()).or_default() += f;
        }
    }
    let mut resolved = Figures::default();
    let mut resolved_months: BTreeMap<String, Figures> = BTreeMap::new();
    let mut resolved_years: BTreeMap<String, Figures> = BTreeMap::new();
    for c in &resolved_cells {
        resolved += &c.figures;
        *resolved_months.entry(c.month.clone()).or_default() += &c.figures;
        *resolved_years.entry(c.month.get(..4).unwrap_or_default().to_owned()).or_default() += &c.figures;
    }

    let mut statuses: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut categories: BTreeMap<String, Figures> = BTreeMap::new();
    let mut agencies: BTreeMap<String, Figures> = BTreeMap::new();
    let mut stations: BTreeMap<String, Figures> = BTreeMap::new();
    let mut deputies: BTreeMap<String, Figures> = BTreeMap::new();
    let mut levels: BTreeMap<String, Figures> = BTreeMap::new();
    let mut status_lines: BTreeMap<String, Figures> = BTreeMap::new();
    for c in &parts {
        let (value, f) = (c.value.as_str(), &c.figures);
        match c.dim.as_str() {
            "status" => {
                // level|status
                let (level, status) = value.split_once('|').unwrap_or(("", value));
                *statuses.entry((level.to_owned(), status.to_owned())).or_default() += f.received;
                *levels.entry(level.to_owned()).or_default() += f;
                *status_lines.entry(status.to_owned()).or_default() += f;
            }
            "channel" => *channels.entry(value.to_owned()).or_default() += f,
            "category" => *categories.entry(value.to_owned()).or_default() += f,
            "agency" => *agencies.entry(value.to_owned()).or_default() += f,
            "station" => {
                let slug = value.split_once('|').map_or(value, |(s, _)| s);
                *stations.entry(slug.to_owned()).or_default() += f;
            }
            "deputy" => *deputies.entry(value.to_owned()).or_default() += f,
            _ => {}
        }
    }
    // Names, read once.
    let mut wanted = crate::names::Wanted::new();
    wanted.region(prefix);
    for code in counties.keys().chain(townships.keys()) {
        wanted.region(code);
    }
    for s in stations.keys().map(String::as_str).chain(station) {
        wanted.station(s);
    }
    for a in agencies.keys() {
        wanted.agency(a);
    }
    for d in deputies.keys() {
        wanted.deputy(d);
    }
    let names = crate::names::resolve(app, wanted).await?;
    let lines = |map: BTreeMap<String, Figures>, label: &dyn Fn(&str) -> String| -> Vec<Line> {
        let mut out: Vec<Line> =
            map.into_iter().map(|(key, figures)| Line { label: label(&key), key, figures }).collect();
        out.sort_by(|a, b| b.figures.received.cmp(&a.figures.received).then_with(|| a.key.cmp(&b.key)));
        out
    };
    let by_month = |map: &BTreeMap<String, Figures>| -> Vec<Line> {
        every_month(from, to)
            .into_iter()
            .map(|m| Line { label: month_label(&m), figures: map.get(&m).copied().unwrap_or_default(), key: m })
            .collect()
    };
    let by_year = |map: &BTreeMap<String, Figures>| -> Vec<Line> {
        (from.year()..=to.year())
            .map(|y| {
                let key = format!("{y:04}");
                Line { label: format!("{y}年"), figures: map.get(&key).copied().unwrap_or_default(), key }
            })
            .collect()
    };

    // Level × status, and the level lines from it.
    let level_label = |l: &str| Level::parse(l).map_or("未分级", |x| x.label()).to_owned();
    let mut level_status = Table::default();
    if !statuses.is_empty() {
        let level_keys: Vec<&str> =
            ["township", "county", ""].into_iter().filter(|l| statuses.keys().any(|(k, _)| k == l)).collect();
        let status_keys: Vec<CaseStatus> =
            CaseStatus::ALL.iter().copied().filter(|s| statuses.keys().any(|(_, k)| k == s.as_str())).collect();
        level_status.rows = level_keys.iter().map(|l| level_label(l)).collect();
        level_status.columns = status_keys.iter().map(|s| s.label().to_owned()).collect();
        level_status.cells = level_keys
            .iter()
            .map(|l| {
                status_keys
                    .iter()
                    .map(|s| statuses.get(&((*l).to_owned(), s.as_str().to_owned())).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
    }
    // Channel × outcome.
    const OUTCOMES: [(&str, &str); 5] =
        [("p", "办理中"), ("s", "已答复办结"), ("o", "现场答复"), ("x", "不予受理"), ("m", "已合并")];
    let mut channel_outcome =
        Table { columns: OUTCOMES.iter().map(|(_, l)| (*l).to_owned()).collect(), ..Table::default() };
    let channel_label = |c: &str| Channel::parse(c).map_or_else(|| c.to_owned(), |x| x.label().to_owned());
    let by_channel = lines(channels, &channel_label);
    for l in &by_channel {
        channel_outcome.rows.push(l.label.clone());
        let f = &l.figures;
        channel_outcome.cells.push(vec![f.in_progress, f.solved, f.on_spot, f.declined, f.merged]);
    }

    // Townships × months, overdue.
    let month_keys = every_month(from, to);
    let mut overdue_heat = Table { columns: month_keys.iter().map(|m| month_label(m)).collect(), ..Table::default() };
    if station.is_none() {
        for code in townships.keys() {
            overdue_heat.rows.push(names.region(code));
            overdue_heat
                .cells
                .push(month_keys.iter().map(|m| heat.get(&(code.clone(), m.clone())).copied().unwrap_or(0)).collect());
        }
    }

    let above_county = prefix.len() < 6;
    Ok(Report {
        region: prefix.to_owned(),
        region_name: names.region(prefix),
        station: station.map(|s| (s.to_owned(), names.station(s))),
        from,
        to,
        received,
        resolved,
        by_county: if above_county { lines(counties, &|c| names.region(c)) } else { vec![] },
        by_township: if station.is_none() { lines(townships, &|c| names.region(c)) } else { vec![] },
        by_station: lines(stations, &|s| names.station(s)),
        by_deputy: lines(deputies, &|d| names.deputy(d)),
        by_agency: lines(agencies, &|a| names.agency(a)),
        by_channel,
        by_category: lines(categories, &|c| c.to_owned()),
        by_level: lines(levels, &level_label),
        by_status: lines(status_lines, &|s| {
            CaseStatus::parse(s).map_or_else(|| s.to_owned(), |x| x.label().to_owned())
        }),
        by_month: by_month(&months),
        resolved_by_month: by_month(&resolved_months),
        by_year: by_year(&years),
        resolved_by_year: by_year(&resolved_years),
        level_status,
        channel_outcome,
        overdue_heat,
    })
}

/// Every month from `from` to `to`, YYYY-MM.
fn every_month(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push(format!("{y:04}-{m:02}"));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

/// 2026-03 → 2026年3月.
pub fn month_label(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) => format!("{y}年{}月", mm.trim_start_matches('0')),
        None => m.to_owned(),
    }
}

/// The headers of a breakdown sheet after its first column.
const FIGURE_HEADERS: [&str; 12] = [
    "收集",
    "现场答复",
    "答复办结",
    "解决合计",
    "办理中",
    "不予受理",
    "已合并",
    "逾期",
    "解决率",
    "按期办结率",
    "已评价",
    "满意率",
];

fn figure_row(label: &str, f: &Figures) -> Vec<liaison_sheets::Figure> {
    use liaison_sheets::Figure::{Count, Share, Text};
    vec![
        Text(label.to_owned()),
        Count(f.received),
        Count(f.on_spot),
        Count(f.solved),
        Count(f.resolved()),
        Count(f.in_progress),
        Count(f.declined),
        Count(f.merged),
        Count(f.overdue),
        Share(f.resolution_rate()),
        Share(f.on_time_rate()),
        Count(f.rated()),
        Share(f.satisfaction_rate()),
    ]
}

/// The report's tables as an .xlsx workbook, one sheet a table, numbers as numbers.
pub fn workbook(r: &Report) -> Result<Vec<u8>> {
    use liaison_sheets::{Figure, FigureSheet};
    let lines_sheet = |name: &'static str, first: &str, lines: &[Line]| FigureSheet {
        name,
        headers: std::iter::once(first.to_owned()).chain(FIGURE_HEADERS.iter().map(|h| (*h).to_owned())).collect(),
        rows: lines.iter().map(|l| figure_row(&l.label, &l.figures)).collect(),
    };
    let table_sheet = |name: &'static str, corner: &str, t: &Table| FigureSheet {
        name,
        headers: std::iter::once(corner.to_owned()).chain(t.columns.iter().cloned()).collect(),
        rows: t
            .rows
            .iter()
            .zip(&t.cells)
            .map(|(label, cells)| {
                std::iter::once(Figure::Text(label.clone())).chain(cells.iter().map(|n| Figure::Count(*n))).collect()
            })
            .collect(),
    };
    let scope = match &r.station {
        Some((_, name)) => name.clone(),
        None => r.region_name.clone(),
    };
    let overview = FigureSheet {
        name: "总览",
        headers: std::iter::once("范围".to_owned()).chain(FIGURE_HEADERS.iter().map(|h| (*h).to_owned())).collect(),
        rows: vec![
            figure_row(&format!("{scope} {} 至 {} 收集的意见建议", r.from, r.to), &r.received),
            figure_row(&format!("{scope} {} 至 {} 解决的意见建议（不论何时收集）", r.from, r.to), &r.resolved),
        ],
    };
    let mut sheets = vec![overview];
    let breakdowns: [(&'static str, &str, &[Line]); 12] = [
        ("按县", "县（市、区）", &r.by_county),
        ("按乡镇", "乡镇（街道）", &r.by_township),
        ("按联络站", "联络站", &r.by_station),
        ("按代表", "代表", &r.by_deputy),
        ("按承办单位", "承办单位", &r.by_agency),
        ("按渠道", "渠道", &r.by_channel),
        ("按类别", "类别", &r.by_category),
        ("按层级", "办理层级", &r.by_level),
        ("按月收集", "月份", &r.by_month),
        ("按月解决", "月份", &r.resolved_by_month),
        ("按年收集", "年份", &r.by_year),
        ("按年解决", "年份", &r.resolved_by_year),
    ];
    for (name, first, lines) in breakdowns {
        if !lines.is_empty() {
            sheets.push(lines_sheet(name, first, lines));
        }
    }
    for (name, corner, t) in [
        ("层级×状态", "办理层级", &r.level_status),
        ("渠道×结果", "渠道", &r.channel_outcome),
        ("逾期分布", "乡镇（街道）", &r.overdue_heat),
    ] {
        if !t.rows.is_empty() {
            sheets.push(table_sheet(name, corner, t));
        }
    }
    liaison_sheets::write_figures_xlsx(&sheets).map_err(Error::internal)
}

/// The statistics as an .xlsx file for a staff member, with an audit entry naming what was
/// exported: (file name, bytes).
pub async fn export(app: &crate::App, principal: &Principal, q: &Query) -> Result<(String, Vec<u8>)> {
    let r = report(app, principal, q).await?;
    let bytes = workbook(&r)?;
    let target = match &r.station {
        Some((slug, _)) => format!("station:{slug}"),
        None => format!("region:{}", r.region),
    };
    let ev = liaison_domain::audit::AuditEvent {
        county_code: r.region.get(..6).unwrap_or(&r.region).to_owned(),
        actor: principal.actor(),
        action: "statistics.export".into(),
        target,
        summary: format!("导出统计表 {} 至 {}", r.from, r.to),
    };
    liaison_store::audit::record(&app.db, &ev, app.now_ms()).await?;
    let name = format!("统计-{}-{}-{}.xlsx", r.region_name, r.from, r.to);
    Ok((name, bytes))
}

/// Receptions held and constituents received for a subject and period, for the public pages.
pub async fn public_receptions(app: &crate::App, s: &Subject, from: NaiveDate, to: NaiveDate) -> Result<(i64, i64)> {
    let t = liaison_store::receptions::totals(
        &app.db,
        &s.region.county_key(),
        s.region.as_str(),
        s.station.as_deref().unwrap_or(""),
        &from.to_string(),
        &to.to_string(),
    )
    .await?;
    Ok((t.by_kind.iter().map(|k| k.1).sum(), t.by_kind.iter().map(|k| k.2).sum()))
}

/// The newest outcomes the constituents allowed to publish (民声回响) of a county or a station:
/// the title and the public reply only.
pub async fn public_echoes(app: &crate::App, s: &Subject, limit: i64) -> Result<Vec<store::CaseRow>> {
    Ok(match &s.station {
        Some(st) => store::echoes(&app.db, st, limit).await?,
        None => store::echoes_in_region(&app.db, &s.region.county_key(), s.region.as_str(), limit).await?,
    })
}
