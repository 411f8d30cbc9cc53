//! Group members (`PeerGroupEnumMembers`) and the member rows that carry their GMC chains.

use std::time::SystemTime;

use peernet_crypto::chain;
use peernet_crypto::{Certificate, Role, pkcs7};
use peernet_storage::MemberRow;

use crate::error::{Error, Result};
use crate::group::Group;
use crate::hresult as hr;

/// `PEER_MEMBER_PRESENT`.
pub const PEER_MEMBER_PRESENT: u32 = 0x1;

/// `PEER_MEMBER` as known to the group database (no addresses: no networking).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// `dwFlags`: `PEER_MEMBER_PRESENT` for this identity while the group is connected
    /// and for members with a neighbour connection to this store's node.
    pub flags: u32,
    /// `pwzIdentity`.
    pub identity: String,
    /// `pwzAttributes`.
    pub attributes: Option<String>,
    /// `ullNodeId` (0 when unknown).
    pub node_id: u64,
    /// `pCredentialInfo`: from the member's leaf GMC, when known.
    pub credentials: Option<MemberCredentials>,
    /// `pAddresses`: the remote address of each neighbour connection this store's node
    /// has with the member (what GroupChat hands to `PeerGroupOpenDirectConnection`);
    /// empty for this identity and for members not connected to this node.
    pub addresses: Vec<std::net::SocketAddr>,
}

/// `PEER_CREDENTIAL_INFO` of a member (from its leaf GMC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCredentials {
    /// `pwzFriendlyName`.
    pub friendly_name: String,
    /// `pPublicKey` (DER SubjectPublicKeyInfo).
    pub public_key: Vec<u8>,
    /// `pwzIssuerPeerName`.
    pub issuer_peer_name: String,
    /// `pwzIssuerFriendlyName`.
    pub issuer_friendly_name: String,
    /// `ftValidityStart`.
    pub validity_start: SystemTime,
    /// `ftValidityEnd`.
    pub validity_end: SystemTime,
    /// `pRoles`.
    pub roles: Vec<Role>,
    /// The member's GMC chain (DER, root first).
    pub chain: Vec<Vec<u8>>,
}

impl MemberCredentials {
    fn from_chain(certs: &[Certificate]) -> Option<MemberCredentials> {
        let leaf = certs.last()?;
        let v = leaf.validity();
        Some(MemberCredentials {
            friendly_name: leaf.subject_friendly_name().to_owned(),
            public_key: leaf.public_key_der().to_vec(),
            issuer_peer_name: leaf
                .issuer_peer_name()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            issuer_friendly_name: leaf.issuer_friendly_name().to_owned(),
            validity_start: v.not_before,
            validity_end: v.not_after,
            roles: leaf.roles().unwrap_or_default(),
            chain: certs.iter().map(|c| c.der().to_vec()).collect(),
        })
    }
}

impl Group {
    /// `PeerGroupEnumMembers`: the members known to the group database. `flags`
    /// `PEER_MEMBER_PRESENT` selects members online now: this identity while the group
    /// is connected (listening or with a connection), and the members with a neighbour
    /// connection to this store's node (presence records of members further away are
    /// not published yet). `identity` Some → that member only. This identity comes first.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `E_INVALIDARG` (unknown flags).
    pub fn enum_members(&self, flags: u32, identity: Option<&str>) -> Result<Vec<Member>> {
        if flags & !PEER_MEMBER_PRESENT != 0 {
            return Err(Error::invalid_arg(format!(
                "unknown member flags {flags:#x}"
            )));
        }
        let (_, own, _) = self.current()?;
        let rows = self
            .ctx()
            .store
            .members(self.identity(), self.peer_name())
            .map_err(|e| self.group_err(e))?;
        // Presence is live state, from the store's node (nobody without one).
        let online = |present: bool| if present { PEER_MEMBER_PRESENT } else { 0 };
        // A node that does not answer counts as no presence, not as a failure.
        let connected = self.get_status().is_ok_and(|s| s.flags != 0);
        let mut neighbours: std::collections::BTreeMap<String, Vec<std::net::SocketAddr>> =
            std::collections::BTreeMap::new();
        for c in self.enum_connections().unwrap_or_default() {
            let at = neighbours.entry(c.member).or_default();
            if let Some(a) = c.address
                && !at.contains(&a)
            {
                at.push(a);
            }
        }
        let mut out = Vec::new();
        let me = self.identity();
        if own.len() > 1 {
            let row = rows.iter().find(|r| r.peer_name == me);
            out.push(Member {
                flags: online(connected),
                identity: me.to_owned(),
                attributes: row.and_then(|r| r.attributes.clone()),
                node_id: row.and_then(|r| r.node_id).unwrap_or(0),
                credentials: MemberCredentials::from_chain(&own),
                addresses: Vec::new(),
            });
        }
        for r in rows.iter().filter(|r| r.peer_name != me || own.len() <= 1) {
            out.push(Member {
                flags: online(neighbours.contains_key(&r.peer_name)),
                identity: r.peer_name.clone(),
                attributes: r.attributes.clone(),
                node_id: r.node_id.unwrap_or(0),
                credentials: member_chain(r).and_then(|c| MemberCredentials::from_chain(&c)),
                addresses: neighbours.get(&r.peer_name).cloned().unwrap_or_default(),
            });
        }
        out.retain(|m| flags & PEER_MEMBER_PRESENT == 0 || m.flags & PEER_MEMBER_PRESENT != 0);
        if let Some(id) = identity {
            out.retain(|m| m.identity == id);
        }
        Ok(out)
    }

    /// Stores `chain` (DER, root first) as `member`'s row (`MEMBER_CHANGED` JOINED or
    /// UPDATED); what `issue_credentials` with `PEER_GROUP_STORE_CREDENTIALS` does.
    pub(crate) fn store_member_chain(&self, member: &str, chain: &[Vec<u8>]) -> Result<()> {
        let bundle = pkcs7::encode(chain)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the chain", e))?;
        let store = &self.ctx().store;
        let prev = match store.member(self.identity(), self.peer_name(), member) {
            Ok(r) => Some(r),
            Err(peernet_storage::Error::NotFound { .. }) => None,
            Err(e) => return Err(self.group_err(e)),
        };
        store
            .upsert_member(
                self.identity(),
                self.peer_name(),
                &MemberRow {
                    peer_name: member.to_owned(),
                    flags: prev.as_ref().map_or(0, |p| p.flags),
                    attributes: prev.as_ref().and_then(|p| p.attributes.clone()),
                    node_id: prev.as_ref().and_then(|p| p.node_id),
                    gmc_chain: Some(bundle),
                },
            )
            .map(|_| ())
            .map_err(|e| self.group_err(e))
    }

    /// The leaf GMC of `member` from the member rows (for `issue_credentials` without
    /// credential info).
    pub(crate) fn member_leaf(&self, member: &str) -> Result<Option<Certificate>> {
        match self
            .ctx()
            .store
            .member(self.identity(), self.peer_name(), member)
        {
            Ok(r) => {
                Ok(member_chain(&r).and_then(|mut c| if c.len() > 1 { c.pop() } else { None }))
            }
            Err(peernet_storage::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.group_err(e)),
        }
    }
}

/// A member row's chain, parsed and ordered root first (None when absent or unreadable).
pub(crate) fn member_chain(row: &MemberRow) -> Option<Vec<Certificate>> {
    let bundle = row.gmc_chain.as_ref()?;
    let ders = pkcs7::decode_or_bare_certificate(bundle).ok()?;
    chain::order_chain(&ders).ok()
}
