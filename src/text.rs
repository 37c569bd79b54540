//! Text normalization every layer shares: the profile's link matching, the
//! extractors and the WACZ page index all compare text as a reader sees it, so
//! the one rule lives in a leaf module that imports nothing of the crate.

/// Collapses every run of whitespace (including no-break and other Unicode spaces)
/// to one space, drops soft hyphens and zero-width characters, and trims.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if matches!(
            c,
            '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        ) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
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
        ];
        for (input, expected) in cases {
            assert_eq!(collapse_whitespace(input), expected, "{input:?}");
        }
    }
}
