//! `harava extract` over the sample site and over broken input.

use std::fs;

use serde_json::Value;

use crate::util::{self, records, run, run_with_stdin, samples, seed_entries, stderr};

fn extract_samples() -> Vec<Value> {
    let output = run(&["extract", samples().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    records(&output.stdout)
}

#[test]
fn samples_give_the_19_seed_meetings_exactly() {
    let records = extract_samples();
    let seeds = seed_entries();
    assert_eq!(seeds.len(), 19, "the seeds hold 9 + 10 meetings");
    assert_eq!(records.len(), 19);
    let mut ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 19, "ids are unique");

    for (record, seed) in records.iter().zip(&seeds) {
        let title_date = seed.title.rsplit(' ').next().unwrap();
        assert_eq!(record["title"], seed.title.as_str());
        assert_eq!(
            record["published_date"],
            util::iso(&seed.published).as_str(),
            "{}",
            seed.title
        );
        assert_eq!(
            record["meeting_date"],
            util::iso(title_date).as_str(),
            "{}",
            seed.title
        );
        assert_eq!(record["category"], seed.category.as_str());
        assert_eq!(record["summary"], seed.summary.as_str(), "{}", seed.title);
        assert_eq!(
            record["body"],
            seed.summary.as_str(),
            "the detail page holds the same text"
        );
        assert_eq!(record["comment_count"], 0);
        assert_eq!(record["documents"].as_array().unwrap().len(), 1);
        assert_eq!(record["documents"][0]["title"], seed.document.as_str());
        assert!(
            record["documents"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://www.uusimaa2019.fi/wp-content/uploads/")
        );
        assert_eq!(record["warnings"], serde_json::json!([]), "{}", seed.title);
        assert_eq!(record["profile"], "uusimaa2019");
        assert_eq!(record["archive_url"], Value::Null);
        assert_eq!(record["archived_at"], Value::Null);
        assert_eq!(record["fetched_at"], Value::Null);
    }
}

#[test]
fn post_date_and_meeting_date_differ_where_the_seed_says() {
    let records = extract_samples();
    let find = |title: &str| {
        records
            .iter()
            .find(|r| r["title"] == title)
            .unwrap_or_else(|| panic!("{title}"))
            .clone()
    };

    let kjk = find("Kuntajohtajakokous 10.5.2017");
    assert_eq!(kjk["published_date"], "2017-05-08");
    assert_eq!(kjk["meeting_date"], "2017-05-10");
    assert_eq!(kjk["organ"], "Kuntajohtajakokous");
    assert_eq!(
        kjk["source_url"],
        "https://www.uusimaa2019.fi/kuntajohtajakokous/page/2/"
    );
    assert_eq!(
        kjk["detail_url"],
        "https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-10-5-2017/"
    );

    let sjr = find("Strategisen johtoryhmän kokous 26.10.2018");
    assert_eq!(sjr["published_date"], "2018-10-29");
    assert_eq!(sjr["meeting_date"], "2018-10-26");
    assert_eq!(sjr["organ"], "Strateginen johtoryhmä");
    assert_eq!(
        sjr["source_url"],
        "https://www.uusimaa2019.fi/strateginen-johtoryhma/"
    );

    // The "read more" link sits inside this entry's last paragraph; it must not leak.
    let glued = find("Kuntajohtajakokous 19.4.2017");
    assert!(
        glued["summary"]
            .as_str()
            .unwrap()
            .ends_with("valmistelua ei pystytä jatkamaan syksyllä.")
    );

    let year_less = find("Kuntajohtajakokous 25.1.2017");
    assert_eq!(
        year_less["dates_mentioned"],
        serde_json::json!(["2017-02-07"]),
        "\"7.2. järjestettävä\" in a post of 25.1.2017"
    );
    assert_eq!(
        find("Strategisen johtoryhmän kokous 18.5.2018")["dates_mentioned"],
        serde_json::json!(["2018-05-21"])
    );
}

#[test]
fn output_is_byte_identical_between_runs() {
    let first = run(&["extract", samples().to_str().unwrap()]);
    let second = run(&["extract", samples().to_str().unwrap()]);
    assert!(!first.stdout.is_empty());
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn without_a_usable_temporary_directory_what_waits_stays_in_memory() {
    let with_disk = run(&["extract", samples().to_str().unwrap()]);
    let without = util::harava()
        .env("TMPDIR", "/nonexistent/harava-temporary")
        .args(["extract", samples().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(without.status.success(), "{}", stderr(&without));
    assert_eq!(records(&without.stdout).len(), 19);
    assert_eq!(without.stdout, with_disk.stdout);
}

#[test]
fn explain_says_which_profile_read_a_page_and_with_what_only_when_asked() {
    let page = samples().join("strateginen-johtoryhma/page/3/index.html");
    let page = page.to_str().unwrap();
    let explained = run(&["extract", "--explain", page]);
    let stderr_text = stderr(&explained);
    let lines: Vec<&str> = stderr_text
        .lines()
        .filter(|line| line.starts_with("harava: explain "))
        .collect();
    let on = "harava: explain https://www.uusimaa2019.fi/strateginen-johtoryhma/page/3/: ";
    assert_eq!(
        lines[..2],
        [
            format!("{on}profile: uusimaa2019 (its hosts include www.uusimaa2019.fi)"),
            format!("{on}listing.entry: main article.type-post"),
        ]
    );
    assert!(lines.contains(&format!("{on}detail.body: main article .entry-content").as_str()));
    let quiet = run(&["extract", page]);
    assert!(!stderr(&quiet).contains("explain"), "{}", stderr(&quiet));
    assert_eq!(explained.stdout, quiet.stdout);
}

#[test]
fn output_file_is_written_whole_and_nothing_else_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("meetings.jsonl");
    let output = run(&[
        "extract",
        "-o",
        out.to_str().unwrap(),
        samples().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert_eq!(records(&fs::read(&out).unwrap()).len(), 19);
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["meetings.jsonl"]);
}

/// A copy of the first Kuntajohtajakokous page with `edit` applied.
fn edited_listing(edit: impl Fn(String) -> String) -> String {
    let html = fs::read_to_string(samples().join("kuntajohtajakokous/index.html")).unwrap();
    let edited = edit(html.clone());
    assert_ne!(edited, html, "the edit must change the page");
    edited
}

#[test]
fn a_missing_title_or_an_unreadable_date_keeps_the_record_with_a_warning() {
    let page = edited_listing(|html| {
        html.replacen(r#"<span class="posted-on">23.8.2017</span>"#, r#"<span class="posted-on">eilen</span>"#, 1)
            .replacen(
                r#"<h2 class="entry-title"><a href="/muistiot/kuntajohtajakokous-21-6-2017/" rel="bookmark">Kuntajohtajakokous 21.6.2017</a></h2>"#,
                "",
                1,
            )
    });
    let output = run_with_stdin(&["extract", "-"], page.as_bytes());
    assert!(output.status.success(), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), 4);

    let undated = &records[1];
    assert_eq!(undated["title"], "Kuntajohtajakokous 23.8.2017");
    assert_eq!(undated["published_date"], Value::Null);
    assert_eq!(
        undated["meeting_date"], "2017-08-23",
        "the title still names the meeting date"
    );
    assert_eq!(
        undated["warnings"][0],
        "published_date: no date found in \"eilen\""
    );

    let untitled = &records[2];
    assert_eq!(untitled["title"], Value::Null);
    assert_eq!(untitled["published_date"], "2017-06-21");
    assert_eq!(
        untitled["meeting_date"], "2017-06-21",
        "without a title the post date stands in"
    );
    assert_eq!(untitled["detail_url"], Value::Null);
    assert!(
        untitled["summary"]
            .as_str()
            .unwrap()
            .starts_with("Kuntajohtajat kuulivat kansanedustaja Outi Mäkelän")
    );
    let warnings: Vec<&str> = untitled["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        vec![
            "title: the entry has no title element, or it is empty",
            "detail_url: the entry has no detail link"
        ]
    );

    // Only the listing came in, so the others say their body was not among the inputs.
    assert_eq!(
        records[0]["warnings"][0],
        "body: the detail page https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-13-9-2017/ was not among the inputs"
    );
}

#[test]
fn bad_files_are_reported_by_name_and_the_rest_is_extracted() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("asiakirja.pdf");
    fs::write(&pdf, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n").unwrap();
    let missing = dir.path().join("puuttuu.html");
    let listing = samples().join("strateginen-johtoryhma/index.html");
    let output = run(&[
        "extract",
        pdf.to_str().unwrap(),
        missing.to_str().unwrap(),
        listing.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{}: not an HTML page (it is a PDF document)",
            pdf.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: cannot read: No such file or directory",
            missing.display()
        )),
        "{err}"
    );
    assert!(err.contains("2 failures in 3 inputs"), "{err}");
    assert_eq!(records(&output.stdout).len(), 4);
}

#[test]
fn a_mirror_without_canonical_links_gets_its_urls_from_base_url() {
    let canonical = regex::Regex::new(r#"<link rel="canonical" href="[^"]*">\n"#).unwrap();
    let dir = util::copy_samples(|_, text| canonical.replace_all(&text, "").into_owned());
    let with_base = run(&[
        "extract",
        "--base-url",
        "https://www.uusimaa2019.fi",
        dir.path().to_str().unwrap(),
    ]);
    assert!(with_base.status.success(), "{}", stderr(&with_base));
    assert_eq!(
        util::comparable(records(&with_base.stdout)),
        util::comparable(extract_samples())
    );

    let without = run(&["extract", dir.path().to_str().unwrap()]);
    let records = records(&without.stdout);
    assert_eq!(records.len(), 19, "nothing is lost without a base URL");
    assert!(
        records[0]["source_url"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
    assert!(
        records[0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("has no canonical link and no --base-url was given")
    );
}

/// Detail pages without the listing that links to them give no record, and
/// the run says why and what to give instead; with the listings, nothing is
/// said.
#[test]
fn detail_pages_no_entry_links_to_are_named_at_the_end() {
    let one = samples().join("muistiot/kuntajohtajakokous-10-5-2017/index.html");
    let all_details = samples().join("muistiot");
    let advice = "A detail page's record comes from the listing entry that links to it: give the listing pages too (a whole mirror), or pin a profile with `standalone = true` for pages that stand alone\n";
    for (input, said) in [
        (
            &one,
            "1 detail page gave no record: no entry of the inputs links to it.",
        ),
        (
            &all_details,
            "19 detail pages gave no record: no entry of the inputs links to them.",
        ),
    ] {
        let output = run(&["extract", input.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(records(&output.stdout).len(), 0);
        assert_eq!(stderr(&output), format!("harava: {said} {advice}"));
    }
    let output = run(&["extract", samples().to_str().unwrap()]);
    assert_eq!(stderr(&output), "");
}

#[test]
fn every_record_validates_against_the_printed_schema() {
    let output = run(&["schema"]);
    assert!(output.status.success());
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid JSON Schema");
    let records = extract_samples();
    for record in &records {
        let errors: Vec<String> = validator
            .iter_errors(record)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", record["title"]);
    }
    // And the schema is strict enough to catch a broken record.
    let mut broken = records[0].clone();
    broken["meeting_date"] = Value::from(20170510);
    assert!(!validator.is_valid(&broken));
    broken = records[0].clone();
    broken.as_object_mut().unwrap().remove("warnings");
    assert!(!validator.is_valid(&broken));
    broken = records[0].clone();
    broken["published_date"] = Value::from("2017-13-45");
    assert!(!validator.is_valid(&broken), "dates are checked as dates");
    broken = records[0].clone();
    broken["id"] = Value::from("not-an-id");
    assert!(!validator.is_valid(&broken));
    broken = records[0].clone();
    broken["archived_at"] = Value::from("eilen");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn with_a_state_file_only_new_or_changed_meetings_come_out() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let state = state.to_str().unwrap();
    let first = run(&["extract", "--state", state, samples().to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(records(&first.stdout).len(), 19);
    assert!(
        stderr(&first).contains("19 meetings new or changed since the last run, 0 unchanged"),
        "{}",
        stderr(&first)
    );
    let meetings: i64 = rusqlite::Connection::open(state)
        .unwrap()
        .query_row("SELECT count(*) FROM meetings", [], |row| row.get(0))
        .unwrap();
    assert_eq!(meetings, 19);

    let again = run(&["extract", "--state", state, samples().to_str().unwrap()]);
    assert!(again.status.success());
    assert!(again.stdout.is_empty());
    assert!(
        stderr(&again).contains("0 meetings new or changed since the last run, 19 unchanged"),
        "{}",
        stderr(&again)
    );

    let edited = util::copy_samples(|path, text| {
        if path.ends_with("kuntajohtajakokous/index.html") {
            text.replace(
                "Maakunta tekee näistä itse aikanaan päätökset.",
                "Maakunta päättää.",
            )
        } else {
            text
        }
    });
    let after_edit = run(&["extract", "--state", state, edited.path().to_str().unwrap()]);
    let news = records(&after_edit.stdout);
    assert_eq!(news.len(), 1, "only the edited meeting");
    assert!(
        news[0]["summary"]
            .as_str()
            .unwrap()
            .ends_with("Maakunta päättää.")
    );
}

// /dev/full is Linux's.
#[cfg(target_os = "linux")]
#[test]
fn an_extract_that_cannot_write_ends_its_state_run_in_error_and_delivers_nothing() {
    // The samples' records fit in the output's buffer, so the write fails when
    // the run finishes; a 100 KB body makes it fail in the middle of the run.
    let long_body = util::copy_samples(|path, text| {
        if path.ends_with("muistiot/kuntajohtajakokous-10-5-2017/index.html") {
            let paragraph = format!("<p>{}</p>", "Pöytäkirja tarkastettiin. ".repeat(4_000));
            text.replacen(
                r#"<div class="entry-content">"#,
                &format!(r#"<div class="entry-content">{paragraph}"#),
                1,
            )
        } else {
            text
        }
    });
    for input in [samples(), long_body.path().to_path_buf()] {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("harava.state");
        let state = state.to_str().unwrap();
        let input = input.to_str().unwrap();
        let full = run(&["extract", "--state", state, "-o", "/dev/full", input]);
        assert_eq!(full.status.code(), Some(1), "{}", stderr(&full));
        assert!(
            stderr(&full).contains("harava: /dev/full: cannot write: No space left on device"),
            "{}",
            stderr(&full)
        );

        let status = run(&["state", "status", "--state", state, "--json"]);
        let json: Value = serde_json::from_slice(&status.stdout).unwrap();
        let last_run = &json["sources"][0]["last_run"];
        assert_eq!(last_run["outcome"], "error", "{input}: {json}");
        assert_eq!(last_run["running"], false, "{json}");

        // Nothing counted as delivered: the next run writes every meeting.
        let out = dir.path().join("records.jsonl");
        let again = run(&[
            "extract",
            "--state",
            state,
            "-o",
            out.to_str().unwrap(),
            input,
        ]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_eq!(records(&std::fs::read(&out).unwrap()).len(), 19);
    }
}
