//! The public directory, for constituents on a phone: the counties, a county's stations and
//! deputies by township with a search, a station's wall (deputies, duties, opening hours, its QR
//! code), a deputy's page, the QR codes, and a printable sheet of a station's codes. No login; no
//! personal phone numbers; every page's title leads back to the county's directory.

use super::{Nav, render};
use crate::error::{ApiError, PageError};
use crate::extract::PagePath;
use crate::qr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::directory::{self as org, Deputy, Station};
use liaison_app::regions;
use liaison_domain::ids::{DeputyId, StationId};
use liaison_domain::org::{DeputyLevel, StationKind};
use liaison_domain::region::RegionCode;
use serde::Deserialize;

/// What the header and a shared link show of a public page: its title, a line describing it
/// (for the share card a chat app draws), and the county directory the title leads to.
pub struct Head {
    pub title: String,
    pub description: String,
    pub home: String,
    pub brand: String,
}

impl Head {
    /// A page of the county `county_code` (empty when not known: the title then leads to the list
    /// of counties).
    pub async fn new(state: &AppState, county_code: &str, title: String, description: String) -> Head {
        let name = region_name(state, county_code).await;
        let (home, brand) = if county_code.is_empty() || name.is_empty() {
            ("/county".to_owned(), "人大代表联络站服务平台".to_owned())
        } else {
            (format!("/county/{county_code}"), format!("{name}人大代表联络站"))
        };
        Head { title, description, home, brand }
    }
}

pub struct StationCard {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub opening_hours: String,
    /// Shown: not filtered out by the directory's search.
    pub shown: bool,
}

pub struct PersonChip {
    pub slug: String,
    pub name: String,
    pub shown: bool,
}

pub struct TownshipGroup {
    pub name: String,
    pub stations: Vec<StationCard>,
    pub deputies: Vec<PersonChip>,
}

impl TownshipGroup {
    pub fn stations_shown(&self) -> bool {
        self.stations.iter().any(|s| s.shown)
    }

    pub fn deputies_shown(&self) -> bool {
        self.deputies.iter().any(|d| d.shown)
    }

    pub fn shown(&self) -> bool {
        self.stations_shown() || self.deputies_shown()
    }
}

#[derive(Template)]
#[template(path = "public_county.html")]
struct CountyPage {
    nav: Nav,
    head: Head,
    code: String,
    name: String,
    total: usize,
    deputy_total: usize,
    q: String,
    found_stations: usize,
    found_deputies: usize,
    groups: Vec<TownshipGroup>,
}

fn card(s: &Station) -> StationCard {
    StationCard {
        slug: s.data.slug.clone(),
        name: s.data.name.clone(),
        kind: StationKind::parse(&s.data.kind).map(|k| k.label()).unwrap_or("").to_owned(),
        address: s.data.address.clone(),
        opening_hours: s.data.opening_hours.clone(),
        shown: true,
    }
}

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    q: Option<String>,
}

/// The words of a search: trimmed, at most 30 characters.
fn search_words(q: Option<&str>) -> String {
    q.unwrap_or("").trim().chars().take(30).collect()
}

pub async fn county(
    State(state): State<AppState>,
    PagePath(code): PagePath<String>,
    Query(query): Query<DirectoryQuery>,
) -> Result<Html<String>, PageError> {
    let code = RegionCode::parse(&code)?;
    let county = regions::public(&state.app, &code).await?.ok_or_else(ApiError::not_found)?;
    let names = regions::subtree(&state.app, &code).await?;
    let stations = org::stations_under(&state.app, code.as_str(), false).await?;
    let deputies = org::deputies_under(&state.app, code.as_str(), false).await?;
    let q = search_words(query.q.as_deref());
    let mut groups: Vec<TownshipGroup> = Vec::new();
    // Group by township (the first nine digits), or the county itself.
    let township = |region: &str| {
        let key = &region[..region.len().min(9)];
        names.iter().find(|r| r.code == key).map(|r| r.name.clone()).unwrap_or_else(|| county.name.clone())
    };
    let group = |groups: &mut Vec<TownshipGroup>, name: String| -> usize {
        match groups.iter().position(|g| g.name == name) {
            Some(n) => n,
            None => {
                groups.push(TownshipGroup { name, stations: vec![], deputies: vec![] });
                groups.len() - 1
            }
        }
    };
    let matches = |fields: &[&str]| q.is_empty() || fields.iter().any(|f| f.contains(q.as_str()));
    for s in &stations {
        let town = township(&s.data.region_code);
        let mut c = card(s);
        c.shown = matches(&[&c.name, &town, &c.address]);
        let n = group(&mut groups, town);
        groups[n].stations.push(c);
    }
    for d in &deputies {
        let town = township(&d.data.region_code);
        let shown = matches(&[&d.data.name, &town]);
        let n = group(&mut groups, town);
        groups[n].deputies.push(PersonChip { slug: d.data.slug.clone(), name: d.data.name.clone(), shown });
    }
    let found_stations = groups.iter().flat_map(|g| &g.stations).filter(|s| s.shown).count();
    let found_deputies = groups.iter().flat_map(|g| &g.deputies).filter(|d| d.shown).count();
    let title = format!("{}人大代表联络站", county.name);
    let description = format!(
        "{}共 {} 个人大代表联络站点、{} 位代表：查找身边的联络站，向人大代表反映意见建议，查询办理进度。",
        county.name,
        stations.len(),
        deputies.len()
    );
    render(&CountyPage {
        nav: Nav::default(),
        head: Head::new(&state, code.as_str(), title, description).await,
        code: code.as_str().to_owned(),
        name: county.name,
        total: stations.len(),
        deputy_total: deputies.len(),
        q,
        found_stations,
        found_deputies,
        groups,
    })
}

#[derive(Template)]
#[template(path = "public_counties.html")]
struct CountiesPage {
    nav: Nav,
    head: Head,
    /// (code, name)
    counties: Vec<(String, String)>,
}

/// `/county`: where a public page's title leads when its county is not known. One county with
/// stations (the usual deployment) is shown at once; several are listed.
pub async fn counties(State(state): State<AppState>) -> Result<Response, PageError> {
    let mut codes: Vec<String> = Vec::new();
    for s in org::stations_under(&state.app, "", false).await? {
        if !codes.contains(&s.data.county_code) {
            codes.push(s.data.county_code);
        }
    }
    if let [only] = codes.as_slice() {
        return Ok(Redirect::to(&format!("/county/{only}")).into_response());
    }
    let mut counties = Vec::new();
    for code in codes {
        let name = region_name(&state, &code).await;
        counties.push((code, name));
    }
    let head = Head::new(
        &state,
        "",
        "人大代表联络站".into(),
        "查找身边的人大代表联络站，向人大代表反映意见建议，查询办理进度。".into(),
    )
    .await;
    Ok(render(&CountiesPage { nav: Nav::default(), head, counties })?.into_response())
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

/// The contact form under a station's or a deputy's page: empty, or as it was sent and refused,
/// with every field's message beside it.
pub struct ContactForm {
    /// Whom the message reaches, for the form's heading.
    pub to: String,
    /// `station` or `deputy`: the hidden field's name.
    pub kind: &'static str,
    pub slug: String,
    /// A fresh idempotency key per rendered form: a double tap submits it twice, a retry reuses it.
    pub key: String,
    pub categories: Vec<String>,
    /// What the phone number is for, as this platform really uses it (text messages or not).
    pub phone_hint: &'static str,
    /// Whether notices go out by text message: then the form asks whether the writer wants them.
    pub sms_notices: bool,
    /// What was typed, by field name, when the form comes back refused.
    pub typed: Vec<(String, String)>,
    /// Each refused field and its message, in the order of the form.
    pub errors: Vec<(String, String)>,
    /// Refusals that belong to no field of the form.
    pub general: Vec<String>,
    /// Photos were sent with the refused form and are not kept.
    pub photos_lost: bool,
}

/// A refused contact form, as the contact handler hands it back to the page it came from.
pub struct Refused {
    pub typed: Vec<(String, String)>,
    pub key: Option<String>,
    pub errors: Vec<(String, String)>,
    pub photos_lost: bool,
}

/// The fields of the form; a refusal naming another goes above the form.
const FORM_FIELDS: &[&str] = &[
    "title",
    "content",
    "category",
    "location",
    "photos",
    "contact_name",
    "contact_phone",
    "anonymous",
    "publish_consent",
];

impl ContactForm {
    fn new(state: &AppState, to: String, kind: &'static str, slug: &str) -> ContactForm {
        use liaison_app::notify::SmsKind;
        let (notices, codes) = (state.app.sends_sms(SmsKind::Reply), state.app.sends_sms(SmsKind::Code));
        let phone_hint = match (notices, codes) {
            (true, true) => "选填，用于短信接收答复、找回查询码",
            (true, false) => "选填，用于短信接收答复；联络站也可核实身份后告诉您查询码",
            (false, true) => "选填，忘记查询码时可用短信找回；联络站也可据此联系您",
            (false, false) => "选填，便于联络站联系您、核实身份后告诉您查询码",
        };
        ContactForm {
            to,
            kind,
            slug: slug.to_owned(),
            key: liaison_domain::token::random_token(),
            categories: state.settings.categories.clone(),
            phone_hint,
            sms_notices: notices,
            typed: vec![],
            errors: vec![],
            general: vec![],
            photos_lost: false,
        }
    }

    fn refused(mut self, r: Refused) -> ContactForm {
        if let Some(key) = r.key {
            self.key = key;
        }
        for (field, message) in r.errors {
            if FORM_FIELDS.contains(&field.as_str()) {
                if !self.errors.iter().any(|(f, _)| *f == field) {
                    self.errors.push((field, message));
                }
            } else {
                self.general.push(message);
            }
        }
        self.typed = r.typed;
        self.photos_lost = r.photos_lost;
        self
    }

    /// What was typed into a field.
    pub fn value(&self, name: &str) -> &str {
        self.typed.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// A checkbox that was ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.value(name).is_empty()
    }

    /// The message beside a field, if it was refused.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|(n, _)| n == name).map(|(_, m)| m.as_str())
    }

    /// A field's name as the form shows it.
    pub fn label(&self, name: &str) -> &'static str {
        match name {
            "title" => "标题",
            "content" => "内容",
            "category" => "类别",
            "location" => "位置",
            "photos" => "照片",
            "contact_name" => "称呼",
            "contact_phone" => "手机号",
            "anonymous" => "匿名留言",
            _ => "公开办理结果",
        }
    }

    pub fn is_refused(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }
}

/// The page a refused contact form came from, shown again with what was typed and the messages;
/// None when the form named no station or deputy that exists.
pub(crate) async fn refused_page(state: &AppState, r: Refused) -> Result<Option<Html<String>>, PageError> {
    let find = |name: &str| r.typed.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned());
    if let Some(slug) = find("station").filter(|s| !s.is_empty()) {
        let Some(s) = org::station(&state.app, &slug).await? else { return Ok(None) };
        let form = ContactForm::new(state, s.data.name.clone(), "station", &s.data.slug).refused(r);
        return Ok(Some(render(&station_page(state, s, form).await?)?));
    }
    if let Some(slug) = find("deputy").filter(|s| !s.is_empty()) {
        let Some(d) = org::deputy(&state.app, &slug).await? else { return Ok(None) };
        let form = ContactForm::new(state, format!("{}代表", d.data.name), "deputy", &d.data.slug).refused(r);
        return Ok(Some(render(&deputy_page(state, d, form).await?)?));
    }
    Ok(None)
}

#[derive(Template)]
#[template(path = "public_station.html")]
struct StationPage {
    nav: Nav,
    head: Head,
    contact: ContactForm,
    echoes: Vec<(String, String)>,
    s: StationCard,
    phone: String,
    description: String,
    township: String,
    county_code: String,
    deputies: Vec<DeputyCard>,
    reception_rules: Vec<String>,
    reception_days: Vec<super::receptions::DayRow>,
    held: Vec<super::public_receptions::HeldRow>,
    /// The latest approved star rating: “2025 年度 四星级联络站”, the stars, the scorecard.
    stars: Option<(String, String, String)>,
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

/// `a，b。` from the parts that are not empty.
fn sentence(parts: &[String]) -> String {
    let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() { String::new() } else { format!("{}。", parts.join("，")) }
}

async fn station_page(state: &AppState, s: Station, contact: ContactForm) -> Result<StationPage, PageError> {
    let deputies: Vec<DeputyCard> =
        org::station_deputies(&state.app, StationId(s.id)).await?.iter().map(|(d, r)| deputy_card(d, *r)).collect();
    let township = region_name(state, &s.data.region_code[..s.data.region_code.len().min(9)]).await;
    let echoes = liaison_app::cases::echoes(&state.app, &s.data.slug, 5)
        .await?
        .into_iter()
        .map(|c| (c.title, c.public_reply))
        .collect();
    let mut about = vec![township.clone(), s.data.address.clone()];
    if !s.data.opening_hours.is_empty() {
        about.push(format!("开放时间{}", s.data.opening_hours));
    }
    let description = format!("{}扫码向人大代表留言反映意见建议，凭查询码查看办理进度。", sentence(&about));
    let head = Head::new(state, &s.data.county_code, s.data.name.clone(), description).await;
    let (reception_rules, reception_days) = super::public_receptions::upcoming(state, &s.data.slug, 6).await?;
    let held = super::public_receptions::held(state, &s, 5).await?;
    let stars = liaison_app::stars::public_stars(&state.app, s.id).await?.filter(|(_, n, _, _)| *n > 0).map(
        |(year, n, total, card)| {
            (
                format!("{year} 年度{}联络站", liaison_domain::stars::star_label(n)),
                liaison_domain::stars::star_text(n),
                format!("按“{card}”评定，得分 {total} 分"),
            )
        },
    );
    Ok(StationPage {
        stars,
        reception_rules,
        reception_days,
        held,
        nav: Nav::default(),
        head,
        contact,
        echoes,
        phone: s.data.phone.clone(),
        description: s.data.description.clone(),
        county_code: s.data.county_code.clone(),
        township,
        s: card(&s),
        deputies,
    })
}

pub async fn station(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let s = active_station(&state, &slug).await?;
    let form = ContactForm::new(&state, s.data.name.clone(), "station", &s.data.slug);
    render(&station_page(&state, s, form).await?)
}

#[derive(Template)]
#[template(path = "public_deputy.html")]
struct DeputyPage {
    /// Progress toward this year's targets.
    targets: Vec<super::points::Bar>,
    nav: Nav,
    head: Head,
    contact: ContactForm,
    d: DeputyCard,
    gender: String,
    term: String,
    constituency: String,
    occupation: String,
    stations: Vec<StationCard>,
    /// (date, where, time, place) of the coming duties.
    duties: Vec<(String, String, String, String)>,
    /// This year's confirmed register entries by kind: (kind, count).
    register: Vec<(&'static str, i64)>,
    year: i32,
}

async fn deputy_page(state: &AppState, d: Deputy, contact: ContactForm) -> Result<DeputyPage, PageError> {
    let stations: Vec<StationCard> =
        org::deputy_stations(&state.app, DeputyId(d.id)).await?.iter().map(|(s, _)| card(s)).collect();
    let card = deputy_card(&d, false);
    let mut about = vec![card.levels.clone()];
    if let Some(s) = stations.first() {
        about.push(format!("在{}接待群众", s.name));
    }
    let description = format!("{}扫码向{}代表留言反映意见建议，凭查询码查看办理进度。", sentence(&about), d.data.name);
    let head = Head::new(state, &d.data.county_code, format!("{}代表", d.data.name), description).await;
    let today = state.app.today();
    let (_, duties, _, _) =
        liaison_app::receptions::deputy_duties(&state.app, &d.data.slug, today, today + chrono::Duration::days(120))
            .await?;
    let duties = duties
        .into_iter()
        .take(6)
        .map(|v| {
            (
                super::receptions::date_cn(v.date),
                v.station_name.unwrap_or(v.title),
                format!("{}–{}", v.start_time, v.end_time),
                v.place,
            )
        })
        .collect();
    let year = chrono::Datelike::year(&today);
    let register = liaison_app::register::confirmed_counts(&state.app, &d.data.slug, year)
        .await?
        .into_iter()
        .map(|(k, n)| (k.label(), n))
        .collect();
    // Progress toward this year's targets: counts of confirmed entries, nothing more.
    let targets = super::points::bars(&liaison_app::points::year_of(&state.app, &d, year).await?.progress);
    Ok(DeputyPage {
        targets,
        register,
        year,
        duties,
        nav: Nav::default(),
        head,
        contact,
        gender: liaison_domain::org::Gender::parse(&d.data.gender).map(|g| g.label()).unwrap_or("").to_owned(),
        term: d.data.term.clone(),
        constituency: d.data.constituency.clone(),
        occupation: d.data.occupation.clone(),
        d: card,
        stations,
    })
}

pub async fn deputy(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let d = active_deputy(&state, &slug).await?;
    let form = ContactForm::new(&state, format!("{}代表", d.data.name), "deputy", &d.data.slug);
    render(&deputy_page(&state, d, form).await?)
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
