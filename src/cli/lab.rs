//! `lvsdeck lab`: a throwaway director VM with the real kernel IPVS (see [`crate::lab`]).

use std::process::ExitCode;

pub use crate::lab::LabOptions as Options;

/// Boots the VM and waits for it (the lab runs qemu as a child; nothing else shares this
/// runtime meanwhile).
pub async fn run(opts: Options) -> anyhow::Result<ExitCode> {
    let code = tokio::task::spawn_blocking(move || crate::lab::main(&opts)).await??;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}
