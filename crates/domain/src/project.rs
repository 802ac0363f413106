//! Livelihood projects (民生实事项目) and the deputies' ballot on them: the states and choices
//! the pages name, and the 差额 rule of a candidate list.

use crate::case::str_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

str_enum!(
    /// Where a nomination came from.
    NominationChannel {
        Public = "public", "群众网上提出";
        Reception = "reception", "接待日收集";
        Grid = "grid", "网格收集";
        Staff = "staff", "工作人员登记";
    }
);

str_enum!(
    NominationStatus {
        New = "new", "待梳理";
        Merged = "merged", "已归入候选项目";
        Declined = "declined", "未采纳";
    }
);

str_enum!(
    ProjectStatus {
        Candidate = "candidate", "候选项目";
        Listed = "listed", "已列入候选名单";
        Chosen = "chosen", "票决确定";
        NotChosen = "not_chosen", "未当选";
        Undecided = "undecided", "票数相同待重新票决";
        Done = "done", "已完成";
    }
);

str_enum!(
    /// The congress deciding.
    CongressLevel {
        Township = "township", "乡镇人大";
        County = "county", "县（区）人大";
    }
);

str_enum!(
    BallotMethod {
        Choose = "choose", "差额选择（最多选名额数）";
        Each = "each", "逐项表决（赞成、反对、弃权）";
        Evaluate = "evaluate", "年终满意度测评";
    }
);

str_enum!(
    TieRule {
        ListOrder = "list_order", "票数相同时按候选名单顺序";
        Runoff = "runoff", "票数相同时另行投票";
    }
);

str_enum!(
    BallotStatus {
        Setup = "setup", "准备中";
        Open = "open", "投票中";
        Closed = "closed", "已截止，待计票";
        Tallied = "tallied", "已公布结果";
    }
);

str_enum!(
    UpdateKind {
        Progress = "progress", "进度报告";
        Inspection = "inspection", "代表视察";
        Question = "question", "问进度";
    }
);

/// The 差额 rule: more candidates than places, and at least as many candidates as the places
/// divided by `ratio_percent` (rounded down): 太和's 5 places at 70% need 7 candidates. The
/// refusal says why.
pub fn check_margin(places: usize, candidates: usize, ratio_percent: u32) -> Result<(), String> {
    if places == 0 {
        return Err("名额至少为 1 个".into());
    }
    if places >= candidates {
        return Err(format!("差额票决要求候选项目多于名额：现有 {candidates} 个候选项目、{places} 个名额"));
    }
    let needed = (places as u64 * 100) / u64::from(ratio_percent.clamp(1, 100));
    if (candidates as u64) < needed {
        return Err(format!(
            "按 {ratio_percent}% 的差额比例，{places} 个名额至少需要 {needed} 个候选项目，现有 {candidates} 个"
        ));
    }
    Ok(())
}

/// Yuan as 万元 with up to two decimals, as the pages show costs.
pub fn wan_yuan(yuan: i64) -> String {
    let hundredths = (yuan + 50) / 100;
    let (w, r) = (hundredths / 100, hundredths % 100);
    if r == 0 { format!("{w} 万元") } else { format!("{w}.{r:02} 万元").replace("0 万元", " 万元") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_rule_of_taihe_holds() {
        assert!(check_margin(5, 7, 70).is_ok());
        assert!(check_margin(5, 6, 70).unwrap_err().contains("70%"));
        assert!(check_margin(3, 4, 70).is_ok());
        assert!(check_margin(5, 5, 70).unwrap_err().contains("多于名额"));
        assert!(check_margin(0, 5, 70).is_err());
        assert_eq!(wan_yuan(1_200_000), "120 万元");
        assert_eq!(wan_yuan(355_000), "35.5 万元");
    }
}
