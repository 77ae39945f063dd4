//! `use_vmac` against keepalived 2.2.7 on one bridged segment with a client (198.18.0.0/24,
//! namespaces the test creates). Needs root, `ip`, `bridge`, `bash`, `keepalived`.
//! Prints each measured takeover (10 ms polls).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

#[path = "support/vmac_lab.rs"]
mod vmac_lab;

use std::time::Duration;

use vmac_lab::*;
use vrrp_lab::run;

/// The client, its neighbour table flushed, reaches the VIP, and at the virtual MAC.
fn client_reaches_the_vmac(lab: &VmacLab) {
    lab.flush_client_neigh();
    let (answered, mac) = lab.client_sees();
    assert!(
        answered,
        "the VIP did not answer the client\n{}",
        lab.dump()
    );
    assert_eq!(mac.as_deref(), Some(VMAC), "{}", lab.dump());
}

/// lvsdeck (150, use_vmac) over keepalived (100): the VIP goes on lvsdeck's `vrrp.64`
/// macvlan (private, 00:00:5e:00:01:40), keepalived accepts the adverts sent from it, and the
/// client reaches the VIP at the virtual MAC. SIGKILL: keepalived takes over; lvsdeck
/// restarted replaces the leftover vmac and preempts; SIGTERM removes the vmac and hands over.
#[test]
fn vmac_master_backup_takeover_and_preempt_against_keepalived() {
    let mut lab = VmacLab::new();
    lab.start_keepalived(&conf("sytk", 100, ""));
    assert!(
        lab.until(Duration::from_secs(10), |l| l.has_vip(&l.ka_ns, "sytk"))
            .is_some(),
        "keepalived never became master\n{}",
        lab.dump()
    );
    let base_arp_ignore = |l: &VmacLab| {
        out(&[
            "ip",
            "netns",
            "exec",
            &l.lv_ns,
            "cat",
            "/proc/sys/net/ipv4/conf/sytl/arp_ignore",
        ])
        .trim()
        .to_string()
    };
    assert_eq!(base_arp_ignore(&lab), "0");

    let lv = conf("sytl", 150, "    use_vmac\n");
    lab.start_lvsdeck(&lv);
    let took = lab.expect(
        10,
        "lvsdeck did not take the VIP",
        VmacLab::vip_on_lvsdeck_vmac,
    );
    eprintln!(
        "FIGURE use_vmac lvsdeck start (150 over 100) -> VIP on vrrp.64: {} ms",
        took.as_millis()
    );
    // The fresh vmac is one of the instance's own links: no spurious FAULT at start.
    assert!(
        !lab.log("lvsdeck.log").contains("-> Fault"),
        "{}",
        lab.dump()
    );
    let link = lab.vmac_link();
    assert!(
        link.contains(&format!("link/ether {VMAC}")) && link.contains("macvlan mode private"),
        "{link}"
    );
    assert!(
        !lab.has_vip(&lab.lv_ns, "sytl"),
        "the VIP belongs on the vmac"
    );
    assert_eq!(
        base_arp_ignore(&lab),
        "1",
        "base answers no ARP for the VIP"
    );
    // keepalived heard adverts that left from the vmac: they carry the virtual MAC (the
    // bridge learned it on lvsdeck's port).
    assert!(
        lab.log("keepalived.log").contains("higher priority 150"),
        "{}",
        lab.dump()
    );
    let fdb = out(&["bridge", "-n", &lab.client, "fdb", "show", "br", "sytbr"]);
    assert!(
        fdb.lines()
            .any(|l| l.starts_with(VMAC) && l.contains("dev sytlb")),
        "{fdb}"
    );
    client_reaches_the_vmac(&lab);

    // SIGTERM: priority 0 from the vmac, keepalived takes over in Skew_Time, the vmac is
    // removed and the base's sysctls are put back.
    let sigterm = |lab: &mut VmacLab| {
        let t0 = std::time::Instant::now();
        assert_eq!(lab.stop_lvsdeck(libc::SIGTERM), Some(0), "{}", lab.dump());
        let took = lab.until(Duration::from_secs(5), |l| l.has_vip(&l.ka_ns, "sytk"));
        assert!(took.is_some(), "{}", lab.dump());
        eprintln!(
            "FIGURE lvsdeck SIGTERM -> VIP on keepalived: {} ms",
            t0.elapsed().as_millis()
        );
        assert!(
            t0.elapsed() < Duration::from_millis(2500),
            "{:?}",
            t0.elapsed()
        );
        assert_eq!(lab.vmac_link(), "", "the vmac is removed on stop");
    };
    sigterm(&mut lab);
    assert_eq!(
        base_arp_ignore(&lab),
        "0",
        "the base's arp_ignore is restored"
    );

    // Again, then a crash: no priority 0; keepalived takes over after Master_Down_Interval.
    lab.start_lvsdeck(&lv);
    assert!(
        lab.until(Duration::from_secs(10), |l| l.has_vip(&l.lv_ns, "vrrp.64"))
            .is_some(),
        "{}",
        lab.dump()
    );
    lab.stop_lvsdeck(libc::SIGKILL);
    let took = lab.expect(10, "keepalived did not take over", |l| {
        l.has_vip(&l.ka_ns, "sytk")
    });
    eprintln!(
        "FIGURE lvsdeck SIGKILL -> VIP on keepalived: {} ms",
        took.as_millis()
    );
    assert!(took >= Duration::from_millis(2400), "{took:?}");
    assert!(
        lab.vmac_link().contains("vrrp.64"),
        "a killed process leaves its vmac behind (as keepalived does)"
    );

    // Restarted, lvsdeck replaces its leftover vmac and preempts.
    lab.start_lvsdeck(&lv);
    let took = lab.expect(10, "lvsdeck did not preempt", VmacLab::vip_on_lvsdeck_vmac);
    eprintln!(
        "FIGURE lvsdeck restart (use_vmac, 150) -> VIP back on its vmac: {} ms",
        took.as_millis()
    );
    assert!(
        lab.log("lvsdeck.log").contains("already exists"),
        "{}",
        lab.dump()
    );
    client_reaches_the_vmac(&lab);

    // The base is one of the instance's own links (keepalived tracks it under the vmac):
    // down -> FAULT, the VIP leaves the vmac, keepalived takes over; up -> preempted back.
    run(&["ip", "-n", &lab.lv_ns, "link", "set", "sytl", "down"]);
    let gone = lab.until(Duration::from_secs(3), |l| !l.has_vip(&l.lv_ns, "vrrp.64"));
    let gone = gone.unwrap_or_else(|| {
        panic!(
            "FAULT kept the VIP
{}",
            lab.dump()
        )
    });
    eprintln!(
        "FIGURE vmac base down -> FAULT, VIP off vrrp.64: {} ms",
        gone.as_millis()
    );
    assert!(
        lab.until(Duration::from_secs(6), |l| l.has_vip(&l.ka_ns, "sytk"))
            .is_some(),
        "keepalived did not take over\n{}",
        lab.dump()
    );
    let log = lab.log("lvsdeck.log");
    assert!(
        log.contains("tracked sytl is down") && log.contains("Master -> Fault"),
        "{}",
        lab.dump()
    );
    run(&["ip", "-n", &lab.lv_ns, "link", "set", "sytl", "up"]);
    let back = lab.expect(
        10,
        "no preemption after the base came back",
        VmacLab::vip_on_lvsdeck_vmac,
    );
    eprintln!(
        "FIGURE vmac base up -> VIP back on vrrp.64: {} ms",
        back.as_millis()
    );
    sigterm(&mut lab);
}
