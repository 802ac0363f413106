//! Staff lists against a reference: a county of 240 varied cases is listed through every reach,
//! filter, order and page, and each answer (rows and total) must equal what a plain filter and
//! sort over all the rows gives. The totals come from the tallies where they can say and from
//! COUNT(*) elsewhere; both must agree with the reference.

use chrono::NaiveDate;
use liaison_domain::region::RegionCode;
use liaison_store::cases::{self, CaseRow, ListFilter, ListSort, Reach};
use liaison_store::{Db, regions};
use liaison_testkit::Backend;
use std::cmp::Ordering;

const CHINA_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn midnight(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis() - CHINA_MS
}

fn date(days: i64) -> String {
    (day0() + chrono::Duration::days(days)).to_string()
}

/// 240 cases over two counties, four places, stations, deputies, agencies (lead and assisting),
/// channels, categories, levels, statuses, thirty days, deadlines and first-reply dates.
pub async fn seed(db: &Db) -> Vec<CaseRow> {
    let mut tx = db.begin().await.unwrap();
    for c in ["61", "6110", "611026", "611026001", "611026001001", "611026101", "611025", "611025001"] {
        regions::upsert(&mut tx, &RegionCode::parse(c).unwrap(), c, 0).await.unwrap();
    }
    tx.commit().await.unwrap();
    let places = ["611026001", "611026001001", "611026101", "611025001"];
    let statuses =
        ["received", "triaged", "assigned", "handled", "replied", "closed", "answered_on_spot", "reopened", "declined"];
    let words = ["路灯不亮", "垃圾清运", "减速带"];
    for i in 0..240usize {
        let region = RegionCode::parse(places[i % 4]).unwrap();
        let code = format!("{:0>10}", i).replace('0', "A").replace('1', "B");
        let title = format!("第{i}件{}", words[i % 3]);
        let phone = if i % 10 == 0 { "13800000001".to_owned() } else { format!("139{:08}", i) };
        let online = i % 5 < 2;
        let first_due = online.then(|| date((i / 8) as i64 + 3));
        let n = cases::NewCase {
            region: &region,
            station_ref: [Some("st-a"), None, Some("st-b")][i % 3],
            deputy_ref: (i % 7 == 0).then_some("dep-a"),
            title: &title,
            content: "群众反映的情况",
            channel: ["qr", "online", "station", "visit", "hotline"][i % 5],
            category: ["道路交通", "农业农村", "其他"][i % 3],
            location: "",
            contact_name: "",
            contact_phone: &phone,
            anonymous: false,
            publish_consent: false,
            sms_notices: false,
            tracking_code: &code,
            first_reply_due: first_due.as_deref(),
            created_by: "tester",
        };
        let at = midnight(day0()) + (i / 8) as i64 * DAY_MS + (i % 8) as i64 * 60_000;
        let mut tx = db.begin().await.unwrap();
        let id = cases::insert(&mut tx, &n, at).await.unwrap();
        let mut row = cases::get_tx(&mut tx, id).await.unwrap().unwrap();
        row.status = statuses[i % 9].into();
        row.level = [Some("township".to_owned()), Some("county".to_owned()), None][i % 3].clone();
        if matches!(row.status.as_str(), "assigned" | "handled" | "replied" | "closed" | "reopened") {
            row.agency_ref = Some(["ag-a", "ag-b"][i % 2].into());
            row.deadline_on = Some(date((i % 20) as i64 + 5));
        }
        if i % 11 == 0 {
            row.assist_agencies = "ag-c,ag-a".into();
        }
        row.overdue = i % 13 == 0 && row.status == "assigned";
        if i % 4 == 0 {
            row.first_replied_at = Some(at + 1000);
        }
        cases::save(&mut tx, &row, at + (239 - i as i64) * 1000).await.unwrap();
        tx.commit().await.unwrap();
    }
    cases::page_after(db, 0, 1000).await.unwrap()
}

fn rank(status: &str) -> i64 {
    match status {
        "closed" | "merged" | "declined" => 2,
        "replied" | "answered_on_spot" => 1,
        _ => 0,
    }
}

fn due(r: &CaseRow) -> String {
    r.deadline_on.clone().or_else(|| r.first_reply_due.clone()).unwrap_or_else(|| "9999-12-31".into())
}

/// What the list must hold, by a plain reading of each filter.
fn admits(f: &ListFilter, r: &CaseRow) -> bool {
    let assisted = |a: &str| r.assisting().contains(&a);
    let created_day = chrono::DateTime::from_timestamp_millis(r.created_at + CHINA_MS).unwrap().date_naive();
    (f.statuses.is_empty() || f.statuses.contains(&r.status))
        && f.township.as_ref().is_none_or(|t| r.region_code.starts_with(t.as_str()))
        && f.station.as_ref().is_none_or(|s| r.station_ref.as_ref() == Some(s))
        && f.agency.as_ref().is_none_or(|a| r.agency_ref.as_ref() == Some(a) || assisted(a))
        && f.deputy.as_ref().is_none_or(|d| r.deputy_ref.as_ref() == Some(d))
        && f.channel.as_ref().is_none_or(|c| &r.channel == c)
        && f.category.as_ref().is_none_or(|c| &r.category == c)
        && f.level.as_ref().is_none_or(|l| r.level.as_ref() == Some(l))
        && f.from.is_none_or(|d| created_day >= d)
        && f.to.is_none_or(|d| created_day <= d)
        && (!f.overdue || r.overdue)
        && f.due_between.as_ref().is_none_or(|(a, b)| {
            rank(&r.status) == 0
                && (a.as_str()..=b.as_str()).contains(&due(r).as_str())
                && !r.overdue
                && (r.deadline_on.is_some() || r.first_replied_at.is_none())
        })
        && f.words
            .iter()
            .all(|w| [&r.title, &r.content, &r.public_reply, &r.agency_result].iter().any(|t| t.contains(w)))
        && f.phone.as_ref().is_none_or(|p| &r.contact_phone == p)
        && f.tracking_code.as_ref().is_none_or(|c| r.tracking_code.as_ref() == Some(c))
        && f.ids.as_ref().is_none_or(|ids| ids.contains(&r.id))
}

fn order(sort: ListSort, a: &CaseRow, b: &CaseRow) -> Ordering {
    match sort {
        ListSort::Deadline => {
            (rank(&a.status), due(a), a.created_at, a.id).cmp(&(rank(&b.status), due(b), b.created_at, b.id))
        }
        ListSort::CreatedDesc => (b.created_at, b.id).cmp(&(a.created_at, a.id)),
        ListSort::CreatedAsc => (a.created_at, a.id).cmp(&(b.created_at, b.id)),
        ListSort::UpdatedDesc => (b.updated_at, b.id).cmp(&(a.updated_at, a.id)),
    }
}

fn reference(all: &[CaseRow], reach: &Reach<'_>, f: &ListFilter, sort: ListSort) -> Vec<i64> {
    let mut rows: Vec<&CaseRow> = all.iter().filter(|r| reach.covers(r) && admits(f, r)).collect();
    rows.sort_by(|a, b| order(sort, a, b));
    rows.into_iter().map(|r| r.id).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

pub async fn lists_agree_with_a_plain_reading(b: Backend) {
    let Some(t) = liaison_testkit::fresh_db(b).await else { return };
    let db = &t.db;
    let all = seed(db).await;
    assert_eq!(all.len(), 240);
    let some_ids: Vec<i64> = all.iter().filter(|r| r.id % 3 == 0).map(|r| r.id).collect();
    let reaches: Vec<[Vec<String>; 4]> = vec![
        [strings(&["611026"]), vec![], vec![], vec![]],
        [strings(&["611026001"]), vec![], vec![], vec![]],
        [strings(&["611026001001"]), vec![], vec![], vec![]],
        [strings(&["6110"]), vec![], vec![], vec![]],
        [vec![], strings(&["st-a"]), vec![], vec![]],
        [vec![], vec![], strings(&["ag-a"]), vec![]],
        [vec![], vec![], vec![], strings(&["dep-a"])],
        [strings(&["611026101", "611026"]), strings(&["st-b"]), strings(&["ag-c"]), strings(&["dep-a"])],
        [strings(&["611025"]), vec![], vec![], vec![]],
    ];
    let d = |days: i64| day0() + chrono::Duration::days(days);
    let filters: Vec<ListFilter> = vec![
        ListFilter::default(),
        ListFilter { statuses: strings(&["received"]), ..Default::default() },
        ListFilter { statuses: strings(&["received", "reopened"]), ..Default::default() },
        ListFilter { statuses: strings(&["closed", "received"]), ..Default::default() },
        ListFilter { statuses: strings(&["replied"]), level: Some("county".into()), ..Default::default() },
        ListFilter { township: Some("611026001".into()), ..Default::default() },
        ListFilter { township: Some("611026101".into()), statuses: strings(&["assigned"]), ..Default::default() },
        ListFilter { station: Some("st-b".into()), ..Default::default() },
        ListFilter { agency: Some("ag-a".into()), ..Default::default() },
        ListFilter { deputy: Some("dep-a".into()), ..Default::default() },
        ListFilter { channel: Some("qr".into()), ..Default::default() },
        ListFilter { category: Some("农业农村".into()), ..Default::default() },
        ListFilter { level: Some("county".into()), ..Default::default() },
        ListFilter { from: Some(d(5)), to: Some(d(12)), ..Default::default() },
        ListFilter { from: Some(d(20)), ..Default::default() },
        ListFilter {
            to: Some(d(3)),
            statuses: strings(&["closed"]),
            channel: Some("visit".into()),
            ..Default::default()
        },
        ListFilter { overdue: true, ..Default::default() },
        ListFilter { due_between: Some((date(6), date(14))), ..Default::default() },
        ListFilter { words: strings(&["路灯"]), ..Default::default() },
        ListFilter { words: strings(&["路灯", "第1"]), statuses: strings(&["received"]), ..Default::default() },
        ListFilter { words: strings(&["减速带"]), ids: Some(some_ids.clone()), ..Default::default() },
        ListFilter { ids: Some(vec![]), ..Default::default() },
        ListFilter { phone: Some("13800000001".into()), ..Default::default() },
        ListFilter { tracking_code: Some(all[17].tracking_code.clone().unwrap()), ..Default::default() },
        ListFilter { words: strings(&["100%"]), ..Default::default() },
    ];
    let sorts = [ListSort::Deadline, ListSort::CreatedDesc, ListSort::CreatedAsc, ListSort::UpdatedDesc];
    let (mut checked, mut nonempty) = (0, 0);
    for [regions, stations, agencies, deputies] in &reaches {
        let reach = Reach { region_prefixes: regions, stations, agencies, deputies };
        for f in &filters {
            let expected_total = reference(&all, &reach, f, ListSort::Deadline).len() as i64;
            let what = format!("{regions:?} {stations:?} {agencies:?} {deputies:?} {f:?}");
            assert_eq!(cases::list_count(db, &reach, f).await.unwrap(), expected_total, "count of {what}");
            nonempty += usize::from(expected_total > 0);
            for sort in sorts {
                let expected = reference(&all, &reach, f, sort);
                for (offset, limit) in [(0, 7), (7, 7), (21, 50), (235, 10)] {
                    let page = cases::list_page(db, &reach, f, sort, offset, limit).await.unwrap();
                    let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                    let want: Vec<i64> = expected.iter().copied().skip(offset as usize).take(limit as usize).collect();
                    assert_eq!(ids, want, "{sort:?} {offset}+{limit} of {what}");
                    assert_eq!(page.total, expected_total, "total of {what}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, reaches.len() * filters.len() * sorts.len() * 4);
    assert!(nonempty * 3 > reaches.len() * filters.len() * 2, "most lists hold something: {nonempty}");
}

/// More than 200 cases page with a total, the oldest on the last page of the newest-first order.
pub async fn a_long_inbox_pages_to_its_oldest(b: Backend) {
    let Some(t) = liaison_testkit::fresh_db(b).await else { return };
    let db = &t.db;
    let all = seed(db).await;
    let county = strings(&["611026"]);
    let reach = Reach { region_prefixes: &county, stations: &[], agencies: &[], deputies: &[] };
    let f = ListFilter::default();
    let first = cases::list_page(db, &reach, &f, ListSort::CreatedDesc, 0, 50).await.unwrap();
    assert_eq!(first.total, 180, "three of the four places are in the county");
    assert_eq!(first.rows.len(), 50);
    let last = cases::list_page(db, &reach, &f, ListSort::CreatedDesc, 150, 50).await.unwrap();
    assert_eq!(last.rows.len(), 30);
    let oldest = all.iter().filter(|r| r.county_code == "611026").min_by_key(|r| (r.created_at, r.id)).unwrap();
    assert_eq!(last.rows.last().unwrap().id, oldest.id);
    let beyond = cases::list_page(db, &reach, &f, ListSort::CreatedDesc, 200, 50).await.unwrap();
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, 180);
    // The deadline order puts work in progress first, the nearest date first.
    let work = cases::list_page(db, &reach, &f, ListSort::Deadline, 0, 180).await.unwrap();
    let ranks: Vec<i64> = work.rows.iter().map(|r| rank(&r.status)).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "work, then waiting, then finished");
    let dues: Vec<String> = work.rows.iter().take_while(|r| rank(&r.status) == 0).map(due).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "nearest due date first");
    assert_eq!(dues.last().map(String::as_str), Some("9999-12-31"), "cases without a date after those with one");
}
