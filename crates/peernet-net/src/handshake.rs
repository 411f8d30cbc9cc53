//! The membership handshake on one stream, for each role.
//!
//! Initiator → responder: `Hello{nonce_i}`; responder → initiator: `Hello{nonce_r}`;
//! initiator → responder: `Proof_i`; the responder checks it and only then answers
//! `Proof_r` (a non-member never sees the responder's chain, as in [MS-PPSEC] 3.3.5.2.3
//! where the authenticator replies with its GMC after validating the requestor's);
//! the initiator checks it and sends `Confirm`. Each side considers the group
//! authenticated on this connection only after both proofs passed.

use std::time::SystemTime;

use futures::{AsyncRead, AsyncWrite, AsyncWriteExt};
use libp2p_identity::PeerId;
use peernet_crypto::PeerName;

use crate::error::{Error, Result};
use crate::proof::{Binding, GroupCredentials, Groups, Role, verify_proof};
use crate::wire::{Message, NONCE_LEN, read_message, write_message};

/// A fresh random nonce from the operating system.
pub(crate) fn fresh_nonce() -> Result<[u8; NONCE_LEN]> {
    use ring::rand::SecureRandom;
    let mut n = [0u8; NONCE_LEN];
    ring::rand::SystemRandom::new()
        .fill(&mut n)
        .map_err(|_| Error::StreamClosed("no randomness for the nonce".into()))?;
    Ok(n)
}

async fn expect_hello<S: AsyncRead + Unpin>(s: &mut S) -> Result<[u8; NONCE_LEN]> {
    match read_message(s).await? {
        Message::Hello { nonce } => Ok(nonce),
        _ => Err(Error::Malformed("expected Hello")),
    }
}

/// Run the initiator's side for `creds` on `s`. Returns the responder's member name.
pub(crate) async fn initiate<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    local: &PeerId,
    remote: &PeerId,
    creds: &GroupCredentials,
) -> Result<PeerName> {
    let nonce_i = fresh_nonce()?;
    write_message(s, &Message::Hello { nonce: nonce_i }).await?;
    let nonce_r = expect_hello(s).await?;
    let group = creds.group().as_str();
    let binding = Binding {
        group,
        initiator: local,
        responder: remote,
        initiator_nonce: &nonce_i,
        responder_nonce: &nonce_r,
    };
    write_message(s, &Message::Proof(creds.prove(&binding, Role::Initiator)?)).await?;
    let proof = match read_message(s).await? {
        Message::Proof(p) => p,
        _ => return Err(Error::Malformed("expected Proof")),
    };
    let member = verify_proof(
        &proof,
        creds.group(),
        creds.profile(),
        &binding,
        Role::Responder,
        SystemTime::now(),
    )?;
    write_message(s, &Message::Confirm).await?;
    let _ = s.close().await;
    Ok(member)
}

/// Run the responder's side on `s` for whichever joined group the initiator's proof
/// names. Returns the group and the initiator's member name; a failure names the group
/// when it was one this node holds (so that the refusal can be reported to it).
pub(crate) async fn respond<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    local: &PeerId,
    remote: &PeerId,
    groups: &Groups,
) -> std::result::Result<(PeerName, PeerName), (Option<String>, Error)> {
    let nonce_i = expect_hello(s).await.map_err(|e| (None, e))?;
    let nonce_r = fresh_nonce().map_err(|e| (None, e))?;
    write_message(s, &Message::Hello { nonce: nonce_r })
        .await
        .map_err(|e| (None, e))?;
    let proof = match read_message(s).await.map_err(|e| (None, e))? {
        Message::Proof(p) => p,
        _ => return Err((None, Error::Malformed("expected Proof"))),
    };
    let creds = groups
        .read()
        .map_err(|_| (None, Error::StreamClosed("group table poisoned".into())))?
        .get(&proof.group)
        .cloned()
        .ok_or_else(|| (None, Error::UnknownGroup(proof.group.clone())))?;
    let known = |e: Error| (Some(creds.group().as_str().to_string()), e);
    let binding = Binding {
        group: creds.group().as_str(),
        initiator: remote,
        responder: local,
        initiator_nonce: &nonce_i,
        responder_nonce: &nonce_r,
    };
    let member = verify_proof(
        &proof,
        creds.group(),
        creds.profile(),
        &binding,
        Role::Initiator,
        SystemTime::now(),
    )
    .map_err(known)?;
    let own = creds.prove(&binding, Role::Responder).map_err(known)?;
    write_message(s, &Message::Proof(own))
        .await
        .map_err(known)?;
    match read_message(s).await.map_err(known)? {
        Message::Confirm => {}
        _ => return Err(known(Error::Malformed("expected Confirm"))),
    }
    Ok((creds.group().clone(), member))
}
