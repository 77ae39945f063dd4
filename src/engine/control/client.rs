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
        None => {
            return Err(ControlError::Usage(
                "name a request: status, drain, disable, undrain, reconcile, keep".into(),
            ))
        }
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
        other => {
            return Err(ControlError::Usage(format!(
                "unknown request `{other}` (status, drain, disable, undrain, reconcile, keep)"
            )))
        }
    })
}
