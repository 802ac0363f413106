//! Bulletins in the pages: the staff list with the form to draft one, a bulletin's page where
//! its text is edited, approved, sent back and published; and the public archive, the bulletin
//! as a web page, PDF and workbook, and the Atom feed.

use super::statistics::ReportView;
use super::{Nav, render};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::bulletins::{self, Bulletin, DraftInput, Texts};
use liaison_domain::region::RegionCode;
use serde::Deserialize;
use std::collections::HashMap;

/// A bulletin in a list.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub period: String,
    pub status: &'static str,
    pub number: String,
}

fn row(b: &Bulletin) -> Row {
    Row {
        id: b.id,
        title: b.title.clone(),
        period: format!("{} 至 {}", b.period_from, b.period_to),
        status: bulletins::status_label(&b.status),
        number: bulletins::number_label(b),
    }
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
    /// (slug, name) of the stations under the caller's region.
    stations: Vec<(String, String)>,
    /// The month just ended and a day of last week, as the form's defaults.
    last_month: String,
    last_week: String,
    v: HashMap<String, String>,
    error: String,
}

impl ListPage {
    fn val(&self, key: &str) -> &str {
        self.v.get(key).map(String::as_str).unwrap_or("")
    }
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    v: HashMap<String, String>,
    error: String,
) -> Result<Response, PageError> {
    let rows = bulletins::list(&state.app, &caller.principal, None).await?;
    let region = liaison_app::org::scoped_region(&caller.principal, liaison_domain::authz::Action::OrgWrite, None)?;
    let stations = liaison_app::directory::stations_under(&state.app, region.as_str(), false)
        .await?
        .into_iter()
        .map(|s| (s.data.slug, s.data.name))
        .collect();
    let today = state.app.today();
    let last_month = (today.with_day(1).expect("day one") - chrono::Duration::days(1)).format("%Y-%m").to_string();
    let last_week = (today - chrono::Duration::days(7)).to_string();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&ListPage {
        nav: Nav::for_caller(caller),
        rows: rows.iter().map(row).collect(),
        stations,
        last_month,
        last_week,
        v,
        error,
    })?;
    Ok((status, html).into_response())
}

use chrono::Datelike;

pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    list_page(&state, &caller, HashMap::new(), String::new()).await
}

/// Drafts a bulletin from the list page's form.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let kind = get("kind");
    let period = if kind == "weekly" { get("week") } else { get("month") };
    let input = DraftInput { kind, region: None, station: Some(get("station")), period };
    match bulletins::draft(&state.app, &caller.principal, &input).await.map_err(ApiError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/bulletins/{id}?done=drafted")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            list_page(&state, &caller, f, e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct DetailPage {
    nav: Nav,
    b: Bulletin,
    kind: &'static str,
    status: &'static str,
    number: String,
    v: ReportView,
    /// The text as typed when a save was refused, else the bulletin's.
    texts: Texts,
    /// The caller drafted it (and so may not approve it).
    own: bool,
    notice: &'static str,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("drafted") => "草稿已按这一期的数据生成。请修改文字后保存，再请另一位同事审核。",
        Some("saved") => "已保存，数字已按最新数据更新。",
        Some("approved") => "已审核，数字已固定。发布后将出现在公开页面和订阅源中。",
        Some("reopened") => "已退回修改。",
        Some("published") => "已发布。",
        _ => "",
    };
    detail_page(&state, &caller, id, None, notice, String::new()).await
}

async fn detail_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    typed: Option<Texts>,
    notice: &'static str,
    error: String,
) -> Result<Response, PageError> {
    let b = bulletins::get(&state.app, &caller.principal, id).await?;
    let r = bulletins::report(&b)?;
    let texts = typed.unwrap_or_else(|| Texts {
        title: b.title.clone(),
        intro: b.intro.clone(),
        asks: b.asks.clone(),
        progress: b.progress.clone(),
        echoes: b.echoes.clone(),
    });
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = render(&DetailPage {
        nav: Nav::for_caller(caller),
        kind: bulletins::kind_label(&b.kind),
        status: bulletins::status_label(&b.status),
        number: bulletins::number_label(&b),
        v: ReportView::new(&r),
        own: b.created_by == caller.principal.actor(),
        b,
        texts,
        notice,
        error,
    })?;
    Ok((status, html).into_response())
}

/// Saves, approves, sends back or publishes, from the bulletin's page.
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (app, p) = (&state.app, &caller.principal);
    let version = get("version").trim().parse::<i64>().unwrap_or(-1);
    let texts = Texts {
        title: get("title"),
        intro: get("intro"),
        asks: get("asks"),
        progress: get("progress"),
        echoes: get("echoes"),
    };
    let decision = get("decision");
    let result = match decision.as_str() {
        "save" => bulletins::edit(app, p, id, version, &texts).await.map(|_| "saved"),
        "approve" => bulletins::approve(app, p, id, version).await.map(|_| "approved"),
        "reopen" => bulletins::reopen(app, p, id, version).await.map(|_| "reopened"),
        "publish" => bulletins::publish(app, p, id, version).await.map(|_| "published"),
        _ => Err(liaison_app::Error::invalid("invalid_decision", "未知的操作")),
    };
    match result.map_err(ApiError::from) {
        Ok(done) => Ok(Redirect::to(&format!("/bulletins/{id}?done={done}")).into_response()),
        Err(e)
            if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN && e.status != StatusCode::NOT_FOUND =>
        {
            let typed = (decision == "save").then_some(texts);
            detail_page(&state, &caller, id, typed, "", e.message).await
        }
        Err(e) => Err(PageError(e)),
    }
}

// ---- Public ----

#[derive(Template)]
#[template(path = "public_bulletins.html")]
struct ArchivePage {
    nav: Nav,
    head: super::public::Head,
    /// 柞水县 or the station's name.
    scope: String,
    back: (String, String),
    feed: String,
    rows: Vec<Row>,
}

/// `/county/{code}/bulletins`: every published bulletin of the county, its townships and stations.
pub async fn county_archive(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(code): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let code = RegionCode::parse(&code)?;
    let county = liaison_app::regions::public(&state.app, &code).await?.ok_or_else(ApiError::not_found)?;
    let rows = bulletins::archive(&state.app, &code, None, 200).await?;
    render(&ArchivePage {
        nav: Nav::for_caller(&caller),
        head: super::public::Head::new(
            &state,
            county.code.as_str(),
            format!("{}简报", county.name),
            format!("{}人大代表联络站的工作周报和民情月报", county.name),
        )
        .await,
        scope: county.name.clone(),
        back: (format!("/county/{}", county.code), format!("{}人大代表联络站", county.name)),
        feed: format!("/county/{}/bulletins.atom", county.code),
        rows: rows.iter().map(row).collect(),
    })
}

/// `/station/{slug}/bulletins`: one station's published bulletins.
pub async fn station_archive(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(slug): PagePath<String>,
) -> Result<Html<String>, PageError> {
    let s = liaison_app::directory::station(&state.app, &slug)
        .await?
        .filter(|s| s.active)
        .ok_or_else(ApiError::not_found)?;
    let county = RegionCode::parse(&s.data.county_code)?;
    let rows = bulletins::archive(&state.app, &county, Some(&s.data.slug), 200).await?;
    render(&ArchivePage {
        nav: Nav::for_caller(&caller),
        head: super::public::Head::new(
            &state,
            &s.data.county_code,
            format!("{}简报", s.data.name),
            format!("{}的工作周报和民情月报", s.data.name),
        )
        .await,
        scope: s.data.name.clone(),
        back: (format!("/station/{}", s.data.slug), s.data.name.clone()),
        feed: format!("/county/{}/bulletins.atom", s.data.county_code),
        rows: rows.iter().map(row).collect(),
    })
}

#[derive(Template)]
#[template(path = "public_bulletin.html")]
struct BulletinPage {
    nav: Nav,
    head: super::public::Head,
    b: Bulletin,
    kind: &'static str,
    number: String,
    v: ReportView,
    asks: Vec<String>,
    progress: Vec<String>,
    echoes: Vec<String>,
    intro: Vec<String>,
    archive: String,
}

fn paras(s: &str) -> Vec<String> {
    s.split('\n').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// `/bulletin/{id}`: a published bulletin as a web page.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(id): PagePath<i64>,
) -> Result<Html<String>, PageError> {
    let b = bulletins::published(&state.app, id).await?;
    let r = bulletins::report(&b)?;
    let archive = if b.station_slug.is_empty() {
        format!("/county/{}/bulletins", b.county_code)
    } else {
        format!("/station/{}/bulletins", b.station_slug)
    };
    let description: String = b.intro.chars().take(120).collect();
    render(&BulletinPage {
        nav: Nav::for_caller(&caller),
        head: super::public::Head::new(&state, &b.county_code, b.title.clone(), description).await,
        kind: bulletins::kind_label(&b.kind),
        number: bulletins::number_label(&b),
        v: ReportView::new(&r),
        asks: paras(&b.asks),
        progress: paras(&b.progress),
        echoes: paras(&b.echoes),
        intro: paras(&b.intro),
        archive,
        b,
    })
}

fn file_name(b: &Bulletin, ext: &str) -> (String, String) {
    (format!("bulletin-{}.{ext}", b.id), format!("{}.{ext}", b.title))
}

/// `/bulletin/{id}/bulletin.pdf`.
pub async fn pdf(State(state): State<AppState>, PagePath(id): PagePath<i64>) -> Result<Response, PageError> {
    let b = bulletins::published(&state.app, id).await?;
    let bytes = bulletins::pdf(&state.app, &b).await?;
    let (ascii, chinese) = file_name(&b, "pdf");
    let mut res = crate::api::points::download(bytes, "application/pdf", &ascii, &chinese);
    // Shown in the browser, saved under its Chinese name.
    let v = res.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).unwrap_or("").replacen(
        "attachment",
        "inline",
        1,
    );
    if let Ok(v) = v.parse() {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// `/bulletin/{id}/figures.xlsx`.
pub async fn xlsx(State(state): State<AppState>, PagePath(id): PagePath<i64>) -> Result<Response, PageError> {
    let b = bulletins::published(&state.app, id).await?;
    let bytes = bulletins::workbook(&b)?;
    let (ascii, chinese) = file_name(&b, "xlsx");
    Ok(crate::api::points::download(bytes, crate::api::points::XLSX, &ascii, &chinese))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// `/county/{code}/bulletins.atom`: the county's published bulletins as an Atom feed.
pub async fn feed(State(state): State<AppState>, PagePath(code): PagePath<String>) -> Result<Response, PageError> {
    let code = RegionCode::parse(&code)?;
    let county = liaison_app::regions::public(&state.app, &code).await?.ok_or_else(ApiError::not_found)?;
    let rows = bulletins::archive(&state.app, &code, None, 50).await?;
    let updated = rows.iter().filter_map(|b| b.published_at).max().unwrap_or(0);
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "<title>{}人大代表联络站 简报</title>\n<id>urn:liaison:county:{}:bulletins</id>\n<updated>{}</updated>\n\
         <link rel=\"self\" href=\"/county/{}/bulletins.atom\"/>\n<link rel=\"alternate\" href=\"/county/{}/bulletins\"/>\n\
         <author><name>{}人大常委会</name></author>\n",
        xml(&county.name),
        county.code,
        rfc3339(updated),
        county.code,
        county.code,
        xml(&county.name)
    ));
    for b in &rows {
        let summary: String = b.intro.chars().take(200).collect();
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>urn:liaison:bulletin:{}</id>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"/bulletin/{}\"/>\n\
             <link rel=\"enclosure\" type=\"application/pdf\" href=\"/bulletin/{}/bulletin.pdf\"/>\n<summary>{}</summary>\n</entry>\n",
            xml(&format!("{}（{}）", b.title, bulletins::number_label(b))),
            b.id,
            rfc3339(b.published_at.unwrap_or(b.updated_at)),
            b.id,
            b.id,
            xml(&summary)
        ));
    }
    out.push_str("</feed>\n");
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], out).into_response())
}
