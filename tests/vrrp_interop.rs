//! lvsdeck's VRRP engine against keepalived 2.2.7 over a veth pair between two network
//! namespaces the test creates (192.0.2.0/24 only). Needs root, `ip` and `keepalived`.
//! Prints each measured takeover (kill or priority 0 -> VIP on the other side, 10 ms polls).

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

use std::time::{Duration, Instant};

use vrrp_lab::*;

/// keepalived master (150), lvsdeck backup (100): lvsdeck stays backup; a crash of
/// keepalived makes it master; keepalived back with its higher priority preempts.
fn backup_failover_preempt(tag: &str, version: u8) {
    let ka = conf(&Peer {
        priority: 150,
        version,
        advert_int: 1,
        pass: SECRET,
    });
    let lv = conf(&Peer {
        priority: 100,
        version,
        advert_int: 1,
        pass: SECRET,
    });
    let mut lab = Lab::new(tag);
    lab.start_keepalived(&ka);
    assert!(
        lab.until_vip(&lab.ka_ns, true, Duration::from_secs(10))
            .is_some(),
        "keepalived never became master\n{}",
        lab.dump()
    );
    lab.start_lvsdeck(&lv);
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !lab.has_vip(&lab.lv_ns),
        "lvsdeck took the VIP from a higher master\n{}",
        lab.dump()
    );
    assert!(lab.has_vip(&lab.ka_ns), "{}", lab.dump());
    assert!(
        lab.log("lvsdeck.log").contains("Initialize -> Backup"),
        "{}",
        lab.dump()
    );

    let t0 = lab.crash_keepalived();
    let took = wait_for(Duration::from_secs(10), || {
        lab.has_vip(&lab.lv_ns).then(|| t0.elapsed())
    });
    let took = took.unwrap_or_else(|| panic!("lvsdeck never took over\n{}", lab.dump()));
    eprintln!(
        "FIGURE v{version} keepalived SIGKILL -> VIP on lvsdeck: {} ms",
        took.as_millis()
    );
    // Master_Down_Interval for priority 100 at 1 s is 3.61 s, minus the age of the last advert.
    assert!(
        took >= Duration::from_millis(2400) && took <= Duration::from_millis(4200),
        "{took:?}"
    );
    // The crashed host's address is gone with it.
    run(&[
        "ip",
        "-n",
        &lab.ka_ns,
        "addr",
        "del",
        &format!("{VIP}/24"),
        "dev",
        "veth0",
    ]);

    let t1 = Instant::now();
    lab.start_keepalived(&ka);
    let back = lab.until_vip(&lab.ka_ns, true, Duration::from_secs(15));
    let gone = lab.until_vip(&lab.lv_ns, false, Duration::from_secs(5));
    assert!(
        back.is_some() && gone.is_some(),
        "keepalived did not preempt\n{}",
        lab.dump()
    );
    eprintln!(
        "FIGURE v{version} keepalived restart (priority 150) -> VIP back on keepalived: {} ms",
        t1.elapsed().as_millis()
    );
    assert!(
        lab.log("lvsdeck.log")
            .contains("Master -> Backup (HigherPriority)"),
        "{}",
        lab.dump()
    );
}

/// lvsdeck master (200) over keepalived (100); SIGTERM: priority 0, keepalived takes over
/// after its Skew_Time (0.61 s) and lvsdeck removed its VIP and exited 0.
fn master_handover_on_sigterm(tag: &str, version: u8) {
    let ka = conf(&Peer {
        priority: 100,
        version,
        advert_int: 1,
        pass: SECRET,
    });
    let lv = conf(&Peer {
        priority: 200,
        version,
        advert_int: 1,
        pass: SECRET,
    });
    let mut lab = Lab::new(tag);
    lab.start_keepalived(&ka);
    assert!(
        lab.until_vip(&lab.ka_ns, true, Duration::from_secs(10))
            .is_some(),
        "{}",
        lab.dump()
    );
    lab.start_lvsdeck(&lv);
    // lvsdeck preempts after its Master_Down_Interval; keepalived must accept our adverts.
    assert!(
        lab.until_vip(&lab.lv_ns, true, Duration::from_secs(10))
            .is_some(),
        "{}",
        lab.dump()
    );
    assert!(
        lab.until_vip(&lab.ka_ns, false, Duration::from_secs(3))
            .is_some(),
        "keepalived kept the VIP: it did not accept lvsdeck's adverts\n{}",
        lab.dump()
    );
    // A VIP deleted behind the engine's back while master comes back.
    run(&[
        "ip",
        "-n",
        &lab.lv_ns,
        "addr",
        "del",
        &format!("{VIP}/24"),
        "dev",
        "veth0",
    ]);
    let readded = lab.until_vip(&lab.lv_ns, true, Duration::from_secs(2));
    let readded = readded.unwrap_or_else(|| panic!("VIP not re-added\n{}", lab.dump()));
    eprintln!(
        "FIGURE v{version} VIP deleted behind lvsdeck -> re-added: {} ms",
        readded.as_millis()
    );
    assert!(
        lab.log("lvsdeck.log").contains("removed behind our back"),
        "{}",
        lab.dump()
    );
    // SIGHUP with an unchanged file: the instance keeps running and keeps the VIP.
    let pid = lab.lvsdeck.as_ref().expect("running").id() as i32;
    kill(pid, libc::SIGHUP);
    let dropped = wait_for(Duration::from_secs(2), || {
        (!lab.has_vip(&lab.lv_ns)).then_some(())
    });
    assert!(
        dropped.is_none(),
        "reload dropped mastership\n{}",
        lab.dump()
    );
    assert!(
        lab.log("lvsdeck.log")
            .contains("1 kept, 0 started, 0 stopped"),
        "{}",
        lab.dump()
    );
    let ka_log = lab.log("keepalived.log");
    assert!(
        !ka_log.contains("Invalid VRRPv3 checksum"),
        "{}",
        lab.dump()
    );
    assert!(!ka_log.contains("invalid passwd"), "{}", lab.dump());

    let t0 = lab.term_lvsdeck();
    let took = wait_for(Duration::from_secs(5), || {
        lab.has_vip(&lab.ka_ns).then(|| t0.elapsed())
    });
    let took = took.unwrap_or_else(|| panic!("keepalived never took over\n{}", lab.dump()));
    eprintln!(
        "FIGURE v{version} lvsdeck SIGTERM (priority 0) -> VIP on keepalived: {} ms",
        took.as_millis()
    );
    assert!(
        took < Duration::from_millis(1500),
        "took {took:?}, Skew_Time is 0.61 s"
    );
    assert_eq!(lab.wait_lvsdeck_exit(), Some(0), "{}", lab.dump());
    assert!(
        !lab.has_vip(&lab.lv_ns),
        "lvsdeck left its VIP behind\n{}",
        lab.dump()
    );
    let ka_log = lab.log("keepalived.log");
    let entered = ka_log.matches("Entering MASTER STATE").count();
    assert!(
        entered >= 2,
        "keepalived log shows {entered} MASTER entries\n{}",
        lab.dump()
    );
}

#[test]
fn v2_pass_backup_failover_and_preempt() {
    backup_failover_preempt("a", 2);
}

#[test]
fn v2_master_sigterm_hands_over() {
    master_handover_on_sigterm("b", 2);
}

#[test]
fn v3_ipv4_master_sigterm_hands_over() {
    master_handover_on_sigterm("c", 3);
}

#[test]
fn v3_ipv4_backup_failover_and_preempt() {
    backup_failover_preempt("d", 3);
}

/// Wrong password and wrong interval: both sides drop each other's adverts, say so in their
/// logs, and (each hearing nobody) both end up master.
#[test]
fn mismatched_auth_and_interval_are_rejected_on_both_sides() {
    for (tag, lv) in [
        (
            "e",
            Peer {
                priority: 100,
                version: 2,
                advert_int: 1,
                pass: Some("wrong"),
            },
        ),
        (
            "f",
            Peer {
                priority: 100,
                version: 2,
                advert_int: 2,
                pass: SECRET,
            },
        ),
    ] {
        let mut lab = Lab::new(tag);
        lab.start_keepalived(&conf(&Peer {
            priority: 150,
            version: 2,
            advert_int: 1,
            pass: SECRET,
        }));
        assert!(
            lab.until_vip(&lab.ka_ns, true, Duration::from_secs(10))
                .is_some(),
            "{}",
            lab.dump()
        );
        lab.start_lvsdeck(&conf(&lv));
        assert!(
            lab.until_vip(&lab.lv_ns, true, Duration::from_secs(10))
                .is_some(),
            "lvsdeck should not hear a master it rejects\n{}",
            lab.dump()
        );
        std::thread::sleep(Duration::from_secs(3));
        let (ours, theirs) = if lv.pass == Some("wrong") {
            ("invalid password", "received an invalid passwd")
        } else {
            (
                "advertisement interval mismatch",
                "advertisement interval mismatch",
            )
        };
        assert!(lab.log("lvsdeck.log").contains(ours), "{}", lab.dump());
        assert!(lab.log("keepalived.log").contains(theirs), "{}", lab.dump());
        drop(lab);
    }
}
