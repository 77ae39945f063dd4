//! `lvsdeck man DIR`: the manual pages, generated from the command-line definitions so they
//! cannot drift from them — `lvsdeck(8)` and one page per subcommand from clap's, and
//! `lvsdeck-adm(8)` from the rule language's own option table with the descriptions
//! `lvsdeck adm -h` prints (ipvsadm's). Packaging runs it at build time.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Arg, ArgAction, Command, CommandFactory};

use crate::adm::help::{option_help, version_line, USAGE};
use crate::rules::option_names;

/// Every page: file name (`lvsdeck-daemon.8`) and its roff text.
pub fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let top = super::args::Cli::command();
    let mut out = vec![("lvsdeck.8".to_string(), render(top.clone())?)];
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("lvsdeck-{}", sub.get_name());
        let page = if sub.get_name() == "adm" {
            adm_command()
        } else {
            sub.clone()
                .name(name.clone())
                .bin_name(format!("lvsdeck {}", sub.get_name()))
        };
        out.push((format!("{name}.8"), render(page)?));
    }
    Ok(out)
}

fn render(cmd: Command) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .section("8")
        .manual("lvsdeck")
        .render(&mut buf)
        .context("rendering a manual page")?;
    Ok(buf)
}

/// `lvsdeck adm` as clap would describe it: ipvsadm's usage forms and every option the rule
/// language reads, each with the description ipvsadm's `-h` gives.
pub fn adm_command() -> Command {
    let usage: Vec<String> = USAGE.iter().map(|u| format!("lvsdeck adm {u}")).collect();
    let mut cmd = Command::new("lvsdeck-adm")
        .bin_name("lvsdeck adm")
        .version(env!("CARGO_PKG_VERSION"))
        .about("a drop-in ipvsadm 1.31 on lvsdeck's own IPVS client")
        .long_about(format!(
            "lvsdeck adm reads ipvsadm 1.31's command line with lvsdeck's rule language and \
             applies it through lvsdeck's netlink client; listing and save output is \
             ipvsadm's byte for byte, and so are its messages and exit codes. Installed or \
             linked under the name ipvsadm, the lvsdeck binary behaves as lvsdeck adm. \
             Its -v prints: {}",
            version_line().trim_end()
        ))
        .override_usage(usage.join("\n       "))
        .disable_help_flag(true)
        .disable_version_flag(true);
    let mut seen: Vec<&str> = Vec::new();
    for o in option_names() {
        // `--list` is `-L` and `-l`: the second short form is an alias of the first.
        if seen.contains(&o.long) {
            if let Some(c) = o.short {
                cmd = cmd.mut_arg(o.long, |a| a.short_alias(c));
            }
            continue;
        }
        seen.push(o.long);
        let mut arg = Arg::new(o.long)
            .long(o.long)
            .help(option_help(o.long).unwrap_or_default());
        if let Some(c) = o.short {
            arg = arg.short(c);
        }
        arg = match o.value {
            None => arg.action(ArgAction::SetTrue),
            Some(true) => arg.num_args(1),
            Some(false) => arg.num_args(0..=1),
        };
        cmd = cmd.arg(arg);
    }
    cmd
}

/// Writes every page into `dir` (created if missing).
pub async fn run(dir: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in pages()? {
        let path = dir.join(&name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
