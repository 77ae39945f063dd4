//! Link state from rtnetlink (RTNLGRP_LINK), as keepalived follows it: a link is up when
//! its `ifi_flags` have IFF_UP and IFF_RUNNING. Events are broadcast to the tracking
//! watchers, which read each link once at start and again whenever events were lost.

use std::io;

use neli::consts::rtnl::{Iff, Ifla, Rtm};
use neli::rtnl::Ifinfomsg;
use tokio::sync::broadcast;

/// What the link monitor reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A link was added, changed or deleted (deleted: `up` false).
    Changed { name: String, up: bool },
    /// The kernel dropped events (ENOBUFS) or a watcher lagged: read the links again.
    Overrun,
}

/// Up as keepalived's `IF_FLAGS_UP` counts it.
pub fn flags_up(flags: &Iff) -> bool {
    flags.contains(Iff::UP) && flags.contains(Iff::RUNNING)
}

/// The event an RTM_NEWLINK / RTM_DELLINK message stands for (`None`: not a link message
/// or no name).
pub fn event_of(ty: &Rtm, msg: &Ifinfomsg) -> Option<LinkEvent> {
    let name = msg
        .rtattrs()
        .iter()
        .find(|a| *a.rta_type() == Ifla::Ifname)
        .map(|a| {
            let b = a.rta_payload().as_ref();
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            String::from_utf8_lossy(&b[..end]).into_owned()
        })?;
    let up = match ty {
        Rtm::Newlink => flags_up(msg.ifi_flags()),
        Rtm::Dellink => false,
        _ => return None,
    };
    Some(LinkEvent::Changed { name, up })
}

/// Watches link events and broadcasts them until the socket fails for another reason than
/// an overrun (then the channel closes and the watchers fall back to polling).
pub async fn monitor() -> io::Result<broadcast::Sender<LinkEvent>> {
    super::rtnl_monitor::spawn("link", &[libc::RTNLGRP_LINK], event_of, LinkEvent::Overrun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use neli::consts::rtnl::{Arphrd, RtAddrFamily};
    use neli::rtnl::IfinfomsgBuilder;
    use neli::rtnl::RtattrBuilder;
    use neli::types::{Buffer, RtBuffer};

    fn msg(flags: Iff, name: Option<&str>) -> Ifinfomsg {
        let mut attrs = RtBuffer::new();
        if let Some(n) = name {
            let mut b = n.as_bytes().to_vec();
            b.push(0);
            attrs.push(
                RtattrBuilder::default()
                    .rta_type(Ifla::Ifname)
                    .rta_payload(Buffer::from(b))
                    .build()
                    .expect("attr"),
            );
        }
        IfinfomsgBuilder::default()
            .ifi_family(RtAddrFamily::Unspecified)
            .ifi_type(Arphrd::Ether)
            .ifi_index(7)
            .ifi_flags(flags)
            .rtattrs(attrs)
            .build()
            .expect("msg")
    }

    #[test]
    fn up_needs_up_and_running_and_a_deleted_link_is_down() {
        let both = Iff::UP | Iff::RUNNING;
        let ev = |ty, f, n| event_of(&ty, &msg(f, n));
        assert_eq!(
            ev(Rtm::Newlink, both, Some("veth0")),
            Some(LinkEvent::Changed {
                name: "veth0".into(),
                up: true
            })
        );
        // Admin up without a carrier (NO-CARRIER), as a veth whose peer is down.
        assert_eq!(
            ev(Rtm::Newlink, Iff::UP, Some("veth0")),
            Some(LinkEvent::Changed {
                name: "veth0".into(),
                up: false
            })
        );
        assert_eq!(
            ev(Rtm::Dellink, both, Some("vrrp.71")),
            Some(LinkEvent::Changed {
                name: "vrrp.71".into(),
                up: false
            })
        );
        assert_eq!(ev(Rtm::Newlink, both, None), None);
        assert_eq!(ev(Rtm::Newaddr, both, Some("x")), None);
    }
}
