//! Sync groups and `state MASTER` against keepalived 2.2.7, in namespaces the test creates
//! (198.51.100.0/24 and 203.0.113.0/24 on two veth pairs). Needs root, `ip`, `keepalived`.
//! Prints each measured takeover (10 ms polls of `ip addr`).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

#[path = "support/sync_lab.rs"]
mod sync_lab;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use sync_lab::*;
use vrrp_lab::wait_for;

/// A root-owned notify script (0755, in a root-owned 0755 directory: it passes
/// enable_script_security, run as `script_user root`) appending its arguments to notify.log.
fn notify_script(lab: &SyncLab) -> String {
    let p = lab.path("notify.sh");
    fs::write(
        &p,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\n",
            lab.path("notify.log").display()
        ),
    )
    .expect("script");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(&lab.dir, fs::Permissions::from_mode(0o755)).expect("chmod dir");
    p.display().to_string()
}

fn notify_lines(lab: &SyncLab) -> Vec<String> {
    lab.log("notify.log").lines().map(str::to_string).collect()
}

fn wait_notify(lab: &SyncLab, want: &str, within: Duration) -> bool {
    wait_for(within, || {
        notify_lines(lab).iter().any(|l| l == want).then_some(())
    })
    .is_some()
}

/// keepalived (100, its own sync group) and lvsdeck (150, sync group with notify, VI_A
/// tracking the uplink dummy). lvsdeck takes both VIPs; the uplink goes down: VI_A faults,
/// VI_B follows through the group, keepalived takes both VIPs; the uplink comes back:
/// lvsdeck preempts both together. The group's notify gets keepalived's `GROUP G STATE 0`.
#[test]
fn sync_group_faults_and_recovers_together_against_keepalived() {
    let mut lab = SyncLab::new("f");
    let script = notify_script(&lab);
    lab.start_keepalived(&conf("", 100, "", |_| String::new()));
    lab.expect_both(
        &lab.ka_ns,
        true,
        10,
        "keepalived never became master of both",
    );

    let t0 = Instant::now();
    let base = || {
        conf(
            "    enable_script_security\n    script_user root\n",
            150,
            &format!("    notify \"{script}\"\n"),
            |k| {
                if k == 0 {
                    format!("    track_interface {{\n        {UPLINK}\n    }}\n")
                } else {
                    String::new()
                }
            },
        )
    };
    let lv = |prio_b: u8| {
        // VI_B's priority is the second one in the file.
        let s = base();
        let Some((i, _)) = s.match_indices("priority 150").nth(1) else {
            panic!("{s}")
        };
        format!(
            "{}priority {prio_b}{}",
            &s[..i],
            &s[i + "priority 150".len()..]
        )
    };
    lab.start_lvsdeck(&lv(150));
    let both = lab.until_both(&lab.lv_ns, true, Duration::from_secs(10));
    let gone = lab.until_both(&lab.ka_ns, false, Duration::from_secs(3));
    assert!(
        both.is_some() && gone.is_some(),
        "lvsdeck did not take both VIPs\n{}",
        lab.dump()
    );
    eprintln!(
        "FIGURE sync group start (150 over keepalived 100) -> both VIPs on lvsdeck: {} ms",
        t0.elapsed().as_millis()
    );
    assert!(
        wait_notify(&lab, "GROUP G MASTER 0", Duration::from_secs(3)),
        "{}",
        lab.dump()
    );

    // The uplink goes: VI_A faults on its own, VI_B because of the group; both send
    // priority 0, so keepalived takes both after its Skew_Time.
    lab.set_uplink(false);
    let took = lab.expect_both(&lab.ka_ns, true, 10, "keepalived did not take both");
    lab.expect_both(&lab.lv_ns, false, 2, "");
    eprintln!(
        "FIGURE uplink down on lvsdeck (VI_A only tracks it) -> both VIPs on keepalived: {} ms",
        took.as_millis()
    );
    assert!(
        took < Duration::from_millis(2000),
        "priority 0 should hand over within Skew_Time: {took:?}"
    );
    let log = lab.log("lvsdeck.log");
    assert!(
        log.contains("VRRP_Instance(VI_A) Master -> Fault (Fault)")
            && log.contains("VRRP_Instance(VI_B) Master -> Fault (SyncGroup)")
            && log.contains("VRRP_Group(G) Syncing instances to FAULT state"),
        "{}",
        lab.dump()
    );
    assert!(
        wait_notify(&lab, "GROUP G FAULT 0", Duration::from_secs(3)),
        "{}",
        lab.dump()
    );
    // keepalived heard priority 0 on both VRIDs.
    let ka = lab.log("keepalived.log");
    assert!(
        ka.matches("Entering MASTER STATE").count() >= 4,
        "keepalived should have become master twice per VRID\n{}",
        lab.dump()
    );
    // While faulted, lvsdeck stays out for good measure (well over Master_Down_Interval).
    std::thread::sleep(Duration::from_secs(4));
    assert!(!lab.has_vip(&lab.lv_ns, 0) && !lab.has_vip(&lab.lv_ns, 1));

    // The uplink is back: both leave FAULT as BACKUP and preempt keepalived together.
    lab.set_uplink(true);
    let back = lab.expect_both(&lab.lv_ns, true, 10, "lvsdeck did not take both back");
    lab.expect_both(&lab.ka_ns, false, 3, "");
    eprintln!(
        "FIGURE uplink back -> both VIPs on lvsdeck (preempt): {} ms",
        back.as_millis()
    );
    // The link poll (100 ms) plus Master_Down_Interval at 150 (3.41 s).
    assert!(
        back >= Duration::from_millis(3000) && back <= Duration::from_millis(5000),
        "{back:?}"
    );
    let log = lab.log("lvsdeck.log");
    assert!(
        log.contains("VRRP_Instance(VI_B) Fault -> Backup (SyncGroup)"),
        "{}",
        lab.dump()
    );
    assert!(
        wait_notify(&lab, "GROUP G BACKUP 0", Duration::from_secs(1)),
        "{}",
        lab.dump()
    );

    // SIGHUP with the same file: the group keeps running, mastership included.
    lab.reload_lvsdeck(&lv(150));
    assert!(
        wait_for(Duration::from_secs(3), || lab
            .log("lvsdeck.log")
            .contains("2 kept, 0 started, 0 stopped")
            .then_some(()))
        .is_some(),
        "{}",
        lab.dump()
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert!(lab.has_vip(&lab.lv_ns, 0) && lab.has_vip(&lab.lv_ns, 1));
    assert!(!lab.has_vip(&lab.ka_ns, 0) && !lab.has_vip(&lab.ka_ns, 1));

    // SIGHUP with VI_B changed: VI_A is unchanged but restarts with it (the group restarts
    // whole), and the new group takes both VIPs back from keepalived.
    lab.reload_lvsdeck(&lv(140));
    assert!(
        wait_for(Duration::from_secs(10), || lab
            .log("lvsdeck.log")
            .contains("0 kept, 2 started, 2 stopped")
            .then_some(()))
        .is_some(),
        "{}",
        lab.dump()
    );
    let back = lab.until_both(&lab.lv_ns, true, Duration::from_secs(10));
    assert!(back.is_some(), "{}", lab.dump());
    eprintln!(
        "FIGURE reload with a changed member -> both VIPs on lvsdeck again: {} ms",
        back.map_or(0, |d| d.as_millis())
    );

    assert_eq!(lab.stop_lvsdeck(), Some(0), "{}", lab.dump());
    assert!(
        wait_notify(&lab, "GROUP G STOP 0", Duration::from_secs(3)),
        "{}",
        lab.dump()
    );
    let seq: Vec<String> = notify_lines(&lab)
        .into_iter()
        .filter(|l| l.starts_with("GROUP "))
        .collect();
    eprintln!("group notify sequence: {seq:?}");
    assert_eq!(
        seq,
        [
            "GROUP G BACKUP 0",
            "GROUP G MASTER 0",
            "GROUP G FAULT 0",
            "GROUP G BACKUP 0",
            "GROUP G MASTER 0",
            "GROUP G STOP 0",
            "GROUP G BACKUP 0",
            "GROUP G MASTER 0",
            "GROUP G STOP 0"
        ],
        "{}",
        lab.dump()
    );
}

/// keepalived (no group) outranks lvsdeck on VRID 61 only: lvsdeck's VI_A goes BACKUP and
/// VI_B follows although nothing outranks it on VRID 62, so keepalived ends with both.
#[test]
fn higher_priority_on_one_vrid_moves_the_whole_group_against_keepalived() {
    let mut lab = SyncLab::new("h");
    lab.start_lvsdeck(&conf("", 150, "", |_| String::new()));
    lab.expect_both(&lab.lv_ns, true, 10, "");
    // keepalived: VRID 61 at 200, VRID 62 at 100, not grouped (a keepalived group would hold
    // its VRID 61 in BACKUP as long as its VRID 62 accepts our 150: it prefers BACKUP too).
    let ka = conf("", 100, "", |_| String::new())
        .replacen("priority 100", "priority 200", 1)
        .replace(
            "vrrp_sync_group G {\n    group {\n        VI_A\n        VI_B\n    }\n}\n",
            "",
        );
    assert!(!ka.contains("vrrp_sync_group"), "{ka}");
    lab.start_keepalived(&ka);
    let took = lab.expect_both(&lab.ka_ns, true, 15, "keepalived did not take both");
    lab.expect_both(&lab.lv_ns, false, 3, "");
    eprintln!(
        "FIGURE keepalived (200 on VRID 61 only) start -> both VIPs on keepalived: {} ms",
        took.as_millis()
    );
    let log = lab.log("lvsdeck.log");
    assert!(
        log.contains("VRRP_Instance(VI_A) Master -> Backup (HigherPriority)")
            && log.contains("VRRP_Instance(VI_B) Master -> Backup (SyncGroup)"),
        "{}",
        lab.dump()
    );
    // It stays that way: lvsdeck's VI_B would preempt VRID 62 alone, the group holds it.
    std::thread::sleep(Duration::from_secs(6));
    assert!(!lab.has_vip(&lab.lv_ns, 1), "{}", lab.dump());
    assert!(lab.has_vip(&lab.ka_ns, 0) && lab.has_vip(&lab.ka_ns, 1));
}

/// `state MASTER` (priority 100, not the owner): alone on the link it is master after one
/// advert interval, not Master_Down_Interval; with keepalived master at 150 it stays backup.
#[test]
fn state_master_takes_over_after_one_interval_unless_a_better_master_speaks() {
    let mut lab = SyncLab::new("m");
    let one = |state: &str, prio: u8| {
        format!(
            "vrrp_instance VI_M {{\n    state {state}\n    interface sya\n    \
             virtual_router_id 63\n    priority {prio}\n    advert_int 1\n    \
             virtual_ipaddress {{\n        198.51.100.101/24\n    }}\n}}\n"
        )
    };
    let t0 = Instant::now();
    lab.start_lvsdeck(&one("MASTER", 100));
    let took = wait_for(Duration::from_secs(10), || {
        lab.has_vip(&lab.lv_ns, 0).then(|| t0.elapsed())
    });
    let took = took.unwrap_or_else(|| panic!("never master\n{}", lab.dump()));
    eprintln!(
        "FIGURE state MASTER (priority 100) alone -> VIP: {} ms (BACKUP would wait 3609 ms)",
        took.as_millis()
    );
    assert!(took < Duration::from_millis(2500), "{took:?}");
    // The VIPs go on before the transition is logged: give the line a moment.
    assert!(
        wait_for(Duration::from_secs(2), || lab
            .log("lvsdeck.log")
            .contains("Backup -> Master (InitialMaster)")
            .then_some(()))
        .is_some(),
        "{}",
        lab.dump()
    );
    lab.stop_lvsdeck();

    lab.start_keepalived(&one("BACKUP", 150));
    assert!(
        wait_for(Duration::from_secs(10), || lab
            .has_vip(&lab.ka_ns, 0)
            .then_some(()))
        .is_some(),
        "{}",
        lab.dump()
    );
    lab.start_lvsdeck(&one("MASTER", 100));
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        !lab.has_vip(&lab.lv_ns, 0) && lab.has_vip(&lab.ka_ns, 0),
        "state MASTER must yield to a better master heard within its first interval\n{}",
        lab.dump()
    );
}
