//! Scanner throughput over 10 MB of Finnish meeting-record text, built from
//! the HTML samples under the crate root so the bench needs nothing else.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

const CORPUS_BYTES: usize = 10 * 1024 * 1024;

fn html_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// Tag stripping good enough for a throughput corpus: drop everything
/// between `<` and `>`, end a line at each tag so paragraphs stay apart.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                if !text.ends_with('\n') {
                    text.push('\n');
                }
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn corpus() -> String {
    let mut files = Vec::new();
    html_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/uusimaa2019"),
        &mut files,
    );
    files.sort();
    let text: String = files
        .iter()
        .map(|p| strip_tags(&std::fs::read_to_string(p).expect("sample is UTF-8")))
        .collect();
    assert!(
        !text.trim().is_empty(),
        "no samples/**/*.html to build the corpus from"
    );
    let mut corpus = String::with_capacity(CORPUS_BYTES + text.len());
    while corpus.len() < CORPUS_BYTES {
        corpus.push_str(&text);
    }
    corpus
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let ctx = chrono::NaiveDate::from_ymd_opt(2018, 6, 1);
    let found = harava::dates::scan(&text, ctx).len();
    assert!(found > 0, "the corpus should hold dates");
    let mut group = c.benchmark_group("dates");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("scan_10MB", |b| {
        b.iter(|| harava::dates::scan(black_box(&text), ctx))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
