//! The seed articles' and keepalived's sample configurations: they load, and lvsdeck says
//! exactly the expected things about them.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use lvsdeck::config;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keepalived")
        .join(name)
}

/// `LINE: severity: message` for each diagnostic, file name left out.
fn said(name: &str) -> Vec<String> {
    let loaded = config::load(&fixture(name)).expect("fixture readable");
    loaded
        .diagnostics
        .items
        .iter()
        .map(|d| format!("{}: {}: {}", d.at.line, d.severity, d.message))
        .collect()
}

fn errors(name: &str) -> Vec<String> {
    said(name)
        .into_iter()
        .filter(|s| s.contains(": error: "))
        .collect()
}

#[test]
fn samples_load_without_errors() {
    let samples = [
        "sample-sample.conf",
        "sample-fwmark.conf",
        "sample-virtual-server-group.conf",
        "sample-misc-check.conf",
        "sample-status-code.conf",
        "sample-ssl-get.conf",
        "sample-udp-check.conf",
        "sample-vrrp-sync.conf",
        "sample-vrrp-scripts.conf",
        "sample-ipv6.conf",
        "sample-inhibit.conf",
        "sample-vrrp.conf",
    ];
    for s in samples {
        assert_eq!(errors(s), Vec::<String>::new(), "{s}");
        let c = config::load(&fixture(s)).unwrap().config;
        assert!(
            !c.instances.is_empty() || !c.virtual_servers.is_empty(),
            "{s} read nothing"
        );
    }
}

#[test]
fn clean_seeds_load_without_errors() {
    for s in [
        "seed-003-global.conf",
        "seed-003-include-master.conf",
        "seed-003-include-backup.conf",
        "seed-003-include-test.conf",
        "seed-003-nginx-master.conf",
        "seed-003-nginx-backup.conf",
    ] {
        assert_eq!(errors(s), Vec::<String>::new(), "{s}");
    }
}

#[test]
fn seed_003_nginx_is_read_fully() {
    let c = config::load(&fixture("seed-003-nginx-master.conf"))
        .unwrap()
        .config;
    let s = &c.scripts[0];
    assert_eq!(s.name, "check_nginx");
    assert_eq!(s.script, "/etc/keepalived/nginx.sh");
    assert_eq!((s.weight, s.fall, s.rise), (-30, 3, 2));
    let i = &c.instances[0];
    assert_eq!(i.name, "VI_1");
    assert_eq!(i.interface.as_deref(), Some("ens33"));
    assert_eq!((i.virtual_router_id, i.priority), (51, 100));
    assert_eq!(i.track_script[0].name, "check_nginx");
    assert_eq!(i.virtual_ipaddress[0].addr.to_string(), "192.168.254.188");
    assert_eq!(c.global.router_id.as_deref(), Some("LVS_01"));
    assert_eq!(c.global.notification_email.len(), 3);
}

#[test]
fn seed_003_lvs_dr_as_written_misses_its_last_brace() {
    assert_eq!(
        said("seed-003-lvs-dr-master.conf"),
        vec![
            "23: error: block 'virtual_server' opened here is never closed",
            "26: warning: persistence_timeout 0 is outside keepalived's 1..2678400; persistence stays off",
        ]
    );
    let c = config::load(&fixture("seed-003-lvs-dr-master.conf"))
        .unwrap()
        .config;
    let vs = &c.virtual_servers[0];
    assert_eq!(vs.real_servers.len(), 2);
    let svc = &c.ipvs_services()[0];
    assert_eq!(svc.service.scheduler, "rr");
    assert!(!svc.service.persistent());
    assert_eq!(svc.dests[1].forward, lvsdeck::ipvs::Forward::Route);
    let chk = &vs.real_servers[1].checkers[0];
    assert_eq!(chk.common.retry, 3);
    assert_eq!(chk.common.connect_port, Some(80));
}

#[test]
fn seed_000_reports_the_articles_mistakes() {
    let s = said("seed-000-lvs-devel.conf");
    let expected = [
        "18: warning: unsupported keyword 'virtualRouterID' in vrrp_instance VI_1; ignored",
        "15: error: vrrp_instance VI_1 has no virtual_router_id",
        "21: error: vrrp_strict: vrrp_instance VI_1 may not use authentication",
        "15: error: vrrp_strict: vrrp_instance VI_1 has state MASTER only with priority 255 (address owner)",
        "32: warning: unsupported keyword 'lbKind' in virtual_server 192.168.200.100 443; ignored",
        "56: warning: unsupported keyword 'HTTPᐈET' block in real_server 192.168.200.2 1358; ignored",
    ];
    for e in expected {
        assert!(s.iter().any(|l| l == e), "missing {e:?} in {s:#?}");
    }
    assert_eq!(s.len(), 11, "{s:#?}");
    // What is right in it is still read: the SSL_GET with two urls.
    let c = config::load(&fixture("seed-000-lvs-devel.conf"))
        .unwrap()
        .config;
    let rs = &c.virtual_servers[0].real_servers[0];
    match &rs.checkers[0].kind {
        config::CheckerKind::Http(h) => {
            assert!(h.ssl);
            assert_eq!(h.urls.len(), 2);
            assert_eq!(h.urls[1].path, "/mrtg/");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.virtual_servers[1].sorry_server.as_ref().map(|s| s.1),
        Some(1358)
    );
}

#[test]
fn seed_002_template_annotations_are_warned_not_dropped() {
    let s = said("seed-002-inside-network.conf");
    assert!(s[0].contains("non-ASCII white space"), "{s:#?}");
    assert!(s
        .iter()
        .any(|l| l == "29: warning: 'virtual_router_id': extra arguments ignored: ----------------虚拟路由IP,确定组"));
    let errs: Vec<_> = s.iter().filter(|l| l.contains("error")).collect();
    assert_eq!(
        errs,
        vec!["15: error: 'smtp_server' must be an integer between 1 and 65535, not '-------邮件服务器地址'"]
    );
    let c = config::load(&fixture("seed-002-inside-network.conf"))
        .unwrap()
        .config;
    let vip = &c.instances[0].virtual_ipaddress[0];
    assert_eq!(vip.prefix, 32);
    assert_eq!(vip.label.as_deref(), Some("eno16777736:0"));
    assert!(c.instances[0].nopreempt);
}

#[test]
fn every_diagnostic_names_an_existing_line() {
    let dir = fixture("");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("conf") {
            continue;
        }
        let loaded = config::load(&p).unwrap();
        for d in &loaded.diagnostics.items {
            let text = std::fs::read_to_string(&*d.at.file).unwrap();
            assert!(
                d.at.line >= 1 && (d.at.line as usize) <= text.lines().count(),
                "{d}"
            );
        }
    }
}
