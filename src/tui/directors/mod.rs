//! The directors the console shows, in the manner of k9s contexts: this one and each peer
//! (`--peer`, `--peer-command`). A peer is its stream's [`Follower`] (the pure core that
//! checks the sequence and says whether it is reachable), its transport's last word, and
//! the requests sent to it awaiting their replies. One director is shown at a time: its
//! table is the main table (a peer's built from its picture: each rule line parsed back
//! by the rule language and applied to a table), its name is in the header, and the
//! console's commands go to it. Pure; the transport is in `edge`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::clock::Instant as Clock;
use crate::engine::control::protocol::{Reply, Request, StatusReply};
use crate::ipvs::{table, Op, ServiceEntry, ServiceKey, Stats};
use crate::pair::follow::{Follower, Out, Reach};
use crate::pair::state::{Counters, DirectorState, Item};
use crate::pair::wire::{ClientFrame, ServerFrame};
use crate::rules::{parse_line, Command, NoResolver};

/// What a peer's transport reports to the console.
#[derive(Debug, Clone)]
pub enum PeerMsg {
    /// A session is starting: the command line.
    Started(String),
    Frame(ServerFrame),
    /// A line that is not a frame.
    Bad(String),
    /// The session ended: what SSH (or the command) said, and when the next try is.
    Ended {
        message: String,
        retry_in: Duration,
    },
}

/// The transport as the header tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Starting(String),
    Up,
    Down {
        message: String,
        retry_in: Duration,
        since: Instant,
    },
}

/// What a request sent to a peer was, for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// ipvsadm lines of the console's change in flight (`edit.in_flight`).
    Apply(usize),
    /// A health or drift command.
    Health,
}

#[derive(Debug, Clone)]
pub struct Peer {
    pub name: String,
    pub follower: Follower,
    pub link: Link,
    /// Reachability at the last event.
    pub reach: Reach,
    /// The follower's generation the shown table was built from.
    built: Option<u64>,
    next_id: u64,
    pending: BTreeMap<u64, Pending>,
    pub last_bad: Option<String>,
    /// Why the last session ended, kept while the next one starts.
    pub last_down: Option<String>,
    /// Each item's rule line as last parsed: a busy table's next picture differs in its
    /// counters, and only changed lines are parsed again.
    parsed: Parsed,
}

/// Rule lines already parsed, by item key: the line and its op.
pub type Parsed = HashMap<String, (String, Op)>;

impl Peer {
    pub fn new(name: String, interval: Duration) -> Peer {
        Peer {
            name,
            follower: Follower::new(interval),
            link: Link::Starting(String::new()),
            reach: Reach::Connecting,
            built: None,
            next_id: 1,
            pending: BTreeMap::new(),
            last_bad: None,
            last_down: None,
            parsed: HashMap::new(),
        }
    }

    pub fn state(&self) -> Option<&DirectorState> {
        self.follower.state()
    }

    /// Why a change cannot be sent to it now.
    pub fn refusal(&self) -> Option<String> {
        match self.reach {
            Reach::Connecting => Some(format!("{} is not connected yet", self.name)),
            Reach::Unreachable { .. } => Some(format!("{} is UNREACHABLE", self.name)),
            Reach::Reachable if self.follower.read_only() => {
                Some(format!("{} serves read-only", self.name))
            }
            Reach::Reachable => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Directors {
    pub peers: Vec<Peer>,
    /// The peer shown; `None`: this director.
    pub shown: Option<usize>,
    /// The console's clock epoch (the followers take the engine's `Instant`).
    epoch: Instant,
    /// This director's health picture while a peer's is in `App::health`.
    pub local_health: Option<super::health::HealthState>,
    /// This director's own stream, followed as a peer's is: its picture (sync daemons,
    /// connections by origin, the attached daemon's VRRP, health and drift; the table is
    /// read directly), and whether its daemon answers.
    pub local: Follower,
    /// The local picture's generation last turned into the health view.
    local_seen: Option<u64>,
    /// Whether the attached daemon answered at the last picture.
    local_up: bool,
}

impl Directors {
    pub fn new(epoch: Instant) -> Directors {
        Directors {
            peers: Vec::new(),
            shown: None,
            epoch,
            local_health: None,
            local: Follower::new(Duration::from_secs(1)),
            local_seen: None,
            local_up: true,
        }
    }

    pub fn clock(&self, now: Instant) -> Clock {
        Clock::from_since_epoch(now.saturating_duration_since(self.epoch))
    }

    pub fn shown_peer(&self) -> Option<&Peer> {
        self.shown.and_then(|i| self.peers.get(i))
    }

    /// The director after the shown one (this one after the last peer).
    pub fn next(&self) -> Option<usize> {
        match self.shown {
            None if !self.peers.is_empty() => Some(0),
            Some(i) if i + 1 < self.peers.len() => Some(i + 1),
            _ => None,
        }
    }

    /// `this`, a peer's name, or the local host's name: which director it names.
    pub fn find(&self, name: &str, host: &str) -> Option<Option<usize>> {
        if name == host || name == "local" || name == "this" {
            return Some(None);
        }
        if let Some(i) = self.peers.iter().position(|p| p.name == name) {
            return Some(Some(i));
        }
        // A peer by the host name it gave, or the host part of user@host.
        self.peers
            .iter()
            .position(|p| {
                p.follower.hello().is_some_and(|h| h.host == name)
                    || p.name.rsplit('@').next() == Some(name)
            })
            .map(Some)
    }

    /// Updates each peer's reachability; `true` if one changed.
    pub fn on_tick(&mut self, now: Instant) -> bool {
        let clock = self.clock(now);
        let mut changed = false;
        for p in &mut self.peers {
            let r = p.follower.reach(clock);
            changed |= r != p.reach;
            p.reach = r;
        }
        changed
    }
}

/// A `:` line with a director prefix: `lb2: -e -t ...` is (`lb2`, `-e -t ...`). The
/// prefix is the first word ending in `:` (an ipvsadm line never starts with one).
pub fn split_prefix(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let word = t.split_whitespace().next()?;
    let name = word.strip_suffix(':')?;
    if name.is_empty() || name.starts_with('-') {
        return None;
    }
    Some((name, t[word.len()..].trim_start()))
}

/// What the console does after a peer's message.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Frames to send back (a resync).
    pub send: Vec<ClientFrame>,
    /// The reply to the change in flight: one result per op.
    pub applied: Option<Vec<Result<(), String>>>,
    /// A line for the operator (a refusal, a health command's answer).
    pub info: Option<Result<String, String>>,
}

/// Takes a message of peer `i`.
pub fn on_msg(d: &mut Directors, i: usize, msg: PeerMsg, now: Instant) -> Outcome {
    let clock = d.clock(now);
    let mut out = Outcome::default();
    let Some(p) = d.peers.get_mut(i) else {
        return out;
    };
    match msg {
        PeerMsg::Started(cmd) => {
            p.follower.connected();
            if let Link::Down { message, .. } = &p.link {
                p.last_down = Some(message.clone());
            }
            p.link = Link::Starting(cmd);
        }
        PeerMsg::Frame(f) => {
            if p.link != Link::Up {
                p.link = Link::Up;
                p.last_down = None;
            }
            for o in p.follower.on_frame(f, clock) {
                match o {
                    Out::Resync => out.send.push(ClientFrame::Resync),
                    Out::Reply { id, reply } => reply_of(p, id, reply, &mut out),
                    Out::Error(m) => out.info = Some(Err(format!("{}: {m}", p.name))),
                    Out::Broken(m) => p.last_bad = Some(m),
                }
            }
        }
        PeerMsg::Bad(m) => p.last_bad = Some(m),
        PeerMsg::Ended { message, retry_in } => {
            p.follower.disconnected();
            p.link = Link::Down {
                message,
                retry_in,
                since: now,
            };
            // Nothing in flight will be answered.
            for (_, what) in std::mem::take(&mut p.pending) {
                if let Pending::Apply(_) = what {
                    out.applied = Some(vec![Err(format!("{}: the session ended", p.name))]);
                }
            }
        }
    }
    p.reach = p.follower.reach(clock);
    out
}

fn reply_of(p: &mut Peer, id: u64, reply: Reply, out: &mut Outcome) {
    let name = p.name.clone();
    match (p.pending.remove(&id), reply) {
        (Some(Pending::Apply(n)), Reply::Done { .. }) => out.applied = Some(vec![Ok(()); n]),
        (Some(Pending::Apply(_)), Reply::Error { message }) => {
            out.applied = Some(vec![Err(format!("{name}: {message}"))])
        }
        (Some(Pending::Health), Reply::Done { message, applied }) => {
            let lines = if applied.is_empty() {
                String::new()
            } else {
                format!(" (applied there: {})", applied.join(" ; "))
            };
            out.info = Some(Ok(format!("{name}: {message}{lines}")));
        }
        (Some(_), Reply::Error { message }) => out.info = Some(Err(format!("{name}: {message}"))),
        (_, other) => {
            let _ = other;
        }
    }
}

/// The console's change as an `apply` frame to peer `i`; `None` if there is no such peer.
pub fn apply_frame(d: &mut Directors, i: usize, ops: &[Op]) -> Option<ClientFrame> {
    let p = d.peers.get_mut(i)?;
    let id = p.next_id;
    p.next_id += 1;
    p.pending.insert(id, Pending::Apply(ops.len()));
    Some(ClientFrame::Apply {
        id,
        lines: ops.iter().map(crate::rules::replay_line).collect(),
    })
}

/// A control request to peer `i`.
pub fn request_frame(d: &mut Directors, i: usize, request: Request) -> Option<ClientFrame> {
    let p = d.peers.get_mut(i)?;
    let id = p.next_id;
    p.next_id += 1;
    p.pending.insert(id, Pending::Health);
    Some(ClientFrame::Request { id, request })
}

/// A frame of this director's own stream: followed, and when a daemon is attached, its
/// health picture (or that it does not answer, until it does again) for the health view.
pub fn on_local(app: &mut crate::tui::App, frame: ServerFrame, now: Instant) {
    let clock = app.directors.clock(now);
    let d = &mut app.directors;
    if matches!(frame, ServerFrame::Hello(_)) {
        d.local.connected();
    }
    let _ = d.local.on_frame(frame, clock);
    let Some(state) = d.local.state() else {
        return;
    };
    if d.local_seen == Some(d.local.generation()) {
        return;
    }
    d.local_seen = Some(d.local.generation());
    let health = match d.shown {
        Some(_) => match d.local_health.as_mut() {
            Some(h) => h,
            None => return,
        },
        None => &mut app.health,
    };
    // Only the daemon attached to speaks for the health view (with -f the director runs
    // in-process and reports itself).
    let Some(path) = health.attached.clone() else {
        return;
    };
    let msg = match status_of(state, d.local.wall_secs(clock)) {
        Some(s) => {
            d.local_up = true;
            let (picture, _) = crate::engine::control::from_reply(&s, clock);
            super::health::Msg::Status(Box::new(picture))
        }
        None if d.local_up => {
            d.local_up = false;
            let why = state
                .meta()
                .and_then(|m| m.problems.iter().find(|p| p.starts_with("daemon")).cloned())
                .unwrap_or_else(|| format!("daemon: no answer on {path}"));
            super::health::Msg::Failed(format!("{why}; asking again every second"))
        }
        None => return,
    };
    if health.on_msg(msg) {
        app.dirty = true;
    }
}

/// Whether the shown peer's table must be built again (its picture changed).
pub fn needs_build(d: &Directors) -> bool {
    d.shown_peer()
        .is_some_and(|p| p.state().is_some() && p.built != Some(p.follower.generation()))
}

pub fn mark_built(d: &mut Directors) {
    if let Some(p) = d.shown.and_then(|i| d.peers.get_mut(i)) {
        p.built = Some(p.follower.generation());
    }
}

pub fn forget_built(d: &mut Directors) {
    for p in &mut d.peers {
        p.built = None;
    }
}

impl From<Counters> for Stats {
    fn from(c: Counters) -> Stats {
        Stats {
            conns: c.conns,
            inpkts: c.inpkts,
            outpkts: c.outpkts,
            inbytes: c.inbytes,
            outbytes: c.outbytes,
            cps: c.cps,
            inpps: c.inpps,
            outpps: c.outpps,
            inbps: c.inbps,
            outbps: c.outbps,
        }
    }
}

/// A director's kernel table from its picture: each service's and server's `-A`/`-a` line
/// parsed back by the rule language and applied to a table, with its counters. Lines that
/// do not parse are left out and returned.
pub fn table_of(state: &DirectorState) -> (Vec<ServiceEntry>, Vec<String>) {
    table_with(state, &mut HashMap::new())
}

/// [`table_of`], reusing (and refreshing) the lines parsed last time.
pub fn table_with(state: &DirectorState, parsed: &mut Parsed) -> (Vec<ServiceEntry>, Vec<String>) {
    // What left the picture leaves the cache.
    parsed.retain(|k, _| state.items.contains_key(k));
    let mut parse = |key: &str, rule: &str| -> Result<Option<Command>, String> {
        if let Some((line, op)) = parsed.get(key) {
            if line == rule {
                return Ok(Some(Command::Change(op.clone())));
            }
        }
        let c = parse_line(rule, &NoResolver).map_err(|e| e.message_for("ipvsadm"))?;
        if let Some(Command::Change(op)) = &c {
            parsed.insert(key.to_string(), (rule.to_string(), op.clone()));
        }
        Ok(c)
    };
    let mut problems = Vec::new();
    let mut by_key: HashMap<ServiceKey, usize> = HashMap::new();
    let mut tables: Vec<Vec<ServiceEntry>> = Vec::new();
    for (k, s) in state.services() {
        match parse(k, &s.rule) {
            Ok(Some(Command::Change(op @ Op::AddService(_)))) => {
                let mut one = Vec::with_capacity(1);
                if table::apply(&mut one, &op).is_ok() {
                    if let Some(e) = one.first_mut() {
                        e.service.stats = s.stats.into();
                        by_key.insert(e.service.config.key, tables.len());
                    }
                    tables.push(one);
                }
            }
            other => problems.push(format!("`{}`: {other:?}", s.rule)),
        }
    }
    for (k, r) in state.servers() {
        match parse(k, &r.rule) {
            Ok(Some(Command::Change(op @ Op::AddDest(..)))) => {
                let Op::AddDest(key, _) = &op else { continue };
                let Some(t) = by_key.get(key).and_then(|i| tables.get_mut(*i)) else {
                    problems.push(format!("`{}`: no such service", r.rule));
                    continue;
                };
                if let Err(e) = table::apply(t, &op) {
                    problems.push(format!("`{}`: {e}", r.rule));
                    continue;
                }
                if let Some(d) = t.first_mut().and_then(|e| e.dests.last_mut()) {
                    d.active_conns = r.active;
                    d.inact_conns = r.inactive;
                    d.persist_conns = r.persistent;
                    d.stats = r.stats.into();
                }
            }
            other => problems.push(format!("`{}`: {other:?}", r.rule)),
        }
    }
    (tables.into_iter().flatten().collect(), problems)
}

/// The health part of a picture as the daemon's status reply, for the console's health
/// view of that director.
/// `wall_secs`: the director's wall clock now (the times of operator commands are shown
/// in it).
pub fn status_of(state: &DirectorState, wall_secs: Option<u64>) -> Option<StatusReply> {
    let meta = state.meta()?;
    if !meta.daemon {
        return None;
    }
    let mut s = StatusReply {
        wall_secs,
        reconciler_error: meta.reconciler_error.clone(),
        ..StatusReply::default()
    };
    for i in state.items.values() {
        match i {
            Item::Health(h) => s.servers.push(h.clone()),
            Item::Drift(d) => s.drift.push(d.clone()),
            Item::Vrrp(v) => s.vrrp.push(v.clone()),
            _ => {}
        }
    }
    Some(s)
}

/// The header's words for the shown director: its name and, for a peer, whether it is
/// current (`UNREACHABLE (last state 12s old)`), read-only, and why it is down.
pub fn header_words(d: &Directors, host: &str, now: Instant) -> (String, Option<String>) {
    let Some(p) = d.shown_peer() else {
        let n = d.peers.len();
        let tail = if n > 0 {
            format!(" (1 of {}; Tab: next)", n + 1)
        } else {
            String::new()
        };
        return (format!("{host}{tail}"), None);
    };
    let host = p
        .state()
        .and_then(|s| s.meta())
        .map(|m| m.host.clone())
        .filter(|h| !h.is_empty() && *h != p.name);
    let name = match host {
        Some(h) => format!("peer {} ({h})", p.name),
        None => format!("peer {}", p.name),
    };
    let mut flags = Vec::new();
    match p.reach {
        Reach::Reachable => {}
        Reach::Connecting => flags.push("connecting…".to_string()),
        Reach::Unreachable { age } => flags.push(match age {
            Some(a) => format!(
                "UNREACHABLE (last state {} old)",
                crate::tui::ui::format::age(a)
            ),
            None => "UNREACHABLE (no state yet)".to_string(),
        }),
    }
    if p.follower.read_only() {
        flags.push("READ-ONLY".into());
    }
    if let Link::Down {
        message,
        retry_in,
        since,
    } = &p.link
    {
        let left = retry_in.saturating_sub(now.saturating_duration_since(*since));
        flags.push(format!(
            "{message}; retry in {}",
            crate::tui::ui::format::age(left)
        ));
    } else if let (Link::Starting(_), Some(m)) = (&p.link, &p.last_down) {
        flags.push(format!("{m}; trying again"));
    } else if let Some(b) = &p.last_bad {
        if p.reach != Reach::Reachable {
            flags.push(b.clone());
        }
    }
    (name, (!flags.is_empty()).then(|| flags.join(" · ")))
}

/// The shown peer's VRRP role for the header slot.
pub fn vrrp_words(p: &Peer) -> String {
    let Some(s) = p.state() else {
        return "VRRP ?".into();
    };
    let v: Vec<String> = s
        .vrrp()
        .map(|v| format!("{} {} ({})", v.state, v.effective_priority, v.name))
        .collect();
    match (v.is_empty(), s.meta().is_some_and(|m| m.daemon)) {
        (true, true) => "VRRP: none".into(),
        (true, false) => "no daemon".into(),
        (false, _) => format!("VRRP: {}", v.join(", ")),
    }
}

/// Shows director `target` (`None`: this one) in the main table. Refused while a change is
/// in flight (its reply belongs to the director it went to). The undo and any dialog are
/// dropped: they were about the other director's table.
pub fn show(
    app: &mut crate::tui::App,
    target: Option<usize>,
    now: Instant,
) -> Vec<crate::tui::event::Effect> {
    use crate::tui::event::Effect;
    app.dirty = true;
    if target == app.directors.shown {
        return Vec::new();
    }
    if app.edit.in_flight.is_some() {
        app.edit
            .error("a change is being applied; switch directors once it is answered");
        return Vec::new();
    }
    let from = app.directors.shown;
    match (from, target) {
        (None, Some(_)) => {
            app.directors.local_health = Some(std::mem::take(&mut app.health));
        }
        (Some(_), None) => {
            app.health = app.directors.local_health.take().unwrap_or_default();
        }
        _ => app.health = Default::default(),
    }
    app.directors.shown = target;
    app.mode = crate::tui::action::Mode::Table;
    app.edit.dialog = None;
    app.edit.undo = None;
    app.snapshot = None;
    app.pending = None;
    app.changes = Default::default();
    app.detail = Default::default();
    app.selected = None;
    app.cursor = 0;
    app.offset = 0;
    forget_built(&mut app.directors);
    let name = match app.directors.shown_peer() {
        Some(p) => p.name.clone(),
        None => app.host.clone(),
    };
    app.edit
        .info(format!("showing {name}; its commands go to it"));
    app.rebuild();
    match target {
        None => {
            app.refreshing = true;
            vec![Effect::Refresh]
        }
        Some(_) => {
            build_shown(app, now);
            Vec::new()
        }
    }
}

/// Builds the shown peer's table (and health picture) again if its picture changed, and
/// keeps its age at the last in-sequence frame.
pub fn build_shown(app: &mut crate::tui::App, now: Instant) {
    let Some(i) = app.directors.shown else {
        return;
    };
    let clock = app.directors.clock(now);
    if needs_build(&app.directors) {
        let Some(p) = app.directors.peers.get_mut(i) else {
            return;
        };
        let Some(state) = p.follower.state() else {
            return;
        };
        let (entries, problems) = table_with(state, &mut p.parsed);
        let status = status_of(state, p.follower.wall_secs(clock));
        let snap = crate::tui::event::Snapshot {
            info: None,
            entries,
            taken_at: now,
            source: crate::tui::event::Source::Netlink,
        };
        app.last_error = problems
            .first()
            .map(|p| format!("{} line(s) unreadable: {p}", problems.len()));
        mark_built(&mut app.directors);
        if app.frozen {
            // Frozen: collection goes on, the screen holds (as for this director's reads).
            app.pending = Some(snap);
            return;
        }
        app.apply_snapshot(snap);
        match status {
            Some(s) => {
                let (picture, _) = crate::engine::control::from_reply(&s, clock);
                app.health.configured = true;
                app.health.attached = Some(format!(
                    "peer {}",
                    app.directors.peers.get(i).map_or("", |p| p.name.as_str())
                ));
                app.health.status = Some(picture);
            }
            None => {
                app.health.status = None;
                app.health.attached = None;
            }
        }
    }
    // The table is as old as the last frame that said it was current.
    if let Some(p) = app.directors.peers.get(i) {
        if p.reach == Reach::Reachable {
            if let Some(s) = app.snapshot.as_mut() {
                s.taken_at = now;
            }
        }
    }
    app.dirty = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::{DestConfig, Protocol, Service, ServiceConfig};

    #[test]
    fn a_peers_table_is_its_rule_lines_parsed_back() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "198.51.100.10".parse().unwrap(),
            port: 80,
        };
        let mut dest = table::new_dest(DestConfig::new("192.0.2.21".parse().unwrap(), 80));
        dest.config.weight = 3;
        dest.active_conns = 5;
        dest.stats.cps = 7;
        let entry = ServiceEntry {
            service: Service {
                config: ServiceConfig::new(key),
                stats: Stats {
                    conns: 9,
                    ..Stats::default()
                },
            },
            dests: vec![dest],
        };
        let mut s = DirectorState::default();
        s.put_table(std::slice::from_ref(&entry));
        let (back, problems) = table_of(&s);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, vec![entry.clone()]);
        // Parsed once: the next picture with other counters reuses the lines.
        let mut parsed = Parsed::new();
        table_with(&s, &mut parsed);
        assert_eq!(parsed.len(), 2);
        let mut moved = entry;
        moved.dests[0].stats.cps = 70;
        moved.dests[0].config.weight = 4;
        let mut s2 = DirectorState::default();
        s2.put_table(std::slice::from_ref(&moved));
        let (back, _) = table_with(&s2, &mut parsed);
        assert_eq!(back, vec![moved]);
    }

    #[test]
    fn a_director_prefix_is_a_word_ending_in_a_colon() {
        assert_eq!(
            split_prefix("lb2: -e -t 198.51.100.10:80 -r 192.0.2.21:80 -w 0"),
            Some(("lb2", "-e -t 198.51.100.10:80 -r 192.0.2.21:80 -w 0"))
        );
        assert_eq!(split_prefix("ops@lb2:"), Some(("ops@lb2", "")));
        assert_eq!(
            split_prefix("-e -t 198.51.100.10:80 -r 192.0.2.21:80"),
            None
        );
        assert_eq!(split_prefix("ipvsadm -Ln"), None);
    }
}
