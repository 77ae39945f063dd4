//! The netlink client on the real kernel IPVS (lab VM): `examples/netlink_smoke` adds, edits,
//! lists, zeroes and deletes services of every kind through `ipvs::netlink::Client` and checks
//! what the kernel kept against what it asked for and against the real ipvsadm's view.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn client_matches_the_kernel_and_ipvsadm() {
    // `cargo test` builds examples only as test harnesses; tests/run-all.sh runs
    // `cargo build --examples` first so target/<profile>/examples/netlink_smoke exists.
    let exe = std::env::current_exe().expect("test path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let smoke = profile_dir.join("examples/netlink_smoke");
    assert!(
        smoke.is_file(),
        "{} missing: run `cargo build --examples` first (tests/run-all.sh does)",
        smoke.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/netlink_smoke.sh");
    let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .args(["lab", "--quiet", "--timeout", "900", "--file"])
        .arg(&smoke)
        .arg("--run")
        .arg(&script)
        .output()
        .expect("run lvsdeck lab");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    let ok = text.lines().filter(|l| l.contains(" ok ")).count();
    let failed: Vec<&str> = text.lines().filter(|l| l.contains(" FAIL ")).collect();
    assert!(failed.is_empty(), "failed checks:\n{}", failed.join("\n"));
    assert!(ok >= 70, "only {ok} checks passed");
    assert_eq!(out.status.code(), Some(0), "scenario exit status");
}
