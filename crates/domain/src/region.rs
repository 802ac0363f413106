//! Administrative regions keyed by their official codes: province 2 digits, city 4, county 6,
//! township 9, village 12. A code's prefixes are its ancestors' codes.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl RegionLevel {
    pub fn code_len(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
            Self::Township => 9,
            Self::Village => 12,
        }
    }

    fn from_len(len: usize) -> Option<Self> {
        [Self::Province, Self::City, Self::County, Self::Township, Self::Village]
            .into_iter()
            .find(|l| l.code_len() == len)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Province => "省",
            Self::City => "市",
            Self::County => "县（区）",
            Self::Township => "乡镇（街道）",
            Self::Village => "村（社区）",
        }
    }
}

/// A valid region code. Hold one and it is 2, 4, 6, 9 or 12 ASCII digits, not all-zero in its
/// last segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let bad = |msg: &str| Invalid::new("code", "invalid_region_code", msg);
        if s.is_empty() {
            return Err(bad("行政区划代码不能为空"));
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("行政区划代码只能由数字组成"));
        }
        let Some(level) = RegionLevel::from_len(s.len()) else {
            return Err(bad("行政区划代码应为 2、4、6、9 或 12 位数字"));
        };
        let start = match level {
            RegionLevel::Province => 0,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
            RegionLevel::Village => 9,
        };
        if s[start..].bytes().all(|b| b == b'0') {
            return Err(bad("行政区划代码的本级部分不能全为 0"));
        }
        if s.starts_with("00") {
            return Err(bad("省级代码不能为 00"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        RegionLevel::from_len(self.0.len()).expect("valid by construction")
    }

    /// The code of the parent region, if this is not a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let len = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
            RegionLevel::Village => 9,
        };
        Some(Self(self.0[..len].to_owned()))
    }

    /// The county this region lies in (itself for a county); `None` above county level.
    pub fn county(&self) -> Option<RegionCode> {
        (self.0.len() >= 6).then(|| Self(self.0[..6].to_owned()))
    }

    /// The key that partitions county data: the county code, or the code itself padded to six
    /// digits with zeros for regions above county level.
    pub fn county_key(&self) -> String {
        match self.county() {
            Some(c) => c.0,
            None => format!("{:0<6}", self.0),
        }
    }

    /// True when `other` is this region or lies beneath it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

/// A region name: 1 to 40 characters, trimmed.
pub fn parse_region_name(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 || n > 40 {
        return Err(Invalid::new("name", "invalid_region_name", "行政区划名称应为 1 到 40 个字"));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::new("name", "invalid_region_name", "行政区划名称含有不可见字符"));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_level() {
        for (code, level) in [
            ("61", RegionLevel::Province),
            ("6110", RegionLevel::City),
            ("611026", RegionLevel::County),
            ("611026001", RegionLevel::Township),
            ("611026001001", RegionLevel::Village),
        ] {
            assert_eq!(RegionCode::parse(code).unwrap().level(), level, "{code}");
        }
    }

    #[test]
    fn refuses_malformed_codes() {
        for code in [
            "",
            "6",
            "611",
            "61102",
            "61102600",
            "6110260010011",
            "61a026",
            "00",
            "610000",
            "611026000",
            " 6 1",
            "６１",
        ] {
            assert!(RegionCode::parse(code).is_err(), "{code:?} should be refused");
        }
    }

    #[test]
    fn ancestry() {
        let t = RegionCode::parse("611026001").unwrap();
        assert_eq!(t.parent().unwrap().as_str(), "611026");
        assert_eq!(t.county().unwrap().as_str(), "611026");
        assert_eq!(t.county_key(), "611026");
        assert_eq!(RegionCode::parse("61").unwrap().county_key(), "610000");
        let c = RegionCode::parse("611026").unwrap();
        assert!(c.contains(&t));
        assert!(!t.contains(&c));
        assert!(!RegionCode::parse("611025").unwrap().contains(&t));
    }
}
