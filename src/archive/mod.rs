//! Reading web archives (Wayback-style replay, CDX indexes) and writing WARC files,
//! their CDXJ indexes and WACZ packages.
pub(crate) mod cdx;
pub(crate) mod cdxj;
pub(crate) mod wacz;
pub mod warc;
pub(crate) mod wayback;
