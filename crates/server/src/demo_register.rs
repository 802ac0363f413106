//! The demo county's duty register and points rules: 柞水's multi-item 积分办法 for the county (a
//! 2025 version, and the 2026 one with 点军's targets), 界牌's "2 points per activity" for 乾佑街道,
//! and a year of register entries for each of its deputies — mostly confirmed, some waiting for the
//! township, a few not confirmed — drawn from a generator seeded by the deputy, so that every
//! load gives the same register. Loading again changes nothing once the county has rules.

use chrono::{Datelike, Duration, NaiveDate};
use liaison_app::App;
use liaison_app::points::SetInput;
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_domain::points::{Item, Per, Target};
use liaison_domain::register::DutyKind;
use liaison_store::StoreError;
use liaison_store::register::NewEntry;

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo register: {e}"))
}

fn item(kind: DutyKind, points: i32, month_cap: Option<i32>, year_cap: Option<i32>) -> Item {
    Item { kind, points, month_cap, year_cap }
}

/// 柞水-style: 细化成项、量化分值、分类记分, with caps so that one kind cannot carry the year.
fn zhashui_items(first: bool) -> Vec<Item> {
    use DutyKind::*;
    let mut items = vec![
        item(Meeting, 5, None, Some(20)),
        item(Training, 3, None, Some(12)),
        item(Inspection, 3, Some(6), Some(18)),
        item(LawCheck, 3, Some(6), Some(12)),
        item(Suggestion, 5, None, Some(20)),
        item(VoterContact, 2, Some(4), Some(24)),
        item(Deed, 5, None, Some(20)),
        item(Reception, 3, Some(6), Some(24)),
        item(HomeVisit, 2, Some(4), Some(16)),
        item(CaseHandled, 2, None, Some(20)),
        item(Report, 10, None, Some(10)),
        item(ActivityMonth, 3, None, Some(6)),
        item(Volunteer, 2, Some(4), Some(12)),
        item(PolicyTalk, 2, Some(4), Some(12)),
        item(Commendation, 10, None, Some(20)),
        item(Absence, -5, None, None),
    ];
    if first {
        // The first version scored less for receptions and had no caps on contacts.
        for i in &mut items {
            match i.kind {
                Reception => i.points = 2,
                VoterContact => {
                    i.month_cap = None;
                    i.year_cap = None;
                }
                _ => {}
            }
        }
    }
    items
}

/// 点军's list: 2 trainings a term, a suggestion and a deed a year, a reception day a year, and
/// contact with voters (five a year).
fn dianjun_targets() -> Vec<Target> {
    vec![
        Target { kind: DutyKind::Training, min: 2, per: Per::Term },
        Target { kind: DutyKind::Suggestion, min: 1, per: Per::Year },
        Target { kind: DutyKind::Deed, min: 1, per: Per::Year },
        Target { kind: DutyKind::Reception, min: 1, per: Per::Year },
        Target { kind: DutyKind::VoterContact, min: 5, per: Per::Year },
    ]
}

/// A small deterministic generator (64-bit LCG), seeded per deputy.
struct Draw(u64);

impl Draw {
    fn new(seed: &str) -> Draw {
        Draw(seed.bytes().fold(0xcbf29ce484222325, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3)))
    }
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// What the demo deputies did, kind by kind: (kind, most a year, descriptions, places).
const ACTIVITIES: &[(DutyKind, u64, &[&str], &[&str])] = &[
    (
        DutyKind::Meeting,
        3,
        &["列席县人大常委会会议", "出席县人民代表大会会议", "参加镇人民代表大会会议"],
        &["县人大常委会会议室", "县会议中心"],
    ),
    (
        DutyKind::Training,
        2,
        &["参加代表履职能力培训", "参加“人大代表在行动”专题学习"],
        &["县委党校", "县人大常委会会议室"],
    ),
    (DutyKind::Inspection, 3, &["参加义务教育均衡发展调研", "参加秦岭生态保护视察"], &["", ""]),
    (DutyKind::LawCheck, 1, &["参加食品安全法执法检查", "参加道路交通安全法执法检查"], &[""]),
    (
        DutyKind::Suggestion,
        2,
        &["提出关于改善农村公路养护的建议", "提出关于增设社区养老服务站的建议", "提出关于支持木耳产业发展的建议"],
        &[""],
    ),
    (
        DutyKind::VoterContact,
        8,
        &["走访联系选民，听取对村组道路的意见", "与联系的选民座谈，收集社情民意", "电话回访联系的选民"],
        &["", ""],
    ),
    (DutyKind::Deed, 3, &["协调修复村组道路损毁路段", "为困难群众联系冬季取暖物资", "协调解决小区停水问题"], &[""]),
    (DutyKind::Reception, 2, &["在联络站参加“5号见”接待选民", "参加联络站集中接待日"], &["联络站"]),
    (DutyKind::HomeVisit, 3, &["入户走访独居老人", "走访低保户了解生活情况"], &[""]),
    (DutyKind::Report, 1, &["向原选区选民述职"], &["村委会会议室"]),
    (DutyKind::ActivityMonth, 1, &["参加“代表活动月”集中活动"], &[""]),
    (DutyKind::Volunteer, 2, &["参加河道清理志愿服务", "参加文明交通志愿服务"], &[""]),
    (DutyKind::PolicyTalk, 2, &["宣讲惠农补贴政策", "宣讲基本医疗保险参保政策"], &[""]),
];

/// Returns how many register entries were added (0 when the county had rules already).
pub async fn load(app: &App, actor: &str) -> Result<usize, StoreError> {
    let sup = Principal::User(Account {
        id: 0,
        username: actor.into(),
        display_name: "演示".into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(Role::CountySupervisor, Scope::parse("region:611026").expect("scope")).expect("grant")],
    });
    if !liaison_store::points::of_county(&app.db, "611026").await?.is_empty() {
        return Ok(0);
    }
    let today = app.today();
    let year = today.year();
    let sets = [
        SetInput {
            name: format!("柞水县人大代表履职积分实施办法（{} 年版）", year - 1),
            from: format!("{}-01-01", year - 1),
            to: format!("{}-12-31", year - 1),
            term_from: "2021-10-01".into(),
            items: zhashui_items(true),
            targets: dianjun_targets(),
            ..Default::default()
        },
        SetInput {
            name: format!("柞水县人大代表履职积分实施办法（{year} 年修订）"),
            from: format!("{year}-01-01"),
            term_from: "2021-10-01".into(),
            items: zhashui_items(false),
            targets: dianjun_targets(),
            ..Default::default()
        },
        SetInput {
            name: "乾佑街道人大代表履职积分制考评办法（参照界牌镇：每项活动积 2 分）".into(),
            township: "611026001".into(),
            from: format!("{}-01-01", year - 1),
            term_from: "2021-10-01".into(),
            items: DutyKind::ALL
                .iter()
                .map(|k| item(*k, if *k == DutyKind::Absence { -2 } else { 2 }, None, None))
                .collect(),
            targets: dianjun_targets(),
            ..Default::default()
        },
    ];
    for s in sets {
        liaison_app::points::create(app, &sup, Some("611026"), s).await.map_err(err)?;
    }

    let deputies = liaison_store::org::deputies_under(&app.db, "611026", false).await?;
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("a date");
    let days = (today - jan1).num_days().max(1) as u64;
    let now = app.now_ms();
    let mut added = 0;
    let mut tx = app.db.begin().await?;
    for d in &deputies {
        let mut draw = Draw::new(&d.data.slug);
        let mut entries: Vec<(DutyKind, NaiveDate, String, String)> = Vec::new();
        for (kind, most, texts, places) in ACTIVITIES {
            let n = draw.next(most + 1);
            for _ in 0..n {
                let day = jan1 + Duration::days(draw.next(days) as i64);
                let text = texts[draw.next(texts.len() as u64) as usize].to_string();
                let place = places[draw.next(places.len() as u64) as usize].to_string();
                entries.push((*kind, day, text, place));
            }
        }
        // Trainings in earlier years of the term, for the per-term target.
        if draw.next(3) > 0 {
            let day =
                NaiveDate::from_ymd_opt(year - 1 - draw.next(3) as i32, 3 + draw.next(8) as u32, 10).expect("a date");
            entries.push((DutyKind::Training, day, "参加新任期代表履职培训".into(), "县委党校".into()));
        }
        if draw.next(25) == 0 {
            let day = jan1 + Duration::days(draw.next(days) as i64);
            entries.push((DutyKind::Absence, day, "无故缺席代表小组活动".into(), String::new()));
        }
        if draw.next(20) == 0 {
            let day = jan1 + Duration::days(draw.next(days) as i64);
            entries.push((DutyKind::Commendation, day, "被评为优秀人大代表".into(), String::new()));
        }
        for (kind, day, text, place) in entries {
            let recent = today - day < Duration::days(45);
            let roll = draw.next(100);
            let status = if recent && roll < 35 {
                "pending"
            } else if roll < 3 {
                "rejected"
            } else {
                "confirmed"
            };
            let e = NewEntry {
                county_code: &d.data.county_code,
                region_code: &d.data.region_code,
                deputy_id: d.id,
                kind: kind.as_str(),
                done_on: &day.to_string(),
                place: &place,
                description: &text,
                source: "manual",
                source_key: None,
                status: "pending",
                recorded_by: actor,
            };
            let Some(id) = liaison_store::register::insert(&mut tx, &e, now).await? else { continue };
            if status != "pending" {
                let row = liaison_store::register::get_tx(&mut tx, id).await?;
                let note = if status == "rejected" {
                    "缺少活动照片或签到表，请补充后重新登记"
                } else {
                    "已核实"
                };
                liaison_store::register::decide(&mut tx, &row, status, actor, note, now).await?;
            }
            added += 1;
        }
    }
    let ev = AuditEvent {
        county_code: "611026".into(),
        actor: actor.into(),
        action: "demo.register".into(),
        target: "region:611026".into(),
        summary: format!("载入演示履职登记 {added} 项（{} 名代表）", deputies.len()),
    };
    liaison_store::audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    Ok(added)
}
