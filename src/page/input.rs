//! The files `harava extract` reads: HTML files, directories of them (a wget or
//! HTTrack mirror), and standard input, in a deterministic order.

use std::io::Read;
use std::path::{Path, PathBuf};

use url::Url;

use crate::error::Error;

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

/// Expands `paths` into files: directories recursively (HTML files only, sorted by
/// path), other paths as given, `-` as standard input. A file that cannot be read
/// is returned as an error in its place, so the others are still extracted.
pub fn read_inputs(paths: &[PathBuf], base_url: Option<&Url>) -> Vec<Result<InputFile, Error>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            out.push(
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map(|_| InputFile {
                        name: "<stdin>".to_string(),
                        bytes,
                        mirror_url: None,
                        file_url: Url::parse("file:///dev/stdin").expect("static URL"),
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
                    Ok(entry) if entry.file_type().is_file() && is_html_name(entry.path()) => {
                        out.push(read_file(entry.path(), Some(path), base_url));
                    }
                    Ok(_) => {}
                    Err(e) => out.push(Err(Error::Read {
                        path: e.path().unwrap_or(path).display().to_string(),
                        source: e.into(),
                    })),
                }
            }
        } else {
            out.push(read_file(path, None, base_url));
        }
    }
    out
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
    if let Some(dir) = path.strip_suffix("index.html") {
        path = dir.to_string();
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
        ];
        for (input, expected) in cases {
            assert_eq!(mirror_path(Path::new(input)), expected, "{input}");
        }
    }
}
