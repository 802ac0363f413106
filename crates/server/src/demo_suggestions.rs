//! The demo county's formal suggestions, one in every state: a draft of 王芳代表's, one submitted
//! and waiting for the office, one assigned to the transport bureau, one answered B with a
//! promised date waiting for her rating, one sent back after 不满意, and one closed after an A-class
//! answer rated 满意 — made from a constituent's case, whose tracking page then shows it. All
//! through the use-cases, as the people would. Loading again changes nothing.

use chrono::{Datelike, Duration};
use liaison_app::App;
use liaison_app::suggestions::{self as sug, Answer, Draft};
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_store::StoreError;

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo suggestions: {e}"))
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

/// Returns how many suggestions were made (0 when the county had some already).
pub async fn load(app: &App) -> Result<usize, StoreError> {
    let office = who("supervisor", Role::CountySupervisor, "region:611026");
    let wang = who("deputy.wang", Role::Deputy, "deputy:wang-fang");
    let transport = who("transport", Role::AgencyHandler, "agency:zs-transport");
    if !sug::list(app, &office, Some("611026")).await.map_err(err)?.is_empty() {
        return Ok(0);
    }
    let draft = |title: &str, content: &str, cases: Vec<i64>| Draft {
        title: title.into(),
        content: content.into(),
        session: "recess".into(),
        level: "county".into(),
        cases,
        cosigners: vec![],
    };
    let promised = (app.today() + Duration::days(240)).with_day(1).unwrap_or(app.today() + Duration::days(240));
    // A closed one, from the constituent's case about the stairwell lights.
    let lights = {
        let mut tx = app.db.begin().await?;
        let found = liaison_store::cases::by_idempotency_key(&mut tx, "demo-02").await?.map(|(id, _)| id);
        tx.commit().await?;
        found
    };
    let mut made = 0;
    let steps: [(&str, &str, Vec<i64>, u8); 6] = [
        (
            "关于在学校周边增设减速带和人行横道的建议",
            "仁和社区北口紧邻小学，上下学时段车速快，建议在学校周边路段统一增设减速带、人行横道和警示标志。",
            vec![],
            0,
        ),
        (
            "关于加快农村客运班线覆盖偏远村组的建议",
            "部分偏远村组至今没有客运班线，群众赶集、就医不便，建议增开班线或发展预约响应式客运。",
            vec![],
            1,
        ),
        (
            "关于修复乾佑河沿线乡村道路的建议",
            "乾佑河沿线乡村道路汛期多处塌方，建议列入今年农村公路养护计划，尽快修复。",
            vec![],
            2,
        ),
        (
            "关于新建仁和社区公共停车场的建议",
            "仁和社区周边停车位严重不足，车辆占道停放影响通行，建议规划新建公共停车场。",
            vec![],
            3,
        ),
        (
            "关于延长城区公交末班时间的建议",
            "城区公交末班车 18:30 收车，晚班职工回家不便，建议夏季延长至 20:00。",
            vec![],
            4,
        ),
        (
            "关于老旧小区楼道照明改造的建议",
            "多个老旧小区楼道照明损坏长期无人维修，建议纳入老旧小区改造统一更换感应灯。",
            lights.into_iter().collect(),
            5,
        ),
    ];
    for (title, content, cases, stage) in steps {
        let id = sug::draft(app, &wang, "wang-fang", draft(title, content, cases)).await.map_err(err)?;
        made += 1;
        if stage == 0 {
            continue;
        }
        sug::submit(app, &wang, id).await.map_err(err)?;
        if stage == 1 {
            continue;
        }
        sug::assign(app, &office, id, "zs-transport", &[]).await.map_err(err)?;
        if stage == 2 {
            continue;
        }
        let (class, text) = match stage {
            3 => ("b", "已将公共停车场纳入明年城建计划，选址论证后开工建设。"),
            4 => ("c", "受财政和司机配备所限，暂时难以延长末班时间，将在明年调整线路时研究。"),
            _ => ("a", "已会同街道对老旧小区楼道灯全部更换为感应灯，共 126 盏。"),
        };
        let promised_on = if class == "b" { promised.to_string() } else { String::new() };
        sug::answer(app, &transport, id, Answer { class: class.into(), answer: text.into(), promised_on })
            .await
            .map_err(err)?;
        match stage {
            4 => sug::rate(app, &wang, id, "dissatisfied", "群众意见较大，请再研究夏季延时的可行性")
                .await
                .map_err(err)?,
            5 => sug::rate(app, &wang, id, "satisfied", "").await.map_err(err)?,
            _ => {}
        }
    }
    Ok(made)
}
