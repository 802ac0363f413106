//! Staff lists of cases: one page of what the principal reaches, filtered and sorted as asked,
//! with its total; the counts of the dashboard; and the names that the lists and their filter
//! choices show instead of codes and slugs.
//!
//! The search box finds a case by its tracking code (with or without the dash, any case), by the
//! constituent's phone number (only for staff who may see contact details), or by words through
//! the search index.

use super::read::reach_lists;
use super::search::{candidates, newest_matches};
use crate::{App, Error, Result};
use liaison_domain::authz::{Action, Principal, Scope};
use liaison_domain::case::TrackingCode;
use liaison_domain::case_list::{ListQuery, Lookup, Sort};
use liaison_domain::region::{RegionCode, RegionLevel};
use liaison_store::cases::{self, CaseRow, ListFilter, ListSort, Reach};
use liaison_store::{org, regions};
use std::collections::HashMap;

/// The most candidates a word search takes from the index; filters, the order and the total
/// apply to the newest this many matches.
pub const SEARCH_CANDIDATES: usize = 500;

/// One page of a list.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub rows: Vec<CaseRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// A word search matched more than [`SEARCH_CANDIDATES`] cases: only the newest were
    /// filtered and counted.
    pub search_capped: bool,
    /// A search by phone number from someone who may not see contact details: nothing searched.
    pub phone_refused: bool,
}

/// A list query turned into what the store runs.
pub(crate) struct Plan {
    pub reach: [Vec<String>; 4],
    pub filter: ListFilter,
    pub sort: ListSort,
    pub search_capped: bool,
    pub phone_refused: bool,
}

impl Plan {
    pub fn reach(&self) -> Reach<'_> {
        let [regions, stations, agencies, deputies] = &self.reach;
        Reach { region_prefixes: regions, stations, agencies, deputies }
    }
}

pub(crate) async fn plan(app: &App, principal: &Principal, q: &ListQuery) -> Result<Plan> {
    if let Some(c) = &q.category
        && !app.config.categories.iter().any(|x| x == c)
    {
        return Err(Error::Invalid {
            code: "invalid_category",
            message: "未知的类别".into(),
            field: Some("category".into()),
        });
    }
    let mut reach = reach_lists(principal, Action::CaseRead);
    let mut filter = ListFilter {
        statuses: q.statuses.iter().map(|s| s.as_str().to_owned()).collect(),
        township: q.township.as_ref().map(|t| t.as_str().to_owned()),
        station: q.station.clone(),
        agency: q.agency.clone(),
        deputy: q.deputy.clone(),
        channel: q.channel.map(|c| c.as_str().to_owned()),
        category: q.category.clone(),
        level: q.level.map(|l| l.as_str().to_owned()),
        from: q.from,
        to: q.to,
        overdue: q.overdue,
        due_between: q.due_soon.then(|| {
            let today = app.today();
            (today.to_string(), app.calendar.add_working_days(today, app.config.due_soon_days).to_string())
        }),
        ..Default::default()
    };
    let sort = match q.sort() {
        Sort::Deadline => ListSort::Deadline,
        Sort::Newest => ListSort::CreatedDesc,
        Sort::Oldest => ListSort::CreatedAsc,
        Sort::Updated => ListSort::UpdatedDesc,
    };
    let (mut search_capped, mut phone_refused) = (false, false);
    match &q.lookup {
        None => {}
        Some(Lookup::Code(c)) => filter.tracking_code = Some(c.as_str().to_owned()),
        Some(Lookup::Phone(p)) => {
            // Only where the caller may see contact details: their region grants that allow it.
            let [regions, ..] = reach_lists(principal, Action::PersonalDataRead);
            phone_refused = regions.is_empty();
            reach = [regions, vec![], vec![], vec![]];
            filter.phone = Some(p.as_str().to_owned());
        }
        Some(Lookup::Words(words)) => {
            filter.words = words.clone();
            let [r, s, a, d] = &reach;
            let view = Reach { region_prefixes: r, stations: s, agencies: a, deputies: d };
            if let Some(ids) = candidates(app, &view, words, &filter.statuses, filter.overdue, SEARCH_CANDIDATES).await
            {
                search_capped = ids.len() >= SEARCH_CANDIDATES;
                filter.ids = Some(ids);
            }
        }
    }
    Ok(Plan { reach, filter, sort, search_capped, phone_refused })
}

/// The newest matches of a word search deeper than this are not asked of the index: such a page
/// is filtered from the newest [`SEARCH_CANDIDATES`] instead.
const INDEX_PAGE_DEPTH: u32 = 5_000;

/// The page of cases the principal reaches that `q` asks for, with the total.
pub async fn inbox(app: &App, principal: &Principal, q: &ListQuery) -> Result<Listing> {
    if let Some(listing) = words_newest_first(app, principal, q).await? {
        return Ok(listing);
    }
    let started = std::time::Instant::now();
    let plan = plan(app, principal, q).await?;
    let planned = started.elapsed();
    let page =
        cases::list_page(&app.db, &plan.reach(), &plan.filter, plan.sort, i64::from(q.offset()), i64::from(q.per_page))
            .await?;
    tracing::debug!(
        plan_ms = planned.as_secs_f64() * 1000.0,
        page_ms = (started.elapsed() - planned).as_secs_f64() * 1000.0,
        total = page.total,
        "inbox listed"
    );
    Ok(Listing {
        rows: page.rows,
        total: page.total,
        page: q.page,
        per_page: q.per_page,
        search_capped: plan.search_capped,
        phone_refused: plan.phone_refused,
    })
}

/// A word search, newest first, with no filter but the statuses: the index counts the matches
/// and picks the page's cases, and SQL reads (and re-checks) only those. `None` when the index
/// cannot answer it exactly; the caller then filters the newest candidates in SQL.
async fn words_newest_first(app: &App, principal: &Principal, q: &ListQuery) -> Result<Option<Listing>> {
    let Some(Lookup::Words(words)) = &q.lookup else { return Ok(None) };
    let only_words = q.township.is_none()
        && q.station.is_none()
        && q.agency.is_none()
        && q.deputy.is_none()
        && q.channel.is_none()
        && q.category.is_none()
        && q.level.is_none()
        && q.from.is_none()
        && q.to.is_none()
        && !q.overdue
        && !q.due_soon;
    let depth = q.offset() + q.per_page;
    if !only_words || q.sort() != Sort::Newest || depth > INDEX_PAGE_DEPTH {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let [regions, stations, agencies, deputies] = &reach_lists(principal, Action::CaseRead);
    let reach = Reach { region_prefixes: regions, stations, agencies, deputies };
    let statuses: Vec<String> = q.statuses.iter().map(|s| s.as_str().to_owned()).collect();
    let Some((total, newest)) = newest_matches(app, &reach, words, &statuses, depth as usize).await else {
        return Ok(None);
    };
    let planned = started.elapsed();
    let filter = ListFilter {
        statuses,
        words: words.clone(),
        ids: Some(newest.into_iter().skip(q.offset() as usize).collect()),
        ..Default::default()
    };
    let page = cases::list_page(&app.db, &reach, &filter, ListSort::CreatedDesc, 0, i64::from(q.per_page)).await?;
    tracing::debug!(
        plan_ms = planned.as_secs_f64() * 1000.0,
        page_ms = (started.elapsed() - planned).as_secs_f64() * 1000.0,
        total,
        "inbox listed"
    );
    Ok(Some(Listing {
        rows: page.rows,
        total,
        page: q.page,
        per_page: q.per_page,
        search_capped: false,
        phone_refused: false,
    }))
}

/// How many cases the principal reaches that `q` asks for.
pub async fn count(app: &App, principal: &Principal, q: &ListQuery) -> Result<i64> {
    let plan = plan(app, principal, q).await?;
    Ok(cases::list_count(&app.db, &plan.reach(), &plan.filter).await?)
}

/// `7KQ2M-9XH3P`: a stored tracking code as staff and constituents read it everywhere.
pub fn display_code(stored: Option<&str>) -> String {
    stored.and_then(|c| TrackingCode::parse(c).ok()).map(|c| c.display()).unwrap_or_default()
}

/// Names of the places and bodies a list shows, by code or slug.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub regions: HashMap<String, String>,
    pub stations: HashMap<String, String>,
    pub agencies: HashMap<String, String>,
    pub deputies: HashMap<String, String>,
}

impl Names {
    /// The township (or the region itself above townships) a region code lies in.
    pub fn township(&self, region: &str) -> String {
        let t = region.get(..9).unwrap_or(region);
        self.regions.get(t).cloned().unwrap_or_default()
    }

    pub fn station(&self, slug: Option<&str>) -> String {
        slug.and_then(|s| self.stations.get(s)).cloned().unwrap_or_default()
    }

    pub fn agency(&self, slug: Option<&str>) -> String {
        slug.and_then(|s| self.agencies.get(s)).cloned().unwrap_or_default()
    }

    pub fn deputy(&self, slug: Option<&str>) -> String {
        slug.and_then(|s| self.deputies.get(s)).cloned().unwrap_or_default()
    }

    /// A scope as a person reads it: 柞水县, 仁和社区代表联络点…
    pub fn scope(&self, s: &Scope) -> String {
        let name = match s {
            Scope::Region(c) => self.regions.get(c.as_str()).cloned(),
            Scope::Station(x) => self.stations.get(x).cloned(),
            Scope::Agency(x) => self.agencies.get(x).cloned(),
            Scope::Deputy(x) => self.deputies.get(x).map(|n| format!("{n}代表")),
        };
        name.unwrap_or_else(|| match s {
            Scope::Region(_) => "（未登记的行政区划）".into(),
            Scope::Station(_) => "（已停用的联络站）".into(),
            Scope::Agency(_) => "（已停用的承办单位）".into(),
            Scope::Deputy(_) => "（已停用的代表）".into(),
        })
    }
}

/// What the filter bar offers: (value, name) pairs within the caller's part of the tree.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub townships: Vec<(String, String)>,
    pub stations: Vec<(String, String)>,
    pub agencies: Vec<(String, String)>,
    pub deputies: Vec<(String, String)>,
}

/// The names of everything in the principal's counties (inactive records too, so that old cases
/// keep their names), and the choices of the filter bar: the active stations, deputies and
/// townships under the principal's regions (its county when its grants name a station, agency or
/// deputy), and the county's agencies, which handle cases of every township.
pub async fn names(app: &App, principal: &Principal) -> Result<(Names, Choices)> {
    let Some(account) = principal.account() else { return Ok(Default::default()) };
    let roots = account.region_roots();
    let mut counties: Vec<String> =
        roots.iter().map(|r| r.as_str().get(..6).unwrap_or(r.as_str()).to_owned()).collect();
    counties.sort();
    counties.dedup();
    let under = |code: &str| roots.iter().any(|r| code.starts_with(r.as_str()));
    let (mut names, mut choices) = (Names::default(), Choices::default());
    for county in &counties {
        if let Ok(code) = RegionCode::parse(county) {
            for r in regions::subtree(&app.db, &code).await? {
                // Above the county too: a province-wide account reads its counties by name.
                let township = r.code.len() == RegionLevel::Township.code_len();
                if township && (under(&r.code) || roots.iter().any(|root| root.as_str().starts_with(&r.code))) {
                    choices.townships.push((r.code.clone(), r.name.clone()));
                }
                names.regions.insert(r.code, r.name);
            }
            for parent in [code.parent(), code.parent().and_then(|p| p.parent())].into_iter().flatten() {
                if let Some(r) = regions::get(&app.db, &parent).await? {
                    names.regions.insert(r.code, r.name);
                }
            }
        }
        for s in org::stations_under(&app.db, county, true).await? {
            if s.active && under(&s.data.region_code) {
                choices.stations.push((s.data.slug.clone(), s.data.name.clone()));
            }
            names.stations.insert(s.data.slug, s.data.name);
        }
        for a in org::agencies_under(&app.db, county, true).await? {
            if a.active {
                choices.agencies.push((a.data.slug.clone(), a.data.name.clone()));
            }
            names.agencies.insert(a.data.slug, a.data.name);
        }
        for d in org::deputies_under(&app.db, county, true).await? {
            if d.active && under(&d.data.region_code) {
                choices.deputies.push((d.data.slug.clone(), d.data.name.clone()));
            }
            names.deputies.insert(d.data.slug, d.data.name);
        }
    }
    // Grants that name a record elsewhere still read as its name.
    for g in &account.grants {
        match &g.scope {
            Scope::Station(x) if !names.stations.contains_key(x) => {
                if let Some(s) = org::station_by_slug(&app.db, x).await? {
                    names.stations.insert(s.data.slug, s.data.name);
                }
            }
            Scope::Agency(x) if !names.agencies.contains_key(x) => {
                if let Some(a) = org::agency_by_slug(&app.db, x).await? {
                    names.agencies.insert(a.data.slug, a.data.name);
                }
            }
            Scope::Deputy(x) if !names.deputies.contains_key(x) => {
                if let Some(d) = org::deputy_by_slug(&app.db, x).await? {
                    names.deputies.insert(d.data.slug, d.data.name);
                }
            }
            Scope::Region(c) if !names.regions.contains_key(c.as_str()) => {
                if let Some(r) = regions::get(&app.db, c).await? {
                    names.regions.insert(r.code, r.name);
                }
            }
            _ => {}
        }
    }
    choices.deputies.sort_by(|a, b| a.1.cmp(&b.1));
    Ok((names, choices))
}
