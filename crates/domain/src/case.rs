//! Cases (意见建议): the matters constituents raise. This module holds the parts the foundation
//! needs — the fields and their rules — and grows into the six-step loop.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The steps of the closed loop a case passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Received,
    Triaged,
    Assigned,
    Replied,
    Closed,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::Triaged => "triaged",
            CaseStatus::Assigned => "assigned",
            CaseStatus::Replied => "replied",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Received => "已接收",
            CaseStatus::Triaged => "已研判",
            CaseStatus::Assigned => "已交办",
            CaseStatus::Replied => "已答复",
            CaseStatus::Closed => "已办结",
        }
    }

    pub fn parse(raw: &str) -> Option<CaseStatus> {
        [Self::Received, Self::Triaged, Self::Assigned, Self::Replied, Self::Closed]
            .into_iter()
            .find(|s| s.as_str() == raw)
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
    Ok(s.to_owned())
}
