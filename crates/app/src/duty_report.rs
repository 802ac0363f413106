//! The annual duty report (年度履职报告) of a deputy: the year's confirmed register entries by
//! kind with their points, the targets met, the cases raised to the deputy and how their
//! constituents rated them. As a page and as a PDF; the PDF depends only on what the report
//! says, so a year's report stays byte-identical when later rules change.

use crate::points::Year;
use crate::{App, Error, Result};
use chrono::{FixedOffset, NaiveDate, TimeZone};
use liaison_domain::authz::Principal;
use liaison_domain::case::{CaseStatus, Rating};
use liaison_domain::org::DeputyLevel;
use liaison_domain::register::DutyKind;
use liaison_report::{Block, Doc, Font};
use liaison_store::org::{self, Deputy};
use std::sync::{Arc, OnceLock};

/// A case raised to the deputy in the year.
#[derive(Debug, Clone)]
pub struct CaseLine {
    pub tracking_code: String,
    pub title: String,
    pub status: &'static str,
    pub rating: &'static str,
}

/// A deputy's annual report.
#[derive(Debug, Clone)]
pub struct Report {
    pub deputy: Deputy,
    pub levels: String,
    pub stations: Vec<String>,
    pub county_name: String,
    pub year: Year,
    pub cases: Vec<CaseLine>,
    /// (satisfied, partly, dissatisfied, unrated) among the cases rated or closed.
    pub ratings: (usize, usize, usize, usize),
}

fn year_ms(year: i32) -> (i64, i64) {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let at = |y: i32| {
        tz.from_local_datetime(
            &NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default(),
        )
        .single()
        .map_or(0, |t| t.timestamp_millis())
    };
    (at(year), at(year + 1))
}

/// Deputy `d`'s report of `year` (the caller has checked access).
pub async fn build(app: &App, d: Deputy, year: i32) -> Result<Report> {
    let scored = crate::points::year_of(app, &d, year).await?;
    let (from, to) = year_ms(year);
    let cases: Vec<CaseLine> = liaison_store::register::cases_of_deputy(&app.db, &d.data.slug, from, to)
        .await?
        .into_iter()
        .map(|(code, title, status, rating)| CaseLine {
            tracking_code: code.unwrap_or_default(),
            title,
            status: CaseStatus::parse(&status).map_or("", |s| s.label()),
            rating: rating.as_deref().and_then(Rating::parse).map_or("", |r| r.label()),
        })
        .collect();
    let count = |r: Rating| cases.iter().filter(|c| c.rating == r.label()).count();
    let ratings =
        (count(Rating::Satisfied), count(Rating::Partly), count(Rating::Dissatisfied), count(Rating::Unrated));
    let levels = crate::points::levels_label(&d.data.levels);
    let stations = org::deputy_stations(&app.db, d.id).await?.into_iter().map(|(s, _)| s.data.name).collect();
    let county_name = match liaison_domain::region::RegionCode::parse(&d.data.county_code) {
        Ok(code) => liaison_store::regions::get(&app.db, &code).await?.map(|r| r.name).unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok(Report { deputy: d, levels, stations, county_name, year: scored, cases, ratings })
}

/// A deputy's report, for whoever may read the deputy's register.
pub async fn of_deputy(app: &App, principal: &Principal, deputy: &str, year: i32) -> Result<Report> {
    let d = org::deputy_by_slug(&app.db, deputy.trim()).await?.ok_or(Error::NotFound)?;
    crate::register::may_read(app, principal, &d).await?;
    build(app, d, year).await
}

impl Report {
    pub fn title(&self) -> String {
        format!("{} {} 年度履职报告", self.deputy.data.name, self.year.year)
    }

    /// The rule sets the year was scored by, as one line.
    pub fn rules_line(&self) -> String {
        if self.year.sets.is_empty() {
            return "本年度没有施行中的积分规则，各项不计分。".into();
        }
        let sets: Vec<String> = self
            .year
            .sets
            .iter()
            // Not the end of a version: a version still in force gets one when the next is made,
            // and the report of a year already scored must not change.
            .map(|s| format!("“{}”（自 {} 起施行）", s.name, s.from))
            .collect();
        format!("积分按各项活动当日施行的规则计算：{}。", sets.join("、"))
    }

    /// The report as a printable document.
    pub fn doc(&self) -> Doc {
        let d = &self.deputy.data;
        let y = &self.year;
        let mut blocks = vec![
            Block::Title(self.title()),
            Block::Subtitle(format!("{}人大常委会 · {}", self.county_name, self.levels)),
            Block::Heading("一、基本情况".into()),
            Block::Para(format!(
                "{}，{}。{}{}",
                d.name,
                self.levels,
                if d.constituency.is_empty() { String::new() } else { format!("选区：{}。", d.constituency) },
                if self.stations.is_empty() {
                    String::new()
                } else {
                    format!("进站联络站：{}。", self.stations.join("、"))
                }
            )),
            Block::Para(format!(
                "{} 年共登记并确认履职活动 {} 项，积分 {} 分。{}",
                y.year,
                y.entries.len(),
                y.total,
                self.rules_line()
            )),
            Block::Heading("二、履职情况分类统计".into()),
        ];
        let mut by_kind: Vec<Vec<String>> =
            y.by_kind.iter().map(|(k, n, p)| vec![k.label().into(), n.to_string(), p.to_string()]).collect();
        by_kind.push(vec!["合计".into(), y.entries.len().to_string(), y.total.to_string()]);
        blocks.push(Block::Table {
            widths: vec![3.0, 1.5, 1.5],
            header: vec!["履职类别".into(), "次数".into(), "积分".into()],
            rows: by_kind,
        });
        blocks.push(Block::Heading("三、履职目标完成情况".into()));
        if y.progress.is_empty() {
            blocks.push(Block::Para("本年度施行的规则未设履职目标。".into()));
        }
        for p in &y.progress {
            blocks.push(Block::Bar {
                label: p.describe(),
                percent: p.percent(),
                note: format!("已完成 {} 次{}", p.done, if p.met() { "，达标" } else { "，未达标" }),
            });
        }
        blocks.push(Block::Heading("四、履职活动明细".into()));
        if y.entries.is_empty() {
            blocks.push(Block::Para("本年度没有已确认的履职登记。".into()));
        } else {
            blocks.push(Block::Table {
                widths: vec![1.3, 1.4, 4.3, 0.8],
                header: vec!["日期".into(), "类别".into(), "内容".into(), "积分".into()],
                rows: y
                    .entries
                    .iter()
                    .map(|(e, s)| {
                        let kind = DutyKind::parse(&e.kind).map_or("", |k| k.label());
                        let what = if e.place.is_empty() {
                            e.description.clone()
                        } else {
                            format!("{}（{}）", e.description, e.place)
                        };
                        let points =
                            if s.capped { format!("{}（已达上限）", s.points) } else { s.points.to_string() };
                        vec![e.done_on.clone(), kind.into(), what, points]
                    })
                    .collect(),
            });
        }
        blocks.push(Block::Heading("五、收到的群众意见及满意度".into()));
        if self.cases.is_empty() {
            blocks.push(Block::Para("本年度没有直接提交给本代表的群众意见。".into()));
        } else {
            let (s, p, n, u) = self.ratings;
            blocks.push(Block::Para(format!(
                "本年度群众通过二维码等渠道向本代表反映意见 {} 件；群众评价：满意 {s} 件，基本满意 {p} 件，不满意 {n} 件，未评价 {u} 件。",
                self.cases.len()
            )));
            blocks.push(Block::Table {
                widths: vec![1.6, 3.8, 1.1, 1.1],
                header: vec!["查询码".into(), "事项".into(), "状态".into(), "评价".into()],
                rows: self
                    .cases
                    .iter()
                    .map(|c| vec![c.tracking_code.clone(), c.title.clone(), c.status.into(), c.rating.into()])
                    .collect(),
            });
        }
        Doc { title: self.title(), footer: format!("{}人大常委会", self.county_name), blocks }
    }
}

static FONT: OnceLock<std::result::Result<Arc<Font>, String>> = OnceLock::new();

/// The CJK font reports embed, read once.
pub fn font(app: &App) -> Result<Arc<Font>> {
    FONT.get_or_init(|| {
        let path = Font::find(app.config.report_font.as_deref()).map_err(|e| e.to_string())?;
        Font::load(&path).map(Arc::new).map_err(|e| e.to_string())
    })
    .clone()
    .map_err(Error::unavailable)
}

/// The report as PDF bytes.
pub fn pdf(app: &App, report: &Report) -> Result<Vec<u8>> {
    let font = font(app)?;
    liaison_report::render(&report.doc(), &font).map_err(Error::internal)
}

/// The same, typeset on a blocking thread (some milliseconds of work per report).
pub async fn pdf_off_thread(app: &App, report: &Report) -> Result<Vec<u8>> {
    let font = font(app)?;
    let doc = report.doc();
    tokio::task::spawn_blocking(move || liaison_report::render(&doc, &font))
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)
}

/// An archive of a region's annual reports and how far its job has got.
#[derive(Debug, Clone)]
pub struct Archive {
    pub id: i64,
    pub region_code: String,
    pub year: i32,
    /// running, done, failed, or interrupted (the server stopped while it ran).
    pub status: &'static str,
    pub done: i64,
    pub total: i64,
    pub error: String,
    pub created_at: i64,
}

/// A job that has not moved for this long was stopped with the server.
const STALLED_MS: i64 = 5 * 60 * 1000;

fn archive_of(app: &App, r: liaison_store::points::ArchiveRow) -> Archive {
    let status = match r.status.as_str() {
        "running" if app.now_ms() - r.updated_at > STALLED_MS => "interrupted",
        "running" => "running",
        "done" => "done",
        _ => "failed",
    };
    Archive {
        id: r.id,
        region_code: r.region_code,
        year: r.year as i32,
        status,
        done: r.done,
        total: r.total,
        error: r.error,
        created_at: r.created_at,
    }
}

fn archive_path(app: &App, id: i64) -> std::path::PathBuf {
    app.config.data_dir.join("reports").join(format!("archive-{id}.zip"))
}

/// The region's names (township folders in the archive, townships in the rankings).
async fn region_names(app: &App, county: &str) -> Result<std::collections::HashMap<String, String>> {
    let code = liaison_domain::region::RegionCode::parse(county).map_err(Error::internal)?;
    Ok(liaison_store::regions::subtree(&app.db, &code).await?.into_iter().map(|r| (r.code, r.name)).collect())
}

/// Starts a background job that writes the annual report of every active deputy of `region`
/// (default: the principal's first) for `year` into one zip archive, a PDF each, in a folder
/// per township. For the township officer (their township) and the county (any region of it).
pub async fn start_archive(app: &App, principal: &Principal, region: Option<&str>, year: i32) -> Result<i64> {
    use liaison_domain::authz::Action;
    let region = crate::org::scoped_region(principal, Action::OrgWrite, region)?;
    if year < 2000 || year > chrono::Datelike::year(&app.today()) {
        return Err(Error::invalid("invalid_year", "年度应为已开始的年份").field("year"));
    }
    font(app)?;
    let county = region.county_key();
    let deputies: Vec<Deputy> = org::deputies_under(&app.db, region.as_str(), false)
        .await?
        .into_iter()
        .filter(|d| d.data.county_code == county)
        .collect();
    if deputies.is_empty() {
        return Err(Error::invalid("no_deputies", "该地区没有在任代表").field("region"));
    }
    let now = app.now_ms();
    let mut tx = app.db.begin().await?;
    let id = liaison_store::points::new_archive(
        &mut tx,
        &county,
        region.as_str(),
        year,
        deputies.len() as i64,
        &principal.actor(),
        now,
    )
    .await?;
    let ev = liaison_domain::audit::AuditEvent {
        county_code: county.clone(),
        actor: principal.actor(),
        action: "duty_report.archive".into(),
        target: format!("report_archive:{id}"),
        summary: format!("生成 {year} 年度履职报告压缩包（{} 名代表）", deputies.len()),
    };
    liaison_store::audit::append(&mut tx, &ev, now).await?;
    tx.commit().await?;
    let job = app.clone();
    tokio::spawn(async move {
        if let Err(e) = write_archive(&job, id, &county, year, deputies).await {
            tracing::warn!(archive = id, error = %e, "report archive failed");
            let _ = liaison_store::points::archive_progress(&job.db, id, 0, "failed", "生成失败，请重试", job.now_ms())
                .await;
        }
    });
    Ok(id)
}

async fn write_archive(app: &App, id: i64, county: &str, year: i32, deputies: Vec<Deputy>) -> Result<()> {
    use std::io::Write;
    let names = region_names(app, county).await?;
    let path = archive_path(app, id);
    std::fs::create_dir_all(path.parent().unwrap_or(&app.config.data_dir)).map_err(Error::internal)?;
    let partial = path.with_extension("part");
    let file = std::fs::File::create(&partial).map_err(Error::internal)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored: zip::write::SimpleFileOptions =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut done = 0;
    for d in deputies {
        let township = crate::points::township_of(&d.data.region_code);
        let folder = names.get(township).cloned().unwrap_or_else(|| "县级".into());
        let name = format!("{folder}/{}-{}.pdf", d.data.name, d.data.slug);
        let report = build(app, d, year).await?;
        let bytes = pdf_off_thread(app, &report).await?;
        zip.start_file(name, stored).map_err(Error::internal)?;
        zip.write_all(&bytes).map_err(Error::internal)?;
        done += 1;
        liaison_store::points::archive_progress(&app.db, id, done, "running", "", app.now_ms()).await?;
    }
    zip.finish().map_err(Error::internal)?.flush().map_err(Error::internal)?;
    std::fs::rename(&partial, &path).map_err(Error::internal)?;
    liaison_store::points::archive_progress(&app.db, id, done, "done", "", app.now_ms()).await?;
    Ok(())
}

/// An archive, for whoever may read its region.
pub async fn archive(app: &App, principal: &Principal, id: i64) -> Result<Archive> {
    use liaison_domain::authz::{Action, Target};
    let r = liaison_store::points::archive(&app.db, id).await?.ok_or(Error::NotFound)?;
    let region = liaison_domain::region::RegionCode::parse(&r.region_code).map_err(Error::internal)?;
    crate::check(principal, Action::OrgRead, Target::Region(&region))?;
    Ok(archive_of(app, r))
}

/// The latest archives of `region`, for whoever may read it.
pub async fn archives(
    app: &App,
    principal: &Principal,
    region: &liaison_domain::region::RegionCode,
) -> Result<Vec<Archive>> {
    use liaison_domain::authz::{Action, Target};
    crate::check(principal, Action::OrgRead, Target::Region(region))?;
    Ok(liaison_store::points::archives(&app.db, &region.county_key(), region.as_str())
        .await?
        .into_iter()
        .map(|r| archive_of(app, r))
        .collect())
}

/// A finished archive's bytes.
pub async fn archive_file(app: &App, principal: &Principal, id: i64) -> Result<Vec<u8>> {
    let a = archive(app, principal, id).await?;
    if a.status != "done" {
        return Err(Error::conflict("not_ready", "压缩包尚未生成完成"));
    }
    std::fs::read(archive_path(app, id)).map_err(Error::internal)
}

/// Rankings of `region`'s deputies by `year`'s points, as xlsx: one sheet for all with the rank
/// within the township, then one sheet per level of deputy.
pub async fn rankings(app: &App, principal: &Principal, region: Option<&str>, year: i32) -> Result<Vec<u8>> {
    let (region, standing) = crate::points::standing(app, principal, region, year).await?;
    let names = region_names(app, &region.county_key()).await?;
    let mut all = standing.clone();
    all.sort_by(|a, b| b.points.cmp(&a.points).then(a.slug.cmp(&b.slug)));
    let rank = |list: &[&crate::points::Behind], i: usize| {
        // Equal points share a rank (1, 2, 2, 4).
        list.iter().position(|b| b.points == list[i].points).unwrap_or(i) + 1
    };
    let refs: Vec<&crate::points::Behind> = all.iter().collect();
    let targets = |b: &crate::points::Behind| {
        let met = b.progress.iter().filter(|p| p.met()).count();
        if b.progress.is_empty() { "未设目标".to_string() } else { format!("{met}/{}", b.progress.len()) }
    };
    let township_name = |b: &crate::points::Behind| {
        names.get(crate::points::township_of(&b.region_code)).cloned().unwrap_or_else(|| "县级".into())
    };
    let mut rows = Vec::new();
    for (i, b) in refs.iter().enumerate() {
        let same: Vec<&crate::points::Behind> =
            refs.iter().copied().filter(|o| township_name(o) == township_name(b)).collect();
        let j = same.iter().position(|o| o.slug == b.slug).unwrap_or(0);
        rows.push(vec![
            rank(&refs, i).to_string(),
            b.name.clone(),
            b.levels.clone(),
            township_name(b),
            rank(&same, j).to_string(),
            b.points.to_string(),
            targets(b),
        ]);
    }
    let mut sheets = vec![("全部代表".to_string(), rows)];
    for level in DeputyLevel::ALL {
        let of_level: Vec<&crate::points::Behind> =
            refs.iter().copied().filter(|b| b.levels.contains(level.label())).collect();
        if of_level.is_empty() {
            continue;
        }
        let rows = of_level
            .iter()
            .enumerate()
            .map(|(i, b)| {
                vec![rank(&of_level, i).to_string(), b.name.clone(), township_name(b), b.points.to_string(), targets(b)]
            })
            .collect();
        sheets.push((level.label().to_string(), rows));
    }
    let out: Vec<liaison_sheets::SheetOut<'_>> = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, rows))| liaison_sheets::SheetOut {
            name,
            headers: if i == 0 {
                &["排名", "姓名", "代表层级", "乡镇（街道）", "乡镇内排名", "积分", "目标完成"]
            } else {
                &["排名", "姓名", "乡镇（街道）", "积分", "目标完成"]
            },
            rows,
        })
        .collect();
    liaison_sheets::write_xlsx(&out).map_err(Error::internal)
}
