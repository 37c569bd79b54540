//! The command line itself: help, usage errors, profiles, exit codes.

use crate::util::{run, stderr};

#[test]
fn profiles_lists_the_bundled_profiles() {
    let output = run(&["profiles"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("uusimaa2019\tuusimaa2019.fi\tUusimaa 2019 -hanke: "),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1);
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
        "samples/",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "profile {}: field `listing.title`: invalid CSS selector `h2 >> a`",
            profile.display()
        )),
        "{err}"
    );

    let output = run(&["extract", "--profile", "nosuch", "samples/"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no bundled profile is called `nosuch` (bundled: uusimaa2019)")
    );
}

#[test]
fn a_closed_stdout_is_a_clean_exit() {
    use std::io::Read;
    let mut child = crate::util::harava()
        .args(["extract", crate::util::samples().to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
