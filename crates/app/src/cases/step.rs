//! The steps staff take on a case: triage, assign, urge, record the result, return, publish the
//! reply, answer on the spot, decline, merge, escalate, and a note.

use super::{audit_case, check_category, level_of, notify, refused, status_of, text_agencies, text_constituent};
use crate::notify::SmsKind;
use crate::{App, Error};
use liaison_domain::authz::{self, Action, CaseLocation, Principal, Role, Target};
use liaison_domain::case::{self, CaseStatus, Command, Level};
use liaison_domain::ids::CaseId;
use liaison_store::cases::{self, CaseRow, Event};
use liaison_store::{Tx, org};

/// A step someone takes on a case, with what it needs.
pub enum Step {
    Triage {
        level: Level,
        category: Option<String>,
        note: String,
    },
    Assign {
        lead: String,
        assisting: Vec<String>,
        note: String,
    },
    Urge {
        message: String,
    },
    RecordResult {
        result: String,
    },
    Return {
        reason: String,
    },
    PublishReply {
        reply: String,
    },
    AnswerOnSpot {
        reply: String,
    },
    Decline {
        reason: String,
        referral: String,
    },
    Merge {
        into: CaseId,
    },
    Escalate {
        note: String,
    },
    /// A note that changes nothing else; `public` shows it to the constituent.
    Note {
        note: String,
        public: bool,
    },
}

impl Step {
    fn command(&self) -> Command {
        match self {
            Step::Triage { .. } => Command::Triage,
            Step::Assign { .. } => Command::Assign,
            Step::Urge { .. } => Command::Urge,
            Step::RecordResult { .. } => Command::RecordResult,
            Step::Return { .. } => Command::Return,
            Step::PublishReply { .. } => Command::PublishReply,
            Step::AnswerOnSpot { .. } => Command::AnswerOnSpot,
            Step::Decline { .. } => Command::Decline,
            Step::Merge { .. } => Command::Merge,
            Step::Escalate { .. } => Command::Escalate,
            Step::Note { .. } => Command::Note,
        }
    }
}

/// Checks that the caller may take `cmd` on this case: CaseWrite over its location, through a
/// grant whose role the step allows.
pub fn check_step(principal: &Principal, row: &CaseRow, cmd: Command, level: Option<Level>) -> Result<(), Error> {
    let loc = row.location().ok_or_else(|| Error::internal("case with invalid region"))?;
    crate::check(principal, Action::CaseWrite, Target::Case(&loc))?;
    let roles = authz::roles_for(principal, Action::CaseWrite, Target::Case(&loc));
    if roles.iter().any(|r| case::may(*r, cmd, level)) {
        Ok(())
    } else {
        Err(Error::refused_because(format!("您的角色不能对该意见建议执行“{}”", cmd.label())))
    }
}

/// The steps `principal` may take on `row` now, the most likely first: what the case page
/// offers. A step is offered when the state machine allows it, one of the principal's roles over
/// the case may take it, and it makes sense here (no escalation of a county case; the result
/// and the return only for the lead agency).
pub fn offered(principal: &Principal, row: &CaseRow) -> Vec<Command> {
    use CaseStatus::*;
    use Command::*;
    let Some(loc) = row.location() else { return vec![] };
    let roles = authz::roles_for(principal, Action::CaseWrite, Target::Case(&loc));
    let Some(status) = CaseStatus::parse(&row.status) else { return vec![] };
    let level = level_of(row);
    let only_deputy = !roles.is_empty() && roles.iter().all(|r| *r == Role::Deputy);
    let order: &[Command] = match status {
        // A deputy answers the message (in three days for an online one) or resolves it; the
        // station and the township triage it.
        Received if only_deputy => &[Note, AnswerOnSpot],
        Received => &[Triage, AnswerOnSpot, Note, Merge, Decline],
        Reopened => &[Assign, Triage, Note],
        Triaged => &[Assign, Escalate, AnswerOnSpot, Note, Triage, Merge, Decline],
        Assigned => &[RecordResult, Return, Urge, Assign, Escalate, Note],
        Handled => &[PublishReply, RecordResult, Note],
        _ => &[],
    };
    let lead_only = CaseLocation { assisting: vec![], ..loc.clone() };
    let lead_handler = row.agency_ref.is_some()
        && authz::roles_for(principal, Action::CaseWrite, Target::Case(&lead_only)).contains(&Role::AgencyHandler);
    order
        .iter()
        .copied()
        .filter(|cmd| case::next(status, row.round as u8, *cmd).is_ok())
        .filter(|cmd| {
            // Triage sets the level; any level the principal may triage at will do here.
            let at = if *cmd == Triage { None } else { level };
            roles.iter().any(|r| case::may(*r, *cmd, at))
        })
        .filter(|cmd| match cmd {
            Escalate => level != Some(Level::County) && !row.escalated,
            RecordResult | Return => lead_handler,
            _ => true,
        })
        .collect()
}

/// Takes one step on a case for a signed-in principal.
pub async fn act(app: &App, principal: &Principal, case: CaseId, step: Step) -> Result<CaseRow, Error> {
    let id = case.get();
    let cmd = step.command();
    let row = cases::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    // The level the step is judged at: the one it sets, or the case's.
    let level = match &step {
        Step::Triage { level, .. } => Some(*level),
        _ => level_of(&row),
    };
    check_step(principal, &row, cmd, level)?;
    if let (Step::RecordResult { .. } | Step::Return { .. }, Some(lead)) = (&step, &row.agency_ref) {
        // Only the lead agency records the result or sends the case back.
        let lead_only =
            CaseLocation { assisting: vec![], ..row.location().ok_or_else(|| Error::internal("bad region"))? };
        let covered =
            authz::roles_for(principal, Action::CaseWrite, Target::Case(&lead_only)).contains(&Role::AgencyHandler);
        if !covered {
            return Err(Error::refused_because(format!("只有主办单位（{lead}）可以办理或退回")));
        }
    }
    let mut tx = app.db.begin().await?;
    let (row, events) = apply(app, &mut tx, id, step, &principal.actor()).await?;
    tx.commit().await?;
    app.offer_to_search(&events, std::slice::from_ref(&row));
    Ok(row)
}

/// Applies a step inside `tx`: the app machine, the row, the event, the audit entry and the
/// notifications, with the timeline steps appended (event id, case id). Authorization is the
/// caller's business.
async fn apply(app: &App, tx: &mut Tx, id: i64, step: Step, actor: &str) -> Result<(CaseRow, Vec<(i64, i64)>), Error> {
    let now = app.now_ms();
    let mut row = cases::get_tx(tx, id).await?.ok_or(Error::NotFound)?;
    let from = status_of(&row)?;
    let cmd = step.command();
    let to = case::next(from, row.round as u8, cmd).map_err(refused)?;
    let county = row.county_code.clone();
    let title = row.title.clone();
    let mut public_note = String::new();
    let mut private_note = String::new();
    let mut recipients: Vec<String> = Vec::new();
    let mut events = Vec::new();
    // Text messages: to the constituent, and to agencies (by slug).
    let mut to_constituent: Option<SmsKind> = None;
    let mut to_agencies: (Vec<String>, SmsKind) = (vec![], SmsKind::Assign);
    // Urging, escalating and an internal note are not an answer to the constituent.
    let answers = match &step {
        Step::Urge { .. } | Step::Escalate { .. } => false,
        Step::Note { public, .. } => *public,
        _ => true,
    };
    if row.first_replied_at.is_none() && answers {
        row.first_replied_at = Some(now);
    }
    match step {
        Step::Triage { level, category, note } => {
            if let Some(c) = category {
                row.category = check_category(app, Some(&c))?;
            }
            row.level = Some(level.as_str().into());
            public_note = format!("已受理，确定由{}办理", level.label());
            private_note = note;
        }
        Step::Assign { lead, assisting, note } => {
            let level = level_of(&row).unwrap_or(Level::Township);
            let lead_row = org::agency_by_slug(&app.db, &lead)
                .await?
                .filter(|a| a.active && a.data.county_code == county)
                .ok_or_else(|| Error::invalid("unknown_agency", "找不到该承办单位").field("lead"))?;
            let mut assist = Vec::new();
            for a in assisting.iter().filter(|a| **a != lead) {
                let ok =
                    org::agency_by_slug(&app.db, a).await?.is_some_and(|x| x.active && x.data.county_code == county);
                if !ok {
                    return Err(Error::invalid("unknown_agency", format!("找不到协办单位“{a}”")).field("assisting"));
                }
                if !assist.contains(a) {
                    assist.push(a.clone());
                }
            }
            let days = app.deadline_days(level, &row.category);
            let deadline = app.calendar.add_working_days(app.today(), days);
            row.agency_ref = Some(lead.clone());
            row.assist_agencies = assist.join(",");
            row.deadline_on = Some(deadline.to_string());
            row.overdue = false;
            public_note = format!("已交办{}，办理期限至 {deadline}", lead_row.data.name);
            private_note = note;
            recipients.push(format!("agency:{lead}"));
            recipients.extend(assist.iter().map(|a| format!("agency:{a}")));
            to_agencies = (std::iter::once(lead).chain(assist).collect(), SmsKind::Assign);
        }
        Step::Urge { message } => {
            private_note = message;
            if let Some(a) = &row.agency_ref {
                recipients.push(format!("agency:{a}"));
                to_agencies = (vec![a.clone()], SmsKind::Urge);
            }
        }
        Step::RecordResult { result } => {
            row.agency_result = result.clone();
            private_note = result;
            if let Some(s) = &row.station_ref {
                recipients.push(format!("station:{s}"));
            }
        }
        Step::Return { reason } => {
            private_note = reason;
            row.agency_ref = None;
            row.assist_agencies.clear();
            row.deadline_on = None;
            row.overdue = false;
            if let Some(s) = &row.station_ref {
                recipients.push(format!("station:{s}"));
            }
        }
        Step::PublishReply { reply } | Step::AnswerOnSpot { reply } => {
            row.on_spot = matches!(cmd, Command::AnswerOnSpot);
            row.public_reply = reply.clone();
            row.replied_at = Some(now);
            public_note = reply;
            to_constituent = Some(SmsKind::Reply);
        }
        Step::Decline { reason, referral } => {
            row.decline_reason = reason.clone();
            row.referral = referral.clone();
            row.closed_at = Some(now);
            to_constituent = Some(SmsKind::Close);
            public_note = if referral.is_empty() {
                format!("不予受理：{reason}")
            } else {
                format!("不予受理：{reason}。建议：{referral}")
            };
        }
        Step::Merge { into } => {
            let into = into.get();
            if into == row.id {
                return Err(Error::invalid("merge_into_self", "不能与自身合并").field("into"));
            }
            let target = cases::get_tx(tx, into)
                .await?
                .ok_or_else(|| Error::invalid("unknown_case", "要合并到的意见建议不存在").field("into"))?;
            let target_open = CaseStatus::parse(&target.status).is_some_and(|s| s.is_open());
            let same_township = target.region_code.get(..9) == row.region_code.get(..9);
            if !target_open || !same_township || target.merged_into.is_some() {
                return Err(
                    Error::invalid("invalid_merge", "只能合并到同一乡镇（街道）内尚未办结的意见建议").field("into")
                );
            }
            row.merged_into = Some(into);
            row.closed_at = Some(now);
            public_note = "已与同类问题合并办理，请关注合并后的办理进度".into();
            let note = format!("合并了意见建议 #{}", row.id);
            events.push(
                cases::add_event(
                    tx,
                    &Event {
                        county_code: &county,
                        case_id: into,
                        actor,
                        command: "merge_in",
                        from: Some(&target.status),
                        to: &target.status,
                        note: &note,
                        public: false,
                    },
                    now,
                )
                .await?,
            );
        }
        Step::Escalate { note } => {
            row.level = Some(Level::County.as_str().into());
            row.escalated = true;
            public_note = "已提交县级办理".into();
            private_note = note;
            recipients.push(format!("county:{county}"));
        }
        Step::Note { note, public } => {
            if public {
                public_note = note;
            } else {
                private_note = note;
            }
        }
    }
    row.status = to.as_str().to_owned();
    if to == CaseStatus::Closed {
        row.closed_at = Some(now);
    }
    row.updated_at = now;
    cases::save(tx, &row, now).await?;
    if to == CaseStatus::Closed {
        crate::register::on_case_closed(app, tx, &row, actor, now).await?;
    }
    let public = !public_note.is_empty();
    let note = if public { public_note } else { private_note.clone() };
    let step = Event {
        county_code: &county,
        case_id: id,
        actor,
        command: cmd.as_str(),
        from: Some(from.as_str()),
        to: to.as_str(),
        note: &note,
        public,
    };
    // A public note keeps the private one beside it, on the staff's timeline only.
    let private = (public && !private_note.is_empty()).then(|| Event {
        command: "note",
        from: Some(to.as_str()),
        note: &private_note,
        public: false,
        ..step
    });
    let appended: Vec<Event> = std::iter::once(step).chain(private).collect();
    events.extend(cases::add_events(tx, &appended, now).await?);
    audit_case(
        tx,
        &county,
        actor,
        &format!("case.{}", cmd.as_str()),
        id,
        format!("{}：{} → {}", cmd.label(), from.label(), to.label()),
        now,
    )
    .await?;
    for r in recipients {
        notify(tx, &county, &r, &format!("{}：{title}", cmd.label()), now).await?;
    }
    if let Some(kind) = to_constituent {
        text_constituent(app, tx, &row, kind, now).await?;
    }
    text_agencies(app, tx, &row, &to_agencies.0, to_agencies.1, now).await?;
    Ok((row, events))
}
