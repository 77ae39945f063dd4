//! The daemon's health path without the kernel: a generation of checkers built from a
//! keepalived.conf against real loopback listeners, their decisions folded into the
//! reconciler's health layer, and the status picture the console reads; then a reload's
//! carry-over (a dead server stays down in the next generation, with no retry round).

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::timeout;

use lvsdeck::check::runner::Event;
use lvsdeck::check::Health;
use lvsdeck::engine::health::checks::{Checks, Down};
use lvsdeck::engine::health::status::{views, Why};
use lvsdeck::engine::health::verdicts::Verdicts;
use lvsdeck::engine::Presence;

fn conf(up: u16, dead: u16) -> String {
    let rs = |port: u16, weight: u32| {
        format!(
            "  real_server 127.0.0.1 {port} {{
    weight {weight}
    TCP_CHECK {{
      connect_timeout 0.5
      retry 1
      delay_before_retry 0.1
      warmup 0
    }}
  }}
"
        )
    };
    format!(
        "virtual_server 127.0.0.1 8000 {{
  delay_loop 0.2
  lb_algo rr
  lb_kind NAT
  protocol TCP
  sorry_server 127.0.0.1 9
{}{}}}
",
        rs(up, 3),
        rs(dead, 2)
    )
}

async fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr").port()
}

/// Folds events into `v` until `done` holds or `within` passes.
async fn fold_until(
    events: &mut mpsc::UnboundedReceiver<Event>,
    v: &mut Verdicts,
    within: Duration,
    mut done: impl FnMut(&Verdicts) -> bool,
) -> bool {
    let end = tokio::time::Instant::now() + within;
    while !done(v) {
        match timeout(end - tokio::time::Instant::now(), events.recv()).await {
            Ok(Some(e)) => {
                v.apply(&e.output.ops);
            }
            _ => return false,
        }
    }
    true
}

#[tokio::test]
async fn checker_verdicts_status_and_reload_carry_over() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let up = listener.local_addr().expect("addr").port();
    let dead = free_port().await;
    let loaded = lvsdeck::config::parse_str(&conf(up, dead), Path::new("h.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    let services = loaded.config.ipvs_services();
    let key = services[0].service.key;
    let dead_id = lvsdeck::engine::ServerId {
        service: key,
        addr: "127.0.0.1".parse().expect("ip"),
        port: dead,
    };

    let (tx, mut events) = mpsc::unbounded_channel();
    let checks = Checks::start(&loaded.config, &Down::new(), tx);
    let mut v = Verdicts::new(&services);
    let t0 = std::time::Instant::now();
    let out = fold_until(&mut events, &mut v, Duration::from_secs(5), |v| {
        v.overrides.get(&dead_id) == Some(Presence::Out)
    })
    .await;
    assert!(out, "the dead server never got an Out verdict");
    println!("dead server out after {:?}", t0.elapsed());
    // Only the dead one has a verdict: the live one stays at its configured weight.
    assert_eq!(
        v.overrides.get(&lvsdeck::engine::ServerId {
            port: up,
            ..dead_id
        }),
        None
    );

    let statuses = checks.statuses().await;
    let picture = views(&checks.specs, &statuses, &v);
    assert_eq!(picture.len(), 3, "two real servers and the sorry server");
    let live = picture.iter().find(|s| s.port == up).expect("live server");
    assert_eq!(live.why, Why::Weight(3));
    let st = live.status.as_ref().expect("checked");
    let last = st.checkers[0].last.as_ref().expect("a result");
    assert!(last.ok && last.latency < Duration::from_millis(500));
    assert!(st.checkers[0].next_check.is_some());
    let gone = picture
        .iter()
        .find(|s| s.port == dead)
        .expect("dead server");
    assert_eq!(gone.why, Why::CheckerDown);
    let st = gone.status.as_ref().expect("checked");
    assert!(st.checkers[0].consecutive_failures >= 2, "{st:?}");
    assert!(st.transitions.iter().any(|t| t.health == Health::Down));
    let sorry = picture.iter().find(|s| s.port == 9).expect("sorry server");
    assert_eq!(sorry.why, Why::SorryServer(false));

    // Reload: the next generation starts with the dead server down, before any check.
    let down = checks.down().await;
    assert_eq!(down.len(), 1);
    checks.abandon();
    let (tx, mut events) = mpsc::unbounded_channel();
    let next = Checks::start(&loaded.config, &down, tx);
    let mut v2 = Verdicts::new(&services);
    v2.carry(&v);
    assert_eq!(v2.overrides.get(&dead_id), Some(Presence::Out));
    let first = timeout(Duration::from_secs(2), events.recv())
        .await
        .expect("start decision")
        .expect("event");
    v2.apply(&first.output.ops);
    assert_eq!(v2.overrides.get(&dead_id), Some(Presence::Out));

    // The dead server comes back: one success puts it back at its weight (no verdict).
    let revived = TcpListener::bind(("127.0.0.1", dead))
        .await
        .expect("rebind");
    let back = fold_until(&mut events, &mut v2, Duration::from_secs(5), |v| {
        v.overrides.get(&dead_id).is_none()
    })
    .await;
    assert!(back, "the revived server never came back");
    next.stop().await;
    drop((listener, revived));
}
