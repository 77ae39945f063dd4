//! `lvsdeck reconcile -f FILE [--dry-run]`: one reconciliation from the command line.
//! A configuration with errors is reported (file:line) before the kernel is touched.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::ipvs::batch::apply_atomically;
use crate::ipvs::netlink::Client;

use crate::engine::ipvs::desired::duplicates;
use crate::engine::ipvs::reconcile::{DriftPolicy, Reconciler, Scope};
use crate::engine::ipvs::reconciler::log_ops;
use crate::engine::ipvs::state_file;

pub struct Options {
    pub file: PathBuf,
    pub dry_run: bool,
    /// Where the owned table is kept between runs.
    pub state: PathBuf,
}

/// Exit status 0 when the table is (or would be made) converged; 1 on config errors or
/// when the kernel refused the plan (rolled back).
pub async fn run(opts: Options) -> Result<ExitCode> {
    // The audit log (one ipvsadm line per op) goes to stderr; RUST_LOG overrides the level.
    super::init_tracing();
    let loaded = crate::config::load(&opts.file)
        .with_context(|| format!("reading {}", opts.file.display()))?;
    for d in &loaded.diagnostics.items {
        eprintln!("{d}");
    }
    let services = loaded.config.ipvs_services();
    let dups = duplicates(&services);
    for d in &dups {
        eprintln!("{d}");
    }
    if !loaded.is_ok() || !dups.is_empty() {
        eprintln!(
            "lvsdeck: {}: configuration has errors; the IPVS table was not changed",
            opts.file.display()
        );
        return Ok(ExitCode::from(1));
    }
    let applied = state_file::load(&opts.state)?;
    let rec = Reconciler::new(services, DriftPolicy::Reconcile).resume(applied);
    converge(rec, &opts).await.map(ExitCode::from)
}

async fn converge(mut rec: Reconciler, opts: &Options) -> Result<u8> {
    let client = Client::connect().await?;
    let kernel = client.table().await?;
    let drift = rec.drift(&kernel);
    for item in &drift.items {
        // `#` lines: the output stays valid `ipvsadm -R` input.
        println!("# {item}");
    }
    let ops = rec.plan(&kernel, Scope::All);
    if opts.dry_run {
        for op in &ops {
            println!("{op}");
        }
        return Ok(0);
    }
    if let Err(e) = apply_atomically(&client, &ops).await {
        let undone = if e.rollback.is_ok() {
            "; the table is as it was"
        } else {
            ""
        };
        eprintln!("lvsdeck: ipvsadm {}: {e}{undone}", e.op);
        return Ok(1);
    }
    log_ops(&ops);
    for op in &ops {
        println!("{op}");
    }
    rec.committed(Scope::All);
    save_state(&opts.state, &rec)?;
    Ok(0)
}

fn save_state(path: &Path, rec: &Reconciler) -> Result<()> {
    state_file::save(path, rec.applied())
}
