use clap::Parser;

use harava::cli::Opts;
use harava::config::Config;
use harava::{ExitCode, app};

fn main() -> std::process::ExitCode {
    let opts = Opts::parse();
    app::init_logging(opts.verbose, opts.quiet);
    match Config::from_opts(opts) {
        Ok(config) => app::run(config).into(),
        Err(e) => {
            eprintln!("harava: {e}");
            ExitCode::Usage.into()
        }
    }
}
