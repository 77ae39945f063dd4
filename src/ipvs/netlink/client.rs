//! The IPVS client: one persistent socket, the family id resolved once.
//!
//! Mutations are sent in windows of up to `APPLY_WINDOW` requests per datagram and their
//! acks read back (`apply_all`). Dumps run one at a time: the kernel refuses a second dump
//! on a socket whose first is still running (EBUSY).

use std::io;

use super::decode::{self, DecodeError};
use super::encode::{self, Request};
use super::frame::{Answer, Frames, NLM_F_ACK, NLM_F_DUMP};
use super::nla::{self, NlaWriter};
use super::transport::{Session, Transport};
use super::wire::{cmd, cmd_attr, FAMILY_NAME};
use crate::ipvs::error::{Call, IpvsError};
use crate::ipvs::model::{Daemon, Dest, Family, Info, Service, ServiceEntry, ServiceKey, Timeouts};
use crate::ipvs::op::Op;

/// Mutations per datagram and per read-back of acks. Each unread ack holds about 1 KiB of
/// the socket's receive buffer (at least 208 KiB by default); overflowing it would make the
/// kernel drop acks (ENOBUFS), so the window stays far below.
const APPLY_WINDOW: usize = 64;

/// Generic netlink controller: family id, command and attributes used to resolve "IPVS".
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_VERSION: u8 = 2;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;

/// A connection to the kernel's IPVS table in this network namespace.
pub struct Client {
    transport: Transport,
    family: u16,
}

fn socket_error(action: Call, e: io::Error) -> IpvsError {
    IpvsError::Socket {
        action,
        message: e.to_string(),
    }
}

fn decode_error(action: Call) -> impl Fn(DecodeError) -> IpvsError {
    move |source| IpvsError::Decode { action, source }
}

/// Sends one request and reads its answers until the end, handing data to `on_data`.
/// `dump` requests end with DONE; others end with their reply or with an ack.
async fn exchange<T>(
    transport: &Transport,
    family: u16,
    action: Call,
    req: &Request,
    flags: u16,
    mut on_data: impl FnMut(&[u8]) -> Result<T, DecodeError>,
) -> Result<Vec<T>, IpvsError> {
    let mut s = transport
        .session()
        .await
        .map_err(|e| socket_error(action, e))?;
    let seq = s.push(family, flags, &req.payload);
    s.send().await.map_err(|e| socket_error(action, e))?;
    let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
    let mut out = Vec::new();
    loop {
        let datagram = s.recv().await.map_err(|e| socket_error(action, e))?;
        let mut end = None;
        for frame in Frames::new(datagram) {
            let frame = frame.map_err(decode_error(action))?;
            if frame.seq != seq {
                continue;
            }
            match frame.answer().map_err(decode_error(action))? {
                Answer::Data(payload) => {
                    let (_cmd, attrs) =
                        decode::split_genl(payload).map_err(decode_error(action))?;
                    out.push(on_data(attrs).map_err(decode_error(action))?);
                    if !dump && flags & NLM_F_ACK == 0 {
                        end = Some(0);
                    }
                }
                Answer::Ack | Answer::Done(0) => end = Some(0),
                Answer::Error(errno) | Answer::Done(errno) => end = Some(errno),
                Answer::Noop => {}
            }
        }
        if let Some(errno) = end {
            s.finish();
            return match errno {
                0 => Ok(out),
                e => Err(IpvsError::from_errno(action, e, None)),
            };
        }
    }
}

/// Resolves the generic netlink family id of IPVS (ENOENT: the module is not loaded).
async fn resolve_family(transport: &Transport) -> Result<u16, IpvsError> {
    let mut w = NlaWriter::new();
    w.put_str(CTRL_ATTR_FAMILY_NAME, FAMILY_NAME);
    let mut payload = vec![CTRL_CMD_GETFAMILY, CTRL_VERSION, 0, 0];
    payload.extend_from_slice(w.as_bytes());
    let req = Request {
        cmd: CTRL_CMD_GETFAMILY,
        payload,
    };
    let ids = exchange(
        transport,
        GENL_ID_CTRL,
        Call::Connect,
        &req,
        0,
        |attrs| match nla::find(attrs, CTRL_ATTR_FAMILY_ID)? {
            Some([a, b, ..]) => Ok(Some(u16::from_ne_bytes([*a, *b]))),
            _ => Ok(None),
        },
    )
    .await?;
    ids.into_iter()
        .flatten()
        .next()
        .ok_or(IpvsError::NotLoaded { errno: None })
}

impl Client {
    /// Opens the socket and resolves the IPVS family.
    pub async fn connect() -> Result<Client, IpvsError> {
        let transport = Transport::open().map_err(|e| socket_error(Call::Connect, e))?;
        let family = resolve_family(&transport).await?;
        Ok(Client { transport, family })
    }

    /// The generic netlink family id of IPVS in this namespace.
    pub fn family_id(&self) -> u16 {
        self.family
    }

    async fn dump<T>(
        &self,
        action: Call,
        req: Request,
        on_data: impl FnMut(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, IpvsError> {
        exchange(
            &self.transport,
            self.family,
            action,
            &req,
            NLM_F_DUMP,
            on_data,
        )
        .await
    }

    /// A doit request with exactly one reply message.
    async fn get<T>(
        &self,
        action: Call,
        req: Request,
        on_data: impl FnMut(&[u8]) -> Result<T, DecodeError>,
    ) -> Result<T, IpvsError> {
        exchange(&self.transport, self.family, action, &req, 0, on_data)
            .await?
            .into_iter()
            .next()
            .ok_or(IpvsError::Decode {
                action,
                source: DecodeError::Missing { field: "reply" },
            })
    }

    pub async fn info(&self) -> Result<Info, IpvsError> {
        self.get(
            Call::GetInfo,
            encode::bare(cmd::GET_INFO),
            decode::decode_info,
        )
        .await
    }

    /// Every virtual service, in kernel order.
    pub async fn services(&self) -> Result<Vec<Service>, IpvsError> {
        self.dump(
            Call::ListServices,
            encode::bare(cmd::GET_SERVICE),
            service_from_attrs,
        )
        .await
    }

    /// One service (ESRCH: `NoSuchService`).
    pub async fn service(&self, key: &ServiceKey) -> Result<Service, IpvsError> {
        self.get(
            Call::GetService,
            encode::get_service(key),
            service_from_attrs,
        )
        .await
    }

    async fn dests_of(&self, key: &ServiceKey) -> Result<Vec<Dest>, IpvsError> {
        let family = key.family();
        self.dump(Call::ListDests, encode::get_dests(key), |attrs| {
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

    /// Every service with its real servers: one service dump, then one dest dump each.
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
            Call::GetTimeouts,
            encode::bare(cmd::GET_CONFIG),
            decode::decode_timeouts,
        )
        .await
    }

    /// The running sync daemons (at most a master and a backup).
    pub async fn daemons(&self) -> Result<Vec<Daemon>, IpvsError> {
        self.dump(Call::ListDaemons, encode::bare(cmd::GET_DAEMON), |attrs| {
            decode::decode_daemon(decode::top_level(attrs, cmd_attr::DAEMON, "daemon")?)
        })
        .await
    }

    /// Applies one mutation and waits for the kernel's answer.
    pub async fn apply(&self, op: &Op) -> Result<(), IpvsError> {
        self.apply_all(std::slice::from_ref(op))
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    /// Pipelined: send every request, then read the acks; result i belongs to ops[i].
    /// The kernel applies the ops in order and goes on after a failed one, like a batch.
    pub async fn apply_all(&self, ops: &[Op]) -> Vec<Result<(), IpvsError>> {
        let mut results = Vec::with_capacity(ops.len());
        for window in ops.chunks(APPLY_WINDOW) {
            let mut answers: Vec<Result<(), IpvsError>> = window
                .iter()
                .map(|op| {
                    Err(IpvsError::Socket {
                        action: Call::of(op),
                        message: "no answer from the kernel".to_owned(),
                    })
                })
                .collect();
            if let Err(e) = self.apply_window(window, &mut answers).await {
                for (slot, op) in answers.iter_mut().zip(window) {
                    if matches!(slot, Err(IpvsError::Socket { .. })) {
                        *slot = Err(socket_error(
                            Call::of(op),
                            io::Error::new(e.kind(), e.to_string()),
                        ));
                    }
                }
            }
            results.append(&mut answers);
        }
        results
    }

    /// Sends one window of mutations in a datagram and fills `answers` from their acks.
    async fn apply_window(
        &self,
        window: &[Op],
        answers: &mut [Result<(), IpvsError>],
    ) -> io::Result<()> {
        let mut s: Session<'_> = self.transport.session().await?;
        // (sequence number, index in the window) of each request sent.
        let mut sent: Vec<(u32, usize)> = Vec::with_capacity(window.len());
        for (i, op) in window.iter().enumerate() {
            match encode::encode_op(op) {
                Ok(req) => sent.push((s.push(self.family, NLM_F_ACK, &req.payload), i)),
                Err(e) => {
                    if let Some(slot) = answers.get_mut(i) {
                        *slot = Err(e.into());
                    }
                }
            }
        }
        if s.queued() > 0 {
            s.send().await?;
        }
        let mut pending = sent.len();
        while pending > 0 {
            let datagram = s.recv().await?;
            for frame in Frames::new(datagram) {
                let Ok(frame) = frame else { continue };
                // Each request is answered once; forget it so a duplicate cannot count.
                let Some(pos) = sent.iter().position(|(seq, _)| *seq == frame.seq) else {
                    continue;
                };
                let (_, i) = sent.swap_remove(pos);
                let (Some(op), Some(slot)) = (window.get(i), answers.get_mut(i)) else {
                    continue;
                };
                let answer = match frame.answer() {
                    Ok(Answer::Ack) => Ok(()),
                    Ok(Answer::Error(errno)) => {
                        Err(IpvsError::from_errno(Call::of(op), errno, Some(op)))
                    }
                    Ok(_) => continue,
                    Err(source) => Err(IpvsError::Decode {
                        action: Call::of(op),
                        source,
                    }),
                };
                *slot = answer;
                pending -= 1;
            }
        }
        s.finish();
        Ok(())
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
