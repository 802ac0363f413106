//! Fair duty rosters (轮值): N deputies per reception day, taken in turn from the deputies linked
//! to the station, so that nobody is on duty twice before everybody has been on duty once. A
//! deputy who declared a day unavailable is passed over that day and keeps their turn.

use crate::Invalid;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A deputy's turns so far: how many duties, and the last one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turns {
    pub count: u32,
    pub last: Option<NaiveDate>,
}

/// The deputies of one reception day, and how many places stayed empty (everybody else was
/// unavailable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub date: NaiveDate,
    pub deputies: Vec<i64>,
    pub unfilled: usize,
}

/// Assigns `per_day` of `deputies` (in their rotation order) to each of `dates`, continuing from
/// the turns already served (`served`). Whoever has served least goes first; among equals, whoever
/// served longest ago; then the rotation order.
pub fn generate(
    dates: &[NaiveDate],
    deputies: &[i64],
    per_day: usize,
    served: &HashMap<i64, Turns>,
    unavailable: impl Fn(i64, NaiveDate) -> bool,
) -> Result<Vec<Slot>, Invalid> {
    if per_day == 0 {
        return Err(Invalid::new("per_day", "invalid_per_day", "每次接待至少安排 1 名代表"));
    }
    if per_day > deputies.len() {
        return Err(Invalid::new(
            "per_day",
            "not_enough_deputies",
            format!("每次需要 {per_day} 名代表，但该站只联系了 {} 名代表", deputies.len()),
        ));
    }
    let mut turns: Vec<(i64, Turns)> =
        deputies.iter().map(|d| (*d, served.get(d).copied().unwrap_or_default())).collect();
    let mut slots = Vec::with_capacity(dates.len());
    for &date in dates {
        let mut order: Vec<usize> = (0..turns.len()).filter(|&i| !unavailable(turns[i].0, date)).collect();
        // A stable sort keeps the rotation order among equals.
        order.sort_by_key(|&i| (turns[i].1.count, turns[i].1.last));
        order.truncate(per_day);
        let mut chosen = Vec::with_capacity(per_day);
        for i in order {
            turns[i].1.count += 1;
            turns[i].1.last = Some(date);
            chosen.push(turns[i].0);
        }
        slots.push(Slot { date, unfilled: per_day - chosen.len(), deputies: chosen });
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn days(n: usize) -> Vec<NaiveDate> {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        (0..n).map(|i| start + chrono::Duration::days(30 * i as i64)).collect()
    }

    #[test]
    fn two_per_month_in_turn() {
        let slots = generate(&days(6), &[1, 2, 3, 4, 5], 2, &HashMap::new(), |_, _| false).unwrap();
        let all: Vec<Vec<i64>> = slots.iter().map(|s| s.deputies.clone()).collect();
        assert_eq!(all, vec![vec![1, 2], vec![3, 4], vec![5, 1], vec![2, 3], vec![4, 5], vec![1, 2]]);
    }

    #[test]
    fn an_unavailable_deputy_keeps_their_turn() {
        let d = days(3);
        let slots = generate(&d, &[1, 2, 3], 1, &HashMap::new(), |who, when| who == 1 && when == d[0]).unwrap();
        let all: Vec<i64> = slots.iter().map(|s| s.deputies[0]).collect();
        assert_eq!(all, vec![2, 1, 3]);
    }

    #[test]
    fn too_few_deputies_is_refused_and_a_full_absence_leaves_a_gap() {
        assert_eq!(generate(&days(1), &[1], 2, &HashMap::new(), |_, _| false).unwrap_err().code, "not_enough_deputies");
        assert_eq!(generate(&days(1), &[1], 0, &HashMap::new(), |_, _| false).unwrap_err().code, "invalid_per_day");
        let slots = generate(&days(1), &[1, 2], 2, &HashMap::new(), |who, _| who == 2).unwrap();
        assert_eq!((slots[0].deputies.clone(), slots[0].unfilled), (vec![1], 1));
    }

    #[test]
    fn it_continues_from_the_turns_served() {
        let served = HashMap::from([(1, Turns { count: 1, last: Some(days(1)[0]) })]);
        let slots = generate(&days(2), &[1, 2, 3], 1, &served, |_, _| false).unwrap();
        assert_eq!(slots.iter().map(|s| s.deputies[0]).collect::<Vec<_>>(), vec![2, 3]);
    }

    proptest! {
        /// Nobody twice before everybody once: after every day, duty counts differ by at most one.
        #[test]
        fn nobody_twice_before_everybody_once(n in 1usize..12, per in 1usize..4, months in 1usize..40) {
            prop_assume!(per <= n);
            let deputies: Vec<i64> = (1..=n as i64).collect();
            let slots = generate(&days(months), &deputies, per, &HashMap::new(), |_, _| false).unwrap();
            let mut count: HashMap<i64, u32> = HashMap::new();
            for s in &slots {
                prop_assert_eq!(s.deputies.len(), per);
                let mut uniq = s.deputies.clone();
                uniq.sort();
                uniq.dedup();
                prop_assert_eq!(uniq.len(), per, "a deputy twice on one day");
                for d in &s.deputies {
                    *count.entry(*d).or_default() += 1;
                }
                let max = deputies.iter().map(|d| count.get(d).copied().unwrap_or(0)).max().unwrap();
                let min = deputies.iter().map(|d| count.get(d).copied().unwrap_or(0)).min().unwrap();
                prop_assert!(max - min <= 1, "counts {:?}", count);
            }
        }
    }
}
