//! The files of a directory tree in a deterministic order: depth first, the
//! entries of each directory sorted by name, symbolic links followed.
//!
//! This is the order of walkdir's sorted walk, which harava used before. That walk
//! holds every entry of a directory being listed as a whole `DirEntry`, its full
//! path included: about 170 bytes an entry, 15 MiB for a mirror directory of
//! 90,000 pages. This one holds each entry's name, end to end with the others,
//! and eight bytes of where it is and what kind it is: about 5 MiB for that
//! directory.

use std::ffi::OsStr;
use std::fs::{self, FileType};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A file or directory that could not be listed or looked at, and why.
#[derive(Debug)]
pub(crate) struct WalkError {
    pub path: PathBuf,
    pub source: io::Error,
}

pub(crate) struct SortedWalk {
    /// The directories being listed, outermost first.
    open: Vec<OpenDirectory>,
    /// The root, until the walk starts.
    root: Option<PathBuf>,
    /// Entries of the directory just listed that could not be looked at: they
    /// come out before its files, and the rest of the directory is still walked.
    errors: Vec<WalkError>,
}

struct OpenDirectory {
    path: PathBuf,
    names: Names,
    /// What is left to visit, sorted by name, the next last.
    entries: Vec<Listed>,
    /// The device and inode, to tell a link back to a directory being listed;
    /// looked up only once a link to a directory is met, which most trees
    /// never have.
    identity: Option<(u64, u64)>,
}

/// The names of a directory's entries, end to end in blocks of [`NAME_BLOCK`]
/// bytes: one buffer that doubled as it grew would, while it is copied, take
/// three times the room of the names of a directory of a hundred thousand
/// pages.
#[derive(Default)]
struct Names {
    blocks: Vec<Vec<u8>>,
}

const NAME_BLOCK: usize = 64 * 1024;

impl Names {
    /// Adds `name`, and says where it starts.
    fn push(&mut self, name: &[u8]) -> u32 {
        let fits = self
            .blocks
            .last()
            .is_some_and(|block| block.len() + name.len() <= NAME_BLOCK);
        if !fits {
            // A directory of a few entries gets a small first block.
            let room = if self.blocks.is_empty() {
                0
            } else {
                NAME_BLOCK
            };
            self.blocks.push(Vec::with_capacity(room));
        }
        let at = self.blocks.len() - 1;
        let block = &mut self.blocks[at];
        let start = at * NAME_BLOCK + block.len();
        block.extend_from_slice(name);
        u32::try_from(start).expect("a directory's names take less than 4 GiB")
    }

    fn get(&self, start: u32, len: u16) -> &[u8] {
        let (block, offset) = (start as usize / NAME_BLOCK, start as usize % NAME_BLOCK);
        &self.blocks[block][offset..offset + usize::from(len)]
    }
}

/// An entry of a directory: where its name is in [`OpenDirectory::names`], and
/// its kind.
#[derive(Clone, Copy)]
struct Listed {
    start: u32,
    len: u16,
    kind: Kind,
}

impl OpenDirectory {
    fn name(&self, entry: Listed) -> &OsStr {
        OsStr::from_bytes(self.names.get(entry.start, entry.len))
    }
}

#[derive(Clone, Copy)]
enum Kind {
    File,
    Directory,
    /// Looked at when its turn comes, as what it leads to.
    Link,
    Other,
}

impl Kind {
    fn of(file_type: FileType) -> Kind {
        if file_type.is_symlink() {
            Kind::Link
        } else if file_type.is_dir() {
            Kind::Directory
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

impl SortedWalk {
    pub(crate) fn new(root: &Path) -> SortedWalk {
        SortedWalk {
            open: Vec::new(),
            root: Some(root.to_path_buf()),
            errors: Vec::new(),
        }
    }

    /// Fails when the directory `link` leads to is one being listed: the walk
    /// would go round forever.
    fn check_for_loop(&mut self, link: &Path, target: &fs::Metadata) -> Result<(), WalkError> {
        let identity = Some((target.dev(), target.ino()));
        for open in &mut self.open {
            if open.identity.is_none() {
                let metadata = fs::metadata(&open.path).map_err(|source| WalkError {
                    path: link.to_path_buf(),
                    source: io::Error::other(format!(
                        "cannot tell whether it leads back up the tree: {}: {source}",
                        open.path.display()
                    )),
                })?;
                open.identity = Some((metadata.dev(), metadata.ino()));
            }
            if open.identity == identity {
                let message = format!(
                    "a symbolic link loop: it leads back to {}",
                    open.path.display()
                );
                return Err(WalkError {
                    path: link.to_path_buf(),
                    source: io::Error::other(message),
                });
            }
        }
        Ok(())
    }

    /// Lists `path` and makes it the directory being walked. An entry that
    /// cannot be looked at is kept as an error, and the others are still walked.
    fn descend(&mut self, path: PathBuf, identity: Option<(u64, u64)>) -> Result<(), WalkError> {
        let listing = fs::read_dir(&path).map_err(|source| WalkError {
            path: path.clone(),
            source,
        })?;
        let mut directory = OpenDirectory {
            path,
            names: Names::default(),
            entries: Vec::new(),
            identity,
        };
        for entry in listing {
            let looked_at = entry
                .map_err(|source| (directory.path.clone(), source))
                .and_then(|entry| match entry.file_type() {
                    Ok(kind) => Ok((entry.file_name(), Kind::of(kind))),
                    Err(source) => Err((entry.path(), source)),
                });
            match looked_at {
                Ok((name, kind)) => {
                    let len = u16::try_from(name.len()).expect("a file name is under 64 KiB");
                    let start = directory.names.push(name.as_bytes());
                    directory.entries.push(Listed { start, len, kind });
                }
                Err((path, source)) => self.errors.push(WalkError { path, source }),
            }
        }
        // Taken from the end: the first by name comes out first.
        self.errors.sort_unstable_by(|a, b| b.path.cmp(&a.path));
        let mut entries = std::mem::take(&mut directory.entries);
        entries.sort_unstable_by(|&a, &b| directory.name(b).cmp(directory.name(a)));
        directory.entries = entries;
        self.open.push(directory);
        Ok(())
    }
}

impl Iterator for SortedWalk {
    /// A file's path.
    type Item = Result<PathBuf, WalkError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(root) = self.root.take()
            && let Err(e) = self.descend(root, None)
        {
            return Some(Err(e));
        }
        loop {
            if let Some(error) = self.errors.pop() {
                return Some(Err(error));
            }
            let directory = self.open.last_mut()?;
            let Some(entry) = directory.entries.pop() else {
                self.open.pop();
                continue;
            };
            let path = directory.path.join(directory.name(entry));
            let (kind, identity) = match entry.kind {
                Kind::Link => match fs::metadata(&path) {
                    Ok(target) if target.is_dir() => {
                        if let Err(e) = self.check_for_loop(&path, &target) {
                            return Some(Err(e));
                        }
                        (Kind::Directory, Some((target.dev(), target.ino())))
                    }
                    Ok(target) => (Kind::of(target.file_type()), None),
                    Err(source) => return Some(Err(WalkError { path, source })),
                },
                kind => (kind, None),
            };
            match kind {
                Kind::File => return Some(Ok(path)),
                Kind::Directory => {
                    if let Err(e) = self.descend(path, identity) {
                        return Some(Err(e));
                    }
                }
                Kind::Link | Kind::Other => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walked(root: &Path) -> Vec<String> {
        SortedWalk::new(root)
            .map(|item| match item {
                Ok(path) => path.strip_prefix(root).unwrap().display().to_string(),
                Err(e) => format!(
                    "error at {}: {}",
                    e.path.strip_prefix(root).unwrap().display(),
                    e.source
                ),
            })
            .collect()
    }

    #[test]
    fn names_come_back_whole_from_any_block() {
        let mut names = Names::default();
        let all: Vec<String> = (0..20_000).map(|i| format!("kokous-{i}.html")).collect();
        let starts: Vec<u32> = all.iter().map(|name| names.push(name.as_bytes())).collect();
        // 328,890 bytes of names.
        assert_eq!(names.blocks.len(), 6);
        assert!(names.blocks.iter().all(|block| block.len() <= NAME_BLOCK));
        for (name, start) in all.iter().zip(starts) {
            let len = u16::try_from(name.len()).unwrap();
            assert_eq!(names.get(start, len), name.as_bytes());
        }
    }

    #[test]
    fn files_come_depth_first_sorted_by_name_as_walkdir_gives_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "b/index.html",
            "a.html",
            "a/z.html",
            "a/b/c/index.html",
            "a/b/index.html",
            "B.html",
            "ä/index.html",
            "page/10/index.html",
            "page/2/index.html",
        ] {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        fs::create_dir(root.join("empty")).unwrap();
        let expected: Vec<String> = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .follow_links(true)
            .into_iter()
            .map(Result::unwrap)
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                entry
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(walked(root), expected);
        assert_eq!(
            walked(root),
            [
                "B.html",
                "a/b/c/index.html",
                "a/b/index.html",
                "a/z.html",
                "a.html",
                "b/index.html",
                "page/10/index.html",
                "page/2/index.html",
                "ä/index.html",
            ]
        );
    }

    #[test]
    fn links_are_followed_a_loop_and_a_dangling_link_are_reported_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("site/pages")).unwrap();
        fs::write(root.join("site/pages/one.html"), "").unwrap();
        fs::write(root.join("site/z.html"), "").unwrap();
        std::os::unix::fs::symlink("pages", root.join("site/linked")).unwrap();
        std::os::unix::fs::symlink("one.html", root.join("site/pages/two.html")).unwrap();
        std::os::unix::fs::symlink("..", root.join("site/pages/up")).unwrap();
        std::os::unix::fs::symlink("nowhere", root.join("site/gone")).unwrap();
        let site = root.join("site");
        assert_eq!(
            walked(&site),
            [
                "error at gone: No such file or directory (os error 2)".to_string(),
                "linked/one.html".to_string(),
                "linked/two.html".to_string(),
                format!(
                    "error at linked/up: a symbolic link loop: it leads back to {}",
                    site.display()
                ),
                "pages/one.html".to_string(),
                "pages/two.html".to_string(),
                format!(
                    "error at pages/up: a symbolic link loop: it leads back to {}",
                    site.display()
                ),
                "z.html".to_string(),
            ]
        );
    }

    #[test]
    fn a_missing_root_is_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let items: Vec<_> = SortedWalk::new(&missing).collect();
        assert_eq!(items.len(), 1);
        let error = items.into_iter().next().unwrap().unwrap_err();
        assert_eq!(error.path, missing);
        assert_eq!(error.source.kind(), io::ErrorKind::NotFound);
    }
}
