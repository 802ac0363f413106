//! The step forms of the case page: which forms a viewer gets (the steps `cases::offered` allows,
//! the most likely first and open, the rest folded away), their Chinese titles, the values they
//! start with or keep after a refusal, and turning a posted form into a step.

use crate::api::cases::StepBody;
use crate::error::ApiError;
use axum::http::StatusCode;
use liaison_app::cases::CaseRow;
use liaison_domain::case::{CaseStatus, Channel, Command, Level};

/// What a step form holds: the values a viewer typed, kept when the step is refused.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub level: String,
    pub category: String,
    pub lead: String,
    pub assisting: Vec<String>,
    pub note: String,
    pub message: String,
    pub result: String,
    pub reason: String,
    pub reply: String,
    pub referral: String,
    pub into: String,
    pub public: bool,
}

impl Typed {
    /// A posted step form: its step and its fields (agencies to assist may repeat).
    pub fn from_pairs(pairs: &[(String, String)]) -> (String, Typed) {
        let mut step = String::new();
        let mut t = Typed::default();
        for (k, v) in pairs {
            match k.as_str() {
                "step" => step = v.clone(),
                "level" => t.level = v.clone(),
                "category" => t.category = v.clone(),
                "lead" => t.lead = v.clone(),
                "assisting" => {
                    t.assisting.extend(v.split([',', '，', '、', ' ']).filter(|x| !x.is_empty()).map(str::to_owned))
                }
                "note" => t.note = v.clone(),
                "message" => t.message = v.clone(),
                "result" => t.result = v.clone(),
                "reason" => t.reason = v.clone(),
                "reply" => t.reply = v.clone(),
                "referral" => t.referral = v.clone(),
                "into" => t.into = v.clone(),
                "public" => t.public = !v.is_empty(),
                _ => {}
            }
        }
        (step, t)
    }
}

/// One step form on the page.
#[derive(Debug, Clone)]
pub struct StepView {
    /// The `step` the form posts: triage, assign, urge, result, return, reply, answer_on_spot,
    /// decline, merge, escalate, note.
    pub key: &'static str,
    pub title: String,
    /// A line under the title saying what the step does.
    pub hint: &'static str,
    pub button: &'static str,
    pub open: bool,
    /// A step that ends or diverts the case: drawn as a secondary button.
    pub secondary: bool,
    pub v: Typed,
    /// The field a refusal names, and its message (beside the field, or atop the form).
    pub err_field: String,
    pub err: String,
}

impl StepView {
    /// Whether the refusal belongs atop the form rather than beside one of its fields.
    pub fn err_on_top(&self) -> bool {
        !self.err.is_empty() && !fields(self.key).contains(&self.err_field.as_str())
    }
}

pub fn key(cmd: Command) -> &'static str {
    match cmd {
        Command::Triage => "triage",
        Command::Assign => "assign",
        Command::Urge => "urge",
        Command::RecordResult => "result",
        Command::Return => "return",
        Command::PublishReply => "reply",
        Command::AnswerOnSpot => "answer_on_spot",
        Command::Decline => "decline",
        Command::Merge => "merge",
        Command::Escalate => "escalate",
        Command::Note => "note",
        Command::Survey(_) | Command::CloseUnrated => "",
    }
}

/// The fields each form has, for placing a refusal's message.
fn fields(key: &str) -> &'static [&'static str] {
    match key {
        "triage" => &["level", "category", "note"],
        "assign" => &["lead", "assisting", "note"],
        "urge" => &["message"],
        "result" => &["result"],
        "return" | "decline" => &["reason", "referral"],
        "reply" | "answer_on_spot" => &["reply"],
        "merge" => &["into"],
        "escalate" | "note" => &["note"],
        _ => &[],
    }
}

/// The level triage starts at: the case's own once set (a county case stays county), else the
/// county for a matter raised at county level, else the township.
pub fn default_level(row: &CaseRow) -> Level {
    match row.level.as_deref().and_then(Level::parse) {
        Some(l) => l,
        None if row.region_code.len() <= 6 => Level::County,
        None => Level::Township,
    }
}

/// Whether a note is, most likely, the answer an online message is waiting for.
fn answers_online(row: &CaseRow) -> bool {
    Channel::parse(&row.channel).is_some_and(Channel::is_online) && row.first_replied_at.is_none()
}

/// The forms for `offered` steps (most likely first), with their starting values.
pub fn views(row: &CaseRow, offered: &[Command]) -> Vec<StepView> {
    let status = CaseStatus::parse(&row.status);
    // 现场答复 is for a matter raised in person; one that came by message or phone is answered.
    let in_person = Channel::parse(&row.channel).is_some_and(|c| matches!(c, Channel::Station | Channel::Visit));
    let mut out: Vec<StepView> = offered
        .iter()
        .map(|cmd| {
            let mut v = Typed::default();
            let (title, hint, button, secondary): (String, &'static str, &'static str, bool) = match cmd {
                Command::Triage => {
                    v.level = default_level(row).as_str().to_owned();
                    v.category = row.category.clone();
                    let again = status == Some(CaseStatus::Triaged);
                    let title = if again { "重新研判" } else { "研判" };
                    (title.into(), "确定类别和办理层级（乡镇或县级）。", "确认研判", again)
                }
                Command::Assign => {
                    v.lead = row.agency_ref.clone().unwrap_or_default();
                    v.assisting = row.assisting().into_iter().map(str::to_owned).collect();
                    let again = status == Some(CaseStatus::Assigned);
                    let title = if again { "重新交办" } else { "交办承办单位" };
                    (title.into(), "选择主办单位和协办单位，系统按类别计算办理期限。", "交办", again)
                }
                Command::Urge => ("催办".into(), "提醒承办单位抓紧办理。", "催办", false),
                Command::RecordResult => {
                    v.result = row.agency_result.clone();
                    let again = status == Some(CaseStatus::Handled);
                    let title = if again { "修改办理结果" } else { "提交办理结果" };
                    (title.into(), "写明办理情况，联络站据此答复群众。", "提交办理结果", again)
                }
                Command::Return => ("退回（非本单位职责）".into(), "退回后由联络站或乡镇重新研判交办。", "退回", true),
                Command::PublishReply => {
                    v.reply = row.agency_result.clone();
                    ("答复群众".into(), "答复内容将显示在群众的查询页面，并请群众评价。", "发送答复", false)
                }
                Command::AnswerOnSpot if !in_person => (
                    "直接答复（无需交办）".into(),
                    "问题已能直接解答或已解决时使用；答复后请群众评价。",
                    "发送答复",
                    true,
                ),
                Command::AnswerOnSpot => {
                    ("现场答复".into(), "接待时已当场解答或解决；答复后请群众评价。", "记录现场答复", true)
                }
                Command::Decline => ("不予受理".into(), "写明理由，并引导群众通过合适的渠道反映。", "不予受理", true),
                Command::Merge => ("合并到同类意见建议".into(), "与同一乡镇尚未办结的同类问题合并办理。", "合并", true),
                Command::Escalate => ("提级至县".into(), "乡镇无法解决的，提交县级研判交办。", "提级至县", true),
                Command::Note if answers_online(row) => {
                    v.public = true;
                    (
                        "回复留言".into(),
                        "告诉群众留言已收到、将如何办理；网上留言请在 3 个工作日内回复。",
                        "发送回复",
                        false,
                    )
                }
                Command::Note => {
                    ("添加备注".into(), "记录办理进展或意见；勾选后群众也能在查询页看到。", "保存备注", true)
                }
                Command::Survey(_) | Command::CloseUnrated => (String::new(), "", "", true),
            };
            StepView {
                key: key(*cmd),
                title,
                hint,
                button,
                open: false,
                secondary,
                v,
                err_field: String::new(),
                err: String::new(),
            }
        })
        .filter(|s| !s.key.is_empty())
        .collect();
    // The most likely step is open, unless it only diverts the case (a station that cannot
    // assign a triaged case has nothing likely to do).
    if let Some(first) = out.first_mut()
        && !first.secondary
    {
        first.open = true;
    }
    out
}

/// Puts a refusal on the form it came from, with the typed values; false when that form is not
/// offered (any more), so that the page shows it atop the steps.
pub fn refuse(views: &mut [StepView], step: &str, typed: Typed, e: &ApiError) -> bool {
    let Some(i) = views.iter().position(|v| v.key == step) else { return false };
    for v in views.iter_mut() {
        v.open = false;
    }
    let v = &mut views[i];
    v.open = true;
    v.v = typed;
    v.err = e.message.clone();
    v.err_field = e.field.clone().unwrap_or_default();
    true
}

/// A posted step form as the API's step body.
pub fn to_body(step: &str, t: Typed) -> Result<StepBody, ApiError> {
    Ok(match step {
        "triage" => {
            StepBody::Triage { level: t.level, category: Some(t.category).filter(|c| !c.is_empty()), note: t.note }
        }
        "assign" => StepBody::Assign { lead: t.lead, assisting: t.assisting, note: t.note },
        "urge" => StepBody::Urge { message: t.message },
        "result" => StepBody::Result { result: t.result },
        "return" => StepBody::Return { reason: t.reason },
        "reply" => StepBody::Reply { reply: t.reply },
        "answer_on_spot" => StepBody::AnswerOnSpot { reply: t.reply },
        "decline" => StepBody::Decline { reason: t.reason, referral: t.referral },
        "merge" => StepBody::Merge {
            into: t.into.trim().trim_start_matches('#').parse().map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_case_id",
                    "请填写要合并到的意见建议编号（数字）",
                )
                .with_field("into")
            })?,
        },
        "escalate" => StepBody::Escalate { note: t.note },
        "note" => StepBody::Note { note: t.note, public: t.public },
        _ => return Err(ApiError::bad_request("invalid_step", "未知的办理步骤")),
    })
}
