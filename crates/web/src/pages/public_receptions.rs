//! Reception days for the public: calendar feeds (.ics) per station, deputy and region, and the
//! printable monthly notice of a station for its noticeboard, with the station's QR code.

use super::receptions::{DayRow, date_cn, day_row};
use super::render;
use crate::error::{ApiError, PageError};
use crate::extract::PagePath;
use crate::qr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use liaison_app::receptions::{self as rec, Feed};
use serde::Deserialize;

fn ics_response(name: &str, body: String) -> Response {
    let file: String =
        percent_encoding::utf8_percent_encode(&format!("{name}.ics"), percent_encoding::NON_ALPHANUMERIC).to_string();
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"reception-days.ics\"; filename*=UTF-8''{file}")),
            (header::CACHE_CONTROL, "public, max-age=600".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `/station/{slug}/calendar.ics`
pub async fn station_ics(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Response, PageError> {
    let (name, body) = rec::ics(&state.app, Feed::Station(slug)).await?;
    Ok(ics_response(&name, body))
}

/// `/deputy/{slug}/calendar.ics`
pub async fn deputy_ics(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Response, PageError> {
    let (name, body) = rec::ics(&state.app, Feed::Deputy(slug)).await?;
    Ok(ics_response(&name, body))
}

/// `/county/{code}/calendar.ics`: every station of a county or township.
pub async fn region_ics(
    State(state): State<AppState>,
    PagePath(code): PagePath<String>,
) -> Result<Response, PageError> {
    let (name, body) = rec::ics(&state.app, Feed::Region(code)).await?;
    Ok(ics_response(&name, body))
}

#[derive(Template)]
#[template(path = "public_notice.html")]
struct NoticePage {
    station: String,
    address: String,
    phone: String,
    month: String,
    prev: String,
    next: String,
    rules: Vec<String>,
    days: Vec<DayRow>,
    qr: String,
    slug: String,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    /// `YYYY-MM`; defaults to the current month.
    month: Option<String>,
}

/// `/station/{slug}/notice`: the month's reception days on one A4 sheet.
pub async fn notice(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Html<String>, PageError> {
    let s =
        liaison_app::directory::station(&state.app, &slug).await?.ok_or_else(|| PageError(ApiError::not_found()))?;
    let today = state.app.today();
    let first = super::receptions::month_start(q.month.as_deref(), today);
    let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    let (schedules, days) = rec::public_days(&state.app, &slug, first, last).await?;
    let shift = |next: bool| super::receptions::month_key(first, next);
    let base = &state.settings.public_url;
    render(&NoticePage {
        station: s.data.name,
        address: s.data.address,
        phone: s.data.phone,
        month: format!("{}年{}月", first.year(), first.month()),
        prev: shift(false),
        next: shift(true),
        rules: schedules
            .iter()
            .map(|x| format!("{}：{}，地点：{}", x.spec.title, x.spec.describe(), x.spec.place))
            .collect(),
        days: days.into_iter().map(|d| day_row(d, today)).collect(),
        qr: qr::svg(&format!("{base}/station/{}", s.data.slug)),
        slug: s.data.slug,
    })
}

/// The next reception days of a station, for its public page: (rules, days).
pub(crate) async fn upcoming(state: &AppState, slug: &str, n: usize) -> Result<(Vec<String>, Vec<DayRow>), PageError> {
    let today = state.app.today();
    let (schedules, mut days) = rec::public_days(&state.app, slug, today, today + chrono::Duration::days(120)).await?;
    days.truncate(n);
    let rules =
        schedules.iter().map(|x| format!("{}：{}，{}", x.spec.title, x.spec.describe(), x.spec.place)).collect();
    Ok((rules, days.into_iter().map(|d| day_row(d, today)).collect()))
}

/// A station's receptions held in the last year, for its public page: (date, kind, visitors,
/// matters, answered on the spot, deputies who attended).
pub(crate) async fn held(
    state: &AppState,
    station: &liaison_app::directory::Station,
    n: i64,
) -> Result<Vec<HeldRow>, PageError> {
    let today = state.app.today();
    let region = liaison_domain::region::RegionCode::parse(&station.data.region_code).map_err(ApiError::internal)?;
    let rows = rec::list_receptions(
        &state.app,
        None,
        &region,
        Some(station.id),
        today - chrono::Duration::days(365),
        today,
        n,
    )
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let deputies = liaison_app::receptions::attendee_names(&state.app, r.id).await?;
        out.push(HeldRow {
            date: NaiveDate::parse_from_str(&r.held_on, "%Y-%m-%d").map(date_cn).unwrap_or(r.held_on.clone()),
            kind: liaison_domain::reception::ReceptionKind::parse(&r.kind).map(|k| k.label()).unwrap_or("").into(),
            visitors: r.visitors,
            matters: r.matters,
            on_spot: r.on_spot,
            deputies: deputies.join("、"),
        });
    }
    Ok(out)
}

pub(crate) struct HeldRow {
    pub date: String,
    pub kind: String,
    pub visitors: i64,
    pub matters: i64,
    pub on_spot: i64,
    pub deputies: String,
}
