//! Cases for staff: record one raised in person, a case with its timeline, each step of the loop,
//! photos, the audited contact view, and the counts. The lists are in `case_list.rs`.

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use liaison_app::cases::{self as casework, Step};
use liaison_app::cases::{CaseRow, EventRow};
use liaison_domain::authz::parse_slug;
use liaison_domain::case::{CaseStatus, Level, parse_note};
use liaison_domain::ids::CaseId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    pub tracking_code: String,
    pub status: String,
    pub status_label: String,
    pub channel: String,
    pub category: String,
    pub region_code: String,
    pub station: Option<String>,
    pub deputy: Option<String>,
    pub level: Option<String>,
    /// The lead agency (主办).
    pub agency: Option<String>,
    /// Assisting agencies (协办).
    pub assisting: Vec<String>,
    pub title: String,
    pub content: String,
    pub location: String,
    /// Masked, e.g. 王*; the full details are at `/api/v1/cases/{id}/contact`.
    pub contact_name: String,
    pub contact_phone: String,
    pub anonymous: bool,
    pub publish_consent: bool,
    pub round: i64,
    pub deadline_on: Option<String>,
    pub first_reply_due: Option<String>,
    pub overdue: bool,
    pub escalated: bool,
    pub agency_result: String,
    pub public_reply: String,
    pub rating: Option<String>,
    pub rating_comment: String,
    pub merged_into: Option<i64>,
    pub decline_reason: String,
    pub referral: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<CaseRow> for CaseBody {
    fn from(c: CaseRow) -> Self {
        CaseBody {
            status_label: CaseStatus::parse(&c.status).map(|s| s.label()).unwrap_or("").into(),
            assisting: c.assisting().into_iter().map(str::to_owned).collect(),
            contact_name: casework::mask_name(&c.contact_name),
            contact_phone: casework::shown_phone(&c.contact_phone, false),
            id: c.id,
            tracking_code: c.tracking_code.unwrap_or_default(),
            status: c.status,
            channel: c.channel,
            category: c.category,
            region_code: c.region_code,
            station: c.station_ref,
            deputy: c.deputy_ref,
            level: c.level,
            agency: c.agency_ref,
            title: c.title,
            content: c.content,
            location: c.location,
            anonymous: c.anonymous,
            publish_consent: c.publish_consent,
            round: c.round,
            deadline_on: c.deadline_on,
            first_reply_due: c.first_reply_due,
            overdue: c.overdue,
            escalated: c.escalated,
            agency_result: c.agency_result,
            public_reply: c.public_reply,
            rating: c.rating,
            rating_comment: c.rating_comment,
            merged_into: c.merged_into,
            decline_reason: c.decline_reason,
            referral: c.referral,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventBody {
    pub at: i64,
    pub actor: String,
    pub command: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub public: bool,
}

impl From<EventRow> for EventBody {
    fn from(e: EventRow) -> Self {
        EventBody {
            at: e.at,
            actor: e.actor,
            command: e.command,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
            public: e.public,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseBody,
    pub timeline: Vec<EventBody>,
    /// Hashes of the photos; fetch at `/api/v1/cases/{id}/photos/{hash}`.
    pub photos: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarBody {
    pub id: i64,
    pub title: String,
    pub status: String,
    /// Shared character bigrams over all of them: 1 is the same text.
    pub similarity: f64,
}

/// Open cases of the same township that read like this one (Chinese near-duplicate detection on
/// character bigrams), closest first: candidates to merge at triage.
#[utoipa::path(get, path = "/api/v1/cases/{id}/similar", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 200, body = Vec<SimilarBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<SimilarBody>>, ApiError> {
    Ok(Json(similar_cases(&state, &caller, id).await?))
}

pub(crate) async fn similar_cases(state: &AppState, caller: &Caller, id: i64) -> Result<Vec<SimilarBody>, ApiError> {
    let found = casework::similar(&state.app, &caller.principal, CaseId(id)).await?;
    Ok(found
        .into_iter()
        .map(|s| SimilarBody { id: s.id, title: s.title, status: s.status, similarity: s.similarity })
        .collect())
}

/// One case with its whole timeline, if it lies within the caller's scope.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 200, body = CaseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseDetail>, ApiError> {
    let (row, timeline, photos) = casework::detail(&state.app, &caller.principal, CaseId(id)).await?;
    let timeline = timeline.into_iter().map(EventBody::from).collect();
    Ok(Json(CaseDetail { case: row.into(), timeline, photos }))
}

#[derive(Serialize, ToSchema)]
pub struct CaseContactBody {
    pub name: String,
    pub phone: String,
}

/// The constituent's name and phone in full, for staff who need to call back; audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/contact", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])), responses(
    (status = 200, body = CaseContactBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseContactBody>, ApiError> {
    let (name, phone) = casework::contact(&state.app, &caller.principal, CaseId(id)).await?;
    Ok(Json(CaseContactBody { name, phone }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCase {
    /// The township or village the matter concerns; defaults to the station's or deputy's.
    pub region: Option<String>,
    pub station: Option<String>,
    pub deputy: Option<String>,
    /// station (坐诊), visit (巡诊), wechat, hotline, snapshot (随手拍), online.
    pub channel: String,
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub publish_consent: bool,
}

/// Record a case raised at a reception, on a visit, in a WeChat group, by phone, or a deputy's
/// 随手拍. Photos are added with `POST /api/v1/cases/{id}/photos`.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat a submission safely")),
    responses((status = 201, body = CaseBody), (status = 200, body = CaseBody, description = "the same key again"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    ApiJson(n): ApiJson<NewCase>,
) -> Result<(StatusCode, Json<CaseBody>), ApiError> {
    let key = crate::extract::idempotency_key(&headers)?;
    let (row, created) = record(&state, &caller, n, key).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(row.into())))
}

/// Validates and receives a case recorded by staff or a deputy; shared by the API and the page.
pub(crate) async fn record(
    state: &AppState,
    caller: &Caller,
    n: NewCase,
    key: Option<String>,
) -> Result<(CaseRow, bool), ApiError> {
    Ok(casework::record(&state.app, &caller.principal, n.into(), key).await?)
}

impl From<NewCase> for casework::NewCase {
    fn from(n: NewCase) -> Self {
        casework::NewCase {
            region: n.region,
            station: n.station,
            deputy: n.deputy,
            channel: n.channel,
            title: n.title,
            content: n.content,
            category: n.category,
            location: n.location,
            contact_name: n.contact_name,
            contact_phone: n.contact_phone,
            anonymous: n.anonymous,
            publish_consent: n.publish_consent,
            photos: vec![],
            reception: None,
        }
    }
}

/// A step of the loop. `step` names it; the other fields are what that step needs.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepBody {
    /// Decide the level: `township` or `county`.
    Triage {
        level: String,
        category: Option<String>,
        #[serde(default)]
        note: String,
    },
    /// Send to the lead agency (slug), with optional assisting agencies.
    Assign {
        lead: String,
        #[serde(default)]
        assisting: Vec<String>,
        #[serde(default)]
        note: String,
    },
    Urge {
        message: String,
    },
    /// The agency's result.
    Result {
        result: String,
    },
    /// The agency sends it back as not theirs.
    Return {
        reason: String,
    },
    /// The public reply to the constituent.
    Reply {
        reply: String,
    },
    /// Answered at the reception.
    AnswerOnSpot {
        reply: String,
    },
    Decline {
        reason: String,
        #[serde(default)]
        referral: String,
    },
    Merge {
        into: i64,
    },
    Escalate {
        #[serde(default)]
        note: String,
    },
    /// A note that changes nothing else; `public` shows it to the constituent (an answer to an
    /// online message while it is being handled).
    Note {
        note: String,
        #[serde(default)]
        public: bool,
    },
}

pub(crate) fn parse_step(b: StepBody) -> Result<Step, ApiError> {
    Ok(match b {
        StepBody::Triage { level, category, note } => Step::Triage {
            level: Level::parse(&level).ok_or_else(|| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_level", "层级应为 township 或 county")
                    .with_field("level")
            })?,
            category,
            note: note.trim().to_owned(),
        },
        StepBody::Assign { lead, assisting, note } => Step::Assign {
            lead: parse_slug(&lead).map_err(|e| ApiError::from(e).with_field("lead"))?,
            assisting: assisting
                .iter()
                .map(|a| parse_slug(a).map_err(|e| ApiError::from(e).with_field("assisting")))
                .collect::<Result<_, _>>()?,
            note: note.trim().to_owned(),
        },
        StepBody::Urge { message } => Step::Urge { message: parse_note("message", "催办内容", &message)? },
        StepBody::Result { result } => Step::RecordResult { result: parse_note("result", "办理结果", &result)? },
        StepBody::Return { reason } => Step::Return { reason: parse_note("reason", "退回理由", &reason)? },
        StepBody::Reply { reply } => Step::PublishReply { reply: parse_note("reply", "答复内容", &reply)? },
        StepBody::AnswerOnSpot { reply } => Step::AnswerOnSpot { reply: parse_note("reply", "答复内容", &reply)? },
        StepBody::Decline { reason, referral } => Step::Decline {
            reason: parse_note("reason", "不予受理理由", &reason)?,
            referral: referral.trim().to_owned(),
        },
        StepBody::Merge { into } => Step::Merge { into: CaseId(into) },
        StepBody::Escalate { note } => Step::Escalate { note: note.trim().to_owned() },
        StepBody::Note { note, public } => Step::Note { note: parse_note("note", "备注内容", &note)?, public },
    })
}

/// Take a step: triage, assign, urge, result, return, reply, answer_on_spot, decline, merge,
/// escalate, note. A step the case's state does not allow is refused with 409.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", params(("id" = i64, Path)), request_body = StepBody,
    security(("bearer" = [])), responses((status = 200, body = CaseBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StepBody>,
) -> Result<Json<CaseBody>, ApiError> {
    let step = parse_step(b)?;
    Ok(Json(casework::act(&state.app, &caller.principal, CaseId(id), step).await?.into()))
}

/// Attach a photo (JPEG, PNG or WebP; at most 5 MB, 9 per case). EXIF is stripped.
#[utoipa::path(post, path = "/api/v1/cases/{id}/photos", tag = "cases", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"), security(("bearer" = [])),
    responses((status = 201, description = "stored"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    casework::add_photo(&state.app, &caller.principal, CaseId(id), &body).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize, IntoParams)]
pub struct PhotoQuery {
    /// `thumb` for a JPEG of at most 320 pixels a side (made on first request, then kept);
    /// the photo as stored otherwise.
    pub size: Option<String>,
}

/// Whether a photo's `size` asks for the thumbnail (`thumb`) rather than the photo (`full`, or
/// nothing).
pub(crate) fn wants_thumb(size: Option<&str>) -> Result<bool, ApiError> {
    match size {
        None | Some("" | "full") => Ok(false),
        Some("thumb") => Ok(true),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_size",
            "尺寸应为 thumb（缩略图）或 full（原图）",
        )
        .with_field("size")),
    }
}

/// A case's photo, or its thumbnail.
#[utoipa::path(get, path = "/api/v1/cases/{id}/photos/{hash}", tag = "cases", params(("id" = i64, Path), ("hash" = String, Path), PhotoQuery),
    security(("bearer" = [])), responses((status = 200, description = "the image", content_type = "image/jpeg"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, hash)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<PhotoQuery>,
) -> Result<Response, ApiError> {
    let (bytes, mime) = if wants_thumb(q.size.as_deref())? {
        casework::photo_thumb(&state.app, &caller.principal, CaseId(id), &hash).await?
    } else {
        casework::photo_file(&state.app, &caller.principal, CaseId(id), &hash).await?
    };
    Ok(([(header::CONTENT_TYPE, mime)], bytes).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct StatsQuery {
    /// A region code; defaults to the caller's region.
    pub region: Option<String>,
    /// A station slug.
    pub station: Option<String>,
    /// YYYY-MM-DD, inclusive; defaults to the start of this year.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive; defaults to today.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsBody {
    pub region: String,
    pub from: String,
    pub to: String,
    pub received: i64,
    pub answered_on_spot: i64,
    pub assigned_township: i64,
    pub assigned_county: i64,
    pub replied: i64,
    pub closed: i64,
    pub in_progress: i64,
    pub overdue: i64,
    pub merged: i64,
    pub declined: i64,
    /// Answered on the spot (rated or not) or answered by reply (and perhaps closed since).
    pub resolved: i64,
    /// Resolved over received less merged, 0–1.
    pub resolution_rate: f64,
    /// Resolved by the deadline over resolved with a deadline, 0–1.
    pub on_time_rate: f64,
    /// Satisfied or partly satisfied over all rated, 0–1.
    pub satisfaction_rate: f64,
    pub by_status: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_rating: Vec<Count>,
    /// The receptions held in the same region, station and days.
    pub receptions: ReceptionTotals,
    /// The deputies' formal suggestions submitted in the region and days.
    pub suggestions: SuggestionTotals,
    /// Meetings with agency heads, reports to voters and ledger visits in the region and days.
    pub outreach: OutreachTotals,
    /// Livelihood projects of the year the period ends in.
    pub projects: ProjectTotals,
    /// Confirmed duty-register entries of the region's deputies in the period.
    pub register: RegisterTotals,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterTotals {
    pub entries: i64,
    /// The points those entries scored by the county's points rules (caps applied per deputy).
    pub points: i64,
    /// By kind of duty, with its Chinese name as `key`'s label.
    pub by_kind: Vec<RegisterKindCount>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterKindCount {
    pub kind: String,
    pub label: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectTotals {
    /// The year counted.
    pub year: i32,
    /// Nominations received in the year, and the people behind them.
    pub nominations: i64,
    pub people: i64,
    /// Projects of the year chosen by the deputies' ballot.
    pub chosen: i64,
    /// Ballots with a published result, and the deputies who voted in them (never how).
    pub ballots_tallied: i64,
    pub ballots_cast: i64,
    /// Deputies' inspections of, and questions on, the year's projects.
    pub inspections: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OutreachTotals {
    /// Meetings with agency heads held, questions put at them, answered on the spot.
    pub meetings: i64,
    pub questions: i64,
    pub answered_on_spot: i64,
    /// Commitments made at those meetings, and of them kept.
    pub commitments: i64,
    pub commitments_done: i64,
    /// Reports to voters held, the deputies who reported, and the voters' evaluations.
    pub reports_held: i64,
    pub deputies_reported: i64,
    pub report_satisfied: i64,
    pub report_partly: i64,
    pub report_dissatisfied: i64,
    /// Visits to the ledger's voters and households, and how many of them were visited.
    pub visits: i64,
    pub contacts_visited: i64,
    /// On the ledger now (whatever the days): households and linked voters.
    pub households: i64,
    pub linked_voters: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionTotals {
    /// Submitted (drafts left out).
    pub submitted: i64,
    /// By status: submitted, assigned, answered, reopened, closed.
    pub by_status: Vec<Count>,
    /// By answer class: a, b, c.
    pub by_class: Vec<Count>,
    /// Answered, and of those answered by their deadline.
    pub answered: i64,
    pub answered_on_time: i64,
    /// The deputies' ratings: satisfied, partly, dissatisfied.
    pub by_rating: Vec<Count>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceptionTotals {
    /// Receptions held, and constituents received at them.
    pub held: i64,
    pub visitors: i64,
    /// Matters raised at them (cases with channel `reception`), and those answered on the spot.
    pub matters: i64,
    pub answered_on_spot: i64,
    /// Deputies' attendances, one per deputy per reception.
    pub deputy_attendances: i64,
    /// By kind (station_day, joint_petition, agency_heads, yard_meeting, home_visit).
    pub by_kind: Vec<ReceptionKindCount>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceptionKindCount {
    pub kind: String,
    pub held: i64,
    pub visitors: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

fn counts(list: Vec<(String, i64)>) -> Vec<Count> {
    list.into_iter().map(|(key, count)| Count { key, count }).collect()
}

async fn stats(state: &AppState, caller: &Caller, q: &StatsQuery) -> Result<StatsBody, ApiError> {
    let query = casework::StatsQuery {
        region: q.region.clone(),
        station: q.station.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
    };
    Ok(stats_body(casework::stats(&state.app, &caller.principal, &query).await?))
}

/// The counts as the API and the staff statistics page give them.
pub(crate) fn stats_body(s: casework::Stats) -> StatsBody {
    let casework::Stats {
        region,
        from,
        to,
        counts: c,
        receptions: r,
        suggestions: sg,
        outreach: o,
        projects: pj,
        figures: f,
        register: reg,
        points,
    } = s;
    let n = |list: &[(String, i64)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, v)| *v).unwrap_or(0);
    let st = &c.by_status;
    StatsBody {
        region: region.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        received: c.total,
        answered_on_spot: f.on_spot,
        assigned_township: n(&c.by_level, "township"),
        assigned_county: n(&c.by_level, "county"),
        replied: n(st, "replied"),
        closed: n(st, "closed"),
        in_progress: f.in_progress,
        overdue: c.overdue,
        merged: f.merged,
        declined: f.declined,
        resolved: f.resolved(),
        resolution_rate: f.resolution_rate().unwrap_or(0.0),
        on_time_rate: f.on_time_rate().unwrap_or(0.0),
        satisfaction_rate: f.satisfaction_rate().unwrap_or(0.0),
        by_status: counts(c.by_status),
        by_channel: counts(c.by_channel),
        by_category: counts(c.by_category),
        by_rating: counts(c.by_rating),
        receptions: ReceptionTotals {
            held: r.by_kind.iter().map(|k| k.1).sum(),
            visitors: r.by_kind.iter().map(|k| k.2).sum(),
            matters: r.matters,
            answered_on_spot: r.on_spot,
            deputy_attendances: r.deputy_attendances,
            by_kind: r
                .by_kind
                .into_iter()
                .map(|(kind, held, visitors)| ReceptionKindCount { kind, held, visitors })
                .collect(),
        },
        suggestions: SuggestionTotals {
            submitted: sg.by_status.iter().map(|(_, n)| n).sum(),
            answered: sg.answered,
            answered_on_time: sg.on_time,
            by_status: counts(sg.by_status),
            by_class: counts(sg.by_class),
            by_rating: counts(sg.by_rating),
        },
        outreach: OutreachTotals {
            meetings: o.meetings,
            questions: o.questions,
            answered_on_spot: o.answered_on_spot,
            commitments: o.commitments,
            commitments_done: o.commitments_done,
            reports_held: o.reports_held,
            deputies_reported: o.deputies_reported,
            report_satisfied: o.report_satisfied,
            report_partly: o.report_partly,
            report_dissatisfied: o.report_dissatisfied,
            visits: o.visits,
            contacts_visited: o.households_visited,
            households: o.households,
            linked_voters: o.linked_voters,
        },
        register: RegisterTotals {
            entries: reg.iter().map(|(_, n)| n).sum(),
            points,
            by_kind: reg
                .into_iter()
                .map(|(kind, count)| RegisterKindCount {
                    label: liaison_domain::register::DutyKind::parse(&kind).map_or("其他", |k| k.label()).to_owned(),
                    kind,
                    count,
                })
                .collect(),
        },
        projects: ProjectTotals {
            year: chrono::Datelike::year(&to),
            nominations: pj.nominations,
            people: pj.people,
            chosen: pj.chosen,
            ballots_tallied: pj.ballots_tallied,
            ballots_cast: pj.ballots_cast,
            inspections: pj.inspections,
        },
    }
}

/// The counts the seeds quote, for a region (or a station) and a period.
#[utoipa::path(get, path = "/api/v1/stats/cases", tag = "cases", params(StatsQuery), security(("bearer" = [])), responses(
    (status = 200, body = StatsBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn stats_route(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<StatsBody>, ApiError> {
    Ok(Json(stats(&state, &caller, &q).await?))
}
