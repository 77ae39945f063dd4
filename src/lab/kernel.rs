//! The director's kernel: Debian's own `linux-image` package, downloaded once and cached.
//!
//! Debian's kernel has every IPVS module (all schedulers, the SIP persistence engine), so the
//! lab runs the same code as a production director.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// An unpacked kernel package with its module index built.
#[derive(Debug, Clone)]
pub struct Kernel {
    pub version: String,
    pub root: PathBuf,
}

impl Kernel {
    pub fn vmlinuz(&self) -> PathBuf {
        self.root
            .join("boot")
            .join(format!("vmlinuz-{}", self.version))
    }

    pub fn modules(&self) -> PathBuf {
        self.root.join("lib/modules").join(&self.version)
    }
}

const READY: &str = ".lvsdeck-ready";

/// The cached kernel, or Debian's current one downloaded and unpacked into `cache`.
pub fn ensure(cache: &Path, progress: &dyn Fn(&str)) -> Result<Kernel> {
    let dir = cache.join("kernel");
    if let Some(k) = cached(&dir)? {
        return Ok(k);
    }
    // Several labs may start at once (parallel tests): one downloads, the others wait.
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let _lock = lock(&dir.join(".lock"))?;
    if let Some(k) = cached(&dir)? {
        return Ok(k);
    }
    let package = image_package()?;
    let version = package
        .strip_prefix("linux-image-")
        .unwrap_or(&package)
        .to_string();
    progress(&format!(
        "downloading {package} (once; cached in {})",
        dir.display()
    ));
    let work = dir.join(format!("{version}.partial"));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    // apt drops to its own user to download: let it write here, or it warns.
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(&work, fs::Permissions::from_mode(0o777));
    run(Command::new("apt-get")
        .arg("download")
        .arg(&package)
        .current_dir(&work))?;
    let deb = fs::read_dir(&work)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .context("apt-get download left no .deb")?;
    let root = work.join("root");
    progress("unpacking the kernel package");
    run(Command::new("dpkg").arg("-x").arg(&deb).arg(&root))?;
    run(Command::new("depmod").arg("-b").arg(&root).arg(&version))?;
    fs::remove_file(&deb).ok();
    let final_dir = dir.join(&version);
    let _ = fs::remove_dir_all(&final_dir);
    fs::rename(&root, &final_dir)?;
    fs::remove_dir_all(&work).ok();
    fs::write(final_dir.join(READY), &version)?;
    let k = Kernel {
        version,
        root: final_dir,
    };
    if !k.vmlinuz().is_file() {
        bail!("{} has no kernel image", k.root.display());
    }
    Ok(k)
}

/// An exclusive lock held until the returned file is dropped.
fn lock(path: &Path) -> Result<fs::File> {
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    crate::linux::sys::lock_exclusive(&f).with_context(|| format!("locking {}", path.display()))?;
    Ok(f)
}

fn cached(dir: &Path) -> Result<Option<Kernel>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut found: Vec<Kernel> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join(READY).is_file())
        .filter_map(|p| {
            let version = fs::read_to_string(p.join(READY)).ok()?;
            Some(Kernel {
                version: version.trim().to_string(),
                root: p,
            })
        })
        .collect();
    found.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(found.pop())
}

/// `linux-image-amd64` is a meta package: its dependency names the real image.
fn image_package() -> Result<String> {
    for attempt in 0..2 {
        // Debian's meta package, then Ubuntu's.
        let out = Command::new("apt-cache")
            .args(["depends", "linux-image-amd64", "linux-image-generic"])
            .output()
            .context("running apt-cache (the lab needs Debian or Ubuntu)")?;
        let text = String::from_utf8_lossy(&out.stdout);
        if let Some(name) = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Depends: "))
            .find(|n| n.starts_with("linux-image-") && !n.contains('<'))
        {
            return Ok(name.trim().to_string());
        }
        if attempt == 0 {
            run(Command::new("apt-get").args(["update", "-qq"]))?;
        }
    }
    bail!("apt knows no linux-image-amd64 package: is this Debian or Ubuntu on amd64?")
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{:?} failed ({status})", cmd);
    }
    Ok(())
}
