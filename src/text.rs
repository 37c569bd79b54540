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
        // A run of bytes that are no space and dropped by no rule, and of
        // single spaces between them, is copied in one go: most of a sentence,
        // Finnish and Swedish letters too.
        let (width, gap, dropped) = match bytes[at] {
            byte if !may_begin_space(byte) => (plain_run(&bytes[at..]), false, false),
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

/// Whether a byte may begin whitespace or a dropped character: ASCII's six
/// spaces, and the lead bytes of U+0080–U+00BF (C2), U+1000–U+1FFF (E1),
/// U+2000–U+2FFF (E2), U+3000–U+3FFF (E3) and U+F000–U+FFFF (EF), where every
/// Unicode space and dropped character is. Any other byte is plain, also a
/// continuation byte: it is only ever met after a plain lead byte, since the
/// others are decoded with their whole character.
static MAY_BEGIN_SPACE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(
            byte as u8,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF
        );
        byte += 1;
    }
    table
};

fn may_begin_space(byte: u8) -> bool {
    MAY_BEGIN_SPACE[usize::from(byte)]
}

/// How many bytes from the start of `bytes` (a plain byte) stay as they are:
/// plain bytes, and single spaces between two of them, which is most of a
/// sentence.
fn plain_run(bytes: &[u8]) -> usize {
    let mut run = 0;
    loop {
        run += bytes[run..]
            .iter()
            .take_while(|&&b| !may_begin_space(b))
            .count();
        match bytes.get(run..run + 2) {
            Some(&[b' ', next]) if !may_begin_space(next) => run += 2,
            _ => return run,
        }
    }
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

    /// Spaces, single and in runs, and dropped characters at any place of a
    /// long run of letters.
    #[test]
    fn breaks_anywhere_in_a_long_run() {
        for special in [
            " ", "  ", " \n", "\t", "\u{A0}", " \u{AD}", "\u{2009}", "\u{3000}", "\u{FEFF}",
        ] {
            for at in 0..48 {
                let text = format!(
                    "{}{special}{}",
                    "ä".repeat(at / 2) + &"x".repeat(at % 2),
                    "y".repeat(48 - at)
                );
                let expected = match special {
                    "\u{FEFF}" => text.replace(special, ""),
                    _ => text.replace(special, " ").trim().to_string(),
                };
                assert_eq!(
                    collapse_whitespace(&text),
                    expected,
                    "{special:?} after {at} bytes"
                );
            }
        }
    }

    /// Every character whose first byte is plain is kept as it is: no
    /// Unicode space, none of the dropped characters.
    #[test]
    fn plain_lead_bytes_begin_only_kept_characters() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut utf8 = [0; 4];
            let lead = c.encode_utf8(&mut utf8).as_bytes()[0];
            if !may_begin_space(lead) {
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
