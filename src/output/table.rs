//! Tables for people (comfy-table): numbers right-aligned, never used for scripts. Text from a
//! bank or a file is shown with its control and bidi characters escaped (a description must not
//! move the cursor, ring the bell or reverse the line), and a listing's cells are cut so that a
//! huge field cannot flood the screen; `show` and CSV/JSON keep the full text.

use std::borrow::Cow;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::Cells;

/// A listing's cell is cut to this many characters when no width is known (piped, no `COLUMNS`).
const CELL_CHARS: usize = 80;

/// A listing: a header and a row per record. Cells wrap to fit `width` (or the terminal), and
/// each is first cut with `…` to half the width, so one huge field cannot fill the screen.
pub fn render(rows: &[Cells], width: Option<u16>) -> String {
    let mut table = new_table(width);
    let cap = table.width().map_or(CELL_CHARS, |w| usize::from(w / 2).max(20));
    table.set_header(rows[0].iter().map(|(k, _)| k.replace('_', " ")));
    for row in rows {
        table.add_row(row.iter().map(|(_, v)| {
            let text = clip(escape(v), cap);
            let numeric = looks_numeric(&text);
            let cell = Cell::new(text);
            if numeric { cell.set_alignment(CellAlignment::Right) } else { cell }
        }));
    }
    table.to_string()
}

fn clip(text: Cow<'_, str>, chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(chars.saturating_sub(1)) {
        Some((end, _)) if text.chars().count() > chars => Cow::Owned(format!("{}…", &text[..end])),
        _ => text,
    }
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
    table.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        table.set_width(w);
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
        assert!(text.lines().count() <= 8, "a few lines at most:\n{text}");
        let piped = render(&rows, None);
        assert!(piped.lines().all(|l| l.chars().count() < 120), "no width known: cells are still cut\n{piped}");
    }

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip(Cow::Borrowed("äöüß"), 3), "äö…");
        assert_eq!(clip(Cow::Borrowed("äöü"), 3), "äöü");
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
