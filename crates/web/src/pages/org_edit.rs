//! The form for one station, deputy or agency: empty for a new record, filled with the current
//! values for an existing one. Fixed choices are selects, regions, stations and parents are
//! picked by name, and a save sends only the fields that differ from what the form was opened
//! with, so that two people editing different fields of one record do not undo each other.

use super::org::{RegionParam, list_href};
use super::{Nav, render};
use crate::api::org::{region_grants, scoped_region};
use crate::auth::Caller;
use crate::error::{ApiError, PageError};
use crate::extract::{PageForm, PagePath};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use liaison_app::choices::Choices;
use liaison_domain::authz::Action;
use liaison_domain::org::{AgencyKind, DeputyLevel, Gender, HouseholdKind, StationKind, split_list};
use liaison_domain::phone::mask_phone;
use liaison_domain::roster::RosterKind;

#[derive(Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

/// One field of the form, as shown.
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    /// text, tel, textarea, select or checks.
    pub input: &'static str,
    pub required: bool,
    pub value: String,
    /// The ticked values of a checks field.
    pub values: Vec<String>,
    pub options: Vec<Opt>,
    pub searchable: bool,
    pub hint: &'static str,
    pub error: Option<String>,
    /// The value the form was opened with (edit forms only).
    pub was: Option<String>,
}

impl Field {
    /// Whether a checks field holds `v`.
    pub fn has(&self, v: &str) -> bool {
        self.values.iter().any(|x| x == v)
    }
}

#[derive(Template)]
#[template(path = "org_edit.html")]
struct EditPage {
    nav: Nav,
    region: String,
    tab: &'static str,
    title: &'static str,
    /// The slug of the record being edited; none for a new one.
    editing: Option<String>,
    name: String,
    fields: Vec<Field>,
    /// The optional slug of a new record.
    slug: String,
    error: Option<String>,
}

fn kind_of(tab: &str) -> Option<(RosterKind, &'static str)> {
    match tab {
        "stations" => Some((RosterKind::Stations, "联络站")),
        "deputies" => Some((RosterKind::Deputies, "代表")),
        "agencies" => Some((RosterKind::Agencies, "承办单位")),
        _ => None,
    }
}

/// The keys a tab's form shows, in order (the slug is handled apart).
fn keys(kind: RosterKind) -> &'static [&'static str] {
    match kind {
        RosterKind::Stations => &[
            "name",
            "kind",
            "region",
            "household_kind",
            "sector",
            "parent",
            "address",
            "opening_hours",
            "phone",
            "description",
        ],
        RosterKind::Deputies => &[
            "name",
            "gender",
            "levels",
            "term",
            "region",
            "constituency",
            "occupation",
            "duties",
            "phone",
            "stations",
            "resident",
        ],
        RosterKind::Agencies => &["name", "kind", "region", "phone"],
        RosterKind::Grid => &[],
    }
}

fn label_opts(labels: impl IntoIterator<Item = &'static str>) -> Vec<Opt> {
    labels.into_iter().map(|l| Opt { value: l.to_owned(), label: l.to_owned() }).collect()
}

/// A deputy's stations cell split into (slugs, the resident one).
fn split_stations(cell: &str) -> (Vec<String>, String) {
    let mut resident = String::new();
    let slugs = split_list(cell)
        .map(|s| {
            let bare = s.trim_end_matches("（驻站）").trim().to_owned();
            if bare.len() != s.len() {
                resident = bare.clone();
            }
            bare
        })
        .collect();
    (slugs, resident)
}

/// The form's fields for `kind`, holding `values` (key → text, as the roster writes them).
fn fields(kind: RosterKind, choices: &Choices, value: &dyn Fn(&str) -> String, editing: Option<&str>) -> Vec<Field> {
    let header = |key: &str| kind.columns().iter().find(|c| c.key == key).map(|c| c.header).unwrap_or("");
    let required = |key: &str| kind.columns().iter().any(|c| c.key == key && c.required);
    let regions: Vec<Opt> =
        choices.regions.iter().map(|r| Opt { value: r.value.clone(), label: choices.region_label(&r.value) }).collect();
    let stations: Vec<Opt> = choices
        .stations
        .iter()
        .filter(|s| Some(s.value.as_str()) != editing || kind != RosterKind::Stations)
        .map(|s| Opt { value: s.value.clone(), label: format!("{}（{}）", s.label, s.hint) })
        .collect();
    let none = |text: &str, mut rest: Vec<Opt>| {
        rest.insert(0, Opt { value: String::new(), label: text.to_owned() });
        rest
    };
    let (linked, resident) = split_stations(&value("stations"));
    keys(kind)
        .iter()
        .map(|&key| {
            let mut f = Field {
                key,
                label: header(key),
                input: "text",
                required: required(key),
                value: value(key),
                values: vec![],
                options: vec![],
                searchable: false,
                hint: "",
                error: None,
                was: None,
            };
            match (kind, key) {
                (RosterKind::Stations, "kind") => {
                    f.options = none("请选择", label_opts(StationKind::ALL.iter().map(|k| k.label())))
                }
                (RosterKind::Agencies, "kind") => {
                    f.options = none("请选择", label_opts(AgencyKind::ALL.iter().map(|k| k.label())))
                }
                (_, "gender") => f.options = none("请选择", label_opts(Gender::ALL.iter().map(|g| g.label()))),
                (_, "household_kind") => {
                    f.options = none("（不是代表中心户）", label_opts(HouseholdKind::ALL.iter().map(|k| k.label())));
                    f.hint = "仅代表中心户填写";
                }
                (_, "region") => {
                    f.options = none("请选择", regions.clone());
                    f.searchable = true;
                    if editing.is_some() {
                        f.hint = "调到其他乡镇（街道）须由县级在名册页“调整所属区划”中办理";
                    }
                }
                (_, "parent") => {
                    f.options = none("（无上级站点）", stations.clone());
                    f.searchable = true;
                }
                (_, "levels") => {
                    f.input = "checks";
                    f.options = label_opts(DeputyLevel::ALL.iter().map(|l| l.label()));
                    f.values = split_list(&f.value).map(str::to_owned).collect();
                }
                (_, "stations") => {
                    f.input = "checks";
                    f.label = "所在联络站";
                    f.options = stations.clone();
                    f.values = linked.clone();
                    f.searchable = true;
                }
                (_, "resident") => {
                    f.label = "驻站站点";
                    f.options = none("（不驻站）", stations.clone());
                    f.value = resident.clone();
                    f.hint = "驻站的站点也算作所在联络站";
                }
                (RosterKind::Deputies, "phone") => {
                    f.input = "tel";
                    if editing.is_some() && !f.value.is_empty() {
                        f.hint = "号码已遮蔽；不改动则保持原号码，要更换请输入完整的新号码";
                    }
                }
                (_, "phone") => f.input = "tel",
                (_, "description") => f.input = "textarea",
                (RosterKind::Stations, "sector") => f.hint = "专业联络站填写，如 农业、教育",
                _ => {}
            }
            f.input = if f.options.is_empty() || f.input == "checks" { f.input } else { "select" };
            // A stored value the caller cannot pick (a parent station elsewhere) stays as it is.
            if f.input == "select" && !f.options.iter().any(|o| o.value == f.value) {
                f.options.insert(1, Opt { value: f.value.clone(), label: "（保持原值）".into() });
            }
            if f.input == "checks" {
                for v in &f.values {
                    if !f.options.iter().any(|o| o.value == *v) {
                        f.options.push(Opt { value: v.clone(), label: "（保持原值）".into() });
                    }
                }
                // The ticked ones first, so that a long list shows them without scrolling.
                if f.searchable {
                    let values = f.values.clone();
                    f.options.sort_by_key(|o| !values.contains(&o.value));
                }
            }
            f
        })
        .collect()
}

/// The pickers' choices for the caller; for an existing record, regions of its own township
/// only (moving between townships is its own action).
async fn choices_for(state: &AppState, caller: &Caller, township_of: Option<&str>) -> Result<Choices, PageError> {
    let mut c = liaison_app::choices::choices(&state.app, &region_grants(caller, Action::OrgWrite), true).await?;
    if let Some(code) = township_of {
        let t = &code[..code.len().min(9)];
        c.regions.retain(|r| r.value[..r.value.len().min(9)] == *t);
    }
    Ok(c)
}

/// A new record's empty form.
pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(tab): PagePath<String>,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let (kind, title) = kind_of(&tab).ok_or_else(|| PageError(ApiError::not_found()))?;
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    let choices = choices_for(&state, &caller, None).await?;
    // A new record starts in the region being listed, when it can hold one.
    let start =
        if choices.regions.iter().any(|r| r.value == region.as_str()) { region.to_string() } else { String::new() };
    let value = |k: &str| if k == "region" { start.clone() } else { String::new() };
    render(&EditPage {
        nav: Nav::for_caller(&caller),
        region: region.to_string(),
        tab: kind_tab(kind),
        title,
        editing: None,
        name: String::new(),
        fields: fields(kind, &choices, &value, None),
        slug: String::new(),
        error: None,
    })
}

fn kind_tab(kind: RosterKind) -> &'static str {
    match kind {
        RosterKind::Stations => "stations",
        RosterKind::Deputies => "deputies",
        _ => "agencies",
    }
}

/// An existing record's form, filled with its current values (a deputy's phone masked).
pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    PagePath((tab, slug)): PagePath<(String, String)>,
    Query(q): Query<RegionParam>,
) -> Result<Html<String>, PageError> {
    let (kind, title) = kind_of(&tab).ok_or_else(|| PageError(ApiError::not_found()))?;
    let current = liaison_app::org::for_edit(&state.app, &caller.principal, kind, &slug).await?;
    let region = q.region.clone().unwrap_or_else(|| current.region.to_string());
    let choices = choices_for(&state, &caller, Some(current.region.as_str())).await?;
    let value = |k: &str| match (kind, k) {
        (RosterKind::Deputies, "phone") if !current.get(k).is_empty() => mask_phone(current.get(k)),
        _ => current.get(k).to_owned(),
    };
    let mut fs = fields(kind, &choices, &value, Some(&slug));
    for f in fs.iter_mut() {
        f.was = Some(submitted_of(f));
    }
    render(&EditPage {
        nav: Nav::for_caller(&caller),
        region,
        tab: kind_tab(kind),
        title,
        editing: Some(slug),
        name: current.get("name").to_owned(),
        fields: fs,
        slug: String::new(),
        error: None,
    })
}

/// What a field sends, in the roster's writing: lists joined with 、.
fn submitted_of(f: &Field) -> String {
    if f.input == "checks" { f.values.join("、") } else { f.value.clone() }
}

/// Saves the form: for an existing record only the fields that differ from what the form was
/// opened with; a refusal shows the form again with what was typed and the message beside the
/// field.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    PagePath(tab): PagePath<String>,
    Query(q): Query<RegionParam>,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (kind, title) = kind_of(&tab).ok_or_else(|| PageError(ApiError::not_found()))?;
    let region = scoped_region(&caller, Action::OrgWrite, q.region.as_deref())?;
    let first = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
    let all = |k: &str| form.iter().filter(|(f, _)| f == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let editing = first("editing").filter(|s| !s.is_empty());
    // What the form holds, key by key; a deputy's stations as the roster writes them.
    let typed = |k: &str| -> String {
        match k {
            "levels" => all(k).join("、"),
            "stations" => {
                let resident = first("resident").unwrap_or_default();
                let mut links: Vec<(String, bool)> =
                    all("stations").into_iter().map(|s| (s.clone(), s == resident)).collect();
                if !resident.is_empty() && !links.iter().any(|(s, _)| *s == resident) {
                    links.push((resident, true));
                }
                liaison_app::org::stations_cell(&links)
            }
            _ => first(k).unwrap_or_default(),
        }
    };
    let mut fields_out: Vec<(String, String)> = Vec::new();
    for &key in keys(kind).iter().filter(|k| **k != "resident") {
        let v = typed(key);
        let was = first(&format!("was.{key}")).map(|w| if key == "stations" { normalise_stations(&w) } else { w });
        let changed = match (&editing, was) {
            (Some(_), Some(w)) => w != v,
            (Some(_), None) => false,
            (None, _) => !v.trim().is_empty(),
        };
        if changed {
            fields_out.push((key.to_owned(), v));
        }
    }
    let new_slug = first("slug").unwrap_or_default();
    match &editing {
        Some(s) => fields_out.push(("slug".into(), s.clone())),
        None if !new_slug.trim().is_empty() => fields_out.push(("slug".into(), new_slug.trim().to_owned())),
        None => {}
    }
    let back = list_href(&tab, region.as_str());
    let result = liaison_app::org::save(&state.app, &caller.principal, kind, &fields_out).await.map_err(ApiError::from);
    let e = match result {
        Ok(_) => return Ok(Redirect::to(&format!("{back}&saved=1")).into_response()),
        Err(e) if e.status.is_client_error() => e,
        Err(e) => return Err(PageError(e)),
    };
    // The form again, as typed, with the refusal beside its field.
    let township = match &editing {
        Some(s) => liaison_app::org::current(&state.app, kind, s).await?.map(|c| c.region.to_string()),
        None => None,
    };
    let choices = choices_for(&state, &caller, township.as_deref()).await?;
    let value = |k: &str| if k == "resident" { first(k).unwrap_or_default() } else { typed(k) };
    let mut fs = fields(kind, &choices, &value, editing.as_deref());
    let mut placed = false;
    for f in fs.iter_mut() {
        f.was = first(&format!("was.{}", f.key));
        if e.field.as_deref() == Some(f.key) || (f.key == "stations" && e.field.as_deref() == Some("stations")) {
            f.error = Some(e.message.clone());
            placed = true;
        }
    }
    let status = match e.status {
        StatusCode::FORBIDDEN | StatusCode::CONFLICT => e.status,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let name = match &editing {
        Some(s) => liaison_app::org::current(&state.app, kind, s).await?.map(|c| c.get("name").to_owned()),
        None => None,
    };
    let html = render(&EditPage {
        nav: Nav::for_caller(&caller),
        region: region.to_string(),
        tab: kind_tab(kind),
        title,
        editing,
        name: name.unwrap_or_default(),
        fields: fs,
        slug: new_slug,
        error: if placed { None } else { Some(e.message) },
    })?;
    Ok((status, html).into_response())
}

/// The stations cell in the one writing `stations_cell` gives, for comparing.
fn normalise_stations(cell: &str) -> String {
    let (slugs, resident) = split_stations(cell);
    let links: Vec<(String, bool)> = slugs.into_iter().map(|s| (s.clone(), s == resident)).collect();
    liaison_app::org::stations_cell(&links)
}
