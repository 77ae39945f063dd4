//! Netlink attributes (`struct nlattr` + payload, 4-byte aligned) as plain bytes.
//!
//! The reader is total: any byte slice yields attributes or a `DecodeError`, never a panic,
//! so replies can be decoded without trusting their lengths. The writer builds the nested
//! attribute areas of requests so their exact bytes can be tested.

use super::decode::DecodeError;
use super::wire::{NLA_F_NESTED, NLA_TYPE_MASK};

/// Size of `struct nlattr` (u16 len, u16 type).
pub const NLA_HDRLEN: usize = 4;

/// Rounds up to the 4-byte netlink alignment.
pub const fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// Iterator over the attributes of one attribute area: `(type without flags, payload)`.
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Attrs<'a> {
    pub fn new(area: &'a [u8]) -> Attrs<'a> {
        Attrs {
            rest: area,
            failed: false,
        }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<(u16, &'a [u8]), DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let (len, ty) = match self.rest {
            [l0, l1, t0, t1, ..] => (
                usize::from(u16::from_ne_bytes([*l0, *l1])),
                u16::from_ne_bytes([*t0, *t1]),
            ),
            _ => {
                self.failed = true;
                return Some(Err(DecodeError::Truncated {
                    left: self.rest.len(),
                }));
            }
        };
        if len < NLA_HDRLEN || len > self.rest.len() {
            self.failed = true;
            return Some(Err(DecodeError::BadAttrLength {
                len,
                left: self.rest.len(),
            }));
        }
        let payload = self.rest.get(NLA_HDRLEN..len).unwrap_or_default();
        // The last attribute may come without its padding.
        self.rest = self.rest.get(align(len)..).unwrap_or_default();
        Some(Ok((ty & NLA_TYPE_MASK, payload)))
    }
}

/// The payload of the first attribute of type `ty` in `area`, if any.
pub fn find(area: &[u8], ty: u16) -> Result<Option<&[u8]>, DecodeError> {
    for attr in Attrs::new(area) {
        let (t, payload) = attr?;
        if t == ty {
            return Ok(Some(payload));
        }
    }
    Ok(None)
}

/// Builds an attribute area.
#[derive(Debug, Default, Clone)]
pub struct NlaWriter {
    buf: Vec<u8>,
}

impl NlaWriter {
    pub fn new() -> NlaWriter {
        NlaWriter::default()
    }

    /// Appends one attribute with its padding.
    pub fn put(&mut self, ty: u16, payload: &[u8]) {
        let len = NLA_HDRLEN + payload.len();
        // Payloads here are a few dozen bytes; u16 overflow is impossible by construction,
        // but saturate rather than wrap if a caller ever misuses it.
        let len16 = u16::try_from(len).unwrap_or(u16::MAX);
        self.buf.extend_from_slice(&len16.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.buf.resize(align(self.buf.len()), 0);
    }

    pub fn put_u8(&mut self, ty: u16, v: u8) {
        self.put(ty, &[v]);
    }

    /// A native-order u16 (the kernel's `nla_get_u16`).
    pub fn put_u16(&mut self, ty: u16, v: u16) {
        self.put(ty, &v.to_ne_bytes());
    }

    /// A network-order u16 (ports).
    pub fn put_be16(&mut self, ty: u16, v: u16) {
        self.put(ty, &v.to_be_bytes());
    }

    pub fn put_u32(&mut self, ty: u16, v: u32) {
        self.put(ty, &v.to_ne_bytes());
    }

    /// A NUL-terminated string.
    pub fn put_str(&mut self, ty: u16, s: &str) {
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        self.put(ty, &bytes);
    }

    /// A nested attribute (NLA_F_NESTED set) whose content `fill` writes.
    pub fn nest(&mut self, ty: u16, fill: impl FnOnce(&mut NlaWriter)) {
        let mut inner = NlaWriter::new();
        fill(&mut inner);
        self.put(ty | NLA_F_NESTED, &inner.buf);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_pads_and_reader_reads_back() {
        let mut w = NlaWriter::new();
        w.put_u8(1, 7);
        w.put_str(2, "rr");
        w.nest(3, |n| n.put_u32(4, 0xdead_beef));
        let bytes = w.into_bytes();
        // u8: 4 + 1 padded to 8; "rr\0": 4 + 3 padded to 8; nest: 4 + 8.
        assert_eq!(bytes.len(), 8 + 8 + 12);
        let attrs: Vec<_> = Attrs::new(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs[0], (1, &[7u8][..]));
        assert_eq!(attrs[1], (2, &b"rr\0"[..]));
        assert_eq!(attrs[2].0, 3, "NLA_F_NESTED is masked off");
        let inner = find(attrs[2].1, 4).unwrap().unwrap();
        assert_eq!(inner, &0xdead_beef_u32.to_ne_bytes());
    }

    #[test]
    fn reader_accepts_missing_final_padding() {
        let mut bytes = vec![5, 0, 9, 0, 42];
        let attrs: Vec<_> = Attrs::new(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs, vec![(9, &[42u8][..])]);
        bytes.truncate(4);
        bytes[0] = 4;
        let attrs: Vec<_> = Attrs::new(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs, vec![(9, &[][..])]);
    }

    #[test]
    fn reader_rejects_bad_lengths_once() {
        // Length 3 is shorter than the header.
        let mut it = Attrs::new(&[3, 0, 1, 0, 0, 0, 0, 0]);
        assert!(matches!(
            it.next(),
            Some(Err(DecodeError::BadAttrLength { len: 3, .. }))
        ));
        assert!(it.next().is_none());
        // Length beyond the buffer.
        let mut it = Attrs::new(&[12, 0, 1, 0, 0, 0]);
        assert!(matches!(
            it.next(),
            Some(Err(DecodeError::BadAttrLength { .. }))
        ));
        // Fewer than four bytes left.
        let mut it = Attrs::new(&[1, 0]);
        assert!(matches!(
            it.next(),
            Some(Err(DecodeError::Truncated { left: 2 }))
        ));
    }
}
