//! SQLite store for peernet identities, sealed keys, groups, clouds and records
