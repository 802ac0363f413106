//! Any CSV text through the whole import parse: reading, kind detection and every cell's rules.
#![no_main]
use liaison_domain::roster::{self, RawCell, RawRow};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(tables) = liaison_sheets::read(data) else { return };
    for t in tables {
        let Some(kind) = roster::detect(&t.sheet, &t.headers) else { continue };
        let rows: Vec<RawRow> = t
            .rows
            .into_iter()
            .map(|r| RawRow { number: r.number, cells: r.cells.into_iter().map(|c| RawCell { text: c.text, formula: c.formula }).collect() })
            .collect();
        let _ = roster::parse(kind, &t.sheet, &t.headers, &rows);
    }
});
