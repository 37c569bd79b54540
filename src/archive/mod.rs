//! Reading web archives (Wayback-style replay, CDX indexes) and writing WARC files.
pub mod cdx;
pub mod warc;
pub mod wayback;
