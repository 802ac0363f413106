//! Livelihood projects in public: a county's projects and ballots, a project's page with its
//! progress, the public ballot board where a deputy finds their receipt and anyone downloads the
//! board to recount, and the form through which anyone nominates a project at a station.

use super::public::Head;
use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liaison_app::ballots::{self, PublicBoard};
use liaison_app::projects::{self, NominationInput};
use liaison_domain::project::{BallotMethod, CongressLevel, UpdateKind, wan_yuan};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "public_projects.html")]
struct ListPage {
    nav: Nav,
    head: Head,
    code: String,
    /// (id, year, title, status, cost, percent done).
    projects: Vec<(i64, i64, String, &'static str, String)>,
    /// (id, title, status, held_on).
    ballots: Vec<(i64, String, &'static str, String)>,
}

/// `/county/{code}/projects`
pub async fn county(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(code): PagePath<String>,
) -> Result<Response, PageError> {
    let ps = projects::public_projects(&state.app, &code).await?;
    let bs = ballots::public_list(&state.app, &code).await?;
    let head =
        Head::new(&state, &code, "民生实事项目".into(), "群众点单、代表票决、政府实施、人大测评的民生实事项目".into())
            .await;
    Ok(render(&ListPage {
        nav: Nav::for_caller(&caller),
        head,
        projects: ps
            .into_iter()
            .map(|p| {
                let cost = if p.estimated_cost > 0 { wan_yuan(p.estimated_cost) } else { String::new() };
                (p.id, p.year, p.title, super::projects::status_label(&p.status), cost)
            })
            .collect(),
        ballots: bs
            .into_iter()
            .map(|b| (b.id, b.title, super::projects::ballot_status(&b.status), b.held_on))
            .collect(),
        code,
    })?
    .into_response())
}

struct UpdateView {
    kind: &'static str,
    day: String,
    body: String,
    answer: String,
    is_question: bool,
    percent: Option<i64>,
    deputies: String,
    photos: Vec<i64>,
}

#[derive(Template)]
#[template(path = "public_project.html")]
struct ProjectPage {
    nav: Nav,
    head: Head,
    p: projects::Project,
    status: &'static str,
    level: &'static str,
    cost: String,
    owner: String,
    percent: i64,
    /// (title, due, done).
    milestones: Vec<(String, String, String)>,
    today: String,
    updates: Vec<UpdateView>,
}

/// `/project/{id}`
pub async fn project(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Response, PageError> {
    let anonymous = liaison_domain::authz::Principal::Anonymous;
    let f = projects::get(&state.app, &anonymous, id).await?;
    let p = f.project;
    let owner = match &p.owner_agency {
        Some(slug) => liaison_app::directory::agency(&state.app, slug).await?.map(|a| a.data.name).unwrap_or_default(),
        None => String::new(),
    };
    let head =
        Head::new(&state, &p.county_code, p.title.clone(), format!("{} 年民生实事项目：{}", p.year, p.title)).await;
    Ok(render(&ProjectPage {
        nav: Nav::for_caller(&caller),
        head,
        status: super::projects::status_label(&p.status),
        level: CongressLevel::parse(&p.level).map_or("", |l| l.label()),
        cost: if p.estimated_cost > 0 { wan_yuan(p.estimated_cost) } else { String::new() },
        owner,
        percent: f.updates.iter().filter_map(|u| u.percent).max().unwrap_or(0),
        milestones: f.milestones.into_iter().map(|m| (m.title, m.due_on, m.done_on.unwrap_or_default())).collect(),
        today: state.app.today().to_string(),
        updates: f
            .updates
            .into_iter()
            .map(|u| UpdateView {
                photos: f.photos.iter().filter(|(_, uid)| *uid == u.id).map(|(p, _)| *p).collect(),
                kind: UpdateKind::parse(&u.kind).map_or("", |k| k.label()),
                is_question: u.kind == "question",
                day: u.happened_on,
                body: u.body,
                answer: u.answer,
                percent: u.percent,
                deputies: u.deputies,
            })
            .collect(),
        p,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct PhotoQuery {
    size: Option<String>,
}

/// `/project-photos/{id}`: a project's photo (`?size=thumb` for the thumbnail), public with it.
pub async fn photo(
    State(state): State<AppState>,
    PagePath(id): PagePath<i64>,
    Query(q): Query<PhotoQuery>,
) -> Result<Response, PageError> {
    let thumb = crate::api::cases::wants_thumb(q.size.as_deref())?;
    let (bytes, mime) = projects::photo(&state.app, &liaison_domain::authz::Principal::Anonymous, id, thumb).await?;
    Ok(([(header::CONTENT_TYPE, mime)], bytes).into_response())
}

#[derive(Template)]
#[template(path = "public_ballot.html")]
struct BoardPage {
    nav: Nav,
    head: Head,
    id: i64,
    title: String,
    status: &'static str,
    method: &'static str,
    places: i64,
    held_on: String,
    electorate: i64,
    /// (seq, tracker) — seq 0 while the ballot is open.
    trackers: Vec<(u32, String)>,
    fingerprint: String,
    head_hash: String,
    results: Vec<super::ballots::ResultRowPub>,
    cast: u64,
    /// The receipt asked for, and where it was found.
    asked: String,
    found: Option<u32>,
    sealed: bool,
}

#[derive(Deserialize, Default)]
pub struct ReceiptQuery {
    tracker: Option<String>,
}

/// `/ballot/{id}`: the public ballot box.
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, PageError> {
    let (b, board) = ballots::board(&state.app, id).await?;
    let asked: String =
        q.tracker.unwrap_or_default().trim().to_lowercase().chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let (trackers, results, cast, sealed, head_hash) = match &board {
        PublicBoard::Trackers(t) => {
            (t.iter().map(|t| (0u32, t.clone())).collect::<Vec<_>>(), Vec::new(), t.len() as u64, false, String::new())
        }
        PublicBoard::Sealed(bd) => {
            let titles = bd.election.candidates.clone();
            let results =
                bd.outcome.as_ref().map(|o| super::ballots::results_of(&b.method, &titles, o)).unwrap_or_default();
            (
                bd.entries.iter().map(|e| (e.seq, e.tracker.clone())).collect(),
                results,
                bd.entries.len() as u64,
                true,
                bd.head.clone(),
            )
        }
    };
    let found =
        if asked.len() >= 8 { trackers.iter().find(|(_, t)| t.starts_with(&asked)).map(|(s, _)| *s) } else { None };
    let head = Head::new(&state, &b.county_code, b.title.clone(), "民生实事项目票决的公开投票箱".into()).await;
    Ok(render(&BoardPage {
        nav: Nav::for_caller(&caller),
        head,
        id,
        status: super::projects::ballot_status(&b.status),
        method: BallotMethod::parse(&b.method).map_or("", |m| m.label()),
        places: b.places,
        held_on: b.held_on,
        electorate: b.electorate,
        fingerprint: b.fingerprint.unwrap_or_default(),
        head_hash,
        title: b.title,
        trackers,
        results,
        cast,
        asked,
        found,
        sealed,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "public_nominate.html")]
struct NominatePage {
    nav: Nav,
    head: Head,
    slug: String,
    station: String,
    title: String,
    place: String,
    content: String,
    error: String,
    field: String,
}

async fn nominate_page(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    f: NominateForm,
    error: String,
    field: String,
) -> Result<Response, PageError> {
    let s = liaison_app::directory::station(&state.app, slug)
        .await?
        .filter(|s| s.active)
        .ok_or_else(ApiError::not_found)?;
    let head = Head::new(
        state,
        &s.data.county_code,
        format!("{}：提出民生实事建议", s.data.name),
        "群众点单：提出希望今年办的民生实事".into(),
    )
    .await;
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&NominatePage {
        nav: Nav::for_caller(caller),
        head,
        slug: s.data.slug,
        station: s.data.name,
        title: f.title,
        place: f.place,
        content: f.content,
        error,
        field,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct NominateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    content: String,
}

/// `/station/{slug}/nominate`
pub async fn nominate_form(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
) -> Result<Response, PageError> {
    nominate_page(&state, &caller, &slug, NominateForm::default(), String::new(), String::new()).await
}

pub async fn nominate(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
    PageForm(f): PageForm<NominateForm>,
) -> Result<Response, PageError> {
    let i = NominationInput {
        title: f.title.clone(),
        place: f.place.clone(),
        content: f.content.clone(),
        ..Default::default()
    };
    match projects::nominate_public(&state.app, &slug, &i).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/station/{slug}/nominate/thanks")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let field = e.field.clone().unwrap_or_default();
            nominate_page(&state, &caller, &slug, f, e.message, field).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "public_nominated.html")]
struct ThanksPage {
    nav: Nav,
    head: Head,
    slug: String,
    county: String,
}

/// `/station/{slug}/nominate/thanks`
pub async fn thanks(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
) -> Result<Response, PageError> {
    let s = liaison_app::directory::station(&state.app, &slug).await?.ok_or_else(ApiError::not_found)?;
    let head = Head::new(&state, &s.data.county_code, "建议已提交".into(), String::new()).await;
    Ok(render(&ThanksPage { nav: Nav::for_caller(&caller), head, slug: s.data.slug, county: s.data.county_code })?
        .into_response())
}
