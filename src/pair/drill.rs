//! A failover drill across the pair, measured from both ends: each director's own picture
//! says when its instance changed state (its wall clock at the picture, less the time in
//! state), when the VIP appeared on it, when its first new connection came and how many
//! connections it carried over from the old master. The timeline is those moments against
//! the moment the drill was sent, beside the bounds RFC 5798 sets: after a priority-0
//! advert the backup takes over within its skew time; after a silent master, within the
//! master down interval (3 × advert interval + skew).

use std::fmt::Write as _;
use std::net::IpAddr;

use super::state::DirectorState;

/// What the drill does to the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Priority 0 advert (the console's give-up, `lvsdeck control give-up`).
    GiveUp,
    /// Priority changed for a while.
    Priority(u8),
    /// The master's daemon killed: it goes silent.
    Kill,
}

/// A moment of the drill, in milliseconds after it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub what: String,
    pub after_ms: i64,
    /// Who saw it, and whether it is the director's own time of the event (`true`) or the
    /// first picture that showed it (`false`, as late as a refresh interval).
    pub seen_by: String,
    pub exact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub how: How,
    pub vrid: u8,
    /// The two directors' names; `from` was master when the drill was sent.
    pub from: String,
    pub to: String,
    pub sent_ms: u64,
    /// The VIPs the instance holds.
    vips: Vec<IpAddr>,
    /// New connections counted by `to`'s services when sent.
    conns_before: u64,
    /// The master's local connections when sent.
    from_local: u64,
    /// `to`'s advert interval and priority (for the RFC bound).
    to_priority: u8,
    advert_ms: u64,
    pub moments: Vec<Moment>,
    pub carried: Option<u64>,
    pub done: bool,
}

const LEFT: &str = "leaves MASTER";
const ENTERS: &str = "enters MASTER";
const VIP_ON: &str = "VIP present";
const VIP_OFF: &str = "VIP removed";
const FIRST_CONN: &str = "first new connection";
const DAEMON_GONE: &str = "daemon gone";

fn instance(s: &DirectorState, vrid: u8) -> Option<&crate::engine::control::protocol::VrrpReport> {
    s.vrrp().find(|v| v.vrid == vrid)
}

fn addr_of(text: &str) -> Option<IpAddr> {
    text.split(['/', ' ']).next()?.parse().ok()
}

fn new_conns(s: &DirectorState) -> u64 {
    s.services().map(|(_, v)| v.stats.conns).sum()
}

fn has_vip(s: &DirectorState, vips: &[IpAddr]) -> bool {
    s.meta().is_some_and(|m| {
        m.addresses
            .iter()
            .filter_map(|a| addr_of(a))
            .any(|a| vips.contains(&a))
    })
}

impl Drill {
    /// A drill sent at `sent_ms` (wall clock) to `from`, the master of `vrid`.
    pub fn start(
        how: How,
        vrid: u8,
        (from, from_state): (&str, &DirectorState),
        (to, to_state): (&str, &DirectorState),
        sent_ms: u64,
        advert_ms: u64,
    ) -> Drill {
        let vips = instance(from_state, vrid)
            .or(instance(to_state, vrid))
            .map(|v| v.vips.iter().filter_map(|x| addr_of(x)).collect())
            .unwrap_or_default();
        Drill {
            how,
            vrid,
            from: from.to_string(),
            to: to.to_string(),
            sent_ms,
            vips,
            conns_before: new_conns(to_state),
            from_local: from_state.meta().map_or(0, |m| m.conns.all.local),
            to_priority: instance(to_state, vrid).map_or(100, |v| v.effective_priority),
            advert_ms: advert_ms.max(1),
            moments: Vec::new(),
            carried: None,
            done: false,
        }
    }

    fn seen(&self, what: &str, by: &str) -> bool {
        self.moments
            .iter()
            .any(|m| m.what == what && m.seen_by == by)
    }

    fn note(&mut self, what: &str, by: &str, at_ms: u64, exact: bool) {
        if !self.seen(what, by) {
            self.moments.push(Moment {
                what: what.to_string(),
                after_ms: at_ms as i64 - self.sent_ms as i64,
                seen_by: by.to_string(),
                exact,
            });
            self.moments.sort_by_key(|m| m.after_ms);
        }
    }

    /// A picture of `who` (either director) taken at its wall clock `wall_ms`.
    pub fn observe(&mut self, who: &str, wall_ms: u64, s: &DirectorState) {
        if self.done {
            return;
        }
        let inst = instance(s, self.vrid);
        // The moment a state began, by the director's own clock.
        let began = |i: &crate::engine::control::protocol::VrrpReport| {
            wall_ms.saturating_sub(i.in_state_ms)
        };
        if who == self.from {
            match inst {
                Some(i) if i.state != "MASTER" && began(i) + 50 >= self.sent_ms => {
                    let at = began(i);
                    self.note(LEFT, who, at, true);
                }
                None if s.meta().is_some_and(|m| !m.daemon) || s.vrrp().next().is_none() => {
                    self.note(DAEMON_GONE, who, wall_ms, false)
                }
                _ => {}
            }
            if !self.vips.is_empty() && !has_vip(s, &self.vips) {
                self.note(VIP_OFF, who, wall_ms, false);
            }
        } else if who == self.to {
            if let Some(i) = inst.filter(|i| i.state == "MASTER" && began(i) + 50 >= self.sent_ms) {
                let at = began(i);
                self.note(ENTERS, who, at, true);
                if self.carried.is_none() {
                    self.carried = s.meta().map(|m| m.conns.all.synced);
                }
            }
            if !self.vips.is_empty() && has_vip(s, &self.vips) && self.seen(ENTERS, who) {
                self.note(VIP_ON, who, wall_ms, false);
            }
            if new_conns(s) > self.conns_before && self.seen(ENTERS, who) {
                self.note(FIRST_CONN, who, wall_ms, false);
            }
            self.done = self.seen(ENTERS, who)
                && (self.vips.is_empty() || self.seen(VIP_ON, who))
                && self.seen(FIRST_CONN, who);
        }
    }

    /// The takeover: when `to` entered MASTER, after the drill was sent.
    pub fn takeover_ms(&self) -> Option<i64> {
        self.moments
            .iter()
            .find(|m| m.what == ENTERS && m.seen_by == self.to)
            .map(|m| m.after_ms)
    }

    /// RFC 5798's bound for this drill: skew time after a priority-0 advert, master down
    /// interval after a silent master. `None` for a priority change (it depends on the
    /// priorities and preemption).
    pub fn bound_ms(&self) -> Option<u64> {
        let skew = (256 - u64::from(self.to_priority)) * self.advert_ms / 256;
        match self.how {
            How::GiveUp => Some(skew),
            How::Kill => Some(3 * self.advert_ms + skew),
            How::Priority(_) => None,
        }
    }

    fn title(&self) -> String {
        match self.how {
            How::GiveUp => format!("give-up on {}", self.from),
            How::Priority(p) => format!("priority {p} on {}", self.from),
            How::Kill => format!("daemon killed on {}", self.from),
        }
    }

    /// The drill as the drill log keeps it: a heading, each moment, the figures.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "drill: {} (VRID {}), {} → {}",
            self.title(),
            self.vrid,
            self.from,
            self.to
        );
        let _ = writeln!(out, "  +0 ms  drill sent");
        for m in &self.moments {
            let _ = writeln!(
                out,
                "  {:+} ms  {} {}{}",
                m.after_ms,
                m.seen_by,
                m.what,
                if m.exact { "" } else { " (seen by then)" }
            );
        }
        match (self.takeover_ms(), self.bound_ms()) {
            (Some(t), Some(b)) => {
                let _ = writeln!(
                    out,
                    "  takeover {t} ms; RFC 5798 bound {b} ms{}",
                    if t <= b as i64 + 100 { "" } else { " — LATE" }
                );
            }
            (Some(t), None) => {
                let _ = writeln!(out, "  takeover {t} ms");
            }
            (None, _) => {
                let _ = writeln!(out, "  no takeover seen");
            }
        }
        if let Some(c) = self.carried {
            let _ = writeln!(
                out,
                "  connections carried: {} held {c} synced, {} had {} of its own",
                self.to, self.from, self.from_local
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::control::protocol::VrrpReport;
    use crate::pair::state::{Counters, Item, Meta, Origins, ServiceItem};

    fn pic(state: &str, in_state_ms: u64, vip: bool, conns: u64, synced: u64) -> DirectorState {
        let mut s = DirectorState::default();
        let mut m = Meta {
            daemon: true,
            ..Meta::default()
        };
        if vip {
            m.addresses.push("198.51.100.10/24 dev eth0".into());
        }
        m.conns.all = Origins { local: 4, synced };
        s.items.insert("meta".into(), Item::Meta(m));
        s.items.insert(
            "vrrp VI_1".into(),
            Item::Vrrp(VrrpReport {
                name: "VI_1".into(),
                interface: "eth0".into(),
                vrid: 51,
                state: state.into(),
                configured_priority: 100,
                effective_priority: 100,
                master: None,
                master_priority: None,
                vips: vec!["198.51.100.10/24".into()],
                in_state_ms,
                rejected: 0,
            }),
        );
        s.items.insert(
            "svc -t 198.51.100.10:80".into(),
            Item::Service(ServiceItem {
                rule: "-A -t 198.51.100.10:80 -s rr".into(),
                stats: Counters {
                    conns,
                    ..Counters::default()
                },
            }),
        );
        s
    }

    #[test]
    fn a_give_up_drill_from_both_ends() {
        let a0 = pic("MASTER", 60_000, true, 10, 0);
        let b0 = pic("BACKUP", 60_000, false, 0, 4);
        let mut d = Drill::start(How::GiveUp, 51, ("lb1", &a0), ("lb2", &b0), 1_000_000, 1000);
        // lb1 went BACKUP 3 ms after the drill was sent; seen in its picture at +1000.
        d.observe("lb1", 1_001_000, &pic("BACKUP", 997, false, 10, 0));
        // lb2 entered MASTER at +612 and holds the VIP; no new connection yet.
        d.observe("lb2", 1_001_000, &pic("MASTER", 388, true, 0, 4));
        assert!(!d.done);
        d.observe("lb2", 1_002_000, &pic("MASTER", 1388, true, 1, 4));
        assert!(d.done);
        assert_eq!(d.takeover_ms(), Some(612));
        assert_eq!(d.bound_ms(), Some(609));
        let r = d.report();
        assert!(r.contains("+3 ms  lb1 leaves MASTER\n"), "{r}");
        assert!(r.contains("+612 ms  lb2 enters MASTER\n"), "{r}");
        assert!(
            r.contains("+1000 ms  lb1 VIP removed (seen by then)"),
            "{r}"
        );
        assert!(
            r.contains("+2000 ms  lb2 first new connection (seen by then)"),
            "{r}"
        );
        assert!(
            r.contains("takeover 612 ms; RFC 5798 bound 609 ms\n"),
            "{r}"
        );
        assert!(r.contains("lb2 held 4 synced, lb1 had 4 of its own"), "{r}");
    }

    #[test]
    fn a_killed_master_and_a_late_takeover() {
        let a0 = pic("MASTER", 60_000, true, 0, 0);
        let b0 = pic("BACKUP", 60_000, false, 0, 0);
        let mut d = Drill::start(How::Kill, 51, ("lb1", &a0), ("lb2", &b0), 0, 1000);
        let mut gone = DirectorState::default();
        gone.items
            .insert("meta".into(), Item::Meta(Meta::default()));
        d.observe("lb1", 500, &gone);
        d.observe("lb2", 9_000, &pic("MASTER", 4_000, true, 1, 0));
        assert_eq!(d.bound_ms(), Some(3609));
        let r = d.report();
        assert!(r.contains("lb1 daemon gone (seen by then)"), "{r}");
        assert!(
            r.contains("takeover 5000 ms; RFC 5798 bound 3609 ms — LATE"),
            "{r}"
        );
    }

    #[test]
    fn a_state_from_before_the_drill_is_not_its_effect() {
        let a0 = pic("MASTER", 60_000, true, 0, 0);
        let b0 = pic("BACKUP", 60_000, false, 0, 0);
        let mut d = Drill::start(How::GiveUp, 51, ("lb2", &b0), ("lb1", &a0), 100_000, 1000);
        // lb1 has been MASTER for a minute: not a takeover caused by this drill.
        d.observe("lb1", 100_500, &pic("MASTER", 60_500, true, 0, 0));
        assert_eq!(d.takeover_ms(), None);
    }
}
