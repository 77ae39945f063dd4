//! The interop lab: two network namespaces joined by a veth pair (192.0.2.0/24, or
//! 2001:db8::/64 plus the link-local addresses), keepalived in one, lvsdeck in the other;
//! everything removed on drop. Shared by the VRRP tests (`vrrp_*.rs`, `lab_console_vrrp.rs`),
//! with [`Speakers`] for the sync and vmac labs.

// Signals the processes this test started, through libc.
#![allow(unsafe_code)]
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const VIP: &str = "192.0.2.100";
pub const KA_ADDR: &str = "192.0.2.1/24";
pub const LV_ADDR: &str = "192.0.2.2/24";
pub const VIP6: &str = "2001:db8::100";
pub const KA_ADDR6: &str = "2001:db8::1/64";
pub const LV_ADDR6: &str = "2001:db8::2/64";

/// How a lab opens a program's log: appended to (restarts keep what came before) or new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogMode {
    Append,
    Truncate,
}

fn open_log(path: PathBuf, mode: LogMode) -> fs::File {
    match mode {
        LogMode::Append => fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("log"),
        LogMode::Truncate => fs::File::create(path).expect("log"),
    }
}

/// keepalived (foreground, VRRP only, logging to `dir/keepalived.log`) in namespace `ns`,
/// with `conf` written to `dir/keepalived.conf` and its pid files in `dir`.
pub fn spawn_keepalived(ns: &str, dir: &Path, conf: &str, mode: LogMode) -> Child {
    let c = dir.join("keepalived.conf");
    fs::write(&c, conf).expect("write conf");
    let log = open_log(dir.join("keepalived.log"), mode);
    Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
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
        .arg(dir.join("ka.pid"))
        .arg("-r")
        .arg(dir.join("ka-vrrp.pid"))
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("keepalived")
}

/// `lvsdeck daemon` in namespace `ns` with `conf` written to `dir/lvsdeck.conf`, logging to
/// `dir/lvsdeck.log`, with its own control socket in `dir` (daemons of tests running side by
/// side must not share /run/lvsdeck/control.sock).
pub fn spawn_lvsdeck(ns: &str, dir: &Path, conf: &str, rust_log: &str, mode: LogMode) -> Child {
    let c = dir.join("lvsdeck.conf");
    fs::write(&c, conf).expect("write conf");
    let log = open_log(dir.join("lvsdeck.log"), mode);
    Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            env!("CARGO_BIN_EXE_lvsdeck"),
            "daemon",
            "-f",
        ])
        .arg(&c)
        .arg("--control")
        .arg(dir.join("control.sock"))
        .env("RUST_LOG", rust_log)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("lvsdeck daemon")
}

/// Kills a lab's lvsdeck, keepalived's VRRP child (from its pid file in `dir`) and
/// keepalived itself, by PID, and reaps them: every lab's clean-up, even after a failure.
pub fn reap(dir: &Path, lvsdeck: &mut Option<Child>, keepalived: &mut Option<Child>) {
    if let Some(mut c) = lvsdeck.take() {
        kill(c.id() as i32, libc::SIGKILL);
        let _ = c.wait();
    }
    if let Some(mut c) = keepalived.take() {
        let vrrp = fs::read_to_string(dir.join("ka-vrrp.pid"));
        if let Some(pid) = vrrp.ok().and_then(|s| s.trim().parse::<i32>().ok()) {
            kill(pid, libc::SIGKILL);
        }
        kill(c.id() as i32, libc::SIGKILL);
        let _ = c.wait();
    }
}

/// keepalived's namespace and lvsdeck's, the temp directory with their configurations, pid
/// files and logs, and the two processes: what the sync and vmac labs share (they deref to
/// it). Dropped: the processes killed by PID and reaped, the directory removed (the lab
/// removes its namespaces).
pub struct Speakers {
    pub ka_ns: String,
    pub lv_ns: String,
    pub dir: PathBuf,
    pub keepalived: Option<Child>,
    pub lvsdeck: Option<Child>,
}

impl Speakers {
    /// The names, and `dir` made afresh (nothing started yet).
    pub fn new(ka_ns: String, lv_ns: String, dir: PathBuf) -> Speakers {
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        Speakers {
            ka_ns,
            lv_ns,
            dir,
            keepalived: None,
            lvsdeck: None,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// keepalived with `conf`, its log started afresh.
    pub fn start_keepalived(&mut self, conf: &str) {
        self.keepalived = Some(spawn_keepalived(
            &self.ka_ns,
            &self.dir,
            conf,
            LogMode::Truncate,
        ));
    }

    /// lvsdeck with `conf` and `RUST_LOG=rust_log`, appending to its log.
    pub fn start_lvsdeck_logging(&mut self, conf: &str, rust_log: &str) {
        self.lvsdeck = Some(spawn_lvsdeck(
            &self.lv_ns,
            &self.dir,
            conf,
            rust_log,
            LogMode::Append,
        ));
    }

    /// Signals lvsdeck and waits (10 s at most, then SIGKILL) for it to end; its exit code.
    pub fn stop_lvsdeck_with(&mut self, sig: i32) -> Option<i32> {
        let mut c = self.lvsdeck.take()?;
        kill(c.id() as i32, sig);
        let status = wait_for(Duration::from_secs(10), || c.try_wait().ok().flatten());
        if status.is_none() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
        status.and_then(|s| s.code())
    }

    pub fn log(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Both logs, for a failure message.
    pub fn dump(&self) -> String {
        format!(
            "--- keepalived log ---\n{}\n--- lvsdeck log ---\n{}",
            self.log("keepalived.log"),
            self.log("lvsdeck.log")
        )
    }

    /// [`reap`] of both processes (before the lab removes its namespaces).
    pub fn reap(&mut self) {
        reap(&self.dir, &mut self.lvsdeck, &mut self.keepalived);
    }
}

impl Drop for Speakers {
    fn drop(&mut self) {
        self.reap();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Which family a lab runs VRRP over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fam {
    V4,
    V6,
}

impl Fam {
    pub fn lab(self, tag: &str) -> Lab {
        match self {
            Fam::V4 => Lab::new(tag),
            Fam::V6 => Lab::new_v6(tag),
        }
    }

    /// The VIP as `ip addr del` wants it.
    pub fn vip_cidr(self) -> String {
        match self {
            Fam::V4 => format!("{VIP}/24"),
            Fam::V6 => format!("{VIP6}/128"),
        }
    }

    pub fn conf(self, p: &Peer<'_>) -> String {
        match self {
            Fam::V4 => conf(p),
            Fam::V6 => conf6(p),
        }
    }
}

/// Two namespaces, their veth pair, and the processes started in them; all removed on drop.
pub struct Lab {
    pub ka_ns: String,
    pub lv_ns: String,
    pub dir: PathBuf,
    pub keepalived: Option<Child>,
    pub lvsdeck: Option<Child>,
    /// What `ip -o addr` shows for the VIP, e.g. `inet 192.0.2.100/`.
    pub vip_match: String,
}

pub fn run(args: &[&str]) {
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

pub fn kill(pid: i32, sig: i32) {
    // SAFETY: kill(2) on a PID this test started.
    unsafe { libc::kill(pid, sig) };
}

impl Lab {
    pub fn new(tag: &str) -> Lab {
        let id = std::process::id();
        Lab::build(
            format!("lvk{tag}{id}"),
            format!("lvl{tag}{id}"),
            tag,
            [KA_ADDR, LV_ADDR],
            format!("inet {VIP}/"),
        )
    }

    /// An IPv4 lab with namespaces `{prefix}k{tag}{pid}` / `{prefix}l{tag}{pid}` and `vip`
    /// as the VIP `has_vip` looks for.
    pub fn named(prefix: &str, tag: &str, vip: &str) -> Lab {
        let id = std::process::id();
        Lab::build(
            format!("{prefix}k{tag}{id}"),
            format!("{prefix}l{tag}{id}"),
            tag,
            [KA_ADDR, LV_ADDR],
            format!("inet {vip}/"),
        )
    }

    /// An IPv6 lab (namespaces `v6t...`): IPv6 on, no DAD, so the link-local addresses and
    /// the VIPs are usable at once.
    pub fn new_v6(tag: &str) -> Lab {
        Lab::named_v6("v6t", tag, VIP6)
    }

    /// [`Lab::new_v6`] with namespaces `{prefix}k{tag}{pid}` / `{prefix}l{tag}{pid}` and `vip`
    /// as the VIP `has_vip` looks for.
    pub fn named_v6(prefix: &str, tag: &str, vip: &str) -> Lab {
        let id = std::process::id();
        let lab = Lab::build(
            format!("{prefix}k{tag}{id}"),
            format!("{prefix}l{tag}{id}"),
            tag,
            [KA_ADDR6, LV_ADDR6],
            format!("inet6 {vip}/"),
        );
        for ns in [&lab.ka_ns, &lab.lv_ns] {
            let ready = wait_for(Duration::from_secs(5), || {
                let out = Command::new("ip")
                    .args(["-n", ns, "-6", "-o", "addr", "show", "dev", "veth0"])
                    .output()
                    .ok()?;
                let text = String::from_utf8_lossy(&out.stdout).to_string();
                (text.contains("inet6 fe80::") && !text.contains("tentative")).then_some(())
            });
            assert!(ready.is_some(), "no usable link-local address in {ns}");
        }
        lab
    }

    fn build(ka_ns: String, lv_ns: String, tag: &str, addrs: [&str; 2], vip_match: String) -> Lab {
        assert!(
            Command::new("keepalived").arg("--version").output().is_ok(),
            "keepalived 2.2.7 must be installed"
        );
        let id = std::process::id();
        let lab = Lab {
            ka_ns,
            lv_ns,
            dir: std::env::temp_dir().join(format!("lvsdeck-interop-{tag}-{id}")),
            keepalived: None,
            lvsdeck: None,
            vip_match,
        };
        let _ = fs::remove_dir_all(&lab.dir);
        fs::create_dir_all(&lab.dir).expect("temp dir");
        run(&["ip", "netns", "add", &lab.ka_ns]);
        run(&["ip", "netns", "add", &lab.lv_ns]);
        for ns in [&lab.ka_ns, &lab.lv_ns] {
            // Before the veth exists, so it inherits the defaults: IPv6 on, no DAD.
            run(&[
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=0",
                "net.ipv6.conf.default.disable_ipv6=0",
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
            ]);
        }
        run(&[
            "ip", "link", "add", "veth0", "netns", &lab.ka_ns, "type", "veth", "peer", "name",
            "veth0", "netns", &lab.lv_ns,
        ]);
        for (ns, addr) in [(&lab.ka_ns, addrs[0]), (&lab.lv_ns, addrs[1])] {
            run(&["ip", "-n", ns, "addr", "add", addr, "dev", "veth0"]);
            run(&["ip", "-n", ns, "link", "set", "veth0", "up"]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        for ns in [&lab.ka_ns, &lab.lv_ns] {
            wait_oper_up(ns, "veth0");
        }
        lab
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn start_keepalived(&mut self, conf: &str) {
        self.stop_keepalived();
        self.keepalived = Some(spawn_keepalived(
            &self.ka_ns,
            &self.dir,
            conf,
            LogMode::Append,
        ));
    }

    /// The VRRP child's PID, from its pid file (it appears shortly after start).
    pub fn keepalived_vrrp_pid(&self) -> i32 {
        let p = self.path("ka-vrrp.pid");
        let found = wait_for(Duration::from_secs(5), || {
            fs::read_to_string(&p)
                .ok()
                .and_then(|s| s.trim().parse::<i32>().ok())
        });
        found.expect("keepalived VRRP pid file")
    }

    /// SIGKILL to keepalived's VRRP process (a crash: no priority 0), then its parent.
    pub fn crash_keepalived(&mut self) -> Instant {
        let vrrp = self.keepalived_vrrp_pid();
        kill(vrrp, libc::SIGKILL);
        let t0 = Instant::now();
        self.stop_keepalived();
        let _ = fs::remove_file(self.path("ka-vrrp.pid"));
        t0
    }

    pub fn stop_keepalived(&mut self) {
        if let Some(mut c) = self.keepalived.take() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
    }

    pub fn start_lvsdeck(&mut self, conf: &str) {
        self.lvsdeck = Some(spawn_lvsdeck(
            &self.lv_ns,
            &self.dir,
            conf,
            "info",
            LogMode::Truncate,
        ));
    }

    /// SIGTERM to lvsdeck; returns when it was sent.
    pub fn term_lvsdeck(&mut self) -> Instant {
        let c = self.lvsdeck.as_ref().expect("lvsdeck running");
        kill(c.id() as i32, libc::SIGTERM);
        Instant::now()
    }

    /// SIGTERM to lvsdeck and wait for it to leave (priority 0 sent, VIPs removed).
    pub fn stop_lvsdeck_and_wait(&mut self) {
        if self.lvsdeck.is_some() {
            self.term_lvsdeck();
            self.wait_lvsdeck_exit();
        }
    }

    pub fn wait_lvsdeck_exit(&mut self) -> Option<i32> {
        let mut c = self.lvsdeck.take()?;
        let status = wait_for(Duration::from_secs(10), || c.try_wait().ok().flatten());
        if status.is_none() {
            kill(c.id() as i32, libc::SIGKILL);
            let _ = c.wait();
        }
        status.and_then(|s| s.code())
    }

    pub fn has_vip(&self, ns: &str) -> bool {
        self.has_addr(ns, &self.vip_match)
    }

    /// Whether `ip -o addr show dev veth0` in `ns` shows `needle` (e.g. `inet6 2001:db8::7/`).
    pub fn has_addr(&self, ns: &str, needle: &str) -> bool {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "addr", "show", "dev", "veth0"])
            .output()
            .expect("ip addr");
        String::from_utf8_lossy(&out.stdout).contains(needle)
    }

    pub fn log(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Polls every 10 ms until `ns` has (or lacks) the VIP; the time it took.
    /// [`Lab::until_vip`] within `secs` seconds, asserted ([`vip_within`]); the time it took.
    pub fn expect_vip(&self, ns: &str, present: bool, secs: u64, why: &str) -> Duration {
        let within = Duration::from_secs(secs);
        let took = self.until_vip(ns, present, within);
        vip_within(took, ns, present, within, why, || self.dump())
    }

    /// Starts keepalived and waits (10 s at most) until it holds the VIP.
    pub fn start_keepalived_master(&mut self, conf: &str) {
        self.start_keepalived(conf);
        self.expect_vip(&self.ka_ns, true, 10, "keepalived never became master");
    }

    /// `ip -n NS addr del CIDR dev veth0`: an address removed behind a speaker's back.
    pub fn del_addr(&self, ns: &str, cidr: &str) {
        run(&["ip", "-n", ns, "addr", "del", cidr, "dev", "veth0"]);
    }

    pub fn until_vip(&self, ns: &str, present: bool, within: Duration) -> Option<Duration> {
        let t0 = Instant::now();
        wait_for(within, || {
            (self.has_vip(ns) == present).then(|| t0.elapsed())
        })
    }

    pub fn dump(&self) -> String {
        format!(
            "--- keepalived log ---\n{}\n--- lvsdeck log ---\n{}",
            self.log("keepalived.log"),
            self.log("lvsdeck.log")
        )
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        reap(&self.dir, &mut self.lvsdeck, &mut self.keepalived);
        let _ = Command::new("ip")
            .args(["netns", "del", &self.ka_ns])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.lv_ns])
            .status();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Waits (up to 5 s) until `dev` in `ns` is operationally up (IFF_RUNNING): the kernel's
/// linkwatch may take up to a second after the carrier, and both VRRP engines track their
/// own interface, so an instance started earlier would begin in FAULT.
pub fn wait_oper_up(ns: &str, dev: &str) {
    let up = wait_for(Duration::from_secs(5), || {
        let out = Command::new("ip")
            .args(["-n", ns, "-o", "link", "show", "dev", dev])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .contains("state UP")
            .then_some(())
    });
    assert!(up.is_some(), "{dev} in {ns} never came up");
}

/// What a wait for the VIP to appear in (or leave) `ns` found: the time it took, or a panic
/// with `why` (when empty, what did not happen) and the lab's logs (`dump`).
pub fn vip_within(
    took: Option<Duration>,
    ns: &str,
    present: bool,
    within: Duration,
    why: &str,
    dump: impl FnOnce() -> String,
) -> Duration {
    took.unwrap_or_else(|| {
        let what = if present { "appear in" } else { "leave" };
        let why = if why.is_empty() {
            format!("the VIP did not {what} {ns} within {within:?}")
        } else {
            why.to_string()
        };
        panic!("{why}\n{}", dump())
    })
}

pub fn wait_for<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
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

pub struct Peer<'a> {
    pub priority: u8,
    pub version: u8,
    pub advert_int: u32,
    pub pass: Option<&'a str>,
}

pub fn conf(p: &Peer<'_>) -> String {
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

pub const SECRET: Option<&str> = Some("secret");

impl Peer<'static> {
    /// The usual speaker: advert_int 1, PASS auth with [`SECRET`] (v2 only; v3 has none).
    pub fn secret(priority: u8, version: u8) -> Peer<'static> {
        Peer {
            priority,
            version,
            advert_int: 1,
            pass: SECRET,
        }
    }
}

/// [`conf`] over IPv6: `VIP6` without a prefix (keepalived's default /128), version 3.
pub fn conf6(p: &Peer<'_>) -> String {
    format!(
        "global_defs {{\n    router_id interop6\n}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface veth0\n    virtual_router_id 51\n    \
         version 3\n    priority {}\n    advert_int {}\n    virtual_ipaddress {{\n        {VIP6}\n    }}\n}}\n",
        p.priority, p.advert_int
    )
}
