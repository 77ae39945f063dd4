//! `lvsdeck lab` refuses, before booting, an initramfs its VM could not unpack (the kernel
//! would fail midway and drop the files sorted last, as it once did with debug binaries),
//! and the binaries it copies in go without their debug sections so the default VM fits.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn an_initramfs_too_big_for_the_vm_is_refused_before_boot() {
    let dir = std::env::temp_dir().join(format!("lvsdeck-labmem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("s.sh");
    std::fs::write(&script, "echo never\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .args(["lab", "--quiet", "--mem", "64", "--run"])
        .arg(&script)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("more than a 64 MiB VM can unpack"), "{err}");
    assert!(!stdout.contains("never"), "it booted: {stdout}");
}
