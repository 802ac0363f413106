//! The record of a reception held: who attended, how many constituents came, the households a
//! home visit went to, and the matters raised — each a case with channel `reception`, answered on
//! the spot or routed like any other.

use super::bad_date;
use crate::cases::{self as casework, NewCase, Step};
use crate::{App, Error, Result};
use chrono::NaiveDate;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Action, CaseLocation, Principal, Target};
use liaison_domain::ids::CaseId;
use liaison_domain::reception::{AttendeeRole, ReceptionKind, parse_date};
use liaison_domain::region::RegionCode;
use liaison_domain::text::{Lines, optional, single_line};
use liaison_store::receptions::{self as store, AttendeeRow, ReceptionData, ReceptionRow};
use liaison_store::{audit, org, regions};

/// Someone who attended besides the constituents.
#[derive(Debug, Clone, Default)]
pub struct Attendee {
    /// deputy, agency_head, lawyer, leader, staff.
    pub role: String,
    /// For a deputy: their slug (the name comes from the roster).
    pub deputy: Option<String>,
    pub name: String,
    /// Post or agency, e.g. 县住建局局长.
    pub title: String,
}

/// A matter raised at the reception.
#[derive(Debug, Clone, Default)]
pub struct Matter {
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    pub publish_consent: bool,
    /// For 代表·局长面对面: the agency head it was put to.
    pub put_to: String,
    /// The answer given on the spot; empty when the matter is taken away to be handled.
    pub answer: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewReception {
    pub station: Option<String>,
    /// Without a station: the township or county it was held for.
    pub region: Option<String>,
    pub schedule_id: Option<i64>,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub visitors: i64,
    pub summary: String,
    pub attendees: Vec<Attendee>,
    /// For a home visit: (household, note).
    pub households: Vec<(String, String)>,
    pub matters: Vec<Matter>,
}

/// Where a reception belongs: its region and, when held at one, its station.
async fn place_of(
    app: &App,
    station: Option<&str>,
    region: Option<&str>,
) -> Result<(RegionCode, Option<(i64, String)>)> {
    match station.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => {
            let s = org::station_by_slug(&app.db, slug)
                .await?
                .filter(|s| s.active)
                .ok_or_else(|| Error::invalid("unknown_station", "找不到该联络站").field("station"))?;
            Ok((RegionCode::parse(&s.data.region_code).map_err(Error::internal)?, Some((s.id, s.data.slug))))
        }
        None => {
            let raw = region.unwrap_or("").trim();
            let code = RegionCode::parse(raw).map_err(|_| {
                Error::invalid("invalid_region", "请选择联络站，或填写所在乡镇（县）的行政区划代码").field("region")
            })?;
            if regions::get(&app.db, &code).await?.is_none() {
                return Err(Error::invalid("unknown_region", "行政区划不存在").field("region"));
            }
            Ok((code, None))
        }
    }
}

/// The kinds a deputy records on their own: their home visits and 坝坝会.
pub const DEPUTY_KINDS: [ReceptionKind; 2] = [ReceptionKind::HomeVisit, ReceptionKind::YardMeeting];

/// The deputy the principal is, when they may record a reception of `kind` at `station` on
/// their own: a home visit or 坝坝会 at a station they are linked to.
async fn deputy_recording(
    app: &App,
    principal: &Principal,
    kind: ReceptionKind,
    station: Option<i64>,
) -> Result<Option<String>> {
    let (Some(me), Some(station)) = (super::own_deputy(principal), station) else { return Ok(None) };
    if !DEPUTY_KINDS.contains(&kind) {
        return Ok(None);
    }
    let Some(d) = org::deputy_by_slug(&app.db, me).await?.filter(|d| d.active) else { return Ok(None) };
    let linked = org::deputy_stations(&app.db, d.id).await?.iter().any(|(s, _)| s.id == station);
    Ok(linked.then(|| me.to_owned()))
}

/// Records a reception and its matters; returns its id. Station staff record their station's,
/// township officers and the county office those of their region; a deputy their own home
/// visits and 坝坝会 at their station (they are then among those who attended).
pub async fn record(app: &App, principal: &Principal, n: NewReception) -> Result<i64> {
    let (region, station) = place_of(app, n.station.as_deref(), n.region.as_deref()).await?;
    let loc = CaseLocation {
        region: region.clone(),
        station: station.as_ref().map(|s| s.1.clone()),
        agency: None,
        assisting: vec![],
        deputy: None,
    };
    let kind = ReceptionKind::parse(&n.kind);
    let by_deputy = match (crate::check(principal, Action::CaseWrite, Target::Case(&loc)), kind) {
        (Ok(()), _) => None,
        (Err(e), Some(k)) => Some(deputy_recording(app, principal, k, station.as_ref().map(|s| s.0)).await?.ok_or(e)?),
        (Err(e), None) => return Err(e),
    };
    let county = region.county_key();
    let kind = kind.ok_or_else(|| {
        Error::invalid(
            "invalid_kind",
            "接待类型应为 station_day、joint_petition、agency_heads、yard_meeting 或 home_visit",
        )
        .field("kind")
    })?;
    let mut n = n;
    if let Some(me) = &by_deputy
        && !n.attendees.iter().any(|a| a.deputy.as_deref().map(str::trim) == Some(me.as_str()))
    {
        n.attendees.insert(0, Attendee { role: "deputy".into(), deputy: Some(me.clone()), ..Default::default() });
    }
    let held_on = parse_date("held_on", &n.held_on).map_err(bad_date("held_on"))?;
    if held_on > app.today() {
        return Err(Error::invalid("future_date", "接待记录的日期不能晚于今天；尚未举行的接待请在接待日安排中查看")
            .field("held_on"));
    }
    let place = single_line("place", &n.place, 100, "地点")?;
    let summary = optional("summary", &n.summary, 2000, "接待情况", Lines::Many)?;
    if !(0..=100_000).contains(&n.visitors) {
        return Err(Error::invalid("invalid_visitors", "接待群众人数应在 0 到 100000 之间").field("visitors"));
    }
    if let Some(id) = n.schedule_id {
        let s = super::load(app, id)
            .await
            .map_err(|_| Error::invalid("unknown_schedule", "找不到该接待日安排").field("schedule_id"))?;
        if s.row.station_id != station.as_ref().map(|s| s.0) || s.row.county_code != county {
            return Err(Error::invalid("unknown_schedule", "该接待日安排不属于这个联络站").field("schedule_id"));
        }
    }
    let mut attendees = Vec::new();
    // The deputies present, for their duty registers: (id, county, region).
    let mut present: Vec<(i64, String, String)> = Vec::new();
    for (i, a) in n.attendees.iter().enumerate() {
        let at =
            |m: &str| Error::invalid("invalid_attendee", format!("第 {} 位参加人员：{m}", i + 1)).field("attendees");
        let role =
            AttendeeRole::parse(&a.role).ok_or_else(|| at("身份应为 deputy、agency_head、lawyer、leader 或 staff"))?;
        match a.deputy.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => {
                let d = org::deputy_by_slug(&app.db, slug).await?.filter(|d| d.active).ok_or_else(|| {
                    Error::invalid("unknown_deputy", format!("第 {} 位参加人员：找不到该代表", i + 1))
                        .field("attendees")
                })?;
                if d.data.county_code != county {
                    return Err(at("该代表不属于本县（区）"));
                }
                let title = optional("attendees", &a.title, 60, "职务", Lines::One)?;
                if role == AttendeeRole::Deputy && !present.iter().any(|(id, _, _)| *id == d.id) {
                    present.push((d.id, d.data.county_code.clone(), d.data.region_code.clone()));
                }
                attendees.push((role.as_str().to_owned(), Some(d.id), d.data.name, title));
            }
            None if role == AttendeeRole::Deputy => return Err(at("请选择是哪位代表")),
            None => {
                let name = single_line("attendees", &a.name, 30, "参加人员姓名").map_err(|e| at(&e.message))?;
                let title = optional("attendees", &a.title, 60, "职务", Lines::One)?;
                attendees.push((role.as_str().to_owned(), None, name, title));
            }
        }
    }
    let mut households = Vec::new();
    for (h, note) in &n.households {
        let h = single_line("households", h, 60, "走访户")?;
        households.push((h, optional("households", note, 200, "走访情况", Lines::One)?));
    }
    // Every matter is checked before anything is written.
    for (i, m) in n.matters.iter().enumerate() {
        check_matter(app, m).map_err(|e| match e {
            Error::Fields(v) => {
                let first = v.first().map(|f| f.message.clone()).unwrap_or_default();
                Error::invalid("invalid_matter", format!("第 {} 件事项：{first}", i + 1)).field("matters")
            }
            Error::Invalid { message, .. } => {
                Error::invalid("invalid_matter", format!("第 {} 件事项：{message}", i + 1)).field("matters")
            }
            other => other,
        })?;
    }
    let data = ReceptionData {
        county_code: county.clone(),
        region_code: region.as_str().to_owned(),
        station_id: station.as_ref().map(|s| s.0),
        schedule_id: n.schedule_id,
        kind: kind.as_str().into(),
        held_on: held_on.to_string(),
        place,
        visitors: n.visitors,
        summary,
        recorded_by: principal.actor(),
        attendees,
        households,
    };
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = store::insert_reception(&mut tx, &data, now).await?;
    crate::register::from_reception(
        &mut tx,
        id,
        kind.as_str(),
        &data.held_on,
        &data.place,
        &present,
        by_deputy.is_none(),
        &principal.actor(),
        now,
    )
    .await?;
    let ev = AuditEvent {
        county_code: county,
        actor: principal.actor(),
        action: "reception.record".into(),
        target: format!("reception:{id}"),
        summary: format!("{} {}，接待群众 {} 人，事项 {} 件", kind.label(), held_on, n.visitors, n.matters.len()),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    for m in n.matters {
        add_matter(app, principal, id, m).await?;
    }
    Ok(id)
}

fn check_matter(app: &App, m: &Matter) -> Result<()> {
    let raw = liaison_domain::submission::RawSubmission {
        title: &m.title,
        content: &m.content,
        category: m.category.as_deref(),
        location: None,
        contact_name: m.contact_name.as_deref(),
        contact_phone: m.contact_phone.as_deref(),
        anonymous: m.anonymous,
    };
    liaison_domain::submission::Submission::parse(&raw, &app.config.categories).map_err(Error::from_fields)?;
    optional("put_to", &m.put_to, 60, "提问对象", Lines::One)?;
    optional("answer", &m.answer, 2000, "现场答复", Lines::Many)?;
    Ok(())
}

/// Records one matter raised at reception `id` as a case (channel `reception`, or `visit` for a
/// home visit or a yard meeting), answered on the spot when `answer` is given. Returns the case id.
pub async fn add_matter(app: &App, principal: &Principal, reception_id: i64, m: Matter) -> Result<i64> {
    let r = store::reception(&app.db, reception_id).await?.ok_or(Error::NotFound)?;
    // A deputy who attended records the matter as raised to them.
    let deputy = attended(app, principal, reception_id).await?;
    check_matter(app, &m)?;
    let put_to = optional("put_to", &m.put_to, 60, "提问对象", Lines::One)?;
    let answer = optional("answer", &m.answer, 2000, "现场答复", Lines::Many)?;
    let n = NewCase {
        region: Some(r.region_code.clone()),
        station: r.station_slug.clone(),
        deputy,
        // Matters met going out to people (巡诊: a home visit, a yard meeting) count on the visit
        // channel; those brought to a reception (坐诊) on the reception channel.
        channel: if matches!(r.kind.as_str(), "home_visit" | "yard_meeting") { "visit" } else { "reception" }.into(),
        title: m.title,
        content: m.content,
        category: m.category,
        location: Some(r.place.clone()),
        contact_name: m.contact_name,
        contact_phone: m.contact_phone,
        anonymous: m.anonymous,
        publish_consent: m.publish_consent,
        photos: vec![],
        reception: Some((r.id, put_to)),
    };
    let (row, _) = casework::record(app, principal, n, None).await?;
    if !answer.is_empty() {
        casework::act(app, principal, CaseId(row.id), Step::AnswerOnSpot { reply: answer }).await?;
    }
    Ok(row.id)
}

/// A reception record with who attended and its matters.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReceptionView {
    pub reception: ReceptionRow,
    /// Hashes of its photos.
    pub photos: Vec<String>,
    pub attendees: Vec<AttendeeRow>,
    pub households: Vec<(String, String)>,
    /// (case id, title, status, the agency head it was put to).
    pub matters: Vec<(i64, String, String, String)>,
}

/// One record, for staff who may read its region (or its station).
pub async fn reception(app: &App, principal: &Principal, id: i64) -> Result<ReceptionView> {
    let r = store::reception(&app.db, id).await?.ok_or(Error::NotFound)?;
    let loc = CaseLocation {
        region: RegionCode::parse(&r.region_code).map_err(Error::internal)?,
        station: r.station_slug.clone(),
        agency: None,
        assisting: vec![],
        deputy: None,
    };
    if let Err(e) = crate::check(principal, Action::CaseRead, Target::Case(&loc)) {
        attended(app, principal, id).await?.ok_or(e)?;
    }
    let attendees = store::attendees(&app.db, id).await?;
    let households = store::households(&app.db, id).await?;
    let links = store::linked_cases(&app.db, id).await?;
    let ids: Vec<i64> = links.iter().map(|(c, _)| *c).collect();
    let rows = liaison_store::cases::by_ids(&app.db, &ids).await?;
    let matters = links
        .iter()
        .filter_map(|(c, to)| {
            rows.iter().find(|r| r.id == *c).map(|r| (r.id, r.title.clone(), r.status.clone(), to.clone()))
        })
        .collect();
    let photos = store::photos(&app.db, id).await?.into_iter().map(|(h, _)| h).collect();
    Ok(ReceptionView { reception: r, photos, attendees, households, matters })
}

/// Receptions held from `from` to `to`: of one station (public figures), or of a region.
pub async fn list_receptions(
    app: &App,
    principal: Option<&Principal>,
    region: &RegionCode,
    station: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<ReceptionRow>> {
    if let Some(p) = principal {
        crate::check(p, Action::OrgRead, Target::Region(region))?;
    }
    Ok(store::receptions(
        &app.db,
        &region.county_key(),
        region.as_str(),
        station,
        &from.to_string(),
        &to.to_string(),
        limit,
    )
    .await?)
}

/// The principal's deputy slug, when they are a deputy who attended the reception.
async fn attended(app: &App, principal: &Principal, reception_id: i64) -> Result<Option<String>> {
    let Some(me) = super::own_deputy(principal) else { return Ok(None) };
    let present = store::attendees(&app.db, reception_id).await?.iter().any(|a| a.deputy_slug.as_deref() == Some(me));
    Ok(present.then(|| me.to_owned()))
}

/// The receptions a deputy attended from `from` to `to`, newest first.
pub async fn attended_by(app: &App, deputy: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<ReceptionRow>> {
    let Some(d) = org::deputy_by_slug(&app.db, deputy).await? else { return Ok(vec![]) };
    Ok(store::attended(&app.db, d.id, &from.to_string(), &to.to_string()).await?)
}

/// The names of the deputies who attended a reception (public).
pub async fn attendee_names(app: &App, reception_id: i64) -> Result<Vec<String>> {
    Ok(store::attendees(&app.db, reception_id)
        .await?
        .into_iter()
        .filter(|a| a.role == AttendeeRole::Deputy.as_str())
        .map(|a| a.name)
        .collect())
}

/// Whether the principal may add to a reception: its station's staff, the township or county,
/// or a deputy who attended.
async fn writable(app: &App, principal: &Principal, r: &ReceptionRow) -> Result<()> {
    let loc = CaseLocation {
        region: RegionCode::parse(&r.region_code).map_err(Error::internal)?,
        station: r.station_slug.clone(),
        agency: None,
        assisting: vec![],
        deputy: None,
    };
    if let Err(e) = crate::check(principal, Action::CaseWrite, Target::Case(&loc)) {
        attended(app, principal, r.id).await?.ok_or(e)?;
    }
    Ok(())
}

/// Adds photos already checked by [`crate::photos::clean`] to a reception; at most
/// [`crate::photos::MAX_PHOTOS`] a reception.
pub async fn add_photos(
    app: &App,
    principal: &Principal,
    reception_id: i64,
    photos: Vec<crate::photos::Photo>,
) -> Result<()> {
    let r = store::reception(&app.db, reception_id).await?.ok_or(Error::NotFound)?;
    writable(app, principal, &r).await?;
    let had = store::photos(&app.db, reception_id).await?.len();
    if had + photos.len() > crate::photos::MAX_PHOTOS {
        let message = format!("每次接待最多 {} 张照片", crate::photos::MAX_PHOTOS);
        return Err(Error::invalid("too_many_photos", message).field("photos"));
    }
    for p in &photos {
        crate::photos::store(&app.config.data_dir, p).map_err(Error::internal)?;
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    for p in &photos {
        store::add_photo(&mut tx, reception_id, &p.hash, p.mime, p.bytes.len() as i64, now).await?;
    }
    let ev = AuditEvent {
        county_code: r.county_code.clone(),
        actor: principal.actor(),
        action: "reception.photo".into(),
        target: format!("reception:{reception_id}"),
        summary: format!("添加照片 {} 张", photos.len()),
    };
    audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A photo of a reception the principal may read (or its thumbnail): bytes and media type.
pub async fn photo_file(
    app: &App,
    principal: &Principal,
    reception_id: i64,
    hash: &str,
    thumb: bool,
) -> Result<(Vec<u8>, String)> {
    reception(app, principal, reception_id).await?;
    let (hash, mime) =
        store::photos(&app.db, reception_id).await?.into_iter().find(|(h, _)| h == hash).ok_or(Error::NotFound)?;
    if thumb
        && let Some(bytes) =
            crate::photos::thumbnail_blocking(app.config.data_dir.clone(), hash.clone(), mime.clone()).await?
    {
        return Ok((bytes, "image/jpeg".into()));
    }
    let bytes = std::fs::read(crate::photos::path(&app.config.data_dir, &hash, &mime)).map_err(Error::internal)?;
    Ok((bytes, mime))
}
