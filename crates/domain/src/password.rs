//! Passwords: argon2id hashes in PHC string form, and the rule a new password must meet.

use crate::Invalid;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters never fails")
        .to_string()
}

/// True when `password` matches the stored PHC hash; false for any mismatch or a malformed hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a wrong username takes as
/// long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("liaison-dummy-password-0"))
}

/// At least 10 characters, with letters and digits, at most 128.
pub fn check_new_password(password: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(10..=128).contains(&n) || !has_letter || !has_digit {
        return Err(Invalid::new("password", "weak_password", "密码应为 10 到 128 位，并同时包含字母和数字"));
    }
    // Common passwords and their usual variations (Password123, qwerty2026…): zxcvbn estimates
    // fewer than a million guesses for them.
    if zxcvbn::zxcvbn(password, &["liaison", "renda", "lianluozhan"]).score() < zxcvbn::Score::Two {
        return Err(Invalid::new("password", "common_password", "密码过于常见，容易被猜中，请换一个"));
    }
    Ok(())
}

/// A temporary password an administrator hands over once: three groups of four unambiguous
/// lowercase letters and digits (no 0/o, 1/l/i), e.g. `k7mx-p9qa-4hw3`; it meets the rule above.
pub fn generate_temporary() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    loop {
        let chars: Vec<char> = (0..12).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
        let pw = chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-");
        if check_new_password(&pw).is_ok() {
            return pw;
        }
    }
}

/// A username: 3 to 32 characters of lowercase letters, digits, `.`, `_` or `-`.
pub fn parse_username(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let ok = (3..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new("username", "invalid_username", "用户名应为 3 到 32 位小写字母、数字、点、下划线或连字符"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused() {
        for bad in ["Password123", "password123", "Qwerty123456", "1qaz2wsx3edc", "Admin123456", "liaison2026"] {
            assert_eq!(check_new_password(bad).unwrap_err().code, "common_password", "{bad}");
        }
        for good in ["liaison2026demo", "test-password-2026", "good-password-1", "柞水县代表工委2026", "mv8-Kq2z-Lp4x"]
        {
            assert!(check_new_password(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_password("correct horse 42");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse 42", &h));
        assert!(!verify_password("correct horse 43", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn password_rule() {
        assert!(check_new_password("short1").is_err());
        assert!(check_new_password("onlyletterslong").is_err());
        assert!(check_new_password("1234567890").is_err());
        assert!(check_new_password("liaison2026demo").is_ok());
    }

    #[test]
    fn temporary_passwords_meet_the_rule_and_differ() {
        let a = generate_temporary();
        let b = generate_temporary();
        assert_eq!(a.len(), 14);
        assert!(check_new_password(&a).is_ok(), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn usernames() {
        assert!(parse_username("zs.admin").is_ok());
        assert!(parse_username("ZS").is_err());
        assert!(parse_username("张三").is_err());
    }
}
