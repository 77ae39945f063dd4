//! keepalived's `use_vmac`: a macvlan (mode private) on the instance's interface with the
//! virtual router MAC 00:00:5e:00:01:VRID (IPv4) / 00:00:5e:00:02:VRID (IPv6), created over
//! rtnetlink (neli). The VIPs go on it and adverts and gratuitous ARPs leave from it, so
//! neighbours learn the virtual MAC and a takeover needs no ARP cache change.
//!
//! As keepalived (`set_interface_parameters`): the vmac gets arp_ignore 1, accept_local 1,
//! rp_filter 0, promote_secondaries 1 and (IPv4) no IPv6; the base interface gets arp_ignore 1
//! and arp_filter 1 so only the vmac answers ARP for the VIPs, and arp_announce 2 (see
//! `configure`). The base's values are put back when the vmac is removed.

use std::io;
use std::path::PathBuf;

use neli::consts::nl::NlmF;
use neli::consts::rtnl::{Ifla, IflaInfo, RtAddrFamily, Rtm};
use neli::router::asynchronous::NlRouter;
use neli::rtnl::{Ifinfomsg, IfinfomsgBuilder, RtattrBuilder};
use neli::types::{Buffer, RtBuffer};

use super::{iface, rtnl};

/// `IFLA_MACVLAN_MODE` and `MACVLAN_MODE_PRIVATE` (linux/if_link.h).
const IFLA_MACVLAN_MODE: u16 = 1;
const MACVLAN_MODE_PRIVATE: u32 = 1;

/// keepalived's default name, `vrrp.VRID`.
pub fn default_name(vrid: u8) -> String {
    format!("vrrp.{vrid}")
}

pub fn mac_string(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A vmac this process created; [`Vmac::remove`] deletes it and restores the base.
#[derive(Debug)]
pub struct Vmac {
    pub name: String,
    pub ifindex: u32,
    pub mac: [u8; 6],
    /// The base interface once its sysctls were set (empty before).
    base: String,
}

/// Per base interface: how many of our vmacs use it, and the sysctls to put back when the
/// last one goes (keepalived's `reset_arp_config` count).
type BaseState = (String, usize, Vec<(PathBuf, String)>);
static BASES: std::sync::Mutex<Vec<BaseState>> = std::sync::Mutex::new(Vec::new());

/// One more vmac on `base`: the first one sets the base's sysctls and remembers them.
fn base_acquire(base: &str) -> io::Result<()> {
    let mut bases = BASES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(b) = bases.iter_mut().find(|b| b.0 == base) {
        b.1 += 1;
        return Ok(());
    }
    let mut restore = Vec::new();
    // arp_announce 2 goes beyond keepalived's code (its documentation asks operators for it):
    // without it the host's own ARP requests leave the base with a VIP as sender address and
    // teach neighbours the base MAC for the VIP.
    for (key, value) in [
        ("arp_ignore", "1"),
        ("arp_filter", "1"),
        ("arp_announce", "2"),
    ] {
        let p = sysctl("ipv4", base, key);
        match set(&p, value) {
            Ok(Some(old)) => restore.push((p, old)),
            Ok(None) => {}
            Err(e) => {
                restore_all(&restore);
                return Err(e);
            }
        }
    }
    bases.push((base.to_string(), 1, restore));
    Ok(())
}

/// One vmac fewer on `base`: the last one puts the base's sysctls back.
fn base_release(base: &str) {
    let mut bases = BASES.lock().unwrap_or_else(|p| p.into_inner());
    let Some(i) = bases.iter().position(|b| b.0 == base) else {
        return;
    };
    bases[i].1 -= 1;
    if bases[i].1 == 0 {
        let (_, _, restore) = bases.remove(i);
        restore_all(&restore);
    }
}

fn restore_all(restore: &[(PathBuf, String)]) {
    for (p, old) in restore {
        if let Err(e) = std::fs::write(p, old) {
            tracing::warn!("restoring {}: {e}", p.display());
        }
    }
}

fn sysctl(family: &str, ifname: &str, key: &str) -> PathBuf {
    PathBuf::from(format!("/proc/sys/net/{family}/conf/{ifname}/{key}"))
}

/// Writes `value`; returns the former value when it changed.
fn set(path: &PathBuf, value: &str) -> io::Result<Option<String>> {
    let old = std::fs::read_to_string(path)?.trim().to_string();
    if old == value {
        return Ok(None);
    }
    std::fs::write(path, value)?;
    Ok(Some(old))
}

fn new_link(base: u32, name: &str, mac: [u8; 6]) -> io::Result<Ifinfomsg> {
    let mut data = RtBuffer::<u16, Buffer>::new();
    data.push(
        RtattrBuilder::default()
            .rta_type(IFLA_MACVLAN_MODE)
            .rta_payload(MACVLAN_MODE_PRIVATE)
            .build()
            .map_err(rtnl::other)?,
    );
    let mut info = RtBuffer::<IflaInfo, Buffer>::new();
    info.push(
        RtattrBuilder::default()
            .rta_type(IflaInfo::Kind)
            .rta_payload("macvlan")
            .build()
            .map_err(rtnl::other)?,
    );
    info.push(
        RtattrBuilder::default()
            .rta_type(IflaInfo::Data)
            .rta_payload(data)
            .build()
            .map_err(rtnl::other)?,
    );
    let mut attrs = RtBuffer::<Ifla, Buffer>::new();
    attrs.push(
        RtattrBuilder::default()
            .rta_type(Ifla::Link)
            .rta_payload(base)
            .build()
            .map_err(rtnl::other)?,
    );
    attrs.push(
        RtattrBuilder::default()
            .rta_type(Ifla::Ifname)
            .rta_payload(name)
            .build()
            .map_err(rtnl::other)?,
    );
    attrs.push(
        RtattrBuilder::default()
            .rta_type(Ifla::Address)
            .rta_payload(Buffer::from(mac.to_vec()))
            .build()
            .map_err(rtnl::other)?,
    );
    attrs.push(
        RtattrBuilder::default()
            .rta_type(Ifla::Linkinfo)
            .rta_payload(info)
            .build()
            .map_err(rtnl::other)?,
    );
    IfinfomsgBuilder::default()
        .ifi_family(RtAddrFamily::Unspecified)
        .rtattrs(attrs)
        .build()
        .map_err(rtnl::other)
}

fn link_msg(ifindex: u32, up: bool) -> io::Result<Ifinfomsg> {
    let b = IfinfomsgBuilder::default()
        .ifi_family(RtAddrFamily::Unspecified)
        .ifi_index(ifindex as libc::c_int);
    let b = if up { b.up() } else { b };
    b.build().map_err(rtnl::other)
}

impl Vmac {
    /// Creates `name` on `base` with `mac` and brings it up. A leftover interface of that name
    /// (a previous run that was killed) is replaced.
    pub async fn create(base: &str, name: &str, mac: [u8; 6], ipv6: bool) -> io::Result<Vmac> {
        let base_index = iface::index(base)?;
        let router = rtnl::connect().await?;
        let flags = NlmF::CREATE | NlmF::EXCL;
        let created = rtnl::request(
            &router,
            Rtm::Newlink,
            flags,
            new_link(base_index, name, mac)?,
        )
        .await;
        match created {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                tracing::warn!("{name} already exists (left by an earlier run?): replacing it");
                let old = iface::index(name)?;
                rtnl::request(&router, Rtm::Dellink, NlmF::empty(), link_msg(old, false)?).await?;
                rtnl::request(
                    &router,
                    Rtm::Newlink,
                    flags,
                    new_link(base_index, name, mac)?,
                )
                .await?;
            }
            Err(e) => return Err(e),
        }
        let ifindex = iface::index(name)?;
        let mut vmac = Vmac {
            name: name.to_string(),
            ifindex,
            mac,
            base: String::new(),
        };
        let result = vmac.configure(base, ipv6, &router).await;
        if let Err(e) = result {
            let _ = vmac.remove().await;
            return Err(e);
        }
        Ok(vmac)
    }

    async fn configure(&mut self, base: &str, ipv6: bool, router: &NlRouter) -> io::Result<()> {
        let name = self.name.clone();
        for (key, value) in [
            ("arp_ignore", "1"),
            ("accept_local", "1"),
            ("rp_filter", "0"),
            ("promote_secondaries", "1"),
        ] {
            set(&sysctl("ipv4", &name, key), value)?;
        }
        if !ipv6 {
            // keepalived: an IPv4 vmac has no IPv6 (no link-local address, no DAD, no RS).
            let _ = set(&sysctl("ipv6", &name, "disable_ipv6"), "1");
        }
        base_acquire(base)?;
        self.base = base.to_string();
        rtnl::request(
            router,
            Rtm::Newlink,
            NlmF::empty(),
            link_msg(self.ifindex, true)?,
        )
        .await
    }

    /// Deletes the vmac (its addresses go with it) and restores the base's sysctls.
    pub async fn remove(self) -> io::Result<()> {
        if !self.base.is_empty() {
            base_release(&self.base);
        }
        let router = rtnl::connect().await?;
        rtnl::request(
            &router,
            Rtm::Dellink,
            NlmF::empty(),
            link_msg(self.ifindex, false)?,
        )
        .await
        .or_else(|e| {
            if e.raw_os_error() == Some(libc::ENODEV) {
                Ok(())
            } else {
                Err(e)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_router_macs_and_names() {
        assert_eq!(mac_string([0, 0, 0x5e, 0, 1, 10]), "00:00:5e:00:01:0a");
        assert_eq!(default_name(7), "vrrp.7");
    }
}
