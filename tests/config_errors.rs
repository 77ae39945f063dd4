//! Lexer, include, tree, range and cross-reference problems, each with its file:line text.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use lvsdeck::config::{self, Severity};
use lvsdeck::ipvs::{svc_flags, Family, Forward, ServiceKey};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keepalived")
        .join(name)
}

/// `FILE:LINE: severity: message` lines for a text read as `t.conf`.
fn said(text: &str) -> Vec<String> {
    config::parse_str(text, Path::new("t.conf"))
        .diagnostics
        .items
        .iter()
        .map(|d| d.to_string())
        .collect()
}

fn one(text: &str, expected: &str) {
    assert_eq!(said(text), vec![expected.to_string()]);
}

/// The first message, for problems that have a consequence reported after them.
fn first(text: &str, expected: &str, then: &str) {
    assert_eq!(said(text), vec![expected.to_string(), then.to_string()]);
}

const VI: &str = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n";

#[test]
fn braces_on_next_line_and_after_text() {
    let l = config::parse_str(
        "vrrp_instance VI_1\n{\n interface eth0 } virtual_server 10.0.0.1 80\n{ real_server 10.0.0.2 80 { weight 3 }}\n",
        Path::new("t.conf"),
    );
    assert_eq!(
        l.diagnostics
            .errors()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
        vec!["t.conf:1: error: vrrp_instance VI_1 has no virtual_router_id"]
    );
    assert_eq!(l.config.instances[0].interface.as_deref(), Some("eth0"));
    assert_eq!(l.config.virtual_servers[0].real_servers[0].weight, 3);
    assert_eq!(l.config.virtual_servers[0].real_servers[0].at.line, 4);
}

#[test]
fn unbalanced_braces_name_the_line() {
    one(
        "global_defs {\n router_id x\n",
        "t.conf:1: error: block 'global_defs' opened here is never closed",
    );
    one(
        "global_defs {\n}\n}\n",
        "t.conf:3: error: extra '}' with no block to close",
    );
    one(
        "global_defs {\n}\n{\n}\n",
        "t.conf:3: error: '{' without a keyword before it",
    );
}

#[test]
fn unterminated_quote() {
    first(
        "vrrp_script s {\n script \"/bin/true\n}\n",
        "t.conf:2: error: unterminated quote",
        "t.conf:1: error: vrrp_script s has no 'script'",
    );
}

#[test]
fn quoted_script_keeps_spaces() {
    let l = config::parse_str(
        "vrrp_script chk_nginx {\n  script \"/usr/bin/killall -0 nginx\"  # is it alive\n  weight -2\n}\n",
        Path::new("t.conf"),
    );
    assert!(l.is_ok());
    assert_eq!(l.config.scripts[0].script, "/usr/bin/killall -0 nginx");
    assert_eq!(l.config.scripts[0].timeout, l.config.scripts[0].interval);
}

#[test]
fn range_errors_name_keyword_file_and_line() {
    one(
        &format!("{VI} priority 300\n}}\n"),
        "t.conf:4: error: 'priority' must be an integer between 1 and 255, not '300'",
    );
    first(
        "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 0\n}\n",
        "t.conf:3: error: 'virtual_router_id' must be an integer between 1 and 255, not '0'",
        "t.conf:1: error: vrrp_instance VI_1 has no virtual_router_id",
    );
    one(
        "vrrp_script s {\n script x\n weight 254\n}\n",
        "t.conf:3: error: 'weight' must be an integer between -253 and 253, not '254'",
    );
    one(
        &format!("{VI} state LEADER\n}}\n"),
        "t.conf:4: error: 'state' must be MASTER or BACKUP, not 'LEADER'",
    );
    one(
        "virtual_server 10.0.0.1 80 {\n lb_algo fastest\n}\n",
        "t.conf:2: error: 'lb_algo': unknown scheduler 'fastest' (one of rr wrr lc wlc lblc sh mh dh fo ovf lblcr sed nq twos)",
    );
    one(
        "virtual_server 10.0.0.1 80 {\n lb_kind FAST\n}\n",
        "t.conf:2: error: 'lb_kind' must be NAT, DR or TUN, not 'FAST'",
    );
    one(
        "virtual_server 10.0.0.1 99999 {\n}\n",
        "t.conf:1: error: 'virtual_server' must be an integer between 0 and 65535, not '99999'",
    );
    one(
        "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  HTTP_GET {\n   url {\n    path /\n    digest xyz\n   }\n  }\n }\n}\n",
        "t.conf:6: error: 'digest' must be 32 hex digits (MD5), not 'xyz'",
    );
    one(
        &format!("{VI} advert_int 0\n}}\n"),
        "t.conf:4: error: 'advert_int' must be a time between 0.01 and 255 seconds, not '0'",
    );
}

#[test]
fn cross_references() {
    one(
        &format!("{VI} track_script {{\n  chk_missing\n }}\n}}\n"),
        "t.conf:5: error: track_script 'chk_missing' in vrrp_instance VI_1: no vrrp_script of that name",
    );
    one(
        &format!("vrrp_sync_group G {{\n group {{\n  VI_1\n  VI_9\n }}\n}}\n{VI}}}\n"),
        "t.conf:4: error: vrrp_sync_group G: no vrrp_instance named 'VI_9'",
    );
    one(
        "virtual_server group WEB {\n}\n",
        "t.conf:1: error: virtual_server group 'WEB': no virtual_server_group of that name",
    );
    one(
        "vrrp_script s {\n script x\n}\nvrrp_script s {\n script y\n}\n",
        "t.conf:4: error: vrrp_script 's' is already defined at t.conf:1",
    );
}

#[test]
fn unknown_keywords_are_warnings_with_section() {
    let l = config::parse_str(
        &format!("{VI} foo 1\n}}\nglobal_defs {{\n enable_traps\n}}\nstatic_routes {{\n}}\n"),
        Path::new("t.conf"),
    );
    assert!(l.is_ok());
    let w: Vec<String> = l.diagnostics.warnings().map(|d| d.to_string()).collect();
    assert_eq!(
        w,
        vec![
            // global_defs is read first: instances take defaults from it.
            "t.conf:7: warning: unsupported keyword 'enable_traps' in global_defs; ignored",
            "t.conf:4: warning: unsupported keyword 'foo' in vrrp_instance VI_1; ignored",
            "t.conf:9: warning: unsupported keyword 'static_routes' block in the top level; ignored",
        ]
    );
}

#[test]
fn defaults_follow_keepalived() {
    let l = config::parse_str(
        "vrrp_instance A {\n state MASTER\n virtual_router_id 1\n}\nvrrp_instance B {\n priority 255\n virtual_router_id 2\n}\nvirtual_server fwmark 7 {\n persistence_timeout\n real_server 10.0.0.2 80 {\n  MISC_CHECK {\n   misc_path \"/bin/check x\"\n  }\n  DNS_CHECK {\n  }\n }\n}\n",
        Path::new("t.conf"),
    );
    assert!(l.is_ok(), "{:?}", l.diagnostics);
    let c = &l.config;
    assert_eq!(c.instances[0].priority, 255);
    assert_eq!(c.instances[1].state, config::InitialState::Master);
    assert_eq!(c.instances[0].advert_int.as_secs(), 1);
    let vs = &c.virtual_servers[0];
    assert_eq!(vs.scheduler, "wlc");
    assert_eq!(vs.method.forward, Forward::Masq);
    assert_eq!(vs.persistence_timeout, Some(360));
    assert_eq!(vs.check.delay_loop.as_secs(), 60);
    let ch = &vs.real_servers[0].checkers;
    assert_eq!((ch[0].common.retry, ch[1].common.retry), (0, 3));
    assert_eq!(ch[1].common.delay_before_retry.as_secs(), 60);
    assert_eq!(ch[0].common.connect_timeout.as_secs(), 5);
}

#[test]
fn conversion_to_the_ipvs_model() {
    let l = config::parse_str(
        "virtual_server_group G {\n 10.0.0.1-3 80\n fwmark 9\n}\nvirtual_server group G {\n lb_algo sh\n sh-port\n lb_kind DR\n persistence_timeout 600\n persistence_granularity 255.255.255.0\n real_server 10.0.1.1 80 {\n  weight 5\n  uthreshold 100\n  lthreshold 10\n }\n real_server 10.0.1.2 80 {\n  lvs_method TUN type gue port 6080 csum\n }\n}\nvirtual_server 2001:db8::1 53 {\n protocol UDP\n ops\n real_server 2001:db8::2 53 {\n }\n real_server 10.9.9.9 53 {\n }\n}\n",
        Path::new("t.conf"),
    );
    let errs: Vec<String> = l.diagnostics.errors().map(|d| d.to_string()).collect();
    assert_eq!(
        errs,
        vec!["t.conf:25: error: real server 10.9.9.9 is not of the address family of its virtual server"]
    );
    let svcs = l.config.ipvs_services();
    assert_eq!(svcs.len(), 5);
    let s0 = &svcs[0].service;
    assert!(matches!(s0.key, ServiceKey::Addr { port: 80, .. }));
    assert_eq!(s0.scheduler, "sh");
    assert_eq!(s0.flags, svc_flags::PERSISTENT | svc_flags::SCHED2);
    assert_eq!((s0.timeout, s0.netmask), (600, 0xffff_ff00));
    assert_eq!(
        svcs[3].service.key,
        ServiceKey::Fwmark {
            mark: 9,
            family: Family::Inet
        }
    );
    let d = &svcs[2].dests;
    assert_eq!(
        (
            d[0].forward,
            d[0].weight,
            d[0].u_threshold,
            d[0].l_threshold
        ),
        (Forward::Route, 5, 100, 10)
    );
    assert_eq!((d[1].forward, d[1].tun_port), (Forward::Tunnel, 6080));
    let v6 = &svcs[4];
    assert_eq!(v6.service.flags, svc_flags::ONEPACKET);
    assert_eq!(v6.service.netmask, 128);
    assert_eq!(v6.dests.len(), 1);
}

#[test]
fn includes_are_relative_to_the_including_file_and_follow_globs() {
    let l = config::load(&fixture("include/main.conf")).unwrap();
    let names: Vec<&str> = l.config.instances.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, vec!["VI_1", "VI_2"]);
    // Included inside a block.
    assert_eq!(l.config.virtual_servers[0].real_servers.len(), 1);
    let rs = &l.config.virtual_servers[0].real_servers[0];
    assert!(rs.at.file.ends_with("include/rs.inc"), "{}", rs.at);
    assert_eq!(rs.at.line, 1);
    let w: Vec<&config::Diagnostic> = l.diagnostics.items.iter().collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].at.file.ends_with("conf.d/20-vi2.conf"));
    assert_eq!((w[0].at.line, w[0].severity), (4, Severity::Warning));
    assert!(w[0].message.contains("'bogus_keyword'"));
}

#[test]
fn include_loops_are_reported_at_the_include_line() {
    let l = config::load(&fixture("include/loop-a.conf")).unwrap();
    let errs: Vec<&config::Diagnostic> = l.diagnostics.errors().collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].at.file.ends_with("loop-b.conf"));
    assert_eq!(errs[0].at.line, 1);
    assert!(errs[0].message.starts_with("include loop:"), "{}", errs[0]);
    assert_eq!(l.config.scripts.len(), 1);
}

#[test]
fn missing_includes() {
    let l = config::load(&fixture("include/missing.conf")).unwrap();
    let d: Vec<(u32, Severity)> = l
        .diagnostics
        .items
        .iter()
        .map(|d| (d.at.line, d.severity))
        .collect();
    assert_eq!(d, vec![(1, Severity::Error), (2, Severity::Warning)]);
    assert!(l.diagnostics.items[0]
        .message
        .contains("does-not-exist.conf"));
    assert!(config::load(&fixture("include/no-such-main.conf")).is_err());
}
