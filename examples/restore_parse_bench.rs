//! How long `lvsdeck adm -R` spends parsing (not applying) 110,000 restore lines: prints
//! figures; no kernel needed.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

fn main() {
    let mut lines = Vec::with_capacity(110_000);
    for i in 0..10_000u32 {
        let vip = format!("198.18.{}.{}", i / 250, i % 250 + 1);
        lines.push(format!("-A -t {vip}:80 -s wlc"));
        for j in 0..10u32 {
            let m = 64 * 256 + i * 10 + j;
            lines.push(format!(
                "-a -t {vip}:80 -r 198.{}.{}.{}:8080 -m -w {}",
                18 + m / 65536,
                (m / 256) % 256,
                m % 256,
                j + 1
            ));
        }
    }
    let start = Instant::now();
    let mut ops = 0usize;
    for l in &lines {
        if let Ok(Some(_)) = lvsdeck::rules::parse_line(l, &lvsdeck::adm::resolver::SystemResolver)
        {
            ops += 1;
        }
    }
    let t = start.elapsed().as_secs_f64();
    println!(
        "parsed {ops} of {} lines in {:.1} ms ({:.0} lines/s)",
        lines.len(),
        t * 1e3,
        lines.len() as f64 / t
    );
}
