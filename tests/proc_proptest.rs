//! Properties of the /proc parsers: no input makes them panic, and any line printed the way
//! the kernel prints it reads back to the values it was printed from.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lvsdeck::ipvs::conn::{parse_line, parse_sync_line, Origin};
use lvsdeck::ipvs::procfs::{parse_stats, parse_table};
use proptest::prelude::*;

/// `%08X` or `%pI6`, as `ip_vs_conn_seq_show` prints.
fn kernel_addr(a: &IpAddr) -> String {
    match a {
        IpAddr::V4(v4) => format!("{:08X}", u32::from(*v4)),
        IpAddr::V6(v6) => v6
            .segments()
            .iter()
            .map(|g| format!("{g:04x}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

fn any_addr() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<u32>().prop_map(|v| IpAddr::V4(Ipv4Addr::from(v))),
        any::<u128>().prop_map(|v| IpAddr::V6(Ipv6Addr::from(v))),
    ]
}

/// Columns of the kernel's line, mostly near the real alphabet so the parser gets deep.
fn near_line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[0-9A-Fa-f:]{0,40}",
            "(TCP|UDP|SCTP|IP|Pro|LOCAL|SYNC|sip)",
            "[ -~]{0,12}",
            "\\PC{0,8}",
            "[0-9]{1,25}",
        ],
        0..14,
    )
    .prop_map(|cols| cols.join(" "))
}

proptest! {
    #[test]
    fn conn_parsers_never_panic(line in "\\PC{0,200}") {
        let _ = parse_line(&line);
        let _ = parse_sync_line(&line);
    }

    #[test]
    fn conn_parsers_never_panic_on_near_misses(line in near_line()) {
        let _ = parse_line(&line);
        let _ = parse_sync_line(&line);
    }

    #[test]
    fn table_and_stats_parsers_never_panic(
        lines in prop::collection::vec(near_line(), 0..8),
        hz in any::<u32>(),
    ) {
        let text = format!("IP Virtual Server version 1.2.1 (size=4096)\n{}", lines.join("\n"));
        let _ = parse_table(&text, hz);
        let _ = parse_table(&lines.join("\n"), hz);
        let _ = parse_stats(&lines.join("\n"));
    }

    #[test]
    fn kernel_formatted_lines_read_back(
        proto in "(TCP|UDP|SCTP|IP)",
        client in any_addr(),
        cport in any::<u16>(),
        vport in any::<u16>(),
        dest in any_addr(),
        dport in any::<u16>(),
        state in "[A-Z_]{1,11}",
        expires in any::<u32>(),
        pe in prop::option::of(("[a-z]{1,8}", "[!-~]{1,40}")),
        sync in any::<bool>(),
    ) {
        // Client and virtual share a family (the entry's af); the destination may differ.
        let virt = match client {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10)),
            IpAddr::V6(_) => "2001:db8::1".parse().unwrap(),
        };
        let head = format!(
            "{proto:<3} {} {cport:04X} {} {vport:04X} {} {dport:04X} {state:<11}",
            kernel_addr(&client), kernel_addr(&virt), kernel_addr(&dest)
        );
        let c = if sync {
            let s = parse_sync_line(&format!("{head} {:<6} {expires:7}\n", "SYNC")).unwrap();
            prop_assert_eq!(s.origin, Origin::Sync);
            s.conn
        } else {
            let tail = pe.as_ref().map(|(n, d)| format!(" {n} {d}")).unwrap_or_default();
            parse_line(&format!("{head} {expires:7}{tail}\n")).unwrap()
        };
        prop_assert_eq!(&c.protocol, &proto);
        prop_assert_eq!((c.client_addr, c.client_port), (client, cport));
        prop_assert_eq!((c.virtual_addr, c.virtual_port), (virt, vport));
        prop_assert_eq!((c.dest_addr, c.dest_port), (dest, dport));
        prop_assert_eq!(&c.state, &state);
        prop_assert_eq!(c.expires, expires);
        if !sync {
            prop_assert_eq!(c.pe_name.zip(c.pe_data), pe);
        }
    }
}
