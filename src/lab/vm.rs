//! qemu under software emulation: no network card, the serial line is the only way in or out.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::kernel::Kernel;

const BEGIN: &str = "===LAB-BEGIN===";
const END: &str = "===LAB-END rc=";

/// One boot of the director.
pub struct Boot {
    pub kernel: Kernel,
    pub initrd: PathBuf,
    pub mem_mb: u32,
    /// Extra kernel command line (`lvsdeck.mode=...` and friends).
    pub append: String,
}

impl Boot {
    fn command(&self) -> Command {
        let mut c = Command::new("qemu-system-x86_64");
        c.args(["-accel", "tcg", "-smp", "1", "-nic", "none", "-nographic"])
            .args(["-no-reboot", "-m", &self.mem_mb.to_string()])
            .arg("-kernel")
            .arg(self.kernel.vmlinuz())
            .arg("-initrd")
            .arg(&self.initrd)
            .arg("-append")
            .arg(format!(
                "console=ttyS0 quiet loglevel=1 panic=-1 {}",
                self.append
            ));
        c
    }
}

/// What a scenario printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    /// The scenario's exit status; `None` if the VM never reported one (timeout or crash).
    pub status: Option<i32>,
    pub output: String,
    /// Seconds from qemu's start to the scenario's first line.
    pub boot_secs: f64,
    /// The serial console's last lines, for diagnosing a VM that did not finish.
    pub tail: Vec<String>,
}

/// Boots, streams the scenario's output to `echo` as it arrives, and returns when the VM
/// powers off or `timeout` passes (then qemu is killed).
pub fn run(boot: &Boot, timeout: Duration, echo: &mut dyn Write) -> Result<Outcome> {
    let start = Instant::now();
    let mut child = boot
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting qemu-system-x86_64")?;
    let stdout = child.stdout.take().context("qemu has no stdout")?;
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf)
                        .trim_end_matches(['\n', '\r'])
                        .replace('\r', "");
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut out = Outcome {
        status: None,
        output: String::new(),
        boot_secs: 0.0,
        tail: Vec::new(),
    };
    let mut inside = false;
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            let _ = child.kill();
            break;
        }
        match rx.recv_timeout(left) {
            Ok(line) => {
                out.tail.push(line.clone());
                if out.tail.len() > 40 {
                    out.tail.remove(0);
                }
                if !inside {
                    if line.contains(BEGIN) {
                        inside = true;
                        out.boot_secs = start.elapsed().as_secs_f64();
                    }
                } else if let Some(rest) = line.find(END).map(|i| &line[i + END.len()..]) {
                    out.status = rest.trim_end_matches('=').parse().ok();
                    inside = false;
                } else {
                    out.output.push_str(&line);
                    out.output.push('\n');
                    let _ = writeln!(echo, "{line}");
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.wait();
    let _ = reader.join();
    Ok(out)
}

/// Boots with the user's terminal as the director's console; returns qemu's exit code.
pub fn interactive(boot: &Boot) -> Result<i32> {
    let status = boot
        .command()
        .status()
        .context("starting qemu-system-x86_64")?;
    Ok(status.code().unwrap_or(1))
}

/// The terminal's size, to set on the serial console (resizes do not travel over it).
pub fn terminal_size() -> Option<(u16, u16)> {
    crate::linux::sys::terminal_size()
}
