//! When a reception day falls: a rule gives the nominal dates (every 5th, the first Monday, every
//! Tuesday and Thursday, the lunar market days 逢一逢六, or a list of dates), and a holiday policy
//! says what happens to a nominal date that is not a working day.
//!
//! Lunar dates come from the `chinese-lunisolar-calendar` crate (1901–2100). A leap month (闰月)
//! is a month like any other: its market days are held. A lunar day 30 in a month of 29 days
//! either has no reception that month (`ShortMonth::Skip`, the default) or falls on the 29th, the
//! month's last day (`ShortMonth::LastDay`).

use crate::Invalid;
use crate::calendar::WorkCalendar;
use chinese_lunisolar_calendar::LunisolarDate;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The nominal dates of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// Every month on day `day` (1–31); a month without that day uses its last day.
    MonthlyDay { day: u8 },
    /// The `nth` (1–4, or -1 for the last) `weekday` (1 = Monday … 7 = Sunday) of every month.
    NthWeekday { nth: i8, weekday: u8 },
    /// Every week on the given weekdays (1 = Monday … 7 = Sunday).
    Weekly { weekdays: Vec<u8> },
    /// The given days (1–30) of every lunar month.
    Lunar {
        days: Vec<u8>,
        #[serde(default)]
        short_month: ShortMonth,
    },
    /// One-off dates.
    Dates { dates: Vec<NaiveDate> },
}

/// What a lunar day 30 does in a month of 29 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortMonth {
    #[default]
    Skip,
    LastDay,
}

/// What happens to a nominal date that is a weekend day or a public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayPolicy {
    /// No reception that time.
    Skip,
    /// On the next working day (a make-up working day 调休 counts).
    NextWorkday,
    /// Held anyway (market days are held whatever the calendar says).
    Keep,
}

impl HolidayPolicy {
    pub const ALL: [HolidayPolicy; 3] = [HolidayPolicy::NextWorkday, HolidayPolicy::Skip, HolidayPolicy::Keep];

    pub fn as_str(self) -> &'static str {
        match self {
            HolidayPolicy::Skip => "skip",
            HolidayPolicy::NextWorkday => "next_workday",
            HolidayPolicy::Keep => "keep",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HolidayPolicy::Skip => "遇休息日取消",
            HolidayPolicy::NextWorkday => "遇休息日顺延至下一个工作日",
            HolidayPolicy::Keep => "遇休息日照常",
        }
    }

    pub fn parse(raw: &str) -> Result<HolidayPolicy, Invalid> {
        HolidayPolicy::ALL.into_iter().find(|p| p.as_str() == raw.trim()).ok_or_else(|| {
            Invalid::new("holiday_policy", "invalid_holiday_policy", "节假日安排应为 skip、next_workday 或 keep")
        })
    }
}

/// One reception day: the date it is held and the date the rule named (they differ when moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub nominal: NaiveDate,
}

impl Occurrence {
    pub fn moved(&self) -> bool {
        self.date != self.nominal
    }
}

/// The longest a holiday moves a date (the longest Chinese holiday is 9 days, plus a weekend).
const LONGEST_MOVE: i64 = 14;

const WEEKDAY_NAMES: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

fn weekday(n: u8) -> Weekday {
    Weekday::try_from(n.saturating_sub(1)).unwrap_or(Weekday::Mon)
}

/// 初一 … 初十, 十一 … 十九, 二十, 廿一 … 廿九, 三十.
pub fn lunar_day_name(d: u8) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match d {
        1..=9 => format!("初{}", DIGITS[d as usize]),
        10 => "初十".into(),
        11..=19 => format!("十{}", DIGITS[(d - 10) as usize]),
        20 => "二十".into(),
        21..=29 => format!("廿{}", DIGITS[(d - 20) as usize]),
        30 => "三十".into(),
        _ => d.to_string(),
    }
}

impl Rule {
    /// Checks the numbers a rule holds.
    pub fn check(&self) -> Result<(), Invalid> {
        let bad = |code: &'static str, m: &str| Err(Invalid::new("rule", code, m));
        match self {
            Rule::MonthlyDay { day } if !(1..=31).contains(day) => bad("invalid_rule", "每月的日期应在 1 到 31 之间"),
            Rule::NthWeekday { nth, weekday } if !(matches!(nth, 1..=4 | -1) && (1..=7).contains(weekday)) => {
                bad("invalid_rule", "应为每月第 1 到 4 个或最后一个星期几（星期一到星期日）")
            }
            Rule::Weekly { weekdays } if weekdays.is_empty() || weekdays.iter().any(|w| !(1..=7).contains(w)) => {
                bad("invalid_rule", "请选择每周的哪几天（星期一到星期日）")
            }
            Rule::Lunar { days, .. } if days.is_empty() || days.iter().any(|d| !(1..=30).contains(d)) => {
                bad("invalid_rule", "农历日期应在初一到三十之间，至少选一天")
            }
            Rule::Dates { dates } if dates.is_empty() => bad("invalid_rule", "请至少填写一个日期"),
            _ => Ok(()),
        }
    }

    /// The nominal dates from `from` to `to`, inclusive, in order.
    pub fn nominal_dates(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = BTreeSet::new();
        match self {
            Rule::Dates { dates } => out.extend(dates.iter().copied().filter(|d| (from..=to).contains(d))),
            Rule::Lunar { days, short_month } => {
                let wanted: BTreeSet<u8> = days.iter().copied().collect();
                let mut d = from;
                while d <= to {
                    if let Some(day) = lunar_day(d) {
                        let last_of_short = day == 29 && lunar_day(d + Duration::days(1)) == Some(1);
                        if wanted.contains(&day)
                            || (last_of_short && *short_month == ShortMonth::LastDay && wanted.contains(&30))
                        {
                            out.insert(d);
                        }
                    }
                    d += Duration::days(1);
                }
            }
            Rule::Weekly { weekdays } => {
                let wanted: BTreeSet<u32> = weekdays.iter().map(|w| weekday(*w).num_days_from_monday()).collect();
                let mut d = from;
                while d <= to {
                    if wanted.contains(&d.weekday().num_days_from_monday()) {
                        out.insert(d);
                    }
                    d += Duration::days(1);
                }
            }
            Rule::MonthlyDay { .. } | Rule::NthWeekday { .. } => {
                let (mut y, mut m) = (from.year(), from.month());
                while NaiveDate::from_ymd_opt(y, m, 1).is_some_and(|first| first <= to) {
                    if let Some(d) = self.in_month(y, m).filter(|d| (from..=to).contains(d)) {
                        out.insert(d);
                    }
                    (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                }
            }
        }
        out.into_iter().collect()
    }

    fn in_month(&self, y: i32, m: u32) -> Option<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(y, m, 1)?;
        let last = first.checked_add_months(chrono::Months::new(1))?.pred_opt()?;
        match *self {
            Rule::MonthlyDay { day } => NaiveDate::from_ymd_opt(y, m, u32::from(day).min(last.day())),
            Rule::NthWeekday { nth: -1, weekday: w } => {
                let back = (last.weekday().num_days_from_monday() + 7 - weekday(w).num_days_from_monday()) % 7;
                Some(last - Duration::days(i64::from(back)))
            }
            Rule::NthWeekday { nth, weekday: w } => {
                NaiveDate::from_weekday_of_month_opt(y, m, weekday(w), u8::try_from(nth).ok()?)
            }
            _ => None,
        }
    }

    /// The rule in Chinese, as the notice and the station page say it.
    pub fn describe(&self) -> String {
        match self {
            Rule::MonthlyDay { day } => format!("每月{day}日"),
            Rule::NthWeekday { nth: -1, weekday } => {
                format!("每月最后一个星期{}", WEEKDAY_NAMES[usize::from(weekday.saturating_sub(1)).min(6)])
            }
            Rule::NthWeekday { nth, weekday } => format!(
                "每月第{}个星期{}",
                ["一", "二", "三", "四"][usize::try_from(*nth - 1).unwrap_or(0).min(3)],
                WEEKDAY_NAMES[usize::from(weekday.saturating_sub(1)).min(6)]
            ),
            Rule::Weekly { weekdays } => {
                let set: BTreeSet<u8> = weekdays.iter().copied().collect();
                let names: Vec<&str> =
                    set.iter().map(|w| WEEKDAY_NAMES[usize::from(w.saturating_sub(1)).min(6)]).collect();
                format!("每周{}", names.iter().map(|n| format!("星期{n}")).collect::<Vec<_>>().join("、"))
            }
            Rule::Lunar { days, .. } => {
                let set: BTreeSet<u8> = days.iter().copied().collect();
                // 逢一逢六: every day whose last digit is 1 or 6 (逢十: 初十, 二十, 三十).
                let units: BTreeSet<u8> = set.iter().map(|d| d % 10).collect();
                let full: BTreeSet<u8> = (1..=30).filter(|d| units.contains(&(d % 10))).collect();
                if set == full && units.len() < 10 {
                    const NAMES: [&str; 10] = ["十", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
                    let mut order: Vec<u8> = units.into_iter().collect();
                    order.sort_by_key(|u| if *u == 0 { 10 } else { *u });
                    let parts: Vec<String> = order.iter().map(|u| format!("逢{}", NAMES[*u as usize])).collect();
                    format!("农历{}", parts.join(""))
                } else {
                    let names: Vec<String> = set.iter().map(|d| lunar_day_name(*d)).collect();
                    format!("农历每月{}", names.join("、"))
                }
            }
            Rule::Dates { dates } => {
                let names: Vec<String> =
                    dates.iter().map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day())).collect();
                names.join("、")
            }
        }
    }
}

/// The lunar day of the month (1–30), or `None` outside 1901–2100.
pub fn lunar_day(d: NaiveDate) -> Option<u8> {
    LunisolarDate::from_date(d).ok().map(|l| l.to_lunar_day().to_u8())
}

/// The lunar date in Chinese (腊月初六, 闰四月十一), or `None` outside 1901–2100.
pub fn lunar_name(d: NaiveDate) -> Option<String> {
    let l = LunisolarDate::from_date(d).ok()?;
    let month = l.to_lunar_month();
    let name = month.to_str(chinese_lunisolar_calendar::ChineseVariant::Simple);
    Some(format!("{name}{}", lunar_day_name(l.to_lunar_day().to_u8())))
}

/// The reception days of `rule` under `policy` held from `from` to `to` (inclusive), in order;
/// two nominal dates moved onto the same day make one reception.
pub fn occurrences(
    rule: &Rule,
    policy: HolidayPolicy,
    cal: &WorkCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Occurrence> {
    let look_back = if policy == HolidayPolicy::NextWorkday { from - Duration::days(LONGEST_MOVE) } else { from };
    let mut out: Vec<Occurrence> = Vec::new();
    for nominal in rule.nominal_dates(look_back, to) {
        let date = if cal.is_working_day(nominal) {
            nominal
        } else {
            match policy {
                HolidayPolicy::Keep => nominal,
                HolidayPolicy::Skip => continue,
                HolidayPolicy::NextWorkday => {
                    let mut d = nominal + Duration::days(1);
                    while !cal.is_working_day(d) {
                        d += Duration::days(1);
                    }
                    d
                }
            }
        };
        if date < from || date > to || out.last().is_some_and(|o| o.date >= date) {
            continue;
        }
        out.push(Occurrence { date, nominal });
    }
    out
}
