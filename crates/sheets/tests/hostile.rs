//! Hostile workbooks: cells scattered over absurd ranges, records that calamine keeps in memory,
//! references whose arithmetic overflows. Each is read in a child process whose peak memory is
//! measured, so a regression fails here instead of taking the machine down.

use liaison_sheets::{MAX_COLUMNS, MAX_ROWS, ReadError, read};
use std::io::{Cursor, Write};
use std::process::Command;

/// Peak resident memory a read may add, in kB; the issue saw 4.3 GB, 23 GB and 550 GB.
const PEAK_GROWTH_LIMIT_KB: u64 = 100 * 1024;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const WORKSHEET: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";

fn zip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(body).unwrap();
    }
    z.finish().unwrap();
    buf.into_inner()
}

/// A workbook written by hand, so that it can declare anything: `sheets` are (name, part number),
/// several names may share a part; `parts` are the worksheets' XML; `extra` any other part.
fn workbook(sheets: &[(&str, usize)], parts: &[String], extra: &[(&str, String)]) -> Vec<u8> {
    let list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, part))| format!(r#"<sheet name="{name}" sheetId="{}" r:id="rId{part}"/>"#, i + 1))
        .collect();
    let rels: String = (1..=parts.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="{WORKSHEET}" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    let mut all = vec![
        ("_rels/.rels".to_owned(), RELS.as_bytes().to_vec()),
        ("xl/workbook.xml".to_owned(), format!("<workbook {NS}><sheets>{list}</sheets></workbook>").into_bytes()),
        (
            "xl/_rels/workbook.xml.rels".to_owned(),
            format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#)
                .into_bytes(),
        ),
    ];
    for (i, xml) in parts.iter().enumerate() {
        all.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone().into_bytes()));
    }
    for (name, body) in extra {
        all.push(((*name).to_owned(), body.clone().into_bytes()));
    }
    zip(&all)
}

/// A worksheet part declaring `dimension`, holding `cells` as (reference, inline XML of the cell).
fn sheet(dimension: &str, cells: &str) -> String {
    format!(r#"<worksheet {NS}><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>"#)
}

fn text(r: &str, t: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#)
}

/// The issue's file: one cell at A1 and one at XFD1048576, written by Excel's own rules.
fn far_corner_by_xlsxwriter() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(1_048_575, 16_383, "远").unwrap();
    book.save_to_buffer().unwrap()
}

/// Two sheets whose relationships name one part in two spellings, as calamine finds it.
fn aliased_by_path() -> Vec<u8> {
    let rows = (1..=10_000).map(|i| format!(r#"<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>"#)).collect::<String>();
    let rels = format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{WORKSHEET}" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{WORKSHEET}" Target="/xl/WORKSHEETS/Sheet1.XML"/></Relationships>"#
    );
    zip(&[
        ("_rels/.rels".to_owned(), RELS.as_bytes().to_vec()),
        (
            "xl/workbook.xml".to_owned(),
            format!(r#"<workbook {NS}><sheets><sheet name="甲" sheetId="1" r:id="rId1"/><sheet name="乙" sheetId="2" r:id="rId2"/></sheets></workbook>"#)
                .into_bytes(),
        ),
        ("xl/_rels/workbook.xml.rels".to_owned(), rels.into_bytes()),
        ("xl/worksheets/sheet1.xml".to_owned(), sheet("A1:A10000", &rows).into_bytes()),
    ])
}

/// Every hostile case: its name, the file, and what reading it must give.
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let far = format!("{}{}", text("A1", "姓名"), text("XFD1048576", "远"));
    let zz = format!("{}{}", text("A1", "姓名"), text("ZZ200000", "远"));
    let declared = format!("{}{}", text("A1", "姓名"), text("A2", "王芳"));
    let sparse = format!("{}{}", text("A1", "名称"), text("BL10001", "远"));
    let one = text("A1", "名称");
    let shared = |n: usize| -> String {
        (1..=n).map(|i| format!(r#"<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>"#)).collect::<String>()
    };
    // 10,001 rows of one cell each, and one cell in the 64th column: 640,064 cells once laid out.
    let wide = {
        let mut s = String::new();
        for i in 1..=MAX_ROWS + 1 {
            s.push_str(&format!(r#"<row r="{i}"><c r="A{i}"><v>{i}</v></c>"#));
            if i == 1 {
                s.push_str(r#"<c r="BL1"><v>1</v></c>"#);
            }
            s.push_str("</row>");
        }
        sheet("A1:BL10001", &s)
    };
    let big_string = "长".repeat(400_000);
    vec![
        ("far_corner_xlsxwriter", far_corner_by_xlsxwriter(), "表格范围过大：单元格 XFD1048576"),
        (
            "far_corner",
            workbook(&[("名册", 1)], &[sheet("A1:XFD1048576", &far)], &[]),
            "表格范围过大：单元格 XFD1048576",
        ),
        ("zz200000", workbook(&[("名册", 1)], &[sheet("A1:ZZ200000", &zz)], &[]), "表格范围过大：单元格 ZZ200000"),
        // The declared dimension is only a claim: two real cells make a table of two cells.
        ("declared_only", workbook(&[("名册", 1)], &[sheet("A1:XFD1048576", &declared)], &[]), "ok 名册 1x1"),
        // Far apart but within the limits: read sparsely, laid out at full width.
        ("sparse_within_limits", workbook(&[("名册", 1)], &[sheet("A1:BL10001", &sparse)], &[]), "ok 名册 1x64"),
        (
            "unique_count",
            workbook(
                &[("名册", 1)],
                &[sheet("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#)],
                &[(
                    "xl/sharedStrings.xml",
                    format!(r#"<sst {NS} uniqueCount="100000000000"><si><t>名称</t></si></sst>"#),
                )],
            ),
            "共享字符串数量过多",
        ),
        (
            "styles",
            workbook(
                &[("名册", 1)],
                &[sheet("A1", &one)],
                &[(
                    "xl/styles.xml",
                    format!("<styleSheet {NS}><cellXfs>{}</cellXfs></styleSheet>", "<xf/>".repeat(2_000_000)),
                )],
            ),
            "样式数量过多",
        ),
        (
            "shared_string_fanout",
            workbook(
                &[("名册", 1)],
                &[sheet("A1:A100", &shared(100))],
                &[("xl/sharedStrings.xml", format!(r#"<sst {NS}><si><t>{big_string}</t></si></sst>"#))],
            ),
            "表格内容过多",
        ),
        (
            "wide_sheets",
            workbook(
                &[("一", 1), ("二", 2), ("三", 3), ("四", 4)],
                &[wide.clone(), wide.clone(), wide.clone(), wide],
                &[],
            ),
            "表格内容过多",
        ),
        (
            "aliased_sheets",
            workbook(
                &[("甲", 1), ("乙", 1), ("丙", 1), ("丁", 1), ("戊", 1)],
                &[sheet("A1:A10000", &shared(10_000))],
                &[("xl/sharedStrings.xml", format!(r#"<sst {NS}><si><t>x</t></si></sst>"#))],
            ),
            "多个工作表指向同一份数据",
        ),
        ("aliased_by_path", aliased_by_path(), "多个工作表指向同一份数据"),
        ("backwards_dimension", workbook(&[("名册", 1)], &[sheet("B2:A1", &one)], &[]), "单元格位置“B2:A1”无效"),
        (
            "overflowing_reference",
            workbook(&[("名册", 1)], &[sheet("A1", &text("A99999999999", "x"))], &[]),
            "单元格位置“A99999999999”无效",
        ),
        (
            "shared_formula_index",
            workbook(
                &[("名册", 1)],
                &[sheet(
                    "A1:B3",
                    &format!(
                        r#"<row r="1">{}{}</row><row r="2"><c r="A2"><v>1</v></c><c r="B2"><f t="shared" si="4000000000" ref="B2:B3">A2+1</f><v>2</v></c></row><row r="3"><c r="A3"><v>2</v></c><c r="B3"><f t="shared" si="4000000000"/><v>3</v></c></row>"#,
                        text("A1", "甲"),
                        text("B1", "乙")
                    ),
                )],
                &[],
            ),
            "ok 名册 2x2 formulas 2",
        ),
    ]
}

/// What a child prints for a read: the refusal in Chinese, or the tables' shapes.
fn outcome(r: Result<Vec<liaison_sheets::Table>, ReadError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(tables) => tables
            .iter()
            .map(|t| {
                let width = t.rows.first().map_or(t.headers.len(), |r| r.cells.len());
                let formulas = t.rows.iter().flat_map(|r| &r.cells).filter(|c| c.formula).count();
                let f = if formulas > 0 { format!(" formulas {formulas}") } else { String::new() };
                format!("ok {} {}x{}{f}", t.sheet, t.rows.len(), width)
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Runs in a child only: reads the file it is given and reports the outcome and its peak memory.
#[test]
fn child_reads_one_file() {
    let Ok(path) = std::env::var("LIAISON_SHEETS_HOSTILE_FILE") else { return };
    let bytes = std::fs::read(path).unwrap();
    let before = peak_kb();
    let result = outcome(read(&bytes));
    println!("OUTCOME {result}");
    println!("PEAK_KB {before} {}", peak_kb());
}

#[test]
fn hostile_workbooks_are_refused_or_read_in_little_memory() {
    let exe = std::env::current_exe().unwrap();
    let dir = std::env::temp_dir().join(format!("liaison-sheets-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for (name, bytes, expected) in cases() {
        assert!(bytes.len() < 1024 * 1024, "{name}: the hostile file itself is small ({} bytes)", bytes.len());
        let path = dir.join(format!("{name}.xlsx"));
        std::fs::write(&path, &bytes).unwrap();
        // Address space capped at 4 GB: a regression aborts the child, not the machine.
        let out = Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -v 4194304 && exec "$0" "$@""#)
            .arg(&exe)
            .args(["--exact", "child_reads_one_file", "--nocapture", "--test-threads=1"])
            .env("LIAISON_SHEETS_HOSTILE_FILE", &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        // libtest prints the test's name on the same line as the child's first words.
        let line = |tag: &str| stdout.lines().find_map(|l| l.split_once(tag)).map(|(_, rest)| rest.to_owned());
        let (Some(got), Some(peak)) = (line("OUTCOME "), line("PEAK_KB ")) else {
            failures.push(format!("{name}: the child died ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
            continue;
        };
        let peak: Vec<u64> = peak.split(' ').map(|n| n.parse().unwrap()).collect();
        let growth = peak[1].saturating_sub(peak[0]);
        eprintln!("{name:>24}: {:>7} bytes, peak {:>7} kB (+{growth} kB): {got}", bytes.len(), peak[1]);
        if !got.starts_with(expected) && !got.contains(expected) {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
        if growth > PEAK_GROWTH_LIMIT_KB {
            failures.push(format!("{name}: peak memory grew by {growth} kB"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn refusals_name_the_far_cell_in_chinese() {
    let e = read(&far_corner_by_xlsxwriter()).unwrap_err();
    assert_eq!(e, ReadError::RangeTooLarge { sheet: "Sheet1".into(), cell: "XFD1048576".into() });
    assert_eq!(
        e.to_string(),
        format!(
            "工作表“Sheet1”的表格范围过大：单元格 XFD1048576 超出了上限（表头下最多 {MAX_ROWS} 行、最多 {MAX_COLUMNS} 列），请删除多余的行、列或单元格后重新上传"
        )
    );
}

#[test]
fn a_sparse_sheet_within_the_limits_is_read_as_excel_shows_it() {
    let cells = format!("{}{}{}", text("C5", "名称"), text("D7", "仁和站"), text("E9", " "));
    let t = &read(&workbook(&[("联络站", 1)], &[sheet("A1:XFD1048576", &cells)], &[])).unwrap()[0];
    // The table starts at its first filled cell; blank rows are skipped; numbers are the sheet's.
    assert_eq!(t.headers, vec!["名称", "", ""]);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].number, 7);
    assert_eq!(t.rows[0].cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["", "仁和站", ""]);
}

#[test]
fn the_largest_honest_range_is_accepted_and_one_more_row_or_column_is_not() {
    let edge =
        |far: &str| workbook(&[("名册", 1)], &[sheet("A1", &format!("{}{}", text("B2", "名称"), text(far, "x")))], &[]);
    // B2 to BM10002: 10,001 rows (a header and MAX_ROWS), 64 columns.
    let t = &read(&edge("BM10002")).unwrap()[0];
    assert_eq!((t.headers.len(), t.rows.len(), t.rows[0].number), (MAX_COLUMNS, 1, 10_002));
    assert!(matches!(read(&edge("BM10003")), Err(ReadError::RangeTooLarge { cell, .. }) if cell == "BM10003"));
    assert!(matches!(read(&edge("BN10002")), Err(ReadError::RangeTooLarge { cell, .. }) if cell == "BN10002"));
}

#[test]
fn formulas_are_flagged_where_they_stand() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "名称").unwrap();
    ws.write_string(0, 1, "电话").unwrap();
    ws.write_string(1, 0, "仁和站").unwrap();
    ws.write_formula(1, 1, "=HYPERLINK(\"http://x\")").unwrap();
    ws.write_string(2, 0, "乾佑站").unwrap();
    ws.write_number(2, 1, 13_812_345_678.0).unwrap();
    let t = &read(&book.save_to_buffer().unwrap()).unwrap()[0];
    assert!(!t.rows[0].cells[0].formula);
    assert!(t.rows[0].cells[1].formula);
    assert_eq!(t.rows[1].cells[1].text, "13812345678");
    assert!(!t.rows[1].cells[1].formula);
}

#[test]
fn a_csv_line_longer_than_the_header_is_refused() {
    let line = vec!["x"; MAX_COLUMNS + 1].join(",");
    assert!(matches!(read(format!("名称\n{line}\n").as_bytes()), Err(ReadError::TooManyColumns { .. })));
}

/// Writes the hostile workbooks that are small enough to mutate into the fuzzers' seeds:
/// `cargo test -p liaison-sheets --test hostile -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes files under fuzz/seeds"]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/sheets");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, _) in cases() {
        if bytes.len() <= 64 * 1024 {
            std::fs::write(dir.join(format!("{name}.xlsx")), bytes).unwrap();
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn reference(row: u32, col: u32) -> String {
        let mut letters = String::new();
        let mut n = col + 1;
        while n > 0 {
            letters.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
            n = (n - 1) / 26;
        }
        format!("{letters}{}", row + 1)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// A few cells anywhere near the limits: the table spans exactly their range, laid out as
        /// Excel shows it, or the read is refused; whatever range the sheet declares.
        #[test]
        fn scattered_cells_make_their_own_table_or_a_refusal(
            cells in proptest::collection::vec((0u32..12_000, 0u32..80), 1..6),
        ) {
            let xml: String = cells
                .iter()
                .enumerate()
                .map(|(i, (r, c))| format!(r#"<row r="{}">{}</row>"#, r + 1, text(&reference(*r, *c), &format!("v{i}"))))
                .collect();
            let result = read(&workbook(&[("名册", 1)], &[sheet("A1:XFD1048576", &xml)], &[]));
            let (r0, r1) = (cells.iter().map(|c| c.0).min().unwrap(), cells.iter().map(|c| c.0).max().unwrap());
            let (c0, c1) = (cells.iter().map(|c| c.1).min().unwrap(), cells.iter().map(|c| c.1).max().unwrap());
            if (r1 - r0) as usize > MAX_ROWS || (c1 - c0) as usize >= MAX_COLUMNS {
                prop_assert!(matches!(result, Err(ReadError::RangeTooLarge { .. })), "{result:?}");
                return Ok(());
            }
            let t = &result.unwrap()[0];
            let width = (c1 - c0 + 1) as usize;
            // A later cell at the same place wins.
            let mut grid = std::collections::BTreeMap::new();
            for (i, (r, c)) in cells.iter().enumerate() {
                grid.insert((*r, *c), format!("v{i}"));
            }
            let mut headers = vec![String::new(); width];
            let mut rows: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
            for ((r, c), v) in grid {
                let slot = if r == r0 { &mut headers } else { rows.entry(r).or_insert_with(|| vec![String::new(); width]) };
                slot[(c - c0) as usize] = v;
            }
            prop_assert_eq!(&t.headers, &headers);
            let got: Vec<(usize, Vec<String>)> =
                t.rows.iter().map(|r| (r.number, r.cells.iter().map(|c| c.text.clone()).collect())).collect();
            let want: Vec<(usize, Vec<String>)> = rows.into_iter().map(|(r, v)| (r as usize + 1, v)).collect();
            prop_assert_eq!(got, want);
        }
    }
}
