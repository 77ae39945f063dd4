//! The layering rules of README's map, checked on the source: which top-level module may
//! import which, no I/O in the pure cores, `unsafe` only in `src/linux`, one module-file
//! style, a doc paragraph on every file. Each failure names the file and the rule it broke.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Which top-level modules each one may import (`crate::NAME`). A module not listed here
/// is a new one: the test asks for it to be placed.
const LAYERS: &[(&str, &[&str])] = &[
    ("clock", &[]),
    ("vrrp", &["clock"]),
    ("linux", &["clock"]),
    ("ipvs", &["clock", "linux"]),
    ("rules", &["ipvs"]),
    ("config", &["ipvs", "rules"]),
    ("check", &["clock", "config", "ipvs", "linux", "rules"]),
    ("adm", &["ipvs", "linux", "rules"]),
    (
        "engine",
        &[
            "adm", "check", "clock", "config", "ipvs", "linux", "rules", "vrrp",
        ],
    ),
    ("lab", &["linux"]),
    ("metrics", &["clock", "engine", "ipvs", "linux", "vrrp"]),
    (
        "pair",
        &[
            "adm", "check", "clock", "config", "engine", "ipvs", "linux", "rules", "vrrp",
        ],
    ),
    (
        "tui",
        &[
            "adm", "check", "clock", "config", "engine", "ipvs", "linux", "pair", "rules", "vrrp",
        ],
    ),
    (
        "cli",
        &[
            "adm", "check", "clock", "config", "engine", "ipvs", "lab", "linux", "metrics", "pair",
            "rules", "tui", "vrrp",
        ],
    ),
];

/// The pure cores: inputs and a clock in, outputs out. Paths under `src/`; a folder means
/// every file below it.
const PURE: &[&str] = &[
    "clock.rs",
    "vrrp/",
    "check/policy/",
    "rules/",
    "ipvs/model.rs",
    "ipvs/op.rs",
    "ipvs/table.rs",
    "ipvs/plan.rs",
    "engine/ipvs/desired.rs",
    "engine/ipvs/drift.rs",
    "engine/ipvs/ownership.rs",
    "engine/ipvs/reconcile.rs",
    "engine/health/verdicts.rs",
    "engine/health/operator.rs",
    "engine/conn_sync/policy.rs",
    "engine/conn_sync/status.rs",
    "engine/health/latency.rs",
    "metrics/families/",
    "tui/",
    "pair/",
];

/// Inside a pure folder, the edges that may do I/O.
const EDGES: &[&str] = &["tui/edge/", "pair/edge/"];

/// What the pure cores must not touch: sockets, tokio, netlink, files, processes, the
/// environment, the OS clocks, sleeping, the Linux plumbing.
const IO: &[&str] = &[
    "tokio",
    "socket2",
    "neli",
    "libc::",
    "std::fs",
    "fs::read",
    "fs::write",
    "File::open",
    "TcpStream",
    "UdpSocket",
    "TcpListener",
    "std::process",
    "Instant::now",
    "SystemTime::now",
    "thread::sleep",
    "env::var",
    "crate::linux",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/`-relative path with `/` separators.
fn rel(p: &Path) -> String {
    p.strip_prefix(src())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The file's code without comments and without its `#[cfg(test)]` items (tests of a pure
/// core may build fixtures from files); code after a test module still counts.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let mut out = String::new();
    // Inside a `#[cfg(test)]` item: the brace depth once its body opened.
    let mut skipping = false;
    let mut depth: i64 = 0;
    let mut opened = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        let line = match line.find("// ") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        if !skipping && t.starts_with("#[cfg(test)]") {
            skipping = true;
            depth = 0;
            opened = false;
            continue;
        }
        if skipping {
            for c in line.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            // `#[cfg(test)] mod tests;` or `use ...;` without a body ends at its `;`.
            if (opened && depth <= 0) || (!opened && line.trim_end().ends_with(';')) {
                skipping = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn top_module(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// Test modules may reach across layers (a rule test compares with the real ipvsadm
/// through the system resolver); the rules are about what ships.
fn is_test_file(rel: &str) -> bool {
    rel.contains("/tests/") || rel.ends_with("/tests.rs")
}

/// `token` in `line` as a whole name: "neli" is not in "tunneling". Constants of the C
/// library (`libc::AF_INET`) are numbers, not calls.
fn uses(line: &str, token: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = line[from..].find(token) {
        let at = from + i;
        let before = line[..at].chars().next_back();
        let after = line[at + token.len()..].chars().next();
        let starts = before.is_none_or(|c| !ident(c));
        let ends = token.ends_with(':') || after.is_none_or(|c| !ident(c));
        let constant = token == "libc::" && line[at + token.len()..].starts_with("AF_");
        if starts && ends && !constant {
            return true;
        }
        from = at + token.len();
    }
    false
}

fn imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files
}

#[test]
fn top_level_modules_import_only_the_layers_below_them() {
    let mut broken = Vec::new();
    for f in all_files() {
        let r = rel(&f);
        let module = top_module(&r);
        if matches!(module, "lib" | "main") || is_test_file(&r) {
            continue;
        }
        let Some((_, allowed)) = LAYERS.iter().find(|(m, _)| *m == module) else {
            broken.push(format!(
                "src/{r}: module `{module}` has no place in LAYERS (tests/architecture.rs)"
            ));
            continue;
        };
        for dep in imports(&code(&f)) {
            if dep != module && !allowed.contains(&dep.as_str()) {
                broken.push(format!(
                    "src/{r}: `{module}` imports `crate::{dep}`, which is not below it"
                ));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_pure_cores_do_no_io() {
    let mut broken = Vec::new();
    for f in all_files() {
        let r = rel(&f);
        let pure = PURE
            .iter()
            .any(|p| r == *p || (p.ends_with('/') && r.starts_with(p)));
        if is_test_file(&r) || !pure || EDGES.iter().any(|e| r.starts_with(e)) {
            continue;
        }
        let c = code(&f);
        for line in c.lines() {
            for io in IO {
                if uses(line, io) {
                    broken.push(format!(
                        "src/{r}: `{}` uses `{io}`, but it is a pure core (no I/O, no OS clock)",
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "I/O in a pure core:\n{}",
        broken.join("\n")
    );
}

/// The console's loop: `update` dispatches to the features; a feature or a view that
/// called back into it would make the cycle the layout removed.
#[test]
fn console_features_never_call_back_into_update() {
    let mut broken = Vec::new();
    for f in all_files() {
        let r = rel(&f);
        if !r.starts_with("tui/") || r.starts_with("tui/edge/") || is_test_file(&r) {
            continue;
        }
        if matches!(r.as_str(), "tui/mod.rs" | "tui/update.rs") {
            continue;
        }
        let c = code(&f);
        for pat in ["tui::update", "super::update", "update::"] {
            if c.contains(pat) {
                broken.push(format!(
                    "src/{r}: reaches `{pat}` (return `Handled` instead)"
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn unsafe_lives_only_in_src_linux() {
    let mut broken = Vec::new();
    for f in all_files() {
        let r = rel(&f);
        if r.starts_with("linux/") {
            continue;
        }
        let text = fs::read_to_string(&f).unwrap();
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            if t.contains("unsafe {") || t.contains("unsafe fn") || t.contains("unsafe impl") {
                broken.push(format!("src/{r}: `{}`: unsafe outside src/linux", t));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn one_module_file_style_and_a_doc_paragraph_on_every_file() {
    let mut broken = Vec::new();
    for f in all_files() {
        let r = rel(&f);
        let text = fs::read_to_string(&f).unwrap();
        if !text.trim_start().starts_with("//!") {
            broken.push(format!(
                "src/{r}: no `//!` paragraph saying what the file is"
            ));
        }
        // `foo.rs` beside `foo/`: the folder's module belongs in `foo/mod.rs`.
        if let Some(stem) = r.strip_suffix(".rs") {
            let dir = src().join(stem);
            // insta's `snapshots/` beside its test file holds no Rust.
            let has_rust = dir.is_dir() && {
                let mut inner = Vec::new();
                rust_files(&dir, &mut inner);
                !inner.is_empty()
            };
            if has_rust && !r.ends_with("mod.rs") {
                broken.push(format!(
                    "src/{r}: a module file beside its folder src/{stem}/ (use src/{stem}/mod.rs)"
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The rule checker itself: a pure file that opened a socket would be caught.
#[test]
fn the_checks_catch_what_they_look_for() {
    let sample = "use tokio::net::UdpSocket;\n// tokio in a comment is fine\nlet x = crate::linux::sys::uid();\n";
    let hits: Vec<&&str> = IO
        .iter()
        .filter(|io| {
            sample
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| l.contains(**io))
        })
        .collect();
    assert!(
        hits.contains(&&"tokio") && hits.contains(&&"crate::linux"),
        "{hits:?}"
    );
    assert_eq!(
        imports("use crate::engine::x; crate::ipvs::Op"),
        ["engine", "ipvs"].iter().map(|s| s.to_string()).collect()
    );
}
