//! Parsing a sheet's rows into records: headers mapped to columns, each cell checked, an error
//! per bad cell in Chinese.

use super::*;
use crate::Invalid;
use crate::org::{
    AgencyKind, Gender, HouseholdKind, StationKind, parse_levels, parse_optional, parse_required, split_list,
};
use crate::phone::PhoneNumber;

/// Maps each column key to its index in the table, or reports the header problems.
fn map_headers(
    kind: RosterKind,
    sheet: &str,
    headers: &[String],
) -> Result<Vec<(&'static str, usize)>, Vec<CellError>> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let err = |column: &str, reason: String| CellError::new(sheet, 1, column, reason);
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() || IGNORED_HEADERS.contains(&h) {
            continue;
        }
        match kind.columns().iter().find(|c| c.header == h || c.key == h || c.aliases.contains(&h)) {
            Some(c) if found.iter().any(|(k, _)| *k == c.key) => errors.push(err(h, format!("列“{}”重复", c.header))),
            Some(c) => found.push((c.key, i)),
            None => errors
                .push(err(h, format!("无法识别的列“{h}”；{}表的列为：{}", kind.label(), kind.headers().join("、")))),
        }
    }
    for c in kind.columns().iter().filter(|c| c.required) {
        if !found.iter().any(|(k, _)| *k == c.key) {
            errors.push(err(c.header, format!("缺少必填列“{}”", c.header)));
        }
    }
    if errors.is_empty() { Ok(found) } else { Err(errors) }
}

/// Reads one row's cells by column key, collecting errors.
struct RowReader<'a> {
    sheet: &'a str,
    kind: RosterKind,
    row: &'a RawRow,
    map: &'a [(&'static str, usize)],
    errors: Vec<CellError>,
}

impl<'a> RowReader<'a> {
    fn header(&self, key: &str) -> &'static str {
        self.kind.columns().iter().find(|c| c.key == key).map(|c| c.header).unwrap_or("")
    }

    fn raw(&mut self, key: &str) -> &'a str {
        let Some((_, idx)) = self.map.iter().find(|(k, _)| *k == key) else { return "" };
        match self.row.cells.get(*idx) {
            Some(c) if c.formula => {
                self.fail(key, "单元格不能包含公式，请粘贴为数值后再导入".into());
                ""
            }
            Some(c) if crate::text::find_control(&c.text, crate::text::Lines::Many).is_some() => {
                self.fail(key, "单元格含有不可见的控制字符，请删除后再导入".into());
                ""
            }
            Some(c) => c.text.as_str(),
            None => "",
        }
    }

    fn fail(&mut self, key: &str, reason: String) {
        let column = self.header(key);
        self.errors.push(CellError::new(self.sheet, self.row.number, column, reason));
    }

    fn take<T>(&mut self, key: &str, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(key, e.message);
                None
            }
        }
    }

    fn required(&mut self, key: &'static str, max: usize) -> Option<String> {
        let raw = self.raw(key);
        let label = self.header(key);
        self.take(key, parse_required(key, label, raw, max))
    }

    fn optional(&mut self, key: &'static str, max: usize) -> Option<String> {
        let raw = self.raw(key);
        let label = self.header(key);
        self.take(key, parse_optional(key, label, raw, max))
    }

    fn slug(&mut self) -> Option<Option<String>> {
        let raw = self.raw("slug").trim();
        if raw.is_empty() {
            return Some(None);
        }
        self.take("slug", crate::authz::parse_slug(raw)).map(Some)
    }

    fn phone(&mut self, key: &'static str) -> Option<Option<PhoneNumber>> {
        let raw = self.raw(key).trim();
        if raw.is_empty() {
            return Some(None);
        }
        self.take(key, PhoneNumber::parse(raw)).map(Some)
    }

    fn parsed<T>(&mut self, key: &'static str, f: impl Fn(&str) -> Result<T, Invalid>) -> Option<T> {
        let raw = self.raw(key);
        if raw.trim().is_empty() {
            let label = self.header(key);
            self.fail(key, format!("{label}不能为空"));
            return None;
        }
        self.take(key, f(raw))
    }
}

/// Parses every row of a table of `kind`. Either all rows parse, or every error is returned.
pub fn parse(kind: RosterKind, sheet: &str, headers: &[String], rows: &[RawRow]) -> Result<Records, Vec<CellError>> {
    let map = map_headers(kind, sheet, headers)?;
    let mut errors = Vec::new();
    let mut records = match kind {
        RosterKind::Stations => Records::Stations(vec![]),
        RosterKind::Deputies => Records::Deputies(vec![]),
        RosterKind::Agencies => Records::Agencies(vec![]),
        RosterKind::Grid => Records::Grid(vec![]),
    };
    for row in rows {
        let mut r = RowReader { sheet, kind, row, map: &map, errors: vec![] };
        match &mut records {
            Records::Stations(out) => {
                let rec = (|| {
                    let slug = r.slug();
                    let region = r.required("region", 40);
                    let name = r.required("name", 60);
                    let kind = r.parsed("kind", StationKind::parse);
                    let sector = r.optional("sector", 30);
                    let hk_raw = r.raw("household_kind").trim();
                    let household_kind = if hk_raw.is_empty() {
                        Some(None)
                    } else {
                        r.take("household_kind", HouseholdKind::parse(hk_raw)).map(Some)
                    };
                    let parent = r.optional("parent", 60);
                    let address = r.optional("address", 120);
                    let opening_hours = r.optional("opening_hours", 120);
                    let phone = r.phone("phone");
                    let description = r.optional("description", 1000);
                    let kind = kind?;
                    let household_kind = household_kind?;
                    if kind == StationKind::Household && household_kind.is_none() {
                        r.fail("household_kind", "代表中心户须注明中心户类型（联络、行业或产业）".into());
                    }
                    if kind != StationKind::Household && household_kind.is_some() {
                        r.fail("household_kind", "只有代表中心户可以填写中心户类型".into());
                    }
                    let sector = sector?;
                    if kind == StationKind::Sector && sector.is_empty() {
                        r.fail("sector", "专业联络站须注明行业".into());
                    }
                    Some(StationRecord {
                        row: row.number,
                        slug: slug?,
                        region: region?,
                        name: name?,
                        kind,
                        sector,
                        household_kind,
                        parent: Some(parent?).filter(|p| !p.is_empty()),
                        address: address?,
                        opening_hours: opening_hours?,
                        phone: phone?,
                        description: description?,
                    })
                })();
                if let Some(rec) = rec.filter(|_| r.errors.is_empty()) {
                    out.push(rec);
                }
            }
            Records::Deputies(out) => {
                let rec = (|| {
                    let slug = r.slug();
                    let name = r.required("name", 20);
                    let gender = r.parsed("gender", Gender::parse);
                    let levels = r.parsed("levels", parse_levels);
                    let term = r.optional("term", 20);
                    let region = r.required("region", 40);
                    let constituency = r.optional("constituency", 60);
                    let occupation = r.optional("occupation", 60);
                    let duties = r.optional("duties", 200);
                    let phone = r.phone("phone");
                    let stations_raw = r.raw("stations");
                    let stations = split_list(stations_raw)
                        .map(|s| {
                            let resident = s.ends_with("（驻站）") || s.ends_with("(驻站)") || s.ends_with('*');
                            let name =
                                s.trim_end_matches("（驻站）").trim_end_matches("(驻站)").trim_end_matches('*').trim();
                            (name.to_owned(), resident)
                        })
                        .collect();
                    Some(DeputyRecord {
                        row: row.number,
                        slug: slug?,
                        name: name?,
                        gender: gender?,
                        levels: levels?,
                        term: term?,
                        region: region?,
                        constituency: constituency?,
                        occupation: occupation?,
                        duties: duties?,
                        phone: phone?,
                        stations,
                    })
                })();
                if let Some(rec) = rec.filter(|_| r.errors.is_empty()) {
                    out.push(rec);
                }
            }
            Records::Agencies(out) => {
                let rec = (|| {
                    let slug = r.slug();
                    let region = r.required("region", 40);
                    let name = r.required("name", 60);
                    let kind = r.parsed("kind", AgencyKind::parse);
                    let phone = r.phone("phone");
                    Some(AgencyRecord {
                        row: row.number,
                        slug: slug?,
                        region: region?,
                        name: name?,
                        kind: kind?,
                        phone: phone?,
                    })
                })();
                if let Some(rec) = rec.filter(|_| r.errors.is_empty()) {
                    out.push(rec);
                }
            }
            Records::Grid(out) => {
                let rec = (|| {
                    let region = r.required("region", 40);
                    let code = r.required("code", 30);
                    let name = r.required("name", 60);
                    let level = r.parsed("level", parse_grid_level);
                    let parent = r.optional("parent", 30);
                    let deputies = split_list(r.raw("deputies")).map(str::to_owned).collect();
                    let worker = r.optional("worker", 20);
                    let worker_phone = r.phone("worker_phone");
                    let level = level?;
                    let parent = Some(parent?).filter(|p| !p.is_empty());
                    if level == 1 && parent.is_some() {
                        r.fail("parent", "一级网格没有上级网格".into());
                    }
                    if level > 1 && parent.is_none() {
                        r.fail("parent", "二级及以下网格须填写上级网格编号".into());
                    }
                    Some(GridRecord {
                        row: row.number,
                        region: region?,
                        code: code?,
                        name: name?,
                        level,
                        parent,
                        deputies,
                        worker: worker?,
                        worker_phone: worker_phone?,
                    })
                })();
                if let Some(rec) = rec.filter(|_| r.errors.is_empty()) {
                    out.push(rec);
                }
            }
        }
        errors.append(&mut r.errors);
    }
    if errors.is_empty() { Ok(records) } else { Err(errors) }
}

/// 1 to 4, written as a digit or as 一级…四级.
pub fn parse_grid_level(raw: &str) -> Result<i64, Invalid> {
    let s = raw.trim().trim_end_matches("级网格").trim_end_matches('级');
    let n = match s {
        "1" | "一" => 1,
        "2" | "二" => 2,
        "3" | "三" => 3,
        "4" | "四" => 4,
        _ => return Err(Invalid::new("level", "invalid_grid_level", "网格层级应为 1 到 4（或一级至四级）")),
    };
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: usize, cells: &[&str]) -> RawRow {
        RawRow { number, cells: cells.iter().map(|t| RawCell { text: (*t).to_owned(), formula: false }).collect() }
    }

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_a_clerks_deputy_sheet() {
        let h = headers(&["序号", "姓名", "性别", "代表层级", "所属乡镇（街道）", "联系电话", "所在联络站"]);
        let rows = [row(
            2,
            &[
                "1",
                "王芳",
                "女",
                "县级、乡镇级",
                "乾佑街道",
                "13812345678",
                "仁和社区代表联络站（驻站）、乾佑街道代表之家",
            ],
        )];
        let Records::Deputies(d) = parse(RosterKind::Deputies, "代表", &h, &rows).unwrap() else { panic!() };
        assert_eq!(d[0].levels, vec![DeputyLevel::County, DeputyLevel::Township]);
        assert_eq!(d[0].stations, vec![("仁和社区代表联络站".into(), true), ("乾佑街道代表之家".into(), false)]);
        assert_eq!(d[0].phone.as_ref().unwrap().as_str(), "13812345678");
    }

    #[test]
    fn reports_every_bad_cell_with_its_row_and_column() {
        let h = headers(&["姓名", "性别", "代表层级", "所属乡镇", "联系电话"]);
        let rows =
            [row(2, &["王芳", "未知", "县级", "乾佑街道", "12345"]), row(3, &["", "男", "村级", "乾佑街道", ""])];
        let errs = parse(RosterKind::Deputies, "代表", &h, &rows).unwrap_err();
        let at: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(at, vec![(2, "性别"), (2, "联系电话"), (3, "姓名"), (3, "代表层级")]);
        assert!(errs.iter().all(|e| !e.reason.is_ascii()));
    }

    #[test]
    fn refuses_wrong_columns() {
        let errs = parse(RosterKind::Stations, "联络站", &headers(&["站点名称", "颜色"]), &[]).unwrap_err();
        assert!(errs.iter().any(|e| e.reason.contains("无法识别的列“颜色”")));
        assert!(errs.iter().any(|e| e.reason.contains("缺少必填列“所属区划”")));
        assert!(errs.iter().any(|e| e.reason.contains("缺少必填列“类型”")));
    }

    #[test]
    fn refuses_formulas() {
        let h = headers(&["单位名称", "单位类型", "所属区划"]);
        let mut r = row(2, &["=cmd()", "部门", "611026"]);
        r.cells[0].formula = true;
        let errs = parse(RosterKind::Agencies, "承办单位", &h, &[r]).unwrap_err();
        assert!(errs[0].reason.contains("公式"));
    }

    #[test]
    fn household_stations_need_their_kind() {
        let h = headers(&["站点名称", "类型", "所属区划", "中心户类型"]);
        let errs =
            parse(RosterKind::Stations, "联络站", &h, &[row(2, &["张家", "代表中心户", "611026001", ""])]).unwrap_err();
        assert_eq!(errs[0].column, "中心户类型");
        assert!(
            parse(RosterKind::Stations, "联络站", &h, &[row(2, &["张家", "代表中心户", "611026001", "产业中心户"])])
                .is_ok()
        );
    }

    #[test]
    fn detects_kinds() {
        assert_eq!(detect("Sheet1", &headers(&["姓名", "性别"])), Some(RosterKind::Deputies));
        assert_eq!(detect("联络站名册", &headers(&[])), Some(RosterKind::Stations));
        assert_eq!(detect("x", &headers(&["a"])), None);
    }
}
