//! `lvsdeck adm ...`: a drop-in ipvsadm 1.31 (see [`crate::adm`]).

use std::process::ExitCode;

/// `program` is the name ipvsadm's messages start with.
pub async fn run(program: &str, args: &[String]) -> anyhow::Result<ExitCode> {
    let code = crate::adm::exec::run(program, args).await;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}
