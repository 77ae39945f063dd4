//! Sync groups and `state MASTER` on the simulated clock: our two instances (VRID 1 and 2) in
//! one group against a peer router running the same two VRIDs without a group. Adverts are
//! delivered after 1 ms to every router of the same VRID that is on the link.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::harness::ms;
use crate::vrrp::sync_group::initial_master;
use crate::vrrp::*;

const US: u8 = 0;
const PEER: u8 = 1;

struct Node {
    inst: Instance,
    router: u8,
    deadline: Option<Instant>,
    /// The link this instance runs on is up.
    link: bool,
}

struct Lab {
    nodes: Vec<Node>,
    /// Our members (node indices) and their coordinator.
    group: Option<(Vec<usize>, SyncGroup)>,
    group_states: Vec<State>,
    queue: BTreeMap<(Instant, u64), (usize, Input)>,
    seq: u64,
    now: Instant,
}

fn addr(router: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1 + router))
}

fn cfg(vrid: u8, router: u8, prio: u8) -> Config {
    let mut c = Config::new(
        vrid,
        addr(router),
        vec![IpAddr::V4(Ipv4Addr::new(198, 51, 100, vrid))],
    );
    c.priority = prio;
    c
}

impl Lab {
    /// Ours: VI_1 (VRID 1) and VI_2 (VRID 2) at `ours`, synced when `synced`; the peer's at
    /// `peer`. `tweak` adjusts each config (router, vrid) before start.
    fn new(ours: u8, peer: u8, synced: bool, tweak: impl Fn(u8, u8, &mut Config)) -> Lab {
        let mut nodes = Vec::new();
        for (router, prio) in [(US, ours), (PEER, peer)] {
            for vrid in [1, 2] {
                let mut c = cfg(vrid, router, prio);
                c.sync_group = synced && router == US;
                tweak(router, vrid, &mut c);
                nodes.push(Node {
                    inst: Instance::new(c).expect("valid"),
                    router,
                    deadline: None,
                    link: true,
                });
            }
        }
        Lab {
            nodes,
            group: synced.then(|| (vec![0, 1], SyncGroup::new(2))),
            group_states: Vec::new(),
            queue: BTreeMap::new(),
            seq: 0,
            now: Instant::ZERO,
        }
    }

    fn push(&mut self, at: Instant, node: usize, input: Input) {
        self.seq += 1;
        self.queue.insert((at, self.seq), (node, input));
    }

    fn input(&mut self, i: usize, input: Input) {
        let out = self.nodes[i].inst.handle(self.now, input);
        self.nodes[i].deadline = out.deadline;
        for a in out.actions {
            if let Instruction::SendAdvert { priority } = a {
                let advert = self.nodes[i].inst.advert(priority);
                let src = addr(self.nodes[i].router);
                for j in 0..self.nodes.len() {
                    let same = self.nodes[j].inst.config().vrid == advert.vrid;
                    if j != i && same && self.nodes[i].link && self.nodes[j].link {
                        let at = self.now + ms(1);
                        self.push(
                            at,
                            j,
                            Input::AdvertReceived {
                                src,
                                advert: advert.clone(),
                            },
                        );
                    }
                }
            }
        }
        self.report(i);
    }

    /// The engine's wiring: every step of a member is reported to the group at once.
    fn report(&mut self, i: usize) {
        let Some((members, group)) = &mut self.group else {
            return;
        };
        let Some(idx) = members.iter().position(|m| *m == i) else {
            return;
        };
        let up = group.report(idx, self.nodes[i].inst.member_view());
        let targets: Vec<(usize, Input)> = up
            .commands
            .into_iter()
            .map(|(j, inp)| (members[j], inp))
            .collect();
        if let Some(s) = up.group {
            self.group_states.push(s);
        }
        for (j, inp) in targets {
            self.input(j, inp);
        }
    }

    fn start(&mut self) {
        for i in 0..self.nodes.len() {
            self.input(i, Input::Start);
        }
    }

    fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        loop {
            let timer = self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.deadline.map(|d| (d, i)))
                .min();
            let event = self.queue.keys().next().copied();
            let next = match (timer, event) {
                (Some((t, _)), Some((e, _))) => t.min(e),
                (Some((t, _)), None) => t,
                (None, Some((e, _))) => e,
                (None, None) => break,
            };
            if next > until {
                break;
            }
            self.now = next;
            if let Some(k) = event.filter(|e| e.0 == next) {
                let Some((i, inp)) = self.queue.remove(&k) else {
                    break;
                };
                self.input(i, inp);
            } else if let Some((_, i)) = timer {
                self.input(i, Input::Timer);
            }
        }
        self.now = until;
    }

    fn states(&self, router: u8) -> Vec<State> {
        self.nodes
            .iter()
            .filter(|n| n.router == router)
            .map(|n| n.inst.state())
            .collect()
    }
}

use State::{Backup, Fault, Master};

#[test]
fn one_member_faults_then_all_fault_and_recover_together() {
    let mut lab = Lab::new(150, 100, true, |_, _, _| {});
    lab.start();
    lab.run_for(Duration::from_secs(5));
    assert_eq!(lab.states(US), [Master, Master]);
    assert_eq!(lab.states(PEER), [Backup, Backup]);

    // VI_1's link goes down on our side: its own fault; VI_2 follows into FAULT (and sends
    // priority 0, so the peer takes VRID 2 after Skew_Time, not Master_Down_Interval).
    lab.nodes[0].link = false;
    lab.input(0, Input::Fault);
    assert_eq!(lab.states(US), [Fault, Fault]);
    assert_eq!(lab.group.as_ref().map(|g| g.1.state()), Some(Fault));
    lab.run_for(ms(700));
    assert_eq!(
        lab.states(PEER),
        [Backup, Master],
        "VRID 2 taken on priority 0"
    );
    lab.run_for(Duration::from_secs(4));
    assert_eq!(lab.states(PEER), [Master, Master]);

    // The link comes back: both leave FAULT as BACKUP, preempt the lower peer together.
    lab.nodes[0].link = true;
    lab.input(0, Input::FaultCleared);
    assert_eq!(lab.states(US), [Backup, Backup]);
    lab.run_for(Duration::from_secs(5));
    assert_eq!(lab.states(US), [Master, Master]);
    assert_eq!(lab.states(PEER), [Backup, Backup]);
    assert_eq!(
        lab.group_states,
        [Backup, Master, Fault, Backup, Master],
        "the group's notify sequence"
    );
}

#[test]
fn a_higher_priority_on_one_vrid_takes_the_whole_group_to_backup() {
    let mut lab = Lab::new(150, 100, true, |_, _, _| {});
    lab.start();
    lab.run_for(Duration::from_secs(5));
    assert_eq!(lab.states(US), [Master, Master]);
    // The peer's VRID 1 is raised above us (its track came back, say): VI_1 hears 200.
    lab.input(
        2,
        Input::SetPriorityFor {
            priority: 200,
            duration: Duration::from_secs(30),
        },
    );
    // The peer's backup at 200 ignores our 150 and preempts after its down interval.
    lab.run_for(Duration::from_millis(3_300));
    assert_eq!(lab.states(US)[0], Backup);
    assert_eq!(
        lab.states(US)[1],
        Backup,
        "VI_2 follows VI_1 to BACKUP although it outranks the peer on VRID 2"
    );
    assert_eq!(lab.states(PEER)[1], Backup);
    // The peer takes VRID 2 once our VI_2 falls silent (no priority 0 from a sync backup).
    lab.run_for(Duration::from_secs(4));
    assert_eq!(lab.states(PEER), [Master, Master]);
    // Our VI_2 would preempt VRID 2, but VI_1 accepts its master: the group holds BACKUP.
    lab.run_for(Duration::from_secs(20));
    assert_eq!(lab.states(US), [Backup, Backup]);
    assert!(lab.nodes[1].inst.member_view().want_master);
    assert!(!lab.nodes[0].inst.member_view().want_master);
    // The override ends: the peer is back at 100, both our members want MASTER, together.
    lab.run_for(Duration::from_secs(10));
    assert_eq!(lab.states(US), [Master, Master]);
    assert_eq!(lab.states(PEER), [Backup, Backup]);
}

#[test]
fn without_a_group_the_same_event_moves_only_its_vrid() {
    let mut lab = Lab::new(150, 100, false, |_, _, _| {});
    lab.start();
    lab.run_for(Duration::from_secs(5));
    lab.input(
        2,
        Input::SetPriorityFor {
            priority: 200,
            duration: Duration::from_secs(30),
        },
    );
    lab.run_for(Duration::from_secs(5));
    assert_eq!(lab.states(US), [Backup, Master]);
}

#[test]
fn nopreempt_member_keeps_the_group_in_backup() {
    // Our VI_2 has nopreempt: it accepts the lower peer's adverts and never wants MASTER,
    // so after the peer took both VRIDs our group stays BACKUP although VI_1 would preempt.
    let mut lab = Lab::new(150, 100, true, |router, vrid, c| {
        if router == US && vrid == 2 {
            c.preempt = false;
        }
    });
    // The peer starts first and owns both VRIDs.
    for i in [2, 3] {
        lab.input(i, Input::Start);
    }
    lab.run_for(Duration::from_secs(5));
    assert_eq!(lab.states(PEER), [Master, Master]);
    lab.input(0, Input::Start);
    lab.input(1, Input::Start);
    lab.run_for(Duration::from_secs(20));
    assert_eq!(lab.states(US), [Backup, Backup]);
    assert!(lab.nodes[0].inst.member_view().want_master);
    assert!(!lab.nodes[1].inst.member_view().want_master);
    // The peer leaves: both take over together.
    lab.input(2, Input::Shutdown);
    lab.input(3, Input::Shutdown);
    lab.run_for(Duration::from_secs(1));
    assert_eq!(lab.states(US), [Master, Master]);
}

#[test]
fn group_members_wait_for_each_other_at_start() {
    // VI_2's link is slower to come up: VI_1 alone must not become MASTER.
    let mut lab = Lab::new(150, 100, true, |_, _, _| {});
    lab.input(0, Input::Start);
    lab.run_for(Duration::from_secs(10));
    assert_eq!(lab.states(US)[0], Backup);
    assert!(lab.nodes[0].inst.member_view().want_master);
    lab.input(1, Input::Start);
    let t0 = lab.now;
    lab.run_for(Duration::from_secs(4));
    assert_eq!(lab.states(US), [Master, Master]);
    let took = lab.nodes[1]
        .inst
        .status(lab.now)
        .transitions
        .last()
        .map(|t| t.at - t0);
    // VI_2's own Master_Down_Interval at 150: 3 s + 106/256 s.
    assert_eq!(took, Some(Duration::from_micros(3_414_062)));
}

#[test]
fn initial_master_takes_over_after_one_interval_and_yields_to_a_better_one() {
    let mut r = super::harness::Rig::new({
        let mut c = cfg(7, US, 100);
        c.initial_master = true;
        c
    });
    r.input(Input::Start);
    assert_eq!(r.inst.state(), Backup);
    // One advert interval plus the smallest skew (1/256 s), not 3.609 s.
    assert_eq!(r.deadline_in(), Duration::from_micros(1_003_906));
    let a = r.fire();
    assert_eq!(a[0], Instruction::SendAdvert { priority: 100 });
    assert_eq!(r.inst.state(), Master);
    assert_eq!(
        r.inst.status(r.now).transitions.last().map(|t| t.reason),
        Some(Reason::InitialMaster)
    );

    // A better master heard inside that interval keeps us BACKUP.
    let mut r = super::harness::Rig::new({
        let mut c = cfg(7, US, 100);
        c.initial_master = true;
        c
    });
    r.input(Input::Start);
    r.advance(ms(500));
    r.rx("192.0.2.9", 200);
    assert_eq!(r.deadline_in(), Duration::from_micros(3_609_375));
    r.advance(ms(1000));
    r.rx("192.0.2.9", 200);
    assert_eq!(r.inst.state(), Backup);

    // A fault cleared later is not a start: the normal Master_Down_Interval applies.
    let mut r = super::harness::Rig::new({
        let mut c = cfg(7, US, 100);
        c.initial_master = true;
        c
    });
    r.input(Input::Fault);
    r.input(Input::Start);
    r.input(Input::FaultCleared);
    assert_eq!(r.deadline_in(), Duration::from_micros(3_609_375));
}

#[test]
fn state_master_in_a_group_holds_only_for_all_owners() {
    assert_eq!(initial_master(&[(true, true), (true, true)]), [true, true]);
    assert_eq!(
        initial_master(&[(true, false), (true, true)]),
        [false, false]
    );
    assert_eq!(
        initial_master(&[(true, true), (false, false)]),
        [false, false]
    );
    assert_eq!(
        initial_master(&[(false, false), (false, false)]),
        [false, false]
    );
}

#[test]
fn startup_delay_holds_backups_and_the_owner() {
    let delayed = |prio: u8| {
        let mut c = cfg(8, US, prio);
        c.startup_delay = Duration::from_secs(5);
        super::harness::Rig::new(c)
    };
    // A backup's first Master_Down_Interval counts from the end of the delay.
    let mut r = delayed(100);
    r.input(Input::Start);
    assert_eq!(r.deadline_in(), Duration::from_micros(8_609_375));
    // An advert heard during the delay re-arms it from the end of the delay too.
    r.advance(Duration::from_secs(2));
    r.rx("192.0.2.9", 120);
    assert_eq!(r.deadline_in(), Duration::from_micros(6_609_375));
    // After the delay everything is as usual.
    r.advance(Duration::from_secs(4));
    r.rx("192.0.2.9", 120);
    assert_eq!(r.deadline_in(), Duration::from_micros(3_609_375));

    // The owner waits as BACKUP until the delay is over, then takes over at once.
    let mut r = delayed(255);
    r.input(Input::Start);
    assert_eq!(r.inst.state(), Backup);
    assert_eq!(r.deadline_in(), Duration::from_secs(5));
    let a = r.fire();
    assert_eq!(a[0], Instruction::SendAdvert { priority: 255 });
    assert_eq!(r.inst.state(), Master);
}

#[test]
fn an_owner_in_a_mixed_group_waits_for_the_group() {
    // VI_1 is the address owner, VI_2 is not: keepalived starts the group BACKUP, and the
    // owner takes over only together with VI_2 (whose own down timer runs at 150).
    let mut lab = Lab::new(150, 100, true, |router, vrid, c| {
        if router == US && vrid == 1 {
            c.priority = 255;
        }
    });
    for i in [0, 1] {
        lab.input(i, Input::Start);
    }
    assert_eq!(lab.states(US), [Backup, Backup]);
    lab.run_for(ms(3_200));
    assert_eq!(lab.states(US), [Backup, Backup]);
    assert!(
        lab.nodes[0].inst.member_view().want_master,
        "owner's 3.004 s passed"
    );
    assert!(
        !lab.nodes[1].inst.member_view().want_master,
        "VI_2's 3.414 s not yet"
    );
    lab.run_for(Duration::from_secs(1));
    assert_eq!(lab.states(US), [Master, Master]);
}

#[test]
fn an_operator_hold_is_not_overridden_by_the_group() {
    let mut lab = Lab::new(150, 100, true, |_, _, _| {});
    lab.start();
    lab.run_for(Duration::from_secs(5));
    assert_eq!(lab.states(US), [Master, Master]);
    // Giving up VI_1 for 60 s takes the group to BACKUP; the peer takes both VRIDs, VI_2
    // wants MASTER back but VI_1 is held, so nothing moves until the hold ends.
    lab.input(
        0,
        Input::GiveUpMastership {
            duration: Duration::from_secs(60),
        },
    );
    assert_eq!(lab.states(US), [Backup, Backup]);
    lab.run_for(Duration::from_secs(30));
    assert_eq!(lab.states(PEER), [Master, Master]);
    assert_eq!(lab.states(US), [Backup, Backup]);
    lab.run_for(Duration::from_secs(40));
    assert_eq!(lab.states(US), [Master, Master]);
}
