//! The files `harava extract` reads: HTML files, directories of them (a wget or
//! HTTrack mirror), WARC files, and standard input, in a deterministic order.
//!
//! Inputs are listed lazily and read one at a time, each no further than a cap, so
//! memory never depends on how many inputs there are or how large one claims to
//! be: a file is sniffed from its first kilobyte before the rest is read, which is
//! how `/dev/zero` is turned away at once.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
use url::Url;

use crate::error::Error;

/// One input, not yet read.
#[derive(Debug)]
pub(crate) enum Input {
    Html(InputFile),
    /// A WARC file of many pages, by its name or its first bytes.
    Warc {
        name: String,
        path: PathBuf,
    },
    /// Standard input, or a pipe or device named on the command line: read once,
    /// in order, as HTML or a WARC by its first bytes (`path` is `None` for stdin).
    Stream {
        name: String,
        path: Option<PathBuf>,
        file_url: Url,
    },
}

/// One HTML file, read when its turn comes.
#[derive(Debug)]
pub(crate) struct InputFile {
    /// How the user will recognise it in messages.
    pub name: String,
    pub path: PathBuf,
    /// The file's URL from its place in a mirror, when `--base-url` was given.
    pub mirror_url: Option<Url>,
    /// A page saved as plain text (`.txt`), not HTML.
    pub text: bool,
    /// A `file:` URL from the path, the last resort for the page's URL: distinct
    /// for distinct files, every byte of a name other than `-._~` and
    /// alphanumerics percent-encoded.
    pub file_url: Url,
}

/// The name standard input goes by in messages.
pub(crate) const STDIN_NAME: &str = "<stdin>";

const HTML_EXTENSIONS: &[&str] = &["html", "htm", "xhtml"];

/// How much of an input is looked at before it is read in full.
const SNIFF_BYTES: usize = 1024;

/// What is left of a name segment unescaped in a file URL; everything else,
/// `%` and control characters included, is percent-encoded, so two names never
/// share a URL.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The inputs `paths` stand for, in order: directories recursively (HTML and
/// WARC files, depth first, each directory's entries sorted by name), other
/// paths as given (a WARC by its name or its first bytes), `-` as standard
/// input. A path that cannot be listed or opened comes as an error in its
/// place, so the others are still extracted.
pub(crate) fn inputs<'a>(
    paths: &'a [PathBuf],
    base_url: Option<&'a Url>,
) -> impl Iterator<Item = Result<Input, Error>> + Send + 'a {
    paths
        .iter()
        .flat_map(move |path| -> Box<dyn Iterator<Item = _> + Send> {
            if path.as_os_str() == "-" {
                Box::new(std::iter::once(Ok(Input::Stream {
                    name: STDIN_NAME.to_string(),
                    path: None,
                    file_url: Url::parse("file:///dev/stdin").expect("static URL"),
                })))
            } else if path.is_dir() {
                Box::new(directory(path, base_url))
            } else {
                Box::new(std::iter::once(named_file(path, base_url)))
            }
        })
}

fn directory<'a>(
    root: &'a Path,
    base_url: Option<&'a Url>,
) -> impl Iterator<Item = Result<Input, Error>> + Send + 'a {
    super::walk::SortedWalk::new(root).filter_map(move |walked| match walked {
        Ok(path) if is_warc_name(&path) => Some(Ok(Input::Warc {
            name: path.display().to_string(),
            path,
        })),
        Ok(path) if is_html_name(&path) || is_text_name(&path) => {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            Some(Ok(Input::Html(html_file(&path, relative, base_url))))
        }
        Ok(_) => None,
        Err(e) => Some(Err(Error::Read {
            path: e.path.display().to_string(),
            source: e.source,
        })),
    })
}

/// A file named on the command line: a WARC by its name or its first bytes,
/// otherwise HTML; a pipe or a device is a stream. Its file URL comes from its whole path, so two files of one
/// name in different directories stay apart.
fn named_file(path: &Path, base_url: Option<&Url>) -> Result<Input, Error> {
    let name = path.display().to_string();
    if is_warc_name(path) {
        return Ok(Input::Warc {
            name,
            path: path.to_path_buf(),
        });
    }
    let read_error = |source| Error::Read {
        path: name.clone(),
        source,
    };
    let mut file = File::open(path).map_err(read_error)?;
    if !file.metadata().map_err(read_error)?.is_file() {
        // A pipe (`<(…)`) or a device can be read only once, so it is read in
        // turn, like stdin, never reopened.
        let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        return Ok(Input::Stream {
            name,
            path: Some(path.to_path_buf()),
            file_url: file_url(&full),
        });
    }
    let mut head = [0; 5];
    let n = read_up_to(&mut file, &mut head).map_err(read_error)?;
    if is_warc_bytes(&head[..n]) {
        return Ok(Input::Warc {
            name,
            path: path.to_path_buf(),
        });
    }
    let full = std::fs::canonicalize(path).map_err(read_error)?;
    let mut file = html_file(path, &full, None);
    file.mirror_url = base_url.and_then(|base| {
        let relative = path.file_name().map(Path::new).unwrap_or(path);
        base.join(&mirror_path(relative)).ok()
    });
    Ok(Input::Html(file))
}

fn html_file(path: &Path, relative: &Path, base_url: Option<&Url>) -> InputFile {
    InputFile {
        name: path.display().to_string(),
        path: path.to_path_buf(),
        mirror_url: base_url.and_then(|base| base.join(&mirror_path(relative)).ok()),
        file_url: file_url(relative),
        text: is_text_name(path),
    }
}

/// Reads an HTML document from `reader`, refusing at its first kilobyte what is
/// plainly not HTML and past `max_bytes` what is too large.
pub(crate) fn read_html(reader: impl Read, name: &str, max_bytes: u64) -> Result<Vec<u8>, Error> {
    read_html_sized(reader, name, max_bytes, 0)
}

/// [`read_html`] of an input expected to be `size` bytes, read without regrowing.
/// An input of known size within the cap (a file) is read to that size in one
/// read and no further: what is written to it after it was measured is not read.
fn read_html_sized(
    mut reader: impl Read,
    name: &str,
    max_bytes: u64,
    size: u64,
) -> Result<Vec<u8>, Error> {
    let read_error = |source| Error::Read {
        path: name.to_string(),
        source,
    };
    let expected = size.min(max_bytes).max(SNIFF_BYTES as u64);
    let mut bytes = Vec::with_capacity(expected as usize + 1);
    // An input of unknown size (a pipe, a device) is sniffed before more is
    // read; a file of known size within the cap is read whole at once.
    let first = if size == 0 {
        SNIFF_BYTES
    } else {
        size.min(max_bytes) as usize
    };
    bytes.resize(first, 0);
    let n = read_up_to(&mut reader, &mut bytes).map_err(read_error)?;
    bytes.truncate(n);
    if let Some(reason) = not_html(&bytes[..n.min(SNIFF_BYTES)]) {
        return Err(Error::NotHtml {
            path: name.to_string(),
            reason,
        });
    }
    // A file of known size within the cap has now been read to its size (or
    // to its end, if it shrank): a look past it for more would cost one more
    // system call for every file, for what was written after it was measured.
    if size == 0 || size > max_bytes {
        reader
            .take(max_bytes.saturating_add(1).saturating_sub(n as u64))
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
    }
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(name, max_bytes));
    }
    Ok(bytes)
}

/// Reads the HTML file `file`: [`read_html`], but a file whose size is known to be
/// over the cap is refused without reading it.
pub(crate) fn read_html_file(file: &InputFile, max_bytes: u64) -> Result<Vec<u8>, Error> {
    let read_error = |source| Error::Read {
        path: file.name.clone(),
        source,
    };
    let handle = File::open(&file.path).map_err(read_error)?;
    let metadata = handle.metadata().map_err(read_error)?;
    if metadata.is_file() && metadata.len() > max_bytes {
        return Err(too_large(&file.name, max_bytes));
    }
    if file.text {
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        handle
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > max_bytes {
            return Err(too_large(&file.name, max_bytes));
        }
        return Ok(bytes);
    }
    read_html_sized(handle, &file.name, max_bytes, metadata.len())
}

/// The error for an input over `--max-input-bytes`.
pub(crate) fn too_large(name: &str, max_bytes: u64) -> Error {
    Error::Skipped {
        path: name.to_string(),
        reason: format!("it is larger than {max_bytes} bytes; raise --max-input-bytes to read it"),
    }
}

/// Fills as much of `buf` as the input has, however it comes in pieces.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Whether a file of this name inside an input directory is read as an input.
pub(crate) fn read_in_a_directory(path: &Path) -> bool {
    is_warc_name(path) || is_html_name(path) || is_text_name(path)
}

fn is_warc_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".warc") || name.ends_with(".warc.gz")
}

/// A WARC starts with its version line; a gzipped one with the gzip magic (HTML
/// is never served to us gzipped on disk).
pub(crate) fn is_warc_bytes(bytes: &[u8]) -> bool {
    bytes.starts_with(b"WARC/") || bytes.starts_with(&[0x1f, 0x8b])
}

/// A page saved as plain text.
fn is_text_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

/// Whether `path` names an HTML page: by its extension, before the query of a
/// page wget saved under its URL's query (`index.html?page=2`), or after the
/// `.html` that wget's `--adjust-extension` puts after it (`list.php?page=2.html`).
fn is_html_name(path: &Path) -> bool {
    let is_html = |name: &str| {
        Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| HTML_EXTENSIONS.iter().any(|h| e.eq_ignore_ascii_case(h)))
    };
    // Lossily: a name in Latin-1 still ends in `.html`.
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    is_html(&name) || name.split_once('?').is_some_and(|(page, _)| is_html(page))
}

/// A saved page's name and the query of its URL: wget saves the page of
/// `/kokoukset/?page=2` as `kokoukset/index.html?page=2`, with
/// `--adjust-extension` as `kokoukset/index.html?page=2.html`.
fn name_and_query(name: &str) -> (&str, Option<&str>) {
    match name.split_once('?') {
        Some((page, query)) => {
            let adjusted = query.len() > 5
                && query.is_char_boundary(query.len() - 5)
                && query[query.len() - 5..].eq_ignore_ascii_case(".html");
            let query = if adjusted {
                &query[..query.len() - 5]
            } else {
                query
            };
            (page, Some(query))
        }
        None => (name, None),
    }
}

/// Why these first bytes of a file are not an HTML page, if they are not.
fn not_html(head: &[u8]) -> Option<String> {
    if head.is_empty() {
        return Some("the file is empty".into());
    }
    if let Some(binary) = binary_kind(head) {
        return Some(binary.into());
    }
    // UTF-16 has a zero byte in every ASCII character; its byte-order mark says
    // so, and the markup is looked for in the decoded text.
    // Other bytes hold `<` only as itself: decoding them would change nothing.
    let has_markup = match encoding_rs::Encoding::for_bom(head) {
        Some((encoding, bom)) if encoding != encoding_rs::UTF_8 => encoding
            .decode_without_bom_handling(&head[bom..])
            .0
            .contains('<'),
        _ => head.contains(&b'<'),
    };
    if !has_markup {
        return Some("there is no markup in its first kilobyte".into());
    }
    None
}

/// What a document that starts with `head` is when it is no text at all: a
/// PDF, a ZIP (an Office document), or binary data. Looked at in its first
/// kilobyte, whatever it claims to be.
pub(crate) fn binary_kind(head: &[u8]) -> Option<&'static str> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if head.starts_with(b"%PDF") {
        return Some("it is a PDF document");
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some("it is a ZIP archive (an Office document?)");
    }
    // UTF-16 has a zero byte in every ASCII character.
    if encoding_rs::Encoding::for_bom(head)
        .is_some_and(|(encoding, _)| encoding != encoding_rs::UTF_8)
    {
        return None;
    }
    // Random bytes hold about four zero bytes and a hundred control characters
    // a kilobyte; a page with one stray zero byte is still a page. Besides
    // tab, line feed, form feed and carriage return, vertical tab (pasted from
    // word processors) and escape (ISO-2022 encodings switch with it) are text.
    // One pass that counts both, with range tests that do not branch and
    // byte-wide counts, which the compiler turns into vector code: it runs on
    // every input. A chunk of 255 bytes cannot overflow a byte's count.
    let (mut zeros, mut controls) = (0usize, 0usize);
    for chunk in head.chunks(255) {
        let (chunk_zeros, chunk_controls) =
            chunk.iter().fold((0u8, 0u8), |(zeros, controls), &b| {
                let control = (b.wrapping_sub(1) < 8)
                    | (b.wrapping_sub(0x0e) < 13)
                    | (b.wrapping_sub(0x1c) < 4);
                (zeros + u8::from(b == 0), controls + u8::from(control))
            });
        zeros += usize::from(chunk_zeros);
        controls += usize::from(chunk_controls);
    }
    (zeros >= 2 || controls >= 8).then_some(BINARY_DATA)
}

/// What [`binary_kind`] says of data that is no document of a known kind.
pub(crate) const BINARY_DATA: &str = "it holds binary data";

/// The URL path a mirrored file stands for: `a/b/index.html` is `a/b/`.
fn mirror_path(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    let (page, query) = match joined.rsplit_once('/') {
        Some((dir, name)) => {
            let (name, query) = name_and_query(name);
            (format!("{dir}/{name}"), query)
        }
        None => {
            let (name, query) = name_and_query(&joined);
            (name.to_string(), query)
        }
    };
    let mut path = page;
    if path == "index.html" {
        path.clear();
    } else if let Some(dir) = path.strip_suffix("/index.html") {
        path = format!("{dir}/");
    }
    if let Some(query) = query {
        path = format!("{path}?{query}");
    }
    path.trim_start_matches('/').to_string()
}

/// The `file:` URL of a path, `index.html` standing for its directory as in a
/// mirror, each name's bytes percent-encoded.
fn file_url(path: &Path) -> Url {
    let mut segments: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => {
                Some(percent_encode(name.as_encoded_bytes(), SEGMENT).to_string())
            }
            _ => None,
        })
        .collect();
    if segments.last().is_some_and(|last| last == "index.html") {
        segments.pop();
        segments.push(String::new());
    }
    Url::parse(&format!("file:///{}", segments.join("/")))
        .expect("percent-encoded names make a URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_paths() {
        let cases = [
            ("index.html", ""),
            ("kuntajohtajakokous/index.html", "kuntajohtajakokous/"),
            (
                "kuntajohtajakokous/page/2/index.html",
                "kuntajohtajakokous/page/2/",
            ),
            ("muistiot/a.html", "muistiot/a.html"),
            ("muistiot/myindex.html", "muistiot/myindex.html"),
            // wget's names for URLs with a query, with and without
            // --adjust-extension.
            ("kokoukset/index.html?page=2", "kokoukset/?page=2"),
            ("kokoukset/index.html?page=2.html", "kokoukset/?page=2"),
            ("index.html?page=2", "?page=2"),
            ("kokous.aspx?bid=12&x=1.html", "kokous.aspx?bid=12&x=1"),
        ];
        for (input, expected) in cases {
            assert_eq!(mirror_path(Path::new(input)), expected, "{input}");
        }
        use std::os::unix::ffi::OsStrExt;
        let latin1 = std::ffi::OsStr::from_bytes(b"p\xf6yt\xe4kirja.html");
        assert!(read_in_a_directory(Path::new(latin1)));
        for (name, read) in [
            ("kokoukset/index.html?page=2", true),
            ("kokous.aspx?bid=12.html", true),
            ("index.HTM", true),
            ("kokous.aspx?bid=12", false),
            ("kuva.jpg?v=2", false),
            ("ohje.html.pdf", false),
        ] {
            assert_eq!(read_in_a_directory(Path::new(name)), read, "{name}");
        }
    }

    #[test]
    fn file_urls_are_distinct_and_percent_encoded() {
        let cases = [
            ("index.html", "file:///"),
            (
                "kuntajohtajakokous/page/2/index.html",
                "file:///kuntajohtajakokous/page/2/",
            ),
            ("a\nb.html", "file:///a%0Ab.html"),
            ("ab.html", "file:///ab.html"),
            ("a%0Ab.html", "file:///a%250Ab.html"),
            ("a b?c#d.html", "file:///a%20b%3Fc%23d.html"),
            (
                "kokous 7.2./pöytäkirja.html",
                "file:///kokous%207.2./p%C3%B6yt%C3%A4kirja.html",
            ),
            ("/tmp/x/muistiot/index.html", "file:///tmp/x/muistiot/"),
        ];
        for (input, expected) in cases {
            assert_eq!(file_url(Path::new(input)).as_str(), expected, "{input:?}");
        }
    }

    #[test]
    fn html_sniffing() {
        let utf16le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("<p>ä</p>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain("<p>ä</p>".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let cases: [(&[u8], Option<&str>); 12] = [
            (b"<!DOCTYPE html><p>x", None),
            (b"\n\n  <html>", None),
            (&utf16le, None),
            (&utf16be, None),
            (b"", Some("the file is empty")),
            (b"%PDF-1.4\n", Some("it is a PDF document")),
            (b"\x00\x00\x01\x02<", Some("it holds binary data")),
            // One stray zero byte, or an ISO-2022-JP escape, is still a page.
            (b"<html><p>a\x00b</p>", None),
            (b"<html><p>\x1b$B$3$s\x1b(B</p>", None),
            (
                b"<html>\x01\x02\x03\x04\x05\x06\x07\x08",
                Some("it holds binary data"),
            ),
            (
                b"\xff\xfeA\x00",
                Some("there is no markup in its first kilobyte"),
            ),
            (
                b"User-agent: *\nDisallow: /",
                Some("there is no markup in its first kilobyte"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(not_html(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn every_byte_counts_as_control_exactly_when_it_is_not_text() {
        for b in 0..=u8::MAX {
            let control = matches!(b, 1..=8 | 0x0e..=0x1a | 0x1c..=0x1f);
            // Eight of it make binary data; seven, with a tag, do not.
            let mut head = b"<p>".to_vec();
            head.extend([b; 7]);
            assert_eq!(
                binary_kind(&head),
                (b == 0).then_some(BINARY_DATA),
                "{b:#04x}"
            );
            head.push(b);
            assert_eq!(
                binary_kind(&head),
                (b == 0 || control).then_some(BINARY_DATA),
                "{b:#04x}"
            );
        }
        // Counted across the 255-byte chunks the count is taken in, and a
        // kilobyte of control characters does not overflow it.
        let mut head = b"<p>".repeat(83);
        head.extend([0x01; 4]);
        assert_eq!(binary_kind(&head), None, "four controls around byte 255");
        head.extend([0x01; 4]);
        assert_eq!(
            binary_kind(&head),
            Some(BINARY_DATA),
            "eight around byte 255"
        );
        assert_eq!(binary_kind(&[0x1f; 1024]), Some(BINARY_DATA));
        let mut zeros = vec![b'a'; 254];
        zeros.extend([0, 0]);
        assert_eq!(
            binary_kind(&zeros),
            Some(BINARY_DATA),
            "zeros in two chunks"
        );
    }

    /// A reader that counts the reads asked of it (each a system call on a file).
    struct CountingReads<R> {
        inner: R,
        reads: usize,
    }

    impl<R: Read> Read for CountingReads<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            self.inner.read(buf)
        }
    }

    #[test]
    fn a_file_of_known_size_is_read_to_that_size_in_one_read() {
        let page = b"<p>kokous</p>".repeat(100);
        let mut grown = page.clone();
        grown.extend_from_slice(b"<p>written after it was measured</p>");
        let mut file = CountingReads {
            inner: &grown[..],
            reads: 0,
        };
        let size = page.len() as u64;
        assert_eq!(
            read_html_sized(&mut file, "p", u64::MAX, size).unwrap(),
            page
        );
        assert_eq!(file.reads, 1);
        // Under the sniffed kilobyte too.
        let mut small = CountingReads {
            inner: &grown[..300],
            reads: 0,
        };
        assert_eq!(
            read_html_sized(&mut small, "p", u64::MAX, 300).unwrap(),
            &grown[..300]
        );
        assert_eq!(small.reads, 1);
        // Of unknown size (a pipe), an input is read to its end.
        let mut pipe = CountingReads {
            inner: &grown[..],
            reads: 0,
        };
        assert_eq!(read_html_sized(&mut pipe, "p", u64::MAX, 0).unwrap(), grown);
        assert!(pipe.reads >= 3, "{} reads", pipe.reads);
    }

    #[test]
    fn reading_stops_at_the_cap_and_at_binary_data() {
        let page = b"<p>kokous</p>".repeat(100);
        assert_eq!(read_html(&page[..], "p", 1300).unwrap(), page);
        assert_eq!(
            read_html_sized(&page[..], "p", 100, 1300)
                .unwrap_err()
                .to_string(),
            "p: skipped: it is larger than 100 bytes; raise --max-input-bytes to read it",
            "a cap below the sniffed kilobyte"
        );
        assert_eq!(
            read_html(&page[..], "p", 1299).unwrap_err().to_string(),
            "p: skipped: it is larger than 1299 bytes; raise --max-input-bytes to read it"
        );
        // An endless input of zeros ends at its first kilobyte.
        let zeros = io::repeat(0);
        assert_eq!(
            read_html(zeros, "/dev/zero", u64::MAX)
                .unwrap_err()
                .to_string(),
            "/dev/zero: not an HTML page (it holds binary data); give HTML files, directories of them, or WARC files"
        );
    }
}
