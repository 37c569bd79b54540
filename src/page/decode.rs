//! Bytes to text. Finnish sites of the 2000s and 2010s still serve ISO-8859-1 and
//! windows-1252; getting ä and ö right means honouring, in order, a byte-order
//! mark, the HTTP `charset`, the page's `<meta>` charset, and only then guessing.

use std::sync::LazyLock;

use encoding_rs::Encoding;
use regex::bytes::Regex;

/// Decodes an HTML document. `header_charset` is the `charset` parameter of the
/// HTTP Content-Type, if any. A byte-order mark wins, then `header_charset`,
/// then the page's `<meta>` charset; without any, UTF-8 if the bytes are UTF-8,
/// else a guess for Finnish text.
///
/// ```
/// use harava::page::decode_html;
///
/// // "Pöytäkirja" in ISO-8859-1, as a 2000s municipal site serves it.
/// let latin1 = b"<meta charset=\"iso-8859-1\"><h1>P\xf6yt\xe4kirja</h1>";
/// assert_eq!(decode_html(latin1, None), "<meta charset=\"iso-8859-1\"><h1>Pöytäkirja</h1>");
/// // The HTTP header's charset wins over a guess.
/// assert_eq!(decode_html(b"P\xf6yt\xe4kirja", Some("windows-1252")), "Pöytäkirja");
/// ```
pub fn decode_html(bytes: &[u8], header_charset: Option<&str>) -> String {
    let (encoding, bom_len) = encoding_of(bytes, header_charset);
    encoding
        .decode_without_bom_handling(&bytes[bom_len..])
        .0
        .into_owned()
}

/// [`decode_html`] of bytes the caller is done with: UTF-8 without a byte-order
/// mark, most pages today, becomes the text without a copy.
pub(crate) fn decode_html_owned(bytes: Vec<u8>, header_charset: Option<&str>) -> String {
    let (encoding, bom_len) = encoding_of(&bytes, header_charset);
    let bytes = if encoding == encoding_rs::UTF_8 && bom_len == 0 {
        match String::from_utf8(bytes) {
            Ok(text) => return text,
            Err(invalid) => invalid.into_bytes(),
        }
    } else {
        bytes
    };
    encoding
        .decode_without_bom_handling(&bytes[bom_len..])
        .0
        .into_owned()
}

/// The encoding of an HTML document, by [`decode_html`]'s order, and the length
/// of its byte-order mark.
fn encoding_of(bytes: &[u8], header_charset: Option<&str>) -> (&'static Encoding, usize) {
    if let Some(found) = Encoding::for_bom(bytes) {
        return found;
    }
    let declared = header_charset
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| meta_charset(bytes));
    let encoding = declared.unwrap_or_else(|| {
        if std::str::from_utf8(bytes).is_ok() {
            encoding_rs::UTF_8
        } else {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(Some(b"fi"), chardetng::Utf8Detection::Deny)
        }
    });
    (encoding, 0)
}

/// The charset a `<meta charset>` or `<meta http-equiv="Content-Type">` declares in
/// the first 1024 bytes, where the HTML standard's prescan looks.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i-u)<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.-]+)"#)
            .expect("static regex")
    });
    let head = &bytes[..bytes.len().min(1024)];
    META_CHARSET
        .captures_iter(head)
        .find_map(|c| Encoding::for_label(&c[1]))
        // A page that says UTF-16 in ASCII cannot be UTF-16; the HTML standard
        // reads it as UTF-8.
        .map(Encoding::output_encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_table() {
        let latin1_page =
            b"<meta charset=\"iso-8859-1\"><p>K\xe4ytiin l\xe4pi, ty\xf6</p>".to_vec();
        let http_equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>\xe4\xf6</p>".to_vec();
        let undeclared =
            b"<p>P\xe4\xe4t\xf6s tehtiin kokouksessa. K\xe4ytiin l\xe4pi maakunnan talous.</p>"
                .to_vec();
        let cases: Vec<(&[u8], Option<&str>, &str)> = vec![
            ("<p>äö</p>".as_bytes(), None, "<p>äö</p>"),
            (
                b"\xef\xbb\xbf<p>\xc3\xa4</p>",
                Some("iso-8859-1"),
                "<p>ä</p>",
            ),
            (b"<p>\xe4</p>", Some("ISO-8859-1"), "<p>ä</p>"),
            (b"<p>\x96</p>", Some("windows-1252"), "<p>\u{2013}</p>"),
            (
                &latin1_page,
                None,
                "<meta charset=\"iso-8859-1\"><p>Käytiin läpi, työ</p>",
            ),
            (
                &http_equiv,
                None,
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>äö</p>",
            ),
            (
                &undeclared,
                None,
                "<p>Päätös tehtiin kokouksessa. Käytiin läpi maakunnan talous.</p>",
            ),
            (
                b"<meta charset=utf-8><p>\xc3\xa4\xff</p>",
                None,
                "<meta charset=utf-8><p>\u{e4}\u{fffd}</p>",
            ),
            (b"\xef\xbb\xbf<p>\xc3\xa4</p>", None, "<p>\u{e4}</p>"),
        ];
        for (bytes, header, expected) in cases {
            assert_eq!(decode_html(bytes, header), expected, "{header:?}");
            assert_eq!(
                decode_html_owned(bytes.to_vec(), header),
                expected,
                "owned, {header:?}"
            );
        }
    }
}
