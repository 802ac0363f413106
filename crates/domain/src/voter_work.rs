//! A deputy's work with agencies and voters besides formal suggestions: meetings with agency heads
//! and the commitments made at them, reports to voters (述职) and the voters' evaluation, and the
//! ledger (台账) of linked voters and households with the visits made. The ledger's ID numbers and
//! addresses are shown masked unless unmasked on purpose.

use crate::Invalid;
use crate::case::str_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

str_enum!(
    /// The kinds of meeting between deputies and agency heads the seeds name.
    MeetingKind {
        Appointment = "appointment", "约见";
        FaceToFace = "face_to_face", "代表·局长面对面";
        DirectorReception = "director_reception", "主任接待代表";
        Briefing = "briefing", "通报会";
    }
);

str_enum!(
    /// What became of a question put at a meeting.
    QuestionOutcome {
        Answered = "answered", "当场答复";
        Study = "study", "带回研究";
    }
);

str_enum!(
    /// A commitment made at a meeting, tracked until kept.
    CommitmentStatus {
        Open = "open", "落实中";
        Done = "done", "已落实";
    }
);

str_enum!(
    /// How a deputy reports to the voters.
    ReportForm {
        Oral = "oral", "口头述职";
        Written = "written", "书面述职";
    }
);

str_enum!(
    ReportStatus {
        Scheduled = "scheduled", "已安排";
        Held = "held", "已述职";
        Cancelled = "cancelled", "已取消";
    }
);

str_enum!(
    /// Who a deputy keeps in touch with: a linked voter (点军: five each) or a household of the
    /// ledger (界牌's 台账).
    ContactKind {
        Voter = "voter", "联系选民";
        Household = "household", "走访户";
    }
);

str_enum!(
    /// Why a household is on the ledger.
    HouseholdCategory {
        ElderlyAlone = "elderly_alone", "独居老人";
        LeftBehindChild = "left_behind_child", "留守儿童";
        Disabled = "disabled", "残疾人";
        Hardship = "hardship", "困难家庭";
    }
);

/// The voters' evaluation of a report: satisfied, partly satisfied, dissatisfied, out of those
/// present (0 when only a tally was kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub attendance: i64,
    pub satisfied: i64,
    pub partly: i64,
    pub dissatisfied: i64,
}

impl Evaluation {
    pub fn total(&self) -> i64 {
        self.satisfied + self.partly + self.dissatisfied
    }

    /// Counts are not negative, some voters evaluated, and no more than attended.
    pub fn check(&self) -> Result<(), Invalid> {
        if [self.attendance, self.satisfied, self.partly, self.dissatisfied].iter().any(|n| *n < 0 || *n > 100_000) {
            return Err(Invalid::new("satisfied", "invalid_count", "人数应为 0 到 100000 之间的整数"));
        }
        if self.total() == 0 {
            return Err(Invalid::new("satisfied", "evaluation_required", "请填写选民测评的满意、基本满意、不满意人数"));
        }
        if self.attendance > 0 && self.total() > self.attendance {
            return Err(Invalid::new(
                "attendance",
                "evaluation_exceeds_attendance",
                format!("测评人数（{}）多于到会选民（{}）", self.total(), self.attendance),
            ));
        }
        Ok(())
    }

    /// Satisfied or partly satisfied, over all who evaluated, in whole percent.
    pub fn approval_percent(&self) -> i64 {
        if self.total() == 0 { 0 } else { (self.satisfied + self.partly) * 100 / self.total() }
    }
}

/// Checks a resident ID number (18 characters, the last a check digit or X); empty is allowed.
/// Returns it with an upper-case X.
pub fn parse_id_number(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_ascii_uppercase();
    if s.is_empty() {
        return Ok(s);
    }
    let bad = || Invalid::new("id_number", "invalid_id_number", "身份证号码应为 18 位，请核对");
    let bytes = s.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    if bytes[17] != CHECK[(sum % 11) as usize] {
        return Err(Invalid::new("id_number", "invalid_id_number", "身份证号码校验位不符，请核对"));
    }
    Ok(s)
}

/// `4205**********1234`: the first four and the last four characters.
pub fn mask_id_number(stored: &str) -> String {
    let chars: Vec<char> = stored.chars().collect();
    if chars.len() < 8 {
        return if chars.is_empty() { String::new() } else { "****".into() };
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// The village part of an address and stars for the rest: `艾家镇花艳村****`. The cut is after
/// the last 街道, 社区, 村, 镇 or 乡 within the first two thirds, else after a third of the
/// characters: the house and group numbers never show.
pub fn mask_address(stored: &str) -> String {
    let chars: Vec<char> = stored.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let limit = chars.len() * 2 / 3;
    let mut keep = None;
    for i in 0..chars.len() {
        let one = chars[i];
        let two = chars.get(i + 1).copied();
        let end = match (one, two) {
            ('街', Some('道')) | ('社', Some('区')) => i + 2,
            ('村' | '镇' | '乡', _) => i + 1,
            _ => continue,
        };
        if end <= limit && end < chars.len() {
            keep = Some(end);
        }
    }
    let keep = keep.unwrap_or(chars.len() / 3);
    format!("{}****", chars[..keep].iter().collect::<String>())
}

/// The categories of a household, checked and in canonical order (comma-separated).
pub fn parse_categories(raw: &[String]) -> Result<String, Invalid> {
    let mut out = Vec::new();
    for r in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let c = HouseholdCategory::parse(r)
            .ok_or_else(|| Invalid::new("categories", "invalid_category", format!("“{r}”不是台账的户别")))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort_by_key(|c| HouseholdCategory::ALL.iter().position(|x| x == c));
    Ok(out.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","))
}

/// The labels of stored categories: `独居老人、残疾人`.
pub fn category_labels(stored: &str) -> String {
    stored.split(',').filter_map(HouseholdCategory::parse).map(|c| c.label()).collect::<Vec<_>>().join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_checked_by_their_check_digit() {
        assert_eq!(parse_id_number(" 11010519491231002x ").unwrap(), "11010519491231002X");
        assert_eq!(parse_id_number("").unwrap(), "");
        assert_eq!(parse_id_number("110105194912310021").unwrap_err().code, "invalid_id_number");
        assert_eq!(parse_id_number("11010519491231002").unwrap_err().code, "invalid_id_number");
        assert_eq!(parse_id_number("1101051949123100A1").unwrap_err().code, "invalid_id_number");
    }

    #[test]
    fn masks_keep_little() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_address("花艳村三组12号"), "花艳村****");
        assert_eq!(mask_address("艾家镇花艳村三组12号"), "艾家镇花艳村****");
        assert_eq!(mask_address("乾佑街道仁和社区1组10号"), "乾佑街道仁和社区****");
        assert_eq!(mask_address("三组12号"), "三****");
        assert_eq!(mask_address("村"), "****");
    }

    #[test]
    fn an_evaluation_cannot_exceed_those_present() {
        let e = Evaluation { attendance: 40, satisfied: 30, partly: 8, dissatisfied: 2 };
        assert!(e.check().is_ok());
        assert_eq!(e.approval_percent(), 95);
        let e = Evaluation { attendance: 30, satisfied: 30, partly: 8, dissatisfied: 2 };
        assert_eq!(e.check().unwrap_err().code, "evaluation_exceeds_attendance");
        assert_eq!(Evaluation::default().check().unwrap_err().code, "evaluation_required");
        let tally = Evaluation { attendance: 0, satisfied: 12, partly: 0, dissatisfied: 0 };
        assert!(tally.check().is_ok());
    }

    #[test]
    fn categories_come_back_in_order() {
        let raw = vec!["disabled".to_string(), "独居老人".to_string(), "disabled".to_string()];
        assert_eq!(parse_categories(&raw).unwrap(), "elderly_alone,disabled");
        assert_eq!(category_labels("elderly_alone,disabled"), "独居老人、残疾人");
        assert!(parse_categories(&["vip".to_string()]).is_err());
    }
}
