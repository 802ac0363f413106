//! The public directory API: stations and deputies of a region, with their page and QR code
//! addresses. No personal phone number ever appears here.

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use liaison_domain::org::{DeputyLevel, StationKind};
use liaison_domain::region::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct PublicQuery {
    /// A region code: a county, township or village.
    pub region: Option<String>,
}

fn region(q: &PublicQuery) -> Result<RegionCode, ApiError> {
    let raw = q.region.as_deref().filter(|r| !r.trim().is_empty()).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "region_required", "请提供行政区划代码 region")
            .with_field("region")
    })?;
    RegionCode::parse(raw).map_err(|e| ApiError::from(e).with_field("region"))
}

#[derive(Serialize, ToSchema)]
pub struct PublicStation {
    pub slug: String,
    pub name: String,
    /// home, station, point, sector or household.
    pub kind: String,
    pub kind_label: String,
    pub region_code: String,
    pub address: String,
    pub opening_hours: String,
    /// The station's own public phone, if it has one.
    pub phone: String,
    pub page_url: String,
    pub qr_png_url: String,
    pub qr_svg_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicDeputy {
    pub slug: String,
    pub name: String,
    /// national, provincial, city, county, township.
    pub levels: Vec<String>,
    pub level_labels: Vec<String>,
    pub duties: String,
    pub page_url: String,
    pub qr_png_url: String,
    pub qr_svg_url: String,
}

pub(crate) fn links(base: &str, what: &str, slug: &str) -> (String, String, String) {
    (format!("{base}/{what}/{slug}"), format!("{base}/qr/{what}/{slug}.png"), format!("{base}/qr/{what}/{slug}.svg"))
}

/// Active stations in a region.
#[utoipa::path(get, path = "/api/v1/public/stations", tag = "public", params(PublicQuery),
    responses((status = 200, body = Vec<PublicStation>), (status = 422, body = ErrorBody)))]
pub async fn stations(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> Result<Json<Vec<PublicStation>>, ApiError> {
    let region = region(&q)?;
    let base = &state.settings.public_url;
    let rows = liaison_app::directory::stations_under(&state.app, region.as_str(), false).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| {
                let d = s.data;
                let (page_url, qr_png_url, qr_svg_url) = links(base, "station", &d.slug);
                PublicStation {
                    kind_label: StationKind::parse(&d.kind).map(|k| k.label()).unwrap_or("").into(),
                    slug: d.slug,
                    name: d.name,
                    kind: d.kind,
                    region_code: d.region_code,
                    address: d.address,
                    opening_hours: d.opening_hours,
                    phone: d.phone,
                    page_url,
                    qr_png_url,
                    qr_svg_url,
                }
            })
            .collect(),
    ))
}

/// Active deputies in a region; no personal contact details.
#[utoipa::path(get, path = "/api/v1/public/deputies", tag = "public", params(PublicQuery),
    responses((status = 200, body = Vec<PublicDeputy>), (status = 422, body = ErrorBody)))]
pub async fn deputies(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> Result<Json<Vec<PublicDeputy>>, ApiError> {
    let region = region(&q)?;
    let base = &state.settings.public_url;
    let rows = liaison_app::directory::deputies_under(&state.app, region.as_str(), false).await?;
    Ok(Json(
        rows.into_iter()
            .map(|x| {
                let d = x.data;
                let levels: Vec<DeputyLevel> = d.levels.split(',').filter_map(|l| DeputyLevel::parse(l).ok()).collect();
                let (page_url, qr_png_url, qr_svg_url) = links(base, "deputy", &d.slug);
                PublicDeputy {
                    levels: levels.iter().map(|l| l.as_str().to_owned()).collect(),
                    level_labels: levels.iter().map(|l| l.label().to_owned()).collect(),
                    slug: d.slug,
                    name: d.name,
                    duties: d.duties,
                    page_url,
                    qr_png_url,
                    qr_svg_url,
                }
            })
            .collect(),
    ))
}
