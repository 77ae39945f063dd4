//! `lvsdeck adm ARGS…`: one ipvsadm 1.31 command line run through lvsdeck's own client.
//!
//! Exit codes follow ipvsadm: 0 on success, 2 for a command line it refuses, 1 for a listing
//! of a missing service, 255 when the kernel refuses a change. Unlike ipvsadm, a restore
//! (`-R`) is checked whole before anything is applied and is applied all-or-nothing.

use std::io::{self, BufRead, BufWriter, Write};

use crate::adm::resolver::SystemResolver;
use crate::ipvs::batch::apply_atomically;
use crate::ipvs::conn::read_conns;
use crate::ipvs::error::IpvsError;
use crate::ipvs::netlink::Client;
use crate::ipvs::{Connection, Op};
use crate::rules::{self, Command, ListOptions};

use super::names::{NoNames, ReverseNames, SystemNames};
use super::{
    connection_rows, connections_title, help, list_daemons, list_table, list_timeouts, save,
    version_line,
};

const CONN_FILE: &str = "/proc/net/ip_vs_conn";

/// Runs `program ARGS…` (program is argv[0], shown in messages); returns the exit code.
pub async fn run(program: &str, args: &[String]) -> i32 {
    let cmd = if args.is_empty() {
        Command::List(ListOptions::default())
    } else {
        match rules::parse(args, &SystemResolver) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}", e.message_for(program));
                return e.exit_code();
            }
        }
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let code = match cmd {
        Command::Help => write_out(&mut out, &help(program, &version_line())),
        Command::Version => write_out(&mut out, &format!("{}\n", version_line())),
        Command::Restore => restore(program).await,
        other => match connect().await {
            Err(e) => {
                eprintln!("{e}");
                2
            }
            Ok(client) => execute(&client, other, &mut out).await,
        },
    };
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("{program}: writing output: {e}");
            1
        }
        _ => code,
    }
}

async fn execute(client: &Client, cmd: Command, out: &mut impl Write) -> i32 {
    match cmd {
        Command::Change(op) => match client.apply(&op).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("{e}");
                255
            }
        },
        Command::List(opts) => list(client, &opts, out).await,
        Command::Save(opts) => match client.table().await {
            Ok(table) => write_out(out, &save(&table, &opts, resolver(&opts))),
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        // Handled before connecting.
        Command::Help | Command::Version | Command::Restore => 0,
    }
}

fn resolver(opts: &ListOptions) -> &'static dyn ReverseNames {
    if opts.numeric {
        &NoNames
    } else {
        &SystemNames
    }
}

async fn list(client: &Client, opts: &ListOptions, out: &mut impl Write) -> i32 {
    if opts.connections {
        return list_connections(opts, out);
    }
    if opts.timeout {
        return match client.timeouts().await {
            Ok(t) => write_out(out, &list_timeouts(&t)),
            Err(e) => fail(e, 1),
        };
    }
    if opts.daemon {
        return match client.daemons().await {
            Ok(d) => write_out(out, &list_daemons(&d)),
            Err(e) => fail(e, 1),
        };
    }
    let info = match client.info().await {
        Ok(i) => i,
        Err(e) => return fail(e, 1),
    };
    let table = match &opts.service {
        // One service: read only it, as ipvsadm does.
        Some(key) => match client.service(key).await {
            Ok(service) => match client.dests(key).await {
                Ok(dests) => vec![crate::ipvs::ServiceEntry { service, dests }],
                Err(e) => return fail(e, 1),
            },
            Err(e) => return fail(e, 1),
        },
        None => match client.table().await {
            Ok(t) => t,
            Err(e) => return fail(e, 1),
        },
    };
    match list_table(&table, &info, opts, resolver(opts)) {
        Ok(text) => write_out(out, &text),
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Prints the connection table as it is read, in batches, so a huge one streams.
fn list_connections(opts: &ListOptions, out: &mut impl Write) -> i32 {
    let lines = match read_conns(std::path::Path::new(CONN_FILE)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if let Err(code) = write_part(out, connections_title(opts)) {
        return code;
    }
    let mut batch: Vec<Connection> = Vec::with_capacity(4096);
    for item in lines {
        match item {
            Ok(c) => batch.push(c),
            Err(e) => eprintln!("{CONN_FILE}: {e}"),
        }
        if batch.len() == batch.capacity() {
            if let Err(code) = write_part(out, &connection_rows(&batch, opts, resolver(opts))) {
                return code;
            }
            batch.clear();
        }
    }
    write_out(out, &connection_rows(&batch, opts, resolver(opts)))
}

/// `-R`: every line of standard input is parsed first (a bad line changes nothing and is named
/// by number), then all changes are applied pipelined and rolled back if the kernel refuses one.
async fn restore(program: &str) -> i32 {
    let mut ops: Vec<Op> = Vec::new();
    let mut line_of: Vec<usize> = Vec::new();
    for (i, line) in io::stdin().lock().lines().enumerate() {
        let n = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{program}: reading standard input: {e}");
                return 2;
            }
        };
        match rules::parse_line(&line, &SystemResolver) {
            Ok(None) => {}
            Ok(Some(Command::Change(op))) => {
                ops.push(op);
                line_of.push(n);
            }
            Ok(Some(_)) => {
                eprintln!("{program}: line {n}: only changes can be restored: {line}");
                return 2;
            }
            Err(e) => {
                eprintln!("{program}: line {n}: {}", e.message_for(program));
                return e.exit_code();
            }
        }
    }
    if ops.is_empty() {
        return 0;
    }
    let client = match connect().await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    match apply_atomically(&client, &ops).await {
        Ok(()) => 0,
        Err(e) => {
            let n = line_of.get(e.index).copied().unwrap_or(0);
            eprintln!("{program}: line {n}: {e}");
            match e.rollback {
                Ok(()) => eprintln!(
                    "{program}: nothing was changed (the {} earlier changes were rolled back)",
                    e.index
                ),
                Err(_) => eprintln!("{program}: the table may be partly changed"),
            }
            255
        }
    }
}

/// Connects; like ipvsadm, loads the ip_vs module once if the family is missing.
async fn connect() -> Result<Client, IpvsError> {
    match Client::connect().await {
        Err(IpvsError::NotLoaded { .. }) => {
            let loaded = tokio::process::Command::new("modprobe")
                .args(["-q", "ip_vs"])
                .status()
                .await
                .is_ok_and(|s| s.success());
            if loaded {
                Client::connect().await
            } else {
                Err(IpvsError::NotLoaded { errno: None })
            }
        }
        other => other,
    }
}

fn fail(e: impl std::fmt::Display, code: i32) -> i32 {
    eprintln!("{e}");
    code
}

/// One part of a streamed listing: `Err(code)` means stop reading (the reader went away, as
/// with `| head`, code 0; or writing failed, code 1).
fn write_part(out: &mut impl Write, text: &str) -> Result<(), i32> {
    match out.write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(0),
        Err(e) => {
            eprintln!("writing output: {e}");
            Err(1)
        }
    }
}

/// Writes, treating a closed pipe (`| head`) as the reader being done, not as an error.
fn write_out(out: &mut impl Write, text: &str) -> i32 {
    write_part(out, text).err().unwrap_or(0)
}
