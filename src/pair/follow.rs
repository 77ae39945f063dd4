//! The watching end's core: given the serving end's frames and a clock, it holds the
//! peer's picture, checks that the frames come in sequence (a gap, a repeat or changes
//! before any snapshot mean the picture can no longer be trusted: it asks for a new
//! snapshot and stops applying changes until one comes), learns the peer's clock offset,
//! and says whether the peer is reachable. A peer is UNREACHABLE when no in-sequence frame
//! came within two of its refresh intervals, or its transport is gone; its last picture is
//! then kept, with its age, never shown as current. Pure: frames and instants in, outcomes
//! out.

use std::time::Duration;

use super::delta;
use super::state::DirectorState;
use super::wire::{self, Hello, ServerFrame};
use crate::clock::Instant;
use crate::engine::control::protocol::Reply;

/// Whether the peer's picture is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// No picture yet (connecting, or waiting for the first snapshot).
    Connecting,
    /// The picture is current: an in-sequence frame came within two intervals.
    Reachable,
    /// Nothing current: `age` is how old the last picture is (none if there never was one).
    Unreachable { age: Option<Duration> },
}

/// What the watching end must do after a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// Send `ClientFrame::Resync`: the sequence broke.
    Resync,
    /// The answer to request or apply `id`.
    Reply { id: u64, reply: Reply },
    /// The serving end refused a line or cannot go on (its words).
    Error(String),
    /// The stream cannot be followed (another protocol version, a line that is not a
    /// frame): show it; the transport is best closed and tried again.
    Broken(String),
}

#[derive(Debug, Clone)]
pub struct Follower {
    /// The refresh interval assumed until the peer's hello names its own.
    configured: Duration,
    hello: Option<Hello>,
    state: Option<DirectorState>,
    /// The last sequence number taken in.
    seq: Option<u64>,
    /// Changes may be applied (false after a gap, until the next snapshot).
    in_sync: bool,
    resync_asked: bool,
    connected: bool,
    /// When the picture was last known current.
    current_at: Option<Instant>,
    /// The smallest (local clock − peer clock) seen this session, in ms.
    offset_ms: Option<i128>,
    /// The serving end's wall clock (ms) when the current picture was read.
    picture_wall_ms: Option<u64>,
    /// A new session whose snapshot has not come yet: the old picture is not current.
    fresh: bool,
    /// The peer's wall clock (Unix seconds) at a local instant, from its last frame
    /// that carried it.
    wall: Option<(u64, Instant)>,
    /// Counts changes of the picture (the console rebuilds what it shows from it).
    generation: u64,
    /// The last error frame or broken line.
    last_error: Option<String>,
}

impl Follower {
    pub fn new(interval: Duration) -> Follower {
        Follower {
            configured: interval,
            hello: None,
            state: None,
            seq: None,
            in_sync: false,
            resync_asked: false,
            connected: false,
            current_at: None,
            offset_ms: None,
            picture_wall_ms: None,
            fresh: false,
            wall: None,
            generation: 0,
            last_error: None,
        }
    }

    /// A new transport is up: a hello and a snapshot are expected.
    pub fn connected(&mut self) {
        self.connected = true;
        self.fresh = true;
        self.hello = None;
        self.seq = None;
        self.in_sync = false;
        self.resync_asked = false;
        self.offset_ms = None;
    }

    /// The transport is gone: the picture stays, no longer current.
    pub fn disconnected(&mut self) {
        self.connected = false;
        self.in_sync = false;
    }

    /// One line from the serving end.
    pub fn on_line(&mut self, line: &str, now: Instant) -> Vec<Out> {
        match wire::parse_server_frame(line) {
            Ok(f) => self.on_frame(f, now),
            Err(e) => {
                let msg = format!("from the peer: {e}");
                self.last_error = Some(msg.clone());
                vec![Out::Broken(msg)]
            }
        }
    }

    /// One frame from the serving end.
    pub fn on_frame(&mut self, frame: ServerFrame, now: Instant) -> Vec<Out> {
        match frame {
            ServerFrame::Hello(h) => {
                if let Err(e) = wire::check_version(h.version) {
                    let msg = e.to_string();
                    self.last_error = Some(msg.clone());
                    return vec![Out::Broken(msg)];
                }
                self.hello = Some(h);
                self.seq = None;
                self.in_sync = false;
                self.resync_asked = false;
                self.offset_ms = None;
                Vec::new()
            }
            ServerFrame::Snapshot {
                seq,
                clock_ms,
                state,
                wall_secs,
                wall_ms,
            } => {
                self.clock_sample(clock_ms, now);
                self.wall = wall_secs.map(|w| (w, now)).or(self.wall);
                self.picture_wall_ms = wall_ms;
                self.state = Some(state);
                self.generation += 1;
                self.seq = Some(seq);
                self.in_sync = true;
                self.fresh = false;
                self.resync_asked = false;
                self.current_at = Some(now);
                Vec::new()
            }
            ServerFrame::Changes {
                seq,
                clock_ms,
                changes,
                wall_secs,
                wall_ms,
            } => {
                self.clock_sample(clock_ms, now);
                self.wall = wall_secs.map(|w| (w, now)).or(self.wall);
                self.picture_wall_ms = wall_ms.or(self.picture_wall_ms);
                if !self.in_order(seq) {
                    return self.gap();
                }
                if let Some(s) = &mut self.state {
                    delta::apply(s, &changes);
                    if !changes.is_empty() {
                        self.generation += 1;
                    }
                }
                self.seq = Some(seq);
                self.current_at = Some(now);
                Vec::new()
            }
            ServerFrame::Heartbeat { seq, clock_ms } => {
                self.clock_sample(clock_ms, now);
                if !self.in_order(seq) {
                    return self.gap();
                }
                self.seq = Some(seq);
                self.current_at = Some(now);
                Vec::new()
            }
            ServerFrame::Reply { id, reply } => vec![Out::Reply { id, reply }],
            ServerFrame::Error { message } => {
                self.last_error = Some(message.clone());
                vec![Out::Error(message)]
            }
            ServerFrame::Unknown => Vec::new(),
        }
    }

    /// Whether `seq` follows the last frame taken in, in a picture that can take changes.
    fn in_order(&self, seq: u64) -> bool {
        self.in_sync && self.state.is_some() && self.seq.and_then(|s| s.checked_add(1)) == Some(seq)
    }

    /// The sequence broke: ask for a snapshot once, apply nothing until it comes.
    fn gap(&mut self) -> Vec<Out> {
        self.in_sync = false;
        if self.resync_asked {
            return Vec::new();
        }
        self.resync_asked = true;
        vec![Out::Resync]
    }

    fn clock_sample(&mut self, clock_ms: u64, now: Instant) {
        let local = i128::try_from(now.since_epoch().as_millis()).unwrap_or(i128::MAX);
        let sample = local - i128::from(clock_ms);
        // The fastest frame is the best estimate: latency only ever adds.
        self.offset_ms = Some(self.offset_ms.map_or(sample, |o| o.min(sample)));
    }

    /// The interval a frame comes at least once in: the peer's own, else the configured.
    pub fn interval(&self) -> Duration {
        self.hello
            .as_ref()
            .and_then(|h| h.interval_ms)
            .map(Duration::from_millis)
            .filter(|d| !d.is_zero())
            .unwrap_or(self.configured)
    }

    pub fn reach(&self, now: Instant) -> Reach {
        let age = self.current_at.map(|t| now.saturating_since(t));
        match (self.state.is_some(), age) {
            (false, _) if self.connected => Reach::Connecting,
            (true, Some(a)) if self.connected && self.in_sync && a <= self.interval() * 2 => {
                Reach::Reachable
            }
            (true, Some(a))
                if self.connected && !self.in_sync && !self.fresh && a <= self.interval() * 2 =>
            {
                // A resync under way in this session: the picture was current a moment ago.
                Reach::Reachable
            }
            (false, _) => Reach::Unreachable { age: None },
            (true, age) => Reach::Unreachable { age },
        }
    }

    pub fn state(&self) -> Option<&DirectorState> {
        self.state.as_ref()
    }

    pub fn hello(&self) -> Option<&Hello> {
        self.hello.as_ref()
    }

    pub fn read_only(&self) -> bool {
        self.hello.as_ref().is_some_and(|h| h.read_only)
    }

    /// Changes whenever the picture does.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Local clock minus the peer's, in ms (the smallest seen: the least delayed frame).
    pub fn offset_ms(&self) -> Option<i128> {
        self.offset_ms
    }

    /// The peer's clock now, by the offset (ms since it started serving).
    pub fn peer_clock_ms(&self, now: Instant) -> Option<u64> {
        let local = i128::try_from(now.since_epoch().as_millis()).ok()?;
        u64::try_from(local - self.offset_ms?).ok()
    }

    /// How much later than the fastest frame a frame stamped `clock_ms` arrived at `now`.
    pub fn delay_ms(&self, clock_ms: u64, now: Instant) -> Option<u64> {
        let local = i128::try_from(now.since_epoch().as_millis()).ok()?;
        u64::try_from(local - i128::from(clock_ms) - self.offset_ms?).ok()
    }

    /// The peer's wall clock now (Unix seconds), from its last frame that carried it.
    /// The serving end's wall clock (ms) when the current picture was read.
    pub fn picture_wall_ms(&self) -> Option<u64> {
        self.picture_wall_ms
    }

    pub fn wall_secs(&self, now: Instant) -> Option<u64> {
        self.wall
            .map(|(w, at)| w + now.saturating_since(at).as_secs())
    }

    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::control::protocol::to_line;
    use crate::pair::delta::Changes;
    use crate::pair::state::{Item, Meta, META};
    use crate::pair::wire::{capability, VERSION};

    fn at(ms: u64) -> Instant {
        Instant::from_since_epoch(Duration::from_millis(ms))
    }

    fn hello(interval_ms: Option<u64>) -> ServerFrame {
        ServerFrame::Hello(Hello {
            version: VERSION,
            capabilities: vec![capability::CHANGES.into()],
            host: "lb2".into(),
            read_only: false,
            lvsdeck: "0.1.0".into(),
            interval_ms,
        })
    }

    fn meta(host: &str) -> Item {
        Item::Meta(Meta {
            host: host.into(),
            ..Meta::default()
        })
    }

    fn snapshot(seq: u64, clock_ms: u64, host: &str) -> ServerFrame {
        let mut state = DirectorState::default();
        state.items.insert(META.into(), meta(host));
        ServerFrame::Snapshot {
            seq,
            clock_ms,
            wall_secs: None,
            wall_ms: None,
            state,
        }
    }

    fn changes(seq: u64, clock_ms: u64, host: &str) -> ServerFrame {
        let mut c = Changes::default();
        c.upsert.insert(META.into(), meta(host));
        ServerFrame::Changes {
            seq,
            clock_ms,
            wall_secs: None,
            wall_ms: None,
            changes: c,
        }
    }

    fn host(f: &Follower) -> String {
        f.state()
            .and_then(|s| s.meta())
            .map(|m| m.host.clone())
            .unwrap_or_default()
    }

    fn started() -> Follower {
        let mut f = Follower::new(Duration::from_secs(1));
        f.connected();
        assert_eq!(f.reach(at(0)), Reach::Connecting);
        assert!(f.on_frame(hello(Some(1000)), at(10)).is_empty());
        assert!(f.on_frame(snapshot(1, 0, "a"), at(20)).is_empty());
        f
    }

    #[test]
    fn frames_in_sequence_are_applied_and_keep_the_peer_reachable() {
        let mut f = started();
        assert_eq!(f.reach(at(20)), Reach::Reachable);
        let g = f.generation();
        assert!(f.on_frame(changes(2, 1000, "b"), at(1025)).is_empty());
        assert_eq!(host(&f), "b");
        assert!(f.generation() > g);
        let g = f.generation();
        assert!(f
            .on_frame(
                ServerFrame::Heartbeat {
                    seq: 3,
                    clock_ms: 2000
                },
                at(2021)
            )
            .is_empty());
        assert_eq!(f.generation(), g, "a heartbeat changes nothing");
        assert_eq!(f.reach(at(4000)), Reach::Reachable);
    }

    #[test]
    fn no_frame_within_two_intervals_is_unreachable_with_the_age_of_the_last_state() {
        let f = started();
        assert_eq!(f.reach(at(2020)), Reach::Reachable);
        assert_eq!(
            f.reach(at(2021)),
            Reach::Unreachable {
                age: Some(Duration::from_millis(2001))
            }
        );
        // The picture is kept, with its age, not dropped.
        assert_eq!(host(&f), "a");
        // The peer's own interval from its hello counts, not the configured one.
        let mut slow = Follower::new(Duration::from_secs(1));
        slow.connected();
        slow.on_frame(hello(Some(5000)), at(0));
        slow.on_frame(snapshot(1, 0, "a"), at(0));
        assert_eq!(slow.reach(at(9000)), Reach::Reachable);
        assert!(matches!(slow.reach(at(10_001)), Reach::Unreachable { .. }));
    }

    #[test]
    fn a_gone_transport_is_unreachable_at_once() {
        let mut f = started();
        f.disconnected();
        assert_eq!(
            f.reach(at(500)),
            Reach::Unreachable {
                age: Some(Duration::from_millis(480))
            }
        );
        // A new session does not make the old picture current: its snapshot does.
        f.connected();
        f.on_frame(hello(Some(1000)), at(600));
        assert!(matches!(f.reach(at(700)), Reach::Unreachable { .. }));
        f.on_frame(snapshot(1, 0, "b"), at(800));
        assert_eq!(f.reach(at(800)), Reach::Reachable);
        f.disconnected();
        let mut never = Follower::new(Duration::from_secs(1));
        never.connected();
        never.disconnected();
        assert_eq!(never.reach(at(0)), Reach::Unreachable { age: None });
    }

    #[test]
    fn a_gap_asks_for_a_resync_once_and_applies_nothing_until_the_snapshot() {
        let mut f = started();
        assert_eq!(f.on_frame(changes(3, 1000, "x"), at(1000)), [Out::Resync]);
        assert_eq!(host(&f), "a", "changes after a gap are not applied");
        // Asked once, not for every frame until the snapshot comes.
        assert!(f.on_frame(changes(4, 2000, "y"), at(2000)).is_empty());
        assert!(f
            .on_frame(
                ServerFrame::Heartbeat {
                    seq: 5,
                    clock_ms: 2500
                },
                at(2500)
            )
            .is_empty());
        assert_eq!(host(&f), "a");
        // Not current any more once two intervals passed without an in-sequence frame.
        assert!(matches!(f.reach(at(2100)), Reach::Unreachable { .. }));
        f.on_frame(snapshot(6, 3000, "z"), at(3000));
        assert_eq!(host(&f), "z");
        assert_eq!(f.reach(at(3000)), Reach::Reachable);
        assert!(f.on_frame(changes(7, 4000, "w"), at(4000)).is_empty());
        assert_eq!(host(&f), "w");
        // A repeated sequence number is a gap too.
        assert_eq!(f.on_frame(changes(7, 4100, "v"), at(4100)), [Out::Resync]);
    }

    #[test]
    fn changes_before_any_snapshot_ask_for_one() {
        let mut f = Follower::new(Duration::from_secs(1));
        f.connected();
        f.on_frame(hello(None), at(0));
        assert_eq!(f.on_frame(changes(1, 0, "a"), at(0)), [Out::Resync]);
        assert_eq!(f.state(), None);
        assert_eq!(f.reach(at(0)), Reach::Connecting);
    }

    #[test]
    fn the_clock_offset_is_the_least_delayed_frame() {
        let mut f = Follower::new(Duration::from_secs(1));
        f.connected();
        f.on_frame(hello(None), at(100_000));
        f.on_frame(snapshot(1, 5_000, "a"), at(100_030)); // 30 ms on the way
        assert_eq!(f.offset_ms(), Some(95_030));
        f.on_frame(
            ServerFrame::Heartbeat {
                seq: 2,
                clock_ms: 6_000,
            },
            at(101_010),
        );
        assert_eq!(f.offset_ms(), Some(95_010));
        // A slow frame does not move it; its delay is measured against it.
        f.on_frame(
            ServerFrame::Heartbeat {
                seq: 3,
                clock_ms: 7_000,
            },
            at(102_300),
        );
        assert_eq!(f.offset_ms(), Some(95_010));
        assert_eq!(f.delay_ms(7_000, at(102_300)), Some(290));
        assert_eq!(f.peer_clock_ms(at(110_010)), Some(15_000));
        f.on_frame(
            ServerFrame::Changes {
                seq: 4,
                clock_ms: 8_000,
                wall_secs: Some(1_800_000_000),
                wall_ms: None,
                changes: Changes::default(),
            },
            at(103_000),
        );
        assert_eq!(f.wall_secs(at(105_500)), Some(1_800_000_002));
        // A new session (the serving end restarted) starts a new clock.
        f.on_frame(hello(None), at(200_000));
        assert_eq!(f.offset_ms(), None);
    }

    #[test]
    fn replies_errors_and_bad_lines_come_out() {
        let mut f = started();
        let reply = Reply::Error {
            message: "read-only".into(),
        };
        let line = to_line(&ServerFrame::Reply {
            id: 4,
            reply: reply.clone(),
        });
        assert_eq!(f.on_line(&line, at(30)), [Out::Reply { id: 4, reply }]);
        assert_eq!(
            f.on_line(r#"{"t":"error","message":"line 3: not JSON"}"#, at(40)),
            [Out::Error("line 3: not JSON".into())]
        );
        let out = f.on_line("Permission denied (publickey).", at(50));
        assert!(
            matches!(&out[..], [Out::Broken(m)] if m.contains("not a frame")),
            "{out:?}"
        );
        let long = "x".repeat(wire::MAX_FRAME + 1);
        assert!(matches!(&f.on_line(&long, at(60))[..], [Out::Broken(m)] if m.contains("longer")));
        // Unknown frames from a newer peer are skipped; nothing breaks.
        assert!(f.on_line(r#"{"t":"hologram"}"#, at(70)).is_empty());
        assert_eq!(f.reach(at(70)), Reach::Reachable);
    }

    #[test]
    fn another_protocol_version_is_refused() {
        let mut f = Follower::new(Duration::from_secs(1));
        f.connected();
        let out = f.on_line(r#"{"t":"hello","version":9}"#, at(0));
        assert!(
            matches!(&out[..], [Out::Broken(m)] if m.contains("upgrade")),
            "{out:?}"
        );
        assert_eq!(f.hello(), None);
    }
}
