//! The throwaway director VM: Debian's kernel with real IPVS under qemu, for machines (like
//! ours) whose kernel has none. `lvsdeck lab` opens its console; `lvsdeck lab --run SCRIPT`
//! runs a scenario there without a terminal, prints its output and exits with its status —
//! the integration tests stand on that. `--pair` makes it two directors (`pair/`): network
//! namespaces A and B in the one VM, each with its own IPVS table and `lvsdeck daemon`,
//! direct-routing real servers and a client on a bridge.

pub mod cpio;
pub mod flow;
pub mod host;
pub mod initramfs;
pub mod kernel;
pub mod vm;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// What the user asked of the lab.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// Run this script and exit with its status, instead of opening a console.
    pub run: Option<PathBuf>,
    /// Host files to copy into the VM's /opt/bin.
    pub files: Vec<PathBuf>,
    /// Seed the demo table and traffic (default: on for the console, off for `--run`).
    pub demo: Option<bool>,
    /// The director pair (`pair/`): namespaces A and B with `lvsdeck daemon`, real servers
    /// and a client on a bridge, brought up before the console or the scenario.
    pub pair: bool,
    pub mem_mb: u32,
    pub timeout: Duration,
    /// Progress lines on stderr.
    pub quiet: bool,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            run: None,
            files: Vec::new(),
            demo: None,
            pair: false,
            mem_mb: 1024,
            timeout: Duration::from_secs(900),
            quiet: false,
        }
    }
}

/// Runs the lab; returns the process exit code.
pub fn main(opts: &LabOptions) -> Result<i32> {
    let t0 = Instant::now();
    let quiet = opts.quiet;
    let progress = move |msg: &str| {
        if !quiet {
            eprintln!("lab: {msg}");
        }
    };
    host::ensure_packages(&progress)?;
    let cache = host::cache_dir();
    let kernel = kernel::ensure(&cache, &progress)?;
    let scenario = match &opts.run {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("reading scenario {}", p.display()))?,
        ),
        None => None,
    };
    let contents = initramfs::Contents {
        files: opts.files.clone(),
        scenario,
    };
    let tmp = std::env::temp_dir().join(format!("lvsdeck-lab-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let initrd = tmp.join("initrd.cpio");
    let built = initramfs::build(&kernel, &contents, &initrd);
    let result = built.and_then(|(entries, bytes)| {
        // The kernel unpacks the archive into RAM next to its own copy of it; in a 1 GiB VM
        // a 336 MB archive failed midway ("Initramfs unpacking failed") and the files sorted
        // last were silently missing, while about 320 MB still unpacked. A quarter of the
        // memory keeps a margin below that edge.
        let fits = u64::from(opts.mem_mb) * 1024 * 1024 / 4;
        if bytes > fits {
            bail!(
                "the initramfs is {:.0} MB, more than a {} MiB VM can unpack: give the VM more \
                 memory (--mem) or fewer or smaller --file binaries",
                bytes as f64 / 1e6,
                opts.mem_mb
            );
        }
        progress(&format!(
            "kernel {}, initramfs {} entries {:.1} MB, built in {:.1}s; booting (software emulation)",
            kernel.version,
            entries,
            bytes as f64 / 1e6,
            t0.elapsed().as_secs_f64()
        ));
        boot(opts, &kernel, &initrd, &progress)
    });
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn boot(
    opts: &LabOptions,
    kernel: &kernel::Kernel,
    initrd: &std::path::Path,
    progress: &dyn Fn(&str),
) -> Result<i32> {
    let mut b = vm::Boot {
        kernel: kernel.clone(),
        initrd: initrd.to_path_buf(),
        mem_mb: opts.mem_mb,
        append: String::new(),
    };
    if opts.run.is_some() {
        b.append = format!(
            "lvsdeck.mode=run lvsdeck.demo={} lvsdeck.pair={}",
            u8::from(opts.demo == Some(true) && !opts.pair),
            u8::from(opts.pair)
        );
        let mut stdout = std::io::stdout();
        let out = vm::run(&b, opts.timeout, &mut stdout)?;
        match out.status {
            Some(code) => {
                progress(&format!(
                    "booted in {:.1}s; scenario exited {code}",
                    out.boot_secs
                ));
                Ok(code)
            }
            None => {
                for l in &out.tail {
                    eprintln!("lab| {l}");
                }
                bail!(
                    "the VM did not finish the scenario within {}s (last console lines above)",
                    opts.timeout.as_secs()
                )
            }
        }
    } else {
        let (rows, cols) = vm::terminal_size().unwrap_or((24, 80));
        let term = std::env::var("TERM").unwrap_or_else(|_| "vt100".into());
        b.append = format!(
            "lvsdeck.mode=console lvsdeck.demo={} lvsdeck.pair={} lvsdeck.rows={rows} lvsdeck.cols={cols} lvsdeck.term={term}",
            u8::from(opts.demo != Some(false) && !opts.pair),
            u8::from(opts.pair)
        );
        progress("the console is the VM's serial line; Ctrl-A X kills the VM");
        vm::interactive(&b)
    }
}
