//! The serving end of the stream: [`Producer`] turns this director's pictures into frames
//! (a snapshot first and after a resync, then only changes, a heartbeat when nothing
//! changed, each with a sequence number and this end's clock), [`Commands`] carries out
//! what the watching end asks (control requests forwarded to the daemon; `apply` lines
//! parsed by the rule language and applied all or nothing through the one IPVS client),
//! each recorded in this director's audit log with who asked and from where, and
//! [`serve`] runs both over a pair of byte streams (`lvsdeck serve --stdio`: stdin and
//! stdout). A malformed or oversized line gets an error frame; nothing read is trusted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::lines::{next_line, Line};
use super::picture::{Picture, Sources};
use crate::engine::control::client::Client as Control;
use crate::engine::control::protocol::{to_line, Reply, Request};
use crate::ipvs::netlink::Client;
use crate::pair::delta::diff;
use crate::pair::state::DirectorState;
use crate::pair::wire::{
    capability, check_version, parse_client_frame, ClientFrame, Hello, ServerFrame, MAX_FRAME,
    VERSION,
};

/// What `lvsdeck serve` was given.
#[derive(Debug, Clone)]
pub struct Options {
    pub read_only: bool,
    /// The daemon's control socket.
    pub control: PathBuf,
    pub interval: Duration,
    /// This director's audit log (`None`: the default path, if there is one).
    pub audit_log: Option<PathBuf>,
}

/// This director's pictures as frames.
pub struct Producer {
    picture: Picture,
    last: Option<DirectorState>,
    seq: u64,
    epoch: std::time::Instant,
    interval: Duration,
    read_only: bool,
    resync: bool,
}

impl Producer {
    pub async fn open(sources: Sources, interval: Duration, read_only: bool) -> Producer {
        Producer {
            picture: Picture::open(sources).await,
            last: None,
            seq: 0,
            epoch: std::time::Instant::now(),
            interval,
            read_only,
            resync: false,
        }
    }

    pub fn hello(&self) -> Hello {
        let mut capabilities = vec![capability::CHANGES.to_string()];
        if !self.read_only {
            capabilities.push(capability::COMMANDS.into());
        }
        if self
            .last
            .as_ref()
            .and_then(|s| s.meta())
            .is_some_and(|m| m.daemon)
        {
            capabilities.push(capability::DAEMON.into());
        }
        Hello {
            version: VERSION,
            capabilities,
            host: self.picture.host().to_string(),
            read_only: self.read_only,
            lvsdeck: env!("CARGO_PKG_VERSION").to_string(),
            interval_ms: Some(u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX)),
        }
    }

    /// The next frame is a whole snapshot.
    pub fn resync(&mut self) {
        self.resync = true;
    }

    pub fn ipvs(&self) -> Result<Arc<Client>, String> {
        self.picture.ipvs()
    }

    /// Reads the picture and says what changed since the last frame.
    pub async fn next_frame(&mut self) -> ServerFrame {
        let state = self.picture.read().await;
        self.seq += 1;
        let (seq, clock_ms) = (self.seq, self.clock_ms());
        let wall_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .map(|d| d.as_millis() as u64);
        let wall_secs = wall_ms.map(|ms| ms / 1000);
        let frame = match &self.last {
            Some(old) if !self.resync => {
                let changes = diff(old, &state);
                if changes.is_empty() {
                    ServerFrame::Heartbeat { seq, clock_ms }
                } else {
                    ServerFrame::Changes {
                        seq,
                        clock_ms,
                        wall_secs,
                        wall_ms,
                        changes,
                    }
                }
            }
            _ => ServerFrame::Snapshot {
                seq,
                clock_ms,
                wall_secs,
                wall_ms,
                state: state.clone(),
            },
        };
        self.resync = false;
        self.last = Some(state);
        frame
    }

    fn clock_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// Carries out the watching end's requests; cheap to clone into a task per request.
#[derive(Clone)]
pub struct Commands {
    pub ipvs: Result<Arc<Client>, String>,
    pub control: PathBuf,
    pub read_only: bool,
    /// Where each request is recorded (`None`: not recorded; the in-process console
    /// writes its own log).
    pub audit: Option<PathBuf>,
}

/// How the serving end says it refuses changes.
pub const READ_ONLY: &str =
    "read-only: this director serves with --read-only and refuses every change";

impl Commands {
    /// A control request, forwarded to the daemon (a fresh connection each: the picture's
    /// own connection goes on being read meanwhile).
    pub async fn request(&self, req: &Request, who: &str) -> Reply {
        if self.read_only && *req != Request::Status {
            return Reply::Error {
                message: READ_ONLY.into(),
            };
        }
        let reply = match Control::connect(&self.control).await {
            Ok(mut c) => match c.request(req).await {
                Ok(r) => r,
                Err(e) => Reply::Error {
                    message: format!("daemon: {e:#}"),
                },
            },
            Err(e) => Reply::Error {
                message: format!("no daemon answers here: {e:#}"),
            },
        };
        if *req != Request::Status {
            let mut lines = vec![format!("# request: {}", to_line(req).trim_end())];
            match &reply {
                Reply::Done { applied, .. } => lines.extend(applied.iter().cloned()),
                Reply::Error { message } => lines.push(format!("# refused: {message}")),
                Reply::Status(_) => {}
            }
            self.record(who, &lines).await;
        }
        reply
    }

    /// ipvsadm lines, each parsed by the rule language, applied all or nothing.
    pub async fn apply(&self, lines: &[String], who: &str) -> Reply {
        if self.read_only {
            return Reply::Error {
                message: READ_ONLY.into(),
            };
        }
        let mut ops = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            match crate::rules::parse_line(l, &crate::rules::NoResolver) {
                Ok(None) => {}
                Ok(Some(crate::rules::Command::Change(op))) => ops.push(op),
                Ok(Some(_)) => {
                    return Reply::Error {
                        message: format!("line {}: `{}` is not a change", i + 1, l.trim()),
                    }
                }
                Err(e) => {
                    return Reply::Error {
                        message: format!("line {}: {}", i + 1, e.message_for("ipvsadm")),
                    }
                }
            }
        }
        if ops.is_empty() {
            return Reply::Error {
                message: "no change in the lines sent".into(),
            };
        }
        let client = match &self.ipvs {
            Ok(c) => c.clone(),
            Err(e) => {
                return Reply::Error {
                    message: format!("IPVS cannot be changed here: {e}"),
                }
            }
        };
        let applied: Vec<String> = ops.iter().map(crate::rules::replay_line).collect();
        match crate::ipvs::batch::apply_atomically(&client, &ops).await {
            Ok(()) => {
                self.record(who, &applied).await;
                Reply::Done {
                    message: format!(
                        "applied {} change{}",
                        ops.len(),
                        if ops.len() == 1 { "" } else { "s" }
                    ),
                    applied,
                }
            }
            Err(e) => Reply::Error {
                message: format!("ipvsadm {}: {e}", crate::rules::replay_line(&e.op)),
            },
        }
    }

    async fn record(&self, who: &str, lines: &[String]) {
        let Some(path) = self.audit.clone() else {
            return;
        };
        let text = crate::engine::audit::entry_lines(SystemTime::now(), who, lines);
        let result =
            tokio::task::spawn_blocking(move || crate::engine::audit::append(&path, &text)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("audit log: {e}"),
            Err(e) => tracing::warn!("audit log: {e}"),
        }
    }
}

/// Who asked, for the audit log: the watching end's `from`, the SSH connection it came
/// over (SSH_CONNECTION, else SSH_CLIENT) and the login it runs as here.
pub fn who(from: &str, ssh: Option<&str>, login: &str) -> String {
    let from = if from.trim().is_empty() {
        "a peer console"
    } else {
        from.trim()
    };
    match ssh.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("{from} via lvsdeck serve (ssh {s}) as {login}"),
        None => format!("{from} via lvsdeck serve as {login}"),
    }
}

fn ssh_env() -> Option<String> {
    ["SSH_CONNECTION", "SSH_CLIENT"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
}

/// Serves the stream on `input` / `output` until the input ends or the output breaks.
pub async fn serve<R, W>(opts: Options, input: R, output: W) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let mut producer = Producer::open(
        Sources {
            control: Some(opts.control.clone()),
            table: true,
            conn_sync: Some(PathBuf::from(crate::ipvs::conn::CONN_SYNC_PATH)),
        },
        opts.interval,
        opts.read_only,
    )
    .await;
    let commands = Commands {
        ipvs: producer.ipvs(),
        control: opts.control.clone(),
        read_only: opts.read_only,
        audit: opts
            .audit_log
            .clone()
            .or_else(crate::engine::audit::default_path),
    };
    let (ssh, login) = (ssh_env(), crate::engine::audit::user());
    let mut from = String::new();

    // The writer: one task owns the output, so replies and frames never interleave.
    let (out_tx, mut out_rx) = mpsc::channel::<String>(64);
    let mut writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(line) = out_rx.recv().await {
            if output.write_all(line.as_bytes()).await.is_err() || output.flush().await.is_err() {
                return;
            }
        }
    });
    // The reader: its own task, so a tick never cuts a line in half.
    let (in_tx, mut in_rx) = mpsc::channel::<std::io::Result<Line>>(16);
    let reader = tokio::spawn(async move {
        let mut input = BufReader::new(input);
        loop {
            let line = next_line(&mut input, MAX_FRAME).await;
            let end = matches!(line, Ok(Line::End) | Err(_));
            if in_tx.send(line).await.is_err() || end {
                return;
            }
        }
    });

    let send = |tx: &mpsc::Sender<String>, f: &ServerFrame| {
        let tx = tx.clone();
        let line = to_line(f);
        async move { tx.send(line).await.is_ok() }
    };
    if !send(&out_tx, &ServerFrame::Hello(producer.hello())).await {
        reader.abort();
        return Ok(());
    }
    let mut tick = tokio::time::interval(opts.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut line_no: u64 = 0;
    let result = loop {
        tokio::select! {
            _ = &mut writer => break Ok(()),
            _ = tick.tick() => {
                let frame = producer.next_frame().await;
                if !send(&out_tx, &frame).await {
                    break Ok(());
                }
            }
            line = in_rx.recv() => {
                line_no += 1;
                let text = match line {
                    None | Some(Ok(Line::End)) => break Ok(()),
                    Some(Err(e)) => break Err(anyhow::anyhow!("reading the input: {e}")),
                    Some(Ok(Line::TooLong(n))) => {
                        let message = format!(
                            "line {line_no}: {}",
                            crate::pair::wire::WireError::TooLong(n)
                        );
                        send(&out_tx, &ServerFrame::Error { message }).await;
                        continue;
                    }
                    Some(Ok(Line::Text(t))) => t,
                };
                if text.trim().is_empty() {
                    continue;
                }
                match parse_client_frame(&text) {
                    Err(e) => {
                        let message = format!("line {line_no}: {e}");
                        send(&out_tx, &ServerFrame::Error { message }).await;
                    }
                    Ok(ClientFrame::Hello { version, from: f }) => {
                        if let Err(e) = check_version(version) {
                            send(&out_tx, &ServerFrame::Error { message: e.to_string() }).await;
                            break Ok(());
                        }
                        from = f;
                    }
                    Ok(ClientFrame::Resync) => {
                        producer.resync();
                        tick.reset_immediately();
                    }
                    Ok(ClientFrame::Request { id, request }) => {
                        let (c, tx, who) = (commands.clone(), out_tx.clone(), who(&from, ssh.as_deref(), &login));
                        tokio::spawn(async move {
                            let reply = c.request(&request, &who).await;
                            let _ = tx.send(to_line(&ServerFrame::Reply { id, reply })).await;
                        });
                    }
                    Ok(ClientFrame::Apply { id, lines }) => {
                        let (c, tx, who) = (commands.clone(), out_tx.clone(), who(&from, ssh.as_deref(), &login));
                        tokio::spawn(async move {
                            let reply = c.apply(&lines, &who).await;
                            let _ = tx.send(to_line(&ServerFrame::Reply { id, reply })).await;
                            // The change shows in the next frame.
                        });
                    }
                    Ok(ClientFrame::Unknown) => {}
                }
            }
        }
    };
    reader.abort();
    drop(out_tx);
    // What was queued goes out before the end (bounded: the peer may be gone).
    let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
    result
}

/// `lvsdeck serve --stdio`.
pub async fn serve_stdio(opts: Options) -> anyhow::Result<()> {
    serve(opts, tokio::io::stdin(), tokio::io::stdout()).await
}

/// The console's own director as a stream, in-process: the same producer, its frames
/// handed to `sink` (until it returns false), its requests answered by the daemon without
/// an audit entry here (the console writes its own). No kernel table: the console reads
/// that itself at its own rate. `control`: the daemon attached to (`None`: none is asked;
/// requests are refused).
pub async fn run_local(
    control: Option<PathBuf>,
    interval: Duration,
    sink: impl Fn(ServerFrame) -> bool + Send + 'static,
    mut requests: mpsc::Receiver<(Request, tokio::sync::oneshot::Sender<Reply>)>,
) {
    let mut producer = Producer::open(
        Sources {
            control: control.clone(),
            table: false,
            conn_sync: Some(PathBuf::from(crate::ipvs::conn::CONN_SYNC_PATH)),
        },
        interval,
        false,
    )
    .await;
    let commands = Commands {
        ipvs: producer.ipvs(),
        control: control.unwrap_or_default(),
        read_only: false,
        audit: None,
    };
    if !sink(ServerFrame::Hello(producer.hello())) {
        return;
    }
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if !sink(producer.next_frame().await) {
                    return;
                }
            }
            req = requests.recv() => match req {
                None => return,
                Some((req, reply)) => {
                    let c = commands.clone();
                    tokio::spawn(async move {
                        let _ = reply.send(c.request(&req, "").await);
                    });
                    // The change shows at once, not a second later.
                    tick.reset_after(Duration::from_millis(100));
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_names_who_and_from_where() {
        assert_eq!(
            who("alice@lb1", Some("192.0.2.1 50022 192.0.2.2 22"), "root"),
            "alice@lb1 via lvsdeck serve (ssh 192.0.2.1 50022 192.0.2.2 22) as root"
        );
        assert_eq!(
            who("", None, "ops"),
            "a peer console via lvsdeck serve as ops"
        );
    }
}
