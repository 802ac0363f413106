//! A staff list of cases as asked for: which cases (status, township, station, agency, deputy,
//! channel, category, level, dates, overdue, due soon, words), in which order, which page. One
//! parse for the page `/cases`, the JSON API and the export, so that all three refuse the same
//! input with the same field errors and mean the same thing by the same parameters.

use crate::Invalid;
use crate::authz::parse_slug;
use crate::case::{CaseStatus, Channel, Level, TrackingCode};
use crate::phone::PhoneNumber;
use crate::region::{RegionCode, RegionLevel};
use chrono::NaiveDate;

/// Rows per page unless asked otherwise.
pub const PER_PAGE_DEFAULT: u32 = 50;
/// The most rows one page may hold.
pub const PER_PAGE_MAX: u32 = 200;
/// How deep a list pages: the rows after this many are reached by narrowing the filters, not by
/// paging (an export holds at most as many).
pub const MAX_ROWS: u32 = 10_000;
/// Words in a search, and characters in each.
pub const MAX_WORDS: usize = 5;
pub const MAX_WORD_CHARS: usize = 30;

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Cases still being worked on first, the nearest deadline (or first-reply date) first, then
    /// the oldest: the order of a work list.
    Deadline,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
    /// Most recently changed first.
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Deadline, Sort::Newest, Sort::Oldest, Sort::Updated];

    /// The query parameter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Deadline => "deadline",
            Sort::Newest => "-created",
            Sort::Oldest => "created",
            Sort::Updated => "-updated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Deadline => "按期限（未办结的在前）",
            Sort::Newest => "最新接收在前",
            Sort::Oldest => "最早接收在前",
            Sort::Updated => "最近更新在前",
        }
    }

    pub fn parse(raw: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
}

/// What the search box holds: a tracking code, a constituent's phone number, or words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Code(TrackingCode),
    Phone(PhoneNumber),
    /// Each must appear in the title, content, result or reply.
    Words(Vec<String>),
}

impl Lookup {
    /// A tracking code in any case, with or without its dash; else a phone number (digits and
    /// the usual separators only); else words separated by spaces.
    pub fn parse(raw: &str) -> Result<Option<Lookup>, Invalid> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if let Ok(code) = TrackingCode::parse(s) {
            return Ok(Some(Lookup::Code(code)));
        }
        let phone_like = s.chars().any(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '（' | '）'));
        if phone_like && let Ok(p) = PhoneNumber::parse(s) {
            return Ok(Some(Lookup::Phone(p)));
        }
        let words: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
        if words.len() > MAX_WORDS || words.iter().any(|w| w.chars().count() > MAX_WORD_CHARS) {
            return Err(Invalid::new("q", "invalid_query", "搜索词最多 5 个，每个不超过 30 个字"));
        }
        if words.iter().any(|w| w.chars().any(char::is_control)) {
            return Err(Invalid::new("q", "invalid_query", "搜索词含有不可见字符"));
        }
        Ok(Some(Lookup::Words(words)))
    }
}

/// The parameters as they arrive, every one optional text: the query string of `/cases`,
/// `/cases/export.xlsx` and `GET /api/v1/cases`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawListQuery {
    pub status: Option<String>,
    pub township: Option<String>,
    pub station: Option<String>,
    pub agency: Option<String>,
    pub deputy: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub overdue: Option<String>,
    pub due_soon: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A parsed list query; holding one means every parameter was valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Only these; empty means every status.
    pub statuses: Vec<CaseStatus>,
    /// A township (9 digits).
    pub township: Option<RegionCode>,
    pub station: Option<String>,
    /// Lead or assisting.
    pub agency: Option<String>,
    pub deputy: Option<String>,
    pub channel: Option<Channel>,
    /// Checked against the configured categories by the use-case.
    pub category: Option<String>,
    pub level: Option<Level>,
    /// Received on or after this China day.
    pub from: Option<NaiveDate>,
    /// Received on or before this China day.
    pub to: Option<NaiveDate>,
    pub overdue: bool,
    pub due_soon: bool,
    pub lookup: Option<Lookup>,
    /// `None`: the default, [`ListQuery::sort`].
    pub sort: Option<Sort>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            statuses: vec![],
            township: None,
            station: None,
            agency: None,
            deputy: None,
            channel: None,
            category: None,
            level: None,
            from: None,
            to: None,
            overdue: false,
            due_soon: false,
            lookup: None,
            sort: None,
            page: 1,
            per_page: PER_PAGE_DEFAULT,
        }
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn flag(field: &'static str, v: &Option<String>) -> Result<bool, Invalid> {
    match given(v) {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") | Some("on") => Ok(true),
        Some(_) => Err(Invalid::new(field, "invalid_flag", "只能勾选或不勾选")),
    }
}

fn date(field: &'static str, v: &Option<String>) -> Result<Option<NaiveDate>, Invalid> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| s.len() == 10 && (2000..=2100).contains(&chrono::Datelike::year(d)))
                .ok_or_else(|| Invalid::new(field, "invalid_date", "日期无效，应写成 年-月-日，如 2026-03-01"))
        })
        .transpose()
}

fn number(field: &'static str, v: &Option<String>, default: u32) -> Result<u32, Invalid> {
    match given(v) {
        None => Ok(default),
        Some(s) => s.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            Invalid::new(
                field,
                "invalid_number",
                if field == "page" {
                    "页码应为从 1 开始的整数"
                } else {
                    "每页件数应为从 1 开始的整数"
                },
            )
        }),
    }
}

fn slug(field: &'static str, v: &Option<String>) -> Result<Option<String>, Invalid> {
    given(v).map(|s| parse_slug(s).map_err(|e| Invalid { field, ..e })).transpose()
}

impl ListQuery {
    /// Parses every parameter, reporting each bad one.
    pub fn parse(raw: &RawListQuery) -> Result<ListQuery, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<(), Invalid>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let mut q = ListQuery::default();
        keep((|| {
            for s in given(&raw.status).unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let st = CaseStatus::parse(s)
                    .ok_or_else(|| Invalid::new("status", "invalid_status", format!("未知状态：{s}")))?;
                if !q.statuses.contains(&st) {
                    q.statuses.push(st);
                }
            }
            Ok(())
        })());
        keep((|| {
            if let Some(s) = given(&raw.township) {
                let code = RegionCode::parse(s)
                    .ok()
                    .filter(|c| c.level() == RegionLevel::Township)
                    .ok_or_else(|| Invalid::new("township", "invalid_township", "乡镇（街道）应为 9 位行政区划代码"))?;
                q.township = Some(code);
            }
            Ok(())
        })());
        keep(slug("station", &raw.station).map(|v| q.station = v));
        keep(slug("agency", &raw.agency).map(|v| q.agency = v));
        keep(slug("deputy", &raw.deputy).map(|v| q.deputy = v));
        keep((|| {
            if let Some(s) = given(&raw.channel) {
                q.channel =
                    Some(Channel::parse(s).ok_or_else(|| Invalid::new("channel", "invalid_channel", "未知的渠道"))?);
            }
            Ok(())
        })());
        keep((|| {
            if let Some(s) = given(&raw.category) {
                if s.chars().count() > 20 || s.chars().any(char::is_control) {
                    return Err(Invalid::new("category", "invalid_category", "未知的类别"));
                }
                q.category = Some(s.to_owned());
            }
            Ok(())
        })());
        keep((|| {
            if let Some(s) = given(&raw.level) {
                q.level = Some(
                    Level::parse(s)
                        .ok_or_else(|| Invalid::new("level", "invalid_level", "层级无效，应为乡镇（街道）或县级"))?,
                );
            }
            Ok(())
        })());
        keep(date("from", &raw.from).map(|v| q.from = v));
        keep(date("to", &raw.to).map(|v| q.to = v));
        keep(flag("overdue", &raw.overdue).map(|v| q.overdue = v));
        keep(flag("due_soon", &raw.due_soon).map(|v| q.due_soon = v));
        keep(raw.q.as_deref().map(Lookup::parse).transpose().map(|v| q.lookup = v.flatten()));
        keep((|| {
            if let Some(s) = given(&raw.sort) {
                q.sort = Some(Sort::parse(s).ok_or_else(|| {
                    Invalid::new("sort", "invalid_sort", "排序方式无效，请选择按期限、最新接收、最早接收或最近更新")
                })?);
            }
            Ok(())
        })());
        keep(number("page", &raw.page, 1).map(|v| q.page = v));
        keep(number("per_page", &raw.per_page, PER_PAGE_DEFAULT).and_then(|n| {
            if n > PER_PAGE_MAX {
                return Err(Invalid::new("per_page", "per_page_too_large", format!("每页最多 {PER_PAGE_MAX} 件")));
            }
            q.per_page = n;
            Ok(())
        }));
        if errors.iter().all(|e| e.field != "page" && e.field != "per_page")
            && u64::from(q.page - 1) * u64::from(q.per_page) >= u64::from(MAX_ROWS)
        {
            errors.push(Invalid::new(
                "page",
                "page_too_deep",
                format!("列表最多翻到第 {MAX_ROWS} 件，请用筛选条件缩小范围"),
            ));
        }
        if let (Some(f), Some(t)) = (q.from, q.to)
            && f > t
        {
            errors.push(Invalid::new("to", "invalid_period", "结束日期不能早于开始日期"));
        }
        if errors.is_empty() { Ok(q) } else { Err(errors) }
    }

    /// The order asked for, or the default: newest first for a search by words (what matches
    /// best is what was written lately), the deadline order for a work list.
    pub fn sort(&self) -> Sort {
        self.sort.unwrap_or(match self.lookup {
            Some(Lookup::Words(_)) => Sort::Newest,
            _ => Sort::Deadline,
        })
    }

    /// Rows skipped before this page.
    pub fn offset(&self) -> u32 {
        (self.page - 1) * self.per_page
    }

    /// The query again as parameters, for links that keep the filters (the pager, the export):
    /// (name, value) pairs, without `page`, defaults left out.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.statuses.is_empty() {
            out.push(("status", self.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")));
        }
        let mut push = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                out.push((k, v));
            }
        };
        push("township", self.township.as_ref().map(|c| c.as_str().to_owned()));
        push("station", self.station.clone());
        push("agency", self.agency.clone());
        push("deputy", self.deputy.clone());
        push("channel", self.channel.map(|c| c.as_str().to_owned()));
        push("category", self.category.clone());
        push("level", self.level.map(|l| l.as_str().to_owned()));
        push("from", self.from.map(|d| d.to_string()));
        push("to", self.to.map(|d| d.to_string()));
        push("overdue", self.overdue.then(|| "1".to_owned()));
        push("due_soon", self.due_soon.then(|| "1".to_owned()));
        push(
            "q",
            self.lookup.as_ref().map(|l| match l {
                Lookup::Code(c) => c.display(),
                Lookup::Phone(p) => p.as_str().to_owned(),
                Lookup::Words(w) => w.join(" "),
            }),
        );
        push("sort", self.sort.map(|s| s.as_str().to_owned()));
        push("per_page", (self.per_page != PER_PAGE_DEFAULT).then(|| self.per_page.to_string()));
        out
    }

    /// Whether anything narrows the list beyond the caller's reach.
    pub fn is_filtered(&self) -> bool {
        let mut plain = self.clone();
        plain.sort = None;
        plain.page = 1;
        plain.per_page = PER_PAGE_DEFAULT;
        plain != ListQuery::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawListQuery {
        let mut r = RawListQuery::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "status" => r.status = v,
                "township" => r.township = v,
                "station" => r.station = v,
                "agency" => r.agency = v,
                "deputy" => r.deputy = v,
                "channel" => r.channel = v,
                "category" => r.category = v,
                "level" => r.level = v,
                "from" => r.from = v,
                "to" => r.to = v,
                "overdue" => r.overdue = v,
                "due_soon" => r.due_soon = v,
                "q" => r.q = v,
                "sort" => r.sort = v,
                "page" => r.page = v,
                "per_page" => r.per_page = v,
                _ => panic!("{k}"),
            }
        }
        r
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<&'static str> {
        ListQuery::parse(&raw(pairs)).unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn nothing_asked_is_the_first_page_in_deadline_order() {
        let q = ListQuery::parse(&RawListQuery::default()).unwrap();
        assert_eq!(q, ListQuery::default());
        assert_eq!((q.page, q.per_page, q.offset(), q.sort()), (1, 50, 0, Sort::Deadline));
        assert!(!q.is_filtered());
        let empty = ListQuery::parse(&raw(&[("status", ""), ("q", "  "), ("page", ""), ("overdue", "")])).unwrap();
        assert_eq!(empty, ListQuery::default(), "empty fields of a submitted form ask for nothing");
    }

    #[test]
    fn every_parameter_parses_and_comes_back_as_given() {
        let pairs = [
            ("status", "received,reopened"),
            ("township", "611026001"),
            ("station", "qianyou-renhe"),
            ("agency", "zs-transport"),
            ("deputy", "wang-fang"),
            ("channel", "qr"),
            ("category", "道路交通"),
            ("level", "county"),
            ("from", "2026-03-01"),
            ("to", "2026-03-31"),
            ("overdue", "1"),
            ("due_soon", "1"),
            ("q", "路灯 仁和"),
            ("sort", "-updated"),
            ("per_page", "20"),
        ];
        let q = ListQuery::parse(&raw(&[&pairs[..], &[("page", "3")]].concat())).unwrap();
        assert_eq!(q.statuses, vec![CaseStatus::Received, CaseStatus::Reopened]);
        assert_eq!(q.lookup, Some(Lookup::Words(vec!["路灯".into(), "仁和".into()])));
        assert_eq!((q.page, q.offset(), q.sort()), (3, 40, Sort::Updated));
        assert!(q.is_filtered());
        let back: Vec<(&str, String)> = q.params();
        assert_eq!(back, pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect::<Vec<_>>());
    }

    #[test]
    fn a_code_or_a_phone_in_the_search_box_is_recognised() {
        let code = TrackingCode::generate();
        for form in [code.as_str().to_owned(), code.display(), code.display().to_lowercase()] {
            assert_eq!(Lookup::parse(&form).unwrap(), Some(Lookup::Code(code.clone())), "{form}");
        }
        assert_eq!(
            Lookup::parse("139 1234 5678").unwrap(),
            Some(Lookup::Phone(PhoneNumber::parse("13912345678").unwrap()))
        );
        assert_eq!(Lookup::parse("2026").unwrap(), Some(Lookup::Words(vec!["2026".into()])), "a year is a word");
        assert_eq!(Lookup::parse("G210国道").unwrap(), Some(Lookup::Words(vec!["G210国道".into()])));
        assert!(Lookup::parse("a b c d e f").is_err());
        assert!(Lookup::parse(&"路".repeat(31)).is_err());
        let q = ListQuery::parse(&raw(&[("q", &code.as_str().to_lowercase())])).unwrap();
        assert_eq!(q.sort(), Sort::Deadline);
        assert_eq!(q.params(), vec![("q", code.display())], "codes are shown with their dash");
    }

    #[test]
    fn bad_values_are_each_reported() {
        assert_eq!(fields(&[("status", "received,lost")]), ["status"]);
        assert_eq!(fields(&[("sort", "title")]), ["sort"]);
        assert_eq!(fields(&[("from", "2026-3-1")]), ["from"]);
        assert_eq!(fields(&[("to", "2026-02-30")]), ["to"]);
        assert_eq!(fields(&[("from", "2026-04-01"), ("to", "2026-03-01")]), ["to"]);
        assert_eq!(fields(&[("page", "0")]), ["page"]);
        assert_eq!(fields(&[("page", "-1")]), ["page"]);
        assert_eq!(fields(&[("page", "abc")]), ["page"]);
        assert_eq!(fields(&[("per_page", "201")]), ["per_page"]);
        assert_eq!(fields(&[("per_page", "0")]), ["per_page"]);
        assert_eq!(fields(&[("township", "611026")]), ["township"], "a county is not a township");
        assert_eq!(fields(&[("station", "Renhe Station")]), ["station"]);
        assert_eq!(fields(&[("channel", "fax")]), ["channel"]);
        assert_eq!(fields(&[("level", "city")]), ["level"]);
        assert_eq!(fields(&[("overdue", "yes")]), ["overdue"]);
        assert_eq!(
            fields(&[("status", "x"), ("sort", "x"), ("page", "0"), ("from", "x")]),
            ["status", "from", "sort", "page"],
            "every bad field at once, in the order of the form"
        );
    }

    #[test]
    fn paging_stops_at_the_deepest_row() {
        assert!(ListQuery::parse(&raw(&[("page", "200")])).is_ok());
        assert_eq!(fields(&[("page", "201")]), ["page"]);
        assert!(ListQuery::parse(&raw(&[("page", "50"), ("per_page", "200")])).is_ok());
        assert_eq!(fields(&[("page", "51"), ("per_page", "200")]), ["page"]);
        assert_eq!(fields(&[("page", "4294967295")]), ["page"]);
    }

    #[test]
    fn words_sort_newest_first_unless_asked() {
        let q = ListQuery::parse(&raw(&[("q", "路灯")])).unwrap();
        assert_eq!(q.sort(), Sort::Newest);
        let q = ListQuery::parse(&raw(&[("q", "路灯"), ("sort", "deadline")])).unwrap();
        assert_eq!(q.sort(), Sort::Deadline);
    }
}
