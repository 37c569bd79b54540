//! harava's integration tests: the real binary against real files and real HTTP
//! servers on 127.0.0.1.

mod archive;
mod cli;
mod crawl;
mod extract;
mod extract_hardening;
mod util;
