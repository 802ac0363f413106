//! Station stars (联络站星级评选): a county's scorecards (创建标准 — criteria in groups, each
//! worth some points, adding up to 100, and the totals that earn one to five stars), and the
//! yearly scoring of a station on one of them, entered by one person of the county and approved
//! by a second. Not "rating": that word is the constituent's 满意度.

use crate::Invalid;
use crate::case::str_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One criterion of a scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// The heading it falls under (阵地建设, 制度建设…); may be empty.
    #[serde(default)]
    pub group: String,
    pub title: String,
    /// Most points it gives.
    pub weight: u32,
}

/// What a scorecard's weights must add up to.
pub const FULL_MARKS: u32 = 100;
/// The most criteria a scorecard holds.
pub const MAX_CRITERIA: usize = 60;

/// The least total for one to five stars, by default.
pub const DEFAULT_THRESHOLDS: [u32; 5] = [60, 70, 80, 90, 95];

/// A scorecard as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub name: String,
    pub criteria: Vec<Criterion>,
    /// The least total for one, two, … five stars, rising.
    pub thresholds: [u32; 5],
}

impl Scorecard {
    /// Checks a scorecard: a name, 1 to [`MAX_CRITERIA`] criteria each with a title and a weight,
    /// weights adding up to [`FULL_MARKS`], thresholds rising within 1..=100.
    pub fn check(&self) -> Result<(), Invalid> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Invalid::new("name", "invalid_name", "请填写创建标准的名称（不超过 60 字）"));
        }
        if self.criteria.is_empty() || self.criteria.len() > MAX_CRITERIA {
            return Err(Invalid::new("criteria", "invalid_criteria", format!("创建标准应有 1 到 {MAX_CRITERIA} 条")));
        }
        for (i, c) in self.criteria.iter().enumerate() {
            if c.title.trim().is_empty() || c.title.chars().count() > 200 || c.group.chars().count() > 30 {
                return Err(Invalid::new(
                    "criteria",
                    "invalid_criterion",
                    format!("第 {} 条标准应有内容（不超过 200 字，分组不超过 30 字）", i + 1),
                ));
            }
            if c.weight == 0 || c.weight > FULL_MARKS {
                return Err(Invalid::new(
                    "criteria",
                    "invalid_weight",
                    format!("第 {} 条标准的分值应在 1 到 {FULL_MARKS} 之间", i + 1),
                ));
            }
        }
        let sum: u32 = self.criteria.iter().map(|c| c.weight).sum();
        if sum != FULL_MARKS {
            return Err(Invalid::new(
                "criteria",
                "weights_sum",
                format!("各条标准的分值合计应为 {FULL_MARKS} 分，现为 {sum} 分"),
            ));
        }
        if self.thresholds[0] == 0
            || self.thresholds[4] > FULL_MARKS
            || self.thresholds.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(Invalid::new(
                "thresholds",
                "invalid_thresholds",
                "一星到五星的分数线应在 1 到 100 之间且逐级升高",
            ));
        }
        Ok(())
    }

    /// Checks a station's scores on this card: one per criterion, none above its weight.
    pub fn check_scores(&self, scores: &[u32]) -> Result<(), Invalid> {
        if scores.len() != self.criteria.len() {
            return Err(Invalid::new(
                "scores",
                "scores_count",
                format!("应为 {} 条标准各打一个分数", self.criteria.len()),
            ));
        }
        for (i, (s, c)) in scores.iter().zip(&self.criteria).enumerate() {
            if *s > c.weight {
                return Err(Invalid::new(
                    "scores",
                    "score_above_weight",
                    format!("第 {} 条“{}”最多 {} 分，不能打 {s} 分", i + 1, c.title, c.weight),
                ));
            }
        }
        Ok(())
    }

    /// The stars a total earns (0 below the one-star line).
    pub fn stars(&self, total: u32) -> u8 {
        self.thresholds.iter().filter(|t| total >= **t).count() as u8
    }
}

str_enum!(
    /// Where a station's yearly scoring is.
    AssessmentStatus {
        Draft = "draft", "评分中";
        Submitted = "submitted", "待复核";
        Approved = "approved", "已评定";
        Returned = "returned", "退回重评";
    }
);

/// “★★★☆☆”.
pub fn star_text(stars: u8) -> String {
    (0..5).map(|i| if i < stars { '★' } else { '☆' }).collect()
}

/// “三星级”.
pub fn star_label(stars: u8) -> &'static str {
    ["未评星", "一星级", "二星级", "三星级", "四星级", "五星级"][stars.min(5) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(weights: &[u32]) -> Scorecard {
        Scorecard {
            name: "五个五".into(),
            criteria: weights
                .iter()
                .enumerate()
                .map(|(i, w)| Criterion { group: "阵地".into(), title: format!("标准{i}"), weight: *w })
                .collect(),
            thresholds: DEFAULT_THRESHOLDS,
        }
    }

    #[test]
    fn weights_must_add_up_to_full_marks() {
        assert!(card(&[20; 5]).check().is_ok());
        let e = card(&[20, 20, 20, 20, 19]).check().unwrap_err();
        assert_eq!((e.code, e.message.contains("现为 99 分")), ("weights_sum", true));
        assert_eq!(card(&[0, 100]).check().unwrap_err().code, "invalid_weight");
        assert_eq!(card(&[]).check().unwrap_err().code, "invalid_criteria");
        let mut c = card(&[100]);
        c.thresholds = [60, 70, 70, 90, 95];
        assert_eq!(c.check().unwrap_err().code, "invalid_thresholds");
        c.criteria[0].title = " ".into();
        assert_eq!(c.check().unwrap_err().code, "invalid_criterion");
    }

    #[test]
    fn scores_stay_within_weights_and_earn_stars() {
        let c = card(&[50, 50]);
        assert!(c.check_scores(&[50, 40]).is_ok());
        assert_eq!(c.check_scores(&[51, 0]).unwrap_err().code, "score_above_weight");
        assert_eq!(c.check_scores(&[50]).unwrap_err().code, "scores_count");
        assert_eq!((c.stars(59), c.stars(60), c.stars(89), c.stars(95), c.stars(100)), (0, 1, 3, 5, 5));
        assert_eq!((star_text(3), star_label(4)), ("★★★☆☆".to_string(), "四星级"));
    }
}
