//! The health picture survives the trip through a status reply (times relative to `now`),
//! and the short forms of `lvsdeck control` name the right requests.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::client::short_form;
use super::protocol::{parse_reply, to_line, Reply, Request};
use super::{from_reply, to_reply};
use crate::check::{CheckerStatus, Health, Intent, LastResult, ServerStatus, Transition};
use crate::clock::Instant;
use crate::engine::health::status::{HealthStatus, ServerView, Why};
use crate::engine::ipvs::drift::{Drift, DriftItem, DriftKey};
use crate::engine::ipvs::reconciler;
use crate::ipvs::{Protocol, ServiceKey};

fn at(ms: u64) -> Instant {
    Instant::from_since_epoch(Duration::from_millis(ms))
}

fn picture(now: u64) -> HealthStatus {
    let web = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: Ipv4Addr::new(198, 51, 100, 10).into(),
        port: 80,
    };
    let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let status = ServerStatus {
        health: Health::Up,
        intent: Intent::Drain,
        weight: 2,
        in_table: Some(0),
        checkers: vec![CheckerStatus {
            name: "TCP_CHECK",
            up: true,
            last: Some(LastResult {
                at: at(now - 400),
                ok: true,
                detail: "connected".into(),
                latency: Duration::from_millis(3),
            }),
            consecutive_failures: 0,
            next_check: Some(at(now + 600)),
        }],
        transitions: VecDeque::from([Transition {
            at: at(now - 5000),
            health: Health::Up,
            intent: Intent::Drain,
            reason: "operator: Drain".into(),
        }]),
    };
    HealthStatus {
        now: Some(at(now)),
        wall_secs: Some(1_800_000_000),
        servers: vec![
            ServerView {
                virtual_server: "198.51.100.10 80".into(),
                services: vec![web],
                addr: lo,
                port: 8081,
                why: Why::OperatorDrained,
                status: Some(status),
            },
            ServerView {
                virtual_server: "198.51.100.10 80".into(),
                services: vec![web],
                addr: lo,
                port: 8090,
                why: Why::SorryServer(false),
                status: None,
            },
        ],
        reconciler: reconciler::ReconcilerStatus {
            drift: Drift {
                items: vec![DriftItem {
                    key: DriftKey {
                        service: web,
                        server: None,
                    },
                    expected: Some("-A -t 198.51.100.10:80 -s rr".into()),
                    found: None,
                    kept: true,
                }],
            },
            error: Some("oops".into()),
            ..reconciler::ReconcilerStatus::default()
        },
        sync: Some(crate::engine::conn_sync::status::SyncStatus {
            setting: Some("lvs_sync_daemon eth0 VI_1 id 7".into()),
            instance: Some("VI_1".into()),
            instance_state: Some("BACKUP".into()),
            wanted: vec![crate::ipvs::DaemonState::Backup],
            daemons: vec![crate::ipvs::Daemon {
                state: crate::ipvs::DaemonState::Backup,
                mcast_ifn: "eth0".into(),
                syncid: 7,
                sync_maxlen: Some(1472),
                mcast_group: Some("224.0.0.81".parse().unwrap()),
                mcast_port: Some(8848),
                mcast_ttl: Some(1),
            }],
            local: Some(3),
            synced: Some(40),
            error: None,
        }),
    }
}

#[test]
fn the_picture_survives_a_status_reply() {
    let p = picture(100_000);
    let reply = to_reply(&p);
    assert_eq!(
        reply.servers[0].server,
        "-t 198.51.100.10:80 -r 127.0.0.1:8081"
    );
    assert_eq!(reply.drift[0].revert, "-A -t 198.51.100.10:80 -s rr");
    // Over the wire and back, on the console's own clock (another epoch).
    let line = to_line(&Reply::Status(Box::new(reply)));
    let Ok(Reply::Status(back)) = parse_reply(&line) else {
        panic!("not a status: {line}");
    };
    let (q, problems) = from_reply(&back, at(100_000));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(q, p);
}

#[test]
fn short_forms() {
    let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
    assert_eq!(short_form(&w("status")), Ok(Request::Status));
    assert_eq!(
        short_form(&w("drain -t 198.51.100.10:80 -r 127.0.0.1:8081")),
        Ok(Request::Drain {
            server: "-t 198.51.100.10:80 -r 127.0.0.1:8081".into()
        })
    );
    assert_eq!(
        short_form(&w("reconcile")),
        Ok(Request::Reconcile { entry: None })
    );
    assert_eq!(
        short_form(&w(r#"{"cmd":"keep"}"#)),
        Ok(Request::Keep { entry: None })
    );
    assert!(short_form(&w("drain"))
        .unwrap_err()
        .to_string()
        .contains("name the server"));
    assert!(short_form(&w("explode"))
        .unwrap_err()
        .to_string()
        .contains("unknown request"));
}

#[tokio::test]
async fn a_live_socket_is_refused_and_a_stale_one_replaced() {
    let dir = std::env::temp_dir().join(format!("hops-ctl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("control.sock");
    let (first, _rx) = super::server::bind(&path).await.expect("bind");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path)
        .expect("socket")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let e = super::server::bind(&path).await.err().expect("refused");
    assert!(e.to_string().contains("another lvsdeck daemon"), "{e}");
    // A socket file nobody listens on (a crashed daemon's) is replaced.
    std::mem::forget(first);
    let stale = dir.join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).expect("stale"));
    let (l, _rx2) = super::server::bind(&stale).await.expect("stale replaced");
    drop(l);
    assert!(!stale.exists(), "removed on drop");
    // A file that is not a socket is never replaced.
    let file = dir.join("file");
    std::fs::write(&file, "keep me").expect("file");
    let e = super::server::bind(&file).await.err().expect("refused");
    assert!(e.to_string().contains("is not a socket"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&file).ok().as_deref(),
        Some("keep me")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
