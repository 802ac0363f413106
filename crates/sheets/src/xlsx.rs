//! Reading .xlsx workbooks without trusting anything they declare. A census of every part comes
//! first (bytes unzipped, records that calamine keeps in memory when it opens a workbook, cell
//! references it does arithmetic on); then each sheet is streamed cell by cell and only the cells
//! it really holds are kept, so a workbook with one cell at `A1` and one at `XFD1048576` costs
//! two cells, not the seventeen billion of its range.

use crate::{Cell, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES, MAX_UNZIPPED_BYTES, ReadError, Row, Table};
use calamine::{Data, DataRef, Reader, Xlsx, XlsxError, XlsxFormulaMetadata, open_workbook_from_rs};
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, BufReader, Cursor, Read};

/// Parts (files) an archive may hold.
const MAX_PARTS: usize = 1_000;
/// Sheets a workbook may declare; each is read from the start.
pub const MAX_SHEETS: usize = 50;
/// Shared strings (calamine reserves room for as many as the workbook announces, then keeps each).
pub const MAX_SHARED_STRINGS: usize = 1_000_000;
/// Style records: cell formats, fonts, fills, borders, number formats (Excel itself stops at
/// 64,000 cell formats; each costs calamine some 200 bytes).
pub const MAX_STYLE_RECORDS: usize = 200_000;
/// Relationships and defined names, each kept in memory by calamine.
pub const MAX_LINKS: usize = 100_000;

/// What the census counted over all parts.
#[derive(Default)]
struct Census {
    strings: usize,
    styles: usize,
    sheets: usize,
    links: usize,
    /// `<c>` elements: no honest reading of every sheet once meets more.
    cells: u64,
    /// The relationship each `<sheet>` names.
    sheet_ids: HashSet<String>,
    /// The file each sheet relationship of the part being scanned points at.
    sheet_files: HashSet<String>,
}

impl Census {
    fn element(&mut self, e: &BytesStart<'_>) -> Result<(), ReadError> {
        match e.local_name().as_ref() {
            "si" => bump(&mut self.strings, MAX_SHARED_STRINGS, "共享字符串"),
            "sst" => {
                // calamine reserves `uniqueCount` entries before reading a single one.
                for (key, value) in raw_attrs(e) {
                    if key == "uniqueCount" && digits_of(value) > MAX_SHARED_STRINGS as u64 {
                        return Err(ReadError::TooManyRecords("共享字符串"));
                    }
                }
                Ok(())
            }
            "xf" | "font" | "fill" | "border" | "numFmt" | "dxf" => bump(&mut self.styles, MAX_STYLE_RECORDS, "样式"),
            "sheet" => {
                bump(&mut self.sheets, MAX_SHEETS, "工作表")?;
                // calamine matches `r:id` (or any `…:id`; the last one, else "") to a relationship.
                let id = raw_attrs(e).filter(|(k, _)| *k == "id" || k.ends_with(":id")).last().map_or("", |(_, v)| v);
                if !self.sheet_ids.insert(id.to_owned()) {
                    return Err(aliased());
                }
                Ok(())
            }
            "Relationship" => {
                bump(&mut self.links, MAX_LINKS, "关系或名称")?;
                // Two sheets read from one part cost its reading twice: the same file named
                // twice (case, slashes and folders aside, as calamine finds it) is refused.
                let is_sheet = raw_attrs(e).any(|(k, v)| {
                    k == "Type" && matches!(v.rsplit('/').next(), Some("worksheet" | "chartsheet" | "dialogsheet"))
                });
                if is_sheet {
                    for (_, target) in raw_attrs(e).filter(|(k, _)| *k == "Target") {
                        let file = target.rsplit(['/', '\\']).next().unwrap_or_default().to_ascii_lowercase();
                        if !self.sheet_files.insert(file) {
                            return Err(aliased());
                        }
                    }
                }
                Ok(())
            }
            "definedName" => bump(&mut self.links, MAX_LINKS, "关系或名称"),
            "c" => {
                self.cells += 1;
                check_refs(e, "r")
            }
            "row" => check_refs(e, "r"),
            "dimension" | "f" => check_refs(e, "ref"),
            _ => Ok(()),
        }
    }
}

fn aliased() -> ReadError {
    ReadError::Malformed("多个工作表指向同一份数据".into())
}

fn bump(n: &mut usize, limit: usize, what: &'static str) -> Result<(), ReadError> {
    *n += 1;
    if *n > limit { Err(ReadError::TooManyRecords(what)) } else { Ok(()) }
}

/// The digits of an attribute, read the most generous way (any non-digit is skipped), saturating.
fn digits_of(value: &str) -> u64 {
    value.bytes().filter(u8::is_ascii_digit).fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')))
}

/// Every `key="value"` of an element, split the way calamine splits them (raw, unescaped, up to
/// the first malformed one), so that every value calamine may use is checked, duplicates too.
fn raw_attrs<'a>(e: &'a BytesStart<'_>) -> impl Iterator<Item = (&'a str, &'a str)> {
    let raw = e.attributes_raw();
    let bytes = raw.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let key_start = pos;
        while pos < bytes.len() && bytes[pos] != b'=' {
            pos += 1;
        }
        if pos >= bytes.len() {
            return None;
        }
        let key = raw[key_start..pos].trim_ascii();
        pos += 1;
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = *bytes.get(pos).filter(|q| **q == b'"' || **q == b'\'')?;
        pos += 1;
        let start = pos;
        while pos < bytes.len() && bytes[pos] != quote {
            pos += 1;
        }
        let value = &raw[start..pos];
        pos = (pos + 1).min(bytes.len());
        Some((key, value))
    })
}

/// Cell references must lie on Excel's grid (`A1`…`XFD1048576`) and a range must not run
/// backwards: calamine's arithmetic on them overflows otherwise.
fn check_refs(e: &BytesStart<'_>, name: &str) -> Result<(), ReadError> {
    for (key, value) in raw_attrs(e) {
        if key != name {
            continue;
        }
        let bad = || ReadError::Malformed(format!("单元格位置“{}”无效", value.chars().take(40).collect::<String>()));
        let mut corners = value.split(':').map(grid_position);
        match (corners.next(), corners.next(), corners.next()) {
            (Some(Some(_)), None, None) => {}
            (Some(Some((r0, c0))), Some(Some((r1, c1))), None) => {
                if r1 < r0 || c1.unwrap_or(0) < c0.unwrap_or(0) {
                    return Err(bad());
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok(())
}

/// `B7` → (6, Some(1)); `7` → (6, None); anything off the grid → None.
fn grid_position(s: &str) -> Option<(u32, Option<u32>)> {
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (col, row) = s.split_at(letters);
    if letters > 3 || row.is_empty() || row.len() > 7 || !row.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: u32 = row.parse().ok()?;
    let col = col.bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1);
    if row == 0 || row > 1_048_576 || col > 16_384 {
        return None;
    }
    Some((row - 1, col.checked_sub(1)))
}

/// `(6, 1)` → `B7`.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Counts the bytes a part unzips to, across all parts, and stops past the limit.
struct Capped<'a, R> {
    inner: R,
    total: &'a mut u64,
    over: bool,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.total += n as u64;
        if *self.total > MAX_UNZIPPED_BYTES {
            self.over = true;
            return Err(std::io::Error::other("unzipped too much"));
        }
        Ok(n)
    }
}

/// Decompresses every part with a hard cap on the bytes actually produced, whatever the sizes
/// the archive declares, and takes the census of every part read as XML the way calamine reads it.
fn census(bytes: &[u8]) -> Result<Census, ReadError> {
    let malformed = |e: zip::result::ZipError| ReadError::Malformed(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(malformed)?;
    if archive.len() > MAX_PARTS {
        return Err(ReadError::ZipBomb);
    }
    let mut census = Census::default();
    let mut total = 0;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(malformed)?;
        let mut part = Capped { inner: part, total: &mut total, over: false };
        // Any part may be named as a sheet or a style sheet by the relationships: scan them all.
        // A part that is not XML ends its scan early, as it ends calamine's reading.
        let scanned = scan(BufReader::new(&mut part), &mut census);
        if part.over {
            return Err(ReadError::ZipBomb);
        }
        scanned?;
        if let Err(e) = std::io::copy(&mut part, &mut std::io::sink()) {
            return Err(if part.over { ReadError::ZipBomb } else { ReadError::Malformed(e.to_string()) });
        }
    }
    Ok(census)
}

fn scan(part: impl BufRead, census: &mut Census) -> Result<(), ReadError> {
    census.sheet_files.clear();
    let mut xml = quick_xml::Reader::from_reader(part);
    // The settings calamine reads with, so that both see the same elements.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => census.element(&e)?,
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

fn malformed(e: XlsxError) -> ReadError {
    ReadError::Malformed(e.to_string())
}

fn is_formula(f: &Option<XlsxFormulaMetadata>) -> bool {
    match f {
        None => false,
        Some(XlsxFormulaMetadata::Normal { formula } | XlsxFormulaMetadata::Shared { formula, .. }) => {
            !formula.is_empty()
        }
        Some(_) => true,
    }
}

fn cell_text(d: DataRef<'_>) -> String {
    match d {
        DataRef::SharedString(s) => s.to_owned(),
        other => crate::cell_text(Data::from(other)),
    }
}

/// What reading the workbook has cost so far, over all sheets.
#[derive(Default)]
struct Spent {
    cells_read: u64,
    cells_kept: usize,
    text_bytes: usize,
}

impl Spent {
    fn keep(&mut self, cells: usize, text: usize) -> Result<(), ReadError> {
        self.cells_kept += cells;
        self.text_bytes += text;
        if self.cells_kept > MAX_CELLS || self.text_bytes > MAX_TEXT_BYTES {
            return Err(ReadError::TooMuchContent);
        }
        Ok(())
    }
}

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Table>, ReadError> {
    let census = census(bytes)?;
    let mut book: Xlsx<Cursor<&[u8]>> = open_workbook_from_rs(Cursor::new(bytes)).map_err(malformed)?;
    let mut spent = Spent::default();
    let mut seen = HashSet::new();
    let mut tables = Vec::new();
    for sheet in book.sheet_names() {
        // Two sheets of one name: calamine only ever finds the first.
        if !seen.insert(sheet.clone()) {
            continue;
        }
        if let Some(t) = read_sheet(&mut book, sheet, &census, &mut spent)? {
            tables.push(t);
        }
    }
    Ok(tables)
}

/// Streams one sheet, keeping only the cells that hold something, within a range of at most
/// `MAX_ROWS + 1` rows and `MAX_COLUMNS` columns wherever it starts.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    sheet: String,
    census: &Census,
    spent: &mut Spent,
) -> Result<Option<Table>, ReadError> {
    let mut reader = match book.worksheet_cells_reader(&sheet) {
        Ok(r) => r,
        // A chart sheet, or a part without cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(e) => return Err(malformed(e)),
    };
    let mut values: BTreeMap<(u32, u32), String> = BTreeMap::new();
    let mut formulas: BTreeSet<(u32, u32)> = BTreeSet::new();
    // (first row, last row, first column, last column) of the cells that hold a value.
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(malformed)? {
        spent.cells_read += 1;
        if spent.cells_read > census.cells {
            // Several sheets read from the same part in a way the census did not see.
            return Err(aliased());
        }
        let (r, c) = cell.pos;
        if is_formula(&cell.formula) && formulas.insert((r, c)) {
            spent.keep(1, 0)?;
        }
        if cell.value == DataRef::Empty {
            continue;
        }
        let (r0, r1, c0, c1) =
            bounds.map_or((r, r, c, c), |(r0, r1, c0, c1)| (r0.min(r), r1.max(r), c0.min(c), c1.max(c)));
        if (r1 - r0) as usize > MAX_ROWS || (c1 - c0) as usize >= MAX_COLUMNS {
            return Err(ReadError::RangeTooLarge { sheet, cell: cell_name(r, c) });
        }
        bounds = Some((r0, r1, c0, c1));
        let text = cell_text(cell.value);
        spent.keep(0, text.len())?;
        // A later cell at the same place wins, as it does in Excel.
        values.insert((r, c), text);
    }
    drop(reader);
    let Some((r0, _, c0, c1)) = bounds else { return Ok(None) };
    let width = (c1 - c0 + 1) as usize;
    let mut headers = vec![String::new(); width];
    spent.keep(width, 0)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut current: Option<(u32, Vec<Cell>)> = None;
    for ((r, c), text) in values {
        if r == r0 {
            headers[(c - c0) as usize] = text.trim().to_owned();
            continue;
        }
        if current.as_ref().is_none_or(|(row, _)| *row != r) {
            if let Some(done) = current.take() {
                push_row(&mut rows, done);
            }
            spent.keep(width, 0)?;
            let cells = (0..width as u32)
                .map(|i| Cell { text: String::new(), formula: formulas.contains(&(r, c0 + i)) })
                .collect();
            current = Some((r, cells));
        }
        if let Some((_, cells)) = current.as_mut() {
            cells[(c - c0) as usize].text = text;
        }
    }
    if let Some(done) = current {
        push_row(&mut rows, done);
    }
    Ok(Some(Table { sheet, headers, rows }))
}

/// Keeps a row unless all its cells are blank; its number is the one the spreadsheet shows.
fn push_row(rows: &mut Vec<Row>, (r, cells): (u32, Vec<Cell>)) {
    if cells.iter().any(|c| !c.text.trim().is_empty()) {
        rows.push(Row { number: r as usize + 1, cells });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_positions() {
        assert_eq!(grid_position("A1"), Some((0, Some(0))));
        assert_eq!(grid_position("xfd1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(grid_position("7"), Some((6, None)));
        for bad in ["", "A", "A0", "XFE1", "A1048577", "AAAAAAAAAAAAAAA1", "A99999999999", "$A$1", "A1 ", "1A"] {
            assert_eq!(grid_position(bad), None, "{bad}");
        }
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(199_999, 701), "ZZ200000");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(digits_of("4000000000"), 4_000_000_000);
        assert_eq!(digits_of("99999999999999999999999999"), u64::MAX);
    }
}
