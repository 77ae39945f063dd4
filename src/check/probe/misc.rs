//! MISC_CHECK: run a program; exit 0 is up. With `misc_dynamic`, 1 is down and 2..255 is up
//! with weight code - 2. The command line is split into words ([`crate::linux::script::split`],
//! quotes respected); no shell runs unless the command names one. It runs as its `user`
//! (else `script_user`) like every script ([`crate::linux::script`]); past `misc_timeout` it is killed with its whole
//! process group, so a hung script cannot pile up children.

use std::time::Duration;

use crate::check::Outcome;
use crate::linux::script::{self, Exit, RunAs};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiscSpec {
    pub argv: Vec<String>,
    pub timeout: Duration,
    pub dynamic: bool,
    /// `None`: lvsdeck's own user.
    pub who: Option<RunAs>,
}

impl MiscSpec {
    /// `None` when the command line is empty or has an unclosed quote.
    pub fn new(command: &str, timeout: Duration, dynamic: bool) -> Option<MiscSpec> {
        let argv = script::split(command)?;
        (!argv.is_empty()).then_some(MiscSpec {
            argv,
            timeout,
            dynamic,
            who: None,
        })
    }
}

pub async fn check(spec: &MiscSpec) -> Outcome {
    match script::run(&spec.argv, spec.who, spec.timeout).await {
        Exit::Code(0) => Outcome::Up,
        Exit::Code(c) if spec.dynamic && (2..=255).contains(&c) => Outcome::Weight(c as u32 - 2),
        Exit::Code(c) => Outcome::down(format!("exit {c}")),
        Exit::Signal => Outcome::down("killed by a signal"),
        Exit::TimedOut => Outcome::down(format!("timed out after {:?}", spec.timeout)),
        Exit::Failed(e) => Outcome::down(e),
    }
}
