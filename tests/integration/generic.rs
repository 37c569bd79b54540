//! Sites no profile knows: the generic extractor reads the sample meetings from
//! another CMS theme as the uusimaa2019 profile reads them from the first, and a
//! known host whose layout changed raises an alarm instead of going quiet.

use serde_json::Value;

use crate::util::{TestServer, crawl, records, run, samples, stderr};

/// The fields both readings must agree on, by title (URLs and ids differ: the
/// other theme puts the meetings at other addresses).
fn comparable(record: &Value) -> Value {
    let documents: Vec<&Value> = record["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["title"])
        .collect();
    serde_json::json!({
        "title": record["title"],
        "organ": record["organ"],
        "published_date": record["published_date"],
        "meeting_date": record["meeting_date"],
        "meeting_time": record["meeting_time"],
        "category": record["category"],
        "summary": record["summary"],
        "body": record["body"],
        "documents": documents,
        "comment_count": record["comment_count"],
        "document_type": record["document_type"],
    })
}

fn by_title(records: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = records.iter().map(comparable).collect();
    out.sort_by(|a, b| a["title"].as_str().cmp(&b["title"].as_str()));
    out
}

fn profile_driven() -> Vec<Value> {
    let root = samples();
    let output = run(&[
        "extract",
        root.join("kuntajohtajakokous").to_str().unwrap(),
        root.join("strateginen-johtoryhma").to_str().unwrap(),
        root.join("muistiot").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    records(&output.stdout)
}

#[test]
fn another_theme_without_a_profile_gives_the_same_meetings() {
    let server = TestServer::serving(crate::util::root().join("samples/uusi-teema"));
    let output = crawl(&[
        "--rate",
        "0",
        &server.url("/toimielimet/kuntajohtajakokous/"),
        &server.url("/toimielimet/strateginen-johtoryhma/"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let generic = records(&output.stdout);
    assert_eq!(generic.len(), 19);
    assert!(generic.iter().all(|r| r["profile"] == "generic"));
    assert!(
        generic
            .iter()
            .all(|r| r["warnings"] == serde_json::json!([])),
        "{generic:?}"
    );
    assert_same_meetings(&by_title(&generic), &by_title(&profile_driven()));
}

/// Compares field by field, so a failure names the meeting and the field.
fn assert_same_meetings(found: &[Value], expected: &[Value]) {
    assert_eq!(found.len(), expected.len());
    let mut differences = Vec::new();
    for (f, e) in found.iter().zip(expected) {
        for (field, value) in e.as_object().unwrap() {
            if &f[field] != value {
                differences.push(format!(
                    "{} {field}: {} instead of {value}",
                    e["title"], f[field]
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn a_suggested_profile_reads_the_site_as_the_generic_run_did() {
    let server = TestServer::serving(crate::util::root().join("samples/uusi-teema"));
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("uusi-teema.toml");
    let output = run(&[
        "profile",
        "suggest",
        "--name",
        "uusi-teema",
        "-o",
        profile.to_str().unwrap(),
        &server.url("/toimielimet/kuntajohtajakokous/"),
        &server.url("/kokoukset/kuntajohtajakokous-10-5-2017/"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(
        text.starts_with("# A profile suggested by `harava profile suggest`"),
        "{text}"
    );
    assert!(text.contains("\nname = \"uusi-teema\"\n"), "{text}");

    let starts = [
        server.url("/toimielimet/kuntajohtajakokous/"),
        server.url("/toimielimet/strateginen-johtoryhma/"),
    ];
    let generic = crawl(&["--rate", "0", &starts[0], &starts[1]]);
    let pinned = crawl(&[
        "--rate",
        "0",
        "--profile",
        profile.to_str().unwrap(),
        &starts[0],
        &starts[1],
    ]);
    assert_eq!(pinned.status.code(), Some(0), "{}", stderr(&pinned));
    let pinned = records(&pinned.stdout);
    assert!(pinned.iter().all(|r| r["profile"] == "uusi-teema"));
    assert_same_meetings(&by_title(&pinned), &by_title(&records(&generic.stdout)));
}

#[test]
fn a_known_host_whose_layout_changed_raises_the_alarm_and_still_gives_the_meetings() {
    // The other theme on the uusimaa2019 profile's own host: its selectors
    // match nothing there.
    let dir = crate::util::root().join("samples/uusi-teema");
    let output = run(&[
        "extract",
        "--base-url",
        "https://www.uusimaa2019.fi/",
        dir.join("toimielimet/kuntajohtajakokous/index.html")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("https://www.uusimaa2019.fi/: the profile uusimaa2019 (selectors/uusimaa2019.toml) found no entry: its selector `listing.entry = \"main article.type-post\"` matched nothing, though the page lists 4 entries; the site's layout may have changed"),
        "{message}"
    );
    let found = records(&output.stdout);
    assert_eq!(found.len(), 4, "the generic fallback still writes them");
    assert!(found.iter().all(|r| r["profile"] == "generic"));
}

/// The seed texts as the oracle reads them, against `records`.
fn assert_seed_records(records: &[Value]) {
    let seeds = crate::util::seed_entries();
    assert_eq!(records.len(), seeds.len());
    assert_eq!(seeds.len(), 9 + 10);
    for (record, seed) in records.iter().zip(&seeds) {
        assert_eq!(record["profile"], "text");
        assert_eq!(record["title"], seed.title.as_str());
        assert_eq!(record["published_date"], crate::util::iso(&seed.published));
        let title_date = seed.title.rsplit(' ').next().unwrap();
        assert_eq!(
            record["meeting_date"],
            crate::util::iso(title_date),
            "{}",
            seed.title
        );
        assert_eq!(record["category"], seed.category.as_str());
        assert_eq!(
            record["documents"],
            serde_json::json!([{"title": seed.document, "url": ""}])
        );
        assert_eq!(record["comment_count"], 0);
        assert_eq!(record["summary"], seed.summary.as_str(), "{}", seed.title);
        assert_eq!(record["warnings"], serde_json::json!([]), "{}", seed.title);
    }
}

#[test]
fn the_seed_texts_read_as_listings() {
    let seeds = crate::util::root().join("tests/data/seeds");
    let output = run(&[
        "extract",
        seeds.join("000_98898b9ca9e9c7a7.txt").to_str().unwrap(),
        seeds.join("003_a2652a4d72fdb76d.txt").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_seed_records(&records(&output.stdout));
}

#[test]
fn a_wet_files_conversion_records_read_as_the_texts_do() {
    let seeds = crate::util::root().join("tests/data/seeds");
    let mut wet = Vec::new();
    for (name, uri) in [
        (
            "000_98898b9ca9e9c7a7.txt",
            "https://www.uusimaa2019.fi/kuntajohtajakokous/",
        ),
        (
            "003_a2652a4d72fdb76d.txt",
            "https://www.uusimaa2019.fi/strateginen-johtoryhma/",
        ),
    ] {
        let text = std::fs::read(seeds.join(name)).unwrap();
        wet.extend_from_slice(
            format!(
                "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2019-03-01T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:{}>\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                if name.starts_with("000") { "00000000-0000-4000-8000-000000000001" } else { "00000000-0000-4000-8000-000000000002" },
                text.len()
            )
            .as_bytes(),
        );
        wet.extend_from_slice(&text);
        wet.extend_from_slice(b"\r\n\r\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seeds.warc.wet");
    std::fs::write(&path, &wet).unwrap();
    let output = run(&["extract", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let found = records(&output.stdout);
    assert_seed_records(&found);
    assert_eq!(
        found[0]["source_url"],
        "https://www.uusimaa2019.fi/kuntajohtajakokous/"
    );
}

/// A WordPress-style site nobody configured, whose posts each list related
/// posts: every meeting gets its post's text, and the related lists add no
/// meetings (they were read as listings: every body was lost, with a warning
/// that the post was not among the inputs, and a fourth, title-less meeting
/// came from a related list).
#[test]
fn related_posts_on_each_post_leave_the_meetings_whole() {
    let site = tempfile::tempdir().unwrap();
    let meetings = [
        ("4.3.2024", "4-3"),
        ("19.2.2024", "19-2"),
        ("5.2.2024", "5-2"),
    ];
    let link = |day: &str, slug: &str| {
        format!("<a href=\"/kh/kokous-{slug}/\">Kunnanhallituksen kokous {day}</a>")
    };
    let entries: String = meetings
        .iter()
        .map(|(day, slug)| {
            format!(
                "<article><h2>{}</h2><p>Kunnanhallitus kokoontuu {day}.</p></article>",
                link(day, slug)
            )
        })
        .collect();
    std::fs::create_dir_all(site.path().join("kh")).unwrap();
    std::fs::write(
        site.path().join("kh/index.html"),
        format!("<!DOCTYPE html><body class=blog><main><h1>Kokoukset</h1>{entries}</main></body>"),
    )
    .unwrap();
    for (day, slug) in meetings {
        let related: String = meetings
            .iter()
            .chain([&("22.1.2024", "22-1")])
            .filter(|(other, _)| *other != day)
            .map(|(other, slug)| format!("<li>{} <span>{other}</span></li>", link(other, slug)))
            .collect();
        let dir = site.path().join(format!("kh/kokous-{slug}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            format!(
                "<!DOCTYPE html><body class='single single-post'><main><article>\
                 <h1>Kunnanhallituksen kokous {day}</h1><div class=entry-content>\
                 <p>Kunnanhallitus kokoontuu {day} kello 17 kunnantalon valtuustosalissa. \
                 Kokouksessa käsitellään tilinpäätöstä ja kaavoitusohjelmaa.</p>\
                 <p>Esityslista julkaistaan viimeistään kokousta edeltävänä torstaina, ja \
                 pöytäkirja on nähtävillä tarkastamisen jälkeen.</p></div></article>\
                 <section class=related-posts><h2>Aiheeseen liittyvät</h2><ul>{related}</ul>\
                 </section></main></body>"
            ),
        )
        .unwrap();
    }
    // A front page of text, which the generic extractor reads as a detail
    // page that no entry links to: the run has entries, so that is no news.
    std::fs::write(
        site.path().join("index.html"),
        "<!DOCTYPE html><main><h1>Esimerkkikunta</h1><p>Tervetuloa Esimerkkikunnan \
         sivuille. Täältä löydät kunnan palvelut, päätöksenteon ja ajankohtaiset asiat \
         sekä yhteystiedot.</p></main>",
    )
    .unwrap();
    let output = run(&[
        "extract",
        "--base-url",
        "https://www.kunta.example.fi/",
        site.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let found = records(&output.stdout);
    let summary: Vec<(&str, &str, &str, usize)> = found
        .iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap(),
                r["meeting_date"].as_str().unwrap(),
                &r["body"].as_str().unwrap()[..40],
                r["warnings"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Kunnanhallituksen kokous 4.3.2024",
                "2024-03-04",
                "Kunnanhallitus kokoontuu 4.3.2024 kello ",
                0
            ),
            (
                "Kunnanhallituksen kokous 19.2.2024",
                "2024-02-19",
                "Kunnanhallitus kokoontuu 19.2.2024 kello",
                0
            ),
            (
                "Kunnanhallituksen kokous 5.2.2024",
                "2024-02-05",
                "Kunnanhallitus kokoontuu 5.2.2024 kello ",
                0
            ),
        ]
    );
}
