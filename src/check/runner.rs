//! The scheduler: one tokio task per checker sleeping until its next check (no thread per
//! check; thousands share one runtime), and one task that owns the policy, feeds it the
//! results and publishes what it decides.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio::time::Instant as TokioInstant;

use crate::clock::Instant;

use super::policy::spec::{CheckerId, RsIndex};
use super::policy::status::ServerStatus;
use super::policy::{OperatorCommand, Output, Policy};
use super::probe::Check;

/// What the engine or console can ask of a running checker.
pub enum Input {
    Operator(OperatorCommand),
    Status(oneshot::Sender<Vec<(RsIndex, ServerStatus)>>),
    /// How many check results the policy has taken so far.
    Results(oneshot::Sender<u64>),
    /// Stop every check; `omega` servers are cleared.
    Stop,
}

/// A decision with table changes or actions, stamped on the runner's clock.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: TokioInstant,
    pub output: Output,
}

struct Report {
    id: CheckerId,
    outcome: super::Outcome,
    latency: Duration,
    /// When the check finished: the policy's clock for this result, so time spent queued
    /// behind other reports does not push the next check later and later.
    done: TokioInstant,
    next: oneshot::Sender<TokioInstant>,
}

/// Runs until `Stop` or until `inputs` closes; returns the policy for a last look.
pub async fn run(
    mut policy: Policy,
    checks: Vec<(CheckerId, Check)>,
    mut inputs: mpsc::Receiver<Input>,
    events: mpsc::UnboundedSender<Event>,
) -> Policy {
    let epoch = TokioInstant::now();
    let clock = |t: TokioInstant| Instant::from_since_epoch(t.saturating_duration_since(epoch));
    let wall = |i: Instant| epoch + i.since_epoch();
    let first = policy.start(Instant::ZERO, |_, warmup| warmup.mul_f64(fastrand::f64()));
    publish(&events, epoch, first);
    let (tx, mut reports) = mpsc::channel::<Report>(1024);
    let mut tasks = JoinSet::new();
    for (id, check) in checks {
        let Some(first) = policy
            .server(id.server)
            .and_then(|s| s.checkers.get(id.index))
            .and_then(|c| c.next_check)
        else {
            continue;
        };
        let tx = tx.clone();
        let check = Arc::new(check);
        let mut deadline = wall(first);
        tasks.spawn(async move {
            loop {
                tokio::time::sleep_until(deadline).await;
                let t0 = TokioInstant::now();
                let outcome = check.run().await;
                let (next, rx) = oneshot::channel();
                let done = TokioInstant::now();
                let r = Report {
                    id,
                    outcome,
                    latency: done - t0,
                    done,
                    next,
                };
                if tx.send(r).await.is_err() {
                    return;
                }
                match rx.await {
                    Ok(t) => deadline = t,
                    Err(_) => return,
                }
            }
        });
    }
    drop(tx);
    let mut results = 0u64;
    loop {
        tokio::select! {
            Some(r) = reports.recv() => {
                results += 1;
                let now = r.done;
                let mut out = policy.on_result(clock(now), r.id, &r.outcome, r.latency);
                let next = out.next_check.take().map_or(now + Duration::from_secs(1), wall);
                let _ = r.next.send(next);
                publish(&events, now, out);
            }
            input = inputs.recv() => match input {
                Some(Input::Operator(c)) => {
                    let now = TokioInstant::now();
                    let out = policy.command(clock(now), c);
                    publish(&events, now, out);
                }
                Some(Input::Status(reply)) => {
                    let _ = reply.send(policy.servers().map(|(id, s)| (id, s.clone())).collect());
                }
                Some(Input::Results(reply)) => {
                    let _ = reply.send(results);
                }
                Some(Input::Stop) | None => break,
            }
        }
    }
    tasks.shutdown().await;
    let now = TokioInstant::now();
    let out = policy.shutdown(clock(now));
    publish(&events, now, out);
    policy
}

fn publish(events: &mpsc::UnboundedSender<Event>, at: TokioInstant, output: Output) {
    if !output.ops.is_empty() || !output.actions.is_empty() {
        let _ = events.send(Event { at, output });
    }
}
