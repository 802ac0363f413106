//! The use-cases of the closed loop: receiving a case from any channel (`receive`), each step of
//! handling it (`step`: triage, assign, urge, result, reply, merge…), the constituent's rating
//! (`survey`), the sweep that marks deadlines missed (`sweep`) and staff search (`search`). Each
//! runs in one transaction that rewrites the case, appends its timeline event, its audit entry
//! and any notifications. The state machine itself is `liaison_domain::case::next`.

pub mod attach;
pub mod choices;
pub mod public;
pub mod read;
pub mod receive;
pub mod record;
pub mod search;
pub mod stats;
pub mod step;
pub mod survey;
pub mod sweep;

pub use attach::{add_photo, photo_file};
pub use choices::{Choice, IntakeChoices, intake_choices};
pub use liaison_store::cases::{CaseRow, Counts, EventRow};
pub use public::{PublicCase, by_code, echoes, send_codes, submit};
pub use read::{InboxQuery, Similar, contact, detail, inbox, reach_lists, readable, similar};
pub use receive::{Intake, Received, check_category, check_idempotency_key, receive, route_public};
pub use record::{NewCase, record};
pub use search::search;
pub use stats::{Stats, StatsQuery, stats};
pub use step::{Step, act, check_step, offered};
pub use survey::survey;
pub use sweep::{Swept, sweep};

use crate::Error;
use liaison_domain::audit::AuditEvent;
use liaison_domain::case::{self, CaseStatus, Level};
use liaison_domain::phone::mask_phone;
use liaison_store::{Tx, audit, outbox};

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
    outbox::enqueue(tx, &outbox::Message { county_code: county, channel: "log", recipient, subject, body: &body }, now)
        .await?;
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
