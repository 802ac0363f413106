//! What a set of cases came to (the statistics' figures), and the four measure letters a case is
//! counted by: outcome, on time, rating, overdue.

use serde::{Deserialize, Serialize};
use std::ops::AddAssign;

/// What a set of cases came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Figures {
    /// Cases counted (received in the period, or resolved in it for a count by resolution day).
    pub received: i64,
    /// Answered on the spot (现场答复), rated or not.
    pub on_spot: i64,
    /// Answered by the agency's reply, or closed after it (已答复、已办结).
    pub solved: i64,
    /// Still being handled (办理中).
    pub in_progress: i64,
    pub declined: i64,
    pub merged: i64,
    /// Marked overdue by the sweep at some point.
    pub overdue: i64,
    /// Resolved by the deadline, and after it (cases without a deadline count in neither).
    pub on_time: i64,
    pub late: i64,
    pub satisfied: i64,
    pub partly: i64,
    pub dissatisfied: i64,
    /// Closed without a rating after the seven days.
    pub unrated: i64,
}

impl Figures {
    /// The names of the figures in [`Figures::to_array`] order (the tallies' columns).
    pub const NAMES: [&'static str; 13] = [
        "received",
        "on_spot",
        "solved",
        "in_progress",
        "declined",
        "merged",
        "overdue",
        "on_time",
        "late",
        "satisfied",
        "partly",
        "dissatisfied",
        "unrated",
    ];

    /// One case with the measure letters `m`:
    /// - outcome: `p` in progress, `s` solved (replied or closed), `o` answered on the spot,
    ///   `x` declined, `m` merged;
    /// - on time: `1` resolved by its deadline, `0` after it, `-` no deadline or not resolved;
    /// - rating: `s` 满意, `p` 基本满意, `d` 不满意, `u` 未评价, `-` not rated yet;
    /// - overdue: `1` marked overdue by the sweep, `0` not.
    pub fn of_case(m: &str) -> Figures {
        let b = m.as_bytes();
        let mut f = Figures { received: 1, ..Figures::default() };
        match b.first() {
            Some(b'o') => f.on_spot = 1,
            Some(b's') => f.solved = 1,
            Some(b'x') => f.declined = 1,
            Some(b'm') => f.merged = 1,
            _ => f.in_progress = 1,
        }
        match b.get(1) {
            Some(b'1') => f.on_time = 1,
            Some(b'0') => f.late = 1,
            _ => {}
        }
        match b.get(2) {
            Some(b's') => f.satisfied = 1,
            Some(b'p') => f.partly = 1,
            Some(b'd') => f.dissatisfied = 1,
            Some(b'u') => f.unrated = 1,
            _ => {}
        }
        if b.get(3) == Some(&b'1') {
            f.overdue = 1;
        }
        f
    }

    /// The figures in [`Figures::NAMES`] order.
    pub fn to_array(&self) -> [i64; 13] {
        [
            self.received,
            self.on_spot,
            self.solved,
            self.in_progress,
            self.declined,
            self.merged,
            self.overdue,
            self.on_time,
            self.late,
            self.satisfied,
            self.partly,
            self.dissatisfied,
            self.unrated,
        ]
    }

    /// The figures from an array in [`Figures::NAMES`] order.
    pub fn from_array(a: [i64; 13]) -> Figures {
        let [
            received,
            on_spot,
            solved,
            in_progress,
            declined,
            merged,
            overdue,
            on_time,
            late,
            satisfied,
            partly,
            dissatisfied,
            unrated,
        ] = a;
        Figures {
            received,
            on_spot,
            solved,
            in_progress,
            declined,
            merged,
            overdue,
            on_time,
            late,
            satisfied,
            partly,
            dissatisfied,
            unrated,
        }
    }

    /// Every figure times `k` (−1 takes a case out).
    pub fn times(&self, k: i64) -> Figures {
        Figures::from_array(self.to_array().map(|n| n * k))
    }

    pub fn is_zero(&self) -> bool {
        self.to_array().iter().all(|n| *n == 0)
    }

    /// Solved or answered on the spot (解决).
    pub fn resolved(&self) -> i64 {
        self.on_spot + self.solved
    }

    /// Resolved of those received, merged cases left out (they count in the case they joined).
    pub fn resolution_rate(&self) -> Option<f64> {
        ratio(self.resolved(), self.received - self.merged)
    }

    /// Resolved by the deadline of those resolved that had one.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.on_time + self.late)
    }

    /// 满意 and 基本满意 of those the constituent rated (未评价 left out).
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(self.satisfied + self.partly, self.satisfied + self.partly + self.dissatisfied)
    }

    pub fn rated(&self) -> i64 {
        self.satisfied + self.partly + self.dissatisfied
    }
}

impl AddAssign<&Figures> for Figures {
    fn add_assign(&mut self, other: &Figures) {
        let (a, b) = (self.to_array(), other.to_array());
        *self = Figures::from_array(std::array::from_fn(|i| a[i] + b[i]));
    }
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_count_where_they_say() {
        let f = Figures::of_case("o1s1");
        assert_eq!((f.received, f.on_spot, f.on_time, f.satisfied, f.overdue), (1, 1, 1, 1, 1));
        assert_eq!(f.resolved(), 1);
        let g = Figures::of_case("p--0");
        assert_eq!((g.in_progress, g.on_time + g.late, g.rated() + g.unrated, g.overdue), (1, 0, 0, 0));
        let mut sum = f;
        sum += &g;
        sum += &g.times(-1);
        assert_eq!(sum, f);
        assert!(f.times(0).is_zero());
        assert_eq!(Figures::from_array(f.to_array()), f);
    }

    #[test]
    fn rates_leave_out_what_they_say() {
        let mut f = Figures::default();
        for m in ["s1s0", "s0d0", "m--0", "o-u0", "p--1"] {
            f += &Figures::of_case(m);
        }
        assert_eq!(f.resolution_rate(), Some(3.0 / 4.0));
        assert_eq!(f.on_time_rate(), Some(0.5));
        assert_eq!(f.satisfaction_rate(), Some(0.5));
        assert_eq!(Figures::default().satisfaction_rate(), None);
    }
}
