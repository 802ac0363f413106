//! Station stars (联络站星级评选): the county's scorecards, and each year's scoring of a station:
//! entered by one person of the county (scores per criterion, evidence per criterion), submitted,
//! then approved or returned by a second person of the county — never the one who scored. An
//! approved scoring's stars show on the station's public page.

use crate::{App, Error, Result};
use chrono::Datelike;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::region::RegionCode;
use liaison_domain::stars::{AssessmentStatus, Criterion, Scorecard};
use liaison_store::stars::{self as store, AssessmentRow, Scoring};
use liaison_store::{audit, org};

/// A scorecard as stored.
#[derive(Debug, Clone)]
pub struct Card {
    pub id: i64,
    pub county_code: String,
    pub card: Scorecard,
}

fn card_of(r: store::ScorecardRow) -> Result<Card> {
    Ok(Card {
        id: r.id,
        county_code: r.county_code,
        card: Scorecard {
            name: r.name,
            criteria: serde_json::from_str(&r.criteria).map_err(Error::internal)?,
            thresholds: serde_json::from_str(&r.thresholds).map_err(Error::internal)?,
        },
    })
}

/// The county the principal scores in: a county-level grant of `action` (default: their first).
fn county_of(principal: &Principal, action: Action, region: Option<&str>) -> Result<RegionCode> {
    let region = crate::org::scoped_region(principal, action, region)?;
    let county = region.county().ok_or_else(Error::refused)?;
    crate::check(principal, action, Target::Region(&county))
        .map_err(|_| Error::refused_because("星级评选由县（区）人大常委会评分和复核"))?;
    Ok(county)
}

/// The scorecards of the principal's county (for whoever reads a region of it).
pub async fn scorecards(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<Card>> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    store::scorecards(&app.db, &region.county_key()).await?.into_iter().map(card_of).collect()
}

pub async fn scorecard(app: &App, principal: &Principal, id: i64) -> Result<Card> {
    let c = store::scorecard(&app.db, id).await?.ok_or(Error::NotFound).and_then(card_of)?;
    let county = RegionCode::parse(&c.county_code).map_err(Error::internal)?;
    let reads = crate::org::region_grants(principal, Action::OrgRead).into_iter().any(|g| county.contains(&g));
    if !reads {
        return Err(Error::refused());
    }
    Ok(c)
}

/// Adds a scorecard to the county's: weights adding up to 100, star lines rising.
pub async fn create_scorecard(app: &App, principal: &Principal, region: Option<&str>, card: Scorecard) -> Result<i64> {
    let county = county_of(principal, Action::OrgWrite, region)?;
    let card = Scorecard {
        name: card.name.trim().to_string(),
        criteria: card
            .criteria
            .into_iter()
            .map(|c| Criterion { group: c.group.trim().into(), title: c.title.trim().into(), weight: c.weight })
            .collect(),
        thresholds: card.thresholds,
    };
    card.check()?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let criteria = serde_json::to_string(&card.criteria).map_err(Error::internal)?;
    let thresholds = serde_json::to_string(&card.thresholds).map_err(Error::internal)?;
    let id =
        store::insert_scorecard(&mut tx, county.as_str(), &card.name, &criteria, &thresholds, &principal.actor(), now)
            .await?;
    let ev = AuditEvent {
        county_code: county.county_key(),
        actor: principal.actor(),
        action: "scorecard.create".into(),
        target: format!("scorecard:{id}"),
        summary: format!("创建星级评选标准“{}”（{} 条）", card.name, card.criteria.len()),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A station's scoring of a year, with its scorecard.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub row: AssessmentRow,
    pub scores: Vec<u32>,
    pub card: Card,
    pub status: AssessmentStatus,
    /// (criterion, hash, media type) of its evidence.
    pub evidence: Vec<(i64, String, String)>,
    /// The names of who scored it and who reviewed it, as their accounts show them.
    pub scored_by_name: String,
    pub reviewed_by_name: String,
}

async fn assessment_of_row(app: &App, row: AssessmentRow) -> Result<Assessment> {
    let card = store::scorecard(&app.db, row.scorecard_id).await?.ok_or(Error::NotFound).and_then(card_of)?;
    let scores = serde_json::from_str(&row.scores).map_err(Error::internal)?;
    let status = AssessmentStatus::parse(&row.status).ok_or_else(|| Error::internal("unknown status"))?;
    let evidence = store::evidence(&app.db, row.id).await?;
    let scored_by_name = crate::accounts::display_name(app, &row.scored_by).await?;
    let reviewed_by_name = match &row.reviewed_by {
        Some(r) => crate::accounts::display_name(app, r).await?,
        None => String::new(),
    };
    Ok(Assessment { row, scores, card, status, evidence, scored_by_name, reviewed_by_name })
}

fn readable(principal: &Principal, region: &str) -> Result<()> {
    let region = RegionCode::parse(region).map_err(Error::internal)?;
    crate::check(principal, Action::OrgRead, Target::Region(&region))
}

pub async fn assessment(app: &App, principal: &Principal, id: i64) -> Result<Assessment> {
    let row = store::assessment(&app.db, id).await?.ok_or(Error::NotFound)?;
    readable(principal, &row.region_code)?;
    assessment_of_row(app, row).await
}

/// A station's scoring of `year`, if any, for whoever reads the station's region.
pub async fn of_station(
    app: &App,
    principal: &Principal,
    station: &str,
    year: i32,
) -> Result<(org::Station, Option<Assessment>)> {
    let s = org::station_by_slug(&app.db, station.trim()).await?.ok_or(Error::NotFound)?;
    readable(principal, &s.data.region_code)?;
    let a = match store::assessment_of(&app.db, s.id, year).await? {
        Some(row) => Some(assessment_of_row(app, row).await?),
        None => None,
    };
    Ok((s, a))
}

/// The stations of `region` (default: the principal's first) with their scoring of `year`.
pub async fn list(
    app: &App,
    principal: &Principal,
    region: Option<&str>,
    year: i32,
) -> Result<(RegionCode, Vec<(org::Station, Option<AssessmentRow>)>)> {
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    let stations = org::stations_under(&app.db, region.as_str(), false).await?;
    let scored = store::assessments(&app.db, &region.county_key(), region.as_str(), year).await?;
    let out = stations
        .into_iter()
        .filter(|s| s.data.county_code == region.county_key())
        .map(|s| {
            let a = scored.iter().find(|a| a.station_id == s.id).cloned();
            (s, a)
        })
        .collect();
    Ok((region, out))
}

/// Refuses whoever may not score `station`'s stars (the county of the station only).
pub async fn may_score(app: &App, principal: &Principal, station: &str) -> Result<()> {
    let s = org::station_by_slug(&app.db, station.trim()).await?.ok_or(Error::NotFound)?;
    readable(principal, &s.data.region_code)?;
    county_of(principal, Action::OrgWrite, Some(&s.data.county_code)).map(|_| ())
}

/// Scores a station for `year` on scorecard `card` (a new scoring, or one still open: draft or
/// returned). Only the county scores; the year must have begun.
pub async fn score(
    app: &App,
    principal: &Principal,
    station: &str,
    year: i32,
    card: i64,
    scores: Vec<u32>,
    note: &str,
) -> Result<i64> {
    let s = org::station_by_slug(&app.db, station.trim()).await?.filter(|s| s.active).ok_or(Error::NotFound)?;
    let county = county_of(principal, Action::OrgWrite, Some(&s.data.county_code))?;
    if year < 2000 || year > app.today().year() {
        return Err(Error::invalid("invalid_year", "评选年度应为已开始的年份").field("year"));
    }
    let c = store::scorecard(&app.db, card).await?.ok_or(Error::NotFound).and_then(card_of)?;
    if c.county_code != county.as_str() {
        return Err(Error::invalid("invalid_scorecard", "请选择本县（区）的创建标准").field("scorecard"));
    }
    c.card.check_scores(&scores)?;
    let note = liaison_domain::text::optional("note", note, 1000, "评分说明", liaison_domain::text::Lines::Many)?;
    let total: u32 = scores.iter().sum();
    let stars = c.card.stars(total);
    let existing = store::assessment_of(&app.db, s.id, year).await?;
    if let Some(e) = &existing
        && !matches!(e.status.as_str(), "draft" | "returned")
    {
        return Err(Error::conflict("assessment_closed", "该年度评分已提交复核或已评定，不能再修改"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let scores_json = serde_json::to_string(&scores).map_err(Error::internal)?;
    let scoring = Scoring {
        county_code: county.as_str(),
        region_code: &s.data.region_code,
        station_id: s.id,
        year,
        scorecard_id: c.id,
        scores: &scores_json,
        total: total as i64,
        stars: stars as i64,
        note: &note,
        by: &principal.actor(),
    };
    let id = store::save(&mut tx, &scoring, existing.as_ref().map(|e| e.version), now)
        .await?
        .ok_or_else(|| Error::conflict("assessment_changed", "该年度评分刚被修改或提交，请刷新后再试"))?;
    let ev = AuditEvent {
        county_code: county.county_key(),
        actor: principal.actor(),
        action: "station_assessment.score".into(),
        target: format!("station_assessment:{id}"),
        summary: format!("{} {year} 年度星级评分：{total} 分", s.data.name),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn transition(app: &App, principal: &Principal, id: i64, to: AssessmentStatus, note: &str) -> Result<Assessment> {
    let a = assessment(app, principal, id).await?;
    county_of(principal, Action::OrgWrite, Some(&a.row.county_code))?;
    let note = liaison_domain::text::optional("note", note, 500, "复核意见", liaison_domain::text::Lines::Many)?;
    let from = match to {
        AssessmentStatus::Submitted => {
            if !matches!(a.status, AssessmentStatus::Draft | AssessmentStatus::Returned) {
                return Err(Error::conflict("not_open", "只有评分中的评分可以提交复核"));
            }
            a.status
        }
        _ => {
            if a.status != AssessmentStatus::Submitted {
                return Err(Error::conflict("not_submitted", "该评分尚未提交复核"));
            }
            if a.row.scored_by == principal.actor() {
                return Err(Error::refused_because("评分人不能复核自己的评分，请由另一位同志复核"));
            }
            if to == AssessmentStatus::Returned && note.is_empty() {
                return Err(Error::invalid("required", "退回重评请写明理由").field("note"));
            }
            AssessmentStatus::Submitted
        }
    };
    let reviewer = (to != AssessmentStatus::Submitted).then(|| principal.actor());
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::set_status(&mut tx, id, a.row.version, from.as_str(), to.as_str(), reviewer.as_deref(), &note, now)
        .await?
    {
        return Err(Error::conflict("assessment_changed", "该评分刚被修改，请刷新后再试"));
    }
    let summary = match to {
        AssessmentStatus::Approved => format!(
            "{} {} 年度评定为{}（{} 分）",
            a.row.station_name,
            a.row.year,
            liaison_domain::stars::star_label(a.row.stars as u8),
            a.row.total
        ),
        AssessmentStatus::Returned => format!("{} {} 年度评分退回重评：{note}", a.row.station_name, a.row.year),
        _ => format!("{} {} 年度评分提交复核", a.row.station_name, a.row.year),
    };
    let ev = AuditEvent {
        county_code: a.row.county_code.clone(),
        actor: principal.actor(),
        action: format!("station_assessment.{}", to.as_str()),
        target: format!("station_assessment:{id}"),
        summary,
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(a)
}

/// Submits a scoring for the second person's review.
pub async fn submit(app: &App, principal: &Principal, id: i64) -> Result<()> {
    transition(app, principal, id, AssessmentStatus::Submitted, "").await.map(|_| ())
}

/// The second person approves a submitted scoring (its stars then show in public) or returns it
/// with a reason. The one who scored may not.
pub async fn review(app: &App, principal: &Principal, id: i64, approve: bool, note: &str) -> Result<()> {
    let to = if approve { AssessmentStatus::Approved } else { AssessmentStatus::Returned };
    transition(app, principal, id, to, note).await.map(|_| ())
}

/// Adds a file of evidence (a photo or a PDF, checked like a register entry's) to a criterion of
/// a scoring still open.
pub async fn add_evidence(
    app: &App,
    principal: &Principal,
    id: i64,
    criterion: usize,
    file: crate::photos::Photo,
) -> Result<()> {
    let a = assessment(app, principal, id).await?;
    county_of(principal, Action::OrgWrite, Some(&a.row.county_code))?;
    if !matches!(a.status, AssessmentStatus::Draft | AssessmentStatus::Returned) {
        return Err(Error::conflict("assessment_closed", "该年度评分已提交复核或已评定，不能再添加材料"));
    }
    if criterion == 0 || criterion > a.card.card.criteria.len() {
        return Err(Error::invalid("invalid_criterion", "没有这条标准").field("criterion"));
    }
    if a.evidence.iter().filter(|(c, _, _)| *c == criterion as i64).count() >= crate::register::MAX_EVIDENCE {
        return Err(Error::invalid(
            "too_many_files",
            format!("每条标准最多 {} 个证明材料", crate::register::MAX_EVIDENCE),
        )
        .field("evidence"));
    }
    crate::photos::store(&app.config.data_dir, &file).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    store::add_evidence(&mut tx, id, criterion as i64, &file.hash, file.mime, file.bytes.len() as i64, now).await?;
    let ev = AuditEvent {
        county_code: a.row.county_code.clone(),
        actor: principal.actor(),
        action: "station_assessment.evidence".into(),
        target: format!("station_assessment:{id}"),
        summary: format!("{} {} 年度第 {criterion} 条标准添加证明材料", a.row.station_name, a.row.year),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A file of a scoring's evidence, for whoever reads it.
pub async fn evidence_file(app: &App, principal: &Principal, id: i64, hash: &str) -> Result<(Vec<u8>, String)> {
    let a = assessment(app, principal, id).await?;
    let (_, hash, mime) = a.evidence.into_iter().find(|(_, h, _)| h == hash).ok_or(Error::NotFound)?;
    let bytes = std::fs::read(crate::photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
    Ok((bytes, mime))
}

/// A station's stars in public: (year, stars, total, scorecard name) of its latest approved scoring.
pub async fn public_stars(app: &App, station_id: i64) -> Result<Option<(i32, u8, u32, String)>> {
    let Some(row) = store::latest_approved(&app.db, station_id).await? else { return Ok(None) };
    let card = store::scorecard(&app.db, row.scorecard_id).await?.map(|c| c.name).unwrap_or_default();
    Ok(Some((row.year as i32, row.stars as u8, row.total as u32, card)))
}
