//! The vmac lab: a client namespace `syc…` holding a bridge `sytbr` (198.18.0.3/24) that
//! joins keepalived's namespace `syk…` (198.18.0.1 on `sytk`) and lvsdeck's `syl…`
//! (198.18.0.2 on `sytl`): one Ethernet segment with a third host to see which MAC answers
//! for the VIP. Everything removed on drop.

#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

use super::vrrp_lab::{run, wait_for, wait_oper_up, Speakers};

pub const VIP: &str = "198.18.0.100";
pub const VRID: u8 = 64;
pub const VMAC: &str = "00:00:5e:00:01:40";

/// The client's namespace, keepalived's and lvsdeck's with their processes ([`Speakers`],
/// which it derefs to).
pub struct VmacLab {
    pub client: String,
    pub speakers: Speakers,
}

impl std::ops::Deref for VmacLab {
    type Target = Speakers;
    fn deref(&self) -> &Speakers {
        &self.speakers
    }
}

impl std::ops::DerefMut for VmacLab {
    fn deref_mut(&mut self) -> &mut Speakers {
        &mut self.speakers
    }
}

pub fn out(args: &[&str]) -> String {
    let o = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    String::from_utf8_lossy(&o.stdout).to_string()
}

impl VmacLab {
    pub fn new() -> VmacLab {
        let id = std::process::id();
        let lab = VmacLab {
            client: format!("syc{id}"),
            speakers: Speakers::new(
                format!("sykv{id}"),
                format!("sylv{id}"),
                std::env::temp_dir().join(format!("lvsdeck-vmac-{id}")),
            ),
        };
        for ns in [&lab.client, &lab.ka_ns, &lab.lv_ns] {
            run(&["ip", "netns", "add", ns]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        let c = &lab.client;
        run(&["ip", "-n", c, "link", "add", "sytbr", "type", "bridge"]);
        run(&[
            "ip",
            "-n",
            c,
            "addr",
            "add",
            "198.18.0.3/24",
            "dev",
            "sytbr",
        ]);
        run(&["ip", "-n", c, "link", "set", "sytbr", "up"]);
        for (ns, dev, port, addr) in [
            (&lab.ka_ns, "sytk", "sytkb", "198.18.0.1/24"),
            (&lab.lv_ns, "sytl", "sytlb", "198.18.0.2/24"),
        ] {
            run(&[
                "ip", "-n", c, "link", "add", port, "type", "veth", "peer", "name", dev, "netns",
                ns,
            ]);
            run(&["ip", "-n", c, "link", "set", port, "master", "sytbr"]);
            run(&["ip", "-n", c, "link", "set", port, "up"]);
            run(&["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        for (ns, dev) in [(&lab.ka_ns, "sytk"), (&lab.lv_ns, "sytl")] {
            wait_oper_up(ns, dev);
        }
        lab
    }

    pub fn start_lvsdeck(&mut self, conf: &str) {
        self.start_lvsdeck_logging(conf, "info");
    }

    /// Signals lvsdeck and waits (bounded) for it to end; its exit code.
    pub fn stop_lvsdeck(&mut self, sig: i32) -> Option<i32> {
        self.stop_lvsdeck_with(sig)
    }

    /// Does `dev` in `ns` hold the VIP?
    pub fn has_vip(&self, ns: &str, dev: &str) -> bool {
        out(&["ip", "-n", ns, "-o", "addr", "show", "dev", dev]).contains(&format!("inet {VIP}/"))
    }

    pub fn until(&self, within: Duration, f: impl Fn(&VmacLab) -> bool) -> Option<Duration> {
        let t0 = Instant::now();
        wait_for(within, || f(self).then(|| t0.elapsed()))
    }

    /// [`VmacLab::until`] within `secs` seconds, asserted: the time it took, or a panic with
    /// `why` and the logs.
    pub fn expect(&self, secs: u64, why: &str, f: impl Fn(&VmacLab) -> bool) -> Duration {
        self.until(Duration::from_secs(secs), f)
            .unwrap_or_else(|| panic!("{why}\n{}", self.dump()))
    }

    /// lvsdeck holds the VIP on its vmac `vrrp.64`, and keepalived no longer on `sytk`.
    pub fn vip_on_lvsdeck_vmac(&self) -> bool {
        self.has_vip(&self.lv_ns, "vrrp.64") && !self.has_vip(&self.ka_ns, "sytk")
    }

    /// `ip -d link show` of the vmac in lvsdeck's namespace ("" when absent).
    pub fn vmac_link(&self) -> String {
        out(&[
            "ip",
            "-n",
            &self.lv_ns,
            "-d",
            "link",
            "show",
            &format!("vrrp.{VRID}"),
        ])
    }

    /// The client opens a TCP connection to port 9 of the VIP (no `ping` needed): "refused"
    /// means the VIP answered. Then the MAC the client's neighbour table holds for the VIP.
    pub fn client_sees(&self) -> (bool, Option<String>) {
        let o = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.client,
                "timeout",
                "3",
                "bash",
                "-c",
                &format!("</dev/tcp/{VIP}/9"),
            ])
            .output()
            .expect("bash /dev/tcp");
        let answered = String::from_utf8_lossy(&o.stderr).contains("Connection refused");
        let n = out(&["ip", "-n", &self.client, "neigh", "show", VIP]);
        let mut words = n.split_whitespace();
        let mac = words
            .find(|w| *w == "lladdr")
            .and_then(|_| words.next())
            .map(str::to_string);
        (answered, mac)
    }

    pub fn flush_client_neigh(&self) {
        let _ = Command::new("ip")
            .args(["-n", &self.client, "neigh", "flush", "dev", "sytbr"])
            .status();
    }
}

impl Drop for VmacLab {
    fn drop(&mut self) {
        self.speakers.reap();
        for ns in [&self.client, &self.ka_ns, &self.lv_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// One instance on `dev`, VRID 64, the VIP, with `extra` inside.
pub fn conf(dev: &str, priority: u8, extra: &str) -> String {
    format!(
        "global_defs {{\n    router_id vmac\n}}\n\
         vrrp_instance VI_V {{\n    state BACKUP\n    interface {dev}\n    \
         virtual_router_id {VRID}\n    priority {priority}\n    advert_int 1\n    \
         virtual_ipaddress {{\n        {VIP}/24\n    }}\n{extra}}}\n"
    )
}
