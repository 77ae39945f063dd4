//! Beyond the conformance outline: faults, tracking, operator commands, GARP repeat, status.

use std::time::Duration;

use super::harness::*;
use crate::vrrp::*;

#[test]
fn garp_repeat_after_delay() {
    let mut r = Rig::started(cfg_v2(255));
    // Adverts at 1..4 s, then the second GARP batch at 5 s together with the advert.
    for _ in 0..4 {
        assert_eq!(r.fire(), vec![Instruction::SendAdvert { priority: 255 }]);
    }
    let a = r.fire();
    assert_eq!(r.now, Instant::from_centis(500));
    assert_eq!(
        a,
        vec![
            Instruction::SendGratuitous { count: 5 },
            Instruction::SendAdvert { priority: 255 }
        ]
    );
}

#[test]
fn fault_as_master_resigns_and_recovers_as_backup() {
    let mut r = Rig::started(cfg_v2(100));
    r.fire();
    let a = r.input(Input::Fault);
    assert_eq!(a[0], Instruction::SendAdvert { priority: 0 });
    assert_eq!(a[1], Instruction::RemoveVips);
    assert_eq!(r.inst.state(), State::Fault);
    assert_eq!(r.last.deadline, None);
    assert!(
        r.rx("192.0.2.9", 50).is_empty(),
        "faulted instance ignores adverts"
    );
    r.input(Input::FaultCleared);
    assert_eq!(r.inst.state(), State::Backup);
    assert_eq!(r.deadline_in(), us(3_609_375));
}

#[test]
fn start_while_faulted_goes_to_fault() {
    let mut r = Rig::new(cfg_v2(255));
    r.input(Input::Fault);
    r.input(Input::Start);
    assert_eq!(r.inst.state(), State::Fault);
    r.input(Input::FaultCleared);
    assert_eq!(r.inst.state(), State::Master);
}

#[test]
fn tracking_changes_effective_priority_and_master_readvertises() {
    let mut r = Rig::started(cfg_v2(100));
    r.fire();
    let a = r.input(Input::PriorityChanged {
        tracked_weight: -30,
    });
    assert_eq!(a, vec![Instruction::SendAdvert { priority: 70 }]);
    assert_eq!(r.inst.effective_priority(), 70);
    r.input(Input::PriorityChanged {
        tracked_weight: -300,
    });
    assert_eq!(r.inst.effective_priority(), 1);
    r.input(Input::PriorityChanged {
        tracked_weight: 300,
    });
    assert_eq!(r.inst.effective_priority(), 254);
    // A higher backup (priority 150) now outranks us.
    assert!(r.rx("192.0.2.9", 255).contains(&Instruction::RemoveVips));
}

#[test]
fn give_up_mastership_holds_backup_for_the_duration() {
    let mut r = Rig::started(cfg_v2(200));
    r.fire();
    let gave_up = r.now;
    let a = r.input(Input::GiveUpMastership {
        duration: Duration::from_secs(60),
    });
    assert_eq!(a[0], Instruction::SendAdvert { priority: 0 });
    assert_eq!(a[1], Instruction::RemoveVips);
    assert_eq!(r.inst.state(), State::Backup);
    // A lower-priority peer takes over; we ignore its adverts but stay held.
    for _ in 0..30 {
        r.advance(Duration::from_secs(1));
        r.rx("192.0.2.9", 100);
        if r.last.deadline.is_some_and(|d| d <= r.now) {
            r.input(Input::Timer);
        }
    }
    assert_eq!(r.inst.state(), State::Backup);
    r.fire();
    assert_eq!(
        r.now,
        gave_up + Duration::from_secs(60),
        "re-armed at the hold's end"
    );
    assert_eq!(
        r.inst.state(),
        State::Master,
        "preempts once the hold is over"
    );
}

#[test]
fn set_priority_for_reverts_at_the_end() {
    let mut r = Rig::started(cfg_v2(255));
    let a = r.input(Input::SetPriorityFor {
        priority: 50,
        duration: Duration::from_secs(10),
    });
    assert_eq!(a, vec![Instruction::SendAdvert { priority: 50 }]);
    assert_eq!(r.inst.effective_priority(), 50);
    for _ in 0..9 {
        let a = r.fire();
        assert!(
            a.contains(&Instruction::SendAdvert { priority: 50 }),
            "{a:?}"
        );
        assert!(!a.contains(&Instruction::SendAdvert { priority: 255 }));
    }
    // At 10 s the override ends: priority 255 advertised at once.
    let a = r.fire();
    assert_eq!(a[0], Instruction::SendAdvert { priority: 255 });
    assert_eq!(r.inst.effective_priority(), 255);
}

#[test]
fn status_snapshot_and_transition_ring() {
    let mut r = Rig::started(cfg_v2(100));
    r.fire();
    r.advance(Duration::from_secs(2));
    let s = r.inst.status(r.now);
    assert_eq!(s.state, State::Master);
    assert_eq!(s.time_in_state, Duration::from_secs(2));
    assert_eq!(s.master, Some((ip("192.0.2.1"), 100)));
    assert_eq!(s.transitions.len(), 2);
    assert_eq!(s.transitions[1].reason, Reason::MasterDown);
    assert_eq!(s.counters.became_master, 1);
    for _ in 0..40 {
        r.input(Input::Fault);
        r.input(Input::FaultCleared);
    }
    assert_eq!(
        r.inst.status(r.now).transitions.len(),
        status::History::CAPACITY
    );
}

#[test]
fn config_validation() {
    let mut c = cfg_v2(100);
    c.advert_interval_cs = 150;
    assert_eq!(Instance::new(c).err(), Some(ConfigError::Interval(150)));
    let mut c = cfg_v3(100, 100);
    c.auth = Auth::pass("x");
    assert_eq!(Instance::new(c).err(), Some(ConfigError::V3Auth));
    let mut c = cfg_v2(100);
    c.vips.push(ip("2001:db8::1"));
    assert!(matches!(Instance::new(c), Err(ConfigError::VipFamily(_))));
    let mut c = cfg_v2(0);
    c.priority = 0;
    assert_eq!(Instance::new(c).err(), Some(ConfigError::Priority));
}
