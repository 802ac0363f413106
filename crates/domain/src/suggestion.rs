//! Deputies' formal suggestions (代表建议) and the statutory clock: by the 代表法 an agency answers
//! within three months of the suggestion being assigned, and may have it extended once, with a
//! reason, to at most six. The answer is classed A, B or C; the deputy rates it; 不满意 sends it
//! back once, to be handled again within a month.

use crate::Invalid;
use crate::case::str_enum;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

str_enum!(
    /// Where a suggestion is.
    SuggestionStatus {
        Draft = "draft", "草稿";
        Submitted = "submitted", "已提交";
        Assigned = "assigned", "已交办";
        Answered = "answered", "已答复";
        Reopened = "reopened", "重新办理";
        Closed = "closed", "已办结";
    }
);

str_enum!(
    /// The class of an answer.
    AnswerClass {
        A = "a", "A类：已解决或正在解决";
        B = "b", "B类：列入计划，限期解决";
        C = "c", "C类：暂时难以解决，作出说明";
    }
);

str_enum!(
    /// When a suggestion was put forward.
    Session {
        InSession = "in_session", "大会期间";
        Recess = "recess", "闭会期间";
    }
);

/// Months an agency has to answer, from the day the suggestion is assigned.
pub const ANSWER_MONTHS: u32 = 3;
/// The longest an extension may reach, from the same day.
pub const LONGEST_MONTHS: u32 = 6;
/// Months to handle a suggestion again after the deputy rated the answer 不满意.
pub const REHANDLE_MONTHS: u32 = 1;
/// Days before the deadline from which the agency and the office are warned.
pub const WARN_DAYS: i64 = 7;

/// The deadline of a suggestion assigned on `assigned`.
pub fn due_on(assigned: NaiveDate) -> NaiveDate {
    assigned.checked_add_months(Months::new(ANSWER_MONTHS)).unwrap_or(assigned)
}

/// The latest an extension may reach.
pub fn latest_due(assigned: NaiveDate) -> NaiveDate {
    assigned.checked_add_months(Months::new(LONGEST_MONTHS)).unwrap_or(assigned)
}

/// The deadline for handling again, from the day of the 不满意 rating.
pub fn rehandle_due(rated: NaiveDate) -> NaiveDate {
    rated.checked_add_months(Months::new(REHANDLE_MONTHS)).unwrap_or(rated)
}

/// Checks an extension of a suggestion assigned on `assigned`, due on `due`, to `to`: once only,
/// later than the deadline it replaces, at most six months from assignment, with a reason.
pub fn check_extension(
    assigned: NaiveDate,
    due: NaiveDate,
    extended: bool,
    to: NaiveDate,
    reason: &str,
) -> Result<(), Invalid> {
    if extended {
        return Err(Invalid::new("to", "already_extended", "办理期限只能延长一次"));
    }
    if reason.trim().is_empty() {
        return Err(Invalid::new("reason", "required", "请写明延期理由"));
    }
    if to <= due {
        return Err(Invalid::new("to", "invalid_extension", format!("延长后的期限应晚于原期限 {due}")));
    }
    let latest = latest_due(assigned);
    if to > latest {
        return Err(Invalid::new(
            "to",
            "beyond_six_months",
            format!("自交办之日起最长六个月，延长后的期限不能晚于 {latest}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn three_months_extendable_once_to_six() {
        let assigned = d("2026-03-31");
        assert_eq!(due_on(assigned), d("2026-06-30"), "the end of a shorter month");
        assert_eq!(latest_due(assigned), d("2026-09-30"));
        let due = due_on(assigned);
        assert!(check_extension(assigned, due, false, d("2026-09-30"), "需要跨部门协调").is_ok());
        assert_eq!(
            check_extension(assigned, due, false, d("2026-10-01"), "理由").unwrap_err().code,
            "beyond_six_months"
        );
        assert_eq!(check_extension(assigned, due, true, d("2026-08-01"), "理由").unwrap_err().code, "already_extended");
        assert_eq!(check_extension(assigned, due, false, d("2026-08-01"), " ").unwrap_err().code, "required");
        assert_eq!(
            check_extension(assigned, due, false, d("2026-06-30"), "理由").unwrap_err().code,
            "invalid_extension"
        );
        assert_eq!(rehandle_due(d("2026-01-31")), d("2026-02-28"));
    }
}
