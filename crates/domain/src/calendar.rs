//! The Chinese working-day calendar: Monday to Friday, less public holidays, plus the make-up
//! working days (调休) that fall on weekends. Each year's arrangement is a small text file; the
//! years known at build time are compiled in, and a county adds or corrects a year by dropping a
//! file `YYYY.txt` into its data directory's `calendar/` folder.

use crate::Invalid;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, HashMap};

/// The arrangements compiled into the binary.
const BUILT_IN: &[(i32, &str)] = &[
    (2021, include_str!("../calendar/2021.txt")),
    (2022, include_str!("../calendar/2022.txt")),
    (2023, include_str!("../calendar/2023.txt")),
    (2024, include_str!("../calendar/2024.txt")),
    (2025, include_str!("../calendar/2025.txt")),
    (2026, include_str!("../calendar/2026.txt")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    Holiday,
    Workday,
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    /// Dates that differ from the plain Monday–Friday rule.
    special: HashMap<NaiveDate, (DayKind, String)>,
    years: BTreeMap<i32, &'static str>,
}

impl WorkCalendar {
    /// The built-in years.
    pub fn built_in() -> WorkCalendar {
        let mut c = WorkCalendar::default();
        for (year, text) in BUILT_IN {
            c.load_year(*year, text).expect("built-in calendars parse");
            c.years.insert(*year, "built-in");
        }
        c
    }

    /// Adds or replaces one year's arrangement from its text.
    pub fn load_year(&mut self, year: i32, text: &str) -> Result<(), Invalid> {
        let mut days = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad =
                |m: &str| Invalid::new("calendar", "invalid_calendar", format!("{year} 年日历第 {} 行：{m}", n + 1));
            let mut parts = line.splitn(3, char::is_whitespace);
            let date = parts
                .next()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| bad("日期应写作 YYYY-MM-DD"))?;
            if date.year() != year {
                return Err(bad("日期不在该年度"));
            }
            let kind = match parts.next().map(str::trim) {
                Some("holiday") | Some("放假") => DayKind::Holiday,
                Some("workday") | Some("上班") => DayKind::Workday,
                _ => return Err(bad("类型应为 holiday（放假）或 workday（上班）")),
            };
            days.push((date, kind, parts.next().unwrap_or("").trim().to_owned()));
        }
        self.special.retain(|d, _| d.year() != year);
        for (d, k, why) in days {
            self.special.insert(d, (k, why));
        }
        Ok(())
    }

    /// Loads every `YYYY.txt` in `dir`, replacing built-in years it covers.
    pub fn load_dir(&mut self, dir: &std::path::Path) -> Result<Vec<i32>, Invalid> {
        let mut loaded = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else { return Ok(loaded) };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(year) = name.strip_suffix(".txt").and_then(|y| y.parse::<i32>().ok()) else { continue };
            let text = std::fs::read_to_string(e.path())
                .map_err(|err| Invalid::new("calendar", "invalid_calendar", format!("无法读取 {name}：{err}")))?;
            self.load_year(year, &text)?;
            loaded.push(year);
        }
        Ok(loaded)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some((DayKind::Workday, _)) => true,
            Some((DayKind::Holiday, _)) => false,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The date `n` working days after `start` (not counting `start` itself).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); zero when `to` is not after.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekends_holidays_and_makeup_days() {
        let c = WorkCalendar::built_in();
        assert!(c.is_working_day(d("2026-09-29")));
        assert!(!c.is_working_day(d("2026-10-01")), "National Day");
        assert!(!c.is_working_day(d("2026-10-03")), "a holiday Saturday");
        assert!(c.is_working_day(d("2026-10-10")), "the make-up Saturday");
        assert!(!c.is_working_day(d("2026-10-11")), "a plain Sunday");
    }

    #[test]
    fn counting_across_national_day() {
        let c = WorkCalendar::built_in();
        // Tue 29 Sep: 30 Sep is day 1; 1–7 Oct off; 8, 9, 10 (Sat, make-up) are days 2–4; then 12 Oct.
        assert_eq!(c.add_working_days(d("2026-09-29"), 1), d("2026-09-30"));
        assert_eq!(c.add_working_days(d("2026-09-29"), 4), d("2026-10-10"));
        assert_eq!(c.add_working_days(d("2026-09-29"), 5), d("2026-10-12"));
        assert_eq!(c.add_working_days(d("2026-09-29"), 15), d("2026-10-26"));
        assert_eq!(c.working_days_between(d("2026-09-29"), d("2026-10-26")), 15);
    }

    /// Every built-in year agrees, day by day, with a second source: the legal-holiday table of
    /// the tyme4rs crate (compiled only for tests).
    #[test]
    fn built_in_years_agree_with_an_independent_table() {
        use tyme4rs::tyme::holiday::LegalHoliday;
        let c = WorkCalendar::built_in();
        for (year, _) in BUILT_IN {
            let mut d = NaiveDate::from_ymd_opt(*year, 1, 1).unwrap();
            while d.year() == *year {
                let theirs = LegalHoliday::from_ymd(d.year() as isize, d.month() as usize, d.day() as usize)
                    .map(|h| h.is_work())
                    .unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
                assert_eq!(c.is_working_day(d), theirs, "{d}");
                d += Duration::days(1);
            }
        }
    }

    /// The years a county can rely on without adding a file.
    fn years() -> Vec<i32> {
        BUILT_IN.iter().map(|(y, _)| *y).collect()
    }

    #[test]
    fn the_built_in_years_are_contiguous() {
        let y = years();
        assert!(y.windows(2).all(|w| w[1] == w[0] + 1), "{y:?}");
    }

    #[test]
    fn a_county_file_replaces_a_year() {
        let mut c = WorkCalendar::built_in();
        c.load_year(2026, "2026-10-12 holiday 县庆\n").unwrap();
        assert!(!c.is_working_day(d("2026-10-12")));
        assert!(c.is_working_day(d("2026-10-08")), "the replaced year's built-in days are gone");
        assert!(c.load_year(2026, "2027-01-01 holiday x").is_err());
        assert!(c.load_year(2026, "2026-13-01 holiday x").is_err());
        assert!(c.load_year(2026, "2026-10-01 vacation x").is_err());
    }
}
