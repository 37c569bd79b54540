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

#[path = "yardstick/pages.rs"]
mod pages;

// The allocator of src/main.rs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: parse_only DIR...");
        std::process::exit(2);
    }
    let mut parsed = 0u64;
    for bytes in pages::html_files(&dirs) {
        let html = String::from_utf8_lossy(&bytes);
        black_box(scraper::Html::parse_document(&html));
        parsed += 1;
    }
    println!("{parsed}");
}
