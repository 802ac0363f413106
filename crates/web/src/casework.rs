//! The use-cases of the closed loop: receiving a case from any channel, each step of handling
//! it, the constituent's rating, and the sweep that marks deadlines missed. Each runs in one
//! transaction that rewrites the case, appends its timeline event (the domain events later
//! features consume), its audit entry and any notifications. The state machine itself is
//! `liaison_domain::case::next`.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::photos::{self, Photo};
use crate::state::AppState;
use axum::http::StatusCode;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, CaseLocation, Target};
use liaison_domain::case::{self, CaseStatus, Channel, Command, Level, Rating, TrackingCode};
use liaison_domain::phone::{PhoneNumber, mask_phone};
use liaison_domain::region::RegionCode;
use liaison_store::cases::{self, CaseRow, Event};
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
    pub photos: Vec<Photo>,
    pub idempotency_key: Option<String>,
}

pub fn check_category(state: &AppState, raw: Option<&str>) -> Result<String, ApiError> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok("其他".into()),
        Some(c) if state.settings.categories.iter().any(|x| x == c) => Ok(c.to_owned()),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_category",
            format!("类别应为：{}", state.settings.categories.join("、")),
        )
        .with_field("category")),
    }
}

impl Intake {
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
        .chain(self.photos.iter().map(|p| p.hash.as_str()))
        {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "该 Idempotency-Key 已用于内容不同的另一次提交，请为新的提交生成新的键",
    )
}

/// An idempotency key: 8 to 128 visible ASCII characters. A header that is present but not
/// readable (non-ASCII) is refused rather than ignored.
pub fn check_idempotency_header(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) if !s.trim().is_empty() => check_idempotency_key(Some(s)),
            _ => Err(ApiError::bad_request("invalid_idempotency_key", "Idempotency-Key 应为 8 到 128 个可见字符")),
        },
    }
}

/// An idempotency key: 8 to 128 visible ASCII characters.
pub fn check_idempotency_key(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) if (8..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_owned())),
        Some(_) => Err(ApiError::bad_request("invalid_idempotency_key", "Idempotency-Key 应为 8 到 128 个可见字符")),
    }
}

/// Where a public submission to a station or a deputy goes: the station's region, or the
/// deputy's region and their first (resident first) station.
pub async fn route_public(
    state: &AppState,
    station: Option<&str>,
    deputy: Option<&str>,
) -> Result<(RegionCode, Option<String>, Option<String>), ApiError> {
    let unknown = |field: &'static str| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_recipient", "找不到该联络站或代表，请重新扫码")
            .with_field(field)
    };
    match (station.filter(|s| !s.is_empty()), deputy.filter(|s| !s.is_empty())) {
        (Some(s), _) => {
            let st =
                org::station_by_slug(&state.db, s).await?.filter(|x| x.active).ok_or_else(|| unknown("station"))?;
            let region = RegionCode::parse(&st.data.region_code).map_err(ApiError::internal)?;
            Ok((region, Some(st.data.slug), None))
        }
        (None, Some(d)) => {
            let dep = org::deputy_by_slug(&state.db, d).await?.filter(|x| x.active).ok_or_else(|| unknown("deputy"))?;
            let station = org::deputy_stations(&state.db, dep.id).await?.into_iter().next().map(|(s, _)| s.data.slug);
            let region = RegionCode::parse(&dep.data.region_code).map_err(ApiError::internal)?;
            Ok((region, station, Some(dep.data.slug)))
        }
        (None, None) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "recipient_required",
            "请指定联络站（station）或代表（deputy）",
        )
        .with_field("station")),
    }
}

/// Receives a case. With an idempotency key that was seen before, returns the case it produced
/// instead of creating another. The answer is given only after the commit: the case is durable.
/// Concurrent submissions are committed together (group commit, see [`IntakeQueue`]).
pub async fn receive(state: &AppState, intake: Intake, actor: &str) -> Result<(CaseRow, bool), ApiError> {
    for p in &intake.photos {
        photos::store(&state.settings.data_dir, p).map_err(ApiError::internal)?;
    }
    let received = match state.intake.get() {
        Some(queue) => queue.submit(intake, actor).await?,
        None => receive_alone(state, &intake, actor).await?,
    };
    match received {
        Received::Created(row) => Ok((*row, true)),
        Received::Existing(id) => Ok((cases::get(&state.db, id).await?.ok_or_else(ApiError::not_found)?, false)),
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
async fn receive_alone(state: &AppState, intake: &Intake, actor: &str) -> Result<Received, ApiError> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let result = match receive_in(state, &mut tx, &[(intake, actor)], now).await {
        Ok(mut r) => tx.commit().await.map(|()| r.remove(0)).map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.code == "conflict" && intake.idempotency_key.is_some() => {
            let mut tx = state.db.begin().await?;
            let key = intake.stored_key(actor).unwrap_or_default();
            let (id, hash) = cases::by_idempotency_key(&mut tx, &key).await?.ok_or_else(ApiError::not_found)?;
            Ok(seen_before(intake, id, &hash))
        }
        other => other,
    }
}

/// Writes submissions inside `tx`, each with its first event, audit entry, submission key and
/// notifications, one statement per kind of row for the whole batch.
async fn receive_in(
    state: &AppState,
    tx: &mut Tx,
    batch: &[(&Intake, &str)],
    now: i64,
) -> Result<Vec<Received>, ApiError> {
    let stored: Vec<Option<String>> = batch.iter().map(|(i, actor)| i.stored_key(actor)).collect();
    let keys: Vec<&str> = stored.iter().flatten().map(String::as_str).collect();
    let seen = cases::by_idempotency_keys(tx, &keys).await?;
    let existing = |n: usize| {
        let key = stored[n].as_deref()?;
        seen.iter().find(|(k, _, _)| k == key).map(|(_, id, hash)| seen_before(batch[n].0, *id, hash))
    };
    let fresh: Vec<(usize, &Intake, &str)> =
        batch.iter().enumerate().filter(|(n, _)| existing(*n).is_none()).map(|(n, (i, a))| (n, *i, *a)).collect();
    let first_reply_due = state.calendar.add_working_days(state.today(), state.settings.first_reply_days).to_string();
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
                tracking_code: code.as_str(),
                first_reply_due: intake.channel.is_online().then_some(first_reply_due.as_str()),
                created_by: actor,
            }
        })
        .collect();
    let rows = cases::insert_many(tx, &new, now).await?;
    let mut remembered = Vec::new();
    let mut entries = Vec::new();
    let mut subjects = Vec::new();
    for (((n, intake, actor), row), hash) in fresh.iter().zip(&rows).zip(&hashes) {
        for p in &intake.photos {
            cases::add_photo(tx, &row.county_code, row.id, &p.hash, p.mime, p.bytes.len() as i64, now).await?;
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
    cases::remember_idempotency_keys(tx, &remembered, now).await.map_err(ApiError::from)?;
    audit::append_many(tx, &entries, now).await?;
    let bodies: Vec<String> = subjects.iter().map(|(_, _, subject)| notice_body(subject)).collect();
    let messages: Vec<outbox::Message> = subjects
        .iter()
        .zip(&bodies)
        .map(|((county, recipient, subject), body)| outbox::Message {
            county_code: county,
            channel: "log",
            recipient,
            subject,
            body,
        })
        .collect();
    outbox::enqueue_many(tx, &messages, now).await?;
    let mut rows = rows.into_iter();
    Ok((0..batch.len())
        .map(|n| match existing(n) {
            Some(r) => r,
            None => Received::Created(Box::new(rows.next().expect("one row per fresh submission"))),
        })
        .collect())
}

/// A word search through the index, brought up to date first so that staff find what was just
/// written; `None` when the index cannot answer (not built yet, or failing), and the caller scans.
/// Each hit is checked against the stored case, so a stale or loose hit never shows.
pub async fn search(state: &AppState, reach: &cases::Reach<'_>, filter: &cases::Filter) -> Option<Vec<CaseRow>> {
    let index = state.search.get()?;
    if !index.ready() {
        return None;
    }
    let limit = filter.limit.clamp(1, 500) as usize;
    let query = liaison_search::SearchQuery {
        words: &filter.text,
        region_prefixes: reach.region_prefixes,
        stations: reach.stations,
        agencies: reach.agencies,
        deputies: reach.deputies,
        statuses: &filter.statuses,
        overdue_only: filter.overdue,
        limit: limit * 2 + 50,
    };
    let found = async {
        index.sync(&state.db).await?;
        let Some(ids) = index.search(&query).await? else { return Ok(None) };
        let mut rows = cases::by_ids(&state.db, &ids).await?;
        rows.retain(|r| reach.covers(r) && filter.admits(r));
        rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        rows.truncate(limit);
        Ok::<_, liaison_search::SearchError>(Some(rows))
    };
    match found.await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "search index failed; scanning instead");
            None
        }
    }
}

/// The audit entry of a step on case `id`, in the step's transaction.
async fn audit_case(
    tx: &mut Tx,
    county: &str,
    actor: &str,
    action: &str,
    id: i64,
    summary: String,
    now: i64,
) -> Result<(), ApiError> {
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
    reply: tokio::sync::oneshot::Sender<Result<Received, ApiError>>,
}

/// The most submissions one transaction carries.
const MAX_BATCH: usize = 64;

impl IntakeQueue {
    /// Starts the committer task for `state` (whose `intake` cell this queue then fills).
    pub fn start(state: AppState) -> IntakeQueue {
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
                commit_batch(&state, jobs).await;
            }
        });
        IntakeQueue { tx }
    }

    async fn submit(&self, intake: Intake, actor: &str) -> Result<Received, ApiError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.tx
            .send(IntakeJob { intake, actor: actor.to_owned(), reply })
            .await
            .map_err(|_| ApiError::internal("intake committer stopped"))?;
        answer.await.map_err(|_| ApiError::internal("intake committer dropped a submission"))?
    }
}

async fn commit_batch(state: &AppState, jobs: Vec<IntakeJob>) {
    if jobs.len() > 1 {
        let now = state.now_ms();
        let batch: Vec<(&Intake, &str)> = jobs.iter().map(|j| (&j.intake, j.actor.as_str())).collect();
        let mut results = None;
        if let Ok(mut tx) = state.db.begin().await
            && let Ok(r) = receive_in(state, &mut tx, &batch, now).await
            && tx.commit().await.is_ok()
        {
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
        let r = receive_alone(state, &job.intake, &job.actor).await;
        let _ = job.reply.send(r);
    }
}

fn notice_body(subject: &str) -> String {
    format!("{subject}。请登录人大代表联络站服务平台查看。")
}

async fn notify(tx: &mut Tx, county: &str, recipient: &str, subject: &str, now: i64) -> Result<(), ApiError> {
    let body = notice_body(subject);
    outbox::enqueue(tx, &outbox::Message { county_code: county, channel: "log", recipient, subject, body: &body }, now)
        .await?;
    Ok(())
}

/// A step someone takes on a case, with what it needs.
pub enum Step {
    Triage { level: Level, category: Option<String>, note: String },
    Assign { lead: String, assisting: Vec<String>, note: String },
    Urge { message: String },
    RecordResult { result: String },
    Return { reason: String },
    PublishReply { reply: String },
    AnswerOnSpot { reply: String },
    Decline { reason: String, referral: String },
    Merge { into: i64 },
    Escalate { note: String },
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
        }
    }
}

fn status_of(row: &CaseRow) -> Result<CaseStatus, ApiError> {
    CaseStatus::parse(&row.status)
        .ok_or_else(|| ApiError::internal(format!("case {} has unknown status {}", row.id, row.status)))
}

fn level_of(row: &CaseRow) -> Option<Level> {
    row.level.as_deref().and_then(Level::parse)
}

fn refused(r: case::Refused) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "transition_refused", r.message)
}

/// Checks that the caller may take `cmd` on this case: CaseWrite over its location, through a
/// grant whose role the step allows.
pub fn check_step(caller: &Caller, row: &CaseRow, cmd: Command, level: Option<Level>) -> Result<(), ApiError> {
    let loc = row.location().ok_or_else(|| ApiError::internal("case with invalid region"))?;
    caller.check(Action::CaseWrite, Target::Case(&loc))?;
    let roles = authz::roles_for(&caller.principal, Action::CaseWrite, Target::Case(&loc));
    if roles.iter().any(|r| case::may(*r, cmd, level)) {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("您的角色不能对该意见建议执行“{}”", cmd.label())))
    }
}

/// Takes one step on a case for a signed-in caller.
pub async fn act(state: &AppState, caller: &Caller, id: i64, step: Step) -> Result<CaseRow, ApiError> {
    let cmd = step.command();
    let row = cases::get(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
    // The level the step is judged at: the one it sets, or the case's.
    let level = match &step {
        Step::Triage { level, .. } => Some(*level),
        _ => level_of(&row),
    };
    check_step(caller, &row, cmd, level)?;
    if let (Step::RecordResult { .. } | Step::Return { .. }, Some(lead)) = (&step, &row.agency_ref) {
        // Only the lead agency records the result or sends the case back.
        let lead_only =
            CaseLocation { assisting: vec![], ..row.location().ok_or_else(|| ApiError::internal("bad region"))? };
        let covered = authz::roles_for(&caller.principal, Action::CaseWrite, Target::Case(&lead_only))
            .contains(&liaison_domain::authz::Role::AgencyHandler);
        if !covered {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("只有主办单位（{lead}）可以办理或退回"),
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    let row = apply(state, &mut tx, id, step, &caller.actor()).await?;
    tx.commit().await?;
    Ok(row)
}

/// Applies a step inside `tx`: the state machine, the row, the event, the audit entry and the
/// notifications. Authorization is the caller's business.
async fn apply(state: &AppState, tx: &mut Tx, id: i64, step: Step, actor: &str) -> Result<CaseRow, ApiError> {
    let now = state.now_ms();
    let mut row = cases::get_tx(tx, id).await?.ok_or_else(ApiError::not_found)?;
    let from = status_of(&row)?;
    let cmd = step.command();
    let to = case::next(from, row.round as u8, cmd).map_err(refused)?;
    let county = row.county_code.clone();
    let title = row.title.clone();
    let mut public_note = String::new();
    let mut private_note = String::new();
    let mut recipients: Vec<String> = Vec::new();
    if row.first_replied_at.is_none() && !matches!(cmd, Command::Urge | Command::Escalate) {
        row.first_replied_at = Some(now);
    }
    match step {
        Step::Triage { level, category, note } => {
            if let Some(c) = category {
                row.category = check_category(state, Some(&c))?;
            }
            row.level = Some(level.as_str().into());
            public_note = format!("已受理，确定由{}办理", level.label());
            private_note = note;
        }
        Step::Assign { lead, assisting, note } => {
            let level = level_of(&row).unwrap_or(Level::Township);
            let lead_row = org::agency_by_slug(&state.db, &lead)
                .await?
                .filter(|a| a.active && a.data.county_code == county)
                .ok_or_else(|| {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_agency", "找不到该承办单位")
                        .with_field("lead")
                })?;
            let mut assist = Vec::new();
            for a in assisting.iter().filter(|a| **a != lead) {
                let ok =
                    org::agency_by_slug(&state.db, a).await?.is_some_and(|x| x.active && x.data.county_code == county);
                if !ok {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unknown_agency",
                        format!("找不到协办单位“{a}”"),
                    )
                    .with_field("assisting"));
                }
                if !assist.contains(a) {
                    assist.push(a.clone());
                }
            }
            let days = state.deadline_days(level, &row.category);
            let deadline = state.calendar.add_working_days(state.today(), days);
            row.agency_ref = Some(lead.clone());
            row.assist_agencies = assist.join(",");
            row.deadline_on = Some(deadline.to_string());
            row.overdue = false;
            public_note = format!("已交办{}，办理期限至 {deadline}", lead_row.data.name);
            private_note = note;
            recipients.push(format!("agency:{lead}"));
            recipients.extend(assist.iter().map(|a| format!("agency:{a}")));
        }
        Step::Urge { message } => {
            private_note = message;
            if let Some(a) = &row.agency_ref {
                recipients.push(format!("agency:{a}"));
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
            row.public_reply = reply.clone();
            row.replied_at = Some(now);
            public_note = reply;
            if !row.contact_phone.is_empty() {
                recipients.push(format!("phone:{}", row.contact_phone));
            }
        }
        Step::Decline { reason, referral } => {
            row.decline_reason = reason.clone();
            row.referral = referral.clone();
            row.closed_at = Some(now);
            public_note = if referral.is_empty() {
                format!("不予受理：{reason}")
            } else {
                format!("不予受理：{reason}。建议：{referral}")
            };
        }
        Step::Merge { into } => {
            if into == row.id {
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "merge_into_self", "不能与自身合并")
                    .with_field("into"));
            }
            let target = cases::get_tx(tx, into).await?.ok_or_else(|| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_case", "要合并到的意见建议不存在")
                    .with_field("into")
            })?;
            let target_open = CaseStatus::parse(&target.status).is_some_and(|s| s.is_open());
            let same_township = target.region_code.get(..9) == row.region_code.get(..9);
            if !target_open || !same_township || target.merged_into.is_some() {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_merge",
                    "只能合并到同一乡镇（街道）内尚未办结的意见建议",
                )
                .with_field("into"));
            }
            row.merged_into = Some(into);
            row.closed_at = Some(now);
            public_note = "已与同类问题合并办理，请关注合并后的办理进度".into();
            let note = format!("合并了意见建议 #{}", row.id);
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
            .await?;
        }
        Step::Escalate { note } => {
            row.level = Some(Level::County.as_str().into());
            row.escalated = true;
            public_note = "已提交县级办理".into();
            private_note = note;
            recipients.push(format!("county:{county}"));
        }
    }
    row.status = to.as_str().to_owned();
    if to == CaseStatus::Closed {
        row.closed_at = Some(now);
    }
    cases::save(tx, &row, now).await?;
    let public = !public_note.is_empty();
    let note = if public { public_note } else { private_note.clone() };
    cases::add_event(
        tx,
        &Event {
            county_code: &county,
            case_id: id,
            actor,
            command: cmd.as_str(),
            from: Some(from.as_str()),
            to: to.as_str(),
            note: &note,
            public,
        },
        now,
    )
    .await?;
    if public && !private_note.is_empty() {
        cases::add_event(
            tx,
            &Event {
                county_code: &county,
                case_id: id,
                actor,
                command: "note",
                from: Some(to.as_str()),
                to: to.as_str(),
                note: &private_note,
                public: false,
            },
            now,
        )
        .await?;
    }
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
    Ok(row)
}

/// The constituent's rating, by tracking code.
pub async fn survey(
    state: &AppState,
    code: &TrackingCode,
    rating: Rating,
    comment: String,
) -> Result<CaseRow, ApiError> {
    if rating == Rating::Unrated {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_rating",
            "评价应为满意、基本满意或不满意",
        )
        .with_field("rating"));
    }
    let row = cases::by_tracking_code(&state.db, code.as_str()).await?.ok_or_else(ApiError::not_found)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let mut row = cases::get_tx(&mut tx, row.id).await?.ok_or_else(ApiError::not_found)?;
    let from = status_of(&row)?;
    let cmd = Command::Survey(rating);
    let to = case::next(from, row.round as u8, cmd).map_err(|r| {
        ApiError::new(
            StatusCode::CONFLICT,
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
        row.deadline_on = None;
        row.overdue = false;
    } else {
        row.closed_at = Some(now);
    }
    row.status = to.as_str().into();
    cases::save(&mut tx, &row, now).await?;
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
    tx.commit().await?;
    Ok(row)
}

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
pub async fn sweep(state: &AppState) -> Result<Swept, ApiError> {
    let today = state.today().to_string();
    let now = state.now_ms();
    let unrated_before = now - state.settings.survey_days * 24 * 3600 * 1000;
    let mut out = Swept::default();
    for id in cases::sweep_candidates(&state.db, &today, unrated_before).await? {
        let mut tx = state.db.begin().await?;
        let Some(mut row) = cases::get_tx(&mut tx, id).await? else { continue };
        let status = status_of(&row)?;
        let county = row.county_code.clone();
        match status {
            CaseStatus::Replied | CaseStatus::AnsweredOnSpot if row.replied_at.is_some_and(|t| t < unrated_before) => {
                apply_unrated(&mut tx, &mut row, now).await?;
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

async fn apply_unrated(tx: &mut Tx, row: &mut CaseRow, now: i64) -> Result<(), ApiError> {
    let from = status_of(row)?;
    let to = case::next(from, row.round as u8, Command::CloseUnrated).map_err(refused)?;
    row.status = to.as_str().into();
    row.rating = Some(Rating::Unrated.as_str().into());
    row.closed_at = Some(now);
    cases::save(tx, row, now).await?;
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
    Ok(())
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
