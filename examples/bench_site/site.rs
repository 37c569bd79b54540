//! The pages of a synthetic Uusimaa 2019 site, built from the bundled samples'
//! markup: one listing joined by "Vanhemmat" links, entries newest first, and a
//! detail page per entry. The benchmark server serves it; integration tests that
//! need a site they can change between runs (a new meeting, an edited summary)
//! build it with the same code.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate};

/// The sample pages the site is made of: a listing page and one of its entries'
/// detail pages, both about the meeting of 13.9.2017.
const LISTING: &str = include_str!("../../samples/uusimaa2019/kuntajohtajakokous/index.html");
const DETAIL: &str =
    include_str!("../../samples/uusimaa2019/muistiot/kuntajohtajakokous-13-9-2017/index.html");

pub const ENTRIES_PER_LISTING: usize = 9;
pub const ORIGIN: &str = "https://www.uusimaa2019.fi";
pub const FIRST_LISTING: &str = "/kuntajohtajakokous/";

/// The template's meeting, in the forms the markup spells it.
const TEMPLATE_DAY: &str = "13.9.2017";
const TEMPLATE_SLUG_DAY: &str = "13-9-2017";
const TEMPLATE_UPLOADS: &str = "/uploads/2017/09/";
const TEMPLATE_POST: &str = "post-100";

/// One meeting of the site: its date and its post number, which together give
/// it its own title, documents and detail page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meeting {
    pub date: NaiveDate,
    pub post: usize,
}

/// `count` meetings, one a day back from 31.12.2019, newest first as the blog
/// lists them.
pub fn meetings(count: usize) -> Vec<Meeting> {
    let newest = NaiveDate::from_ymd_opt(2019, 12, 31).expect("a valid date");
    (0..count)
        .map(|index| Meeting {
            date: newest - Days::new(index as u64),
            post: index + 1,
        })
        .collect()
}

/// `text` with `from` replaced by `to`; the samples must hold `from`, or the site
/// would silently stop looking like them.
fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the sample page has no {from:?}");
    text.replace(from, to)
}

/// The template's markup with the meeting's own date and post number.
fn render(template: &str, meeting: Meeting) -> String {
    let (d, m, y) = (
        meeting.date.day(),
        meeting.date.month(),
        meeting.date.year(),
    );
    let text = replace(template, TEMPLATE_DAY, &format!("{d}.{m}.{y}"));
    let text = replace(&text, TEMPLATE_SLUG_DAY, &format!("{d}-{m}-{y}"));
    let text = replace(&text, TEMPLATE_UPLOADS, &format!("/uploads/{y}/{m:02}/"));
    replace(&text, TEMPLATE_POST, &format!("post-{}", meeting.post))
}

/// The path of listing page `number` (1 is the first).
pub fn listing_path(number: usize) -> String {
    match number {
        1 => FIRST_LISTING.to_string(),
        n => format!("{FIRST_LISTING}page/{n}/"),
    }
}

/// The path of a meeting's detail page.
pub fn detail_path(meeting: Meeting) -> String {
    let date = meeting.date;
    format!(
        "/muistiot/kuntajohtajakokous-{}-{}-{}/",
        date.day(),
        date.month(),
        date.year()
    )
}

/// The site's pages by path: `meetings` in order, `per_page` to a listing page.
pub fn build(meetings: &[Meeting], per_page: usize) -> BTreeMap<String, String> {
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
    let listings = meetings.len().div_ceil(per_page).max(1);
    let mut site = BTreeMap::new();
    for number in 1..=listings {
        let path = listing_path(number);
        let mut html = replace(
            head,
            &canonical,
            &format!("<link rel=\"canonical\" href=\"{ORIGIN}{path}\">"),
        );
        for &meeting in meetings.iter().skip((number - 1) * per_page).take(per_page) {
            html.push_str(&render(entry_template, meeting));
            site.insert(detail_path(meeting), render(DETAIL, meeting));
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
        site.insert(path, html);
    }
    site
}

/// Writes every page of `site` under `dir` as `<path>index.html`, as wget
/// mirrors a site.
pub fn write_mirror(site: &BTreeMap<String, String>, dir: &Path) -> std::io::Result<()> {
    for (path, page) in site {
        let folder = dir.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("index.html"), page)?;
    }
    Ok(())
}
