//! A synthetic Uusimaa 2019 site for `scripts/bench-crawl.sh`: one listing of
//! PAGES / 10 pages joined by "Vanhemmat" links, nine entries on each, and a detail
//! page per entry, every page built from the bundled samples' markup.
//!
//!     cargo run --release --example bench_site -- [PAGES]   (default 10000)
//!     cargo run --release --example bench_site -- --mirror DIR [PAGES]
//!
//! Prints the port it listens on (127.0.0.1) as one line on stdout; the crawl starts
//! at `/kuntajohtajakokous/`. Every page is rendered before the port is printed and
//! served from memory, so the server costs next to nothing beside the crawler.
//!
//! Every page has a strong `ETag` and is answered 304 Not Modified when a request's
//! `If-None-Match` names it, as a well-configured server does; `GET /__bench/stats`
//! (which no crawl reaches) reports the requests, bytes and 304s served so far,
//! for `scripts/bench-nightly.sh`.
//!
//! With `--mirror DIR` it writes the site into DIR instead, laid out as wget
//! mirrors it (`kuntajohtajakokous/page/2/index.html`), for `scripts/bench-extract.sh`.

mod site;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};

const DEFAULT_PAGES: usize = 10_000;
/// Everything may be crawled, so both crawlers fetch the same pages.
const ROBOTS: &str = "User-agent: *\nDisallow:\n";

/// A page and its entity tag.
struct Page {
    body: Bytes,
    etag: String,
}

struct Served {
    pages: HashMap<String, Page>,
    requests: AtomicU64,
    bytes: AtomicU64,
    not_modified: AtomicU64,
}

async fn serve(State(served): State<Arc<Served>>, uri: Uri, headers: HeaderMap) -> Response {
    if uri.path() == "/__bench/stats" {
        let stats = format!(
            "{{\"requests\": {}, \"bytes\": {}, \"not_modified\": {}}}\n",
            served.requests.load(Ordering::Relaxed),
            served.bytes.load(Ordering::Relaxed),
            served.not_modified.load(Ordering::Relaxed)
        );
        return ([(header::CONTENT_TYPE, "application/json")], stats).into_response();
    }
    served.requests.fetch_add(1, Ordering::Relaxed);
    if uri.path() == "/robots.txt" {
        served
            .bytes
            .fetch_add(ROBOTS.len() as u64, Ordering::Relaxed);
        return (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            ROBOTS,
        )
            .into_response();
    }
    match served.pages.get(uri.path()) {
        Some(page)
            if headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|tag| tag.as_bytes() == page.etag.as_bytes()) =>
        {
            served.not_modified.fetch_add(1, Ordering::Relaxed);
            (
                StatusCode::NOT_MODIFIED,
                [(header::ETAG, page.etag.clone())],
            )
                .into_response()
        }
        Some(page) => {
            served
                .bytes
                .fetch_add(page.body.len() as u64, Ordering::Relaxed);
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                    (header::ETAG, page.etag.clone()),
                ],
                page.body.clone(),
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn usage() -> ! {
    eprintln!("usage: bench_site [--mirror DIR] [PAGES]   (PAGES >= 10, default {DEFAULT_PAGES})");
    std::process::exit(2);
}

// One thread is plenty for pages served from memory, and leaves the other core to
// the crawler being measured.
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mirror = match args.first().map(String::as_str) {
        Some("--mirror") if args.len() >= 2 => {
            let dir = std::path::PathBuf::from(args.remove(1));
            args.remove(0);
            Some(dir)
        }
        Some("--mirror") => usage(),
        _ => None,
    };
    let pages = match args.as_slice() {
        [] => DEFAULT_PAGES,
        [arg] => match arg.parse::<usize>() {
            Ok(n) if n > site::ENTRIES_PER_LISTING => n,
            _ => usage(),
        },
        _ => usage(),
    };
    let listings = (pages / (site::ENTRIES_PER_LISTING + 1)).max(1);
    let site = site::build(
        &site::meetings(listings * site::ENTRIES_PER_LISTING),
        site::ENTRIES_PER_LISTING,
    );
    let bytes: usize = site.values().map(String::len).sum();
    eprintln!(
        "bench_site: {} pages ({} listing pages, {} detail pages), {:.1} MiB of HTML; start at {}",
        site.len(),
        site.len() / (site::ENTRIES_PER_LISTING + 1),
        site.len() - site.len() / (site::ENTRIES_PER_LISTING + 1),
        bytes as f64 / (1024.0 * 1024.0),
        site::FIRST_LISTING
    );
    if let Some(dir) = mirror {
        return site::write_mirror(&site, &dir);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    println!("{}", listener.local_addr()?.port());
    let pages = site
        .into_iter()
        .map(|(path, body)| {
            let digest = Sha256::digest(body.as_bytes());
            let etag = format!("\"{}\"", data_encoding::HEXLOWER.encode(&digest[..16]));
            (
                path,
                Page {
                    body: Bytes::from(body),
                    etag,
                },
            )
        })
        .collect();
    let served = Served {
        pages,
        requests: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        not_modified: AtomicU64::new(0),
    };
    let app = axum::Router::new()
        .fallback(serve)
        .with_state(Arc::new(served));
    axum::serve(listener, app).await
}
