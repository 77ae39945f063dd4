//! The Debian package as an operator gets it: `.ci/package-deb` builds it with cargo-deb,
//! dpkg installs it on this machine beside Debian's ipvsadm and keepalived, the files land
//! where Debian puts them (binary, unit, tmpfiles, man pages, completions, the example
//! configuration), the installed binary runs and `man` finds its pages, the other packages'
//! files are untouched; then a purge removes it cleanly. Needs root (dpkg).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    out
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn installed(pkg: &str) -> bool {
    run(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .stdout
        .starts_with(b"install ok installed")
}

/// Purges the package even when an assertion failed.
struct Purge;
impl Drop for Purge {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["-P", "lvsdeck"]).output();
    }
}

#[test]
fn the_package_installs_beside_ipvsadm_and_keepalived_and_purges_cleanly() {
    assert_eq!(
        uid(),
        0,
        "dpkg -i needs root: run the suite as root (CI does)"
    );
    assert!(
        !installed("lvsdeck"),
        "an lvsdeck package is already installed here; this test will not replace it"
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("lvsdeck-deb-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    ok(Command::new(root.join(".ci/package-deb"))
        .arg("--output")
        .arg(&out)
        .current_dir(&root));
    let deb = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .expect("no .deb built");

    // What the package holds, before installing.
    let listing = ok(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let info = ok(Command::new("dpkg-deb").arg("-I").arg(&deb));
    assert!(info.contains("Package: lvsdeck"), "{info}");
    assert!(info.contains("Section: admin"), "{info}");

    // Beside Debian's ipvsadm and keepalived (the suite installs both).
    let before: Vec<String> = ["ipvsadm", "keepalived"]
        .iter()
        .map(|p| ok(Command::new("dpkg").args(["-L", p])))
        .collect();
    let _purge = Purge;
    ok(Command::new("dpkg").arg("-i").arg(&deb));
    let files = ok(Command::new("dpkg").args(["-L", "lvsdeck"]));
    for f in [
        "/usr/bin/lvsdeck",
        "/usr/lib/systemd/system/lvsdeck.service",
        "/usr/lib/tmpfiles.d/lvsdeck.conf",
        "/usr/share/man/man8/lvsdeck.8.gz",
        "/usr/share/man/man8/lvsdeck-adm.8.gz",
        "/usr/share/man/man8/lvsdeck-daemon.8.gz",
        "/usr/share/bash-completion/completions/lvsdeck",
        "/usr/share/zsh/vendor-completions/_lvsdeck",
        "/usr/share/fish/vendor_completions.d/lvsdeck.fish",
        "/usr/share/doc/lvsdeck/examples/keepalived.conf",
    ] {
        assert!(files.lines().any(|l| l == f), "{f} not installed:\n{files}");
        assert!(Path::new(f).exists(), "{f} missing on disk");
    }
    assert!(!files.lines().any(|f| f.ends_with("/ipvsadm")), "{files}");
    assert!(!files.contains("/etc/keepalived"), "{files}");
    assert!(!listing.contains("./etc/keepalived/"), "{listing}");
    assert!(Path::new("/var/lib/lvsdeck").is_dir(), "state directory");

    // The installed binary and its pages.
    let v = ok(Command::new("/usr/bin/lvsdeck").arg("--version"));
    assert!(v.starts_with("lvsdeck "), "{v}");
    let page = ok(Command::new("man").args(["-w", "lvsdeck-adm"]));
    assert_eq!(page.trim(), "/usr/share/man/man8/lvsdeck-adm.8.gz");
    // The example validates with the installed binary.
    let check = run(Command::new("/usr/bin/lvsdeck").args([
        "validate",
        "-f",
        "/usr/share/doc/lvsdeck/examples/keepalived.conf",
    ]));
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // ipvsadm's and keepalived's files are still theirs and unchanged.
    for (p, list) in ["ipvsadm", "keepalived"].iter().zip(&before) {
        assert_eq!(&ok(Command::new("dpkg").args(["-L", p])), list);
        ok(Command::new("dpkg").args(["--verify", p]));
    }
    let theirs = before[0]
        .lines()
        .find(|l| l.ends_with("bin/ipvsadm"))
        .expect("ipvsadm's binary in its package");
    assert_eq!(
        ok(Command::new("dpkg").args(["-S", theirs])).trim(),
        format!("ipvsadm: {theirs}")
    );

    // Purge: nothing of it is left.
    ok(Command::new("dpkg").args(["-P", "lvsdeck"]));
    assert!(!installed("lvsdeck"));
    for f in files.lines().filter(|f| !f.is_empty()) {
        let p = Path::new(f);
        // Shared directories (/usr/bin, /usr/share/man/man8) stay; our files do not.
        if p.is_file() {
            panic!("{f} left after purge");
        }
    }
    assert!(
        !Path::new("/var/lib/lvsdeck").exists(),
        "state left after purge"
    );
    let _ = std::fs::remove_dir_all(&out);
}

fn uid() -> u32 {
    let out = ok(Command::new("id").arg("-u"));
    out.trim().parse().unwrap()
}
