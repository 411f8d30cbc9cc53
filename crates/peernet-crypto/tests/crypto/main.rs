//! The integration tests of peernet-crypto, one binary with a module per area
//! (`cert_*`: building and parsing certificates; `chain_*`: the numbered rules, issuance and
//! ordering; `name_*`: peer names; `pkcs_*` and `fixture_bundles`: PKCS#12/#7/#8).
//! docs/CONFORMANCE.md names the rule tests by their module path (`chain_rules::…`).

#[allow(dead_code)]
mod cert_support;

mod cert_fields;
mod cert_fixtures;
mod cert_interop;
mod cert_properties;
mod chain_issuance;
mod chain_order;
mod chain_order_cost;
mod chain_rules;
mod fixture_bundles;
mod name_peer_names;
mod pkcs_fixtures;
mod pkcs_mutations;
mod pkcs_p7_p8;
mod pkcs_pfx;
