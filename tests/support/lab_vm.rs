//! Runs lab scenarios: boots the real-kernel director VM through the `lvsdeck lab --run` of the
//! binary under test, and reads back the PASS/FAIL lines the scenario printed.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

pub struct Report {
    pub status: i32,
    pub output: String,
    pub passed: Vec<String>,
    pub failed: Vec<String>,
}

/// `tests/fixtures/NAME` for each name, to pass into the VM (`--file`, read there from /opt/bin).
pub fn fixtures(names: &[&str]) -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    names.iter().map(|f| root.join(f)).collect()
}

/// Runs the scenario with these files in one VM boot and asserts it ran clean
/// ([`run_scenario`], then [`assert_clean`]).
pub fn run_clean(name: &str, extra_files: &[PathBuf], min_checks: usize) {
    let r = run_scenario(name, extra_files);
    assert_clean(name, &r, min_checks);
}

/// Runs `tests/lab/lib.sh` followed by the named scenario in one VM boot.
pub fn run_scenario(name: &str, extra_files: &[PathBuf]) -> Report {
    run_scenario_in(name, extra_files, false)
}

/// As [`run_clean`], on the director pair (`lvsdeck lab --pair --run`): `lib.sh`, then
/// `pair_lib.sh` (the drills), then the scenario.
pub fn run_clean_pair(name: &str, extra_files: &[PathBuf], min_checks: usize) {
    let r = run_scenario_in(name, extra_files, true);
    assert_clean(name, &r, min_checks);
}

fn run_scenario_in(name: &str, extra_files: &[PathBuf], pair: bool) -> Report {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lab");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("tests/lab file");
    let lib = read("lib.sh");
    let pair_lib = if pair {
        read("pair_lib.sh")
    } else {
        String::new()
    };
    let body = read(name);
    let script = std::env::temp_dir().join(format!("lvsdeck-{}-{name}", std::process::id()));
    std::fs::write(&script, format!("{lib}\n{pair_lib}\n{body}\n")).expect("write scenario");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lvsdeck"));
    cmd.args(["lab", "--quiet", "--timeout", "1200"]);
    if pair {
        cmd.arg("--pair");
    }
    cmd.arg("--run").arg(&script);
    for f in extra_files {
        cmd.arg("--file").arg(f);
    }
    let out = cmd.output().expect("run lvsdeck lab");
    let _ = std::fs::remove_file(&script);
    let output = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let passed = output
        .lines()
        .filter(|l| l.starts_with("PASS"))
        .map(String::from)
        .collect();
    let failed = output
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .map(String::from)
        .collect();
    let status = out.status.code().unwrap_or(-1);
    if status != 0 || !stderr.is_empty() {
        eprintln!("lab stderr:\n{stderr}");
    }
    Report {
        status,
        output,
        passed,
        failed,
    }
}

/// Asserts the scenario ran to its end, made at least `min_checks` checks, and failed none.
pub fn assert_clean(name: &str, r: &Report, min_checks: usize) {
    println!("{}", r.output);
    assert_eq!(
        r.status, 0,
        "{name}: the VM scenario did not finish cleanly"
    );
    assert!(
        r.failed.is_empty(),
        "{name}: {} of {} checks failed:\n{}",
        r.failed.len(),
        r.failed.len() + r.passed.len(),
        r.failed.join("\n")
    );
    assert!(
        r.passed.len() >= min_checks,
        "{name}: only {} checks ran, expected at least {min_checks}",
        r.passed.len()
    );
}
