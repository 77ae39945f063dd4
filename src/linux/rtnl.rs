//! One rtnetlink request helper for the address and link code: open a route socket, send a
//! request with ACK, wait for the kernel's answer and turn its error into the errno it
//! carries, so callers can tell "already there" (EEXIST) from a real failure.

use std::io;

use neli::consts::nl::NlmF;
use neli::consts::rtnl::Rtm;
use neli::consts::socket::NlFamily;
use neli::nl::NlPayload;
use neli::router::asynchronous::{NlRouter, NlRouterReceiverHandle};
use neli::utils::Groups;
use neli::{FromBytesWithInput, Size, ToBytes};

/// neli's errors (builders, sockets) as `io::Error`, keeping their text.
pub fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A route socket for requests (no multicast groups).
pub async fn connect() -> io::Result<NlRouter> {
    let (router, _) = NlRouter::connect(NlFamily::Route, None, Groups::empty())
        .await
        .map_err(other)?;
    Ok(router)
}

/// Sends `msg` as `ty` with `flags | ACK` and waits for the kernel's answer; a kernel
/// refusal comes back as its errno.
pub async fn request<P>(router: &NlRouter, ty: Rtm, flags: NlmF, msg: P) -> io::Result<()>
where
    P: Size + ToBytes + FromBytesWithInput<Input = usize> + std::fmt::Debug + Send + 'static,
{
    let mut rx: NlRouterReceiverHandle<Rtm, P> = router
        .send(ty, flags | NlmF::ACK, NlPayload::Payload(msg))
        .await
        .map_err(other)?;
    while let Some(r) = rx.next::<Rtm, P>().await {
        if let Err(e) = r {
            return Err(match e {
                neli::err::RouterError::Nlmsgerr(m) => {
                    io::Error::from_raw_os_error(m.error().abs())
                }
                e => other(e),
            });
        }
    }
    Ok(())
}

/// `Ok` when `e` is `errno` (e.g. EEXIST on an add that found the address already there).
pub fn ok_if(e: io::Error, errno: i32) -> io::Result<()> {
    if e.raw_os_error() == Some(errno) {
        Ok(())
    } else {
        Err(e)
    }
}
