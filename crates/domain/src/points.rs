//! Points rules (积分办法), versioned per county and optionally per township: what each kind of
//! register entry scores, caps per month and per year, bonus and deduction items (a negative
//! score, e.g. 无故缺席), and the targets a deputy should meet (点军's list). A rule set is in
//! force from a date, until the next version starts; an entry always scores by the set in force on
//! its date, so a report of a past year never changes when next year's rules do.

use crate::Invalid;
use crate::case::str_enum;
use crate::register::DutyKind;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

str_enum!(
    /// Over what a target is counted.
    Per {
        Year = "year", "每年";
        Term = "term", "每届";
    }
);

/// What one kind of entry scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub kind: DutyKind,
    /// Points per confirmed entry; negative for a deduction.
    pub points: i32,
    /// Most points this kind adds in a calendar month.
    pub month_cap: Option<i32>,
    /// Most points this kind adds in a calendar year.
    pub year_cap: Option<i32>,
}

/// A target: at least `min` confirmed entries of `kind` per year or per term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub kind: DutyKind,
    pub min: u32,
    pub per: Per,
}

/// A version of a county's (or a township's) points rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub id: i64,
    pub name: String,
    /// The township the set applies to; `None` for the whole county.
    pub township: Option<String>,
    pub from: NaiveDate,
    /// The last day in force; `None` while no later version exists.
    pub to: Option<NaiveDate>,
    /// The first day of the current term, for targets counted per term.
    pub term_from: Option<NaiveDate>,
    pub items: Vec<Item>,
    pub targets: Vec<Target>,
}

/// The most points an item may give or take.
pub const MAX_POINTS: i32 = 100;
/// The largest target count.
pub const MAX_TARGET: u32 = 100;

impl RuleSet {
    /// Checks a set as entered: a name, a period that ends after it starts, each kind once, points
    /// within ±[`MAX_POINTS`], caps of at least 1 on scoring items, targets of at least 1, and a
    /// term start for targets counted per term.
    pub fn check(&self) -> Result<(), Invalid> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Invalid::new("name", "invalid_name", "请填写规则名称（不超过 60 字）"));
        }
        if let Some(to) = self.to
            && to < self.from
        {
            return Err(Invalid::new("to", "invalid_period", "截止日期不能早于施行日期"));
        }
        if self.items.is_empty() {
            return Err(Invalid::new("items", "no_items", "至少要有一项计分项目"));
        }
        let mut seen = Vec::new();
        for i in &self.items {
            if seen.contains(&i.kind) {
                return Err(Invalid::new("items", "duplicate_kind", format!("“{}”重复出现", i.kind.label())));
            }
            seen.push(i.kind);
            if i.points.abs() > MAX_POINTS {
                return Err(Invalid::new(
                    "items",
                    "invalid_points",
                    format!("“{}”的分值应在 -{MAX_POINTS} 到 {MAX_POINTS} 之间", i.kind.label()),
                ));
            }
            for cap in [i.month_cap, i.year_cap].into_iter().flatten() {
                if !(1..=10 * MAX_POINTS).contains(&cap) {
                    return Err(Invalid::new(
                        "items",
                        "invalid_cap",
                        format!("“{}”的上限应在 1 到 {} 分之间", i.kind.label(), 10 * MAX_POINTS),
                    ));
                }
            }
        }
        let mut targets = Vec::new();
        for t in &self.targets {
            if targets.contains(&(t.kind, t.per)) {
                return Err(Invalid::new("targets", "duplicate_target", format!("“{}”的目标重复出现", t.kind.label())));
            }
            targets.push((t.kind, t.per));
            if !(1..=MAX_TARGET).contains(&t.min) {
                return Err(Invalid::new(
                    "targets",
                    "invalid_target",
                    format!("“{}”的目标次数应在 1 到 {MAX_TARGET} 之间", t.kind.label()),
                ));
            }
            if t.per == Per::Term && self.term_from.is_none() {
                return Err(Invalid::new("term_from", "term_required", "按届计算的目标需要填写本届起始日期"));
            }
        }
        Ok(())
    }

    /// Is the set in force on `day`?
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }

    /// Does the set's period share a day with `other`'s?
    pub fn overlaps(&self, other: &RuleSet) -> bool {
        let ends_before = |a: &RuleSet, b: &RuleSet| a.to.is_some_and(|to| to < b.from);
        !ends_before(self, other) && !ends_before(other, self)
    }

    pub fn item(&self, kind: DutyKind) -> Option<&Item> {
        self.items.iter().find(|i| i.kind == kind)
    }
}

/// The set in force on `day` for a deputy of `township`: the township's own set if it has one in
/// force, else the county's.
pub fn in_force<'a>(sets: &'a [RuleSet], township: &str, day: NaiveDate) -> Option<&'a RuleSet> {
    sets.iter()
        .find(|s| s.township.as_deref() == Some(township) && s.covers(day))
        .or_else(|| sets.iter().find(|s| s.township.is_none() && s.covers(day)))
}

/// What one confirmed entry scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub points: i32,
    /// The item's full points were cut by a cap.
    pub capped: bool,
    /// The rule set it scored by; `None` when no set was in force on its date.
    pub rule_set: Option<i64>,
}

/// Scores confirmed entries `(kind, date)` of one deputy of `township`, in the order given (by
/// date, then entry), each by the set in force on its date, with the caps of that set counted
/// per kind and calendar month or year.
pub fn score(entries: &[(DutyKind, NaiveDate)], sets: &[RuleSet], township: &str) -> Vec<Scored> {
    let mut month: HashMap<(DutyKind, i32, u32), i32> = HashMap::new();
    let mut year: HashMap<(DutyKind, i32), i32> = HashMap::new();
    entries
        .iter()
        .map(|&(kind, day)| {
            let Some(set) = in_force(sets, township, day) else {
                return Scored { points: 0, capped: false, rule_set: None };
            };
            let Some(item) = set.item(kind) else { return Scored { points: 0, capped: false, rule_set: Some(set.id) } };
            if item.points <= 0 {
                return Scored { points: item.points, capped: false, rule_set: Some(set.id) };
            }
            let m = month.entry((kind, day.year(), day.month())).or_default();
            let y = year.entry((kind, day.year())).or_default();
            let room_m = item.month_cap.map_or(i32::MAX, |c| (c - *m).max(0));
            let room_y = item.year_cap.map_or(i32::MAX, |c| (c - *y).max(0));
            let points = item.points.min(room_m).min(room_y);
            *m += points;
            *y += points;
            Scored { points, capped: points < item.points, rule_set: Some(set.id) }
        })
        .collect()
}

/// How far a deputy is toward a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub kind: DutyKind,
    pub per: Per,
    pub min: u32,
    pub done: u32,
}

impl Progress {
    pub fn met(&self) -> bool {
        self.done >= self.min
    }

    /// Percent toward the target, at most 100.
    pub fn percent(&self) -> u32 {
        (self.done * 100 / self.min.max(1)).min(100)
    }

    /// “每年至少 1 次” and the like.
    pub fn describe(&self) -> String {
        format!("{}{}至少 {} 次", self.per.label(), self.kind.label(), self.min)
    }
}

/// Progress toward the targets of `set` at the end of `year` (or on `until`, if earlier), from
/// confirmed entries `(kind, date)` of the deputy over any span that covers the term.
pub fn progress(set: &RuleSet, entries: &[(DutyKind, NaiveDate)], year: i32, until: NaiveDate) -> Vec<Progress> {
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX).min(until);
    set.targets
        .iter()
        .map(|t| {
            let start = match t.per {
                Per::Year => year_start,
                Per::Term => set.term_from.unwrap_or(year_start),
            };
            let done = entries.iter().filter(|(k, d)| *k == t.kind && *d >= start && *d <= end).count() as u32;
            Progress { kind: t.kind, per: t.per, min: t.min, done }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn set(id: i64, from: &str, to: Option<&str>, items: Vec<Item>) -> RuleSet {
        RuleSet {
            id,
            name: format!("规则{id}"),
            township: None,
            from: d(from),
            to: to.map(d),
            term_from: None,
            items,
            targets: vec![],
        }
    }

    fn item(kind: DutyKind, points: i32, month_cap: Option<i32>, year_cap: Option<i32>) -> Item {
        Item { kind, points, month_cap, year_cap }
    }

    #[test]
    fn each_entry_scores_by_the_set_in_force_on_its_date() {
        let sets = vec![
            set(1, "2026-01-01", Some("2026-12-31"), vec![item(DutyKind::Deed, 2, None, None)]),
            set(2, "2027-01-01", None, vec![item(DutyKind::Deed, 5, None, None)]),
        ];
        let got = score(&[(DutyKind::Deed, d("2026-12-31")), (DutyKind::Deed, d("2027-01-01"))], &sets, "x");
        assert_eq!(got.iter().map(|s| s.points).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(got[1].rule_set, Some(2));
        let before = score(&[(DutyKind::Deed, d("2025-06-01"))], &sets, "x");
        assert_eq!(before[0], Scored { points: 0, capped: false, rule_set: None });
    }

    #[test]
    fn caps_cut_per_month_and_year_and_deductions_are_never_capped() {
        let sets = vec![set(
            1,
            "2026-01-01",
            None,
            vec![item(DutyKind::Reception, 3, Some(5), Some(7)), item(DutyKind::Absence, -5, Some(1), None)],
        )];
        let e = [
            (DutyKind::Reception, d("2026-03-01")),
            (DutyKind::Reception, d("2026-03-05")),
            (DutyKind::Reception, d("2026-03-09")),
            (DutyKind::Reception, d("2026-04-01")),
            (DutyKind::Reception, d("2026-05-01")),
            (DutyKind::Absence, d("2026-05-02")),
            (DutyKind::Absence, d("2026-05-03")),
        ];
        let got: Vec<(i32, bool)> = score(&e, &sets, "x").iter().map(|s| (s.points, s.capped)).collect();
        assert_eq!(got, vec![(3, false), (2, true), (0, true), (2, true), (0, true), (-5, false), (-5, false)]);
    }

    #[test]
    fn a_townships_own_set_comes_before_the_countys() {
        let mut own = set(2, "2026-01-01", None, vec![item(DutyKind::Deed, 4, None, None)]);
        own.township = Some("611026001".into());
        let sets = vec![set(1, "2026-01-01", None, vec![item(DutyKind::Deed, 2, None, None)]), own];
        assert_eq!(score(&[(DutyKind::Deed, d("2026-05-01"))], &sets, "611026001")[0].points, 4);
        assert_eq!(score(&[(DutyKind::Deed, d("2026-05-01"))], &sets, "611026002")[0].points, 2);
    }

    #[test]
    fn overlapping_periods_are_seen() {
        let a = set(1, "2026-01-01", Some("2026-12-31"), vec![]);
        assert!(a.overlaps(&set(2, "2026-12-31", None, vec![])));
        assert!(!a.overlaps(&set(2, "2027-01-01", None, vec![])));
        assert!(set(3, "2025-01-01", None, vec![]).overlaps(&a));
        assert!(!set(3, "2025-01-01", Some("2025-12-31"), vec![]).overlaps(&a));
    }

    #[test]
    fn bad_sets_are_refused_with_a_field() {
        let ok = set(1, "2026-01-01", None, vec![item(DutyKind::Deed, 2, None, None)]);
        assert!(ok.check().is_ok());
        let mut s = ok.clone();
        s.to = Some(d("2025-01-01"));
        assert_eq!(s.check().unwrap_err().code, "invalid_period");
        let mut s = ok.clone();
        s.items.push(item(DutyKind::Deed, 3, None, None));
        assert_eq!(s.check().unwrap_err().code, "duplicate_kind");
        let mut s = ok.clone();
        s.items[0].points = 101;
        assert_eq!(s.check().unwrap_err().code, "invalid_points");
        let mut s = ok.clone();
        s.items[0].month_cap = Some(0);
        assert_eq!(s.check().unwrap_err().code, "invalid_cap");
        let mut s = ok.clone();
        s.targets.push(Target { kind: DutyKind::Training, min: 2, per: Per::Term });
        assert_eq!(s.check().unwrap_err().code, "term_required");
        s.term_from = Some(d("2021-10-01"));
        assert!(s.check().is_ok());
        s.targets[0].min = 0;
        assert_eq!(s.check().unwrap_err().code, "invalid_target");
        let mut s = ok.clone();
        s.name = " ".into();
        assert_eq!(s.check().unwrap_err().code, "invalid_name");
    }

    #[test]
    fn progress_counts_per_year_and_per_term() {
        let mut s = set(1, "2026-01-01", None, vec![item(DutyKind::Deed, 2, None, None)]);
        s.term_from = Some(d("2021-10-01"));
        s.targets = vec![
            Target { kind: DutyKind::Training, min: 2, per: Per::Term },
            Target { kind: DutyKind::Deed, min: 1, per: Per::Year },
        ];
        let e = [
            (DutyKind::Training, d("2022-03-01")),
            (DutyKind::Deed, d("2025-05-01")),
            (DutyKind::Training, d("2026-02-01")),
            (DutyKind::Deed, d("2026-11-30")),
        ];
        let p = progress(&s, &e, 2026, d("2026-06-30"));
        assert_eq!((p[0].done, p[0].met()), (2, true));
        assert_eq!((p[1].done, p[1].met(), p[1].percent()), (0, false, 0));
        let p = progress(&s, &e, 2026, d("2027-01-01"));
        assert!(p[1].met());
        assert_eq!(p[1].describe(), "每年为民办实事至少 1 次");
    }
}
