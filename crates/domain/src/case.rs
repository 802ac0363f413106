//! Cases (意见建议): the matters constituents raise, and the six-step closed loop they travel —
//! receive → triage → assign → supervise → reply → satisfaction survey — as one explicit state
//! machine. [`next`] is the only place that says which step may follow which.

use crate::Invalid;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $id:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $id),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            pub fn parse(raw: &str) -> Option<$name> {
                let s = raw.trim();
                $( if s == $id || s == $label { return Some($name::$variant); } )*
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

pub(crate) use str_enum;

str_enum!(
    /// Where a case is in the loop.
    CaseStatus {
        Received = "received", "已接收";
        Triaged = "triaged", "已研判";
        Assigned = "assigned", "已交办";
        Handled = "handled", "已办理";
        Replied = "replied", "已答复";
        AnsweredOnSpot = "answered_on_spot", "现场答复";
        Reopened = "reopened", "重新办理";
        Closed = "closed", "已办结";
        Merged = "merged", "已合并";
        Declined = "declined", "不予受理";
    }
);

impl CaseStatus {
    /// Still being worked on (not closed, merged or declined).
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Closed | CaseStatus::Merged | CaseStatus::Declined)
    }
}

str_enum!(
    /// How a case came in.
    Channel {
        Qr = "qr", "扫码留言";
        Online = "online", "网上留言";
        Station = "station", "坐诊接待";
        Visit = "visit", "巡诊走访";
        Wechat = "wechat", "微信群";
        Hotline = "hotline", "电话";
        Snapshot = "snapshot", "随手拍";
        Reception = "reception", "接待日";
    }
);

impl Channel {
    /// Channels where the constituent wrote to us and waits online; the first-reply rule applies.
    pub fn is_online(self) -> bool {
        matches!(self, Channel::Qr | Channel::Online)
    }
}

str_enum!(
    /// The level a case is handled at (分级交办).
    Level {
        Township = "township", "乡镇（街道）";
        County = "county", "县级";
    }
);

str_enum!(
    /// The constituent's rating (满意度测评).
    Rating {
        Satisfied = "satisfied", "满意";
        Partly = "partly", "基本满意";
        Dissatisfied = "dissatisfied", "不满意";
        Unrated = "unrated", "未评价";
    }
);

/// What someone asks to do to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Classify and decide the level (梳理研判); may be repeated before assignment.
    Triage,
    /// Send to the lead agency with a deadline (分级交办); again to re-assign.
    Assign,
    /// A reminder to the handler (催办).
    Urge,
    /// The agency records its result.
    RecordResult,
    /// The agency sends it back as not theirs; it returns to triage.
    Return,
    /// Staff or the deputy send the public reply (结果反馈).
    PublishReply,
    /// Resolved at reception without assignment (现场答复).
    AnswerOnSpot,
    /// Not accepted, with a reason and a referral (信访, courts…).
    Decline,
    /// Folded into another case.
    Merge,
    /// A township case goes up to the county.
    Escalate,
    /// A note on the case that changes nothing else: public, it tells the constituent how their
    /// message is being handled (a deputy's answer to an online message within three days);
    /// internal, it tells colleagues (a deputy's or station's view before triage).
    Note,
    /// The constituent rates the outcome.
    Survey(Rating),
    /// No rating within the survey period.
    CloseUnrated,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Triage => "triage",
            Command::Assign => "assign",
            Command::Urge => "urge",
            Command::RecordResult => "record_result",
            Command::Return => "return",
            Command::PublishReply => "publish_reply",
            Command::AnswerOnSpot => "answer_on_spot",
            Command::Decline => "decline",
            Command::Merge => "merge",
            Command::Escalate => "escalate",
            Command::Note => "note",
            Command::Survey(_) => "survey",
            Command::CloseUnrated => "close_unrated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Command::Triage => "研判",
            Command::Assign => "交办",
            Command::Urge => "催办",
            Command::RecordResult => "承办单位办理",
            Command::Return => "退回",
            Command::PublishReply => "答复群众",
            Command::AnswerOnSpot => "现场答复",
            Command::Decline => "不予受理",
            Command::Merge => "合并",
            Command::Escalate => "提级至县",
            Command::Note => "办理备注",
            Command::Survey(_) => "满意度测评",
            Command::CloseUnrated => "逾期未评价办结",
        }
    }
}

/// Which roles may take a step. Township-level assignment is for township officers and county
/// supervisors; county-level assignment for county supervisors alone; agencies record results and
/// return cases; ratings come from constituents and unrated closing from the system.
pub fn may(role: crate::authz::Role, cmd: Command, level: Option<Level>) -> bool {
    use crate::authz::Role::*;
    match cmd {
        Command::Triage | Command::Merge | Command::Decline => {
            matches!(role, CountySupervisor | TownshipOfficer | StationStaff)
        }
        Command::AnswerOnSpot | Command::PublishReply | Command::Note => {
            matches!(role, CountySupervisor | TownshipOfficer | StationStaff | Deputy)
        }
        Command::Assign => match level {
            Some(Level::County) => role == CountySupervisor,
            _ => matches!(role, CountySupervisor | TownshipOfficer),
        },
        Command::Urge => matches!(role, CountySupervisor | TownshipOfficer | Deputy),
        Command::Escalate => matches!(role, CountySupervisor | TownshipOfficer),
        Command::RecordResult | Command::Return => role == AgencyHandler,
        Command::Survey(_) | Command::CloseUnrated => false,
    }
}

/// A refused transition, with a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub from: CaseStatus,
    pub command: &'static str,
    pub message: String,
}

/// The state machine. `round` is 1 for the first handling and 2 after a dissatisfied rating
/// reopened the case; a second handling closes whatever the rating.
pub fn next(from: CaseStatus, round: u8, cmd: Command) -> Result<CaseStatus, Refused> {
    use CaseStatus::*;
    use Command::*;
    let to = match (from, cmd) {
        (Received | Triaged | Reopened, Triage) => Some(Triaged),
        (Triaged | Reopened | Assigned, Assign) => Some(Assigned),
        (Assigned, Urge) => Some(Assigned),
        (Assigned | Handled, RecordResult) => Some(Handled),
        (Assigned, Return) => Some(Received),
        (Handled, PublishReply) => Some(Replied),
        (Received | Triaged, AnswerOnSpot) => Some(AnsweredOnSpot),
        (Received | Triaged, Decline) => Some(Declined),
        (Received | Triaged, Merge) => Some(Merged),
        (Triaged | Assigned, Escalate) => Some(from),
        (Received | Triaged | Assigned | Handled | Reopened, Note) => Some(from),
        (Replied | AnsweredOnSpot, Survey(Rating::Dissatisfied)) if round < 2 => Some(Reopened),
        (Replied | AnsweredOnSpot, Survey(Rating::Satisfied | Rating::Partly | Rating::Dissatisfied)) => Some(Closed),
        (Replied | AnsweredOnSpot, CloseUnrated) => Some(Closed),
        _ => None,
    };
    to.ok_or_else(|| Refused {
        from,
        command: cmd.as_str(),
        message: format!("当前状态为“{}”，不能执行“{}”", from.label(), cmd.label()),
    })
}

/// The short code a constituent keeps: 10 characters from an alphabet without look-alikes
/// (no 0/O, 1/I/L), about 49 bits, shown as two groups of five.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 10;

impl TrackingCode {
    pub fn generate() -> TrackingCode {
        let mut rng = rand::rng();
        TrackingCode((0..CODE_LEN).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect())
    }

    /// Accepts any case, spaces and hyphens: `7kq2m-9xh3p`.
    pub fn parse(raw: &str) -> Result<TrackingCode, Invalid> {
        let bad = || {
            Invalid::new("tracking_code", "invalid_tracking_code", "查询码应为 10 位字母和数字（不含 0、1、I、L、O）")
        };
        if raw.len() > 32 {
            return Err(bad());
        }
        let s: String =
            raw.chars().filter(|c| !matches!(c, ' ' | '-' | '　')).map(|c| c.to_ascii_uppercase()).collect();
        if s.len() != CODE_LEN || !s.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
            return Err(bad());
        }
        Ok(TrackingCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `7KQ2M-9XH3P`, for reading aloud.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

impl From<TrackingCode> for String {
    fn from(c: TrackingCode) -> String {
        c.0
    }
}

/// A case title: 1 to 60 characters.
pub fn parse_title(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        return Err(Invalid::new("title", "empty_title", "标题不能为空"));
    }
    if n > 60 {
        return Err(Invalid::new("title", "title_too_long", "标题不能超过 60 个字"));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::new("title", "control_characters", "标题含有不可见字符"));
    }
    Ok(s.to_owned())
}

/// Case content: 1 to 5,000 characters.
pub fn parse_content(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        return Err(Invalid::new("content", "empty_content", "内容不能为空"));
    }
    if n > 5000 {
        return Err(Invalid::new("content", "content_too_long", "内容不能超过 5000 个字"));
    }
    crate::text::check("content", "内容", s, crate::text::Lines::Many)?;
    Ok(s.to_owned())
}

/// A free-text note attached to a step (reason, reply, message): 1 to 2,000 characters.
pub fn parse_note(field: &'static str, label: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        return Err(Invalid::new(field, "required", format!("{label}不能为空")));
    }
    if n > 2000 {
        return Err(Invalid::new(field, "too_long", format!("{label}不能超过 2000 个字")));
    }
    crate::text::check(field, label, s, crate::text::Lines::Many)?;
    Ok(s.to_owned())
}

/// The categories a county uses unless it configures its own.
pub const DEFAULT_CATEGORIES: &[&str] =
    &["道路交通", "农业农村", "教育医疗", "社会保障", "生态环境", "城乡建设", "社会治理", "产业发展", "其他"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_of_state_and_command() {
        use CaseStatus::*;
        let commands = [
            Command::Triage,
            Command::Assign,
            Command::Urge,
            Command::RecordResult,
            Command::Return,
            Command::PublishReply,
            Command::AnswerOnSpot,
            Command::Decline,
            Command::Merge,
            Command::Escalate,
            Command::Survey(Rating::Satisfied),
            Command::Survey(Rating::Dissatisfied),
            Command::CloseUnrated,
            Command::Note,
        ];
        // The allowed table, written out: (from, command index) → to, for round 1.
        let allowed: &[(CaseStatus, usize, CaseStatus)] = &[
            (Received, 0, Triaged),
            (Received, 6, AnsweredOnSpot),
            (Received, 7, Declined),
            (Received, 8, Merged),
            (Triaged, 0, Triaged),
            (Triaged, 1, Assigned),
            (Triaged, 6, AnsweredOnSpot),
            (Triaged, 7, Declined),
            (Triaged, 8, Merged),
            (Triaged, 9, Triaged),
            (Assigned, 1, Assigned),
            (Assigned, 2, Assigned),
            (Assigned, 3, Handled),
            (Assigned, 4, Received),
            (Assigned, 9, Assigned),
            (Handled, 3, Handled),
            (Handled, 5, Replied),
            (Replied, 10, Closed),
            (Replied, 11, Reopened),
            (Replied, 12, Closed),
            (AnsweredOnSpot, 10, Closed),
            (AnsweredOnSpot, 11, Reopened),
            (AnsweredOnSpot, 12, Closed),
            (Reopened, 0, Triaged),
            (Reopened, 1, Assigned),
            (Received, 13, Received),
            (Triaged, 13, Triaged),
            (Assigned, 13, Assigned),
            (Handled, 13, Handled),
            (Reopened, 13, Reopened),
        ];
        for from in CaseStatus::ALL {
            for (i, cmd) in commands.iter().enumerate() {
                let expected = allowed.iter().find(|(f, c, _)| f == from && *c == i).map(|(_, _, t)| *t);
                match (next(*from, 1, *cmd), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} + {cmd:?}"),
                    (Err(r), None) => assert!(r.message.contains(from.label()), "{}", r.message),
                    (got, want) => panic!("{from} + {cmd:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn the_second_handling_closes_whatever_the_rating() {
        assert_eq!(next(CaseStatus::Replied, 1, Command::Survey(Rating::Dissatisfied)), Ok(CaseStatus::Reopened));
        assert_eq!(next(CaseStatus::Replied, 2, Command::Survey(Rating::Dissatisfied)), Ok(CaseStatus::Closed));
    }

    #[test]
    fn tracking_codes() {
        let c = TrackingCode::generate();
        assert_eq!(c.as_str().len(), 10);
        assert_eq!(TrackingCode::parse(&c.display().to_lowercase()).unwrap(), c);
        for bad in ["", "ABCDE", "ABCDE-FGHJO", "0BCDE-FGHJK", "ABCDE-FGHJK-M", "ＡBCDE-FGHJK"] {
            assert!(TrackingCode::parse(bad).is_err(), "{bad}");
        }
        let a = TrackingCode::generate();
        let b = TrackingCode::generate();
        assert_ne!(a, b);
    }
}
