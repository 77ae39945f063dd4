//! Reads a generated 1,000,000-line /proc/net/ip_vs_conn (mixed IPv4/IPv6, some PE columns)
//! through the background scan and prints the time and lines per second.
//!
//! `cargo run --release --example conn_bench [LINES]`

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lvsdeck::ipvs::conn::{self, ConnFilter, ScanEvent, ScanOptions, ScanSummary};

/// Deterministic pseudo-random numbers (xorshift64), so every run reads the same table.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn v6(rng: &mut Rng) -> String {
    let r = rng.next();
    format!(
        "2001:0db8:0000:{:04x}:0000:0000:{:04x}:{:04x}",
        r & 0xffff,
        (r >> 16) & 0xffff,
        (r >> 32) & 0xffff
    )
}

fn generate(path: &Path, lines: u64) -> std::io::Result<u64> {
    const STATES: [&str; 6] = [
        "ESTABLISHED",
        "TIME_WAIT",
        "FIN_WAIT",
        "SYN_RECV",
        "CLOSE_WAIT",
        "NONE",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"
    )?;
    for i in 0..lines {
        let r = rng.next();
        let state = STATES[(r % STATES.len() as u64) as usize];
        let cport = (r >> 8) & 0xffff;
        let expires = (r >> 24) % 900;
        if i % 4 == 3 {
            let (c, d) = (v6(&mut rng), v6(&mut rng));
            writeln!(
                out,
                "TCP {c} {cport:04X} 2001:0db8:0000:0000:0000:0000:0000:0001 0050 {d} 0050 {state:<11} {expires:7}"
            )?;
        } else {
            let client = 0xC000_0200u32 | ((r >> 40) as u32 & 0xff);
            let real = 0x7F00_0001u32 + ((r >> 48) as u32 & 0x7);
            let pe = if i % 100 == 0 {
                format!(" sip call-{i}@192.0.2.1")
            } else {
                String::new()
            };
            let proto = if i % 10 == 0 { "UDP" } else { "TCP" };
            writeln!(
                out,
                "{proto} {client:08X} {cport:04X} C633640A 0050 {real:08X} 1F90 {state:<11} {expires:7}{pe}"
            )?;
        }
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

async fn scan(path: &Path, filter: ConnFilter) -> (Duration, u64, ScanSummary) {
    let start = Instant::now();
    let mut scan = conn::spawn_scan(path, filter, ScanOptions::default());
    let mut received = 0u64;
    loop {
        match scan.events.recv().await {
            Some(ScanEvent::Batch(b)) => received += b.len() as u64,
            Some(ScanEvent::Done(s)) => return (start.elapsed(), received, s),
            Some(ScanEvent::Failed(e)) => panic!("scan failed: {e}"),
            None => panic!("scan ended without a summary"),
        }
    }
}

fn report(what: &str, elapsed: Duration, lines: u64, received: u64) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{what:<34} {:>8.1} ms  {:>12.0} lines/s  ({received} connections delivered)",
        secs * 1000.0,
        lines as f64 / secs
    );
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let lines: u64 = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(std::io::Error::other)?,
        None => 1_000_000,
    };
    let path: PathBuf =
        std::env::temp_dir().join(format!("lvsdeck-conn-bench-{}.txt", std::process::id()));
    let bytes = generate(&path, lines)?;
    println!(
        "generated {lines} lines, {:.1} MB, in {}",
        bytes as f64 / 1e6,
        path.display()
    );

    // Warm the page cache once so the runs compare parsing, not the disk.
    let _ = scan(&path, ConnFilter::default()).await;
    for run in 1..=3 {
        let (t, got, s) = scan(&path, ConnFilter::default()).await;
        assert_eq!(s.lines, lines);
        assert_eq!(s.malformed, 0);
        report(&format!("scan, no filter (run {run})"), t, s.lines, got);
    }
    let established = ConnFilter {
        state: Some("ESTABLISHED".into()),
        ..Default::default()
    };
    let (t, got, s) = scan(&path, established).await;
    report("scan, state=ESTABLISHED", t, s.lines, got);
    let states: Vec<String> = s.states.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("  states: {}", states.join(", "));

    let start = Instant::now();
    let mut n = 0u64;
    for c in conn::read_conns(&path).map_err(std::io::Error::other)? {
        c.map_err(std::io::Error::other)?;
        n += 1;
    }
    report("sync iterator (adm -c)", start.elapsed(), n, n);

    std::fs::remove_file(&path)
}
