//! Lays a document out on A4 pages: lines broken between Chinese characters or at spaces (never
//! before a closing mark), tables that repeat their header on each page, a footer with page
//! numbers.

use crate::{Block, Doc, Glyphs};
use pdf_writer::{Content, Name, Str};

/// An A4 page in points.
pub const A4: (f32, f32) = (595.28, 841.89);
const MARGIN_X: f32 = 56.0;
const TOP: f32 = A4.1 - 60.0;
const BOTTOM: f32 = 64.0;
const WIDTH: f32 = A4.0 - 2.0 * MARGIN_X;

/// A page's content stream.
pub struct Page {
    pub(crate) bytes: Vec<u8>,
}

enum Op {
    Text { x: f32, y: f32, size: f32, text: String, gray: f32, bold: bool },
    Fill { x: f32, y: f32, w: f32, h: f32, gray: f32 },
    Stroke { x: f32, y: f32, w: f32, h: f32 },
}

struct Writer<'g, 'a> {
    glyphs: &'g mut Glyphs<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

/// Marks that may not begin a line.
const NO_START: &str = "，。、；：？！）》」』”’%．,.;:?!)]";

impl Writer<'_, '_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyphs.advance(c)).sum::<f32>() * size / 1000.0
    }

    /// `text` broken into lines no wider than `width` at `size`.
    fn wrap(&self, text: &str, width: f32, size: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut tokens: Vec<String> = Vec::new();
            let mut word = String::new();
            for c in para.chars() {
                if c.is_ascii_alphanumeric() || (c.is_ascii_punctuation() && !word.is_empty()) {
                    word.push(c);
                } else {
                    if !word.is_empty() {
                        tokens.push(std::mem::take(&mut word));
                    }
                    tokens.push(c.to_string());
                }
            }
            if !word.is_empty() {
                tokens.push(word);
            }
            let mut line = String::new();
            let mut w = 0.0;
            for t in tokens {
                let tw = self.width(&t, size);
                let closing = t.chars().next().is_some_and(|c| NO_START.contains(c));
                if w + tw > width && !line.is_empty() && !closing {
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                    w = 0.0;
                    if t == " " {
                        continue;
                    }
                }
                w += tw;
                line.push_str(&t);
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page is open")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Makes room for `h` points, starting a new page when the current one has too little.
    fn need(&mut self, h: f32) -> bool {
        if self.y - h < BOTTOM {
            self.new_page();
            return true;
        }
        false
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: &str, gray: f32, bold: bool) {
        self.page().push(Op::Text { x, y, size, text: text.into(), gray, bold });
    }

    fn centered(&mut self, text: &str, size: f32, line: f32, gray: f32) {
        for l in self.wrap(text, WIDTH, size) {
            self.need(line);
            let x = MARGIN_X + (WIDTH - self.width(&l, size)) / 2.0;
            self.y -= line;
            self.text(x, self.y + (line - size) / 2.0, size, &l, gray, false);
        }
    }

    fn para(&mut self, text: &str, size: f32, line: f32, bold: bool) {
        for l in self.wrap(text, WIDTH, size) {
            self.need(line);
            self.y -= line;
            self.text(MARGIN_X, self.y + (line - size) / 2.0 + 1.0, size, &l, 0.0, bold);
        }
    }

    fn row(&mut self, cells: &[String], xs: &[(f32, f32)], size: f32, shade: Option<f32>) {
        const PAD: f32 = 4.0;
        let line = size * 1.45;
        let wrapped: Vec<Vec<String>> =
            cells.iter().zip(xs).map(|(c, (_, w))| self.wrap(c, w - 2.0 * PAD, size)).collect();
        let h = wrapped.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * line + 2.0 * PAD;
        let top = self.y;
        if let Some(gray) = shade {
            self.page().push(Op::Fill { x: MARGIN_X, y: top - h, w: WIDTH, h, gray });
        }
        for ((x, w), lines) in xs.iter().zip(&wrapped) {
            self.page().push(Op::Stroke { x: *x, y: top - h, w: *w, h });
            for (i, l) in lines.iter().enumerate() {
                let y = top - PAD - (i as f32 + 1.0) * line + (line - size) / 2.0 + 1.0;
                self.text(x + PAD, y, size, l, 0.0, false);
            }
        }
        self.y -= h;
    }

    fn row_height(&self, cells: &[String], xs: &[(f32, f32)], size: f32) -> f32 {
        let n = cells.iter().zip(xs).map(|(c, (_, w))| self.wrap(c, w - 8.0, size).len()).max().unwrap_or(1);
        n as f32 * size * 1.45 + 8.0
    }

    fn table(&mut self, widths: &[f32], header: &[String], rows: &[Vec<String>]) {
        const SIZE: f32 = 9.5;
        let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
        let mut x = MARGIN_X;
        let xs: Vec<(f32, f32)> = widths
            .iter()
            .map(|w| {
                let cw = WIDTH * w / total;
                let at = (x, cw);
                x += cw;
                at
            })
            .collect();
        let head_h = self.row_height(header, &xs, SIZE);
        let first = rows.first().map_or(0.0, |r| self.row_height(r, &xs, SIZE));
        self.need(head_h + first);
        self.row(header, &xs, SIZE, Some(0.92));
        for r in rows {
            let h = self.row_height(r, &xs, SIZE);
            if self.need(h) {
                self.row(header, &xs, SIZE, Some(0.92));
            }
            self.row(r, &xs, SIZE, None);
        }
        self.y -= 8.0;
    }

    fn bar(&mut self, label: &str, percent: u32, note: &str) {
        const SIZE: f32 = 10.0;
        const LINE: f32 = 20.0;
        let bar_x = MARGIN_X + WIDTH * 0.45;
        let bar_w = WIDTH * 0.3;
        self.need(LINE);
        self.y -= LINE;
        let base = self.y + (LINE - SIZE) / 2.0 + 1.0;
        self.text(MARGIN_X, base, SIZE, label, 0.0, false);
        self.page().push(Op::Fill { x: bar_x, y: base - 1.0, w: bar_w, h: 9.0, gray: 0.9 });
        let filled = bar_w * percent.min(100) as f32 / 100.0;
        if filled > 0.0 {
            self.page().push(Op::Fill { x: bar_x, y: base - 1.0, w: filled, h: 9.0, gray: 0.35 });
        }
        self.text(bar_x + bar_w + 8.0, base, SIZE, note, 0.0, false);
    }
}

/// The document laid out on pages, each page's content ready to write.
pub(crate) fn pages(doc: &Doc, glyphs: &mut Glyphs<'_>) -> Vec<Page> {
    let mut w = Writer { glyphs, pages: Vec::new(), y: TOP };
    w.new_page();
    for b in &doc.blocks {
        match b {
            Block::Title(t) => w.centered(t, 18.0, 30.0, 0.0),
            Block::Subtitle(t) => {
                w.centered(t, 10.5, 18.0, 0.35);
                w.y -= 8.0;
            }
            Block::Heading(t) => {
                w.need(22.0 + 40.0);
                w.y -= 8.0;
                w.para(t, 13.0, 22.0, true);
            }
            Block::Para(t) => {
                w.para(t, 10.5, 17.0, false);
                w.y -= 4.0;
            }
            Block::Table { widths, header, rows } => w.table(widths, header, rows),
            Block::Bar { label, percent, note } => w.bar(label, *percent, note),
        }
    }
    let count = w.pages.len();
    let ops = std::mem::take(&mut w.pages);
    ops.into_iter()
        .enumerate()
        .map(|(i, mut ops)| {
            let footer = if doc.footer.is_empty() {
                format!("第 {} 页，共 {count} 页", i + 1)
            } else {
                format!("{}　第 {} 页，共 {count} 页", doc.footer, i + 1)
            };
            let fw = w.width(&footer, 8.5);
            ops.push(Op::Text {
                x: MARGIN_X + (WIDTH - fw) / 2.0,
                y: 36.0,
                size: 8.5,
                text: footer,
                gray: 0.4,
                bold: false,
            });
            Page { bytes: emit(&ops, w.glyphs) }
        })
        .collect()
}

fn emit(ops: &[Op], glyphs: &mut Glyphs<'_>) -> Vec<u8> {
    let mut c = Content::new();
    c.set_line_width(0.5);
    c.set_stroke_gray(0.55);
    for op in ops {
        match op {
            Op::Fill { x, y, w, h, gray } => {
                c.set_fill_gray(*gray);
                c.rect(*x, *y, *w, *h);
                c.fill_nonzero();
            }
            Op::Stroke { x, y, w, h } => {
                c.rect(*x, *y, *w, *h);
                c.stroke();
            }
            Op::Text { .. } => {}
        }
    }
    for op in ops {
        if let Op::Text { x, y, size, text, gray, bold } = op {
            if text.is_empty() {
                continue;
            }
            let encoded = glyphs.encode(text);
            c.set_fill_gray(*gray);
            if *bold {
                // The font has one weight: a bold heading is its outline stroked as well.
                c.set_stroke_gray(*gray);
                c.set_line_width(size * 0.03);
                c.set_text_rendering_mode(pdf_writer::types::TextRenderingMode::FillStroke);
            }
            c.begin_text();
            c.set_font(Name(b"F1"), *size);
            c.next_line(*x, *y);
            c.show(Str(&encoded));
            c.end_text();
            if *bold {
                c.set_text_rendering_mode(pdf_writer::types::TextRenderingMode::Fill);
                c.set_line_width(0.5);
                c.set_stroke_gray(0.55);
            }
        }
    }
    c.finish().to_vec()
}

#[cfg(test)]
mod tests {
    use crate::{Block, Doc, Font, render};

    fn font() -> Option<Font> {
        let path = Font::find(None).ok()?;
        Font::load(&path).ok()
    }

    #[test]
    fn the_same_document_gives_the_same_bytes_and_text_can_be_found() {
        let Some(font) = font() else {
            assert!(std::env::var("LIAISON_REQUIRE_FONT").is_err(), "a CJK font is required here");
            return;
        };
        let long = "接待选民，收集社情民意。".repeat(40);
        let doc = Doc {
            title: "王芳 2026 年度履职报告".into(),
            footer: "测试".into(),
            blocks: vec![
                Block::Title("王芳 2026 年度履职报告".into()),
                Block::Subtitle("县人大常委会".into()),
                Block::Heading("一、履职登记".into()),
                Block::Para(long),
                Block::Table {
                    widths: vec![1.0, 3.0, 1.0],
                    header: vec!["日期".into(), "内容".into(), "积分".into()],
                    rows: (0..80)
                        .map(|i| vec![format!("2026-01-{:02}", i % 28 + 1), "为民办实事".into(), "2".into()])
                        .collect(),
                },
                Block::Bar {
                    label: "每年为民办实事至少 1 次".into(), percent: 100, note: "已完成".into()
                },
            ],
        };
        let a = render(&doc, &font).unwrap();
        let b = render(&doc, &font).unwrap();
        assert_eq!(a, b);
        if let Ok(out) = std::env::var("LIAISON_REPORT_SAMPLE") {
            std::fs::write(out, &a).unwrap();
        }
        assert!(a.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&a);
        assert!(text.contains("/Count 3") || text.contains("/Count 4"), "the table spans pages");
    }
}
