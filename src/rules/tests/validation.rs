//! Refusals, each with ipvsadm 1.31's message (as the Debian binary prints it) and the
//! option or value the error names.

use crate::rules::{parse, parse_line, NoResolver, RuleError};

fn err(line: &str) -> RuleError {
    let args: Vec<&str> = line.split_whitespace().collect();
    match parse(&args, &NoResolver) {
        Err(e) => e,
        Ok(c) => panic!("`{line}` parsed as {c:?}"),
    }
}

#[test]
fn messages_match_ipvsadm() {
    let cases: &[(&str, &str, i32)] = &[
        ("-A -t 1.2.3.4:0", "Zero port specified for non-persistent service", 2),
        ("-E -t 1.2.3.4", "Zero port specified for non-persistent service", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -w 2147483648", "illegal weight specified", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -w -1", "illegal weight specified", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -x 2147483648", "illegal u_threshold specified", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -y x", "illegal l_threshold specified", 2),
        ("-t 1.2.3.4:80 -A", "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 255),
        ("--foo", "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 255),
        ("-A --foo", "--foo: unknown option", 255),
        ("-A -t", "-t: missing argument", 255),
        ("-A -t 1.2.3.4:80 -a", "invalid option `-a'", 2),
        ("-A --start-daemon master", "invalid option `master'", 2),
        ("-A -t 1.2.3.4:80 --numeric=3", "--numeric=3: option does not take an argument", 255),
        ("-A -t 1.2.3.4:80 -o=t", "-o=t: option does not take an argument", 255),
        ("-A -t 1.2.3.4:80 -p -5", "-5: unknown option", 255),
        ("-A -t 1.2.3.4:80 -6", "-6 used before -f\n", 2),
        ("-A -t 1.2.3.4:80 junk", "unexpected argument junk", 2),
        ("-A -t 1.2.3.4:80 -p -", "unexpected argument -", 2),
        ("-L -c -t 1.2.3.4:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command", 2),
        ("-L -t 1.2.3.4:80 --timeout", "The option 'timeout' conflicts with the 'service-address' option in the 'list' command", 2),
        ("-L --stats --daemon", "options conflicts in the list command", 2),
        ("-l --timeout --persistent-conn", "options conflicts in the list command", 2),
        ("--set 1 2", "--set option requires 3 timeout values", 2),
        ("--set 1 2 2678401", "invalid timeout value `2678401' specified", 2),
        ("--set 1 2 3 4", "unexpected argument 4", 2),
        ("-A -t 1.2.3.4:80 -p 0", "invalid timeout value `0' specified", 2),
        ("-Atx", "illegal virtual server address[:port] specified", 2),
        ("-A -t 80", "illegal virtual server address[:port] specified", 2),
        ("-A -t 1.2.3.4:80 -t 1.2.3.4:81", "multiple 'service-address' options specified", 2),
        ("-A -f 0", "invalid fwmark value `0' specified", 2),
        ("-A -f 4294967296", "invalid fwmark value `4294967296' specified", 2),
        ("-A -t 1.2.3.4:53 -o", "One-Packet Scheduling is only for UDP virtual services", 2),
        ("-A -t 1.2.3.4:53 -s rr -b sh-port", "incompatible scheduler flag `sh-port'", 2),
        ("-A -t 1.2.3.4:53 -b mh-port", "incompatible scheduler flag `mh-port'", 2),
        ("-A -t 1.2.3.4:53 -s sh -b sh-port,foo", "invalid scheduler flag `foo'", 2),
        ("-a -t 1.2.3.4:80 -r [::1]", "illegal real server address[:port] specified", 2),
        ("-a -t 1.2.3.4:80 -r [::1]:80", "Different address family is allowed only for tunneling servers", 2),
        ("-a -t 1.2.3.4:80 -r 80", "illegal real server address[:port] specified", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 --tun-type gue", "Tunnel options conflict with forward method", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gre --tun-csum --tun-nocsum", "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-port 5", "Illegal 'tun-port' option with the 'ipip' tunnel type", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type vxlan", "illegal tunnel type specified", 2),
        ("-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gue --tun-port 0", "illegal tunnel port specified", 2),
        ("-S -n -t 1.2.3.4:80", "Illegal 'service-address' option with the 'save' command", 2),
        ("-R -n", "Illegal 'numeric' option with the 'restore' command", 2),
        ("-C junk", "unexpected argument junk", 2),
        ("--start-daemon foo", "illegal start-daemon parameter specified", 2),
        ("--stop-daemon foo", "illegal start_daemon specified", 2),
        ("--start-daemon master --syncid 256", "illegal syncid specified", 2),
        ("--start-daemon master --mcast-group 1.2.3.4", "invalid IPv4 mcast-group `1.2.3.4'", 2),
        ("--start-daemon master --mcast-group ff02::1 --mcast-port 0", "illegal mcast-port specified", 2),
        ("--start-daemon master --mcast-ttl 256", "illegal mcast-ttl specified", 2),
        ("--start-daemon master --sync-maxlen 65508", "illegal sync-maxlen specified", 2),
        ("--stop-daemon master --mcast-interface eth0", "Illegal 'mcast-interface' option with the 'stop-daemon' command", 2),
        ("-A -t 1.2.3.4:80 -x 5", "Illegal 'u-threshold' option with the 'add-service' command", 2),
        ("-d -t 1.2.3.4:80 -r 1.1.1.1 -w 3", "Illegal 'weight' option with the 'delete-server' command", 2),
        ("-e -t 1.2.3.4:80", "You need to supply the 'real-server' option for the 'edit-server' command", 2),
        ("-A -t 1.2.3.4:80 -p 10 -p 5", "multiple 'persistent' options specified", 2),
        ("-a -t 1.2.3.4:80 -r 1.1.1.1 -g -m", "multiple 'forwarding-method' options specified", 2),
        ("-a -f 1 -r 1.1.1.1 -w 5 -n", "Illegal 'numeric' option with the 'add-server' command", 2),
        ("-A -t [::1]:80 -p -M 129", "illegal ipv6 netmask specified", 2),
        ("-A -t 1.2.3.4:80 -p -M 1.2.3.4.5", "illegal virtual server persistent mask specified", 2),
        ("-L --save-thresholds", "Illegal 'save-thresholds' option with the 'list' command", 2),
    ];
    for (line, message, code) in cases {
        let e = err(line);
        assert_eq!(e.to_string(), *message, "`{line}`");
        assert_eq!(e.exit_code(), *code, "`{line}`");
    }
}

#[test]
fn errors_name_their_value() {
    assert_eq!(
        err("-a -t 1.2.3.4:80 -r 5.6.7.8 -w 70000000000"),
        RuleError::Weight {
            value: "70000000000".into()
        }
    );
    assert_eq!(
        err("-A -t 1.2.3.4:80 -p 10 -p 5"),
        RuleError::RepeatedOption {
            option: "persistent"
        }
    );
    assert_eq!(
        err("-A -t 1.2.3.4:53 -s rr -b sh-port"),
        RuleError::SchedFlagScheduler {
            flag: "sh-port".into(),
            scheduler: "rr".into()
        }
    );
}

#[test]
fn try_help_names_the_program() {
    assert_eq!(
        RuleError::TryHelp.message_for("/usr/sbin/ipvsadm"),
        "Try `/usr/sbin/ipvsadm -h' or '/usr/sbin/ipvsadm --help' for more information."
    );
}

#[test]
fn restore_lines() {
    let r = |l: &str| parse_line(l, &NoResolver);
    assert_eq!(r(""), Ok(None));
    assert_eq!(r("  \t\r\n"), Ok(None));
    assert_eq!(r("ipvsadm"), Ok(None));
    assert_eq!(r("# -A -t 1.2.3.4:80"), Ok(None));
    assert_eq!(r("   #comment"), Ok(None));
    assert_eq!(r("-R"), Err(RuleError::TryHelp));
    assert_eq!(
        r("-A -t 1.2.3.4:80 # web"),
        Err(RuleError::UnexpectedArgument { value: "#".into() })
    );
    assert_eq!(
        r("ipvsadm -A -t 1.2.3.4:80\r"),
        parse(&["-A", "-t", "1.2.3.4:80"], &NoResolver).map(Some)
    );
    assert_eq!(
        r("-A\t-t 1.2.3.4:80 ipvsadm -s rr"),
        parse(&["-A", "-t", "1.2.3.4:80", "-s", "rr"], &NoResolver).map(Some)
    );
}

#[test]
fn list_and_save_modifiers() {
    use crate::ipvs::{Protocol, ServiceKey};
    use crate::rules::{Command, ListOptions};
    let p = |l: &str| parse(&l.split(' ').collect::<Vec<_>>(), &NoResolver);
    assert_eq!(
        p("-S -n --save-thresholds"),
        Ok(Command::Save(ListOptions {
            numeric: true,
            keep_thresholds: true,
            ..ListOptions::default()
        }))
    );
    assert_eq!(
        p("-Ln -t 10.0.0.1:80 --stats -X --nosort --sort"),
        Ok(Command::List(ListOptions {
            service: Some(ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: "10.0.0.1".parse().unwrap(),
                port: 80
            }),
            numeric: true,
            stats: true,
            exact: true,
            nosort: true,
            ..ListOptions::default()
        }))
    );
    assert_eq!(p("-h -x"), Ok(Command::Help));
    assert_eq!(p("--version"), Ok(Command::Version));
    assert_eq!(p("-R"), Ok(Command::Restore));
    let none: [&str; 0] = [];
    assert_eq!(
        parse(&none, &NoResolver),
        Ok(Command::List(ListOptions::default()))
    );
}
