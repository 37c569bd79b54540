//! The files `harava extract` reads: HTML files, directories of them (a wget or
//! HTTrack mirror), WARC files, and standard input, in a deterministic order.

use std::io::Read;
use std::path::{Path, PathBuf};

use url::Url;

use crate::error::Error;

/// One input: an HTML document, or a WARC file of many.
#[derive(Debug)]
pub enum Input {
    Html(InputFile),
    Warc { name: String, source: WarcSource },
}

/// Where a WARC's bytes come from: files are streamed, stdin is already read.
#[derive(Debug)]
pub enum WarcSource {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

/// One input document before decoding.
#[derive(Debug)]
pub struct InputFile {
    /// How the user will recognise it in messages.
    pub name: String,
    pub bytes: Vec<u8>,
    /// The file's URL from its place in a mirror, when `--base-url` was given.
    pub mirror_url: Option<Url>,
    /// A `file:` URL from the path as given, the last resort for the page's URL.
    pub file_url: Url,
}

const HTML_EXTENSIONS: &[&str] = &["html", "htm", "xhtml"];

/// Expands `paths` into inputs: directories recursively (HTML and WARC files,
/// sorted by path), other paths as given, `-` as standard input (HTML or WARC, by
/// its first bytes). A file that cannot be read is returned as an error in its
/// place, so the others are still extracted.
pub fn read_inputs(paths: &[PathBuf], base_url: Option<&Url>) -> Vec<Result<Input, Error>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            out.push(
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map(|_| {
                        if is_warc_bytes(&bytes) {
                            Input::Warc {
                                name: "<stdin>".into(),
                                source: WarcSource::Bytes(bytes),
                            }
                        } else {
                            Input::Html(InputFile {
                                name: "<stdin>".to_string(),
                                bytes,
                                mirror_url: None,
                                file_url: Url::parse("file:///dev/stdin").expect("static URL"),
                            })
                        }
                    })
                    .map_err(|e| Error::Read {
                        path: "<stdin>".into(),
                        source: e,
                    }),
            );
        } else if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .follow_links(true);
            for entry in walker {
                match entry {
                    Ok(entry) if entry.file_type().is_file() && is_warc_name(entry.path()) => {
                        out.push(Ok(warc_file(entry.path())));
                    }
                    Ok(entry) if entry.file_type().is_file() && is_html_name(entry.path()) => {
                        out.push(read_file(entry.path(), Some(path), base_url).map(Input::Html));
                    }
                    Ok(_) => {}
                    Err(e) => out.push(Err(Error::Read {
                        path: e.path().unwrap_or(path).display().to_string(),
                        source: e.into(),
                    })),
                }
            }
        } else if is_warc_name(path) {
            out.push(Ok(warc_file(path)));
        } else {
            out.push(read_file(path, None, base_url).map(|file| {
                if is_warc_bytes(&file.bytes) {
                    Input::Warc {
                        name: file.name,
                        source: WarcSource::Bytes(file.bytes),
                    }
                } else {
                    Input::Html(file)
                }
            }));
        }
    }
    out
}

fn warc_file(path: &Path) -> Input {
    Input::Warc {
        name: path.display().to_string(),
        source: WarcSource::Path(path.to_path_buf()),
    }
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
fn is_warc_bytes(bytes: &[u8]) -> bool {
    bytes.starts_with(b"WARC/") || bytes.starts_with(&[0x1f, 0x8b])
}

fn is_html_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| HTML_EXTENSIONS.iter().any(|h| e.eq_ignore_ascii_case(h)))
}

fn read_file(path: &Path, root: Option<&Path>, base_url: Option<&Url>) -> Result<InputFile, Error> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: name.clone(),
        source: e,
    })?;
    let relative = match root {
        Some(root) => path.strip_prefix(root).unwrap_or(path),
        None => path.file_name().map(Path::new).unwrap_or(path),
    };
    let url_path = mirror_path(relative);
    Ok(InputFile {
        name,
        bytes,
        mirror_url: base_url.and_then(|base| base.join(&url_path).ok()),
        file_url: Url::parse("file:///")
            .and_then(|u| u.join(&url_path))
            .expect("a relative path joins onto file:///"),
    })
}

/// The URL path a mirrored file stands for: `a/b/index.html` is `a/b/`.
fn mirror_path(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut path = parts.join("/");
    if path == "index.html" {
        path.clear();
    } else if let Some(dir) = path.strip_suffix("/index.html") {
        path = format!("{dir}/");
    }
    path.trim_start_matches('/').to_string()
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
        ];
        for (input, expected) in cases {
            assert_eq!(mirror_path(Path::new(input)), expected, "{input}");
        }
    }
}
