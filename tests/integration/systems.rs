//! Real pages of the meeting publication systems most Finnish public bodies use
//! (Dynasty, TWeb), read with the bundled profiles chosen by `--profile auto`
//! from the pages' own signature. The expected values are read from the same
//! raw HTML by the test itself, independently of harava: Dynasty repeats each
//! row's date and document in HTML comments, TWeb's rows are regular enough for
//! a regular expression.

use std::path::PathBuf;

use regex::Regex;
use serde_json::Value;

use crate::util::{records, root, run, stderr};

fn page(path: &str) -> PathBuf {
    root().join("tests/data/realworld").join(path)
}

/// The page as a browser shows its text (both systems publish windows-1252).
fn text_of(path: &str) -> String {
    let bytes = std::fs::read(page(path)).unwrap();
    encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
}

/// `harava extract` of one real page, as if saved from its original address.
fn extract(path: &str, base_url: &str) -> Vec<Value> {
    let output = run(&[
        "extract",
        "--base-url",
        base_url,
        page(path).to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    records(&output.stdout)
}

fn collapse(text: &str) -> String {
    let text = text.replace("&nbsp;", " ").replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_dynasty_organ_listing_gives_one_record_per_meeting_row() {
    let html = text_of("espoo-dynasty/TELIN-217668.HTM");
    let row = Regex::new(
        r#"<!--TIETUE:(\d+)-->\s*<!--(\d{4}-\d{2}-\d{2})-->\s*<!--(\w+\.HTM)-->[\s\S]*?<a href="([^"]+)">([^<]+)</a>"#,
    )
    .unwrap();
    let expected: Vec<(String, String, String)> = row
        .captures_iter(&html)
        .map(|c| {
            assert!(c[4].ends_with(&c[3]), "the comment names the link's page");
            (c[2].to_string(), c[4].to_string(), c[5].to_string())
        })
        .collect();
    assert_eq!(expected.len(), 57);

    let records = extract(
        "espoo-dynasty/TELIN-217668.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    assert_eq!(records.len(), expected.len());
    for (record, (date, url, document_type)) in records.iter().zip(&expected) {
        assert_eq!(record["profile"], "dynasty");
        assert_eq!(record["meeting_date"], date.as_str(), "{record}");
        assert_eq!(record["detail_url"], url.as_str());
        assert_eq!(record["document_type"], document_type.as_str());
        assert_eq!(record["organ"], "Kaupunginhallitus");
        assert_eq!(
            record["meeting_time"],
            Value::Null,
            "the listing shows no times"
        );
        assert_eq!(record["items"], serde_json::json!([]));
        let (y, m, d) = (&date[..4], &date[5..7], &date[8..]);
        let day = format!(
            "{}.{}.{y}",
            d.trim_start_matches('0'),
            m.trim_start_matches('0')
        );
        assert_eq!(
            record["title"],
            format!("Kaupunginhallitus {document_type} {day}")
        );
        assert_eq!(
            record["warnings"],
            serde_json::json!([format!(
                "body: the detail page {url} was not among the inputs"
            )])
        );
    }
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), records.len(), "ids are unique");
}

#[test]
fn a_dynasty_minutes_index_gives_its_items_header_and_meeting_pdf() {
    let html = text_of("espoo-dynasty/2017406946.HTM");
    let item = Regex::new(
        r#"<td class="tcDat" valign="top">&nbsp;&nbsp;(\d+)</td><td[^>]*>.*?</td><td class="tcDat" colspan="3"><a href="([^"]+\.HTM)">([^<]+)</a>"#,
    )
    .unwrap();
    let expected: Vec<Value> = item
        .captures_iter(&html)
        .map(|c| serde_json::json!({"number": &c[1], "title": collapse(&c[3]), "url": &c[2], "documents": []}))
        .collect();
    assert_eq!(expected.len(), 22, "§ 125–146");

    let records = extract(
        "espoo-dynasty/2017406946.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    assert_eq!(records.len(), 1, "one record for the meeting");
    let record = &records[0];
    assert_eq!(record["items"], Value::Array(expected));
    assert_eq!(record["organ"], "Kaupunginhallitus");
    assert_eq!(record["document_type"], "Pöytäkirja");
    assert_eq!(record["meeting_date"], "2017-05-08");
    assert_eq!(record["meeting_time"], "15:30");
    assert_eq!(record["title"], "Kaupunginhallitus Pöytäkirja 8.5.2017");
    assert_eq!(
        record["detail_url"],
        "http://espoo04.hosting.documenta.fi/kokous/2017406946.HTM"
    );
    assert_eq!(
        record["documents"][0],
        serde_json::json!({"title": "Pöytäkirja PDF-muodossa", "url": "http://espoo04.hosting.documenta.fi/kokous/2017406946.PDF"})
    );
    assert_eq!(record["warnings"], serde_json::json!([]));

    // The listing row of the same meeting has the same id: both come from
    // the meeting's own number in its URL.
    let listing = extract(
        "espoo-dynasty/TELIN-217668.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    let row = listing
        .iter()
        .find(|r| r["detail_url"] == record["detail_url"])
        .unwrap();
    assert_eq!(row["id"], record["id"]);
}

#[test]
fn a_dynasty_item_page_is_dated_by_its_header_not_its_text() {
    let records = extract(
        "espoo-dynasty/2017406946-3.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["organ"], "Kaupunginhallitus");
    assert_eq!(record["meeting_date"], "2017-05-08");
    assert_eq!(record["document_type"], "Pöytäkirja");
    // The text names older dates (the item was tabled on 10.4.2017).
    let body = record["body"].as_str().unwrap();
    assert!(body.contains("(Pöydälle 10.4.2017)"), "{body}");
    assert_eq!(record["dates_mentioned"][0], "2017-04-10");
    let documents: Vec<&str> = record["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        documents,
        [
            "http://espoo04.hosting.documenta.fi/kokous/2017406946-3.PDF",
            "http://espoo04.hosting.documenta.fi/kokous/2017406946-3-1.PDF",
            "http://espoo04.hosting.documenta.fi/kokous/2017406946-3-2.PDF",
        ]
    );
}

#[test]
fn a_tweb_meeting_listing_gives_one_record_per_row_with_date_time_and_organ() {
    let html = text_of("oulu-tweb/oulu_tweb_kaupunginhallitus_kokoukset.html");
    let row = Regex::new(
        r#"<a href="([^"]+bid=\d+)">(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{2}:\d{2})</a></td>\s*<td class="data">([^:<]+): \d+/\d{4}</td>"#,
    )
    .unwrap();
    let expected: Vec<(String, String, String, String)> = row
        .captures_iter(&html)
        .map(|c| {
            let date = format!("{}-{:0>2}-{:0>2}", &c[4], &c[3], &c[2]);
            (c[1].to_string(), date, c[5].to_string(), c[6].to_string())
        })
        .collect();
    assert_eq!(expected.len(), 114);

    let records = extract(
        "oulu-tweb/oulu_tweb_kaupunginhallitus_kokoukset.html",
        "http://asiakirjat.ouka.fi/ktwebbin/dbisa.dll/ktwebscr/",
    );
    assert_eq!(records.len(), expected.len());
    for (record, (url, date, time, organ)) in records.iter().zip(&expected) {
        assert_eq!(record["profile"], "tweb");
        assert_eq!(record["detail_url"], url.as_str());
        assert_eq!(record["meeting_date"], date.as_str(), "{record}");
        assert_eq!(record["meeting_time"], time.as_str());
        assert_eq!(record["organ"], organ.as_str());
        assert_eq!(record["document_type"], "Pöytäkirja");
    }
    // Meetings are told apart by TWeb's own bid, even where two share a date.
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), records.len());
}

#[test]
fn a_tweb_minutes_index_lists_every_row_in_order() {
    let html = text_of("oulu-tweb/oulu_tweb_kaupunginhallitus_5_2017.html");
    let row = Regex::new(
        r#"<td class="data_pykala">(\d*)</td>\s*<td class="data"><a target="_blank" href="([^"]+)">([^<]+)</a></td>\s*<td class="data">(?:<a href="([^"]+)">([^<]+)</a>|-)</td>"#,
    )
    .unwrap();
    let expected: Vec<Value> = row
        .captures_iter(&html)
        .map(|c| {
            let documents = match (c.get(4), c.get(5)) {
                (Some(url), Some(title)) => {
                    serde_json::json!([{"title": title.as_str(), "url": url.as_str()}])
                }
                _ => serde_json::json!([]),
            };
            serde_json::json!({
                "number": if c[1].is_empty() { Value::Null } else { Value::from(&c[1]) },
                "title": collapse(&c[3]),
                "url": c[2].replace("&amp;", "&"),
                "documents": documents,
            })
        })
        .collect();
    assert_eq!(expected.len(), 16);

    let records = extract(
        "oulu-tweb/oulu_tweb_kaupunginhallitus_5_2017.html",
        "http://asiakirjat.ouka.fi/ktwebbin/dbisa.dll/ktwebscr/",
    );
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["items"], Value::Array(expected));
    assert_eq!(record["items"][0]["number"], Value::Null, "the cover page");
    assert_eq!(record["items"][2]["number"], "72");
    assert_eq!(record["organ"], "Kaupunginhallitus");
    assert_eq!(record["meeting_date"], "2017-03-27");
    assert_eq!(record["meeting_time"], "15:00");
    assert_eq!(record["document_type"], "Pöytäkirja");
}

#[test]
fn the_search_form_alone_is_no_listing() {
    let output = run(&[
        "extract",
        page("oulu-tweb/oulu_tweb_haku.html").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(records(&output.stdout), Vec::<Value>::new());
}
