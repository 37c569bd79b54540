//! Which URLs a crawl may fetch, and the keys per-site state is kept under:
//! origins for scope and robots.txt (RFC 9309 scopes a robots.txt to its
//! scheme, host and port), hosts for politeness budgets. It only compares URLs;
//! it fetches nothing.

use url::Url;

/// The origins (scheme, host, port) a crawl may visit.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    origins: Vec<String>,
    /// The same origins by [`host_key`], for what is shared per host.
    hosts: Vec<String>,
}

impl Scope {
    pub fn new<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Scope {
        let mut origins = Vec::new();
        let mut hosts = Vec::new();
        for url in urls {
            origins.push(origin_key(url));
            hosts.push(host_key(url));
        }
        Scope::from_keys(origins, hosts)
    }

    fn from_keys(mut origins: Vec<String>, mut hosts: Vec<String>) -> Scope {
        origins.sort();
        origins.dedup();
        hosts.sort();
        hosts.dedup();
        Scope { origins, hosts }
    }

    pub fn contains(&self, url: &Url) -> bool {
        self.origins.contains(&origin_key(url))
    }

    /// Whether a host, by its [`host_key`], serves one of the origins.
    pub(super) fn contains_host(&self, key: &str) -> bool {
        self.hosts.iter().any(|host| host == key)
    }

    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    /// Both scopes' origins.
    pub fn union(&self, other: &Scope) -> Scope {
        Scope::from_keys(
            [self.origins.clone(), other.origins.clone()].concat(),
            [self.hosts.clone(), other.hosts.clone()].concat(),
        )
    }
}

pub(super) fn origin_key(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The key politeness is kept under: the host, whatever the scheme, so http and
/// https of one server share one budget. A port that is not its scheme's default
/// names another server (as on loopback), so it is part of the key.
pub(super) fn host_key(url: &Url) -> String {
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

    #[test]
    fn host_keys() {
        // Two URLs, and whether they share one budget.
        let cases = [
            ("http://x.fi/a", "https://x.fi/b", true),
            ("http://x.fi:80/", "https://X.FI:443/", true),
            ("http://x.fi/", "http://www.x.fi/", false),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8081/", false),
            ("http://x.fi:8080/", "https://x.fi:8080/", true),
        ];
        for (a, b, shared) in cases {
            assert_eq!(host_key(&url(a)) == host_key(&url(b)), shared, "{a} {b}");
        }
    }
}
