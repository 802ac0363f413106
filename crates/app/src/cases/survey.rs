//! The constituent's rating, by tracking code.

use super::{audit_case, notify, status_of, text_constituent};
use crate::notify::SmsKind;
use crate::{App, Error};
use liaison_domain::case::{self, CaseStatus, Command, Rating, TrackingCode};
use liaison_store::cases::{self, CaseRow, Event};

/// The constituent's rating, by tracking code.
pub async fn survey(app: &App, code: &TrackingCode, rating: Rating, comment: String) -> Result<CaseRow, Error> {
    if rating == Rating::Unrated {
        return Err(Error::invalid("invalid_rating", "评价应为满意、基本满意或不满意").field("rating"));
    }
    let row = cases::by_tracking_code(&app.db, code.as_str()).await?.ok_or(Error::NotFound)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let mut row = cases::get_tx(&mut tx, row.id).await?.ok_or(Error::NotFound)?;
    let from = status_of(&row)?;
    let cmd = Command::Survey(rating);
    let to = case::next(from, row.round as u8, cmd).map_err(|r| {
        Error::conflict(
            "transition_refused",
            if from == CaseStatus::Closed { "该意见建议已办结，不能重复评价".into() } else { r.message },
        )
    })?;
    row.rating = Some(rating.as_str().into());
    row.rating_comment = comment.clone();
    row.rated_at = Some(now);
    if to == CaseStatus::Reopened {
        // One second handling: back to triage with the round counted.
        row.round += 1;
        row.agency_result.clear();
        row.public_reply.clear();
        row.replied_at = None;
        row.on_spot = false;
        row.deadline_on = None;
        row.overdue = false;
    } else {
        row.closed_at = Some(now);
    }
    row.status = to.as_str().into();
    cases::save(&mut tx, &row, now).await?;
    if to == CaseStatus::Closed {
        crate::register::on_case_closed(app, &mut tx, &row, "constituent", now).await?;
    }
    let note = if comment.is_empty() { rating.label().to_owned() } else { format!("{}：{comment}", rating.label()) };
    let county = row.county_code.clone();
    cases::add_event(
        &mut tx,
        &Event {
            county_code: &county,
            case_id: row.id,
            actor: "constituent",
            command: "survey",
            from: Some(from.as_str()),
            to: to.as_str(),
            note: &note,
            public: true,
        },
        now,
    )
    .await?;
    audit_case(
        &mut tx,
        &county,
        "constituent",
        "case.survey",
        row.id,
        format!("满意度测评：{}（{} → {}）", rating.label(), from.label(), to.label()),
        now,
    )
    .await?;
    if to == CaseStatus::Reopened
        && let Some(s) = &row.station_ref
    {
        notify(&mut tx, &county, &format!("station:{s}"), &format!("群众不满意，需重新办理：{}", row.title), now)
            .await?;
    }
    let kind = if to == CaseStatus::Reopened { SmsKind::Reopen } else { SmsKind::Close };
    text_constituent(app, &mut tx, &row, kind, now).await?;
    tx.commit().await?;
    Ok(row)
}
