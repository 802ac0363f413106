//! The use-cases of the closed loop: receiving a case from any channel (`receive`), each step of
//! handling it (`step`: triage, assign, urge, result, reply, merge…), the constituent's rating
//! (`survey`), the sweep that marks deadlines missed (`sweep`), staff lists with search (`list`,
//! `search`) and their export (`export`). Each
//! runs in one transaction that rewrites the case, appends its timeline event, its audit entry
//! and any notifications. The state machine itself is `liaison_domain::case::next`.

pub mod attach;
pub mod choices;
pub mod export;
pub mod list;
pub mod public;
pub mod read;
pub mod receive;
pub mod record;
pub mod search;
pub mod stats;
pub mod step;
pub mod survey;
pub mod sweep;

pub use attach::{add_photo, photo_file, photo_thumb};
pub use choices::{Choice, IntakeChoices, intake_choices};
pub use export::{EXPORT_MAX_ROWS, Export, export_xlsx};
pub use liaison_store::cases::{CaseRow, Counts, EventRow};
pub use list::{Choices, Listing, Names, SEARCH_CANDIDATES, count, display_code, inbox, names};
pub use public::{CodeRequest, PublicCase, by_code, echoes, send_codes, submit};
pub use read::{Similar, contact, detail, reach_lists, readable, similar};
pub use receive::{Intake, Received, check_category, check_idempotency_key, receive, route_public};
pub use record::{NewCase, record};
pub use stats::{Stats, StatsQuery, stats};
pub use step::{Step, act, check_step, offered};
pub use survey::survey;
pub use sweep::{Swept, sweep};

use crate::notify::SmsKind;
use crate::{App, Error};
use liaison_domain::audit::AuditEvent;
use liaison_domain::case::{self, CaseStatus, Level, TrackingCode};
use liaison_domain::phone::{PhoneNumber, mask_phone};
use liaison_store::{Tx, audit, org, outbox};

/// The audit entry of a step on case `id`, in the step's transaction.
async fn audit_case(
    tx: &mut Tx,
    county: &str,
    actor: &str,
    action: &str,
    id: i64,
    summary: String,
    now: i64,
) -> Result<(), Error> {
    let event = AuditEvent {
        county_code: county.to_owned(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        target: format!("case:{id}"),
        summary,
    };
    audit::append(tx, &event, now).await?;
    Ok(())
}

fn notice_body(subject: &str) -> String {
    format!("{subject}。请登录人大代表联络站服务平台查看。")
}

async fn notify(tx: &mut Tx, county: &str, recipient: &str, subject: &str, now: i64) -> Result<(), Error> {
    let body = notice_body(subject);
    outbox::enqueue(tx, &outbox::Message::plain(county, recipient, subject, &body), now).await?;
    Ok(())
}

/// Queues a text message of `kind` to a mobile number, when a provider sends that kind; a
/// landline or an unconfigured kind gets none.
pub(crate) async fn text(
    app: &App,
    tx: &mut Tx,
    county: &str,
    phone: &str,
    kind: SmsKind,
    values: &[String],
    now: i64,
) -> Result<(), Error> {
    if !app.sends_sms(kind) || !PhoneNumber::parse(phone).is_ok_and(|p| p.is_mobile()) {
        return Ok(());
    }
    let recipient = format!("phone:{phone}");
    let params = serde_json::to_string(values).map_err(Error::internal)?;
    let body = kind.text(values);
    let m = outbox::Message {
        county_code: county,
        channel: "sms",
        recipient: &recipient,
        subject: kind.label(),
        body: &body,
        template: kind.as_str(),
        params: &params,
    };
    outbox::enqueue(tx, &m, now).await?;
    Ok(())
}

/// A text message to the constituent about their case, if they left a mobile number and
/// chose to get notices.
async fn text_constituent(app: &App, tx: &mut Tx, row: &CaseRow, kind: SmsKind, now: i64) -> Result<(), Error> {
    let code = row.tracking_code.as_deref().and_then(|c| TrackingCode::parse(c).ok());
    match code {
        Some(code) if row.sms_notices && !row.contact_phone.is_empty() => {
            text(app, tx, &row.county_code, &row.contact_phone, kind, &[code.display()], now).await
        }
        _ => Ok(()),
    }
}

/// A text message about case `row` to each agency whose directory entry has a mobile number.
async fn text_agencies(
    app: &App,
    tx: &mut Tx,
    row: &CaseRow,
    agencies: &[String],
    kind: SmsKind,
    now: i64,
) -> Result<(), Error> {
    let values = [row.id.to_string(), row.deadline_on.clone().unwrap_or_default()];
    for slug in agencies {
        if let Some(a) = org::agency_by_slug(&app.db, slug).await? {
            text(app, tx, &row.county_code, &a.data.phone, kind, &values, now).await?;
        }
    }
    Ok(())
}

fn status_of(row: &CaseRow) -> Result<CaseStatus, Error> {
    CaseStatus::parse(&row.status)
        .ok_or_else(|| Error::internal(format!("case {} has unknown status {}", row.id, row.status)))
}

fn level_of(row: &CaseRow) -> Option<Level> {
    row.level.as_deref().and_then(Level::parse)
}

fn refused(r: case::Refused) -> Error {
    Error::conflict("transition_refused", r.message)
}

/// Masks a contact name for viewers who do not need it: 王芳 → 王*.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// The contact phone as a viewer may see it.
pub fn shown_phone(phone: &str, unmasked: bool) -> String {
    if phone.is_empty() || unmasked { phone.to_owned() } else { mask_phone(phone) }
}
