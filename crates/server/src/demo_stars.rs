//! The demo county's station stars: two scorecards — 柞水's “五个五” (five headings of five
//! criteria, 4 points each) and a 点军-style list of 24 scored criteria (创建标准) — last year's
//! scorings of the township stations, scored by 县人大代表工委 and approved by a second person, and
//! this year's scoring of 仁和社区's station waiting for that review. The criteria are written
//! for the demo after the seeds' headings; a county enters its own.

use chrono::Datelike;
use liaison_app::App;
use liaison_domain::authz::{Account, Grant, Principal, Role, Scope};
use liaison_domain::stars::{Criterion, DEFAULT_THRESHOLDS, Scorecard};
use liaison_store::StoreError;

fn err(e: liaison_app::Error) -> StoreError {
    StoreError::Migration(format!("demo stars: {e}"))
}

fn county(username: &str) -> Principal {
    Principal::User(Account {
        id: 0,
        username: username.into(),
        display_name: username.into(),
        county_code: "611026".into(),
        grants: vec![Grant::new(Role::CountySupervisor, Scope::parse("region:611026").expect("scope")).expect("grant")],
    })
}

const FIVE_FIVES: [(&str, [&str; 5]); 5] = [
    (
        "阵地建设",
        [
            "有固定场所和醒目标识",
            "有代表接待室",
            "有公示栏公示进站代表信息",
            "有二维码等线上联系渠道",
            "有必要的办公设备",
        ],
    ),
    ("制度建设", ["有接待选民制度", "有意见建议办理制度", "有代表履职登记制度", "有代表述职制度", "有档案管理制度"]),
    (
        "活动开展",
        [
            "每月至少一次接待日",
            "每季度至少一次集中活动",
            "每年组织代表向选民述职",
            "开展“代表活动月”",
            "组织代表视察调研",
        ],
    ),
    ("履职实效", ["群众意见按期办结", "群众评价满意", "形成代表建议", "办成为民实事", "化解矛盾纠纷"]),
    ("宣传示范", ["活动记录和影像资料齐全", "在媒体宣传报道", "形成工作特色", "获得上级表彰", "发挥示范带动作用"]),
];

fn five_fives() -> Scorecard {
    Scorecard {
        name: "联络站建设“五个五”标准（柞水）".into(),
        criteria: FIVE_FIVES
            .iter()
            .flat_map(|(g, items)| {
                items.iter().map(move |t| Criterion { group: (*g).into(), title: (*t).into(), weight: 4 })
            })
            .collect(),
        thresholds: DEFAULT_THRESHOLDS,
    }
}

fn twenty_four() -> Scorecard {
    let items: [(&str, &str); 24] = [
        ("阵地规范化", "场所固定，标识统一"),
        ("阵地规范化", "代表信息、联系方式上墙公示"),
        ("阵地规范化", "设置意见箱和二维码"),
        ("阵地规范化", "配备联络员"),
        ("阵地规范化", "台账资料规范"),
        ("制度标准化", "接待选民制度健全"),
        ("制度标准化", "意见建议交办督办闭环"),
        ("制度标准化", "代表履职积分管理"),
        ("制度标准化", "代表述职评议"),
        ("制度标准化", "学习培训制度"),
        ("活动常态化", "“5号见”接待日按月开展"),
        ("活动常态化", "每名代表联系 5 名选民"),
        ("活动常态化", "代表中心户每年至少参加一次“5号见”"),
        ("活动常态化", "每届至少参加 2 次培训"),
        ("活动常态化", "开展专题视察调研"),
        ("履职实效化", "群众意见办结率达标"),
        ("履职实效化", "群众满意率达标"),
        ("履职实效化", "每名代表每年至少 1 件高质量建议"),
        ("履职实效化", "每名代表每年至少办 1 件实事"),
        ("履职实效化", "民生实事项目票决落实"),
        ("宣传品牌化", "有工作品牌"),
        ("宣传品牌化", "典型案例宣传"),
        ("宣传品牌化", "群众知晓率高"),
        ("宣传品牌化", "经验被上级推广"),
    ];
    Scorecard {
        name: "全过程人民民主模范实践地创建标准（24 条，参照点军）".into(),
        criteria: items
            .iter()
            .enumerate()
            .map(|(i, (g, t))| Criterion {
                group: (*g).into(),
                title: (*t).into(),
                weight: if i % 6 == 0 { 5 } else { 4 },
            })
            .collect(),
        thresholds: DEFAULT_THRESHOLDS,
    }
}

/// Returns how many scorings were made (0 when the county had scorecards already).
pub async fn load(app: &App, actor: &str) -> Result<usize, StoreError> {
    let scorer = county("supervisor");
    let reviewer = county("reviewer");
    if !liaison_store::stars::scorecards(&app.db, "611026").await?.is_empty() {
        return Ok(0);
    }
    let _ = actor;
    let five = liaison_app::stars::create_scorecard(app, &scorer, Some("611026"), five_fives()).await.map_err(err)?;
    liaison_app::stars::create_scorecard(app, &scorer, Some("611026"), twenty_four()).await.map_err(err)?;
    let year = app.today().year();
    let stations = liaison_store::org::stations_under(&app.db, "611026", false).await?;
    let mut made = 0;
    for (i, s) in stations.iter().filter(|s| s.data.kind == "station").enumerate().take(8) {
        // Scores drawn from the station's place in the list: every criterion met or nearly.
        let scores: Vec<u32> = (0..25).map(|c| if (c * 7 + i * 3) % (5 + i) == 0 { 2 } else { 4 }).collect();
        let id =
            liaison_app::stars::score(app, &scorer, &s.data.slug, year - 1, five, scores, "").await.map_err(err)?;
        liaison_app::stars::submit(app, &scorer, id).await.map_err(err)?;
        liaison_app::stars::review(app, &reviewer, id, true, "").await.map_err(err)?;
        made += 1;
    }
    if let Some(s) = stations.iter().find(|s| s.data.slug == "qianyou-renhe") {
        let scores: Vec<u32> = (0..25).map(|c| if c % 6 == 0 { 3 } else { 4 }).collect();
        let id =
            liaison_app::stars::score(app, &scorer, &s.data.slug, year, five, scores, "材料齐全，接待日按月开展。")
                .await
                .map_err(err)?;
        liaison_app::stars::submit(app, &scorer, id).await.map_err(err)?;
        made += 1;
    }
    Ok(made)
}
