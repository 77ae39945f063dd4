//! Reads the live /proc IPVS files through lvsdeck's readers and prints what it found in a
//! plain form a shell script can compare with ipvsadm's (tests/fixtures/proc/live-check.sh
//! runs it in the lab VM).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use lvsdeck::ipvs::conn::{self, ConnFilter, ScanEvent, ScanOptions};
use lvsdeck::ipvs::procfs;
use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Connections through the background scan, as the live view reads them.
    let mut scan = conn::spawn_scan(
        conn::CONN_PATH,
        ConnFilter::default(),
        ScanOptions::default(),
    );
    while let Some(event) = scan.events.recv().await {
        match event {
            ScanEvent::Batch(batch) => {
                for c in batch {
                    println!(
                        "conn {} {} {} {} {}",
                        c.protocol,
                        c.state,
                        SocketAddr::new(c.client_addr, c.client_port),
                        SocketAddr::new(c.virtual_addr, c.virtual_port),
                        SocketAddr::new(c.dest_addr, c.dest_port)
                    );
                }
            }
            ScanEvent::Done(s) => println!("summary lines={} malformed={}", s.lines, s.malformed),
            ScanEvent::Failed(e) => return Err(e.into()),
        }
    }
    let table = procfs::read_table(Path::new(procfs::TABLE_PATH), procfs::kernel_hz())?;
    let dests: usize = table.services.iter().map(|s| s.dests.len()).sum();
    println!("services {} dests {}", table.services.len(), dests);
    for s in &table.services {
        let c = &s.service.config;
        if c.persistent() {
            println!("persistent {}", c.timeout);
        }
    }
    let stats = procfs::read_stats(Path::new(procfs::STATS_PATH))?;
    println!("total conns {}", stats.conns);
    Ok(())
}
