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
    for (at, c) in text.char_indices() {
        let dropped = matches!(
            c,
            '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        );
        if dropped || c.is_whitespace() {
            if let Some(start) = run.take() {
                out.push_str(&text[start..at]);
            }
            pending_space |= !dropped;
            continue;
        }
        if run.is_none() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            run = Some(at);
        }
    }
    if let Some(start) = run {
        out.push_str(&text[start..]);
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
