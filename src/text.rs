//! Text normalization every layer shares: the profile's link matching, the
//! extractors and the WACZ page index all compare text as a reader sees it, so
//! the one rule lives in a leaf module that imports nothing of the crate.

/// Collapses every run of whitespace (including no-break and other Unicode spaces)
/// to one space, drops soft hyphens and zero-width characters, and trims.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    // Where the run of characters kept as they are began: runs are copied
    // whole, which matters since every text of every page comes through here.
    let mut run: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // Most text is ASCII: a byte is a character, and only six are spaces.
        // A run of other ASCII bytes is passed over in one go.
        let (width, gap, dropped) = match bytes[at] {
            byte if is_plain(byte) => {
                let plain = bytes[at..].iter().take_while(|&&b| is_plain(b)).count();
                (plain, false, false)
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => (1, true, false),
            _ => {
                let c = text[at..].chars().next().expect("at a character boundary");
                let dropped = matches!(
                    c,
                    '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
                );
                (c.len_utf8(), dropped || c.is_whitespace(), dropped)
            }
        };
        if gap {
            if let Some(start) = run.take() {
                out.push_str(&text[start..at]);
            }
            pending_space |= !dropped;
        } else if run.is_none() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            run = Some(at);
        }
        at += width;
    }
    if let Some(start) = run {
        out.push_str(&text[start..]);
    }
    out
}

/// An ASCII byte that is not whitespace.
fn is_plain(byte: u8) -> bool {
    byte.is_ascii_graphic() || matches!(byte, 0x00..=0x08 | 0x0E..=0x1F | 0x7F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapsing() {
        let cases = [
            ("  a \n\t b  ", "a b"),
            ("a\u{A0}\u{A0}b", "a b"),
            ("sote\u{AD}palvelut", "sotepalvelut"),
            ("\u{A0}", ""),
            ("a\u{2009}–\u{2009}b", "a – b"),
            ("\u{FEFF}a\u{200B}b\u{0085}c\u{3000}\x0Bd\x0C", "ab c d"),
            ("ä\r\nö\u{1680}å", "ä ö å"),
        ];
        for (input, expected) in cases {
            assert_eq!(collapse_whitespace(input), expected, "{input:?}");
        }
    }

    proptest::proptest! {
        /// The byte-wise walk says what the rule says: without the dropped
        /// characters, the words between whitespace, joined by one space.
        #[test]
        fn collapsing_follows_the_rule(text in "[a \t\n\x01\x0B\x1F\x7F\u{85}\u{A0}\u{AD}\u{200B}\u{2009}\u{3000}\u{FEFF}äå€😀-]{0,40}") {
            let kept: String = text
                .chars()
                .filter(|c| !matches!(c, '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'))
                .collect();
            let words: Vec<&str> = kept.split_whitespace().collect();
            proptest::prop_assert_eq!(collapse_whitespace(&text), words.join(" "));
        }
    }
}
