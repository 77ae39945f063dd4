//! The command line: clap's definition of every subcommand and option, and the dispatch
//! to each subcommand's `run`. `ipvsadm`-style invocations never come here: their command
//! line is ipvsadm's, read by the rule language.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::cli;

/// keepalived's own default path: the file operators already have on a director.
pub const DEFAULT_CONFIG: &str = "/etc/keepalived/keepalived.conf";

#[derive(Parser)]
#[command(
    name = "lvsdeck",
    version,
    about = "A terminal console for Linux IPVS directors"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Subcmd>,
    /// Console: seconds between table reads.
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS", value_parser = parse_interval)]
    pub interval: f64,
    /// Console theme: dark, light, high-contrast, or a TOML file (NO_COLOR is honoured).
    #[arg(long, default_value = "dark", value_name = "NAME|PATH")]
    pub theme: String,
    /// Console keymap: default, vim, or a TOML file laid over the default.
    #[arg(long, default_value = "default", value_name = "NAME|PATH")]
    pub keymap: String,
    /// Console: refuse every change (the header says so).
    #[arg(long)]
    pub read_only: bool,
    /// Console: where applied changes are logged as replayable ipvsadm lines
    /// (default $XDG_STATE_HOME/lvsdeck/audit.log or ~/.local/state/lvsdeck/audit.log).
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Console: run this keepalived.conf's VRRP instances inside the console (the `v` panel,
    /// failover drills); quitting stops them.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Console without -f: the control socket of a running `lvsdeck daemon` to attach to
    /// when it answers (health markers, drains through the daemon).
    #[arg(long, value_name = "PATH", default_value = crate::engine::control::DEFAULT_PATH)]
    pub control: PathBuf,
    /// Console: another director to show, reached with the system ssh client as
    /// `ssh -T -o BatchMode=yes DEST lvsdeck serve --stdio` (repeatable; your ~/.ssh/config,
    /// agent, known_hosts and jump hosts apply; LVSDECK_SSH_COMMAND replaces `ssh`, as
    /// GIT_SSH_COMMAND does for git). The remote needs lvsdeck on the session's PATH.
    #[arg(long = "peer", value_name = "DEST")]
    pub peers: Vec<String>,
    /// Console: a peer reached by this command instead (run by `sh -c`; it must speak
    /// `lvsdeck serve --stdio` on its stdin/stdout), e.g.
    /// 'ip netns exec B lvsdeck serve --stdio' (repeatable).
    #[arg(long = "peer-command", value_name = "CMD")]
    pub peer_commands: Vec<String>,
    /// Serve Prometheus/OpenMetrics text at http://ADDR/metrics (the kernel table and the
    /// sync daemons; e.g. 127.0.0.1:9739 or [::1]:9739).
    #[arg(long, value_name = "ADDR", value_parser = crate::metrics::edge::parse_addr)]
    pub metrics: Option<std::net::SocketAddr>,
    /// Print the effective keymap as TOML and exit.
    #[arg(long)]
    pub print_keymap: bool,
}

fn parse_interval(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.1..=3600.0).contains(&v) => Ok(v),
        _ => Err("a number of seconds from 0.1 to 3600".into()),
    }
}

#[derive(Subcommand)]
pub enum Subcmd {
    /// Run an ipvsadm 1.31 command line (`lvsdeck adm -Ln --stats`); see `lvsdeck adm -h`.
    #[command(disable_help_flag = true)]
    Adm {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Boot a throwaway director VM with the real kernel IPVS and open its console.
    Lab {
        /// Run this shell script in the VM instead, print its output, exit with its status.
        #[arg(long, value_name = "SCRIPT")]
        run: Option<PathBuf>,
        /// Copy a host file into the VM's /opt/bin (repeatable).
        #[arg(long = "file", short = 'f', value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Seed the demo table and traffic (default for the console).
        #[arg(long, conflicts_with = "no_demo")]
        demo: bool,
        /// Start with an empty IPVS table.
        #[arg(long)]
        no_demo: bool,
        /// Two directors instead of one: namespaces A and B running `lvsdeck daemon` with
        /// VRRP, health checks and connection sync, direct-routing real servers and a client
        /// on a bridge; the console opens on A (see /lab/pair/ in the VM).
        #[arg(long, conflicts_with_all = ["demo", "no_demo"])]
        pair: bool,
        /// VM memory in MiB.
        #[arg(long, default_value_t = 1024)]
        mem: u32,
        /// Give up on a scenario after this many seconds.
        #[arg(long, default_value_t = 900)]
        timeout: u64,
        /// No progress lines on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the VRRP instances, health checkers and virtual servers of a keepalived.conf in
    /// the foreground (for systemd). SIGTERM removes the virtual servers it configured.
    Daemon {
        /// The configuration file (includes are followed); SIGHUP re-reads it.
        #[arg(short = 'f', long = "file", value_name = "FILE", default_value = DEFAULT_CONFIG)]
        file: PathBuf,
        /// Leave the IPVS table as it is on stop (keepalived's -I).
        #[arg(short = 'I', long = "dont-release-ipvs")]
        dont_release_ipvs: bool,
        /// Leave VRRP as it is on stop: no priority-0 advert, VIPs stay (keepalived's -V).
        #[arg(short = 'V', long = "dont-release-vrrp")]
        dont_release_vrrp: bool,
        /// The control socket (status, drain/undrain, drift) for `lvsdeck control` and an
        /// attached console; mode 0600, removed on exit.
        #[arg(long, value_name = "PATH", default_value = crate::engine::control::DEFAULT_PATH)]
        control: PathBuf,
        /// Serve Prometheus/OpenMetrics text at http://ADDR/metrics: the kernel table, VRRP,
        /// checkers, operator intent, drift, connection sync (e.g. 127.0.0.1:9739).
        #[arg(long, value_name = "ADDR", value_parser = crate::metrics::edge::parse_addr)]
        metrics: Option<std::net::SocketAddr>,
    },
    /// Ask a running daemon over its control socket: `status`, `drain|disable|undrain
    /// -t VIP:PORT -r RIP:PORT`, `reconcile|keep [ENTRY]`, the VRRP drills `give-up
    /// INSTANCE [--for 30s]` and `priority INSTANCE 1..254 [--for 30s]`, or a JSON request
    /// line.
    Control {
        /// The daemon's control socket.
        #[arg(long, value_name = "PATH", default_value = crate::engine::control::DEFAULT_PATH)]
        control: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        request: Vec<String>,
    },
    /// Check a keepalived.conf: errors and warnings with file:line, then what would run.
    Validate {
        /// The configuration file (includes are followed).
        #[arg(short = 'f', long = "file", value_name = "FILE", default_value = DEFAULT_CONFIG)]
        file: PathBuf,
    },
    /// Make the kernel's IPVS table match a keepalived.conf's virtual servers (only the
    /// services it declares, or declared on the last run, are touched).
    Reconcile {
        /// The configuration file (includes are followed).
        #[arg(short = 'f', long = "file", value_name = "FILE", default_value = DEFAULT_CONFIG)]
        file: PathBuf,
        /// Print the drift and the plan as ipvsadm lines; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Where the owned table is kept between runs.
        #[arg(long, value_name = "FILE", default_value = crate::engine::ipvs::state_file::DEFAULT_PATH)]
        state: PathBuf,
    },
    /// Serve this director's picture (kernel table and counters, sync daemons, connection
    /// origins, the daemon's VRRP, health and drift) as a stream for a peer's console, and
    /// carry out its requests; run by `lvsdeck --peer` over SSH.
    Serve {
        /// Speak on stdin and stdout (the only transport: nothing listens).
        #[arg(long, required = true)]
        stdio: bool,
        /// Refuse every change (requests and ipvsadm lines get an error reply).
        #[arg(long)]
        read_only: bool,
        /// The daemon's control socket (VRRP, health, drift, drains).
        #[arg(long, value_name = "PATH", default_value = crate::engine::control::DEFAULT_PATH)]
        control: PathBuf,
        /// Seconds between reads (a frame at least this often).
        #[arg(long, default_value_t = 1.0, value_name = "SECONDS", value_parser = parse_interval)]
        interval: f64,
        /// This director's audit log, where each change a peer asks for is recorded with
        /// who asked and from where (default as the console's).
        #[arg(long, value_name = "PATH")]
        audit_log: Option<PathBuf>,
    },
    /// Print the shell's completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The lab's bounded test traffic and stopwatch (used inside the lab VM).
    #[command(hide = true, name = "lab-flow", subcommand)]
    LabFlow(crate::lab::flow::Command),
    /// Write the manual pages (lvsdeck(8), one per subcommand, lvsdeck-adm(8)) into DIR.
    #[command(hide = true)]
    Man {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// Runs what the command line names.
pub async fn run(parsed: Cli) -> anyhow::Result<ExitCode> {
    match parsed.command {
        None => console(parsed).await,
        Some(cmd) => dispatch(cmd).await,
    }
}

async fn console(cli: Cli) -> anyhow::Result<ExitCode> {
    if cli.print_keymap {
        return cli::console::print_keymap(&cli.keymap).await;
    }
    // The console's endpoint: the kernel's table and sync daemons (no director here; a
    // daemon serves its own with `lvsdeck daemon --metrics`).
    let _metrics = match cli.metrics {
        Some(addr) => Some(
            crate::metrics::edge::bind(
                addr,
                crate::metrics::edge::Sources {
                    director: None,
                    kernel_sync: true,
                },
            )
            .await?,
        ),
        None => None,
    };
    cli::console::run(cli::console::Options {
        interval: Duration::from_secs_f64(cli.interval),
        theme: cli.theme,
        keymap: cli.keymap,
        read_only: cli.read_only,
        audit_log: cli.audit_log,
        vrrp_config: cli.file,
        control: cli.control,
        peers: peer_specs(&cli.peers, &cli.peer_commands, cli.interval),
    })
    .await
}

/// The peers as the transport takes them: `--peer DEST` over ssh (LVSDECK_SSH_COMMAND
/// instead of `ssh` when set), then each `--peer-command`, named by its first word that
/// looks like a host (`B` in `ip netns exec B ...`) or `peerN`.
fn peer_specs(
    dests: &[String],
    commands: &[String],
    interval: f64,
) -> Vec<crate::pair::edge::transport::PeerSpec> {
    use crate::pair::edge::transport::{PeerSpec, Route};
    let interval = Duration::from_secs_f64(interval);
    let ssh_command = std::env::var("LVSDECK_SSH_COMMAND")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let mut out: Vec<PeerSpec> = dests
        .iter()
        .map(|d| PeerSpec {
            name: d.clone(),
            route: Route::Ssh {
                dest: d.clone(),
                ssh_command: ssh_command.clone(),
            },
            interval,
        })
        .collect();
    for (i, c) in commands.iter().enumerate() {
        let mut name = crate::pair::edge::transport::command_name(c, i + 1);
        // Two peers by one name could not be told apart (nor named in `:NAME:`).
        let mut n = 2;
        while out.iter().any(|p| p.name == name) {
            name = format!(
                "{}#{n}",
                crate::pair::edge::transport::command_name(c, i + 1)
            );
            n += 1;
        }
        out.push(PeerSpec {
            name,
            route: Route::Command(c.clone()),
            interval,
        });
    }
    out
}

async fn dispatch(cmd: Subcmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Subcmd::Lab {
            run,
            files,
            demo,
            no_demo,
            pair,
            mem,
            timeout,
            quiet,
        } => {
            cli::lab::run(cli::lab::Options {
                run,
                files,
                demo: if demo {
                    Some(true)
                } else if no_demo {
                    Some(false)
                } else {
                    None
                },
                pair,
                mem_mb: mem,
                timeout: Duration::from_secs(timeout),
                quiet,
            })
            .await
        }
        Subcmd::Adm { args } => cli::adm::run("lvsdeck adm", &args).await,
        Subcmd::Validate { file } => cli::validate::run(&file).await,
        Subcmd::Reconcile {
            file,
            dry_run,
            state,
        } => {
            cli::reconcile::run(cli::reconcile::Options {
                file,
                dry_run,
                state,
            })
            .await
        }
        Subcmd::Daemon {
            file,
            control,
            dont_release_ipvs,
            dont_release_vrrp,
            metrics,
        } => {
            cli::daemon::run(cli::daemon::Options {
                file,
                control,
                metrics,
                dont_release_ipvs,
                dont_release_vrrp,
            })
            .await
        }
        Subcmd::Control { control, request } => cli::control::run(&control, &request).await,
        Subcmd::Serve {
            stdio: _,
            read_only,
            control,
            interval,
            audit_log,
        } => {
            cli::serve::run(cli::serve::Options {
                read_only,
                control,
                interval: Duration::from_secs_f64(interval),
                audit_log,
            })
            .await
        }
        Subcmd::Completions { shell } => cli::completions::run(shell).await,
        Subcmd::Man { dir } => cli::man::run(&dir).await,
        Subcmd::LabFlow(cmd) => cli::lab::flow(cmd).await,
    }
}
