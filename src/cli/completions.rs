//! `lvsdeck completions SHELL`: the shell's completion script on stdout, generated from the
//! command-line definition (`source <(lvsdeck completions bash)`, or install it where the
//! shell looks: /usr/share/bash-completion/completions/lvsdeck, fish's vendor_completions.d,
//! zsh's site-functions as `_lvsdeck`).

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

pub async fn run(shell: Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = super::args::Cli::command();
    clap_complete::generate(shell, &mut cmd, "lvsdeck", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
