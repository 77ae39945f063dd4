//! Times the netlink client against ipvsadm on a large table (run as root with `ip_vs`
//! loaded, an empty IPVS table and ipvsadm on PATH, e.g. in a fresh lab VM).
//!
//! Usage: netlink_bench ipvsadm|ours [SERVICES [DESTS_PER_SERVICE [LIST_RUNS]]]
//! (default 10000 10 3). Builds the table on an empty kernel table with `ipvsadm -R` or
//! `Client::apply_all` and times it, then times `ipvsadm -Ln` against `Client::table()`.
//! Run each builder in a fresh VM: after a flush the kernel keeps deleted real servers in
//! a trash list for two minutes and scans it on every add, which distorts a second build.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs::File;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use lvsdeck::ipvs::netlink::Client;
use lvsdeck::ipvs::{DestConfig, Forward, Op, Protocol, ServiceConfig, ServiceKey};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Service i: 198.51.100.(1 + i / 1000 % 250):(1000 + i % 1000); dest j: 203.0.113.(1 + j):80.
fn ops(services: usize, dests: usize) -> (Vec<Op>, String) {
    let mut ops = Vec::with_capacity(services * (dests + 1));
    let mut text = String::new();
    for i in 0..services {
        let vip = Ipv4Addr::new(198, 51, 100, 1 + (i / 1000 % 250) as u8);
        let port = 1000 + (i % 1000) as u16 + 1000 * (i / 250_000) as u16;
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(vip),
            port,
        };
        let mut cfg = ServiceConfig::new(key);
        cfg.scheduler = "rr".into();
        ops.push(Op::AddService(cfg));
        text += &format!("-A -t {vip}:{port} -s rr\n");
        for j in 0..dests {
            let rip = Ipv4Addr::new(203, 0, 113, 1 + (j % 250) as u8);
            let rport = 80 + (j / 250) as u16;
            let mut d = DestConfig::new(IpAddr::V4(rip), rport);
            d.forward = Forward::Masq;
            ops.push(Op::AddDest(key, d));
            text += &format!("-a -t {vip}:{port} -r {rip}:{rport} -m -w 1\n");
        }
    }
    (ops, text)
}

fn run(cmd: &str, args: &[&str], stdin: Option<File>) -> Result<Duration, String> {
    let start = Instant::now();
    let status = Command::new(cmd)
        .args(args)
        .stdin(stdin.map(Stdio::from).unwrap_or_else(Stdio::null))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("{cmd}: {e}"))?;
    let took = start.elapsed();
    if status.success() {
        Ok(took)
    } else {
        Err(format!("{cmd} {args:?}: {status}"))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn bench() -> Result<(), String> {
    let builder = std::env::args().nth(1).unwrap_or_default();
    let (services, dests, runs) = (arg(2, 10_000), arg(3, 10), arg(4, 3));
    let (ops, text) = ops(services, dests);
    let client = Client::connect().await.map_err(|e| e.to_string())?;
    let start = Instant::now();
    match builder.as_str() {
        "ipvsadm" => {
            let path = "/tmp/netlink_bench.restore";
            File::create(path)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .map_err(|e| format!("{path}: {e}"))?;
            let file = File::open(path).map_err(|e| e.to_string())?;
            let took = run("ipvsadm", &["-R"], Some(file))?;
            println!(
                "BENCH build with ipvsadm -R: {} ops in {:.0} ms",
                ops.len(),
                ms(took)
            );
        }
        "ours" => {
            let results = client.apply_all(&ops).await;
            let took = start.elapsed();
            let failed = results.iter().filter(|r| r.is_err()).count();
            if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
                println!("first failure: {e}");
            }
            println!(
                "BENCH build with apply_all: {} ops in {:.0} ms ({failed} failed)",
                ops.len(),
                ms(took)
            );
        }
        other => {
            return Err(format!(
                "first argument {other:?}: expected ipvsadm or ours"
            ))
        }
    }

    let mut best_ipvsadm = Duration::MAX;
    let mut best_ours = Duration::MAX;
    for _ in 0..runs {
        best_ipvsadm = best_ipvsadm.min(run("ipvsadm", &["-Ln"], None)?);
        let start = Instant::now();
        let table = client.table().await.map_err(|e| e.to_string())?;
        best_ours = best_ours.min(start.elapsed());
        let n: usize = table.iter().map(|e| e.dests.len()).sum();
        if table.len() != services || n != services * dests {
            return Err(format!("table() saw {} services, {n} dests", table.len()));
        }
    }
    println!(
        "BENCH list {services}x{dests}: ipvsadm -Ln {:.0} ms, table() {:.0} ms, ratio {:.3}",
        ms(best_ipvsadm),
        ms(best_ours),
        best_ours.as_secs_f64() / best_ipvsadm.as_secs_f64()
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match bench().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("BENCH FAIL {e}");
            ExitCode::FAILURE
        }
    }
}
