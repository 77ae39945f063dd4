//! One loop for rtnetlink event monitors (links, addresses): read the multicast socket
//! directly — neli's router swallows socket errors, so a lost event (ENOBUFS) would go
//! unnoticed — and broadcast what each message stands for.

use std::fmt::Debug;
use std::io;

use neli::consts::rtnl::Rtm;
use neli::consts::socket::NlFamily;
use neli::err::SocketError;
use neli::nl::NlPayload;
use neli::socket::asynchronous::NlSocketHandle;
use neli::utils::Groups;
use neli::{FromBytesWithInput, Size};
use tokio::sync::broadcast;

/// Subscribes to `groups` and broadcasts `event_of` each message, and `overrun` when events
/// were lost, until the socket fails for another reason (then the channel closes).
pub fn spawn<P, E>(
    what: &'static str,
    groups: &[u32],
    event_of: fn(&Rtm, &P) -> Option<E>,
    overrun: E,
) -> io::Result<broadcast::Sender<E>>
where
    P: Size + FromBytesWithInput<Input = usize> + Debug + Send + 'static,
    E: Clone + Send + 'static,
{
    let socket = NlSocketHandle::connect(NlFamily::Route, None, Groups::new_groups(groups))
        .map_err(|e| io::Error::other(e.to_string()))?;
    let (tx, _) = broadcast::channel(256);
    let out = tx.clone();
    tokio::spawn(async move {
        loop {
            let iter = match socket.recv::<Rtm, P>().await {
                Ok((iter, _)) => iter,
                Err(e) if is_overrun(&e) => {
                    tracing::warn!("{what} monitor: events lost (ENOBUFS); re-reading");
                    let _ = out.send(overrun.clone());
                    continue;
                }
                Err(e) => {
                    tracing::warn!("{what} monitor stopped: {e}");
                    return;
                }
            };
            for msg in iter {
                let msg = match msg {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::debug!("{what} monitor: undecodable message: {e}");
                        continue;
                    }
                };
                let NlPayload::Payload(p) = msg.nl_payload() else {
                    continue;
                };
                if let Some(ev) = event_of(msg.nl_type(), p) {
                    // No subscriber is fine: nobody is listening right now.
                    let _ = out.send(ev);
                }
            }
        }
    });
    Ok(tx)
}

fn is_overrun(e: &SocketError) -> bool {
    matches!(e, SocketError::Io(io) if io.raw_os_error() == Some(libc::ENOBUFS))
}
