//! Staff search while cases pour in: answered from the committed index plus the cases changed
//! since its last commit, without committing the index, and still finding what was written a
//! moment ago — new cases, and cases whose words or status just changed.

use liaison_app::cases::{self, Step};
use liaison_app::{App, Config, org};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_domain::case::CaseStatus;
use liaison_domain::case::{Channel, Level};
use liaison_domain::case_list::{ListQuery, Lookup, Sort};
use liaison_domain::ids::CaseId;
use liaison_domain::region::RegionCode;
use liaison_domain::roster::RosterKind;
use liaison_testkit::{Backend, REGIONS, fresh_db, on_both_backends};
use std::sync::Arc;

fn supervisor() -> Principal {
    Principal::User(Account {
        id: 1,
        username: "sup".into(),
        display_name: "测试".into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(Role::CountySupervisor, Scope::parse("region:611026").unwrap()).unwrap()],
    })
}

async fn submit(app: &App, title: &str, content: &str) -> i64 {
    let p = cases::PublicCase {
        station: Some("renhe".into()),
        title: title.into(),
        content: content.into(),
        ..Default::default()
    };
    cases::submit(app, p, Channel::Qr, vec![], None).await.unwrap().0.id
}

/// Ids a staff search of the county for `words` lists, with these statuses, newest first. The
/// total must be the number of rows (one page holds them all here).
async fn found(app: &App, words: &[&str], statuses: &[&str]) -> Option<Vec<i64>> {
    let (total, ids) = page(app, words, statuses, 1, 50).await;
    assert_eq!(total, ids.len() as i64, "the total of {words:?} {statuses:?} counts the rows: {ids:?}");
    Some(ids)
}

/// The total and the ids of one page of a search.
async fn page(app: &App, words: &[&str], statuses: &[&str], page: u32, per_page: u32) -> (i64, Vec<i64>) {
    let q = ListQuery {
        lookup: Some(Lookup::Words(words.iter().map(|w| (*w).to_owned()).collect())),
        statuses: statuses.iter().map(|s| CaseStatus::parse(s).expect("a status")).collect(),
        sort: Some(Sort::Newest),
        page,
        per_page,
        ..ListQuery::default()
    };
    let listing = cases::inbox(app, &supervisor(), &q).await.expect("the list");
    assert!(!listing.search_capped);
    (listing.total, listing.rows.into_iter().map(|r| r.id).collect())
}

async fn search_finds_fresh_changes_without_committing(b: Backend) {
    let Some(mut t) = fresh_db(b).await else { return };
    let data = std::env::temp_dir().join(format!("liaison-app-search-{}", std::process::id()));
    let data = data.with_extension(format!("{:?}", b));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    t.extra_dir = Some(data.clone());
    let mut tx = t.db.begin().await.unwrap();
    for (code, name) in REGIONS {
        liaison_store::regions::upsert(&mut tx, &RegionCode::parse(code).unwrap(), name, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
    let clock = Arc::new(liaison_domain::clock::OffsetClock::default());
    let app = App::new(t.db.clone(), clock, Config { data_dir: data, ..Config::default() });
    let zs = supervisor();
    let station = [("slug", "renhe"), ("region", "611026001"), ("name", "仁和站"), ("kind", "联络点")];
    let agency = [("slug", "zs-roads"), ("region", "611026"), ("name", "交通局"), ("kind", "部门")];
    for (kind, f) in [(RosterKind::Stations, &station), (RosterKind::Agencies, &agency)] {
        let f: Vec<(String, String)> = f.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        org::save(&app, &zs, kind, &f).await.unwrap();
    }
    let old = submit(&app, "村口路灯不亮", "两盏路灯坏了一个多月。").await;
    // The index, opened without its follower: only this test commits it.
    app.open_search(None);
    let index = app.search_index().expect("the index opens").clone();
    index.sync(&t.db).await.unwrap();
    assert!(index.ready());
    assert_eq!(found(&app, &["路灯"], &[]).await, Some(vec![old]));
    let commits = index.commits();
    let searches = index.searches();

    // A case written a moment ago is found at once, newest first, and the search commits nothing.
    let new = submit(&app, "LED路灯闪烁", "小学门口的路灯一闪一闪。").await;
    assert_eq!(found(&app, &["路灯"], &[]).await, Some(vec![new, old]));
    assert_eq!(found(&app, &["led"], &[]).await, Some(vec![new]), "letter case is ignored");
    assert_eq!(found(&app, &["小学门口"], &[]).await, Some(vec![new]));
    assert_eq!(found(&app, &["减速带"], &[]).await, Some(vec![]));
    // Pages of one: the total is every match, each page the next one.
    assert_eq!(page(&app, &["路灯"], &[], 1, 1).await, (2, vec![new]));
    assert_eq!(page(&app, &["路灯"], &[], 2, 1).await, (2, vec![old]));
    assert_eq!(page(&app, &["路灯"], &[], 3, 1).await, (2, vec![]));
    // A word's pairs of characters apart are not the word, neither among the changed cases nor
    // (below) in the committed index; a word with punctuation in it is filtered in SQL.
    let apart = submit(&app, "请减速慢行", "学校门口车速太快，速带孩子过马路的家长很担心，路灯也暗。").await;
    assert_eq!(found(&app, &["减速带"], &[]).await, Some(vec![]));
    assert_eq!(found(&app, &["路灯", "车速"], &[]).await, Some(vec![apart]));
    assert_eq!(found(&app, &["车速太快，速带"], &[]).await, Some(vec![apart]));
    // A case indexed before whose status and words just changed: found by its new status and
    // its new words, no longer by its old status.
    cases::act(&app, &zs, CaseId(old), Step::Triage { level: Level::County, category: None, note: String::new() })
        .await
        .unwrap();
    let assign = Step::Assign { lead: "zs-roads".into(), assisting: vec![], note: String::new() };
    cases::act(&app, &zs, CaseId(old), assign).await.unwrap();
    let roads = Principal::User(Account {
        id: 2,
        username: "roads".into(),
        display_name: "交通".into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(Role::AgencyHandler, Scope::parse("agency:zs-roads").unwrap()).unwrap()],
    });
    cases::act(&app, &roads, CaseId(old), Step::RecordResult { result: "已更换灯泡".into() }).await.unwrap();
    assert_eq!(found(&app, &["灯泡"], &[]).await, Some(vec![old]));
    assert_eq!(found(&app, &["路灯"], &["handled"]).await, Some(vec![old]));
    assert_eq!(found(&app, &["路灯"], &["received"]).await, Some(vec![apart, new]));
    assert_eq!(index.commits(), commits, "searching committed nothing");
    assert!(index.searches() > searches, "the index answered");

    // Once the index has caught up, the same answers come from it alone.
    index.sync(&t.db).await.unwrap();
    assert_eq!(index.pending().seen, liaison_store::cases::last_event_id(&t.db).await.unwrap());
    assert_eq!(found(&app, &["路灯"], &[]).await, Some(vec![apart, new, old]));
    assert_eq!(found(&app, &["路灯"], &["handled"]).await, Some(vec![old]));
    assert_eq!(found(&app, &["减速带"], &[]).await, Some(vec![]));
    assert_eq!(found(&app, &["车速太快，速带"], &[]).await, Some(vec![apart]));
    assert_eq!(page(&app, &["路灯"], &["received"], 2, 1).await, (2, vec![new]));
    drop(index);
}

on_both_backends!(search_finds_fresh_changes_without_committing);
