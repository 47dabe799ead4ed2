//! Tables for people (comfy-table): numbers right-aligned, never used for scripts.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::Cells;

pub fn render(rows: &[Cells]) -> String {
    let mut table = new_table();
    table.set_header(rows[0].iter().map(|(k, _)| k.replace('_', " ")));
    for row in rows {
        table.add_row(row.iter().map(|(_, v)| {
            let cell = Cell::new(v);
            if looks_numeric(v) { cell.set_alignment(CellAlignment::Right) } else { cell }
        }));
    }
    table.to_string()
}

/// A single record as `field | value` lines.
pub fn render_pairs(cells: &Cells) -> String {
    let mut table = new_table();
    for (k, v) in cells {
        table.add_row(vec![Cell::new(k.replace('_', " ")), Cell::new(v)]);
    }
    table.to_string()
}

fn new_table() -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table
}

fn looks_numeric(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}
