//! The baseline of `scripts/bench-extract.sh`: what parsing alone costs. Reads
//! every HTML file under the given directories (sorted, as `harava extract`
//! lists them) and parses it with html5ever into scraper's tree, the parser
//! `harava extract` uses, selecting nothing; prints how many pages it parsed.
//! It allocates with harava's allocator, and reads each file as harava does
//! (one read of the size the file had when opened, no look past it), so that
//! the ratio of the two measures extraction and not allocators or system calls.
//!
//!     cargo run --release --example parse_only -- DIR...

use std::hint::black_box;
use std::io::Read;

// The allocator of src/main.rs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: parse_only DIR...");
        std::process::exit(2);
    }
    let mut pages = 0u64;
    for dir in dirs {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let path = entry.expect("the directory is readable").into_path();
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let mut file = std::fs::File::open(&path).expect("the page opens");
            let size = file.metadata().expect("the page has a size").len();
            let mut bytes = vec![0; size as usize];
            file.read_exact(&mut bytes).expect("the page is readable");
            let html = String::from_utf8_lossy(&bytes);
            black_box(scraper::Html::parse_document(&html));
            pages += 1;
        }
    }
    println!("{pages}");
}
