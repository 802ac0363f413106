//! A submission's own fields — title, content, category, location, contact — parsed into one
//! value before anything else happens, with every field error at once. The contact form, the
//! JSON API, Open311, staff entry and the CLI all go through it, so one rule cannot differ
//! between channels. (Where a case goes — station, deputy, region — is resolved against the
//! database by the use-case.)

use crate::Invalid;
use crate::case::{parse_content, parse_title};
use crate::phone::PhoneNumber;
use crate::text::{Lines, check};

/// The fields as they arrive.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawSubmission<'a> {
    pub title: &'a str,
    pub content: &'a str,
    pub category: Option<&'a str>,
    pub location: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub contact_phone: Option<&'a str>,
    pub anonymous: bool,
}

/// The fields, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub title: String,
    pub content: String,
    /// One of the county's categories; 其他 when none was given.
    pub category: String,
    pub location: String,
    pub contact_name: String,
    /// Dropped when the constituent writes anonymously.
    pub contact_phone: Option<PhoneNumber>,
}

/// A category: one of the county's, or 其他 when none is given.
pub fn parse_category(raw: Option<&str>, categories: &[String]) -> Result<String, Invalid> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok("其他".into()),
        Some(c) if categories.iter().any(|x| x == c) => Ok(c.to_owned()),
        Some(_) => Err(Invalid::new("category", "invalid_category", format!("类别应为：{}", categories.join("、")))),
    }
}

fn one_line(field: &'static str, label: &str, raw: Option<&str>, max: usize) -> Result<String, Invalid> {
    let s = raw.unwrap_or("").trim();
    if s.chars().count() > max {
        return Err(Invalid::new(field, "too_long", format!("{label}不能超过 {max} 个字")));
    }
    check(field, label, s, Lines::One)?;
    Ok(s.to_owned())
}

impl Submission {
    /// Parses every field; on failure, returns every field's error, in the order of the form.
    pub fn parse(raw: &RawSubmission<'_>, categories: &[String]) -> Result<Submission, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, Invalid>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let title = keep(parse_title(raw.title));
        let content = keep(parse_content(raw.content));
        let category = keep(parse_category(raw.category, categories));
        let location = keep(one_line("location", "位置描述", raw.location, 100));
        let contact_name = keep(one_line("contact_name", "联系人姓名", raw.contact_name, 20));
        let contact_phone = match raw.contact_phone.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) if !raw.anonymous => match PhoneNumber::parse(p) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(Invalid { field: "contact_phone", ..e });
                    None
                }
            },
            _ => None,
        };
        if errors.is_empty() {
            Ok(Submission { title, content, category, location, contact_name, contact_phone })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats() -> Vec<String> {
        vec!["道路交通".into(), "其他".into()]
    }

    #[test]
    fn a_good_submission_parses_and_an_anonymous_one_drops_the_phone() {
        let raw = RawSubmission {
            title: " 路灯不亮 ",
            content: "村口路灯坏了。\n已一个月。",
            category: Some("道路交通"),
            contact_phone: Some("139 0000 1111"),
            ..Default::default()
        };
        let s = Submission::parse(&raw, &cats()).unwrap();
        assert_eq!((s.title.as_str(), s.category.as_str()), ("路灯不亮", "道路交通"));
        assert_eq!(s.contact_phone.unwrap().as_str(), "13900001111");
        let s = Submission::parse(&RawSubmission { anonymous: true, ..raw }, &cats()).unwrap();
        assert!(s.contact_phone.is_none());
        assert_eq!(Submission::parse(&RawSubmission { category: None, ..raw }, &cats()).unwrap().category, "其他");
    }

    #[test]
    fn every_field_error_comes_back_at_once_in_form_order() {
        let long = "长".repeat(101);
        let raw = RawSubmission {
            title: "",
            content: "内容\u{0}",
            category: Some("天气"),
            location: Some(&long),
            contact_name: Some("张\n三"),
            contact_phone: Some("12345"),
            anonymous: false,
        };
        let errors = Submission::parse(&raw, &cats()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "content", "category", "location", "contact_name", "contact_phone"]);
        assert!(errors.iter().all(|e| !e.message.is_empty()));
    }
}
