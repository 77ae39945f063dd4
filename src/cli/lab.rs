//! `lvsdeck lab`: a throwaway director VM with the real kernel IPVS (see [`crate::lab`]).

use std::process::ExitCode;

pub use crate::lab::LabOptions as Options;

/// Boots the VM and waits for it (the lab runs qemu as a child; nothing else shares this
/// runtime meanwhile).
pub async fn run(opts: Options) -> anyhow::Result<ExitCode> {
    let code = tokio::task::spawn_blocking(move || crate::lab::main(&opts)).await??;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

/// `lvsdeck lab-flow`: the lab's test traffic, in threads of its own (see
/// [`crate::lab::flow`]).
pub async fn flow(cmd: crate::lab::flow::Command) -> anyhow::Result<ExitCode> {
    let code = tokio::task::spawn_blocking(move || crate::lab::flow::main(&cmd)).await??;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}
