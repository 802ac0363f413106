//! The ledger (台账) of the voters and households each deputy keeps in touch with — 点军's linked
//! voters, 界牌's vulnerable households (elderly alone, left-behind children, disabled, hardship)
//! — and the visits made: date, deputy, needs, help given, next visit. It is sensitive personal
//! data: only the deputy, the township and the county read it (station staff do not); ID numbers,
//! addresses and phones are masked unless someone unmasks one contact, which is audited; an
//! export needs a stated purpose, which the audit keeps. A visit adds to the deputy's register
//! in the same transaction.

use crate::receptions::own_deputy;
use crate::{App, Error, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Target};
use liaison_domain::phone::{PhoneNumber, mask_phone};
use liaison_domain::reception::parse_date;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, Source};
use liaison_domain::text::{Lines, optional};
use liaison_domain::voter_work::{
    ContactKind, category_labels, mask_address, mask_id_number, parse_categories, parse_id_number,
};
use liaison_store::audit;
use liaison_store::org::{self, Deputy};
use liaison_store::voter_work::{self as store, ContactRow, NewContact, NewVisit, Table, Value};

pub use liaison_store::voter_work::VisitRow as Visit;

/// A contact as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ContactInput {
    /// `voter` or `household`.
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// For a household: elderly_alone, left_behind_child, disabled, hardship.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub members: i64,
    #[serde(default)]
    pub note: String,
    /// The village or community it lives in (default: the deputy's region).
    #[serde(default)]
    pub region: Option<String>,
}

/// A contact as shown: masked unless unmasked on purpose.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Contact {
    pub id: i64,
    pub region_code: String,
    pub deputy_slug: String,
    pub deputy_name: String,
    pub kind: String,
    pub name: String,
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub categories: Vec<String>,
    pub category_labels: String,
    pub members: i64,
    pub note: String,
    pub last_visit: Option<String>,
    pub next_visit: Option<String>,
    pub visits: i64,
    pub masked: bool,
}

fn view(r: ContactRow, masked: bool) -> Contact {
    let (id_number, address, phone) = if masked {
        (
            mask_id_number(&r.id_number),
            mask_address(&r.address),
            if r.phone.is_empty() { String::new() } else { mask_phone(&r.phone) },
        )
    } else {
        (r.id_number, r.address, r.phone)
    };
    Contact {
        id: r.id,
        region_code: r.region_code,
        deputy_slug: r.deputy_slug,
        deputy_name: r.deputy_name,
        kind: r.kind,
        name: r.name,
        id_number,
        address,
        phone,
        categories: r.categories.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        category_labels: category_labels(&r.categories),
        members: r.members,
        note: r.note,
        last_visit: r.last_visit,
        next_visit: r.next_visit,
        visits: r.visits,
        masked,
    }
}

fn refused() -> Error {
    Error::refused_because("台账含有群众个人信息，只有联系该户的代表、所在乡镇（街道）人大和县（区）人大可以查看")
}

/// The township or county over region `code` (`PersonalDataRead` there).
fn is_office(principal: &Principal, code: &str) -> bool {
    RegionCode::parse(code).is_ok_and(|r| crate::check(principal, Action::PersonalDataRead, Target::Region(&r)).is_ok())
}

/// May the principal read contact `r`: its deputy, or the township or county over it.
fn may_read(principal: &Principal, r: &ContactRow) -> Result<()> {
    if own_deputy(principal) == Some(r.deputy_slug.as_str()) || is_office(principal, &r.region_code) {
        Ok(())
    } else {
        Err(refused())
    }
}

/// May the principal keep deputy `d`'s ledger: the deputy, or the township or county over them.
fn may_keep(principal: &Principal, d: &Deputy) -> Result<()> {
    if own_deputy(principal) == Some(d.data.slug.as_str()) || is_office(principal, &d.data.region_code) {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Adds a voter or a household to deputy `deputy`'s ledger.
pub async fn add(app: &App, principal: &Principal, deputy: &str, i: ContactInput) -> Result<i64> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.filter(|d| d.active).ok_or(Error::NotFound)?;
    may_keep(principal, &d)?;
    let kind = ContactKind::parse(&i.kind)
        .ok_or_else(|| Error::invalid("invalid_kind", "请选择联系选民或走访户").field("kind"))?;
    let name = optional("name", &i.name, 50, "姓名", Lines::One)?;
    if name.is_empty() {
        return Err(Error::invalid("required", "请填写姓名（走访户填写户主姓名）").field("name"));
    }
    let id_number = parse_id_number(&i.id_number)?;
    let address = optional("address", &i.address, 200, "住址", Lines::One)?;
    let phone = match i.phone.trim() {
        "" => String::new(),
        raw => PhoneNumber::parse(raw)?.as_str().to_owned(),
    };
    let categories = parse_categories(&i.categories)?;
    if kind == ContactKind::Household && categories.is_empty() {
        return Err(Error::invalid("category_required", "请选择走访户的户别（独居老人、留守儿童、残疾人或困难家庭）")
            .field("categories"));
    }
    if !(0..=30).contains(&i.members) {
        return Err(Error::invalid("invalid_members", "家庭人口应为 0 到 30 之间的整数").field("members"));
    }
    let note = optional("note", &i.note, 1000, "备注", Lines::Many)?;
    // The contact lives under the deputy's township (or the deputy's own region above one).
    let township = crate::points::township_of(&d.data.region_code);
    let root = if township.is_empty() { d.data.region_code.as_str() } else { township };
    let region = match i.region.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => d.data.region_code.clone(),
        Some(code) => {
            let r = RegionCode::parse(code).map_err(|e| Error::from(e).field("region"))?;
            let known = liaison_store::regions::get(&app.db, &r).await?.is_some();
            if !known || root.is_empty() || !r.as_str().starts_with(root) || r.county_key() != d.data.county_code {
                return Err(Error::invalid("invalid_region", "走访户应在代表所在的乡镇（街道）之内").field("region"));
            }
            if own_deputy(principal) != Some(d.data.slug.as_str()) && !is_office(principal, r.as_str()) {
                return Err(refused());
            }
            r.to_string()
        }
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let new = NewContact {
        county_code: &d.data.county_code,
        region_code: &region,
        deputy_id: d.id,
        kind: kind.as_str(),
        name: &name,
        id_number: &id_number,
        address: &address,
        phone: &phone,
        categories: &categories,
        members: i.members,
        note: &note,
        created_by: &principal.actor(),
    };
    let id = store::insert_contact(&mut tx, &new, now).await?;
    crate::audit::append(
        &mut tx,
        principal,
        &d.data.county_code,
        format!("ledger:{id}"),
        "ledger.add",
        format!("{}的台账新增一户{}", d.data.name, kind.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A contact, masked, with its visits, for whoever may read it.
pub async fn get(app: &App, principal: &Principal, id: i64) -> Result<(Contact, Vec<Visit>)> {
    let r = store::contact(&app.db, id).await?.filter(|r| r.active).ok_or(Error::NotFound)?;
    may_read(principal, &r)?;
    Ok((view(r, true), store::visits(&app.db, id).await?))
}

/// A contact unmasked; the audit records who looked and why.
pub async fn unmask(app: &App, principal: &Principal, id: i64, reason: &str) -> Result<Contact> {
    let r = store::contact(&app.db, id).await?.filter(|r| r.active).ok_or(Error::NotFound)?;
    may_read(principal, &r)?;
    let reason = optional("reason", reason, 200, "查看原因", Lines::One)?;
    let ev = AuditEvent {
        county_code: r.county_code.clone(),
        actor: principal.actor(),
        action: "personal_data.view".into(),
        target: format!("ledger:{id}"),
        // The record is named by the target; the summary holds no one's name.
        summary: if reason.is_empty() {
            "查看台账户的完整身份证号、住址和电话".to_string()
        } else {
            format!("查看台账户的完整身份证号、住址和电话：{reason}")
        },
    };
    audit::record(&app.db, &ev, app.now_ms()).await?;
    Ok(view(r, false))
}

/// The most contacts a list shows (an export has them all).
const LIST_LIMIT: i64 = 5000;

/// The ledger the principal keeps: a deputy's own, or a region's (default: the principal's
/// first), masked.
pub async fn list(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<Contact>> {
    if let Some(me) = own_deputy(principal) {
        let d = org::deputy_by_slug(&app.db, me).await?.ok_or(Error::NotFound)?;
        return Ok(store::contacts_of_deputy(&app.db, d.id).await?.into_iter().map(|r| view(r, true)).collect());
    }
    let region = crate::org::scoped_region(principal, Action::PersonalDataRead, region).map_err(|e| match e {
        Error::Refused { .. } => refused(),
        e => e,
    })?;
    Ok(store::contacts_in_region(&app.db, &region.county_key(), region.as_str(), Some(LIST_LIMIT))
        .await?
        .into_iter()
        .map(|r| view(r, true))
        .collect())
}

/// A visit as recorded.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct VisitInput {
    pub visited_on: String,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub next_visit_on: String,
}

/// Records a visit to a contact by its deputy: by the deputy (the register entry then waits for
/// the township's confirmation) or by the township or county (confirmed).
pub async fn visit(app: &App, principal: &Principal, contact: i64, i: VisitInput) -> Result<i64> {
    let r = store::contact(&app.db, contact).await?.filter(|r| r.active).ok_or(Error::NotFound)?;
    may_read(principal, &r)?;
    let d = org::deputy_by_slug(&app.db, &r.deputy_slug).await?.ok_or(Error::NotFound)?;
    let visited_on = parse_date("visited_on", &i.visited_on).map_err(|e| Error::from(e).field("visited_on"))?;
    if visited_on > app.today() {
        return Err(Error::invalid("future_date", "走访日期不能晚于今天").field("visited_on"));
    }
    let needs = optional("needs", &i.needs, 1000, "群众需求", Lines::Many)?;
    let help = optional("help", &i.help, 1000, "帮扶情况", Lines::Many)?;
    if needs.is_empty() && help.is_empty() {
        return Err(Error::invalid("required", "请填写群众的需求或提供的帮助").field("needs"));
    }
    let next = match i.next_visit_on.trim() {
        "" => None,
        raw => {
            let n = parse_date("next_visit_on", raw).map_err(|e| Error::from(e).field("next_visit_on"))?;
            if n <= visited_on {
                return Err(Error::invalid("invalid_date", "下次走访日期应晚于本次").field("next_visit_on"));
            }
            Some(n.to_string())
        }
    };
    let own = own_deputy(principal) == Some(d.data.slug.as_str());
    let now = app.now_ms();
    let actor = principal.actor();
    let mut tx = app.db.begin().await?;
    let v = NewVisit {
        contact_id: contact,
        deputy_id: d.id,
        visited_on: &visited_on.to_string(),
        needs: &needs,
        help: &help,
        next_visit_on: next.as_deref(),
        recorded_by: &actor,
    };
    let id = store::insert_visit(&mut tx, &v, now).await?;
    let (duty, what) = if r.kind == ContactKind::Household.as_str() {
        (DutyKind::HomeVisit, format!("走访台账户（{}）", category_labels(&r.categories)))
    } else {
        (DutyKind::VoterContact, "联系挂钩选民".to_string())
    };
    crate::register::automatic(
        &mut tx,
        &d,
        duty,
        &visited_on.to_string(),
        "",
        &what,
        &Source::Visit(id),
        !own,
        &actor,
        now,
    )
    .await?;
    crate::audit::append(
        &mut tx,
        principal,
        &r.county_code,
        format!("ledger:{contact}"),
        "ledger.visit",
        format!("{}登记走访（{visited_on}）", d.data.name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A contact's details as corrected. An empty ID number, address or phone keeps the one on file
/// (pages never hold them unmasked); kind, deputy and place stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ContactEdit {
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub members: i64,
    #[serde(default)]
    pub note: String,
}

/// Corrects a contact's details, by whoever may read it; the audit says which fields changed,
/// never their values.
pub async fn edit(app: &App, principal: &Principal, id: i64, e: ContactEdit) -> Result<()> {
    let r = store::contact(&app.db, id).await?.filter(|r| r.active).ok_or(Error::NotFound)?;
    may_read(principal, &r)?;
    let name = optional("name", &e.name, 50, "姓名", Lines::One)?;
    if name.is_empty() {
        return Err(Error::invalid("required", "请填写姓名（走访户填写户主姓名）").field("name"));
    }
    let id_number = match e.id_number.trim() {
        "" => r.id_number.clone(),
        raw => parse_id_number(raw)?,
    };
    let address = match optional("address", &e.address, 200, "住址", Lines::One)? {
        a if a.is_empty() => r.address.clone(),
        a => a,
    };
    let phone = match e.phone.trim() {
        "" => r.phone.clone(),
        raw => PhoneNumber::parse(raw)?.as_str().to_owned(),
    };
    let categories = parse_categories(&e.categories)?;
    if r.kind == ContactKind::Household.as_str() && categories.is_empty() {
        return Err(Error::invalid("category_required", "请选择走访户的户别（独居老人、留守儿童、残疾人或困难家庭）")
            .field("categories"));
    }
    if !(0..=30).contains(&e.members) {
        return Err(Error::invalid("invalid_members", "家庭人口应为 0 到 30 之间的整数").field("members"));
    }
    let note = optional("note", &e.note, 1000, "备注", Lines::Many)?;
    let mut changed: Vec<&str> = Vec::new();
    for (label, before, after) in [
        ("姓名", r.name.as_str(), name.as_str()),
        ("身份证号", r.id_number.as_str(), id_number.as_str()),
        ("住址", r.address.as_str(), address.as_str()),
        ("电话", r.phone.as_str(), phone.as_str()),
        ("户别", r.categories.as_str(), categories.as_str()),
        ("备注", r.note.as_str(), note.as_str()),
    ] {
        if before != after {
            changed.push(label);
        }
    }
    if r.members != e.members {
        changed.push("家庭人口");
    }
    if changed.is_empty() {
        return Ok(());
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let ok = store::update(
        &mut tx,
        Table::Contacts,
        id,
        r.version,
        &[
            ("name", Value::Text(&name)),
            ("id_number", Value::Text(&id_number)),
            ("address", Value::Text(&address)),
            ("phone", Value::Text(&phone)),
            ("categories", Value::Text(&categories)),
            ("members", Value::Int(e.members)),
            ("note", Value::Text(&note)),
        ],
        now,
    )
    .await?;
    if !ok {
        return Err(Error::conflict("contact_changed", "该户刚被他人修改，请刷新后再试"));
    }
    let summary = format!("修改台账户的{}", changed.join("、"));
    crate::audit::append(&mut tx, principal, &r.county_code, format!("ledger:{id}"), "ledger.edit", summary, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a contact off the ledger (moved away, no longer in need), with a reason; its visits stay.
pub async fn remove(app: &App, principal: &Principal, id: i64, reason: &str) -> Result<()> {
    let r = store::contact(&app.db, id).await?.filter(|r| r.active).ok_or(Error::NotFound)?;
    may_read(principal, &r)?;
    let reason = optional("reason", reason, 200, "移出原因", Lines::One)?;
    if reason.is_empty() {
        return Err(Error::invalid("required", "请写明移出台账的原因").field("reason"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::update(&mut tx, Table::Contacts, id, r.version, &[("active", Value::Bool(false))], now).await? {
        return Err(Error::conflict("contact_changed", "该户刚被他人修改，请刷新后再试"));
    }
    crate::audit::append(
        &mut tx,
        principal,
        &r.county_code,
        format!("ledger:{id}"),
        "ledger.remove",
        format!("移出台账：{reason}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The ledger of a region as xlsx, unmasked, for the township or county only and with a stated
/// purpose; the audit keeps the purpose and how many contacts left.
pub async fn export(app: &App, principal: &Principal, region: Option<&str>, reason: &str) -> Result<Vec<u8>> {
    let region = crate::org::scoped_region(principal, Action::PersonalDataRead, region).map_err(|e| match e {
        Error::Refused { .. } => Error::refused_because("台账只能由乡镇（街道）或县（区）人大导出"),
        e => e,
    })?;
    let reason = optional("reason", reason, 200, "导出用途", Lines::One)?;
    if reason.chars().count() < 4 {
        return Err(
            Error::invalid("reason_required", "台账含有群众个人信息，导出前请写明用途（至少 4 个字）").field("reason")
        );
    }
    let rows = store::contacts_in_region(&app.db, &region.county_key(), region.as_str(), None).await?;
    let sheet: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.deputy_name.clone(),
                ContactKind::parse(&r.kind).map_or("", |k| k.label()).to_string(),
                r.name.clone(),
                category_labels(&r.categories),
                if r.members > 0 { r.members.to_string() } else { String::new() },
                r.id_number.clone(),
                r.address.clone(),
                r.phone.clone(),
                r.visits.to_string(),
                r.last_visit.clone().unwrap_or_default(),
                r.next_visit.clone().unwrap_or_default(),
                r.note.clone(),
            ]
        })
        .collect();
    let bytes = liaison_sheets::write_xlsx(&[liaison_sheets::SheetOut {
        name: "联系台账",
        headers: &[
            "代表",
            "类别",
            "姓名",
            "户别",
            "家庭人口",
            "身份证号",
            "住址",
            "电话",
            "走访次数",
            "最近走访",
            "下次走访",
            "备注",
        ],
        rows: &sheet,
    }])
    .map_err(Error::internal)?;
    let ev = AuditEvent {
        county_code: region.county_key(),
        actor: principal.actor(),
        action: "ledger.export".into(),
        target: format!("region:{region}"),
        summary: format!("导出联系台账 {} 户，用途：{reason}", rows.len()),
    };
    audit::record(&app.db, &ev, app.now_ms()).await?;
    Ok(bytes)
}

/// The visits made in a region's ledger are counted in the statistics; the deputy's visits due
/// (next visit on or before `today`) for a reminder on their ledger page.
pub fn due(contacts: &[Contact], today: &str) -> usize {
    contacts.iter().filter(|c| c.next_visit.as_deref().is_some_and(|n| n <= today)).count()
}

/// May the principal read the ledger of region `code` (the pages' menu)?
pub fn may_read_region(principal: &Principal) -> bool {
    own_deputy(principal).is_some() || crate::org::scoped_region(principal, Action::PersonalDataRead, None).is_ok()
}
