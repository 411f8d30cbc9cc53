//! The wire format of the membership handshake: length-prefixed frames carrying one
//! message each.
//!
//! A frame is a 32-bit big-endian payload length followed by the payload. A payload
//! longer than [`MAX_FRAME_LEN`] is refused from its length alone, before anything is
//! allocated. Every payload starts with the format version ([`VERSION`]) and a message
//! type:
//!
//! | type | message | body |
//! |---|---|---|
//! | `0x01` | [`Message::Hello`] | 32-byte nonce |
//! | `0x02` | [`Message::Proof`] | `u16` group name length, UTF-8 group peer name, `u8` certificate count (1..=25), per certificate `u32` length + DER (root first), `u16` signature length + signature |
//! | `0x03` | [`Message::Confirm`] | empty |
//! | `0x10` | [`Message::JoinRequest`] | `u16` group name length, UTF-8 group peer name, `u32` length + the joiner's IDC (DER), 32-byte nonce |
//! | `0x11` | [`Message::JoinChallenge`] | 32-byte nonce, then a `0x02` Proof body |
//! | `0x12` | [`Message::JoinPassword`] | 32-byte password MAC |
//! | `0x13` | [`Message::JoinGranted`] | `u32` length + UTF-8 GMC invitation (`PEERINVITATION` XML) |
//! | `0x14` | [`Message::JoinRefused`] | `u8` reason ([`JoinRefusal`]), `u16` length + UTF-8 text (at most [`MAX_REASON_LEN`]) |
//!
//! Types `0x10`–`0x14` are the password join ([`crate::password`]); the membership
//! handshake refuses them.
//!
//! All integers are big-endian. A payload with bytes after its last field is malformed.

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use peernet_crypto::chain::MAX_CHAIN_LEN;

use crate::error::{Error, Result};

/// The largest frame payload accepted or sent: 256 KiB (a 25-certificate RSA chain is
/// about 25 KiB).
pub const MAX_FRAME_LEN: usize = 256 * 1024;

/// The format version carried in every payload.
pub const VERSION: u8 = 1;

/// Length of a handshake nonce.
pub const NONCE_LEN: usize = 32;

/// The longest group peer name accepted (40 hex digits, a dot and 149 UTF-16 code units
/// of classifier, at most 4 UTF-8 bytes each).
pub const MAX_GROUP_NAME_LEN: usize = 1024;

/// The longest signature accepted (an RSA-1024 signature is 128 bytes, a DER P-256
/// ECDSA signature at most 72).
pub const MAX_SIGNATURE_LEN: usize = 1024;

const TYPE_HELLO: u8 = 0x01;
const TYPE_PROOF: u8 = 0x02;
const TYPE_CONFIRM: u8 = 0x03;
const TYPE_JOIN_REQUEST: u8 = 0x10;
const TYPE_JOIN_CHALLENGE: u8 = 0x11;
const TYPE_JOIN_PASSWORD: u8 = 0x12;
const TYPE_JOIN_GRANTED: u8 = 0x13;
const TYPE_JOIN_REFUSED: u8 = 0x14;

/// Length of the password MAC of [`Message::JoinPassword`] (HMAC-SHA-256).
pub const MAC_LEN: usize = 32;

/// The longest refusal text sent or accepted.
pub const MAX_REASON_LEN: usize = 1024;

/// Why a member refused a password join ([`Message::JoinRefused`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JoinRefusal {
    /// The password MAC does not match the group's password (ERROR_INVALID_PASSWORD).
    WrongPassword = 1,
    /// This member cannot admit password joiners: the group has no password
    /// authentication, the member is neither Administrator nor Inviting Member, or it
    /// does not know the password (PEER_E_NOT_AUTHORIZED).
    NotAuthorized = 2,
    /// The member could not issue the credentials (E_FAIL).
    Failed = 3,
}

impl JoinRefusal {
    fn from_byte(b: u8) -> Result<Self> {
        match b {
            1 => Ok(JoinRefusal::WrongPassword),
            2 => Ok(JoinRefusal::NotAuthorized),
            3 => Ok(JoinRefusal::Failed),
            _ => Err(Error::Malformed("unknown refusal reason")),
        }
    }
}

/// One side's membership proof: its group, its GMC chain and its signature over the
/// connection transcript (see [`crate::proof`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The group peer name, as text.
    pub group: String,
    /// The GMC chain, DER certificates ordered root (GRC) first, leaf last.
    pub chain: Vec<Vec<u8>>,
    /// The leaf key's signature over the transcript.
    pub signature: Vec<u8>,
}

/// A message of the membership handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A fresh nonce of the sender, the first message of each side.
    Hello {
        /// 32 random bytes.
        nonce: [u8; NONCE_LEN],
    },
    /// A membership proof.
    Proof(Proof),
    /// The initiator accepted the responder's proof; the connection is authenticated.
    Confirm,
    /// A password joiner asks to be admitted to `group` with its identity certificate.
    JoinRequest {
        /// The group peer name, as text.
        group: String,
        /// The joiner's IDC (DER): the GMC is issued for its key.
        idc: Vec<u8>,
        /// The joiner's fresh nonce.
        nonce: [u8; NONCE_LEN],
    },
    /// The member's nonce and its membership proof over the join transcript.
    JoinChallenge {
        /// The member's fresh nonce.
        nonce: [u8; NONCE_LEN],
        /// The member's chain and signature.
        proof: Proof,
    },
    /// The joiner's proof of the password: a MAC over the join transcript keyed by the
    /// password's hash string (the password itself never crosses).
    JoinPassword {
        /// HMAC-SHA-256.
        mac: [u8; MAC_LEN],
    },
    /// The member admitted the joiner: its new GMC as a GMC invitation.
    JoinGranted {
        /// `PEERINVITATION` XML.
        invitation: String,
    },
    /// The member refused the joiner.
    JoinRefused {
        /// Why.
        refusal: JoinRefusal,
        /// A human-readable explanation.
        reason: String,
    },
}

fn put_group(out: &mut Vec<u8>, group: &str) -> Result<()> {
    if group.len() > MAX_GROUP_NAME_LEN {
        return Err(Error::Malformed("group name too long"));
    }
    out.extend_from_slice(&(group.len() as u16).to_be_bytes());
    out.extend_from_slice(group.as_bytes());
    Ok(())
}

fn put_proof(out: &mut Vec<u8>, p: &Proof) -> Result<()> {
    put_group(out, &p.group)?;
    if p.chain.is_empty() || p.chain.len() > MAX_CHAIN_LEN {
        return Err(Error::Malformed("certificate count out of range"));
    }
    out.push(p.chain.len() as u8);
    for c in &p.chain {
        if c.len() > MAX_FRAME_LEN {
            return Err(Error::FrameTooLarge { len: c.len() });
        }
        out.extend_from_slice(&(c.len() as u32).to_be_bytes());
        out.extend_from_slice(c);
    }
    if p.signature.len() > MAX_SIGNATURE_LEN {
        return Err(Error::Malformed("signature too long"));
    }
    out.extend_from_slice(&(p.signature.len() as u16).to_be_bytes());
    out.extend_from_slice(&p.signature);
    Ok(())
}

impl Message {
    /// A short name of the message type, for errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "Hello",
            Message::Proof(_) => "Proof",
            Message::Confirm => "Confirm",
            Message::JoinRequest { .. } => "JoinRequest",
            Message::JoinChallenge { .. } => "JoinChallenge",
            Message::JoinPassword { .. } => "JoinPassword",
            Message::JoinGranted { .. } => "JoinGranted",
            Message::JoinRefused { .. } => "JoinRefused",
        }
    }

    /// The payload of this message (without the frame's length prefix).
    ///
    /// # Errors
    /// [`Error::FrameTooLarge`] if it would exceed [`MAX_FRAME_LEN`];
    /// [`Error::Malformed`] if a field exceeds the limits of its length prefix.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = vec![VERSION];
        match self {
            Message::Hello { nonce } => {
                out.push(TYPE_HELLO);
                out.extend_from_slice(nonce);
            }
            Message::Confirm => out.push(TYPE_CONFIRM),
            Message::Proof(p) => {
                out.push(TYPE_PROOF);
                put_proof(&mut out, p)?;
            }
            Message::JoinRequest { group, idc, nonce } => {
                out.push(TYPE_JOIN_REQUEST);
                put_group(&mut out, group)?;
                if idc.len() > MAX_FRAME_LEN {
                    return Err(Error::FrameTooLarge { len: idc.len() });
                }
                out.extend_from_slice(&(idc.len() as u32).to_be_bytes());
                out.extend_from_slice(idc);
                out.extend_from_slice(nonce);
            }
            Message::JoinChallenge { nonce, proof } => {
                out.push(TYPE_JOIN_CHALLENGE);
                out.extend_from_slice(nonce);
                put_proof(&mut out, proof)?;
            }
            Message::JoinPassword { mac } => {
                out.push(TYPE_JOIN_PASSWORD);
                out.extend_from_slice(mac);
            }
            Message::JoinGranted { invitation } => {
                out.push(TYPE_JOIN_GRANTED);
                if invitation.len() > MAX_FRAME_LEN {
                    return Err(Error::FrameTooLarge {
                        len: invitation.len(),
                    });
                }
                out.extend_from_slice(&(invitation.len() as u32).to_be_bytes());
                out.extend_from_slice(invitation.as_bytes());
            }
            Message::JoinRefused { refusal, reason } => {
                out.push(TYPE_JOIN_REFUSED);
                out.push(*refusal as u8);
                let reason = truncate(reason, MAX_REASON_LEN);
                out.extend_from_slice(&(reason.len() as u16).to_be_bytes());
                out.extend_from_slice(reason.as_bytes());
            }
        }
        if out.len() > MAX_FRAME_LEN {
            return Err(Error::FrameTooLarge { len: out.len() });
        }
        Ok(out)
    }

    /// Parse one payload.
    ///
    /// # Errors
    /// [`Error::FrameTooLarge`] past [`MAX_FRAME_LEN`]; [`Error::Malformed`] for an
    /// unknown version or type, a truncated field, a field past its limit, a group name
    /// that is not UTF-8, or trailing bytes.
    pub fn decode(payload: &[u8]) -> Result<Message> {
        if payload.len() > MAX_FRAME_LEN {
            return Err(Error::FrameTooLarge { len: payload.len() });
        }
        let mut r = Reader(payload);
        if r.u8()? != VERSION {
            return Err(Error::Malformed("unknown format version"));
        }
        let msg = match r.u8()? {
            TYPE_HELLO => Message::Hello { nonce: r.nonce()? },
            TYPE_CONFIRM => Message::Confirm,
            TYPE_PROOF => Message::Proof(r.proof()?),
            TYPE_JOIN_REQUEST => {
                let group = r.group()?;
                let len = r.u32()? as usize;
                let idc = r.take(len)?.to_vec();
                Message::JoinRequest {
                    group,
                    idc,
                    nonce: r.nonce()?,
                }
            }
            TYPE_JOIN_CHALLENGE => {
                let nonce = r.nonce()?;
                Message::JoinChallenge {
                    nonce,
                    proof: r.proof()?,
                }
            }
            TYPE_JOIN_PASSWORD => {
                let mut mac = [0u8; MAC_LEN];
                mac.copy_from_slice(r.take(MAC_LEN)?);
                Message::JoinPassword { mac }
            }
            TYPE_JOIN_GRANTED => {
                let len = r.u32()? as usize;
                let invitation = std::str::from_utf8(r.take(len)?)
                    .map_err(|_| Error::Malformed("invitation is not UTF-8"))?
                    .to_string();
                Message::JoinGranted { invitation }
            }
            TYPE_JOIN_REFUSED => {
                let refusal = JoinRefusal::from_byte(r.u8()?)?;
                let n = usize::from(r.u16()?);
                if n > MAX_REASON_LEN {
                    return Err(Error::Malformed("refusal reason too long"));
                }
                let reason = std::str::from_utf8(r.take(n)?)
                    .map_err(|_| Error::Malformed("refusal reason is not UTF-8"))?
                    .to_string();
                Message::JoinRefused { refusal, reason }
            }
            _ => return Err(Error::Malformed("unknown message type")),
        };
        if !r.0.is_empty() {
            return Err(Error::Malformed("trailing bytes after the message"));
        }
        Ok(msg)
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(Error::Malformed("truncated message"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
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
    fn nonce(&mut self) -> Result<[u8; NONCE_LEN]> {
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(self.take(NONCE_LEN)?);
        Ok(nonce)
    }
    fn group(&mut self) -> Result<String> {
        let n = usize::from(self.u16()?);
        if n > MAX_GROUP_NAME_LEN {
            return Err(Error::Malformed("group name too long"));
        }
        Ok(std::str::from_utf8(self.take(n)?)
            .map_err(|_| Error::Malformed("group name is not UTF-8"))?
            .to_string())
    }
    fn proof(&mut self) -> Result<Proof> {
        let group = self.group()?;
        let count = usize::from(self.u8()?);
        if count == 0 || count > MAX_CHAIN_LEN {
            return Err(Error::Malformed("certificate count out of range"));
        }
        let mut chain = Vec::with_capacity(count);
        for _ in 0..count {
            let len = self.u32()? as usize;
            chain.push(self.take(len)?.to_vec());
        }
        let n = usize::from(self.u16()?);
        if n > MAX_SIGNATURE_LEN {
            return Err(Error::Malformed("signature too long"));
        }
        let signature = self.take(n)?.to_vec();
        Ok(Proof {
            group,
            chain,
            signature,
        })
    }
}

/// `s` cut to at most `max` bytes on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Write `msg` as one frame and flush.
///
/// # Errors
/// Those of [`Message::encode`]; [`Error::StreamClosed`] on an I/O error.
pub async fn write_message<W: AsyncWrite + Unpin>(w: &mut W, msg: &Message) -> Result<()> {
    let payload = msg.encode()?;
    let mut frame = Vec::with_capacity(4 + payload.len());
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    frame.extend_from_slice(&payload);
    w.write_all(&frame).await.map_err(Error::io)?;
    w.flush().await.map_err(Error::io)
}

/// Read one frame and parse it. The length is checked against [`MAX_FRAME_LEN`] before
/// the payload is read.
///
/// # Errors
/// [`Error::FrameTooLarge`], those of [`Message::decode`], [`Error::StreamClosed`] when
/// the stream ends or fails.
pub async fn read_message<R: AsyncRead + Unpin>(r: &mut R) -> Result<Message> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await.map_err(Error::io)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME_LEN {
        return Err(Error::FrameTooLarge { len });
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload).await.map_err(Error::io)?;
    Message::decode(&payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof() -> Message {
        Message::Proof(Proof {
            group: "0123456789abcdef0123456789abcdef01234567.chat".into(),
            chain: vec![vec![0x30, 1, 2], vec![0x30; 300]],
            signature: vec![9; 72],
        })
    }

    fn all() -> Vec<Message> {
        let Message::Proof(p) = proof() else {
            unreachable!()
        };
        vec![
            Message::Hello { nonce: [7; 32] },
            Message::Confirm,
            proof(),
            Message::JoinRequest {
                group: p.group.clone(),
                idc: vec![0x30; 40],
                nonce: [3; 32],
            },
            Message::JoinChallenge {
                nonce: [4; 32],
                proof: p,
            },
            Message::JoinPassword { mac: [5; MAC_LEN] },
            Message::JoinGranted {
                invitation: "<PEERINVITATION/>".into(),
            },
            Message::JoinRefused {
                refusal: JoinRefusal::WrongPassword,
                reason: "wrong password".into(),
            },
        ]
    }

    #[test]
    fn a_long_refusal_reason_is_cut_on_a_character_boundary() {
        let m = Message::JoinRefused {
            refusal: JoinRefusal::Failed,
            reason: "é".repeat(MAX_REASON_LEN),
        };
        match Message::decode(&m.encode().unwrap()).unwrap() {
            Message::JoinRefused { reason, .. } => {
                assert_eq!(reason.len(), MAX_REASON_LEN);
                assert!(reason.chars().all(|c| c == 'é'));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Message::decode(&[VERSION, TYPE_JOIN_REFUSED, 9, 0, 0]),
            Err(Error::Malformed("unknown refusal reason"))
        ));
    }

    #[test]
    fn every_message_round_trips() {
        for m in all() {
            let bytes = m.encode().unwrap();
            assert_eq!(bytes[0], VERSION);
            assert_eq!(Message::decode(&bytes).unwrap(), m, "{}", m.kind());
        }
    }

    #[test]
    fn every_truncation_and_extension_is_malformed() {
        for m in all() {
            let bytes = m.encode().unwrap();
            for cut in 0..bytes.len() {
                assert!(
                    matches!(Message::decode(&bytes[..cut]), Err(Error::Malformed(_))),
                    "{} cut at {cut}",
                    m.kind()
                );
            }
            let mut long = bytes.clone();
            long.push(0);
            assert!(matches!(
                Message::decode(&long),
                Err(Error::Malformed("trailing bytes after the message"))
            ));
        }
    }

    #[test]
    fn unknown_version_type_and_bad_fields_are_malformed() {
        let mut b = Message::Confirm.encode().unwrap();
        b[0] = 2;
        assert!(matches!(
            Message::decode(&b),
            Err(Error::Malformed("unknown format version"))
        ));
        assert!(matches!(
            Message::decode(&[VERSION, 0x7f]),
            Err(Error::Malformed("unknown message type"))
        ));
        // A proof with zero certificates, 26 certificates, a non-UTF-8 name.
        let zero = [VERSION, TYPE_PROOF, 0, 1, b'a', 0, 0, 0];
        assert!(matches!(
            Message::decode(&zero),
            Err(Error::Malformed("certificate count out of range"))
        ));
        let many = [VERSION, TYPE_PROOF, 0, 1, b'a', 26];
        assert!(matches!(
            Message::decode(&many),
            Err(Error::Malformed("certificate count out of range"))
        ));
        let utf = [VERSION, TYPE_PROOF, 0, 1, 0xff, 1, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            Message::decode(&utf),
            Err(Error::Malformed("group name is not UTF-8"))
        ));
        // A certificate length pointing past the end.
        let past = [VERSION, TYPE_PROOF, 0, 1, b'a', 1, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            Message::decode(&past),
            Err(Error::Malformed("truncated message"))
        ));
    }

    #[test]
    fn oversized_payloads_are_refused_both_ways() {
        let big = Message::Proof(Proof {
            group: "a.b".into(),
            chain: vec![vec![0; MAX_FRAME_LEN]],
            signature: vec![],
        });
        assert!(matches!(big.encode(), Err(Error::FrameTooLarge { .. })));
        assert!(matches!(
            Message::decode(&vec![VERSION; MAX_FRAME_LEN + 1]),
            Err(Error::FrameTooLarge { len }) if len == MAX_FRAME_LEN + 1
        ));
    }

    #[test]
    fn frames_are_read_back_and_an_oversized_length_is_refused_unread() {
        futures::executor::block_on(async {
            let mut buf = Vec::new();
            write_message(&mut buf, &proof()).await.unwrap();
            write_message(&mut buf, &Message::Confirm).await.unwrap();
            let mut r = futures::io::Cursor::new(buf);
            assert_eq!(read_message(&mut r).await.unwrap(), proof());
            assert_eq!(read_message(&mut r).await.unwrap(), Message::Confirm);
            assert!(matches!(
                read_message(&mut r).await,
                Err(Error::StreamClosed(_))
            ));
            // Only the 4-byte length exists: refused from it alone.
            let len = ((MAX_FRAME_LEN + 1) as u32).to_be_bytes();
            let mut r = futures::io::Cursor::new(len.to_vec());
            assert!(matches!(
                read_message(&mut r).await,
                Err(Error::FrameTooLarge { .. })
            ));
        });
    }
}
