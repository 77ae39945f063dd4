//! Entry point: one tokio runtime, then the subcommand's `run` ([`lvsdeck::cli`]); wiring
//! only.

use std::process::ExitCode;

use clap::Parser;
use lvsdeck::cli;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lvsdeck: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    // Called through a link named ipvsadm, or as `lvsdeck adm`: a drop-in ipvsadm. Its
    // command line is ipvsadm's, parsed by the rule language, not by clap.
    let invoked_as = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().to_string());
    let result = if invoked_as.as_deref() == Some("ipvsadm") {
        rt.block_on(cli::adm::run(&argv[0], &argv[1..]))
    } else if argv.get(1).map(String::as_str) == Some("adm") {
        rt.block_on(cli::adm::run("lvsdeck adm", &argv[2..]))
    } else {
        rt.block_on(cli::args::run(cli::args::Cli::parse()))
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lvsdeck: {e:#}");
            ExitCode::from(1)
        }
    }
}
