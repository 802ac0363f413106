//! The search index against real databases: built from the cases table, kept up to date from
//! the case timeline, scoped like the case lists, reopened from disk, and patient with
//! transactions still in flight on PostgreSQL.

use liaison_domain::region::RegionCode;
use liaison_search::{CaseIndex, SearchQuery};
use liaison_store::{Db, cases, regions};
use liaison_testkit::{Backend, TestDb, fresh_db, on_both_backends};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn seed_regions(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    for c in ["61", "6110", "611026", "611026001", "611026100", "611025"] {
        regions::upsert(&mut tx, &code(c), c, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn new_case<'a>(
    region: &'a RegionCode,
    station: Option<&'a str>,
    title: &'a str,
    content: &'a str,
    tracking_code: &'a str,
) -> cases::NewCase<'a> {
    cases::NewCase {
        region,
        station_ref: station,
        deputy_ref: None,
        title,
        content,
        channel: "qr",
        category: "其他",
        location: "",
        contact_name: "",
        contact_phone: "",
        anonymous: false,
        publish_consent: false,
        sms_notices: true,
        tracking_code,
        first_reply_due: None,
        created_by: "test",
    }
}

async fn add(db: &Db, region: &str, station: Option<&str>, title: &str, content: &str, at: i64) -> i64 {
    let region = code(region);
    let tracking = liaison_domain::case::TrackingCode::generate();
    let mut tx = db.begin().await.unwrap();
    let id = cases::insert(&mut tx, &new_case(&region, station, title, content, tracking.as_str()), at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// One step on a case, as a staff step takes it: the row edited and saved, the step appended.
/// Returns the row and the step's (event id, case id).
async fn change(
    db: &Db,
    id: i64,
    command: &str,
    at: i64,
    edit: impl FnOnce(&mut cases::CaseRow),
) -> (cases::CaseRow, (i64, i64)) {
    let mut tx = db.begin().await.unwrap();
    let mut row = cases::get_tx(&mut tx, id).await.unwrap().unwrap();
    let from = row.status.clone();
    edit(&mut row);
    cases::save(&mut tx, &row, at).await.unwrap();
    let event = cases::Event {
        county_code: "611026",
        case_id: id,
        actor: "test",
        command,
        from: Some(&from),
        to: &row.status,
        note: "",
        public: true,
    };
    let step = cases::add_event(&mut tx, &event, at).await.unwrap();
    tx.commit().await.unwrap();
    (row, step)
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

async fn find(index: &CaseIndex, words: &[String], regions: &[String], stations: &[String]) -> Vec<i64> {
    let q = SearchQuery { words, region_prefixes: regions, stations, limit: 50, ..Default::default() };
    index.search(&q).await.unwrap().expect("the index answers")
}

async fn builds_follows_and_scopes(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let dir = tempdir();
    // Cases written before the index existed are found once it is built.
    let lamp = add(db, "611026001", Some("renhe"), "村口路灯不亮", "两盏路灯坏了一个多月", 100).await;
    let bump = add(db, "611026100", None, "学校门口缺减速带", "上下学车速快", 200).await;
    let other = add(db, "611025", None, "路灯不亮", "隔壁县的路灯", 300).await;
    let index = CaseIndex::open(&dir).unwrap();
    assert!(!index.ready());
    assert_eq!(index.search(&SearchQuery { limit: 5, ..Default::default() }).await.unwrap(), None);
    // The rebuild writes the three; the catch-up after it may write them again (idempotent).
    assert!(index.sync(db).await.unwrap() >= 3);
    assert!(index.ready());
    let county = words(&["611026"]);
    assert_eq!(find(&index, &words(&["路灯"]), &county, &[]).await, vec![lamp]);
    assert_eq!(find(&index, &words(&["路灯"]), &words(&["61"]), &[]).await, vec![other, lamp]);
    assert_eq!(find(&index, &words(&["减速带"]), &county, &[]).await, vec![bump]);
    // One character, a fragment across words, letter case.
    assert_eq!(find(&index, &words(&["灯"]), &county, &[]).await, vec![lamp]);
    assert_eq!(find(&index, &words(&["门口缺"]), &county, &[]).await, vec![bump]);
    // Every word must match; a township or a station narrows.
    assert!(find(&index, &words(&["路灯", "减速带"]), &county, &[]).await.is_empty());
    assert!(find(&index, &words(&["路灯"]), &words(&["611026100"]), &[]).await.is_empty());
    assert_eq!(find(&index, &words(&["路灯"]), &[], &words(&["renhe"])).await, vec![lamp]);
    assert!(find(&index, &words(&["路灯"]), &[], &[]).await.is_empty(), "no reach, no cases");
    // A whole region code only: a partial prefix is left to SQL.
    let q =
        SearchQuery { words: &words(&["路灯"]), region_prefixes: &words(&["61102"]), limit: 5, ..Default::default() };
    assert_eq!(index.search(&q).await.unwrap(), None);

    // New cases and changed ones are followed through the timeline. Until the next sync, they
    // are what the index tells a search to read from SQL.
    let later = add(db, "611026001", None, "LED路灯闪烁", "", 400).await;
    let pending = index.pending();
    assert_eq!(pending, liaison_search::Pending { seen: index.cursor(), holes: vec![] });
    let held = &index;
    let changed = |w: &'static str| {
        let pending = pending.clone();
        async move {
            let rows = held.changed(db, &pending, &words(&[w])).await.unwrap();
            rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(changed("led").await, vec![later], "ASCII letters in any case");
    assert_eq!(changed("路灯").await, vec![later], "only the changed cases");
    assert!(changed("减速带").await.is_empty());
    assert!(changed("100%").await.is_empty(), "wildcards are literal");
    // Searches at once read the timeline at once, and each finds the new case.
    let (a, b, c) = tokio::join!(changed("路灯"), changed("led"), changed("闪烁"));
    assert_eq!([a, b, c], [vec![later], vec![later], vec![later]]);
    let (rows, ids) = index.changed_with_ids(db, &pending, &words(&["减速带"])).await.unwrap();
    assert!(rows.is_empty());
    assert_eq!(ids, vec![later], "every changed case, matching or not");
    let commits = index.commits();
    assert_eq!(index.sync(db).await.unwrap(), 1);
    assert_eq!(index.commits(), commits + 1);
    assert_eq!(index.sync(db).await.unwrap(), 0);
    assert_eq!(index.commits(), commits + 1, "nothing new, no commit");
    assert_eq!(find(&index, &words(&["led"]), &county, &[]).await, vec![later]);
    change(db, lamp, "assign", 500, |row| {
        row.status = "assigned".into();
        row.agency_ref = Some("za-power".into());
        row.agency_result = "已更换灯泡".into();
    })
    .await;
    index.sync(db).await.unwrap();
    assert_eq!(find(&index, &words(&["灯泡"]), &county, &[]).await, vec![lamp]);
    let power = words(&["za-power"]);
    let q = SearchQuery { words: &words(&["路灯"]), agencies: &power, limit: 5, ..Default::default() };
    assert_eq!(index.search(&q).await.unwrap(), Some(vec![lamp]));
    let assigned = words(&["assigned"]);
    let q = SearchQuery {
        words: &words(&["路灯"]),
        region_prefixes: &county,
        statuses: &assigned,
        limit: 5,
        ..Default::default()
    };
    assert_eq!(index.search(&q).await.unwrap(), Some(vec![lamp]));

    // Reopened from disk, it resumes from its cursor instead of rebuilding.
    let cursor = index.cursor();
    drop(index);
    let index = CaseIndex::open(&dir).unwrap();
    assert!(index.ready());
    assert_eq!(index.cursor(), cursor);
    assert_eq!(index.sync(db).await.unwrap(), 0);
    assert_eq!(find(&index, &words(&["路灯"]), &county, &[]).await, vec![later, lamp]);
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn a_damaged_index_is_rebuilt(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let dir = tempdir();
    let id = add(db, "611026001", None, "垃圾清运不及时", "", 100).await;
    let index = CaseIndex::open(&dir).unwrap();
    index.sync(db).await.unwrap();
    drop(index);
    std::fs::write(dir.join("index/cases-v2/meta.json"), b"{ not json").unwrap();
    let index = CaseIndex::open(&dir).unwrap();
    assert!(!index.ready());
    index.sync(db).await.unwrap();
    assert_eq!(find(&index, &words(&["垃圾"]), &words(&["611026"]), &[]).await, vec![id]);
    // A second process cannot open the same index.
    assert!(CaseIndex::open(&dir).is_err());
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

/// PostgreSQL hands out ids before commit: an event id may become visible after a larger one.
/// The cursor must wait at the hole so the late case is not skipped.
async fn waits_for_transactions_in_flight(b: Backend) {
    if b != Backend::Postgres {
        return; // SQLite has one writer: ids become visible in order.
    }
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let dir = tempdir();
    add(db, "611026001", None, "第一件", "", 100).await;
    let index = CaseIndex::open(&dir).unwrap();
    index.sync(db).await.unwrap();
    let before = index.cursor();
    // A slow transaction takes the next ids and holds them…
    let region = code("611026001");
    let mut slow = db.begin().await.unwrap();
    let late = cases::insert(&mut slow, &new_case(&region, None, "迟到的护栏", "", "LATEC22222"), 150).await.unwrap();
    // …while a quick one commits after it (in another county: within one, the tallies' and the
    // audit chain's row locks already queue writers in order).
    let quick = add(db, "611025", None, "及时的护栏", "", 200).await;
    // A search before the next sync reads past the hole, and remembers it.
    let ids = |rows: Vec<cases::CaseRow>| {
        let mut ids: Vec<i64> = rows.into_iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids
    };
    let early = index.pending();
    assert_eq!(ids(index.changed(db, &early, &words(&["护栏"])).await.unwrap()), vec![quick]);
    index.sync(db).await.unwrap();
    let county = words(&["61"]);
    assert_eq!(find(&index, &words(&["护栏"]), &county, &[]).await, vec![quick]);
    assert_eq!(index.cursor(), before, "the cursor waits at the hole");
    let pending = index.pending();
    assert!(!pending.holes.is_empty() && pending.holes.iter().all(|&h| h > before && h < pending.seen));
    slow.commit().await.unwrap();
    // The cases held between searches: the late case is read through the hole they remember.
    assert_eq!(ids(index.changed(db, &early, &words(&["护栏"])).await.unwrap()), vec![late, quick]);
    // Before the next sync, a search learns of the late case from the holes it was told of.
    let changed = index.changed(db, &pending, &words(&["护栏"])).await.unwrap();
    assert_eq!(changed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![late]);
    // A search that read the older commit before that one still gets every case after it.
    assert_eq!(ids(index.changed(db, &early, &words(&["护栏"])).await.unwrap()), vec![late, quick]);
    index.sync(db).await.unwrap();
    assert!(index.pending().holes.is_empty());
    assert_eq!(find(&index, &words(&["护栏"]), &county, &[]).await, vec![quick, late]);
    assert!(index.cursor() > before);
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A write of this process offers the case as it left it, and a search takes that row instead
/// of reading it back; a step no write offered sends the search back to SQL for the case.
async fn takes_what_writes_offer(b: Backend) {
    let Some(t) = fresh_db(b).await else { return };
    let db = &t.db;
    seed_regions(db).await;
    let dir = tempdir();
    add(db, "611026001", None, "第一件", "", 100).await;
    let index = CaseIndex::open(&dir).unwrap();
    index.sync(db).await.unwrap();
    let found = |w: &'static str| {
        let index = &index;
        async move {
            let rows = index.changed(db, &index.pending(), &words(&[w])).await.unwrap();
            rows.into_iter().map(|r| (r.id, r.title)).collect::<Vec<_>>()
        }
    };
    // The offered row is taken as it was offered: a title the database does not hold shows
    // that no SQL read replaced it.
    let region = code("611026001");
    let mut tx = db.begin().await.unwrap();
    let new = new_case(&region, None, "桥面坑洼", "", "OFFER22222");
    let (rows, events) = cases::insert_many_with_events(&mut tx, &[new], 200).await.unwrap();
    tx.commit().await.unwrap();
    let id = rows[0].id;
    assert_eq!(events.iter().map(|e| e.1).collect::<Vec<_>>(), vec![id]);
    let marked = cases::CaseRow { title: "桥面坑洼（写入时交来的）".into(), ..rows[0].clone() };
    // Rows of cases without a step here, and steps without a row, are left out.
    let stray = cases::CaseRow { id: id + 1000, ..marked.clone() };
    index.offer(&events, &[marked.clone(), stray]);
    index.offer(&[(events[0].0 + 1000, id)], &[]);
    assert_eq!(found("坑洼").await, vec![(id, marked.title.clone())]);
    // A step no write offered: the case is read from SQL as it is now.
    let (row, step) = change(db, id, "reply", 300, |row| row.public_reply = "已修补".into()).await;
    assert_eq!(step.1, id);
    assert_eq!(found("修补").await, vec![(id, "桥面坑洼".to_owned())]);
    // Offered after a search read its step without it: too late, and never taken.
    index.offer(&[step], &[cases::CaseRow { title: "迟到的一行".into(), ..row.clone() }]);
    assert_eq!(found("坑洼").await, vec![(id, "桥面坑洼".to_owned())]);
    // The next sync commits the case; nothing is changed any more.
    index.sync(db).await.unwrap();
    assert!(found("坑洼").await.is_empty());
    assert_eq!(find(&index, &words(&["修补"]), &words(&["611026"]), &[]).await, vec![id]);
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The count and the newest page, over several segments, with cases re-indexed (deleted from
/// older segments), times shared by several cases, and the changed cases left out.
async fn counts_and_orders_the_newest(b: Backend) {
    let Some((t, dir, index)) = empty_index(b).await else { return };
    let db = &t.db;
    let (mut lamps, mut everywhere, mut drains) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..30 {
        // Three cases per instant, as a group commit writes them; every fifth elsewhere.
        let at = 1_000 + (i / 3) * 10;
        let region = if i % 5 == 4 { "611025" } else { "611026001" };
        let title = if i % 4 == 3 { "排水沟堵塞" } else { "路灯不亮" };
        let id = add(db, region, None, title, "", at).await;
        if title != "路灯不亮" {
            drains.push(id);
        } else {
            everywhere.push((at, id));
            if region != "611025" {
                lamps.push((at, id));
            }
        }
        if i % 10 == 9 {
            index.sync(db).await.unwrap();
        }
    }
    // Re-indexed: their older documents are deleted.
    for &(_, id) in lamps.iter().take(4) {
        change(db, id, "triage", 5_000, |row| row.status = "triaged".into()).await;
    }
    index.sync(db).await.unwrap();
    let county = words(&["611026"]);
    let lamp = words(&["路灯"]);
    let q = SearchQuery { words: &lamp, region_prefixes: &county, limit: 5, ..Default::default() };
    // Skipped: every third, a re-indexed case (its deleted document must not count twice), a
    // case without the word and one the index has not seen.
    let mut skip: Vec<i64> = lamps.iter().rev().step_by(3).map(|&(_, id)| id).collect();
    skip.extend([lamps[1].1, drains[0], 1_000_000]);
    let mut expected: Vec<(i64, i64)> = lamps.iter().copied().filter(|(_, id)| !skip.contains(id)).collect();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    let (count, newest) = index.count_and_newest(&q, skip.clone()).await.unwrap().unwrap();
    assert_eq!(count, expected.len());
    assert_eq!(newest, expected[..5].to_vec());
    let (count, newest) = index.count_and_newest(&q, vec![]).await.unwrap().unwrap();
    assert_eq!(count, lamps.len());
    let mut all = lamps.clone();
    all.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(newest, all[..5].to_vec());
    // A reach holding every case (the province here) is the same as no reach.
    let province = words(&["61"]);
    let whole = SearchQuery { region_prefixes: &province, ..q };
    everywhere.sort_unstable_by(|a, b| b.cmp(a));
    let (count, newest) = index.count_and_newest(&whole, vec![]).await.unwrap().unwrap();
    assert_eq!((count, newest), (everywhere.len(), everywhere[..5].to_vec()));
    assert!(everywhere.len() > lamps.len());
    // A page longer than the matches holds them all.
    let q = SearchQuery { limit: 100, ..q };
    assert_eq!(index.count_and_newest(&q, skip).await.unwrap().unwrap(), (expected.len(), expected));
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A segment's newest matches are kept between searches of the same question: a later search
/// leaves out those deleted or changed since, reads the segment again when too many of them
/// were, and when a longer page is asked for.
async fn keeps_each_segments_newest_between_searches(b: Backend) {
    let Some((t, dir, index)) = empty_index(b).await else { return };
    let db = &t.db;
    let mut lamps = Vec::new();
    for i in 0..100 {
        let at = 1_000 + i * 10;
        lamps.push((at, add(db, "611026001", None, "路灯不亮", "", at).await));
    }
    index.sync(db).await.unwrap();
    lamps.sort_unstable_by(|a, b| b.cmp(a));
    let county = words(&["611026"]);
    let lamp = words(&["路灯"]);
    let q = SearchQuery { words: &lamp, region_prefixes: &county, limit: 3, ..Default::default() };
    assert_eq!(index.count_and_newest(&q, vec![]).await.unwrap().unwrap(), (100, lamps[..3].to_vec()));
    // The 70 newest changed since: more than were kept for a page of three.
    let skip: Vec<i64> = lamps[..70].iter().map(|&(_, id)| id).collect();
    assert_eq!(index.count_and_newest(&q, skip).await.unwrap().unwrap(), (30, lamps[70..73].to_vec()));
    // The two newest are re-indexed: their kept documents are deleted, their new ones elsewhere.
    for &(_, id) in &lamps[..2] {
        change(db, id, "triage", 5_000, |row| row.status = "triaged".into()).await;
    }
    index.sync(db).await.unwrap();
    assert_eq!(index.count_and_newest(&q, vec![]).await.unwrap().unwrap(), (100, lamps[..3].to_vec()));
    let received = words(&["received"]);
    let waiting = SearchQuery { statuses: &received, ..q };
    assert_eq!(index.count_and_newest(&waiting, vec![]).await.unwrap().unwrap(), (98, lamps[2..5].to_vec()));
    let triaged = words(&["triaged"]);
    let moved = SearchQuery { statuses: &triaged, ..q };
    assert_eq!(index.count_and_newest(&moved, vec![]).await.unwrap().unwrap(), (2, lamps[..2].to_vec()));
    // A longer page than was kept, and one too deep to keep.
    let long = SearchQuery { limit: 90, ..q };
    assert_eq!(index.count_and_newest(&long, vec![]).await.unwrap().unwrap(), (100, lamps[..90].to_vec()));
    let deep = SearchQuery { limit: 500, ..q };
    let skip = vec![lamps[5].1];
    let mut rest = lamps.clone();
    rest.remove(5);
    assert_eq!(index.count_and_newest(&deep, skip).await.unwrap().unwrap(), (99, rest));
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A database with the regions and an index built from it, still empty, in a directory of its own.
async fn empty_index(b: Backend) -> Option<(TestDb, std::path::PathBuf, CaseIndex)> {
    let t = fresh_db(b).await?;
    seed_regions(&t.db).await;
    let dir = tempdir();
    let index = CaseIndex::open(&dir).unwrap();
    index.sync(&t.db).await.unwrap();
    Some((t, dir, index))
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("liaison-search-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

on_both_backends!(
    builds_follows_and_scopes,
    a_damaged_index_is_rebuilt,
    waits_for_transactions_in_flight,
    takes_what_writes_offer,
    counts_and_orders_the_newest,
    keeps_each_segments_newest_between_searches
);
