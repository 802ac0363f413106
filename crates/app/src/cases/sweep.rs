//! The sweep: missed deadlines, the first-reply rule, and replies left unrated.

use super::{audit_case, level_of, notify, refused, status_of, text_constituent};
use crate::notify::SmsKind;
use crate::{App, Error};
use liaison_domain::case::{self, CaseStatus, Command, Level, Rating};
use liaison_store::Tx;
use liaison_store::cases::{self, CaseRow, Event};

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub overdue: usize,
    pub escalated: usize,
    pub closed_unrated: usize,
}

/// Marks missed deadlines (notifying the handler and sending an overdue township case up to the
/// county), flags unanswered online messages past the first-reply rule, and closes replies left
/// unrated past the survey period. Idempotent: running it twice does nothing more.
pub async fn sweep(app: &App) -> Result<Swept, Error> {
    let today = app.today().to_string();
    let now = app.now_ms();
    let unrated_before = now - app.config.survey_days * 24 * 3600 * 1000;
    let mut out = Swept::default();
    for id in cases::sweep_candidates(&app.db, &today, unrated_before).await? {
        let mut tx = app.db.begin().await?;
        let Some(mut row) = cases::get_tx(&mut tx, id).await? else { continue };
        let status = status_of(&row)?;
        let county = row.county_code.clone();
        match status {
            CaseStatus::Replied | CaseStatus::AnsweredOnSpot if row.replied_at.is_some_and(|t| t < unrated_before) => {
                apply_unrated(app, &mut tx, &mut row, now).await?;
                out.closed_unrated += 1;
            }
            CaseStatus::Assigned | CaseStatus::Reopened | CaseStatus::Received if !row.overdue => {
                row.overdue = true;
                let first_reply = status == CaseStatus::Received;
                let note = if first_reply {
                    "超过网上留言首次答复期限".to_owned()
                } else {
                    format!("超过办理期限 {}", row.deadline_on.clone().unwrap_or_default())
                };
                let mut recipients = Vec::new();
                if let Some(a) = &row.agency_ref {
                    recipients.push(format!("agency:{a}"));
                }
                if let Some(s) = &row.station_ref {
                    recipients.push(format!("station:{s}"));
                }
                let escalate = !first_reply && level_of(&row) == Some(Level::Township);
                if escalate {
                    row.level = Some(Level::County.as_str().into());
                    row.escalated = true;
                    recipients.push(format!("county:{county}"));
                    out.escalated += 1;
                }
                cases::save(&mut tx, &row, now).await?;
                cases::add_event(
                    &mut tx,
                    &Event {
                        county_code: &county,
                        case_id: id,
                        actor: "system",
                        command: "overdue",
                        from: Some(status.as_str()),
                        to: status.as_str(),
                        note: &note,
                        public: false,
                    },
                    now,
                )
                .await?;
                if escalate {
                    cases::add_event(
                        &mut tx,
                        &Event {
                            county_code: &county,
                            case_id: id,
                            actor: "system",
                            command: "escalate",
                            from: Some(status.as_str()),
                            to: status.as_str(),
                            note: "乡镇逾期未办结，提级至县人大常委会督办",
                            public: true,
                        },
                        now,
                    )
                    .await?;
                }
                audit_case(&mut tx, &county, "system", "case.overdue", id, note.clone(), now).await?;
                for r in recipients {
                    notify(&mut tx, &county, &r, &format!("逾期提醒：{}", row.title), now).await?;
                }
                out.overdue += 1;
            }
            _ => {}
        }
        tx.commit().await?;
    }
    Ok(out)
}

async fn apply_unrated(app: &App, tx: &mut Tx, row: &mut CaseRow, now: i64) -> Result<(), Error> {
    let from = status_of(row)?;
    let to = case::next(from, row.round as u8, Command::CloseUnrated).map_err(refused)?;
    row.status = to.as_str().into();
    row.rating = Some(Rating::Unrated.as_str().into());
    row.closed_at = Some(now);
    cases::save(tx, row, now).await?;
    crate::register::on_case_closed(app, tx, row, "system", now).await?;
    let county = row.county_code.clone();
    cases::add_event(
        tx,
        &Event {
            county_code: &county,
            case_id: row.id,
            actor: "system",
            command: "close_unrated",
            from: Some(from.as_str()),
            to: to.as_str(),
            note: "超过评价期限未评价，自动办结",
            public: true,
        },
        now,
    )
    .await?;
    audit_case(tx, &county, "system", "case.close_unrated", row.id, "逾期未评价办结".into(), now).await?;
    text_constituent(app, tx, row, SmsKind::Close, now).await
}
