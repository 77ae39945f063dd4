//! The checker's decisions, without I/O: check results, operator commands and a clock go
//! in; table changes (`Op`s), script actions and next check times come out.
//!
//! The table is computed, not patched: after every input each virtual server's wanted table
//! (servers in or out, weights, sorry server) is derived from health, quorum and operator
//! intent, and diffed against what the policy last asked for. That keeps keepalived's rules
//! (ipwrapper.c) in one place and makes "operator intent wins" a plain precedence.

pub mod outcome;
pub mod quorum;
pub mod retry;
pub mod spec;
pub mod status;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use crate::clock::Instant;
use crate::ipvs::{DestConfig, Op};

use self::outcome::Outcome;
use self::retry::RetryState;
use self::spec::{CheckerId, RsIndex, ScriptCall, VsSpec};
use self::status::{CheckerStatus, Health, Intent, LastResult, ServerStatus, Transition};

/// A script to run, for the engine's script runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptAction {
    NotifyUp { server: RsIndex, script: ScriptCall },
    NotifyDown { server: RsIndex, script: ScriptCall },
    QuorumUp { vs: usize, script: ScriptCall },
    QuorumDown { vs: usize, script: ScriptCall },
}

/// What one input changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub ops: Vec<Op>,
    pub actions: Vec<ScriptAction>,
    /// When the checker that reported should run next.
    pub next_check: Option<Instant>,
}

/// An operator command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorCommand {
    Drain(RsIndex),
    Disable(RsIndex),
    /// Back to the checks' decision.
    Undrain(RsIndex),
}

struct Server {
    checks: Vec<RetryState>,
    /// misc_dynamic's weight, until the configured one is set again.
    dyn_weight: Option<u32>,
    status: ServerStatus,
}

struct Vs {
    spec: VsSpec,
    servers: Vec<Server>,
    quorum_up: bool,
    /// What the policy last asked the table to hold, per (addr, port): weight.
    table: HashMap<(IpAddr, u16), u32>,
}

pub struct Policy {
    vss: Vec<Vs>,
}

impl Policy {
    /// Assumes the table starts as the configuration describes it: every real server in
    /// at its configured weight, no sorry server (what the reconciler creates).
    pub fn new(specs: Vec<VsSpec>) -> Policy {
        let vss = specs
            .into_iter()
            .map(|spec| {
                let table = spec
                    .servers
                    .iter()
                    .map(|r| ((r.dest.addr, r.dest.port), r.dest.weight))
                    .collect();
                let servers = spec
                    .servers
                    .iter()
                    .map(|r| {
                        let checks: Vec<RetryState> =
                            r.checkers.iter().map(RetryState::new).collect();
                        let up = checks.iter().all(|c| c.up);
                        Server {
                            status: ServerStatus {
                                health: if up { Health::Up } else { Health::Down },
                                intent: Intent::Auto,
                                weight: r.dest.weight,
                                in_table: Some(r.dest.weight),
                                checkers: r
                                    .checkers
                                    .iter()
                                    .zip(&checks)
                                    .map(|(c, s)| CheckerStatus {
                                        name: c.name,
                                        up: s.up,
                                        last: None,
                                        consecutive_failures: 0,
                                        next_check: None,
                                    })
                                    .collect(),
                                transitions: VecDeque::new(),
                            },
                            checks,
                            dyn_weight: None,
                        }
                    })
                    .collect();
                Vs {
                    spec,
                    servers,
                    quorum_up: true,
                    table,
                }
            })
            .collect();
        Policy { vss }
    }

    /// Carries a verdict over a reload: the server counts as down (checked before, failed)
    /// until a check succeeds, so a reload does not put a dead server back for a round.
    /// Call before `start`.
    pub fn assume_down(&mut self, id: RsIndex) {
        let Some(server) = self
            .vss
            .get_mut(id.vs)
            .and_then(|v| v.servers.get_mut(id.rs))
        else {
            return;
        };
        for (c, s) in server.checks.iter_mut().zip(&mut server.status.checkers) {
            c.up = false;
            c.has_run = true;
            s.up = false;
        }
        if !server.checks.is_empty() {
            server.status.health = Health::Down;
        }
    }

    /// First decisions (alpha servers out, sorry server in if quorum is already lost) and
    /// the first check of every checker: `now + first_delay(checker, warmup)`, where the
    /// engine picks a random delay within the warmup.
    pub fn start(
        &mut self,
        now: Instant,
        mut first_delay: impl FnMut(CheckerId, Duration) -> Duration,
    ) -> Output {
        let mut out = Output::default();
        for (v, vs) in self.vss.iter_mut().enumerate() {
            for (r, server) in vs.servers.iter_mut().enumerate() {
                for (i, c) in server.status.checkers.iter_mut().enumerate() {
                    let id = CheckerId {
                        server: RsIndex { vs: v, rs: r },
                        index: i,
                    };
                    let warmup = vs.spec.servers[r].checkers[i].warmup;
                    c.next_check = Some(now + first_delay(id, warmup).min(warmup));
                }
            }
            vs.reconcile(v, now, &mut out);
        }
        out
    }

    /// One check result.
    pub fn on_result(
        &mut self,
        now: Instant,
        id: CheckerId,
        outcome: &Outcome,
        latency: Duration,
    ) -> Output {
        let mut out = Output::default();
        let Some(vs) = self.vss.get_mut(id.server.vs) else {
            return out;
        };
        let Some(spec) = vs
            .spec
            .servers
            .get(id.server.rs)
            .and_then(|r| r.checkers.get(id.index))
        else {
            return out;
        };
        let server = &mut vs.servers[id.server.rs];
        let state = &mut server.checks[id.index];
        let delay = state.step(spec, outcome.is_up());
        let next = now + delay;
        let cs = &mut server.status.checkers[id.index];
        cs.up = state.up;
        cs.consecutive_failures = state.consecutive_failures;
        cs.next_check = Some(next);
        cs.last = Some(LastResult {
            at: now,
            ok: outcome.is_up(),
            detail: outcome.to_string(),
            latency,
        });
        let mut changed = false;
        if let Outcome::Weight(w) = outcome {
            changed = server.dyn_weight != Some(*w);
            server.dyn_weight = Some(*w);
        }
        let name = spec.name;
        let reason = || format!("{name}: {outcome}");
        changed |= vs.update_health(id.server, now, reason, &mut out);
        // Most results change nothing: the table is only recomputed when health or weight
        // moved, so a steady pool costs O(1) per result whatever its size.
        if changed {
            vs.reconcile(id.server.vs, now, &mut out);
        }
        out.next_check = Some(next);
        out
    }

    /// An operator's drain, disable or undrain.
    pub fn command(&mut self, now: Instant, cmd: OperatorCommand) -> Output {
        let mut out = Output::default();
        let (id, intent) = match cmd {
            OperatorCommand::Drain(id) => (id, Intent::Drain),
            OperatorCommand::Disable(id) => (id, Intent::Disable),
            OperatorCommand::Undrain(id) => (id, Intent::Auto),
        };
        let Some(vs) = self.vss.get_mut(id.vs) else {
            return out;
        };
        let Some(server) = vs.servers.get_mut(id.rs) else {
            return out;
        };
        if server.status.intent != intent {
            server.status.intent = intent;
            let health = server.status.health;
            server.status.log(Transition {
                at: now,
                health,
                intent,
                reason: format!("operator: {intent:?}"),
            });
        }
        vs.reconcile(id.vs, now, &mut out);
        out
    }

    /// The checker stops: with `omega` the pool is cleared and the down notifiers run;
    /// without it the table is left as it is, so a restart does not blip the service.
    pub fn shutdown(&mut self, now: Instant) -> Output {
        let mut out = Output::default();
        for (v, vs) in self.vss.iter_mut().enumerate() {
            if !vs.spec.omega {
                continue;
            }
            for (r, server) in vs.servers.iter_mut().enumerate() {
                if server.status.health == Health::Up {
                    if let Some(s) = &vs.spec.servers[r].notify_down {
                        out.actions.push(ScriptAction::NotifyDown {
                            server: RsIndex { vs: v, rs: r },
                            script: s.clone(),
                        });
                    }
                }
                server.status.in_table = None;
                server.status.log(Transition {
                    at: now,
                    health: server.status.health,
                    intent: server.status.intent,
                    reason: "shutdown (omega)".into(),
                });
            }
            // keepalived (update_vs_notifies, stopping) runs quorum_down even when quorum
            // was already lost.
            vs.quorum_up = false;
            if let Some(s) = &vs.spec.quorum_down {
                out.actions.push(ScriptAction::QuorumDown {
                    vs: v,
                    script: s.clone(),
                });
            }
            let wanted = HashMap::new();
            vs.apply(wanted, &mut out);
        }
        out
    }

    pub fn server(&self, id: RsIndex) -> Option<&ServerStatus> {
        self.vss.get(id.vs)?.servers.get(id.rs).map(|s| &s.status)
    }

    pub fn quorum_up(&self, vs: usize) -> Option<bool> {
        self.vss.get(vs).map(|v| v.quorum_up)
    }

    /// Every server with its status, in configuration order.
    pub fn servers(&self) -> impl Iterator<Item = (RsIndex, &ServerStatus)> {
        self.vss.iter().enumerate().flat_map(|(v, vs)| {
            vs.servers
                .iter()
                .enumerate()
                .map(move |(r, s)| (RsIndex { vs: v, rs: r }, &s.status))
        })
    }

    /// The table the policy wants for one virtual server: dests and weights, for the
    /// reconciler to compare with the kernel.
    pub fn wanted(&self, vs: usize) -> Vec<DestConfig> {
        let Some(vs) = self.vss.get(vs) else {
            return Vec::new();
        };
        let mut v: Vec<DestConfig> = vs
            .dests()
            .filter_map(|d| {
                vs.table.get(&(d.addr, d.port)).map(|w| DestConfig {
                    weight: *w,
                    ..d.clone()
                })
            })
            .collect();
        v.sort_by_key(|d| (d.addr, d.port));
        v
    }
}

impl Vs {
    fn dests(&self) -> impl Iterator<Item = &DestConfig> {
        self.spec
            .servers
            .iter()
            .map(|r| &r.dest)
            .chain(self.spec.sorry.iter())
    }

    /// Health follows the checkers: up when all are up. Returns whether it changed.
    fn update_health(
        &mut self,
        id: RsIndex,
        now: Instant,
        reason: impl FnOnce() -> String,
        out: &mut Output,
    ) -> bool {
        let server = &mut self.servers[id.rs];
        let up = server.checks.iter().all(|c| c.up);
        let health = if up { Health::Up } else { Health::Down };
        if health == server.status.health {
            return false;
        }
        server.status.health = health;
        let intent = server.status.intent;
        server.status.log(Transition {
            at: now,
            health,
            intent,
            reason: reason(),
        });
        let rs = &self.spec.servers[id.rs];
        let script = if up { &rs.notify_up } else { &rs.notify_down };
        if let Some(s) = script {
            let script = s.clone();
            out.actions.push(if up {
                ScriptAction::NotifyUp { server: id, script }
            } else {
                ScriptAction::NotifyDown { server: id, script }
            });
        }
        true
    }

    fn weight(&self, rs: usize) -> u32 {
        self.servers[rs]
            .dyn_weight
            .unwrap_or(self.spec.servers[rs].dest.weight)
    }

    /// Quorum, then the wanted table, then the `Op`s that get there.
    fn reconcile(&mut self, v: usize, _now: Instant, out: &mut Output) {
        let live: u64 = (0..self.servers.len())
            .filter(|&r| self.serving(r))
            .map(|r| u64::from(self.weight(r)))
            .sum();
        let was = self.quorum_up;
        self.quorum_up = quorum::next(was, live, self.spec.quorum, self.spec.hysteresis);
        if self.quorum_up != was {
            let script = if self.quorum_up {
                &self.spec.quorum_up
            } else {
                &self.spec.quorum_down
            };
            if let Some(s) = script {
                let script = s.clone();
                out.actions.push(if self.quorum_up {
                    ScriptAction::QuorumUp { vs: v, script }
                } else {
                    ScriptAction::QuorumDown { vs: v, script }
                });
            }
        }
        // Without quorum and with a sorry server, the sorry server takes all the traffic.
        let sorry_time = !self.quorum_up && self.spec.sorry.is_some();
        let mut wanted = HashMap::new();
        for r in 0..self.servers.len() {
            let rs = &self.spec.servers[r];
            let key = (rs.dest.addr, rs.dest.port);
            let w = match self.servers[r].status.intent {
                Intent::Drain => Some(0),
                Intent::Disable => None,
                Intent::Auto if self.serving(r) && !sorry_time => Some(self.weight(r)),
                Intent::Auto if rs.inhibit => Some(0),
                Intent::Auto => None,
            };
            self.servers[r].status.in_table = w;
            self.servers[r].status.weight = self.weight(r);
            if let Some(w) = w {
                wanted.insert(key, w);
            }
        }
        if let Some(s) = &self.spec.sorry {
            if sorry_time {
                wanted.insert((s.addr, s.port), s.weight);
            } else if self.spec.sorry_inhibit {
                wanted.insert((s.addr, s.port), 0);
            }
        }
        self.apply(wanted, out);
    }

    /// Up and not held out by the operator.
    fn serving(&self, r: usize) -> bool {
        let s = &self.servers[r].status;
        s.health == Health::Up && s.intent == Intent::Auto
    }

    /// `Op`s from the last asked-for table to `wanted`, for every service of the VS.
    fn apply(&mut self, wanted: HashMap<(IpAddr, u16), u32>, out: &mut Output) {
        let mut changes: Vec<(DestConfig, Option<u32>, Option<u32>)> = Vec::new();
        for d in self.dests() {
            let key = (d.addr, d.port);
            let (old, new) = (self.table.get(&key).copied(), wanted.get(&key).copied());
            if old != new && !changes.iter().any(|(c, ..)| (c.addr, c.port) == key) {
                changes.push((d.clone(), old, new));
            }
        }
        for service in &self.spec.services {
            for (d, old, new) in &changes {
                let dest = |w: u32| DestConfig {
                    weight: w,
                    ..d.clone()
                };
                out.ops.push(match (old, new) {
                    (None, Some(w)) => Op::AddDest(*service, dest(*w)),
                    (Some(_), Some(w)) => Op::EditDest(*service, dest(*w)),
                    _ => Op::DelDest {
                        service: *service,
                        addr: d.addr,
                        port: d.port,
                    },
                });
            }
        }
        self.table = wanted;
    }
}
