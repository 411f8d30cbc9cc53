//! The password join: a joiner that holds a password invitation but no GMC asks a member
//! to admit it, and receives its GMC.
//!
//! [MS-PPSEC] 3.3.5.2.5 semantics, on a stream of [`PASSWORD_JOIN_PROTOCOL`] of a
//! connection that carries no membership proof yet:
//!
//! 1. joiner → member: [`Message::JoinRequest`] (group, the joiner's IDC, nonce `n_j`);
//! 2. member → joiner: [`Message::JoinChallenge`] (nonce `n_m`, the member's GMC chain
//!    and its leaf key's signature over the join transcript, [`join_transcript`]): the
//!    joiner checks that it talks to a member of the group before it proves anything;
//! 3. joiner → member: [`Message::JoinPassword`], HMAC-SHA-256 keyed by the password's
//!    hash string over the same transcript ([`password_mac`]). The password never
//!    crosses, and the MAC is bound to both transport identities, both nonces and the
//!    IDC, so it is worthless on any other connection or for any other joiner;
//! 4. member → joiner: [`Message::JoinGranted`] with the new GMC as a GMC invitation, or
//!    [`Message::JoinRefused`].
//!
//! Windows sends SHA-1(hash string ‖ requestor peer name), which a listener could replay;
//! the transcript binding here closes that. The member refuses with
//! [`JoinRefusal::WrongPassword`] after [`WRONG_PASSWORD_DELAY`], and at most
//! [`MAX_PENDING_JOINS`] joins wait at once, which bounds online guessing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use futures::{AsyncWriteExt, StreamExt};
use libp2p_identity::PeerId;
use libp2p_swarm::StreamProtocol;
use peernet_crypto::{PeerName, Profile};
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::handshake::fresh_nonce;
use crate::proof::{Binding, GroupCredentials, Groups, Role, transcript, verify_signed};
use crate::wire::{JoinRefusal, MAC_LEN, Message, NONCE_LEN, read_message, write_message};

/// The libp2p protocol of the password join.
pub const PASSWORD_JOIN_PROTOCOL: StreamProtocol = StreamProtocol::new("/peernet/password-join/1");

/// The domain-separation label that starts the join transcript.
pub const JOIN_LABEL: &[u8] = b"peernet password join v1";

/// How long a member waits before it refuses a wrong password.
pub const WRONG_PASSWORD_DELAY: Duration = Duration::from_millis(500);

/// Password joins in progress at once (read, waiting, or being decided); more are
/// dropped unanswered.
pub const MAX_PENDING_JOINS: usize = 16;

/// How long each message of the join may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// The bytes the member signs and the joiner's MAC covers: [`JOIN_LABEL`] ‖ the
/// membership transcript of `binding` for the responder ([`transcript`], the joiner as
/// initiator) ‖ SHA-256 of the joiner's IDC (DER).
pub fn join_transcript(binding: &Binding<'_>, idc: &[u8]) -> Vec<u8> {
    let mut t = JOIN_LABEL.to_vec();
    t.extend_from_slice(&transcript(binding, Role::Responder));
    t.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, idc).as_ref());
    t
}

/// HMAC-SHA-256 of `join_transcript` keyed by the password's hash string (`verifier`,
/// [MS-PPSEC] 3.3.5.2.5's PasswordHashString).
pub fn password_mac(verifier: &[u8], join_transcript: &[u8]) -> [u8; MAC_LEN] {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, verifier);
    let tag = ring::hmac::sign(&key, join_transcript);
    let mut mac = [0u8; MAC_LEN];
    mac.copy_from_slice(tag.as_ref());
    mac
}

fn refusal_error(refusal: JoinRefusal, reason: String) -> Error {
    match refusal {
        JoinRefusal::WrongPassword => Error::WrongPassword,
        JoinRefusal::NotAuthorized => Error::JoinRefused(reason),
        JoinRefusal::Failed => Error::JoinFailed(reason),
    }
}

async fn step<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(STEP_TIMEOUT, f)
        .await
        .map_err(|_| Error::Timeout)?
}

/// What a joiner brings: the group, the profile its key gives (the group's, if the join
/// is to succeed), its IDC and the hash string of the password it was given.
pub struct JoinerCredentials<'a> {
    /// The group of the password invitation.
    pub group: &'a PeerName,
    /// The profile of the joiner's key.
    pub profile: Profile,
    /// The joiner's identity certificate (DER).
    pub idc: &'a [u8],
    /// The password's hash string.
    pub verifier: &'a [u8],
}

/// The joiner's side on `s`: returns the GMC invitation the member granted.
///
/// # Errors
/// [`Error::WrongPassword`], [`Error::JoinRefused`], [`Error::JoinFailed`] as the
/// member said; the chain errors of [`crate::proof::verify_proof`] when the peer does
/// not prove membership of the group; [`Error::Malformed`], [`Error::StreamClosed`],
/// [`Error::Timeout`].
pub(crate) async fn request<S: futures::AsyncRead + futures::AsyncWrite + Unpin>(
    s: &mut S,
    local: &PeerId,
    remote: &PeerId,
    joiner: &JoinerCredentials<'_>,
) -> Result<String> {
    let nonce_j = fresh_nonce()?;
    let group = joiner.group.as_str();
    step(write_message(
        s,
        &Message::JoinRequest {
            group: group.to_string(),
            idc: joiner.idc.to_vec(),
            nonce: nonce_j,
        },
    ))
    .await?;
    let (nonce_m, proof) = match step(read_message(s)).await? {
        Message::JoinChallenge { nonce, proof } => (nonce, proof),
        Message::JoinRefused { refusal, reason } => return Err(refusal_error(refusal, reason)),
        _ => return Err(Error::Malformed("expected JoinChallenge")),
    };
    let binding = Binding {
        group,
        initiator: local,
        responder: remote,
        initiator_nonce: &nonce_j,
        responder_nonce: &nonce_m,
    };
    let t = join_transcript(&binding, joiner.idc);
    verify_signed(&proof, joiner.group, joiner.profile, &t, SystemTime::now())?;
    let mac = password_mac(joiner.verifier, &t);
    step(write_message(s, &Message::JoinPassword { mac })).await?;
    let answer = step(read_message(s)).await?;
    let _ = s.close().await;
    match answer {
        Message::JoinGranted { invitation } => Ok(invitation),
        Message::JoinRefused { refusal, reason } => Err(refusal_error(refusal, reason)),
        _ => Err(Error::Malformed("expected JoinGranted or JoinRefused")),
    }
}

/// A joiner's request, read and waiting for the member's decision. Dropping it closes
/// the stream (the joiner sees the join fail).
pub struct PasswordJoinRequest {
    stream: libp2p_swarm::Stream,
    local: PeerId,
    remote: PeerId,
    credentials: Arc<GroupCredentials>,
    idc: Vec<u8>,
    nonce_j: [u8; NONCE_LEN],
    nonce_m: [u8; NONCE_LEN],
    authenticated: bool,
    _slot: Slot,
}

/// One of the [`MAX_PENDING_JOINS`] places, given back when the request is gone.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for PasswordJoinRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordJoinRequest")
            .field("remote", &self.remote)
            .field("group", self.credentials.group())
            .field("authenticated", &self.authenticated)
            .finish_non_exhaustive()
    }
}

impl PasswordJoinRequest {
    /// The joiner's node.
    pub fn peer(&self) -> PeerId {
        self.remote
    }

    /// The group the joiner asks for (one this node holds).
    pub fn group(&self) -> &PeerName {
        self.credentials.group()
    }

    /// The joiner's identity certificate (DER), not validated yet.
    pub fn idc(&self) -> &[u8] {
        &self.idc
    }

    fn transcript(&self) -> Vec<u8> {
        let binding = Binding {
            group: self.credentials.group().as_str(),
            initiator: &self.remote,
            responder: &self.local,
            initiator_nonce: &self.nonce_j,
            responder_nonce: &self.nonce_m,
        };
        join_transcript(&binding, &self.idc)
    }

    /// Proves this member to the joiner and checks the joiner's password MAC against
    /// `verifier` (the group password's hash string). A wrong password is refused to the
    /// joiner after [`WRONG_PASSWORD_DELAY`].
    ///
    /// # Errors
    /// [`Error::WrongPassword`]; [`Error::Malformed`], [`Error::StreamClosed`],
    /// [`Error::Timeout`]; [`Error::InvalidCredentials`] when signing fails.
    pub async fn authenticate(&mut self, verifier: &[u8]) -> Result<()> {
        let t = self.transcript();
        let proof = self.credentials.sign_message(&t)?;
        step(write_message(
            &mut self.stream,
            &Message::JoinChallenge {
                nonce: self.nonce_m,
                proof,
            },
        ))
        .await?;
        let mac = match step(read_message(&mut self.stream)).await? {
            Message::JoinPassword { mac } => mac,
            _ => return Err(Error::Malformed("expected JoinPassword")),
        };
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, verifier);
        if ring::hmac::verify(&key, &t, &mac).is_err() {
            tokio::time::sleep(WRONG_PASSWORD_DELAY).await;
            self.send_refusal(JoinRefusal::WrongPassword, "wrong password")
                .await;
            return Err(Error::WrongPassword);
        }
        self.authenticated = true;
        Ok(())
    }

    /// Sends the joiner its GMC (as a GMC invitation).
    ///
    /// # Errors
    /// [`Error::NotAuthenticated`] before [`PasswordJoinRequest::authenticate`] passed;
    /// [`Error::StreamClosed`], [`Error::Timeout`], [`Error::FrameTooLarge`].
    pub async fn grant(mut self, invitation: &str) -> Result<()> {
        if !self.authenticated {
            return Err(Error::NotAuthenticated(self.group().as_str().to_string()));
        }
        step(write_message(
            &mut self.stream,
            &Message::JoinGranted {
                invitation: invitation.to_string(),
            },
        ))
        .await?;
        let _ = self.stream.close().await;
        Ok(())
    }

    /// Refuses the joiner with `refusal` and `reason`.
    pub async fn refuse(mut self, refusal: JoinRefusal, reason: &str) {
        self.send_refusal(refusal, reason).await;
    }

    async fn send_refusal(&mut self, refusal: JoinRefusal, reason: &str) {
        let msg = Message::JoinRefused {
            refusal,
            reason: reason.to_string(),
        };
        let _ = step(write_message(&mut self.stream, &msg)).await;
        let _ = self.stream.close().await;
    }
}

/// The password joins addressed to this node, each already naming a group it holds.
pub struct PasswordJoins(pub(crate) mpsc::Receiver<PasswordJoinRequest>);

impl PasswordJoins {
    /// The next request; `None` once the node stopped.
    pub async fn next(&mut self) -> Option<PasswordJoinRequest> {
        self.0.recv().await
    }
}

/// Reads each inbound join request (bounded in time and number); a request for a group
/// this node does not hold is refused at once.
pub(crate) fn spawn_gate(
    mut incoming: libp2p_stream::IncomingStreams,
    groups: Groups,
    local: PeerId,
) -> PasswordJoins {
    let (tx, rx) = mpsc::channel(MAX_PENDING_JOINS);
    let pending = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Some((remote, mut stream)) = incoming.next().await {
            if tx.is_closed() {
                break;
            }
            if pending.load(Ordering::Relaxed) >= MAX_PENDING_JOINS {
                continue;
            }
            pending.fetch_add(1, Ordering::Relaxed);
            let slot = Slot(pending.clone());
            let (tx, groups) = (tx.clone(), groups.clone());
            tokio::spawn(async move {
                if let Ok(Message::JoinRequest { group, idc, nonce }) =
                    step(read_message(&mut stream)).await
                {
                    let credentials = groups.read().ok().and_then(|g| g.get(&group).cloned());
                    match (credentials, fresh_nonce()) {
                        (Some(credentials), Ok(nonce_m)) => {
                            let req = PasswordJoinRequest {
                                stream,
                                local,
                                remote,
                                credentials,
                                idc,
                                nonce_j: nonce,
                                nonce_m,
                                authenticated: false,
                                _slot: slot,
                            };
                            // Held until the consumer takes it: a full queue waits,
                            // bounded by the count of pending joins.
                            let _ = tokio::time::timeout(STEP_TIMEOUT, tx.send(req)).await;
                        }
                        _ => {
                            let msg = Message::JoinRefused {
                                refusal: JoinRefusal::NotAuthorized,
                                reason: "this node is not a member of the group".into(),
                            };
                            let _ = step(write_message(&mut stream, &msg)).await;
                            let _ = stream.close().await;
                        }
                    }
                }
            });
        }
    });
    PasswordJoins(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_depends_on_the_password_and_every_transcript_field() {
        let (a, b) = (PeerId::random(), PeerId::random());
        let binding = Binding {
            group: "g.chat",
            initiator: &a,
            responder: &b,
            initiator_nonce: &[1; 32],
            responder_nonce: &[2; 32],
        };
        let t = join_transcript(&binding, b"idc");
        assert!(t.starts_with(JOIN_LABEL));
        let mac = password_mac(b"hash", &t);
        assert_ne!(mac, password_mac(b"hasH", &t));
        assert_ne!(
            mac,
            password_mac(b"hash", &join_transcript(&binding, b"idc2"))
        );
        let swapped = Binding {
            initiator: &b,
            responder: &a,
            ..binding
        };
        assert_ne!(
            mac,
            password_mac(b"hash", &join_transcript(&swapped, b"idc"))
        );
        let other_nonce = Binding {
            responder_nonce: &[3; 32],
            ..binding
        };
        assert_ne!(
            mac,
            password_mac(b"hash", &join_transcript(&other_nonce, b"idc"))
        );
    }

    #[test]
    fn the_join_transcript_is_never_a_membership_transcript() {
        let (a, b) = (PeerId::random(), PeerId::random());
        let binding = Binding {
            group: "g.chat",
            initiator: &a,
            responder: &b,
            initiator_nonce: &[1; 32],
            responder_nonce: &[2; 32],
        };
        let t = join_transcript(&binding, b"idc");
        assert_ne!(t, transcript(&binding, Role::Responder));
        assert!(!t.starts_with(crate::proof::TRANSCRIPT_LABEL));
    }
}
