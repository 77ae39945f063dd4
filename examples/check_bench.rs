//! TCP_CHECK at scale: 10,000 real servers on loopback checked every second on one tokio
//! thread. A child process holds the listeners (100 addresses in 127.0.1.0/24 × 100 ports)
//! so that the CPU printed is the checker's alone; a few listeners are killed one at a time
//! and the time until the policy takes each out is measured.
//!
//! `cargo run --release --example check_bench [-- SECONDS]` (default 20, at most 120).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It signals, times or enters the processes and namespaces it made itself, through libc.
#![allow(unsafe_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use lvsdeck::check::runner::{self, Input};
use lvsdeck::check::{Check, CheckSpec, CheckerId, Policy, Probe, RsIndex, RsSpec, Target, VsSpec};
use lvsdeck::ipvs::{DestConfig, Op, Protocol, ServiceKey};
use tokio::sync::{mpsc, oneshot};

const ADDRS: u8 = 100;
const PORTS: u16 = 100;
const BASE_PORT: u16 = 31000;
const KILLS: usize = 10;

fn addr(a: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 1, a + 1))
}

fn raise_nofile() -> u64 {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a local struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut r);
        r.rlim_cur = r.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &r);
    }
    r.rlim_cur
}

fn cpu(who: i32) -> Duration {
    // SAFETY: rusage is plain old data; all-zero is valid.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes the struct we hand it.
    unsafe { libc::getrusage(who, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The child: binds every listener, accepts and closes; `kill A P` closes one listener.
fn serve() {
    raise_nofile();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut tasks = std::collections::HashMap::new();
        for a in 0..ADDRS {
            for p in 0..PORTS {
                let sa = SocketAddr::new(addr(a), BASE_PORT + p);
                let l = tokio::net::TcpListener::bind(sa)
                    .await
                    .expect("bind listener");
                tasks.insert(
                    sa,
                    tokio::spawn(async move {
                        while let Ok((s, _)) = l.accept().await {
                            drop(s);
                        }
                    }),
                );
            }
        }
        println!("ready {}", tasks.len());
        // The listener side may block on its stdin; it is not the process being measured.
        let (tx, mut lines) = mpsc::unbounded_channel::<String>();
        tokio::task::spawn_blocking(move || {
            for line in std::io::stdin().lock().lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        while let Some(line) = lines.recv().await {
            if let Some(sa) = line
                .strip_prefix("kill ")
                .and_then(|s| s.parse::<SocketAddr>().ok())
            {
                if let Some(t) = tasks.remove(&sa) {
                    t.abort();
                    let _ = t.await;
                }
                println!("killed {sa}");
            }
        }
    });
}

fn specs(secs: Duration) -> (Vec<VsSpec>, Vec<(CheckerId, Check)>) {
    let spec = CheckSpec {
        name: "TCP_CHECK",
        retry: 1,
        delay_before_retry: Duration::from_secs(1),
        delay_loop: secs,
        warmup: secs,
        alpha: false,
    };
    let mut vss = Vec::new();
    let mut checks = Vec::new();
    // One virtual server per port, its real servers on the 100 addresses.
    for p in 0..PORTS {
        let port = BASE_PORT + p;
        let mut servers = Vec::new();
        for a in 0..ADDRS {
            let id = CheckerId {
                server: RsIndex {
                    vs: usize::from(p),
                    rs: usize::from(a),
                },
                index: 0,
            };
            let target = Target::new(SocketAddr::new(addr(a), port), Duration::from_secs(5));
            checks.push((
                id,
                Check {
                    target,
                    probe: Probe::Tcp,
                },
            ));
            servers.push(RsSpec {
                dest: DestConfig::new(addr(a), port),
                inhibit: false,
                notify_up: None,
                notify_down: None,
                smtp_alert: false,
                checkers: vec![spec.clone()],
            });
        }
        vss.push(VsSpec {
            name: format!("vs {port}"),
            services: vec![ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: IpAddr::V4(Ipv4Addr::new(127, 0, 2, 1)),
                port,
            }],
            servers,
            quorum: 1,
            hysteresis: 0,
            sorry: None,
            sorry_inhibit: false,
            quorum_up: None,
            quorum_down: None,
            omega: false,
        });
    }
    (vss, checks)
}

fn expect_line(out: &mut BufReader<ChildStdout>, prefix: &str) {
    let mut line = String::new();
    while out.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        if line.starts_with(prefix) {
            return;
        }
        line.clear();
    }
    panic!("listener process ended before '{prefix}'");
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--serve") {
        return serve();
    }
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .clamp(8, 120);
    let nofile = raise_nofile();
    let exe = std::env::current_exe().expect("exe");
    let mut child: Child = Command::new(exe)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn listeners");
    let mut cin = child.stdin.take().expect("stdin");
    let mut cout = BufReader::new(child.stdout.take().expect("stdout"));
    expect_line(&mut cout, "ready");
    let n = usize::from(ADDRS) * usize::from(PORTS);
    println!("{n} listeners up; RLIMIT_NOFILE {nofile}; delay_loop 1 s, retry 1, delay_before_retry 1 s; {secs} s run");

    let (kill_tx, kill_rx) = std::sync::mpsc::channel::<(SocketAddr, oneshot::Sender<()>)>();
    let killer = std::thread::spawn(move || {
        for (sa, done) in kill_rx {
            let _ = writeln!(cin, "kill {sa}");
            expect_line(&mut cout, "killed");
            let _ = done.send(());
        }
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (vss, checks) = specs(Duration::from_secs(1));
    let (in_tx, in_rx) = mpsc::channel(8);
    let (ev_tx, mut events) = mpsc::unbounded_channel();
    let started = Instant::now();
    let mut latencies = Vec::new();
    rt.block_on(async {
        let run = tokio::spawn(runner::run(Policy::new(vss), checks, in_rx, ev_tx));
        let mut last_cpu = cpu(libc::RUSAGE_SELF);
        let mut last_results = 0u64;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.tick().await;
        let mut killed: Option<(SocketAddr, Instant)> = None;
        let mut kills = 0;
        let mut rng = fastrand::Rng::with_seed(7);
        let mut cpu_samples = Vec::new();
        for second in 1..=secs {
            // Between ticks, watch for the DelDest of the killed listener.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => break,
                    Some(e) = events.recv() => {
                        for op in &e.output.ops {
                            if let (Op::DelDest { addr, port, .. }, Some((sa, t0))) = (op, killed) {
                                if SocketAddr::new(*addr, *port) == sa {
                                    let l = e.at.into_std().saturating_duration_since(t0);
                                    println!("  {sa} down after {:.0} ms", l.as_secs_f64() * 1e3);
                                    latencies.push(l);
                                    killed = None;
                                }
                            }
                        }
                    }
                }
            }
            tick.tick().await;
            let now_cpu = cpu(libc::RUSAGE_SELF);
            let (tx, rx) = oneshot::channel();
            let _ = in_tx.send(Input::Results(tx)).await;
            let results = rx.await.unwrap_or(0);
            let used = now_cpu.saturating_sub(last_cpu);
            println!(
                "t={second:>3}s  checks/s {:>6}  cpu {:>5.1} ms/s ({:.1}% of one core)",
                results - last_results,
                used.as_secs_f64() * 1e3,
                used.as_secs_f64() * 100.0
            );
            if second > 3 {
                cpu_samples.push(used);
            }
            last_cpu = now_cpu;
            last_results = results;
            // After warm-up, kill one listener whenever the previous one has been detected.
            if second >= 4 && killed.is_none() && kills < KILLS && second + 4 <= secs {
                let sa = SocketAddr::new(addr(rng.u8(..ADDRS)), BASE_PORT + rng.u16(..PORTS));
                // The handshake with the listener process blocks: keep it off the checker's
                // only thread.
                let (tx, rx) = oneshot::channel();
                let _ = kill_tx.send((sa, tx));
                let _ = rx.await;
                killed = Some((sa, Instant::now()));
                kills += 1;
            }
        }
        let _ = in_tx.send(Input::Stop).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), run).await;
        if !cpu_samples.is_empty() {
            let avg = cpu_samples.iter().sum::<Duration>() / cpu_samples.len() as u32;
            println!(
                "steady-state cpu: {:.1} ms per second ({:.1}% of one core) for {n} checks/s",
                avg.as_secs_f64() * 1e3,
                avg.as_secs_f64() * 100.0
            );
        }
    });
    drop(kill_tx);
    let _ = killer.join();
    let _ = child.kill();
    let _ = child.wait();
    if latencies.is_empty() {
        println!("no detection measured");
    } else {
        latencies.sort();
        let avg = latencies.iter().sum::<Duration>() / latencies.len() as u32;
        println!(
            "detection latency over {} kills: min {:.0} ms, avg {:.0} ms, max {:.0} ms (expected: up to 1 s to the next check + 1 s delay_before_retry)",
            latencies.len(),
            latencies[0].as_secs_f64() * 1e3,
            avg.as_secs_f64() * 1e3,
            latencies[latencies.len() - 1].as_secs_f64() * 1e3
        );
    }
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
