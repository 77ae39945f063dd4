//! One virtual router as a pure state machine (RFC 3768 §6.4, RFC 5798 §6.4, keepalived's
//! behaviour where the RFC leaves room).
//!
//! The owner of an instance (a tokio task) feeds it [`Input`]s with the current [`Instant`],
//! executes the returned [`Instruction`]s in order, and sleeps until [`Output::deadline`], then
//! feeds [`Input::Timer`]. A timer call that comes early does nothing; a late one catches up.
//! Nothing here does I/O or reads a clock.

use std::net::IpAddr;
use std::time::Duration;

use super::advert::{Addrs, Advert, Dialect, Family, Version};
use super::checks::{check, check_advert, Policy, Received};
use super::config::{Config, ConfigError, PRIORITY_OWNER};
use super::counters::Counters;
use super::status::{History, Reason, State, Status, Transition};
use super::timers;
use crate::clock::{centis, Instant};

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Start,
    /// Leave: as master, advertise priority 0 then remove the VIPs.
    Shutdown,
    /// An advert from `src`. Semantic checks (version, VRID, owner, auth, interval) still run;
    /// use [`Instance::receive`] for raw packets.
    AdvertReceived {
        src: IpAddr,
        advert: Advert,
    },
    /// The deadline returned earlier has come.
    Timer,
    /// Tracking changed: effective priority = configured + `tracked_weight`, kept in 1..=254
    /// (an owner stays 255).
    PriorityChanged {
        tracked_weight: i32,
    },
    /// Interface down, or a track with weight 0 failed. The engine aggregates its sources.
    Fault,
    FaultCleared,
    /// Operator: advertise priority 0 if master, then stay backup for `duration`.
    GiveUpMastership {
        duration: Duration,
    },
    /// Operator: run at `priority` (kept in 1..=254) for `duration`, then go back.
    SetPriorityFor {
        priority: u8,
        duration: Duration,
    },
    /// Sync group: another member went MASTER (or every member wants it): take over now.
    SyncMaster,
    /// Sync group: another member left MASTER for BACKUP: follow, without a priority-0 advert
    /// (keepalived's `vrrp_sync_backup`).
    SyncBackup,
    /// Sync group: another member is in FAULT: be in FAULT too until it recovers.
    SyncFault,
    SyncFaultCleared,
}

/// What the engine must do, in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    /// Send an advert with this priority ([`Instance::advert`] builds it).
    SendAdvert {
        priority: u8,
    },
    /// Add the configured VIPs to the interface.
    AddVips,
    RemoveVips,
    /// Gratuitous ARPs / unsolicited NAs for every VIP, `count` of each.
    SendGratuitous {
        count: u32,
    },
    /// Run notify scripts / publish for `state` (Initialize means stopped).
    Notify {
        state: State,
    },
    StateChanged {
        from: State,
        to: State,
        reason: Reason,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub actions: Vec<Instruction>,
    /// Call back with [`Input::Timer`] at this instant; `None`: nothing scheduled.
    pub deadline: Option<Instant>,
}

#[derive(Debug, Clone)]
pub struct Instance {
    cfg: Config,
    state: State,
    since: Instant,
    started: bool,
    /// Our own fault (interface down, weight-0 track failed).
    fault: bool,
    /// FAULT imposed by the sync group: another member is in FAULT.
    sync_fault: bool,
    /// Sync group member whose down timer ran out: it would be MASTER, the group holds it.
    want_master: bool,
    /// `vrrp_startup_delay`: down timers count from here until it has passed.
    delayed_until: Instant,
    tracked_weight: i32,
    priority_override: Option<(u8, Instant)>,
    hold_until: Option<Instant>,
    /// Master_Adver_Interval (cs): ours, or learned from the master in v3.
    master_adver_int_cs: u16,
    master: Option<(IpAddr, u8)>,
    adver_at: Option<Instant>,
    down_at: Option<Instant>,
    /// What expiry of `down_at` would mean (for the transition's reason).
    down_cause: Reason,
    garp_at: Option<Instant>,
    /// keepalived's preempt_time: until then a lower-priority master is still accepted.
    preempt_at: Option<Instant>,
    counters: Counters,
    history: History,
}

impl Instance {
    pub fn new(cfg: Config) -> Result<Instance, ConfigError> {
        cfg.validate()?;
        Ok(Instance {
            master_adver_int_cs: cfg.advert_interval_cs,
            cfg,
            state: State::Initialize,
            since: Instant::ZERO,
            started: false,
            fault: false,
            sync_fault: false,
            want_master: false,
            delayed_until: Instant::ZERO,
            tracked_weight: 0,
            priority_override: None,
            hold_until: None,
            master: None,
            adver_at: None,
            down_at: None,
            down_cause: Reason::MasterDown,
            garp_at: None,
            preempt_at: None,
            counters: Counters::default(),
            history: History::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// What a sync group needs to know about this member.
    pub fn member_view(&self) -> crate::vrrp::sync_group::MemberView {
        crate::vrrp::sync_group::MemberView {
            state: self.state,
            fault: self.fault,
            want_master: self.want_master,
        }
    }

    fn faulty(&self) -> bool {
        self.fault || self.sync_fault
    }

    /// Priority we advertise: the operator's override, else configured + tracked weights.
    pub fn effective_priority(&self) -> u8 {
        if let Some((p, _)) = self.priority_override {
            return p;
        }
        if self.cfg.is_owner() {
            return PRIORITY_OWNER;
        }
        (i32::from(self.cfg.priority) + self.tracked_weight).clamp(1, 254) as u8
    }

    /// Master_Down_Interval with the current priority and Master_Adver_Interval.
    pub fn master_down_interval(&self) -> Duration {
        timers::master_down(
            self.cfg.version,
            self.effective_priority(),
            self.master_adver_int_cs,
        )
    }

    pub fn skew_time(&self) -> Duration {
        timers::skew(
            self.cfg.version,
            self.effective_priority(),
            self.master_adver_int_cs,
        )
    }

    /// The next instant the machine wants a [`Input::Timer`].
    pub fn deadline(&self) -> Option<Instant> {
        [
            self.adver_at,
            self.down_at,
            self.garp_at,
            self.priority_override.map(|(_, t)| t),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The advert to send for [`Instruction::SendAdvert`].
    pub fn advert(&self, priority: u8) -> Advert {
        let addrs = match self.cfg.family() {
            Family::V4 => Addrs::V4(
                self.cfg
                    .vips
                    .iter()
                    .filter_map(|a| match a {
                        IpAddr::V4(a) => Some(*a),
                        IpAddr::V6(_) => None,
                    })
                    .collect(),
            ),
            Family::V6 => Addrs::V6(
                self.cfg
                    .vips
                    .iter()
                    .filter_map(|a| match a {
                        IpAddr::V6(a) => Some(*a),
                        IpAddr::V4(_) => None,
                    })
                    .collect(),
            ),
        };
        Advert {
            version: self.cfg.version,
            vrid: self.cfg.vrid,
            priority,
            interval_cs: self.cfg.advert_interval_cs,
            addrs,
            auth: self.cfg.auth.clone(),
        }
    }

    /// What the receive checks need from us.
    pub fn policy(&self) -> Policy<'_> {
        Policy {
            vrid: self.cfg.vrid,
            version: self.cfg.version,
            family: self.cfg.family(),
            owner: self.effective_priority() == PRIORITY_OWNER,
            auth: &self.cfg.auth,
            interval_cs: self.cfg.advert_interval_cs,
            vips: &self.cfg.vips,
            addresses: self.cfg.address_check,
        }
    }

    /// A raw packet from the socket: every receive check, counted, then the state machine.
    pub fn receive(&mut self, now: Instant, pkt: &Received<'_>) -> Output {
        let mut out = Output::default();
        self.expire_operator(now, &mut out);
        match check(pkt, &self.policy()) {
            Err(r) => self.counters.reject(&r),
            Ok(acc) => {
                if !acc.addresses_match {
                    self.counters.address_list_errors += 1;
                }
                if acc.dialect == Dialect::MessageOnly
                    && acc.advert.version == Version::V3
                    && self.cfg.family() == Family::V4
                {
                    self.counters.checksum_without_pseudo_header += 1;
                }
                self.on_advert(now, pkt.src, &acc.advert, &mut out);
            }
        }
        self.finish(out)
    }

    pub fn handle(&mut self, now: Instant, input: Input) -> Output {
        let mut out = Output::default();
        self.expire_operator(now, &mut out);
        match input {
            Input::Start => self.start(now, &mut out),
            Input::Shutdown => self.shutdown(now, &mut out),
            Input::AdvertReceived { src, advert } => match check_advert(&advert, &self.policy()) {
                Err(r) => self.counters.reject(&r),
                Ok(addresses_match) => {
                    if !addresses_match {
                        self.counters.address_list_errors += 1;
                    }
                    self.on_advert(now, src, &advert, &mut out);
                }
            },
            Input::Timer => self.on_timer(now, &mut out),
            Input::PriorityChanged { tracked_weight } => {
                let old = self.effective_priority();
                self.tracked_weight = tracked_weight;
                self.priority_changed(now, old, &mut out);
            }
            Input::Fault => {
                self.fault = true;
                self.fault(now, Reason::Fault, &mut out);
            }
            Input::FaultCleared => {
                self.fault = false;
                self.fault_cleared(now, Reason::FaultCleared, &mut out);
            }
            Input::SyncFault => {
                self.sync_fault = true;
                self.fault(now, Reason::SyncGroup, &mut out);
            }
            Input::SyncFaultCleared => {
                self.sync_fault = false;
                self.fault_cleared(now, Reason::SyncGroup, &mut out);
            }
            Input::SyncMaster => {
                let held = self.hold_until.is_some();
                if self.started && self.state == State::Backup && !self.faulty() && !held {
                    self.become_master(now, Reason::SyncGroup, &mut out);
                }
            }
            Input::SyncBackup => {
                if self.started && self.state == State::Master {
                    self.leave_master_quietly(&mut out);
                    self.master = None;
                    self.arm_down(now, Reason::MasterDown);
                    self.set_state(now, State::Backup, Reason::SyncGroup, &mut out);
                }
            }
            Input::GiveUpMastership { duration } => {
                self.hold_until = Some(now + duration);
                if self.state == State::Master {
                    self.leave_master(now, &mut out);
                    self.arm_down(now, Reason::MasterDown);
                    self.set_state(now, State::Backup, Reason::OperatorGaveUp, &mut out);
                }
            }
            Input::SetPriorityFor { priority, duration } => {
                let old = self.effective_priority();
                self.priority_override = Some((priority.clamp(1, 254), now + duration));
                self.priority_changed(now, old, &mut out);
            }
        }
        self.finish(out)
    }

    pub fn status(&self, now: Instant) -> Status {
        Status {
            vrid: self.cfg.vrid,
            state: self.state,
            time_in_state: now.saturating_since(self.since),
            configured_priority: self.cfg.priority,
            effective_priority: self.effective_priority(),
            master: self.master,
            advert_interval_cs: self.cfg.advert_interval_cs,
            learned_interval_cs: self.master_adver_int_cs,
            held_until: self.hold_until,
            priority_override: self.priority_override,
            fault: self.fault,
            next_deadline: self.deadline(),
            counters: self.counters.clone(),
            transitions: self.history.iter().copied().collect(),
        }
    }

    fn finish(&self, mut out: Output) -> Output {
        out.deadline = self.deadline();
        out
    }

    /// Start, or come back from FAULT: the owner is master at once, others wait as backup.
    fn start(&mut self, now: Instant, out: &mut Output) {
        if self.started {
            return;
        }
        self.started = true;
        self.delayed_until = now + self.cfg.startup_delay;
        if self.faulty() {
            let why = if self.fault {
                Reason::Fault
            } else {
                Reason::SyncGroup
            };
            self.set_state(now, State::Fault, why, out);
        } else {
            self.enter(now, Reason::Startup, out);
        }
    }

    fn enter(&mut self, now: Instant, reason: Reason, out: &mut Output) {
        let owner = self.effective_priority() == PRIORITY_OWNER
            // keepalived: in a sync group the owner is master at once only when the whole
            // group is (every member an owner wanting MASTER); otherwise the group decides.
            && (!self.cfg.sync_group || self.cfg.initial_master);
        if owner && self.delayed_until <= now {
            self.become_master(now, Reason::AddressOwner, out);
        } else if owner {
            // vrrp_startup_delay: even the owner waits (as a backup) until it has passed.
            self.master = None;
            self.down_at = Some(self.delayed_until);
            self.down_cause = Reason::AddressOwner;
            self.set_state(now, State::Backup, reason, out);
        } else {
            self.master_adver_int_cs = self.cfg.advert_interval_cs;
            self.master = None;
            if reason == Reason::Startup && self.cfg.initial_master {
                // keepalived's vrrp_init_state: `state MASTER` gives a better master one
                // advert interval (plus the smallest skew) to show itself, then takes over.
                let skew_min = timers::skew(self.cfg.version, 255, self.master_adver_int_cs);
                self.down_at = Some(self.delayed(now) + self.interval() + skew_min);
                self.down_cause = Reason::InitialMaster;
            } else {
                self.arm_down(now, Reason::MasterDown);
            }
            self.set_state(now, State::Backup, reason, out);
        }
    }

    fn shutdown(&mut self, now: Instant, out: &mut Output) {
        if !self.started {
            return;
        }
        self.started = false;
        if self.state == State::Master {
            self.leave_master(now, out);
        }
        self.clear_timers();
        self.master = None;
        self.set_state(now, State::Initialize, Reason::Shutdown, out);
    }

    /// A fault flag was set: enter FAULT unless already there.
    fn fault(&mut self, now: Instant, reason: Reason, out: &mut Output) {
        if !self.started || self.state == State::Fault {
            return;
        }
        if self.state == State::Master {
            self.leave_master(now, out);
        }
        self.clear_timers();
        self.master = None;
        self.set_state(now, State::Fault, reason, out);
    }

    /// A fault flag was cleared: leave FAULT once no flag is left.
    fn fault_cleared(&mut self, now: Instant, reason: Reason, out: &mut Output) {
        if self.started && self.state == State::Fault && !self.faulty() {
            self.enter(now, reason, out);
        }
    }

    fn on_advert(&mut self, now: Instant, src: IpAddr, advert: &Advert, out: &mut Output) {
        if !matches!(self.state, State::Backup | State::Master) {
            return;
        }
        self.counters.adverts_received += 1;
        let prio = advert.priority;
        if prio == 0 {
            self.counters.priority_zero_received += 1;
        }
        let ours = self.effective_priority();
        match self.state {
            State::Backup => self.backup_rx(now, src, advert, ours),
            State::Master => {
                if prio == 0 {
                    // The other side is leaving: make sure everyone knows we are here.
                    self.send_advert(ours, out);
                    self.adver_at = Some(now + self.interval());
                } else if prio > ours || (prio == ours && src > self.cfg.primary) {
                    self.learn_interval(advert);
                    self.master = Some((src, prio));
                    self.leave_master_quietly(out);
                    self.arm_down(now, Reason::MasterDown);
                    self.set_state(now, State::Backup, Reason::HigherPriority, out);
                } else if src != self.cfg.primary {
                    // keepalived: a lower priority master forces a new election at once.
                    self.send_advert(ours, out);
                }
            }
            State::Initialize | State::Fault => {}
        }
    }

    fn backup_rx(&mut self, now: Instant, src: IpAddr, advert: &Advert, ours: u8) {
        let prio = advert.priority;
        if prio == 0 {
            self.master = Some((src, 0));
            self.down_at = Some(self.delayed(now) + self.skew_time());
            self.down_cause = Reason::MasterResigned;
            return;
        }
        let delay = self.cfg.preempt_delay;
        let delaying = !delay.is_zero() && self.preempt_at.is_none_or(|t| t > now);
        if !self.cfg.preempt || prio >= ours || delaying {
            // keepalived: a master we accept means we no longer want MASTER (sync groups).
            self.want_master = false;
            self.learn_interval(advert);
            self.master = Some((src, prio));
            self.arm_down(now, Reason::MasterDown);
            if !delay.is_zero() {
                if prio >= ours {
                    self.preempt_at = None;
                } else if self.preempt_at.is_none() {
                    self.preempt_at = Some(now + delay);
                }
            }
        } else {
            // Lower priority and we may preempt: ignore it, let the down timer run out.
            self.master = Some((src, prio));
            self.down_cause = Reason::Preempted;
        }
    }

    fn on_timer(&mut self, now: Instant, out: &mut Output) {
        if self.garp_at.is_some_and(|t| t <= now) {
            self.garp_at = None;
            out.actions.push(Instruction::SendGratuitous {
                count: self.cfg.garp.repeat_count,
            });
        }
        match self.state {
            State::Master if self.adver_at.is_some_and(|t| t <= now) => {
                self.send_advert(self.effective_priority(), out);
                self.adver_at = Some(now + self.interval());
            }
            State::Backup if self.down_at.is_some_and(|t| t <= now) => match self.hold_until {
                Some(h) if h > now => self.down_at = Some(h),
                // keepalived's vrrp_sync_can_goto_master: a member only says it wants MASTER
                // and keeps waiting; the group moves every member together.
                _ if self.cfg.sync_group => {
                    self.want_master = true;
                    self.arm_down(now, self.down_cause);
                }
                _ => self.become_master(now, self.down_cause, out),
            },
            _ => {}
        }
    }

    /// Operator timers that ran out: the override ends (priority back), the hold ends.
    fn expire_operator(&mut self, now: Instant, out: &mut Output) {
        if self.hold_until.is_some_and(|t| t <= now) {
            self.hold_until = None;
        }
        if self.priority_override.is_some_and(|(_, t)| t <= now) {
            let old = self.effective_priority();
            self.priority_override = None;
            self.priority_changed(now, old, out);
        }
    }

    fn priority_changed(&mut self, now: Instant, old: u8, out: &mut Output) {
        let new = self.effective_priority();
        if new == old || !self.started {
            return;
        }
        match self.state {
            // Tell the backups at once so a higher one can preempt without waiting.
            State::Master => {
                self.send_advert(new, out);
                self.adver_at = Some(now + self.interval());
            }
            State::Backup if new == PRIORITY_OWNER => {
                self.become_master(now, Reason::AddressOwner, out)
            }
            _ => {}
        }
    }

    fn become_master(&mut self, now: Instant, reason: Reason, out: &mut Output) {
        let prio = self.effective_priority();
        self.send_advert(prio, out);
        out.actions.push(Instruction::AddVips);
        if self.cfg.garp.count > 0 {
            out.actions.push(Instruction::SendGratuitous {
                count: self.cfg.garp.count,
            });
        }
        let g = &self.cfg.garp;
        self.garp_at = (g.repeat_count > 0 && !g.delay.is_zero()).then(|| now + g.delay);
        self.master_adver_int_cs = self.cfg.advert_interval_cs;
        self.master = Some((self.cfg.primary, prio));
        self.down_at = None;
        self.preempt_at = None;
        self.adver_at = Some(now + self.interval());
        self.counters.became_master += 1;
        self.set_state(now, State::Master, reason, out);
    }

    /// Master leaving on its own (shutdown, fault, operator): priority 0, then VIPs go.
    fn leave_master(&mut self, _now: Instant, out: &mut Output) {
        self.send_advert(0, out);
        self.leave_master_quietly(out);
        self.master = None;
    }

    fn leave_master_quietly(&mut self, out: &mut Output) {
        out.actions.push(Instruction::RemoveVips);
        self.adver_at = None;
        self.garp_at = None;
        self.counters.left_master += 1;
    }

    fn learn_interval(&mut self, advert: &Advert) {
        if self.cfg.version == Version::V3 && advert.interval_cs > 0 {
            self.master_adver_int_cs = advert.interval_cs;
        }
    }

    /// Where a down timer starts: now, or the end of `vrrp_startup_delay`.
    fn delayed(&self, now: Instant) -> Instant {
        now.max(self.delayed_until)
    }

    fn arm_down(&mut self, now: Instant, cause: Reason) {
        self.down_at = Some(self.delayed(now) + self.master_down_interval());
        self.down_cause = cause;
    }

    fn clear_timers(&mut self) {
        self.adver_at = None;
        self.down_at = None;
        self.garp_at = None;
        self.preempt_at = None;
    }

    fn interval(&self) -> Duration {
        centis(u64::from(self.cfg.advert_interval_cs))
    }

    fn send_advert(&mut self, priority: u8, out: &mut Output) {
        self.counters.adverts_sent += 1;
        if priority == 0 {
            self.counters.priority_zero_sent += 1;
        }
        out.actions.push(Instruction::SendAdvert { priority });
    }

    fn set_state(&mut self, now: Instant, to: State, reason: Reason, out: &mut Output) {
        let from = self.state;
        self.state = to;
        self.since = now;
        if to != State::Backup {
            self.want_master = false;
        }
        self.history.push(Transition {
            at: now,
            from,
            to,
            reason,
        });
        out.actions.push(Instruction::Notify { state: to });
        out.actions
            .push(Instruction::StateChanged { from, to, reason });
    }
}
