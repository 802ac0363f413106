//! A filtered list of cases as an .xlsx workbook: the same query as the list, in the same order,
//! at most [`EXPORT_MAX_ROWS`] rows; contact details masked unless the principal may see them
//! where each case lies; every export audited with who, what filters and how many rows.

use super::list::{Names, display_code, names, plan};
use super::{mask_name, shown_phone};
use crate::{App, Result};
use liaison_domain::audit::AuditEvent;
use liaison_domain::authz::{self, Action, Principal, Target};
use liaison_domain::case::{CaseStatus, Channel, Level, Rating};
use liaison_domain::case_list::{ListQuery, Lookup};
use liaison_domain::region::RegionCode;
use liaison_sheets::SheetOut;
use liaison_store::{audit, cases};

/// The most rows one export holds.
pub const EXPORT_MAX_ROWS: i64 = 10_000;

const HEADERS: &[&str] = &[
    "查询码",
    "标题",
    "内容",
    "状态",
    "渠道",
    "类别",
    "层级",
    "乡镇（街道）",
    "联络站",
    "代表",
    "承办单位",
    "协办单位",
    "办理期限",
    "首次答复期限",
    "是否逾期",
    "群众称呼",
    "联系电话",
    "接收时间",
    "最近更新",
    "办理结果",
    "答复内容",
    "满意度",
];

/// An exported workbook.
#[derive(Debug, Clone)]
pub struct Export {
    pub bytes: Vec<u8>,
    /// Rows written.
    pub rows: usize,
    /// Rows the list holds; more than `rows` when the export stopped at the cap.
    pub total: i64,
}

impl Export {
    pub fn truncated(&self) -> bool {
        self.total > self.rows as i64
    }
}

fn beijing(ms: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    liaison_domain::clock::from_millis(ms).with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The filters of `q` in words, with names instead of codes: what the export's second sheet
/// and its audit entry say.
pub fn describe(q: &ListQuery, names: &Names) -> String {
    let mut parts = Vec::new();
    if !q.statuses.is_empty() {
        parts.push(format!("状态：{}", q.statuses.iter().map(|s| s.label()).collect::<Vec<_>>().join("、")));
    }
    if let Some(t) = &q.township {
        parts.push(format!("乡镇（街道）：{}", names.regions.get(t.as_str()).cloned().unwrap_or_default()));
    }
    let named = |label: &str, v: &Option<String>, map: &std::collections::HashMap<String, String>| {
        v.as_ref().map(|s| format!("{label}：{}", map.get(s).cloned().unwrap_or_else(|| "（未知）".into())))
    };
    parts.extend(named("联络站", &q.station, &names.stations));
    parts.extend(named("承办单位", &q.agency, &names.agencies));
    parts.extend(named("代表", &q.deputy, &names.deputies));
    if let Some(c) = q.channel {
        parts.push(format!("渠道：{}", c.label()));
    }
    if let Some(c) = &q.category {
        parts.push(format!("类别：{c}"));
    }
    if let Some(l) = q.level {
        parts.push(format!("层级：{}", l.label()));
    }
    match (q.from, q.to) {
        (Some(f), Some(t)) => parts.push(format!("接收日期：{f} 至 {t}")),
        (Some(f), None) => parts.push(format!("接收日期：{f} 起")),
        (None, Some(t)) => parts.push(format!("接收日期：至 {t}")),
        (None, None) => {}
    }
    if q.overdue {
        parts.push("已逾期".into());
    }
    if q.due_soon {
        parts.push("即将到期".into());
    }
    match &q.lookup {
        Some(Lookup::Code(c)) => parts.push(format!("查询码：{}", c.display())),
        Some(Lookup::Phone(p)) => parts.push(format!("手机号：{}", p.masked())),
        Some(Lookup::Words(w)) => parts.push(format!("关键词：{}", w.join(" "))),
        None => {}
    }
    if parts.is_empty() { "全部（本人可见范围内）".into() } else { parts.join("；") }
}

fn row_of(c: &cases::CaseRow, names: &Names, principal: &Principal) -> Vec<String> {
    let unmasked = RegionCode::parse(&c.region_code)
        .is_ok_and(|r| authz::authorize(principal, Action::PersonalDataRead, Target::Region(&r)).is_ok());
    let assisting: Vec<String> = c.assisting().into_iter().map(|a| names.agency(Some(a))).collect();
    vec![
        display_code(c.tracking_code.as_deref()),
        c.title.clone(),
        c.content.clone(),
        CaseStatus::parse(&c.status).map(|s| s.label()).unwrap_or("").into(),
        Channel::parse(&c.channel).map(|s| s.label()).unwrap_or("").into(),
        c.category.clone(),
        c.level.as_deref().and_then(Level::parse).map(|l| l.label()).unwrap_or("").into(),
        names.township(&c.region_code),
        names.station(c.station_ref.as_deref()),
        names.deputy(c.deputy_ref.as_deref()),
        names.agency(c.agency_ref.as_deref()),
        assisting.join("、"),
        c.deadline_on.clone().unwrap_or_default(),
        c.first_reply_due.clone().unwrap_or_default(),
        if c.overdue { "是".into() } else { String::new() },
        if c.anonymous {
            "匿名".into()
        } else if unmasked {
            c.contact_name.clone()
        } else {
            mask_name(&c.contact_name)
        },
        shown_phone(&c.contact_phone, unmasked),
        beijing(c.created_at),
        beijing(c.updated_at),
        c.agency_result.clone(),
        c.public_reply.clone(),
        c.rating.as_deref().and_then(Rating::parse).map(|r| r.label()).unwrap_or("").into(),
    ]
}

/// The list `q` asks for (every page of it, up to the cap) as a workbook, audited.
pub async fn export_xlsx(app: &App, principal: &Principal, q: &ListQuery) -> Result<Export> {
    let plan = plan(app, principal, q).await?;
    let reach = plan.reach();
    let total = cases::list_count(&app.db, &reach, &plan.filter).await?;
    let rows = cases::list_rows(&app.db, &reach, &plan.filter, plan.sort, 0, EXPORT_MAX_ROWS).await?;
    let (names, _) = names(app, principal).await?;
    let table: Vec<Vec<String>> = rows.iter().map(|c| row_of(c, &names, principal)).collect();
    let unmasked_any = rows.iter().any(|c| {
        RegionCode::parse(&c.region_code)
            .is_ok_and(|r| authz::authorize(principal, Action::PersonalDataRead, Target::Region(&r)).is_ok())
    });
    let filters = describe(q, &names);
    let who = principal.account().map(|a| a.display_name.clone()).unwrap_or_default();
    let mut about = vec![
        vec!["导出时间".to_owned(), beijing(app.now_ms())],
        vec!["导出人".to_owned(), who],
        vec!["筛选条件".to_owned(), filters.clone()],
        vec!["排序".to_owned(), q.sort().label().to_owned()],
        vec!["件数".to_owned(), format!("{} 件（共 {total} 件）", table.len())],
        vec!["联系电话".to_owned(), if unmasked_any { "含完整联系电话，请妥善保管".into() } else { "已遮蔽".into() }],
    ];
    if total > table.len() as i64 {
        about.push(vec![
            "说明".to_owned(),
            format!(
                "结果超过 {EXPORT_MAX_ROWS} 件，只导出了按当前排序的前 {EXPORT_MAX_ROWS} 件；请缩小筛选范围后分批导出"
            ),
        ]);
    }
    if plan.phone_refused {
        about.push(vec!["说明".to_owned(), "您无权按手机号查找群众信息，未做查找".into()]);
    }
    let sheets = [
        SheetOut { name: "意见建议", headers: HEADERS, rows: &table },
        SheetOut { name: "导出说明", headers: &["项目", "内容"], rows: &about },
    ];
    let bytes = liaison_sheets::write_xlsx(&sheets).map_err(crate::Error::internal)?;
    let county = principal.account().map(|a| a.county_code.clone()).unwrap_or_default();
    let ev = AuditEvent {
        county_code: county,
        actor: principal.actor(),
        action: "case.export".into(),
        target: "cases".into(),
        summary: format!(
            "导出意见建议 {} 件（共 {total} 件）；筛选：{filters}；{}",
            table.len(),
            if unmasked_any { "含完整联系电话" } else { "联系电话已遮蔽" }
        ),
    };
    audit::record(&app.db, &ev, app.now_ms()).await?;
    Ok(Export { bytes, rows: table.len(), total })
}
