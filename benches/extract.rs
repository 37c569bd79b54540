//! Extraction throughput over the 26 HTML pages of the bundled sample site (its home
//! page, six listing pages and 19 detail pages), in pages per second: first
//! `extract::extract` alone (parse, select, normalize), then the whole
//! `harava extract samples/` pipeline (read, decode, extract, pair, write JSON Lines),
//! and the generic extractor (no profile, `extract::extract_generic`) over the same
//! pages.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harava::extract::{self, Extracted};
use harava::offline::{self, ExtractConfig};
use harava::page::Page;
use harava::profile::{self, ProfileChoice, Profiles};
use harava::sink::Sink;
use url::Url;

/// The sample site's pages, each with the URL it has on the site, read once.
fn sample_pages(samples: &Path) -> Vec<(Url, String)> {
    let site = Url::parse("https://www.uusimaa2019.fi/").expect("static URL");
    let mut pages: Vec<(Url, String)> = walkdir::WalkDir::new(samples)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.expect("samples/ is readable").into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .map(|path| {
            let relative = path.strip_prefix(samples).expect("under samples/");
            let url = site
                .join(&relative.to_string_lossy())
                .expect("a sample path is a URL path");
            let html = std::fs::read_to_string(&path).expect("a sample is UTF-8");
            (url, html)
        })
        .collect();
    pages.shrink_to_fit();
    pages
}

fn bench(c: &mut Criterion) {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/uusimaa2019");
    let pages = sample_pages(&samples);
    assert_eq!(pages.len(), 26, "samples/ should hold 26 HTML pages");
    let profile = profile::bundled()
        .into_iter()
        .find(|p| p.name == "uusimaa2019")
        .expect("the uusimaa2019 profile is bundled");

    // The pages must really be read as listings and details, or the figure means
    // nothing: the index page is the one that is neither.
    let listings = pages
        .iter()
        .filter(|(url, html)| {
            let page = Page::new(url.clone(), url.clone(), html.clone());
            matches!(extract::extract(&page, &profile), Extracted::Listing(_))
        })
        .count();
    assert_eq!(listings, 6, "the samples hold six listing pages");

    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("sample_site", |b| {
        b.iter(|| {
            for (url, html) in &pages {
                // Page::new is part of the work: it prescans for the canonical link.
                let page = Page::new(url.clone(), url.clone(), html.clone());
                black_box(extract::extract(black_box(&page), &profile));
            }
        })
    });
    group.finish();

    // The same pages without a profile: the generic extractor finds the entries
    // by structure. Issue #11 asks that it cost at most twice the profile's run.
    let mut group = c.benchmark_group("generic");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("sample_site", |b| {
        b.iter(|| {
            for (url, html) in &pages {
                // Parsing included, as in the profile's run above.
                let page = Page::new(url.clone(), url.clone(), html.clone());
                black_box(extract::extract_generic(black_box(&page)));
            }
        })
    });
    group.finish();

    let profiles = Profiles::load(&ProfileChoice::Auto).expect("bundled profiles load");
    let config = ExtractConfig::new(vec![samples]);
    let out_dir = tempfile::tempdir().expect("a temporary directory");
    let out_path: PathBuf = out_dir.path().join("records.jsonl");
    let mut group = c.benchmark_group("offline");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("sample_site", |b| {
        b.iter(|| {
            let mut sink = Sink::create(Some(&out_path)).expect("a sink in the temp dir");
            let report = offline::run(&config, &profiles, &mut sink).expect("extract runs");
            assert_eq!(report.records, 19);
            // Dropped without `finish`: its fsync and rename are not extraction,
            // and the temporary file goes with it.
            drop(sink);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
