//! One test per UNH-IOL VRRP case of groups 2 (state transitions), 3 (parameters) and 4
//! (invalid packets, correct transmission), on a simulated clock. Timers are exact to the µs:
//! priority 100 at 1 s gives Master_Down_Interval 3.609375 s.

use std::time::Duration;

use super::harness::*;
use crate::vrrp::advert::checksum_dialect;
use crate::vrrp::*;

const MD_100: Duration = Duration::from_micros(3_609_375);

// ---- Group 2: state transitions ----

#[test]
fn g2_initialize_as_owner_goes_master_at_once() {
    let mut r = Rig::new(cfg_v2(255));
    let a = r.input(Input::Start);
    assert_eq!(
        a,
        vec![
            Instruction::SendAdvert { priority: 255 },
            Instruction::AddVips,
            Instruction::SendGratuitous { count: 5 },
            Instruction::Notify {
                state: State::Master
            },
            Instruction::StateChanged {
                from: State::Initialize,
                to: State::Master,
                reason: Reason::AddressOwner
            },
        ]
    );
    assert_eq!(r.deadline_in(), Duration::from_secs(1));
}

#[test]
fn g2_initialize_as_backup_arms_master_down() {
    let mut r = Rig::new(cfg_v2(100));
    let a = r.input(Input::Start);
    assert_eq!(
        a,
        vec![
            Instruction::Notify {
                state: State::Backup
            },
            Instruction::StateChanged {
                from: State::Initialize,
                to: State::Backup,
                reason: Reason::Startup
            },
        ]
    );
    assert_eq!(r.deadline_in(), MD_100);
}

#[test]
fn g2_advert_reception_in_backup() {
    let mut r = Rig::started(cfg_v2(100));
    // Higher and equal priority restart the down timer.
    r.advance(Duration::from_secs(3));
    assert!(r.rx("192.0.2.9", 200).is_empty());
    assert_eq!(r.deadline_in(), MD_100);
    r.advance(Duration::from_secs(3));
    r.rx("192.0.2.9", 100);
    assert_eq!(r.deadline_in(), MD_100);
    // Lower priority with preempt is discarded: the timer keeps running.
    r.advance(Duration::from_secs(3));
    r.rx("192.0.2.9", 50);
    assert_eq!(r.deadline_in(), MD_100 - Duration::from_secs(3));
    let a = r.fire();
    assert!(a.contains(&Instruction::StateChanged {
        from: State::Backup,
        to: State::Master,
        reason: Reason::Preempted
    }));
    assert_eq!(r.inst.counters().adverts_received, 3);
}

#[test]
fn g2_advert_reception_in_master() {
    let mut r = Rig::started(cfg_v2(100));
    r.fire();
    assert_eq!(r.inst.state(), State::Master);
    // Lower priority: re-advertise at once (keepalived), stay master.
    assert_eq!(
        r.rx("192.0.2.9", 50),
        vec![Instruction::SendAdvert { priority: 100 }]
    );
    // Equal priority, lower address: same.
    assert_eq!(
        r.rx("192.0.2.0", 100),
        vec![Instruction::SendAdvert { priority: 100 }]
    );
    assert_eq!(r.inst.state(), State::Master);
    // Equal priority, higher address: back off.
    let a = r.rx("192.0.2.9", 100);
    assert_eq!(
        a,
        vec![
            Instruction::RemoveVips,
            Instruction::Notify {
                state: State::Backup
            },
            Instruction::StateChanged {
                from: State::Master,
                to: State::Backup,
                reason: Reason::HigherPriority
            },
        ]
    );
    assert_eq!(r.deadline_in(), MD_100);
}

#[test]
fn g2_master_higher_priority_advert_makes_it_backup() {
    let mut r = Rig::started(cfg_v2(100));
    r.fire();
    let a = r.rx("192.0.2.0", 101);
    assert!(a.contains(&Instruction::RemoveVips));
    assert_eq!(r.inst.state(), State::Backup);
    assert_eq!(r.inst.status(r.now).master, Some((ip("192.0.2.0"), 101)));
}

#[test]
fn g2_master_down_exactly_at_interval() {
    let mut r = Rig::started(cfg_v2(100));
    r.at(Instant::ZERO + (MD_100 - us(1)));
    assert!(r.input(Input::Timer).is_empty(), "early timer does nothing");
    r.at(Instant::ZERO + MD_100);
    let a = r.input(Input::Timer);
    assert_eq!(a[0], Instruction::SendAdvert { priority: 100 });
    assert_eq!(a[1], Instruction::AddVips);
    assert!(became_master(&a));
}

#[test]
fn g2_shutdown_master_sends_priority_zero_then_removes_vips() {
    let mut r = Rig::started(cfg_v2(255));
    let a = r.input(Input::Shutdown);
    assert_eq!(
        a,
        vec![
            Instruction::SendAdvert { priority: 0 },
            Instruction::RemoveVips,
            Instruction::Notify {
                state: State::Initialize
            },
            Instruction::StateChanged {
                from: State::Master,
                to: State::Initialize,
                reason: Reason::Shutdown
            },
        ]
    );
    assert_eq!(r.last.deadline, None);
    assert_eq!(r.inst.counters().priority_zero_sent, 1);
}

#[test]
fn g2_backup_receiving_priority_zero_takes_over_after_skew() {
    let mut r = Rig::started(cfg_v2(100));
    r.rx("192.0.2.9", 200);
    r.advance(Duration::from_secs(1));
    r.rx("192.0.2.9", 0);
    assert_eq!(r.deadline_in(), us(609_375));
    let a = r.fire();
    assert!(a.contains(&Instruction::StateChanged {
        from: State::Backup,
        to: State::Master,
        reason: Reason::MasterResigned
    }));
}

#[test]
fn g2_master_receiving_priority_zero_readvertises_at_once() {
    let mut r = Rig::started(cfg_v2(100));
    r.fire();
    r.advance(ms(300));
    assert_eq!(
        r.rx("192.0.2.9", 0),
        vec![Instruction::SendAdvert { priority: 100 }]
    );
    assert_eq!(r.deadline_in(), Duration::from_secs(1));
}

// ---- Group 3: parameters ----

#[test]
fn g3_advertisement_interval_master_sends_every_interval() {
    let mut r = Rig::started(cfg_v3(255, 35));
    for k in 1..=5u64 {
        let a = r.fire();
        assert_eq!(a, vec![Instruction::SendAdvert { priority: 255 }]);
        assert_eq!(r.now, Instant::from_centis(35 * k));
    }
    assert_eq!(r.inst.counters().adverts_sent, 6);
}

#[test]
fn g3_skew_time() {
    let r = Rig::started(cfg_v2(100));
    assert_eq!(r.inst.skew_time(), us(609_375));
    let r = Rig::started(cfg_v2(50));
    assert_eq!(r.inst.skew_time(), us(804_687));
    // v3 scales with Master_Adver_Interval: (256-100)·200/256 cs = 1.21875 s.
    let r = Rig::started(cfg_v3(100, 200));
    assert_eq!(r.inst.skew_time(), us(1_218_750));
}

#[test]
fn g3_master_down_interval_v3_learns_master_interval() {
    let mut r = Rig::started(cfg_v3(100, 100));
    assert_eq!(r.deadline_in(), MD_100);
    let mut advert = r.advert(200);
    advert.interval_cs = 50;
    r.input(Input::AdvertReceived {
        src: ip("192.0.2.9"),
        advert,
    });
    // 3 × 50 cs + (156 × 50 / 256) cs = 1.5 s + 0.3046875 s
    assert_eq!(r.deadline_in(), us(1_804_687));
    assert_eq!(r.inst.status(r.now).learned_interval_cs, 50);
}

#[test]
fn g3_master_down_interval_v2_uses_own_interval() {
    let mut c = cfg_v2(50);
    c.advert_interval_cs = 300;
    let r = Rig::started(c);
    assert_eq!(r.deadline_in(), us(9_804_687));
}

#[test]
fn g3_preempt_mode_true_higher_backup_takes_over() {
    let mut r = Rig::started(cfg_v2(200));
    for _ in 0..3 {
        r.rx("192.0.2.9", 100);
        r.advance(Duration::from_secs(1));
    }
    // Lower adverts ignored since start: master down from start (skew for 200).
    let md_200 = Duration::from_secs(3) + us(56 * 1_000_000 / 256);
    assert_eq!(r.deadline_in(), md_200 - Duration::from_secs(3));
    let a = r.fire();
    assert!(became_master(&a));
}

#[test]
fn g3_preempt_mode_false_backup_stays() {
    let mut c = cfg_v2(200);
    c.preempt = false;
    let mut r = Rig::started(c);
    for _ in 0..10 {
        r.advance(Duration::from_secs(1));
        assert!(r.rx("192.0.2.9", 100).is_empty());
        assert_eq!(r.deadline_in(), us(3_218_750));
    }
    assert_eq!(r.inst.state(), State::Backup);
}

#[test]
fn g3_preempt_delay_accepts_lower_master_until_it_runs_out() {
    let mut c = cfg_v2(200);
    c.preempt_delay = Duration::from_secs(10);
    let mut r = Rig::started(c);
    for s in 0..10 {
        r.rx("192.0.2.9", 100);
        assert_eq!(r.deadline_in(), us(3_218_750), "at {s} s");
        r.advance(Duration::from_secs(1));
    }
    // 10 s after the first lower advert the delay is over: ignored, takeover one Master_Down later.
    r.rx("192.0.2.9", 100);
    assert_eq!(r.deadline_in(), us(3_218_750) - Duration::from_secs(1));
    assert!(became_master(&r.fire()));
}

// ---- Group 4: invalid packets and correct transmission ----

fn backup_rig() -> (Rig, Vec<u8>) {
    let mut c = cfg_v2(100);
    c.auth = Auth::pass("secret");
    let r = Rig::started(c);
    let good = r.wire("192.0.2.9", &r.advert(200));
    (r, good)
}

/// Sends `bytes`, asserts the down timer was not restarted and one rejection was counted.
fn assert_rejected(r: &mut Rig, bytes: &[u8], ttl: u8, counter: fn(&Counters) -> u64) {
    r.advance(Duration::from_secs(1));
    let before = r.inst.counters().clone();
    let left = r.deadline_in();
    assert!(r.rx_raw("192.0.2.9", ttl, bytes).is_empty());
    assert_eq!(r.deadline_in(), left, "down timer must not restart");
    assert_eq!(counter(r.inst.counters()), counter(&before) + 1);
    assert_eq!(r.inst.counters().rejected(), before.rejected() + 1);
    assert_eq!(r.inst.counters().adverts_received, before.adverts_received);
}

#[test]
fn g4_good_packet_is_accepted() {
    let (mut r, good) = backup_rig();
    r.advance(Duration::from_secs(1));
    r.rx_raw("192.0.2.9", 255, &good);
    assert_eq!(r.deadline_in(), MD_100);
    assert_eq!(r.inst.counters().adverts_received, 1);
    assert_eq!(r.inst.counters().rejected(), 0);
}

#[test]
fn g4_invalid_ttl() {
    let (mut r, good) = backup_rig();
    assert_rejected(&mut r, &good, 64, |c| c.ttl_errors);
}

#[test]
fn g4_invalid_version() {
    let (mut r, mut b) = backup_rig();
    b[0] = 0x11;
    assert_rejected(&mut r, &b, 255, |c| c.version_errors);
    // A valid v3 advert to a v2 instance is a version error too.
    let mut v3 = r.advert(200);
    v3.version = Version::V3;
    v3.auth = Auth::None;
    let b = r.wire("192.0.2.9", &v3);
    assert_rejected(&mut r, &b, 255, |c| c.version_errors);
}

#[test]
fn g4_invalid_length() {
    let (mut r, good) = backup_rig();
    assert_rejected(&mut r, &good[..good.len() - 1], 255, |c| c.length_errors);
    let mut b = good.clone();
    b[3] = 2; // count says 2 addresses, only one present
    assert_rejected(&mut r, &b, 255, |c| c.length_errors);
}

#[test]
fn g4_invalid_checksum() {
    let (mut r, mut b) = backup_rig();
    b[7] ^= 1;
    assert_rejected(&mut r, &b, 255, |c| c.checksum_errors);
}

#[test]
fn g4_invalid_vrid() {
    let (mut r, _) = backup_rig();
    let mut a = r.advert(200);
    a.vrid = 52;
    let b = r.wire("192.0.2.9", &a);
    assert_rejected(&mut r, &b, 255, |c| c.vrid_errors);
}

#[test]
fn g4_invalid_auth_type() {
    let (mut r, _) = backup_rig();
    let mut a = r.advert(200);
    a.auth = Auth::None;
    let b = r.wire("192.0.2.9", &a);
    assert_rejected(&mut r, &b, 255, |c| c.auth_type_errors);
}

#[test]
fn g4_invalid_password() {
    let (mut r, _) = backup_rig();
    let mut a = r.advert(200);
    a.auth = Auth::pass("secreT");
    let b = r.wire("192.0.2.9", &a);
    assert_rejected(&mut r, &b, 255, |c| c.auth_failures);
}

#[test]
fn g4_invalid_advert_interval() {
    let (mut r, _) = backup_rig();
    let mut a = r.advert(200);
    a.interval_cs = 200;
    let b = r.wire("192.0.2.9", &a);
    assert_rejected(&mut r, &b, 255, |c| c.interval_errors);
}

#[test]
fn g4_v3_interval_mismatch_is_learned_not_rejected() {
    let mut r = Rig::started(cfg_v3(100, 100));
    let mut a = r.advert(200);
    a.interval_cs = 200;
    let b = r.wire("192.0.2.9", &a);
    r.rx_raw("192.0.2.9", 255, &b);
    assert_eq!(r.inst.counters().rejected(), 0);
    assert_eq!(r.inst.status(r.now).learned_interval_cs, 200);
}

#[test]
fn g4_unknown_type() {
    let (mut r, mut b) = backup_rig();
    b[0] = 0x22;
    assert_rejected(&mut r, &b, 255, |c| c.type_errors);
}

#[test]
fn g4_owner_drops_adverts() {
    let mut r = Rig::started(cfg_v2(255));
    let b = r.wire("192.0.2.9", &r.advert(255));
    let before = r.inst.counters().owner_drops;
    assert!(r.rx_raw("192.0.2.9", 255, &b).is_empty());
    assert_eq!(r.inst.counters().owner_drops, before + 1);
    assert_eq!(r.inst.state(), State::Master);
}

#[test]
fn g4_address_list_mismatch_counted_and_accepted_by_default() {
    let (mut r, _) = backup_rig();
    let mut a = r.advert(200);
    a.addrs = Addrs::V4(vec!["192.0.2.101".parse().unwrap()]);
    let b = r.wire("192.0.2.9", &a);
    r.advance(Duration::from_secs(1));
    r.rx_raw("192.0.2.9", 255, &b);
    assert_eq!(r.inst.counters().address_list_errors, 1);
    assert_eq!(r.deadline_in(), MD_100, "accepted like keepalived");
}

#[test]
fn g4_address_list_mismatch_rejected_when_strict() {
    let mut c = cfg_v2(100);
    c.auth = Auth::pass("secret");
    c.address_check = AddressCheck::Reject;
    let mut r = Rig::started(c);
    let mut a = r.advert(200);
    a.addrs = Addrs::V4(vec![]);
    let b = r.wire("192.0.2.9", &a);
    assert_rejected(&mut r, &b, 255, |c| c.address_list_errors);
}

#[test]
fn g4_v3_ipv4_message_only_checksum_accepted_and_counted() {
    let mut r = Rig::started(cfg_v3(100, 100));
    let b = r
        .advert(200)
        .encode_with(&Path::multicast(ip("192.0.2.9")), Dialect::MessageOnly)
        .unwrap();
    r.advance(Duration::from_secs(1));
    r.rx_raw("192.0.2.9", 255, &b);
    assert_eq!(r.deadline_in(), MD_100);
    assert_eq!(r.inst.counters().checksum_without_pseudo_header, 1);
}

#[test]
fn g4_correct_transmission() {
    for cfg in [cfg_v2(100), cfg_v3(100, 100)] {
        let mut r = Rig::started(cfg.clone());
        let a = r.fire();
        let Some(Instruction::SendAdvert { priority }) = a.first().cloned() else {
            panic!("no advert: {a:?}")
        };
        let path = Path::multicast(cfg.primary);
        assert_eq!(path.dst, ip("224.0.0.18"));
        let bytes = r.inst.advert(priority).encode(&path).unwrap();
        let back = Advert::decode(&bytes, Family::V4).unwrap();
        assert_eq!(back.vrid, 51);
        assert_eq!(back.priority, 100);
        assert_eq!(back.interval_cs, 100);
        assert_eq!(back.version, cfg.version);
        let want = match cfg.version {
            Version::V2 => Dialect::MessageOnly,
            Version::V3 => Dialect::PseudoHeader,
        };
        assert_eq!(checksum_dialect(&bytes, cfg.version, &path), Some(want));
        assert_eq!(advert::TTL, 255);
    }
}
