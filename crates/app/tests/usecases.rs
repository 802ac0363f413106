//! The use-cases called directly, without HTTP, on a fresh SQLite file and a fresh PostgreSQL
//! database: what they write, what they refuse, and that a refusal changes nothing.

use liaison_app::cases::{self, Step};
use liaison_app::{App, Config, Error, org};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_domain::case::{Channel, Level, Rating, TrackingCode};
use liaison_domain::clock::OffsetClock;
use liaison_domain::ids::CaseId;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::RosterKind;
use liaison_testkit::{Backend, REGIONS, TestDb, fresh_db, on_both_backends};
use std::sync::Arc;

fn who(role: Role, scope: &str, county: &str) -> Principal {
    Principal::User(Account {
        id: 1,
        username: format!("{}-{scope}", role.as_str()),
        display_name: "测试".into(),
        county_code: county.into(),
        grants: vec![Grant::new(role, Scope::parse(scope).unwrap()).unwrap()],
    })
}

async fn app(b: Backend) -> Option<(App, Arc<OffsetClock>, TestDb)> {
    let mut t = fresh_db(b).await?;
    let data = std::env::temp_dir().join(format!("liaison-app-{}", uuid_like()));
    std::fs::create_dir_all(&data).unwrap();
    t.extra_dir = Some(data.clone());
    let mut tx = t.db.begin().await.unwrap();
    for (code, name) in REGIONS {
        liaison_store::regions::upsert(&mut tx, &RegionCode::parse(code).unwrap(), name, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
    let clock = Arc::new(OffsetClock::default());
    let app = App::new(t.db.clone(), clock.clone(), Config { data_dir: data, ..Config::default() });
    Some((app, clock, t))
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::time::SystemTime::now())
        .replace(|c: char| !c.is_ascii_alphanumeric(), "")
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

async fn a_record_is_saved_where_it_lives_and_never_moved_by_a_save(b: Backend) {
    let Some((app, _, _t)) = app(b).await else { return };
    let zs = who(Role::CountySupervisor, "region:611026", "611026");
    let za = who(Role::CountySupervisor, "region:611025", "611025");
    let station = fields(&[("slug", "renhe"), ("region", "611026001"), ("name", "仁和站"), ("kind", "联络点")]);
    assert_eq!(org::save(&app, &zs, RosterKind::Stations, &station).await.unwrap(), org::Saved::Created);
    assert_eq!(org::save(&app, &zs, RosterKind::Stations, &station).await.unwrap(), org::Saved::Updated);
    // Another county's supervisor naming the slug with their own region: a conflict, not a move.
    let hijack = fields(&[("slug", "renhe"), ("region", "611025001"), ("name", "劫持"), ("kind", "联络点")]);
    match org::save(&app, &za, RosterKind::Stations, &hijack).await {
        Err(Error::Conflict { code: "slug_elsewhere", field, .. }) => assert_eq!(field.as_deref(), Some("slug")),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Moving is the county's: a township officer is refused, the county may.
    let officer = who(Role::TownshipOfficer, "region:611026001", "611026");
    assert!(matches!(
        org::move_to(&app, &officer, org::Keyed::Station, "renhe", "611026101").await,
        Err(Error::Refused { .. })
    ));
    org::move_to(&app, &zs, org::Keyed::Station, "renhe", "611026101").await.unwrap();
    let s = liaison_app::directory::station(&app, "renhe").await.unwrap().unwrap();
    assert_eq!((s.data.county_code.as_str(), s.data.region_code.as_str()), ("611026", "611026101"));
    // Unknown fields and bad values name their field.
    let bad = fields(&[("slug", "x1"), ("region", "611026001"), ("name", "站"), ("kind", "联络点"), ("colour", "红")]);
    assert!(matches!(
        org::save(&app, &zs, RosterKind::Stations, &bad).await,
        Err(Error::Invalid { code: "unknown_field", .. })
    ));
}

async fn a_case_goes_round_the_loop_through_the_use_cases(b: Backend) {
    let Some((app, _, _t)) = app(b).await else { return };
    let zs = who(Role::CountySupervisor, "region:611026", "611026");
    for (kind, f) in [
        (
            RosterKind::Stations,
            fields(&[("slug", "renhe"), ("region", "611026001"), ("name", "仁和站"), ("kind", "联络点")]),
        ),
        (
            RosterKind::Agencies,
            fields(&[("slug", "zs-roads"), ("region", "611026"), ("name", "交通局"), ("kind", "部门")]),
        ),
    ] {
        org::save(&app, &zs, kind, &f).await.unwrap();
    }
    // A constituent writes; the same key and body again gives the same case.
    let p = cases::PublicCase {
        station: Some("renhe".into()),
        title: "路灯不亮".into(),
        content: "村口路灯坏了一个月。".into(),
        contact_phone: Some("13900001111".into()),
        ..Default::default()
    };
    let (row, created) =
        cases::submit(&app, p.clone(), Channel::Qr, vec![], Some("key-00000001".into())).await.unwrap();
    assert!(created);
    let (again, created) =
        cases::submit(&app, p.clone(), Channel::Qr, vec![], Some("key-00000001".into())).await.unwrap();
    assert_eq!((again.id, created), (row.id, false));
    let other = cases::PublicCase { content: "另一件事。".into(), ..p };
    assert!(matches!(
        cases::submit(&app, other, Channel::Qr, vec![], Some("key-00000001".into())).await,
        Err(Error::Invalid { code: "idempotency_key_reused", .. })
    ));
    // Staff handle it; a foreign county may not.
    let za = who(Role::CountySupervisor, "region:611025", "611025");
    let triage = || Step::Triage { level: Level::County, category: None, note: String::new() };
    assert!(matches!(cases::act(&app, &za, CaseId(row.id), triage()).await, Err(Error::Refused { .. })));
    cases::act(&app, &zs, CaseId(row.id), triage()).await.unwrap();
    let assign = Step::Assign { lead: "zs-roads".into(), assisting: vec![], note: String::new() };
    cases::act(&app, &zs, CaseId(row.id), assign).await.unwrap();
    let roads = who(Role::AgencyHandler, "agency:zs-roads", "611026");
    cases::act(&app, &roads, CaseId(row.id), Step::RecordResult { result: "已修复".into() }).await.unwrap();
    cases::act(&app, &zs, CaseId(row.id), Step::PublishReply { reply: "已修复，感谢反映".into() }).await.unwrap();
    let code = TrackingCode::parse(row.tracking_code.as_deref().unwrap()).unwrap();
    let closed = cases::survey(&app, &code, Rating::Satisfied, String::new()).await.unwrap();
    assert_eq!(closed.status, "closed");
    let (_, _, timeline) = cases::by_code(&app, &code).await.unwrap();
    let steps: Vec<&str> = timeline.iter().map(|e| e.command.as_str()).collect();
    // The agency's own result is an internal step: the public timeline shows the reply.
    assert_eq!(steps, ["receive", "triage", "assign", "publish_reply", "survey"]);
    // The inbox of the foreign county does not hold it.
    assert!(cases::inbox(&app, &za, &Default::default()).await.unwrap().rows.is_empty());
    assert_eq!(cases::inbox(&app, &zs, &Default::default()).await.unwrap().total, 1);

    // The staff statistics page takes the counts out of the report; they agree with the counts
    // read from the tallies, and with the cases: one closed and satisfied, one waiting at the
    // township, one not yet looked at.
    for (title, level) in [("井盖缺失", Some(Level::Township)), ("噪音扰民", None)] {
        let p = cases::PublicCase {
            station: Some("renhe".into()),
            title: title.into(),
            content: format!("{title}，请处理。"),
            contact_phone: Some("13900002222".into()),
            ..Default::default()
        };
        let (row, _) = cases::submit(&app, p, Channel::Online, vec![], None).await.unwrap();
        if let Some(level) = level {
            let step = Step::Triage { level, category: None, note: String::new() };
            cases::act(&app, &zs, CaseId(row.id), step).await.unwrap();
        }
    }
    let today = app.today().to_string();
    let q = cases::StatsQuery {
        region: Some("611026".into()),
        from: Some(today.clone()),
        to: Some(today.clone()),
        ..Default::default()
    };
    let read = cases::stats(&app, &zs, &q).await.unwrap();
    let asked = liaison_app::statistics::Query {
        region: q.region.clone(),
        station: None,
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let (report, derived) = cases::stats::with_report(&app, &zs, &asked).await.unwrap();
    assert_eq!(report.received.received, 3);
    assert_eq!(read.counts.total, 3);
    let shape = |s: &cases::Stats| {
        let c = &s.counts;
        (
            c.by_status.clone(),
            c.by_channel.clone(),
            c.by_category.clone(),
            c.by_level.clone(),
            c.by_rating.clone(),
            c.overdue,
            c.total,
        )
    };
    assert_eq!(shape(&derived), shape(&read));
    assert_eq!(derived.figures, read.figures);
    assert_eq!(derived.counts.by_level, [("".to_owned(), 1), ("county".to_owned(), 1), ("township".to_owned(), 1)]);
    assert_eq!(derived.counts.by_rating, [("".to_owned(), 2), ("satisfied".to_owned(), 1)]);
    // Another county's supervisor is refused both.
    assert!(matches!(cases::stats::with_report(&app, &za, &asked).await, Err(Error::Refused { .. })));
}

async fn accounts_refuse_common_passwords_and_answer_failures_alike(b: Backend) {
    let Some((app, _, _t)) = app(b).await else { return };
    let admin = who(Role::SystemAdmin, "region:611026", "611026");
    let new = |pw: &str| liaison_app::accounts::NewUser {
        username: "clerk".into(),
        display_name: "办事员".into(),
        password: pw.into(),
        role: "township_officer".into(),
        scope: "region:611026001".into(),
        county: None,
    };
    assert!(matches!(
        liaison_app::accounts::create(&app, &admin, &new("Password123")).await,
        Err(Error::Invalid { code: "common_password", .. })
    ));
    let foreign = who(Role::SystemAdmin, "region:611025", "611025");
    assert!(matches!(
        liaison_app::accounts::create(&app, &foreign, &new("mv8-Kq2z-Lp4x")).await,
        Err(Error::Refused { .. })
    ));
    liaison_app::accounts::create(&app, &admin, &new("mv8-Kq2z-Lp4x")).await.unwrap();
    use liaison_app::accounts::{LoginError, login};
    assert!(matches!(login(&app, "clerk", "wrong-password-1", "bearer").await, Err(LoginError::BadCredentials)));
    assert!(matches!(login(&app, "nobody", "wrong-password-1", "bearer").await, Err(LoginError::BadCredentials)));
    let token = login(&app, "clerk", "mv8-Kq2z-Lp4x", "bearer").await.unwrap();
    let session = liaison_app::accounts::resolve(&app, &token, "bearer").await.unwrap().unwrap();
    assert_eq!(session.principal.actor(), "clerk");
    assert!(liaison_app::accounts::resolve(&app, &token, "cookie").await.unwrap().is_none(), "kinds do not mix");
}

on_both_backends!(
    a_record_is_saved_where_it_lives_and_never_moved_by_a_save,
    a_case_goes_round_the_loop_through_the_use_cases,
    accounts_refuse_common_passwords_and_answer_failures_alike,
);
