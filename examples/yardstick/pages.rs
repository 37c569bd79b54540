//! How the benchmark's yardsticks (`parse_only`, `parse_select`) read pages:
//! as `harava extract` reads a mirror, so that their ratios to it measure
//! extraction and not reading.

use std::io::Read;

/// The bytes of every HTML file under `dirs`, sorted as `harava extract` lists
/// them, each read in one read of the size it had when opened.
pub fn html_files(dirs: &[String]) -> impl Iterator<Item = Vec<u8>> + '_ {
    dirs.iter()
        .flat_map(|dir| walkdir::WalkDir::new(dir).sort_by_file_name())
        .map(|entry| entry.expect("the directory is readable").into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .map(|path| {
            let mut file = std::fs::File::open(&path).expect("the page opens");
            let size = file.metadata().expect("the page has a size").len();
            let mut bytes = vec![0; size as usize];
            file.read_exact(&mut bytes).expect("the page is readable");
            bytes
        })
}
