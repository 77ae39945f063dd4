//! The director's root file system: busybox, the kernel's network modules, ipvsadm, lvsdeck
//! itself and whatever the scenario needs, packed as one cpio archive.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::cpio::{Archive, Entry};
use super::host;
use super::kernel::Kernel;

/// Module folders the director needs: netfilter (IPVS), IPv4/IPv6, crc32c for libcrc32c,
/// veth/macvlan for multi-host scenarios, the bridge (with its 802/llc helpers) that joins
/// the pair's namespaces.
const MODULE_DIRS: &[&str] = &[
    "net/netfilter",
    "net/bridge",
    "net/802",
    "net/llc",
    "net/ipv4",
    "net/ipv6",
    "net/core",
    "net/sched",
    "net/packet",
    "lib",
    "crypto",
    "arch/x86/crypto",
];

/// Folders of which only the top-level modules are taken (veth, macvlan, dummy; not the
/// hundreds of hardware drivers below them).
const MODULE_DIRS_SHALLOW: &[&str] = &["drivers/net"];

/// Host files copied as they are (name lookups inside the VM need them).
const ETC_FILES: &[&str] = &["/etc/services", "/etc/protocols"];

/// What goes into the VM besides its fixed contents.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    /// Host files copied to `/opt/bin/` (executables with their shared libraries).
    pub files: Vec<PathBuf>,
    /// Shell script run by `/init` in scenario mode.
    pub scenario: Option<String>,
}

/// Builds the archive at `out`; returns (entries, bytes).
pub fn build(kernel: &Kernel, contents: &Contents, out: &Path) -> Result<(usize, u64)> {
    let mut a = Archive::new();
    add_busybox(&mut a)?;
    let deep = MODULE_DIRS.iter().map(|d| (d, true));
    let shallow = MODULE_DIRS_SHALLOW.iter().map(|d| (d, false));
    for (d, recurse) in deep.chain(shallow) {
        let src = kernel.modules().join("kernel").join(d);
        if src.is_dir() {
            let dest = format!("lib/modules/{}/kernel/{d}", kernel.version);
            add_tree(&mut a, &src, &dest, recurse)?;
        }
    }
    for e in std::fs::read_dir(kernel.modules())? {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("modules.") && e.path().is_file() {
            a.add(
                &format!("lib/modules/{}/{name}", kernel.version),
                host_file(&e.path(), 0o644),
            );
        }
    }
    let ipvsadm = host::which("ipvsadm").context("ipvsadm is not installed")?;
    add_program(&mut a, &ipvsadm, "usr/sbin/ipvsadm")?;
    // iproute2's ip, for `ip netns` (busybox's ip has none). busybox's shell runs its own
    // applet for the bare name `ip`: scripts call this one as /usr/sbin/ip.
    let ip = host::which("ip").context("iproute2's ip is not installed")?;
    add_program(&mut a, &ip, "usr/sbin/ip")?;
    let me = std::env::current_exe().context("finding the lvsdeck binary")?;
    let scratch = out.parent().unwrap_or(Path::new("/tmp"));
    add_program(&mut a, &slim(&me, scratch), "usr/bin/lvsdeck")?;
    // A link named ipvsadm makes the binary behave as `lvsdeck adm`.
    a.add(
        "opt/lvsdeck/ipvsadm",
        Entry::Symlink("/usr/bin/lvsdeck".into()),
    );
    for f in &contents.files {
        let name = f
            .file_name()
            .with_context(|| format!("{} has no file name", f.display()))?
            .to_string_lossy()
            .to_string();
        add_program(&mut a, &slim(f, scratch), &format!("opt/bin/{name}"))?;
    }
    add_etc(&mut a);
    a.add("init", bytes(include_str!("init.sh"), 0o755));
    a.add("lab/demo.sh", bytes(include_str!("demo.sh"), 0o755));
    a.add("lab/motd", bytes(include_str!("motd"), 0o644));
    // The director pair (`lvsdeck lab --pair`): its topology script, the two directors'
    // keepalived.conf, what the newcomer reads, the shell's shorthands.
    a.add(
        "lab/pair/pair.sh",
        bytes(include_str!("pair/pair.sh"), 0o755),
    );
    a.add("lab/pair/A.conf", bytes(include_str!("pair/A.conf"), 0o644));
    a.add("lab/pair/B.conf", bytes(include_str!("pair/B.conf"), 0o644));
    a.add("lab/pair/motd", bytes(include_str!("pair/motd"), 0o644));
    a.add(
        "lab/pair/profile",
        bytes(include_str!("pair/profile"), 0o644),
    );
    a.add(
        "usr/local/bin/pair",
        Entry::Symlink("/lab/pair/pair.sh".into()),
    );
    if let Some(s) = &contents.scenario {
        a.add("lab/scenario.sh", bytes(s, 0o755));
    }
    for d in [
        "proc",
        "sys",
        "dev",
        "tmp",
        "root",
        "run",
        "var/log",
        "etc/keepalived",
    ] {
        a.add(d, Entry::Dir);
    }
    let n = a.write_to(out).context("writing the initramfs")?;
    Ok((a.len(), n))
}

fn bytes(s: &str, mode: u32) -> Entry {
    Entry::Bytes {
        data: s.as_bytes().to_vec(),
        mode,
    }
}

fn host_file(p: &Path, mode: u32) -> Entry {
    Entry::HostFile {
        source: p.to_path_buf(),
        mode,
    }
}

fn add_busybox(a: &mut Archive) -> Result<()> {
    let bb = host::which("busybox").context("busybox is not installed")?;
    add_program(a, &bb, "bin/busybox")?;
    let out = Command::new(&bb).arg("--list").output()?;
    if !out.status.success() {
        bail!("{} --list failed", bb.display());
    }
    for applet in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        let path = format!("bin/{applet}");
        if !a.contains(&path) {
            a.add(&path, Entry::Symlink("busybox".into()));
        }
    }
    Ok(())
}

/// Copies a program and the shared libraries it links, at their host paths.
/// `src` without its debug sections when it is an ELF file with them: a debug build is
/// mostly DWARF (lvsdeck's 170 MB, an example's 130 MB), which the VM would have to unpack
/// into its RAM; symbols stay, so backtraces keep their names. Anything else, or no
/// objcopy, is taken as it is.
fn slim(src: &Path, scratch: &Path) -> PathBuf {
    let is_elf = std::fs::File::open(src)
        .and_then(|mut f| {
            let mut magic = [0u8; 4];
            std::io::Read::read_exact(&mut f, &mut magic).map(|_| magic == *b"\x7fELF")
        })
        .unwrap_or(false);
    let Some(name) = src.file_name() else {
        return src.to_path_buf();
    };
    let dest = scratch.join(format!("slim-{}", name.to_string_lossy()));
    let stripped = is_elf
        && Command::new("objcopy")
            .arg("--strip-debug")
            .arg(src)
            .arg(&dest)
            .status()
            .is_ok_and(|s| s.success());
    if stripped {
        dest
    } else {
        src.to_path_buf()
    }
}

fn add_program(a: &mut Archive, src: &Path, dest: &str) -> Result<()> {
    let meta = std::fs::metadata(src).with_context(|| format!("{}", src.display()))?;
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    a.add(dest, host_file(src, mode));
    if mode & 0o111 != 0 {
        for lib in host::shared_libraries(src)? {
            let canon = std::fs::canonicalize(&lib).unwrap_or(lib.clone());
            a.add(&lib.to_string_lossy(), host_file(&canon, 0o755));
        }
    }
    Ok(())
}

fn add_tree(a: &mut Archive, src: &Path, dest: &str, deep: bool) -> Result<()> {
    for e in std::fs::read_dir(src).with_context(|| format!("{}", src.display()))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        let path = e.path();
        let target = format!("{dest}/{name}");
        if path.is_dir() {
            if deep {
                add_tree(a, &path, &target, deep)?;
            }
        } else if path.is_file() {
            a.add(&target, host_file(&path, 0o644));
        }
    }
    Ok(())
}

fn add_etc(a: &mut Archive) {
    a.add(
        "etc/passwd",
        bytes("root:x:0:0:root:/root:/bin/sh\n", 0o644),
    );
    a.add("etc/group", bytes("root:x:0:\n", 0o644));
    a.add(
        "etc/hosts",
        bytes("127.0.0.1 localhost\n::1 localhost\n", 0o644),
    );
    a.add(
        "etc/nsswitch.conf",
        bytes("hosts: files\nservices: files\nprotocols: files\n", 0o644),
    );
    a.add("etc/profile", bytes("PS1='director:\\w# '\n", 0o644));
    for f in ETC_FILES {
        let p = Path::new(f);
        if p.is_file() {
            a.add(f, host_file(p, 0o644));
        }
    }
    // glibc loads the "files" NSS backend at run time; ldd does not list it.
    for lib in [
        "/lib/x86_64-linux-gnu/libnss_files.so.2",
        "/usr/lib/x86_64-linux-gnu/libnss_files.so.2",
    ] {
        let p = Path::new(lib);
        if p.is_file() {
            a.add(lib, host_file(p, 0o755));
        }
    }
}
