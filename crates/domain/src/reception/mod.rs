//! Reception days (接待日): schedules by rule, fair duty rosters of deputies, and the records of
//! receptions held.

pub mod roster;
mod rule;

pub use rule::{HolidayPolicy, Occurrence, Rule, ShortMonth, lunar_day, lunar_day_name, lunar_name, occurrences};

use crate::Invalid;
use crate::calendar::WorkCalendar;
use crate::case::str_enum;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::fmt;

str_enum!(
    /// The kinds of reception the seeds hold.
    ReceptionKind {
        StationDay = "station_day", "接待日";
        JointPetition = "joint_petition", "联合接访";
        AgencyHeads = "agency_heads", "代表·局长面对面";
        YardMeeting = "yard_meeting", "坝坝会";
        HomeVisit = "home_visit", "家访";
    }
);

str_enum!(
    /// Who attended a reception besides the constituents.
    AttendeeRole {
        Deputy = "deputy", "人大代表";
        AgencyHead = "agency_head", "部门负责人";
        Lawyer = "lawyer", "律师";
        Leader = "leader", "县乡领导";
        Staff = "staff", "工作人员";
    }
);

str_enum!(
    /// A swap a deputy asked for, and what the township decided.
    SwapStatus {
        Requested = "requested", "待审批";
        Approved = "approved", "已同意";
        Refused = "refused", "未同意";
    }
);

/// A schedule as a township officer writes it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSpec {
    pub title: String,
    pub kind: ReceptionKind,
    pub rule: Rule,
    pub policy: HolidayPolicy,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub place: String,
    /// Deputies on duty each time (点军: 2).
    pub per_day: u8,
    /// Days before a reception that its duty deputies are reminded (0: no reminder).
    pub remind_days: u8,
}

/// A schedule's fields as they arrive from a form or the API.
#[derive(Debug, Clone, Default)]
pub struct RawSchedule<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub rule: Option<Rule>,
    pub policy: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub start_time: &'a str,
    pub end_time: &'a str,
    pub place: &'a str,
    pub per_day: i64,
    pub remind_days: i64,
}

pub fn parse_date(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new(field, "invalid_date", "日期应写作 YYYY-MM-DD，例如 2026-12-05"))
}

fn parse_time(field: &'static str, raw: &str) -> Result<NaiveTime, Invalid> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| Invalid::new(field, "invalid_time", "时间应写作 HH:MM，例如 09:00"))
}

impl ScheduleSpec {
    /// Parses every field, returning every error at once; then checks that the rule yields a
    /// reception within a year of its start.
    pub fn parse(raw: &RawSchedule<'_>, cal: &WorkCalendar) -> Result<ScheduleSpec, Vec<Invalid>> {
        let mut errors = Vec::new();
        fn take<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
            r.map_err(|e| errors.push(e)).ok()
        }
        macro_rules! keep {
            ($e:expr $(,)?) => {
                take(&mut errors, $e)
            };
        }
        let title = keep!(crate::text::single_line("title", raw.title, 60, "名称"));
        let place = keep!(crate::text::single_line("place", raw.place, 100, "地点"));
        let kind = keep!(ReceptionKind::parse(raw.kind).ok_or_else(|| Invalid::new(
            "kind",
            "invalid_kind",
            "接待类型应为 station_day、joint_petition、agency_heads、yard_meeting 或 home_visit"
        )),);
        let rule = keep!(
            raw.rule
                .clone()
                .ok_or_else(|| Invalid::new("rule", "invalid_rule", "请选择接待日规则"))
                .and_then(|r| r.check().map(|()| r))
        );
        let policy = keep!(HolidayPolicy::parse(raw.policy));
        let starts_on = keep!(parse_date("starts_on", raw.starts_on));
        let ends_on = if raw.ends_on.trim().is_empty() {
            Some(None)
        } else {
            keep!(parse_date("ends_on", raw.ends_on).map(Some))
        };
        let start_time = keep!(parse_time("start_time", raw.start_time));
        let end_time = keep!(parse_time("end_time", raw.end_time));
        let per_day = keep!(u8::try_from(raw.per_day).ok().filter(|n| (1..=20).contains(n)).ok_or_else(|| {
            Invalid::new("per_day", "invalid_per_day", "每次轮值代表人数应在 1 到 20 之间")
        }));
        let remind_days = keep!(u8::try_from(raw.remind_days).ok().filter(|n| *n <= 30).ok_or_else(|| {
            Invalid::new("remind_days", "invalid_remind_days", "提前提醒天数应在 0 到 30 之间")
        }));
        if let (Some(s), Some(e)) = (start_time, end_time)
            && e <= s
        {
            errors.push(Invalid::new("end_time", "invalid_time", "结束时间应晚于开始时间"));
        }
        if let (Some(s), Some(Some(e))) = (starts_on, ends_on)
            && e < s
        {
            errors.push(Invalid::new("ends_on", "invalid_date", "结束日期不能早于开始日期"));
        }
        let (
            Some(title),
            Some(place),
            Some(kind),
            Some(rule),
            Some(policy),
            Some(starts_on),
            Some(ends_on),
            Some(start_time),
            Some(end_time),
            Some(per_day),
            Some(remind_days),
        ) = (title, place, kind, rule, policy, starts_on, ends_on, start_time, end_time, per_day, remind_days)
        else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let spec = ScheduleSpec {
            title,
            kind,
            rule,
            policy,
            starts_on,
            ends_on,
            start_time,
            end_time,
            place,
            per_day,
            remind_days,
        };
        let year_on = starts_on.checked_add_months(chrono::Months::new(12)).unwrap_or(starts_on);
        if spec.dates(cal, starts_on, year_on).is_empty() {
            return Err(vec![Invalid::new(
                "rule",
                "no_dates",
                "按该规则，开始日期后一年内没有任何接待日，请检查规则和起止日期",
            )]);
        }
        Ok(spec)
    }

    /// The reception days from `from` to `to`, inclusive, within the schedule's own dates.
    pub fn dates(&self, cal: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        let to = self.ends_on.map_or(to, |e| e.min(to));
        occurrences(&self.rule, self.policy, cal, from, to)
            .into_iter()
            .filter(|o| o.nominal >= self.starts_on && self.ends_on.is_none_or(|e| o.nominal <= e))
            .collect()
    }

    /// "每月5日 9:00–12:00（遇休息日顺延至下一个工作日）".
    pub fn describe(&self) -> String {
        format!(
            "{} {}–{}（{}）",
            self.rule.describe(),
            self.start_time.format("%H:%M"),
            self.end_time.format("%H:%M"),
            self.policy.label()
        )
    }
}

#[cfg(test)]
mod tests;
