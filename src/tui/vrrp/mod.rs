//! The VRRP side of the console: the embedded instances' status as the panel (`v`) and the
//! header slot show it, failover drills with their measured takeover (`drill`), and the
//! question before quitting a console that holds mastership. The state is here, the keys in
//! `keys`, the panel and dialogs in `view`. Pure: statuses come in as events, commands go
//! out as `Effect::Vrrp`; the engine runs in `edge::vrrp_runner`.

pub mod drill;
pub mod keys;
pub mod view;

use std::collections::VecDeque;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::vrrp::{State, Status};
use drill::{Drill, Measured, VrrpDialog};

/// What the console learns about one instance when the engine starts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    pub name: String,
    pub interface: String,
    /// `addr/prefix` of each VIP, as configured.
    pub vips: Vec<String>,
}

/// Messages from the embedded engine.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The instances that run (in name order) and those that could not start, with why.
    Started {
        running: Vec<InstanceInfo>,
        failed: Vec<String>,
    },
    /// A new status of the instance called `name`.
    Status(String, Box<Status>),
    /// A drill command could not be handed to its instance.
    NotSent(String),
    /// Adverts for VRIDs no instance here runs, per interface (the shared receivers' counts).
    UnknownVrid(Vec<(String, u64)>),
}

/// One instance as the console knows it.
#[derive(Debug, Clone)]
pub struct Instance {
    pub info: InstanceInfo,
    pub status: Option<Status>,
    /// When `status` arrived, to age its times between updates.
    pub received: Option<Instant>,
    /// A drill waiting for its takeover.
    pub drill: Option<Drill>,
    /// Measured drills, oldest first (kept short).
    pub measured: VecDeque<Measured>,
}

impl Instance {
    pub fn state(&self) -> Option<State> {
        self.status.as_ref().map(|s| s.state)
    }

    /// Time in state, as of `now`.
    pub fn time_in_state(&self, now: Instant) -> Option<Duration> {
        let s = self.status.as_ref()?;
        let since = self
            .received
            .map_or(Duration::ZERO, |r| now.saturating_duration_since(r));
        Some(s.time_in_state + since)
    }
}

/// Drills kept per instance.
pub const MEASURED_KEPT: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct VrrpState {
    /// Empty: the console runs without `-f`.
    pub instances: Vec<Instance>,
    /// Instances that did not start, with why.
    pub failed: Vec<String>,
    /// The selected instance in the panel.
    pub cursor: usize,
    /// A drill or quit question, if any (it has the keyboard).
    pub dialog: Option<VrrpDialog>,
    /// `-f` was given: the engine is starting or running.
    pub configured: bool,
    /// The last drill command that could not be sent.
    pub error: Option<String>,
    /// Adverts for VRIDs nobody here runs, per interface receiving VRRP.
    pub unknown_vrid: Vec<(String, u64)>,
}

impl VrrpState {
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Instance> {
        self.instances.iter_mut().find(|i| i.info.name == name)
    }

    /// Instances that are master now.
    pub fn masters(&self) -> impl Iterator<Item = &Instance> {
        self.instances
            .iter()
            .filter(|i| i.state() == Some(State::Master))
    }

    pub fn selected(&self) -> Option<&Instance> {
        self.instances.get(self.cursor)
    }

    /// A message from the engine; returns whether anything visible changed.
    pub fn on_msg(&mut self, msg: Msg, now: Instant) -> bool {
        match msg {
            Msg::Started { running, failed } => {
                self.configured = true;
                self.failed = failed;
                self.instances = running
                    .into_iter()
                    .map(|info| Instance {
                        info,
                        status: None,
                        received: None,
                        drill: None,
                        measured: VecDeque::new(),
                    })
                    .collect();
                self.cursor = 0;
            }
            Msg::Status(name, status) => {
                let Some(inst) = self.get_mut(&name) else {
                    return false;
                };
                inst.status = Some(*status);
                inst.received = Some(now);
                drill::observe(inst, now);
            }
            Msg::NotSent(e) => self.error = Some(e),
            Msg::UnknownVrid(counts) => {
                if counts == self.unknown_vrid {
                    return false;
                }
                self.unknown_vrid = counts;
            }
        }
        true
    }

    /// Drills that waited too long for a takeover give up; on each tick.
    pub fn on_tick(&mut self, now: Instant) -> bool {
        let mut changed = false;
        for inst in &mut self.instances {
            changed |= drill::expire(inst, now);
        }
        changed
    }
}

/// `MASTER`, `BACKUP`... as keepalived prints them.
pub fn state_name(s: State) -> &'static str {
    match s {
        State::Initialize => "INIT",
        State::Backup => "BACKUP",
        State::Master => "MASTER",
        State::Fault => "FAULT",
    }
}

/// The header slot: `VRRP: MASTER 150 (VI_1)` or `VRRP: BACKUP 100, master 192.0.2.1/150`.
pub fn header_text(v: &VrrpState) -> String {
    let Some(first) = v.instances.first() else {
        return if v.configured && !v.failed.is_empty() {
            "VRRP: not running".to_string()
        } else if v.configured {
            "VRRP: starting…".to_string()
        } else {
            "VRRP: —".to_string()
        };
    };
    let more = match v.instances.len() {
        1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    let name = &first.info.name;
    let Some(s) = &first.status else {
        return format!("VRRP: starting ({name}){more}");
    };
    let role = state_name(s.state);
    let prio = s.effective_priority;
    match (s.state, s.master) {
        (State::Master, _) | (_, None) => format!("VRRP: {role} {prio} ({name}){more}"),
        (_, Some((addr, p))) => {
            format!(
                "VRRP: {role} {prio}, master {}/{p} ({name}){more}",
                addr_text(addr)
            )
        }
    }
}

fn addr_text(a: IpAddr) -> String {
    a.to_string()
}
