//! Tracking policy (keepalived's `track_script` / `track_interface`): results in, priority
//! shift and fault out. Pure: the engine runs the scripts and watches the links.
//!
//! keepalived's rules, from `vrrp_scheduler.c` and `vrrp_track.c`:
//! - a script starts "init" (one success makes it up, one failure down) or, with
//!   `init_fail`, down; after that it takes `rise` consecutive successes to come up and
//!   `fall` consecutive failures to go down;
//! - weight 0: down means FAULT; weight > 0 is added while up; weight < 0 while down;
//!   `reverse` swaps up and down;
//! - while a weight-0 tracker has no result yet the instance waits (does not start).

/// One tracked thing as an instance sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracker {
    pub weight: i32,
    pub reverse: bool,
    rise: u32,
    fall: u32,
    /// keepalived's `result`: up when >= rise; 0..=rise+fall-1.
    result: u32,
    /// No result yet (keepalived's SCRIPT_INIT_STATE_INIT).
    init: bool,
}

impl Tracker {
    /// A script tracker (`rise`, `fall` at least 1).
    pub fn script(weight: i32, reverse: bool, rise: u32, fall: u32, init_fail: bool) -> Tracker {
        let rise = rise.max(1);
        Tracker {
            weight,
            reverse,
            rise,
            fall: fall.max(1),
            result: if init_fail { 0 } else { rise - 1 },
            init: !init_fail,
        }
    }

    /// An interface: no rise/fall, its state is known at once.
    pub fn link(weight: i32, reverse: bool, up: bool) -> Tracker {
        let mut t = Tracker::script(weight, reverse, 1, 1, false);
        t.record(up);
        t
    }

    /// Up as the instance counts it (after `reverse`); `None` while still unknown.
    pub fn up(&self) -> Option<bool> {
        (!self.init).then_some((self.result >= self.rise) != self.reverse)
    }

    /// One result; true when [`Tracker::up`] changed.
    pub fn record(&mut self, ok: bool) -> bool {
        let before = self.up();
        let top = self.rise + self.fall - 1;
        if ok {
            self.result = if self.result + 1 < self.rise {
                self.result + 1
            } else {
                top
            };
        } else {
            self.result = if self.result > self.rise {
                self.result - 1
            } else {
                0
            };
        }
        self.init = false;
        before != self.up()
    }

    /// This tracker's share of the priority shift.
    pub fn shift(&self) -> i32 {
        match self.up() {
            Some(true) if self.weight > 0 => self.weight,
            Some(false) if self.weight < 0 => self.weight,
            _ => 0,
        }
    }

    pub fn faults(&self) -> bool {
        self.weight == 0 && self.up() == Some(false)
    }
}

/// Every tracker of one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracking {
    pub trackers: Vec<Tracker>,
}

/// What the instance must be told after a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub tracked_weight: i32,
    pub fault: bool,
    /// No weight-0 tracker is waiting for its first result.
    pub ready: bool,
}

impl Tracking {
    pub fn new(trackers: Vec<Tracker>) -> Tracking {
        Tracking { trackers }
    }

    /// Records tracker `idx`'s result (an unknown index is ignored); the new verdict.
    pub fn record(&mut self, idx: usize, ok: bool) -> Verdict {
        if let Some(t) = self.trackers.get_mut(idx) {
            t.record(ok);
        }
        self.verdict()
    }

    pub fn verdict(&self) -> Verdict {
        Verdict {
            tracked_weight: self.trackers.iter().map(Tracker::shift).sum(),
            fault: self.trackers.iter().any(Tracker::faults),
            ready: !self
                .trackers
                .iter()
                .any(|t| t.weight == 0 && t.up().is_none()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_needs_one_result_then_rise_and_fall_count_in_a_row() {
        let mut t = Tracker::script(-60, false, 2, 3, false);
        assert_eq!(t.up(), None);
        assert_eq!(t.shift(), 0);
        assert!(t.record(true), "one success is enough from init");
        assert_eq!(t.up(), Some(true));
        assert!(!t.record(false));
        assert!(!t.record(false));
        assert!(!t.record(true), "a success resets the fall count");
        assert!(!t.record(false));
        assert!(!t.record(false));
        assert!(t.record(false), "third failure in a row");
        assert_eq!(t.shift(), -60);
        assert!(!t.record(true));
        assert!(t.record(true), "rise 2");
        assert_eq!(t.shift(), 0);
    }

    #[test]
    fn init_failure_goes_down_at_once_and_init_fail_starts_down() {
        let mut t = Tracker::script(10, false, 3, 3, false);
        assert!(t.record(false));
        assert_eq!(t.up(), Some(false));
        let mut f = Tracker::script(10, false, 2, 1, true);
        assert_eq!(f.up(), Some(false));
        assert!(!f.record(true));
        assert!(f.record(true));
        assert_eq!(f.shift(), 10);
    }

    #[test]
    fn weights_faults_reverse_and_readiness() {
        let mut k = Tracking::new(vec![
            Tracker::script(0, false, 1, 1, false),
            Tracker::script(20, false, 1, 1, false),
            Tracker::link(-30, false, true),
            Tracker::script(0, true, 1, 1, false),
        ]);
        let v = k.verdict();
        assert!(!v.ready && !v.fault && v.tracked_weight == 0);
        k.record(0, true);
        let v = k.record(3, false);
        assert!(v.ready && !v.fault, "{v:?}");
        assert_eq!(k.record(1, true).tracked_weight, 20);
        assert!(k.record(0, false).fault);
        assert!(!k.record(0, true).fault);
        assert_eq!(k.record(2, false).tracked_weight, -10);
        assert!(k.record(3, true).fault, "reverse: success is down");
        assert_eq!(k.record(99, true), k.verdict());
    }
}
