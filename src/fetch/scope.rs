//! Which URLs a crawl may fetch: the start URLs' origins, and their hosts for
//! what is shared per host (the keys are [`url_key::origin`] and
//! [`url_key::politeness`]). It only compares URLs; it fetches nothing.

use url::Url;

use crate::url_key;

/// The origins (scheme, host, port) a crawl may visit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    origins: Vec<String>,
    /// The same origins by [`url_key::politeness`], for what is shared per host.
    hosts: Vec<String>,
}

impl Scope {
    pub(crate) fn new<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Scope {
        let mut origins = Vec::new();
        let mut hosts = Vec::new();
        for url in urls {
            origins.push(url_key::origin(url));
            hosts.push(url_key::politeness(url));
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

    pub(crate) fn contains(&self, url: &Url) -> bool {
        self.origins.contains(&url_key::origin(url))
    }

    /// Whether a host, by its [`url_key::politeness`], serves one of the origins.
    pub(super) fn contains_host(&self, key: &str) -> bool {
        self.hosts.iter().any(|host| host == key)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    /// Both scopes' origins.
    pub(crate) fn union(&self, other: &Scope) -> Scope {
        Scope::from_keys(
            [self.origins.clone(), other.origins.clone()].concat(),
            [self.hosts.clone(), other.hosts.clone()].concat(),
        )
    }
}
