//! Receiving a case from any channel: where it goes, idempotency, and group commit.

use super::notice_body;
use crate::photos::{self, Photo};
use crate::{App, Error};
use liaison_domain::audit::AuditEvent;
use liaison_domain::case::{Channel, TrackingCode};
use liaison_domain::phone::PhoneNumber;
use liaison_domain::region::RegionCode;
use liaison_store::cases::{self, CaseRow};
use liaison_store::{Tx, audit, org, outbox};

/// A case as it arrives, validated.
pub struct Intake {
    pub region: RegionCode,
    pub station: Option<String>,
    pub deputy: Option<String>,
    pub title: String,
    pub content: String,
    pub channel: Channel,
    pub category: String,
    pub location: String,
    pub contact_name: String,
    pub contact_phone: Option<PhoneNumber>,
    pub anonymous: bool,
    pub publish_consent: bool,
    /// Notices by text message to `contact_phone` (the constituent's choice; on by default).
    pub sms_notices: bool,
    pub photos: Vec<Photo>,
    pub idempotency_key: Option<String>,
    /// The reception it was raised at, and the agency head it was put to (may be empty).
    pub reception: Option<(i64, String)>,
}

pub fn check_category(app: &App, raw: Option<&str>) -> Result<String, Error> {
    Ok(liaison_domain::submission::parse_category(raw, &app.config.categories)?)
}

/// Where a case goes: its region, and the station and deputy it names.
pub type Route = (RegionCode, Option<String>, Option<String>);

impl Intake {
    /// The intake of a parsed submission sent along `route`; `flags` are (anonymous,
    /// publish_consent).
    pub fn new(
        sub: liaison_domain::submission::Submission,
        route: Route,
        channel: Channel,
        flags: (bool, bool),
        photos: Vec<Photo>,
        idempotency_key: Option<String>,
    ) -> Intake {
        let (region, station, deputy) = route;
        Intake {
            region,
            station,
            deputy,
            title: sub.title,
            content: sub.content,
            channel,
            category: sub.category,
            location: sub.location,
            contact_name: sub.contact_name,
            contact_phone: sub.contact_phone,
            anonymous: flags.0,
            publish_consent: flags.1,
            sms_notices: true,
            photos,
            idempotency_key,
            reception: None,
        }
    }

    /// With the constituent's choice about notices by text message.
    pub fn with_sms_notices(mut self, on: bool) -> Intake {
        self.sms_notices = on;
        self
    }

    /// The key as stored: bound to who submitted (the public, or one account), so that a key
    /// another client used never answers with that client's case.
    fn stored_key(&self, actor: &str) -> Option<String> {
        self.idempotency_key.as_ref().map(|k| format!("{actor}\u{1f}{k}"))
    }

    /// A hash of everything submitted, so that a key reused with another body is refused.
    fn body_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let phone = self.contact_phone.as_ref().map(|p| p.as_str()).unwrap_or("");
        let reception = self.reception.as_ref().map(|(r, to)| format!("reception:{r}\u{1f}{to}"));
        for part in [
            self.region.as_str(),
            self.station.as_deref().unwrap_or(""),
            self.deputy.as_deref().unwrap_or(""),
            &self.title,
            &self.content,
            self.channel.as_str(),
            &self.category,
            &self.location,
            &self.contact_name,
            phone,
            if self.anonymous { "1" } else { "0" },
            if self.publish_consent { "1" } else { "0" },
        ]
        .into_iter()
        // Only a refusal of text messages counts, so that hashes stored before the choice existed
        // still match a retry.
        .chain((!self.sms_notices).then_some("no-sms"))
        .chain(reception.as_deref())
        .chain(self.photos.iter().map(|p| p.hash.as_str()))
        {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

fn key_reused() -> Error {
    Error::invalid("idempotency_key_reused", "该 Idempotency-Key 已用于内容不同的另一次提交，请为新的提交生成新的键")
}

/// An idempotency key: 8 to 128 visible ASCII characters.
pub fn check_idempotency_key(raw: Option<&str>) -> Result<Option<String>, Error> {
    match raw.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) if (8..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_owned())),
        Some(_) => Err(Error::Malformed {
            code: "invalid_idempotency_key",
            message: "Idempotency-Key 应为 8 到 128 个可见字符".into(),
            field: None,
        }),
    }
}

/// Where a public submission to a station or a deputy goes: the station's region, or the
/// deputy's region and their first (resident first) station.
pub async fn route_public(
    app: &App,
    station: Option<&str>,
    deputy: Option<&str>,
) -> Result<(RegionCode, Option<String>, Option<String>), Error> {
    let unknown =
        |field: &'static str| Error::invalid("unknown_recipient", "找不到该联络站或代表，请重新扫码").field(field);
    match (station.filter(|s| !s.is_empty()), deputy.filter(|s| !s.is_empty())) {
        (Some(s), _) => {
            let st = org::station_by_slug(&app.db, s).await?.filter(|x| x.active).ok_or_else(|| unknown("station"))?;
            let region = RegionCode::parse(&st.data.region_code).map_err(Error::internal)?;
            Ok((region, Some(st.data.slug), None))
        }
        (None, Some(d)) => {
            let dep = org::deputy_by_slug(&app.db, d).await?.filter(|x| x.active).ok_or_else(|| unknown("deputy"))?;
            let station = org::deputy_stations(&app.db, dep.id).await?.into_iter().next().map(|(s, _)| s.data.slug);
            let region = RegionCode::parse(&dep.data.region_code).map_err(Error::internal)?;
            Ok((region, station, Some(dep.data.slug)))
        }
        (None, None) => {
            Err(Error::invalid("recipient_required", "请指定联络站（station）或代表（deputy）").field("station"))
        }
    }
}

/// Receives a case. With an idempotency key that was seen before, returns the case it produced
/// instead of creating another. The answer is given only after the commit: the case is durable.
/// Concurrent submissions are committed together (group commit, see [`IntakeQueue`]).
pub async fn receive(app: &App, intake: Intake, actor: &str) -> Result<(CaseRow, bool), Error> {
    for p in &intake.photos {
        photos::store(&app.config.data_dir, p).map_err(Error::internal)?;
    }
    let received = match app.intake.get() {
        Some(queue) => queue.submit(intake, actor).await?,
        None => receive_alone(app, &intake, actor).await?,
    };
    match received {
        Received::Created(row) => Ok((*row, true)),
        Received::Existing(id) => Ok((cases::get(&app.db, id).await?.ok_or(Error::NotFound)?, false)),
        Received::KeyReused => Err(key_reused()),
    }
}

/// What a submission produced: a new case, the case its idempotency key produced before, or
/// nothing because the key was used before for something else.
pub enum Received {
    Created(Box<CaseRow>),
    Existing(i64),
    KeyReused,
}

/// The answer for a key already stored with `hash`: the same submission again, or a reuse.
fn seen_before(intake: &Intake, id: i64, hash: &str) -> Received {
    // Keys stored before bodies were hashed have an empty hash and answer as before.
    if hash.is_empty() || hash == intake.body_hash() { Received::Existing(id) } else { Received::KeyReused }
}

/// One submission in a transaction of its own. A key that another submission committed first
/// answers with that submission's case.
async fn receive_alone(app: &App, intake: &Intake, actor: &str) -> Result<Received, Error> {
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let result = match receive_in(app, &mut tx, &[(intake, actor)], now).await {
        Ok((mut r, events)) => {
            tx.commit().await.map(|()| offer(app, &events, &r)).map(|()| r.remove(0)).map_err(Error::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Err(Error::Conflict { code: "conflict", .. }) if intake.idempotency_key.is_some() => {
            let mut tx = app.db.begin().await?;
            let key = intake.stored_key(actor).unwrap_or_default();
            let (id, hash) = cases::by_idempotency_key(&mut tx, &key).await?.ok_or(Error::NotFound)?;
            Ok(seen_before(intake, id, &hash))
        }
        other => other,
    }
}

/// Hands the search index the cases just committed.
fn offer(app: &App, events: &[(i64, i64)], received: &[Received]) {
    let rows: Vec<CaseRow> = received
        .iter()
        .filter_map(|r| match r {
            Received::Created(row) => Some(row.as_ref().clone()),
            _ => None,
        })
        .collect();
    app.offer_to_search(events, &rows);
}

/// Writes submissions inside `tx`, each with its first event, audit entry, submission key and
/// notifications, one statement per kind of row for the whole batch. Returns what became of
/// each submission and the timeline steps appended (event id, case id).
async fn receive_in(
    app: &App,
    tx: &mut Tx,
    batch: &[(&Intake, &str)],
    now: i64,
) -> Result<(Vec<Received>, Vec<(i64, i64)>), Error> {
    let stored: Vec<Option<String>> = batch.iter().map(|(i, actor)| i.stored_key(actor)).collect();
    let keys: Vec<&str> = stored.iter().flatten().map(String::as_str).collect();
    let seen = cases::by_idempotency_keys(tx, &keys).await?;
    let existing = |n: usize| {
        let key = stored[n].as_deref()?;
        seen.iter().find(|(k, _, _)| k == key).map(|(_, id, hash)| seen_before(batch[n].0, *id, hash))
    };
    let fresh: Vec<(usize, &Intake, &str)> =
        batch.iter().enumerate().filter(|(n, _)| existing(*n).is_none()).map(|(n, (i, a))| (n, *i, *a)).collect();
    let first_reply_due = app.calendar.add_working_days(app.today(), app.config.first_reply_days).to_string();
    let codes: Vec<TrackingCode> = fresh.iter().map(|_| TrackingCode::generate()).collect();
    let hashes: Vec<String> = fresh.iter().map(|(_, i, _)| i.body_hash()).collect();
    let new: Vec<cases::NewCase> = fresh
        .iter()
        .zip(&codes)
        .map(|((_, intake, actor), code)| {
            let (name, phone) = if intake.anonymous {
                ("", "")
            } else {
                (intake.contact_name.as_str(), intake.contact_phone.as_ref().map(|p| p.as_str()).unwrap_or_default())
            };
            cases::NewCase {
                region: &intake.region,
                station_ref: intake.station.as_deref(),
                deputy_ref: intake.deputy.as_deref(),
                title: &intake.title,
                content: &intake.content,
                channel: intake.channel.as_str(),
                category: &intake.category,
                location: &intake.location,
                contact_name: name,
                contact_phone: phone,
                anonymous: intake.anonymous,
                publish_consent: intake.publish_consent,
                sms_notices: intake.sms_notices && !intake.anonymous,
                tracking_code: code.as_str(),
                first_reply_due: intake.channel.is_online().then_some(first_reply_due.as_str()),
                created_by: actor,
            }
        })
        .collect();
    let (rows, events) = cases::insert_many_with_events(tx, &new, now).await?;
    let mut remembered = Vec::new();
    let mut entries = Vec::new();
    let mut subjects = Vec::new();
    for (((n, intake, actor), row), hash) in fresh.iter().zip(&rows).zip(&hashes) {
        for p in &intake.photos {
            cases::add_photo(tx, &row.county_code, row.id, &p.hash, p.mime, p.bytes.len() as i64, now).await?;
        }
        if let Some((reception, put_to)) = &intake.reception {
            liaison_store::receptions::link_case(tx, row.id, *reception, put_to).await?;
        }
        if let Some(key) = &stored[*n] {
            remembered.push((key.as_str(), row.county_code.as_str(), row.id, hash.as_str()));
        }
        entries.push(AuditEvent {
            county_code: row.county_code.clone(),
            actor: (*actor).to_owned(),
            action: "case.receive".into(),
            target: format!("case:{}", row.id),
            summary: format!("接收意见建议（{}）", intake.channel.label()),
        });
        let subject = format!("新的意见建议：{}", intake.title);
        if let Some(s) = &intake.station {
            subjects.push((row.county_code.as_str(), format!("station:{s}"), subject.clone()));
        }
        if let Some(d) = &intake.deputy {
            subjects.push((row.county_code.as_str(), format!("deputy:{d}"), subject));
        }
    }
    cases::remember_idempotency_keys(tx, &remembered, now).await.map_err(Error::from)?;
    audit::append_many(tx, &entries, now).await?;
    let bodies: Vec<String> = subjects.iter().map(|(_, _, subject)| notice_body(subject)).collect();
    let messages: Vec<outbox::Message> = subjects
        .iter()
        .zip(&bodies)
        .map(|((county, recipient, subject), body)| outbox::Message::plain(county, recipient, subject, body))
        .collect();
    outbox::enqueue_many(tx, &messages, now).await?;
    let mut rows = rows.into_iter();
    let received = (0..batch.len())
        .map(|n| match existing(n) {
            Some(r) => r,
            None => Received::Created(Box::new(rows.next().expect("one row per fresh submission"))),
        })
        .collect();
    Ok((received, events))
}

/// Group commit for intake: submissions that arrive while a transaction is being written wait
/// and are then committed together, so that one fsync acknowledges many cases. Each submission
/// is still answered only after the commit that holds it. If a batch fails as a whole, its
/// submissions are retried one by one, so one bad submission cannot sink the others.
pub struct IntakeQueue {
    tx: tokio::sync::mpsc::Sender<IntakeJob>,
}

struct IntakeJob {
    intake: Intake,
    actor: String,
    reply: tokio::sync::oneshot::Sender<Result<Received, Error>>,
}

/// The most submissions one transaction carries.
const MAX_BATCH: usize = 64;

impl IntakeQueue {
    /// Starts the committer task for `app` (whose `intake` cell this queue then fills).
    pub fn start(app: App) -> IntakeQueue {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<IntakeJob>(4 * MAX_BATCH);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                commit_batch(&app, jobs).await;
            }
        });
        IntakeQueue { tx }
    }

    async fn submit(&self, intake: Intake, actor: &str) -> Result<Received, Error> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tx
            .send(IntakeJob { intake, actor: actor.to_owned(), reply })
            .await
            .map_err(|_| Error::internal("intake committer stopped"))?;
        answer.await.map_err(|_| Error::internal("intake committer dropped a submission"))?
    }
}

async fn commit_batch(app: &App, jobs: Vec<IntakeJob>) {
    if jobs.len() > 1 {
        let now = app.now_ms();
        let batch: Vec<(&Intake, &str)> = jobs.iter().map(|j| (&j.intake, j.actor.as_str())).collect();
        let mut results = None;
        if let Ok(mut tx) = app.db.begin().await
            && let Ok((r, events)) = receive_in(app, &mut tx, &batch, now).await
            && tx.commit().await.is_ok()
        {
            offer(app, &events, &r);
            results = Some(r);
        }
        if let Some(results) = results {
            for (job, r) in jobs.into_iter().zip(results) {
                let _ = job.reply.send(Ok(r));
            }
            return;
        }
    }
    for job in jobs {
        let r = receive_alone(app, &job.intake, &job.actor).await;
        let _ = job.reply.send(r);
    }
}
