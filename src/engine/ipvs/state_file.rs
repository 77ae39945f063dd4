//! What lvsdeck last made the owned services, kept between runs of `lvsdeck reconcile` as
//! `ipvsadm -S -n` lines (readable, and `ipvsadm -R` can replay it). The default place is
//! under /run: it vanishes on reboot, as the kernel table does.

use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::ipvs::{Dest, Op, Service, ServiceEntry, Stats};
use crate::rules::{op_line, parse_line, Command, NoResolver, Numeric, SaveFormat};

pub const DEFAULT_PATH: &str = "/run/lvsdeck/reconcile.rules";

/// Thresholds are written too (`-x`/`-y`): without them a reloaded table would differ.
const FORMAT: SaveFormat<'static> = SaveFormat {
    names: &Numeric,
    keep_thresholds: true,
};

/// The table as `-A`/`-a` lines, one service after another.
pub fn render(table: &[ServiceEntry]) -> String {
    let mut out = String::from("# lvsdeck reconcile: the services it owns, as it last made them\n");
    for e in table {
        let svc = Op::AddService(e.service.config.clone());
        out.push_str(&format!("{}\n", op_line(&svc, FORMAT)));
        for d in &e.dests {
            let dest = Op::AddDest(e.service.config.key, d.config.clone());
            out.push_str(&format!("{}\n", op_line(&dest, FORMAT)));
        }
    }
    out
}

/// Reads what [`render`] wrote. Anything else in the file is an error naming the line.
pub fn parse(text: &str, name: &Path) -> Result<Vec<ServiceEntry>> {
    let mut table: Vec<ServiceEntry> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = || format!("{}:{}", name.display(), n + 1);
        let cmd = parse_line(line, &NoResolver).with_context(at)?;
        match cmd {
            None => {}
            Some(Command::Change(Op::AddService(config))) => table.push(ServiceEntry {
                service: Service {
                    config,
                    stats: Stats::default(),
                },
                dests: Vec::new(),
            }),
            Some(Command::Change(Op::AddDest(key, config))) => {
                let Some(e) = table.iter_mut().find(|e| e.service.config.key == key) else {
                    bail!("{}: real server of a service not listed before it", at());
                };
                e.dests.push(Dest {
                    config,
                    active_conns: 0,
                    inact_conns: 0,
                    persist_conns: 0,
                    stats: Stats::default(),
                });
            }
            Some(_) => bail!("{}: only -A and -a lines belong here", at()),
        }
    }
    Ok(table)
}

/// The saved table, or an empty one when there is no file yet.
pub fn load(path: &Path) -> Result<Vec<ServiceEntry>> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes the table (via a temporary file and a rename, so a crash leaves the old one).
pub fn save(path: &Path, table: &[ServiceEntry]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, render(table)).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
