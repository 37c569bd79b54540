//! harava's integration tests: the real binary against real files and real HTTP
//! servers on 127.0.0.1.

mod archive;
mod archive_answers;
mod cdx_hardening;
mod cli;
mod crawl;
mod crawl_hardening;
mod dates_hardening;
mod extract;
mod extract_hardening;
mod generic;
mod harvest;
mod outputs;
mod politeness;
mod signals;
// The benchmark's synthetic site, which tests change between runs.
#[path = "../../examples/bench_site/site.rs"]
mod site;
mod systems;
mod util;
mod wacz;
