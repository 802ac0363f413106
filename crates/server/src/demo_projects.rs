//! Demo livelihood projects: the county congress's ballot on 2026's projects, held in January —
//! nominations, seven candidates for five places, the presidium's approval, two trustees, the
//! county deputies' encrypted ballots (a few on paper), the sealed board and the published result
//! — then a year of milestones, progress reports and the deputies' inspections and questions,
//! and the first nominations for 2027 waiting to be screened. Everything goes through the
//! use-cases, with the clock set to the day each thing happened.

use chrono::{TimeZone, Utc};
use liaison_app::App;
use liaison_app::ballots::{self, BallotInput};
use liaison_app::projects::{self, ListInput, MilestoneInput, NominationInput, ProjectInput, UpdateInput};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_domain::clock::OffsetClock;
use liaison_store::StoreError;
use std::sync::Arc;

fn who(username: &str, name: &str, role: Role, scope: &str) -> Principal {
    Principal::User(Account {
        id: 0,
        username: username.into(),
        display_name: name.into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(role, Scope::parse(scope).expect("scope")).expect("grant")],
    })
}

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo projects: {e}"))
}

const CANDIDATES: &[(&str, &str, &str, &str, &str)] = &[
    ("乾佑河沿岸步道亮化", "乾佑街道", "沿河步道加装太阳能路灯 120 盏，方便群众夜间出行。", "85", "zs-transport"),
    ("小岭镇城乡供水一体化", "小岭镇", "新建水厂一座、管网 18 公里，解决 7 个村季节性缺水。", "460", "zs-water"),
    ("县城中心幼儿园扩建", "县城", "新增学位 180 个，缓解入园难。", "620", ""),
    ("农村公路安全防护", "营盘镇、曹坪镇", "急弯陡坡路段加装波形护栏 23 公里。", "310", "zs-transport"),
    ("老旧小区改造", "乾佑街道", "改造 6 个老旧小区的供排水和屋面。", "540", ""),
    ("乡镇卫生院远程诊疗", "全县", "9 个乡镇卫生院接入县医院远程会诊。", "150", ""),
    ("农贸市场提升改造", "县城", "改造县城农贸市场，增设便民摊位。", "230", ""),
];

/// Loads the demo projects once.
pub async fn load(app: &App) -> Result<(), StoreError> {
    let sup = who("supervisor", "县人大代表工委", Role::CountySupervisor, "region:611026");
    if !projects::projects(app, &sup, Some("611026"), None).await.map_err(err)?.1.is_empty() {
        return Ok(());
    }
    let clock = Arc::new(OffsetClock::default());
    let past = App::new(
        app.db.clone(),
        clock.clone(),
        liaison_app::Config { data_dir: app.config.data_dir.clone(), ..Default::default() },
    );
    let reviewer = who("reviewer", "县人大常委会办公室", Role::CountySupervisor, "region:611026");
    let qianyou = who("qianyou", "乾佑街道人大工委", Role::TownshipOfficer, "region:611026001");
    let transport = who("transport", "县交通运输局", Role::AgencyHandler, "agency:zs-transport");
    let wang = who("deputy.wang", "王芳", Role::Deputy, "deputy:wang-fang");

    // 群众点单: nominations in the first days of January 2026.
    clock.set(Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).single().expect("a date"));
    let mut noms = Vec::new();
    for (i, (title, place, content, _, _)) in CANDIDATES.iter().enumerate() {
        let i_ = NominationInput {
            title: (*title).into(),
            place: (*place).into(),
            content: (*content).into(),
            people: Some([46, 130, 88, 35, 62, 27, 19][i]),
            channel: ["reception", "grid", "staff"][i % 3].into(),
            region: Some("611026".into()),
            ..Default::default()
        };
        noms.push(projects::nominate(&past, &sup, &i_).await.map_err(err)?);
    }
    let public = NominationInput {
        title: "仁和社区增设公交站".into(),
        content: "社区离公交站太远，老人出行不便。".into(),
        ..Default::default()
    };
    projects::nominate_public(&past, "qianyou-renhe", &public).await.map_err(err)?;

    // Screened into seven candidates; the list; the presidium.
    clock.set(Utc.with_ymd_and_hms(2026, 1, 8, 2, 0, 0).single().expect("a date"));
    let mut ids = Vec::new();
    for (i, (title, place, content, cost, owner)) in CANDIDATES.iter().enumerate() {
        let p = ProjectInput {
            region: Some("611026".into()),
            level: "county".into(),
            year: 2026,
            title: (*title).into(),
            place: (*place).into(),
            description: (*content).into(),
            estimated_cost: (*cost).into(),
            owner_agency: (*owner).into(),
            nominations: vec![noms[i]],
        };
        ids.push(projects::create_project(&past, &sup, &p).await.map_err(err)?);
    }
    let session = "柞水县第十八届人民代表大会第六次会议";
    let list = ListInput {
        region: Some("611026".into()),
        level: "county".into(),
        year: 2026,
        session: session.into(),
        places: 5,
        ratio_percent: Some(70),
        projects: ids.clone(),
    };
    let list_id = projects::create_list(&past, &sup, &list).await.map_err(err)?;
    projects::approve_list(&past, &reviewer, list_id, "大会主席团第二次会议（2026-01-11）审议通过")
        .await
        .map_err(err)?;

    // 代表定单: the ballot on 12 January.
    clock.set(Utc.with_ymd_and_hms(2026, 1, 12, 1, 0, 0).single().expect("a date"));
    let input = BallotInput {
        method: "choose".into(),
        list: Some(list_id),
        held_on: "2026-01-12".into(),
        closes_at: "2026-01-12 11:30".into(),
        tie_rule: "list_order".into(),
        trustees: vec!["supervisor".into(), "reviewer".into()],
        ..Default::default()
    };
    let ballot = ballots::create(&past, &sup, &input).await.map_err(err)?;
    let k1 = ballots::trustee_key(&past, &sup, ballot).await.map_err(err)?;
    let k2 = ballots::trustee_key(&past, &reviewer, ballot).await.map_err(err)?;
    let issued = issue(&past, &sup, ballot).await?;
    ballots::approve(&past, &sup, ballot).await.map_err(err)?;
    ballots::approve(&past, &reviewer, ballot).await.map_err(err)?;
    // Each deputy ticks up to five; the slips name them, the ballots do not.
    let deputies = liaison_store::org::deputies_under(&app.db, "611026", false).await?;
    let mut paper = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, slip) in issued.iter().enumerate() {
        let found =
            deputies.iter().find(|d| d.data.name == slip.0 && d.data.region_code == slip.1 && !seen.contains(&d.id));
        let Some(d) = found else { continue };
        seen.insert(d.id);
        if n % 40 == 7 {
            paper.push(d.data.slug.clone());
            continue;
        }
        if n % 23 == 5 {
            continue; // absent
        }
        let me = who(&format!("demo-{}", d.data.slug), &d.data.name, Role::Deputy, &format!("deputy:{}", d.data.slug));
        let me = if d.data.slug == "wang-fang" { wang.clone() } else { me };
        let pick: Vec<u32> =
            [0u32, 1, 3, 4, 5, 2, 6].iter().copied().filter(|j| (n as u32 * 7 + j * 3) % 10 < 6).take(5).collect();
        ballots::cast(&past, &me, ballot, &slip.2, &[pick]).await.map_err(err)?;
    }
    if !paper.is_empty() {
        ballots::paper_voters(&past, &sup, ballot, &paper).await.map_err(err)?;
        for (i, _) in paper.iter().enumerate() {
            let pick: Vec<u32> = if i % 2 == 0 { vec![0, 1, 3, 4, 5] } else { vec![1, 2, 3] };
            ballots::enter_paper(&past, &sup, ballot, &[pick]).await.map_err(err)?;
        }
    }
    ballots::close(&past, &sup, ballot).await.map_err(err)?;
    ballots::give_share(&past, &sup, ballot, &k1).await.map_err(err)?;
    ballots::give_share(&past, &reviewer, ballot, &k2).await.map_err(err)?;

    // 政府买单, with the deputies asking how it goes.
    let chosen = projects::public_projects(app, "611026").await.map_err(err)?;
    let chosen: Vec<_> = chosen.into_iter().filter(|p| p.status == "chosen").collect();
    for p in &chosen {
        if p.owner_agency.is_none() {
            projects::set_owner(&past, &sup, p.id, "zs-water").await.map_err(err)?;
        }
    }
    clock.set(Utc.with_ymd_and_hms(2026, 2, 20, 2, 0, 0).single().expect("a date"));
    let mut milestones = Vec::new();
    for p in chosen.iter().filter(|p| p.owner_agency.as_deref() == Some("zs-transport")) {
        for (title, due, budget) in
            [("完成设计和招标", "2026-04-30", "10"), ("主体施工", "2026-09-30", "60"), ("竣工验收", "2026-12-31", "")]
        {
            let m = MilestoneInput { title: title.into(), due_on: due.into(), budget: budget.into() };
            milestones.push((p.id, projects::add_milestone(&past, &transport, p.id, &m).await.map_err(err)?));
        }
    }
    let steps = [
        (2026, 4, 28, "progress", "完成设计和招标，施工单位已进场。", Some(20), "12"),
        (2026, 6, 16, "inspection", "代表实地查看施工进度，建议加快雨季前的路基施工。", None, ""),
        (2026, 7, 3, "question", "群众反映夜间施工噪音大，能否调整作业时间？", None, ""),
        (2026, 9, 25, "progress", "主体施工完成，进入附属设施安装。", Some(80), "58"),
    ];
    for p in chosen.iter().filter(|p| p.owner_agency.as_deref() == Some("zs-transport")) {
        for (y, m, d, kind, body, percent, spent) in steps {
            clock.set(Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).single().expect("a date"));
            let day = format!("{y}-{m:02}-{d:02}");
            let i = UpdateInput {
                kind: kind.into(),
                happened_on: day,
                body: body.into(),
                percent,
                spent: spent.into(),
                deputies: if kind == "progress" { vec![] } else { vec!["wang-fang".into()] },
            };
            let actor = if kind == "progress" { &transport } else { &sup };
            let uid = projects::report(&past, actor, p.id, &i).await.map_err(err)?;
            if kind == "question" {
                projects::answer(&past, &transport, p.id, uid, "已调整为早 7 点至晚 8 点作业，并加装隔音围挡。")
                    .await
                    .map_err(err)?;
            }
            // The report that says a milestone was reached marks it.
            if let Some(n) = [(4, 0usize), (9, 1)].iter().find(|(month, _)| *month == m).map(|(_, n)| *n)
                && let Some((_, mid)) = milestones.iter().filter(|(pid, _)| *pid == p.id).nth(n)
            {
                projects::milestone_done(&past, &transport, p.id, *mid, &format!("{y}-{m:02}-{d:02}"))
                    .await
                    .map_err(err)?;
            }
        }
    }

    // 2027: the first nominations, waiting to be screened.
    for (title, content) in [
        ("乾佑街道停车场建设", "老街停车难，建议利用闲置地块建设停车场。"),
        ("社区日间照料中心", "独居老人多，希望社区有日间照料中心。"),
    ] {
        let i = NominationInput {
            title: title.into(),
            content: content.into(),
            people: Some(12),
            channel: "reception".into(),
            ..Default::default()
        };
        projects::nominate(app, &qianyou, &i).await.map_err(err)?;
    }
    let i = NominationInput {
        title: "河堤护栏加高".into(),
        content: "乾佑河堤护栏太矮，孩子容易翻越。".into(),
        ..Default::default()
    };
    projects::nominate_public(app, "qianyou-renhe", &i).await.map_err(err)?;
    Ok(())
}

/// Issues the credentials with the second keeper's password (the demo's), returning (name,
/// region, code) per slip.
async fn issue(app: &App, sup: &Principal, ballot: i64) -> Result<Vec<(String, String, String)>, StoreError> {
    let pw = std::env::var("LIAISON_DEMO_PASSWORD").unwrap_or_else(|_| crate::demo::DEMO_PASSWORD.to_owned());
    let issued = ballots::issue_credentials(app, sup, ballot, "reviewer", &pw).await.map_err(err)?;
    Ok(issued.slips.into_iter().map(|s| (s.deputy, s.region, s.code)).collect())
}
