//! `lvsdeck daemon --metrics` scraped by a real Prometheus (Debian's `prometheus` 2.42) and
//! queried through its HTTP API, on this host, which has no IPVS: two daemons run one VRRP
//! instance on a veth pair between two network namespaces the test creates (192.0.2.1 at
//! priority 150, 192.0.2.2 at 100); Prometheus runs in the first namespace and scrapes
//! both. The queries are the ones the README gives operators (one master, no split brain)
//! and values the test knows (priorities, states, the IPVS source down here); `promtool
//! check metrics` must find nothing to say about either daemon's text. Every process is
//! killed by its PID and the namespaces deleted, even when an assertion fails.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Lab {
    a: String,
    b: String,
    dir: PathBuf,
    children: Vec<Child>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(args: &[&str]) {
    let s = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(s.success(), "{args:?}: {s}");
}

impl Lab {
    fn new() -> Lab {
        let id = std::process::id();
        let lab = Lab {
            a: format!("lvm-a-{id}"),
            b: format!("lvm-b-{id}"),
            dir: std::env::temp_dir().join(format!("lvsdeck-metrics-{id}")),
            children: Vec::new(),
        };
        std::fs::create_dir_all(&lab.dir).unwrap();
        let (a, b) = (lab.a.as_str(), lab.b.as_str());
        run(&["ip", "netns", "add", a]);
        run(&["ip", "netns", "add", b]);
        run(&[
            "ip", "-n", a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b,
        ]);
        for (ns, dev, addr) in [(a, "va", "192.0.2.1/24"), (b, "vb", "192.0.2.2/24")] {
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            run(&["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        lab
    }

    fn spawn(&mut self, ns: &str, log: &str, program: &str, args: &[&str]) {
        let out = std::fs::File::create(self.dir.join(log)).unwrap();
        let c = Command::new("ip")
            .args(["netns", "exec", ns, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        self.children.push(c);
    }

    fn daemon(&mut self, ns: &str, name: &str, dev: &str, priority: u8, listen: &str) {
        let conf = format!(
            "vrrp_instance VI_1 {{
    state BACKUP
    interface {dev}
    virtual_router_id 51
    priority {priority}
    advert_int 1
    virtual_ipaddress {{
        192.0.2.100/32
    }}
}}
"
        );
        let path = self.dir.join(format!("{name}.conf"));
        std::fs::write(&path, conf).unwrap();
        let sock = self.dir.join(format!("{name}.sock"));
        let (p, s) = (
            path.to_str().unwrap().to_string(),
            sock.to_str().unwrap().to_string(),
        );
        self.spawn(
            ns,
            &format!("{name}.log"),
            env!("CARGO_BIN_EXE_lvsdeck"),
            &["daemon", "-f", &p, "--control", &s, "--metrics", listen],
        );
    }

    /// `curl -s URL` inside namespace `a`.
    fn get(&self, url: &str) -> Option<String> {
        let o = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.a,
                "curl",
                "-s",
                "-f",
                "--max-time",
                "5",
                url,
            ])
            .output()
            .ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).to_string())
    }

    /// A PromQL instant query: `(director label, value)` per series.
    fn query(&self, q: &str) -> Vec<(String, f64)> {
        let url = format!(
            "http://127.0.0.1:9090/api/v1/query?query={}",
            q.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' =>
                        (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        );
        let Some(body) = self.get(&url) else {
            return Vec::new();
        };
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        v["data"]["result"]
            .as_array()
            .map(|rs| {
                let mut out: Vec<(String, f64)> = rs
                    .iter()
                    .map(|r| {
                        (
                            r["metric"]["director"].as_str().unwrap_or("").to_string(),
                            r["value"][1]
                                .as_str()
                                .and_then(|s| s.parse().ok())
                                .unwrap_or(f64::NAN),
                        )
                    })
                    .collect();
                out.sort_by(|x, y| x.0.cmp(&y.0));
                out
            })
            .unwrap_or_default()
    }

    /// Polls `q` until it gives `want` (sorted by director), within `secs`.
    fn expect(&self, q: &str, want: &[(&str, f64)], secs: u64) {
        let want: Vec<(String, f64)> = want.iter().map(|(d, v)| (d.to_string(), *v)).collect();
        let end = Instant::now() + Duration::from_secs(secs);
        let mut got = Vec::new();
        while Instant::now() < end {
            got = self.query(q);
            if got == want {
                println!("query {q}: {got:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("query {q}: got {got:?}, want {want:?}\n{}", self.logs());
    }

    fn logs(&self) -> String {
        let mut s = String::new();
        for l in ["a.log", "b.log", "prometheus.log"] {
            let t = std::fs::read_to_string(self.dir.join(l)).unwrap_or_default();
            let tail: Vec<&str> = t.lines().rev().take(15).collect();
            s += &format!(
                "--- {l}\n{}\n",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        s
    }
}

#[test]
fn prometheus_scrapes_both_directors_and_answers_the_operators_queries() {
    assert!(
        std::path::Path::new("/usr/bin/prometheus").exists(),
        "apt-get install prometheus (tests/run-all.sh does)"
    );
    let mut lab = Lab::new();
    let (a, b) = (lab.a.clone(), lab.b.clone());
    lab.daemon(&a, "a", "va", 150, "127.0.0.1:9739");
    lab.daemon(&b, "b", "vb", 100, "192.0.2.2:9739");
    let conf = "global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: lvsdeck
    static_configs:
      - targets: ['127.0.0.1:9739']
        labels: {director: a}
      - targets: ['192.0.2.2:9739']
        labels: {director: b}
";
    let pconf = lab.dir.join("prometheus.yml");
    std::fs::write(&pconf, conf).unwrap();
    let data = lab.dir.join("data");
    let (pc, pd) = (
        format!("--config.file={}", pconf.display()),
        format!("--storage.tsdb.path={}", data.display()),
    );
    lab.spawn(
        &a,
        "prometheus.log",
        "/usr/bin/prometheus",
        &[&pc, &pd, "--web.listen-address=127.0.0.1:9090"],
    );

    // Both endpoints answer; the text lints clean.
    for (who, url) in [
        ("a", "http://127.0.0.1:9739/metrics"),
        ("b", "http://192.0.2.2:9739/metrics"),
    ] {
        let end = Instant::now() + Duration::from_secs(20);
        let text = loop {
            if let Some(t) = lab.get(url) {
                break t;
            }
            assert!(
                Instant::now() < end,
                "{who}: {url} never answered\n{}",
                lab.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let file = lab.dir.join(format!("{who}.prom"));
        std::fs::write(&file, &text).unwrap();
        let out = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(std::fs::File::open(&file).unwrap())
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && said.trim().is_empty(),
            "promtool check metrics on {who}: {said}\n{text}"
        );
    }

    // Prometheus sees both targets up.
    lab.expect("up{job=\"lvsdeck\"}", &[("a", 1.0), ("b", 1.0)], 30);
    // Without IPVS on this host the kernel table read fails, and says so.
    lab.expect(
        "lvsdeck_scrape_up{source=\"ipvs\"}",
        &[("a", 0.0), ("b", 0.0)],
        10,
    );
    lab.expect(
        "lvsdeck_scrape_up{source=\"director\"}",
        &[("a", 1.0), ("b", 1.0)],
        10,
    );
    lab.expect(
        "lvsdeck_vrrp_configured_priority",
        &[("a", 150.0), ("b", 100.0)],
        10,
    );
    // The election: a (150) is master, b backup, within Master_Down_Interval + scrapes.
    lab.expect(
        "lvsdeck_vrrp_state{state=\"MASTER\"}",
        &[("a", 1.0), ("b", 0.0)],
        20,
    );
    lab.expect("lvsdeck_vrrp_state_code", &[("a", 2.0), ("b", 1.0)], 10);
    // The README's alerts: one master across the pair (no split brain, not none).
    lab.expect(
        "count(lvsdeck_vrrp_state{state=\"MASTER\"} == 1) by (vrrp_instance)",
        &[("", 1.0)],
        10,
    );
    lab.expect(
        "max by (vrrp_instance) (lvsdeck_vrrp_state{state=\"MASTER\"}) == 0",
        &[],
        5,
    );
    // b hears a's adverts; a sends them.
    lab.expect(
        "lvsdeck_vrrp_adverts_received_total{director=\"b\"} > bool 0",
        &[("b", 1.0)],
        10,
    );
    lab.expect(
        "lvsdeck_vrrp_adverts_sent_total{director=\"a\"} > bool 0",
        &[("a", 1.0)],
        10,
    );
    lab.expect(
        "lvsdeck_vrrp_became_master_total",
        &[("a", 1.0), ("b", 0.0)],
        10,
    );
    lab.expect(
        "sum by (director) (lvsdeck_vrrp_adverts_dropped_total)",
        &[("a", 0.0), ("b", 0.0)],
        10,
    );

    // A hands over (the give-up drill: priority 0): b takes over after Skew_Time, which
    // lvsdeck_vrrp_last_takeover_seconds gives as (256 - 100) / 256 s.
    let sock = lab.dir.join("a.sock");
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &a,
            env!("CARGO_BIN_EXE_lvsdeck"),
            "control",
            "--control",
        ])
        .arg(&sock)
        .args(["give-up", "VI_1", "--for", "60s"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "give-up: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    lab.expect(
        "lvsdeck_vrrp_state{state=\"MASTER\"}",
        &[("a", 0.0), ("b", 1.0)],
        20,
    );
    lab.expect(
        "lvsdeck_vrrp_last_takeover_seconds{director=\"b\"}",
        &[("b", 0.609375)],
        10,
    );
    lab.expect(
        "lvsdeck_vrrp_priority_zero_sent_total{director=\"a\"} > bool 0",
        &[("a", 1.0)],
        10,
    );
    lab.expect(
        "lvsdeck_vrrp_priority_zero_received_total{director=\"b\"} > bool 0",
        &[("b", 1.0)],
        10,
    );
    lab.expect(
        "lvsdeck_vrrp_left_master_total",
        &[("a", 1.0), ("b", 0.0)],
        10,
    );
    lab.expect(
        "count(lvsdeck_vrrp_state{state=\"MASTER\"} == 1) by (vrrp_instance)",
        &[("", 1.0)],
        10,
    );
}

/// The console's endpoint, for a director without a daemon: the kernel's sources only, and
/// on this host (no IPVS) both say they could not be read. The console runs in tmux (it
/// needs a terminal) inside a namespace of the test's own; both are removed on drop.
#[test]
fn the_console_serves_the_kernel_sources() {
    struct Console {
        ns: String,
        socket: String,
    }
    impl Drop for Console {
        fn drop(&mut self) {
            let _ = Command::new("tmux")
                .args(["-L", &self.socket, "kill-server"])
                .status();
            let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
        }
    }
    let id = std::process::id();
    let c = Console {
        ns: format!("lvm-c-{id}"),
        socket: format!("lvsdeck-metrics-{id}"),
    };
    run(&["ip", "netns", "add", &c.ns]);
    run(&["ip", "-n", &c.ns, "link", "set", "lo", "up"]);
    let cmd = format!(
        "{} --metrics 127.0.0.1:9740 --control /nonexistent/lvsdeck.sock",
        env!("CARGO_BIN_EXE_lvsdeck")
    );
    run(&[
        "ip",
        "netns",
        "exec",
        &c.ns,
        "tmux",
        "-L",
        &c.socket,
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    let end = Instant::now() + Duration::from_secs(20);
    let text = loop {
        let o = Command::new("ip")
            .args([
                "netns",
                "exec",
                &c.ns,
                "curl",
                "-s",
                "-f",
                "--max-time",
                "5",
            ])
            .arg("http://127.0.0.1:9740/metrics")
            .output()
            .unwrap();
        if o.status.success() {
            break String::from_utf8_lossy(&o.stdout).to_string();
        }
        assert!(
            Instant::now() < end,
            "the console's endpoint never answered"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for line in [
        "lvsdeck_scrape_up{source=\"ipvs\"} 0",
        "lvsdeck_scrape_up{source=\"sync\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
    }
    assert!(!text.contains("source=\"director\""), "{text}");
}
