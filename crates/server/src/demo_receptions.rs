//! The demo county's reception days, as its stations keep them: every township station receives
//! on the 5th of the month ("5号见", moved to the next working day over holidays), 凤凰镇's on the
//! lunar market days (逢一逢六, held whatever the calendar), and the county holds a joint petition
//! reception on the third Wednesday. Rosters are filled for this year and the next, and the last
//! receptions of a few stations are recorded with the matters raised, through the real use-cases.
//! Loading again changes nothing: nothing is added once the county has a schedule.

use chrono::{Datelike, Duration};
use liaison_app::App;
use liaison_app::receptions::{self as rec, Attendee, Matter, NewReception, ScheduleInput};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_domain::reception::{Rule, ShortMonth};
use liaison_domain::region::RegionCode;
use liaison_store::StoreError;

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo reception days: {e}"))
}

/// Returns how many schedules were created (0 when the county had them already).
pub async fn load(app: &App, actor: &str) -> Result<usize, StoreError> {
    let sup = Principal::User(Account {
        id: 0,
        username: actor.into(),
        display_name: "演示".into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(Role::CountySupervisor, Scope::parse("region:611026").expect("scope")).expect("grant")],
    });
    if !rec::schedules_in(app, &sup, Some("611026")).await.map_err(err)?.is_empty() {
        return Ok(0);
    }
    let today = app.today();
    let start = format!("{}-01-01", today.year() - 1);
    let stations = liaison_app::directory::stations_under(app, "611026", false).await.map_err(err)?;
    let mut made: Vec<(i64, String, String)> = Vec::new();
    for s in stations.iter().filter(|s| s.data.kind == "station" || s.data.kind == "point") {
        let deputies =
            liaison_app::directory::station_deputies(app, liaison_domain::ids::StationId(s.id)).await.map_err(err)?;
        if deputies.len() < 2 {
            continue;
        }
        let market = s.data.region_code == "611026103";
        let input = ScheduleInput {
            station: Some(s.data.slug.clone()),
            region: None,
            kind: "station_day".into(),
            title: if market { "赶集日接待".into() } else { "5号见".into() },
            rule: Some(if market {
                Rule::Lunar { days: vec![1, 6, 11, 16, 21, 26], short_month: ShortMonth::Skip }
            } else {
                Rule::MonthlyDay { day: 5 }
            }),
            holiday_policy: if market { "keep".into() } else { "next_workday".into() },
            starts_on: start.clone(),
            ends_on: String::new(),
            start_time: if market { "08:30".into() } else { "09:00".into() },
            end_time: "12:00".into(),
            place: if s.data.address.is_empty() { s.data.name.clone() } else { s.data.address.clone() },
            per_day: if market { 1 } else { 2 },
            remind_days: 2,
            active: true,
        };
        made.push((
            rec::save(app, &sup, None, input).await.map_err(err)?,
            s.data.slug.clone(),
            s.data.region_code.clone(),
        ));
    }
    let joint = ScheduleInput {
        station: None,
        region: Some("611026".into()),
        kind: "joint_petition".into(),
        title: "县级领导和代表联合接访".into(),
        rule: Some(Rule::NthWeekday { nth: 3, weekday: 3 }),
        holiday_policy: "next_workday".into(),
        starts_on: start,
        ends_on: String::new(),
        start_time: "09:00".into(),
        end_time: "12:00".into(),
        place: "柞水县信访接待中心".into(),
        per_day: 1,
        remind_days: 3,
        active: true,
    };
    let joint = rec::save(app, &sup, None, joint).await.map_err(err)?;
    for id in made.iter().map(|m| m.0).chain([joint]) {
        for year in [today.year(), today.year() + 1] {
            rec::generate(app, &sup, id, year).await.map_err(err)?;
        }
    }
    // The last reception day of the first three stations, recorded with its matters.
    let county = RegionCode::parse("611026").expect("county");
    let past = rec::month_days(app, None, &county, today - Duration::days(62), today - Duration::days(1))
        .await
        .map_err(err)?;
    let matters: [&[(&str, &str, &str, &str)]; 3] = [
        &[
            ("村道路灯不亮", "石瓮社区至西川村的村道有六盏路灯坏了一个多月，晚上出行不安全。", "", ""),
            (
                "医保缴费档次咨询",
                "想了解城乡居民医保今年的缴费档次和困难群众补贴。",
                "",
                "已现场解答缴费档次与补贴标准，并告知到社区便民服务站办理。",
            ),
        ],
        &[
            ("河道垃圾清理", "乾佑河仁和社区段河道内垃圾较多，希望组织清理。", "县水利局局长", ""),
            (
                "公交班次太少",
                "到县城的公交早上只有一班，孩子上学不方便。",
                "县交通运输局局长",
                "已答应一个月内调研增开早班车，结果在站点公示。",
            ),
        ],
        &[("农产品销售难", "木耳丰收但销路不畅，希望帮助对接电商平台。", "", "")],
    ];
    // 仁和社区's point, 乾佑街道's station (a meeting with agency heads), 凤凰镇's market day.
    let wanted = |slug: &str, region: &str| match (slug, region) {
        ("qianyou-renhe", _) => Some(0),
        (_, "611026001") => Some(1),
        (_, "611026103") => Some(2),
        _ => None,
    };
    let mut chosen: Vec<(usize, String, rec::Day)> = made
        .iter()
        .filter_map(|(id, slug, region)| {
            let n = wanted(slug, region)?;
            past.iter().rfind(|d| d.schedule_id == *id).map(|d| (n, slug.clone(), d.clone()))
        })
        .collect();
    chosen.sort_by_key(|c| c.0);
    chosen.dedup_by_key(|c| c.0);
    for (recorded, slug, day) in chosen {
        let mut attendees: Vec<Attendee> = day
            .duty
            .iter()
            .map(|d| Attendee { role: "deputy".into(), deputy: Some(d.deputy.clone()), ..Default::default() })
            .collect();
        let heads = recorded == 1;
        if heads {
            attendees.push(Attendee {
                role: "agency_head".into(),
                name: "王建平".into(),
                title: "县水利局局长".into(),
                ..Default::default()
            });
            attendees.push(Attendee {
                role: "agency_head".into(),
                name: "刘志强".into(),
                title: "县交通运输局局长".into(),
                ..Default::default()
            });
        }
        let n = NewReception {
            station: Some(slug),
            region: None,
            schedule_id: Some(day.schedule_id),
            kind: if heads { "agency_heads".into() } else { "station_day".into() },
            held_on: day.date.to_string(),
            place: day.place.clone(),
            visitors: [12, 23, 7][recorded],
            summary: if heads {
                "代表·局长面对面：群众当面向部门负责人提问，能当场答复的当场答复，其余带回研究。".into()
            } else {
                "轮值代表坐班接待，登记群众反映的问题。".into()
            },
            attendees,
            households: vec![],
            matters: matters[recorded]
                .iter()
                .map(|(title, content, put_to, answer)| Matter {
                    title: (*title).into(),
                    content: (*content).into(),
                    contact_name: Some("张先生".into()),
                    contact_phone: Some("13900002222".into()),
                    publish_consent: true,
                    put_to: (*put_to).into(),
                    answer: (*answer).into(),
                    ..Default::default()
                })
                .collect(),
        };
        rec::record(app, &sup, n).await.map_err(err)?;
    }
    // 王芳代表's home visits to vulnerable households (家访), as 界牌 keeps them in its ledger.
    if let Some((_, slug, _)) = made.iter().find(|(_, _, region)| region == "611026001") {
        let visit = NewReception {
            station: Some(slug.clone()),
            region: None,
            schedule_id: None,
            kind: "home_visit".into(),
            held_on: (today - Duration::days(9)).to_string(),
            place: "仁和社区".into(),
            visitors: 3,
            summary: "入户走访困难群众，了解冬季取暖和就医情况。".into(),
            attendees: vec![Attendee { role: "deputy".into(), deputy: Some("wang-fang".into()), ..Default::default() }],
            households: vec![
                ("低保户 陈某".into(), "取暖煤已备足".into()),
                ("残疾人户 周某".into(), "希望办理残疾人两项补贴".into()),
                ("独居老人 吴某".into(), "身体尚好，子女在外务工".into()),
            ],
            matters: vec![Matter {
                title: "残疾人两项补贴办理".into(),
                content: "周某希望办理困难残疾人生活补贴和重度残疾人护理补贴，不清楚办理流程。".into(),
                contact_name: Some("周先生".into()),
                answer: "已告知到街道便民服务中心民政窗口申请，代表将跟进办理进度。".into(),
                ..Default::default()
            }],
        };
        rec::record(app, &sup, visit).await.map_err(err)?;
    }
    // 王芳代表's own entries in her register: a training confirmed by 乾佑街道, a deed waiting.
    let officer = Principal::User(Account {
        id: 0,
        username: actor.into(),
        display_name: "演示".into(),
        county_code: "611026".into(),
        grants: vec![
            Grant::new(Role::TownshipOfficer, Scope::parse("region:611026001").expect("scope")).expect("grant"),
        ],
    });
    let wang = Principal::User(Account {
        id: 0,
        username: "deputy.wang".into(),
        display_name: "王芳代表".into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(Role::Deputy, Scope::parse("deputy:wang-fang").expect("scope")).expect("grant")],
    });
    let entry = |kind: &str, days: i64, place: &str, text: &str| liaison_app::register::EntryInput {
        kind: kind.into(),
        done_on: (today - Duration::days(days)).to_string(),
        place: place.into(),
        description: text.into(),
    };
    let training = liaison_app::register::add(
        app,
        &wang,
        "wang-fang",
        entry("training", 40, "县委党校", "参加县人大常委会组织的代表履职能力培训"),
    )
    .await
    .map_err(err)?;
    liaison_app::register::decide(app, &officer, training, true, "已核实").await.map_err(err)?;
    liaison_app::register::add(
        app,
        &wang,
        "wang-fang",
        entry("deed", 12, "仁和社区", "协调修复仁和社区至石镇社区的六盏路灯"),
    )
    .await
    .map_err(err)?;
    Ok(made.len() + 1)
}
