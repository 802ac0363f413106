//! Livelihood projects (民生实事项目), before and after the ballot: people nominate what they
//! want most (群众点单) through the public form, the stations, receptions and grids; the township
//! or county office screens the nominations into candidate projects and drafts the candidate list
//! of a congress session with more candidates than places (差额); the presidium approves it. After
//! the ballot the chosen projects get an owner agency, milestones, progress reports with photos,
//! and the deputies' inspections and questions (问进度), which enter their duty registers.

use crate::receptions::{own_agencies, own_deputy};
use crate::{App, Error, Result};
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::project::{CongressLevel, NominationChannel, ProjectStatus, UpdateKind, check_margin};
use liaison_domain::reception::parse_date;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, Source};
use liaison_domain::text::{Lines, optional};
use liaison_store::projects::{self as store, NewList, NewNomination, NewProject, NewUpdate};
use liaison_store::voter_work::{Table, Value, update};
use liaison_store::{org, outbox};

pub use liaison_store::projects::{
    ListRow as CandidateList, MilestoneRow as Milestone, NominationRow as Nomination, ProjectRow as Project,
    UpdateRow as Update,
};

fn required(field: &'static str, raw: &str, max: usize, label: &str, lines: Lines) -> Result<String> {
    let s = optional(field, raw, max, label, lines)?;
    if s.is_empty() {
        return Err(Error::invalid("required", format!("请填写{label}")).field(field));
    }
    Ok(s)
}

/// Parses an amount in 万元 (`120`, `35.5`) into yuan.
pub fn parse_wan(field: &'static str, raw: &str) -> Result<i64> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(0);
    }
    let bad = || Error::invalid("invalid_amount", "金额请填写数字，单位为万元，例如 35.5").field(field);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if int.len() > 7 || frac.len() > 4 {
        return Err(bad());
    }
    let whole: i64 = int.parse().map_err(|_| bad())?;
    let frac4: i64 = format!("{frac:0<4}").parse().map_err(|_| bad())?;
    Ok(whole * 10_000 + frac4)
}

/// The office that may act on things of `region_code`: OrgWrite there.
fn office(principal: &Principal, region_code: &str) -> Result<RegionCode> {
    let r = RegionCode::parse(region_code).map_err(Error::internal)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&r))?;
    Ok(r)
}

fn reader(principal: &Principal, region_code: &str) -> Result<()> {
    let r = RegionCode::parse(region_code).map_err(Error::internal)?;
    crate::check(principal, Action::OrgRead, Target::Region(&r))
}

// ---- Nominations ----

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NominationInput {
    pub title: String,
    #[serde(default)]
    pub place: String,
    pub content: String,
    /// How many people ask for it (default 1).
    #[serde(default)]
    pub people: Option<i64>,
    /// Staff entry: `reception`, `grid` or `staff`.
    #[serde(default)]
    pub channel: String,
    /// Staff entry: the township or county it is for (default: the recorder's first region).
    #[serde(default)]
    pub region: Option<String>,
    /// The deputy who collected it, if any.
    #[serde(default)]
    pub deputy: String,
}

struct CleanNomination {
    title: String,
    place: String,
    content: String,
    people: i64,
}

fn clean_nomination(i: &NominationInput) -> Result<CleanNomination> {
    let title = required("title", &i.title, 60, "项目名称", Lines::One)?;
    let place = optional("place", &i.place, 100, "地点", Lines::One)?;
    let content = required("content", &i.content, 2000, "希望办的实事和理由", Lines::Many)?;
    let people = i.people.unwrap_or(1);
    if !(1..=100_000).contains(&people) {
        return Err(Error::invalid("invalid_people", "提出人数应在 1 到 100000 之间").field("people"));
    }
    Ok(CleanNomination { title, place, content, people })
}

/// A nomination from the public form of a station (its township takes it), by anyone.
pub async fn nominate_public(app: &App, station: &str, i: &NominationInput) -> Result<i64> {
    let s = org::station_by_slug(&app.db, station).await?.filter(|s| s.active).ok_or(Error::NotFound)?;
    let c = clean_nomination(&NominationInput { people: Some(1), ..i.clone() })?;
    let township = crate::points::township_of(&s.data.region_code);
    let region = if township.is_empty() { s.data.county_code.clone() } else { township.to_string() };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let n = NewNomination {
        county_code: &s.data.county_code,
        region_code: &region,
        station_slug: Some(&s.data.slug),
        channel: NominationChannel::Public.as_str(),
        title: &c.title,
        place: &c.place,
        content: &c.content,
        people: 1,
        deputy_id: None,
        recorded_by: "public",
    };
    let id = store::insert_nomination(&mut tx, &n, now).await?;
    let ev = liaison_domain::audit::AuditEvent {
        county_code: s.data.county_code.clone(),
        actor: "public".into(),
        action: "nomination.submit".into(),
        target: format!("nomination:{id}"),
        summary: format!("群众提出民生实事项目：{}", c.title),
    };
    liaison_store::audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A nomination recorded by the office (from a reception, a grid or by hand), or by a deputy who
/// collected it; the deputy's register gains an entry (pending when the deputy records it).
pub async fn nominate(app: &App, principal: &Principal, i: &NominationInput) -> Result<i64> {
    let own = own_deputy(principal).map(str::to_string);
    let (region, deputy, channel, confirmed) = if let Some(slug) = own.as_deref().filter(|_| i.region.is_none()) {
        let d = org::deputy_by_slug(&app.db, slug).await?.filter(|d| d.active).ok_or_else(Error::refused)?;
        let t = crate::points::township_of(&d.data.region_code);
        let r = RegionCode::parse(if t.is_empty() { &d.data.county_code } else { t }).map_err(Error::internal)?;
        (r, Some(d), NominationChannel::Reception, false)
    } else {
        let region = crate::org::scoped_region(principal, Action::OrgWrite, i.region.as_deref())?;
        let channel = NominationChannel::parse(&i.channel)
            .filter(|c| *c != NominationChannel::Public)
            .ok_or_else(|| Error::invalid("invalid_channel", "请选择项目的收集渠道").field("channel"))?;
        let deputy = match i.deputy.trim() {
            "" => None,
            slug => {
                let d = org::deputy_by_slug(&app.db, slug)
                    .await?
                    .filter(|d| d.active)
                    .ok_or_else(|| Error::invalid("invalid_deputy", format!("代表“{slug}”不存在")).field("deputy"))?;
                if !RegionCode::parse(&d.data.region_code).is_ok_and(|r| region.contains(&r)) {
                    return Err(
                        Error::invalid("invalid_deputy", format!("{}代表不在本辖区", d.data.name)).field("deputy")
                    );
                }
                Some(d)
            }
        };
        (region, deputy, channel, true)
    };
    let c = clean_nomination(i)?;
    let county = region.county_key();
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let n = NewNomination {
        county_code: &county,
        region_code: region.as_str(),
        station_slug: None,
        channel: channel.as_str(),
        title: &c.title,
        place: &c.place,
        content: &c.content,
        people: c.people,
        deputy_id: deputy.as_ref().map(|d| d.id),
        recorded_by: &actor,
    };
    let id = store::insert_nomination(&mut tx, &n, now).await?;
    if let Some(d) = &deputy {
        let description = format!("征集民生实事项目：{}", c.title);
        let today = app.today().to_string();
        crate::register::automatic(
            &mut tx,
            d,
            DutyKind::VoterContact,
            &today,
            &c.place,
            &description,
            &Source::Nomination(id),
            confirmed,
            &actor,
            now,
        )
        .await?;
    }
    let summary = format!("登记民生实事项目建议（{}）：{}", channel.label(), c.title);
    crate::audit::append(&mut tx, principal, &county, format!("nomination:{id}"), "nomination.record", summary, now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The nominations under a region (`new` ones only when asked), for its office.
pub async fn nominations(
    app: &App,
    principal: &Principal,
    region: Option<&str>,
    status: Option<&str>,
) -> Result<(RegionCode, Vec<Nomination>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    let rows = store::nominations_in(&app.db, &region.county_key(), region.as_str(), status).await?;
    Ok((region, rows))
}

/// Declines a nomination with a reason (the office).
pub async fn decline(app: &App, principal: &Principal, id: i64, reason: &str) -> Result<()> {
    let n = store::nomination(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &n.region_code)?;
    let reason = required("reason", reason, 500, "未采纳的理由", Lines::Many)?;
    if n.status != "new" {
        return Err(Error::conflict("not_new", "这条建议已经处理过了"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cols = [("status", Value::Text("declined")), ("reason", Value::Text(&reason))];
    if !update(&mut tx, Table::Nominations, id, n.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "这条建议刚被别人处理过，请刷新后再试"));
    }
    let summary = format!("未采纳民生实事项目建议：{}", n.title);
    crate::audit::append(
        &mut tx,
        principal,
        &n.county_code,
        format!("nomination:{id}"),
        "nomination.decline",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Candidate projects ----

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProjectInput {
    #[serde(default)]
    pub region: Option<String>,
    /// `township` or `county`.
    pub level: String,
    pub year: i64,
    pub title: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub description: String,
    /// In 万元.
    #[serde(default)]
    pub estimated_cost: String,
    #[serde(default)]
    pub owner_agency: String,
    /// The nominations it gathers.
    #[serde(default)]
    pub nominations: Vec<i64>,
}

/// Screens nominations into a candidate project (the office): the nominations named are merged
/// into it and the people who asked are counted.
pub async fn create_project(app: &App, principal: &Principal, i: &ProjectInput) -> Result<i64> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, i.region.as_deref())?;
    let county = region.county_key();
    let level = CongressLevel::parse(&i.level)
        .ok_or_else(|| Error::invalid("invalid_level", "请选择由哪一级人大票决").field("level"))?;
    let this_year = i64::from(chrono::Datelike::year(&app.today()));
    if !(this_year - 1..=this_year + 1).contains(&i.year) {
        return Err(Error::invalid("invalid_year", "年度应为去年、今年或明年").field("year"));
    }
    let title = required("title", &i.title, 60, "项目名称", Lines::One)?;
    let place = optional("place", &i.place, 100, "地点", Lines::One)?;
    let description = optional("description", &i.description, 3000, "项目内容", Lines::Many)?;
    let cost = parse_wan("estimated_cost", &i.estimated_cost)?;
    let owner = owner_agency(app, &county, &i.owner_agency).await?;
    let mut gathered = Vec::new();
    for id in &i.nominations {
        let n = store::nomination(&app.db, *id)
            .await?
            .filter(|n| n.county_code == county && RegionCode::parse(&n.region_code).is_ok_and(|r| region.contains(&r)))
            .ok_or_else(|| {
                Error::invalid("invalid_nomination", format!("第 {id} 号建议不在本辖区")).field("nominations")
            })?;
        if n.status != "new" {
            return Err(
                Error::invalid("invalid_nomination", format!("建议“{}”已经处理过了", n.title)).field("nominations")
            );
        }
        gathered.push(n);
    }
    let people: i64 = gathered.iter().map(|n| n.people).sum();
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let p = NewProject {
        county_code: &county,
        region_code: region.as_str(),
        level: level.as_str(),
        year: i.year,
        title: &title,
        place: &place,
        description: &description,
        estimated_cost: cost,
        owner_agency: owner.as_deref(),
        people,
        created_by: &actor,
    };
    let id = store::insert_project(&mut tx, &p, now).await?;
    for n in &gathered {
        let cols = [("status", Value::Text("merged")), ("project_id", Value::OptInt(Some(id)))];
        if !update(&mut tx, Table::Nominations, n.id, n.version, &cols, now).await? {
            return Err(Error::conflict("version_conflict", "有建议刚被别人处理过，请刷新后再试"));
        }
    }
    let summary = format!("梳理形成候选项目“{title}”，归并 {} 条群众建议", gathered.len());
    crate::audit::append(&mut tx, principal, &county, format!("project:{id}"), "project.create", summary, now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn owner_agency(app: &App, county: &str, raw: &str) -> Result<Option<String>> {
    match raw.trim() {
        "" => Ok(None),
        slug => {
            let a = org::agency_by_slug(&app.db, slug).await?.filter(|a| a.active && a.data.county_code == county);
            let a = a.ok_or_else(|| {
                Error::invalid("invalid_agency", format!("单位“{slug}”不是本县（区）的在用单位")).field("owner_agency")
            })?;
            Ok(Some(a.data.slug))
        }
    }
}

/// Gathers one more nomination into an existing candidate project.
pub async fn merge(app: &App, principal: &Principal, nomination: i64, project: i64) -> Result<()> {
    let n = store::nomination(&app.db, nomination).await?.ok_or(Error::NotFound)?;
    office(principal, &n.region_code)?;
    let p = store::project(&app.db, project).await?.ok_or(Error::NotFound)?;
    let under = RegionCode::parse(&p.region_code)
        .is_ok_and(|r| r.contains(&RegionCode::parse(&n.region_code).unwrap_or(r.clone())));
    if p.county_code != n.county_code || !under {
        return Err(Error::invalid("invalid_project", "只能归入本辖区的候选项目").field("project"));
    }
    if n.status != "new" {
        return Err(Error::conflict("not_new", "这条建议已经处理过了"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let cols = [("status", Value::Text("merged")), ("project_id", Value::OptInt(Some(project)))];
    if !update(&mut tx, Table::Nominations, n.id, n.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "这条建议刚被别人处理过，请刷新后再试"));
    }
    store::add_people(&mut tx, project, n.people, now).await?;
    let summary = format!("建议“{}”归入候选项目“{}”", n.title, p.title);
    crate::audit::append(
        &mut tx,
        principal,
        &p.county_code,
        format!("project:{project}"),
        "project.merge",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Projects under a region, for whoever reads it.
pub async fn projects(
    app: &App,
    principal: &Principal,
    region: Option<&str>,
    year: Option<i64>,
) -> Result<(RegionCode, Vec<Project>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    Ok((region.clone(), store::projects_in(&app.db, &region.county_key(), region.as_str(), year).await?))
}

/// Is the project public: on an approved list, chosen, or decided.
pub fn is_public(p: &Project) -> bool {
    p.status != ProjectStatus::Candidate.as_str()
}

/// A project with everything its page shows.
pub struct Full {
    pub project: Project,
    pub nominations: Vec<Nomination>,
    pub milestones: Vec<Milestone>,
    pub updates: Vec<Update>,
    /// (photo id, update id).
    pub photos: Vec<(i64, i64)>,
    pub may_report: bool,
    pub may_inspect: bool,
    pub may_answer: bool,
}

/// A project, for anyone once it is public; before that for the office's region.
pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<Full> {
    let p = store::project(&app.db, id).await?.ok_or(Error::NotFound)?;
    let staff = reader(principal, &p.region_code).is_ok();
    if !is_public(&p) && !staff {
        return Err(Error::NotFound);
    }
    let may_report = may_report(principal, &p);
    let is_deputy = match own_deputy(principal) {
        Some(slug) => org::deputy_by_slug(&app.db, slug)
            .await?
            .is_some_and(|d| d.data.county_code == p.county_code && d.data.region_code.starts_with(&p.region_code)),
        None => false,
    };
    let chosen = matches!(p.status.as_str(), "chosen" | "done");
    Ok(Full {
        nominations: if staff { store::nominations_of_project(&app.db, id).await? } else { Vec::new() },
        milestones: store::milestones(&app.db, id).await?,
        updates: store::updates(&app.db, id).await?,
        photos: store::photos(&app.db, id).await?.into_iter().map(|(a, b, _, _)| (a, b)).collect(),
        may_inspect: chosen && (office(principal, &p.region_code).is_ok() || is_deputy),
        may_answer: chosen && may_report,
        may_report: chosen && may_report,
        project: p,
    })
}

fn may_report(principal: &Principal, p: &Project) -> bool {
    office(principal, &p.region_code).is_ok()
        || p.owner_agency.as_ref().is_some_and(|a| own_agencies(principal).contains(a))
}

/// Names the owner agency of a chosen project (the office).
pub async fn set_owner(app: &App, principal: &Principal, id: i64, agency: &str) -> Result<()> {
    let p = store::project(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &p.region_code)?;
    let owner = owner_agency(app, &p.county_code, agency)
        .await?
        .ok_or_else(|| Error::invalid("required", "请选择责任单位").field("owner_agency"))?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !update(&mut tx, Table::Projects, id, p.version, &[("owner_agency", Value::OptText(Some(&owner)))], now).await? {
        return Err(Error::conflict("version_conflict", "项目刚被别人修改过，请刷新后再试"));
    }
    if matches!(p.status.as_str(), "chosen" | "done") {
        let body = format!("民生实事项目“{}”（{} 年）由贵单位负责实施，请在平台登记节点计划和进度。", p.title, p.year);
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&p.county_code, &format!("agency:{owner}"), "民生实事项目交办", &body),
            now,
        )
        .await?;
    }
    let summary = format!("项目“{}”的责任单位定为 {owner}", p.title);
    crate::audit::append(&mut tx, principal, &p.county_code, format!("project:{id}"), "project.owner", summary, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Candidate lists ----

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListInput {
    #[serde(default)]
    pub region: Option<String>,
    pub level: String,
    pub year: i64,
    pub session: String,
    pub places: i64,
    /// Default 70.
    #[serde(default)]
    pub ratio_percent: Option<i64>,
    /// The candidate projects, in the order they will appear on the ballot.
    pub projects: Vec<i64>,
}

/// Drafts the candidate list of a session (the office), refusing one without a margin.
pub async fn create_list(app: &App, principal: &Principal, i: &ListInput) -> Result<i64> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, i.region.as_deref())?;
    let county = region.county_key();
    let level = CongressLevel::parse(&i.level)
        .ok_or_else(|| Error::invalid("invalid_level", "请选择由哪一级人大票决").field("level"))?;
    let session = required("session", &i.session, 100, "会议名称", Lines::One)?;
    let ratio = i.ratio_percent.unwrap_or(70);
    if !(1..=99).contains(&ratio) {
        return Err(Error::invalid("invalid_ratio", "差额比例应在 1% 到 99% 之间").field("ratio_percent"));
    }
    let mut ids: Vec<i64> = Vec::new();
    for id in &i.projects {
        if ids.contains(id) {
            continue;
        }
        let p =
            store::project(&app.db, *id).await?.filter(|p| p.county_code == county && p.region_code == region.as_str());
        let p = p.ok_or_else(|| {
            Error::invalid("invalid_project", format!("第 {id} 号项目不是本辖区的候选项目")).field("projects")
        })?;
        if p.status != "candidate" || p.year != i.year || p.level != level.as_str() {
            return Err(Error::invalid(
                "invalid_project",
                format!("“{}”不是 {} 年由{}票决的候选项目", p.title, i.year, level.label()),
            )
            .field("projects"));
        }
        ids.push(p.id);
    }
    check_margin(usize::try_from(i.places).unwrap_or(0), ids.len(), ratio as u32)
        .map_err(|m| Error::invalid("no_margin", m).field("places"))?;
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let n = NewList {
        county_code: &county,
        region_code: region.as_str(),
        level: level.as_str(),
        year: i.year,
        session: &session,
        places: i.places,
        ratio_percent: ratio,
        created_by: &actor,
    };
    let id = store::insert_list(&mut tx, &n, &ids, now).await?;
    let summary = format!("拟定候选项目名单：{session}，{} 个候选项目，{} 个名额", ids.len(), i.places);
    crate::audit::append(
        &mut tx,
        principal,
        &county,
        format!("candidate_list:{id}"),
        "candidate_list.create",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The presidium approves a list (someone of the office other than who drafted it); its projects
/// become listed.
pub async fn approve_list(app: &App, principal: &Principal, id: i64, note: &str) -> Result<()> {
    let l = store::list(&app.db, id).await?.ok_or(Error::NotFound)?;
    office(principal, &l.region_code)?;
    let note = required("note", note, 200, "主席团审议情况（会议名称和日期）", Lines::One)?;
    if l.status != "draft" {
        return Err(Error::conflict("already_approved", "这份名单已经审议通过"));
    }
    if l.created_by == principal.actor() {
        return Err(Error::refused_because("候选名单须由拟定人以外的人登记主席团审议通过"));
    }
    let projects = store::list_projects(&app.db, id).await?;
    check_margin(l.places as usize, projects.len(), l.ratio_percent as u32)
        .map_err(|m| Error::invalid("no_margin", m).field("places"))?;
    if let Some(p) = projects.iter().find(|p| p.status != "candidate") {
        return Err(Error::conflict("project_taken", format!("“{}”已列入其他名单", p.title)));
    }
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let cols = [
        ("status", Value::Text("approved")),
        ("approved_by", Value::OptText(Some(&actor))),
        ("approved_note", Value::Text(&note)),
        ("approved_at", Value::OptInt(Some(now))),
    ];
    if !update(&mut tx, Table::CandidateLists, id, l.version, &cols, now).await? {
        return Err(Error::conflict("version_conflict", "名单刚被别人修改过，请刷新后再试"));
    }
    for p in &projects {
        store::set_project_status(&mut tx, p.id, ProjectStatus::Listed.as_str(), now).await?;
    }
    let summary = format!("候选项目名单经主席团审议通过：{}（{note}）", l.session);
    crate::audit::append(
        &mut tx,
        principal,
        &l.county_code,
        format!("candidate_list:{id}"),
        "candidate_list.approve",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn lists(app: &App, principal: &Principal, region: Option<&str>) -> Result<(RegionCode, Vec<CandidateList>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    Ok((region.clone(), store::lists_in(&app.db, &region.county_key(), region.as_str()).await?))
}

pub async fn list(app: &App, principal: &Principal, id: i64) -> Result<(CandidateList, Vec<Project>)> {
    let l = store::list(&app.db, id).await?.ok_or(Error::NotFound)?;
    reader(principal, &l.region_code)?;
    let projects = store::list_projects(&app.db, id).await?;
    Ok((l, projects))
}

// ---- Progress ----

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: String,
    /// In 万元.
    #[serde(default)]
    pub budget: String,
}

/// Adds a milestone to a chosen project (the office or the owner agency).
pub async fn add_milestone(app: &App, principal: &Principal, id: i64, i: &MilestoneInput) -> Result<i64> {
    let p = reporter(app, principal, id, "只有责任单位和人大办公室可以登记项目节点").await?;
    let title = required("title", &i.title, 100, "节点名称", Lines::One)?;
    let due = parse_date("due_on", &i.due_on).map_err(|e| Error::from(e).field("due_on"))?;
    let budget = parse_wan("budget", &i.budget)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let mid = store::insert_milestone(&mut tx, id, &title, &due.to_string(), budget, now).await?;
    let summary = format!("项目“{}”新增节点：{title}（{due}）", p.title);
    crate::audit::append(
        &mut tx,
        principal,
        &p.county_code,
        format!("project:{id}"),
        "project.milestone",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(mid)
}

/// Marks a milestone reached.
pub async fn milestone_done(app: &App, principal: &Principal, id: i64, milestone: i64, done_on: &str) -> Result<()> {
    let p = reporter(app, principal, id, "只有责任单位和人大办公室可以登记项目节点").await?;
    let done = parse_date("done_on", done_on).map_err(|e| Error::from(e).field("done_on"))?;
    if done > app.today() {
        return Err(Error::invalid("future_date", "完成日期不能晚于今天").field("done_on"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::milestone_done(&mut tx, milestone, id, &done.to_string()).await? {
        return Err(Error::conflict("already_done", "这个节点已经登记完成，或不属于这个项目"));
    }
    let summary = format!("项目“{}”的节点完成（{done}）", p.title);
    crate::audit::append(
        &mut tx,
        principal,
        &p.county_code,
        format!("project:{id}"),
        "project.milestone_done",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn ensure_chosen(p: &Project) -> Result<()> {
    if !matches!(p.status.as_str(), "chosen" | "done") {
        return Err(Error::conflict("not_chosen", "只有票决确定的项目才登记实施进度"));
    }
    Ok(())
}

/// The project, for its owner or office (refused otherwise), once it is chosen.
async fn reporter(app: &App, principal: &Principal, id: i64, refusal: &str) -> Result<Project> {
    let p = store::project(&app.db, id).await?.ok_or(Error::NotFound)?;
    if !may_report(principal, &p) {
        return Err(Error::refused_because(refusal));
    }
    ensure_chosen(&p)?;
    Ok(p)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UpdateInput {
    /// `progress`, `inspection` or `question`.
    pub kind: String,
    pub happened_on: String,
    pub body: String,
    /// Progress: percent done.
    #[serde(default)]
    pub percent: Option<i64>,
    /// Progress: spent so far, in 万元.
    #[serde(default)]
    pub spent: String,
    /// Inspection or question recorded by the office: the deputies who took part (slugs).
    #[serde(default)]
    pub deputies: Vec<String>,
}

/// Records progress (the owner or the office), or the deputies' inspection or question (the
/// office for the deputies named, or a deputy for themself): each deputy's register gains an
/// entry, confirmed when the office records it. The owner is told of a question.
pub async fn report(app: &App, principal: &Principal, id: i64, i: &UpdateInput) -> Result<i64> {
    let p = store::project(&app.db, id).await?.ok_or(Error::NotFound)?;
    let is_office = office(principal, &p.region_code).is_ok();
    let local_deputy = match own_deputy(principal) {
        Some(slug) => org::deputy_by_slug(&app.db, slug).await?.filter(|d| {
            d.active && d.data.county_code == p.county_code && d.data.region_code.starts_with(&p.region_code)
        }),
        None => None,
    };
    if !may_report(principal, &p) && local_deputy.is_none() {
        return Err(Error::refused_because("只有责任单位、人大办公室和本地代表可以登记项目的进度和视察"));
    }
    ensure_chosen(&p)?;
    let kind =
        UpdateKind::parse(&i.kind).ok_or_else(|| Error::invalid("invalid_kind", "请选择登记的类型").field("kind"))?;
    let day = parse_date("happened_on", &i.happened_on).map_err(|e| Error::from(e).field("happened_on"))?;
    if day > app.today() {
        return Err(Error::invalid("future_date", "日期不能晚于今天").field("happened_on"));
    }
    let body = required("body", &i.body, 3000, "内容", Lines::Many)?;
    let mut deputies = Vec::new();
    let (percent, spent) = match kind {
        UpdateKind::Progress => {
            if !may_report(principal, &p) {
                return Err(Error::refused_because("只有责任单位和人大办公室可以报告项目进度"));
            }
            let percent = i.percent.unwrap_or(0);
            if !(0..=100).contains(&percent) {
                return Err(Error::invalid("invalid_percent", "完成比例应在 0 到 100 之间").field("percent"));
            }
            (Some(percent), Some(parse_wan("spent", &i.spent)?))
        }
        UpdateKind::Inspection | UpdateKind::Question => {
            if is_office {
                for slug in i.deputies.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    let d = org::deputy_by_slug(&app.db, slug).await?.filter(|d| d.active);
                    let d = d.filter(|d| {
                        d.data.county_code == p.county_code && d.data.region_code.starts_with(&p.region_code)
                    });
                    let d = d.ok_or_else(|| {
                        Error::invalid("invalid_deputy", format!("代表“{slug}”不在本辖区")).field("deputies")
                    })?;
                    if !deputies.iter().any(|x: &org::Deputy| x.id == d.id) {
                        deputies.push(d);
                    }
                }
                if deputies.is_empty() {
                    return Err(Error::invalid("deputy_required", "请选择参加的代表").field("deputies"));
                }
            } else {
                let d = local_deputy
                    .clone()
                    .ok_or_else(|| Error::refused_because("只有本地代表和人大办公室可以登记视察和问进度"))?;
                deputies.push(d);
            }
            (None, None)
        }
    };
    let now = app.now_ms();
    let actor = principal.actor();
    let names = deputies.iter().map(|d| d.data.name.as_str()).collect::<Vec<_>>().join("、");
    let mut tx = app.db.begin().await?;
    let u = NewUpdate {
        project_id: id,
        kind: kind.as_str(),
        happened_on: &day.to_string(),
        body: &body,
        answer: "",
        percent,
        spent,
        deputies: &names,
        recorded_by: &actor,
    };
    let uid = store::insert_update(&mut tx, &u, now).await?;
    let description = format!("民生实事项目{}：{}", kind.label(), p.title);
    for d in &deputies {
        crate::register::automatic(
            &mut tx,
            d,
            DutyKind::Inspection,
            &day.to_string(),
            &p.place,
            &description,
            &Source::ProjectUpdate(uid),
            is_office,
            &actor,
            now,
        )
        .await?;
    }
    if kind == UpdateKind::Question
        && let Some(owner) = &p.owner_agency
    {
        let msg = format!("代表就民生实事项目“{}”问进度：{body} 请在平台答复。", p.title);
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&p.county_code, &format!("agency:{owner}"), "代表问进度", &msg),
            now,
        )
        .await?;
    }
    if kind == UpdateKind::Progress && percent == Some(100) {
        store::set_project_status(&mut tx, id, ProjectStatus::Done.as_str(), now).await?;
    }
    let summary = format!("项目“{}”登记{}", p.title, kind.label());
    crate::audit::append(&mut tx, principal, &p.county_code, format!("project:{id}"), "project.update", summary, now)
        .await?;
    tx.commit().await?;
    Ok(uid)
}

/// The owner (or the office) answers the deputies' question.
pub async fn answer(app: &App, principal: &Principal, id: i64, update_id: i64, text: &str) -> Result<()> {
    let p = reporter(app, principal, id, "只有责任单位和人大办公室可以答复问进度").await?;
    let text = required("answer", text, 3000, "答复", Lines::Many)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::set_answer(&mut tx, update_id, id, &text).await? {
        return Err(Error::conflict("already_answered", "这个问题已经答复过，或不属于这个项目"));
    }
    let summary = format!("答复代表对项目“{}”的问进度", p.title);
    crate::audit::append(&mut tx, principal, &p.county_code, format!("project:{id}"), "project.answer", summary, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Attaches a cleaned photo to a progress report or inspection of the project.
pub async fn attach_photo(app: &App, principal: &Principal, id: i64, update_id: i64, raw: Vec<u8>) -> Result<i64> {
    let p = may_photograph(app, principal, id).await?;
    if !store::updates(&app.db, id).await?.iter().any(|u| u.id == update_id) {
        return Err(Error::NotFound);
    }
    let have = store::photos(&app.db, id).await?.iter().filter(|(_, u, _, _)| *u == update_id).count();
    if have >= crate::photos::MAX_PHOTOS {
        return Err(Error::invalid("too_many_photos", format!("每条记录最多 {} 张照片", crate::photos::MAX_PHOTOS))
            .field("photos"));
    }
    let photo = crate::photos::clean_blocking(raw).await?;
    crate::photos::store(&app.config.data_dir, &photo).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let pid = store::insert_photo(&mut tx, update_id, &photo.hash, photo.mime, photo.bytes.len() as i64, now).await?;
    let summary = format!("项目“{}”上传照片", p.title);
    crate::audit::append(&mut tx, principal, &p.county_code, format!("project:{id}"), "project.photo", summary, now)
        .await?;
    tx.commit().await?;
    Ok(pid)
}

/// The chosen project, for whoever may add photos to it: its office, its owner, a local deputy.
pub async fn may_photograph(app: &App, principal: &Principal, id: i64) -> Result<Project> {
    let p = store::project(&app.db, id).await?.ok_or(Error::NotFound)?;
    let local_deputy = match own_deputy(principal) {
        Some(slug) => org::deputy_by_slug(&app.db, slug)
            .await?
            .is_some_and(|d| d.data.county_code == p.county_code && d.data.region_code.starts_with(&p.region_code)),
        None => false,
    };
    if !may_report(principal, &p) && !local_deputy {
        return Err(Error::refused_because("只有责任单位、人大办公室和本地代表可以上传项目照片"));
    }
    ensure_chosen(&p)?;
    Ok(p)
}

/// A project photo (or its thumbnail) with its type, public with its project.
pub async fn photo(app: &App, principal: &Principal, photo_id: i64, thumb: bool) -> Result<(Vec<u8>, String)> {
    let (project_id, hash, mime) = store::photo(&app.db, photo_id).await?.ok_or(Error::NotFound)?;
    get(app, principal, project_id).await?;
    if thumb
        && let Some(bytes) =
            crate::photos::thumbnail_blocking(app.config.data_dir.clone(), hash.clone(), mime.clone()).await?
    {
        return Ok((bytes, "image/jpeg".into()));
    }
    let bytes = std::fs::read(crate::photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
    Ok((bytes, mime))
}

/// The chosen projects the principal's agencies carry out.
pub async fn owned(app: &App, principal: &Principal) -> Result<Vec<Project>> {
    let mut out = Vec::new();
    for a in own_agencies(principal) {
        out.extend(store::projects_of_agency(&app.db, &a).await?);
    }
    Ok(out)
}

/// Public projects of a county: chosen and done ones, by year.
pub async fn public_projects(app: &App, county: &str) -> Result<Vec<Project>> {
    let mut out = store::projects_in(&app.db, county, county, None).await?;
    out.retain(is_public);
    Ok(out)
}
