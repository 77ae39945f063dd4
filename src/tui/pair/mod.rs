//! The pair view (`P`): this director and its peer side by side — per VRID each one's state,
//! priorities, the master it hears, the VIPs the kernel holds and the time in state; the
//! sync daemons and connection counts; the invariants' alerts; the last drills' timelines.
//! The alerts also go to the header, whatever view is open.

pub mod view;

use std::collections::VecDeque;
use std::time::Duration;

use crate::clock::Instant;
use crate::pair::drill::Drill;
use crate::pair::invariants::{check, Alarms, Breach, Side};
use crate::pair::state::DirectorState;

/// A breach must hold this long to be raised: longer than a failover takes (a give-up
/// takes a skew time, a dead master three advert intervals and a skew time).
pub const GRACE: Duration = Duration::from_secs(6);

/// Drill reports kept on screen.
pub const DRILLS_KEPT: usize = 5;

/// One director as the pair view shows it.
#[derive(Debug, Clone, Copy)]
pub struct Director<'a> {
    pub name: &'a str,
    pub state: Option<&'a DirectorState>,
    /// `UNREACHABLE (last state 12s old)`, `READ-ONLY`, ... as the header marks it.
    pub mark: Option<&'a str>,
    /// Whether its state is current (a stale state is shown but not checked).
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct PairState {
    pub alarms: Alarms,
    /// The drill under way, if any.
    pub drill: Option<Drill>,
    /// Finished drills' reports, newest last.
    pub drills: VecDeque<String>,
    /// Why the pair is not checked now (a side unreachable), for the header.
    pub unchecked: Option<String>,
    pub scroll: u16,
}

impl Default for PairState {
    fn default() -> Self {
        PairState {
            alarms: Alarms::new(GRACE),
            drill: None,
            drills: VecDeque::new(),
            unchecked: None,
            scroll: 0,
        }
    }
}

impl PairState {
    /// Checks the invariants on the two directors' current pictures. A side whose state
    /// is not current is not checked (its last state is not the truth): the alarms are
    /// held and the header says why.
    pub fn refresh(&mut self, a: Director<'_>, b: Director<'_>, now: Instant) {
        match (a.state, b.state, a.current && b.current) {
            (Some(sa), Some(sb), true) => {
                self.unchecked = None;
                let breaches = check(
                    Side {
                        name: a.name,
                        state: sa,
                    },
                    Side {
                        name: b.name,
                        state: sb,
                    },
                );
                self.alarms.update(now, breaches);
            }
            _ => {
                let who = if a.current && a.state.is_some() {
                    b.name
                } else {
                    a.name
                };
                self.unchecked = Some(format!("pair not checked: no current state from {who}"));
            }
        }
    }

    pub fn raised(&self) -> &[Breach] {
        self.alarms.raised()
    }

    /// A picture from `who`, taken at its wall clock `wall_ms`, for the drill under way;
    /// a finished drill's report moves to the kept ones (and is returned, for the drill
    /// log).
    pub fn observe_drill(&mut self, who: &str, wall_ms: u64, s: &DirectorState) -> Option<String> {
        let d = self.drill.as_mut()?;
        d.observe(who, wall_ms, s);
        if d.done {
            return self.finish_drill();
        }
        None
    }

    /// Ends the drill under way (done, or its window passed); returns its report.
    pub fn finish_drill(&mut self) -> Option<String> {
        let d = self.drill.take()?;
        let r = d.report();
        if self.drills.len() == DRILLS_KEPT {
            self.drills.pop_front();
        }
        self.drills.push_back(r.clone());
        Some(r)
    }

    /// The header's line: the most severe raised alert and how many more.
    pub fn header(&self) -> Option<String> {
        let raised = self.raised();
        let first = raised.first()?;
        Some(match raised.len() {
            1 => format!("PAIR: {}", first.text),
            n => format!("PAIR: {} (+{} more: P)", first.text, n - 1),
        })
    }
}
