//! End-to-end tests of the `peernet` binary: every command, every `--passin` form,
//! `--json`, output files and the error lines of bad input.
//!
//! Most identities use the windows profile (2000-iteration PFX) or the test-only
//! `PEERNET_PFX_ITERATIONS` knob so the suite stays fast; one test runs the modern
//! profile's full 600,000 iterations.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

const PW: &str = "export passphrase 1";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `peernet --store <dir>/<store> args…` run in the temporary directory.
    fn cmd(&self, store: &str, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("peernet").unwrap();
        c.current_dir(self.dir.path())
            .env_remove("PEERNET_HOME")
            .env_remove("PEERNET_PFX_ITERATIONS")
            .env("PEERNET_TEST_PW", PW)
            .arg("--store")
            .arg(self.path(store))
            .args(args)
            .write_stdin("");
        c
    }

    fn ok(&self, store: &str, args: &[&str]) -> String {
        let out = self.cmd(store, args).output().unwrap();
        assert_ok(&out, args);
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    fn json(&self, store: &str, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let s = self.ok(store, &full);
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {s}"))
    }

    /// Runs a command that must fail with exit status 1 and `error: NAME` on stderr;
    /// returns stderr.
    fn fails(&self, store: &str, args: &[&str], name: &str) -> String {
        let out = self.cmd(store, args).output().unwrap();
        fails_with(&out, args, name)
    }

    fn windows_identity(&self, store: &str, classifier: &str) -> String {
        self.ok(
            store,
            &[
                "identity",
                "create",
                "--classifier",
                classifier,
                "--friendly-name",
                classifier,
                "--profile",
                "windows",
            ],
        )
    }

    /// `group create --identity ID --classifier C [extra…]` in `store`; the group peer name.
    fn create_group(
        &self,
        store: &str,
        identity: &str,
        classifier: &str,
        extra: &[&str],
    ) -> String {
        let mut args = group_args("create", identity, &["--classifier", classifier]);
        args.extend_from_slice(extra);
        self.ok(store, &args)
    }

    /// `identity info` of `invitee` (in store `b`) to `bob-info.xml`, then `group invite`
    /// of it by `admin` (in store `a`) with `extra` flags to `out`.
    fn invite(&self, admin: &str, group: &str, invitee: &str, extra: &[&str], out: &str) {
        self.ok("b", &["identity", "info", invitee, "-o", "bob-info.xml"]);
        let mut args = group_args("invite", admin, &[group, "--invitee", "bob-info.xml"]);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", out]);
        self.ok("a", &args);
    }
}

/// `group VERB --identity IDENTITY rest…`.
fn group_args<'a>(verb: &'a str, identity: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["group", verb, "--identity", identity];
    args.extend_from_slice(rest);
    args
}

/// `record VERB --identity IDENTITY GROUP rest…`.
fn record_args<'a>(
    verb: &'a str,
    identity: &'a str,
    group: &'a str,
    rest: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec!["record", verb, "--identity", identity, group];
    args.extend_from_slice(rest);
    args
}

/// `identity export IDENTITY --passin PASSIN -o OUT`.
fn export_args<'a>(identity: &'a str, passin: &'a str, out: &'a str) -> [&'a str; 7] {
    [
        "identity", "export", identity, "--passin", passin, "-o", out,
    ]
}

/// `identity import FILE --passin PASSIN`.
fn import_args<'a>(file: &'a str, passin: &'a str) -> [&'a str; 5] {
    ["identity", "import", file, "--passin", passin]
}

fn assert_ok(out: &Output, args: &[&str]) {
    assert!(
        out.status.success(),
        "{args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `c`; it must succeed (`label` names it in the message).
fn run_ok(c: &mut Command, label: &str) -> Output {
    let out = c.output().unwrap();
    assert_ok(&out, &[label]);
    out
}

/// Runs `c`; it must fail as [`fails_with`] checks. Returns stderr.
fn run_fails(c: &mut Command, label: &str, name: &str) -> String {
    fails_with(&c.output().unwrap(), &[label], name)
}

fn fails_with(out: &Output, args: &[&str], name: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: expected exit 1, stderr: {stderr}"
    );
    assert!(
        stderr.starts_with(&format!("error: {name} (0x")),
        "{args:?}: expected 'error: {name}', got: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one error line: {stderr}");
    stderr
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn identity_commands() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    assert!(
        alice.ends_with(".alice") && alice.len() == 40 + 6,
        "{alice}"
    );
    let human = e.ok("a", &["identity", "list"]);
    assert!(
        human.contains("PEER NAME") && human.contains(&alice),
        "{human}"
    );

    let list = e.json("a", &["identity", "list"]);
    let ids = list["identities"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0]["peer_name"], alice.as_str());
    assert_eq!(ids[0]["friendly_name"], "alice");
    assert_eq!(ids[0]["profile"], "windows");
    assert_eq!(ids[0]["default"], false);

    let renamed = e.json("a", &["identity", "rename", &alice, "Alice (work)"]);
    assert_eq!(renamed["friendly_name"], "Alice (work)");
    let show = e.json("a", &["identity", "show", &alice]);
    assert_eq!(show["peer_name"], alice.as_str());
    assert_eq!(show["friendly_name"], "Alice (work)");
    assert_eq!(show["profile"], "windows");
    assert!(show["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(show["groups"].as_array().unwrap().len(), 0);
    assert!(
        e.ok("a", &["identity", "show", &alice])
            .contains("Alice (work)")
    );

    // default: set, then read back.
    assert_eq!(e.ok("a", &["identity", "default", &alice]), alice);
    assert_eq!(
        e.json("a", &["identity", "default"])["peer_name"],
        alice.as_str()
    );
    // A store without identities makes its default on first use.
    let made = e.ok("fresh", &["identity", "default"]);
    assert!(made.ends_with('.'), "{made}");

    let info = e.ok("a", &["identity", "info", &alice]);
    assert!(info.starts_with("<PEERIDENTITYINFO"), "{info}");
    let j = e.json("a", &["identity", "info", &alice]);
    assert_eq!(j["document"], "PEERIDENTITYINFO");
    assert!(j["xml"].as_str().unwrap().contains("<IDC"));

    assert_eq!(
        e.json("a", &["identity", "delete", &alice])["deleted"],
        alice.as_str()
    );
    let err = e.fails("a", &["identity", "show", &alice], "PEER_E_NOT_FOUND");
    assert!(err.contains("0x80070490"), "{err}");
    e.fails("a", &["identity", "delete", &alice], "PEER_E_NOT_FOUND");
}

#[test]
fn peername_command() {
    let e = Env::new();
    let id = "6520c005f63fc1864b7d8f3cabebd4916ae7f33d.Alice";
    assert_eq!(
        e.ok("a", &["peername", id, "Chat"]),
        "6520c005f63fc1864b7d8f3cabebd4916ae7f33d.Chat"
    );
    assert_eq!(e.json("a", &["peername", "0", "x"])["peer_name"], "0.x");
    e.fails("a", &["peername", "not a peer name", "x"], "E_INVALIDARG");
}

#[test]
fn every_passin_form_exports_and_imports() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    std::fs::write(e.path("pwfile"), format!("{PW}\nsecond line ignored\n")).unwrap();
    let pw_file = format!("file:{}", e.path("pwfile").display());
    let pass = format!("pass:{PW}");
    // pass:, env:, file: and stdin.
    for (i, spec) in [
        pass.as_str(),
        "env:PEERNET_TEST_PW",
        pw_file.as_str(),
        "stdin",
    ]
    .iter()
    .enumerate()
    {
        let out_name = format!("alice-{i}.xml");
        let mut c = e.cmd("a", &export_args(&alice, spec, &out_name));
        if *spec == "stdin" {
            c.write_stdin(format!("{PW}\n"));
        }
        assert_ok(&c.output().unwrap(), &[spec]);
        let store = format!("b{i}");
        let mut c = e.cmd(&store, &import_args(&out_name, spec));
        if *spec == "stdin" {
            c.write_stdin(format!("{PW}\n"));
        }
        let out = c.output().unwrap();
        assert_ok(&out, &[spec]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), alice);
    }
    // fd:3, a pipe handed to the child by the shell (read through /dev/fd/3).
    let bin = assert_cmd::cargo::cargo_bin("peernet");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"printf '%s\n' "$PEERNET_TEST_PW" | { "$@" 3<&0 </dev/null; }"#)
        .arg("sh")
        .arg(&bin)
        .arg("--store")
        .arg(e.path("bfd"))
        .args(["identity", "import", "alice-0.xml", "--passin", "fd:3"])
        .current_dir(e.dir.path())
        .env("PEERNET_TEST_PW", PW)
        .env_remove("PEERNET_PFX_ITERATIONS")
        .output()
        .unwrap();
    assert_ok(&out, &["fd:3"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), alice);
    // the document from standard input, the password from the environment.
    let doc = std::fs::read_to_string(e.path("alice-0.xml")).unwrap();
    run_ok(
        e.cmd("bstdin", &import_args("-", "env:PEERNET_TEST_PW"))
            .write_stdin(doc.clone()),
        "import -",
    );
    // both from standard input cannot work.
    run_fails(
        e.cmd("bx", &import_args("-", "stdin")).write_stdin(doc),
        "both stdin",
        "E_INVALIDARG",
    );
}

#[test]
fn password_errors_never_echo_the_password() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    e.ok("a", &export_args(&alice, "pass:right-one", "x.xml"));
    let err = e.fails(
        "b",
        &import_args("x.xml", "pass:hunter2-wrong"),
        "ERROR_INVALID_PASSWORD",
    );
    assert!(
        err.contains("0x80070056") && !err.contains("hunter2"),
        "{err}"
    );
    let err = e.fails("b", &import_args("x.xml", "hunter2"), "E_INVALIDARG");
    assert!(!err.contains("hunter2"), "{err}");
    let err = e.fails(
        "b",
        &import_args("x.xml", "env:PEERNET_SURELY_UNSET_VAR"),
        "E_INVALIDARG",
    );
    assert!(err.contains("PEERNET_SURELY_UNSET_VAR"), "{err}");
    e.fails(
        "b",
        &import_args("x.xml", "file:/nonexistent/pw"),
        "ERROR_FILE_NOT_FOUND",
    );
    // No --passin and no terminal: an error, not a hang.
    let err = e.fails("b", &["identity", "import", "x.xml"], "E_INVALIDARG");
    assert!(err.contains("--passin"), "{err}");
    // An empty export password is refused (the file carries the private key).
    e.fails(
        "a",
        &["identity", "export", &alice, "--passin", "pass:"],
        "E_INVALIDARG",
    );
    // Nothing was imported.
    assert_eq!(
        e.json("b", &["identity", "list"])["identities"],
        serde_json::json!([])
    );
}

#[test]
fn output_files_force_and_modes() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    let export = [
        "identity",
        "export",
        alice.as_str(),
        "--passin",
        "pass:pw",
        "-o",
        "alice.xml",
    ];
    e.ok("a", &export);
    let first = std::fs::read(e.path("alice.xml")).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&e.path("alice.xml")), 0o600);
    let err = e.fails("a", &export, "PEER_E_ALREADY_EXISTS");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(e.path("alice.xml")).unwrap(), first);
    let mut forced = export.to_vec();
    forced.push("--force");
    e.ok("a", &forced);
    assert_ne!(
        std::fs::read(e.path("alice.xml")).unwrap(),
        first,
        "fresh salt"
    );
    #[cfg(unix)]
    assert_eq!(mode(&e.path("alice.xml")), 0o600);
    // public documents are 0644.
    e.ok("a", &["identity", "info", &alice, "-o", "info.xml"]);
    #[cfg(unix)]
    assert_eq!(mode(&e.path("info.xml")), 0o644);
    // --json with -o describes the file.
    let j = e.json("a", &export_args(&alice, "pass:pw", "again.xml"));
    assert_eq!(j["document"], "PEERIDENTITYEXPORT");
    assert_eq!(j["secret"], true);
    assert_eq!(
        j["bytes"].as_u64().unwrap(),
        std::fs::metadata(e.path("again.xml")).unwrap().len()
    );
    // -q: no informational line.
    let out = run_ok(
        &mut e.cmd("a", &["-q", "identity", "info", &alice, "-o", "quiet.xml"]),
        "-q",
    );
    assert!(out.stderr.is_empty() && out.stdout.is_empty());
    // A missing directory is an error, not a panic.
    e.fails(
        "a",
        &["identity", "info", &alice, "-o", "no/such/dir/x.xml"],
        "ERROR_FILE_NOT_FOUND",
    );
}

#[test]
fn group_story_with_json() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    let bob = e.windows_identity("b", "bob");
    let carol = e.windows_identity("a", "carol");
    let created = e.json(
        "a",
        &group_args(
            "create",
            &alice,
            &[
                "--classifier",
                "chat",
                "--friendly-name",
                "Team chat",
                "--password-role",
                "member",
                "--passin",
                "pass:grouppw",
            ],
        ),
    );
    let group = created["group_peer_name"].as_str().unwrap().to_string();
    assert_eq!(created["identity"], alice.as_str());
    assert_eq!(created["cloud"], "Global_");

    e.invite(
        &alice,
        &group,
        &bob,
        &["--role", "inviting", "--role", "member", "--expires", "12h"],
        "bob-invite.xml",
    );
    let parsed = e.json("b", &["group", "parse-invitation", "bob-invite.xml"]);
    assert_eq!(parsed["kind"], "gmc");
    assert_eq!(parsed["version"], "1.1");
    assert_eq!(parsed["group_peer_name"], group.as_str());
    assert_eq!(parsed["group_friendly_name"], "Team chat");
    assert_eq!(parsed["subject_peer_name"], bob.as_str());
    assert_eq!(parsed["roles"], serde_json::json!(["inviting", "member"]));
    assert_eq!(parsed["time_valid"], true);
    assert_eq!(parsed["cloud"]["name"], "Global_");
    assert!(
        e.ok("b", &["group", "parse-invitation", "bob-invite.xml"])
            .contains("subject")
    );

    let joined = e.json("b", &group_args("join", &bob, &["bob-invite.xml"]));
    assert_eq!(joined["outcome"], "joined");
    assert_eq!(joined["membership"], "valid");
    assert_eq!(joined["roles"], serde_json::json!(["inviting", "member"]));
    e.fails(
        "b",
        &group_args("join", &bob, &["bob-invite.xml"]),
        "PEER_E_ALREADY_EXISTS",
    );
    // The invitation is Bob's: Carol cannot use it.
    e.ok("a", &["identity", "info", &carol, "-o", "carol-info.xml"]);
    let inv = std::fs::read(e.path("bob-invite.xml")).unwrap();
    std::fs::write(e.path("copy.xml"), inv).unwrap();
    e.fails(
        "a",
        &group_args("join", &carol, &["copy.xml"]),
        "PEER_E_INVALID_CREDENTIAL",
    );

    // open / show / list
    let opened = e.json("a", &group_args("open", &alice, &[&group]));
    assert_eq!(opened["roles"], serde_json::json!(["admin"]));
    assert_eq!(opened["membership"], "valid");
    assert_eq!(
        opened["authentication"],
        serde_json::json!(["gmc", "password"])
    );
    assert_eq!(opened["password_role"], "member");
    assert_eq!(opened["creator_peer_name"], alice.as_str());
    assert_eq!(opened["cloud"]["name"], "Global_");
    assert_eq!(opened["profile"], "windows");
    let shown = e.json("b", &group_args("show", &bob, &[&group]));
    assert_eq!(shown["chain"].as_array().unwrap().len(), 2);
    assert_eq!(shown["chain"][1]["subject_peer_name"], bob.as_str());
    assert!(
        e.ok("a", &group_args("open", &alice, &[&group]))
            .contains("admin")
    );
    let all = e.json("a", &["group", "list"]);
    assert_eq!(all["groups"][0]["group_peer_name"], group.as_str());
    assert_eq!(all["groups"][0]["identity"], alice.as_str());
    let mine = e.json("b", &group_args("list", &bob, &[]));
    assert_eq!(mine["groups"].as_array().unwrap().len(), 1);
    assert!(e.ok("a", &["group", "list"]).starts_with("GROUP"));

    // Bob (inviting member) issues credentials to Carol; Carol joins with them.
    e.ok(
        "b",
        &group_args(
            "issue",
            &bob,
            &[
                &group,
                "--subject",
                "carol-info.xml",
                "--role",
                "member",
                "--expires",
                "1h",
                "--store-credentials",
                "-o",
                "carol-gmc.xml",
            ],
        ),
    );
    let j = e.json("a", &group_args("join", &carol, &["carol-gmc.xml"]));
    assert_eq!(j["roles"], serde_json::json!(["member"]));
    // A member cannot invite.
    e.fails(
        "a",
        &group_args("invite", &carol, &[&group, "--invitee", "bob-info.xml"]),
        "PEER_E_NOT_AUTHORIZED",
    );

    // Password invitation: a wrong password is refused where the verifier is known.
    let dave = e.windows_identity("a", "dave");
    let pwi = e.json("a", &group_args("password-invite", &alice, &[&group]));
    std::fs::write(e.path("pw-invite.xml"), pwi["xml"].as_str().unwrap()).unwrap();
    assert_eq!(
        e.json("a", &["group", "parse-invitation", "pw-invite.xml"])["kind"],
        "password"
    );
    e.fails(
        "a",
        &group_args("join", &dave, &["pw-invite.xml", "--passin", "pass:nope"]),
        "ERROR_INVALID_PASSWORD",
    );
    let join = || {
        e.json(
            "a",
            &group_args(
                "join",
                &dave,
                &["pw-invite.xml", "--passin", "pass:grouppw"],
            ),
        )
    };
    let j = join();
    assert_eq!(j["outcome"], "joined");
    assert_eq!(j["membership"], "credentials_pending");
    // The same join again.
    let j = join();
    assert_eq!(j["outcome"], "already_member");
    // A pending membership has nothing to export yet.
    e.fails(
        "a",
        &group_args("export-config", &dave, &[&group]),
        "PEER_E_GROUP_NOT_READY",
    );

    // Member configuration: no password needed, not secret.
    e.ok(
        "b",
        &group_args("export-config", &bob, &[&group, "-o", "bob-config.xml"]),
    );
    #[cfg(unix)]
    assert_eq!(mode(&e.path("bob-config.xml")), 0o644);
    // Move Bob to a third computer: identity first, then the configuration.
    e.fails(
        "c",
        &["group", "import-config", "bob-config.xml"],
        "PEER_E_NOT_FOUND",
    );
    e.ok("b", &export_args(&bob, "pass:pw", "bob.xml"));
    e.ok("c", &import_args("bob.xml", "pass:pw"));
    let imp = e.json("c", &["group", "import-config", "bob-config.xml"]);
    assert_eq!(imp["identity"], bob.as_str());
    assert_eq!(imp["group_peer_name"], group.as_str());
    e.fails(
        "c",
        &["group", "import-config", "bob-config.xml"],
        "PEER_E_ALREADY_EXISTS",
    );
    e.ok(
        "c",
        &["group", "import-config", "bob-config.xml", "--overwrite"],
    );
    let opened = e.json("c", &group_args("open", &bob, &[&group]));
    assert_eq!(opened["roles"], serde_json::json!(["inviting", "member"]));

    // Owner configuration: secret (GROUPKEY), 0600, password checked on import.
    e.ok(
        "a",
        &group_args(
            "export-config",
            &alice,
            &[&group, "--passin", "pass:cfgpw", "-o", "owner.xml"],
        ),
    );
    assert!(
        std::fs::read_to_string(e.path("owner.xml"))
            .unwrap()
            .contains("<GROUPKEY")
    );
    #[cfg(unix)]
    assert_eq!(mode(&e.path("owner.xml")), 0o600);
    e.ok("a", &export_args(&alice, "pass:pw", "alice.xml"));
    e.ok("d", &import_args("alice.xml", "pass:pw"));
    e.fails(
        "d",
        &[
            "group",
            "import-config",
            "owner.xml",
            "--passin",
            "pass:bad",
        ],
        "ERROR_INVALID_PASSWORD",
    );
    e.fails(
        "d",
        &["group", "import-config", "owner.xml"],
        "E_INVALIDARG",
    );
    e.ok(
        "d",
        &[
            "group",
            "import-config",
            "owner.xml",
            "--passin",
            "pass:cfgpw",
        ],
    );
    let opened = e.json("d", &group_args("open", &alice, &[&group]));
    assert_eq!(opened["roles"], serde_json::json!(["admin"]));

    // Delete order: groups first, then the identity.
    e.fails("c", &["identity", "delete", &bob], "PEER_E_GROUPS_EXIST");
    let d = e.json("c", &group_args("delete", &bob, &[&group]));
    assert_eq!(d["deleted"], group.as_str());
    e.fails(
        "c",
        &group_args("open", &bob, &[&group]),
        "PEER_E_NOT_FOUND",
    );
    e.ok("c", &["identity", "delete", &bob]);
}

#[test]
fn group_create_errors() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    e.fails(
        "a",
        &group_args(
            "create",
            &alice,
            &["--classifier", "x", "--passin", "pass:p"],
        ),
        "E_INVALIDARG",
    );
    e.fails(
        "a",
        &group_args(
            "create",
            &alice,
            &["--classifier", "x", "--cloud", "Nowhere_"],
        ),
        "PEER_E_NO_CLOUD",
    );
    e.fails(
        "a",
        &group_args(
            "create",
            "0000000000000000000000000000000000000000.nobody",
            &["--classifier", "x"],
        ),
        "PEER_E_NOT_FOUND",
    );
    e.fails(
        "a",
        &group_args(
            "create",
            &alice,
            &["--classifier", "x", "--profile", "modern"],
        ),
        "PEER_E_INVALID_GROUP_PROPERTIES",
    );
}

#[test]
fn clouds_and_ambiguity() {
    let e = Env::new();
    let list = e.json("a", &["cloud", "list"]);
    assert_eq!(list["clouds"][0]["name"], "Global_");
    assert_eq!(list["clouds"][0]["scope"], "global");
    assert!(e.ok("a", &["cloud", "list"]).starts_with("NAME"));
    let a_cloud = "LinkLocal_{AAAAAAAA-0000-0000-0000-000000000001}";
    let added = e.json(
        "a",
        &[
            "cloud",
            "add",
            a_cloud,
            "--scope",
            "linklocal",
            "--scope-id",
            "3",
            "--private",
        ],
    );
    assert_eq!(added["cloud"]["scope"], "linklocal");
    assert_eq!(added["cloud"]["scope_id"], 3);
    assert_eq!(added["cloud"]["private"], true);
    e.fails(
        "a",
        &["cloud", "add", a_cloud, "--scope", "linklocal"],
        "PEER_E_ALREADY_EXISTS",
    );
    e.fails("a", &["cloud", "remove", "Global_"], "E_INVALIDARG");
    e.fails("a", &["cloud", "remove", "Nope_"], "PEER_E_NOT_FOUND");

    let alice = e.windows_identity("a", "alice");
    let bob = e.windows_identity("b", "bob");
    let group = e.create_group("a", &alice, "lan", &["--cloud", a_cloud]);
    e.invite(&alice, &group, &bob, &[], "inv.xml");
    // B has no private link-local cloud: no cloud.
    e.fails(
        "b",
        &group_args("join", &bob, &["inv.xml"]),
        "PEER_E_NO_CLOUD",
    );
    let b1 = "LinkLocal_{BBBBBBBB-0000-0000-0000-000000000001}";
    let b2 = "LinkLocal_{BBBBBBBB-0000-0000-0000-000000000002}";
    for (c, id) in [(b1, "7"), (b2, "9")] {
        e.ok(
            "b",
            &[
                "cloud",
                "add",
                c,
                "--scope",
                "linklocal",
                "--scope-id",
                id,
                "--private",
            ],
        );
    }
    let err = e.fails(
        "b",
        &group_args("join", &bob, &["inv.xml"]),
        "PEER_E_CLOUD_NAME_AMBIGUOUS",
    );
    assert!(err.contains("0x80631005"), "{err}");
    let j = e.json("b", &group_args("join", &bob, &["inv.xml", "--cloud", b2]));
    assert_eq!(j["cloud"], b2);
    let o = e.json("b", &group_args("open", &bob, &[&group]));
    assert_eq!(o["cloud"]["name"], b2);
    assert_eq!(o["cloud"]["private"], true);
    let o = e.json("b", &group_args("open", &bob, &[&group, "--cloud", b1]));
    assert_eq!(o["cloud"]["name"], b1);
    // A caller's name of the private form is private too: two candidates, ambiguous.
    e.fails(
        "b",
        &group_args(
            "open",
            &bob,
            &[
                &group,
                "--cloud",
                "LinkLocal_{99999999-9999-9999-9999-999999999999}",
            ],
        ),
        "PEER_E_CLOUD_NAME_AMBIGUOUS",
    );
    assert_eq!(e.json("b", &["cloud", "remove", b1])["removed"], b1);
}

#[test]
fn bad_input_is_an_error_line_never_a_panic() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    std::fs::write(
        e.path("garbage.xml"),
        "<PEERIDENTITYEXPORT VERSION=\"1.0\"><oops",
    )
    .unwrap();
    std::fs::write(e.path("binary.xml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    std::fs::write(e.path("empty.xml"), "").unwrap();
    e.fails("a", &import_args("garbage.xml", "pass:x"), "E_INVALIDARG");
    e.fails("a", &import_args("binary.xml", "pass:x"), "E_INVALIDARG");
    e.fails("a", &import_args("empty.xml", "pass:x"), "E_INVALIDARG");
    e.fails(
        "a",
        &["group", "parse-invitation", "garbage.xml"],
        "PEER_E_INVITATION_NOT_TRUSTED",
    );
    e.fails(
        "a",
        &group_args("join", &alice, &["garbage.xml"]),
        "PEER_E_INVITATION_NOT_TRUSTED",
    );
    e.fails(
        "a",
        &["group", "import-config", "garbage.xml"],
        "E_INVALIDARG",
    );
    e.fails(
        "a",
        &group_args("invite", &alice, &["0.x", "--invitee", "garbage.xml"]),
        "PEER_E_NOT_FOUND",
    );
    let err = e.fails(
        "a",
        &import_args("missing.xml", "pass:x"),
        "ERROR_FILE_NOT_FOUND",
    );
    assert!(err.contains("missing.xml"), "{err}");
    e.fails(
        "a",
        &["group", "parse-invitation", "missing.xml"],
        "ERROR_FILE_NOT_FOUND",
    );

    // --json errors: one JSON object on stderr.
    let out = e
        .cmd(
            "a",
            &[
                "--json",
                "identity",
                "show",
                "0000000000000000000000000000000000000000.x",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let j: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(j["error"]["name"], "PEER_E_NOT_FOUND");
    assert_eq!(j["error"]["hresult"], "0x80070490");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no identity")
    );
}

#[test]
fn usage_errors_exit_2() {
    let e = Env::new();
    for args in [
        &["identity", "create"][..],
        &["frobnicate"],
        &["record", "list"],
        &group_args("invite", "I", &["G", "--invitee", "x", "--expires", "soon"]),
        &group_args("invite", "I", &["G", "--invitee", "x", "--role", "boss"]),
        &["cloud", "add", "N", "--scope", "moon"],
        &[
            "identity",
            "create",
            "--classifier",
            "x",
            "--profile",
            "vintage",
        ],
    ] {
        let out = e.cmd("a", args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("error:"));
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        if cmd.get_subcommands().next().is_none() {
            out.push(path);
            return;
        }
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut leaves = Vec::new();
    walk(&peernet_cli::command(), Vec::new(), &mut leaves);
    assert_eq!(leaves.len(), 48, "{leaves:?}");
    for leaf in leaves {
        let help = peernet_cli::command()
            .try_get_matches_from(
                std::iter::once("peernet".to_string())
                    .chain(leaf.iter().cloned())
                    .chain(["--help".to_string()]),
            )
            .unwrap_err()
            .to_string();
        assert!(help.contains("Example:"), "{leaf:?} has no example");
        assert!(
            help.contains("--store"),
            "{leaf:?} lacks the global options"
        );
    }
    let out = Env::new()
        .cmd("a", &["group", "join", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn modern_profile_with_full_iterations() {
    let e = Env::new();
    let alice = e.ok("a", &["identity", "create", "--classifier", "alice"]);
    e.ok("a", &export_args(&alice, "pass:pw", "alice.xml"));
    let xml = std::fs::read_to_string(e.path("alice.xml")).unwrap();
    assert!(xml.starts_with("<PEERIDENTITYEXPORT"));
    assert_eq!(e.ok("b", &import_args("alice.xml", "pass:pw")), alice);
    assert_eq!(
        e.json("b", &["identity", "show", &alice])["profile"],
        "modern"
    );
}

#[test]
fn iteration_knob_is_never_silent() {
    let e = Env::new();
    let alice = e.ok("a", &["identity", "create", "--classifier", "alice"]);
    let out = run_ok(
        e.cmd(
            "a",
            &[
                "-q", "identity", "export", &alice, "--passin", "pass:pw", "-o", "a.xml",
            ],
        )
        .env("PEERNET_PFX_ITERATIONS", "1000"),
        "knob",
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("warning: PEERNET_PFX_ITERATIONS=1000"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(e.ok("b", &import_args("a.xml", "pass:pw")), alice);
    run_fails(
        e.cmd("a", &["identity", "list"])
            .env("PEERNET_PFX_ITERATIONS", "lots"),
        "bad knob",
        "E_INVALIDARG",
    );
}

#[test]
fn demo_runs_and_checks_itself() {
    let e = Env::new();
    let out = run_ok(
        e.cmd("unused", &["demo"])
            .env("PEERNET_PFX_ITERATIONS", "2000")
            .env("PEERNET_NODE_EXE", assert_cmd::cargo::cargo_bin("peernet")),
        "demo",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("demo: all 23 steps behaved as expected"),
        "{stdout}"
    );
    assert!(stdout.contains("ERROR_INVALID_PASSWORD"));
    assert!(stdout.contains("PEER_E_CLOUD_NAME_AMBIGUOUS"));
    assert!(!e.path("unused").exists());

    // --json --keep: one object, and the stores and documents stay.
    let out = run_ok(
        e.cmd("unused", &["--json", "demo", "--keep", "kept"])
            .env("PEERNET_PFX_ITERATIONS", "2000"),
        "demo --keep",
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["ok"], true);
    let steps = j["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 23);
    assert!(
        steps.iter().any(|s| s["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("both listening"))),
        "the connected step"
    );
    let crossed: Vec<&str> = steps
        .iter()
        .filter_map(|s| s["crossed"]["document"].as_str())
        .collect();
    assert_eq!(
        crossed,
        [
            "PEERIDENTITYINFO",
            "PEERINVITATION",
            "PEERIDENTITYEXPORT",
            "PEERGROUPCONFIG",
            "PEERINVITATION"
        ]
    );
    for f in [
        "a/store.db",
        "b/store.db",
        "exchange/alice-identity.xml",
        "exchange/bob-invite.xml",
    ] {
        assert!(e.path("kept").join(f).exists(), "{f}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&e.path("kept/exchange/alice-identity.xml")), 0o600);
    // The kept stores work with the command line.
    let ids = e.json("kept/b", &["identity", "list"]);
    assert_eq!(ids["identities"].as_array().unwrap().len(), 2);
    // A used --keep directory is refused.
    run_fails(
        &mut e.cmd("unused", &["demo", "--keep", "kept"]),
        "demo --keep again",
        "PEER_E_ALREADY_EXISTS",
    );
}

const TYPE: &str = "7a7a0001-0001-0002-0102-030405060708";

#[test]
fn record_commands() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    let g = e.create_group("a", &alice, "rec", &[]);
    let attrs =
        r#"<attributes><attribute name="topic" type="string">news</attribute></attributes>"#;
    let added = e.json(
        "a",
        &record_args(
            "add",
            &alice,
            &g,
            &[
                "--type",
                TYPE,
                "--data",
                "hello",
                "--attributes",
                attrs,
                "--expires",
                "2h",
            ],
        ),
    );
    let id = added["id"].as_str().unwrap().to_string();
    assert_eq!(added["type"], format!("{{{TYPE}}}"));
    let got = e.json("a", &record_args("get", &alice, &g, &[&id]));
    assert_eq!(got["data_text"], "hello");
    assert_eq!(got["version"], 1);
    assert_eq!(got["creator"], alice.as_str());
    assert_eq!(got["attributes"], attrs);
    // Update keeps what is not given.
    std::fs::write(e.path("payload.bin"), [0u8, 1, 2, 255]).unwrap();
    let upd = e.json(
        "a",
        &record_args("update", &alice, &g, &[&id, "--data-file", "payload.bin"]),
    );
    assert_eq!(
        (upd["version"].as_u64(), upd["data_hex"].as_str()),
        (Some(2), Some("000102ff"))
    );
    assert_eq!(upd["attributes"], attrs);
    let list = e.json("a", &record_args("list", &alice, &g, &["--type", TYPE]));
    assert_eq!(list["records"].as_array().unwrap().len(), 1);
    let human = e.ok("a", &record_args("list", &alice, &g, &[]));
    assert!(human.starts_with("ID") && human.contains(&id), "{human}");
    std::fs::write(
        e.path("q.xml"),
        r#"<peersearch><clause attrib="topic" type="string">ne?s</clause></peersearch>"#,
    )
    .unwrap();
    let found = e.json("a", &record_args("search", &alice, &g, &["@q.xml"]));
    assert_eq!(found["records"][0]["id"], id.as_str());
    e.fails(
        "a",
        &record_args("search", &alice, &g, &["<peersearch><and/></peersearch>"]),
        "PEER_E_INVALID_SEARCH",
    );
    // Members: the publisher.
    let members = e.json("a", &group_args("members", &alice, &[&g]));
    assert_eq!(members["members"][0]["identity"], alice.as_str());
    assert_eq!(members["members"][0]["roles"][0], "admin");
    // Export, delete, import.
    let exp = e.json("a", &record_args("export", &alice, &g, &["db.pndb"]));
    assert!(exp["bytes"].as_u64().unwrap() > 100);
    e.fails(
        "a",
        &record_args("export", &alice, &g, &["db.pndb"]),
        "PEER_E_ALREADY_EXISTS",
    );
    e.ok("a", &record_args("delete", &alice, &g, &[&id]));
    e.fails(
        "a",
        &record_args("get", &alice, &g, &[&id]),
        "PEER_E_RECORD_NOT_FOUND",
    );
    let imp = e.json("a", &record_args("import", &alice, &g, &["db.pndb"]));
    assert_eq!(imp["records"], 1);
    // Refusals with their HRESULT names.
    e.fails(
        "a",
        &record_args(
            "add",
            &alice,
            &g,
            &["--type", "01000000-0000-0000-0000-000000000000"],
        ),
        "PEER_E_NOT_AUTHORIZED",
    );
    e.fails(
        "a",
        &record_args(
            "add",
            &alice,
            &g,
            &["--type", TYPE, "--attributes", "<attributes>"],
        ),
        "PEER_E_INVALID_ATTRIBUTES",
    );
    e.fails(
        "a",
        &record_args("get", &alice, &g, &["not-a-guid"]),
        "E_INVALIDARG",
    );
    e.fails(
        "a",
        &record_args("update", &alice, &g, &[&id]),
        "E_INVALIDARG",
    );
}

#[test]
fn group_watch_prints_events_as_json_lines() {
    use std::io::{BufRead, BufReader};
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    let g = e.ok("a", &group_args("create", &alice, &["--classifier", "w"]));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("peernet"))
        .env_remove("PEERNET_HOME")
        .arg("--store")
        .arg(e.path("a"))
        .args([
            "group",
            "watch",
            "--identity",
            &alice,
            &g,
            "--count",
            "4",
            "--timeout",
            "60s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    stderr.read_line(&mut banner).unwrap();
    assert!(banner.starts_with("watching group"), "{banner}");
    let id = e.ok(
        "a",
        &record_args("add", &alice, &g, &["--type", TYPE, "--data", "x"]),
    );
    e.ok(
        "a",
        &record_args("update", &alice, &g, &[&id, "--data", "y"]),
    );
    e.ok("a", &record_args("delete", &alice, &g, &[&id]));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<(String, String)> = lines
        .iter()
        .map(|v| {
            (
                v["event"].as_str().unwrap().to_string(),
                v["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("member_changed", "joined"),
            ("record_changed", "added"),
            ("record_changed", "updated"),
            ("record_changed", "deleted"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(lines[1]["record_id"], id.as_str());
    assert!(
        lines
            .windows(2)
            .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64())
    );
    assert!(
        lines
            .iter()
            .all(|v| v["latency_ms"].as_f64().unwrap() < 5000.0)
    );
}

// ---------------------------------------------------------------------------------------
// Documents as Windows programs write them: every command that reads a document takes
// UTF-8 (with or without BOM, CRLF) and UTF-16LE/BE (with or without BOM), and refuses
// other bytes with E_INVALIDARG before parsing.

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn utf16be(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// `xml` the ways Windows programs write it: (label, bytes).
fn windows_encodings(xml: &str) -> Vec<(&'static str, Vec<u8>)> {
    let crlf = xml.replace('\n', "\r\n");
    vec![
        // GroupChat: fputws of the PWSTR in binary mode.
        ("utf16le", utf16le(xml)),
        ("utf16le-bom", [&[0xFF, 0xFE][..], &utf16le(xml)].concat()),
        (
            "utf16le-bom-crlf",
            [&[0xFF, 0xFE][..], &utf16le(&crlf)].concat(),
        ),
        ("utf16be", utf16be(xml)),
        ("utf16be-bom", [&[0xFE, 0xFF][..], &utf16be(xml)].concat()),
        (
            "utf8-bom-crlf",
            [&[0xEF, 0xBB, 0xBF][..], crlf.as_bytes()].concat(),
        ),
        // The whole zeroed WCHAR buffer GroupChat freads into, written out.
        ("utf16le-nul-padded", [utf16le(xml), vec![0; 512]].concat()),
    ]
}

/// Bytes in no encoding a document may be in: (label, bytes).
fn refused_encodings(xml: &str) -> Vec<(&'static str, Vec<u8>)> {
    let utf32le: Vec<u8> = xml.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
    let lone_surrogate = [utf16le("<"), vec![0x00, 0xD8], utf16le(&xml[1..])].concat();
    let latin1 = [b"<".as_slice(), &[0xE9], &xml.as_bytes()[1..]].concat();
    vec![
        ("utf32le-bom", [&[0xFF, 0xFE, 0, 0][..], &utf32le].concat()),
        ("utf32le", utf32le),
        ("utf16le-odd", [utf16le(xml), vec![0x3E]].concat()),
        ("utf16le-lone-surrogate", lone_surrogate),
        ("utf16le-leading-space", utf16le(&format!(" {xml}"))),
        ("latin1", latin1),
    ]
}

impl Env {
    /// Writes each encoding of `xml` to `<stem>-<label>.xml`, runs `args(path)` on
    /// `store` and passes the JSON result to `check`; then checks that each refused
    /// encoding fails with E_INVALIDARG and names the encodings accepted.
    fn each_encoding(
        &self,
        store: &str,
        stem: &str,
        xml: &str,
        args: &dyn Fn(&str) -> Vec<String>,
        check: &dyn Fn(&str, Value),
    ) {
        for (label, bytes) in windows_encodings(xml) {
            let file = format!("{stem}-{label}.xml");
            std::fs::write(self.path(&file), bytes).unwrap();
            let args = args(&file);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            check(label, self.json(store, &args));
        }
        for (label, bytes) in refused_encodings(xml) {
            let file = format!("{stem}-{label}.xml");
            std::fs::write(self.path(&file), bytes).unwrap();
            let args = args(&file);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = self.fails(store, &args, "E_INVALIDARG");
            assert!(
                err.contains("a document must be UTF-8 or UTF-16"),
                "{label}: {err}"
            );
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A group of alice's in store "a", bob's identity in "b", bob's identity information
/// in `bob-info.xml` and an invitation for bob in `bob-invite.xml`.
fn alice_group_and_bob(e: &Env) -> (String, String, String) {
    let alice = e.windows_identity("a", "alice");
    let bob = e.windows_identity("b", "bob");
    let group = e.create_group("a", &alice, "chat", &[]);
    e.invite(&alice, &group, &bob, &[], "bob-invite.xml");
    (alice, bob, group)
}

fn read_text(e: &Env, name: &str) -> String {
    std::fs::read_to_string(e.path(name)).unwrap()
}

#[test]
fn identity_import_reads_windows_encodings() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    e.ok("a", &export_args(&alice, "pass:pw", "alice.xml"));
    let xml = read_text(&e, "alice.xml");
    e.each_encoding(
        "b",
        "alice",
        &xml,
        &|f| strings(&import_args(f, "pass:pw")),
        &|label, j| {
            assert_eq!(j["peer_name"], alice.as_str(), "{label}");
            e.ok("b", &["identity", "delete", &alice]);
        },
    );
}

#[test]
fn import_config_reads_windows_encodings() {
    let e = Env::new();
    let (_, bob, group) = alice_group_and_bob(&e);
    e.ok("b", &group_args("join", &bob, &["bob-invite.xml"]));
    e.ok(
        "b",
        &group_args("export-config", &bob, &[&group, "-o", "bob-config.xml"]),
    );
    let xml = read_text(&e, "bob-config.xml");
    e.each_encoding(
        "b",
        "bob-config",
        &xml,
        &|f| strings(&["group", "import-config", f, "--overwrite"]),
        &|label, j| {
            assert_eq!(j["identity"], bob.as_str(), "{label}");
            assert_eq!(j["group_peer_name"], group.as_str(), "{label}");
        },
    );
}

#[test]
fn join_reads_windows_encodings() {
    let e = Env::new();
    let (_, bob, group) = alice_group_and_bob(&e);
    let xml = read_text(&e, "bob-invite.xml");
    e.each_encoding(
        "b",
        "bob-invite",
        &xml,
        &|f| strings(&group_args("join", &bob, &[f])),
        &|label, j| {
            assert_eq!(j["outcome"], "joined", "{label}");
            assert_eq!(j["group_peer_name"], group.as_str(), "{label}");
            e.ok("b", &group_args("delete", &bob, &[&group]));
        },
    );
}

#[test]
fn parse_invitation_reads_windows_encodings() {
    let e = Env::new();
    let (_, bob, group) = alice_group_and_bob(&e);
    let xml = read_text(&e, "bob-invite.xml");
    let expected = e.json("b", &["group", "parse-invitation", "bob-invite.xml"]);
    assert_eq!(expected["subject_peer_name"], bob.as_str());
    assert_eq!(expected["group_peer_name"], group.as_str());
    e.each_encoding(
        "b",
        "bob-invite",
        &xml,
        &|f| strings(&["group", "parse-invitation", f]),
        &|label, j| assert_eq!(j, expected, "{label}"),
    );
}

/// `group VERB --identity alice G FLAG <bob-info in every encoding>` issues an invitation
/// for bob each time (VERB is `invite` or `issue`).
fn reads_windows_encodings_of_bob_info(verb: &str, flag: &str) {
    let e = Env::new();
    let (alice, bob, group) = alice_group_and_bob(&e);
    let xml = read_text(&e, "bob-info.xml");
    e.each_encoding(
        "a",
        "bob-info",
        &xml,
        &|f| strings(&group_args(verb, &alice, &[&group, flag, f])),
        &|label, j| {
            let inv = j["xml"].as_str().unwrap();
            std::fs::write(e.path("again.xml"), inv).unwrap();
            let parsed = e.json("b", &["group", "parse-invitation", "again.xml"]);
            assert_eq!(parsed["subject_peer_name"], bob.as_str(), "{label}");
        },
    );
}

#[test]
fn invite_reads_windows_encodings_of_the_invitee() {
    reads_windows_encodings_of_bob_info("invite", "--invitee");
}

#[test]
fn issue_reads_windows_encodings_of_the_subject() {
    reads_windows_encodings_of_bob_info("issue", "--subject");
}

#[test]
fn utf16_output_is_what_groupchat_reads() {
    let e = Env::new();
    let (alice, bob, group) = alice_group_and_bob(&e);
    // --utf16 -o FILE: UTF-16LE, no BOM, the UTF-8 document's text exactly.
    let info = e.json(
        "b",
        &["identity", "info", &bob, "--utf16", "-o", "bob-info-16.xml"],
    );
    assert_eq!(info["encoding"], "UTF-16LE");
    let bytes = std::fs::read(e.path("bob-info-16.xml")).unwrap();
    assert_eq!(info["bytes"], bytes.len());
    assert_eq!(bytes, utf16le(&read_text(&e, "bob-info.xml")));
    assert_eq!(&bytes[..2], b"<\0");
    let utf8 = e.json("b", &["identity", "info", &bob, "-o", "bob-info-8.xml"]);
    assert_eq!(utf8["encoding"], "UTF-8");
    // Written with --utf16, read back by every reader.
    e.ok(
        "a",
        &group_args(
            "invite",
            &alice,
            &[
                &group,
                "--invitee",
                "bob-info-16.xml",
                "--utf16",
                "-o",
                "inv-16.xml",
            ],
        ),
    );
    let inv = std::fs::read(e.path("inv-16.xml")).unwrap();
    assert_eq!(&inv[..2], b"<\0");
    let j = e.json("b", &group_args("join", &bob, &["inv-16.xml"]));
    assert_eq!(j["outcome"], "joined");
    // --utf16 to standard output: the bytes, no final newline.
    let out = e
        .cmd("b", &["identity", "info", &bob, "--utf16"])
        .output()
        .unwrap();
    assert_ok(&out, &["identity", "info", "--utf16"]);
    assert_eq!(out.stdout, bytes);
    // With --json the XML stays a JSON string.
    let j = e.json("b", &["identity", "info", &bob, "--utf16"]);
    assert_eq!(
        j["xml"].as_str(),
        Some(read_text(&e, "bob-info.xml").as_str())
    );
}

#[test]
fn record_attributes_and_search_files_read_windows_encodings() {
    let e = Env::new();
    let alice = e.windows_identity("a", "alice");
    let g = e.create_group("a", &alice, "rec", &[]);
    let attrs = "<attributes>\n<attribute name=\"topic\" type=\"string\">n\u{e9}ws</attribute>\n</attributes>";
    let query = "<peersearch><clause attrib=\"topic\" type=\"string\">n?ws</clause></peersearch>";
    let mut ids = Vec::new();
    e.each_encoding(
        "a",
        "attrs",
        attrs,
        &|f| {
            strings(&record_args(
                "add",
                &alice,
                &g,
                &["--type", TYPE, "--attributes-file", f],
            ))
        },
        &|label, j| assert!(j["id"].as_str().is_some(), "{label}"),
    );
    for r in e.json("a", &record_args("list", &alice, &g, &[]))["records"]
        .as_array()
        .unwrap()
    {
        // Stored as the file held it, CRLF included.
        let stored = r["attributes"].as_str().unwrap();
        assert_eq!(stored.replace("\r\n", "\n"), attrs);
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), windows_encodings(attrs).len());
    e.each_encoding(
        "a",
        "query",
        query,
        &|f| {
            let at = format!("@{f}");
            strings(&record_args("search", &alice, &g, &[&at]))
        },
        &|label, j| assert_eq!(j["records"].as_array().unwrap().len(), ids.len(), "{label}"),
    );
}
