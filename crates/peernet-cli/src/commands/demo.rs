//! `peernet demo`: the whole story on two temporary stores standing for two computers,
//! A and B, with the documents that cross between them written to an `exchange/`
//! directory. Every step checks its own outcome; the demo exits 0 only when every step
//! (including the two refusals it provokes) behaved as expected.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use peernet::hresult as hr;
use peernet::{Cloud, CloudScope, GroupProperties, HResult, Peernet, Role};
use serde_json::{Value, json};

use crate::ctx::{Ctx, Report};
use crate::error::CliError;
use crate::output::write_output;
use crate::render::role_names;

const PASSWORD: &str = "correct horse battery staple";
const WRONG_PASSWORD: &str = "Tr0ub4dor&3";
const A_CLOUD: &str = "LinkLocal_{0A0A0A0A-1111-4A4A-8A8A-A0A0A0A0A0A0}";
const B_CLOUD_1: &str = "LinkLocal_{0B0B0B0B-2222-4B4B-8B8B-B0B0B0B0B0B1}";
const B_CLOUD_2: &str = "LinkLocal_{0B0B0B0B-3333-4B4B-8B8B-B0B0B0B0B0B2}";

struct Story<'a> {
    ctx: &'a Ctx,
    dir: PathBuf,
    steps: Vec<Value>,
    start: Instant,
}

fn failed(step: usize, what: impl std::fmt::Display) -> CliError {
    CliError::new(
        hr::E_FAIL,
        format!("demo step {step} did not behave as expected: {what}"),
    )
}

impl Story<'_> {
    fn print(&self, text: &str) {
        if !self.ctx.json && !self.ctx.quiet {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }

    /// Records and prints a step that succeeded with `result`.
    fn step(&mut self, side: &str, title: &str, command: &str, result: &str) -> usize {
        let n = self.steps.len() + 1;
        self.print(&format!(
            "\n[{n:>2}] {side}  {title}\n     $ {command}\n     -> {result}"
        ));
        self.steps.push(json!({
            "step": n, "side": side, "title": title, "command": command,
            "result": result, "expected_error": Value::Null, "crossed": Value::Null,
            "elapsed_ms": self.start.elapsed().as_millis() as u64,
        }));
        n
    }

    /// A step that must fail with `code`.
    fn refused<T>(
        &mut self,
        side: &str,
        title: &str,
        command: &str,
        res: Result<T, peernet::Error>,
        code: HResult,
    ) -> Result<(), CliError> {
        let n = self.steps.len() + 1;
        match res {
            Err(e) if e.hresult() == code => {
                self.print(&format!(
                    "\n[{n:>2}] {side}  {title}\n     $ {command}\n     -> refused as expected: error: {e}"
                ));
                self.steps.push(json!({
                    "step": n, "side": side, "title": title, "command": command,
                    "result": "refused",
                    "expected_error": {"name": code.name(), "hresult": format!("0x{:08X}", code.0), "message": e.message()},
                    "crossed": Value::Null,
                    "elapsed_ms": self.start.elapsed().as_millis() as u64,
                }));
                Ok(())
            }
            Err(e) => Err(failed(n, format!("expected {code}, got {e}"))),
            Ok(_) => Err(failed(n, format!("expected {code}, but it succeeded"))),
        }
    }

    /// Writes a document that crosses from `from` to `to` and notes it on the last step.
    fn cross(
        &mut self,
        from: &str,
        to: &str,
        kind: &str,
        name: &str,
        xml: &str,
        secret: bool,
    ) -> Result<PathBuf, CliError> {
        let path = self.dir.join("exchange").join(name);
        write_output(Some(&path), xml.as_bytes(), secret, false)?;
        let first = xml.lines().next().unwrap_or_default();
        let first_line = if first.chars().count() > 72 {
            format!("{}…", first.chars().take(72).collect::<String>())
        } else {
            first.to_string()
        };
        self.print(&format!(
            "     => {from} -> {to}: {kind} exchange/{name} ({} bytes{}): {first_line}",
            xml.len(),
            if secret { ", mode 0600" } else { "" }
        ));
        if let Some(last) = self.steps.last_mut() {
            last["crossed"] = json!({
                "from": from, "to": to, "document": kind, "file": format!("exchange/{name}"),
                "bytes": xml.len(), "first_line": first, "secret": secret,
            });
        }
        Ok(path)
    }
}

fn short(name: &str) -> String {
    match name.split_once('.') {
        Some((auth, cl)) if auth.len() > 12 => format!("{}….{cl}", &auth[..8]),
        _ => name.to_string(),
    }
}

/// Runs the demo in a temporary directory, or in `keep` (kept afterwards).
pub fn run(ctx: &Ctx, keep: Option<&Path>) -> Result<Report, CliError> {
    let tmp;
    let dir = match keep {
        Some(k) => {
            for sub in ["a", "b", "exchange"] {
                if k.join(sub).exists() {
                    return Err(CliError::new(
                        hr::PEER_E_ALREADY_EXISTS,
                        format!(
                            "{} already exists; give --keep an empty or new directory",
                            k.join(sub).display()
                        ),
                    ));
                }
            }
            std::fs::create_dir_all(k.join("exchange"))
                .map_err(|e| CliError::io(&format!("'{}'", k.display()), &e))?;
            k.to_path_buf()
        }
        None => {
            tmp = tempfile::Builder::new()
                .prefix("peernet-demo-")
                .tempdir()
                .map_err(|e| CliError::io("a temporary directory", &e))?;
            std::fs::create_dir(tmp.path().join("exchange"))
                .map_err(|e| CliError::io("a temporary directory", &e))?;
            tmp.path().to_path_buf()
        }
    };
    // Same-machine discovery of the demo's two nodes stays inside its directory.
    let options = ctx.options()?.with_runtime_dir(dir.join("runtime"));
    let a = Peernet::open_with(dir.join("a"), options.clone())?;
    let b = Peernet::open_with(dir.join("b"), options)?;
    let _nodes = StopNodes([&a, &b]);
    let mut s = Story {
        ctx,
        dir: dir.clone(),
        steps: Vec::new(),
        start: Instant::now(),
    };
    s.print(&format!(
        "peernet demo: two stores stand for two computers, A ({0}/a) and B ({0}/b);\n\
         documents that cross between them go to {0}/exchange. Passwords come from\n\
         $DEMO_PW (\"{PASSWORD}\") and, once, a wrong one from $WRONG_PW.",
        dir.display()
    ));
    story(&mut s, &a, &b)?;
    let elapsed = s.start.elapsed();
    let n = s.steps.len();
    let summary = format!(
        "\ndemo: all {n} steps behaved as expected in {:.1} s{}",
        elapsed.as_secs_f64(),
        match keep {
            Some(k) => format!("; stores and exchanged files kept in {}", k.display()),
            None => "; temporary stores removed".to_string(),
        }
    );
    let json = json!({
        "ok": true,
        "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        "kept": keep,
        "steps": s.steps,
    });
    Ok(Report::new(json, summary.trim_start().to_string()))
}

/// Stops the demo stores' nodes however the demo ends.
struct StopNodes<'a>([&'a Peernet; 2]);

impl Drop for StopNodes<'_> {
    fn drop(&mut self) {
        for pn in self.0 {
            let _ = peernet::node::stop_node(pn);
        }
    }
}

/// The connected part: both stores' nodes on loopback, found by same-machine discovery.
fn connect_step(
    s: &mut Story<'_>,
    a: &Peernet,
    alice: &str,
    group: &str,
    joined: &peernet::Group,
) -> Result<(), CliError> {
    use peernet::flags::{PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING};
    let both = PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS;
    let loopback = ["127.0.0.1:0".parse().expect("a socket address")];
    a.set_node_listen(Some(&loopback))?;
    joined.peernet().set_node_listen(Some(&loopback))?;
    let ga = a.group_open(alice, group, None)?;
    // A record Alice publishes before the stores ever meet: the sync brings it to B.
    let chat: peernet::Guid = "{4d5b2f11-6522-433b-84ef-a298e60757b0}"
        .parse()
        .expect("a GUID");
    let expires = std::time::SystemTime::now() + Duration::from_secs(120);
    let rid =
        ga.add_record(&peernet::Record::new(chat, expires).with_data(b"hello from A".to_vec()))?;
    // Alice listens for whispers (GroupChat's DIRECT_CONNECTION + INCOMING_DATA) before
    // she connects: a member's direct connection is refused otherwise.
    let whispers = ga.register_event(&[
        peernet::EventRegistration::new(peernet::event::PEER_GROUP_EVENT_DIRECT_CONNECTION),
        peernet::EventRegistration::new(peernet::event::PEER_GROUP_EVENT_INCOMING_DATA),
    ])?;
    ga.connect_persistent(&[])?;
    joined.connect_persistent(&[])?;
    let wait = Duration::from_secs(20);
    let (fb, fa) = (
        joined.wait_for_status(both, wait)?,
        ga.wait_for_status(both, wait)?,
    );
    let seen = joined.enum_connections()?;
    let n = s.step(
        "A+B",
        "The group connects: each store's node proves its member's GMC to the other",
        "peernet --store a group connect --identity \"$ALICE\" \"$GROUP\"; peernet --store b group connect --identity \"$BOB\" \"$GROUP\"",
        &format!(
            "both listening with a connection; Bob's neighbor is {}",
            seen.first().map_or("nobody".to_string(), |c| short(&c.member))
        ),
    );
    if fa & both != both
        || fb & both != both
        || seen.first().map(|c| c.member.as_str()) != Some(alice)
    {
        return Err(failed(
            n,
            format!("status A {fa:#x}, B {fb:#x}, connections {seen:?}"),
        ));
    }
    // Bob listens once his first synchronization is done: Alice's record is there.
    let got = joined.get_record(&rid);
    let n = s.step(
        "B",
        "Alice's record, published before they met, is in Bob's store: signed by her, verified by him",
        "peernet --store b record list --identity \"$BOB\" \"$GROUP\"",
        &match &got {
            Ok(r) => format!(
                "\"{}\" by {}",
                String::from_utf8_lossy(&r.data),
                short(&r.creator_id)
            ),
            Err(e) => e.to_string(),
        },
    );
    match got {
        Ok(r) if r.data == b"hello from A" && r.creator_id == alice => {}
        other => return Err(failed(n, format!("Bob's copy: {other:?}"))),
    }
    // Bob whispers to Alice over a direct connection (GroupChat's whisper type).
    let whisper: peernet::Guid = "{4d5b2f11-6522-433b-84ef-a298e607bbbb}"
        .parse()
        .expect("a GUID");
    let id = joined.open_direct_connection(alice, None)?;
    joined.send_data(id, &whisper, b"psst, Alice")?;
    let deadline = std::time::Instant::now() + wait;
    let mut heard = None;
    while heard.is_none() && std::time::Instant::now() < deadline {
        if let Some(e) = whispers.next_event(Duration::from_millis(100))
            && let peernet::GroupEvent::IncomingData {
                data, data_type, ..
            } = e.event
            && data_type == whisper
        {
            heard = Some(data);
        }
    }
    joined.close_direct_connection(id)?;
    let n = s.step(
        "B",
        "Bob whispers to Alice over a direct connection; only a member can open one",
        "peernet --store b group direct send --identity \"$BOB\" \"$GROUP\" --to \"$ALICE\" \"psst, Alice\"",
        &heard.as_ref().map_or("nothing arrived".to_string(), |d| {
            format!("Alice received \"{}\"", String::from_utf8_lossy(d))
        }),
    );
    if heard.as_deref() != Some(b"psst, Alice".as_slice()) {
        return Err(failed(n, format!("Alice heard {heard:?}")));
    }
    drop(whispers);
    ga.disconnect_persistent()?;
    joined.disconnect_persistent()?;
    Ok(())
}

fn story(s: &mut Story<'_>, a: &Peernet, b: &Peernet) -> Result<(), CliError> {
    // 1-2: an identity on each computer.
    let alice = a.identity_create(Some("alice"), Some("Alice"), None)?;
    s.step(
        "A",
        "Alice makes an identity on computer A (modern profile: ECDSA P-256)",
        "ALICE=$(peernet --store a identity create --classifier alice --friendly-name Alice)",
        &alice,
    );
    let bob = b.identity_create(Some("bob"), Some("Bob"), None)?;
    s.step(
        "B",
        "Bob makes an identity on computer B",
        "BOB=$(peernet --store b identity create --classifier bob --friendly-name Bob)",
        &bob,
    );

    // 3: a group on A.
    let group = a.group_create(&GroupProperties::new("chat", "Team chat").with_creator(&alice))?;
    let gpn = group.peer_name().to_string();
    s.step(
        "A",
        "Alice creates the group \"Team chat\" (she owns it: admin, holds the group key)",
        "GROUP=$(peernet --store a group create --identity \"$ALICE\" --classifier chat --friendly-name \"Team chat\")",
        &gpn,
    );

    // 4-7: invitation.
    let bob_info = b.identity_get_xml(Some(&bob))?;
    s.step(
        "B",
        "Bob sends Alice his public identity (PEERIDENTITYINFO: his certificate, no key)",
        "peernet --store b identity info \"$BOB\" -o exchange/bob-info.xml",
        "written",
    );
    s.cross(
        "B",
        "A",
        "PEERIDENTITYINFO",
        "bob-info.xml",
        &bob_info,
        false,
    )?;
    let invitation = group.create_invitation(
        &bob_info,
        Some(a.now() + Duration::from_secs(30 * 86_400)),
        &[Role::MEMBER],
    )?;
    s.step(
        "A",
        "Alice invites Bob as a member for 30 days (a GMC chain signed by the group key)",
        "peernet --store a group invite --identity \"$ALICE\" \"$GROUP\" --invitee exchange/bob-info.xml --role member --expires 30d -o exchange/bob-invite.xml",
        "written",
    );
    s.cross(
        "A",
        "B",
        "PEERINVITATION",
        "bob-invite.xml",
        &invitation,
        false,
    )?;
    let info = b.group_parse_invitation(&invitation)?;
    let n = s.step(
        "B",
        "Bob reads the invitation before joining",
        "peernet --store b group parse-invitation exchange/bob-invite.xml",
        &format!(
            "group \"{}\", for {}, roles {}, valid until {}",
            info.group_friendly_name,
            info.subject_friendly_name.clone().unwrap_or_default(),
            role_names(&info.roles).join(", "),
            info.validity_end
                .map(crate::render::rfc3339)
                .unwrap_or_default()
        ),
    );
    if info.subject_peer_name.as_deref() != Some(bob.as_str()) || info.group_peer_name != gpn {
        return Err(failed(n, "the invitation does not name Bob and the group"));
    }
    let joined = b.group_join(Some(&bob), &invitation, None)?;
    let n = s.step(
        "B",
        "Bob joins",
        "peernet --store b group join --identity \"$BOB\" exchange/bob-invite.xml",
        &format!(
            "joined as {} with roles {}",
            short(joined.identity()),
            role_names(&joined.roles()).join(", ")
        ),
    );
    if joined.roles() != vec![Role::MEMBER] {
        return Err(failed(n, "Bob is not a plain member"));
    }
    connect_step(s, a, &alice, &gpn, &joined)?;

    // 8-10: move Alice's identity to B.
    let alice_export =
        crate::progress::with_spinner(s.ctx.spinner_visible(), "protecting the PFX", || {
            a.identity_export(&alice, &PASSWORD.into())
        })?;
    s.step(
        "A",
        "Alice exports her identity with its private key (PFX under a password)",
        "peernet --store a identity export \"$ALICE\" --passin env:DEMO_PW -o exchange/alice-identity.xml",
        "written",
    );
    s.cross(
        "A",
        "B",
        "PEERIDENTITYEXPORT",
        "alice-identity.xml",
        &alice_export,
        true,
    )?;
    let wrong = b.identity_import(&alice_export, &WRONG_PASSWORD.into());
    s.refused(
        "B",
        "Importing it with a wrong password is refused",
        "peernet --store b identity import exchange/alice-identity.xml --passin env:WRONG_PW",
        wrong,
        hr::ERROR_INVALID_PASSWORD,
    )?;
    let imported = b.identity_import(&alice_export, &PASSWORD.into())?;
    let n = s.step(
        "B",
        "With the right password Alice's identity arrives on B with the same peer name",
        "peernet --store b identity import exchange/alice-identity.xml --passin env:DEMO_PW",
        &imported,
    );
    if imported != alice {
        return Err(failed(n, "the imported peer name differs"));
    }

    // 11-12: move the group configuration (identity, then config, then open).
    let config =
        crate::progress::with_spinner(s.ctx.spinner_visible(), "protecting the group key", || {
            group.export_config(&PASSWORD.into())
        })?;
    let n = s.step(
        "A",
        "Alice exports her configuration of the group; as owner it carries the group key",
        "peernet --store a group export-config --identity \"$ALICE\" \"$GROUP\" --passin env:DEMO_PW -o exchange/alice-chat-config.xml",
        "written",
    );
    if !config.contains("<GROUPKEY") {
        return Err(failed(n, "an owner's configuration lacks GROUPKEY"));
    }
    s.cross(
        "A",
        "B",
        "PEERGROUPCONFIG",
        "alice-chat-config.xml",
        &config,
        true,
    )?;
    let ic = b.group_import_config(&config, &PASSWORD.into(), false)?;
    let n = s.step(
        "B",
        "B imports it (the identity had to come first)",
        "peernet --store b group import-config exchange/alice-chat-config.xml --passin env:DEMO_PW",
        &format!("{} in {}", short(&ic.identity), short(&ic.group_peer_name)),
    );
    if ic.identity != alice || ic.group_peer_name != gpn {
        return Err(failed(
            n,
            "the configuration names another identity or group",
        ));
    }

    // 13-15: open on both sides.
    for (side, store, who, pn, var, expect) in [
        ("A", "a", &alice, a, "ALICE", Role::ADMIN),
        ("B", "b", &alice, b, "ALICE", Role::ADMIN),
        ("B", "b", &bob, b, "BOB", Role::MEMBER),
    ] {
        let g = pn.group_open(who, &gpn, None)?;
        let n = s.step(
            side,
            &format!(
                "{} opens the group on {side}",
                if var == "ALICE" { "Alice" } else { "Bob" }
            ),
            &format!("peernet --store {store} group open --identity \"${var}\" \"$GROUP\""),
            &format!(
                "roles {}, membership {}, cloud {}",
                role_names(&g.roles()).join(", "),
                crate::render::membership_name(g.membership()),
                g.cloud().name
            ),
        );
        if g.roles() != vec![expect] {
            return Err(failed(n, "unexpected roles"));
        }
    }

    // 16-20: private cloud names differ between machines.
    a.add_cloud(&Cloud {
        name: A_CLOUD.into(),
        scope: CloudScope::LinkLocal,
        scope_id: 4,
        private: true,
    })?;
    s.step(
        "A",
        "A knows one private link-local cloud (its name is meaningful only on A)",
        &format!(
            "peernet --store a cloud add '{A_CLOUD}' --scope linklocal --scope-id 4 --private"
        ),
        "added",
    );
    let lan = a.group_create(
        &GroupProperties::new("lan", "LAN party")
            .with_creator(&alice)
            .with_cloud(A_CLOUD),
    )?;
    let lan_invite = lan.create_invitation(&bob_info, None, &[Role::MEMBER])?;
    s.step(
        "A",
        "Alice creates a group in that cloud and invites Bob",
        &format!(
            "LAN=$(peernet --store a group create --identity \"$ALICE\" --classifier lan --friendly-name \"LAN party\" --cloud '{A_CLOUD}'); peernet --store a group invite --identity \"$ALICE\" \"$LAN\" --invitee exchange/bob-info.xml -o exchange/bob-lan-invite.xml"
        ),
        lan.peer_name(),
    );
    s.cross(
        "A",
        "B",
        "PEERINVITATION",
        "bob-lan-invite.xml",
        &lan_invite,
        false,
    )?;
    for (name, id) in [(B_CLOUD_1, 7), (B_CLOUD_2, 9)] {
        b.add_cloud(&Cloud {
            name: name.into(),
            scope: CloudScope::LinkLocal,
            scope_id: id,
            private: true,
        })?;
    }
    s.step(
        "B",
        "B has two network adapters: two private link-local clouds",
        &format!(
            "peernet --store b cloud add '{B_CLOUD_1}' --scope linklocal --scope-id 7 --private; peernet --store b cloud add '{B_CLOUD_2}' --scope linklocal --scope-id 9 --private"
        ),
        "added",
    );
    let ambiguous = b.group_join(Some(&bob), &lan_invite, None);
    s.refused(
        "B",
        "Joining with A's private cloud name is ambiguous on B (two candidates)",
        "peernet --store b group join --identity \"$BOB\" exchange/bob-lan-invite.xml",
        ambiguous,
        hr::PEER_E_CLOUD_NAME_AMBIGUOUS,
    )?;
    let g = b.group_join(Some(&bob), &lan_invite, Some(B_CLOUD_1))?;
    let n = s.step(
        "B",
        "Naming the local cloud resolves it; later opens use the recorded cloud",
        &format!(
            "peernet --store b group join --identity \"$BOB\" exchange/bob-lan-invite.xml --cloud '{B_CLOUD_1}'"
        ),
        &format!("joined; cloud {}", g.cloud().name),
    );
    if g.cloud().name != B_CLOUD_1
        || b.group_open(&bob, lan.peer_name(), None)?.cloud().name != B_CLOUD_1
    {
        return Err(failed(n, "the group is not recorded in the named cloud"));
    }
    Ok(())
}
