//! The public directory, for constituents on a phone: a county's stations by township, a
//! station's wall (deputies, duties, opening hours, its QR code), a deputy's page, the QR codes,
//! and a printable sheet of a station's codes. No login; no personal phone numbers.

use super::{Nav, render};
use crate::error::{ApiError, PageError};
use crate::extract::PagePath;
use crate::qr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use liaison_app::directory::{self as org, Deputy, Station};
use liaison_app::regions;
use liaison_domain::ids::{DeputyId, StationId};
use liaison_domain::org::{DeputyLevel, StationKind};
use liaison_domain::region::RegionCode;

pub struct StationCard {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub opening_hours: String,
}

pub struct TownshipGroup {
    pub name: String,
    pub stations: Vec<StationCard>,
}

#[derive(Template)]
#[template(path = "public_county.html")]
struct CountyPage {
    nav: Nav,
    name: String,
    total: usize,
    groups: Vec<TownshipGroup>,
}

fn card(s: &Station) -> StationCard {
    StationCard {
        slug: s.data.slug.clone(),
        name: s.data.name.clone(),
        kind: StationKind::parse(&s.data.kind).map(|k| k.label()).unwrap_or("").to_owned(),
        address: s.data.address.clone(),
        opening_hours: s.data.opening_hours.clone(),
    }
}

pub async fn county(
    State(state): State<AppState>,
    PagePath(code): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let code = RegionCode::parse(&code)?;
    let county = regions::public(&state.app, &code).await?.ok_or_else(ApiError::not_found)?;
    let names = regions::subtree(&state.app, &code).await?;
    let stations = org::stations_under(&state.app, code.as_str(), false).await?;
    let mut groups: Vec<TownshipGroup> = Vec::new();
    for s in &stations {
        // Group by township (the first nine digits), or the county itself.
        let key = &s.data.region_code[..s.data.region_code.len().min(9)];
        let name = names.iter().find(|r| r.code == key).map(|r| r.name.clone()).unwrap_or_else(|| county.name.clone());
        match groups.iter_mut().find(|g| g.name == name) {
            Some(g) => g.stations.push(card(s)),
            None => groups.push(TownshipGroup { name, stations: vec![card(s)] }),
        }
    }
    render(&CountyPage { nav: Nav::default(), name: county.name, total: stations.len(), groups })
}

pub struct DeputyCard {
    pub slug: String,
    pub name: String,
    pub initial: String,
    pub levels: String,
    pub duties: String,
    pub resident: bool,
}

fn levels_label(levels: &str) -> String {
    levels.split(',').filter_map(|l| DeputyLevel::parse(l).ok()).map(|l| l.label()).collect::<Vec<_>>().join("、")
}

fn deputy_card(d: &Deputy, resident: bool) -> DeputyCard {
    DeputyCard {
        slug: d.data.slug.clone(),
        initial: d.data.name.chars().next().map(String::from).unwrap_or_default(),
        name: d.data.name.clone(),
        levels: levels_label(&d.data.levels),
        duties: d.data.duties.clone(),
        resident,
    }
}

/// The contact form under a station's or a deputy's page.
pub struct ContactForm {
    /// Whom the message reaches, for the form's heading.
    pub to: String,
    /// `station` or `deputy`: the hidden field's name.
    pub kind: &'static str,
    pub slug: String,
    /// A fresh idempotency key per rendered form: a double tap submits it twice, a retry reuses it.
    pub key: String,
    pub categories: Vec<String>,
}

impl ContactForm {
    fn new(state: &AppState, to: String, kind: &'static str, slug: &str) -> ContactForm {
        ContactForm {
            to,
            kind,
            slug: slug.to_owned(),
            key: liaison_domain::token::random_token(),
            categories: state.settings.categories.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "public_station.html")]
struct StationPage {
    nav: Nav,
    contact: ContactForm,
    echoes: Vec<(String, String)>,
    s: StationCard,
    phone: String,
    description: String,
    township: String,
    county_code: String,
    deputies: Vec<DeputyCard>,
}

async fn active_station(state: &AppState, slug: &str) -> Result<Station, PageError> {
    org::station(&state.app, slug).await?.ok_or_else(|| PageError(ApiError::not_found()))
}

async fn active_deputy(state: &AppState, slug: &str) -> Result<Deputy, PageError> {
    org::deputy(&state.app, slug).await?.ok_or_else(|| PageError(ApiError::not_found()))
}

async fn region_name(state: &AppState, code: &str) -> String {
    match RegionCode::parse(code) {
        Ok(c) => regions::public(&state.app, &c).await.ok().flatten().map(|r| r.name).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub async fn station(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let s = active_station(&state, &slug).await?;
    let deputies =
        org::station_deputies(&state.app, StationId(s.id)).await?.iter().map(|(d, r)| deputy_card(d, *r)).collect();
    let township = region_name(&state, &s.data.region_code[..s.data.region_code.len().min(9)]).await;
    let echoes = liaison_app::cases::echoes(&state.app, &s.data.slug, 5)
        .await?
        .into_iter()
        .map(|c| (c.title, c.public_reply))
        .collect();
    render(&StationPage {
        nav: Nav::default(),
        contact: ContactForm::new(&state, s.data.name.clone(), "station", &s.data.slug),
        echoes,
        phone: s.data.phone.clone(),
        description: s.data.description.clone(),
        county_code: s.data.county_code.clone(),
        township,
        s: card(&s),
        deputies,
    })
}

#[derive(Template)]
#[template(path = "public_deputy.html")]
struct DeputyPage {
    nav: Nav,
    contact: ContactForm,
    d: DeputyCard,
    gender: String,
    term: String,
    constituency: String,
    occupation: String,
    stations: Vec<StationCard>,
}

pub async fn deputy(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let d = active_deputy(&state, &slug).await?;
    let stations = org::deputy_stations(&state.app, DeputyId(d.id)).await?.iter().map(|(s, _)| card(s)).collect();
    render(&DeputyPage {
        nav: Nav::default(),
        contact: ContactForm::new(&state, format!("{}代表", d.data.name), "deputy", &d.data.slug),
        gender: liaison_domain::org::Gender::parse(&d.data.gender).map(|g| g.label()).unwrap_or("").to_owned(),
        term: d.data.term.clone(),
        constituency: d.data.constituency.clone(),
        occupation: d.data.occupation.clone(),
        d: deputy_card(&d, false),
        stations,
    })
}

/// `/qr/{station|deputy}/{slug}.{svg|png}`
#[derive(serde::Deserialize, Default)]
pub struct QrQuery {
    /// Any value: answer as a download (`attachment`) rather than for display.
    download: Option<String>,
}

/// A QR code as SVG or PNG, saved under the station's or deputy's name (e.g.
/// 仁和社区代表联络点-二维码.png), downloaded with `?download=1`.
pub async fn qr_code(
    State(state): State<AppState>,
    PagePath((what, file)): PagePath<(String, String)>,
    Query(q): Query<QrQuery>,
) -> Result<Response, PageError> {
    let (slug, ext) = file.rsplit_once('.').ok_or_else(|| PageError(ApiError::not_found()))?;
    let name = match what.as_str() {
        "station" => active_station(&state, slug).await?.data.name,
        "deputy" => format!("{}代表", active_deputy(&state, slug).await?.data.name),
        _ => return Err(PageError(ApiError::not_found())),
    };
    let url = format!("{}/{what}/{slug}", state.settings.public_url);
    let cache = (header::CACHE_CONTROL, "public, max-age=86400");
    let mut res = match ext {
        "svg" => ([(header::CONTENT_TYPE, "image/svg+xml"), cache], qr::svg(&url)).into_response(),
        "png" => ([(header::CONTENT_TYPE, "image/png"), cache], qr::png(&url, 8)).into_response(),
        _ => return Ok((StatusCode::NOT_FOUND, "not found").into_response()),
    };
    let named = crate::download::disposition(
        q.download.is_some(),
        &format!("qr-{what}-{slug}.{ext}"),
        &format!("{name}-二维码.{ext}"),
    );
    res.headers_mut().insert(header::CONTENT_DISPOSITION, named);
    Ok(res)
}

pub struct CodeTile {
    pub title: String,
    pub subtitle: String,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "public_codes.html")]
struct CodesSheet {
    station: String,
    tiles: Vec<CodeTile>,
}

/// A printable A4 sheet: the station's code and one code per deputy, with names.
pub async fn codes_sheet(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let s = active_station(&state, &slug).await?;
    let base = &state.settings.public_url;
    let mut tiles = vec![CodeTile {
        title: s.data.name.clone(),
        subtitle: "扫码找联络站 · 码上说、马上办".into(),
        svg: qr::svg(&format!("{base}/station/{}", s.data.slug)),
    }];
    for (d, _) in org::station_deputies(&state.app, StationId(s.id)).await? {
        tiles.push(CodeTile {
            title: format!("{} 代表", d.data.name),
            subtitle: levels_label(&d.data.levels),
            svg: qr::svg(&format!("{base}/deputy/{}", d.data.slug)),
        });
    }
    render(&CodesSheet { station: s.data.name, tiles })
}
