//! Applying a batch of changes all-or-nothing through the one client.
//!
//! The kernel applies each netlink message on its own, so a batch that fails half-way is
//! undone here: adds are undone by deletes; anything else by converging the table back to a
//! snapshot taken before the batch (`plan::converge`). Counters cleared by `-Z` cannot be
//! restored; everything settable is.

use std::fmt;

use crate::ipvs::error::IpvsError;
use crate::ipvs::netlink::Client;
use crate::ipvs::{Daemon, Op, ServiceEntry, Timeouts};

use super::plan;

/// A batch that did not apply: which op failed, why, and whether the rollback worked.
#[derive(Debug)]
pub struct BatchError {
    /// Index of the first op the kernel refused.
    pub index: usize,
    pub op: Op,
    pub error: IpvsError,
    /// `Ok` when the table is back as it was; otherwise what the rollback could not undo.
    pub rollback: Result<(), String>,
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        if let Err(e) = &self.rollback {
            write!(f, " (rollback incomplete: {e})")?;
        }
        Ok(())
    }
}

/// What has to be read before a batch so that it can be undone.
struct Before {
    table: Option<Vec<ServiceEntry>>,
    timeouts: Option<Timeouts>,
    daemons: Option<Vec<Daemon>>,
}

/// Applies `ops` in order, pipelined; on the first refusal undoes every op that took effect.
pub async fn apply_atomically(client: &Client, ops: &[Op]) -> Result<(), BatchError> {
    if let [op] = ops {
        // One message is atomic in the kernel: nothing to undo.
        return client.apply(op).await.map_err(|error| BatchError {
            index: 0,
            op: op.clone(),
            error,
            rollback: Ok(()),
        });
    }
    let before = snapshot(client, ops).await;
    let results = client.apply_all(ops).await;
    let Some(index) = results.iter().position(|r| r.is_err()) else {
        return Ok(());
    };
    let succeeded: Vec<bool> = results.iter().map(|r| r.is_ok()).collect();
    let mut results = results;
    let Err(error) = results.swap_remove(index) else {
        return Ok(());
    };
    let rollback = match before {
        Ok(before) => roll_back(client, ops, &succeeded, &before).await,
        Err(e) => Err(format!("could not read the table before the change: {e}")),
    };
    Err(BatchError {
        index,
        op: ops[index].clone(),
        error,
        rollback,
    })
}

async fn snapshot(client: &Client, ops: &[Op]) -> Result<Before, IpvsError> {
    let table_ops = ops.iter().any(|o| {
        plan::needs_snapshot(o)
            && !matches!(
                o,
                Op::SetTimeouts(_) | Op::StartDaemon(_) | Op::StopDaemon(_) | Op::Zero(_)
            )
    });
    Ok(Before {
        table: if table_ops {
            Some(client.table().await?)
        } else {
            None
        },
        timeouts: if ops.iter().any(|o| matches!(o, Op::SetTimeouts(_))) {
            Some(client.timeouts().await?)
        } else {
            None
        },
        daemons: if ops.iter().any(|o| matches!(o, Op::StopDaemon(_))) {
            Some(client.daemons().await?)
        } else {
            None
        },
    })
}

/// Undoes the ops that took effect (`succeeded[i]`); the pipeline runs past a failure, so
/// later ops may have taken effect too.
async fn roll_back(
    client: &Client,
    ops: &[Op],
    succeeded: &[bool],
    before: &Before,
) -> Result<(), String> {
    let done = || {
        ops.iter()
            .zip(succeeded)
            .filter(|(_, ok)| **ok)
            .map(|(op, _)| op)
    };
    let mut undo: Vec<Op> = Vec::new();
    match &before.table {
        Some(table) => {
            let now = client.table().await.map_err(|e| e.to_string())?;
            undo.extend(plan::converge(&now, table));
        }
        None => {
            // Only adds (and non-table ops) in the batch: delete what was added, newest first.
            // A refused add is skipped: its delete would hit what was there before.
            let mut adds: Vec<Op> = done().filter_map(plan::undo_add).collect();
            adds.reverse();
            undo.extend(adds);
        }
    }
    if let Some(t) = before.timeouts {
        undo.push(Op::SetTimeouts(t));
    }
    let mut daemon_ops: Vec<&Op> = done().collect();
    daemon_ops.reverse();
    for op in daemon_ops {
        match op {
            Op::StartDaemon(d) => undo.push(Op::StopDaemon(d.state)),
            Op::StopDaemon(state) => {
                if let Some(d) = before
                    .daemons
                    .as_ref()
                    .and_then(|ds| ds.iter().find(|d| d.state == *state))
                {
                    undo.push(Op::StartDaemon(d.clone()));
                }
            }
            _ => {}
        }
    }
    let failures: Vec<String> = client
        .apply_all(&undo)
        .await
        .into_iter()
        .zip(&undo)
        .filter_map(|(r, op)| r.err().map(|e| format!("{op:?}: {e}")))
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
