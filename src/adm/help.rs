//! `ipvsadm -h` and `ipvsadm -v`.
//!
//! The help text is ipvsadm 1.31's, word for word (scripts and operators read it); the program
//! name in the usage lines is whatever `argv[0]` was, as in ipvsadm.
//!
//! `-v` decision: lvsdeck prints its own version in ipvsadm's shape,
//! `NAME vVERSION (compiled with OPTIONS and IPVS vA.B.C)`, so tools that split the line still
//! find a `v`-prefixed version in the second field, but nobody is told this is ipvsadm.
//! `ipvsadm_version_line` is ipvsadm's own line, kept for a strict-compatibility mode and tests.

/// The IPVS interface version ipvsadm 1.31 was built against (`IP_VS_VERSION_CODE`).
pub const IPVS_INTERFACE_VERSION: &str = "1.2.1";

/// The version line of ipvsadm 1.31 as Debian builds it.
pub fn ipvsadm_version_line() -> String {
    format!("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v{IPVS_INTERFACE_VERSION})\n")
}

/// lvsdeck's `-v` line, in ipvsadm's shape.
pub fn version_line() -> String {
    format!(
        "lvsdeck v{} (compiled with clap and IPVS v{IPVS_INTERFACE_VERSION})\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Usage lines; each gets the program name in front.
pub const USAGE: [&str; 13] = [
    "-A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]",
    "-D virtual-service",
    "-C",
    "-R",
    "-S [-n]",
    "-a|e virtual-service -r server-address [options]",
    "-d virtual-service -r server-address",
    "-L|l [virtual-service] [options]",
    "-Z [virtual-service]",
    "--set tcp tcpfin udp",
    "--start-daemon {master|backup} [daemon-options]",
    "--stop-daemon {master|backup}",
    "-h",
];

/// Everything after the usage lines, verbatim.
const BODY: &str = concat!(
    "\n",
    "Commands:\n",
    "Either long or short options are allowed.\n",
    "  --add-service     -A        add virtual service with options\n",
    "  --edit-service    -E        edit virtual service with options\n",
    "  --delete-service  -D        delete virtual service\n",
    "  --clear           -C        clear the whole table\n",
    "  --restore         -R        restore rules from stdin\n",
    "  --save            -S        save rules to stdout\n",
    "  --add-server      -a        add real server with options\n",
    "  --edit-server     -e        edit real server with options\n",
    "  --delete-server   -d        delete real server\n",
    "  --list            -L|-l     list the table\n",
    "  --zero            -Z        zero counters in a service or all services\n",
    "  --set tcp tcpfin udp        set connection timeout values\n",
    "  --start-daemon              start connection sync daemon\n",
    "  --stop-daemon               stop connection sync daemon\n",
    "  --help            -h        display this help message\n",
    "\n",
    "virtual-service:\n",
    "  --tcp-service|-t  service-address   service-address is host[:port]\n",
    "  --udp-service|-u  service-address   service-address is host[:port]\n",
    "  --sctp-service    service-address   service-address is host[:port]\n",
    "  --fwmark-service|-f fwmark          fwmark is an integer greater than zero\n",
    "\n",
    "Options:\n",
    "  --ipv6         -6                   fwmark entry uses IPv6\n",
    "  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,\n",
    "                                      the default scheduler is wlc.\n",
    "  --pe            engine              alternate persistence engine may be sip,\n",
    "                                      not set by default.\n",
    "  --persistent   -p [timeout]         persistent service\n",
    "  --netmask      -M netmask           persistent granularity mask\n",
    "  --real-server  -r server-address    server-address is host (and port)\n",
    "  --gatewaying   -g                   gatewaying (direct routing) (default)\n",
    "  --ipip         -i                   ipip encapsulation (tunneling)\n",
    "  --masquerading -m                   masquerading (NAT)\n",
    "  --tun-type      type                one of ipip|gue|gre,\n",
    "                                      the default tunnel type is ipip.\n",
    "  --tun-port      port                tunnel destination port\n",
    "  --tun-nocsum                        tunnel encapsulation without checksum\n",
    "  --tun-csum                          tunnel encapsulation with checksum\n",
    "  --tun-remcsum                       tunnel encapsulation with remote checksum\n",
    "  --weight       -w weight            capacity of real server\n",
    "  --u-threshold  -x uthreshold        upper threshold of connections\n",
    "  --l-threshold  -y lthreshold        lower threshold of connections\n",
    "  --connection   -c                   output of current IPVS connections\n",
    "  --timeout                           output of timeout (tcp tcpfin udp)\n",
    "  --daemon                            output of daemon information\n",
    "  --stats                             output of statistics information\n",
    "  --rate                              output of rate information\n",
    "  --exact                             expand numbers (display exact values)\n",
    "  --thresholds                        output of thresholds information\n",
    "  --persistent-conn                   output of persistent connection info\n",
    "  --tun-info                          output of tunnel information\n",
    "  --nosort                            disable sorting output of service/server entries\n",
    "  --sort                              does nothing, for backwards compatibility\n",
    "  --ops          -o                   one-packet scheduling\n",
    "  --numeric      -n                   numeric output of addresses and ports\n",
    "  --sched-flags  -b flags             scheduler flags (comma-separated)\n",
    "Daemon Options:\n",
    "  --syncid sid                        syncid for connection sync (default=255)\n",
    "  --sync-maxlen length                Max sync message length (default=1472)\n",
    "  --mcast-interface interface         multicast interface for connection sync\n",
    "  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)\n",
    "  --mcast-port port                   UDP port (default=8848)\n",
    "  --mcast-ttl ttl                     Multicast TTL (default=1)\n",
);

/// The description `-h` gives for `--long` (the last column of its line, with the lines
/// that continue it), for the manual page; `None` for an option `-h` does not describe.
pub fn option_help(long: &str) -> Option<String> {
    let flag = format!("--{long}");
    let mut lines = BODY.lines().skip_while(|l| {
        let first = l.trim_start().split([' ', '|']).next().unwrap_or("");
        !l.starts_with("  --") || first != flag
    });
    let first = lines.next()?;
    let mut text = first
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .last()?
        .to_string();
    // Continuation lines are indented to the description column and start no option.
    for l in lines {
        let t = l.trim_start();
        if l.len() - t.len() < 20 || t.starts_with('-') || t.is_empty() {
            break;
        }
        text.push(' ');
        text.push_str(t);
    }
    Some(text)
}

/// The full `-h` text: a version line (`version_line` or `ipvsadm_version_line`), then usage
/// with `program` (argv[0]) in front of each form, then the option reference.
pub fn help(program: &str, version_line: &str) -> String {
    let mut out = String::from(version_line);
    out.push_str("Usage:\n");
    for form in USAGE {
        out.push_str("  ");
        out.push_str(program);
        out.push(' ');
        out.push_str(form);
        out.push('\n');
    }
    out.push_str(BODY);
    out
}

#[cfg(test)]
mod manual_tests {
    use super::*;

    #[test]
    fn option_help_reads_the_help_text() {
        assert_eq!(
            option_help("add-service").as_deref(),
            Some("add virtual service with options")
        );
        assert_eq!(
            option_help("scheduler").as_deref(),
            Some("one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh, the default scheduler is wlc.")
        );
        assert_eq!(
            option_help("tcp-service").as_deref(),
            Some("service-address is host[:port]")
        );
        assert_eq!(option_help("no-such-option"), None);
    }
}
