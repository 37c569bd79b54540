//! Dates in records and on the command line: a weekday that does not fit its
//! date warns instead of moving the date by years, and `--context-date` takes
//! only the years the date grammar reads.

use crate::util::{copy_samples, records, run, stderr};

#[test]
fn a_weekday_that_does_not_fit_keeps_the_year_and_warns() {
    // 10.5. is a Friday in 2019 but not in 2016–2018: posted 8.5.2017, the
    // meeting stays in 2017 and the record says why its weekday was ignored.
    let site = copy_samples(|_, text| {
        text.replace(
            ">Kuntajohtajakokous 10.5.2017</a>",
            ">Kuntajohtajakokous pe 10.5.</a>",
        )
    });
    let output = run(&["extract", site.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let all = records(&output.stdout);
    let record = all
        .iter()
        .find(|r| r["title"] == "Kuntajohtajakokous pe 10.5.")
        .expect("the edited meeting");
    assert_eq!(record["published_date"], "2017-05-08");
    assert_eq!(record["meeting_date"], "2017-05-10");
    assert_eq!(
        record["warnings"],
        serde_json::json!([
            "meeting_date: the weekday in \"pe 10.5.\" does not fall on 2017-05-10 (a keskiviikko); the date is kept and the weekday ignored"
        ])
    );
}

#[test]
fn dates_reports_the_weekday_warning_and_times_after_a_word() {
    let output = run(&[
        "dates",
        "--context-date",
        "2017-01-15",
        "to 7.2. alkaen klo 17; Esityslista 3.4.2024/§ 12",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"text": "to 7.2. alkaen klo 17", "start": "2017-02-07", "end": null, "time": "17:00", "end_time": null, "precision": "day", "span": [0, 21],
                "warning": "the weekday in \"to 7.2. alkaen klo 17\" does not fall on 2017-02-07 (a tiistai); the date is kept and the weekday ignored"}),
            serde_json::json!({"text": "3.4.2024", "start": "2024-04-03", "end": null, "time": null, "end_time": null, "precision": "day", "span": [35, 43]}),
        ]
    );
}

#[test]
fn context_dates_outside_the_grammars_years_are_usage_errors() {
    for value in [
        "-2017-05-08",
        "+2017-05-08",
        "0017-05-08",
        "2017-5-8",
        "12017-05-08",
    ] {
        // The `=` form, since clap reads a lone "-2017-…" as a flag.
        let output = run(&["dates", &format!("--context-date={value}"), "13.9."]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{value}: {}",
            stderr(&output)
        );
        assert_eq!(
            stderr(&output),
            format!(
                "harava: --context-date {value:?} is not a date of 1800–2199; write it as YYYY-MM-DD, e.g. 2017-05-08\n"
            ),
            "{value}"
        );
    }
    let output = run(&["dates", "--context-date", "2017-05-08", "13.9."]);
    assert_eq!(output.status.code(), Some(0));
}
