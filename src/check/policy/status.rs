//! What the console shows about each real server and checker: health, last result and its
//! latency, failures in a row, next check time and a short log of transitions.

use std::collections::VecDeque;
use std::time::Duration;

use crate::clock::Instant;

/// How many transitions each server remembers.
pub const RING: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Up,
    Down,
}

/// What the operator asked for; it outranks the checks until `Undrain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Intent {
    #[default]
    Auto,
    /// Weight 0: existing connections finish, no new ones.
    Drain,
    /// Out of the table.
    Disable,
}

/// One checker's latest result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastResult {
    pub at: Instant,
    pub ok: bool,
    /// Why it failed, or what it saw ("HTTP 200", "weight 7").
    pub detail: String,
    pub latency: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckerStatus {
    pub name: &'static str,
    pub up: bool,
    pub last: Option<LastResult>,
    pub consecutive_failures: u32,
    pub next_check: Option<Instant>,
}

/// One change of a server's health or of the operator's intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub at: Instant,
    pub health: Health,
    pub intent: Intent,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStatus {
    pub health: Health,
    pub intent: Intent,
    /// Weight the checks give it (configured, or set by misc_dynamic).
    pub weight: u32,
    /// Weight it has in the table as the policy wants it; `None` when out.
    pub in_table: Option<u32>,
    pub checkers: Vec<CheckerStatus>,
    pub transitions: VecDeque<Transition>,
}

impl ServerStatus {
    pub(crate) fn log(&mut self, t: Transition) {
        if self.transitions.len() == RING {
            self.transitions.pop_front();
        }
        self.transitions.push_back(t);
    }
}
