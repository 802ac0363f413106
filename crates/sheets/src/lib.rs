//! Spreadsheets in and out. Reading turns an .xlsx workbook or a CSV file (UTF-8 or the GBK /
//! GB18030 that Excel in China writes) into plain tables of text, refusing hostile files before
//! they cost memory: oversized uploads, zip bombs, too many rows, cells scattered over an absurd
//! range (sheets are streamed, never materialised as declared), undecodable text. Formula cells
//! are flagged so the importer can refuse them. Writing produces .xlsx or CSV (UTF-8 with BOM, so
//! Excel opens it correctly) with every cell that a spreadsheet would run as a formula neutralised.

mod xlsx;

use calamine::Data;
pub use xlsx::{MAX_LINKS, MAX_SHARED_STRINGS, MAX_SHEETS, MAX_STYLE_RECORDS};

/// The largest file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most decompressed bytes an .xlsx may expand to, over all its parts.
pub const MAX_UNZIPPED_BYTES: u64 = 100 * 1024 * 1024;
/// Rows per sheet, header excluded.
pub const MAX_ROWS: usize = 10_000;
/// Columns per sheet.
pub const MAX_COLUMNS: usize = 64;
/// Cells kept over all sheets of a workbook: every row kept costs its full width.
pub const MAX_CELLS: usize = 2_000_000;
/// Bytes of cell text kept over all sheets of a workbook (one shared string may fill many cells).
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    /// The cell holds a formula (in .xlsx), or its text starts like one (in CSV).
    pub formula: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's number as the spreadsheet shows it (the header is row 1).
    pub number: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// Why a file was refused; `Display` is the Chinese message shown to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("文件为空")]
    Empty,
    #[error("文件过大（不能超过 {} MB）", MAX_FILE_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("压缩内容异常（解压后过大），疑似压缩炸弹，已拒绝")]
    ZipBomb,
    #[error("工作表“{sheet}”行数过多（不能超过 {limit} 行）")]
    TooManyRows { sheet: String, limit: usize },
    #[error("工作表“{sheet}”列数过多（不能超过 {limit} 列）")]
    TooManyColumns { sheet: String, limit: usize },
    /// A cell far from the others (`A1` and `XFD1048576`) would make the table absurdly large.
    #[error(
        "工作表“{sheet}”的表格范围过大：单元格 {cell} 超出了上限（表头下最多 {} 行、最多 {} 列），请删除多余的行、列或单元格后重新上传",
        MAX_ROWS,
        MAX_COLUMNS
    )]
    RangeTooLarge { sheet: String, cell: String },
    #[error(
        "表格内容过多（所有工作表合计不能超过 {} 万个单元格、{} MB 文字），请拆分后分批导入",
        MAX_CELLS / 10_000,
        MAX_TEXT_BYTES / 1024 / 1024
    )]
    TooMuchContent,
    /// calamine keeps these records in memory when it opens a workbook.
    #[error("Excel 文件结构异常（{0}数量过多），已拒绝")]
    TooManyRecords(&'static str),
    #[error("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件")]
    Encoding,
    #[error("无法读取 Excel 文件：{0}")]
    Malformed(String),
    #[error("无法读取 CSV 文件：{0}")]
    Csv(String),
}

/// Reads every sheet of an .xlsx file, or the one table of a CSV file.
pub fn read(bytes: &[u8]) -> Result<Vec<Table>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    if bytes.starts_with(b"PK\x03\x04") { xlsx::read(bytes) } else { read_csv(bytes).map(|t| vec![t]) }
}

/// The text of a cell as a clerk typed it.
fn cell_text(d: Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s,
        // Phone numbers and codes typed into Excel arrive as numbers.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// UTF-8 (with or without BOM) when it is valid, else GB18030 (a superset of GBK), else refused.
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors || text.contains('\0') {
        return Err(ReadError::Encoding);
    }
    Ok(text.into_owned())
}

fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode(bytes)?;
    if text.contains('\0') {
        return Err(ReadError::Encoding);
    }
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(r) => r.map_err(|e| ReadError::Csv(e.to_string()))?.iter().map(|s| s.trim().to_owned()).collect(),
        None => return Err(ReadError::Empty),
    };
    if headers.len() > MAX_COLUMNS {
        return Err(ReadError::TooManyColumns { sheet: "CSV".into(), limit: MAX_COLUMNS });
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| ReadError::Csv(e.to_string()))?;
        // The reader skips blank lines and its position may point at them: count the lines
        // before the record's first character.
        let number = record.position().map(|p| line_of(text.as_bytes(), p.byte() as usize)).unwrap_or(rows.len() + 2);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(ReadError::TooManyRows { sheet: "CSV".into(), limit: MAX_ROWS });
        }
        // The reader is flexible: a line may hold more fields than the header.
        if record.len() > MAX_COLUMNS {
            return Err(ReadError::TooManyColumns { sheet: "CSV".into(), limit: MAX_COLUMNS });
        }
        rows.push(Row {
            number,
            cells: record.iter().map(|c| Cell { text: c.to_owned(), formula: looks_like_formula(c) }).collect(),
        });
    }
    Ok(Table { sheet: "CSV".into(), headers, rows })
}

fn line_of(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && (text[at] == b'\n' || text[at] == b'\r') {
        at += 1;
    }
    text[..at.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// Text a spreadsheet would evaluate: it starts with `=`, `+`, `-` or `@` (or a tab or carriage
/// return before one). A plain negative number or phone-like `+86…` is not worth refusing on
/// import, but is still neutralised on export.
pub fn looks_like_formula(s: &str) -> bool {
    let t = s.trim_start_matches(['\t', '\r', ' ']);
    match t.chars().next() {
        Some('=') | Some('@') => true,
        Some('+') | Some('-') => !t[1..].chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '.'),
        _ => false,
    }
}

/// Prefixes a cell that a spreadsheet would run as a formula with an apostrophe.
pub fn neutralise(s: &str) -> String {
    let quoted = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        // Spaces before a formula sign: some spreadsheets still run it.
        Some(' ') => looks_like_formula(s),
        _ => false,
    };
    if quoted { format!("'{s}") } else { s.to_owned() }
}

/// One sheet to write.
pub struct SheetOut<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<String>],
}

/// Writes sheets as .xlsx: bold headers, readable column widths, every cell text, neutralised.
pub fn write_xlsx(sheets: &[SheetOut<'_>]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(s.name).map_err(|e| e.to_string())?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold).map_err(|e| e.to_string())?;
            ws.set_column_width(c as u16, 16).map_err(|e| e.to_string())?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, neutralise(v)).map_err(|e| e.to_string())?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// A cell of a figures sheet: text, a count, or a share shown as a percentage (empty when there
/// is nothing to divide by).
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    Text(String),
    Count(i64),
    Share(Option<f64>),
}

/// A sheet of figures: counts and shares are written as numbers, so a spreadsheet can sum them.
pub struct FigureSheet<'a> {
    pub name: &'a str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Figure>>,
}

/// Writes sheets of figures as .xlsx: bold headers, text neutralised, counts as numbers, shares
/// as percentages with one decimal.
pub fn write_figures_xlsx(sheets: &[FigureSheet<'_>]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(s.name).map_err(|e| e.to_string())?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, neutralise(h), &bold).map_err(|e| e.to_string())?;
            ws.set_column_width(c as u16, if c == 0 { 24 } else { 12 }).map_err(|e| e.to_string())?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Figure::Text(t) => ws.write_string(r, c, neutralise(t)).map(|_| ()),
                    Figure::Count(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                    Figure::Share(Some(x)) => ws.write_number_with_format(r, c, *x, &percent).map(|_| ()),
                    Figure::Share(None) => Ok(()),
                }
                .map_err(|e| e.to_string())?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// Writes one table as CSV, UTF-8 with a BOM, neutralised.
pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(headers);
        for r in rows {
            let _ = w.write_record(r.iter().map(|v| neutralise(v)));
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn reads_gbk_csv() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,电话\n王芳,13812345678\n");
        let t = &read(&gbk).unwrap()[0];
        assert_eq!(t.headers, vec!["姓名", "电话"]);
        assert_eq!(t.rows[0].cells[0].text, "王芳");
        assert_eq!(t.rows[0].number, 2);
    }

    #[test]
    fn reads_utf8_with_bom_and_skips_blank_rows() {
        let t = &read("\u{feff}名称,地址\n\n仁和站,乾佑街道\n,\n".as_bytes()).unwrap()[0];
        assert_eq!(t.headers[0], "名称");
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].number, 3);
    }

    #[test]
    fn refuses_binary_and_oversized_input() {
        assert_eq!(read(&[0xff, 0xfe, 0x00, 0x41, 0x00]), Err(ReadError::Encoding));
        assert_eq!(read(&vec![b'a'; MAX_FILE_BYTES + 1]), Err(ReadError::TooLarge));
        assert_eq!(read(b""), Err(ReadError::Empty));
    }

    #[test]
    fn refuses_too_many_rows() {
        let mut s = String::from("名称\n");
        for i in 0..=MAX_ROWS {
            s.push_str(&format!("站{i}\n"));
        }
        assert!(matches!(read(s.as_bytes()), Err(ReadError::TooManyRows { .. })));
    }

    #[test]
    fn flags_formulas() {
        let t = &read("名称,备注\n=HYPERLINK(\"http://x\"),-12\n@SUM(A1),+86 138\n".as_bytes()).unwrap()[0];
        assert!(t.rows[0].cells[0].formula);
        assert!(!t.rows[0].cells[1].formula, "a negative number is data");
        assert!(t.rows[1].cells[0].formula);
        assert!(!t.rows[1].cells[1].formula);
    }

    #[test]
    fn xlsx_round_trip_neutralises() {
        let rows = vec![vec!["=1+1".to_owned(), "13812345678".to_owned()], vec!["仁和站".to_owned(), String::new()]];
        let bytes = write_xlsx(&[SheetOut { name: "联络站", headers: &["名称", "电话"], rows: &rows }]).unwrap();
        let t = &read(&bytes).unwrap()[0];
        assert_eq!(t.sheet, "联络站");
        assert_eq!(t.rows[0].cells[0].text, "'=1+1");
        assert!(!t.rows[0].cells[0].formula);
        assert_eq!(t.rows[1].cells[0].text, "仁和站");
        let csv = String::from_utf8(write_csv(&["名称"], &[vec!["@cmd".into()]])).unwrap();
        assert!(csv.contains("'@cmd"));
        // A formula behind spaces is neutralised too (found by the round-trip property).
        assert_eq!(neutralise(" =1+1"), "' =1+1");
        assert_eq!(neutralise(" 仁和"), " 仁和");
        assert_eq!(neutralise(" -12"), " -12");
    }

    #[test]
    fn refuses_a_zip_bomb() {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..=(MAX_UNZIPPED_BYTES / zeros.len() as u64) {
                z.write_all(&zeros).unwrap();
            }
            z.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < MAX_FILE_BYTES, "the bomb itself is small: {}", bytes.len());
        assert_eq!(read(&bytes), Err(ReadError::ZipBomb));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes: a table or a refusal, never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = read(&bytes);
        }

        /// Any cell text survives a CSV write and read, neutralised when it looks like a formula.
        #[test]
        fn cells_round_trip_through_csv(cell in "\\PC{0,40}") {
            let bytes = write_csv(&["名称"], &[vec![cell.clone(), "x".into()]]);
            let t = &read(&bytes).unwrap()[0];
            if cell.trim().is_empty() {
                return Ok(());
            }
            let back = &t.rows[0].cells[0].text;
            prop_assert_eq!(back, &neutralise(&cell));
            prop_assert!(!looks_like_formula(back) || back.starts_with('\''));
        }

        #[test]
        fn zip_like_garbage_is_refused_cleanly(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut bytes = b"PK\x03\x04".to_vec();
            bytes.extend(tail);
            prop_assert!(read(&bytes).is_err());
        }
    }
}
