//! Integration tests of peernet-storage, one binary made of modules:
//!
//! - `identities`: identity operations and their errors;
//! - `groups`: group operations, upsert, chains, properties, secrets;
//! - `clouds`: cloud list and the resolution rule;
//! - `secrets`: sealing at rest (raw-file grep), tampering, redaction, file modes;
//! - `migrations`: schema versions, v1 → current upgrade, newer/foreign/garbage databases;
//! - `access`: `NoKeyAccess` paths (wrong key file, directories, an unprivileged child);
//! - `processes`: several threads and processes on one store, SIGKILL crash safety;
//! - `records`: group records, size limits, compare-and-swap, expiry;
//! - `members`: group members;
//! - `changes`: the change log and `ChangeWatcher`, across threads and processes;
//! - `export`: database export / import and its refusals.

mod common;

mod access;
mod changes;
mod clouds;
mod export;
mod groups;
mod identities;
mod members;
mod migrations;
mod processes;
mod records;
mod secrets;
