//! Points rules, each deputy's points and targets, annual reports (PDF, archives) and rankings in
//! the JSON API.

use super::receptions::RegionQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use liaison_app::points::{self, SetInput, Stored};
use liaison_app::{Error, duty_report};
use liaison_domain::points::{Item, Per, Progress, Target};
use liaison_domain::register::parse_kind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download: an ASCII name for old clients and the Chinese one for the rest (RFC 6266).
pub(crate) fn download(bytes: Vec<u8>, mime: &'static str, ascii: &str, chinese: &str) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(chinese, percent_encoding::NON_ALPHANUMERIC).to_string();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct ItemBody {
    /// A register kind (see `EntryBody.kind`), including `commendation` and `absence`.
    pub kind: String,
    /// Points per confirmed entry, −100 to 100; negative for a deduction.
    pub points: i32,
    /// Most points this kind adds in a month.
    #[serde(default)]
    pub month_cap: Option<i32>,
    /// Most points this kind adds in a year.
    #[serde(default)]
    pub year_cap: Option<i32>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct TargetBody {
    pub kind: String,
    /// At least this many confirmed entries.
    pub min: u32,
    /// `year` or `term`.
    pub per: String,
}

#[derive(Serialize, ToSchema)]
pub struct RuleSetBody {
    pub id: i64,
    pub name: String,
    /// The township the set applies to; null for the whole county.
    pub township: Option<String>,
    pub from: String,
    /// The last day in force; null while no later version exists.
    pub to: Option<String>,
    pub term_from: Option<String>,
    pub items: Vec<ItemBody>,
    pub targets: Vec<TargetBody>,
    pub created_by: String,
}

impl From<Stored> for RuleSetBody {
    fn from(s: Stored) -> Self {
        let set = s.set;
        RuleSetBody {
            id: set.id,
            name: set.name,
            township: set.township,
            from: set.from.to_string(),
            to: set.to.map(|d| d.to_string()),
            term_from: set.term_from.map(|d| d.to_string()),
            items: set
                .items
                .iter()
                .map(|i| ItemBody {
                    kind: i.kind.as_str().into(),
                    points: i.points,
                    month_cap: i.month_cap,
                    year_cap: i.year_cap,
                })
                .collect(),
            targets: set
                .targets
                .iter()
                .map(|t| TargetBody { kind: t.kind.as_str().into(), min: t.min, per: t.per.as_str().into() })
                .collect(),
            created_by: s.created_by,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RuleSetRequest {
    pub name: String,
    /// A township's code for a set of that township alone; empty for the county.
    #[serde(default)]
    pub township: String,
    /// `YYYY-MM-DD`: the first day in force. A version that follows the open one must begin
    /// after today; the open one then ends the day before.
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// The first day of the current term, for targets counted per term.
    #[serde(default)]
    pub term_from: String,
    pub items: Vec<ItemBody>,
    #[serde(default)]
    pub targets: Vec<TargetBody>,
}

impl RuleSetRequest {
    pub(crate) fn input(self) -> Result<SetInput, Error> {
        let items = self
            .items
            .into_iter()
            .map(|i| {
                Ok(Item { kind: parse_kind(&i.kind)?, points: i.points, month_cap: i.month_cap, year_cap: i.year_cap })
            })
            .collect::<Result<Vec<_>, Error>>()
            .map_err(|e| e.field("items"))?;
        let targets = self
            .targets
            .into_iter()
            .map(|t| {
                let per = Per::parse(&t.per)
                    .ok_or_else(|| Error::invalid("invalid_per", "目标周期应为 year（每年）或 term（每届）"))?;
                Ok(Target { kind: parse_kind(&t.kind)?, min: t.min, per })
            })
            .collect::<Result<Vec<_>, Error>>()
            .map_err(|e| e.field("targets"))?;
        Ok(SetInput {
            name: self.name,
            township: self.township,
            from: self.from,
            to: self.to,
            term_from: self.term_from,
            items,
            targets,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct PointsCreated {
    pub id: i64,
}

/// The points rule sets that apply under a region: the county's and its townships', every version.
#[utoipa::path(get, path = "/api/v1/points-rules", tag = "points", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<RuleSetBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<RuleSetBody>>, ApiError> {
    let (_, sets) = points::list(&state.app, &caller.principal, q.region.as_deref()).await?;
    Ok(Json(sets.into_iter().map(RuleSetBody::from).collect()))
}

/// Adds a version of the points rules; refused (409 `overlap`) when its period overlaps another
/// version of the same county or township.
#[utoipa::path(post, path = "/api/v1/points-rules", tag = "points", params(RegionQuery), request_body = RuleSetRequest,
    security(("bearer" = [])),
    responses((status = 201, body = PointsCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
    ApiJson(body): ApiJson<RuleSetRequest>,
) -> Result<(StatusCode, Json<PointsCreated>), ApiError> {
    let input = body.input()?;
    let id = points::create(&state.app, &caller.principal, q.region.as_deref(), input).await?;
    Ok((StatusCode::CREATED, Json(PointsCreated { id })))
}

/// One version of the points rules.
#[utoipa::path(get, path = "/api/v1/points-rules/{id}", tag = "points", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = RuleSetBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RuleSetBody>, ApiError> {
    Ok(Json(points::get(&state.app, &caller.principal, id).await?.into()))
}

/// A version of the points rules as a workbook (规则, 计分项目, 履职目标), the layout the import reads.
#[utoipa::path(get, path = "/api/v1/points-rules/{id}/xlsx", tag = "points", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let s = points::get(&state.app, &caller.principal, id).await?;
    let bytes = points::export(&s.set)?;
    Ok(download(bytes, XLSX, &format!("points-rules-{id}.xlsx"), &format!("积分规则-{}.xlsx", s.set.name)))
}

/// Adds a version of the points rules from a workbook in the export's layout.
#[utoipa::path(post, path = "/api/v1/points-rules/import", tag = "points", params(RegionQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, body = PointsCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<PointsCreated>), ApiError> {
    // Who may not write rules hears so before the file is read.
    liaison_app::org::scoped_region(&caller.principal, liaison_domain::authz::Action::OrgWrite, q.region.as_deref())?;
    let input = points::import(&body)?;
    let id = points::create(&state.app, &caller.principal, q.region.as_deref(), input).await?;
    Ok((StatusCode::CREATED, Json(PointsCreated { id })))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Defaults to this year.
    pub year: Option<i32>,
}

fn year_or_now(state: &AppState, year: Option<i32>) -> i32 {
    year.unwrap_or_else(|| chrono::Datelike::year(&state.app.today())).clamp(2000, 2100)
}

#[derive(Serialize, ToSchema)]
pub struct KindPoints {
    pub kind: String,
    pub kind_label: String,
    pub count: usize,
    pub points: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressBody {
    pub kind: String,
    /// `year` or `term`.
    pub per: String,
    pub min: u32,
    pub done: u32,
    pub met: bool,
    /// “每年为民办实事至少 1 次”.
    pub label: String,
}

impl From<&Progress> for ProgressBody {
    fn from(p: &Progress) -> Self {
        ProgressBody {
            kind: p.kind.as_str().into(),
            per: p.per.as_str().into(),
            min: p.min,
            done: p.done,
            met: p.met(),
            label: p.describe(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryPoints {
    pub id: i64,
    pub kind: String,
    pub done_on: String,
    pub points: i32,
    /// A cap cut the item's points.
    pub capped: bool,
    /// The rule set it scored by; null when none was in force.
    pub rule_set: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PointsBody {
    pub deputy: String,
    pub year: i32,
    pub total: i32,
    pub by_kind: Vec<KindPoints>,
    pub progress: Vec<ProgressBody>,
    /// Confirmed entries of the year, by date, with what each scored.
    pub entries: Vec<EntryPoints>,
}

/// A deputy's points and progress toward targets for a year (confirmed entries only).
#[utoipa::path(get, path = "/api/v1/deputies/{slug}/points", tag = "points", params(("slug" = String, Path), YearQuery),
    security(("bearer" = [])), responses((status = 200, body = PointsBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deputy_points(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<PointsBody>, ApiError> {
    let year = year_or_now(&state, q.year);
    let (d, y) = points::deputy_year(&state.app, &caller.principal, &slug, year).await?;
    Ok(Json(PointsBody {
        deputy: d.data.slug,
        year,
        total: y.total,
        by_kind: y
            .by_kind
            .iter()
            .map(|(k, n, p)| KindPoints {
                kind: k.as_str().into(),
                kind_label: k.label().into(),
                count: *n,
                points: *p,
            })
            .collect(),
        progress: y.progress.iter().map(ProgressBody::from).collect(),
        entries: y
            .entries
            .iter()
            .map(|(e, s)| EntryPoints {
                id: e.id,
                kind: e.kind.clone(),
                done_on: e.done_on.clone(),
                points: s.points,
                capped: s.capped,
                rule_set: s.rule_set,
            })
            .collect(),
    }))
}

/// A deputy's annual duty report as PDF (Chinese text, the font embedded).
#[utoipa::path(get, path = "/api/v1/deputies/{slug}/report.pdf", tag = "points", params(("slug" = String, Path), YearQuery),
    security(("bearer" = [])), responses((status = 200, description = "the report", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn report_pdf(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Response, ApiError> {
    report_download(&state, &caller, &slug, year_or_now(&state, q.year)).await
}

/// A deputy's annual report as a PDF download (the API's and the page's).
pub(crate) async fn report_download(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    year: i32,
) -> Result<Response, ApiError> {
    let report = duty_report::of_deputy(&state.app, &caller.principal, slug, year).await?;
    let bytes = duty_report::pdf_off_thread(&state.app, &report).await?;
    let name = format!("{}-{year}年度履职报告.pdf", report.deputy.data.name);
    Ok(download(bytes, "application/pdf", &format!("report-{}-{year}.pdf", report.deputy.data.slug), &name))
}

#[derive(Deserialize, IntoParams)]
pub struct RegionYear {
    /// A region code; defaults to the caller's own region.
    pub region: Option<String>,
    /// Defaults to this year.
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct StandingBody {
    pub deputy: String,
    pub name: String,
    pub region_code: String,
    pub points: i32,
    /// Behind at least one target.
    pub behind: bool,
    pub progress: Vec<ProgressBody>,
    /// The last day the deputy was reminded of this year's targets.
    pub last_reminded: Option<String>,
}

/// The deputies of a region with their points and targets for a year, those behind first.
#[utoipa::path(get, path = "/api/v1/duty-targets", tag = "points", params(RegionYear), security(("bearer" = [])),
    responses((status = 200, body = Vec<StandingBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn standing(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionYear>,
) -> Result<Json<Vec<StandingBody>>, ApiError> {
    let year = year_or_now(&state, q.year);
    let (_, list) = points::standing(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(Json(
        list.into_iter()
            .map(|b| StandingBody {
                behind: b.progress.iter().any(|p| !p.met()),
                progress: b.progress.iter().map(ProgressBody::from).collect(),
                deputy: b.slug,
                name: b.name,
                region_code: b.region_code,
                points: b.points,
                last_reminded: b.last_reminded,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Reminded {
    pub reminded: usize,
}

/// Reminds, through the outbox, the deputies of a region behind this year's targets (once a day each).
#[utoipa::path(post, path = "/api/v1/duty-targets/remind", tag = "points", params(RegionYear), security(("bearer" = [])),
    responses((status = 200, body = Reminded), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remind(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionYear>,
) -> Result<Json<Reminded>, ApiError> {
    let year = year_or_now(&state, q.year);
    let reminded = points::remind_behind(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(Json(Reminded { reminded }))
}

/// Rankings of a region's deputies by a year's points, as xlsx (all, and per level).
#[utoipa::path(get, path = "/api/v1/rankings.xlsx", tag = "points", params(RegionYear), security(("bearer" = [])),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rankings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RegionYear>,
) -> Result<Response, ApiError> {
    let year = year_or_now(&state, q.year);
    let bytes = duty_report::rankings(&state.app, &caller.principal, q.region.as_deref(), year).await?;
    Ok(download(bytes, XLSX, &format!("rankings-{year}.xlsx"), &format!("{year}年度代表履职积分排名.xlsx")))
}

#[derive(Deserialize, ToSchema)]
pub struct ArchiveRequest {
    /// A region code; defaults to the caller's own region.
    #[serde(default)]
    pub region: Option<String>,
    pub year: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ArchiveBody {
    pub id: i64,
    pub region_code: String,
    pub year: i32,
    /// running, done, failed or interrupted.
    pub status: String,
    pub done: i64,
    pub total: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl From<duty_report::Archive> for ArchiveBody {
    fn from(a: duty_report::Archive) -> Self {
        ArchiveBody {
            id: a.id,
            region_code: a.region_code,
            year: a.year,
            status: a.status.into(),
            done: a.done,
            total: a.total,
            created_at: a.created_at,
        }
    }
}

/// Starts writing every deputy's annual report of a region into one zip archive, in the background.
#[utoipa::path(post, path = "/api/v1/report-archives", tag = "points", request_body = ArchiveRequest, security(("bearer" = [])),
    responses((status = 202, body = PointsCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn start_archive(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ArchiveRequest>,
) -> Result<(StatusCode, Json<PointsCreated>), ApiError> {
    let id = duty_report::start_archive(&state.app, &caller.principal, body.region.as_deref(), body.year).await?;
    Ok((StatusCode::ACCEPTED, Json(PointsCreated { id })))
}

/// How far an archive's job has got.
#[utoipa::path(get, path = "/api/v1/report-archives/{id}", tag = "points", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ArchiveBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ArchiveBody>, ApiError> {
    Ok(Json(duty_report::archive(&state.app, &caller.principal, id).await?.into()))
}

/// A finished archive (zip of PDFs, a folder per township).
#[utoipa::path(get, path = "/api/v1/report-archives/{id}/file", tag = "points", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the archive", content_type = "application/zip"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn archive_file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let a = duty_report::archive(&state.app, &caller.principal, id).await?;
    let bytes = duty_report::archive_file(&state.app, &caller.principal, id).await?;
    Ok(download(
        bytes,
        "application/zip",
        &format!("reports-{}-{id}.zip", a.year),
        &format!("{}年度履职报告-{id}.zip", a.year),
    ))
}
