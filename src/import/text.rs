//! Bytes to text for statement files: a UTF-8 byte-order mark is dropped; text that is not
//! valid UTF-8 is read as Windows-1252 (a superset of Latin-1 for printable text), which is
//! what banks' "ANSI" exports are.

use std::borrow::Cow;

/// The encodings statement files come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    #[serde(alias = "windows-1252", alias = "latin1", alias = "latin-1", alias = "iso-8859-1")]
    Cp1252,
}

impl Encoding {
    /// UTF-8 if the sample is valid UTF-8 (a cut multi-byte tail is forgiven), else CP-1252.
    pub fn detect(sample: &[u8]) -> Encoding {
        match std::str::from_utf8(strip_bom(sample)) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() => Encoding::Utf8,
            Err(_) => Encoding::Cp1252,
        }
    }

    pub fn decode<'a>(self, bytes: &'a [u8]) -> Cow<'a, str> {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes),
            Encoding::Cp1252 => Cow::Owned(bytes.iter().map(|&b| cp1252(b)).collect()),
        }
    }
}

pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Windows-1252: Latin-1 except 0x80..0x9F, where it has typographic marks and the euro sign.
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_decodes() {
        assert_eq!(Encoding::detect("Müller;€".as_bytes()), Encoding::Utf8);
        let ansi = b"M\xfcller;\x80 12,50";
        assert_eq!(Encoding::detect(ansi), Encoding::Cp1252);
        assert_eq!(Encoding::Cp1252.decode(ansi), "Müller;€ 12,50");
        assert_eq!(strip_bom(b"\xEF\xBB\xBFDate"), b"Date");
        // A sample cut in the middle of a character is still UTF-8.
        assert_eq!(Encoding::detect(&"ü".as_bytes()[..1]), Encoding::Utf8);
    }
}
