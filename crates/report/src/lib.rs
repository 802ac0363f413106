//! Printable documents as PDF: a title, headings, paragraphs and tables, typeset on A4 with a
//! CJK font from the system (Debian's `fonts-wqy-microhei` or `fonts-noto-cjk`), embedded as a
//! subset with a ToUnicode map so that the text can be searched and copied. The output depends
//! only on the document and the font: no dates, no random identifiers, so the same document
//! gives the same bytes.

mod layout;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use subsetter::GlyphRemapper;

pub use layout::{A4, Page};

/// Where Debian's CJK font packages put their fonts, in order of preference.
pub const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("找不到中文字体（请安装 fonts-wqy-microhei 或 fonts-noto-cjk，或在配置中指定 report_font）")]
    NoFont,
    #[error("无法读取字体 {0}：{1}")]
    BadFont(String, String),
    #[error("无法生成 PDF：{0}")]
    Subset(String),
}

/// A font with Chinese glyphs, read once and shared.
pub struct Font {
    data: Vec<u8>,
    index: u32,
    units_per_em: f32,
    ascender: f32,
    descender: f32,
    name: String,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font").field("name", &self.name).field("bytes", &self.data.len()).finish()
    }
}

impl Font {
    /// The first of `configured` (if given) or [`FONT_CANDIDATES`] that exists.
    pub fn find(configured: Option<&Path>) -> Result<PathBuf, Error> {
        if let Some(p) = configured {
            return if p.is_file() { Ok(p.to_path_buf()) } else { Err(Error::NoFont) };
        }
        FONT_CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file()).ok_or(Error::NoFont)
    }

    /// Reads a TrueType or OpenType font (the first face of a collection) that maps Chinese.
    pub fn load(path: &Path) -> Result<Font, Error> {
        let bad = |e: String| Error::BadFont(path.display().to_string(), e);
        let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let face = ttf_parser::Face::parse(&data, 0).map_err(|e| bad(e.to_string()))?;
        if face.glyph_index('中').is_none() {
            return Err(bad("字体不含中文字形".into()));
        }
        let name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| "CJKFont".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        Ok(Font {
            units_per_em: face.units_per_em() as f32,
            ascender: face.ascender() as f32,
            descender: face.descender() as f32,
            data,
            index: 0,
            name,
        })
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        ttf_parser::Face::parse(&self.data, self.index).expect("checked when loaded")
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A part of a document.
#[derive(Debug, Clone)]
pub enum Block {
    Title(String),
    /// A smaller line under the title.
    Subtitle(String),
    Heading(String),
    Para(String),
    /// Columns as shares of the page's width; the header repeats on each page the table spans.
    Table {
        widths: Vec<f32>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A bar of `percent` (0–100) with a label, for progress toward a target.
    Bar {
        label: String,
        percent: u32,
        note: String,
    },
}

/// A document: its metadata title, its blocks, and a footer printed on every page with the page
/// number.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub title: String,
    pub footer: String,
    pub blocks: Vec<Block>,
}

/// Typesets `doc` with `font` into PDF bytes.
pub fn render(doc: &Doc, font: &Font) -> Result<Vec<u8>, Error> {
    let face = font.face();
    let mut glyphs =
        Glyphs { face: &face, scale: 1000.0 / font.units_per_em, remap: GlyphRemapper::new(), used: BTreeMap::new() };
    let pages = layout::pages(doc, &mut glyphs);
    write(doc, font, &pages, glyphs)
}

/// The glyphs the document uses, renumbered for the subset, and the text each stands for.
pub(crate) struct Glyphs<'a> {
    face: &'a ttf_parser::Face<'a>,
    /// Font units to thousandths of the font size.
    scale: f32,
    remap: GlyphRemapper,
    /// New glyph id → (the character, advance in thousandths).
    used: BTreeMap<u16, (char, f32)>,
}

impl Glyphs<'_> {
    /// The advance of `c` in thousandths of the font size.
    pub(crate) fn advance(&self, c: char) -> f32 {
        let gid = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        self.face.glyph_hor_advance(gid).map_or(1000.0, |a| a as f32 * self.scale)
    }

    /// `text` as the two-byte codes of the subset font.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let gid = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let new = self.remap.remap(gid.0);
            let advance = self.face.glyph_hor_advance(gid).map_or(1000.0, |a| a as f32 * self.scale);
            self.used.entry(new).or_insert((c, advance));
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6)
}

fn write(doc: &Doc, font: &Font, pages: &[Page], glyphs: Glyphs<'_>) -> Result<Vec<u8>, Error> {
    let subset =
        subsetter::subset(&font.data, font.index, &glyphs.remap).map_err(|e| Error::Subset(format!("{e:?}")))?;
    // A subset's tag is six capitals; derive it from the glyphs used so that it is stable.
    let mut h: u32 = 2166136261;
    for (gid, (c, _)) in &glyphs.used {
        for b in gid.to_be_bytes().into_iter().chain((*c as u32).to_be_bytes()) {
            h = (h ^ b as u32).wrapping_mul(16777619);
        }
    }
    let tag: String = (0..6).map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char).collect();
    let base = format!("{tag}+{}", font.name);

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let type0 = alloc();
    let cid = alloc();
    let descriptor = alloc();
    let cmap_ref = alloc();
    let file = alloc();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_refs.iter().map(|(p, _)| *p)).count(pages.len() as i32);
    pdf.document_info(info).title(TextStr(&doc.title)).producer(TextStr("liaison"));

    let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap_ref);
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(system)
        .font_descriptor(descriptor)
        .default_width(1000.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = c.widths();
        for (gid, (_, advance)) in &glyphs.used {
            widths.consecutive(*gid, [*advance]);
        }
    }
    c.finish();
    let scale = 1000.0 / font.units_per_em;
    pdf.font_descriptor(descriptor)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(0.0, font.descender * scale, 1000.0, font.ascender * scale))
        .italic_angle(0.0)
        .ascent(font.ascender * scale)
        .descent(font.descender * scale)
        .cap_height(font.ascender * scale * 0.8)
        .stem_v(80.0)
        .font_file2(file);
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system);
    for (gid, (ch, _)) in &glyphs.used {
        cmap.pair(*gid, *ch);
    }
    pdf.stream(cmap_ref, &cmap.finish());
    let packed = compress(&subset);
    pdf.stream(file, &packed).filter(Filter::FlateDecode).pair(Name(b"Length1"), subset.len() as i32);

    for (page, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut p = pdf.page(*page_ref);
        p.media_box(Rect::new(0.0, 0.0, A4.0, A4.1)).parent(tree).contents(*content_ref);
        p.resources().fonts().pair(Name(b"F1"), type0);
        p.finish();
        pdf.stream(*content_ref, &compress(&page.bytes)).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}
