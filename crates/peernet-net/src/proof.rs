//! The membership proof: what each side signs, how a proof is made and checked.
//!
//! [MS-PPSEC] 3.2.5.2.3 and 3.3.5.2.3 bind a member's GMC to a connection by requiring the
//! GMC's public key to be the key of the IDC used in the TLS handshake. libp2p's transport
//! key cannot be an RSA-1024 key, so the binding here is a signature instead: each side
//! signs, with the private key of its chain's leaf, a transcript of this connection
//! (see [`transcript`]). The transcript names both transport identities and both fresh
//! nonces, so a proof is worthless on any other connection.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use libp2p_identity::PeerId;
use peernet_crypto::chain::{ChainPolicy, validate_chain};
use peernet_crypto::key::verify_signature;
use peernet_crypto::{Certificate, PeerName, PrivateKey, Profile};

use crate::error::{Error, Result};
use crate::wire::{NONCE_LEN, Proof};

/// The domain-separation label that starts every transcript.
pub const TRANSCRIPT_LABEL: &[u8] = b"peernet group membership proof v1";

/// Which end of the connection a proof comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The side that dialed and opened the handshake stream.
    Initiator,
    /// The side that accepted the connection.
    Responder,
}

impl Role {
    /// The byte that ends the transcript: 1 for the initiator, 2 for the responder.
    pub fn byte(self) -> u8 {
        match self {
            Role::Initiator => 1,
            Role::Responder => 2,
        }
    }
}

/// What both sides of one connection know when they sign: the group, both transport
/// identities and both nonces.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    /// The group peer name, as text.
    pub group: &'a str,
    /// The initiator's transport identity.
    pub initiator: &'a PeerId,
    /// The responder's transport identity.
    pub responder: &'a PeerId,
    /// The initiator's nonce.
    pub initiator_nonce: &'a [u8; NONCE_LEN],
    /// The responder's nonce.
    pub responder_nonce: &'a [u8; NONCE_LEN],
}

/// The bytes a side with `role` signs:
/// [`TRANSCRIPT_LABEL`] ‖ `u16` length ‖ group peer name (UTF-8) ‖ `u8` length ‖ initiator
/// PeerId (multihash bytes) ‖ `u8` length ‖ responder PeerId ‖ initiator nonce (32) ‖
/// responder nonce (32) ‖ role byte ([`Role::byte`]). Integers are big-endian; the length
/// prefixes keep two different field splits from producing one transcript.
pub fn transcript(binding: &Binding<'_>, role: Role) -> Vec<u8> {
    let i = binding.initiator.to_bytes();
    let r = binding.responder.to_bytes();
    let g = binding.group.as_bytes();
    let mut t = Vec::with_capacity(TRANSCRIPT_LABEL.len() + 5 + g.len() + i.len() + r.len() + 65);
    t.extend_from_slice(TRANSCRIPT_LABEL);
    t.extend_from_slice(&(g.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
    t.extend_from_slice(g);
    t.push(i.len().min(255) as u8);
    t.extend_from_slice(&i);
    t.push(r.len().min(255) as u8);
    t.extend_from_slice(&r);
    t.extend_from_slice(binding.initiator_nonce);
    t.extend_from_slice(binding.responder_nonce);
    t.push(role.byte());
    t
}

/// A node's membership of one group: what it proves itself with.
pub struct GroupCredentials {
    group: PeerName,
    profile: Profile,
    chain: Vec<Certificate>,
    key: PrivateKey,
}

impl fmt::Debug for GroupCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupCredentials")
            .field("group", &self.group)
            .field("profile", &self.profile)
            .field("chain_len", &self.chain.len())
            .field("key", &self.key)
            .finish()
    }
}

impl GroupCredentials {
    /// Credentials for `group` of `profile`: the GMC chain, ordered root (GRC) first,
    /// and the private key of its leaf. The chain is validated now for the group and the
    /// profile with the leaf key required to be `key`'s.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] if the key is of another profile, the chain has no
    /// GMC, or the chain does not validate (expired or not yet valid included: such a
    /// member could not prove itself).
    pub fn new(
        group: PeerName,
        profile: Profile,
        chain: Vec<Certificate>,
        key: PrivateKey,
    ) -> Result<Self> {
        if key.profile() != profile {
            return Err(Error::InvalidCredentials(format!(
                "the signing key is a {} key, the group is {}",
                key.profile().as_str(),
                profile.as_str()
            )));
        }
        if chain.len() < 2 {
            return Err(Error::InvalidCredentials(
                "the chain has no membership certificate".into(),
            ));
        }
        let policy = ChainPolicy::new(profile, SystemTime::now())
            .group(&group)
            .leaf_public_key(key.public_key_der());
        validate_chain(&chain, &policy).map_err(|e| Error::InvalidCredentials(e.to_string()))?;
        Ok(GroupCredentials {
            group,
            profile,
            chain,
            key,
        })
    }

    /// The group peer name.
    pub fn group(&self) -> &PeerName {
        &self.group
    }

    /// The group's profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The member's peer name (the chain leaf's subject).
    pub fn member(&self) -> Option<PeerName> {
        self.chain.last().and_then(Certificate::subject_peer_name)
    }

    /// This member's chain with its leaf key's signature over `message` (the password
    /// join's challenge, see [`crate::password`]).
    pub(crate) fn sign_message(&self, message: &[u8]) -> Result<Proof> {
        let signature = self
            .key
            .sign(message)
            .map_err(|e| Error::InvalidCredentials(e.to_string()))?;
        Ok(Proof {
            group: self.group.as_str().to_string(),
            chain: self.chain.iter().map(|c| c.der().to_vec()).collect(),
            signature,
        })
    }

    /// This member's proof for `binding`, signed as `role`.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] if signing fails.
    pub fn prove(&self, binding: &Binding<'_>, role: Role) -> Result<Proof> {
        sign_proof(
            self.group.as_str(),
            self.chain.iter().map(|c| c.der().to_vec()).collect(),
            &self.key,
            binding,
            role,
        )
    }
}

/// A proof over `binding` as `role` with an arbitrary `chain` and `key`: what
/// [`GroupCredentials::prove`] sends, without its checks (tests and tools build hostile
/// proofs with it).
///
/// # Errors
/// [`Error::InvalidCredentials`] if signing fails.
pub fn sign_proof(
    group: &str,
    chain: Vec<Vec<u8>>,
    key: &PrivateKey,
    binding: &Binding<'_>,
    role: Role,
) -> Result<Proof> {
    let signature = key
        .sign(&transcript(binding, role))
        .map_err(|e| Error::InvalidCredentials(e.to_string()))?;
    Ok(Proof {
        group: group.to_string(),
        chain,
        signature,
    })
}

/// Check `proof`, made by the side with `role`, against the group `expected` of
/// `profile` at `now`: the proof names the group, its chain validates for the group and
/// profile (every [MS-PPSEC] chain rule of the crypto crate), and the chain leaf's key
/// signed this connection's transcript. Returns the member's peer name.
///
/// # Errors
/// [`Error::WrongGroup`], [`Error::Expired`], [`Error::NotYetValid`],
/// [`Error::InvalidChain`], [`Error::BadSignature`].
pub fn verify_proof(
    proof: &Proof,
    expected: &PeerName,
    profile: Profile,
    binding: &Binding<'_>,
    role: Role,
    now: SystemTime,
) -> Result<PeerName> {
    if binding.group != expected.as_str() {
        return Err(Error::WrongGroup(format!(
            "the connection is for {}, expected {}",
            binding.group,
            expected.as_str()
        )));
    }
    verify_signed(proof, expected, profile, &transcript(binding, role), now)
}

/// Check that `proof` names the group `expected`, that its chain validates for the
/// group and `profile` at `now`, and that the chain leaf's key signed `message`.
/// Returns the member's peer name.
pub(crate) fn verify_signed(
    proof: &Proof,
    expected: &PeerName,
    profile: Profile,
    message: &[u8],
    now: SystemTime,
) -> Result<PeerName> {
    if proof.group != expected.as_str() {
        return Err(Error::WrongGroup(format!(
            "the proof is for {}, expected {}",
            proof.group,
            expected.as_str()
        )));
    }
    let chain = proof
        .chain
        .iter()
        .map(|d| Certificate::from_der(d))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(Error::from_chain)?;
    if chain.len() < 2 {
        return Err(Error::InvalidChain {
            rule: None,
            reason: "the chain has no membership certificate".into(),
        });
    }
    validate_chain(&chain, &ChainPolicy::new(profile, now).group(expected))
        .map_err(Error::from_chain)?;
    let leaf = &chain[chain.len() - 1];
    verify_signature(
        leaf.public_key_der(),
        &profile.signature_algorithm(),
        message,
        &proof.signature,
    )
    .map_err(|_| Error::BadSignature)?;
    leaf.subject_peer_name().ok_or(Error::InvalidChain {
        rule: None,
        reason: "the leaf has no subject peer name".into(),
    })
}

/// The joined groups of a node, by group peer name.
pub(crate) type Groups =
    Arc<std::sync::RwLock<std::collections::BTreeMap<String, Arc<GroupCredentials>>>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn peers() -> (PeerId, PeerId) {
        let a = libp2p_identity::Keypair::ed25519_from_bytes([1u8; 32]).unwrap();
        let b = libp2p_identity::Keypair::ed25519_from_bytes([2u8; 32]).unwrap();
        (a.public().to_peer_id(), b.public().to_peer_id())
    }

    #[test]
    fn transcript_layout_is_as_documented() {
        let (i, r) = peers();
        let b = Binding {
            group: "g.x",
            initiator: &i,
            responder: &r,
            initiator_nonce: &[0xaa; 32],
            responder_nonce: &[0xbb; 32],
        };
        let t = transcript(&b, Role::Responder);
        let mut want = TRANSCRIPT_LABEL.to_vec();
        want.extend_from_slice(&[0, 3]);
        want.extend_from_slice(b"g.x");
        want.push(i.to_bytes().len() as u8);
        want.extend_from_slice(&i.to_bytes());
        want.push(r.to_bytes().len() as u8);
        want.extend_from_slice(&r.to_bytes());
        want.extend_from_slice(&[0xaa; 32]);
        want.extend_from_slice(&[0xbb; 32]);
        want.push(2);
        assert_eq!(t, want);
        assert_eq!(TRANSCRIPT_LABEL.len(), 33);
    }

    #[test]
    fn every_field_changes_the_transcript() {
        let (i, r) = peers();
        let (n1, n2) = ([1u8; 32], [2u8; 32]);
        let base = Binding {
            group: "g.x",
            initiator: &i,
            responder: &r,
            initiator_nonce: &n1,
            responder_nonce: &n2,
        };
        let t = transcript(&base, Role::Initiator);
        let variants = [
            transcript(&base, Role::Responder),
            transcript(
                &Binding {
                    group: "g.y",
                    ..base
                },
                Role::Initiator,
            ),
            transcript(
                &Binding {
                    initiator: &r,
                    responder: &i,
                    ..base
                },
                Role::Initiator,
            ),
            transcript(
                &Binding {
                    initiator_nonce: &n2,
                    ..base
                },
                Role::Initiator,
            ),
            transcript(
                &Binding {
                    responder_nonce: &n1,
                    ..base
                },
                Role::Initiator,
            ),
        ];
        for (k, v) in variants.iter().enumerate() {
            assert_ne!(&t, v, "variant {k}");
        }
    }

    #[test]
    fn credentials_debug_shows_no_key_material() {
        let key = PrivateKey::generate(Profile::Modern).unwrap();
        let p8 = key.to_pkcs8_der().unwrap();
        let group_key = PrivateKey::generate(Profile::Modern).unwrap();
        let group = group_key.peer_name("g").unwrap();
        let now = SystemTime::now();
        let grc = peernet_crypto::GrcParams::new(group.clone(), "g", now)
            .unwrap()
            .issue(&group_key)
            .unwrap();
        let idc = peernet_crypto::IdcParams::new(key.peer_name("m").unwrap(), "m", now)
            .unwrap()
            .issue(&key)
            .unwrap();
        let gmc =
            peernet_crypto::GmcParams::for_identity(&idc, &[peernet_crypto::Role::MEMBER], &grc)
                .unwrap()
                .issue(&grc, &group_key)
                .unwrap();
        let creds = GroupCredentials::new(group, Profile::Modern, vec![grc, gmc], key).unwrap();
        let dbg = format!("{creds:?}");
        let tail = hex_tail(&p8);
        assert!(
            dbg.contains("chain_len: 2") && !dbg.contains(&tail),
            "{dbg}"
        );
        assert_eq!(creds.member().unwrap().classifier(), "m");
    }

    fn hex_tail(b: &[u8]) -> String {
        b[b.len() - 8..]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    }
}
