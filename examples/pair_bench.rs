//! The peer stream's pieces on a 10,000 services x 10 real servers table, in memory
//! (figures, not pass/fail): the serving end's picture (`put_table`), the diff against the
//! last one and its JSON line, the watching end's parse and apply, and the console's table
//! built from the picture (every line parsed, then with the parse cache). Two cases: the
//! whole table's counters moving every refresh (a busy director), and 100 servers moving.
//! `cargo run --release --example pair_bench`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use lvsdeck::engine::control::protocol::to_line;
use lvsdeck::ipvs::{
    Dest, DestConfig, Forward, Protocol, Service, ServiceConfig, ServiceEntry, ServiceKey, Stats,
};
use lvsdeck::pair::delta::{apply, diff};
use lvsdeck::pair::state::DirectorState;
use lvsdeck::pair::wire::{parse_server_frame, ServerFrame};
use lvsdeck::tui::directors::{table_of, table_with, Parsed};

const SERVICES: u32 = 10_000;
const PER: u32 = 10;

fn table() -> Vec<ServiceEntry> {
    (0..SERVICES)
        .map(|s| {
            let key = ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: IpAddr::V4(Ipv4Addr::from(0xC612_0000 + s)),
                port: 80,
            };
            let mut config = ServiceConfig::new(key);
            config.scheduler = "wlc".into();
            let dests = (0..PER)
                .map(|d| {
                    let mut c = DestConfig::new(
                        IpAddr::V4(Ipv4Addr::from(0xC613_0000 + s * PER + d)),
                        8080,
                    );
                    c.forward = Forward::Masq;
                    c.weight = d + 1;
                    Dest {
                        config: c,
                        active_conns: 0,
                        inact_conns: 0,
                        persist_conns: 0,
                        stats: Stats::default(),
                    }
                })
                .collect();
            ServiceEntry {
                service: Service {
                    config,
                    stats: Stats::default(),
                },
                dests,
            }
        })
        .collect()
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

fn main() {
    let mut t = table();
    let (old, took) = time(|| {
        let mut s = DirectorState::default();
        s.put_table(&t);
        s
    });
    println!("put_table (110,000 items): {took:?}");
    let mut lines = lvsdeck::pair::edge::picture::TableLines::default();
    for round in ["first", "again"] {
        let (_, took) = time(|| {
            let mut s = DirectorState::default();
            lines.put(&mut s, &t);
            s
        });
        println!("the serving end's read with the lines reused ({round}): {took:?}");
    }
    let snap = to_line(&ServerFrame::Snapshot {
        seq: 1,
        clock_ms: 0,
        wall_secs: None,
        wall_ms: None,
        state: old.clone(),
    });
    println!("snapshot line: {:.1} MB", snap.len() as f64 / 1e6);
    let (_, took) = time(|| parse_server_frame(&snap).unwrap());
    println!("snapshot parse (watching end): {took:?}");
    let mut parsed = Parsed::new();
    let (_, took) = time(|| table_of(&old));
    println!("peer table from the picture, every line parsed: {took:?}");
    let (_, took) = time(|| table_with(&old, &mut parsed));
    println!("peer table, first build with the cache: {took:?}");
    for (case, moving) in [
        ("100 servers moving", 100usize),
        ("every server moving", usize::MAX),
    ] {
        let mut n = 0;
        'o: for e in &mut t {
            for d in &mut e.dests {
                if n >= moving {
                    break 'o;
                }
                d.stats.conns += 1;
                d.stats.inbps += 1000;
                d.active_conns += 1;
                n += 1;
            }
        }
        let mut new = DirectorState::default();
        new.put_table(&t);
        let (changes, took_diff) = time(|| diff(&old, &new));
        let line = to_line(&ServerFrame::Changes {
            seq: 2,
            clock_ms: 1000,
            wall_secs: None,
            wall_ms: None,
            changes: changes.clone(),
        });
        let (frame, took_parse) = time(|| parse_server_frame(&line).unwrap());
        let mut follower_state = old.clone();
        let (_, took_apply) = time(|| {
            if let ServerFrame::Changes { changes, .. } = &frame {
                apply(&mut follower_state, changes)
            }
        });
        let (_, took_build) = time(|| table_with(&follower_state, &mut parsed));
        println!(
            "{case}: {} items changed, changes line {:.1} KB; diff {took_diff:?}, parse {took_parse:?}, apply {took_apply:?}, peer table (cached) {took_build:?}",
            changes.len(),
            line.len() as f64 / 1e3
        );
    }
}
