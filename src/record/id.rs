//! Stable record ids.
//!
//! An id is a hash of where the meeting lives on the original site: its detail
//! page, or, for entries without one, the site plus post date and title. URLs are
//! compared by [`url_key::id`], without scheme, `www.`, port, fragment,
//! trailing slash and session id, because archives keep the same page under
//! http and https, with and without www., and each capture of a page whose
//! server put a session in its links has another one.
//!
//! An entry without a detail page is keyed by its site ([`url_key::site`]: the
//! host without `www.`), not by the listing page it was read from: a new post pushes
//! older entries to the next listing page, and a meeting must keep its id when it
//! moves (else `--state` would deliver it again as new).

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use url::Url;

use crate::url_key;

/// The id of a meeting: 16 hex digits (64 bits) of a SHA-256.
pub(crate) fn record_id(
    detail_url: Option<&Url>,
    listing_url: &Url,
    published: Option<NaiveDate>,
    title: Option<&str>,
) -> String {
    let key = match detail_url {
        Some(url) => format!("detail {}", url_key::id(url)),
        None => format!(
            "entry {} {} {}",
            url_key::site(listing_url),
            published.map(|d| d.to_string()).unwrap_or_default(),
            title.unwrap_or_default()
        ),
    };
    let digest = Sha256::digest(key.as_bytes());
    data_encoding::HEXLOWER.encode(&digest[..8])
}

/// The id of a meeting that its publication system numbers itself (Dynasty's
/// meeting number, TWeb's `bid`): the site plus that number, so the id holds
/// when the system's URLs change around the number.
pub(super) fn system_record_id(url: &Url, system_id: &str) -> String {
    let digest = Sha256::digest(format!("system {} {system_id}", url_key::site(url)).as_bytes());
    data_encoding::HEXLOWER.encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = Url::parse("https://www.uusimaa2019.fi/muistiot/a/").unwrap();
        let a_http = Url::parse("http://uusimaa2019.fi/muistiot/a").unwrap();
        let b = Url::parse("https://www.uusimaa2019.fi/muistiot/b/").unwrap();
        let listing = Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
        let id_a = record_id(Some(&a), &listing, None, None);
        assert_eq!(id_a.len(), 16);
        assert_eq!(id_a, record_id(Some(&a_http), &b, None, Some("other")));
        assert_ne!(id_a, record_id(Some(&b), &listing, None, None));
        let date = NaiveDate::from_ymd_opt(2017, 5, 8);
        assert_ne!(
            record_id(None, &listing, date, Some("Kokous 10.5.2017")),
            record_id(None, &listing, date, Some("Kokous 11.5.2017"))
        );
        // An entry without a detail page keeps its id wherever on the site's
        // listings it is read; another site's entry of the same date and title
        // is another meeting.
        let page_2 = Url::parse("http://uusimaa2019.fi/kuntajohtajakokous/page/2/").unwrap();
        let elsewhere = Url::parse("https://www.kunta.fi/kuntajohtajakokous/").unwrap();
        let entry = record_id(None, &listing, date, Some("Kokous 10.5.2017"));
        assert_eq!(
            entry,
            record_id(None, &page_2, date, Some("Kokous 10.5.2017"))
        );
        assert_ne!(
            entry,
            record_id(None, &elsewhere, date, Some("Kokous 10.5.2017"))
        );
        // Pinned: changing the key format would change every id users have stored.
        assert_eq!(id_a, "38f5b403bf31b10d");
    }
}
