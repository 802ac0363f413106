//! The columns of each roster kind: the key, the header we write, the variants clerks write, and
//! whether it is required; and telling a sheet's kind from its name or headers.

use super::RosterKind;

/// A column: its key, the header we write, the headers we accept, and whether it is required.
#[derive(Debug)]
pub struct Column {
    pub key: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(key: &'static str, header: &'static str, aliases: &'static [&'static str], required: bool) -> Column {
    Column { key, header, aliases, required }
}

pub(super) const STATION_COLUMNS: &[Column] = &[
    col("slug", "标识", &["站点标识", "编码"], false),
    col(
        "region",
        "所属区划",
        &["所属乡镇（街道）", "所属乡镇", "乡镇（街道）", "乡镇", "行政区划代码", "区划代码", "所属村（社区）"],
        true,
    ),
    col("name", "站点名称", &["名称", "联络站名称"], true),
    col("kind", "类型", &["站点类型"], true),
    col("sector", "行业", &["专业领域", "行业领域"], false),
    col("household_kind", "中心户类型", &[], false),
    col("parent", "上级站点", &["所属联络站", "上级"], false),
    col("address", "地址", &["站点地址"], false),
    col("opening_hours", "开放时间", &["接待时间"], false),
    col("phone", "联系电话", &["电话", "站点电话"], false),
    col("description", "简介", &["站点简介", "职责"], false),
];

pub(super) const DEPUTY_COLUMNS: &[Column] = &[
    col("slug", "标识", &["代表标识", "编码"], false),
    col("name", "姓名", &["代表姓名"], true),
    col("gender", "性别", &[], true),
    col("levels", "代表层级", &["层级", "代表级别", "级别"], true),
    col("term", "届次", &["届别"], false),
    col("region", "所属区划", &["所属乡镇（街道）", "所属乡镇", "乡镇（街道）", "乡镇", "行政区划代码"], true),
    col("constituency", "选区", &["所在选区"], false),
    col("occupation", "职业", &["工作单位及职务", "职业（行业）", "行业"], false),
    col("duties", "履职分工", &["职责", "分工"], false),
    col("phone", "联系电话", &["电话", "手机", "手机号码"], false),
    col("stations", "所在联络站", &["联络站", "进站"], false),
];

pub(super) const AGENCY_COLUMNS: &[Column] = &[
    col("slug", "标识", &["单位标识", "编码"], false),
    col("region", "所属区划", &["所属乡镇（街道）", "区划", "行政区划代码"], true),
    col("name", "单位名称", &["名称", "承办单位"], true),
    col("kind", "单位类型", &["类型"], true),
    col("phone", "联系电话", &["电话"], false),
];

pub(super) const GRID_COLUMNS: &[Column] = &[
    col("region", "所属乡镇（街道）", &["所属乡镇", "乡镇", "所属区划", "行政区划代码"], true),
    col("code", "网格编号", &["编号"], true),
    col("name", "网格名称", &["名称"], true),
    col("level", "网格层级", &["层级", "级别"], true),
    col("parent", "上级网格编号", &["上级网格"], false),
    col("deputies", "包联代表", &["代表", "联系代表"], false),
    col("worker", "网格员", &["网格员姓名"], false),
    col("worker_phone", "网格员电话", &["网格员联系电话"], false),
];

/// Headers that clerks add and that carry nothing to import.
pub(super) const IGNORED_HEADERS: &[&str] = &["序号", "备注", "说明"];

/// Guesses a table's kind from its sheet name, then its headers.
pub fn detect(sheet: &str, headers: &[String]) -> Option<RosterKind> {
    for k in RosterKind::ALL {
        if sheet.contains(k.label()) {
            return Some(k);
        }
    }
    let has = |h: &str| headers.iter().any(|x| x == h);
    if has("网格编号") || has("网格名称") {
        Some(RosterKind::Grid)
    } else if has("姓名") || has("代表姓名") {
        Some(RosterKind::Deputies)
    } else if has("单位名称") || has("承办单位") {
        Some(RosterKind::Agencies)
    } else if has("站点名称") || has("联络站名称") {
        Some(RosterKind::Stations)
    } else {
        None
    }
}
