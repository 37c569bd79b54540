//! The exit codes of the product contract, in one place.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything went well.
    Success = 0,
    /// The run could not run at all (bad profile, unwritable output, …).
    Failure = 1,
    /// Usage error; clap exits with this on its own.
    Usage = 2,
    /// The run finished but some pages or files failed for good.
    PartialFailure = 3,
    /// Stopped by a signal (Ctrl-C, SIGTERM or SIGHUP alike) after writing what was
    /// complete: 128 + SIGINT, as shells report Ctrl-C, for all three, so a
    /// scheduler has one code to tell "stopped" from "failed".
    Interrupted = 130,
}

impl ExitCode {
    /// The code for a finished run with `failures` items that failed for good.
    pub(crate) fn for_failures(failures: u64) -> ExitCode {
        if failures == 0 {
            ExitCode::Success
        } else {
            ExitCode::PartialFailure
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_contract() {
        assert_eq!(ExitCode::Success as u8, 0);
        assert_eq!(ExitCode::Failure as u8, 1);
        assert_eq!(ExitCode::Usage as u8, 2);
        assert_eq!(ExitCode::PartialFailure as u8, 3);
        assert_eq!(ExitCode::Interrupted as u8, 130);
        assert_eq!(ExitCode::for_failures(0), ExitCode::Success);
        assert_eq!(ExitCode::for_failures(2), ExitCode::PartialFailure);
    }
}
