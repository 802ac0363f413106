//! The organisation: stations of every kind, deputies of five levels, handling agencies and grid
//! cells. Kinds are parsed from their code names or their Chinese labels, as rosters write them.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $code:literal, $msg:literal { $($variant:ident = $id:literal, $label:literal $(| $alias:literal)*;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            /// Accepts the code name or the Chinese label (and its usual variants).
            pub fn parse(raw: &str) -> Result<$name, Invalid> {
                let s = raw.trim();
                $(
                    if s == $id || s == $label $(|| s == $alias)* {
                        return Ok($name::$variant);
                    }
                )*
                Err(Invalid::new($field, $code, format!($msg, s)))
            }
        }
    };
}

labelled_enum!(
    /// 家 / 站 / 点 / 户, and the sector stations.
    StationKind, "kind", "invalid_station_kind", "未知站点类型：{}（应为代表之家、代表联络站、联络点、专业联络站或代表中心户）" {
        Home = "home", "代表之家";
        Station = "station", "代表联络站" | "联络站" | "人大代表联络站";
        Point = "point", "联络点" | "联络室" | "代表联络点";
        Sector = "sector", "专业联络站" | "专业（行业）代表联络站" | "行业代表联络站" | "专业代表联络站";
        Household = "household", "代表中心户" | "中心户";
    }
);

labelled_enum!(
    /// The three kinds of 代表中心户.
    HouseholdKind, "household_kind", "invalid_household_kind", "未知中心户类型：{}（应为联络中心户、行业中心户或产业中心户）" {
        Liaison = "liaison", "联络中心户" | "联络";
        Industry = "industry", "行业中心户" | "行业";
        Enterprise = "enterprise", "产业中心户" | "产业";
    }
);

labelled_enum!(
    /// The five levels of people's congress.
    DeputyLevel, "levels", "invalid_deputy_level", "未知代表层级：{}（应为全国、省、市、县、乡镇）" {
        National = "national", "全国人大代表" | "全国" | "全国级";
        Provincial = "provincial", "省人大代表" | "省" | "省级";
        City = "city", "市人大代表" | "市" | "市级";
        County = "county", "县人大代表" | "县" | "县级" | "区" | "区级" | "县（区）级";
        Township = "township", "乡镇人大代表" | "乡镇" | "乡镇级" | "镇" | "乡";
    }
);

labelled_enum!(
    Gender, "gender", "invalid_gender", "性别应为男或女：{}" {
        Male = "male", "男";
        Female = "female", "女";
    }
);

labelled_enum!(
    /// 一府一委两院 and the rest.
    AgencyKind, "kind", "invalid_agency_kind", "未知单位类型：{}（应为政府、部门、法院、检察院或其他）" {
        Government = "government", "政府" | "乡镇政府" | "街道办事处" | "人民政府";
        Department = "department", "部门" | "县直部门" | "职能部门";
        Supervision = "supervision", "监委" | "监察委员会";
        Court = "court", "法院" | "人民法院";
        Procuratorate = "procuratorate", "检察院" | "人民检察院";
        Other = "other", "其他";
    }
);

/// Parses a list of deputy levels written as `县级、乡镇级`, `county,township`, …; duplicates
/// collapse, order follows the levels.
pub fn parse_levels(raw: &str) -> Result<Vec<DeputyLevel>, Invalid> {
    let mut out = Vec::new();
    for part in split_list(raw) {
        let level = DeputyLevel::parse(part)?;
        if !out.contains(&level) {
            out.push(level);
        }
    }
    if out.is_empty() {
        return Err(Invalid::new("levels", "missing_deputy_level", "至少填写一个代表层级"));
    }
    out.sort_by_key(|l| DeputyLevel::ALL.iter().position(|x| x == l));
    Ok(out)
}

/// Splits a cell that lists several values: `、`, `,`, `，`, `;`, `；` or `/`.
pub fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(['、', ',', '，', ';', '；', '/']).map(str::trim).filter(|s| !s.is_empty())
}

/// A stable slug derived from a natural key: the prefix and 10 base32 characters of its SHA-256.
/// Re-importing the same rows derives the same slugs, so QR codes survive re-printing.
pub fn derive_slug(prefix: &str, key: &[&str]) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut h = Sha256::new();
    for part in key {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut bits: u64 = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    let mut s = String::with_capacity(prefix.len() + 11);
    s.push_str(prefix);
    s.push('-');
    for _ in 0..10 {
        s.push(ALPHABET[(bits & 31) as usize] as char);
        bits >>= 5;
    }
    s
}

/// A required single-line text of at most `max` characters.
pub fn parse_required(field: &'static str, label: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = parse_optional(field, label, raw, max)?;
    if s.is_empty() {
        return Err(Invalid::new(field, "required", format!("{label}不能为空")));
    }
    Ok(s)
}

/// An optional text (empty allowed) of at most `max` characters, without control characters
/// other than line breaks.
pub fn parse_optional(field: &'static str, label: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(Invalid::new(field, "too_long", format!("{label}不能超过 {max} 个字")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(Invalid::new(field, "control_characters", format!("{label}含有不可见字符")));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_labels_and_codes() {
        assert_eq!(StationKind::parse("联络点").unwrap(), StationKind::Point);
        assert_eq!(StationKind::parse("household").unwrap(), StationKind::Household);
        assert_eq!(HouseholdKind::parse("产业中心户").unwrap(), HouseholdKind::Enterprise);
        assert!(StationKind::parse("驿站").is_err());
        assert_eq!(AgencyKind::parse("人民法院").unwrap(), AgencyKind::Court);
    }

    #[test]
    fn levels_parse_as_a_list() {
        assert_eq!(parse_levels("乡镇级、县级").unwrap(), vec![DeputyLevel::County, DeputyLevel::Township]);
        assert_eq!(parse_levels("national, national").unwrap(), vec![DeputyLevel::National]);
        assert!(parse_levels("").is_err());
        assert!(parse_levels("县级、村级").is_err());
    }

    #[test]
    fn slugs_are_stable_and_distinct() {
        let a = derive_slug("st", &["611026001", "仁和社区代表联络站"]);
        assert_eq!(a, derive_slug("st", &["611026001", "仁和社区代表联络站"]));
        assert_ne!(a, derive_slug("st", &["611026001", "石镇社区代表联络站"]));
        assert!(crate::authz::parse_slug(&a).is_ok(), "{a}");
        assert_eq!(a.len(), 13);
    }
}
