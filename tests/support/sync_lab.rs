//! The sync-group lab: namespaces `syk…` (keepalived) and `syl…` (lvsdeck) joined by two
//! veth pairs, `sya` on 198.51.100.0/24 and `syb` on 203.0.113.0/24, and a veth `sytup` in
//! lvsdeck's namespace that stands for an uplink it tracks (its far end is pulled). Everything removed on drop.

#![allow(dead_code)]

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use super::vrrp_lab::{kill, run, vip_within, wait_for, wait_oper_up, Speakers};

/// (interface, keepalived's address, lvsdeck's address, VIP, VRID) per link.
pub const LINKS: [(&str, &str, &str, &str, u8); 2] = [
    (
        "sya",
        "198.51.100.1/24",
        "198.51.100.2/24",
        "198.51.100.101",
        61,
    ),
    (
        "syb",
        "203.0.113.1/24",
        "203.0.113.2/24",
        "203.0.113.101",
        62,
    ),
];
pub const UPLINK: &str = "sytup";
const UPLINK_FAR: &str = "sytupf";

/// The namespaces and processes ([`Speakers`], which it derefs to) and the links between.
pub struct SyncLab {
    pub speakers: Speakers,
}

impl std::ops::Deref for SyncLab {
    type Target = Speakers;
    fn deref(&self) -> &Speakers {
        &self.speakers
    }
}

impl std::ops::DerefMut for SyncLab {
    fn deref_mut(&mut self) -> &mut Speakers {
        &mut self.speakers
    }
}

impl SyncLab {
    pub fn new(tag: &str) -> SyncLab {
        assert!(
            Command::new("keepalived").arg("--version").output().is_ok(),
            "keepalived 2.2.7 must be installed"
        );
        let id = std::process::id();
        let lab = SyncLab {
            speakers: Speakers::new(
                format!("syk{tag}{id}"),
                format!("syl{tag}{id}"),
                std::env::temp_dir().join(format!("lvsdeck-sync-{tag}-{id}")),
            ),
        };
        run(&["ip", "netns", "add", &lab.ka_ns]);
        run(&["ip", "netns", "add", &lab.lv_ns]);
        for (dev, ka, lv, _, _) in LINKS {
            run(&[
                "ip", "link", "add", dev, "netns", &lab.ka_ns, "type", "veth", "peer", "name", dev,
                "netns", &lab.lv_ns,
            ]);
            for (ns, addr) in [(&lab.ka_ns, ka), (&lab.lv_ns, lv)] {
                run(&["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
                run(&["ip", "-n", ns, "link", "set", dev, "up"]);
            }
        }
        for ns in [&lab.ka_ns, &lab.lv_ns] {
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        // The kernel may lack `dummy`: a veth pair whose far end is pulled instead.
        run(&[
            "ip", "-n", &lab.lv_ns, "link", "add", UPLINK, "type", "veth", "peer", "name",
            UPLINK_FAR,
        ]);
        for dev in [UPLINK, UPLINK_FAR] {
            run(&["ip", "-n", &lab.lv_ns, "link", "set", dev, "up"]);
        }
        for (dev, ..) in LINKS {
            for ns in [&lab.ka_ns, &lab.lv_ns] {
                wait_oper_up(ns, dev);
            }
        }
        wait_oper_up(&lab.lv_ns, UPLINK);
        lab
    }

    pub fn start_lvsdeck(&mut self, conf: &str) {
        self.start_lvsdeck_logging(conf, "info,lvsdeck::engine::vrrp::sync=debug");
    }

    /// Rewrites lvsdeck's configuration and sends SIGHUP.
    pub fn reload_lvsdeck(&self, conf: &str) {
        fs::write(self.path("lvsdeck.conf"), conf).expect("write conf");
        let c = self.lvsdeck.as_ref().expect("lvsdeck running");
        kill(c.id() as i32, libc::SIGHUP);
    }

    /// SIGKILL to lvsdeck (a crash: no priority 0, VIPs left behind, removed here).
    pub fn crash_lvsdeck(&mut self) -> Instant {
        if let Some(mut c) = self.lvsdeck.take() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
        Instant::now()
    }

    /// SIGTERM to lvsdeck and wait (bounded) for it to exit; its exit code.
    pub fn stop_lvsdeck(&mut self) -> Option<i32> {
        self.stop_lvsdeck_with(libc::SIGTERM)
    }

    pub fn set_uplink(&self, up: bool) {
        run(&[
            "ip",
            "-n",
            &self.lv_ns,
            "link",
            "set",
            UPLINK_FAR,
            if up { "up" } else { "down" },
        ]);
    }

    /// Does `ns` hold the VIP of link `k`?
    pub fn has_vip(&self, ns: &str, k: usize) -> bool {
        let (dev, _, _, vip, _) = LINKS[k];
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "addr", "show", "dev", dev])
            .output()
            .expect("ip addr");
        String::from_utf8_lossy(&out.stdout).contains(&format!("inet {vip}/"))
    }

    /// Polls every 10 ms until `ns` holds both VIPs (or neither); the time it took.
    pub fn until_both(&self, ns: &str, present: bool, within: Duration) -> Option<Duration> {
        let t0 = Instant::now();
        wait_for(within, || {
            (self.has_vip(ns, 0) == present && self.has_vip(ns, 1) == present).then(|| t0.elapsed())
        })
    }

    /// [`SyncLab::until_both`] within `secs` seconds, asserted ([`vip_within`]); the time it
    /// took.
    pub fn expect_both(&self, ns: &str, present: bool, secs: u64, why: &str) -> Duration {
        let within = Duration::from_secs(secs);
        let took = self.until_both(ns, present, within);
        vip_within(took, ns, present, within, why, || self.dump())
    }

    pub fn dump(&self) -> String {
        format!(
            "{}\n--- notify ---\n{}",
            self.speakers.dump(),
            self.log("notify.log")
        )
    }
}

impl Drop for SyncLab {
    fn drop(&mut self) {
        self.speakers.reap();
        for ns in [&self.ka_ns, &self.lv_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// Two instances on the two links, in a sync group `G` with `group_extra` inside it, each
/// instance with `inst_extra(k)` inside.
pub fn conf(
    top: &str,
    priority: u8,
    group_extra: &str,
    inst_extra: impl Fn(usize) -> String,
) -> String {
    let mut s = format!("global_defs {{\n    router_id sync\n{top}}}\n");
    s.push_str(&format!(
        "vrrp_sync_group G {{\n    group {{\n        VI_A\n        VI_B\n    }}\n{group_extra}}}\n"
    ));
    for (k, (dev, _, _, vip, vrid)) in LINKS.iter().enumerate() {
        let name = if k == 0 { "VI_A" } else { "VI_B" };
        s.push_str(&format!(
            "vrrp_instance {name} {{\n    state BACKUP\n    interface {dev}\n    \
             virtual_router_id {vrid}\n    priority {priority}\n    advert_int 1\n    \
             virtual_ipaddress {{\n        {vip}/24\n    }}\n{}}}\n",
            inst_extra(k)
        ));
    }
    s
}
