//! The duty register (履职登记簿): one entry per activity of a deputy. Entries the system knows of
//! (a reception attended, a case raised to the deputy and closed) arise on their own; the deputy
//! or station staff enter the rest, and the township officer confirms or rejects them. Only
//! confirmed entries count; a correction keeps the earlier version.

use crate::Invalid;
use crate::case::str_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

str_enum!(
    /// The kinds of activity the seeds' registers and points rules name.
    DutyKind {
        Meeting = "meeting", "参加会议";
        Training = "training", "学习培训";
        Inspection = "inspection", "视察调研";
        LawCheck = "law_check", "执法检查";
        Suggestion = "suggestion", "提出建议议案";
        VoterContact = "voter_contact", "联系选民";
        Deed = "deed", "为民办实事";
        Reception = "reception", "接待选民";
        HomeVisit = "home_visit", "走访群众";
        CaseHandled = "case_handled", "督办群众意见";
        Report = "report", "向选民述职";
        ActivityMonth = "activity_month", "代表活动月";
        Volunteer = "volunteer", "志愿服务";
        PolicyTalk = "policy_talk", "政策宣讲";
        Commendation = "commendation", "受到表彰";
        Absence = "absence", "无故缺席";
    }
);

str_enum!(
    /// Whether an entry counts yet.
    EntryStatus {
        Pending = "pending", "待确认";
        Confirmed = "confirmed", "已确认";
        Rejected = "rejected", "未确认";
    }
);

/// What an entry came from: entered by hand, or a record the system holds (then it is kept once
/// per deputy and record, whatever retries and replays happen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Manual,
    Reception(i64),
    Case(i64),
    Suggestion(i64),
    /// A meeting with agency heads the deputy took part in.
    Meeting(i64),
    /// A report to the voters held.
    VoterReport(i64),
    /// A visit to a linked voter or a household of the ledger.
    Visit(i64),
    /// A livelihood project nominated (collected by the deputy).
    Nomination(i64),
    /// A ballot the deputy voted in (that they voted, never how).
    Ballot(i64),
    /// An inspection of, or question on, a livelihood project.
    ProjectUpdate(i64),
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Manual => "manual",
            Source::Reception(_) => "reception",
            Source::Case(_) => "case",
            Source::Suggestion(_) => "suggestion",
            Source::Meeting(_) => "meeting",
            Source::VoterReport(_) => "voter_report",
            Source::Visit(_) => "visit",
            Source::Nomination(_) => "nomination",
            Source::Ballot(_) => "ballot",
            Source::ProjectUpdate(_) => "project_update",
        }
    }

    /// The key that makes an automatic entry unique per deputy.
    pub fn key(&self) -> Option<String> {
        match self {
            Source::Manual => None,
            Source::Reception(id) => Some(format!("reception:{id}")),
            Source::Case(id) => Some(format!("case:{id}")),
            Source::Suggestion(id) => Some(format!("suggestion:{id}")),
            Source::Meeting(id) => Some(format!("meeting:{id}")),
            Source::VoterReport(id) => Some(format!("voter_report:{id}")),
            Source::Visit(id) => Some(format!("visit:{id}")),
            Source::Nomination(id) => Some(format!("nomination:{id}")),
            Source::Ballot(id) => Some(format!("ballot:{id}")),
            Source::ProjectUpdate(id) => Some(format!("project_update:{id}")),
        }
    }
}

/// The register's kind for a reception of `reception_kind` (see `reception::ReceptionKind`).
pub fn kind_of_reception(reception_kind: &str) -> DutyKind {
    match reception_kind {
        "home_visit" => DutyKind::HomeVisit,
        "yard_meeting" => DutyKind::VoterContact,
        _ => DutyKind::Reception,
    }
}

pub fn parse_kind(raw: &str) -> Result<DutyKind, Invalid> {
    DutyKind::parse(raw).ok_or_else(|| Invalid::new("kind", "invalid_kind", "履职类别不在登记簿的类别之中"))
}
