//! The demo county's work with agencies and voters: a county 代表·局长面对面 on rural roads and a
//! township 约见 on parking, with questions and commitments (one kept, one overdue, one open);
//! 乾佑街道's reports to voters — most of its deputies reported with the voters' evaluation, a
//! few scheduled, the rest not yet — and all of 小岭镇's, in writing; and a small ledger of 王芳代表's
//! and a colleague's vulnerable households and linked voters, with visits. All through the use-cases; loading again
//! changes nothing.

use chrono::{Datelike, Duration, NaiveDate};
use liaison_app::App;
use liaison_app::ledger::{self, ContactInput, VisitInput};
use liaison_app::meetings::{self, CommitmentInput, MeetingInput, QuestionInput};
use liaison_app::voter_reports::{self as reports, Held, Schedule};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_store::StoreError;

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo outreach: {e}"))
}

fn who(username: &str, role: Role, scope: &str) -> Principal {
    Principal::User(Account {
        id: 0,
        username: username.into(),
        display_name: username.into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(role, Scope::parse(scope).expect("scope")).expect("grant")],
    })
}

/// A resident ID number of the demo county with a valid check digit (not a real person's).
fn id_number(born: &str, seq: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let head = format!("611026{born}{seq:03}");
    let sum: u32 = head.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{head}{}", CHECK[(sum % 11) as usize] as char)
}

pub async fn load(app: &App) -> Result<(), StoreError> {
    let office = who("supervisor", Role::CountySupervisor, "region:611026");
    if !meetings::list(app, &office, Some("611026")).await.map_err(err)?.is_empty() {
        return Ok(());
    }
    let township = who("qianyou", Role::TownshipOfficer, "region:611026001");
    let wang = who("deputy.wang", Role::Deputy, "deputy:wang-fang");
    let transport = who("transport", Role::AgencyHandler, "agency:zs-transport");
    let today = app.today();
    let day = |n: i64| (today - Duration::days(n)).to_string();
    let qianyou: Vec<(String, String)> = liaison_store::org::deputies_under(&app.db, "611026001", false)
        .await?
        .into_iter()
        .map(|d| (d.data.slug, d.data.name))
        .collect();
    let others: Vec<String> = liaison_store::org::deputies_under(&app.db, "611026107", false)
        .await?
        .into_iter()
        .take(2)
        .map(|d| d.data.slug)
        .collect();
    let colleague = qianyou.iter().find(|(s, _)| s != "wang-fang").map(|(s, _)| s.clone()).unwrap_or_default();

    // A county 代表·局长面对面 on rural roads, 40 days ago.
    let mut deputies = vec!["wang-fang".to_string(), colleague.clone()];
    deputies.extend(others.iter().cloned());
    let roads = meetings::record(
        app,
        &office,
        MeetingInput {
            kind: "face_to_face".into(),
            title: "代表·局长面对面：农村公路养护和汛期水毁修复".into(),
            held_on: day(40),
            place: "县人大常委会三楼会议室".into(),
            region: Some("611026".into()),
            agencies: vec!["zs-transport".into(), "zs-water".into()],
            deputies: deputies.clone(),
            summary: "县交通运输局、水利局主要负责人到会，回答代表提出的问题。".into(),
            questions: vec![
                QuestionInput {
                    deputy: "wang-fang".into(),
                    question: "乾佑河沿线乡村道路汛期多处塌方，什么时候能修复？".into(),
                    outcome: "answered".into(),
                    reply: "已列入今年农村公路养护计划，年底前完成主要塌方路段修复。".into(),
                    ..Default::default()
                },
                QuestionInput {
                    deputy: others.first().cloned().unwrap_or_default(),
                    question: "小岭镇河堤加固工程进度缓慢，群众担心明年汛期安全。".into(),
                    outcome: "study".into(),
                    ..Default::default()
                },
            ],
            commitments: vec![
                CommitmentInput {
                    agency: "zs-transport".into(),
                    content: "完成乾佑河沿线三处塌方路段的应急修复".into(),
                    due_on: day(10),
                },
                CommitmentInput {
                    agency: "zs-water".into(),
                    content: "拿出小岭镇河堤加固工程的加快方案，向代表书面反馈".into(),
                    due_on: day(5),
                },
                CommitmentInput {
                    agency: "zs-transport".into(),
                    content: "将偏远村组客运班线纳入明年交通规划".into(),
                    due_on: (today + Duration::days(60)).to_string(),
                },
            ],
        },
    )
    .await
    .map_err(err)?;
    let kept = liaison_store::voter_work::commitments(&app.db, roads).await?;
    if let Some(c) = kept.first() {
        meetings::commitment_done(app, &transport, c.id, "三处塌方路段已完成应急修复，恢复通行。")
            .await
            .map_err(err)?;
    }
    // A township 约见 on parking, 12 days ago.
    meetings::record(
        app,
        &township,
        MeetingInput {
            kind: "appointment".into(),
            title: "约见：仁和社区停车难".into(),
            held_on: day(12),
            place: "乾佑街道人大代表联络站".into(),
            region: None,
            agencies: vec!["zs-transport".into()],
            deputies: vec!["wang-fang".into(), colleague.clone()],
            summary: String::new(),
            questions: vec![QuestionInput {
                deputy: "wang-fang".into(),
                question: "仁和社区周边车辆占道停放，能否先施划临时停车位？".into(),
                outcome: "answered".into(),
                reply: "同意先在社区北侧空地施划临时停车位 40 个。".into(),
                ..Default::default()
            }],
            commitments: vec![CommitmentInput {
                agency: "zs-transport".into(),
                content: "在仁和社区北侧施划临时停车位 40 个".into(),
                due_on: (today + Duration::days(20)).to_string(),
            }],
        },
    )
    .await
    .map_err(err)?;

    // 乾佑街道's reports to voters: all but the last five held, two of those scheduled.
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let held_until = qianyou.len().saturating_sub(5);
    for (i, (slug, _)) in qianyou.iter().enumerate() {
        let on = if i < held_until {
            let back = 20 + (i as i64 * 7) % 200;
            (today - Duration::days(back)).max(year_start)
        } else if i < held_until + 2 {
            today + Duration::days(10 + i as i64 % 20)
        } else {
            continue;
        };
        let form = if i % 4 == 3 { "written" } else { "oral" };
        let id = reports::schedule(
            app,
            &township,
            slug,
            Schedule { form: form.into(), scheduled_on: on.to_string(), place: "村民委员会会议室".into() },
        )
        .await
        .map_err(err)?;
        if on <= today {
            let attendance = 30 + (i as i64 * 13) % 40;
            let dissatisfied = (i as i64) % 3;
            let partly = 2 + (i as i64) % 5;
            let h = Held {
                held_on: on.to_string(),
                attendance,
                satisfied: attendance - partly - dissatisfied,
                partly,
                dissatisfied,
            };
            reports::record_held(app, &township, id, h).await.map_err(err)?;
        }
    }

    // 小岭镇's deputies all reported, in writing, in the spring.
    let xiaoling = liaison_store::org::deputies_under(&app.db, "611026107", false).await?;
    for (i, d) in xiaoling.iter().enumerate() {
        let on = (year_start + Duration::days(60 + (i as i64 * 3) % 60)).min(today);
        let id = reports::schedule(
            app,
            &office,
            &d.data.slug,
            Schedule { form: "written".into(), scheduled_on: on.to_string(), place: String::new() },
        )
        .await
        .map_err(err)?;
        let h = Held {
            held_on: on.to_string(),
            attendance: 0,
            satisfied: 25 + (i as i64 % 7),
            partly: 3,
            dissatisfied: i as i64 % 2,
        };
        reports::record_held(app, &office, id, h).await.map_err(err)?;
    }

    // A small ledger: 王芳代表's households and linked voters, and a colleague's.
    // (deputy, kind, categories, members, name, born)
    type Row<'a> = (&'a str, &'a str, &'a [&'a str], i64, &'a str, &'a str);
    let households: [Row<'_>; 5] = [
        ("wang-fang", "household", &["elderly_alone"], 1, "张秀兰", "19450312"),
        ("wang-fang", "household", &["left_behind_child", "hardship"], 3, "李德全", "19680705"),
        ("wang-fang", "household", &["disabled"], 2, "陈建国", "19720918"),
        ("wang-fang", "voter", &[], 0, "刘海燕", "19850121"),
        ("colleague", "household", &["elderly_alone", "disabled"], 2, "周桂芳", "19500604"),
    ];
    for (n, (deputy, kind, cats, members, name, born)) in households.iter().enumerate() {
        let slug = if *deputy == "colleague" { colleague.as_str() } else { deputy };
        if slug.is_empty() {
            continue;
        }
        let id = ledger::add(
            app,
            &township,
            slug,
            ContactInput {
                kind: (*kind).into(),
                name: (*name).into(),
                id_number: id_number(born, 101 + n as u32),
                address: format!("乾佑街道仁和社区{}组{}号", n + 1, 10 + n * 7),
                phone: format!("1379145{:04}", 1200 + n * 37),
                categories: cats.iter().map(|c| (*c).to_string()).collect(),
                members: *members,
                note: String::new(),
                region: Some("611026001001".into()),
            },
        )
        .await
        .map_err(err)?;
        let visits: &[(i64, &str, &str, Option<i64>)] = match n {
            0 => &[
                (70, "冬季取暖煤不够用", "联系社区送去取暖煤 500 斤", Some(40)),
                (38, "腿脚不便，希望有人定期上门", "对接社区志愿者每周上门一次", Some(8)),
            ],
            1 => &[(25, "孩子暑期无人照看", "介绍到社区“四点半课堂”", Some(60))],
            2 => &[(15, "申请残疾人两项补贴", "协助准备材料，已报街道民政办", None)],
            3 => &[(30, "反映小区路灯不亮", "转社区物业维修", None)],
            _ => &[],
        };
        for (back, needs, help, next) in visits.iter() {
            let by = if n == 0 && *back == 38 { &wang } else { &township };
            let v = VisitInput {
                visited_on: day(*back),
                needs: (*needs).into(),
                help: (*help).into(),
                next_visit_on: next
                    .map(|k| (today - Duration::days(*back) + Duration::days(k)).to_string())
                    .unwrap_or_default(),
            };
            ledger::visit(app, by, id, v).await.map_err(err)?;
        }
    }
    Ok(())
}
