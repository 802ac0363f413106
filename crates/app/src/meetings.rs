//! Meetings between deputies and agency heads (约见, 代表·局长面对面, 主任接待代表, 通报会). The
//! township or the county records what was asked — each question from a deputy, perhaps about a
//! case or a suggestion, answered on the spot or taken away for study — and what the agencies
//! promised, each promise with a date, tracked until the agency reports it kept. The deputies who
//! took part gain a confirmed register entry in the same transaction.

use crate::receptions::{own_agencies, own_deputy};
use crate::{App, Error, Result};
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::reception::parse_date;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, Source};
use liaison_domain::text::{Lines, optional};
use liaison_domain::voter_work::{CommitmentStatus, MeetingKind, QuestionOutcome};
use liaison_store::org;
use liaison_store::outbox;
use liaison_store::voter_work::{self as store, NewMeeting, NewQuestion, Table, Value};

pub use liaison_store::voter_work::{CommitmentRow as Commitment, MeetingRow as Meeting, QuestionRow as Question};

/// A question as recorded.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct QuestionInput {
    /// The slug of the deputy who put it (one of the meeting's), or empty.
    #[serde(default)]
    pub deputy: String,
    pub question: String,
    #[serde(default)]
    pub case: Option<i64>,
    #[serde(default)]
    pub suggestion: Option<i64>,
    /// `answered` or `study`.
    pub outcome: String,
    #[serde(default)]
    pub reply: String,
}

/// A commitment as recorded.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CommitmentInput {
    /// One of the meeting's agencies.
    pub agency: String,
    pub content: String,
    pub due_on: String,
}

/// A meeting as recorded.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MeetingInput {
    pub kind: String,
    pub title: String,
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    /// The region holding it (default: the recorder's first).
    #[serde(default)]
    pub region: Option<String>,
    pub agencies: Vec<String>,
    pub deputies: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

pub(crate) fn split(list: &str) -> Vec<&str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Records a meeting held, with its questions and commitments: by the township or the county
/// (`OrgWrite` on the region holding it).
pub async fn record(app: &App, principal: &Principal, i: MeetingInput) -> Result<i64> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, i.region.as_deref())?;
    let county = region.county_key();
    let kind =
        MeetingKind::parse(&i.kind).ok_or_else(|| Error::invalid("invalid_kind", "请选择约见的形式").field("kind"))?;
    let title = optional("title", &i.title, 100, "主题", Lines::One)?;
    if title.is_empty() {
        return Err(Error::invalid("required", "请填写约见的主题").field("title"));
    }
    let held_on = parse_date("held_on", &i.held_on).map_err(|e| Error::from(e).field("held_on"))?;
    if held_on > app.today() {
        return Err(
            Error::invalid("future_date", "约见的日期不能晚于今天；尚未举行的约见请在举行后登记").field("held_on")
        );
    }
    let place = optional("place", &i.place, 100, "地点", Lines::One)?;
    let summary = optional("summary", &i.summary, 5000, "会议情况", Lines::Many)?;
    let mut agencies: Vec<(String, String)> = Vec::new();
    for slug in i.agencies.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let a =
            org::agency_by_slug(&app.db, slug).await?.filter(|a| a.active && a.data.county_code == county).ok_or_else(
                || Error::invalid("invalid_agency", format!("单位“{slug}”不是本县（区）的在用单位")).field("agencies"),
            )?;
        if !agencies.iter().any(|(s, _)| *s == a.data.slug) {
            agencies.push((a.data.slug, a.data.name));
        }
    }
    if agencies.is_empty() {
        return Err(Error::invalid("agency_required", "请选择到会的单位负责人").field("agencies"));
    }
    let mut deputies = Vec::new();
    for slug in i.deputies.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let d = org::deputy_by_slug(&app.db, slug)
            .await?
            .filter(|d| d.active)
            .ok_or_else(|| Error::invalid("invalid_deputy", format!("代表“{slug}”不存在")).field("deputies"))?;
        let under = RegionCode::parse(&d.data.region_code).is_ok_and(|r| region.contains(&r));
        if d.data.county_code != county || !under {
            return Err(Error::invalid(
                "invalid_deputy",
                format!("{}代表不在本辖区，不能登记在这次约见中", d.data.name),
            )
            .field("deputies"));
        }
        if !deputies.iter().any(|x: &org::Deputy| x.id == d.id) {
            deputies.push(d);
        }
    }
    if deputies.is_empty() {
        return Err(Error::invalid("deputy_required", "请选择参加约见的代表").field("deputies"));
    }
    let mut questions = Vec::new();
    for (n, q) in i.questions.iter().enumerate() {
        let field = format!("questions[{n}]");
        let text = optional("question", &q.question, 2000, "提出的问题", Lines::Many)?;
        if text.is_empty() {
            return Err(Error::invalid("required", format!("第 {} 个问题没有填写内容", n + 1)).field(field));
        }
        let deputy_id = match q.deputy.trim() {
            "" => None,
            slug => Some(
                deputies
                    .iter()
                    .find(|d| d.data.slug == slug)
                    .ok_or_else(|| {
                        Error::invalid("invalid_deputy", format!("第 {} 个问题的提问代表没有参加这次约见", n + 1))
                            .field(field.clone())
                    })?
                    .id,
            ),
        };
        let outcome = QuestionOutcome::parse(&q.outcome).ok_or_else(|| {
            Error::invalid("invalid_outcome", format!("请选择第 {} 个问题是当场答复还是带回研究", n + 1))
                .field(field.clone())
        })?;
        let reply = optional("reply", &q.reply, 2000, "答复", Lines::Many)?;
        if outcome == QuestionOutcome::Answered && reply.is_empty() {
            return Err(
                Error::invalid("reply_required", format!("第 {} 个问题当场答复了什么？请填写", n + 1)).field(field)
            );
        }
        if let Some(id) = q.case {
            let c = crate::cases::readable(app, principal, liaison_domain::ids::CaseId(id)).await?;
            if c.county_code != county {
                return Err(Error::invalid("invalid_case", "只能引用本县（区）的群众意见").field(field));
            }
        }
        if let Some(id) = q.suggestion {
            let s = liaison_store::suggestions::get(&app.db, id).await?.filter(|s| s.status != "draft");
            if s.is_none_or(|s| s.county_code != county) {
                return Err(Error::invalid("invalid_suggestion", "只能引用本县（区）已提交的代表建议").field(field));
            }
        }
        questions.push((deputy_id, text, q.case, q.suggestion, outcome, reply));
    }
    if questions.is_empty() {
        return Err(Error::invalid("question_required", "请至少登记一个代表提出的问题").field("questions"));
    }
    let mut commitments = Vec::new();
    for (n, c) in i.commitments.iter().enumerate() {
        let field = format!("commitments[{n}]");
        let agency = agencies.iter().find(|(s, _)| s == c.agency.trim()).ok_or_else(|| {
            Error::invalid("invalid_agency", format!("第 {} 项承诺的单位没有参加这次约见", n + 1)).field(field.clone())
        })?;
        let content = optional("content", &c.content, 1000, "承诺事项", Lines::Many)?;
        if content.is_empty() {
            return Err(Error::invalid("required", format!("第 {} 项承诺没有填写内容", n + 1)).field(field));
        }
        let due = parse_date("due_on", &c.due_on).map_err(|_| {
            Error::invalid("due_required", format!("请填写第 {} 项承诺的办结日期（年-月-日）", n + 1))
                .field(field.clone())
        })?;
        if due <= held_on {
            return Err(
                Error::invalid("due_required", format!("第 {} 项承诺的办结日期应晚于约见日期", n + 1)).field(field)
            );
        }
        commitments.push((agency.clone(), content, due));
    }
    let now = app.now_ms();
    let actor = principal.actor();
    let agency_list = agencies.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(",");
    let mut tx = app.db.begin().await?;
    let new = NewMeeting {
        county_code: &county,
        region_code: region.as_str(),
        kind: kind.as_str(),
        title: &title,
        held_on: &held_on.to_string(),
        place: &place,
        agencies: &agency_list,
        summary: &summary,
        recorded_by: &actor,
    };
    let ids: Vec<i64> = deputies.iter().map(|d| d.id).collect();
    let id = store::insert_meeting(&mut tx, &new, &ids, now).await?;
    for (seq, (deputy_id, text, case_id, suggestion_id, outcome, reply)) in questions.iter().enumerate() {
        let q = NewQuestion {
            deputy_id: *deputy_id,
            question: text,
            case_id: *case_id,
            suggestion_id: *suggestion_id,
            outcome: outcome.as_str(),
            reply,
        };
        store::insert_question(&mut tx, id, seq as i64 + 1, &q).await?;
    }
    for ((slug, name), content, due) in &commitments {
        store::insert_commitment(&mut tx, id, &county, slug, content, &due.to_string(), now).await?;
        let body = format!("{held_on}“{title}”上，{name}承诺：{content}。请于 {due} 前办结并在平台登记落实情况。");
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&county, &format!("agency:{slug}"), "约见承诺事项", &body),
            now,
        )
        .await?;
    }
    let description = format!("{}：{title}", kind.label());
    for d in &deputies {
        crate::register::automatic(
            &mut tx,
            d,
            DutyKind::Meeting,
            &held_on.to_string(),
            &place,
            &description,
            &Source::Meeting(id),
            true,
            &actor,
            now,
        )
        .await?;
    }
    let summary = format!(
        "登记{}“{title}”：{} 位代表，{} 个问题，{} 项承诺",
        kind.label(),
        deputies.len(),
        questions.len(),
        commitments.len()
    );
    crate::audit::append(&mut tx, principal, &county, format!("meeting:{id}"), "meeting.record", summary, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// May the principal read meeting `m`: whoever reads its region, a deputy who took part or the
/// township over one, or an agency whose head did.
async fn may_read(app: &App, principal: &Principal, m: &Meeting) -> Result<()> {
    let region = RegionCode::parse(&m.region_code).map_err(Error::internal)?;
    if crate::check(principal, Action::OrgRead, Target::Region(&region)).is_ok() {
        return Ok(());
    }
    let agencies = split(&m.agencies);
    if own_agencies(principal).iter().any(|a| agencies.contains(&a.as_str())) {
        return Ok(());
    }
    // A deputy who took part, or the township over one of them.
    for (_, slug, _) in store::meeting_deputies(&app.db, m.id).await? {
        if own_deputy(principal) == Some(slug.as_str()) {
            return Ok(());
        }
        if let Some(d) = org::deputy_by_slug(&app.db, &slug).await?
            && RegionCode::parse(&d.data.region_code)
                .is_ok_and(|r| crate::check(principal, Action::OrgRead, Target::Region(&r)).is_ok())
        {
            return Ok(());
        }
    }
    Err(Error::refused_because("只有参加约见的代表、单位和所在地人大可以查看约见记录"))
}

/// A meeting with its deputies (id, slug, name), questions and commitments.
pub struct Full {
    pub meeting: Meeting,
    pub deputies: Vec<(i64, String, String)>,
    pub questions: Vec<Question>,
    pub commitments: Vec<Commitment>,
}

pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<Full> {
    let m = store::meeting(&app.db, id).await?.ok_or(Error::NotFound)?;
    may_read(app, principal, &m).await?;
    Ok(Full {
        deputies: store::meeting_deputies(&app.db, id).await?,
        questions: store::meeting_questions(&app.db, id).await?,
        commitments: store::commitments(&app.db, id).await?,
        meeting: m,
    })
}

/// The meetings the principal may read: a deputy's own, an agency's, or a region's (default:
/// the principal's first); with (open commitments, of those overdue) each — an agency's own only.
pub async fn list(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<(Meeting, i64, i64)>> {
    let rows = if let Some(me) = own_deputy(principal) {
        let d = org::deputy_by_slug(&app.db, me).await?.ok_or(Error::NotFound)?;
        store::meetings_of_deputy(&app.db, d.id).await?
    } else if !own_agencies(principal).is_empty() {
        let mut out: Vec<Meeting> = Vec::new();
        for a in own_agencies(principal) {
            for m in store::meetings_of_agency(&app.db, &a).await? {
                if !out.iter().any(|o| o.id == m.id) {
                    out.push(m);
                }
            }
        }
        out.sort_by(|a, b| b.held_on.cmp(&a.held_on).then(b.id.cmp(&a.id)));
        out
    } else {
        let region = crate::org::scoped_region(principal, Action::OrgRead, region)?;
        store::meetings_in_region(&app.db, &region.county_key(), region.as_str()).await?
    };
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    // An agency counts its own commitments; everyone else all of them.
    let agencies = own_agencies(principal);
    let today = app.today().to_string();
    let counts = if agencies.is_empty() {
        store::open_commitment_counts(&app.db, &ids, &today, None).await?
    } else {
        let mut all: Vec<(i64, i64, i64)> = Vec::new();
        for a in &agencies {
            for (id, open, overdue) in store::open_commitment_counts(&app.db, &ids, &today, Some(a)).await? {
                match all.iter_mut().find(|c| c.0 == id) {
                    Some(c) => {
                        c.1 += open;
                        c.2 += overdue;
                    }
                    None => all.push((id, open, overdue)),
                }
            }
        }
        all
    };
    Ok(rows
        .into_iter()
        .map(|m| {
            let (open, overdue) = counts.iter().find(|c| c.0 == m.id).map_or((0, 0), |c| (c.1, c.2));
            (m, open, overdue)
        })
        .collect())
}

/// The agency that made a commitment (or the office that recorded the meeting) reports it kept.
pub async fn commitment_done(app: &App, principal: &Principal, id: i64, note: &str) -> Result<()> {
    let c = store::commitment(&app.db, id).await?.ok_or(Error::NotFound)?;
    let m = store::meeting(&app.db, c.meeting_id).await?.ok_or(Error::NotFound)?;
    may_read(app, principal, &m).await?;
    let region = RegionCode::parse(&m.region_code).map_err(Error::internal)?;
    let office = crate::check(principal, Action::OrgWrite, Target::Region(&region)).is_ok();
    if !office && !own_agencies(principal).contains(&c.agency) {
        return Err(Error::refused_because("只有作出承诺的单位或人大办公室可以登记落实情况"));
    }
    if c.status != CommitmentStatus::Open.as_str() {
        return Err(Error::conflict("already_done", "该承诺已登记落实"));
    }
    let note = optional("note", note, 1000, "落实情况", Lines::Many)?;
    if note.is_empty() {
        return Err(Error::invalid("required", "请写明承诺是如何落实的").field("note"));
    }
    let today = app.today().to_string();
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = store::update(
        &mut tx,
        Table::Commitments,
        id,
        c.version,
        &[
            ("status", Value::Text(CommitmentStatus::Done.as_str())),
            ("done_on", Value::OptText(Some(&today))),
            ("done_note", Value::Text(&note)),
        ],
        now,
    )
    .await?;
    if !ok {
        return Err(Error::conflict("commitment_changed", "该承诺刚被他人处理，请刷新后再试"));
    }
    for (_, slug, _) in store::meeting_deputies(&app.db, m.id).await? {
        let body = format!("“{}”上的承诺“{}”已落实：{note}", m.title, c.content);
        outbox::enqueue(
            &mut tx,
            &outbox::Message::plain(&m.county_code, &format!("deputy:{slug}"), "约见承诺已落实", &body),
            now,
        )
        .await?;
    }
    let summary = format!("约见承诺“{}”登记落实", c.content);
    crate::audit::append(
        &mut tx,
        principal,
        &m.county_code,
        format!("meeting:{}", m.id),
        "commitment.done",
        summary,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Warns the agency and the office of each commitment past its date, once. Returns how many.
pub async fn sweep(app: &App) -> Result<usize> {
    let today = app.today().to_string();
    let mut sent = 0;
    for c in store::overdue_commitments(&app.db, &today).await? {
        let Some(m) = store::meeting(&app.db, c.meeting_id).await? else { continue };
        let now = app.now_ms();
        let mut tx = app.db.begin().await?;
        if !store::commitment_warned(&mut tx, c.id).await? {
            continue;
        }
        let body = format!("“{}”上承诺的“{}”应于 {} 前办结，已超期，请尽快落实并登记。", m.title, c.content, c.due_on);
        for to in [format!("agency:{}", c.agency), format!("region:{}", m.region_code)] {
            outbox::enqueue(&mut tx, &outbox::Message::plain(&m.county_code, &to, "约见承诺超期", &body), now).await?;
        }
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// The agencies of a meeting, (slug, name).
pub async fn agency_names(app: &App, m: &Meeting) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for slug in split(&m.agencies) {
        let name = org::agency_by_slug(&app.db, slug).await?.map_or_else(|| slug.to_string(), |a| a.data.name);
        out.push((slug.to_string(), name));
    }
    Ok(out)
}
