//! Differential test: the same argument vectors through our parser and through the real
//! ipvsadm 1.31 binary, which must agree on accept/refuse and, when refusing, on the
//! exact message and exit status.
//!
//! ipvsadm initialises IPVS before it parses, so it runs under an LD_PRELOAD shim
//! (`tests/support/ipvs_shim.c`, built here with `cc`) that fakes IPVS's presence and
//! keeps the binary away from any real IPVS table. Skips, saying why, when the binary or
//! a C compiler is missing; compares for real otherwise.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::adm::resolver::SystemResolver;
use crate::rules::{parse, parse_line, Command, RuleError};

const BINARY: &str = "/usr/sbin/ipvsadm";

struct Real {
    shim: PathBuf,
}

/// The shim, built once per test run; `None` (with the reason printed) to skip.
fn real() -> Option<&'static Real> {
    static REAL: OnceLock<Option<Real>> = OnceLock::new();
    REAL.get_or_init(|| {
        if !Path::new(BINARY).exists() {
            eprintln!("skipping the ipvsadm comparison: {BINARY} is not installed");
            return None;
        }
        let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/ipvs_shim.c");
        let shim =
            std::env::temp_dir().join(format!("lvsdeck-ipvs-shim-{}.so", std::process::id()));
        let built = Process::new("cc")
            .args(["-shared", "-fPIC", "-o"])
            .arg(&shim)
            .arg(source)
            .arg("-ldl")
            .status();
        if !matches!(built, Ok(s) if s.success()) {
            eprintln!("skipping the ipvsadm comparison: cannot build the shim with cc ({built:?})");
            return None;
        }
        let real = Real { shim };
        let (code, stderr) = real.run(&["-A", "-t", "1.2.3.4:0"], None);
        if code != 2 || stderr != "Zero port specified for non-persistent service\n" {
            eprintln!(
                "skipping the ipvsadm comparison: the shim does not work here ({code}: {stderr})"
            );
            return None;
        }
        Some(real)
    })
    .as_ref()
}

impl Real {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> (i32, String) {
        let mut child = Process::new(BINARY)
            .args(args)
            .env("LD_PRELOAD", &self.shim)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ipvsadm");
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait ipvsadm");
        let code = out.status.code().unwrap_or(-1);
        (code, String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Did the binary refuse its input (rather than fail talking to the fake kernel)?
fn refused(code: i32, stderr: &str) -> bool {
    code == 2
        || stderr.starts_with("Try `")
        || [
            ": unknown option\n",
            ": missing argument\n",
            ": option does not take an argument\n",
        ]
        .iter()
        .any(|tail| stderr.ends_with(tail))
}

fn compare(real: &Real, args: &[&str]) -> Result<(), String> {
    let ours = parse(args, &SystemResolver);
    let (code, stderr) = real.run(args, None);
    match ours {
        Err(e) => {
            let expected = format!("{}\n", e.message_for(BINARY));
            if stderr != expected || code != e.exit_code() {
                return Err(format!(
                    "{args:?}: ipvsadm said {code} {stderr:?}, we said {} {expected:?}",
                    e.exit_code()
                ));
            }
        }
        Ok(cmd) => {
            if refused(code, &stderr) {
                return Err(format!(
                    "{args:?}: ipvsadm refused ({code} {stderr:?}), we parsed {cmd:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Hand-picked lines: every validation rule, popt's corner cases, valid forms.
const TABLE: &[&str] = &[
    "-A -t 1.2.3.4:0",
    "-A -t 1.2.3.4:0 -p",
    "-A -t 1.2.3.4 -p 10 -M 255.255.0.0",
    "-A -t 1.2.3.4:80 -p 10 -M 1.2.3",
    "-A -t 1.2.3.4:80 -p 10 -M 64",
    "-A -t [2001:db8::1]:80 -p 10 -M 64",
    "-A -t [2001:db8::1]:80 -p 10 -M 0",
    "-A -t [2001:db8::1]:80 -p 10 -M 64abc",
    "-A -t 2001:db8::1:80",
    "-A -t [1.2.3.4]:80",
    "-A -t 10.1:http",
    "-A -u 10.1:domain -o",
    "-A -t 10.1:nosuchservice",
    "-A -f 1 -6 -M 64 -p",
    "-A -f 1 -M 64 -p",
    "-A -f 1 -6",
    "-A -f +7",
    "-A -f 0",
    "-A -f -1",
    "-A -f 4294967295",
    "-A -f 4294967296",
    "-A -f 1x",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -w 65536",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -w 2147483647",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -w 2147483648",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -w -1",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -w +5",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -x 2147483648",
    "-a -t 1.2.3.4:80 -r 192.168 -m",
    "-a -t 1.2.3.4:80 -r 80",
    "-a -t 1.2.3.4:80 -r [::1]",
    "-a -t 1.2.3.4:80 -r [::1]:80",
    "-a -t 1.2.3.4:80 -r [::1]:80 -i",
    "-a -f 1 -r 1.1.1.1:99 -g",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 --tun-type gue",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gue",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gue --tun-port 6080 --tun-remcsum",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gre --tun-csum --tun-nocsum",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type gre --tun-remcsum",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-port 5",
    "-a -t 1.2.3.4:80 -r 5.6.7.8 -i --tun-type vxlan",
    "-t 1.2.3.4:80 -A",
    "--foo",
    "-A --foo",
    "-A -t",
    "-At",
    "-A -t 1.2.3.4:80 -a",
    "-A --start-daemon master",
    "-A -t 1.2.3.4:80 --numeric=3",
    "-A -t=1.2.3.4:80",
    "-A -t 1.2.3.4:80 -o=t",
    "-A= -t 1.2.3.4:80",
    "-A -t 1.2.3.4:80 -p -5",
    "-A -t 1.2.3.4:80 -p -",
    "-A -t 1.2.3.4:80 -p --sched rr",
    "-A -t 1.2.3.4:80 -- -s",
    "-A -t 1.2.3.4:80 -6",
    "-A -t 1.2.3.4:80 junk",
    "-At1.2.3.4:80 -srr -p5",
    "-A --tcp-service=1.2.3.4:80 --scheduler=rr --persistent=5",
    "--tcp-serv 1.2.3.4:80",
    "-A -t 1.2.3.4:80 --add-serv",
    "-A -t 1.2.3.4:80 --add-service",
    "-L -c -t 1.2.3.4:80",
    "-L -t 1.2.3.4:80 --timeout",
    "-L --stats --daemon",
    "-l --timeout --persistent-conn",
    "-Ln --stats --exact --nosort --sort",
    "-L --sort --sort",
    "-L --numeric -n",
    "-L -h",
    "-S -n -t 1.2.3.4:80",
    "-Sn",
    "-R -n",
    "-C junk",
    "-Z -t 1.2.3.4:80",
    "-Z",
    "--set 1 2",
    "--set 900 120 300",
    "--set 1 2 3 4",
    "--set 2678401 0 0",
    "--start-daemon foo",
    "--stop-daemon foo",
    "--stop-daemon backup --syncid 3",
    "--start-daemon master --syncid 256",
    "--start-daemon master --mcast-group 1.2.3.4",
    "--start-daemon master --mcast-group 239.1.1.1 --mcast-port 8848 --mcast-ttl 3 --sync-maxlen 1400",
    "--start-daemon master --mcast-group ff02::1 --mcast-port 0",
    "--start-daemon master --mcast-group 239.001.1.1",
    "--start-daemon backup --mcast-interface averyveryverylonginterface",
    "-A -t 1.2.3.4:53 -o",
    "-A -t 1.2.3.4:53 -s rr -b sh-port",
    "-A -t 1.2.3.4:53 -s sh -b sh-port,foo",
    "-A -t 1.2.3.4:53 -s mh -b mh-fallback,,mh-port",
    "-A -t 1.2.3.4:53 -b sh-port -s sh",
    "-A -t 1.2.3.4:80 -x 5",
    "-d -t 1.2.3.4:80 -r 1.1.1.1 -w 3",
    "-e -t 1.2.3.4:80",
    "-A -t 1.2.3.4:80 -p 10 -p 5",
    "-a -f 1 -r 1.1.1.1 -w 5 -n",
    "-A -t 1.2.3.4:80 --pe sip -s verylongschedulername",
    "-h junk",
    "-v junk",
];

#[test]
fn table_agrees_with_ipvsadm() {
    let Some(real) = real() else { return };
    let failures: Vec<String> = TABLE
        .iter()
        .filter_map(|line| {
            let args: Vec<&str> = line.split(' ').collect();
            compare(real, &args).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn restore_lines_agree_with_ipvsadm() {
    let Some(real) = real() else { return };
    let mut failures = Vec::new();
    for line in TABLE.iter().chain(&[
        "ipvsadm -A -t 1.2.3.4:80",
        "  ",
        "-R",
        "-A -t 1.2.3.4:80 # x",
    ]) {
        let (code, stderr) = real.run(&["-R"], Some(&format!("{line}\n")));
        match parse_line(line, &SystemResolver) {
            Err(e) => {
                let expected = format!("{}\n", e.message_for(BINARY));
                if stderr != expected || code != e.exit_code() {
                    failures.push(format!(
                        "{line:?}: ipvsadm {code} {stderr:?}, ours {expected:?}"
                    ));
                }
            }
            Ok(Some(Command::Help | Command::Version)) | Ok(None) => {}
            Ok(Some(cmd)) => {
                if refused(code, &stderr) {
                    failures.push(format!(
                        "{line:?}: ipvsadm refused {stderr:?}, ours {cmd:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Words operators type, valid and not, for random command lines (not lvsdeck's own
/// `--save-thresholds`, which ipvsadm does not know).
const WORDS: &[&str] = &[
    "-A",
    "-E",
    "-D",
    "-C",
    "-a",
    "-e",
    "-d",
    "-L",
    "-l",
    "-Z",
    "-S",
    "--set",
    "master",
    "backup",
    "-t",
    "-u",
    "--sctp-service",
    "-f",
    "1",
    "0",
    "-6",
    "1.2.3.4:80",
    "1.2.3.4:0",
    "1.2.3.4",
    "[::1]:80",
    "[2001:db8::2]:8080",
    "10.1:http",
    "-s",
    "rr",
    "sh",
    "mh",
    "wlc",
    "-p",
    "30",
    "-M",
    "255.255.255.0",
    "64",
    "-r",
    "5.6.7.8",
    "5.6.7.8:8080",
    "[::2]:80",
    "-g",
    "-i",
    "-m",
    "-w",
    "65536",
    "-x",
    "-y",
    "100",
    "-n",
    "-c",
    "--timeout",
    "--daemon",
    "--stats",
    "--rate",
    "--thresholds",
    "--persistent-conn",
    "--nosort",
    "--sort",
    "-X",
    "--exact",
    "-o",
    "--ops",
    "--pe",
    "sip",
    "-b",
    "sh-port",
    "sh-fallback,sh-port",
    "flag-1",
    "mh-port",
    "--mcast-interface",
    "eth1",
    "--syncid",
    "5",
    "--mcast-group",
    "239.1.1.1",
    "ff02::5",
    "--mcast-port",
    "8848",
    "--mcast-ttl",
    "2",
    "--sync-maxlen",
    "1400",
    "--tun-info",
    "--tun-type",
    "gue",
    "gre",
    "ipip",
    "--tun-port",
    "6080",
    "--tun-nocsum",
    "--tun-csum",
    "--tun-remcsum",
    "-Ln",
    "-At",
    "--weight=3",
    "-p5",
    "junk",
    "--",
    "-",
    "--start-daemon",
    "--stop-daemon",
];

const COMMANDS: &[&str] = &[
    "-A",
    "-E",
    "-D",
    "-C",
    "-a",
    "-e",
    "-d",
    "-L",
    "-Z",
    "-S",
    "--set",
    "--start-daemon",
    "--stop-daemon",
    "-R",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_lines_agree_with_ipvsadm(
        first in prop::sample::select(COMMANDS),
        rest in prop::collection::vec(prop::sample::select(WORDS), 0..9),
    ) {
        if let Some(real) = real() {
            let mut args = vec![first];
            args.extend(rest);
            if let Err(why) = compare(real, &args) {
                return Err(TestCaseError::fail(why));
            }
        }
    }
}

#[test]
fn refused_is_not_trivially_true() {
    assert!(refused(2, "illegal weight specified\n"));
    assert!(!refused(255, "Protocol not available\n"));
    assert!(matches!(
        parse(&["-A", "-t", "1.2.3.4:0"], &SystemResolver),
        Err(RuleError::ZeroPort)
    ));
}
