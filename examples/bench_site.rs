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
//! With `--mirror DIR` it writes the site into DIR instead, laid out as wget
//! mirrors it (`kuntajohtajakokous/page/2/index.html`), for `scripts/bench-extract.sh`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{Datelike, Days, NaiveDate};

/// The sample pages the site is made of: a listing page and one of its entries'
/// detail pages, both about the meeting of 13.9.2017.
const LISTING: &str = include_str!("../samples/uusimaa2019/kuntajohtajakokous/index.html");
const DETAIL: &str =
    include_str!("../samples/uusimaa2019/muistiot/kuntajohtajakokous-13-9-2017/index.html");

const ENTRIES_PER_LISTING: usize = 9;
const DEFAULT_PAGES: usize = 10_000;
const ORIGIN: &str = "https://www.uusimaa2019.fi";
const FIRST_LISTING: &str = "/kuntajohtajakokous/";
/// Everything may be crawled, so both crawlers fetch the same pages.
const ROBOTS: &str = "User-agent: *\nDisallow:\n";

/// The template's meeting, in the forms the markup spells it.
const TEMPLATE_DAY: &str = "13.9.2017";
const TEMPLATE_SLUG_DAY: &str = "13-9-2017";
const TEMPLATE_UPLOADS: &str = "/uploads/2017/09/";
const TEMPLATE_POST: &str = "post-100";

/// `text` with `from` replaced by `to`; the samples must hold `from`, or the site
/// would silently stop looking like them.
fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the sample page has no {from:?}");
    text.replace(from, to)
}

/// One meeting: the template's markup with its own date and post number, so every
/// entry has its own title, date, documents and detail page.
fn meeting(template: &str, date: NaiveDate, post: usize) -> String {
    let (d, m, y) = (date.day(), date.month(), date.year());
    let text = replace(template, TEMPLATE_DAY, &format!("{d}.{m}.{y}"));
    let text = replace(&text, TEMPLATE_SLUG_DAY, &format!("{d}-{m}-{y}"));
    let text = replace(&text, TEMPLATE_UPLOADS, &format!("/uploads/{y}/{m:02}/"));
    replace(&text, TEMPLATE_POST, &format!("post-{post}"))
}

fn listing_path(number: usize) -> String {
    match number {
        1 => FIRST_LISTING.to_string(),
        n => format!("{FIRST_LISTING}page/{n}/"),
    }
}

/// The site's pages by path, rendered once.
fn build_site(pages: usize) -> HashMap<String, Bytes> {
    // The sample listing page cut into what comes before its entries, one entry
    // (the template), and what follows them (pagination, sidebar, footer).
    let entries_start = LISTING
        .find("<article")
        .expect("sample listing has entries");
    let second_entry = LISTING[entries_start + 1..]
        .find("<article")
        .map(|i| entries_start + 1 + i)
        .expect("sample listing has a second entry");
    let entries_end = LISTING
        .find("<nav class=\"navigation posts-navigation\"")
        .expect("sample listing has pagination");
    let (head, entry_template, tail) = (
        &LISTING[..entries_start],
        &LISTING[entries_start..second_entry],
        &LISTING[entries_end..],
    );
    let canonical = format!("<link rel=\"canonical\" href=\"{ORIGIN}{FIRST_LISTING}\">");
    let pagination = format!(
        "<div class=\"nav-links\"><div class=\"nav-previous\"><a href=\"{}\">Vanhemmat</a></div></div>",
        listing_path(2)
    );

    let listings = (pages / (ENTRIES_PER_LISTING + 1)).max(1);
    let newest = NaiveDate::from_ymd_opt(2019, 12, 31).expect("a valid date");
    let mut site = HashMap::with_capacity(listings * (ENTRIES_PER_LISTING + 1) + 1);
    for number in 1..=listings {
        let path = listing_path(number);
        let mut html = replace(
            head,
            &canonical,
            &format!("<link rel=\"canonical\" href=\"{ORIGIN}{path}\">"),
        );
        for slot in 0..ENTRIES_PER_LISTING {
            // One meeting a day, newest first, as the blog lists them.
            let index = (number - 1) * ENTRIES_PER_LISTING + slot;
            let date = newest - Days::new(index as u64);
            html.push_str(&meeting(entry_template, date, index + 1));
            let detail = meeting(DETAIL, date, index + 1);
            let detail_path = format!(
                "/muistiot/kuntajohtajakokous-{}-{}-{}/",
                date.day(),
                date.month(),
                date.year()
            );
            site.insert(detail_path, Bytes::from(detail));
        }
        let newer = (number > 1).then(|| {
            format!(
                "<div class=\"nav-next\"><a href=\"{}\">Uudemmat</a></div>",
                listing_path(number - 1)
            )
        });
        let older = (number < listings).then(|| {
            format!(
                "<div class=\"nav-previous\"><a href=\"{}\">Vanhemmat</a></div>",
                listing_path(number + 1)
            )
        });
        let links = format!(
            "<div class=\"nav-links\">{}{}</div>",
            newer.unwrap_or_default(),
            older.unwrap_or_default()
        );
        html.push_str(&replace(tail, &pagination, &links));
        site.insert(path, Bytes::from(html));
    }
    site
}

async fn serve(State(site): State<Arc<HashMap<String, Bytes>>>, uri: Uri) -> Response {
    if uri.path() == "/robots.txt" {
        return (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            ROBOTS,
        )
            .into_response();
    }
    match site.get(uri.path()) {
        Some(page) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Writes every page of `site` under `dir` as `<path>index.html`.
fn write_mirror(site: &HashMap<String, Bytes>, dir: &std::path::Path) -> std::io::Result<()> {
    for (path, page) in site {
        let folder = dir.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("index.html"), page)?;
    }
    Ok(())
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
            Ok(n) if n > ENTRIES_PER_LISTING => n,
            _ => usage(),
        },
        _ => usage(),
    };
    let site = build_site(pages);
    let bytes: usize = site.values().map(Bytes::len).sum();
    eprintln!(
        "bench_site: {} pages ({} listing pages, {} detail pages), {:.1} MiB of HTML; start at {FIRST_LISTING}",
        site.len(),
        site.len() / (ENTRIES_PER_LISTING + 1),
        site.len() - site.len() / (ENTRIES_PER_LISTING + 1),
        bytes as f64 / (1024.0 * 1024.0)
    );
    if let Some(dir) = mirror {
        return write_mirror(&site, &dir);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    println!("{}", listener.local_addr()?.port());
    let app = axum::Router::new()
        .fallback(serve)
        .with_state(Arc::new(site));
    axum::serve(listener, app).await
}
