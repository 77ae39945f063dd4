//! The connecting edge of the control socket: one connection, a request line out, the
//! reply line back; and `lvsdeck control` for a shell.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::UnixStream;

use super::protocol::{parse_reply, parse_request, to_line, ControlError, Reply, Request};

/// How long a reply may take.
const REPLY_WITHIN: Duration = Duration::from_secs(5);

pub struct Client {
    lines: tokio::io::Lines<BufReader<OwnedReadHalf>>,
    write: OwnedWriteHalf,
}

impl Client {
    pub async fn connect(path: &Path) -> anyhow::Result<Client> {
        let stream = tokio::time::timeout(Duration::from_secs(1), UnixStream::connect(path))
            .await
            .with_context(|| format!("{}: no answer", path.display()))?
            .with_context(|| format!("{}", path.display()))?;
        let (read, write) = stream.into_split();
        Ok(Client {
            lines: BufReader::new(read).lines(),
            write,
        })
    }

    /// Sends one request and waits for its reply.
    pub async fn request(&mut self, req: &Request) -> anyhow::Result<Reply> {
        self.request_line(&to_line(req)).await
    }

    /// Sends a request line as it is (one line, the daemon judges it) and waits for the reply.
    pub async fn request_line(&mut self, line: &str) -> anyhow::Result<Reply> {
        let mut line = line.trim_end_matches('\n').replace('\n', " ");
        line.push('\n');
        self.write
            .write_all(line.as_bytes())
            .await
            .context("sending the request")?;
        let line = tokio::time::timeout(REPLY_WITHIN, self.lines.next_line())
            .await
            .context("the daemon did not answer in time")?
            .context("reading the reply")?;
        let Some(line) = line else {
            bail!("the daemon closed the connection");
        };
        Ok(parse_reply(&line)?)
    }
}

/// The request a shell command line names.
pub fn short_form(words: &[String]) -> Result<Request, ControlError> {
    let joined = words.join(" ");
    if joined.trim_start().starts_with('{') {
        return parse_request(&joined);
    }
    let (cmd, rest) = match words.split_first() {
        Some((c, r)) => (c.as_str(), r.join(" ")),
        None => return Err(ControlError::Usage(
            "name a request: status, drain, disable, undrain, reconcile, keep, give-up, priority"
                .into(),
        )),
    };
    let entry = (!rest.trim().is_empty()).then(|| rest.clone());
    let server = || {
        entry.clone().ok_or_else(|| {
            ControlError::Usage(format!(
                "{cmd}: name the server, e.g. -t 198.51.100.10:80 -r 127.0.0.1:8081"
            ))
        })
    };
    Ok(match cmd {
        "status" if entry.is_none() => Request::Status,
        "drain" => Request::Drain { server: server()? },
        "disable" => Request::Disable { server: server()? },
        "undrain" => Request::Undrain { server: server()? },
        "reconcile" => Request::Reconcile { entry },
        "keep" => Request::Keep { entry },
        "give-up" | "give_up" => {
            let (args, for_secs) = drill_args(cmd, &words[1..])?;
            match args.as_slice() {
                [instance] => Request::GiveUp {
                    instance: instance.to_string(),
                    for_secs,
                },
                _ => return Err(ControlError::Usage(format!("usage: {cmd} INSTANCE [--for 30s]"))),
            }
        }
        "priority" => {
            let (args, for_secs) = drill_args(cmd, &words[1..])?;
            let usage = || ControlError::Usage(format!("usage: {cmd} INSTANCE 1..254 [--for 30s]"));
            match args.as_slice() {
                [instance, p] => Request::Priority {
                    instance: instance.to_string(),
                    priority: p
                        .parse::<u8>()
                        .ok()
                        .filter(|p| (1..=254).contains(p))
                        .ok_or_else(|| {
                            ControlError::Usage(format!(
                                "{cmd}: the priority must be between 1 and 254, not `{p}`"
                            ))
                        })?,
                    for_secs,
                },
                _ => return Err(usage()),
            }
        }
        other => {
            return Err(ControlError::Usage(format!(
                "unknown request `{other}` (status, drain, disable, undrain, reconcile, keep, give-up, priority)"
            )))
        }
    })
}

/// A drill's words without `--for TIME`, and that time in seconds (`30`, `30s`, `2m`).
fn drill_args<'a>(
    cmd: &str,
    words: &'a [String],
) -> Result<(Vec<&'a str>, Option<u64>), ControlError> {
    let mut rest = Vec::new();
    let mut secs = None;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let time = match w.strip_prefix("--for=") {
            Some(t) => Some(t.to_string()),
            None if w == "--for" => Some(it.next().cloned().unwrap_or_default()),
            None => None,
        };
        match time {
            Some(t) => {
                secs = Some(seconds(&t).ok_or_else(|| {
                    ControlError::Usage(format!(
                        "{cmd}: --for takes a time like 30s, 30 or 2m, not `{t}`"
                    ))
                })?)
            }
            None => rest.push(w.as_str()),
        }
    }
    Ok((rest, secs))
}

fn seconds(t: &str) -> Option<u64> {
    let (n, unit) = match t.strip_suffix('s') {
        Some(n) => (n, 1),
        None => match t.strip_suffix('m') {
            Some(n) => (n, 60),
            None => (t, 1),
        },
    };
    n.parse::<u64>().ok().filter(|n| *n > 0)?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn drill_short_forms() {
        assert_eq!(
            short_form(&words("give-up VI_1")),
            Ok(Request::GiveUp {
                instance: "VI_1".into(),
                for_secs: None
            })
        );
        assert_eq!(
            short_form(&words("give-up VI_1 --for 45s")),
            Ok(Request::GiveUp {
                instance: "VI_1".into(),
                for_secs: Some(45)
            })
        );
        assert_eq!(
            short_form(&words("priority VI_1 50 --for 2m")),
            Ok(Request::Priority {
                instance: "VI_1".into(),
                priority: 50,
                for_secs: Some(120)
            })
        );
        assert_eq!(
            short_form(&words("priority --for=10 VI_1 200")),
            Ok(Request::Priority {
                instance: "VI_1".into(),
                priority: 200,
                for_secs: Some(10)
            })
        );
        for (bad, says) in [
            ("give-up", "usage: give-up INSTANCE"),
            ("priority VI_1", "usage: priority INSTANCE 1..254"),
            ("priority VI_1 0", "between 1 and 254, not `0`"),
            ("priority VI_1 255", "between 1 and 254, not `255`"),
            ("give-up VI_1 --for soon", "--for takes a time like 30s"),
        ] {
            let e = short_form(&words(bad)).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
