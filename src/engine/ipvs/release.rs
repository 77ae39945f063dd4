//! What `lvsdeck daemon` does to the IPVS table when it stops, as keepalived's checker does
//! (`check_daemon.c`: `clear_services()` unless `--dont-release-ipvs`; `ipwrapper.c`): the
//! virtual servers of the configuration are removed with their real servers — only those,
//! services it does not own stay — unless `lvs_flush_on_stop` asks to flush everything.
//! `lvs_flush` flushes the whole table at start (keepalived: not on a reload).

use std::collections::BTreeSet;

use anyhow::Context;

use crate::config::global_defs::FlushOnStop;
use crate::ipvs::batch::apply_atomically;
use crate::ipvs::netlink::Client;
use crate::ipvs::{Op, ServiceEntry, ServiceKey};

use crate::engine::ipvs::reconciler::log_ops;

/// The ops that release `owned` from `kernel`. Deleting a service deletes its real servers
/// in the kernel, so `No` and `Vs` (which differ in keepalived only in the messages it sends
/// per real server) are the same ops here.
pub fn release_ops(
    kernel: &[ServiceEntry],
    owned: &BTreeSet<ServiceKey>,
    flush: FlushOnStop,
) -> Vec<Op> {
    match flush {
        FlushOnStop::Full => vec![Op::Flush],
        FlushOnStop::No | FlushOnStop::Vs => kernel
            .iter()
            .map(|e| e.service.config.key)
            .filter(|k| owned.contains(k))
            .map(Op::DelService)
            .collect(),
    }
}

/// Reads the kernel and releases `owned` (all-or-nothing), logging the ipvsadm lines.
pub async fn release(owned: &BTreeSet<ServiceKey>, flush: FlushOnStop) -> anyhow::Result<()> {
    let client = Client::connect().await.context("IPVS (generic netlink)")?;
    let kernel = client.table().await.context("reading the IPVS table")?;
    let ops = release_ops(&kernel, owned, flush);
    apply(&client, &ops).await?;
    tracing::info!("released {} virtual services", ops.len());
    Ok(())
}

/// `lvs_flush`: the whole table, before anything of ours is added.
pub async fn flush_at_start() -> anyhow::Result<()> {
    let client = Client::connect().await.context("IPVS (generic netlink)")?;
    apply(&client, &[Op::Flush]).await
}

async fn apply(client: &Client, ops: &[Op]) -> anyhow::Result<()> {
    if ops.is_empty() {
        return Ok(());
    }
    apply_atomically(client, ops)
        .await
        .map_err(|e| anyhow::anyhow!("ipvsadm {}: {e}", e.op))?;
    log_ops(ops);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (Vec<ServiceEntry>, BTreeSet<ServiceKey>) {
        let cfg = crate::config::parse_str(text, std::path::Path::new("t.conf")).config;
        let services = cfg.ipvs_services();
        let entries = crate::engine::ipvs::desired::desired_table(
            &services,
            &Default::default(),
            &Default::default(),
        );
        let keys = entries.iter().map(|e| e.service.config.key).collect();
        (entries, keys)
    }

    #[test]
    fn only_owned_services_are_released_unless_a_full_flush() {
        let conf = "virtual_server 198.51.100.10 80 {\n protocol TCP\n \
                    real_server 192.0.2.1 80 {\n }\n}\n";
        let other = "virtual_server 198.51.100.99 80 {\n protocol TCP\n}\n";
        let (mine, owned) = table(conf);
        let (theirs, _) = table(other);
        let kernel: Vec<ServiceEntry> = mine.iter().chain(&theirs).cloned().collect();
        let key = mine[0].service.config.key;
        assert_eq!(
            release_ops(&kernel, &owned, FlushOnStop::No),
            vec![Op::DelService(key)]
        );
        assert_eq!(
            release_ops(&kernel, &owned, FlushOnStop::Vs),
            vec![Op::DelService(key)]
        );
        assert_eq!(
            release_ops(&kernel, &owned, FlushOnStop::Full),
            vec![Op::Flush]
        );
        assert_eq!(release_ops(&theirs, &owned, FlushOnStop::No), vec![]);
    }
}
