//! The edge: terminal setup and restore, the event loop, and the executor that turns effects
//! into kernel I/O and reports back as events. Nothing here decides anything, except that
//! the executor refuses changes under `--read-only` a second time (`update` refuses first).

use std::future::poll_fn;
use std::io;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;

use crate::ipvs::conn::CONN_PATH;
use crate::ipvs::Op;
use futures_core::Stream;
use ratatui::crossterm::event::{Event as TermEvent, EventStream};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::DefaultTerminal;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::pair::edge::transport::{self, PeerLink, PeerSpec, TransportEvent};
use crate::tui::app::App;
use crate::tui::directors::PeerMsg;
use crate::tui::edge::audit;
use crate::tui::edge::engine::DirectorLink;
use crate::tui::edge::reader::Reader;
use crate::tui::edge::scan::ScanRunner;
use crate::tui::event::{Effect, Event};
use crate::tui::ui::keymap::Keymap;
use crate::tui::ui::theme::{ColorSupport, Theme};
use crate::tui::update::update;
use crate::tui::view;

/// What `lvsdeck` (no subcommand) was given.
#[derive(Debug, Clone)]
pub struct Options {
    pub interval: Duration,
    /// `--theme NAME|PATH`.
    pub theme: String,
    /// `--keymap NAME|PATH`.
    pub keymap: String,
    /// `--read-only`: refuse every change.
    pub read_only: bool,
    /// `--audit-log PATH` (default: `audit::default_path`).
    pub audit_log: Option<std::path::PathBuf>,
    /// `-f FILE`: run this keepalived.conf's VRRP instances inside the console.
    pub vrrp_config: Option<std::path::PathBuf>,
    /// A running daemon's control socket to attach to (without `vrrp_config`).
    pub control: std::path::PathBuf,
    /// Other directors to show (`--peer`, `--peer-command`).
    pub peers: Vec<crate::pair::edge::transport::PeerSpec>,
}

/// Opens the console; returns the exit code. Theme and keymap errors are reported before the
/// terminal is touched, so they print plainly.
pub async fn run(opts: &Options) -> anyhow::Result<i32> {
    let keymap = Keymap::load(&opts.keymap, &read_file)?;
    let theme = Theme::load(&opts.theme, color_support(), &read_file)?;
    // Before anything starts: from a script or `ssh host lvsdeck` there is no screen to
    // draw on, and the operator needs the way to what they wanted, not a backtrace.
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("{NEEDS_A_TERMINAL}");
        return Ok(2);
    }
    let loaded = match &opts.vrrp_config {
        None => None,
        Some(file) => match crate::engine::load::load(file) {
            Ok(l) => Some(l),
            Err(errors) => {
                for e in errors {
                    eprintln!("{e}");
                }
                return Ok(1);
            }
        },
    };
    {
        let reader = Reader::open().await;
        let mut app = App::new(
            host_name(),
            opts.interval.max(Duration::from_millis(100)),
            keymap,
            Instant::now(),
        );
        let signals = Signals::install()?;
        app.edit.read_only = opts.read_only;
        for p in &opts.peers {
            app.directors
                .peers
                .push(crate::tui::directors::Peer::new(p.name.clone(), p.interval));
        }
        let audit = opts.audit_log.clone().or_else(audit::default_path);
        // ratatui::init installs a panic hook that restores the terminal first.
        let (tx, rx) = mpsc::unbounded_channel::<Event>();
        let link = match (loaded, &opts.vrrp_config) {
            (Some(loaded), Some(file)) => {
                // Two owners of one table: the daemon would revert this console's
                // drains as drift, and this console would hold the daemon's changes.
                if !loaded.services.is_empty()
                    && crate::engine::control::server::live(&opts.control).await
                {
                    let w = format!(
                        "a lvsdeck daemon runs here ({}): run the console without -f to attach to it",
                        opts.control.display()
                    );
                    let _ = tx.send(Event::Health(crate::tui::health::Msg::Warning(w)));
                }
                DirectorLink::local(file, loaded, tx.clone()).await
            }
            _ => DirectorLink::attach(&opts.control, tx.clone())
                .await
                .unwrap_or_default(),
        };
        let link = link.with_local_stream(tx.clone());
        let mut terminal = match ratatui::try_init() {
            Ok(t) => t,
            Err(e) => {
                link.stop().await;
                eprintln!("{NEEDS_A_TERMINAL} ({e})");
                return Ok(2);
            }
        };
        let peers = start_peers(&opts.peers, &tx);
        let ends = Ends {
            signals,
            link: &link,
            peers,
        };
        let result = event_loop(&mut terminal, app, &theme, reader, ends, audit, (tx, rx)).await;
        // The checkers and the reconciler end, leaving the IPVS table as it is (unlike
        // `lvsdeck daemon`, the console never removes services), then the VRRP instances
        // leave cleanly (priority 0, VIPs removed) before the process ends.
        let checked = link.stop().await;
        // After a hang-up the terminal is gone: nothing to restore, nothing to tell.
        let _ = ratatui::try_restore();
        if checked {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "lvsdeck: health checkers stopped; the IPVS table was left as it is"
            );
        }
        result
    }
}

/// `--print-keymap`: the effective bindings as a loadable TOML file.
pub fn print_keymap(spec: &str) -> anyhow::Result<i32> {
    let keymap = Keymap::load(spec, &read_file)?;
    print!("{}", keymap.to_toml());
    Ok(0)
}

/// What a console without a terminal says, and what to run instead.
const NEEDS_A_TERMINAL: &str = "lvsdeck: the console needs a terminal (ssh -t HOST lvsdeck); \
     without one: `lvsdeck adm -Ln --stats --rate` for the table, `lvsdeck control status` \
     for a running daemon";

/// Theme and keymap files, read from the file system.
fn read_file(path: &str) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// What the terminal can show, from NO_COLOR and COLORTERM.
fn color_support() -> ColorSupport {
    let no_color = std::env::var("NO_COLOR").ok();
    let colorterm = std::env::var("COLORTERM").ok();
    ColorSupport::detect(no_color.as_deref(), colorterm.as_deref())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".to_string())
}

async fn next_event(events: &mut EventStream) -> Option<io::Result<TermEvent>> {
    poll_fn(|cx| Pin::new(&mut *events).poll_next(cx)).await
}

/// Signals that end the console: `kill` (SIGTERM) and a dropped SSH session (SIGHUP).
struct Signals {
    term: Signal,
    hup: Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
            hup: signal(SignalKind::hangup()).context("cannot handle SIGHUP")?,
        })
    }
}

/// What the loop needs besides the state: the signals that end it, the director, the
/// peers' transports.
struct Ends<'a> {
    signals: Signals,
    link: &'a DirectorLink,
    peers: Vec<PeerLink>,
}

/// Starts each peer's transport; its events come in as `Event::Peer(index, ..)`.
fn start_peers(specs: &[PeerSpec], tx: &mpsc::UnboundedSender<Event>) -> Vec<PeerLink> {
    let from = format!("{}@{}", audit::user(), host_name());
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let tx = tx.clone();
            transport::spawn(spec.clone(), from.clone(), move |ev| {
                let msg = match ev {
                    TransportEvent::Started(c) => PeerMsg::Started(c),
                    TransportEvent::Frame(f) => PeerMsg::Frame(f),
                    TransportEvent::Bad(m) => PeerMsg::Bad(m),
                    TransportEvent::Ended { message, retry_in } => {
                        PeerMsg::Ended { message, retry_in }
                    }
                };
                tx.send(Event::Peer(i, msg)).is_ok()
            })
        })
        .collect()
}

/// Events handled before a redraw: a fast scan's batches are taken in together.
const COALESCE: usize = 64;

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    theme: &Theme,
    reader: Reader,
    ends: Ends<'_>,
    audit: Option<std::path::PathBuf>,
    (tx, mut rx): (mpsc::UnboundedSender<Event>, mpsc::UnboundedReceiver<Event>),
) -> anyhow::Result<i32> {
    let Ends {
        mut signals,
        link,
        peers,
    } = ends;
    let (conn_tx, mut conn_rx) = mpsc::channel::<Event>(4);
    let source = reader.source();
    let mut exec = Executor {
        reader,
        tx,
        audit,
        scans: ScanRunner::new(CONN_PATH, conn_tx),
        link,
        peers,
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(app.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // With peers: their reachability is judged again five times a second, so UNREACHABLE
    // shows within two of their intervals, not a console tick later.
    let has_peers = !app.directors.peers.is_empty();
    let mut peer_clock = tokio::time::interval(Duration::from_millis(200));
    peer_clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    update(
        &mut app,
        Event::Resize(size.width, size.height),
        Instant::now(),
    );
    update(&mut app, Event::Opened(source), Instant::now());
    loop {
        if app.dirty {
            execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
            terminal.draw(|f| view::render(f, &app, theme))?;
            execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
            app.dirty = false;
        }
        let event = tokio::select! {
            _ = signals.term.recv() => return Ok(128 + libc::SIGTERM),
            _ = signals.hup.recv() => return Ok(128 + libc::SIGHUP),
            _ = tick.tick() => Event::Tick,
            _ = peer_clock.tick(), if has_peers => Event::PeerClock,
            Some(ev) = rx.recv() => ev,
            Some(ev) = conn_rx.recv() => ev,
            term = next_event(&mut events) => match term {
                Some(Ok(TermEvent::Key(k))) => Event::Key(k),
                Some(Ok(TermEvent::Resize(w, h))) => Event::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => return Ok(0),
            },
        };
        let mut next = Some(event);
        let mut handled = 0;
        while let Some(event) = next.take() {
            let took_table = matches!(event, Event::Table(Ok(_)));
            let effects = update(&mut app, event, Instant::now());
            if took_table {
                crate::tui::edge::reader::release_freed_memory();
            }
            for effect in effects {
                if let Some(code) = exec.run(effect, app.edit.read_only) {
                    return Ok(code);
                }
            }
            // Whatever is already queued goes in before the next frame.
            handled += 1;
            if handled < COALESCE {
                next = conn_rx.try_recv().or_else(|_| rx.try_recv()).ok();
            }
        }
    }
}

/// Turns effects into I/O; the results come back on `tx` as events.
struct Executor<'a> {
    reader: Reader,
    tx: mpsc::UnboundedSender<Event>,
    /// Where applied changes are logged (`None`: nowhere).
    audit: Option<PathBuf>,
    scans: ScanRunner,
    /// The director the console's health, drift and drill commands go to.
    link: &'a DirectorLink,
    /// The peers' transports, by index.
    peers: Vec<PeerLink>,
}

impl Executor<'_> {
    /// Starts one effect; `Some(code)` when the console ends with that exit code.
    fn run(&mut self, effect: Effect, read_only: bool) -> Option<i32> {
        let tx = &self.tx;
        match effect {
            Effect::Quit => return Some(0),
            Effect::Refresh => {
                let (reader, tx) = (self.reader.clone(), tx.clone());
                tokio::spawn(async move {
                    let _ = tx.send(Event::Table(reader.read().await));
                });
            }
            Effect::Apply(ops) if read_only => {
                let refused = ops.iter().map(|_| Err("--read-only".to_string()));
                let _ = tx.send(Event::Applied(refused.collect()));
            }
            Effect::Apply(ops) => {
                let (reader, tx, audit) = (self.reader.clone(), tx.clone(), self.audit.clone());
                tokio::spawn(async move {
                    let results = reader.apply(&ops).await;
                    let ok = results.iter().all(Result::is_ok);
                    let _ = tx.send(Event::Applied(results));
                    if let (true, Some(path)) = (ok, audit) {
                        // Only a write that panicked is left to report here.
                        if let Err(e) = audit_append(path, &ops, tx.clone()).await {
                            let _ = tx.send(Event::AuditFailed(e.to_string()));
                        }
                    }
                });
            }
            Effect::ScanConns { id, filter } => self.scans.start(id, filter),
            Effect::StopConns => self.scans.stop(),
            Effect::Health(cmd) => {
                if let Err(e) = self.link.health(cmd, tx) {
                    let _ = tx.send(Event::Health(crate::tui::health::Msg::Failed(e)));
                }
            }
            Effect::Audit(ops) => {
                if let Some(path) = self.audit.clone() {
                    // Not awaited: the loop goes on while the entry is written.
                    audit_append(path, &ops, tx.clone());
                }
            }
            Effect::PeerSend(i, frame) => {
                let sent = self.peers.get(i).is_some_and(|p| p.send(frame));
                if !sent {
                    let _ = tx.send(Event::Peer(
                        i,
                        PeerMsg::Bad("not sent: the peer's transport has stopped".into()),
                    ));
                }
            }
            Effect::Vrrp(name, cmd) => {
                if let Err(e) = self.link.vrrp(&name, cmd) {
                    let _ = tx.send(Event::Vrrp(crate::tui::vrrp::Msg::NotSent(e)));
                }
            }
        }
        None
    }
}

/// Writes the audit entry of `ops`, stamped now, on a blocking thread; a failed write comes
/// back as `Event::AuditFailed`. The one audit write, for changes the console applied and
/// for those the health policy applied on an operator's command.
fn audit_append(path: PathBuf, ops: &[Op], tx: mpsc::UnboundedSender<Event>) -> JoinHandle<()> {
    let text = audit::entry(SystemTime::now(), &audit::user(), ops);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = audit::append(&path, &text) {
            let _ = tx.send(Event::AuditFailed(format!("{}: {e}", path.display())));
        }
    })
}
