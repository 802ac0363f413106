//! The demo county's organisation, built from the seeds: 柞水县's township stations, village
//! points, sector stations and deputy households; about 300 deputies of the five levels with
//! generated names; the agencies cases go to; and a four-level grid with some cells uncovered.
//! Everything is keyed by stable slugs, so loading twice changes nothing.

use crate::demo::REGIONS;
use liaison_domain::org::{AgencyKind, DeputyLevel, Gender, HouseholdKind, StationKind};
use liaison_domain::phone::PhoneNumber;
use liaison_domain::roster::{AgencyRecord, DeputyRecord, GridRecord, Records, StationRecord};
use liaison_store::roster::Sheet;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "桂兰", "明", "丽", "军", "静", "勇", "敏", "磊", "艳", "涛", "娟", "超", "霞", "平", "刚",
    "英", "华", "红梅", "海燕", "文杰", "晓东", "春花", "玉兰", "德明", "国庆", "小红", "卫东", "建华", "淑珍", "永强",
    "丽娟", "志刚", "翠兰", "宏伟", "秀兰", "金凤", "振华", "长青", "凤英", "立新", "秋菊", "海涛", "晓燕", "新民",
    "巧云", "家豪", "雪梅",
];
const OCCUPATIONS: &[&str] = &[
    "村党支部书记",
    "社区居委会主任",
    "种植大户",
    "个体工商户",
    "乡村医生",
    "小学教师",
    "木耳合作社负责人",
    "民宿经营者",
    "企业职工",
    "农民",
    "退役军人",
    "乡镇干部",
    "卫生院院长",
    "茶叶种植户",
    "养殖专业户",
    "律师",
];
const DUTIES: &[&str] = &[
    "联系乡村振兴、产业发展",
    "联系交通出行、道路安全",
    "联系教育医疗",
    "联系基层治理、矛盾调解",
    "联系生态环境保护",
    "联系养老服务、民政救助",
    "联系文化旅游",
    "联系农村人居环境",
];

/// A small deterministic generator, so the demo is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

fn townships() -> Vec<(&'static str, &'static str)> {
    REGIONS.iter().copied().filter(|(c, _)| c.len() == 9 && c.starts_with("611026")).collect()
}

fn villages(township: &str) -> Vec<(&'static str, &'static str)> {
    REGIONS.iter().copied().filter(|(c, _)| c.len() == 12 && c.starts_with(township)).collect()
}

fn station(row: usize, slug: Option<&str>, region: &str, name: String, kind: StationKind) -> StationRecord {
    StationRecord {
        row,
        slug: slug.map(str::to_owned),
        region: region.to_owned(),
        name,
        kind,
        sector: String::new(),
        household_kind: None,
        parent: None,
        address: String::new(),
        opening_hours: "工作日 8:30—12:00，14:30—17:30；每月 5 日接待日".into(),
        phone: None,
        description: String::new(),
    }
}

pub fn sheets() -> Vec<Sheet> {
    let mut rng = Lcg(611026);
    let mut stations = Vec::new();
    let mut row = 2;
    let mut home = station(row, Some("zhashui-home"), "611026", "柞水县人大代表之家".into(), StationKind::Home);
    home.address = "柞水县乾佑街道县人大常委会机关一楼".into();
    home.phone = PhoneNumber::parse("0914-4321001").ok();
    home.description = "县人大代表集中活动、学习培训和接待群众的场所。代表信息、履职职责、开放时间上墙公示。".into();
    stations.push(home);
    for (sector, slug) in [("医疗卫生", "sector-health"), ("农业农村", "sector-agri"), ("文化旅游", "sector-tourism")]
    {
        row += 1;
        let mut s = station(row, Some(slug), "611026", format!("{sector}专业代表联络站"), StationKind::Sector);
        s.sector = sector.into();
        s.description = format!("组织{sector}领域的代表开展专题调研、视察和接待活动。");
        stations.push(s);
    }
    for (code, name) in townships() {
        row += 1;
        let center = format!("{name}人大代表联络站");
        let mut s = station(row, None, code, center.clone(), StationKind::Station);
        s.address = format!("{name}便民服务中心二楼");
        s.phone = PhoneNumber::parse(&format!("0914-43{:05}", 21000 + row)).ok();
        s.description =
            "坚持每月 5 日接待选民，实行“接待选民、收集问题、分级交办、跟踪督办、结果反馈、满意度测评”六步闭环。"
                .into();
        stations.push(s);
        for (vcode, vname) in villages(code) {
            row += 1;
            let slug = (vcode == "611026001001").then_some("qianyou-renhe");
            let mut p = station(row, slug, vcode, format!("{vname}代表联络点"), StationKind::Point);
            p.parent = Some(center.clone());
            p.address = format!("{vname}党群服务中心");
            stations.push(p);
        }
    }
    for (i, (code, name, kind)) in [
        ("611026107001", "金米村木耳产业中心户", HouseholdKind::Enterprise),
        ("611026104001", "杏坪村联络中心户", HouseholdKind::Liaison),
        ("611026103001", "凤凰古镇旅游行业中心户", HouseholdKind::Industry),
    ]
    .into_iter()
    .enumerate()
    {
        row += 1;
        let mut h = station(
            row,
            Some(["household-jinmi", "household-xingping", "household-fenghuang"][i]),
            code,
            name.into(),
            StationKind::Household,
        );
        h.household_kind = Some(kind);
        h.opening_hours = "随时接待，提前电话联系".into();
        stations.push(h);
    }

    let mut deputies = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut add = |rng: &mut Lcg,
                   row: usize,
                   levels: Vec<DeputyLevel>,
                   township: (&str, &str),
                   fixed: Option<(&str, &str, Gender)>| {
        let (slug, name, gender) = match fixed {
            Some((slug, name, g)) => (Some(slug.to_owned()), name.to_owned(), g),
            None => loop {
                let n = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
                if used.insert(n.clone()) {
                    let g = if rng.next().is_multiple_of(3) { Gender::Female } else { Gender::Male };
                    break (None, n, g);
                }
            },
        };
        let villages = villages(township.0);
        let village = villages[(rng.next() as usize) % villages.len()];
        let mut at = vec![(format!("{}人大代表联络站", township.1), rng.next().is_multiple_of(4))];
        if rng.next().is_multiple_of(2) {
            at.push((format!("{}代表联络点", village.1), false));
        }
        DeputyRecord {
            row,
            slug,
            name,
            gender,
            levels,
            term: "第十八届".into(),
            region: township.0.to_owned(),
            constituency: format!("{}选区", village.1),
            occupation: rng.pick(OCCUPATIONS).to_owned(),
            duties: rng.pick(DUTIES).to_owned(),
            phone: PhoneNumber::parse(&format!("139{:08}", 10_000_000 + row as u64 * 7919 % 89_999_999)).ok(),
            stations: at.into_iter().collect(),
        }
    };
    let towns = townships();
    let mut drow = 2;
    deputies.push(add(
        &mut rng,
        drow,
        vec![DeputyLevel::County, DeputyLevel::Township],
        towns[0],
        Some(("wang-fang", "王芳", Gender::Female)),
    ));
    let plan: &[(Vec<DeputyLevel>, usize)] = &[
        (vec![DeputyLevel::National, DeputyLevel::Provincial], 1),
        (vec![DeputyLevel::Provincial], 3),
        (vec![DeputyLevel::City, DeputyLevel::County], 14),
        (vec![DeputyLevel::County], 120),
        (vec![DeputyLevel::County, DeputyLevel::Township], 30),
        (vec![DeputyLevel::Township], 132),
    ];
    for (levels, n) in plan {
        for i in 0..*n {
            drow += 1;
            deputies.push(add(&mut rng, drow, levels.clone(), towns[i % towns.len()], None));
        }
    }

    let mut agencies = Vec::new();
    let mut arow = 1;
    for (code, name) in &towns {
        arow += 1;
        let kind = if name.ends_with("街道") { "办事处" } else { "人民政府" };
        agencies.push(AgencyRecord {
            row: arow,
            slug: None,
            region: (*code).into(),
            name: format!("{name}{kind}"),
            kind: AgencyKind::Government,
            phone: None,
        });
    }
    for (slug, name, kind) in [
        (Some("zs-transport"), "柞水县交通运输局", AgencyKind::Department),
        (Some("zs-water"), "柞水县水利局", AgencyKind::Department),
        (None, "柞水县住房和城乡建设局", AgencyKind::Department),
        (None, "柞水县教育体育局", AgencyKind::Department),
        (None, "柞水县卫生健康局", AgencyKind::Department),
        (None, "柞水县农业农村局", AgencyKind::Department),
        (None, "柞水县民政局", AgencyKind::Department),
        (None, "柞水县人力资源和社会保障局", AgencyKind::Department),
        (None, "柞水县自然资源局", AgencyKind::Department),
        (None, "柞水县市场监督管理局", AgencyKind::Department),
        (None, "柞水县城市管理执法局", AgencyKind::Department),
        (None, "柞水县公安局", AgencyKind::Department),
        (None, "柞水县人民法院", AgencyKind::Court),
        (None, "柞水县人民检察院", AgencyKind::Procuratorate),
    ] {
        arow += 1;
        agencies.push(AgencyRecord {
            row: arow,
            slug: slug.map(str::to_owned),
            region: "611026".into(),
            name: name.into(),
            kind,
            phone: PhoneNumber::parse(&format!("0914-43{:05}", 30000 + arow)).ok(),
        });
    }

    // A four-level grid for 乾佑街道 and 小岭镇: township, village, area, group.
    let mut grid = Vec::new();
    let mut grow = 1;
    for (tcode, tname) in [("611026001", "乾佑街道"), ("611026107", "小岭镇")] {
        let township_deputies: Vec<&DeputyRecord> = deputies.iter().filter(|d| d.region == tcode).collect();
        let mut next_deputy = township_deputies.iter().cycle();
        grow += 1;
        grid.push(GridRecord {
            row: grow,
            region: tcode.into(),
            code: "1".into(),
            name: format!("{tname}总网格"),
            level: 1,
            parent: None,
            deputies: vec![],
            worker: String::new(),
            worker_phone: None,
        });
        for (vi, (_, vname)) in villages(tcode).iter().enumerate() {
            let vcode = format!("1-{}", vi + 1);
            grow += 1;
            grid.push(GridRecord {
                row: grow,
                region: tcode.into(),
                code: vcode.clone(),
                name: format!("{vname}网格"),
                level: 2,
                parent: Some("1".into()),
                deputies: next_deputy.next().map(|d| vec![d.name.clone()]).unwrap_or_default(),
                worker: String::new(),
                worker_phone: None,
            });
            for a in 1..=2 {
                let acode = format!("{vcode}-{a}");
                grow += 1;
                // Every third area is left without a deputy, so the coverage view has work to show.
                let deputies = if (vi + a) % 3 == 0 {
                    vec![]
                } else {
                    next_deputy.next().map(|d| vec![d.name.clone()]).unwrap_or_default()
                };
                grid.push(GridRecord {
                    row: grow,
                    region: tcode.into(),
                    code: acode.clone(),
                    name: format!("{vname}第{a}片区"),
                    level: 3,
                    parent: Some(vcode.clone()),
                    deputies,
                    worker: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
                    worker_phone: PhoneNumber::parse(&format!("137{:08}", 20_000_000 + grow as u64 * 131)).ok(),
                });
                grow += 1;
                grid.push(GridRecord {
                    row: grow,
                    region: tcode.into(),
                    code: format!("{acode}-1"),
                    name: format!("{vname}第{a}片区一组"),
                    level: 4,
                    parent: Some(acode),
                    deputies: vec![],
                    worker: String::new(),
                    worker_phone: None,
                });
            }
        }
    }

    vec![
        Sheet { name: "联络站".into(), records: Records::Stations(stations) },
        Sheet { name: "承办单位".into(), records: Records::Agencies(agencies) },
        Sheet { name: "代表".into(), records: Records::Deputies(deputies) },
        Sheet { name: "网格".into(), records: Records::Grid(grid) },
    ]
}
