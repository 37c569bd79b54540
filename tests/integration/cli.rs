//! The command line itself: help, usage errors, profiles, exit codes.

use crate::util::{harava, run, stderr};

#[test]
fn profiles_lists_the_bundled_profiles() {
    let output = run(&["profiles"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("dynasty\t\tDynasty meeting publications"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("tweb\t\tTWeb/KTweb meeting documents"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("uusimaa2019\tuusimaa2019.fi\tUusimaa 2019 -hanke: "),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2_and_say_what_to_do() {
    let output = run(&["extract", "--base-url", "not a url", "x.html"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--base-url \"not a url\" is not a URL"),
        "{}",
        stderr(&output)
    );

    let output = run(&["extract", "-", "x.html", "-"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "harava: - (standard input) is given more than once; it can be read once\n"
    );

    let output = run(&["extract", "--base-url", "ftp://www.kunta.fi/", "x.html"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "harava: --base-url \"ftp://www.kunta.fi/\" is no http or https address; give the address the pages had on the web, like https://www.example.fi/\n"
    );

    // The name goes into the suggested TOML, where a newline would end it.
    let output = run(&["profile", "suggest", "--name", "oma\nprofiili", "x.html"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "harava: --name \"oma\\nprofiili\" cannot name a profile: give a short name of at most 64 characters, without control characters\n"
    );

    let output = run(&["crawl", "ftp://example.org/"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("only http and https URLs can be crawled"));

    let output = run(&["dates", "--context-date", "8.5.2017", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("write it as YYYY-MM-DD"));

    assert_eq!(run(&["extract"]).status.code(), Some(2), "PATH is required");
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_broken_profile_file_fails_at_load_naming_file_field_and_selector() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("oma.toml");
    std::fs::write(
        &profile,
        "name = \"oma\"\n[listing]\nentry = \"article\"\ntitle = \"h2 >> a\"\n",
    )
    .unwrap();
    let output = run(&[
        "extract",
        "--profile",
        profile.to_str().unwrap(),
        "samples/uusimaa2019/",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "profile {}: field `listing.title`: invalid CSS selector `h2 >> a`: a combinator (`>`, `+`, `~`) with no element after it",
            profile.display()
        )),
        "{err}"
    );

    let output = run(&["extract", "--profile", "nosuch", "samples/uusimaa2019/"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "no bundled profile is called `nosuch` (bundled: dynasty, tweb, uusimaa2019)"
        )
    );
}

#[test]
fn a_profile_path_to_a_device_or_a_huge_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, format!("name = \"x\"\n#{}\n", "-".repeat(2 << 20))).unwrap();
    let device = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &device).unwrap();
    let long_name = dir.path().join("name.toml");
    std::fs::write(
        &long_name,
        format!(
            "name = \"{}\"\n[listing]\nentry = \"article\"\n",
            "n".repeat(65)
        ),
    )
    .unwrap();
    let cases = [
        (
            &huge,
            "the file is larger than 1024 KiB, which no profile is; check that --profile names a profile's TOML file",
        ),
        (
            &device,
            "the file is larger than 1024 KiB, which no profile is; check that --profile names a profile's TOML file",
        ),
        (
            &long_name,
            "field `name`: give a short name of at most 64 characters, without control characters",
        ),
    ];
    for (profile, expected) in cases {
        let output = run(&[
            "extract",
            "--profile",
            profile.to_str().unwrap(),
            "samples/uusimaa2019/",
        ]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains(&format!("profile {}: {expected}", profile.display())),
            "{err}"
        );
        assert!(err.len() < 400, "{err}");
    }
}

#[test]
fn two_outputs_in_one_file_or_an_output_over_an_input_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    std::fs::write(path("records.jsonl"), "").unwrap();
    std::os::unix::fs::symlink(path("records.jsonl"), path("link.jsonl")).unwrap();
    std::fs::copy("samples/uusimaa2019/index.html", path("page.html")).unwrap();
    let unreachable = "http://127.0.0.1:9/";
    let cases: [(Vec<String>, String); 8] = [
        (
            vec![
                "crawl".into(),
                "-o".into(),
                path("same"),
                "--warc".into(),
                path("same"),
                unreachable.into(),
            ],
            format!(
                "-o and --warc name the same file, {}; give each output a file of its own",
                path("same")
            ),
        ),
        (
            vec![
                "crawl".into(),
                "-o".into(),
                path("x"),
                "--stats".into(),
                format!("{}/./x", dir.path().display()),
                unreachable.into(),
            ],
            format!(
                "-o and --stats name the same file, {}/./x; give each output a file of its own",
                dir.path().display()
            ),
        ),
        (
            vec![
                "extract".into(),
                "-o".into(),
                path("records.jsonl"),
                "--state".into(),
                path("s"),
                "--changes".into(),
                path("link.jsonl"),
                "samples/uusimaa2019".into(),
            ],
            format!(
                "-o and --changes name the same file, {}; give each output a file of its own",
                path("link.jsonl")
            ),
        ),
        (
            vec![
                "extract".into(),
                "-o".into(),
                path("page.html"),
                path("page.html"),
            ],
            format!(
                "-o names {}, which is also an input; give the output another path",
                path("page.html")
            ),
        ),
        (
            vec![
                "extract".into(),
                "-o".into(),
                path("sivu.html"),
                dir.path().to_str().unwrap().into(),
            ],
            format!(
                "-o names {}, which is inside the input directory {} and would be read as a page; give the output another path",
                path("sivu.html"),
                dir.path().display()
            ),
        ),
        (
            vec![
                "pack".into(),
                "--warc".into(),
                path("records.jsonl"),
                "--records".into(),
                path("page.html"),
                "-o".into(),
                path("link.jsonl"),
            ],
            format!(
                "-o names {}, which is also an input; give the output another path",
                path("records.jsonl")
            ),
        ),
        (
            vec![
                "profile".into(),
                "suggest".into(),
                path("page.html"),
                "-o".into(),
                path("page.html"),
            ],
            format!(
                "-o names {}, which is also an input; give the output another path",
                path("page.html")
            ),
        ),
        (
            vec![
                "extract".into(),
                "--state".into(),
                path("s"),
                "--changes".into(),
                "-".into(),
                "samples/uusimaa2019".into(),
            ],
            "-o and --changes would both write to standard output; give one of them a file".into(),
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), format!("harava: {expected}\n"), "{args:?}");
    }
    // Nothing was written over, and the page is still the page.
    assert_eq!(std::fs::read_to_string(path("records.jsonl")).unwrap(), "");
    assert!(
        std::fs::read_to_string(path("page.html"))
            .unwrap()
            .contains("<html")
    );
    assert!(!dir.path().join("same").exists());
    // Standard output by its path (here a pipe to the test) is standard output;
    // `--stats -` is a file called `-`.
    let both = run(&["crawl", "--stats", "/dev/stdout", unreachable]);
    assert_eq!(
        stderr(&both),
        "harava: -o and --stats would both write to standard output; give one of them a file\n"
    );
    let dash = harava()
        .args(["crawl", "--retries", "0", "--stats", "-", unreachable])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(dash.status.code(), Some(3), "{}", stderr(&dash));
    assert!(dir.path().join("-").exists());
}

#[test]
fn a_closed_stdout_is_a_clean_exit() {
    use std::io::{Read, Write};
    let mut child = crate::util::harava()
        .arg("dates")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Far more output than a pipe buffers, so harava is still writing when the
    // reader goes away.
    let writer = std::thread::spawn(move || {
        let line = "Kokous pidettiin 13.9.2017 ja seuraava 4.10.2017.\n".repeat(50_000);
        let _ = stdin.write_all(line.as_bytes());
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    assert!(
        first.starts_with(b"{\"text\":\"13.9.2017\""),
        "{}",
        String::from_utf8_lossy(&first)
    );
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "no error message for a closed pipe");
}

#[test]
fn dates_prints_one_json_object_per_expression() {
    let output = run(&[
        "dates",
        "--context-date",
        "2017-01-25",
        "Kokouksessa 7.2. järjestettävä foorumi; ke 13.9.2017 klo 9.00–11.30",
    ]);
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"text": "7.2.", "start": "2017-02-07", "end": null, "time": null, "end_time": null, "precision": "day", "span": [12, 16]}),
            serde_json::json!({"text": "ke 13.9.2017 klo 9.00–11.30", "start": "2017-09-13", "end": null, "time": "09:00", "end_time": "11:30", "precision": "day", "span": [43, 72]}),
        ]
    );
}

#[test]
fn readme_usage_block_matches_help() {
    let readme = std::fs::read_to_string(crate::util::root().join("README.md")).unwrap();
    let marker = "<!-- usage: harava --help -->\n```text\n";
    let start = readme.find(marker).expect("README has the usage block") + marker.len();
    let end = start + readme[start..].find("```").unwrap();
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    assert_eq!(
        &readme[start..end],
        help,
        "update the README's usage block to match `harava --help`"
    );
}
