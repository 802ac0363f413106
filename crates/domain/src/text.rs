//! Free text as people type it: control characters are refused everywhere (PostgreSQL refuses a
//! NUL outright, and no clerk means one), except line breaks and tabs in multi-line text.

use crate::Invalid;

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The first control character `s` may not hold, if any. Unicode's line and paragraph
/// separators and the bidirectional overrides count too: they hide or reorder what staff read.
pub fn find_control(s: &str, lines: Lines) -> Option<char> {
    s.chars().find(|&c| {
        let allowed = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
        !allowed
            && (c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    })
}

/// Refuses a text with a control character, naming the field.
pub fn check(field: &'static str, label: &str, s: &str, lines: Lines) -> Result<(), Invalid> {
    match find_control(s, lines) {
        None => Ok(()),
        Some(_) => {
            Err(Invalid::new(field, "control_character", format!("{label}含有不可见的控制字符，请删除后重新填写")))
        }
    }
}

/// A required one-line text of at most `max` characters, trimmed.
pub fn single_line(field: &'static str, raw: &str, max: usize, label: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    check(field, label, s, Lines::One)?;
    if s.is_empty() {
        return Err(Invalid::new(field, "required", format!("请填写{label}")));
    }
    if s.chars().count() > max {
        return Err(Invalid::new(field, "too_long", format!("{label}最多 {max} 个字")));
    }
    Ok(s.to_owned())
}

/// An optional text of at most `max` characters, trimmed (empty when absent).
pub fn optional(field: &'static str, raw: &str, max: usize, label: &str, lines: Lines) -> Result<String, Invalid> {
    let s = raw.trim();
    check(field, label, s, lines)?;
    if s.chars().count() > max {
        return Err(Invalid::new(field, "too_long", format!("{label}最多 {max} 个字")));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_friends_are_refused_newlines_only_where_text_spans_lines() {
        assert_eq!(find_control("路灯\u{0}不亮", Lines::Many), Some('\u{0}'));
        assert_eq!(find_control("a\u{1b}[31m", Lines::Many), Some('\u{1b}'));
        assert_eq!(find_control("a\u{7f}", Lines::Many), Some('\u{7f}'));
        assert_eq!(find_control("a\u{202e}b", Lines::Many), Some('\u{202e}'));
        assert_eq!(find_control("第一行\n第二行\t缩进\r\n", Lines::Many), None);
        assert_eq!(find_control("第一行\n第二行", Lines::One), Some('\n'));
        assert_eq!(find_control("张三 138", Lines::One), None);
        assert!(check("name", "姓名", "张\u{0}三", Lines::One).unwrap_err().message.contains("姓名"));
    }
}
