//! The console's cost on a big director: a 10,000 services × 10 real servers table, taken
//! in by the pure `update` and drawn on ratatui's `TestBackend` at 200×60, refresh after
//! refresh with moving counters. Prints frame time (median, p99), CPU per refresh (process
//! CPU time from getrusage over the measured work / refreshes, and as a share of one core at
//! a 1 s refresh) and resident memory (VmRSS, VmHWM).
//!
//! `cargo run --release --example console_bench [REFRESHES]`. Targets: frame ≤ 4 ms,
//! ≤ 5 % of a core at 1 s, RSS ≤ 64 MiB.
//!
//! Measured (60 refreshes, 2 shared cores under load): frame median 0.87 ms; CPU 10.6 ms per
//! refresh (1.1 % of a core, was 27.8 ms); VmRSS 37.6 MiB, console's share 18 MiB (was 106.8
//! and 87 MiB: a 20 MiB HashMap copy of every number for change marks, built beside the old
//! one, and glibc keeping the peak of two tables resident).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// It signals, times or enters the processes and namespaces it made itself, through libc.
#![allow(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use lvsdeck::ipvs::{
    Dest, DestConfig, Forward, Info, Protocol, Service, ServiceConfig, ServiceEntry, ServiceKey,
    Stats,
};
use lvsdeck::tui::keymap::Keymap;
use lvsdeck::tui::theme::{ColorSupport, Theme};
use lvsdeck::tui::{update, view, App, Event, Snapshot, Source};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

const SERVICES: u32 = 10_000;
const PER: u32 = 10;

fn stats(n: u64) -> Stats {
    Stats {
        conns: n * 12,
        inpkts: n * 340,
        outpkts: n * 310,
        inbytes: n * 51_000,
        outbytes: n * 420_000,
        cps: n % 97,
        inpps: n % 1013,
        outpps: n % 877,
        inbps: n * 1300 % 10_000_000,
        outbps: n * 9100 % 90_000_000,
    }
}

fn table() -> Vec<ServiceEntry> {
    (0..SERVICES)
        .map(|s| {
            let key = ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: IpAddr::V4(Ipv4Addr::from(0xAC10_0000 + s)),
                port: 80,
            };
            let mut config = ServiceConfig::new(key);
            config.scheduler = "wlc".into();
            let dests = (0..PER)
                .map(|d| {
                    let n = u64::from(s * PER + d);
                    let mut c =
                        DestConfig::new(IpAddr::V4(Ipv4Addr::from(0xC612_0000 + s * PER + d)), 80);
                    c.forward = Forward::Route;
                    c.weight = d % 3;
                    Dest {
                        config: c,
                        active_conns: (n % 997) as u32,
                        inact_conns: (n % 301) as u32,
                        persist_conns: 0,
                        stats: stats(n),
                    }
                })
                .collect();
            ServiceEntry {
                service: Service {
                    config,
                    stats: stats(u64::from(s)),
                },
                dests,
            }
        })
        .collect()
}

/// Counters move as on a live director: every row, every refresh.
fn advance(t: &mut [ServiceEntry], round: u64) {
    for e in t.iter_mut() {
        e.service.stats.conns += 7;
        e.service.stats.cps = (e.service.stats.cps + round) % 113;
        for d in &mut e.dests {
            d.stats.conns += 1;
            d.stats.inbytes += 1500 * round;
            d.stats.inbps = (d.stats.inbps + 977 * round) % 50_000_000;
            d.active_conns = (d.active_conns + 3) % 2000;
        }
    }
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF and a valid pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> anyhow::Result<()> {
    let refreshes: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(60);
    let keymap = Keymap::default_map()?;
    let theme = Theme::load("dark", ColorSupport::TrueColor, &|p| {
        std::fs::read_to_string(p)
    })?;
    let t0 = Instant::now();
    let mut app = App::new("bench".into(), Duration::from_secs(1), keymap, t0);
    update(&mut app, Event::Resize(200, 60), t0);
    let mut term = Terminal::new(TestBackend::new(200, 60))?;
    let mut live = table();
    let rows = live.len() * (PER as usize + 1);
    // What the bench itself holds (its table), to tell the console's share apart.
    let baseline = status_kib("VmRSS:");
    let info = Some(Info {
        version: (1 << 16) | (2 << 8) | 1,
        conn_tab_size: 4096,
    });

    let mut frames = Vec::new();
    let mut applies = Vec::new();
    let mut cpu = Duration::ZERO;
    let mut wall = Duration::ZERO;
    for round in 0..refreshes {
        advance(&mut live, round);
        // The reader hands over a fresh table each time (not measured: that is the reader's).
        let snap = Snapshot {
            info,
            entries: live.clone(),
            taken_at: Instant::now(),
            source: Source::Netlink,
        };
        let now = t0 + Duration::from_secs(round);
        let (c0, w0) = (cpu_time(), Instant::now());
        update(&mut app, Event::Tick, now);
        update(&mut app, Event::Table(Ok(snap)), now);
        // What `run.rs` does after every table it hands to `update`.
        lvsdeck::tui::reader::release_freed_memory();
        // The operator moves a little between refreshes.
        let k = if round % 2 == 0 {
            KeyCode::PageDown
        } else {
            KeyCode::Down
        };
        update(
            &mut app,
            Event::Key(KeyEvent::new(k, KeyModifiers::NONE)),
            now,
        );
        let applied = w0.elapsed();
        let f0 = Instant::now();
        term.draw(|f| view::render(f, &app, &theme))?;
        let frame = f0.elapsed();
        cpu += cpu_time() - c0;
        wall += w0.elapsed();
        frames.push(frame);
        applies.push(applied);
    }
    frames.sort();
    applies.sort();
    let per = cpu / refreshes.max(1) as u32;
    println!("console_bench: {SERVICES} services x {PER} real servers = {rows} rows, 200x60, {refreshes} refreshes");
    println!(
        "frame (render):   median {:.2} ms, p99 {:.2} ms",
        pct(&frames, 0.5).as_secs_f64() * 1e3,
        pct(&frames, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "update (take in): median {:.2} ms, p99 {:.2} ms",
        pct(&applies, 0.5).as_secs_f64() * 1e3,
        pct(&applies, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "CPU per refresh:  {:.2} ms (wall {:.2} ms) = {:.2} % of a core at a 1 s refresh",
        per.as_secs_f64() * 1e3,
        (wall / refreshes.max(1) as u32).as_secs_f64() * 1e3,
        per.as_secs_f64() * 100.0
    );
    let rss = status_kib("VmRSS:");
    println!(
        "memory:           VmRSS {:.1} MiB, VmHWM {:.1} MiB; the console's share {:.1} MiB \
         (RSS minus the bench's own table, {:.1} MiB)",
        rss as f64 / 1024.0,
        status_kib("VmHWM:") as f64 / 1024.0,
        rss.saturating_sub(baseline) as f64 / 1024.0,
        baseline as f64 / 1024.0
    );
    Ok(())
}
