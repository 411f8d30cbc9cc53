//! The replication wire format: length-prefixed frames on a group data stream, one
//! message each (`docs/FORMATS.md` "Replication messages").
//!
//! A frame is a 32-bit big-endian payload length, then the payload: the format version
//! ([`VERSION`]), a message type and its body. A length past [`MAX_FRAME_LEN`] is
//! refused before anything is allocated; every count is checked against the bytes
//! left before a vector is reserved; trailing bytes are malformed.
//!
//! | type | message | body |
//! |---|---|---|
//! | 1 | `Members` | `u16` count, per chain `u32` length + PKCS#7 (degenerate SignedData) |
//! | 2 | `Ranges` | `u32` count, per range a bound (`u8` length 0..=16 + prefix, or `0xff` = end) and a mode (`0` skip, `1` + `u64` fingerprint, `2` + `u32` count + `u64` hashes) |
//! | 3 | `Want` | `u32` count + `u64` item hashes |
//! | 4 | `Records` | `u32` count, per record: id, type (16 bytes each), version, flags (`u32`), creator and modifier (`u16` length + UTF-8), attributes (`u8` 0/1, then `u32` length + UTF-8), created, expiration, last modified (`u64` FILETIME), data and security data (`u32` length + bytes) |
//! | 5 | `Done` | empty: the sender has sent all its initial sync |
//! | 6 | `Time` | `u64` the sender's UTC clock (FILETIME) when it sent the message |

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use peernet_protocol::Guid;
use peernet_storage::{
    MAX_MEMBER_CHAIN_SIZE, MAX_RECORD_ATTRIBUTES_SIZE, MAX_RECORD_DATA_SIZE,
    MAX_RECORD_PEER_NAME_SIZE, MAX_RECORD_SECURITY_DATA_SIZE, RecordRow,
};

use super::reconcile::{Bound, Mode, Range};
use crate::error::{Error, Result};
use crate::hresult as hr;

/// The format version in every payload.
pub const VERSION: u8 = 1;
/// The largest payload: 4 MiB (one record is at most about 1.1 MiB).
pub const MAX_FRAME_LEN: usize = 4 << 20;
/// A `Records` message is closed once its records pass this many bytes.
pub const RECORDS_BATCH_BYTES: usize = 1 << 20;

const T_MEMBERS: u8 = 1;
const T_RANGES: u8 = 2;
const T_WANT: u8 = 3;
const T_RECORDS: u8 = 4;
const T_DONE: u8 = 5;
const T_TIME: u8 = 6;

/// A message of the replication protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Membership: GMC chains (PKCS#7) of members the receiver may not know yet.
    Members(Vec<Vec<u8>>),
    /// A reconciliation step.
    Ranges(Vec<Range>),
    /// Item hashes the sender lacks.
    Want(Vec<u64>),
    /// Records: answers to `Want`, what the other lacks, or a flood.
    Records(Vec<RecordRow>),
    /// The sender finished its part of the initial synchronization.
    Done,
    /// The sender's UTC clock (FILETIME) at sending: peer time is averaged from it.
    Time(u64),
}

fn malformed(why: &str) -> Error {
    Error::api(
        hr::E_INVALIDARG,
        format!("malformed replication message: {why}"),
    )
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
}

fn put_str16(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&u16::try_from(s.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The encoded size of one record in a `Records` message.
pub fn record_len(r: &RecordRow) -> usize {
    16 + 16
        + 4
        + 4
        + 2
        + r.creator_id.len()
        + 2
        + r.modified_by_id.len()
        + 1
        + r.attributes.as_ref().map_or(0, |a| 4 + a.len())
        + 24
        + 4
        + r.data.len()
        + 4
        + r.security_data.len()
}

fn put_record(out: &mut Vec<u8>, r: &RecordRow) {
    out.extend_from_slice(r.id.as_bytes());
    out.extend_from_slice(r.record_type.as_bytes());
    out.extend_from_slice(&r.version.to_be_bytes());
    out.extend_from_slice(&r.flags.to_be_bytes());
    put_str16(out, &r.creator_id);
    put_str16(out, &r.modified_by_id);
    match &r.attributes {
        None => out.push(0),
        Some(a) => {
            out.push(1);
            put_len(out, a.len());
            out.extend_from_slice(a.as_bytes());
        }
    }
    out.extend_from_slice(&r.created.to_be_bytes());
    out.extend_from_slice(&r.expiration.to_be_bytes());
    out.extend_from_slice(&r.last_modified.to_be_bytes());
    put_len(out, r.data.len());
    out.extend_from_slice(&r.data);
    put_len(out, r.security_data.len());
    out.extend_from_slice(&r.security_data);
}

impl Message {
    /// The payload of this message.
    ///
    /// # Errors
    /// `E_INVALIDARG` when it would pass [`MAX_FRAME_LEN`] or a field its limit.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = vec![VERSION];
        match self {
            Message::Members(chains) => {
                out.push(T_MEMBERS);
                let n = u16::try_from(chains.len()).map_err(|_| malformed("too many chains"))?;
                out.extend_from_slice(&n.to_be_bytes());
                for c in chains {
                    put_len(&mut out, c.len());
                    out.extend_from_slice(c);
                }
            }
            Message::Ranges(ranges) => {
                out.push(T_RANGES);
                put_len(&mut out, ranges.len());
                for r in ranges {
                    match &r.upper {
                        Bound::End => out.push(0xff),
                        Bound::Below(p) => {
                            if p.len() > 16 {
                                return Err(malformed("bound longer than an id"));
                            }
                            out.push(p.len() as u8);
                            out.extend_from_slice(p);
                        }
                    }
                    match &r.mode {
                        Mode::Skip => out.push(0),
                        Mode::Fingerprint(f) => {
                            out.push(1);
                            out.extend_from_slice(&f.to_be_bytes());
                        }
                        Mode::Items(items) => {
                            out.push(2);
                            put_len(&mut out, items.len());
                            for h in items {
                                out.extend_from_slice(&h.to_be_bytes());
                            }
                        }
                    }
                }
            }
            Message::Want(hashes) => {
                out.push(T_WANT);
                put_len(&mut out, hashes.len());
                for h in hashes {
                    out.extend_from_slice(&h.to_be_bytes());
                }
            }
            Message::Records(rows) => {
                out.push(T_RECORDS);
                put_len(&mut out, rows.len());
                for r in rows {
                    put_record(&mut out, r);
                }
            }
            Message::Done => out.push(T_DONE),
            Message::Time(t) => {
                out.push(T_TIME);
                out.extend_from_slice(&t.to_be_bytes());
            }
        }
        if out.len() > MAX_FRAME_LEN {
            return Err(malformed("message larger than a frame"));
        }
        Ok(out)
    }

    /// Parses one payload.
    ///
    /// # Errors
    /// `E_INVALIDARG` naming what is wrong: an unknown version or type, a truncated or
    /// over-limit field, text that is not UTF-8, trailing bytes.
    pub fn decode(payload: &[u8]) -> Result<Message> {
        if payload.len() > MAX_FRAME_LEN {
            return Err(malformed("payload larger than a frame"));
        }
        let mut r = Reader(payload);
        if r.u8()? != VERSION {
            return Err(malformed("unknown format version"));
        }
        let msg = match r.u8()? {
            T_MEMBERS => {
                let n = usize::from(r.u16()?);
                r.room(n, 4)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    let len = r.len_at_most(MAX_MEMBER_CHAIN_SIZE)?;
                    v.push(r.take(len)?.to_vec());
                }
                Message::Members(v)
            }
            T_RANGES => {
                let n = r.u32()? as usize;
                r.room(n, 2)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    let upper = match r.u8()? {
                        0xff => Bound::End,
                        l if l <= 16 => Bound::Below(r.take(usize::from(l))?.to_vec()),
                        _ => return Err(malformed("bound longer than an id")),
                    };
                    let mode = match r.u8()? {
                        0 => Mode::Skip,
                        1 => Mode::Fingerprint(r.u64()?),
                        2 => {
                            let k = r.u32()? as usize;
                            r.room(k, 8)?;
                            Mode::Items((0..k).map(|_| r.u64()).collect::<Result<_>>()?)
                        }
                        _ => return Err(malformed("unknown range mode")),
                    };
                    v.push(Range { upper, mode });
                }
                Message::Ranges(v)
            }
            T_WANT => {
                let n = r.u32()? as usize;
                r.room(n, 8)?;
                Message::Want((0..n).map(|_| r.u64()).collect::<Result<_>>()?)
            }
            T_RECORDS => {
                let n = r.u32()? as usize;
                r.room(n, 80)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(r.record()?);
                }
                Message::Records(v)
            }
            T_DONE => Message::Done,
            T_TIME => Message::Time(r.u64()?),
            _ => return Err(malformed("unknown message type")),
        };
        if !r.0.is_empty() {
            return Err(malformed("trailing bytes"));
        }
        Ok(msg)
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(malformed("truncated"));
        }
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        Ok(h)
    }
    /// Refuses a count whose smallest encoding would not fit in what is left.
    fn room(&self, count: usize, min_each: usize) -> Result<()> {
        if count.saturating_mul(min_each) > self.0.len() {
            return Err(malformed("count larger than the message"));
        }
        Ok(())
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn len_at_most(&mut self, limit: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n > limit {
            return Err(malformed("field over its limit"));
        }
        Ok(n)
    }
    fn guid(&mut self) -> Result<Guid> {
        let mut a = [0u8; 16];
        a.copy_from_slice(self.take(16)?);
        Ok(Guid::from_bytes(a))
    }
    fn text(&mut self, n: usize) -> Result<String> {
        std::str::from_utf8(self.take(n)?)
            .map(str::to_owned)
            .map_err(|_| malformed("text is not UTF-8"))
    }
    fn record(&mut self) -> Result<RecordRow> {
        let id = self.guid()?;
        let record_type = self.guid()?;
        let version = self.u32()?;
        let flags = self.u32()?;
        let n = usize::from(self.u16()?);
        if n > MAX_RECORD_PEER_NAME_SIZE {
            return Err(malformed("creator id over its limit"));
        }
        let creator_id = self.text(n)?;
        let n = usize::from(self.u16()?);
        if n > MAX_RECORD_PEER_NAME_SIZE {
            return Err(malformed("modifier id over its limit"));
        }
        let modified_by_id = self.text(n)?;
        let attributes = match self.u8()? {
            0 => None,
            1 => {
                let n = self.len_at_most(MAX_RECORD_ATTRIBUTES_SIZE)?;
                Some(self.text(n)?)
            }
            _ => return Err(malformed("attributes flag")),
        };
        let created = self.u64()?;
        let expiration = self.u64()?;
        let last_modified = self.u64()?;
        let n = self.len_at_most(MAX_RECORD_DATA_SIZE)?;
        let data = self.take(n)?.to_vec();
        let n = self.len_at_most(MAX_RECORD_SECURITY_DATA_SIZE)?;
        let security_data = self.take(n)?.to_vec();
        Ok(RecordRow {
            id,
            record_type,
            version,
            flags,
            creator_id,
            modified_by_id,
            attributes,
            created,
            expiration,
            last_modified,
            data,
            security_data,
        })
    }
}

/// Writes `msg` as one frame (not flushed: the caller flushes after a burst).
///
/// # Errors
/// Those of [`Message::encode`]; `PEER_E_CONNECTION_FAILED` when the stream fails.
pub async fn write_message<W: AsyncWrite + Unpin>(w: &mut W, msg: &Message) -> Result<usize> {
    let payload = msg.encode()?;
    let mut frame = Vec::with_capacity(4 + payload.len());
    put_len(&mut frame, payload.len());
    frame.extend_from_slice(&payload);
    w.write_all(&frame).await.map_err(|e| {
        Error::api(
            hr::PEER_E_CONNECTION_FAILED,
            format!("replication stream: {e}"),
        )
    })?;
    Ok(frame.len())
}

/// Reads one frame and parses it; the length is checked before the payload is read.
/// Returns the message and the frame's size.
///
/// # Errors
/// Those of [`Message::decode`]; `PEER_E_CONNECTION_FAILED` when the stream fails or
/// ends.
pub async fn read_message<R: AsyncRead + Unpin>(r: &mut R) -> Result<(Message, usize)> {
    let io = |e: std::io::Error| {
        Error::api(
            hr::PEER_E_CONNECTION_FAILED,
            format!("replication stream: {e}"),
        )
    };
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await.map_err(io)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME_LEN {
        return Err(malformed("frame length over the limit"));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload).await.map_err(io)?;
    Ok((Message::decode(&payload)?, 4 + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RecordRow {
        RecordRow {
            id: Guid::from_bytes([1; 16]),
            record_type: Guid::from_bytes([2; 16]),
            version: 3,
            flags: 2,
            creator_id: "c.alice".into(),
            modified_by_id: "m.bob".into(),
            attributes: Some("<attributes/>".into()),
            created: 1,
            expiration: 2,
            last_modified: 3,
            data: vec![9; 40],
            security_data: vec![1; 80],
        }
    }

    fn samples() -> Vec<Message> {
        vec![
            Message::Members(vec![vec![0x30, 1], vec![]]),
            Message::Ranges(vec![
                Range {
                    upper: Bound::Below(vec![0x80]),
                    mode: Mode::Skip,
                },
                Range {
                    upper: Bound::Below(vec![0x90, 1]),
                    mode: Mode::Fingerprint(7),
                },
                Range {
                    upper: Bound::End,
                    mode: Mode::Items(vec![1, 2, 3]),
                },
            ]),
            Message::Want(vec![5, 6]),
            Message::Records(vec![
                record(),
                RecordRow {
                    attributes: None,
                    ..record()
                },
            ]),
            Message::Done,
            Message::Time(0x01dc_0000_1234_5678),
        ]
    }

    #[test]
    fn every_message_round_trips_and_every_cut_is_refused() {
        for m in samples() {
            let b = m.encode().unwrap();
            assert_eq!(Message::decode(&b).unwrap(), m);
            for cut in 0..b.len() {
                assert!(Message::decode(&b[..cut]).is_err(), "{m:?} cut at {cut}");
            }
            let mut long = b.clone();
            long.push(0);
            assert!(Message::decode(&long).is_err());
        }
        let rows = vec![record()];
        let enc = Message::Records(rows.clone()).encode().unwrap();
        assert_eq!(enc.len(), 2 + 4 + record_len(&rows[0]));
    }

    #[test]
    fn counts_past_the_message_are_refused_before_allocation() {
        let huge = [VERSION, T_WANT, 0xff, 0xff, 0xff, 0xff];
        let e = Message::decode(&huge).unwrap_err();
        assert!(e.to_string().contains("count larger"), "{e}");
        let e = Message::decode(&[VERSION, T_RANGES, 0, 0, 0, 1, 17, 0]).unwrap_err();
        assert!(e.to_string().contains("bound"), "{e}");
        assert!(Message::decode(&[2, T_DONE]).is_err());
        assert!(Message::decode(&[VERSION, 99]).is_err());
    }

    #[test]
    fn frames_are_read_back() {
        futures::executor::block_on(async {
            let mut buf = Vec::new();
            for m in samples() {
                write_message(&mut buf, &m).await.unwrap();
            }
            let mut r = futures::io::Cursor::new(buf);
            for m in samples() {
                assert_eq!(read_message(&mut r).await.unwrap().0, m);
            }
            assert!(read_message(&mut r).await.is_err());
            let mut r =
                futures::io::Cursor::new(((MAX_FRAME_LEN + 1) as u32).to_be_bytes().to_vec());
            assert!(read_message(&mut r).await.is_err());
        });
    }
}
