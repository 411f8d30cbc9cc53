//! A minimal DER tree (single-byte tags, definite lengths) to take apart and re-assemble
//! PKCS#12 files and certificates when building hostile inputs, plus the PKCS#12 MAC
//! (RFC 7292 B.2 with SHA-1, one output block) to re-seal a PFX after splicing its bags.

use ring::{digest, hmac};

/// A DER node: primitive (tag, body) or constructed (tag, children).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Primitive: tag and content bytes.
    Prim(u8, Vec<u8>),
    /// Constructed: tag and child nodes.
    Cons(u8, Vec<Node>),
}

/// INTEGER tag.
pub const INTEGER: u8 = 0x02;
/// OCTET STRING tag.
pub const OCTET_STRING: u8 = 0x04;
/// OID tag.
pub const OID: u8 = 0x06;
/// SEQUENCE tag.
pub const SEQUENCE: u8 = 0x30;

fn read_one(b: &[u8]) -> Option<(u8, &[u8], usize)> {
    let tag = *b.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let body = b.get(hdr..hdr.checked_add(len)?)?;
    Some((tag, body, hdr + len))
}

/// Parses a sequence of nodes filling `b` exactly.
pub fn parse_all(mut b: &[u8]) -> Option<Vec<Node>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (tag, body, used) = read_one(b)?;
        out.push(if tag & 0x20 != 0 {
            Node::Cons(tag, parse_all(body)?)
        } else {
            Node::Prim(tag, body.to_vec())
        });
        b = &b[used..];
    }
    Some(out)
}

/// Parses exactly one node.
pub fn parse(b: &[u8]) -> Option<Node> {
    let mut v = parse_all(b)?;
    (v.len() == 1).then(|| v.remove(0))
}

fn len_bytes(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else {
        let be = (n as u32).to_be_bytes();
        let skip = be.iter().take_while(|x| **x == 0).count();
        let mut v = vec![0x80 | (4 - skip) as u8];
        v.extend_from_slice(&be[skip..]);
        v
    }
}

/// Encodes a TLV.
pub fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(len_bytes(body.len()));
    v.extend_from_slice(body);
    v
}

impl Node {
    /// DER bytes of this node.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Node::Prim(t, b) => tlv(*t, b),
            Node::Cons(t, c) => tlv(*t, &c.iter().flat_map(Node::encode).collect::<Vec<_>>()),
        }
    }

    /// The children of a constructed node (empty for a primitive).
    pub fn children(&self) -> &[Node] {
        match self {
            Node::Cons(_, c) => c,
            Node::Prim(..) => &[],
        }
    }

    /// Mutable children of a constructed node.
    ///
    /// # Panics
    /// On a primitive node.
    pub fn children_mut(&mut self) -> &mut Vec<Node> {
        match self {
            Node::Cons(_, c) => c,
            Node::Prim(..) => panic!("not a constructed node"),
        }
    }

    /// The body of a primitive node.
    pub fn body(&self) -> &[u8] {
        match self {
            Node::Prim(_, b) => b,
            Node::Cons(..) => &[],
        }
    }
}

/// INTEGER content bytes of a signed value (minimal two's complement).
pub fn int_body(v: i64) -> Vec<u8> {
    let be = v.to_be_bytes();
    let mut i = 0;
    while i < 7 {
        let (a, b) = (be[i], be[i + 1]);
        if (a == 0 && b & 0x80 == 0) || (a == 0xff && b & 0x80 != 0) {
            i += 1;
        } else {
            break;
        }
    }
    be[i..].to_vec()
}

/// Replaces every INTEGER whose value is `from` by `to`, descending into OCTET STRINGs
/// whose content is itself DER. Returns how many were replaced. `only_nested` skips the
/// INTEGERs that are not inside an OCTET STRING (e.g. to leave a PFX's MAC count alone).
pub fn replace_int(node: &mut Node, from: i64, to: i64, only_nested: bool) -> usize {
    fn go(node: &mut Node, from: &[u8], to: &[u8], nested: bool, only_nested: bool) -> usize {
        match node {
            Node::Prim(INTEGER, b) if b.as_slice() == from && (nested || !only_nested) => {
                *b = to.to_vec();
                1
            }
            Node::Prim(OCTET_STRING, b) => match parse_all(b) {
                Some(mut inner) if !inner.is_empty() => {
                    let n: usize = inner
                        .iter_mut()
                        .map(|c| go(c, from, to, true, only_nested))
                        .sum();
                    if n > 0 {
                        *b = inner.iter().flat_map(Node::encode).collect();
                    }
                    n
                }
                _ => 0,
            },
            Node::Prim(..) => 0,
            Node::Cons(_, c) => c
                .iter_mut()
                .map(|x| go(x, from, to, nested, only_nested))
                .sum(),
        }
    }
    go(node, &int_body(from), &int_body(to), false, only_nested)
}

/// RFC 7292 B.2 MAC key (ID 3) with SHA-1 and HMAC-SHA1 over `data`.
pub fn pkcs12_mac_sha1(password: &str, salt: &[u8], iterations: u32, data: &[u8]) -> Vec<u8> {
    let alg = &digest::SHA1_FOR_LEGACY_USE_ONLY;
    let v = 64;
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut bmp = Vec::new();
    for u in password.encode_utf16() {
        bmp.extend_from_slice(&u.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    let mut ctx = digest::Context::new(alg);
    ctx.update(&[3u8; 64]);
    ctx.update(&fill(salt));
    ctx.update(&fill(&bmp));
    let mut a = ctx.finish().as_ref().to_vec();
    for _ in 1..iterations {
        a = digest::digest(alg, &a).as_ref().to_vec();
    }
    let k = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &a);
    hmac::sign(&k, data).as_ref().to_vec()
}

/// A PFX taken apart: its authSafe ContentInfos and its MacData.
#[derive(Clone, Debug)]
pub struct Pfx {
    /// The ContentInfos of the authSafe, in order.
    pub parts: Vec<Node>,
    /// MacData (DigestInfo, salt, iterations).
    pub mac: Node,
}

impl Pfx {
    /// Splits a DER PFX (as `peernet_crypto::pkcs12::write` produces).
    pub fn split(pfx: &[u8]) -> Option<Pfx> {
        let top = parse(pfx)?;
        let c = top.children();
        let ci = c.get(1)?;
        let octets = ci.children().get(1)?.children().first()?.body();
        let parts = parse(octets)?.children().to_vec();
        Some(Pfx {
            parts,
            mac: c.get(2)?.clone(),
        })
    }

    /// Re-assembles with a MAC recomputed under `password` (SHA-1 MAC, windows profile).
    pub fn seal(&self, password: &str) -> Vec<u8> {
        let auth_safe = Node::Cons(SEQUENCE, self.parts.clone()).encode();
        let mut mac = self.mac.clone();
        let salt = mac.children()[1].body().to_vec();
        let iter_body = mac.children()[2].body().to_vec();
        let iterations = iter_body.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
        let value = pkcs12_mac_sha1(password, &salt, iterations, &auth_safe);
        mac.children_mut()[0].children_mut()[1] = Node::Prim(OCTET_STRING, value);
        self.assemble(&auth_safe, mac)
    }

    /// Re-assembles keeping the MacData as it is (the MAC then no longer matches if the
    /// parts changed).
    pub fn keep_mac(&self) -> Vec<u8> {
        let auth_safe = Node::Cons(SEQUENCE, self.parts.clone()).encode();
        self.assemble(&auth_safe, self.mac.clone())
    }

    /// Re-assembles without MacData.
    pub fn without_mac(&self) -> Vec<u8> {
        let auth_safe = Node::Cons(SEQUENCE, self.parts.clone()).encode();
        let ci = Node::Cons(
            SEQUENCE,
            vec![
                Node::Prim(OID, OID_DATA.to_vec()),
                Node::Cons(0xa0, vec![Node::Prim(OCTET_STRING, auth_safe)]),
            ],
        );
        Node::Cons(SEQUENCE, vec![Node::Prim(INTEGER, vec![3]), ci]).encode()
    }

    fn assemble(&self, auth_safe: &[u8], mac: Node) -> Vec<u8> {
        let ci = Node::Cons(
            SEQUENCE,
            vec![
                Node::Prim(OID, OID_DATA.to_vec()),
                Node::Cons(0xa0, vec![Node::Prim(OCTET_STRING, auth_safe.to_vec())]),
            ],
        );
        Node::Cons(SEQUENCE, vec![Node::Prim(INTEGER, vec![3]), ci, mac]).encode()
    }

    /// The index of the part holding the key (content type `data`), and of the part
    /// holding the certificates (`encryptedData`).
    pub fn key_and_cert_parts(&self) -> (usize, usize) {
        let ty = |n: &Node| n.children().first().map(|o| o.body().to_vec());
        let key = self
            .parts
            .iter()
            .position(|p| ty(p).as_deref() == Some(OID_DATA))
            .expect("a data part");
        let cert = self
            .parts
            .iter()
            .position(|p| ty(p).as_deref() != Some(OID_DATA))
            .expect("an encryptedData part");
        (key, cert)
    }
}

/// id-data.
pub const OID_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_bodies() {
        assert_eq!(int_body(0), vec![0]);
        assert_eq!(int_body(2000), vec![0x07, 0xd0]);
        assert_eq!(int_body(1 << 31), vec![0, 0x80, 0, 0, 0]);
        assert_eq!(int_body(-1), vec![0xff]);
        assert_eq!(int_body(128), vec![0, 0x80]);
    }

    #[test]
    fn round_trip() {
        let n = Node::Cons(
            SEQUENCE,
            vec![Node::Prim(INTEGER, vec![1]), Node::Prim(4, vec![7; 300])],
        );
        assert_eq!(parse(&n.encode()), Some(n));
    }
}
