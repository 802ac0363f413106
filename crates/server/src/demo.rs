//! Demo data: the county tree of 柞水县 (and its neighbour 镇安县, so that scopes have a border to
//! stop at), one account per role, and a few cases. Loading it twice changes nothing.
//!
//! Township codes are illustrative where the official ones were not at hand.

use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{Grant, Role, Scope};
use liaison_domain::password;
use liaison_domain::region::RegionCode;
use liaison_store::{Db, StoreError, audit, cases, regions, users};

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
    ("qianyou", "乾佑街道人大工委", "township_officer", "region:611026001", "611026"),
    ("renhe", "仁和社区联络员", "station_staff", "station:qianyou-renhe", "611026"),
    ("deputy.wang", "王芳代表", "deputy", "deputy:wang-fang", "611026"),
    ("transport", "县交通运输局经办人", "agency_handler", "agency:zs-transport", "611026"),
    ("zhenan", "镇安县人大代表工委", "county_supervisor", "region:611025", "611025"),
];

/// (region, station, agency, deputy, title, content)
const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "611026001001",
        "qianyou-renhe",
        "zs-transport",
        "wang-fang",
        "仁和社区路口缺少减速带",
        "仁和社区北口紧邻小学，上下学时段车辆车速快，群众希望增设减速带和人行横道。",
    ),
    (
        "611026101001",
        "",
        "",
        "",
        "石瓮社区河堤护栏破损",
        "河堤步道约二十米护栏松动破损，晚间散步的老人和孩子存在安全隐患。",
    ),
    (
        "611026107001",
        "",
        "",
        "",
        "金米村产业路需硬化",
        "金米村木耳基地至村委会的产业路雨天泥泞，运输困难，群众希望尽快硬化。",
    ),
];

const ACTOR: &str = "system:demo";

#[derive(Debug, Default)]
pub struct Loaded {
    pub regions: usize,
    pub accounts_created: usize,
    pub cases_created: usize,
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

    for (region, station, agency, deputy, title, content) in CASES {
        let region = RegionCode::parse(region).expect("demo case region");
        let reach = cases::Reach {
            region_prefixes: &[region.as_str().to_owned()],
            stations: &[],
            agencies: &[],
            deputies: &[],
        };
        if cases::list(db, &reach, 500).await?.iter().any(|c| c.title == *title) {
            continue;
        }
        let opt = |s: &'static str| (!s.is_empty()).then_some(s);
        let mut tx = db.begin().await?;
        let id = cases::insert(
            &mut tx,
            &cases::NewCase {
                region: &region,
                station_ref: opt(station),
                agency_ref: opt(agency),
                deputy_ref: opt(deputy),
                title,
                content,
            },
            now_ms,
        )
        .await?;
        let ev = AuditEvent {
            county_code: region.county_key(),
            actor: ACTOR.into(),
            action: "case.receive".into(),
            target: format!("case:{id}"),
            summary: "登记演示意见建议".into(),
        };
        audit::append(&mut tx, &ev, now_ms).await?;
        tx.commit().await?;
        loaded.cases_created += 1;
    }
    Ok(loaded)
}
