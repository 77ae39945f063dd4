//! `lvsdeck daemon --dont-release-vrrp` (keepalived's -V) against keepalived 2.2.7 in two
//! network namespaces the test creates (192.0.2.0/24): on SIGTERM lvsdeck, master, sends no
//! priority-0 advert and leaves its VIP, so keepalived (backup) takes over only when the
//! master-down timer runs out (~3.6 s), not at once. Needs root, `ip` and `keepalived`.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/vrrp_lab.rs"]
mod vrrp_lab;

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

use vrrp_lab::*;

#[test]
fn dont_release_vrrp_leaves_the_vip_and_sends_no_priority_zero() {
    let peer = |priority| conf(&Peer::secret(priority, 2));
    let mut lab = Lab::new("rv");
    lab.start_keepalived(&peer(100));
    let c = lab.path("lvsdeck.conf");
    fs::write(&c, peer(200)).expect("write conf");
    let log = fs::File::create(lab.path("lvsdeck.log")).expect("log");
    let child = Command::new("ip")
        .args(["netns", "exec", &lab.lv_ns, env!("CARGO_BIN_EXE_lvsdeck")])
        .args(["daemon", "--dont-release-vrrp", "-f"])
        .arg(&c)
        // Its own control socket: other tests' daemons may run on this host at once.
        .arg("--control")
        .arg(lab.path("control.sock"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("lvsdeck daemon");
    lab.lvsdeck = Some(child);
    lab.expect_vip(&lab.lv_ns, true, 10, "lvsdeck never became master");
    // Let keepalived settle as backup, hearing lvsdeck's adverts.
    std::thread::sleep(Duration::from_secs(2));
    assert!(!lab.has_vip(&lab.ka_ns), "{}", lab.dump());

    let t0 = lab.term_lvsdeck();
    assert_eq!(lab.wait_lvsdeck_exit(), Some(0), "{}", lab.dump());
    assert!(
        lab.has_vip(&lab.lv_ns),
        "the VIP was removed on exit\n{}",
        lab.dump()
    );
    assert!(
        lab.log("lvsdeck.log").contains("--dont-release-vrrp"),
        "{}",
        lab.dump()
    );
    let took = wait_for(Duration::from_secs(10), || {
        lab.has_vip(&lab.ka_ns).then(|| t0.elapsed())
    })
    .unwrap_or_else(|| panic!("keepalived never took over\n{}", lab.dump()));
    eprintln!(
        "FIGURE --dont-release-vrrp: SIGTERM -> VIP on keepalived after {} ms (master-down timer)",
        took.as_millis()
    );
    // A priority-0 advert would hand over within ~0.6 s (skew time); without it keepalived
    // waits Master_Down_Interval = 3 x 1 s + (256 - 100)/256 s, minus the last advert's age.
    assert!(
        took >= Duration::from_millis(2400),
        "{took:?}\n{}",
        lab.dump()
    );
    assert!(
        lab.log("lvsdeck.log")
            .lines()
            .all(|l| !l.contains("priority 0")),
        "{}",
        lab.dump()
    );
}
