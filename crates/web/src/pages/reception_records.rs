//! The records of receptions held, for station staff and the township: the list, the form
//! (who attended, how many came, households visited, the matters raised) and one record with
//! its matters, each a case in the loop.

use super::receptions::date_cn;
use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use liaison_app::receptions::{self as rec, Attendee, Matter, NewReception};
use liaison_domain::authz::{self, Action, Scope};
use liaison_domain::case::CaseStatus;
use liaison_domain::ids::StationId;
use liaison_domain::reception::{AttendeeRole, ReceptionKind};
use serde::Deserialize;

pub(crate) struct RecordRow {
    pub id: i64,
    pub date: String,
    pub station_name: String,
    pub kind: String,
    pub place: String,
    pub visitors: i64,
    pub matters: i64,
    pub on_spot: i64,
}

pub(crate) fn record_row(r: liaison_app::receptions::ReceptionRow) -> RecordRow {
    RecordRow {
        id: r.id,
        date: NaiveDate::parse_from_str(&r.held_on, "%Y-%m-%d").map(date_cn).unwrap_or(r.held_on),
        station_name: r.station_name.unwrap_or_else(|| "全县".into()),
        kind: ReceptionKind::parse(&r.kind).map(|k| k.label()).unwrap_or("").into(),
        place: r.place,
        visitors: r.visitors,
        matters: r.matters,
        on_spot: r.on_spot,
    }
}

/// The stations whose receptions the caller records: those of their region, or their own.
async fn my_stations(state: &AppState, caller: &Caller) -> Result<Vec<(String, String)>, PageError> {
    // A deputy records home visits and 坝坝会 at the stations they belong to.
    if let Some(me) = rec::own_deputy(&caller.principal) {
        let Some(d) = liaison_app::directory::deputy(&state.app, me).await? else { return Ok(vec![]) };
        return Ok(liaison_app::directory::deputy_stations(&state.app, liaison_domain::ids::DeputyId(d.id))
            .await?
            .into_iter()
            .map(|(s, _)| (s.data.slug, s.data.name))
            .collect());
    }
    if let Ok(region) = liaison_app::org::scoped_region(&caller.principal, Action::CaseWrite, None) {
        return Ok(liaison_app::directory::stations_under(&state.app, region.as_str(), false)
            .await?
            .into_iter()
            .map(|s| (s.data.slug, s.data.name))
            .collect());
    }
    let mut out = Vec::new();
    for scope in authz::reach(&caller.principal, Action::CaseWrite) {
        if let Scope::Station(slug) = scope
            && let Some(s) = liaison_app::directory::station(&state.app, slug).await?
        {
            out.push((s.data.slug, s.data.name));
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "reception_records.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<RecordRow>,
    may_record: bool,
}

/// `/receptions/records`: the last year's receptions of the caller's region or station.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Html<String>, PageError> {
    let today = state.app.today();
    let from = today - Duration::days(365);
    let mut rows = Vec::new();
    if let Some(me) = rec::own_deputy(&caller.principal) {
        rows = rec::attended_by(&state.app, me, from, today).await?;
    } else if let Ok(region) = liaison_app::org::scoped_region(&caller.principal, Action::OrgRead, None) {
        rows = rec::list_receptions(&state.app, Some(&caller.principal), &region, None, from, today, 300).await?;
    } else {
        for scope in authz::reach(&caller.principal, Action::CaseRead) {
            if let Scope::Station(slug) = scope
                && let Some(s) = liaison_app::directory::station(&state.app, slug).await?
            {
                let region =
                    liaison_domain::region::RegionCode::parse(&s.data.region_code).map_err(ApiError::internal)?;
                rows.extend(rec::list_receptions(&state.app, None, &region, Some(s.id), from, today, 300).await?);
            }
        }
    }
    let may_record = !my_stations(&state, &caller).await?.is_empty();
    render(&ListPage { nav: Nav::for_caller(&caller), rows: rows.into_iter().map(record_row).collect(), may_record })
}

#[derive(Default, Clone)]
pub(crate) struct MatterValues {
    pub title: String,
    pub content: String,
    pub put_to: String,
    pub answer: String,
}

#[derive(Default, Clone)]
pub(crate) struct RecordValues {
    pub station: String,
    pub schedule: String,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub visitors: String,
    pub summary: String,
    pub deputies: Vec<String>,
    /// (role, name, title) of three other attendees.
    pub others: Vec<(String, String, String)>,
    pub households: String,
    pub matters: Vec<MatterValues>,
}

#[derive(Template)]
#[template(path = "reception_new.html")]
struct FormPage {
    nav: Nav,
    v: RecordValues,
    stations: Vec<(String, String)>,
    deputies: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    station: Option<String>,
    schedule: Option<String>,
    date: Option<String>,
}

async fn deputies_for(state: &AppState, station: &str) -> Result<Vec<(String, String)>, PageError> {
    let Some(s) = liaison_app::directory::station(&state.app, station).await? else { return Ok(vec![]) };
    Ok(liaison_app::directory::station_deputies(&state.app, StationId(s.id))
        .await?
        .into_iter()
        .map(|(d, _)| (d.data.slug, d.data.name))
        .collect())
}

async fn form_page(state: &AppState, caller: &Caller, v: RecordValues, error: String) -> Result<FormPage, PageError> {
    let stations = my_stations(state, caller).await?;
    let deputies = deputies_for(state, &v.station).await?;
    Ok(FormPage {
        nav: Nav::for_caller(caller),
        v,
        stations,
        deputies,
        kinds: if rec::own_deputy(&caller.principal).is_some() { &rec::DEPUTY_KINDS[..] } else { ReceptionKind::ALL }
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        roles: AttendeeRole::ALL
            .iter()
            .filter(|r| **r != AttendeeRole::Deputy)
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        error,
    })
}

/// `/receptions/records/new`: the form, for the station asked for (or the caller's first).
pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, PageError> {
    let stations = my_stations(&state, &caller).await?;
    let station =
        q.station.filter(|s| stations.iter().any(|(k, _)| k == s)).or_else(|| stations.first().map(|s| s.0.clone()));
    let station = station.unwrap_or_default();
    let place = match liaison_app::directory::station(&state.app, &station).await? {
        Some(s) if !s.data.address.is_empty() => s.data.address,
        Some(s) => s.data.name,
        None => String::new(),
    };
    let deputy = rec::own_deputy(&caller.principal).is_some();
    let v = RecordValues {
        station,
        schedule: q.schedule.unwrap_or_default(),
        kind: if deputy { "home_visit" } else { "station_day" }.into(),
        held_on: q.date.unwrap_or_else(|| state.app.today().to_string()),
        place,
        visitors: "0".into(),
        others: vec![("agency_head".into(), String::new(), String::new()); 3],
        matters: vec![MatterValues::default(); 3],
        ..Default::default()
    };
    render(&form_page(&state, &caller, v, String::new()).await?)
}

fn values_of(form: &[(String, String)]) -> RecordValues {
    let first = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let all = |k: &str| form.iter().filter(|(f, _)| f == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let (roles, names, titles) = (all("other_role"), all("other_name"), all("other_title"));
    let others = (0..roles.len().max(names.len()))
        .map(|i| {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            (get(&roles), get(&names), get(&titles))
        })
        .collect();
    let (mt, mc, mp, ma) = (all("matter_title"), all("matter_content"), all("matter_put_to"), all("matter_answer"));
    let matters = (0..mt.len())
        .map(|i| {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            MatterValues { title: get(&mt), content: get(&mc), put_to: get(&mp), answer: get(&ma) }
        })
        .collect();
    RecordValues {
        station: first("station"),
        schedule: first("schedule"),
        kind: first("kind"),
        held_on: first("held_on"),
        place: first("place"),
        visitors: first("visitors"),
        summary: first("summary"),
        deputies: all("deputies"),
        others,
        households: first("households"),
        matters,
    }
}

/// Records the reception; on a refusal, the form again as typed with the message.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let v = values_of(&form);
    let mut attendees: Vec<Attendee> = v
        .deputies
        .iter()
        .map(|d| Attendee { role: "deputy".into(), deputy: Some(d.clone()), ..Default::default() })
        .collect();
    attendees.extend(v.others.iter().filter(|(_, n, _)| !n.trim().is_empty()).map(|(r, n, t)| Attendee {
        role: r.clone(),
        deputy: None,
        name: n.clone(),
        title: t.clone(),
    }));
    let households = v
        .households
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(['：', ':', '—', '-']) {
            Some((h, note)) => (h.trim().to_owned(), note.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect();
    let matters = v
        .matters
        .iter()
        .filter(|m| !(m.title.trim().is_empty() && m.content.trim().is_empty()))
        .map(|m| Matter {
            title: m.title.clone(),
            content: if m.content.trim().is_empty() { m.title.clone() } else { m.content.clone() },
            put_to: m.put_to.clone(),
            answer: m.answer.clone(),
            ..Default::default()
        })
        .collect();
    let n = NewReception {
        station: Some(v.station.clone()).filter(|s| !s.is_empty()),
        region: None,
        schedule_id: v.schedule.trim().parse().ok(),
        kind: v.kind.clone(),
        held_on: v.held_on.clone(),
        place: v.place.clone(),
        visitors: v.visitors.trim().parse().unwrap_or(-1),
        summary: v.summary.clone(),
        attendees,
        households,
        matters,
    };
    match rec::record(&state.app, &caller.principal, n).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/receptions/records/{id}")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let page = form_page(&state, &caller, v, e.message).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

pub(crate) struct MatterRow {
    pub case_id: i64,
    pub title: String,
    pub status: String,
    pub put_to: String,
}

#[derive(Template)]
#[template(path = "reception.html")]
struct RecordPage {
    nav: Nav,
    r: RecordRow,
    summary: String,
    station: String,
    attendees: Vec<(String, String, String)>,
    households: Vec<(String, String)>,
    matters: Vec<MatterRow>,
    may_add: bool,
    error: String,
    m: MatterValues,
    id: i64,
    photos: Vec<String>,
    max_photos: usize,
    photo_error: String,
}

async fn record_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    error: String,
    m: MatterValues,
) -> Result<RecordPage, PageError> {
    record_page_with(state, caller, id, (error, String::new()), m).await
}

async fn record_page_with(
    state: &AppState,
    caller: &Caller,
    id: i64,
    (error, photo_error): (String, String),
    m: MatterValues,
) -> Result<RecordPage, PageError> {
    let v = rec::reception(&state.app, &caller.principal, id).await?;
    let station = v.reception.station_slug.clone().unwrap_or_default();
    let summary = v.reception.summary.clone();
    let mut may_add = my_stations(state, caller).await?.iter().any(|(k, _)| *k == station);
    if let Some(me) = rec::own_deputy(&caller.principal) {
        may_add &= v.attendees.iter().any(|a| a.deputy_slug.as_deref() == Some(me));
    }
    Ok(RecordPage {
        nav: Nav::for_caller(caller),
        r: record_row(v.reception.clone()),
        summary,
        station,
        attendees: v
            .attendees
            .into_iter()
            .map(|a| (AttendeeRole::parse(&a.role).map(|r| r.label()).unwrap_or("").to_owned(), a.name, a.title))
            .collect(),
        households: v.households,
        matters: v
            .matters
            .into_iter()
            .map(|(case_id, title, status, put_to)| MatterRow {
                case_id,
                title,
                status: CaseStatus::parse(&status).map(|s| s.label()).unwrap_or("").to_owned(),
                put_to,
            })
            .collect(),
        may_add,
        error,
        m,
        id,
        photos: v.photos,
        max_photos: liaison_app::photos::MAX_PHOTOS,
        photo_error,
    })
}

/// `/receptions/records/{id}`
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    render(&record_page(&state, &caller, id, String::new(), MatterValues::default()).await?)
}

/// Adds one matter to a record, then back to it.
pub async fn add_matter(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let first = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let m = MatterValues {
        title: first("matter_title"),
        content: first("matter_content"),
        put_to: first("matter_put_to"),
        answer: first("matter_answer"),
    };
    rec::reception(&state.app, &caller.principal, id).await?;
    let matter = Matter {
        title: m.title.clone(),
        content: if m.content.trim().is_empty() { m.title.clone() } else { m.content.clone() },
        put_to: m.put_to.clone(),
        answer: m.answer.clone(),
        ..Default::default()
    };
    match rec::add_matter(&state.app, &caller.principal, id, matter).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/receptions/records/{id}#shixiang")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let page = record_page(&state, &caller, id, e.message, m).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Adds the photos chosen on the record page (shrunk in the page where JavaScript runs).
pub async fn add_photos(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    rec::reception(&state.app, &caller.principal, id).await?;
    let mut pics = Vec::new();
    let mut refusal: Option<String> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择照片"))?
    {
        if field.name() != Some("photos") {
            continue;
        }
        let bytes = field.bytes().await.map_err(|_| {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "照片过大，请选择小一些的照片")
        })?;
        if bytes.is_empty() {
            continue;
        }
        match liaison_app::photos::clean(&bytes) {
            Ok(p) => pics.push(p),
            Err(e) => {
                refusal.get_or_insert(ApiError::from(e).message);
            }
        }
    }
    let outcome = match (refusal, pics.is_empty()) {
        (Some(m), _) => Err(m),
        (None, true) => Err("请选择要上传的照片".to_owned()),
        (None, false) => {
            rec::add_photos(&state.app, &caller.principal, id, pics).await.map_err(ApiError::from).map_err(|e| {
                if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN { e.message } else { String::new() }
            })
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/receptions/records/{id}#zhaopian")).into_response()),
        Err(m) if m.is_empty() => Err(PageError(ApiError::forbidden())),
        Err(m) => {
            let page = record_page_with(&state, &caller, id, (String::new(), m), MatterValues::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
