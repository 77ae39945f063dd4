//! The subcommands, one file each: `run(opts) -> anyhow::Result<ExitCode>`, async on the one
//! runtime `main` builds. They print what an operator must read and turn errors into exit
//! codes; the work is in the library's modules.

pub mod adm;
pub mod args;
pub mod completions;
pub mod console;
pub mod control;
pub mod daemon;
pub mod lab;
pub mod man;
pub mod reconcile;
pub mod serve;
pub mod validate;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`); colours only on a terminal.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
}
