//! `use_vmac` at the engine's edge: the instance's macvlan is created before its sockets and
//! removed when its task ends.

use std::time::Duration;

use anyhow::Context;

use super::spec::{Spec, VmacSpec};
use crate::linux::iface;
use crate::linux::vmac::{self, Vmac};

/// The kernel marks a new macvlan running a moment after it is up (linkwatch). The vmac is
/// one of the instance's own links, so waiting for that (at most a second, and only while the
/// base runs) spares the instance a FAULT at start.
async fn settle(base: &str, name: &str) {
    for _ in 0..100 {
        if iface::is_running(name) || !iface::is_running(base) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub async fn create(spec: &Spec, v: &VmacSpec) -> anyhow::Result<Vmac> {
    let family = spec.core.family();
    let mac = crate::vrrp::virtual_mac(family, spec.core.vrid);
    let ipv6 = family == crate::vrrp::Family::V6;
    let made = Vmac::create(&spec.interface, &v.name, mac, ipv6)
        .await
        .with_context(|| {
            format!(
                "vrrp_instance {}: use_vmac {} on {}",
                spec.name, v.name, spec.interface
            )
        })?;
    settle(&spec.interface, &made.name).await;
    tracing::info!(
        "VRRP_Instance({}) vmac {} ({}) on {}",
        spec.name,
        made.name,
        vmac::mac_string(mac),
        spec.interface
    );
    Ok(made)
}

pub async fn remove(name: &str, v: Vmac) {
    let ifname = v.name.clone();
    match v.remove().await {
        Ok(()) => tracing::info!("VRRP_Instance({name}) vmac {ifname} removed"),
        Err(e) => tracing::error!("VRRP_Instance({name}) removing vmac {ifname}: {e}"),
    }
}
