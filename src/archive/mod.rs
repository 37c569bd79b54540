//! Reading web archives (Wayback-style replay, CDX indexes) and writing WARC files,
//! their CDXJ indexes and WACZ packages.
pub mod cdx;
pub mod cdxj;
pub mod wacz;
pub mod warc;
pub mod wayback;
