//! Tables for people (comfy-table): numbers right-aligned, never used for scripts. Text from a
//! bank or a file is shown with its control and bidi characters escaped (a description must not
//! move the cursor, ring the bell or reverse the line), and a listing's cells are cut to fit the
//! terminal; `show` and CSV/JSON keep the full text.

use std::borrow::Cow;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Row, Table, presets};

use super::Cells;

/// The width a table may take when neither `COLUMNS` nor a terminal says.
const FALLBACK_WIDTH: u16 = 120;

/// A listing: a header and one line per row, each cell cut to fit `width` with `…`.
pub fn render(rows: &[Cells], width: Option<u16>) -> String {
    let mut table = new_table(width);
    table.set_header(rows[0].iter().map(|(k, _)| k.replace('_', " ")));
    for row in rows {
        let mut line = Row::from(row.iter().map(|(_, v)| {
            let text = escape(v);
            let numeric = looks_numeric(&text);
            let cell = Cell::new(text);
            if numeric { cell.set_alignment(CellAlignment::Right) } else { cell }
        }));
        line.max_height(1);
        table.add_row(line);
    }
    table.to_string()
}

/// A single record as `field | value` lines; long values wrap instead of being cut.
pub fn render_pairs(cells: &Cells, width: Option<u16>) -> String {
    let mut table = new_table(width);
    for (k, v) in cells {
        table.add_row(vec![Cell::new(k.replace('_', " ")), Cell::new(escape(v))]);
    }
    table.to_string()
}

fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_truncation_indicator("…");
    match width {
        Some(w) => {
            table.set_width(w);
        }
        // Piped with no COLUMNS: still bounded, so a 100,000-character field stays readable.
        None if table.width().is_none() => {
            table.set_width(FALLBACK_WIDTH);
        }
        None => {}
    }
    table
}

/// Control characters (C0, DEL, C1) and Unicode bidi controls, shown as escapes: `\x1b`,
/// `\u{202e}`. Everything else, including non-Latin text and emoji, is shown as it is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn looks_numeric(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(escape("Coffee"), "Coffee");
        assert_eq!(escape("Zürich 東京 ☕"), "Zürich 東京 ☕");
        assert_eq!(escape("\u{1b}[2J\u{7}x\0"), "\\x1b[2J\\x07x\\x00");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("a\u{9b}b\u{7f}"), "a\\x9bb\\x7f");
        assert_eq!(escape("two\nlines\t"), "two\\nlines\\t");
    }

    #[test]
    fn a_huge_cell_is_cut_to_the_width() {
        let rows = vec![vec![("id".to_string(), "1".to_string()), ("description".to_string(), "x".repeat(100_000))]];
        let text = render(&rows, Some(80));
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{} chars: {line:.100}", line.chars().count());
        }
        assert!(text.contains('…'), "{text}");
        assert_eq!(text.lines().count(), 5, "one line per row:\n{text}");
    }

    #[test]
    fn a_table_never_passes_an_escape_through() {
        let rows = vec![vec![("payee".to_string(), "evil\u{1b}]0;owned\u{7}".to_string())]];
        let text = render(&rows, Some(80));
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
        let pairs = render_pairs(&rows[0], Some(80));
        assert!(!pairs.contains('\u{1b}'), "{pairs:?}");
    }
}
