//! What the console shows about one instance: state, why it got there, priorities, counters.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::time::Duration;

use super::counters::Counters;
use crate::clock::Instant;

/// RFC states, plus FAULT (keepalived: interface down or a failed track with weight 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not started, or shut down.
    Initialize,
    Backup,
    Master,
    Fault,
}

/// Why a transition happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Start as a backup.
    Startup,
    /// Start (or fault cleared) as the address owner: master at once.
    AddressOwner,
    /// No advert for Master_Down_Interval.
    MasterDown,
    /// The master sent priority 0 and we took over after Skew_Time.
    MasterResigned,
    /// We ignored a lower-priority master's adverts and took over.
    Preempted,
    /// As master we heard a higher priority (or equal with a higher address).
    HigherPriority,
    /// Operator: give up mastership.
    OperatorGaveUp,
    Shutdown,
    Fault,
    FaultCleared,
    /// `state MASTER` at start: nobody better was heard within one advert interval.
    InitialMaster,
    /// The sync group moved us with another member (to MASTER, BACKUP or FAULT).
    SyncGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub at: Instant,
    pub from: State,
    pub to: State,
    pub reason: Reason,
}

/// Recent transitions, oldest first, capped so a flapping pair cannot grow memory.
#[derive(Debug, Clone, Default)]
pub struct History {
    ring: VecDeque<Transition>,
}

impl History {
    pub const CAPACITY: usize = 32;

    pub fn push(&mut self, t: Transition) {
        if self.ring.len() == Self::CAPACITY {
            self.ring.pop_front();
        }
        self.ring.push_back(t);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Transition> {
        self.ring.iter()
    }

    pub fn last(&self) -> Option<&Transition> {
        self.ring.back()
    }
}

/// A snapshot of one instance.
#[derive(Debug, Clone)]
pub struct Status {
    pub vrid: u8,
    pub state: State,
    pub time_in_state: Duration,
    pub configured_priority: u8,
    pub effective_priority: u8,
    /// Last master heard (or ourselves when master) and its advertised priority.
    pub master: Option<(IpAddr, u8)>,
    pub advert_interval_cs: u16,
    /// Master_Adver_Interval: v3 backups learn it from the master's adverts.
    pub learned_interval_cs: u16,
    /// Operator hold (give up mastership) still running until then.
    pub held_until: Option<Instant>,
    /// Operator priority override and its end.
    pub priority_override: Option<(u8, Instant)>,
    pub fault: bool,
    pub next_deadline: Option<Instant>,
    pub counters: Counters,
    pub transitions: Vec<Transition>,
}
