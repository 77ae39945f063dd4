//! lvsdeck's VRRP engine against keepalived 2.2.7 over a veth pair between two network
//! namespaces the test creates (192.0.2.0/24 only). Needs root, `ip` and `keepalived`.
//! Prints each measured takeover (kill or priority 0 -> VIP on the other side, 10 ms polls).

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VIP: &str = "192.0.2.100";
const KA_ADDR: &str = "192.0.2.1/24";
const LV_ADDR: &str = "192.0.2.2/24";

/// Two namespaces, their veth pair, and the processes started in them; all removed on drop.
struct Lab {
    ka_ns: String,
    lv_ns: String,
    dir: PathBuf,
    keepalived: Option<Child>,
    lvsdeck: Option<Child>,
}

fn run(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kill(pid: i32, sig: i32) {
    // SAFETY: kill(2) on a PID this test started.
    unsafe { libc::kill(pid, sig) };
}

impl Lab {
    fn new(tag: &str) -> Lab {
        assert!(
            Command::new("keepalived").arg("--version").output().is_ok(),
            "keepalived 2.2.7 must be installed"
        );
        let id = std::process::id();
        let lab = Lab {
            ka_ns: format!("lvk{tag}{id}"),
            lv_ns: format!("lvl{tag}{id}"),
            dir: std::env::temp_dir().join(format!("lvsdeck-interop-{tag}-{id}")),
            keepalived: None,
            lvsdeck: None,
        };
        let _ = fs::remove_dir_all(&lab.dir);
        fs::create_dir_all(&lab.dir).expect("temp dir");
        run(&["ip", "netns", "add", &lab.ka_ns]);
        run(&["ip", "netns", "add", &lab.lv_ns]);
        run(&[
            "ip", "link", "add", "veth0", "netns", &lab.ka_ns, "type", "veth", "peer", "name",
            "veth0", "netns", &lab.lv_ns,
        ]);
        for (ns, addr) in [(&lab.ka_ns, KA_ADDR), (&lab.lv_ns, LV_ADDR)] {
            run(&["ip", "-n", ns, "addr", "add", addr, "dev", "veth0"]);
            run(&["ip", "-n", ns, "link", "set", "veth0", "up"]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        lab
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn start_keepalived(&mut self, conf: &str) {
        self.stop_keepalived();
        let c = self.path("keepalived.conf");
        fs::write(&c, conf).expect("write conf");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("keepalived.log"))
            .expect("log");
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ka_ns,
                "keepalived",
                "-n",
                "-l",
                "-D",
                "-P",
                "-R",
            ])
            .arg("-f")
            .arg(&c)
            .arg("-p")
            .arg(self.path("ka.pid"))
            .arg("-r")
            .arg(self.path("ka-vrrp.pid"))
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("keepalived");
        self.keepalived = Some(child);
    }

    /// The VRRP child's PID, from its pid file (it appears shortly after start).
    fn keepalived_vrrp_pid(&self) -> i32 {
        let p = self.path("ka-vrrp.pid");
        let found = wait_for(Duration::from_secs(5), || {
            fs::read_to_string(&p)
                .ok()
                .and_then(|s| s.trim().parse::<i32>().ok())
        });
        found.expect("keepalived VRRP pid file")
    }

    /// SIGKILL to keepalived's VRRP process (a crash: no priority 0), then its parent.
    fn crash_keepalived(&mut self) -> Instant {
        let vrrp = self.keepalived_vrrp_pid();
        kill(vrrp, libc::SIGKILL);
        let t0 = Instant::now();
        self.stop_keepalived();
        let _ = fs::remove_file(self.path("ka-vrrp.pid"));
        t0
    }

    fn stop_keepalived(&mut self) {
        if let Some(mut c) = self.keepalived.take() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
    }

    fn start_lvsdeck(&mut self, conf: &str) {
        let c = self.path("lvsdeck.conf");
        fs::write(&c, conf).expect("write conf");
        let log = fs::File::create(self.path("lvsdeck.log")).expect("log");
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.lv_ns,
                env!("CARGO_BIN_EXE_lvsdeck"),
                "daemon",
                "-f",
            ])
            .arg(&c)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("lvsdeck daemon");
        self.lvsdeck = Some(child);
    }

    /// SIGTERM to lvsdeck; returns when it was sent.
    fn term_lvsdeck(&mut self) -> Instant {
        let c = self.lvsdeck.as_ref().expect("lvsdeck running");
        kill(c.id() as i32, libc::SIGTERM);
        Instant::now()
    }

    fn wait_lvsdeck_exit(&mut self) -> Option<i32> {
        let mut c = self.lvsdeck.take()?;
        let status = wait_for(Duration::from_secs(10), || c.try_wait().ok().flatten());
        if status.is_none() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
        status.and_then(|s| s.code())
    }

    fn has_vip(&self, ns: &str) -> bool {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "addr", "show", "dev", "veth0"])
            .output()
            .expect("ip addr");
        String::from_utf8_lossy(&out.stdout).contains(&format!("inet {VIP}/"))
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Polls every 10 ms until `ns` has (or lacks) the VIP; the time it took.
    fn until_vip(&self, ns: &str, present: bool, within: Duration) -> Option<Duration> {
        let t0 = Instant::now();
        wait_for(within, || {
            (self.has_vip(ns) == present).then(|| t0.elapsed())
        })
    }

    fn dump(&self) -> String {
        format!(
            "--- keepalived log ---\n{}\n--- lvsdeck log ---\n{}",
            self.log("keepalived.log"),
            self.log("lvsdeck.log")
        )
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(mut c) = self.lvsdeck.take() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
        if let Ok(s) = fs::read_to_string(self.path("ka-vrrp.pid")) {
            if let Ok(pid) = s.trim().parse::<i32>() {
                if self.keepalived.is_some() {
                    kill(pid, libc::SIGKILL);
                }
            }
        }
        self.stop_keepalived();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.ka_ns])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.lv_ns])
            .status();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn wait_for<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let t0 = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if t0.elapsed() > within {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

struct Peer<'a> {
    priority: u8,
    version: u8,
    advert_int: u32,
    pass: Option<&'a str>,
}

fn conf(p: &Peer<'_>) -> String {
    let auth = match (p.pass, p.version) {
        (Some(pw), 2) => format!(
            "    authentication {{\n        auth_type PASS\n        auth_pass {pw}\n    }}\n"
        ),
        _ => String::new(),
    };
    format!(
        "global_defs {{\n    router_id interop\n}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface veth0\n    virtual_router_id 51\n    \
         version {}\n    priority {}\n    advert_int {}\n{auth}    virtual_ipaddress {{\n        {VIP}/24\n    }}\n}}\n",
        p.version, p.priority, p.advert_int
    )
}

const SECRET: Option<&str> = Some("secret");

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
