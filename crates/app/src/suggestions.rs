//! Deputies' formal suggestions (代表建议) and their statutory clock. A deputy (or staff for them)
//! drafts one from cases or from nothing, with co-signers of the same congress; submits it (the
//! duty register gains an entry in the same transaction); the county office (the township's for a
//! township congress) numbers it and assigns a lead agency and assisting ones; the agency answers
//! within three months, or six once extended with a reason; the answer is classed A, B (with the
//! date it promises) or C; the deputy rates it, and 不满意 sends it back once, to be answered
//! within a month. The sweep warns of deadlines and of B-class promises come due, once each.

use crate::receptions::{own_agencies, own_deputy};
use crate::{App, Error, Result};
use chrono::{Datelike, NaiveDate};
use liaison_domain::authz::{Action, Principal, Scope, Target};
use liaison_domain::case::Rating;
use liaison_domain::ids::CaseId;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, Source};
use liaison_domain::suggestion::{self as rules, AnswerClass, Session, SuggestionStatus};
use liaison_domain::text::{Lines, optional};
use liaison_store::org::{self, Deputy};
use liaison_store::suggestions::{self as store, NewSuggestion, SuggestionRow, Value};
use liaison_store::{Tx, outbox};

pub use liaison_store::suggestions::SuggestionRow as Row;

fn status_of(r: &SuggestionRow) -> Result<SuggestionStatus> {
    SuggestionStatus::parse(&r.status).ok_or_else(|| Error::internal("unknown suggestion status"))
}

fn date(raw: &Option<String>) -> Option<NaiveDate> {
    raw.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The office that registers a suggestion: the county's for a county congress, the township's for
/// a township congress.
fn office(r: &SuggestionRow) -> Result<RegionCode> {
    let code = if r.level == "township" { crate::points::township_of(&r.region_code) } else { r.county_code.as_str() };
    RegionCode::parse(code).map_err(Error::internal)
}

fn is_office(principal: &Principal, r: &SuggestionRow) -> Result<bool> {
    Ok(crate::check(principal, Action::OrgWrite, Target::Region(&office(r)?)).is_ok())
}

fn assists(r: &SuggestionRow) -> Vec<&str> {
    r.assist_agencies.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// May the principal read suggestion `r`: its deputy or a co-signer, whoever may read the
/// deputy's register, the lead or an assisting agency.
async fn may_read(app: &App, principal: &Principal, r: &SuggestionRow) -> Result<()> {
    let agencies = own_agencies(principal);
    if agencies.iter().any(|a| r.lead_agency.as_deref() == Some(a.as_str()) || assists(r).contains(&a.as_str()))
        && r.status != "draft"
    {
        return Ok(());
    }
    if let Some(me) = own_deputy(principal)
        && store::cosigners(&app.db, r.id).await?.iter().any(|(s, _)| s == me)
    {
        return Ok(());
    }
    let d = org::deputy_by_slug(&app.db, &r.deputy_slug).await?.ok_or(Error::NotFound)?;
    crate::register::may_read(app, principal, &d).await
}

/// A suggestion, for whoever may read it.
pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<SuggestionRow> {
    let r = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    may_read(app, principal, &r).await?;
    Ok(r)
}

/// A suggestion's parts besides itself: co-signers (slug, name), cases (id, code, title), and its
/// timeline (at, actor, action, note).
pub struct Parts {
    pub cosigners: Vec<(String, String)>,
    pub cases: Vec<(i64, Option<String>, String)>,
    pub events: Vec<(i64, String, String, String)>,
}

pub async fn parts(app: &App, principal: &Principal, id: i64) -> Result<Parts> {
    get(app, principal, id).await?;
    Ok(Parts {
        cosigners: store::cosigners(&app.db, id).await?,
        cases: store::cases(&app.db, id).await?,
        events: store::events(&app.db, id).await?,
    })
}

/// A suggestion as drafted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Draft {
    pub title: String,
    pub content: String,
    /// `in_session` or `recess`.
    pub session: String,
    /// `county` or `township`: the congress the deputy puts it to.
    pub level: String,
    #[serde(default)]
    pub cases: Vec<i64>,
    #[serde(default)]
    pub cosigners: Vec<String>,
}

fn has_level(d: &Deputy, level: &str) -> bool {
    d.data.levels.split(',').any(|l| l.trim() == level)
}

/// Drafts a suggestion for deputy `deputy`: by the deputy, or by those who enter the deputy's
/// register. Co-signers must be deputies of the same congress (county, level, and township for a
/// township congress); the cases must be the principal's to read and of the same county.
pub async fn draft(app: &App, principal: &Principal, deputy: &str, i: Draft) -> Result<i64> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.filter(|d| d.active).ok_or(Error::NotFound)?;
    crate::register::may_enter(app, principal, &d).await?;
    let title = optional("title", &i.title, 100, "标题", Lines::One)?;
    if title.is_empty() {
        return Err(Error::invalid("required", "请填写建议的标题").field("title"));
    }
    let content = optional("content", &i.content, 5000, "建议内容", Lines::Many)?;
    if content.chars().count() < 10 {
        return Err(Error::invalid("required", "请写明建议的内容（至少 10 个字）").field("content"));
    }
    let session = Session::parse(&i.session)
        .ok_or_else(|| Error::invalid("invalid_session", "请选择大会期间或闭会期间").field("session"))?;
    let level = match i.level.trim() {
        "county" | "township" => i.level.trim(),
        _ => return Err(Error::invalid("invalid_level", "请选择向县（区）还是乡镇（街道）人大提出").field("level")),
    };
    if !has_level(&d, level) {
        return Err(Error::invalid("invalid_level", "该代表不是这一级人大的代表").field("level"));
    }
    let mut cosigners = Vec::new();
    for slug in i.cosigners.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let c = org::deputy_by_slug(&app.db, slug)
            .await?
            .filter(|c| c.active)
            .ok_or_else(|| Error::invalid("invalid_cosigner", format!("附议代表“{slug}”不存在")).field("cosigners"))?;
        let same_township = level != "township"
            || crate::points::township_of(&c.data.region_code) == crate::points::township_of(&d.data.region_code);
        if c.data.county_code != d.data.county_code || !has_level(&c, level) || !same_township {
            return Err(Error::invalid(
                "invalid_cosigner",
                format!("附议代表{}不是同一级人大的代表，不能附议", c.data.name),
            )
            .field("cosigners"));
        }
        if c.id == d.id {
            return Err(Error::invalid("invalid_cosigner", "领衔代表不必附议自己的建议").field("cosigners"));
        }
        if !cosigners.contains(&c.id) {
            cosigners.push(c.id);
        }
    }
    let mut cases = Vec::new();
    for id in &i.cases {
        let row = crate::cases::readable(app, principal, CaseId(*id)).await?;
        if row.county_code != d.data.county_code {
            return Err(Error::invalid("invalid_case", "只能引用本县（区）的群众意见").field("cases"));
        }
        cases.push(row.id);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let new = NewSuggestion {
        county_code: &d.data.county_code,
        region_code: &d.data.region_code,
        level,
        deputy_id: d.id,
        title: &title,
        content: &content,
        session: session.as_str(),
        created_by: &principal.actor(),
    };
    let id = store::insert(&mut tx, &new, &cosigners, &cases, now).await?;
    store::event(&mut tx, id, &principal.actor(), "draft", "", now).await?;
    audited(
        &mut tx,
        principal,
        &d.data.county_code,
        id,
        "suggestion.draft",
        format!("{}：起草代表建议“{title}”", d.data.name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
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
    crate::audit::append(tx, principal, county, format!("suggestion:{id}"), action, summary, now).await
}

fn changed() -> Error {
    Error::conflict("suggestion_changed", "该建议刚被他人处理，请刷新后再试")
}

/// Submits a draft to the office; the deputy's register gains a confirmed 提出建议 entry in the
/// same transaction (once).
pub async fn submit(app: &App, principal: &Principal, id: i64) -> Result<()> {
    let r = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    let d = org::deputy_by_slug(&app.db, &r.deputy_slug).await?.ok_or(Error::NotFound)?;
    crate::register::may_enter(app, principal, &d).await?;
    if status_of(&r)? != SuggestionStatus::Draft {
        return Err(Error::conflict("not_draft", "该建议已经提交"));
    }
    let now = app.now_ms();
    let today = app.today();
    let mut tx = app.db.begin().await?;
    if !store::update(&mut tx, id, r.version, &[("status", Value::Text("submitted"))], now).await? {
        return Err(changed());
    }
    store::event(&mut tx, id, &principal.actor(), "submit", "", now).await?;
    let key = Source::Suggestion(id).key();
    let e = liaison_store::register::NewEntry {
        county_code: &d.data.county_code,
        region_code: &d.data.region_code,
        deputy_id: d.id,
        kind: DutyKind::Suggestion.as_str(),
        done_on: &today.to_string(),
        place: "",
        description: &format!("提出代表建议：{}", r.title),
        source: "suggestion",
        source_key: key.as_deref(),
        status: "confirmed",
        recorded_by: &principal.actor(),
    };
    liaison_store::register::insert(&mut tx, &e, now).await?;
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.submit",
        format!("{}：提交代表建议“{}”", d.data.name, r.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The office numbers a submitted suggestion and assigns it: a lead agency and assisting ones of
/// the county. The clock starts: three months.
pub async fn assign(app: &App, principal: &Principal, id: i64, lead: &str, assist: &[String]) -> Result<()> {
    let r = get(app, principal, id).await?;
    if !is_office(principal, &r)? {
        return Err(Error::refused_because("代表建议由县（区）或乡镇（街道）人大办公室交办"));
    }
    if status_of(&r)? != SuggestionStatus::Submitted {
        return Err(Error::conflict("not_submitted", "只有已提交的建议可以交办"));
    }
    let agency =
        |slug: String| {
            let county = r.county_code.clone();
            async move {
                match org::agency_by_slug(&app.db, slug.trim()).await? {
                    Some(a) if a.active && a.data.county_code == county => Ok(a),
                    _ => Err(Error::invalid("invalid_agency", format!("承办单位“{slug}”不是本县（区）的在用单位"))
                        .field("lead")),
                }
            }
        };
    let lead = agency(lead.to_string()).await?;
    let mut assisting = Vec::new();
    for s in assist.iter().map(|s| s.trim()).filter(|s| !s.is_empty() && *s != lead.data.slug) {
        let a = agency(s.to_string()).await.map_err(|e| e.field("assist"))?;
        if !assisting.contains(&a.data.slug) {
            assisting.push(a.data.slug);
        }
    }
    let today = app.today();
    let due = rules::due_on(today);
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let number = store::next_number(&mut tx, &r.county_code, &r.level, today.year()).await?;
    let assist_text = assisting.join(",");
    let ok = store::update(
        &mut tx,
        id,
        r.version,
        &[
            ("status", Value::Text("assigned")),
            ("year", Value::Int(today.year() as i64)),
            ("number", Value::Int(number)),
            ("lead_agency", Value::OptText(Some(&lead.data.slug))),
            ("assist_agencies", Value::Text(&assist_text)),
            ("assigned_on", Value::OptText(Some(&today.to_string()))),
            ("due_on", Value::OptText(Some(&due.to_string()))),
        ],
        now,
    )
    .await?;
    if !ok {
        return Err(changed());
    }
    let label = format!("{} 年第 {number} 号", today.year());
    store::event(
        &mut tx,
        id,
        &principal.actor(),
        "assign",
        &format!("{label}，主办：{}，{due} 前答复", lead.data.name),
        now,
    )
    .await?;
    let body = format!("代表建议“{}”（{label}，{} 代表）交由贵单位主办，请于 {due} 前答复。", r.title, r.deputy_name);
    outbox::enqueue(
        &mut tx,
        &outbox::Message::plain(&r.county_code, &format!("agency:{}", lead.data.slug), "代表建议交办", &body),
        now,
    )
    .await?;
    for a in &assisting {
        let body = format!("代表建议“{}”（{label}）请贵单位协办，主办单位：{}。", r.title, lead.data.name);
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&r.county_code, &format!("agency:{a}"), "代表建议协办", &body),
            now,
        )
        .await?;
    }
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.assign",
        format!("代表建议“{}”编为{label}，交办{}", r.title, lead.data.name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// May the principal act for the lead agency (or the office) on suggestion `r`?
fn handles(principal: &Principal, r: &SuggestionRow) -> Result<bool> {
    let lead = own_agencies(principal).iter().any(|a| r.lead_agency.as_deref() == Some(a.as_str()));
    Ok(lead || is_office(principal, r)?)
}

/// Refuses whoever may not act for the lead agency on suggestion `id` (before a file is read).
pub async fn may_handle(app: &App, principal: &Principal, id: i64) -> Result<()> {
    let r = get(app, principal, id).await?;
    if !handles(principal, &r)? {
        return Err(Error::refused_because("只有主办单位或人大办公室可以办理"));
    }
    Ok(())
}

/// Extends the deadline once, with a reason, to at most six months from assignment.
pub async fn extend(app: &App, principal: &Principal, id: i64, to: &str, reason: &str) -> Result<()> {
    let r = get(app, principal, id).await?;
    if !handles(principal, &r)? {
        return Err(Error::refused_because("只有主办单位或人大办公室可以申请延期"));
    }
    if status_of(&r)? != SuggestionStatus::Assigned {
        return Err(Error::conflict("not_assigned", "只有办理中的建议可以延期"));
    }
    let to = liaison_domain::reception::parse_date("to", to).map_err(|e| Error::from(e).field("to"))?;
    let (Some(assigned), Some(due)) = (date(&r.assigned_on), date(&r.due_on)) else {
        return Err(Error::internal("assigned suggestion without dates"));
    };
    let reason = optional("reason", reason, 500, "延期理由", Lines::Many)?;
    rules::check_extension(assigned, due, r.extended, to, &reason)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = store::update(
        &mut tx,
        id,
        r.version,
        &[
            ("due_on", Value::OptText(Some(&to.to_string()))),
            ("extended", Value::Bool(true)),
            ("extension_reason", Value::Text(&reason)),
            ("warned", Value::Text("")),
        ],
        now,
    )
    .await?;
    if !ok {
        return Err(changed());
    }
    store::event(&mut tx, id, &principal.actor(), "extend", &format!("延期至 {to}：{reason}"), now).await?;
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.extend",
        format!("代表建议“{}”延期至 {to}", r.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An answer as given.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Answer {
    /// `a`, `b` or `c`.
    #[serde(default)]
    pub class: String,
    pub answer: String,
    /// For a B-class answer: the date by which it will be done.
    #[serde(default)]
    pub promised_on: String,
}

/// The lead agency (or the office) answers: a class, the text, the promised date of a B-class
/// answer; a document may be attached first ([`attach_document`]).
pub async fn answer(app: &App, principal: &Principal, id: i64, a: Answer) -> Result<()> {
    let r = get(app, principal, id).await?;
    if !handles(principal, &r)? {
        return Err(Error::refused_because("只有主办单位或人大办公室可以答复"));
    }
    if !matches!(status_of(&r)?, SuggestionStatus::Assigned | SuggestionStatus::Reopened) {
        return Err(Error::conflict("not_open", "该建议不在办理中"));
    }
    let class = AnswerClass::parse(&a.class).ok_or_else(|| {
        Error::invalid(
            "answer_class_required",
            "请选择答复类别：A类（已解决或正在解决）、B类（列入计划）或C类（作出说明）",
        )
        .field("class")
    })?;
    let text = optional("answer", &a.answer, 5000, "答复内容", Lines::Many)?;
    if text.chars().count() < 10 {
        return Err(Error::invalid("required", "请写明答复内容（至少 10 个字）").field("answer"));
    }
    let today = app.today();
    let promised = if class == AnswerClass::B {
        let p = liaison_domain::reception::parse_date("promised_on", &a.promised_on)
            .map_err(|_| Error::invalid("promise_required", "B类答复请填写承诺解决的日期").field("promised_on"))?;
        if p <= today {
            return Err(Error::invalid("promise_required", "承诺解决的日期应晚于今天").field("promised_on"));
        }
        Some(p.to_string())
    } else {
        None
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = store::update(
        &mut tx,
        id,
        r.version,
        &[
            ("status", Value::Text("answered")),
            ("answer_class", Value::OptText(Some(class.as_str()))),
            ("answer", Value::Text(&text)),
            ("answered_on", Value::OptText(Some(&today.to_string()))),
            ("promised_on", Value::OptText(promised.as_deref())),
            ("promise_kept_on", Value::OptText(None)),
        ],
        now,
    )
    .await?;
    if !ok {
        return Err(changed());
    }
    store::event(&mut tx, id, &principal.actor(), "answer", &format!("{}：{text}", class.label()), now).await?;
    let body = format!("您的代表建议“{}”已答复（{}），请登录平台查看并评价。", r.title, class.label());
    outbox::enqueue(
        &mut tx,
        &outbox::Message::plain(&r.county_code, &format!("deputy:{}", r.deputy_slug), "代表建议已答复", &body),
        now,
    )
    .await?;
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.answer",
        format!("代表建议“{}”答复：{}", r.title, class.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Attaches the answer's document (a PDF or a photo of it) while the suggestion is being handled.
pub async fn attach_document(app: &App, principal: &Principal, id: i64, file: crate::photos::Photo) -> Result<()> {
    let r = get(app, principal, id).await?;
    if !handles(principal, &r)? {
        return Err(Error::refused_because("只有主办单位或人大办公室可以上传答复文件"));
    }
    if !matches!(status_of(&r)?, SuggestionStatus::Assigned | SuggestionStatus::Reopened) {
        return Err(Error::conflict("not_open", "该建议不在办理中"));
    }
    crate::photos::store(&app.config.data_dir, &file).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = store::update(
        &mut tx,
        id,
        r.version,
        &[("answer_doc", Value::OptText(Some(&file.hash))), ("answer_doc_mime", Value::OptText(Some(file.mime)))],
        now,
    )
    .await?;
    if !ok {
        return Err(changed());
    }
    store::event(&mut tx, id, &principal.actor(), "document", "上传答复文件", now).await?;
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.document",
        format!("代表建议“{}”上传答复文件", r.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The answer's document, for whoever may read the suggestion.
pub async fn document(app: &App, principal: &Principal, id: i64) -> Result<(Vec<u8>, String)> {
    let r = get(app, principal, id).await?;
    let (Some(hash), Some(mime)) = (r.answer_doc, r.answer_doc_mime) else { return Err(Error::NotFound) };
    let bytes = std::fs::read(crate::photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
    Ok((bytes, mime))
}

/// The deputy (and only the deputy) rates the answer: 满意 or 基本满意 close it; 不满意 sends it
/// back once, to be answered again within a month; a second 不满意 closes it as it stands.
pub async fn rate(app: &App, principal: &Principal, id: i64, rating: &str, comment: &str) -> Result<()> {
    let r = get(app, principal, id).await?;
    if own_deputy(principal) != Some(r.deputy_slug.as_str()) {
        return Err(Error::refused_because("只有提出建议的代表本人可以评价答复"));
    }
    if status_of(&r)? != SuggestionStatus::Answered {
        return Err(Error::conflict("not_answered", "该建议尚未答复"));
    }
    let rating = Rating::parse(rating)
        .filter(|r| *r != Rating::Unrated)
        .ok_or_else(|| Error::invalid("invalid_rating", "请选择满意、基本满意或不满意").field("rating"))?;
    let comment = optional("comment", comment, 500, "评价意见", Lines::Many)?;
    let today = app.today();
    let reopen = rating == Rating::Dissatisfied && r.round == 1;
    let due = rules::rehandle_due(today).to_string();
    let mut columns = vec![
        ("rating", Value::OptText(Some(rating.as_str()))),
        ("rating_comment", Value::Text(&comment)),
        ("status", Value::Text(if reopen { "reopened" } else { "closed" })),
    ];
    if reopen {
        columns.extend([("round", Value::Int(2)), ("due_on", Value::OptText(Some(&due))), ("warned", Value::Text(""))]);
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::update(&mut tx, id, r.version, &columns, now).await? {
        return Err(changed());
    }
    let note = if comment.is_empty() { rating.label().to_string() } else { format!("{}：{comment}", rating.label()) };
    store::event(&mut tx, id, &principal.actor(), "rate", &note, now).await?;
    if reopen && let Some(lead) = &r.lead_agency {
        let body = format!("代表对建议“{}”的答复不满意，请重新办理，于 {due} 前再次答复。意见：{comment}", r.title);
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&r.county_code, &format!("agency:{lead}"), "代表建议重新办理", &body),
            now,
        )
        .await?;
    }
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.rate",
        format!("代表建议“{}”评价：{}", r.title, rating.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The lead agency (or the office) records that a B-class answer's promise was kept.
pub async fn keep_promise(app: &App, principal: &Principal, id: i64, note: &str) -> Result<()> {
    let r = get(app, principal, id).await?;
    if !handles(principal, &r)? {
        return Err(Error::refused_because("只有主办单位或人大办公室可以登记承诺兑现"));
    }
    if r.answer_class.as_deref() != Some("b") || r.promise_kept_on.is_some() {
        return Err(Error::conflict("no_promise", "只有尚未兑现的B类答复可以登记兑现"));
    }
    let note = optional("note", note, 500, "兑现情况", Lines::Many)?;
    let today = app.today().to_string();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::update(&mut tx, id, r.version, &[("promise_kept_on", Value::OptText(Some(&today)))], now).await? {
        return Err(changed());
    }
    store::event(&mut tx, id, &principal.actor(), "promise_kept", &note, now).await?;
    audited(
        &mut tx,
        principal,
        &r.county_code,
        id,
        "suggestion.promise_kept",
        format!("代表建议“{}”B类承诺已兑现", r.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The suggestions the principal works on: a deputy's own and co-signed; an agency's; the
/// office's region (default: the principal's first).
pub async fn list(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<SuggestionRow>> {
    if let Some(me) = own_deputy(principal) {
        let d = org::deputy_by_slug(&app.db, me).await?.ok_or(Error::NotFound)?;
        return Ok(store::of_deputy(&app.db, d.id).await?);
    }
    let agencies = own_agencies(principal);
    if !agencies.is_empty() {
        let mut out = Vec::new();
        for a in &agencies {
            out.extend(store::of_agency(&app.db, a).await?);
        }
        return Ok(out);
    }
    // Station staff: the suggestions of their stations' deputies.
    let stations: Vec<String> = liaison_domain::authz::reach(principal, Action::CaseWrite)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Station(slug) => Some(slug.clone()),
            _ => None,
        })
        .collect();
    if !stations.is_empty() {
        let mut out: Vec<SuggestionRow> = Vec::new();
        for slug in &stations {
            let Some(s) = org::station_by_slug(&app.db, slug).await? else { continue };
            for (d, _) in org::station_deputies(&app.db, s.id).await? {
                for r in store::of_deputy(&app.db, d.id).await? {
                    if !out.iter().any(|o| o.id == r.id) {
                        out.push(r);
                    }
                }
            }
        }
        out.sort_by_key(|r| -r.id);
        return Ok(out);
    }
    let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
    Ok(store::in_region(&app.db, &region.county_key(), region.as_str()).await?)
}

/// The suggestions made from a case (for a page that has already read the case).
pub async fn of_case(app: &App, case_id: i64) -> Result<Vec<SuggestionRow>> {
    Ok(store::for_case(&app.db, case_id).await?)
}

/// What a case's constituent reads of the suggestions made from it (no names).
pub async fn public_for_case(app: &App, case_id: i64) -> Result<Vec<String>> {
    Ok(store::for_case(&app.db, case_id)
        .await?
        .into_iter()
        .map(|r| {
            let number = match (r.year, r.number) {
                (Some(y), Some(n)) => format!("（{y} 年第 {n} 号）"),
                _ => String::new(),
            };
            let state = match (r.status.as_str(), r.answer_class.as_deref().and_then(AnswerClass::parse)) {
                ("answered" | "closed", Some(c)) => format!("已答复，{}", c.label()),
                ("reopened", _) => "代表不满意，正在重新办理".into(),
                ("submitted", _) => "已提交，等待交办".into(),
                _ => "已交办，正在办理".into(),
            };
            format!("人大代表已将您反映的问题形成代表建议“{}”{number}：{state}。", r.title)
        })
        .collect())
}

/// Warns of deadlines (a week before, and once overdue) and of B-class promises come due, through
/// the outbox, once each. Returns how many warnings went out.
pub async fn sweep(app: &App) -> Result<usize> {
    let today = app.today();
    let mut sent = 0;
    for r in store::open_with_dates(&app.db).await? {
        let mut token = None;
        let mut body = String::new();
        let number = match (r.year, r.number) {
            (Some(y), Some(n)) => format!("{y} 年第 {n} 号"),
            _ => String::new(),
        };
        if matches!(r.status.as_str(), "assigned" | "reopened")
            && let Some(due) = date(&r.due_on)
        {
            if today > due {
                token = Some(format!("overdue:{}", r.round));
                body = format!("代表建议“{}”（{number}）已超过 {due} 的答复期限，请尽快答复。", r.title);
            } else if (due - today).num_days() <= rules::WARN_DAYS {
                token = Some(format!("soon:{}", r.round));
                body = format!(
                    "代表建议“{}”（{number}）须于 {due} 前答复，还有 {} 天。",
                    r.title,
                    (due - today).num_days()
                );
            }
        } else if r.answer_class.as_deref() == Some("b")
            && let Some(p) = date(&r.promised_on)
            && p <= today
        {
            token = Some("promise".into());
            body = format!("代表建议“{}”（{number}）的B类答复承诺于 {p} 前解决，期限已到，请报告落实情况。", r.title);
        }
        let Some(token) = token else { continue };
        if r.warned.split(',').any(|w| w == token) {
            continue;
        }
        let warned = if r.warned.is_empty() { token.clone() } else { format!("{},{token}", r.warned) };
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        if !store::update(&mut tx, r.id, r.version, &[("warned", Value::Text(&warned))], now).await? {
            continue;
        }
        let subject = if token.starts_with("overdue") {
            "代表建议超期"
        } else if token == "promise" {
            "B类答复承诺到期"
        } else {
            "代表建议即将到期"
        };
        if let Some(lead) = &r.lead_agency {
            outbox::enqueue(
                &mut tx,
                &outbox::Message::plain(&r.county_code, &format!("agency:{lead}"), subject, &body),
                now,
            )
            .await?;
        }
        let office = office(&r)?;
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&r.county_code, &format!("region:{}", office.as_str()), subject, &body),
            now,
        )
        .await?;
        store::event(&mut tx, r.id, "system", "warn", &body, now).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
