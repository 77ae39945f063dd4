//! The host's side of the lab: the Debian packages it needs, installed when missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// A program the lab runs or copies, and the Debian package that provides it.
struct Need {
    program: &'static str,
    package: &'static str,
}

const NEEDS: &[Need] = &[
    Need {
        program: "qemu-system-x86_64",
        package: "qemu-system-x86",
    },
    Need {
        program: "busybox",
        package: "busybox-static",
    },
    Need {
        program: "ipvsadm",
        package: "ipvsadm",
    },
    // iproute2's ip: `ip netns` for the director pair.
    Need {
        program: "ip",
        package: "iproute2",
    },
    Need {
        program: "depmod",
        package: "kmod",
    },
    Need {
        program: "dpkg",
        package: "dpkg",
    },
    // objcopy: binaries go into the VM without their debug sections.
    Need {
        program: "objcopy",
        package: "binutils",
    },
];

/// Finds a program on PATH or in the sbin folders a non-root PATH may lack.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .map(PathBuf::from)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Installs the missing packages with apt-get (through sudo when not root).
pub fn ensure_packages(progress: &dyn Fn(&str)) -> Result<()> {
    let missing: Vec<&str> = NEEDS
        .iter()
        .filter(|n| which(n.program).is_none())
        .map(|n| n.package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    progress(&format!("installing {}", missing.join(" ")));
    let root = crate::linux::sys::euid() == 0;
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        let status = cmd
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get (the lab needs Debian or Ubuntu)")?;
        if !status.success() {
            bail!("apt-get {} failed ({status})", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    apt(&args)
}

/// The shared libraries `ldd` lists for a dynamically linked program (empty when static).
pub fn shared_libraries(binary: &Path) -> Result<Vec<PathBuf>> {
    let out = Command::new("ldd")
        .arg(binary)
        .output()
        .with_context(|| format!("running ldd on {}", binary.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect())
}

/// The user's cache folder for the kernel: `$XDG_CACHE_HOME/lvsdeck` or `~/.cache/lvsdeck`.
pub fn cache_dir() -> PathBuf {
    if let Ok(d) = std::env::var("LVSDECK_CACHE") {
        return PathBuf::from(d);
    }
    if let Ok(d) = std::env::var("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("lvsdeck");
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
    PathBuf::from(home).join(".cache").join("lvsdeck")
}
