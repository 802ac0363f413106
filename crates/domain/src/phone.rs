//! Telephone numbers: mainland mobiles (11 digits from 13–19) and landlines with an area code.
//! Personal numbers are shown masked unless the viewer's role needs them.

use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts `13812345678`, `+86 138 1234 5678`, `0914-4321234`, `(0914)4321234`.
    pub fn parse(raw: &str) -> Result<PhoneNumber, Invalid> {
        let bad = || Invalid::new("phone", "invalid_phone", "电话号码格式不正确（手机 11 位，座机请带区号）");
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 24 {
            return Err(bad());
        }
        let mut digits: String = String::with_capacity(16);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '（' | '）' => {}
                '+' if digits.is_empty() => {}
                _ => return Err(bad()),
            }
        }
        let digits = digits.strip_prefix("86").filter(|d| d.len() == 11 && d.starts_with('1')).unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(PhoneNumber(digits.to_owned()));
        }
        if (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0' {
            // Area codes are 3 digits for 010 and 02x, otherwise 4.
            let area = if b[1] == b'1' || b[1] == b'2' { 3 } else { 4 };
            let local = &digits[area..];
            if (7..=8).contains(&local.len()) {
                return Ok(PhoneNumber(format!("{}-{}", &digits[..area], local)));
            }
        }
        Err(bad())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.contains('-')
    }

    /// `138****5678`, or `0914-****1234` for a landline.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks a stored phone number: keeps the first three and the last four digits of a mobile, the
/// area code and the last four digits of a landline.
pub fn mask_phone(stored: &str) -> String {
    // Stored numbers are ASCII digits; anything else shows nothing.
    if !stored.is_ascii() {
        return "****".to_owned();
    }
    match stored.split_once('-') {
        Some((area, local)) if local.len() > 4 => {
            format!("{area}-{}{}", "*".repeat(local.len() - 4), &local[local.len() - 4..])
        }
        _ if stored.len() == 11 => format!("{}****{}", &stored[..3], &stored[7..]),
        _ => "****".to_owned(),
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mobiles_and_landlines() {
        for (raw, stored) in [
            ("13812345678", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("0914-4321234", "0914-4321234"),
            ("（0914）4321234", "0914-4321234"),
            ("010-12345678", "010-12345678"),
            ("02912345678", "029-12345678"),
        ] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().as_str(), stored, "{raw}");
        }
    }

    #[test]
    fn refuses_the_rest() {
        for raw in [
            "",
            "12345",
            "12812345678",
            "1381234567",
            "138123456789",
            "abc13812345678",
            "0014-4321234",
            "0914-12345",
            "138１2345678",
        ] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(PhoneNumber::parse("13812345678").unwrap().masked(), "138****5678");
        assert_eq!(PhoneNumber::parse("0914-4321234").unwrap().masked(), "0914-***1234");
    }
}
