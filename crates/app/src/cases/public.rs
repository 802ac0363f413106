//! The constituent's side of the loop, without an account: writing to a deputy or a station,
//! following the case by its tracking code (public steps only, no names), and asking for the
//! codes again by phone.

use crate::cases::{self as casework, Intake};
use crate::notify::SmsKind;
use crate::photos::{self, Photo};
use crate::{App, Error, Result};
use liaison_domain::case::{Channel, TrackingCode};
use liaison_domain::phone::PhoneNumber;
use liaison_domain::submission::{RawSubmission, Submission};
use liaison_store::cases::{self, CaseRow, EventRow};

/// A message as a constituent writes it.
#[derive(Debug, Clone)]
pub struct PublicCase {
    /// The deputy's slug (from their QR code), or…
    pub deputy: Option<String>,
    /// …the station's slug.
    pub station: Option<String>,
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    /// May the outcome be shown on the station's page (民声回响)?
    pub publish_consent: bool,
    /// Notices about the case by text message to the phone given (when a provider sends them).
    pub sms_notices: bool,
}

impl Default for PublicCase {
    fn default() -> Self {
        PublicCase {
            deputy: None,
            station: None,
            title: String::new(),
            content: String::new(),
            category: None,
            location: None,
            contact_name: None,
            contact_phone: None,
            anonymous: false,
            publish_consent: false,
            sms_notices: true,
        }
    }
}

/// Receives a constituent's message from the contact form, the JSON API or Open311.
pub async fn submit(
    app: &App,
    p: PublicCase,
    channel: Channel,
    pics: Vec<Photo>,
    key: Option<String>,
) -> Result<(CaseRow, bool)> {
    let raw = RawSubmission {
        title: &p.title,
        content: &p.content,
        category: p.category.as_deref(),
        location: p.location.as_deref(),
        contact_name: p.contact_name.as_deref(),
        contact_phone: p.contact_phone.as_deref(),
        anonymous: p.anonymous,
    };
    let sub = Submission::parse(&raw, &app.config.categories).map_err(Error::from_fields)?;
    let route = casework::route_public(app, p.station.as_deref(), p.deputy.as_deref()).await?;
    if pics.len() > photos::MAX_PHOTOS {
        let message = format!("最多上传 {} 张照片", photos::MAX_PHOTOS);
        return Err(Error::invalid("too_many_photos", message).field("photos"));
    }
    let intake =
        Intake::new(sub, route, channel, (p.anonymous, p.publish_consent), pics, key).with_sms_notices(p.sms_notices);
    casework::receive(app, intake, "constituent").await
}

/// A case by its tracking code, the code of the case it was merged into, and its public steps.
pub async fn by_code(app: &App, code: &TrackingCode) -> Result<(CaseRow, Option<String>, Vec<EventRow>)> {
    let row = cases::by_tracking_code(&app.db, code.as_str()).await?.ok_or(Error::NotFound)?;
    let merged_into = match row.merged_into {
        Some(id) => cases::get(&app.db, id).await?.and_then(|c| c.tracking_code),
        None => None,
    };
    let timeline = cases::events(&app.db, row.id, true).await?;
    Ok((row, merged_into, timeline))
}

/// Outcomes published with the constituent's consent (民声回响) for a station.
pub async fn echoes(app: &App, station: &str, limit: i64) -> Result<Vec<CaseRow>> {
    Ok(cases::echoes(&app.db, station, limit).await?)
}

/// What became of a request for the codes left with a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRequest {
    /// A text message will carry them, if the number left any (the caller must not say which).
    Texted,
    /// No SMS provider sends codes: nothing was queued; the constituent asks the station.
    NoSms,
}

/// How many codes one text message carries (the newest cases first).
const CODES_PER_TEXT: usize = 3;

/// Queues a text message with the tracking codes of the newest cases left with this phone
/// number, at any hour. The answer never says whether the number wrote.
pub async fn send_codes(app: &App, phone: &PhoneNumber) -> Result<CodeRequest> {
    if !app.sends_sms(SmsKind::Code) {
        return Ok(CodeRequest::NoSms);
    }
    let found = cases::codes_by_phone(&app.db, phone.as_str()).await?;
    if let Some((_, _, county)) = found.first() {
        let codes = found
            .iter()
            .filter_map(|(c, _, _)| TrackingCode::parse(c).ok())
            .take(CODES_PER_TEXT)
            .map(|c| c.display())
            .collect::<Vec<_>>()
            .join("、");
        let mut tx = app.db.begin().await?;
        casework::text(app, &mut tx, county, phone.as_str(), SmsKind::Code, &[codes], app.now_ms()).await?;
        tx.commit().await?;
    }
    Ok(CodeRequest::Texted)
}
