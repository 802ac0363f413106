//! The storage contract: every behaviour the app relies on, run against SQLite and PostgreSQL.

use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Grant, Role, Scope};
use liaison_domain::region::RegionCode;
use liaison_store::{Db, StoreError, audit, cases, regions, sessions, users};
use liaison_testkit::{Backend, fresh_db, on_both_backends};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn event(county: &str, n: usize) -> AuditEvent {
    AuditEvent {
        county_code: county.into(),
        actor: "tester".into(),
        action: "test.event".into(),
        target: format!("thing:{n}"),
        summary: format!("第 {n} 条"),
    }
}

async fn seed_regions(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    for c in ["61", "6110", "611026", "611026001", "611025"] {
        regions::upsert(&mut tx, &code(c), c, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn migrations_are_idempotent(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    t.db.migrate().await.unwrap();
    let again = Db::connect(&t.url).await.unwrap();
    assert!(again.ping().await);
}

async fn regions_tree(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let mut tx = db.begin().await.unwrap();
    let r = regions::insert(&mut tx, &code("611026101"), "下梁镇", 1).await.unwrap();
    assert_eq!(r.parent_code.as_deref(), Some("611026"));
    assert_eq!(r.county_code, "611026");
    tx.commit().await.unwrap();
    // A failed statement spoils its transaction on PostgreSQL: each refusal gets its own.
    let mut tx = db.begin().await.unwrap();
    assert!(matches!(regions::insert(&mut tx, &code("611026101"), "重复", 1).await, Err(StoreError::Conflict(_))));
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    assert!(matches!(regions::insert(&mut tx, &code("611026201001"), "无上级", 1).await, Err(StoreError::NotFound)));
    drop(tx);
    let kids: Vec<_> =
        regions::children(db, Some(&code("611026"))).await.unwrap().into_iter().map(|r| r.code).collect();
    assert_eq!(kids, vec!["611026001", "611026101"]);
    let top: Vec<_> = regions::children(db, None).await.unwrap().into_iter().map(|r| r.code).collect();
    assert_eq!(top, vec!["61"]);
    assert_eq!(regions::subtree(db, &code("6110")).await.unwrap().len(), 5);
    assert_eq!(regions::get(db, &code("611026001")).await.unwrap().unwrap().level, "township");
}

async fn users_grants_and_lockout(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    let grant = Grant::new(Role::StationStaff, Scope::parse("station:qianyou-renhe").unwrap()).unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &users::NewUser {
            county_code: "611026",
            username: "renhe",
            display_name: "联络员",
            password_hash: "h",
            grants: std::slice::from_ref(&grant),
        },
        5,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let dup = users::create(
        &mut tx,
        &users::NewUser {
            county_code: "611026",
            username: "renhe",
            display_name: "x",
            password_hash: "h",
            grants: &[],
        },
        5,
    )
    .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    drop(tx);
    let account = users::load_account(db, id).await.unwrap().unwrap();
    assert_eq!(account.grants, vec![grant]);
    let mut tx = db.begin().await.unwrap();
    for i in 1..=4 {
        assert_eq!(users::record_failure(&mut tx, id, 5, 999).await.unwrap(), None, "failure {i}");
    }
    assert_eq!(users::record_failure(&mut tx, id, 5, 999).await.unwrap(), Some(999));
    tx.commit().await.unwrap();
    assert_eq!(users::find_by_username(db, "renhe").await.unwrap().unwrap().locked_until, Some(999));
    let mut tx = db.begin().await.unwrap();
    users::clear_failures(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    let row = users::find_by_username(db, "renhe").await.unwrap().unwrap();
    assert_eq!((row.locked_until, row.failed_logins), (None, 0));
    assert_eq!(users::list(db, "611026").await.unwrap().len(), 1);
    assert_eq!(users::list(db, "611025").await.unwrap().len(), 0);
}

async fn sessions_lifecycle(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    let mut tx = db.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &users::NewUser { county_code: "611026", username: "u1", display_name: "u", password_hash: "h", grants: &[] },
        0,
    )
    .await
    .unwrap();
    sessions::create(&mut tx, "hash-a", "611026", id, "bearer", "csrf-a", 1_000).await.unwrap();
    sessions::create(&mut tx, "hash-b", "611026", id, "cookie", "csrf-b", 1_000).await.unwrap();
    tx.commit().await.unwrap();
    sessions::touch(db, "hash-a", 50_000).await.unwrap();
    let s = sessions::find(db, "hash-a").await.unwrap().unwrap();
    assert_eq!((s.user_id, s.kind.as_str(), s.last_seen_at), (id, "bearer", 50_000));
    assert_eq!(sessions::delete_idle(db, 10_000, 0).await.unwrap(), 1);
    assert!(sessions::find(db, "hash-b").await.unwrap().is_none());
    let mut tx = db.begin().await.unwrap();
    assert!(sessions::delete(&mut tx, "hash-a").await.unwrap());
    assert!(!sessions::delete(&mut tx, "hash-a").await.unwrap());
    tx.commit().await.unwrap();
}

async fn audit_chain_appends_and_verifies(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    for n in 0..5 {
        audit::record(db, &event("611026", n), 100 + n as i64).await.unwrap();
    }
    audit::record(db, &event("611025", 9), 200).await.unwrap();
    let v = audit::verify_all(db, &[]).await.unwrap();
    assert_eq!((v.chains, v.entries, v.breaks.len()), (2, 6, 0));
    let page = audit::list(db, &audit::Filter { county_prefix: "611026".into(), limit: 3, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 4, 3]);
    let only = audit::list(
        db,
        &audit::Filter {
            county_prefix: "6110".into(),
            action: Some("test.".into()),
            from_ms: Some(200),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(only.len(), 1);
    // A batch interleaving counties continues each chain in order.
    let mut tx = db.begin().await.unwrap();
    let batch = [event("611026", 20), event("611025", 21), event("611026", 22), event("611024", 23)];
    let got = audit::append_many(&mut tx, &batch, 300).await.unwrap();
    tx.commit().await.unwrap();
    let seqs: Vec<_> = got.iter().map(|e| (e.county_code.as_str(), e.seq)).collect();
    assert_eq!(seqs, [("611026", 6), ("611025", 2), ("611026", 7), ("611024", 1)]);
    assert_eq!(got[2].prev_hash, got[0].hash);
    let v = audit::verify_all(db, &[]).await.unwrap();
    assert_eq!((v.chains, v.entries, v.breaks.len()), (3, 10, 0));
    for n in 0..5 {
        audit::record(db, &event("611026", 30 + n), 400).await.unwrap();
    }
    assert_eq!(audit::verify_all(db, &[]).await.unwrap().breaks.len(), 0);
}

async fn audit_log_refuses_updates(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    audit::record(db, &event("611026", 1), 1).await.unwrap();
    let url = t.url.clone();
    let refused = match b {
        Backend::Sqlite => {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("UPDATE audit_log SET summary = 'x'").execute(&mut c).await.is_err()
                && sqlx::query("DELETE FROM audit_log").execute(&mut c).await.is_err()
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("UPDATE audit_log SET summary = 'x'").execute(&mut c).await.is_err()
                && sqlx::query("DELETE FROM audit_log").execute(&mut c).await.is_err()
        }
    };
    assert!(refused, "the audit log must be append-only");
}

async fn concurrent_audit_appends_keep_one_chain(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let mut tasks = Vec::new();
    for n in 0..24 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move { audit::record(&db, &event("611026", n), n as i64).await.unwrap().seq }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=24).collect::<Vec<_>>());
    let v = audit::verify_all(&t.db, &[]).await.unwrap();
    assert!(v.breaks.is_empty(), "{:?}", v.breaks);
}

fn new_case<'a>(
    region: &'a RegionCode,
    station: Option<&'a str>,
    deputy: Option<&'a str>,
    code: &'a str,
) -> cases::NewCase<'a> {
    cases::NewCase {
        region,
        station_ref: station,
        deputy_ref: deputy,
        title: "路灯",
        content: "路灯不亮",
        channel: "qr",
        category: "其他",
        location: "",
        contact_name: "",
        contact_phone: "13800001111",
        anonymous: false,
        publish_consent: false,
        sms_notices: true,
        tracking_code: code,
        first_reply_due: None,
        created_by: "constituent",
    }
}

async fn cases_by_reach_timeline_and_keys(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let here = code("611026001");
    let there = code("611025");
    let mut tx = db.begin().await.unwrap();
    let a = cases::insert(&mut tx, &new_case(&here, Some("renhe"), Some("wang-fang"), "AAAAA22222"), 10).await.unwrap();
    cases::remember_idempotency_keys(&mut tx, &[("key-0001", "611026", a, "h1")], 10).await.unwrap();
    // A batch: one statement for its cases, one for their events; rows come back in order.
    let batch = [
        new_case(&here, Some("renhe"), None, "CCCCC44444"),
        new_case(&there, None, None, "DDDDD55555"),
        new_case(&here, None, Some("wang-fang"), "EEEEE66666"),
    ];
    let rows = cases::insert_many(&mut tx, &batch, 15).await.unwrap();
    let codes: Vec<_> = rows.iter().map(|r| r.tracking_code.clone().unwrap()).collect();
    assert_eq!(codes, ["CCCCC44444", "DDDDD55555", "EEEEE66666"]);
    assert_eq!((rows[1].county_code.as_str(), rows[1].status.as_str(), rows[1].created_at), ("611025", "received", 15));
    let seen = cases::by_idempotency_keys(&mut tx, &["key-0001", "key-never"]).await.unwrap();
    assert_eq!(seen, vec![("key-0001".to_string(), a, "h1".to_string())]);
    drop(tx); // rolled back
    let mut tx = db.begin().await.unwrap();
    let a = cases::insert(&mut tx, &new_case(&here, Some("renhe"), Some("wang-fang"), "AAAAA22222"), 10).await.unwrap();
    let b_id = cases::insert(&mut tx, &new_case(&there, None, None, "BBBBB33333"), 20).await.unwrap();
    cases::remember_idempotency_keys(&mut tx, &[("key-0001", "611026", a, "h1")], 10).await.unwrap();
    tx.commit().await.unwrap();
    // The lead agency is set by assignment; assisting agencies read too.
    let mut tx = db.begin().await.unwrap();
    let mut row = cases::get_tx(&mut tx, b_id).await.unwrap().unwrap();
    row.agency_ref = Some("za-water".into());
    row.assist_agencies = "za-power,za-roads".into();
    row.status = "assigned".into();
    cases::save(&mut tx, &row, 30).await.unwrap();
    tx.commit().await.unwrap();
    let got = cases::get(db, a).await.unwrap().unwrap();
    assert_eq!((got.county_code.as_str(), got.status.as_str(), got.round), ("611026", "received", 1));
    assert_eq!(got.location().unwrap().deputy.as_deref(), Some("wang-fang"));
    assert_eq!(cases::by_tracking_code(db, "AAAAA22222").await.unwrap().unwrap().id, a);
    assert_eq!(cases::codes_by_phone(db, "13800001111").await.unwrap().len(), 2);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(cases::by_idempotency_key(&mut tx, "key-0001").await.unwrap(), Some((a, "h1".to_string())));
    assert!(matches!(
        cases::remember_idempotency_keys(&mut tx, &[("key-0001", "611026", b_id, "h2")], 11).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let timeline = cases::events(db, a, true).await.unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].command, "receive");
    let ids = |rows: Vec<cases::CaseRow>| rows.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let all = cases::ListFilter::default();
    async fn list(db: &Db, reach: &cases::Reach<'_>, f: &cases::ListFilter) -> Vec<cases::CaseRow> {
        cases::list_rows(db, reach, f, cases::ListSort::CreatedDesc, 0, 10).await.unwrap()
    }
    let county = ["611026".to_string()];
    let reach = cases::Reach { region_prefixes: &county, stations: &[], agencies: &[], deputies: &[] };
    assert_eq!(ids(list(db, &reach, &all).await), vec![a]);
    assert_eq!(cases::list_count(db, &reach, &all).await.unwrap(), 1);
    let nothing = cases::Reach { region_prefixes: &[], stations: &[], agencies: &[], deputies: &[] };
    assert!(list(db, &nothing, &all).await.is_empty());
    assert_eq!(cases::list_count(db, &nothing, &all).await.unwrap(), 0);
    for agency in ["za-water", "za-roads"] {
        let agencies = [agency.to_string()];
        let reach = cases::Reach { region_prefixes: &[], stations: &[], agencies: &agencies, deputies: &[] };
        assert_eq!(ids(list(db, &reach, &all).await), vec![b_id], "{agency}");
        assert_eq!(cases::list_count(db, &reach, &all).await.unwrap(), 1, "{agency}");
    }
    let part = ["za-road".to_string()];
    let reach = cases::Reach { region_prefixes: &[], stations: &[], agencies: &part, deputies: &[] };
    assert!(list(db, &reach, &all).await.is_empty(), "a slug that begins another one is another agency");
    let only_assigned = cases::ListFilter { statuses: vec!["assigned".into()], ..Default::default() };
    let both = ["611026".to_string(), "611025".to_string()];
    let reach = cases::Reach { region_prefixes: &both, stations: &[], agencies: &[], deputies: &[] };
    assert_eq!(ids(list(db, &reach, &only_assigned).await), vec![b_id]);
    assert_eq!(cases::list_count(db, &reach, &only_assigned).await.unwrap(), 1);
    // A foreign key keeps cases on known regions.
    let mut tx = db.begin().await.unwrap();
    let unknown = code("611026777");
    let r = cases::insert(&mut tx, &new_case(&unknown, None, None, "CCCCC44444"), 1).await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
}

/// The tallies the dashboard reads agree with counting the cases, whatever happened to them and
/// whatever the period, and a rebuild gives the same.
async fn tallies_agree_with_the_cases(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let mut tx = db.begin().await.unwrap();
    regions::upsert(&mut tx, &code("611026100"), "611026100", 0).await.unwrap();
    tx.commit().await.unwrap();
    let places = [code("611026001"), code("611026100"), code("611025")];
    let day_ms = 86_400_000i64;
    // 2025-12-30 16:30 UTC is 2025-12-31 00:30 in China: the first cases straddle a year.
    let start = 1_767_112_200_000i64;
    let mut ids = Vec::new();
    for i in 0..40usize {
        let tracking = liaison_domain::case::TrackingCode::generate();
        let mut n = new_case(&places[i % 3], None, None, tracking.as_str());
        n.category = ["道路交通", "生态环境", "其他"][i % 3];
        n.channel = ["qr", "station", "hotline"][i % 2];
        let mut tx = db.begin().await.unwrap();
        let rows = cases::insert_many(&mut tx, &[n], start + (i as i64) * 3 * day_ms + (i as i64 % 5) * 3_600_000)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.push(rows[0].id);
    }
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        let mut tx = db.begin().await.unwrap();
        let mut row = cases::get_tx(&mut tx, *id).await.unwrap().unwrap();
        row.status = ["assigned", "closed", "merged", "replied"][i % 4].into();
        row.level = Some(if i % 3 == 0 { "county" } else { "township" }.into());
        row.overdue = i % 6 == 0;
        row.rating = (i % 4 == 1).then(|| "satisfied".into());
        if i % 8 == 0 {
            row.category = "社会治理".into();
            row.region_code = "611026100".into();
            row.county_code = "611026".into();
        }
        cases::save(&mut tx, &row, 5).await.unwrap();
        tx.commit().await.unwrap();
    }
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let periods = [
        ("2025-01-01", "2026-12-31"),
        ("2025-12-31", "2025-12-31"),
        ("2026-01-01", "2026-03-31"),
        ("2026-01-15", "2026-03-10"),
        ("2026-01-20", "2026-01-25"),
        ("2025-12-15", "2026-02-28"),
        ("2026-02-01", "2026-04-30"),
        ("2026-03-02", "2026-02-01"),
    ];
    let check = |label: &'static str| async move {
        for prefix in ["61", "6110", "611026", "611026001", "611026100", "611025"] {
            for (from, to) in periods {
                let tallied = cases::counts(db, prefix, None, d(from), d(to)).await.unwrap();
                let scanned = cases::counts_by_scan(db, prefix, None, d(from), d(to)).await.unwrap();
                assert_eq!(format!("{tallied:?}"), format!("{scanned:?}"), "{label}: {prefix} {from}..{to}");
            }
        }
    };
    check("maintained").await;
    let all = cases::counts(db, "611026", None, d("2025-01-01"), d("2026-12-31")).await.unwrap();
    assert_eq!(all.total, 29, "27 received here, two moved in from the next county");
    assert!(all.overdue > 0 && !all.by_rating.is_empty());
    cases::rebuild_tallies(db).await.unwrap();
    check("rebuilt").await;
}

async fn names_by_key_in_batches(b: Backend) {
    use liaison_store::names::{self, Named};
    use liaison_store::org;
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let two = [
        Grant::new(Role::StationStaff, Scope::parse("station:renhe").unwrap()).unwrap(),
        Grant::new(Role::Deputy, Scope::parse("deputy:wang-fang").unwrap()).unwrap(),
    ];
    let mut tx = db.begin().await.unwrap();
    for (username, display, grants) in [("renhe", "仁和联络员", &two[..]), ("lonely", "无授权", &[][..])] {
        let u = users::NewUser { county_code: "611026", username, display_name: display, password_hash: "h", grants };
        users::create(&mut tx, &u, 1).await.unwrap();
    }
    let agency = org::AgencyData {
        slug: "zs-transport".into(),
        county_code: "611026".into(),
        region_code: "611026".into(),
        name: "柞水县交通运输局".into(),
        kind: "部门".into(),
        phone: String::new(),
    };
    let (id, _) = org::upsert_agency(&mut tx, &agency, 1).await.unwrap();
    org::set_agency_active(&mut tx, id, false, 2).await.unwrap();
    tx.commit().await.unwrap();
    let wanted: Vec<String> = ["renhe", "lonely", "nobody"].map(str::to_owned).to_vec();
    let mut found = names::accounts(db, &wanted).await.unwrap();
    found.sort_by(|a, b| a.username.cmp(&b.username));
    assert_eq!(found.len(), 2, "unknown accounts are left out");
    assert_eq!((found[0].username.as_str(), found[0].grants.len()), ("lonely", 0));
    assert_eq!(found[1].display_name, "仁和联络员");
    assert_eq!(
        found[1].grants,
        vec![
            ("station_staff".to_owned(), "station".to_owned(), "renhe".to_owned()),
            ("deputy".to_owned(), "deputy".to_owned(), "wang-fang".to_owned())
        ]
    );
    // More keys than one statement binds, most of them unknown.
    let mut codes: Vec<String> = (0..1200).map(|i| format!("611026{i:03}")).collect();
    codes.push("611026".into());
    let mut regions = names::names(db, Named::Region, &codes).await.unwrap();
    regions.sort();
    assert_eq!(
        regions,
        vec![("611026".to_owned(), "611026".to_owned()), ("611026001".to_owned(), "611026001".to_owned())]
    );
    let agencies = names::names(db, Named::Agency, &["zs-transport".to_owned()]).await.unwrap();
    assert_eq!(agencies, vec![("zs-transport".to_owned(), "柞水县交通运输局".to_owned())], "inactive keeps its name");
    assert!(names::names(db, Named::Station, &["renhe".to_owned()]).await.unwrap().is_empty());
}

on_both_backends!(
    names_by_key_in_batches,
    tallies_agree_with_the_cases,
    migrations_are_idempotent,
    regions_tree,
    users_grants_and_lockout,
    sessions_lifecycle,
    audit_chain_appends_and_verifies,
    audit_log_refuses_updates,
    concurrent_audit_appends_keep_one_chain,
    cases_by_reach_timeline_and_keys,
);

mod leases_on_both {
    use super::*;
    use liaison_store::leases;

    async fn one_holder_at_a_time(b: Backend) {
        let Some(t) = fresh_db(b).await else { return };
        assert!(leases::acquire(&t.db, "sweep", "a", 1_000, 100).await.unwrap());
        assert!(!leases::acquire(&t.db, "sweep", "b", 1_050, 100).await.unwrap(), "held by a");
        assert!(leases::acquire(&t.db, "sweep", "a", 1_050, 100).await.unwrap(), "a renews");
        assert!(leases::acquire(&t.db, "sweep", "b", 1_200, 100).await.unwrap(), "expired, b takes it");
    }

    liaison_testkit::on_both_backends!(one_holder_at_a_time);
}

#[path = "contract/lists.rs"]
mod lists;

mod lists_on_both {
    use super::lists::{a_long_inbox_pages_to_its_oldest, lists_agree_with_a_plain_reading};
    liaison_testkit::on_both_backends!(lists_agree_with_a_plain_reading, a_long_inbox_pages_to_its_oldest);
}
