//! Web archives. [`warc`] reads the responses a WARC file holds; reading
//! Wayback-style replay and CDX indexes, and writing WARC files, their CDXJ
//! indexes and WACZ packages, are internal.
pub(crate) mod cdx;
pub(crate) mod cdxj;
pub(crate) mod wacz;
pub mod warc;
pub(crate) mod wayback;
