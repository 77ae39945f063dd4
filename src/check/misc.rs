//! MISC_CHECK: run a program; exit 0 is up. With `misc_dynamic`, 1 is down and 2..255 is up
//! with weight code - 2. The command line is split into words here (quotes respected); no
//! shell runs unless the command names one. A program past `misc_timeout` is killed with
//! its whole process group, so a hung script cannot pile up children.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::outcome::Outcome;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiscSpec {
    pub argv: Vec<String>,
    pub timeout: Duration,
    pub dynamic: bool,
}

impl MiscSpec {
    /// `None` when the command line is empty or has an unclosed quote.
    pub fn new(command: &str, timeout: Duration, dynamic: bool) -> Option<MiscSpec> {
        let argv = split(command)?;
        (!argv.is_empty()).then_some(MiscSpec {
            argv,
            timeout,
            dynamic,
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
    let Some((prog, args)) = spec.argv.split_first() else {
        return Outcome::down("empty command");
    };
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::down(format!("{prog}: {e}")),
    };
    let status = match tokio::time::timeout(spec.timeout, child.wait()).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Outcome::down(format!("wait: {e}")),
        Err(_) => {
            if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: kill(2) on the process group we created; no memory involved.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
            let _ = child.wait().await;
            return Outcome::down(format!("timed out after {:?}", spec.timeout));
        }
    };
    match status.code() {
        Some(0) => Outcome::Up,
        Some(c) if spec.dynamic && (2..=255).contains(&c) => Outcome::Weight(c as u32 - 2),
        Some(c) => Outcome::down(format!("exit {c}")),
        None => Outcome::down("killed by a signal"),
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
