//! Bulletins (简报): the weekly brief (每周工作简报) and the monthly bulletin (民情月报) of a
//! county, a township or a station, in the three parts the seeds use — 民心所盼 (what people ask
//! for), 民意纵览 (how it is being handled), 民声回响 (what people said about the outcome).
//!
//! A draft is written from the data of its period: the statistics of `crate::statistics`, the
//! matters constituents allowed to publish, and the published outcomes. Staff edit the text; the
//! figures stay those of the period — recomputed while it is a draft, fixed when a second person
//! approves it. Published, it is a public web page, a PDF typeset like the annual duty reports,
//! and a workbook of its figures, listed in an archive and a feed.

use crate::statistics::{self, Figures, Report, Subject};
use crate::{App, Error, Result};
use chrono::{Datelike, Duration, NaiveDate};
use liaison_domain::authz::{Action, Principal, Target, parse_slug};
use liaison_domain::region::RegionCode;
use liaison_report::{Block, Doc};
use liaison_store::bulletins::{self as store, BulletinRow, NewBulletin};
use liaison_store::cases;

pub use liaison_store::bulletins::BulletinRow as Bulletin;

/// Weekly or monthly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Weekly,
    Monthly,
}

impl Kind {
    pub fn parse(raw: &str) -> Option<Kind> {
        match raw.trim() {
            "weekly" | "周报" => Some(Kind::Weekly),
            "monthly" | "月报" => Some(Kind::Monthly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Weekly => "weekly",
            Kind::Monthly => "monthly",
        }
    }

    /// 工作周报 / 民情月报.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Weekly => "工作周报",
            Kind::Monthly => "民情月报",
        }
    }
}

/// The label of a stored kind.
pub fn kind_label(raw: &str) -> &'static str {
    Kind::parse(raw).map_or("简报", Kind::label)
}

/// 草稿 / 已审核 / 已发布.
pub fn status_label(raw: &str) -> &'static str {
    match raw {
        "draft" => "草稿",
        "approved" => "已审核，待发布",
        "published" => "已发布",
        _ => "未知",
    }
}

/// The days a bulletin covers: a month ("2026-11", or any day in it) or the Monday-to-Sunday
/// week of a day ("2026-11-18").
pub fn period(kind: Kind, raw: &str) -> Result<(NaiveDate, NaiveDate)> {
    let raw = raw.trim();
    let bad = || {
        Error::invalid(
            "invalid_period",
            match kind {
                Kind::Monthly => "月份应写作 YYYY-MM，如 2026-11",
                Kind::Weekly => "请写这一周里的任意一天，如 2026-11-18",
            },
        )
        .field("period")
    };
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d"))
        .map_err(|_| bad())?;
    Ok(match kind {
        Kind::Monthly => {
            let first = day.with_day(1).expect("day one");
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            }
            .expect("a month");
            (first, next - Duration::days(1))
        }
        Kind::Weekly => {
            if raw.len() != 10 {
                return Err(bad());
            }
            let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(6))
        }
    })
}

/// What staff ask to draft.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    pub kind: String,
    pub region: Option<String>,
    pub station: Option<String>,
    /// The month (YYYY-MM) or a day of the week.
    pub period: String,
}

/// The texts staff edit.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    pub title: String,
    pub intro: String,
    pub asks: String,
    pub progress: String,
    pub echoes: String,
}

fn ms(d: NaiveDate) -> i64 {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    d.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(tz).single()).map_or(0, |t| t.timestamp_millis())
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

/// 2026年11月 / 2026年11月16日至22日.
fn period_label(kind: Kind, from: NaiveDate, to: NaiveDate) -> String {
    match kind {
        Kind::Monthly => format!("{}年{}月", from.year(), from.month()),
        Kind::Weekly if from.month() == to.month() => {
            format!("{}年{}月{}日至{}日", from.year(), from.month(), from.day(), to.day())
        }
        Kind::Weekly => format!("{}年{}月{}日至{}月{}日", from.year(), from.month(), from.day(), to.month(), to.day()),
    }
}

/// The figures' sentence about the cases received.
fn received_sentence(what: &str, r: &Report) -> String {
    let f = &r.received;
    let channels: Vec<String> = r
        .by_channel
        .iter()
        .filter(|l| l.figures.received > 0)
        .map(|l| format!("{}{}件", l.label, l.figures.received))
        .collect();
    let mut s = format!("{what}共收集群众意见建议{}件", f.received);
    if !channels.is_empty() {
        s.push_str(&format!("，其中{}", channels.join("、")));
    }
    s.push('。');
    s
}

/// Drafts the four texts from the period's data.
async fn compose(
    app: &App,
    kind: Kind,
    subject: &Subject,
    period: (NaiveDate, NaiveDate),
    r: &Report,
) -> Result<Texts> {
    // The title names the whole period; the figures run to today while it is not over.
    let (from, to) = (r.from, r.to);
    let whole = period_label(kind, period.0, period.1);
    let station = subject.station.as_deref();
    let county = subject.region.county_key();
    let what = match kind {
        Kind::Monthly => "本月",
        Kind::Weekly => "本周",
    };
    let scope = match &r.station {
        Some((_, name)) => name.clone(),
        None => r.region_name.clone(),
    };
    let title = format!("{scope}{}（{whole}）", kind.label());
    let f: &Figures = &r.received;
    let so_far = if to < period.1 { format!("（截至{}月{}日）", to.month(), to.day()) } else { String::new() };
    let intro = format!(
        "{whole}{so_far}，{}通过联络站接待、走访、扫码留言、微信群等渠道收集群众意见建议{}件，解决{}件。现将有关情况通报如下。",
        scope, f.received, r.resolved.received
    );

    // 民心所盼: what was asked, by category, with examples the constituents allowed to publish.
    let mut asks = received_sentence(what, r);
    let top: Vec<String> = r
        .by_category
        .iter()
        .filter(|l| l.figures.received > 0)
        .take(5)
        .map(|l| format!("{}{}件", l.label, l.figures.received))
        .collect();
    if !top.is_empty() {
        asks.push_str(&format!("群众反映较多的是{}。", top.join("、")));
    }
    let examples = cases::consented_titles(
        &app.db,
        &county,
        subject.region.as_str(),
        station,
        ms(from),
        ms(to + Duration::days(1)),
        5,
    )
    .await?;
    if !examples.is_empty() {
        asks.push_str("\n\n");
        let list: Vec<String> = examples.iter().map(|(cat, title)| format!("· {title}（{cat}）")).collect();
        asks.push_str(&list.join("\n"));
    }

    // 民意纵览: how it is being handled.
    let mut progress = format!(
        "{what}收集的意见建议中，已解决{}件（其中现场答复{}件），办理中{}件，解决率{}",
        f.resolved(),
        f.on_spot,
        f.in_progress,
        pct(f.resolution_rate())
    );
    if f.on_time + f.late > 0 {
        progress.push_str(&format!("，按期办结率{}", pct(f.on_time_rate())));
    }
    progress.push('。');
    let township = r.by_level.iter().find(|l| l.key == "township").map_or(0, |l| l.figures.received);
    let county_level = r.by_level.iter().find(|l| l.key == "county").map_or(0, |l| l.figures.received);
    if township + county_level > 0 {
        progress.push_str(&format!("按办理层级，乡镇（街道）层面{township}件，县级层面{county_level}件。"));
    }
    progress.push_str(&format!("{what}办结（含以前收集的）{}件。", r.resolved.received));
    if f.overdue > 0 {
        progress.push_str(&format!("超过办理期限的{}件，已督促承办单位加快办理。", f.overdue));
    }

    // 民声回响: what people said.
    let mut echoes = if f.rated() + f.unrated > 0 {
        format!(
            "群众评价{}件：满意{}件、基本满意{}件、不满意{}件，满意率{}。",
            f.rated(),
            f.satisfied,
            f.partly,
            f.dissatisfied,
            pct(f.satisfaction_rate())
        )
    } else {
        format!("{what}收集的意见建议尚无群众评价。")
    };
    let outcomes = cases::echoes_between(
        &app.db,
        &county,
        subject.region.as_str(),
        station,
        ms(from),
        ms(to + Duration::days(1)),
        5,
    )
    .await?;
    if !outcomes.is_empty() {
        echoes.push_str("\n\n");
        let list: Vec<String> = outcomes.iter().map(|(t, reply, _)| format!("· {t}：{reply}")).collect();
        echoes.push_str(&list.join("\n"));
    }
    Ok(Texts { title, intro, asks, progress, echoes })
}

/// The region a bulletin is about, checked against the principal's scope for `action`.
fn region_of(principal: &Principal, b: &BulletinRow, action: Action) -> Result<RegionCode> {
    let region = RegionCode::parse(&b.region_code).map_err(Error::internal)?;
    crate::check(principal, action, Target::Region(&region))?;
    Ok(region)
}

fn subject_of(b: &BulletinRow) -> Result<Subject> {
    Ok(Subject {
        region: RegionCode::parse(&b.region_code).map_err(Error::internal)?,
        station: (!b.station_slug.is_empty()).then(|| b.station_slug.clone()),
    })
}

fn dates(b: &BulletinRow) -> Result<(NaiveDate, NaiveDate)> {
    let p = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(Error::internal);
    Ok((p(&b.period_from)?, p(&b.period_to)?))
}

/// The period's figures as the bulletin keeps them: up to today for a period not yet over.
async fn figures_json(app: &App, subject: &Subject, from: NaiveDate, to: NaiveDate) -> Result<(Report, String)> {
    let r = statistics::build(app, subject, from, to.min(app.today())).await?;
    let json = serde_json::to_string(&r).map_err(Error::internal)?;
    Ok((r, json))
}

/// Drafts a bulletin from the data of its period; audited. Refused for a period not begun, and
/// a second draft for the same period (the first is edited instead).
pub async fn draft(app: &App, principal: &Principal, input: &DraftInput) -> Result<i64> {
    let kind = Kind::parse(&input.kind)
        .ok_or_else(|| Error::invalid("invalid_kind", "请选择工作周报或民情月报").field("kind"))?;
    let region = crate::org::scoped_region(principal, Action::OrgWrite, input.region.as_deref())?;
    let station = match input.station.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let slug = parse_slug(s).map_err(|e| Error::from(e).field("station"))?;
            let st = liaison_store::org::station_by_slug(&app.db, &slug)
                .await?
                .filter(|st| st.active && st.data.region_code.starts_with(region.as_str()))
                .ok_or_else(|| {
                    Error::invalid("unknown_station", "找不到该联络站，或它不在所选区划内").field("station")
                })?;
            Some(st.data.slug)
        }
    };
    let (from, to) = period(kind, &input.period)?;
    if from > app.today() {
        return Err(Error::invalid("invalid_period", "这一期还没有开始，不能起草").field("period"));
    }
    let subject = Subject { region: region.clone(), station: station.clone() };
    let (report, json) = figures_json(app, &subject, from, to).await?;
    let texts = compose(app, kind, &subject, (from, to), &report).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = store::insert(
        &mut tx,
        &NewBulletin {
            county_code: &region.county_key(),
            region_code: region.as_str(),
            station_slug: station.as_deref().unwrap_or(""),
            kind: kind.as_str(),
            period_from: &from.to_string(),
            period_to: &to.to_string(),
            year: i64::from(from.year()),
            title: &texts.title,
            intro: &texts.intro,
            asks: &texts.asks,
            progress: &texts.progress,
            echoes: &texts.echoes,
            figures: &json,
            created_by: &principal.actor(),
        },
        now,
    )
    .await?
    .ok_or_else(|| Error::conflict("bulletin_exists", "这一期的简报已经起草过了，请在列表中打开修改"))?;
    crate::audit::append(
        &mut tx,
        principal,
        &region.county_key(),
        format!("bulletin:{id}"),
        "bulletin.draft",
        format!("起草{}", texts.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A bulletin for staff who may write in its region.
pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<Bulletin> {
    let b = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    region_of(principal, &b, Action::OrgWrite)?;
    Ok(b)
}

/// The bulletins of the principal's region (or the one asked for), newest first.
pub async fn list(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<Bulletin>> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, region)?;
    Ok(store::list(&app.db, &region.county_key(), region.as_str(), None, false, 200).await?)
}

fn check_texts(t: &Texts) -> Result<()> {
    let t_len = t.title.trim().chars().count();
    if t_len == 0 || t_len > 100 {
        return Err(Error::invalid("invalid_title", "标题不能为空，最多 100 字").field("title"));
    }
    for (field, text, name) in [
        ("intro", &t.intro, "导语"),
        ("asks", &t.asks, "民心所盼"),
        ("progress", &t.progress, "民意纵览"),
        ("echoes", &t.echoes, "民声回响"),
    ] {
        if text.chars().count() > 5000 {
            return Err(Error::invalid("too_long", format!("{name}最多 5000 字")).field(field));
        }
    }
    for (field, text, name) in
        [("asks", &t.asks, "民心所盼"), ("progress", &t.progress, "民意纵览"), ("echoes", &t.echoes, "民声回响")]
    {
        if text.trim().is_empty() {
            return Err(Error::invalid("empty_section", format!("“{name}”不能为空")).field(field));
        }
    }
    Ok(())
}

fn stale() -> Error {
    Error::conflict("stale_version", "简报已被他人修改或已审核，请刷新后再改")
}

/// Saves a draft's texts (at the version the editor read) and refreshes its figures; audited.
pub async fn edit(app: &App, principal: &Principal, id: i64, version: i64, texts: &Texts) -> Result<Bulletin> {
    let b = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    region_of(principal, &b, Action::OrgWrite)?;
    if b.status != "draft" {
        return Err(Error::conflict("not_a_draft", "已审核的简报不能修改，请先退回修改"));
    }
    check_texts(texts)?;
    let (from, to) = dates(&b)?;
    let (_, json) = figures_json(app, &subject_of(&b)?, from, to).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let texts_in = [texts.intro.trim(), texts.asks.trim(), texts.progress.trim(), texts.echoes.trim()];
    if !store::edit(&mut tx, id, version, texts.title.trim(), texts_in, &json, now).await? {
        return Err(stale());
    }
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("bulletin:{id}"),
        "bulletin.save",
        format!("修改{}", b.title),
        now,
    )
    .await?;
    let out = store::get_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(out)
}

/// Approves a draft — someone other than its drafter — fixing its figures as of now; audited.
pub async fn approve(app: &App, principal: &Principal, id: i64, version: i64) -> Result<Bulletin> {
    let b = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    region_of(principal, &b, Action::OrgWrite)?;
    if b.status != "draft" {
        return Err(Error::conflict("not_a_draft", "这期简报不是草稿，不能审核"));
    }
    if b.created_by == principal.actor() {
        return Err(Error::conflict("own_draft", "简报需由起草人以外的人审核"));
    }
    let (from, to) = dates(&b)?;
    let (_, json) = figures_json(app, &subject_of(&b)?, from, to).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::approve(&mut tx, id, version, &json, &principal.actor(), now).await? {
        return Err(stale());
    }
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("bulletin:{id}"),
        "bulletin.approve",
        format!("审核{}", b.title),
        now,
    )
    .await?;
    let out = store::get_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(out)
}

/// Sends an approved bulletin back to draft; audited.
pub async fn reopen(app: &App, principal: &Principal, id: i64, version: i64) -> Result<Bulletin> {
    let b = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    region_of(principal, &b, Action::OrgWrite)?;
    if b.status != "approved" {
        return Err(Error::conflict("not_approved", "只有已审核、未发布的简报可以退回修改"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::reopen(&mut tx, id, version, now).await? {
        return Err(stale());
    }
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("bulletin:{id}"),
        "bulletin.reopen",
        format!("退回修改{}", b.title),
        now,
    )
    .await?;
    let out = store::get_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(out)
}

/// Publishes an approved bulletin with the next number of its series; audited.
pub async fn publish(app: &App, principal: &Principal, id: i64, version: i64) -> Result<Bulletin> {
    let b = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    region_of(principal, &b, Action::OrgWrite)?;
    if b.status != "approved" {
        return Err(Error::conflict("not_approved", "简报需审核通过后才能发布"));
    }
    if b.version != version {
        return Err(stale());
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let number = store::publish(&mut tx, &b, &principal.actor(), now).await?.ok_or_else(stale)?;
    crate::audit::append(
        &mut tx,
        principal,
        &b.county_code,
        format!("bulletin:{id}"),
        "bulletin.publish",
        format!("发布{}（{}年第{number}期）", b.title, b.year),
        now,
    )
    .await?;
    let out = store::get_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(out)
}

/// A published bulletin, for everyone.
pub async fn published(app: &App, id: i64) -> Result<Bulletin> {
    store::get(&app.db, id).await?.filter(|b| b.status == "published").ok_or(Error::NotFound)
}

/// The published bulletins of a county (or of one station), newest first.
pub async fn archive(app: &App, county: &RegionCode, station: Option<&str>, limit: i64) -> Result<Vec<Bulletin>> {
    Ok(store::list(&app.db, &county.county_key(), county.as_str(), station, true, limit).await?)
}

/// The figures a bulletin carries (fixed once approved; for a draft, as last refreshed).
pub fn report(b: &BulletinRow) -> Result<Report> {
    serde_json::from_str(&b.figures).map_err(Error::internal)
}

/// 2026年第3期.
pub fn number_label(b: &BulletinRow) -> String {
    match b.number {
        Some(n) => format!("{}年第{n}期", b.year),
        None => String::new(),
    }
}

fn paragraphs(text: &str) -> Vec<Block> {
    text.split('\n').map(str::trim).filter(|l| !l.is_empty()).map(|l| Block::Para(l.to_owned())).collect()
}

fn figure_table(first: &str, lines: &[statistics::Line]) -> Block {
    Block::Table {
        widths: vec![0.34, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11],
        header: [first, "收集", "解决", "现场答复", "办理中", "解决率", "满意率"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        rows: lines
            .iter()
            .map(|l| {
                let f = &l.figures;
                vec![
                    l.label.clone(),
                    f.received.to_string(),
                    f.resolved().to_string(),
                    f.on_spot.to_string(),
                    f.in_progress.to_string(),
                    pct(f.resolution_rate()),
                    pct(f.satisfaction_rate()),
                ]
            })
            .collect(),
    }
}

/// The bulletin as a printable document: the three parts with their figures.
pub fn doc(b: &BulletinRow, r: &Report, footer: &str) -> Doc {
    let mut blocks = vec![Block::Title(b.title.clone())];
    let mut sub = format!("{} 至 {}", b.period_from, b.period_to);
    if b.number.is_some() {
        sub = format!("{} · {sub}", number_label(b));
    }
    blocks.push(Block::Subtitle(sub));
    blocks.extend(paragraphs(&b.intro));
    blocks.push(Block::Heading("一、民心所盼".into()));
    blocks.extend(paragraphs(&b.asks));
    let channels: Vec<_> = r.by_channel.iter().filter(|l| l.figures.received > 0).cloned().collect();
    if !channels.is_empty() {
        blocks.push(figure_table("收集渠道", &channels));
    }
    let categories: Vec<_> = r.by_category.iter().filter(|l| l.figures.received > 0).take(10).cloned().collect();
    if !categories.is_empty() {
        blocks.push(figure_table("问题类别", &categories));
    }
    blocks.push(Block::Heading("二、民意纵览".into()));
    blocks.extend(paragraphs(&b.progress));
    let f = &r.received;
    for (label, share) in
        [("解决率", f.resolution_rate()), ("按期办结率", f.on_time_rate()), ("满意率", f.satisfaction_rate())]
    {
        if let Some(x) = share {
            blocks.push(Block::Bar { label: label.into(), percent: (x * 100.0).round() as u32, note: pct(share) });
        }
    }
    let places = if r.by_township.is_empty() { &r.by_station } else { &r.by_township };
    if !places.is_empty() {
        blocks.push(figure_table(if r.by_township.is_empty() { "联络站" } else { "乡镇（街道）" }, places));
    }
    if !r.by_agency.is_empty() {
        blocks.push(figure_table("承办单位", &r.by_agency));
    }
    blocks.push(Block::Heading("三、民声回响".into()));
    blocks.extend(paragraphs(&b.echoes));
    Doc { title: b.title.clone(), footer: footer.to_owned(), blocks }
}

/// The published bulletin as PDF bytes, typeset on a blocking thread.
pub async fn pdf(app: &App, b: &BulletinRow) -> Result<Vec<u8>> {
    let r = report(b)?;
    let names = crate::names::resolve(app, {
        let mut w = crate::names::Wanted::new();
        w.region(&b.county_code);
        w
    })
    .await?;
    let doc = doc(b, &r, &format!("{}人大常委会", names.region(&b.county_code)));
    let font = crate::duty_report::font(app)?;
    tokio::task::spawn_blocking(move || liaison_report::render(&doc, &font))
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
}

/// The published bulletin's figures as a workbook.
pub fn workbook(b: &BulletinRow) -> Result<Vec<u8>> {
    statistics::workbook(&report(b)?)
}
