//! Staff intake: a matter raised at a reception, on a visit, in a WeChat group, by phone, or a
//! deputy's 随手拍 with photos. Stations, deputies and regions are picked by name from what the
//! caller may record for; a refusal shows the form again with every typed value kept (channel
//! included) and each message beside its field.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::cases::{self as casework, Choice, IntakeChoices};
use liaison_app::photos;
use liaison_domain::case::Channel;
use std::collections::HashMap;

/// The channels staff record (a QR message only comes from the public form).
const CHANNELS: &[Channel] =
    &[Channel::Station, Channel::Visit, Channel::Wechat, Channel::Hotline, Channel::Snapshot, Channel::Online];

/// What was typed into the form.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub channel: String,
    pub title: String,
    pub content: String,
    pub category: String,
    pub location: String,
    pub region: String,
    pub station: String,
    pub deputy: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub anonymous: bool,
    pub publish_consent: bool,
    pub key: String,
    /// How many photos came with a refused submission (they must be chosen again).
    pub photos: usize,
}

impl Typed {
    fn set(&mut self, name: &str, v: String) {
        match name {
            "channel" => self.channel = v,
            "title" => self.title = v,
            "content" => self.content = v,
            "category" => self.category = v,
            "location" => self.location = v,
            "region" => self.region = v,
            "station" => self.station = v,
            "deputy" => self.deputy = v,
            "contact_name" => self.contact_name = v,
            "contact_phone" => self.contact_phone = v,
            "anonymous" => self.anonymous = !v.is_empty(),
            "publish_consent" => self.publish_consent = !v.is_empty(),
            "idempotency_key" => self.key = v,
            _ => {}
        }
    }
}

/// Groups choices for `<optgroup>`: (group, [(key, name)]).
type Groups = Vec<(String, Vec<(String, String)>)>;

fn grouped(list: &[Choice]) -> Groups {
    let mut out: Groups = Vec::new();
    for c in list {
        match out.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, items)) => items.push((c.key.clone(), c.name.clone())),
            None => out.push((c.group.clone(), vec![(c.key.clone(), c.name.clone())])),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    nav: Nav,
    v: Typed,
    channels: Vec<(&'static str, &'static str)>,
    categories: Vec<String>,
    stations: Groups,
    deputies: Groups,
    regions: Groups,
    /// A station or deputy the caller records for alone: no "not named" option.
    station_fixed: bool,
    deputy_fixed: bool,
    /// field → message, beside each field; `error` atop the form when no field is named.
    errors: HashMap<String, String>,
    error: Option<String>,
    max_photos: usize,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    mut v: Typed,
    refusal: Option<&ApiError>,
) -> Result<Html<String>, PageError> {
    let choices: IntakeChoices = casework::intake_choices(&state.app, &caller.principal).await?;
    if choices.stations.is_empty() && choices.deputies.is_empty() && choices.regions.is_empty() {
        // An agency handles cases but does not record them.
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "您的角色不能登记意见建议").into());
    }
    if v.key.is_empty() {
        // A first visit: the caller's own station or deputy, and the likely channel.
        v.key = liaison_domain::token::random_token();
        v.station = choices.own_station.clone().unwrap_or_default();
        v.deputy = choices.own_deputy.clone().unwrap_or_default();
        v.channel = if choices.own_deputy.is_some() { Channel::Snapshot } else { Channel::Station }.as_str().into();
    }
    let mut errors = HashMap::new();
    let mut error = None;
    if let Some(e) = refusal {
        for f in &e.fields {
            errors.entry(f.field.clone()).or_insert_with(|| f.message.clone());
        }
        match &e.field {
            Some(f) => {
                errors.entry(f.clone()).or_insert_with(|| e.message.clone());
            }
            None => error = Some(e.message.clone()),
        }
        // A field the form does not show (an unknown recipient named by an old link).
        let shown = ["channel", "title", "content", "category", "location", "region", "station", "deputy"];
        let others = ["contact_name", "contact_phone", "photos"];
        if error.is_none() && !errors.keys().any(|k| shown.contains(&k.as_str()) || others.contains(&k.as_str())) {
            error = Some(e.message.clone());
        }
    }
    render(&NewPage {
        nav: Nav::for_caller(caller),
        channels: CHANNELS.iter().map(|c| (c.as_str(), c.label())).collect(),
        categories: state.settings.categories.clone(),
        station_fixed: choices.own_station.is_some() && choices.stations.len() == 1,
        deputy_fixed: choices.own_deputy.is_some() && choices.deputies.len() == 1,
        stations: grouped(&choices.stations),
        deputies: grouped(&choices.deputies),
        regions: grouped(&choices.regions),
        v,
        errors,
        error,
        max_photos: photos::MAX_PHOTOS,
    })
}

/// The intake form.
pub async fn form(State(state): State<AppState>, caller: Caller) -> Result<Html<String>, PageError> {
    page(&state, &caller, Typed::default(), None).await
}

/// Reads the posted form, multipart (with photos) or URL-encoded. Photos are checked as they
/// arrive; a bad one is remembered as a field refusal so that the typed text still comes back.
async fn read(req: Request) -> Result<(Typed, Vec<photos::Photo>, Option<ApiError>), ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    let mut v = Typed::default();
    let mut pics = Vec::new();
    let mut refusal = None;
    if !multipart {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, &())
            .await
            .map_err(|_| ApiError::bad_request("invalid_form", "表单内容不完整或格式不正确"))?;
        for (k, val) in pairs {
            v.set(&k, val);
        }
        return Ok((v, pics, None));
    }
    let bad_upload = || ApiError::bad_request("invalid_upload", "提交的内容不完整，请重新填写");
    let mut form = Multipart::from_request(req, &()).await.map_err(|_| bad_upload())?;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // A body cut short or too large: keep what was read.
            Err(_) => {
                refusal.get_or_insert_with(too_large);
                break;
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "photos" {
            let Ok(bytes) = field.bytes().await else {
                refusal.get_or_insert_with(too_large);
                break;
            };
            if bytes.is_empty() {
                continue;
            }
            v.photos += 1;
            if pics.len() >= photos::MAX_PHOTOS {
                let message = format!("每件最多 {} 张照片", photos::MAX_PHOTOS);
                refusal.get_or_insert_with(|| {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "too_many_photos", message).with_field("photos")
                });
                continue;
            }
            match photos::clean(&bytes) {
                Ok(p) => pics.push(p),
                Err(e) => {
                    refusal.get_or_insert_with(|| ApiError::from(e).with_field("photos"));
                }
            }
            continue;
        }
        let text = field.text().await.map_err(|_| bad_upload())?;
        // Multipart bodies pass the request-wide guard unread; check their text here.
        if liaison_domain::text::find_control(&text, liaison_domain::text::Lines::Many).is_some() {
            refusal.get_or_insert_with(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "control_character",
                    "内容含有不可见的控制字符，请删除后重新提交",
                )
                .with_field(name.clone())
            });
            continue;
        }
        v.set(&name, text);
    }
    Ok((v, pics, refusal))
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "照片过大：每张不超过 5 MB，合计不超过 40 MB")
        .with_field("photos")
}

/// Records the case and opens it; a refusal shows the form again.
pub async fn intake(State(state): State<AppState>, caller: Caller, req: Request) -> Result<Response, PageError> {
    let (v, pics, refusal) = read(req).await?;
    let refused = |e: ApiError, v: Typed| {
        let state = state.clone();
        let caller = caller.clone();
        async move {
            let status = e.status;
            Ok::<_, PageError>((status, page(&state, &caller, v, Some(&e)).await?).into_response())
        }
    };
    if let Some(e) = refusal {
        return refused(e, v).await;
    }
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let n = casework::NewCase {
        region: some(&v.region),
        station: some(&v.station),
        deputy: some(&v.deputy),
        channel: v.channel.clone(),
        title: v.title.clone(),
        content: v.content.clone(),
        category: some(&v.category),
        location: some(&v.location),
        contact_name: some(&v.contact_name),
        contact_phone: some(&v.contact_phone),
        anonymous: v.anonymous,
        publish_consent: v.publish_consent,
        photos: pics,
        reception: None,
    };
    let key = casework::check_idempotency_key(some(&v.key).as_deref()).map_err(ApiError::from)?;
    match casework::record(&state.app, &caller.principal, n, key).await.map_err(ApiError::from) {
        Ok((row, _)) => Ok(Redirect::to(&format!("/cases/{}", row.id)).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => refused(e, v).await,
        Err(e) => Err(PageError(e)),
    }
}
