//! Windows Peer-to-Peer XML wire formats (PEERIDENTITYEXPORT, PEERGROUPCONFIG, PEERINVITATION, ...): strict reader, deterministic writer
