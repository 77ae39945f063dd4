//! Netlink message framing (`struct nlmsghdr`): building request datagrams and splitting
//! received ones. Pure and total, like the attribute codec: a datagram of any bytes yields
//! frames or a `DecodeError`.

use super::decode::DecodeError;
use super::nla::align;

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;

/// Message types below `NLMSG_MIN_TYPE` (0x10) that are not family messages.
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLMSG_OVERRUN: u16 = 4;

/// `nlmsg_flags` bits used here.
pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_DUMP: u16 = 0x300;

/// One message inside a received datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub payload: &'a [u8],
}

/// What a received message means to the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    /// A family message: its payload (generic netlink header + attributes).
    Data(&'a [u8]),
    /// NLMSG_ERROR with 0: the request succeeded.
    Ack,
    /// NLMSG_ERROR with a negative errno, returned here as a positive errno.
    Error(i32),
    /// NLMSG_DONE; a non-zero errno (positive) means the dump failed halfway.
    Done(i32),
    /// NLMSG_NOOP: nothing.
    Noop,
}

impl<'a> Frame<'a> {
    /// Classifies the message.
    pub fn answer(&self) -> Result<Answer<'a>, DecodeError> {
        let leading_i32 = || match self.payload {
            [a, b, c, d, ..] => Ok(i32::from_ne_bytes([*a, *b, *c, *d])),
            _ => Err(DecodeError::BadLength {
                field: "netlink error code",
                len: self.payload.len(),
                expected: "at least 4",
            }),
        };
        match self.ty {
            NLMSG_NOOP => Ok(Answer::Noop),
            NLMSG_ERROR => match leading_i32()? {
                0 => Ok(Answer::Ack),
                e => Ok(Answer::Error(e.saturating_neg())),
            },
            // An empty DONE (some families) is a clean end.
            NLMSG_DONE if self.payload.is_empty() => Ok(Answer::Done(0)),
            NLMSG_DONE => Ok(Answer::Done(leading_i32()?.saturating_neg())),
            NLMSG_OVERRUN => Ok(Answer::Error(libc::ENOBUFS)),
            _ => Ok(Answer::Data(self.payload)),
        }
    }
}

/// Iterator over the messages of one received datagram.
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Frames<'a> {
    pub fn new(datagram: &'a [u8]) -> Frames<'a> {
        Frames {
            rest: datagram,
            failed: false,
        }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let header = self
            .rest
            .get(..NLMSG_HDRLEN)
            .and_then(|h| <[u8; NLMSG_HDRLEN]>::try_from(h).ok());
        let Some(h) = header else {
            self.failed = true;
            return Some(Err(DecodeError::Truncated {
                left: self.rest.len(),
            }));
        };
        let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
        if len < NLMSG_HDRLEN || len > self.rest.len() {
            self.failed = true;
            return Some(Err(DecodeError::BadMessageLength {
                len,
                left: self.rest.len(),
            }));
        }
        let frame = Frame {
            ty: u16::from_ne_bytes([h[4], h[5]]),
            flags: u16::from_ne_bytes([h[6], h[7]]),
            seq: u32::from_ne_bytes([h[8], h[9], h[10], h[11]]),
            payload: self.rest.get(NLMSG_HDRLEN..len).unwrap_or_default(),
        };
        self.rest = self.rest.get(align(len)..).unwrap_or_default();
        Some(Ok(frame))
    }
}

/// Appends one request message to a datagram being built.
pub fn push_message(out: &mut Vec<u8>, ty: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) {
    let len = NLMSG_HDRLEN + payload.len();
    // IPVS requests are a few hundred bytes; saturate rather than wrap if ever misused.
    let len32 = u32::try_from(len).unwrap_or(u32::MAX);
    out.extend_from_slice(&len32.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&(flags | NLM_F_REQUEST).to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&pid.to_ne_bytes());
    out.extend_from_slice(payload);
    out.resize(align(out.len()), 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_messages_split_back() {
        let mut d = Vec::new();
        push_message(&mut d, 0x20, NLM_F_ACK, 7, 42, &[1, 2, 3]);
        push_message(&mut d, 0x20, NLM_F_DUMP, 8, 42, &[]);
        assert_eq!(d.len(), 20 + 16);
        assert_eq!(d[..4], 19u32.to_ne_bytes());
        assert_eq!(d[6..8], (NLM_F_ACK | NLM_F_REQUEST).to_ne_bytes());
        assert_eq!(d[12..16], 42u32.to_ne_bytes());
        let frames: Vec<_> = Frames::new(&d).collect::<Result<_, _>>().unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!((frames[0].seq, frames[0].payload), (7, &[1u8, 2, 3][..]));
        assert_eq!(frames[1].flags, NLM_F_DUMP | NLM_F_REQUEST);
        assert_eq!(frames[1].answer().unwrap(), Answer::Data(&[]));
    }

    fn message(ty: u16, payload: &[u8]) -> Vec<u8> {
        let mut d = Vec::new();
        push_message(&mut d, ty, NLM_F_MULTI, 1, 0, payload);
        d
    }

    #[test]
    fn errors_acks_and_done_are_classified() {
        let mut err = (-17i32).to_ne_bytes().to_vec();
        err.extend_from_slice(&[0; 16]); // the echoed request header
        let d = message(NLMSG_ERROR, &err);
        let f = Frames::new(&d).next().unwrap().unwrap();
        assert_eq!(f.answer().unwrap(), Answer::Error(17));
        let d = message(NLMSG_ERROR, &0i32.to_ne_bytes());
        let f = Frames::new(&d).next().unwrap().unwrap();
        assert_eq!(f.answer().unwrap(), Answer::Ack);
        let d = message(NLMSG_DONE, &(-3i32).to_ne_bytes());
        let f = Frames::new(&d).next().unwrap().unwrap();
        assert_eq!(f.answer().unwrap(), Answer::Done(3));
        let d = message(NLMSG_DONE, &[]);
        let f = Frames::new(&d).next().unwrap().unwrap();
        assert_eq!(f.answer().unwrap(), Answer::Done(0));
        let d = message(NLMSG_ERROR, &[1, 2]);
        let f = Frames::new(&d).next().unwrap().unwrap();
        assert!(f.answer().is_err());
    }

    #[test]
    fn bad_lengths_stop_the_iteration() {
        let mut d = message(0x20, &[9; 4]);
        d[0] = 15; // shorter than the header
        let mut it = Frames::new(&d);
        assert!(matches!(
            it.next(),
            Some(Err(DecodeError::BadMessageLength { len: 15, .. }))
        ));
        assert!(it.next().is_none());
        let mut it = Frames::new(&d[..10]);
        assert!(matches!(
            it.next(),
            Some(Err(DecodeError::Truncated { left: 10 }))
        ));
    }
}
