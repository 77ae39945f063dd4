//! MISC_CHECK: run a program; exit 0 is up. With `misc_dynamic`, 1 is down and 2..255 is up
//! with weight code - 2. The command line is split into words here (quotes respected); no
//! shell runs unless the command names one. It runs as its `user` (else `script_user`) like
//! every script ([`crate::linux::script`]); past `misc_timeout` it is killed with its whole
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
        let argv = split(command)?;
        (!argv.is_empty()).then_some(MiscSpec {
            argv,
            timeout,
            dynamic,
            who: None,
        })
    }
}

/// Words of a command line: blanks separate, '…' and "…" group, \ escapes in "…" and outside.
pub fn split(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next()?);
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_like_a_shell_without_running_one() {
        let w = |s: &[&str]| Some(s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            split("/bin/check  -a 'b c' \"d \\\"e\\\"\" f\\ g"),
            w(&["/bin/check", "-a", "b c", "d \"e\"", "f g"])
        );
        assert_eq!(split("a '' b"), w(&["a", "", "b"]));
        assert_eq!(split("a 'open"), None);
        assert_eq!(split("   "), w(&[]));
    }
}
