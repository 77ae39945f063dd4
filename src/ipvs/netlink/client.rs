//! The IPVS client: one persistent neli router, the family id resolved once.
//!
//! Mutations are pipelined in windows (`apply_all`). Dumps are serialised on the socket:
//! the kernel refuses a second dump on a socket whose first is still running (EBUSY).

use std::collections::VecDeque;

use neli::{
    consts::{
        nl::{NlmF, Nlmsg},
        socket::NlFamily,
    },
    err::RouterError,
    nl::NlPayload,
    router::asynchronous::{NlRouter, NlRouterReceiverHandle},
    types::Buffer,
    utils::Groups,
};
use tokio::sync::Mutex;

use super::decode::{self, DecodeError};
use super::encode::{self, Request};
use super::wire::{cmd, cmd_attr, FAMILY_NAME};
use crate::ipvs::error::{Action, IpvsError};
use crate::ipvs::model::{Daemon, Dest, Family, Info, Service, ServiceEntry, ServiceKey, Timeouts};
use crate::ipvs::op::Op;

type Rx = NlRouterReceiverHandle<u16, Buffer>;

/// Mutations in flight at once. Each unread ack costs under 1.3 KiB of the socket's receive
/// buffer (default 208 KiB); overflowing it makes the kernel drop acks (ENOBUFS).
const APPLY_WINDOW: usize = 64;

/// A connection to the kernel's IPVS table in this network namespace.
pub struct Client {
    router: NlRouter,
    family: u16,
    /// Held for the duration of each dump: one dump at a time per socket.
    dump_lock: Mutex<()>,
}

fn socket_error<T, P>(action: Action, e: RouterError<T, P>) -> IpvsError {
    let message = match &e {
        RouterError::Msg(m) => m.to_string(),
        RouterError::Io(kind) => kind.to_string(),
        RouterError::De(d) => d.to_string(),
        RouterError::Socket(s) => s.to_string(),
        RouterError::Nlmsgerr(n) => n.to_string(),
        RouterError::BadSeqOrPid(_) => "reply with a foreign sequence number".to_owned(),
        RouterError::NoAck => "missing acknowledgement".to_owned(),
        RouterError::UnexpectedAck => "unexpected acknowledgement".to_owned(),
        RouterError::ClosedChannel => "the socket's reader stopped".to_owned(),
    };
    IpvsError::Socket { action, message }
}

/// A kernel error answer, mapped for `action`; other router failures become `Socket`.
fn router_error(action: Action, op: Option<&Op>, e: RouterError<u16, Buffer>) -> IpvsError {
    match e {
        RouterError::Nlmsgerr(err) => IpvsError::from_errno(action, -*err.error(), op),
        other => socket_error(action, other),
    }
}

fn decode_error(action: Action) -> impl Fn(DecodeError) -> IpvsError {
    move |source| IpvsError::Decode { action, source }
}

/// What one received message was.
enum Reply<T> {
    /// A data message, decoded.
    Data(T),
    /// The end of a dump, or an ack.
    End,
}

/// Reads the next message of a request and decodes its attribute area with `f`.
async fn next_reply<T>(
    rx: &mut Rx,
    action: Action,
    op: Option<&Op>,
    f: &mut impl FnMut(&[u8]) -> Result<T, DecodeError>,
) -> Result<Option<Reply<T>>, IpvsError> {
    let msg = match rx.next::<u16, Buffer>().await {
        None => return Ok(None),
        Some(Err(e)) => return Err(router_error(action, op, e)),
        Some(Ok(msg)) => msg,
    };
    let is_done = *msg.nl_type() == u16::from(Nlmsg::Done);
    match msg.nl_payload() {
        NlPayload::Ack(_) | NlPayload::Empty => Ok(Some(Reply::End)),
        // A dump that failed halfway reports its errno in the DONE message.
        NlPayload::DumpExtAck(ack) if *ack.error() != 0 => {
            Err(IpvsError::from_errno(action, -*ack.error(), op))
        }
        NlPayload::DumpExtAck(_) => Ok(Some(Reply::End)),
        NlPayload::Payload(buf) if is_done => match buf.as_ref() {
            [a, b, c, d, ..] if i32::from_ne_bytes([*a, *b, *c, *d]) != 0 => Err(
                IpvsError::from_errno(action, -i32::from_ne_bytes([*a, *b, *c, *d]), op),
            ),
            _ => Ok(Some(Reply::End)),
        },
        NlPayload::Payload(buf) => {
            let (_cmd, attrs) = decode::split_genl(buf.as_ref()).map_err(decode_error(action))?;
            f(attrs)
                .map(Reply::Data)
                .map(Some)
                .map_err(decode_error(action))
        }
        NlPayload::Err(err) => Err(IpvsError::from_errno(action, -*err.error(), op)),
    }
}

impl Client {
    /// Opens the socket and resolves the IPVS family (ENOENT: module not loaded).
    pub async fn connect() -> Result<Client, IpvsError> {
        let (router, _multicast) = NlRouter::connect(NlFamily::Generic, None, Groups::empty())
            .await
            .map_err(|e| socket_error(Action::Connect, e))?;
        let family = router
            .resolve_genl_family(FAMILY_NAME)
            .await
            .map_err(|e| match e {
                RouterError::Nlmsgerr(err) => {
                    IpvsError::from_errno(Action::Connect, -*err.error(), None)
                }
                // neli's own "family not found" when the reply lacks an id.
                RouterError::Msg(_) => IpvsError::NotLoaded { errno: None },
                other => socket_error(Action::Connect, other),
            })?;
        Ok(Client {
            router,
            family,
            dump_lock: Mutex::new(()),
        })
    }

    /// The generic netlink family id of IPVS in this namespace.
    pub fn family_id(&self) -> u16 {
        self.family
    }

    async fn send(&self, action: Action, req: Request, flags: NlmF) -> Result<Rx, IpvsError> {
        self.router
            .send::<u16, Buffer, u16, Buffer>(
                self.family,
                flags,
                NlPayload::Payload(Buffer::from(req.payload)),
            )
            .await
            .map_err(|e| socket_error(action, e))
    }

    /// Runs a dump to its end, decoding each message's attribute area with `f`.
    async fn dump<T>(
        &self,
        action: Action,
        req: Request,
        mut f: impl FnMut(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, IpvsError> {
        let _one_dump = self.dump_lock.lock().await;
        let mut rx = self.send(action, req, NlmF::DUMP).await?;
        let mut out = Vec::new();
        while let Some(reply) = next_reply(&mut rx, action, None, &mut f).await? {
            match reply {
                Reply::Data(v) => out.push(v),
                Reply::End => break,
            }
        }
        Ok(out)
    }

    /// Sends a doit request and decodes its single reply.
    async fn get<T>(
        &self,
        action: Action,
        req: Request,
        mut f: impl FnMut(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<T, IpvsError> {
        let mut rx = self.send(action, req, NlmF::empty()).await?;
        match next_reply(&mut rx, action, None, &mut f).await? {
            Some(Reply::Data(v)) => Ok(v),
            _ => Err(IpvsError::Decode {
                action,
                source: DecodeError::Missing { field: "reply" },
            }),
        }
    }

    pub async fn info(&self) -> Result<Info, IpvsError> {
        self.get(
            Action::GetInfo,
            encode::bare(cmd::GET_INFO),
            decode::decode_info,
        )
        .await
    }

    /// Every virtual service, in kernel order.
    pub async fn services(&self) -> Result<Vec<Service>, IpvsError> {
        self.dump(
            Action::ListServices,
            encode::bare(cmd::GET_SERVICE),
            service_from_attrs,
        )
        .await
    }

    /// One service (ESRCH: `NoSuchService`).
    pub async fn service(&self, key: &ServiceKey) -> Result<Service, IpvsError> {
        self.get(
            Action::GetService,
            encode::get_service(key),
            service_from_attrs,
        )
        .await
    }

    async fn dests_of(&self, key: &ServiceKey) -> Result<Vec<Dest>, IpvsError> {
        let family = key.family();
        self.dump(Action::ListDests, encode::get_dests(key), |attrs| {
            dest_from_attrs(attrs, family)
        })
        .await
    }

    /// The real servers of one service. The kernel answers an empty dump for a missing
    /// service, so an empty answer is checked with a lookup to report `NoSuchService`.
    pub async fn dests(&self, key: &ServiceKey) -> Result<Vec<Dest>, IpvsError> {
        let dests = self.dests_of(key).await?;
        if dests.is_empty() {
            self.service(key).await?;
        }
        Ok(dests)
    }

    /// Every service with its real servers.
    pub async fn table(&self) -> Result<Vec<ServiceEntry>, IpvsError> {
        let services = self.services().await?;
        let mut out = Vec::with_capacity(services.len());
        for service in services {
            let dests = self.dests_of(&service.config.key).await?;
            out.push(ServiceEntry { service, dests });
        }
        Ok(out)
    }

    pub async fn timeouts(&self) -> Result<Timeouts, IpvsError> {
        self.get(
            Action::GetTimeouts,
            encode::bare(cmd::GET_CONFIG),
            decode::decode_timeouts,
        )
        .await
    }

    /// The running sync daemons (at most a master and a backup).
    pub async fn daemons(&self) -> Result<Vec<Daemon>, IpvsError> {
        self.dump(
            Action::ListDaemons,
            encode::bare(cmd::GET_DAEMON),
            |attrs| decode::decode_daemon(decode::top_level(attrs, cmd_attr::DAEMON, "daemon")?),
        )
        .await
    }

    /// Applies one mutation and waits for the kernel's answer.
    pub async fn apply(&self, op: &Op) -> Result<(), IpvsError> {
        let mut rx = self
            .send(Action::of(op), encode::encode_op(op)?, NlmF::ACK)
            .await?;
        wait_ack(&mut rx, op).await
    }

    /// Pipelined: send every request, then read the acks; result i belongs to ops[i].
    /// The kernel applies the ops in order and goes on after a failed one, like a batch.
    pub async fn apply_all(&self, ops: &[Op]) -> Vec<Result<(), IpvsError>> {
        let mut results: Vec<Result<(), IpvsError>> = Vec::with_capacity(ops.len());
        let mut inflight: VecDeque<(usize, Rx)> = VecDeque::with_capacity(APPLY_WINDOW);
        for (i, op) in ops.iter().enumerate() {
            // Placeholder, overwritten when the answer arrives.
            results.push(Ok(()));
            if inflight.len() >= APPLY_WINDOW {
                if let Some((j, mut rx)) = inflight.pop_front() {
                    settle(&mut results, j, wait_ack(&mut rx, &ops[j]).await);
                }
            }
            let sent = match encode::encode_op(op) {
                Ok(req) => self.send(Action::of(op), req, NlmF::ACK).await,
                Err(e) => Err(e.into()),
            };
            match sent {
                Ok(rx) => inflight.push_back((i, rx)),
                Err(e) => settle(&mut results, i, Err(e)),
            }
        }
        while let Some((j, mut rx)) = inflight.pop_front() {
            settle(&mut results, j, wait_ack(&mut rx, &ops[j]).await);
        }
        results
    }
}

fn settle(results: &mut [Result<(), IpvsError>], i: usize, r: Result<(), IpvsError>) {
    if let Some(slot) = results.get_mut(i) {
        *slot = r;
    }
}

async fn wait_ack(rx: &mut Rx, op: &Op) -> Result<(), IpvsError> {
    let action = Action::of(op);
    let mut ignore = |_: &[u8]| Ok(());
    loop {
        match next_reply(rx, action, Some(op), &mut ignore).await? {
            Some(Reply::End) => return Ok(()),
            Some(Reply::Data(())) => continue,
            None => {
                return Err(IpvsError::Socket {
                    action,
                    message: "no acknowledgement".to_owned(),
                })
            }
        }
    }
}

/// A service from a message's top-level attributes.
fn service_from_attrs(attrs: &[u8]) -> Result<Service, DecodeError> {
    decode::decode_service(decode::top_level(attrs, cmd_attr::SERVICE, "service")?)
}

/// A real server from a message's top-level attributes.
fn dest_from_attrs(attrs: &[u8], family: Family) -> Result<Dest, DecodeError> {
    decode::decode_dest(decode::top_level(attrs, cmd_attr::DEST, "dest")?, family)
}
