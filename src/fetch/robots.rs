//! robots.txt, as RFC 9309 describes the other side: a 2xx body holds the rules;
//! a 4xx means there are none ("allow all"); a 5xx, a 429 (which says "not now",
//! not "nothing here") or an unreachable server means the crawler must assume
//! everything is disallowed. Rules are parsed by the `texting_robots` crate, which
//! also reads `Crawl-delay`.

use std::time::Duration;

use texting_robots::Robot;
use url::Url;

use crate::error::excerpt;

/// The rules of one site for our user agent.
pub(super) enum Robots {
    Rules(Box<Robot>),
    AllowAll,
    /// The site could not tell us its rules, so none of its pages may be fetched;
    /// the reason is reported with each page, which counts as failed: an outage is
    /// not "nothing new".
    Unavailable(String),
}

impl Robots {
    /// Rules from a robots.txt fetch of `url` that ended with `status` and `body`.
    pub(super) fn from_response(agent: &str, url: &Url, status: u16, body: &[u8]) -> Robots {
        match status {
            200..=299 => match Robot::new(agent, body) {
                Ok(robot) => Robots::Rules(Box::new(robot)),
                // An unparsable file states no rules we could follow or break.
                Err(_) => Robots::AllowAll,
            },
            429 => Robots::unavailable(url, "answered HTTP 429 (too many requests)"),
            400..=499 => Robots::AllowAll,
            _ => Robots::unavailable(url, &format!("answered HTTP {status}")),
        }
    }

    /// robots.txt could not be read at `url`, for `why` ("answered HTTP 503").
    pub(super) fn unavailable(url: &Url, why: &str) -> Robots {
        Robots::Unavailable(format!(
            "{} {why}, which RFC 9309 reads as \"disallow everything\" for now; try again later",
            excerpt(url.as_str())
        ))
    }

    pub(super) fn allowed(&self, url: &Url) -> bool {
        match self {
            Robots::Rules(robot) => robot.allowed(url.as_str()),
            Robots::AllowAll => true,
            Robots::Unavailable(_) => false,
        }
    }

    /// The `Crawl-delay` the site asks of us, if any.
    pub(super) fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Robots::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(3600.0))),
            _ => None,
        }
    }
}

/// The product token robots.txt groups are matched against: the User-Agent up to
/// its first `/` or space.
pub(crate) fn agent_token(user_agent: &str) -> &str {
    user_agent.split(['/', ' ']).next().unwrap_or(user_agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse("https://x.fi").unwrap().join(path).unwrap()
    }

    #[test]
    fn rules_by_status() {
        let body = b"User-agent: *\nDisallow: /private/\n\nUser-agent: harava\nDisallow: /muistiot/salainen/\nCrawl-delay: 2.5\n";
        let cases: [(u16, &[u8], &str, bool); 9] = [
            (200, body, "/muistiot/salainen/", false),
            (200, body, "/muistiot/julkinen/", true),
            // Our own group replaces the * group, as RFC 9309 says.
            (200, body, "/private/", true),
            (404, b"", "/anything", true),
            (403, b"", "/anything", true),
            (429, b"", "/anything", false),
            (503, b"", "/anything", false),
            (500, b"", "/anything", false),
            (200, b"User-agent: *\nDisallow: /", "/a", false),
        ];
        for (status, body, path, allowed) in cases {
            let robots = Robots::from_response("harava", &url("/robots.txt"), status, body);
            assert_eq!(robots.allowed(&url(path)), allowed, "{status} {path}");
        }
        assert_eq!(
            Robots::from_response("harava", &url("/robots.txt"), 200, body).crawl_delay(),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            Robots::from_response("harava", &url("/robots.txt"), 404, b"").crawl_delay(),
            None
        );
    }

    #[test]
    fn unavailable_reasons() {
        let cases = [
            (
                429,
                "https://x.fi/robots.txt answered HTTP 429 (too many requests), which RFC 9309 reads as \"disallow everything\" for now; try again later",
            ),
            (
                503,
                "https://x.fi/robots.txt answered HTTP 503, which RFC 9309 reads as \"disallow everything\" for now; try again later",
            ),
        ];
        for (status, expected) in cases {
            match Robots::from_response("harava", &url("/robots.txt"), status, b"") {
                Robots::Unavailable(reason) => assert_eq!(reason, expected),
                _ => panic!("{status} must make robots.txt unavailable"),
            }
        }
    }

    #[test]
    fn agent_tokens() {
        assert_eq!(agent_token("harava/0.1.0 (+https://example.org)"), "harava");
        assert_eq!(agent_token("MyBot"), "MyBot");
    }
}
