//! Station stars in the pages: the county's stations and their scoring of a year, the scorecards
//! (a form to add one), a station's scoring (scores and evidence per criterion, submit), and the
//! second person's review.

use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use liaison_app::stars::{self, Card};
use liaison_domain::authz::{self, Action, Target};
use liaison_domain::stars::{AssessmentStatus, Criterion, DEFAULT_THRESHOLDS, Scorecard, star_label, star_text};
use serde::Deserialize;
use std::collections::HashMap;

struct Row {
    slug: String,
    name: String,
    status: String,
    total: String,
    stars: String,
}

#[derive(Template)]
#[template(path = "stars.html")]
struct ListPage {
    nav: Nav,
    region: String,
    year: i32,
    this_year: i32,
    rows: Vec<Row>,
    /// (id, name, criteria, thresholds line)
    cards: Vec<(i64, String, usize, String)>,
    may_county: bool,
    error: String,
    notice: String,
    v: HashMap<String, String>,
}

impl ListPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    region: Option<String>,
    year: Option<i32>,
    done: Option<String>,
}

fn thresholds_line(t: &[u32; 5]) -> String {
    t.iter().enumerate().map(|(i, t)| format!("{}≥{t}", star_label(i as u8 + 1))).collect::<Vec<_>>().join("，")
}

/// `/stars`: the region's stations and their scoring of a year; the scorecards.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let notice = if q.done.as_deref() == Some("scorecard") { "创建标准已保存。" } else { "" };
    list_page(&state, &caller, q.region.as_deref(), q.year, HashMap::new(), String::new(), notice).await
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    region: Option<&str>,
    year: Option<i32>,
    v: HashMap<String, String>,
    error: String,
    notice: &str,
) -> Result<Response, PageError> {
    let this_year = state.app.today().year();
    let year = year.filter(|y| (2000..=this_year).contains(y)).unwrap_or(this_year);
    let (region, rows) = stars::list(&state.app, &caller.principal, region, year).await?;
    let county = liaison_domain::region::RegionCode::parse(&region.county_key()).map_err(ApiError::internal)?;
    let may_county = authz::authorize(&caller.principal, Action::OrgWrite, Target::Region(&county)).is_ok();
    let cards = stars::scorecards(&state.app, &caller.principal, Some(region.as_str())).await?;
    let mut v = v;
    if v.is_empty() {
        for (i, t) in DEFAULT_THRESHOLDS.iter().enumerate() {
            v.insert(format!("t{}", i + 1), t.to_string());
        }
    }
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&ListPage {
        nav: Nav::for_caller(caller),
        region: region.as_str().into(),
        year,
        this_year,
        rows: rows
            .into_iter()
            .map(|(s, a)| Row {
                slug: s.data.slug,
                name: s.data.name,
                status: a
                    .as_ref()
                    .and_then(|a| AssessmentStatus::parse(&a.status))
                    .map_or("未评分", |s| s.label())
                    .into(),
                total: a.as_ref().map(|a| a.total.to_string()).unwrap_or_default(),
                stars: a
                    .as_ref()
                    .filter(|a| a.status == "approved")
                    .map(|a| format!("{} {}", star_text(a.stars as u8), star_label(a.stars as u8)))
                    .unwrap_or_default(),
            })
            .collect(),
        cards: cards
            .iter()
            .map(|c| (c.id, c.card.name.clone(), c.card.criteria.len(), thresholds_line(&c.card.thresholds)))
            .collect(),
        may_county,
        error,
        notice: notice.into(),
        v,
    })?;
    Ok((status, html).into_response())
}

/// Reads the form's criteria: a line each, “分组｜标准｜分值” (or tab-separated, as pasted from
/// a spreadsheet); a line of two parts has no group.
fn criteria(text: &str) -> Result<Vec<Criterion>, liaison_app::Error> {
    let mut out = Vec::new();
    for (n, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> = line.split(['|', '｜', '\t']).map(str::trim).collect();
        let bad = || {
            liaison_app::Error::invalid("invalid_criterion", format!("第 {} 行应为“分组｜标准｜分值”", n + 1))
                .field("criteria")
        };
        let (group, title, weight) = match parts.as_slice() {
            [title, weight] => ("", *title, *weight),
            [group, title, weight] => (*group, *title, *weight),
            _ => return Err(bad()),
        };
        let weight = weight.parse::<u32>().map_err(|_| bad())?;
        out.push(Criterion { group: group.into(), title: title.into(), weight });
    }
    Ok(out)
}

/// Adds a scorecard from the form; on a refusal, the list again with what was typed.
pub async fn create_scorecard(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let result = async {
        let mut thresholds = [0u32; 5];
        for (i, t) in thresholds.iter_mut().enumerate() {
            *t = get(&format!("t{}", i + 1)).parse().map_err(|_| {
                liaison_app::Error::invalid("invalid_thresholds", "星级分数线应为整数").field("thresholds")
            })?;
        }
        let card = Scorecard { name: get("name"), criteria: criteria(&get("criteria"))?, thresholds };
        stars::create_scorecard(&state.app, &caller.principal, q.region.as_deref(), card).await
    }
    .await;
    match result.map_err(ApiError::from) {
        Ok(_) => {
            Ok(Redirect::to(&format!("/stars?done=scorecard&region={}", q.region.unwrap_or_default())).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            list_page(&state, &caller, q.region.as_deref(), None, f, e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A criterion's line on the scoring page.
struct Line {
    n: usize,
    group: String,
    title: String,
    weight: u32,
    score: String,
    /// (hash, is a PDF)
    evidence: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "station_stars.html")]
struct StationPage {
    nav: Nav,
    slug: String,
    name: String,
    year: i32,
    /// The scoring's id, 0 before the first save.
    id: i64,
    status: String,
    status_key: String,
    total: u32,
    stars: String,
    card_id: i64,
    card_name: String,
    cards: Vec<(i64, String)>,
    lines: Vec<Line>,
    note: String,
    review_note: String,
    scored_by: String,
    reviewed_by: String,
    may_score: bool,
    may_review: bool,
    error: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct StationQuery {
    scorecard: Option<i64>,
    done: Option<String>,
}

/// `/stars/{slug}/{year}`: a station's scoring of the year.
pub async fn station(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((slug, year)): PagePath<(String, i32)>,
    Query(q): Query<StationQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("saved") => "评分已保存。全部打完后请提交复核。",
        Some("submitted") => "已提交复核，请由另一位同志复核。",
        Some("approved") => "复核通过，星级已在联络站公开页面显示。",
        Some("returned") => "已退回重评。",
        Some("evidence") => "证明材料已上传。",
        _ => "",
    };
    station_page(&state, &caller, &slug, year, q.scorecard, None, String::new(), notice).await
}

#[allow(clippy::too_many_arguments)]
async fn station_page(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    year: i32,
    card: Option<i64>,
    typed: Option<&HashMap<String, String>>,
    error: String,
    notice: &str,
) -> Result<Response, PageError> {
    let (s, a) = stars::of_station(&state.app, &caller.principal, slug, year).await?;
    let county = liaison_domain::region::RegionCode::parse(&s.data.county_code).map_err(ApiError::internal)?;
    let county_writes = authz::authorize(&caller.principal, Action::OrgWrite, Target::Region(&county)).is_ok();
    let cards = stars::scorecards(&state.app, &caller.principal, Some(&s.data.region_code)).await?;
    let chosen: Option<Card> = match &a {
        Some(a) if card.is_none() => Some(a.card.clone()),
        _ => card.and_then(|id| cards.iter().find(|c| c.id == id).cloned()).or_else(|| cards.first().cloned()),
    };
    let open = a.as_ref().is_none_or(|a| matches!(a.status, AssessmentStatus::Draft | AssessmentStatus::Returned));
    let lines = chosen
        .as_ref()
        .map(|c| {
            c.card
                .criteria
                .iter()
                .enumerate()
                .map(|(i, cr)| {
                    let saved =
                        a.as_ref().filter(|a| a.card.id == c.id).and_then(|a| a.scores.get(i)).map(|s| s.to_string());
                    let typed = typed.and_then(|t| t.get(&format!("s{}", i + 1))).cloned();
                    Line {
                        n: i + 1,
                        group: cr.group.clone(),
                        title: cr.title.clone(),
                        weight: cr.weight,
                        score: typed.or(saved).unwrap_or_default(),
                        evidence: a
                            .as_ref()
                            .map(|a| {
                                a.evidence
                                    .iter()
                                    .filter(|(c, _, _)| *c == i as i64 + 1)
                                    .map(|(_, h, m)| (h.clone(), m == "application/pdf"))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&StationPage {
        nav: Nav::for_caller(caller),
        slug: s.data.slug.clone(),
        name: s.data.name.clone(),
        year,
        id: a.as_ref().map_or(0, |a| a.row.id),
        status: a.as_ref().map_or("未评分", |a| a.status.label()).into(),
        status_key: a.as_ref().map_or("none", |a| a.status.as_str()).into(),
        total: a.as_ref().map_or(0, |a| a.scores.iter().sum()),
        stars: a
            .as_ref()
            .map(|a| format!("{} {}", star_text(a.row.stars as u8), star_label(a.row.stars as u8)))
            .unwrap_or_default(),
        card_id: chosen.as_ref().map_or(0, |c| c.id),
        card_name: chosen.as_ref().map(|c| c.card.name.clone()).unwrap_or_default(),
        cards: cards.iter().map(|c| (c.id, c.card.name.clone())).collect(),
        lines,
        note: typed
            .and_then(|t| t.get("note").cloned())
            .or_else(|| a.as_ref().map(|a| a.row.note.clone()))
            .unwrap_or_default(),
        review_note: a.as_ref().map(|a| a.row.review_note.clone()).unwrap_or_default(),
        scored_by: a.as_ref().map(|a| a.scored_by_name.clone()).unwrap_or_default(),
        reviewed_by: a.as_ref().map(|a| a.reviewed_by_name.clone()).unwrap_or_default(),
        may_score: county_writes && open && year <= state.app.today().year(),
        may_review: county_writes
            && a.as_ref().is_some_and(|a| {
                a.status == AssessmentStatus::Submitted && a.row.scored_by != caller.principal.actor()
            }),
        error,
        notice: notice.into(),
    })?;
    Ok((status, html).into_response())
}

/// Saves the scores; on a refusal, the page again with what was typed.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((slug, year)): PagePath<(String, i32)>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let card: i64 = f.get("scorecard").and_then(|s| s.parse().ok()).unwrap_or(0);
    stars::may_score(&state.app, &caller.principal, &slug).await?;
    let result = async {
        let c = stars::scorecard(&state.app, &caller.principal, card).await?;
        let mut scores = Vec::new();
        for (i, cr) in c.card.criteria.iter().enumerate() {
            let raw = f.get(&format!("s{}", i + 1)).map(|s| s.trim()).unwrap_or("");
            let v = if raw.is_empty() {
                0
            } else {
                raw.parse::<u32>().map_err(|_| {
                    liaison_app::Error::invalid("invalid_score", format!("第 {} 条“{}”的得分应为整数", i + 1, cr.title))
                        .field("scores")
                })?
            };
            scores.push(v);
        }
        let note = f.get("note").map(String::as_str).unwrap_or("");
        stars::score(&state.app, &caller.principal, &slug, year, card, scores, note).await
    }
    .await;
    match result.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/stars/{slug}/{year}?done=saved")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            station_page(&state, &caller, &slug, year, Some(card), Some(&f), e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// Submits a scoring, or the second person's review of it; then back to the station's page.
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<ReviewForm>,
) -> Result<Response, PageError> {
    let a = stars::assessment(&state.app, &caller.principal, id).await?;
    let back = |done: &str| format!("/stars/{}/{}?done={done}", a.row.station_slug, a.row.year);
    let result = match f.decision.as_str() {
        "submit" => stars::submit(&state.app, &caller.principal, id).await.map(|_| "submitted"),
        "approve" => stars::review(&state.app, &caller.principal, id, true, &f.note).await.map(|_| "approved"),
        _ => stars::review(&state.app, &caller.principal, id, false, &f.note).await.map(|_| "returned"),
    };
    match result.map_err(ApiError::from) {
        Ok(done) => Ok(Redirect::to(&back(done)).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let slug = a.row.station_slug.clone();
            station_page(&state, &caller, &slug, a.row.year as i32, None, None, e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Adds a file of evidence to a criterion (multipart: `criterion`, `evidence`).
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let a = stars::assessment(&state.app, &caller.principal, id).await?;
    let (slug, year) = (a.row.station_slug.clone(), a.row.year as i32);
    // Who may not score hears so before the file is looked at.
    stars::may_score(&state.app, &caller.principal, &slug).await?;
    let mut file = None;
    let mut criterion = 0usize;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| ApiError::bad_request("invalid_upload", "上传内容不完整，请重新选择文件"))?
    {
        match field.name() {
            Some("criterion") => criterion = field.text().await.ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0),
            Some("evidence") => {
                file = Some(field.bytes().await.map_err(|_| {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "文件过大（PDF 不超过 10 MB）")
                })?)
            }
            _ => {}
        }
    }
    let result = match file.filter(|b| !b.is_empty()) {
        None => Err(liaison_app::Error::invalid("required", "请选择要上传的照片或 PDF 文件")),
        Some(bytes) => match liaison_app::register::check_evidence(&bytes) {
            Err(e) => Err(e),
            Ok(f) => stars::add_evidence(&state.app, &caller.principal, id, criterion, f).await,
        },
    };
    match result.map_err(ApiError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/stars/{slug}/{year}?done=evidence")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            station_page(&state, &caller, &slug, year, None, None, e.message, "").await
        }
        Err(e) => Err(PageError(e)),
    }
}
