//! The scheduler and policy together, from a keepalived.conf, against a real listener that
//! goes away and comes back, plus an operator drain.

// Tests and benches state what they expect with unwrap/expect/panic (the lints are for
// the library; see Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{timeout, Instant};

use lvsdeck::check::build::build;
use lvsdeck::check::runner::{self, Event, Input};
use lvsdeck::check::{Health, OperatorCommand, Policy, RsIndex};
use lvsdeck::ipvs::Op;

fn conf(port: u16) -> String {
    format!(
        "virtual_server 127.0.0.1 8000 {{
  delay_loop 0.2
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 {port} {{
    weight 3
    TCP_CHECK {{
      connect_timeout 0.5
      retry 1
      delay_before_retry 0.1
      warmup 0
    }}
  }}
  real_server 127.0.0.2 {port} {{
    weight 2
    MISC_CHECK {{
      misc_path \"true\"
      warmup 0
    }}
  }}
}}
"
    )
}

async fn next_op(events: &mut mpsc::UnboundedReceiver<Event>, within: Duration) -> Option<Op> {
    let e = timeout(within, events.recv()).await.ok()??;
    e.output.ops.into_iter().next()
}

#[tokio::test]
async fn detects_a_dead_listener_and_its_return_and_honours_a_drain() {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let loaded = lvsdeck::config::parse_str(&conf(port), Path::new("check.conf"));
    assert!(loaded.is_ok(), "{:?}", loaded.diagnostics);
    let built = build(&loaded.config, "lvsdeck", None);
    assert_eq!(built.problems, Vec::<String>::new());
    assert_eq!(built.checks.len(), 2);
    let policy = Policy::new(built.specs);
    let (in_tx, in_rx) = mpsc::channel(8);
    let (ev_tx, mut events) = mpsc::unbounded_channel();
    let run = tokio::spawn(runner::run(policy, built.checks, in_rx, ev_tx));

    // Let a few rounds pass: both servers up, nothing to change.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (tx, rx) = oneshot::channel();
    in_tx.send(Input::Status(tx)).await.expect("send");
    let status = rx.await.expect("status");
    assert!(
        status.iter().all(|(_, s)| s.health == Health::Up),
        "{status:?}"
    );
    assert!(status[0].1.checkers[0].last.is_some());
    assert!(events.try_recv().is_err(), "no change while all is well");

    drop(l);
    let gone = Instant::now();
    let op = next_op(&mut events, Duration::from_secs(3)).await;
    let took = gone.elapsed();
    assert!(
        matches!(op, Some(Op::DelDest { port: p, .. }) if p == port),
        "{op:?}"
    );
    // Bound: the next check (<= 0.2 s away), one retry 0.1 s later, plus slack for a loaded
    // machine (the exact spacing is pinned by the simulated-clock tests).
    assert!(
        took < Duration::from_millis(1500),
        "detected after {took:?}"
    );

    let back = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("rebind");
    let op = next_op(&mut events, Duration::from_secs(3)).await;
    assert!(
        matches!(&op, Some(Op::AddDest(_, d)) if d.port == port && d.weight == 3),
        "{op:?}"
    );

    let second = RsIndex { vs: 0, rs: 1 };
    in_tx
        .send(Input::Operator(OperatorCommand::Drain(second)))
        .await
        .expect("send");
    let op = next_op(&mut events, Duration::from_secs(3)).await;
    assert!(
        matches!(&op, Some(Op::EditDest(_, d)) if d.weight == 0),
        "{op:?}"
    );
    // Passing MISC checks for a while do not undo the drain.
    assert!(timeout(Duration::from_millis(600), events.recv())
        .await
        .is_err());

    in_tx.send(Input::Stop).await.expect("send");
    let policy = timeout(Duration::from_secs(3), run)
        .await
        .expect("stops")
        .expect("joins");
    assert_eq!(policy.server(second).map(|s| s.in_table), Some(Some(0)));
    drop(back);
}
