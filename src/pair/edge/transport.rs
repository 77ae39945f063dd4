//! Carrying a peer's stream over the operator's own SSH: `--peer DEST` runs the system
//! `ssh` client (`ssh -T -o BatchMode=yes -o ServerAliveInterval=… DEST lvsdeck serve
//! --stdio`), so ~/.ssh/config, the agent, known_hosts, jump hosts and ControlMaster all
//! apply, and nothing listens anywhere; `--peer-command CMD` runs CMD with `sh -c`
//! instead. The console owns the terminal, so ssh must never prompt (BatchMode). The
//! child's stdout is the stream (lines parsed here, off the console's loop); its stderr
//! is kept, and when it ends what SSH said and its exit status are reported as they are
//! (host key verification failed, permission denied, command not found). Then it is
//! started again after a backoff (1 s doubling to 30 s; back to 1 s after a session that
//! delivered frames).

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::lines::{next_line, Line};
use crate::engine::control::protocol::to_line;
use crate::pair::wire::{parse_server_frame, ClientFrame, ServerFrame, MAX_FRAME, VERSION};

/// How a peer is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `--peer DEST`: the system ssh client (or `ssh_command`, e.g. from
    /// `LVSDECK_SSH_COMMAND`, run by `sh -c` with the arguments after it).
    Ssh {
        dest: String,
        ssh_command: Option<String>,
    },
    /// `--peer-command CMD`: the whole transport, run by `sh -c`.
    Command(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSpec {
    /// What the console calls it (`lb2`, the DEST as given).
    pub name: String,
    pub route: Route,
    /// The refresh the serving end is asked for.
    pub interval: Duration,
}

/// What the transport reports.
#[derive(Debug, Clone)]
pub enum TransportEvent {
    /// A new session is starting (the command line, for the operator).
    Started(String),
    Frame(ServerFrame),
    /// A line that is not a frame, or too long.
    Bad(String),
    /// The session ended: what SSH (or the command) said and its exit, and when the next
    /// try is.
    Ended {
        message: String,
        retry_in: Duration,
    },
}

/// The ssh options an operator expects of a program that owns the terminal.
pub fn ssh_args(dest: &str, interval: Duration) -> Vec<String> {
    let alive = interval.as_secs().clamp(2, 15);
    let secs = format!("{}", interval.as_secs_f64());
    [
        "-T",
        "-o",
        "BatchMode=yes",
        "-o",
        &format!("ServerAliveInterval={alive}"),
        "-o",
        "ServerAliveCountMax=3",
        "-o",
        "ConnectTimeout=10",
        "--",
        dest,
        "lvsdeck",
        "serve",
        "--stdio",
        "--interval",
        &secs,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The program and its arguments for a route.
pub fn command_line(spec: &PeerSpec) -> (String, Vec<String>) {
    match &spec.route {
        Route::Ssh {
            dest,
            ssh_command: None,
        } => ("ssh".into(), ssh_args(dest, spec.interval)),
        Route::Ssh {
            dest,
            ssh_command: Some(cmd),
        } => {
            let mut args = vec!["-c".into(), format!("{cmd} \"$@\""), "ssh".into()];
            args.extend(ssh_args(dest, spec.interval));
            ("sh".into(), args)
        }
        Route::Command(cmd) => ("sh".into(), vec!["-c".into(), cmd.clone()]),
    }
}

/// The running transport: frames to send, and its task (aborted on drop).
pub struct PeerLink {
    tx: mpsc::UnboundedSender<ClientFrame>,
    task: JoinHandle<()>,
}

impl PeerLink {
    /// Queues a frame for the session under way (dropped if there is none: the console
    /// refuses commands to an unreachable peer first).
    pub fn send(&self, frame: ClientFrame) -> bool {
        self.tx.send(frame).is_ok()
    }
}

impl Drop for PeerLink {
    fn drop(&mut self) {
        // The child goes with it (kill_on_drop).
        self.task.abort();
    }
}

const BACKOFF_MIN: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Lines of stderr kept to say why a session ended.
const STDERR_LINES: usize = 6;

/// Starts the transport; `sink` gets its events until it returns false. `from` is who
/// watches (`user@host`), sent in the hello for the serving director's audit log.
pub fn spawn(
    spec: PeerSpec,
    from: String,
    sink: impl Fn(TransportEvent) -> bool + Send + Sync + 'static,
) -> PeerLink {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(spec, from, rx, sink));
    PeerLink { tx, task }
}

async fn run(
    spec: PeerSpec,
    from: String,
    mut frames: mpsc::UnboundedReceiver<ClientFrame>,
    sink: impl Fn(TransportEvent) -> bool + Send + Sync + 'static,
) {
    let mut backoff = BACKOFF_MIN;
    loop {
        let (got_frames, message) = match session(&spec, &from, &mut frames, &sink).await {
            Session::ConsoleGone => return,
            Session::Ended {
                got_frames,
                message,
            } => (got_frames, message),
        };
        if got_frames {
            backoff = BACKOFF_MIN;
        }
        if !sink(TransportEvent::Ended {
            message,
            retry_in: backoff,
        }) {
            return;
        }
        // Frames queued while down are dropped; the console's channel closing ends it.
        let wait = tokio::time::sleep(backoff);
        tokio::pin!(wait);
        loop {
            tokio::select! {
                _ = &mut wait => break,
                f = frames.recv() => if f.is_none() { return },
            }
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

enum Session {
    ConsoleGone,
    Ended { got_frames: bool, message: String },
}

async fn session(
    spec: &PeerSpec,
    from: &str,
    frames: &mut mpsc::UnboundedReceiver<ClientFrame>,
    sink: &(impl Fn(TransportEvent) -> bool + Send + Sync + 'static),
) -> Session {
    let (program, args) = command_line(spec);
    let shown = std::iter::once(program.as_str())
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    if !sink(TransportEvent::Started(shown)) {
        return Session::ConsoleGone;
    }
    let mut child = match Command::new(&program)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return Session::Ended {
                got_frames: false,
                message: format!("{program}: {e}"),
            }
        }
    };
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Session::Ended {
            got_frames: false,
            message: format!("{program}: no pipes"),
        };
    };
    // stderr: the last lines, for when it ends.
    let said = Arc::new(Mutex::new(VecDeque::<String>::new()));
    let err_task = {
        let said = said.clone();
        tokio::spawn(async move {
            let mut r = BufReader::new(stderr);
            loop {
                let line = match next_line(&mut r, 4096).await {
                    Ok(Line::Text(l)) => l,
                    Ok(Line::TooLong(n)) => format!("({n}-byte line)"),
                    Ok(Line::End) | Err(_) => return,
                };
                let line = line.trim().to_string();
                // ssh's banner of @ signs says nothing the next lines do not.
                if line.is_empty() || line.chars().all(|c| c == '@') {
                    continue;
                }
                if let Ok(mut l) = said.lock() {
                    l.push_back(line);
                    while l.len() > STDERR_LINES {
                        l.pop_front();
                    }
                }
            }
        })
    };
    let hello = ClientFrame::Hello {
        version: VERSION,
        from: from.to_string(),
    };
    let _ = stdin.write_all(to_line(&hello).as_bytes()).await;
    let _ = stdin.flush().await;
    // stdout: lines parsed into frames on their own task (a select never cuts a line).
    let (line_tx, mut line_rx) = mpsc::channel::<TransportEvent>(16);
    let out_task = tokio::spawn(async move {
        let mut r = BufReader::with_capacity(256 * 1024, stdout);
        loop {
            let ev = match next_line(&mut r, MAX_FRAME).await {
                Ok(Line::End) | Err(_) => return,
                Ok(Line::TooLong(n)) => TransportEvent::Bad(format!(
                    "from the peer: {}",
                    crate::pair::wire::WireError::TooLong(n)
                )),
                Ok(Line::Text(t)) if t.trim().is_empty() => continue,
                Ok(Line::Text(t)) => match parse_server_frame(&t) {
                    Ok(f) => TransportEvent::Frame(f),
                    Err(e) => TransportEvent::Bad(format!("from the peer: {e}: {}", clip(&t))),
                },
            };
            if line_tx.send(ev).await.is_err() {
                return;
            }
        }
    });
    let mut got_frames = false;
    loop {
        tokio::select! {
            ev = line_rx.recv() => match ev {
                Some(ev) => {
                    got_frames |= matches!(ev, TransportEvent::Frame(_));
                    if !sink(ev) {
                        out_task.abort();
                        return Session::ConsoleGone;
                    }
                }
                None => break,
            },
            f = frames.recv() => match f {
                Some(f) => {
                    // A write to a session that is ending fails; its end is reported below.
                    let _ = stdin.write_all(to_line(&f).as_bytes()).await;
                    let _ = stdin.flush().await;
                }
                None => {
                    out_task.abort();
                    return Session::ConsoleGone;
                }
            },
        }
    }
    drop(stdin);
    let status = match tokio::time::timeout(Duration::from_secs(3), child.wait()).await {
        Ok(Ok(s)) => s
            .code()
            .map_or_else(|| "killed by a signal".to_string(), |c| format!("exit {c}")),
        Ok(Err(e)) => format!("wait: {e}"),
        Err(_) => {
            let _ = child.kill().await;
            "stopped sending; killed".to_string()
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), err_task).await;
    let lines: Vec<String> = said
        .lock()
        .map(|l| l.iter().cloned().collect())
        .unwrap_or_default();
    // SSH's last line is its verdict ("Host key verification failed."): it comes first,
    // with the exit status, then what it said before, so a narrow header still shows it.
    let message = match lines.split_last() {
        None => format!("{program}: the session ended ({status})"),
        Some((last, [])) => format!("{last} ({program}: {status})"),
        Some((last, before)) => format!("{last} ({program}: {status}) — {}", before.join(" / ")),
    };
    Session::Ended {
        got_frames,
        message,
    }
}

fn clip(s: &str) -> String {
    let t: String = s.chars().take(120).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// A name for a `--peer-command` peer: `ip netns exec B ...` is `B`, `ssh [opts] HOST ...`
/// is `HOST`; else `peerN`.
pub fn command_name(cmd: &str, n: usize) -> String {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    if let Some(i) = words
        .windows(3)
        .position(|w| w[0] == "ip" && w[1] == "netns" && w[2] == "exec")
    {
        if let Some(ns) = words.get(i + 3) {
            return (*ns).to_string();
        }
    }
    if let Some(i) = words
        .iter()
        .position(|w| *w == "ssh" || w.ends_with("/ssh"))
    {
        // The first word after ssh's options that is not an option's value.
        let mut j = i + 1;
        while let Some(w) = words.get(j) {
            if w.starts_with('-') {
                // Options with a value (-o X, -p 22, -i key, -F cfg, -J jump, -l user).
                if matches!(
                    *w,
                    "-o" | "-p" | "-i" | "-F" | "-J" | "-l" | "-b" | "-c" | "-E" | "-S" | "-W"
                ) {
                    j += 1;
                }
                j += 1;
                continue;
            }
            return (*w).to_string();
        }
    }
    format!("peer{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_never_prompts_and_keeps_alive() {
        let spec = PeerSpec {
            name: "lb2".into(),
            route: Route::Ssh {
                dest: "ops@lb2".into(),
                ssh_command: None,
            },
            interval: Duration::from_secs(1),
        };
        let (p, args) = command_line(&spec);
        assert_eq!(p, "ssh");
        let line = args.join(" ");
        assert!(
            line.starts_with("-T -o BatchMode=yes -o ServerAliveInterval=2"),
            "{line}"
        );
        assert!(
            line.ends_with("-- ops@lb2 lvsdeck serve --stdio --interval 1"),
            "{line}"
        );
        let spec = PeerSpec {
            route: Route::Ssh {
                dest: "lb2".into(),
                ssh_command: Some("ssh -F /tmp/cfg".into()),
            },
            ..spec
        };
        let (p, args) = command_line(&spec);
        assert_eq!(
            (p.as_str(), args[1].as_str()),
            ("sh", "ssh -F /tmp/cfg \"$@\"")
        );
    }

    #[test]
    fn command_peers_are_named_by_their_host() {
        assert_eq!(
            command_name("ip netns exec B lvsdeck serve --stdio", 1),
            "B"
        );
        assert_eq!(
            command_name("ssh -p 2222 -o X=y ops@lb2 lvsdeck serve --stdio", 1),
            "ops@lb2"
        );
        assert_eq!(command_name("socat - UNIX:/x", 3), "peer3");
    }
}
