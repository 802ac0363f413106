//! What pickers offer, by name: the regions, stations, agencies and deputies under the regions a
//! form's user reaches, so that nobody types a code or a slug. Reads only; the callers pass the
//! region roots they have checked the reader may act in.

use crate::{App, Result};
use liaison_domain::region::RegionCode;
use liaison_store::{org, regions};
use std::collections::HashMap;

/// One option: the value the form sends, the name shown, and where it is (for telling apart
/// two of the same name, and for searching).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
}

#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Regions down to township level (a village is named by its township too).
    pub regions: Vec<Choice>,
    /// Every region's name by code, villages included.
    pub region_names: HashMap<String, String>,
    pub stations: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub deputies: Vec<Choice>,
}

impl Choices {
    /// A region's name with its township or county, e.g. 乾佑街道 · 仁和社区.
    pub fn region_label(&self, code: &str) -> String {
        let name = |c: &str| self.region_names.get(c).cloned();
        let own = name(code).unwrap_or_else(|| code.to_owned());
        match code.len() {
            12 => name(&code[..9]).map(|t| format!("{t} · {own}")).unwrap_or(own),
            _ => own,
        }
    }

    /// The name behind a value of one of the lists, if any.
    pub fn name_of(list: &[Choice], value: &str) -> Option<String> {
        list.iter().find(|c| c.value == value).map(|c| c.label.clone())
    }
}

/// The distinct roots: one inside another adds nothing.
fn distinct(roots: &[RegionCode]) -> Vec<&RegionCode> {
    let mut out: Vec<&RegionCode> = Vec::new();
    for root in roots {
        if !roots.iter().any(|r| r != root && r.contains(root)) && !out.contains(&root) {
            out.push(root);
        }
    }
    out
}

/// The regions under `roots` only (no records). `villages` adds the villages to the list.
pub async fn regions(app: &App, roots: &[RegionCode], villages: bool) -> Result<Choices> {
    let mut out = Choices::default();
    for root in distinct(roots) {
        for r in regions::subtree(&app.db, root).await? {
            out.region_names.insert(r.code.clone(), r.name.clone());
        }
    }
    let mut codes: Vec<&String> = out.region_names.keys().collect();
    codes.sort();
    for code in codes {
        if code.len() > 9 && !villages {
            continue;
        }
        let parent = match code.len() {
            12 => out.region_names.get(&code[..9]),
            9 => out.region_names.get(&code[..6]),
            6 => out.region_names.get(&code[..4]),
            _ => None,
        };
        out.regions.push(Choice {
            value: code.clone(),
            label: out.region_names[code].clone(),
            hint: parent.cloned().unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Everything under `roots`, active records only. `villages` adds the villages to the regions.
pub async fn choices(app: &App, roots: &[RegionCode], villages: bool) -> Result<Choices> {
    let mut out = regions(app, roots, villages).await?;
    for root in distinct(roots) {
        for s in org::stations_under(&app.db, root.as_str(), false).await? {
            let hint = out.region_label(&s.data.region_code);
            out.stations.push(Choice { value: s.data.slug, label: s.data.name, hint });
        }
        for a in org::agencies_under(&app.db, root.as_str(), false).await? {
            let hint = out.region_label(&a.data.region_code);
            out.agencies.push(Choice { value: a.data.slug, label: a.data.name, hint });
        }
        for d in org::deputies_under(&app.db, root.as_str(), false).await? {
            let place = out.region_label(&d.data.region_code);
            let hint =
                if d.data.constituency.is_empty() { place } else { format!("{place} · {}", d.data.constituency) };
            out.deputies.push(Choice { value: d.data.slug, label: d.data.name, hint });
        }
    }
    Ok(out)
}
