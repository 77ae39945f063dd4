//! How long `lvsdeck adm` spends formatting (not reading) a 10,000 x 10 table: `-Ln`,
//! `-Ln --stats` and `-Sn` on an in-memory table. Prints figures; no kernel needed.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use lvsdeck::adm::{list_all, save, NoNames};
use lvsdeck::ipvs::{
    Dest, DestConfig, Forward, Info, Protocol, Service, ServiceConfig, ServiceEntry, ServiceKey,
    Stats,
};
use lvsdeck::rules::ListOptions;

fn table() -> Vec<ServiceEntry> {
    (0..10_000u32)
        .map(|i| {
            let key = ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: IpAddr::V4(Ipv4Addr::from(0xC612_0000 + i)),
                port: 80,
            };
            let stats = Stats {
                conns: u64::from(i) * 1000,
                inpkts: 123_456_789,
                ..Stats::default()
            };
            let dests = (0..10u32)
                .map(|j| {
                    let mut c =
                        DestConfig::new(IpAddr::V4(Ipv4Addr::from(0xC612_4000 + i * 10 + j)), 8080);
                    c.forward = Forward::Masq;
                    c.weight = j + 1;
                    Dest {
                        config: c,
                        active_conns: j,
                        inact_conns: i,
                        persist_conns: 0,
                        stats,
                    }
                })
                .rev()
                .collect();
            ServiceEntry {
                service: Service {
                    config: ServiceConfig::new(key),
                    stats,
                },
                dests,
            }
        })
        .rev()
        .collect()
}

fn main() {
    let t = table();
    let info = Info {
        version: 0x010201,
        conn_tab_size: 4096,
    };
    let numeric = ListOptions {
        numeric: true,
        ..ListOptions::default()
    };
    let stats = ListOptions {
        stats: true,
        ..numeric.clone()
    };
    for (name, opts) in [("-Ln", &numeric), ("-Ln --stats", &stats)] {
        let start = Instant::now();
        let out = list_all(&t, &info, opts, &NoNames);
        println!(
            "{name:<14} {:>8.1} ms  {} bytes",
            start.elapsed().as_secs_f64() * 1e3,
            out.len()
        );
    }
    let start = Instant::now();
    let out = save(&t, &numeric, &NoNames);
    println!(
        "{:<14} {:>8.1} ms  {} bytes",
        "-Sn",
        start.elapsed().as_secs_f64() * 1e3,
        out.len()
    );
}
