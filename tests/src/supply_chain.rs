//! An offline supply-chain check: reads `deny.toml` (the subset of TOML it uses) and
//! `cargo metadata`, and applies the license allow-list, the source policy (crates.io only)
//! and the bans (denied crates; duplicate versions as warnings), as `cargo deny check
//! licenses bans sources` would. No network, no extra tool.

use std::collections::{BTreeMap, BTreeSet};

/// A TOML value of the subset deny.toml uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// A number (kept as text).
    Num(String),
    /// An array.
    Array(Vec<Value>),
    /// An inline table.
    Table(BTreeMap<String, Value>),
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The strings of an array of strings.
    pub fn strings(&self) -> Vec<String> {
        match self {
            Value::Array(v) => v
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// `section.key` → value.
pub type Config = BTreeMap<String, Value>;

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'#' => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn key(&mut self) -> Result<String, String> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || b"-_.".contains(&self.s[self.i]))
        {
            self.i += 1;
        }
        if start == self.i {
            return Err(format!("key expected at byte {}", self.i));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("'{}' expected at byte {}", c as char, self.i))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        match self.s.get(self.i) {
            Some(b'"') => {
                self.i += 1;
                let mut out = Vec::new();
                while let Some(&c) = self.s.get(self.i) {
                    self.i += 1;
                    match c {
                        b'"' => return Ok(Value::Str(String::from_utf8_lossy(&out).into_owned())),
                        b'\\' => {
                            let e = *self.s.get(self.i).ok_or("bad escape")?;
                            self.i += 1;
                            out.push(match e {
                                b'n' => b'\n',
                                b't' => b'\t',
                                other => other,
                            });
                        }
                        _ => out.push(c),
                    }
                }
                Err("unterminated string".into())
            }
            Some(b'[') => {
                self.i += 1;
                let mut v = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Value::Array(v));
                    }
                    v.push(self.value()?);
                    self.ws();
                    if self.s.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut t = BTreeMap::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Value::Table(t));
                    }
                    let k = self.key()?;
                    self.expect(b'=')?;
                    let v = self.value()?;
                    t.insert(k, v);
                    self.ws();
                    if self.s.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len() && !b",]}\n#".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                let t = String::from_utf8_lossy(&self.s[start..self.i])
                    .trim()
                    .to_owned();
                Ok(match t.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Num(t),
                })
            }
            None => Err("value expected".into()),
        }
    }
}

/// Parses the TOML subset: `[section]` headers, `key = value` with strings, booleans,
/// numbers, (multi-line) arrays and inline tables; comments.
///
/// # Errors
/// A description of the first syntax error.
pub fn parse_config(text: &str) -> Result<Config, String> {
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
    };
    let mut section = String::new();
    let mut out = Config::new();
    loop {
        p.ws();
        if p.i >= p.s.len() {
            return Ok(out);
        }
        if p.s[p.i] == b'[' {
            p.i += 1;
            section = p.key()?;
            p.expect(b']')?;
            continue;
        }
        let k = p.key()?;
        p.expect(b'=')?;
        let v = p.value()?;
        out.insert(format!("{section}.{k}"), v);
    }
}

/// Whether an SPDX expression (`AND`, `OR`, `WITH`, parentheses, and the legacy `/` for
/// OR) is satisfied by `allowed` licenses.
pub fn license_ok(expr: &str, allowed: &BTreeSet<String>) -> bool {
    let spaced = expr
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    let toks: Vec<&str> = spaced.split_whitespace().collect();
    let mut i = 0;
    let r = or_expr(&toks, &mut i, allowed);
    r == Some(true) && i == toks.len()
}

fn or_expr(t: &[&str], i: &mut usize, a: &BTreeSet<String>) -> Option<bool> {
    let mut v = and_expr(t, i, a)?;
    while t.get(*i) == Some(&"OR") {
        *i += 1;
        let r = and_expr(t, i, a)?;
        v = v || r;
    }
    Some(v)
}

fn and_expr(t: &[&str], i: &mut usize, a: &BTreeSet<String>) -> Option<bool> {
    let mut v = atom(t, i, a)?;
    while t.get(*i) == Some(&"AND") {
        *i += 1;
        let r = atom(t, i, a)?;
        v = v && r;
    }
    Some(v)
}

fn atom(t: &[&str], i: &mut usize, a: &BTreeSet<String>) -> Option<bool> {
    let tok = *t.get(*i)?;
    *i += 1;
    if tok == "(" {
        let v = or_expr(t, i, a)?;
        (t.get(*i) == Some(&")")).then(|| *i += 1)?;
        return Some(v);
    }
    if t.get(*i) == Some(&"WITH") {
        let exc = *t.get(*i + 1)?;
        *i += 2;
        return Some(a.contains(&format!("{tok} WITH {exc}")));
    }
    Some(a.contains(tok))
}

/// The outcome of [`check`].
#[derive(Debug, Default)]
pub struct Report {
    /// Violations (the check fails when not empty).
    pub errors: Vec<String>,
    /// Warnings (duplicates).
    pub warnings: Vec<String>,
    /// Packages checked.
    pub packages: usize,
    /// Advisories ignored, with their reasons.
    pub ignored_advisories: Vec<(String, String)>,
}

const CRATES_IO: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// Applies `deny.toml` to `cargo metadata --format-version 1` output.
///
/// # Errors
/// When either input cannot be parsed.
pub fn check(deny_toml: &str, metadata_json: &str) -> Result<Report, String> {
    let cfg = parse_config(deny_toml)?;
    let meta: serde_json::Value = serde_json::from_str(metadata_json).map_err(|e| e.to_string())?;
    let allowed: BTreeSet<String> = cfg
        .get("licenses.allow")
        .map(Value::strings)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mut exceptions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if let Some(Value::Array(v)) = cfg.get("licenses.exceptions") {
        for e in v {
            if let Value::Table(t) = e {
                let krate = t.get("crate").and_then(Value::as_str).unwrap_or_default();
                let allow = t.get("allow").map(Value::strings).unwrap_or_default();
                exceptions
                    .entry(krate.to_owned())
                    .or_default()
                    .extend(allow);
            }
        }
    }
    // Denied crate → the crates allowed to depend on it directly (cargo-deny `wrappers`).
    let mut denied: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if let Some(Value::Array(v)) = cfg.get("bans.deny") {
        for e in v {
            match e {
                Value::Table(t) => {
                    if let Some(name) = t.get("crate").and_then(Value::as_str) {
                        let wrappers = t.get("wrappers").map(Value::strings).unwrap_or_default();
                        denied.entry(name.to_owned()).or_default().extend(wrappers);
                    }
                }
                Value::Str(s) => {
                    denied.entry(s.clone()).or_default();
                }
                _ => {}
            }
        }
    }
    let mut report = Report::default();
    if let Some(Value::Array(v)) = cfg.get("advisories.ignore") {
        for e in v {
            let Value::Table(t) = e else {
                report
                    .errors
                    .push("advisories.ignore entries need an id and a reason".into());
                continue;
            };
            let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
            let reason = t.get("reason").and_then(Value::as_str).unwrap_or_default();
            if id.is_empty() || reason.len() < 20 {
                report
                    .errors
                    .push(format!("advisory ignore '{id}' lacks a reason"));
            }
            report
                .ignored_advisories
                .push((id.to_owned(), reason.to_owned()));
        }
    }
    let packages = meta["packages"].as_array().ok_or("no packages")?;
    let mut versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in packages {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        let version = p["version"].as_str().unwrap_or_default().to_owned();
        report.packages += 1;
        versions
            .entry(name.clone())
            .or_default()
            .insert(version.clone());
        let mut ok_here = allowed.clone();
        if let Some(extra) = exceptions.get(&name) {
            ok_here.extend(extra.iter().cloned());
        }
        match p["license"].as_str() {
            Some(l) if license_ok(l, &ok_here) => {}
            Some(l) => report
                .errors
                .push(format!("license: {name} {version} is '{l}', not allowed")),
            None => report.errors.push(format!(
                "license: {name} {version} declares no SPDX license (clarify it in deny.toml)"
            )),
        }
        match p["source"].as_str() {
            None => {}
            Some(s) if CRATES_IO.contains(&s) => {}
            Some(s) => report
                .errors
                .push(format!("source: {name} {version} comes from {s}")),
        }
    }
    // Bans: every edge of the resolved graph that reaches a denied crate must come from
    // one of its wrappers.
    let names: BTreeMap<&str, &str> = packages
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    if let Some(nodes) = meta["resolve"]["nodes"].as_array() {
        for node in nodes {
            let from = node["id"]
                .as_str()
                .and_then(|id| names.get(id))
                .copied()
                .unwrap_or("?");
            for dep in node["deps"].as_array().into_iter().flatten() {
                let Some(to) = dep["pkg"].as_str().and_then(|id| names.get(id)).copied() else {
                    continue;
                };
                if denied.get(to).is_some_and(|w| !w.contains(from)) {
                    report
                        .errors
                        .push(format!("bans: {to} is denied (a dependency of {from})"));
                }
            }
        }
    } else {
        for p in packages {
            let name = p["name"].as_str().unwrap_or_default();
            if denied.contains_key(name) {
                report.errors.push(format!("bans: {name} is denied"));
            }
        }
    }
    // Wildcards (`bans.wildcards = "deny"`): a dependency of any kind whose requirement is
    // `*` — in cargo metadata, also a path dependency written without a version (cargo-deny
    // 0.20 reports path dev-dependencies too).
    if cfg.get("bans.wildcards").and_then(Value::as_str) == Some("deny") {
        for p in packages {
            let name = p["name"].as_str().unwrap_or_default();
            for d in p["dependencies"].as_array().into_iter().flatten() {
                if d["req"].as_str() == Some("*") {
                    report.errors.push(format!(
                        "bans: {name} has a wildcard dependency on {} (give it a version)",
                        d["name"].as_str().unwrap_or("?")
                    ));
                }
            }
        }
    }
    for (name, v) in versions {
        if v.len() > 1 {
            report.warnings.push(format!(
                "bans: {name} in {} versions: {}",
                v.len(),
                v.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_expressions() {
        let a: BTreeSet<String> = ["MIT", "Apache-2.0", "ISC", "Apache-2.0 WITH LLVM-exception"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(license_ok("MIT OR Apache-2.0", &a));
        assert!(license_ok("MIT/Apache-2.0", &a));
        assert!(license_ok("Apache-2.0 AND ISC", &a));
        assert!(license_ok("(MIT OR GPL-3.0) AND ISC", &a));
        assert!(license_ok("Apache-2.0 WITH LLVM-exception OR GPL-2.0", &a));
        assert!(!license_ok("GPL-3.0", &a));
        assert!(!license_ok("MIT AND GPL-3.0", &a));
        assert!(!license_ok("MPL-2.0 WITH LLVM-exception", &a));
        assert!(!license_ok("(MIT", &a));
    }

    #[test]
    fn config_subset() {
        let c = parse_config(
            "# c\n[a]\nx = [\"1\", # c\n \"2\",]\ny = { id = \"k\", allow = [\"z\"] }\nz = true\n",
        )
        .unwrap();
        assert_eq!(c["a.x"].strings(), vec!["1", "2"]);
        assert_eq!(c["a.z"], Value::Bool(true));
        assert!(matches!(&c["a.y"], Value::Table(t) if t["allow"].strings() == vec!["z"]));
    }

    #[test]
    fn wildcard_dependencies_are_refused() {
        let deny = "[licenses]\nallow = [\"MIT\"]\n[bans]\nwildcards = \"deny\"\n";
        let meta = |req: &str, kind: &str| {
            format!(
                r#"{{"packages":[{{"id":"x","name":"xtask","version":"0.1.0","license":"MIT","source":null,
                "dependencies":[{{"name":"peernet-cli","req":"{req}","kind":{kind}}}]}}]}}"#
            )
        };
        assert!(
            check(deny, &meta("^0.1.0", "null"))
                .unwrap()
                .errors
                .is_empty()
        );
        assert_eq!(check(deny, &meta("*", "\"dev\"")).unwrap().errors.len(), 1);
        assert_eq!(
            check(deny, &meta("*", "null")).unwrap().errors,
            vec![
                "bans: xtask has a wildcard dependency on peernet-cli (give it a version)"
                    .to_string()
            ]
        );
    }

    #[test]
    fn denied_crates_only_through_their_wrappers() {
        let deny = "[licenses]\nallow = [\"MIT\"]\n[bans]\ndeny = [ { crate = \"openssl\", wrappers = [\"bench\"] } ]\n";
        let meta = |from: &str| {
            format!(
                r#"{{"packages":[
                {{"id":"a","name":"{from}","version":"1.0.0","license":"MIT","source":null}},
                {{"id":"o","name":"openssl","version":"0.10.0","license":"MIT","source":null}}],
                "resolve":{{"nodes":[{{"id":"a","deps":[{{"pkg":"o"}}]}},{{"id":"o","deps":[]}}]}}}}"#
            )
        };
        let ok = check(deny, &meta("bench")).unwrap();
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
        let bad = check(deny, &meta("peernet")).unwrap();
        assert_eq!(
            bad.errors,
            vec!["bans: openssl is denied (a dependency of peernet)".to_string()]
        );
    }
}
