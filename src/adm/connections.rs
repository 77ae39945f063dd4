//! `ipvsadm -L -c`: the connection table as ipvsadm 1.31 prints it.

use std::fmt::Write as _;

use super::names::{Naming, ReverseNames};
use crate::ipvs::{Connection, Protocol};
use crate::rules::ListOptions;

/// Title and one row per connection, in the order given (ipvsadm does not sort them).
/// With `--persistent-conn`, the title gains `pe name`/`pe_data` columns and rows that carry
/// persistence-engine data print it (ipvsadm prints them only when the kernel line has both).
pub fn list_connections(
    conns: &[Connection],
    opts: &ListOptions,
    resolver: &dyn ReverseNames,
) -> String {
    let mut out = connections_title(opts).to_string();
    out.push_str(&connection_rows(conns, opts, resolver));
    out
}

/// The two title lines of `-L -c`, printed once before rows that may come in batches.
pub fn connections_title(opts: &ListOptions) -> &'static str {
    if opts.persistent_conn {
        "IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n"
    } else {
        "IPVS connection entries\npro expire state       source             virtual            destination\n"
    }
}

/// The rows of `-L -c` for one batch of connections (a huge table is printed as it is read).
pub fn connection_rows(
    conns: &[Connection],
    opts: &ListOptions,
    resolver: &dyn ReverseNames,
) -> String {
    let naming = Naming::new(opts.numeric, resolver);
    let mut out = String::new();
    for c in conns {
        write_row(&mut out, c, opts.persistent_conn, naming);
    }
    out
}

/// The protocol whose service names apply to a connection's ports (none for `IP`).
fn protocol_of(name: &str) -> Option<Protocol> {
    match name {
        "TCP" => Some(Protocol::Tcp),
        "UDP" => Some(Protocol::Udp),
        "SCTP" => Some(Protocol::Sctp),
        _ => None,
    }
}

/// Expiry as `MM:SS`; minutes grow past two digits rather than rolling into hours.
pub fn expire_text(seconds: u32) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

fn write_row(out: &mut String, c: &Connection, persistent_conn: bool, naming: Naming) {
    let proto = protocol_of(&c.protocol);
    let client = naming.addr_port(&c.client_addr, c.client_port, proto);
    let virt = naming.addr_port(&c.virtual_addr, c.virtual_port, proto);
    let dest = naming.addr_port(&c.dest_addr, c.dest_port, proto);
    let expire = expire_text(c.expires);
    let _ = match (persistent_conn, &c.pe_name, &c.pe_data) {
        (true, Some(pe_name), Some(pe_data)) => writeln!(
            out,
            "{:<3} {:<6} {:<11} {:<18} {:<18} {:<16} {:<18} {}",
            c.protocol, expire, c.state, client, virt, dest, pe_name, pe_data
        ),
        _ => writeln!(
            out,
            "{:<3} {:<6} {:<11} {:<18} {:<18} {}",
            c.protocol, expire, c.state, client, virt, dest
        ),
    };
}

#[cfg(test)]
mod tests {
    use super::expire_text;

    #[test]
    fn expiry_keeps_counting_minutes() {
        assert_eq!(expire_text(0), "00:00");
        assert_eq!(expire_text(59), "00:59");
        assert_eq!(expire_text(116), "01:56");
        assert_eq!(expire_text(900), "15:00");
        assert_eq!(expire_text(6000), "100:00");
    }
}
