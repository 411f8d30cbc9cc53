//! Integration tests of peernet-storage, one binary made of modules:
//!
//! - `identities`: identity operations and their errors;
//! - `groups`: group operations, upsert, chains, properties, secrets;
//! - `clouds`: cloud list and the resolution rule;
//! - `secrets`: sealing at rest (raw-file grep), tampering, redaction, file modes;
//! - `migrations`: schema versions, v1 → current upgrade, newer/foreign/garbage databases;
//! - `access`: `NoKeyAccess` paths (wrong key file, directories, an unprivileged child);
//! - `processes`: several threads and processes on one store, SIGKILL crash safety.

mod common;

mod access;
mod clouds;
mod groups;
mod identities;
mod migrations;
mod processes;
mod secrets;
