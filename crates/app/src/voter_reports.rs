//! Reports to voters (述职). A report is scheduled for a deputy in their constituency, oral or
//! written; its text starts as a draft made from the deputy's duty register for the year, which
//! the deputy edits; once held, the township (or the deputy's station) records the voters'
//! evaluation — 满意 / 基本满意 / 不满意 counts, or a paper tally — and the deputy's register gains
//! a confirmed entry in the same transaction. The county reads its coverage: how many deputies
//! have reported this year, township by township.

use crate::receptions::own_deputy;
use crate::{App, Error, Result};
use chrono::Datelike;
use liaison_domain::authz::{Action, Principal, Scope, Target, reach};
use liaison_domain::reception::parse_date;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, Source};
use liaison_domain::text::{Lines, optional};
use liaison_domain::voter_work::{Evaluation, ReportForm, ReportStatus};
use liaison_store::org::{self, Deputy};
use liaison_store::voter_work::{self as store, NewReport, Table, Value};
use liaison_store::{Tx, outbox};

pub use liaison_store::voter_work::ReportRow as Report;

/// A report as scheduled.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Schedule {
    /// `oral` or `written`.
    pub form: String,
    pub scheduled_on: String,
    #[serde(default)]
    pub place: String,
}

/// What was recorded once a report was held.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Held {
    pub held_on: String,
    #[serde(default)]
    pub attendance: i64,
    #[serde(default)]
    pub satisfied: i64,
    #[serde(default)]
    pub partly: i64,
    #[serde(default)]
    pub dissatisfied: i64,
}

async fn audited(
    tx: &mut Tx,
    principal: &Principal,
    county: &str,
    id: i64,
    action: &str,
    summary: String,
    now: i64,
) -> Result<()> {
    crate::audit::append(tx, principal, county, format!("voter_report:{id}"), action, summary, now).await
}

fn changed() -> Error {
    Error::conflict("report_changed", "该述职安排刚被他人修改，请刷新后再试")
}

/// The text a report starts from: the deputy's confirmed register entries of the year by kind,
/// their suggestions and the cases raised to them, in the first person, for the deputy to edit.
pub async fn draft_text(app: &App, d: &Deputy, year: i32) -> Result<String> {
    let mut counts = crate::register::confirmed_counts(app, &d.data.slug, year).await?;
    counts.sort_by_key(|(k, _)| DutyKind::ALL.iter().position(|x| x == k));
    let mut text = format!(
        "各位选民：\n\n我是{}，现将 {year} 年履行代表职责的情况报告如下，请予评议。\n\n一、履职情况\n",
        d.data.name
    );
    if counts.is_empty() {
        text.push_str("（履职登记簿中本年度还没有已确认的履职记录。）\n");
    }
    for (kind, n) in &counts {
        text.push_str(&format!("- {}：{n} 次\n", kind.label()));
    }
    let suggestions = liaison_store::suggestions::of_deputy(&app.db, d.id).await?;
    let own: Vec<_> = suggestions
        .iter()
        .filter(|s| s.deputy_id == d.id && s.status != "draft" && s.year.is_none_or(|y| y == year as i64))
        .collect();
    if !own.is_empty() {
        text.push_str("\n二、提出的代表建议\n");
        for s in own {
            let state = liaison_domain::suggestion::SuggestionStatus::parse(&s.status).map_or("", |x| x.label());
            text.push_str(&format!("- {}（{state}）\n", s.title));
        }
    }
    text.push_str("\n三、存在的不足和下一步打算\n（请代表本人填写。）\n");
    Ok(text)
}

/// Schedules a report for deputy `deputy`: by the deputy, their station's staff, or the
/// township or county. The text is drafted from the register.
pub async fn schedule(app: &App, principal: &Principal, deputy: &str, i: Schedule) -> Result<i64> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.filter(|d| d.active).ok_or(Error::NotFound)?;
    crate::register::may_enter(app, principal, &d).await?;
    let form = ReportForm::parse(&i.form)
        .ok_or_else(|| Error::invalid("invalid_form", "请选择口头述职或书面述职").field("form"))?;
    let on = parse_date("scheduled_on", &i.scheduled_on).map_err(|e| Error::from(e).field("scheduled_on"))?;
    let today = app.today();
    if on.year() < today.year() - 1 || on.year() > today.year() + 1 {
        return Err(Error::invalid("invalid_date", "述职日期应在今年前后一年之内").field("scheduled_on"));
    }
    let place = optional("place", &i.place, 100, "地点", Lines::One)?;
    if form == ReportForm::Oral && place.is_empty() {
        return Err(Error::invalid("required", "口头述职请填写述职的地点").field("place"));
    }
    let body = draft_text(app, &d, on.year()).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let new = NewReport {
        county_code: &d.data.county_code,
        region_code: &d.data.region_code,
        deputy_id: d.id,
        year: on.year(),
        form: form.as_str(),
        scheduled_on: &on.to_string(),
        place: &place,
        body: &body,
        recorded_by: &principal.actor(),
    };
    let id = store::insert_report(&mut tx, &new, now).await?;
    if own_deputy(principal) != Some(d.data.slug.as_str()) {
        let msg =
            format!("已为您安排 {on} 在{place}向选民{}，述职稿已按履职登记簿起草，请登录平台修改定稿。", form.label());
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&d.data.county_code, &format!("deputy:{}", d.data.slug), "向选民述职安排", &msg),
            now,
        )
        .await?;
    }
    audited(
        &mut tx,
        principal,
        &d.data.county_code,
        id,
        "voter_report.schedule",
        format!("安排{}{on}{}", d.data.name, form.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// May the principal read report `r`: whoever may read the deputy's register.
async fn readable(app: &App, principal: &Principal, id: i64) -> Result<(Report, Deputy)> {
    let r = store::report(&app.db, id).await?.ok_or(Error::NotFound)?;
    let d = org::deputy_by_slug(&app.db, &r.deputy_slug).await?.ok_or(Error::NotFound)?;
    crate::register::may_read(app, principal, &d).await?;
    Ok((r, d))
}

pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<Report> {
    Ok(readable(app, principal, id).await?.0)
}

/// The deputy (or whoever scheduled it) edits the text before the report is held.
pub async fn edit(app: &App, principal: &Principal, id: i64, body: &str) -> Result<()> {
    let (r, d) = readable(app, principal, id).await?;
    crate::register::may_enter(app, principal, &d).await?;
    if r.status != ReportStatus::Scheduled.as_str() {
        return Err(Error::conflict("not_scheduled", "述职已经举行或取消，述职稿不能再改"));
    }
    let body = optional("body", body, 20_000, "述职稿", Lines::Many)?;
    if body.chars().count() < 20 {
        return Err(Error::invalid("required", "述职稿至少写 20 个字").field("body"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::update(&mut tx, Table::Reports, id, r.version, &[("body", Value::Text(&body))], now).await? {
        return Err(changed());
    }
    audited(&mut tx, principal, &r.county_code, id, "voter_report.edit", format!("修改{}的述职稿", r.deputy_name), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the report held and the voters' evaluation: the township or county, or the deputy's
/// station staff — never the deputy, who does not count the votes on themself.
pub async fn record_held(app: &App, principal: &Principal, id: i64, h: Held) -> Result<()> {
    let (r, d) = readable(app, principal, id).await?;
    if own_deputy(principal) == Some(d.data.slug.as_str()) {
        return Err(Error::refused_because("选民测评结果由乡镇（街道）人大或联络站登记，代表本人不能登记"));
    }
    crate::register::may_enter(app, principal, &d).await?;
    if r.status != ReportStatus::Scheduled.as_str() {
        return Err(Error::conflict("not_scheduled", "该述职已登记或已取消"));
    }
    let held_on = parse_date("held_on", &h.held_on).map_err(|e| Error::from(e).field("held_on"))?;
    if held_on > app.today() {
        return Err(Error::invalid("future_date", "述职日期不能晚于今天").field("held_on"));
    }
    if i64::from(held_on.year()) != r.year {
        return Err(Error::invalid(
            "invalid_date",
            format!("这是 {} 年的述职，述职日期应在 {} 年之内", r.year, r.year),
        )
        .field("held_on"));
    }
    let e =
        Evaluation { attendance: h.attendance, satisfied: h.satisfied, partly: h.partly, dissatisfied: h.dissatisfied };
    e.check()?;
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let ok = store::update(
        &mut tx,
        Table::Reports,
        id,
        r.version,
        &[
            ("status", Value::Text(ReportStatus::Held.as_str())),
            ("held_on", Value::OptText(Some(&held_on.to_string()))),
            ("attendance", Value::Int(e.attendance)),
            ("satisfied", Value::Int(e.satisfied)),
            ("partly", Value::Int(e.partly)),
            ("dissatisfied", Value::Int(e.dissatisfied)),
        ],
        now,
    )
    .await?;
    if !ok {
        return Err(changed());
    }
    let form = ReportForm::parse(&r.form).map_or("述职", |f| f.label());
    crate::register::automatic(
        &mut tx,
        &d,
        DutyKind::Report,
        &held_on.to_string(),
        &r.place,
        &format!("向选民{form}，满意 {}、基本满意 {}、不满意 {}", e.satisfied, e.partly, e.dissatisfied),
        &Source::VoterReport(id),
        true,
        &actor,
        now,
    )
    .await?;
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "voter_report.held",
        format!("{}{form}已举行，测评满意率 {}%", r.deputy_name, e.approval_percent()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a report not yet held, with a reason.
pub async fn cancel(app: &App, principal: &Principal, id: i64, reason: &str) -> Result<()> {
    let (r, d) = readable(app, principal, id).await?;
    crate::register::may_enter(app, principal, &d).await?;
    if r.status != ReportStatus::Scheduled.as_str() {
        return Err(Error::conflict("not_scheduled", "该述职已登记或已取消"));
    }
    let reason = optional("reason", reason, 500, "取消原因", Lines::Many)?;
    if reason.is_empty() {
        return Err(Error::invalid("required", "请写明取消的原因").field("reason"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::update(
        &mut tx,
        Table::Reports,
        id,
        r.version,
        &[("status", Value::Text(ReportStatus::Cancelled.as_str()))],
        now,
    )
    .await?
    {
        return Err(changed());
    }
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "voter_report.cancel",
        format!("取消{}的述职：{reason}", r.deputy_name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The reports the principal works on in `year`: a deputy's own, a station's deputies', or a
/// region's (default: the principal's first).
pub async fn list(app: &App, principal: &Principal, region: Option<&str>, year: i32) -> Result<Vec<Report>> {
    if let Some(me) = own_deputy(principal) {
        let d = org::deputy_by_slug(&app.db, me).await?.ok_or(Error::NotFound)?;
        return Ok(store::reports_of_deputy(&app.db, d.id)
            .await?
            .into_iter()
            .filter(|r| r.year == year as i64)
            .collect());
    }
    let stations: Vec<String> = reach(principal, Action::CaseWrite)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Station(slug) => Some(slug.clone()),
            _ => None,
        })
        .collect();
    if !stations.is_empty() && crate::org::scoped_region(principal, Action::OrgRead, region).is_err() {
        let mut out: Vec<Report> = Vec::new();
        for slug in &stations {
            let Some(s) = org::station_by_slug(&app.db, slug).await? else { continue };
            for (d, _) in org::station_deputies(&app.db, s.id).await? {
                for r in store::reports_of_deputy(&app.db, d.id).await? {
                    if r.year == year as i64 && !out.iter().any(|o| o.id == r.id) {
                        out.push(r);
                    }
                }
            }
        }
        out.sort_by(|a, b| a.scheduled_on.cmp(&b.scheduled_on));
        return Ok(out);
    }
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    Ok(store::reports_in_region(&app.db, &region.county_key(), region.as_str(), year).await?)
}

/// One township's (or the county's) coverage: its deputies, how many reported, how many are
/// scheduled, and who has neither.
#[derive(Debug, Clone)]
pub struct CoverageRow {
    pub region: String,
    pub name: String,
    pub deputies: usize,
    pub reported: usize,
    pub scheduled: usize,
    /// (slug, name) of the deputies with no report held or scheduled.
    pub missing: Vec<(String, String)>,
}

/// A region's coverage in `year`, one row per township under it (or one for the region itself
/// when it is a township), and the total.
pub async fn coverage(
    app: &App,
    principal: &Principal,
    region: Option<&str>,
    year: i32,
) -> Result<(CoverageRow, Vec<CoverageRow>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    let reports = store::reports_in_region(&app.db, &region.county_key(), region.as_str(), year).await?;
    let deputies = org::deputies_under(&app.db, region.as_str(), false).await?;
    let regions = liaison_store::regions::subtree(&app.db, &region).await?;
    let name_of =
        |code: &str| regions.iter().find(|r| r.code == code).map_or_else(|| code.to_string(), |r| r.name.clone());
    let mut rows: Vec<CoverageRow> = Vec::new();
    let mut total = CoverageRow {
        region: region.to_string(),
        name: name_of(region.as_str()),
        deputies: 0,
        reported: 0,
        scheduled: 0,
        missing: vec![],
    };
    for d in &deputies {
        let township = match crate::points::township_of(&d.data.region_code) {
            "" => d.data.region_code.clone(),
            t => t.to_string(),
        };
        let held = reports.iter().any(|r| r.deputy_id == d.id && r.status == "held");
        let planned = !held && reports.iter().any(|r| r.deputy_id == d.id && r.status == "scheduled");
        let row = match rows.iter_mut().find(|r| r.region == township) {
            Some(r) => r,
            None => {
                rows.push(CoverageRow {
                    name: name_of(&township),
                    region: township.clone(),
                    deputies: 0,
                    reported: 0,
                    scheduled: 0,
                    missing: vec![],
                });
                rows.last_mut().expect("just pushed")
            }
        };
        for r in [&mut *row, &mut total] {
            r.deputies += 1;
            r.reported += usize::from(held);
            r.scheduled += usize::from(planned);
            if !held && !planned {
                r.missing.push((d.data.slug.clone(), d.data.name.clone()));
            }
        }
    }
    rows.sort_by(|a, b| a.region.cmp(&b.region));
    Ok((total, rows))
}

/// May the principal record the evaluation of report `r` (used by the pages to offer the form)?
pub async fn may_record(app: &App, principal: &Principal, r: &Report) -> bool {
    if own_deputy(principal) == Some(r.deputy_slug.as_str()) {
        return false;
    }
    match org::deputy_by_slug(&app.db, &r.deputy_slug).await {
        Ok(Some(d)) => crate::register::may_enter(app, principal, &d).await.is_ok(),
        _ => false,
    }
}

/// May the principal schedule, edit or cancel reports of deputy `slug`?
pub async fn may_schedule(app: &App, principal: &Principal, slug: &str) -> bool {
    match org::deputy_by_slug(&app.db, slug).await {
        Ok(Some(d)) => crate::register::may_enter(app, principal, &d).await.is_ok(),
        _ => false,
    }
}

/// Checks a region code the caller gave, for the pages.
pub fn region_of(principal: &Principal, raw: Option<&str>) -> Result<RegionCode> {
    let r = crate::org::scoped_region(principal, Action::OrgRead, raw)?;
    crate::check(principal, Action::OrgRead, Target::Region(&r))?;
    Ok(r)
}
