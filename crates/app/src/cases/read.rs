//! Reading cases within the principal's scope: one case with its timeline and photos, the
//! audited contact details, and near-duplicates to merge. Lists are in `list.rs`.

use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, Principal, Scope, Target};
use liaison_domain::ids::CaseId;
use liaison_store::audit;
use liaison_store::cases::{self, CaseRow, EventRow};

/// What the principal's scopes reach, as store filters: regions, stations, agencies, deputies.
pub fn reach_lists(principal: &Principal, action: Action) -> [Vec<String>; 4] {
    let (mut regions, mut stations, mut agencies, mut deputies) = (vec![], vec![], vec![], vec![]);
    for s in authz::reach(principal, action) {
        match s {
            Scope::Region(c) => regions.push(c.as_str().to_owned()),
            Scope::Station(x) => stations.push(x.clone()),
            Scope::Agency(x) => agencies.push(x.clone()),
            Scope::Deputy(x) => deputies.push(x.clone()),
        }
    }
    [regions, stations, agencies, deputies]
}

/// One case, if the principal may read it.
pub async fn readable(app: &App, principal: &Principal, id: CaseId) -> Result<CaseRow> {
    let row = cases::get(&app.db, id.get()).await?.ok_or(Error::NotFound)?;
    let loc = row.location().ok_or_else(|| Error::internal("case with invalid region"))?;
    crate::check(principal, Action::CaseRead, Target::Case(&loc))?;
    Ok(row)
}

/// One case with its whole timeline (staff see the private notes too) and its photo hashes.
pub async fn detail(app: &App, principal: &Principal, id: CaseId) -> Result<(CaseRow, Vec<EventRow>, Vec<String>)> {
    let row = readable(app, principal, id).await?;
    let timeline = cases::events(&app.db, id.get(), false).await?;
    let photos = cases::photos(&app.db, id.get()).await?.into_iter().map(|(h, _)| h).collect();
    Ok((row, timeline, photos))
}

/// The constituent's name and phone in full, for staff who may see personal data; audited.
pub async fn contact(app: &App, principal: &Principal, id: CaseId) -> Result<(String, String)> {
    let row = cases::get(&app.db, id.get()).await?.ok_or(Error::NotFound)?;
    let loc = row.location().ok_or_else(|| Error::internal("case with invalid region"))?;
    crate::check(principal, Action::CaseRead, Target::Case(&loc))?;
    crate::check(principal, Action::PersonalDataRead, Target::Region(&loc.region))?;
    let ev = AuditEvent {
        county_code: row.county_code.clone(),
        actor: principal.actor(),
        action: "personal_data.view".into(),
        target: format!("case:{id}"),
        summary: "查看群众联系方式".into(),
    };
    audit::record(&app.db, &ev, app.now_ms()).await?;
    Ok((row.contact_name, row.contact_phone))
}

/// An open case that reads like another.
#[derive(Debug, Clone)]
pub struct Similar {
    pub id: i64,
    pub title: String,
    pub status: String,
    /// Shared character bigrams over all of them: 1 is the same text.
    pub similarity: f64,
}

/// Open cases of the same township that read like this one (near-duplicate detection on
/// character bigrams), closest first, at most five: candidates to merge at triage.
pub async fn similar(app: &App, principal: &Principal, id: CaseId) -> Result<Vec<Similar>> {
    use liaison_domain::similar;
    let row = readable(app, principal, id).await?;
    let township = row.region_code.get(..9).unwrap_or(&row.region_code);
    let mine = similar::bigrams(&format!("{}{}", row.title, row.content));
    let mut out: Vec<Similar> = cases::open_in_township(&app.db, township, id.get())
        .await?
        .into_iter()
        .filter(|c| {
            c.location().is_some_and(|l| authz::authorize(principal, Action::CaseRead, Target::Case(&l)).is_ok())
        })
        .map(|c| {
            let similarity = similar::jaccard(&mine, &similar::bigrams(&format!("{}{}", c.title, c.content)));
            Similar { similarity, id: c.id, title: c.title, status: c.status }
        })
        .filter(|s| s.similarity >= similar::NEAR)
        .collect();
    out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(b.id.cmp(&a.id)));
    out.truncate(5);
    Ok(out)
}
