//! The keys URLs are compared by. Each question the program asks of two URLs
//! ("is this the page fetched already?", "is this the same meeting?", "is this
//! the same site?") has its own rule, and every module asks it here, so that
//! the rules are seen side by side and stay what they are for a reason.
//!
//! From strictest to loosest: [`dedup`] tells pages apart as fetches, [`id`]
//! as meetings, [`site`] as sites. The fetcher asks two questions of its own:
//! whether a URL is on a site being crawled ([`origin`]: scheme, host and
//! port), and whose budget a request spends ([`politeness`]: host and port).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// The key under which a page counts as fetched in a crawl: the URL without
/// its fragment, which never reaches the server.
///
/// Everything else the server sees is kept (scheme, `www.`, query), since a
/// crawl must not skip a page that might answer differently; default ports
/// go, since the request is the same without them. The one exception is a
/// trailing slash where the site's profile says `/a` and `/a/` are the same
/// page (`ignore_trailing_slash`): a site that links one page both ways is
/// then fetched once per page, not once per spelling.
///
/// An archive's capture is known by its original URL, since the archive serves
/// whichever capture is nearest whatever time is asked for: `url` is then the
/// original and `capture_time` is `None`. With `--all-captures` each capture is
/// a page of its own, and `capture_time` is its timestamp.
pub(crate) fn dedup(url: &Url, ignore_trailing_slash: bool, capture_time: Option<&str>) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    let mut key = url.to_string();
    if ignore_trailing_slash && key.ends_with('/') && url.path() != "/" && url.query().is_none() {
        key.pop();
    }
    match capture_time {
        Some(timestamp) => format!("{key} @{timestamp}"),
        None => key,
    }
}

/// The part of a URL that names a meeting's page however it was reached, for
/// record ids: without scheme, `www.`, port, fragment, trailing slash and
/// session id.
///
/// Archives keep the same page under http and https, with and without `www.`,
/// and sites move between them; a meeting must keep its id through all of it,
/// or `--state` would deliver it again as new. The query stays, since
/// `?p=123` is how many sites name their pages; a session id a server put in
/// the link does not, since each capture of the page has another
/// (`;jsessionid=…`, `?PHPSESSID=…`, `/(S(…))/` and most of the others web
/// archives leave out of their keys).
pub(crate) fn id(url: &Url) -> String {
    let host = site(url);
    let path = without_path_session(url.path());
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        ""
    };
    match url.query().map(without_query_session) {
        Some(Cow::Owned(query)) if query.is_empty() => format!("{host}{path}"),
        Some(query) => format!("{host}{path}?{query}"),
        None => format!("{host}{path}"),
    }
}

/// `path` without a Java servlet's `;jsessionid=…` and without the segment an
/// ASP.NET server without cookies puts its session in before an `.aspx` page
/// (`/(S(…))/Kokous.aspx`, web archives' rule).
fn without_path_session(path: &str) -> Cow<'_, str> {
    static JAVA: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i);jsessionid=[^/;?]*").expect("a valid pattern"));
    static ASP_NET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(.*/)(?:\((?:[a-z]\([0-9a-z]{24}\))+\)|\([0-9a-z]{24}\))/([^?]+\.aspx.*)$",
        )
        .expect("a valid pattern")
    });
    let path = JAVA.replace_all(path, "");
    match ASP_NET.captures(&path) {
        Some(found) => Cow::Owned(format!("{}{}", &found[1], &found[2])),
        None => path,
    }
}

/// `query` without the arguments that carry a session: `jsessionid`,
/// `phpsessid`, `aspsessionid…`, and ColdFusion's `cfid` and `cftoken`. (Web
/// archives drop a 32-character `sid` too; some systems name their documents
/// so, and two meetings must not share an id.)
fn without_query_session(query: &str) -> Cow<'_, str> {
    let is_session = |argument: &str| {
        let name = argument.split_once('=').map_or(argument, |(name, _)| name);
        ["jsessionid", "phpsessid", "cfid", "cftoken"]
            .iter()
            .any(|session| name.eq_ignore_ascii_case(session))
            || name
                .get(..12)
                .is_some_and(|start| start.eq_ignore_ascii_case("aspsessionid"))
    };
    if !query.split('&').any(is_session) {
        return Cow::Borrowed(query);
    }
    Cow::Owned(
        query
            .split('&')
            .filter(|argument| !is_session(argument))
            .collect::<Vec<_>>()
            .join("&"),
    )
}

/// A site as archives and ids know it: the host without `www.`, whatever the
/// scheme, port or path; empty for a URL without a host (a file read without
/// `--base-url`).
///
/// An archive lists one site's captures under http and https, with and
/// without `www.`, so CDX discovery and an archive crawl's scope take them all
/// as one site; and an entry without a detail page is identified by its site,
/// not by the listing page it moves along as new posts come.
pub(crate) fn site(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match host.strip_prefix("www.") {
        Some(rest) => rest.to_string(),
        None => host,
    }
}

/// The key of a live crawl's scope: the URL's origin (scheme, host, port), as
/// browsers draw the line between sites. A start URL on https does not let the
/// crawl wander onto the http site, or onto `www.` when it started without,
/// since those can be other servers with other owners; robots.txt is per
/// origin too (RFC 9309), so it is fetched once per key.
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The key politeness is kept under: the host, whatever the scheme, so http
/// and https of one server share one budget (one machine answers both). A port
/// that is not its scheme's default names another server (as on loopback), so
/// it is part of the key; `www.` is not stripped, since it is often another
/// machine.
pub(crate) fn politeness(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// Per rule, two URLs it takes as one and two it tells apart.
    #[test]
    fn each_key_joins_what_it_should_and_no_more() {
        let dedup_keep = |u: &str| dedup(&url(u), false, None);
        let dedup_ignore = |u: &str| dedup(&url(u), true, None);
        let capture_at = |t: &str| dedup(&url("https://x.fi/a/"), false, Some(t));
        let id_key = |u: &str| id(&url(u));
        let site_key = |u: &str| site(&url(u));
        let origin_key = |u: &str| origin(&url(u));
        let politeness_key = |u: &str| politeness(&url(u));
        type Rule<'a> = (
            &'a str,
            &'a dyn Fn(&str) -> String,
            [&'a str; 2],
            [&'a str; 2],
        );
        let rules: [Rule; 7] = [
            (
                "dedup",
                &dedup_keep,
                ["https://x.fi/a/#kommentit", "https://x.fi/a/"],
                ["https://x.fi/a/", "https://x.fi/a"],
            ),
            (
                "dedup, slashes ignored",
                &dedup_ignore,
                ["https://x.fi/a/", "https://x.fi/a"],
                ["https://x.fi/a", "https://www.x.fi/a"],
            ),
            (
                "dedup, every capture",
                &capture_at,
                ["20190101000000", "20190101000000"],
                ["20190101000000", "20200101000000"],
            ),
            (
                "id",
                &id_key,
                ["https://www.x.fi/a/", "http://x.fi:8080/a"],
                ["https://x.fi/a/?p=1", "https://x.fi/a/?p=2"],
            ),
            (
                "site",
                &site_key,
                ["https://www.x.fi/a/", "http://x.fi/b"],
                ["https://x.fi/", "https://kunta.x.fi/"],
            ),
            (
                "origin",
                &origin_key,
                ["https://x.fi:443/a", "https://x.fi/b"],
                ["https://x.fi/", "http://x.fi/"],
            ),
            (
                "politeness",
                &politeness_key,
                ["http://x.fi:80/", "https://X.FI:443/"],
                ["http://127.0.0.1:8080/", "http://127.0.0.1:8081/"],
            ),
        ];
        for (rule, key, equal, different) in rules {
            assert_eq!(key(equal[0]), key(equal[1]), "{rule}: {equal:?}");
            assert_ne!(
                key(different[0]),
                key(different[1]),
                "{rule}: {different:?}"
            );
        }
    }

    #[test]
    fn seen_keys() {
        let cases = [
            ("https://x.fi/a/#comments", false, "https://x.fi/a/"),
            ("https://x.fi:443/a/", false, "https://x.fi/a/"),
            ("HTTPS://X.FI/a/", true, "https://x.fi/a"),
            ("https://x.fi/", true, "https://x.fi/"),
            ("https://x.fi/a", true, "https://x.fi/a"),
        ];
        for (input, ignore_trailing_slash, expected) in cases {
            assert_eq!(
                dedup(&url(input), ignore_trailing_slash, None),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn url_keys_ignore_how_the_page_was_reached() {
        let cases = [
            (
                "https://www.uusimaa2019.fi/muistiot/a/",
                "uusimaa2019.fi/muistiot/a",
            ),
            (
                "http://uusimaa2019.fi:80/muistiot/a#comments",
                "uusimaa2019.fi/muistiot/a",
            ),
            ("https://WWW.Uusimaa2019.fi/", "uusimaa2019.fi"),
            ("https://x.fi/?p=123", "x.fi?p=123"),
            ("https://x.fi/a/?p=1", "x.fi/a?p=1"),
            ("https://x.fi/a?", "x.fi/a?"),
            // Session ids: every capture of a page has another.
            (
                "https://x.fi/pk.jsp;jsessionid=A1B2C3D4E5F6.node1?id=5",
                "x.fi/pk.jsp?id=5",
            ),
            ("https://x.fi/a/;JSESSIONID=0123?id=5", "x.fi/a?id=5"),
            (
                "https://x.fi/(S(0123456789abcdefghijklmn))/Kokous.aspx?id=5",
                "x.fi/Kokous.aspx?id=5",
            ),
            (
                "https://x.fi/(0123456789abcdefghijklmn)/Kokous.aspx",
                "x.fi/Kokous.aspx",
            ),
            (
                "https://x.fi/k.php?PHPSESSID=q1w2e3r4t5&id=5",
                "x.fi/k.php?id=5",
            ),
            (
                "https://x.fi/k.asp?ASPSESSIONIDQQGGQGPS=ABCDEFGH",
                "x.fi/k.asp",
            ),
            (
                "https://x.fi/k.cfm?CFID=123&CFTOKEN=456&id=5",
                "x.fi/k.cfm?id=5",
            ),
            // Near misses: arguments that only look like one.
            ("https://x.fi/k.php?sid=5&id=5", "x.fi/k.php?sid=5&id=5"),
            (
                "https://x.fi/k.php?sid=0123456789abcdef0123456789ABCDEF",
                "x.fi/k.php?sid=0123456789abcdef0123456789ABCDEF",
            ),
            (
                "https://x.fi/(S(0123456789abcdefghijklmn))/kuva.png",
                "x.fi/(S(0123456789abcdefghijklmn))/kuva.png",
            ),
            (
                "https://x.fi/k.php?session=a&ssid=b",
                "x.fi/k.php?session=a&ssid=b",
            ),
            ("https://x.fi/(tiedotteet)/a", "x.fi/(tiedotteet)/a"),
        ];
        for (input, expected) in cases {
            assert_eq!(id(&url(input)), expected, "{input}");
        }
    }

    #[test]
    fn site_keys() {
        let cases = [
            ("https://www.uusimaa2019.fi/a/", "uusimaa2019.fi"),
            ("http://uusimaa2019.fi/", "uusimaa2019.fi"),
            ("https://WWW.Kunta.FI/*", "kunta.fi"),
            ("http://127.0.0.1:8080/x/", "127.0.0.1"),
            ("file:///home/a/sivu.html", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(site(&url(input)), expected, "{input}");
        }
    }

    #[test]
    fn politeness_keys() {
        // Two URLs, and whether they share one budget.
        let cases = [
            ("http://x.fi/a", "https://x.fi/b", true),
            ("http://x.fi:80/", "https://X.FI:443/", true),
            ("http://x.fi/", "http://www.x.fi/", false),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8081/", false),
            ("http://x.fi:8080/", "https://x.fi:8080/", true),
        ];
        for (a, b, shared) in cases {
            assert_eq!(
                politeness(&url(a)) == politeness(&url(b)),
                shared,
                "{a} {b}"
            );
        }
    }
}
