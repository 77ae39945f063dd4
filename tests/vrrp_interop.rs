//! lvsdeck's VRRP engine against keepalived 2.2.7 over a veth pair between two network
//! namespaces the test creates (192.0.2.0/24 only). Needs root, `ip` and `keepalived`.
//! Prints each measured takeover (kill or priority 0 -> VIP on the other side, 10 ms polls).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It signals, times or enters the processes and namespaces it made itself, through libc.
#![allow(unsafe_code)]

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vrrp_lab::*;

/// The MAC of veth0 in `ns`.
fn mac_of(ns: &str) -> String {
    let out = Command::new("ip")
        .args(["-n", ns, "-o", "link", "show", "dev", "veth0"])
        .output()
        .expect("ip link");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .unwrap_or_else(|| panic!("no MAC in {text}"))
        .to_string()
}

/// `ip -6 neigh show ADDR dev veth0` in `ns`.
fn neighbour(ns: &str, addr: &str) -> String {
    let out = Command::new("ip")
        .args(["-n", ns, "-6", "neigh", "show", addr, "dev", "veth0"])
        .output()
        .expect("ip neigh");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// keepalived logged no complaint about lvsdeck's adverts (checksum, TTL/hop limit, length,
/// addresses, VRID).
fn assert_keepalived_accepted_us(lab: &Lab) {
    let log = lab.log("keepalived.log");
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| {
            let l = l.to_lowercase();
            [
                "invalid",
                "checksum",
                "ttl/hl",
                "unexpected",
                "unknown vrid",
                "error",
            ]
            .iter()
            .any(|w| l.contains(w))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "keepalived complained: {bad:#?}\n{}",
        lab.dump()
    );
}

/// keepalived master (150), lvsdeck backup (100): lvsdeck stays backup; a crash of
/// keepalived makes it master; keepalived back with its higher priority preempts.
fn backup_failover_preempt(tag: &str, version: u8, fam: Fam) {
    let ka = fam.conf(&Peer::secret(150, version));
    let lv = fam.conf(&Peer::secret(100, version));
    let mut lab = fam.lab(tag);
    lab.start_keepalived_master(&ka);
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
    if fam == Fam::V6 {
        // The crashed host keeps a stale neighbour entry for the VIP with a wrong MAC: only
        // lvsdeck's unsolicited NA (Override flag) can correct it.
        lab.del_addr(&lab.ka_ns, &fam.vip_cidr());
        run(&[
            "ip",
            "-n",
            &lab.ka_ns,
            "-6",
            "neigh",
            "replace",
            VIP6,
            "lladdr",
            "02:00:00:00:00:99",
            "dev",
            "veth0",
            "nud",
            "stale",
        ]);
    }
    let took = wait_for(Duration::from_secs(10), || {
        lab.has_vip(&lab.lv_ns).then(|| t0.elapsed())
    });
    let took = took.unwrap_or_else(|| panic!("lvsdeck never took over\n{}", lab.dump()));
    if fam == Fam::V6 {
        let mac = mac_of(&lab.lv_ns);
        let learned = wait_for(Duration::from_secs(2), || {
            neighbour(&lab.ka_ns, VIP6)
                .contains(&mac)
                .then(|| t0.elapsed().saturating_sub(took))
        });
        let learned = learned.unwrap_or_else(|| {
            panic!(
                "the neighbour entry did not follow the VIP to {mac}: {}\n{}",
                neighbour(&lab.ka_ns, VIP6),
                lab.dump()
            )
        });
        eprintln!(
            "FIGURE v3 V6 VIP on lvsdeck -> peer's neighbour entry updated by the NA: {} ms",
            learned.as_millis()
        );
    }
    eprintln!(
        "FIGURE v{version} {fam:?} keepalived SIGKILL -> VIP on lvsdeck: {} ms",
        took.as_millis()
    );
    // Master_Down_Interval for priority 100 at 1 s is 3.61 s, minus the age of the last advert.
    assert!(
        took >= Duration::from_millis(2400) && took <= Duration::from_millis(4200),
        "{took:?}"
    );
    // The crashed host's address is gone with it.
    if fam == Fam::V4 {
        lab.del_addr(&lab.ka_ns, &fam.vip_cidr());
    }

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
        "FIGURE v{version} {fam:?} keepalived restart (priority 150) -> VIP back on keepalived: {} ms",
        t1.elapsed().as_millis()
    );
    assert!(
        lab.log("lvsdeck.log")
            .contains("Master -> Backup (HigherPriority)"),
        "{}",
        lab.dump()
    );
    assert_keepalived_accepted_us(&lab);
}

/// lvsdeck master (200) over keepalived (100); SIGTERM: priority 0, keepalived takes over
/// after its Skew_Time (0.61 s) and lvsdeck removed its VIP and exited 0.
fn master_handover_on_sigterm(tag: &str, version: u8, fam: Fam) {
    let ka = fam.conf(&Peer::secret(100, version));
    let lv = fam.conf(&Peer::secret(200, version));
    let mut lab = fam.lab(tag);
    lab.start_keepalived_master(&ka);
    lab.start_lvsdeck(&lv);
    // lvsdeck preempts after its Master_Down_Interval; keepalived must accept our adverts.
    lab.expect_vip(&lab.lv_ns, true, 10, "");
    lab.expect_vip(
        &lab.ka_ns,
        false,
        3,
        "keepalived kept the VIP: it did not accept lvsdeck's adverts",
    );
    // A VIP deleted behind the engine's back while master comes back.
    lab.del_addr(&lab.lv_ns, &fam.vip_cidr());
    let readded = lab.expect_vip(&lab.lv_ns, true, 2, "VIP not re-added");
    eprintln!(
        "FIGURE v{version} {fam:?} VIP deleted behind lvsdeck -> re-added: {} ms",
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
    assert_keepalived_accepted_us(&lab);

    let t0 = lab.term_lvsdeck();
    let took = wait_for(Duration::from_secs(5), || {
        lab.has_vip(&lab.ka_ns).then(|| t0.elapsed())
    });
    let took = took.unwrap_or_else(|| panic!("keepalived never took over\n{}", lab.dump()));
    eprintln!(
        "FIGURE v{version} {fam:?} lvsdeck SIGTERM (priority 0) -> VIP on keepalived: {} ms",
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
    backup_failover_preempt("a", 2, Fam::V4);
}

#[test]
fn v2_master_sigterm_hands_over() {
    master_handover_on_sigterm("b", 2, Fam::V4);
}

#[test]
fn v3_ipv4_master_sigterm_hands_over() {
    master_handover_on_sigterm("c", 3, Fam::V4);
}

#[test]
fn v3_ipv4_backup_failover_and_preempt() {
    backup_failover_preempt("d", 3, Fam::V4);
}

#[test]
fn v3_ipv6_backup_failover_and_preempt() {
    backup_failover_preempt("e", 3, Fam::V6);
}

#[test]
fn v3_ipv6_master_sigterm_hands_over() {
    master_handover_on_sigterm("f", 3, Fam::V6);
}

/// Two instances (VRID 51 and 52) on one link, each side master of one: both reach the right
/// state, and neither side counts the other instance's adverts as errors (lvsdeck reads each
/// packet once per interface and hands it to the instance with that VRID).
fn two_instances_on_one_link(tag: &str, fam: Fam) {
    let (vip1, vip2, plen) = match fam {
        Fam::V4 => ("192.0.2.100", "192.0.2.101", "/24"),
        Fam::V6 => ("2001:db8::100", "2001:db8::101", ""),
    };
    let two = |p1: u8, p2: u8| {
        let inst = |name: &str, vrid: u8, prio: u8, vip: &str| {
            format!(
                "vrrp_instance {name} {{\n    state BACKUP\n    interface veth0\n    \
                 virtual_router_id {vrid}\n    version 3\n    priority {prio}\n    \
                 advert_int 1\n    virtual_ipaddress {{\n        {vip}{plen}\n    }}\n}}\n"
            )
        };
        format!(
            "global_defs {{\n    router_id two\n}}\n{}{}",
            inst("VI_1", 51, p1, vip1),
            inst("VI_2", 52, p2, vip2)
        )
    };
    let inet = match fam {
        Fam::V4 => "inet",
        Fam::V6 => "inet6",
    };
    let (m1, m2) = (format!("{inet} {vip1}/"), format!("{inet} {vip2}/"));
    let mut lab = fam.lab(tag);
    lab.start_keepalived(&two(150, 100));
    lab.start_lvsdeck(&two(100, 150));
    let settled = wait_for(Duration::from_secs(15), || {
        (lab.has_addr(&lab.ka_ns, &m1)
            && !lab.has_addr(&lab.ka_ns, &m2)
            && lab.has_addr(&lab.lv_ns, &m2)
            && !lab.has_addr(&lab.lv_ns, &m1))
        .then_some(())
    });
    assert!(settled.is_some(), "wrong owners\n{}", lab.dump());
    // Several adverts of each instance cross the link while both stay put.
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        lab.has_addr(&lab.ka_ns, &m1) && lab.has_addr(&lab.lv_ns, &m2),
        "an instance moved\n{}",
        lab.dump()
    );
    assert!(!lab.has_addr(&lab.lv_ns, &m1), "{}", lab.dump());
    let lv = lab.log("lvsdeck.log");
    assert!(
        lv.contains("VRRP_Instance(VI_1) Initialize -> Backup")
            && lv.contains("VRRP_Instance(VI_2) Backup -> Master"),
        "{}",
        lab.dump()
    );
    assert!(
        !lv.contains("dropped") && !lv.contains("no instance here runs"),
        "lvsdeck counted an advert as an error\n{}",
        lab.dump()
    );
    let ka = lab.log("keepalived.log");
    assert!(
        ka.contains("(VI_1) Entering MASTER STATE") && ka.contains("(VI_2) Entering BACKUP STATE"),
        "{}",
        lab.dump()
    );
    assert_keepalived_accepted_us(&lab);
}

#[test]
fn two_instances_on_one_link_ipv6() {
    two_instances_on_one_link("g", Fam::V6);
}

#[test]
fn two_instances_on_one_link_ipv4() {
    two_instances_on_one_link("h", Fam::V4);
}

/// IPv6 unicast (`unicast_src_ip` + `unicast_peer` with global addresses): each side hears
/// the other's unicast adverts (the lower one stays backup), and a crash still fails over.
#[test]
fn v3_ipv6_unicast_peers() {
    let uni = |prio: u8, me: &str, peer: &str| {
        format!(
            "vrrp_instance VI_1 {{\n    state BACKUP\n    interface veth0\n    \
             virtual_router_id 51\n    priority {prio}\n    advert_int 1\n    \
             unicast_src_ip {me}\n    unicast_peer {{\n        {peer}\n    }}\n    \
             virtual_ipaddress {{\n        {VIP6}\n    }}\n}}\n"
        )
    };
    let (ka_ip, lv_ip) = ("2001:db8::1", "2001:db8::2");
    let mut lab = Lab::new_v6("u");
    lab.start_keepalived_master(&uni(150, ka_ip, lv_ip));
    lab.start_lvsdeck(&uni(100, lv_ip, ka_ip));
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !lab.has_vip(&lab.lv_ns) && lab.has_vip(&lab.ka_ns),
        "lvsdeck did not hear keepalived's unicast adverts\n{}",
        lab.dump()
    );
    let t0 = lab.crash_keepalived();
    lab.del_addr(&lab.ka_ns, &Fam::V6.vip_cidr());
    let took = wait_for(Duration::from_secs(10), || {
        lab.has_vip(&lab.lv_ns).then(|| t0.elapsed())
    });
    let took = took.unwrap_or_else(|| panic!("lvsdeck never took over\n{}", lab.dump()));
    eprintln!(
        "FIGURE v3 V6 unicast keepalived SIGKILL -> VIP on lvsdeck: {} ms",
        took.as_millis()
    );
    // keepalived back at a lower priority must hear lvsdeck and stay backup.
    lab.start_keepalived(&uni(50, ka_ip, lv_ip));
    let entered = wait_for(Duration::from_secs(10), || {
        lab.log("keepalived.log")
            .contains("(VI_1) Entering BACKUP STATE")
            .then_some(())
    });
    assert!(entered.is_some(), "{}", lab.dump());
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !lab.has_vip(&lab.ka_ns) && lab.has_vip(&lab.lv_ns),
        "keepalived did not hear lvsdeck's unicast adverts\n{}",
        lab.dump()
    );
    assert!(
        !lab.log("lvsdeck.log").contains("dropped"),
        "{}",
        lab.dump()
    );
    assert_keepalived_accepted_us(&lab);
}

/// `vrrp_mcast_group6` on both sides: the adverts go to ff02::113, each side hears the other
/// (the lower priority stays backup in turn).
#[test]
fn v3_ipv6_custom_multicast_group() {
    let with_group = |prio: u8| {
        fam_conf_group(
            &Peer {
                priority: prio,
                version: 3,
                advert_int: 1,
                pass: None,
            },
            "vrrp_mcast_group6 ff02::113",
        )
    };
    let mut lab = Lab::new_v6("m");
    lab.start_keepalived_master(&with_group(150));
    lab.start_lvsdeck(&with_group(100));
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !lab.has_vip(&lab.lv_ns) && lab.has_vip(&lab.ka_ns),
        "lvsdeck did not hear keepalived on ff02::113\n{}",
        lab.dump()
    );
    lab.stop_lvsdeck_and_wait();
    lab.start_lvsdeck(&with_group(200));
    assert!(
        lab.until_vip(&lab.lv_ns, true, Duration::from_secs(10))
            .is_some()
            && lab
                .until_vip(&lab.ka_ns, false, Duration::from_secs(3))
                .is_some(),
        "keepalived did not hear lvsdeck on ff02::113\n{}",
        lab.dump()
    );
    assert_keepalived_accepted_us(&lab);
}

/// [`conf6`] with one more `global_defs` line.
fn fam_conf_group(p: &Peer<'_>, global: &str) -> String {
    conf6(p).replacen(
        "router_id interop6\n",
        &format!("router_id interop6\n    {global}\n"),
        1,
    )
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
        lab.start_keepalived_master(&conf(&Peer::secret(150, 2)));
        lab.start_lvsdeck(&conf(&lv));
        lab.expect_vip(
            &lab.lv_ns,
            true,
            10,
            "lvsdeck should not hear a master it rejects",
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

// ---- tracking and notify (track_script, track_interface, notify_*) ----

/// The uid of `nobody`, the `script_user` the tracking tests run scripts as.
fn nobody_uid() -> String {
    let out = Command::new("id")
        .args(["-u", "nobody"])
        .output()
        .expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// An executable notify script that appends "UID ARGS..." to `log` (a shell is what the
/// script asks for with its #! line; lvsdeck runs it without one).
fn notify_script(lab: &Lab, name: &str, log: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = lab.path(name);
    let l = lab.path(log);
    fs::write(
        &p,
        format!("#!/bin/sh\necho \"$(id -u) $*\" >> {}\n", l.display()),
    )
    .expect("script");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(&lab.dir, fs::Permissions::from_mode(0o777)).expect("chmod dir");
    p.display().to_string()
}

fn lines(lab: &Lab, log: &str) -> Vec<String> {
    lab.log(log).lines().map(str::to_string).collect()
}

fn wait_line(lab: &Lab, log: &str, want: &str, within: Duration) -> bool {
    wait_for(within, || {
        lines(lab, log).iter().any(|l| l == want).then_some(())
    })
    .is_some()
}

fn tracked_conf(priority: u8, extra_top: &str, extra_inst: &str) -> String {
    format!(
        "global_defs {{\n    router_id interop\n    script_user nobody\n}}\n{extra_top}\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface veth0\n    virtual_router_id 51\n    \
         priority {priority}\n    advert_int 1\n    authentication {{\n        auth_type PASS\n        \
         auth_pass secret\n    }}\n    virtual_ipaddress {{\n        {VIP}/24\n    }}\n{extra_inst}}}\n"
    )
}

/// lvsdeck (150, `track_script` weight -60 on a file's existence) over keepalived (120):
/// the file goes, lvsdeck drops to 90 and keepalived takes the VIP; the file comes back,
/// lvsdeck preempts. notify/notify_master run as `nobody` with keepalived's arguments, and
/// keepalived's own `notify` line has the same shape.
#[test]
fn track_script_weight_moves_the_vip_and_notify_gets_keepalived_arguments() {
    let mut lab = Lab::new("t");
    let healthy = lab.path("healthy");
    fs::write(&healthy, "").expect("healthy");
    let lv_notify = notify_script(&lab, "notify.sh", "notify.log");
    let ka_notify = notify_script(&lab, "ka-notify.sh", "ka-notify.log");
    let nobody = nobody_uid();
    lab.start_keepalived_master(&tracked_conf(
        120,
        "",
        &format!("    notify \"{ka_notify}\"\n"),
    ));
    assert!(
        wait_line(
            &lab,
            "ka-notify.log",
            &format!("{nobody} INSTANCE VI_1 MASTER 120"),
            Duration::from_secs(3)
        ),
        "keepalived's own notify line\n{:?}",
        lines(&lab, "ka-notify.log")
    );
    lab.start_lvsdeck(&tracked_conf(
        150,
        &format!(
            "vrrp_script chk_file {{\n    script \"/usr/bin/test -e {}\"\n    interval 1\n    \
             weight -60\n    fall 2\n    rise 2\n}}\n",
            healthy.display()
        ),
        &format!(
            "    track_script {{\n        chk_file\n    }}\n    notify \"{lv_notify}\"\n    \
             notify_master \"{lv_notify} master-only\"\n"
        ),
    ));
    assert!(
        lab.until_vip(&lab.lv_ns, true, Duration::from_secs(10))
            .is_some()
            && lab
                .until_vip(&lab.ka_ns, false, Duration::from_secs(3))
                .is_some(),
        "lvsdeck (150) did not preempt keepalived (120)\n{}",
        lab.dump()
    );
    let master = format!("{nobody} INSTANCE VI_1 MASTER 150");
    assert!(
        wait_line(&lab, "notify.log", &master, Duration::from_secs(3)),
        "{:?}",
        lines(&lab, "notify.log")
    );
    let l = lines(&lab, "notify.log");
    assert_eq!(
        l.first().map(String::as_str),
        Some(format!("{nobody} INSTANCE VI_1 BACKUP 150").as_str()),
        "{l:?}"
    );
    assert!(l.contains(&format!("{nobody} master-only")), "{l:?}");

    fs::remove_file(&healthy).expect("rm healthy");
    let took = lab.expect_vip(&lab.ka_ns, true, 12, "keepalived never took over");
    eprintln!(
        "FIGURE track_script fails (fall 2, interval 1) -> VIP on keepalived: {} ms",
        took.as_millis()
    );
    // Two failed runs (~1-2 s), then keepalived's Master_Down_Interval at 120 (3.53 s).
    assert!(took >= Duration::from_millis(3500), "{took:?}");
    lab.expect_vip(&lab.lv_ns, false, 3, "");
    assert!(
        wait_line(
            &lab,
            "notify.log",
            &format!("{nobody} INSTANCE VI_1 BACKUP 90"),
            Duration::from_secs(3)
        ),
        "{:?}",
        lines(&lab, "notify.log")
    );
    assert!(
        lab.log("lvsdeck.log").contains("weight -60"),
        "{}",
        lab.dump()
    );

    fs::write(&healthy, "").expect("healthy again");
    let back = lab.expect_vip(&lab.lv_ns, true, 12, "lvsdeck never preempted back");
    eprintln!(
        "FIGURE track_script recovers (rise 2) -> VIP back on lvsdeck: {} ms",
        back.as_millis()
    );
    lab.expect_vip(&lab.ka_ns, false, 3, "");
    lab.term_lvsdeck();
    assert_eq!(lab.wait_lvsdeck_exit(), Some(0), "{}", lab.dump());
    let l = lines(&lab, "notify.log");
    assert_eq!(
        l.last().map(String::as_str),
        Some(format!("{nobody} INSTANCE VI_1 STOP 150").as_str()),
        "{l:?}"
    );
    assert_eq!(l.iter().filter(|x| **x == master).count(), 2, "{l:?}");
}

/// The keepalived+nginx pattern (`killall -0 nginx`, weight 0) with a stand-in process, and
/// `track_interface` on a veth whose peer goes down: each failure puts lvsdeck (150) in
/// FAULT, which hands the VIP to keepalived (120) at once (priority 0); recovery brings it
/// back.
#[test]
fn process_check_and_link_down_fault_the_master() {
    let mut lab = Lab::new("p");
    let fake = format!("fkngx{}", std::process::id() % 1_000_000);
    let bin = lab.path(&fake);
    fs::copy("/bin/sleep", &bin).expect("copy sleep");
    let start_fake =
        |bin: &PathBuf| Reaped(Command::new(bin).arg("300").spawn().expect("fake nginx"));
    // A veth pair inside lvsdeck's namespace: trk1 down takes trk0's carrier away.
    run(&[
        "ip", "-n", &lab.lv_ns, "link", "add", "trk0", "type", "veth", "peer", "name", "trk1",
    ]);
    run(&["ip", "-n", &lab.lv_ns, "link", "set", "trk0", "up"]);
    run(&["ip", "-n", &lab.lv_ns, "link", "set", "trk1", "up"]);
    let mut proc = start_fake(&bin);
    let lv_notify = notify_script(&lab, "notify.sh", "notify.log");
    let nobody = nobody_uid();
    lab.start_keepalived_master(&tracked_conf(120, "", ""));
    lab.start_lvsdeck(&tracked_conf(
        150,
        &format!("vrrp_script chk_nginx {{\n    script \"/usr/bin/killall -0 {fake}\"\n    interval 1\n    timeout 2\n    user root\n}}\n"),
        &format!(
            "    track_script {{\n        chk_nginx\n    }}\n    track_interface {{\n        trk0\n    }}\n    \
             notify \"{lv_notify}\"\n"
        ),
    ));
    {
        lab.expect_vip(&lab.lv_ns, true, 10, "");
        drop(proc);
        let took = lab.expect_vip(&lab.ka_ns, true, 5, "no takeover on process loss");
        eprintln!(
            "FIGURE killall -0 fails (weight 0, interval 1) -> FAULT -> VIP on keepalived: {} ms",
            took.as_millis()
        );
        // At most one interval to notice, then keepalived's Skew_Time (0.53 s).
        assert!(took < Duration::from_millis(2500), "{took:?}");
        assert!(
            wait_line(
                &lab,
                "notify.log",
                &format!("{nobody} INSTANCE VI_1 FAULT 150"),
                Duration::from_secs(2)
            ),
            "{:?}",
            lines(&lab, "notify.log")
        );
        assert!(
            !lab.has_vip(&lab.lv_ns),
            "FAULT kept the VIP\n{}",
            lab.dump()
        );
        proc = start_fake(&bin);
        lab.expect_vip(
            &lab.lv_ns,
            true,
            10,
            "no preemption after the process came back",
        );
        run(&["ip", "-n", &lab.lv_ns, "link", "set", "trk1", "down"]);
        let took = lab.expect_vip(&lab.ka_ns, true, 5, "no takeover on link down");
        eprintln!(
            "FIGURE track_interface down -> FAULT -> VIP on keepalived: {} ms",
            took.as_millis()
        );
        assert!(took < Duration::from_millis(1500), "{took:?}");
        run(&["ip", "-n", &lab.lv_ns, "link", "set", "trk1", "up"]);
        lab.expect_vip(
            &lab.lv_ns,
            true,
            10,
            "no preemption after the link came back",
        );
        let faults = lines(&lab, "notify.log")
            .iter()
            .filter(|l| **l == format!("{nobody} INSTANCE VI_1 FAULT 150"))
            .count();
        assert_eq!(faults, 2, "{:?}", lines(&lab, "notify.log"));
    }
    drop(proc);
}

/// A child killed (SIGKILL, by its PID) and reaped when dropped, panics included.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        kill(self.0.id() as i32, libc::SIGKILL);
        let _ = self.0.wait();
    }
}

// ---- takeover benchmark (release build; run by tests/bench/vrrp.sh) ----

/// One VRRP speaker in a namespace, for the benchmark: killed by PID when dropped.
struct Speaker {
    main: Reaped,
    /// keepalived's VRRP child, once read.
    child: Option<i32>,
    /// keepalived's VRRP child pid file (the process that sends adverts).
    vrrp_pid: Option<PathBuf>,
}

fn spawn_speaker(lab: &Lab, ns: &str, kind: &'static str, priority: u8, tag: &str) -> Speaker {
    let file = lab.path(&format!("{tag}.conf"));
    fs::write(&file, conf(&Peer::secret(priority, 2))).expect("conf");
    let log = fs::File::create(lab.path(&format!("{tag}.log"))).expect("log");
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns]);
    let vrrp_pid = if kind == "keepalived" {
        let v = lab.path(&format!("{tag}-vrrp.pid"));
        let _ = fs::remove_file(&v);
        cmd.args(["keepalived", "-n", "-l", "-D", "-P", "-R", "-f"])
            .arg(&file)
            .arg("-p")
            .arg(lab.path(&format!("{tag}.pid")))
            .arg("-r")
            .arg(&v);
        Some(v)
    } else {
        cmd.args([env!("CARGO_BIN_EXE_lvsdeck"), "daemon", "-f"])
            .arg(&file)
            // Its own control socket: daemons of tests running side by side do not collide.
            .arg("--control")
            .arg(lab.path(&format!("{tag}.sock")))
            .env("RUST_LOG", "info");
        None
    };
    let child = cmd
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("speaker");
    Speaker {
        main: Reaped(child),
        child: None,
        vrrp_pid,
    }
}

impl Speaker {
    /// The process that sends adverts (keepalived's VRRP child, or lvsdeck itself).
    fn advert_pid(&mut self) -> i32 {
        let Some(p) = &self.vrrp_pid else {
            return self.main.0.id() as i32;
        };
        let pid = self.child.or_else(|| {
            wait_for(Duration::from_secs(5), || {
                fs::read_to_string(p)
                    .ok()
                    .and_then(|s| s.trim().parse::<i32>().ok())
            })
        });
        self.child = pid;
        pid.expect("keepalived VRRP pid")
    }

    /// A crash: SIGKILL to the advertising process (and keepalived's parent at once, before
    /// it can respawn its child). A clean stop: SIGTERM to the main process, as systemd does.
    fn stop(&mut self, sig: i32) {
        if sig == libc::SIGKILL {
            let pid = self.advert_pid();
            kill(pid, libc::SIGKILL);
            kill(self.main.0.id() as i32, libc::SIGKILL);
        } else {
            kill(self.main.0.id() as i32, sig);
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        if let Some(pid) = self.child {
            kill(pid, libc::SIGKILL);
        }
    }
}

/// Receive times of VRRP adverts from `src` in namespace `ns` (raw socket on a thread that
/// entered the namespace), with their priority.
struct Capture {
    seen: std::sync::Arc<std::sync::Mutex<Vec<(Instant, u8)>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    join: Option<std::thread::JoinHandle<()>>,
}

impl Capture {
    fn start(ns: &str, src: std::net::Ipv4Addr) -> Capture {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, st2) = (seen.clone(), stop.clone());
        let nsfile = fs::File::open(format!("/run/netns/{ns}")).expect("netns file");
        let join = std::thread::spawn(move || {
            use std::os::fd::AsRawFd;
            // SAFETY: setns on this thread only, with a namespace fd we hold open.
            let rc = unsafe { libc::setns(nsfile.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(rc, 0, "setns");
            let sock = socket2::Socket::new(
                socket2::Domain::IPV4,
                socket2::Type::RAW,
                Some(socket2::Protocol::from(112)),
            )
            .expect("raw socket");
            let group = std::net::Ipv4Addr::new(224, 0, 0, 18);
            let _ = sock.join_multicast_v4(&group, &std::net::Ipv4Addr::UNSPECIFIED);
            sock.set_read_timeout(Some(Duration::from_millis(50)))
                .expect("timeout");
            let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 1500];
            while !st2.load(Ordering::Relaxed) {
                let Ok(n) = sock.recv(&mut buf) else { continue };
                let t = Instant::now();
                // SAFETY: recv initialised the first n bytes.
                let b: Vec<u8> = buf[..n]
                    .iter()
                    .map(|x| unsafe { x.assume_init() })
                    .collect();
                if n < 24 {
                    continue;
                }
                let ihl = usize::from(b[0] & 0x0f) * 4;
                let from = std::net::Ipv4Addr::new(b[12], b[13], b[14], b[15]);
                if from == src && b.len() > ihl + 2 {
                    s2.lock().expect("lock").push((t, b[ihl + 2]));
                }
            }
        });
        Capture {
            seen,
            stop,
            join: Some(join),
        }
    }

    /// The last advert received at or before `t` (any priority, or priority 0 only).
    fn last_before(&self, t: Instant, zero: bool) -> Option<Instant> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|(at, p)| *at <= t && (!zero || *p == 0))
            .map(|(at, _)| *at)
            .max()
    }

    /// The first priority-0 advert after `t`.
    fn zero_after(&self, t: Instant) -> Option<Instant> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|(at, p)| *at >= t && *p == 0)
            .map(|(at, _)| *at)
            .min()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

fn has_vip_in(ns: &str) -> bool {
    let out = Command::new("ip")
        .args(["-n", ns, "-br", "addr", "show", "dev", "veth0"])
        .output()
        .expect("ip addr");
    String::from_utf8_lossy(&out.stdout).contains(&format!("{VIP}/"))
}

/// Polls every 5 ms; the instant the VIP appeared in `ns`.
fn vip_appears(ns: &str, within: Duration) -> Option<Instant> {
    let t0 = Instant::now();
    while t0.elapsed() < within {
        if has_vip_in(ns) {
            return Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

fn summary(label: &str, mut v: Vec<Duration>, bound: Duration) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let med = v.get(v.len() / 2).copied().unwrap_or_default();
    let max = v.last().copied().unwrap_or_default();
    eprintln!(
        "BENCH {label:<48} n={} median {:>7.1} ms  max {:>7.1} ms  bound {:>6.0} ms {}",
        v.len(),
        ms(med),
        ms(max),
        ms(bound),
        if max <= bound { "ok" } else { "EXCEEDED" }
    );
}

/// Takeover times, old master (150) -> backup (100), v2 at 1 s, N rounds each
/// (`VRRP_BENCH_ROUNDS`, default 5). Measured: event -> VIP seen on the backup (5 ms polls
/// of `ip -br addr`), and from the backup's own receive of the last advert (SIGKILL) or of
/// the priority-0 advert (SIGTERM), captured with a raw socket in the backup's namespace.
#[test]
#[ignore = "benchmark: tests/bench/vrrp.sh"]
fn takeover_bench() {
    let rounds: usize = std::env::var("VRRP_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    // Backup priority 100 at 1 s: Skew_Time 0.609 s, Master_Down_Interval 3.609 s.
    let skew = Duration::from_millis(609);
    let mdi = Duration::from_millis(3609);
    let slack = Duration::from_millis(20);
    let pairs: [(&'static str, &'static str); 3] = [
        ("lvsdeck", "keepalived"),
        ("keepalived", "lvsdeck"),
        ("keepalived", "keepalived"),
    ];
    let lab = Lab::new("z");
    let (old_ns, new_ns) = (lab.lv_ns.clone(), lab.ka_ns.clone());
    let old_src = std::net::Ipv4Addr::new(192, 0, 2, 2);
    for (old_kind, new_kind) in pairs {
        for (event, sig) in [("SIGKILL", libc::SIGKILL), ("SIGTERM", libc::SIGTERM)] {
            let (mut from_event, mut from_advert) = (Vec::new(), Vec::new());
            for round in 0..rounds {
                remove_vip(&old_ns);
                remove_vip(&new_ns);
                let cap = Capture::start(&new_ns, old_src);
                let backup = spawn_speaker(&lab, &new_ns, new_kind, 100, &format!("new{round}"));
                let master = spawn_speaker(&lab, &old_ns, old_kind, 150, &format!("old{round}"));
                let up = vip_appears(&old_ns, Duration::from_secs(10));
                assert!(up.is_some(), "{old_kind} never became master");
                std::thread::sleep(Duration::from_millis(1500));
                assert!(!has_vip_in(&new_ns), "{new_kind} also master");
                let mut master = master;
                let _ = master.advert_pid();
                let t0 = Instant::now();
                master.stop(sig);
                let Some(t1) = vip_appears(&new_ns, Duration::from_secs(8)) else {
                    panic!("{old_kind} -> {new_kind} {event}: no takeover");
                };
                from_event.push(t1 - t0);
                let reference = if sig == libc::SIGKILL {
                    cap.last_before(t0, false)
                } else {
                    cap.zero_after(t0)
                };
                if let Some(r) = reference {
                    from_advert.push(t1.saturating_duration_since(r));
                }
                drop(master);
                drop(backup);
                drop(cap);
                remove_vip(&old_ns);
                remove_vip(&new_ns);
            }
            let label = format!("{old_kind} -> {new_kind} {event}");
            let bound = if sig == libc::SIGKILL { mdi } else { skew } + slack;
            summary(&format!("{label} (from event)"), from_event, bound);
            summary(&format!("{label} (from last advert)"), from_advert, bound);
        }
    }
}

/// A VIP left behind by a killed speaker would fake the next round's takeover.
fn remove_vip(ns: &str) {
    let _ = Command::new("ip")
        .args([
            "-n",
            ns,
            "addr",
            "del",
            &format!("{VIP}/24"),
            "dev",
            "veth0",
        ])
        .stderr(Stdio::null())
        .status();
}

// ---- own interface, nopreempt, TTL (namespaces `vft...`, VRIDs 71-79, VIP 192.0.2.171) ----

const VFT_VIP: &str = "192.0.2.171";

/// keepalived.conf for the `vft` tests: PASS auth, advert_int 1, `extra` inside the instance.
fn vft_conf(vrid: u8, interface: &str, priority: u8, extra: &str) -> String {
    format!(
        "global_defs {{\n    router_id vft\n}}\n\
         vrrp_instance VI_{vrid} {{\n    state BACKUP\n    interface {interface}\n    \
         virtual_router_id {vrid}\n    priority {priority}\n    advert_int 1\n    \
         authentication {{\n        auth_type PASS\n        auth_pass secret\n    }}\n    \
         virtual_ipaddress {{\n        {VFT_VIP}/24\n    }}\n{extra}}}\n"
    )
}

/// Whether `ns` has the VFT VIP on any interface.
fn vft_vip(ns: &str) -> bool {
    let out = Command::new("ip")
        .args(["-n", ns, "-o", "addr", "show"])
        .output()
        .expect("ip addr");
    String::from_utf8_lossy(&out.stdout).contains(&format!("inet {VFT_VIP}/"))
}

/// Polls every 5 ms until `ns` has (or lacks) the VFT VIP; the time it took.
fn until_vft_vip(ns: &str, present: bool, within: Duration) -> Option<Duration> {
    let t0 = Instant::now();
    loop {
        if vft_vip(ns) == present {
            return Some(t0.elapsed());
        }
        if t0.elapsed() > within {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// [`until_vft_vip`] within `secs` seconds, asserted ([`vip_within`]); the time it took.
fn expect_vft_vip(lab: &Lab, ns: &str, present: bool, secs: u64, why: &str) -> Duration {
    let within = Duration::from_secs(secs);
    vip_within(
        until_vft_vip(ns, present, within),
        ns,
        present,
        within,
        why,
        || lab.dump(),
    )
}

/// lvsdeck's side of the lab behind a bridge: veth0 becomes a port of br0, which carries the
/// address, so br0 down takes lvsdeck's own link away while keepalived's veth0 keeps its
/// carrier (a direct veth pair would fault keepalived too).
fn bridge_lvsdeck_side(lab: &Lab) {
    let ns = lab.lv_ns.as_str();
    run(&["ip", "-n", ns, "link", "add", "br0", "type", "bridge"]);
    run(&["ip", "-n", ns, "link", "set", "veth0", "master", "br0"]);
    run(&["ip", "-n", ns, "addr", "flush", "dev", "veth0"]);
    run(&["ip", "-n", ns, "addr", "add", LV_ADDR, "dev", "br0"]);
    run(&["ip", "-n", ns, "link", "set", "br0", "up"]);
    let ready = wait_for(Duration::from_secs(5), || {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "link", "show", "dev", "br0"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .contains("LOWER_UP")
            .then_some(())
    });
    assert!(ready.is_some(), "br0 never got a carrier in {ns}");
}

/// Item of keepalived's TRACK_VRRP: lvsdeck (150, no track_interface) is master; its own
/// interface goes down -> FAULT, VIP removed at once, keepalived (120) takes the VIP; the
/// link comes back -> lvsdeck preempts again.
#[test]
fn own_interface_down_faults_the_master_and_up_preempts_back() {
    let mut lab = Lab::named("vft", "own", VFT_VIP);
    bridge_lvsdeck_side(&lab);
    lab.start_keepalived(&vft_conf(71, "veth0", 120, ""));
    expect_vft_vip(&lab, &lab.ka_ns, true, 10, "");
    lab.start_lvsdeck(&vft_conf(71, "br0", 150, ""));
    expect_vft_vip(&lab, &lab.lv_ns, true, 10, "lvsdeck (150) never preempted");
    expect_vft_vip(&lab, &lab.ka_ns, false, 5, "");
    for round in 0..2 {
        run(&["ip", "-n", &lab.lv_ns, "link", "set", "br0", "down"]);
        let gone = expect_vft_vip(&lab, &lab.lv_ns, false, 3, "FAULT kept the VIP");
        eprintln!(
            "FIGURE own link down -> FAULT, VIP removed (round {round}): {} ms",
            gone.as_millis()
        );
        assert!(gone < Duration::from_millis(1000), "{gone:?}");
        let took = expect_vft_vip(&lab, &lab.ka_ns, true, 6, "keepalived never took over");
        eprintln!(
            "FIGURE own link down -> VIP on keepalived (master down interval): {} ms",
            (gone + took).as_millis()
        );
        let log = lab.log("lvsdeck.log");
        assert!(log.contains("tracked br0 is down"), "{}", lab.dump());
        assert!(log.contains("Master -> Fault"), "{}", lab.dump());
        run(&["ip", "-n", &lab.lv_ns, "link", "set", "br0", "up"]);
        let back = expect_vft_vip(
            &lab,
            &lab.lv_ns,
            true,
            10,
            "no preemption after the link came back",
        );
        eprintln!(
            "FIGURE own link up -> lvsdeck master again: {} ms",
            back.as_millis()
        );
        expect_vft_vip(&lab, &lab.ka_ns, false, 5, "");
        assert!(
            lab.log("lvsdeck.log").contains("Fault -> Backup"),
            "{}",
            lab.dump()
        );
    }
    assert_keepalived_accepted_us(&lab);
}

/// `dont_track_primary`: the own link going down leaves lvsdeck's state alone.
#[test]
fn dont_track_primary_keeps_the_instance_out_of_fault() {
    let mut lab = Lab::named("vft", "dtp", VFT_VIP);
    bridge_lvsdeck_side(&lab);
    lab.start_lvsdeck(&vft_conf(72, "br0", 150, "    dont_track_primary\n"));
    expect_vft_vip(&lab, &lab.lv_ns, true, 10, "");
    run(&["ip", "-n", &lab.lv_ns, "link", "set", "br0", "down"]);
    std::thread::sleep(Duration::from_secs(2));
    assert!(vft_vip(&lab.lv_ns), "{}", lab.dump());
    assert!(
        !lab.log("lvsdeck.log").contains("-> Fault"),
        "{}",
        lab.dump()
    );
}

/// The own link's reaction time, measured alone: lvsdeck as address owner (255, back to
/// master at once when the fault clears), its link toggled ten times; link down -> VIP
/// removed each time.
#[test]
fn own_link_down_reaction_figure() {
    let mut lab = Lab::named("vft", "rx", VFT_VIP);
    bridge_lvsdeck_side(&lab);
    lab.start_lvsdeck(&vft_conf(73, "br0", 255, ""));
    expect_vft_vip(&lab, &lab.lv_ns, true, 10, "");
    let mut took = Vec::new();
    for _ in 0..10 {
        run(&["ip", "-n", &lab.lv_ns, "link", "set", "br0", "down"]);
        took.push(expect_vft_vip(
            &lab,
            &lab.lv_ns,
            false,
            3,
            "FAULT kept the VIP",
        ));
        run(&["ip", "-n", &lab.lv_ns, "link", "set", "br0", "up"]);
        expect_vft_vip(&lab, &lab.lv_ns, true, 5, "the owner did not come back");
    }
    took.sort();
    eprintln!(
        "FIGURE own link down -> VIP removed, 10 rounds: min {} ms, median {} ms, max {} ms",
        took[0].as_millis(),
        took[5].as_millis(),
        took[9].as_millis()
    );
    // Link events, not polling: a few ms (100 ms polling gave a median of 95 ms).
    assert!(took[5] < Duration::from_millis(60), "{took:?}");
    assert!(took[9] < Duration::from_millis(1000), "{took:?}");
}

/// Whether the lab log `log` contains `needle`.
fn has_line(lab: &Lab, log: &str, needle: &str) -> bool {
    lab.log(log).contains(needle)
}

/// lvsdeck with `nopreempt` and the higher priority (150) finds keepalived (100) master: it
/// stays backup while keepalived lives, takes over when keepalived crashes, and keeps the VIP
/// when keepalived comes back.
#[test]
fn lvsdeck_nopreempt_leaves_a_lower_master_alone() {
    let mut lab = Lab::named("vft", "np", VFT_VIP);
    lab.start_keepalived(&vft_conf(74, "veth0", 100, ""));
    expect_vft_vip(&lab, &lab.ka_ns, true, 10, "");
    lab.start_lvsdeck(&vft_conf(74, "veth0", 150, "    nopreempt\n"));
    std::thread::sleep(Duration::from_secs(6));
    assert!(
        !vft_vip(&lab.lv_ns) && vft_vip(&lab.ka_ns),
        "nopreempt lvsdeck took over\n{}",
        lab.dump()
    );
    assert!(
        has_line(&lab, "lvsdeck.log", "Initialize -> Backup"),
        "{}",
        lab.dump()
    );
    assert!(
        !has_line(&lab, "lvsdeck.log", "-> Master"),
        "{}",
        lab.dump()
    );

    lab.crash_keepalived();
    let took = expect_vft_vip(
        &lab,
        &lab.lv_ns,
        true,
        6,
        "no takeover after keepalived died",
    );
    eprintln!(
        "FIGURE nopreempt lvsdeck: keepalived SIGKILL -> VIP on lvsdeck: {} ms",
        took.as_millis()
    );
    assert!(took < Duration::from_millis(4500), "{took:?}");

    lab.start_keepalived(&vft_conf(74, "veth0", 100, ""));
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        vft_vip(&lab.lv_ns) && !vft_vip(&lab.ka_ns),
        "the returning lower keepalived took the VIP\n{}",
        lab.dump()
    );
    let ka = lab.log("keepalived.log");
    let since_restart = ka.rsplit("Starting VRRP child").next().unwrap_or(&ka);
    assert!(
        since_restart.contains("Entering BACKUP STATE")
            && !since_restart.contains("Entering MASTER STATE"),
        "{}",
        lab.dump()
    );
    assert_keepalived_accepted_us(&lab);
}

/// The reverse: keepalived with `nopreempt` (150) finds lvsdeck (100) master and leaves it
/// alone; lvsdeck leaving (SIGTERM, priority 0) hands the VIP over; lvsdeck back stays backup.
#[test]
fn keepalived_nopreempt_leaves_lvsdeck_alone() {
    let mut lab = Lab::named("vft", "nq", VFT_VIP);
    lab.start_lvsdeck(&vft_conf(75, "veth0", 100, ""));
    expect_vft_vip(&lab, &lab.lv_ns, true, 10, "");
    lab.start_keepalived(&vft_conf(75, "veth0", 150, "    nopreempt\n"));
    std::thread::sleep(Duration::from_secs(6));
    assert!(
        vft_vip(&lab.lv_ns) && !vft_vip(&lab.ka_ns),
        "nopreempt keepalived took over\n{}",
        lab.dump()
    );
    assert!(
        has_line(&lab, "keepalived.log", "Entering BACKUP STATE"),
        "{}",
        lab.dump()
    );
    assert!(
        !has_line(&lab, "keepalived.log", "Entering MASTER STATE"),
        "{}",
        lab.dump()
    );

    let t0 = lab.term_lvsdeck();
    let took = wait_for(Duration::from_secs(6), || {
        vft_vip(&lab.ka_ns).then(|| t0.elapsed())
    })
    .unwrap_or_else(|| panic!("no takeover after lvsdeck left\n{}", lab.dump()));
    eprintln!(
        "FIGURE nopreempt keepalived: lvsdeck SIGTERM -> VIP on keepalived: {} ms",
        took.as_millis()
    );
    assert_eq!(lab.wait_lvsdeck_exit(), Some(0), "{}", lab.dump());

    lab.start_lvsdeck(&vft_conf(75, "veth0", 100, ""));
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        vft_vip(&lab.ka_ns) && !vft_vip(&lab.lv_ns),
        "the returning lower lvsdeck took the VIP\n{}",
        lab.dump()
    );
    assert!(
        has_line(&lab, "lvsdeck.log", "Initialize -> Backup"),
        "{}",
        lab.dump()
    );
    assert!(
        !has_line(&lab, "lvsdeck.log", "-> Master"),
        "{}",
        lab.dump()
    );
    assert_keepalived_accepted_us(&lab);
}

/// Rewrites the TTL (IPv4) or hop limit (IPv6) of every VRRP packet leaving `ns` to 64.
fn vrrp_ttl_64(ns: &str, v6: bool) {
    let (fam, rule) = if v6 {
        ("ip6", "ip6 nexthdr vrrp ip6 hoplimit set 64")
    } else {
        ("ip", "ip protocol vrrp ip ttl set 64")
    };
    let script = format!(
        "add table {fam} vft\nadd chain {fam} vft out {{ type filter hook output priority 0; }}\n\
         add rule {fam} vft out {rule}\n"
    );
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .expect("stdin")
                .write_all(script.as_bytes())?;
            c.wait_with_output()
        })
        .expect("nft (Debian package nftables)");
    assert!(
        out.status.success(),
        "nft in {ns}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn vrrp_ttl_restore(ns: &str, v6: bool) {
    run(&[
        "ip",
        "netns",
        "exec",
        ns,
        "nft",
        "delete",
        "table",
        if v6 { "ip6" } else { "ip" },
        "vft",
    ]);
}

/// Adverts with TTL/hop limit 64 are dropped and counted on both sides (RFC 5798 5.1.1.3,
/// multicast only). Phase 1: keepalived's adverts arrive at 64, so lvsdeck (100) ignores
/// the higher master (150) and is master too. Phase 2: only ours arrive at 64, so keepalived
/// (150) ignores lvsdeck (200) and stays master.
fn mismatched_ttl(
    lab: &mut Lab,
    conf: &dyn Fn(u8) -> String,
    v6: bool,
    has: &dyn Fn(&str) -> bool,
) {
    vrrp_ttl_64(&lab.ka_ns, v6);
    lab.start_keepalived(&conf(150));
    assert!(
        wait_for(Duration::from_secs(10), || has(&lab.ka_ns).then_some(())).is_some(),
        "{}",
        lab.dump()
    );
    lab.start_lvsdeck(&conf(100));
    assert!(
        wait_for(Duration::from_secs(10), || has(&lab.lv_ns).then_some(())).is_some(),
        "lvsdeck heeded adverts with TTL 64\n{}",
        lab.dump()
    );
    let ours = "invalid TTL/hop limit 64, expected 255 (4 for this reason";
    assert!(
        wait_for(Duration::from_secs(8), || lab
            .log("lvsdeck.log")
            .contains(ours)
            .then_some(()))
        .is_some(),
        "no counted TTL drop in lvsdeck's log\n{}",
        lab.dump()
    );
    assert!(has(&lab.ka_ns), "keepalived left master\n{}", lab.dump());

    lab.stop_lvsdeck_and_wait();
    vrrp_ttl_restore(&lab.ka_ns, v6);
    vrrp_ttl_64(&lab.lv_ns, v6);
    lab.start_lvsdeck(&conf(200));
    let theirs = "invalid TTL/HL. Received 64 and expect 255";
    assert!(
        wait_for(Duration::from_secs(10), || lab
            .log("keepalived.log")
            .contains(theirs)
            .then_some(()))
        .is_some(),
        "keepalived did not complain about our TTL\n{}",
        lab.dump()
    );
    assert!(
        wait_for(Duration::from_secs(10), || has(&lab.lv_ns).then_some(())).is_some(),
        "{}",
        lab.dump()
    );
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        has(&lab.ka_ns) && has(&lab.lv_ns),
        "keepalived heeded our adverts with TTL 64 (or we left master)\n{}",
        lab.dump()
    );
}

#[test]
fn mismatched_ttl_is_dropped_and_counted_on_both_sides() {
    let mut lab = Lab::named("vft", "ttl", VFT_VIP);
    mismatched_ttl(&mut lab, &|p| vft_conf(76, "veth0", p, ""), false, &vft_vip);
}

const VFT_VIP6: &str = "2001:db8::171";

#[test]
fn mismatched_hop_limit_is_dropped_and_counted_on_both_sides() {
    let mut lab = Lab::named_v6("vft", "hl", VFT_VIP6);
    let conf = |p: u8| {
        format!(
            "global_defs {{\n    router_id vft6\n}}\n\
             vrrp_instance VI_77 {{\n    state BACKUP\n    interface veth0\n    \
             virtual_router_id 77\n    version 3\n    priority {p}\n    advert_int 1\n    \
             virtual_ipaddress {{\n        {VFT_VIP6}\n    }}\n}}\n"
        )
    };
    let has = |ns: &str| {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "addr", "show", "dev", "veth0"])
            .output()
            .expect("ip addr");
        String::from_utf8_lossy(&out.stdout).contains(&format!("inet6 {VFT_VIP6}/"))
    };
    mismatched_ttl(&mut lab, &conf, true, &has);
}
