//! Demo data: the county tree of 柞水县 (and its neighbour 镇安县, so that scopes have a border to
//! stop at), one account per role, and a few cases. Loading it twice changes nothing.
//!
//! Township codes are illustrative where the official ones were not at hand.

use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Grant, Role, Scope};
use liaison_domain::password;
use liaison_domain::region::RegionCode;
use liaison_store::{Db, StoreError, audit, regions, users};

/// The password every demo account gets unless `LIAISON_DEMO_PASSWORD` says otherwise.
pub const DEMO_PASSWORD: &str = "liaison2026demo";

pub const REGIONS: &[(&str, &str)] = &[
    ("61", "陕西省"),
    ("6110", "商洛市"),
    ("611026", "柞水县"),
    ("611026001", "乾佑街道"),
    ("611026001001", "仁和社区"),
    ("611026001002", "石镇社区"),
    ("611026001003", "梨园社区"),
    ("611026100", "营盘镇"),
    ("611026100001", "营盘村"),
    ("611026100002", "朱家湾村"),
    ("611026101", "下梁镇"),
    ("611026101001", "石瓮社区"),
    ("611026101002", "西川村"),
    ("611026102", "红岩寺镇"),
    ("611026102001", "红岩寺村"),
    ("611026102002", "蓝家湾村"),
    ("611026103", "凤凰镇"),
    ("611026103001", "凤凰街社区"),
    ("611026103002", "茨沟村"),
    ("611026104", "杏坪镇"),
    ("611026104001", "杏坪村"),
    ("611026104002", "中山村"),
    ("611026105", "瓦房口镇"),
    ("611026105001", "瓦房口村"),
    ("611026105002", "大河村"),
    ("611026106", "曹坪镇"),
    ("611026106001", "曹坪村"),
    ("611026106002", "马房子村"),
    ("611026107", "小岭镇"),
    ("611026107001", "金米村"),
    ("611026107002", "常湾村"),
    ("611025", "镇安县"),
    ("611025001", "永乐街道"),
];

/// (username, display name, role, scope, county)
pub const ACCOUNTS: &[(&str, &str, &str, &str, &str)] = &[
    ("admin", "系统管理员", "system_admin", "region:611026", "611026"),
    ("security", "安全管理员", "security_admin", "region:611026", "611026"),
    ("auditor", "安全审计员", "auditor", "region:611026", "611026"),
    ("supervisor", "县人大代表工委", "county_supervisor", "region:611026", "611026"),
    // A second person of the county: station stars are scored by one and approved by another.
    ("reviewer", "县人大选联工委（复核）", "county_supervisor", "region:611026", "611026"),
    ("qianyou", "乾佑街道人大工委", "township_officer", "region:611026001", "611026"),
    ("renhe", "仁和社区联络员", "station_staff", "station:qianyou-renhe", "611026"),
    ("deputy.wang", "王芳代表", "deputy", "deputy:wang-fang", "611026"),
    ("transport", "县交通运输局经办人", "agency_handler", "agency:zs-transport", "611026"),
    ("zhenan", "镇安县人大代表工委", "county_supervisor", "region:611025", "611025"),
];

/// Demo cases: (key, station, deputy, channel, title, content, how far it gets).
const CASES: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "demo-01",
        "qianyou-renhe",
        "wang-fang",
        "qr",
        "仁和社区路口缺少减速带",
        "仁和社区北口紧邻小学，上下学时段车辆车速快，群众希望增设减速带和人行横道。",
        "assigned-county",
    ),
    (
        "demo-02",
        "qianyou-renhe",
        "",
        "station",
        "小区楼道照明损坏",
        "仁和社区三号楼楼道灯坏了两个月，老人晚上上下楼不便。",
        "closed",
    ),
    (
        "demo-03",
        "qianyou-renhe",
        "",
        "qr",
        "社区卫生室药品不全",
        "常用降压药经常缺货，希望社区卫生室增加备货。",
        "received",
    ),
    (
        "demo-04",
        "qianyou-renhe",
        "",
        "visit",
        "河堤步道护栏松动",
        "河堤步道约二十米护栏松动破损，晚间散步的老人和孩子存在安全隐患。",
        "handled",
    ),
    ("demo-05", "qianyou-renhe", "", "wechat", "垃圾清运不及时", "周末垃圾清运不及时，夏天异味大。", "replied"),
    (
        "demo-06",
        "qianyou-renhe",
        "",
        "station",
        "咨询养老保险缴费",
        "群众咨询城乡居民养老保险缴费档次和补贴政策。",
        "answered",
    ),
    (
        "demo-07",
        "qianyou-renhe",
        "",
        "hotline",
        "邻里宅基地纠纷",
        "与邻居因宅基地界址发生纠纷，希望代表出面协调。",
        "declined",
    ),
    ("demo-08", "qianyou-renhe", "", "qr", "路口需要减速带", "小学门口车速太快，建议装减速带。", "merged"),
    (
        "demo-09",
        "qianyou-renhe",
        "wang-fang",
        "snapshot",
        "村道边坡落石",
        "随手拍：村道边坡有落石，雨后存在隐患。",
        "triaged",
    ),
];

const ACTOR: &str = "system:demo";

#[derive(Debug, Default)]
pub struct Loaded {
    pub regions: usize,
    pub accounts_created: usize,
    pub cases_created: usize,
    /// Reception schedules created (with their rosters and a few past receptions).
    pub schedules_created: usize,
    pub register_entries: usize,
    pub organisation: liaison_store::roster::Report,
}

pub async fn load(db: &Db, now_ms: i64, demo_password: &str) -> Result<Loaded, StoreError> {
    let mut loaded = Loaded::default();
    let mut tx = db.begin().await?;
    for (code, name) in REGIONS {
        let code = RegionCode::parse(code).expect("demo region codes are valid");
        regions::upsert(&mut tx, &code, name, now_ms).await?;
        loaded.regions += 1;
    }
    tx.commit().await?;

    let county = RegionCode::parse("611026").expect("demo county");
    loaded.organisation = liaison_store::roster::apply(
        db,
        &county,
        std::slice::from_ref(&county),
        &crate::demo_org::sheets(),
        (ACTOR, "roster.import"),
        now_ms,
        false,
    )
    .await?;
    if let Some(e) = loaded.organisation.errors.first() {
        return Err(StoreError::Migration(format!(
            "demo organisation refused at {} row {}: {}",
            e.sheet, e.row, e.reason
        )));
    }

    let hash = password::hash_password(demo_password);
    for (username, display, role, scope, county) in ACCOUNTS {
        if users::find_by_username(db, username).await?.is_some() {
            continue;
        }
        let grant = Grant::new(Role::parse(role).expect("demo role"), Scope::parse(scope).expect("demo scope"))
            .expect("demo grant");
        let mut tx = db.begin().await?;
        users::create(
            &mut tx,
            &users::NewUser {
                county_code: county,
                username,
                display_name: display,
                password_hash: &hash,
                grants: &[grant],
            },
            now_ms,
        )
        .await?;
        let ev = AuditEvent {
            county_code: (*county).into(),
            actor: ACTOR.into(),
            action: "user.create".into(),
            target: format!("user:{username}"),
            summary: format!("创建演示账号，角色 {role}，范围 {scope}"),
        };
        audit::append(&mut tx, &ev, now_ms).await?;
        tx.commit().await?;
        loaded.accounts_created += 1;
    }

    loaded.cases_created = load_cases(db, demo_password).await?;
    // Never started, for the reason `load_cases` gives.
    let app = liaison_app::App::new(
        db.clone(),
        std::sync::Arc::new(liaison_domain::clock::SystemClock),
        liaison_app::Config::default(),
    );
    loaded.schedules_created = crate::demo_receptions::load(&app, ACTOR).await?;
    loaded.register_entries = crate::demo_register::load(&app, ACTOR).await?;
    crate::demo_stars::load(&app, ACTOR).await?;
    crate::demo_suggestions::load(&app).await?;
    crate::demo_outreach::load(&app).await?;
    crate::demo_projects::load(&app).await?;
    crate::demo_bulletins::load(&app).await?;
    Ok(loaded)
}

/// Runs the demo cases through the real loop, so that every inbox, timeline and count has
/// something to show. Keys make it idempotent: a case that exists is left as it is. The `App`
/// here is never started: a started one would open the search index and hold its writer, and
/// the server that `serve --demo` starts next in this process could not open it.
async fn load_cases(db: &Db, _pw: &str) -> Result<usize, StoreError> {
    use liaison_app::cases::{self as casework, Intake, Step};
    use liaison_domain::authz::{Account, Principal};
    use liaison_domain::case::{Channel, Level, Rating, TrackingCode};
    use liaison_domain::ids::CaseId;
    let state = liaison_app::App::new(
        db.clone(),
        std::sync::Arc::new(liaison_domain::clock::SystemClock),
        liaison_app::Config::default(),
    );
    let caller = |role: Role, scope: &str| {
        Principal::User(Account {
            id: 0,
            username: ACTOR.into(),
            display_name: "演示".into(),
            county_code: "611026".into(),
            grants: vec![Grant::new(role, Scope::parse(scope).expect("demo scope")).expect("demo grant")],
        })
    };
    let sup = caller(Role::CountySupervisor, "region:611026");
    let officer = caller(Role::TownshipOfficer, "region:611026001");
    let transport = caller(Role::AgencyHandler, "agency:zs-transport");
    let err = |e: liaison_app::Error| StoreError::Migration(format!("demo case: {e}"));
    let mut created = 0;
    let mut first_id = None;
    for (key, station, deputy, channel, title, content, goal) in CASES {
        // A case naming a deputy came through the deputy's own QR code, so that it reaches them.
        let (region, station, deputy) = casework::route_public(
            &state,
            Some(station).filter(|s| !s.is_empty() && deputy.is_empty()).copied(),
            Some(deputy).filter(|s| !s.is_empty()).copied(),
        )
        .await
        .map_err(err)?;
        let intake = Intake {
            region,
            station,
            deputy,
            title: (*title).into(),
            content: (*content).into(),
            channel: Channel::parse(channel).expect("demo channel"),
            category: "其他".into(),
            location: String::new(),
            contact_name: "李女士".into(),
            contact_phone: liaison_domain::phone::PhoneNumber::parse("13900001111").ok(),
            anonymous: false,
            publish_consent: true,
            sms_notices: true,
            photos: vec![],
            idempotency_key: Some((*key).into()),
            reception: None,
        };
        let (row, new) = casework::receive(&state, intake, ACTOR).await.map_err(err)?;
        first_id.get_or_insert(row.id);
        if !new {
            continue;
        }
        created += 1;
        let id = row.id;
        let township =
            |note: &str| Step::Triage {
                level: Level::Township, category: Some("城乡建设".into()), note: note.into()
            };
        let steps: Vec<(&Principal, Step)> = match *goal {
            "triaged" => vec![(&officer, township("核实落石位置"))],
            "assigned-county" => vec![
                (&sup, Step::Triage { level: Level::County, category: Some("道路交通".into()), note: String::new() }),
                (
                    &sup,
                    Step::Assign {
                        lead: "zs-transport".into(), assisting: vec![], note: "请实地查看后设置".into()
                    },
                ),
                (&sup, Step::Urge { message: "学校即将开学，请加快办理".into() }),
            ],
            "handled" | "replied" | "closed" => {
                let mut v = vec![
                    (
                        &sup,
                        Step::Triage {
                            level: Level::County, category: Some("城乡建设".into()), note: String::new()
                        },
                    ),
                    (&sup, Step::Assign { lead: "zs-transport".into(), assisting: vec![], note: String::new() }),
                    (&transport, Step::RecordResult { result: "已安排维修，三日内完成".into() }),
                ];
                if *goal != "handled" {
                    v.push((&sup, Step::PublishReply { reply: "已维修完毕，感谢您的反映。".into() }));
                }
                v
            }
            "answered" => vec![(&officer, Step::AnswerOnSpot { reply: "已现场解答缴费档次与补贴标准。".into() })],
            "declined" => vec![(
                &officer,
                Step::Decline {
                    reason: "属民事纠纷".into(),
                    referral: "可向乾佑街道人民调解委员会申请调解，或依法向人民法院起诉".into(),
                },
            )],
            "merged" => vec![(&officer, Step::Merge { into: CaseId(first_id.unwrap_or(id)) })],
            _ => vec![],
        };
        for (who, step) in steps {
            casework::act(&state, who, CaseId(id), step).await.map_err(err)?;
        }
        if *goal == "closed" {
            let code = TrackingCode::parse(row.tracking_code.as_deref().unwrap_or_default()).expect("fresh code");
            casework::survey(&state, &code, Rating::Satisfied, "修得很快".into()).await.map_err(err)?;
        }
    }
    Ok(created)
}
