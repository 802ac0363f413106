//! The duty register (履职登记簿). Entries arise on their own, in the transaction of the event,
//! from what the system knows — a reception a deputy attended ([`from_reception`]), a case raised
//! to a deputy that closed ([`on_case_closed`]) — once per deputy and record; a deputy enters
//! their own other activities and station staff enter them for the deputies of their station;
//! the township officer (or the county) confirms or rejects them. Only confirmed entries count.
//! A correction is a new version, pending again; the earlier versions are kept.
//!
//! Entries from a reception recorded by station staff or the township, and from a closed case,
//! are confirmed when they arise (the record is the evidence); a deputy's own record of a home
//! visit makes a pending entry, like anything the deputy enters.

use crate::receptions::own_deputy;
use crate::{App, Error, Result};
use chrono::NaiveDate;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, Principal, Scope, Target, reach};
use liaison_domain::reception::parse_date;
use liaison_domain::region::RegionCode;
use liaison_domain::register::{DutyKind, EntryStatus, Source, kind_of_reception, parse_kind};
use liaison_domain::text::{Lines, optional};
use liaison_store::org::{self, Deputy};
use liaison_store::register::{self as store, EntryRow, NewEntry};
use liaison_store::{Tx, audit, cases::CaseRow};

pub use liaison_store::register::EntryRow as Entry;

/// Adds the register entries of a reception for the deputies who attended it, in its transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn from_reception(
    tx: &mut Tx,
    reception_id: i64,
    kind: &str,
    held_on: &str,
    place: &str,
    deputies: &[(i64, String, String)],
    confirmed: bool,
    actor: &str,
    now: i64,
) -> Result<()> {
    let duty = kind_of_reception(kind);
    let key = Source::Reception(reception_id).key();
    let label = liaison_domain::reception::ReceptionKind::parse(kind).map(|k| k.label()).unwrap_or("接待");
    let description = format!("{label}（见接待记录）");
    for (deputy_id, county, region) in deputies {
        let e = NewEntry {
            county_code: county,
            region_code: region,
            deputy_id: *deputy_id,
            kind: duty.as_str(),
            done_on: held_on,
            place,
            description: &description,
            source: "reception",
            source_key: key.as_deref(),
            status: if confirmed { "confirmed" } else { "pending" },
            recorded_by: actor,
        };
        store::insert(tx, &e, now).await?;
    }
    Ok(())
}

/// Adds an entry the system knows of to deputy `d`'s register, in the event's transaction, once
/// per deputy and record: confirmed when staff recorded the event, pending when the deputy did.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn automatic(
    tx: &mut Tx,
    d: &Deputy,
    kind: DutyKind,
    done_on: &str,
    place: &str,
    description: &str,
    source: &Source,
    confirmed: bool,
    actor: &str,
    now: i64,
) -> Result<()> {
    let key = source.key();
    let e = NewEntry {
        county_code: &d.data.county_code,
        region_code: &d.data.region_code,
        deputy_id: d.id,
        kind: kind.as_str(),
        done_on,
        place,
        description,
        source: source.kind(),
        source_key: key.as_deref(),
        status: if confirmed { "confirmed" } else { "pending" },
        recorded_by: actor,
    };
    store::insert(tx, &e, now).await?;
    Ok(())
}

/// When a case raised to a deputy closes, the deputy's register gains one confirmed entry (once,
/// however often the close is replayed), in the step's transaction.
pub(crate) async fn on_case_closed(app: &App, tx: &mut Tx, row: &CaseRow, actor: &str, now: i64) -> Result<()> {
    let Some(slug) = row.deputy_ref.as_deref() else { return Ok(()) };
    let Some(d) = org::deputy_by_slug(&app.db, slug).await? else { return Ok(()) };
    let key = Source::Case(row.id).key();
    let description = format!("群众意见办结：{}", row.title);
    let e = NewEntry {
        county_code: &d.data.county_code,
        region_code: &d.data.region_code,
        deputy_id: d.id,
        kind: DutyKind::CaseHandled.as_str(),
        done_on: &app.today().to_string(),
        place: "",
        description: &description,
        source: "case",
        source_key: key.as_deref(),
        status: "confirmed",
        recorded_by: actor,
    };
    store::insert(tx, &e, now).await?;
    Ok(())
}

/// May the principal enter or correct entries of deputy `d`: the deputy, staff of a station the
/// deputy belongs to, or the township/county (`OrgWrite` on the deputy's region).
pub(crate) async fn may_enter(app: &App, principal: &Principal, d: &Deputy) -> Result<()> {
    if own_deputy(principal) == Some(d.data.slug.as_str()) {
        return Ok(());
    }
    let region = RegionCode::parse(&d.data.region_code).map_err(Error::internal)?;
    if crate::check(principal, Action::OrgWrite, Target::Region(&region)).is_ok() {
        return Ok(());
    }
    let stations: Vec<String> = reach(principal, Action::CaseWrite)
        .into_iter()
        .filter_map(|s| match s {
            Scope::Station(slug) => Some(slug.clone()),
            _ => None,
        })
        .collect();
    if !stations.is_empty() {
        let linked = org::deputy_stations(&app.db, d.id).await?;
        if linked.iter().any(|(s, _)| stations.contains(&s.data.slug)) {
            return Ok(());
        }
    }
    Err(Error::refused())
}

/// An entry's fields as entered.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub kind: String,
    pub done_on: String,
    pub place: String,
    pub description: String,
}

struct Checked {
    kind: DutyKind,
    done_on: NaiveDate,
    place: String,
    description: String,
}

fn check_input(app: &App, i: &EntryInput) -> Result<Checked> {
    let kind = parse_kind(&i.kind)?;
    let done_on = parse_date("done_on", &i.done_on).map_err(|e| Error::from(e).field("done_on"))?;
    if done_on > app.today() {
        return Err(Error::invalid("future_date", "履职日期不能晚于今天").field("done_on"));
    }
    let place = optional("place", &i.place, 100, "地点", Lines::One)?;
    let description = optional("description", &i.description, 2000, "履职情况", Lines::Many)?;
    if description.is_empty() {
        return Err(Error::invalid("required", "请填写履职情况").field("description"));
    }
    Ok(Checked { kind, done_on, place, description })
}

/// Refuses an activity dated before the current term began: the term's first day is the one the
/// points rules in force today for the deputy give (`term_from`); without rules, no check.
async fn check_term(app: &App, d: &Deputy, done_on: NaiveDate) -> Result<()> {
    let sets = crate::points::county_sets(app, &d.data.county_code).await?;
    let township = crate::points::township_of(&d.data.region_code);
    let term = liaison_domain::points::in_force(&sets, township, app.today()).and_then(|s| s.term_from);
    match term {
        Some(t) if done_on < t => {
            Err(Error::invalid("before_term", format!("履职日期早于本届任期（{t} 起），不能登记在本届履职登记簿中"))
                .field("done_on"))
        }
        _ => Ok(()),
    }
}

/// Enters an activity in a deputy's register, pending the township's confirmation.
pub async fn add(app: &App, principal: &Principal, deputy: &str, i: EntryInput) -> Result<i64> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.filter(|d| d.active).ok_or(Error::NotFound)?;
    may_enter(app, principal, &d).await?;
    let c = check_input(app, &i)?;
    check_term(app, &d, c.done_on).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let e = NewEntry {
        county_code: &d.data.county_code,
        region_code: &d.data.region_code,
        deputy_id: d.id,
        kind: c.kind.as_str(),
        done_on: &c.done_on.to_string(),
        place: &c.place,
        description: &c.description,
        source: "manual",
        source_key: None,
        status: "pending",
        recorded_by: &principal.actor(),
    };
    let id = store::insert(&mut tx, &e, now).await?.ok_or_else(|| Error::internal("manual entry conflicted"))?;
    let ev = AuditEvent {
        county_code: d.data.county_code.clone(),
        actor: principal.actor(),
        action: "duty_entry.add".into(),
        target: format!("duty_entry:{id}"),
        summary: format!("{}：{} {}", d.data.name, c.kind.label(), c.done_on),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects an entry: a new version, pending again. Those who may enter the deputy's entries may
/// correct them; the earlier version is kept.
pub async fn correct(app: &App, principal: &Principal, id: i64, i: EntryInput) -> Result<()> {
    let e = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    let d = org::deputy_by_slug(&app.db, &e.deputy_slug).await?.ok_or(Error::NotFound)?;
    may_enter(app, principal, &d).await?;
    let c = check_input(app, &i)?;
    check_term(app, &d, c.done_on).await?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    store::correct(
        &mut tx,
        &e,
        c.kind.as_str(),
        &c.done_on.to_string(),
        &c.place,
        &c.description,
        &principal.actor(),
        now,
    )
    .await?;
    let ev = AuditEvent {
        county_code: e.county_code.clone(),
        actor: principal.actor(),
        action: "duty_entry.correct".into(),
        target: format!("duty_entry:{id}"),
        summary: format!("{}：更正为 {} {}", e.deputy_name, c.kind.label(), c.done_on),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The township (or county) confirms or rejects an entry of a deputy of its region.
pub async fn decide(app: &App, principal: &Principal, id: i64, confirm: bool, note: &str) -> Result<()> {
    let e = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    let region = RegionCode::parse(&e.region_code).map_err(Error::internal)?;
    crate::check(principal, Action::OrgWrite, Target::Region(&region))?;
    if own_deputy(principal) == Some(e.deputy_slug.as_str()) {
        return Err(Error::refused_because("代表不能确认自己的履职登记"));
    }
    let note = optional("note", note, 200, "意见", Lines::One)?;
    let status = if confirm { EntryStatus::Confirmed } else { EntryStatus::Rejected };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    if !store::decide(&mut tx, &e, status.as_str(), &principal.actor(), &note, now).await? {
        return Err(Error::conflict("entry_changed", "该登记刚被更正，请刷新后再确认"));
    }
    let ev = AuditEvent {
        county_code: e.county_code.clone(),
        actor: principal.actor(),
        action: format!("duty_entry.{}", status.as_str()),
        target: format!("duty_entry:{id}"),
        summary: format!("{}：{} {} {}", e.deputy_name, status.label(), e.done_on, note),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A deputy's entries of `year`: for the deputy, staff who may enter them, and those who may
/// read the deputy's region.
pub async fn of_deputy(app: &App, principal: &Principal, deputy: &str, year: i32) -> Result<(Deputy, Vec<EntryRow>)> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.ok_or(Error::NotFound)?;
    may_read(app, principal, &d).await?;
    let rows = store::of_deputy(&app.db, d.id, &format!("{year}-01-01"), &format!("{year}-12-31")).await?;
    Ok((d, rows))
}

/// May the principal read deputy `d`'s register: whoever may enter its entries, or read the
/// deputy's region.
pub(crate) async fn may_read(app: &App, principal: &Principal, d: &Deputy) -> Result<()> {
    if may_enter(app, principal, d).await.is_err() {
        let region = RegionCode::parse(&d.data.region_code).map_err(Error::internal)?;
        crate::check(principal, Action::OrgRead, Target::Region(&region))?;
    }
    Ok(())
}

/// An entry, for whoever may read its deputy's register.
pub async fn readable(app: &App, principal: &Principal, id: i64) -> Result<Entry> {
    let e = store::get(&app.db, id).await?.ok_or(Error::NotFound)?;
    let d = org::deputy_by_slug(&app.db, &e.deputy_slug).await?.ok_or(Error::NotFound)?;
    may_read(app, principal, &d).await?;
    Ok(e)
}

/// Entries waiting for the principal's decision, in `region` (default: their first).
pub async fn pending(app: &App, principal: &Principal, region: Option<&str>) -> Result<Vec<EntryRow>> {
    let region = crate::org::scoped_region(principal, Action::OrgWrite, region)?;
    Ok(store::by_status(&app.db, &region.county_key(), region.as_str(), "pending").await?)
}

/// Confirmed entries of a deputy in `year`, by kind (public: counts only).
pub async fn confirmed_counts(app: &App, deputy: &str, year: i32) -> Result<Vec<(DutyKind, i64)>> {
    let Some(d) = org::deputy_by_slug(&app.db, deputy).await?.filter(|d| d.active) else { return Ok(vec![]) };
    Ok(store::confirmed_counts(&app.db, d.id, &format!("{year}-01-01"), &format!("{year}-12-31"))
        .await?
        .into_iter()
        .filter_map(|(k, n)| DutyKind::parse(&k).map(|k| (k, n)))
        .collect())
}

/// An entry's versions: (version, at ms, actor, status, note).
pub async fn history(app: &App, principal: &Principal, id: i64) -> Result<Vec<(i64, i64, String, String, String)>> {
    readable(app, principal, id).await?;
    Ok(store::versions(&app.db, id).await?)
}

/// The largest PDF kept as evidence.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// Files of evidence an entry keeps at most.
pub const MAX_EVIDENCE: usize = 9;

fn not_evidence() -> Error {
    Error::invalid("invalid_evidence", "证明材料只能是照片（JPEG、PNG、WebP，不超过 5 MB）或 PDF 文件（不超过 10 MB）")
        .field("evidence")
}

/// Checks a file of evidence by its content: a photo (cleaned like a case's: EXIF stripped,
/// orientation applied) or a PDF; anything else is refused.
pub fn check_evidence(raw: &[u8]) -> Result<crate::photos::Photo> {
    if raw.starts_with(b"%PDF-") {
        if raw.len() > MAX_PDF_BYTES {
            return Err(not_evidence());
        }
        use sha2::{Digest, Sha256};
        let hash = hex::encode(Sha256::digest(raw));
        return Ok(crate::photos::Photo { hash, mime: "application/pdf", bytes: raw.to_vec() });
    }
    crate::photos::clean(raw).map_err(|_| not_evidence())
}

/// Adds a checked file to an entry's evidence: for whoever may enter the deputy's entries.
pub async fn add_evidence(app: &App, principal: &Principal, entry_id: i64, file: crate::photos::Photo) -> Result<()> {
    let e = store::get(&app.db, entry_id).await?.ok_or(Error::NotFound)?;
    let d = org::deputy_by_slug(&app.db, &e.deputy_slug).await?.ok_or(Error::NotFound)?;
    may_enter(app, principal, &d).await?;
    if store::evidence(&app.db, entry_id).await?.len() >= MAX_EVIDENCE {
        return Err(
            Error::invalid("too_many_files", format!("每项登记最多 {MAX_EVIDENCE} 个证明材料")).field("evidence")
        );
    }
    crate::photos::store(&app.config.data_dir, &file).map_err(Error::internal)?;
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    store::add_evidence(&mut tx, entry_id, &file.hash, file.mime, file.bytes.len() as i64, now).await?;
    let ev = AuditEvent {
        county_code: e.county_code.clone(),
        actor: principal.actor(),
        action: "duty_entry.evidence".into(),
        target: format!("duty_entry:{entry_id}"),
        summary: format!("{}：添加证明材料", e.deputy_name),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// An entry's evidence hashes (for whoever may read the deputy's register).
pub async fn evidence_list(app: &App, entry_id: i64) -> Result<Vec<(String, String)>> {
    Ok(store::evidence(&app.db, entry_id).await?)
}

/// A file of an entry's evidence: bytes and media type, for whoever may read the register.
pub async fn evidence_file(app: &App, principal: &Principal, entry_id: i64, hash: &str) -> Result<(Vec<u8>, String)> {
    readable(app, principal, entry_id).await?;
    let (hash, mime) =
        store::evidence(&app.db, entry_id).await?.into_iter().find(|(h, _)| h == hash).ok_or(Error::NotFound)?;
    let bytes = std::fs::read(crate::photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
    Ok((bytes, mime))
}
