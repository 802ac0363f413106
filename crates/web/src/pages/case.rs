//! One case as staff see it: its facts with names instead of identifiers, the timeline (step,
//! person, unit), photos as a gallery, the steps the viewer may take (the likely one open, the
//! others folded), the audited call-back contact, and the printable 交办单 for an agency.

use super::case_steps::{self, StepView, Typed};
use super::{Nav, beijing, render};
use crate::api::cases::parse_step;
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::cases::{self as casework, CaseRow, EventRow};
use liaison_app::names::{self, Names, Wanted};
use liaison_domain::authz::{self, Action, Target};
use liaison_domain::case::{CaseStatus, Channel, Level, TrackingCode};
use liaison_domain::ids::CaseId;
use liaison_domain::region::RegionCode;

/// One line of the timeline.
pub struct TimelineRow {
    pub when: String,
    pub what: &'static str,
    pub who: String,
    pub unit: String,
    pub note: String,
    pub public: bool,
}

/// The names a case shows in place of its slugs and codes.
pub struct CaseNames {
    /// 乾佑街道 · 仁和社区
    pub region: String,
    pub station: String,
    pub deputy: String,
    pub lead: String,
    pub assisting: Vec<String>,
}

/// Agencies to assign to, grouped by where they sit: (region name, [(slug, name)]).
type AgencyGroups = Vec<(String, Vec<(String, String)>)>;

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Nav,
    c: CaseRow,
    code: String,
    status: String,
    channel: String,
    level: String,
    n: CaseNames,
    contact_name: String,
    contact_phone: String,
    /// The full name and phone, once the viewer asked for them (audited).
    contact: Option<(String, String)>,
    /// Whether the viewer may ask for them.
    can_contact: bool,
    timeline: Vec<TimelineRow>,
    photos: Vec<String>,
    steps: Vec<StepView>,
    agencies: AgencyGroups,
    categories: Vec<String>,
    /// A refusal that belongs to no form on the page.
    error: Option<String>,
    similar: Vec<crate::api::cases::SimilarBody>,
    can_merge: bool,
    /// The deputy it was raised to (or their station's staff) may make it a formal suggestion.
    can_suggest: bool,
    /// (id, title, status) of the suggestions made from it.
    suggestions: Vec<(i64, String, &'static str)>,
}

/// The township and, below it, the village of a region code.
fn region_keys(code: &str) -> Vec<String> {
    let mut keys = vec![code.get(..9).unwrap_or(code).to_owned()];
    if code.len() > 9 {
        keys.push(code.to_owned());
    }
    keys
}

/// Everything of a case that has a name: who acted in its timeline, where it lies, who handles it.
fn wanted(c: &CaseRow, events: &[EventRow]) -> Wanted {
    let mut w = Wanted::new();
    for e in events {
        w.actor(&e.actor);
    }
    for k in region_keys(&c.region_code) {
        w.region(&k);
    }
    if let Some(s) = &c.station_ref {
        w.station(s);
    }
    if let Some(d) = &c.deputy_ref {
        w.deputy(d);
    }
    if let Some(a) = &c.agency_ref {
        w.agency(a);
    }
    for a in c.assisting() {
        w.agency(a);
    }
    w
}

fn case_names(c: &CaseRow, names: &Names) -> CaseNames {
    CaseNames {
        region: region_keys(&c.region_code).iter().map(|k| names.region(k)).collect::<Vec<_>>().join(" · "),
        station: c.station_ref.as_deref().map(|s| names.station(s)).unwrap_or_default(),
        deputy: c.deputy_ref.as_deref().map(|d| names.deputy(d)).unwrap_or_default(),
        lead: c.agency_ref.as_deref().map(|a| names.agency(a)).unwrap_or_default(),
        assisting: c.assisting().into_iter().map(|a| names.agency(a)).collect(),
    }
}

fn timeline(events: &[EventRow], names: &Names) -> Vec<TimelineRow> {
    events
        .iter()
        .map(|e| TimelineRow {
            when: beijing(e.at),
            what: names::step_label(&e.command, e.public),
            who: names.actor(&e.actor),
            unit: names.unit(&e.actor),
            note: e.note.clone(),
            public: e.public,
        })
        .collect()
}

fn shown_code(c: &CaseRow) -> String {
    c.tracking_code.as_deref().and_then(|t| TrackingCode::parse(t).ok()).map(|t| t.display()).unwrap_or_default()
}

/// What the case page shows besides the case itself: a refusal of a step (with the form's
/// typed values) or of the page, and the contact details once asked for.
#[derive(Default)]
struct Extra {
    refused: Option<(String, Typed, ApiError)>,
    contact: Option<(String, String)>,
}

async fn case_page(state: &AppState, caller: &Caller, id: i64, extra: Extra) -> Result<Html<String>, PageError> {
    let (c, events, photos) = casework::detail(&state.app, &caller.principal, CaseId(id)).await?;
    let offered = casework::offered(&caller.principal, &c);
    let mut steps = case_steps::views(&c, &offered);
    let mut error = None;
    if let Some((step, typed, e)) = extra.refused
        && !case_steps::refuse(&mut steps, &step, typed, &e)
    {
        error = Some(e.message);
    }
    let mut w = wanted(&c, &events);
    let assigning = steps.iter().any(|s| s.key == "assign");
    let county_agencies = if assigning {
        liaison_app::directory::agencies_under(&state.app, &c.county_code, false).await?
    } else {
        vec![]
    };
    for a in &county_agencies {
        w.region(&a.data.region_code);
    }
    let names = names::resolve(&state.app, w).await?;
    let mut agencies: AgencyGroups = Vec::new();
    for a in county_agencies {
        let group = names.region(&a.data.region_code);
        match agencies.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push((a.data.slug, a.data.name)),
            None => agencies.push((group, vec![(a.data.slug, a.data.name)])),
        }
    }
    let can_contact = !c.anonymous
        && !c.contact_phone.is_empty()
        && RegionCode::parse(&c.region_code)
            .is_ok_and(|r| authz::authorize(&caller.principal, Action::PersonalDataRead, Target::Region(&r)).is_ok());
    let own = liaison_app::receptions::own_deputy(&caller.principal);
    let staff = authz::reach(&caller.principal, Action::CaseWrite)
        .iter()
        .any(|s| matches!(s, liaison_domain::authz::Scope::Station(_)));
    let can_suggest = c.deputy_ref.is_some() && (own.is_some_and(|d| Some(d) == c.deputy_ref.as_deref()) || staff);
    let suggestions = liaison_app::suggestions::of_case(&state.app, c.id)
        .await?
        .into_iter()
        .map(|s| {
            let status = liaison_domain::suggestion::SuggestionStatus::parse(&s.status).map_or("", |x| x.label());
            (s.id, s.title, status)
        })
        .collect();
    render(&CasePage {
        can_suggest,
        suggestions,
        nav: Nav::for_caller(caller),
        code: shown_code(&c),
        status: CaseStatus::parse(&c.status).map(|s| s.label()).unwrap_or("").into(),
        channel: Channel::parse(&c.channel).map(|s| s.label()).unwrap_or("").into(),
        level: c.level.as_deref().and_then(Level::parse).map(|l| l.label()).unwrap_or("未定").into(),
        n: case_names(&c, &names),
        contact_name: if c.anonymous {
            "匿名".into()
        } else if c.contact_name.is_empty() && c.contact_phone.is_empty() {
            "未留联系方式".into()
        } else {
            casework::mask_name(&c.contact_name)
        },
        contact_phone: casework::shown_phone(&c.contact_phone, false),
        contact: extra.contact,
        can_contact,
        timeline: timeline(&events, &names),
        photos,
        steps,
        agencies,
        categories: state.settings.categories.clone(),
        error,
        similar: crate::api::cases::similar_cases(state, caller, id).await?,
        can_merge: offered.contains(&liaison_domain::case::Command::Merge),
        c,
    })
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    case_page(&state, &caller, id, Extra::default()).await
}

/// A step form posted from the case page. A refusal shows the page again with the message
/// beside the field and every typed value kept.
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (name, typed) = Typed::from_pairs(&pairs);
    let result = match case_steps::to_body(&name, typed.clone()).and_then(parse_step) {
        Ok(step) => {
            casework::act(&state.app, &caller.principal, CaseId(id), step).await.map(|_| ()).map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let status = e.status;
            let extra = Extra { refused: Some((name, typed, e)), ..Extra::default() };
            Ok((status, case_page(&state, &caller, id, extra).await?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// 查看完整联系方式: the constituent's name and phone for a call-back, through the same audited
/// use-case as `GET /api/v1/cases/{id}/contact`.
pub async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    let contact = casework::contact(&state.app, &caller.principal, CaseId(id)).await?;
    case_page(&state, &caller, id, Extra { contact: Some(contact), ..Extra::default() }).await
}

#[derive(Template)]
#[template(path = "case_print.html")]
struct PrintPage {
    nav: Nav,
    c: CaseRow,
    code: String,
    channel: String,
    level: String,
    received: String,
    n: CaseNames,
    /// Who assigned it (their unit) and when.
    assigned_by: String,
    assigned_at: String,
    /// What the assigning office asks of the agency.
    ask: String,
    urges: Vec<(String, String)>,
    printed: String,
}

/// The 交办单: a printable A4 sheet of an assigned case for its agency.
pub async fn print(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    let (c, events, _) = casework::detail(&state.app, &caller.principal, CaseId(id)).await?;
    let names = names::resolve(&state.app, wanted(&c, &events)).await?;
    // The latest assignment, and the internal note written with it: the assigning office's ask.
    let assigned = events.iter().rposition(|e| e.command == "assign");
    let (assigned_by, assigned_at, ask) = match assigned {
        Some(i) => {
            let e = &events[i];
            let note = events
                .get(i + 1)
                .filter(|n| n.command == "note" && !n.public && n.at == e.at)
                .map(|n| n.note.clone())
                .unwrap_or_default();
            let unit = names.unit(&e.actor);
            (if unit.is_empty() { names.actor(&e.actor) } else { unit }, beijing(e.at), note)
        }
        None => Default::default(),
    };
    let urges = events.iter().filter(|e| e.command == "urge").map(|e| (beijing(e.at), e.note.clone())).collect();
    render(&PrintPage {
        nav: Nav::for_caller(&caller),
        code: shown_code(&c),
        channel: Channel::parse(&c.channel).map(|s| s.label()).unwrap_or("").into(),
        level: c.level.as_deref().and_then(Level::parse).map(|l| l.label()).unwrap_or("未定").into(),
        received: beijing(c.created_at),
        n: case_names(&c, &names),
        assigned_by,
        assigned_at,
        ask,
        urges,
        printed: beijing(state.app.now_ms()),
        c,
    })
}
