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
        // A run of bytes that are no space and dropped by no rule is passed
        // over in one go: most of any text, Finnish and Swedish letters too.
        let (width, gap, dropped) = match bytes[at] {
            byte if PLAIN[usize::from(byte)] => {
                let plain = bytes[at..]
                    .iter()
                    .take_while(|&&b| PLAIN[usize::from(b)])
                    .count();
                (plain, false, false)
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => (1, true, false),
            _ => {
                let c = text[at..].chars().next().expect("at a character boundary");
                let dropped = is_dropped(c);
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

/// Soft hyphens and zero-width characters: readers do not see them.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The bytes that begin no whitespace and no dropped character: ASCII other
/// than its six spaces, continuation bytes, and lead bytes other than those of
/// U+0080–U+00BF (C2), U+1000–U+1FFF (E1), U+2000–U+2FFF (E2), U+3000–U+3FFF
/// (E3) and U+F000–U+FFFF (EF), where every Unicode space and dropped
/// character is. A continuation byte is only ever met after a plain lead byte:
/// the others are decoded with their whole character.
static PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        plain[byte] = !matches!(
            byte as u8,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF
        );
        byte += 1;
    }
    plain
};

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

    /// Every character whose first byte the table calls plain is kept as it
    /// is: no Unicode space, none of the dropped characters.
    #[test]
    fn plain_lead_bytes_begin_only_kept_characters() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut utf8 = [0; 4];
            let lead = c.encode_utf8(&mut utf8).as_bytes()[0];
            if PLAIN[usize::from(lead)] {
                assert!(!c.is_whitespace() && !is_dropped(c), "{c:?}");
            }
        }
    }

    proptest::proptest! {
        /// The byte-wise walk says what the rule says: without the dropped
        /// characters, the words between whitespace, joined by one space.
        #[test]
        fn collapsing_follows_the_rule(text in "[a \t\n\x01\x0B\x1F\x7F\u{80}\u{85}\u{A0}\u{AD}\u{BF}\u{1680}\u{1FFF}\u{2000}\u{200A}\u{200B}\u{200D}\u{2009}\u{2028}\u{2029}\u{202F}\u{205F}\u{2060}\u{3000}\u{FEFF}\u{FFFD}äåÄ€😀\u{10FFFF}-]{0,40}") {
            let kept: String = text
                .chars()
                .filter(|c| !matches!(c, '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'))
                .collect();
            let words: Vec<&str> = kept.split_whitespace().collect();
            proptest::prop_assert_eq!(collapse_whitespace(&text), words.join(" "));
        }
    }
}
