//! `lvsdeck` with no subcommand: the console (see [`crate::tui`]).

use std::process::ExitCode;

pub use crate::tui::edge::run::Options;

pub async fn run(opts: Options) -> anyhow::Result<ExitCode> {
    let code = crate::tui::edge::run::run(&opts).await?;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

/// `--print-keymap`: the effective bindings as a loadable TOML file.
pub async fn print_keymap(spec: &str) -> anyhow::Result<ExitCode> {
    let code = crate::tui::edge::run::print_keymap(spec)?;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}
