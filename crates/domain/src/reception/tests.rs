use super::*;
use chrono::{Datelike, Duration};
use tyme4rs::tyme::solar::SolarDay;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The lunar day and whether its month is a leap month, from the second source.
fn theirs(date: NaiveDate) -> (u8, bool, usize) {
    let day = SolarDay::from_ymd(date.year() as isize, date.month() as usize, date.day() as usize).get_lunar_day();
    let month = day.get_lunar_month();
    (day.get_day() as u8, month.is_leap(), month.get_day_count())
}

const MARKET: [u8; 6] = [1, 6, 11, 16, 21, 26];

#[test]
fn lunar_market_days_2021_to_2030_match_an_independent_table() {
    let rule = Rule::Lunar { days: MARKET.to_vec(), short_month: ShortMonth::Skip };
    let (from, to) = (d("2021-01-01"), d("2030-12-31"));
    let ours: std::collections::BTreeSet<NaiveDate> = rule.nominal_dates(from, to).into_iter().collect();
    let mut date = from;
    let mut in_leap_months = 0;
    while date <= to {
        let (day, leap, _) = theirs(date);
        assert_eq!(ours.contains(&date), MARKET.contains(&day), "{date}: lunar day {day} by the second source");
        if leap && MARKET.contains(&day) {
            in_leap_months += 1;
        }
        date += Duration::days(1);
    }
    // 2023 闰二月, 2025 闰六月, 2028 闰五月: six market days each.
    assert_eq!(in_leap_months, 18);
}

#[test]
fn lunar_day_thirty_in_a_short_month() {
    let skip = Rule::Lunar { days: vec![30], short_month: ShortMonth::Skip };
    let last = Rule::Lunar { days: vec![30], short_month: ShortMonth::LastDay };
    let (from, to) = (d("2026-01-01"), d("2026-12-31"));
    let (mut short, mut long) = (0, 0);
    let mut date = from;
    while date <= to {
        let (day, _, count) = theirs(date);
        if day == 29 && count == 29 {
            short += 1;
            assert!(!skip.nominal_dates(date, date).contains(&date));
            assert_eq!(last.nominal_dates(date, date), vec![date], "{date} is the last day of a short month");
        }
        if day == 30 {
            long += 1;
            assert_eq!(skip.nominal_dates(date, date), vec![date]);
            assert_eq!(last.nominal_dates(date, date), vec![date]);
        }
        date += Duration::days(1);
    }
    assert!(short > 0 && long > 0);
    assert_eq!(skip.nominal_dates(from, to).len(), long);
    assert_eq!(last.nominal_dates(from, to).len(), long + short);
}

#[test]
fn the_fifth_moves_to_the_next_working_day_across_spring_festival_and_national_day() {
    let cal = WorkCalendar::built_in();
    let rule = Rule::MonthlyDay { day: 5 };
    let held = |y: i32| -> Vec<String> {
        occurrences(&rule, HolidayPolicy::NextWorkday, &cal, d(&format!("{y}-01-01")), d(&format!("{y}-12-31")))
            .into_iter()
            .map(|o| o.date.format("%m-%d").to_string())
            .collect()
    };
    // 2022: the 5th of February is in the Spring Festival holiday (31 Jan–6 Feb), of April in
    // 清明, of June in 端午, of October in National Day (then 8 October, a make-up Saturday).
    assert_eq!(
        held(2022),
        ["01-05", "02-07", "03-07", "04-06", "05-05", "06-06", "07-05", "08-05", "09-05", "10-08", "11-07", "12-05"]
    );
    // 2026: National Day 1–7 October; the 5th of April is 清明 (4–6 April).
    let y2026 = held(2026);
    assert_eq!(y2026[1], "02-05", "a working Thursday before the Spring Festival holiday");
    assert_eq!(y2026[3], "04-07");
    assert_eq!(y2026[9], "10-08");
    // The 15th of February 2026 is the first day of the Spring Festival holiday (15–23 Feb).
    let fifteenth =
        occurrences(&Rule::MonthlyDay { day: 15 }, HolidayPolicy::NextWorkday, &cal, d("2026-02-01"), d("2026-02-28"));
    assert_eq!(fifteenth, vec![Occurrence { date: d("2026-02-24"), nominal: d("2026-02-15") }]);
    // Skip drops it; keep holds it on the holiday.
    assert!(occurrences(&rule, HolidayPolicy::Skip, &cal, d("2022-02-01"), d("2022-02-28")).is_empty());
    assert_eq!(
        occurrences(&rule, HolidayPolicy::Keep, &cal, d("2022-02-01"), d("2022-02-28"))[0].date,
        d("2022-02-05")
    );
    // A date moved into the window from before it counts; one moved out of it does not.
    assert_eq!(occurrences(&rule, HolidayPolicy::NextWorkday, &cal, d("2022-02-07"), d("2022-02-07")).len(), 1);
    assert!(occurrences(&rule, HolidayPolicy::NextWorkday, &cal, d("2022-02-05"), d("2022-02-06")).is_empty());
}

#[test]
fn weekdays_of_the_month_and_of_the_week() {
    let first_monday = Rule::NthWeekday { nth: 1, weekday: 1 };
    assert_eq!(first_monday.nominal_dates(d("2026-01-01"), d("2026-02-28")), vec![d("2026-01-05"), d("2026-02-02")]);
    let last_friday = Rule::NthWeekday { nth: -1, weekday: 5 };
    assert_eq!(last_friday.nominal_dates(d("2026-01-01"), d("2026-02-28")), vec![d("2026-01-30"), d("2026-02-27")]);
    let tue_thu = Rule::Weekly { weekdays: vec![4, 2] };
    assert_eq!(
        tue_thu.nominal_dates(d("2026-12-01"), d("2026-12-08")),
        vec![d("2026-12-01"), d("2026-12-03"), d("2026-12-08")]
    );
    let thirty_first = Rule::MonthlyDay { day: 31 };
    assert_eq!(thirty_first.nominal_dates(d("2026-02-01"), d("2026-02-28")), vec![d("2026-02-28")]);
}

#[test]
fn rules_say_themselves_in_chinese() {
    assert_eq!(Rule::MonthlyDay { day: 5 }.describe(), "每月5日");
    assert_eq!(Rule::NthWeekday { nth: -1, weekday: 5 }.describe(), "每月最后一个星期五");
    assert_eq!(Rule::NthWeekday { nth: 2, weekday: 1 }.describe(), "每月第二个星期一");
    assert_eq!(Rule::Weekly { weekdays: vec![4, 2] }.describe(), "每周星期二、星期四");
    assert_eq!(Rule::Lunar { days: MARKET.to_vec(), short_month: ShortMonth::Skip }.describe(), "农历逢一逢六");
    let five_ten = vec![5, 10, 15, 20, 25, 30];
    assert_eq!(Rule::Lunar { days: five_ten, short_month: ShortMonth::Skip }.describe(), "农历逢五逢十");
    assert_eq!(Rule::Lunar { days: vec![15, 1], short_month: ShortMonth::Skip }.describe(), "农历每月初一、十五");
    assert_eq!(lunar_name(d("2026-12-03")).as_deref(), Some("十月廿五"));
}

fn raw(rule: Rule) -> RawSchedule<'static> {
    RawSchedule {
        title: "5号见",
        kind: "station_day",
        rule: Some(rule),
        policy: "next_workday",
        starts_on: "2026-01-01",
        ends_on: "",
        start_time: "09:00",
        end_time: "12:00",
        place: "仁和社区代表联络站",
        per_day: 2,
        remind_days: 2,
    }
}

#[test]
fn a_schedule_parses_and_refusals_name_their_field() {
    let cal = WorkCalendar::built_in();
    let spec = ScheduleSpec::parse(&raw(Rule::MonthlyDay { day: 5 }), &cal).unwrap();
    assert_eq!(spec.describe(), "每月5日 09:00–12:00（遇休息日顺延至下一个工作日）");
    assert_eq!(spec.dates(&cal, d("2026-10-01"), d("2026-10-31"))[0].date, d("2026-10-08"));

    let code = |r: RawSchedule<'_>| {
        ScheduleSpec::parse(&r, &cal).unwrap_err().into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>()
    };
    // A rule that yields no date within a year of its start.
    let far = Rule::Dates { dates: vec![d("2028-05-05")] };
    assert_eq!(code(raw(far)), vec![("rule", "no_dates")]);
    let only_holidays = RawSchedule { policy: "skip", ..raw(Rule::Dates { dates: vec![d("2026-10-03")] }) };
    assert_eq!(code(only_holidays), vec![("rule", "no_dates")]);
    assert_eq!(
        code(raw(Rule::Lunar { days: vec![31], short_month: ShortMonth::Skip })),
        vec![("rule", "invalid_rule")]
    );
    assert_eq!(code(raw(Rule::Weekly { weekdays: vec![] })), vec![("rule", "invalid_rule")]);
    let many = RawSchedule {
        end_time: "08:00",
        per_day: 0,
        kind: "party",
        ends_on: "2025-01-01",
        ..raw(Rule::MonthlyDay { day: 5 })
    };
    let mut got = code(many);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("end_time", "invalid_time"),
            ("ends_on", "invalid_date"),
            ("kind", "invalid_kind"),
            ("per_day", "invalid_per_day")
        ]
    );
}
