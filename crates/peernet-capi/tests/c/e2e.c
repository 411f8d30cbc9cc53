/*
 * End to end through include/p2p.h and libpeernet_capi, the way a Windows program uses
 * P2P.dll: two "computers" (two stores, PEERNET_HOME set by the caller) exchanging
 * files through a directory.
 *
 *   e2e alice <dir>   store A: identity alice, error paths, a password group, its
 *                     properties/status/peer time, a password join, alice's identity
 *                     export and the group configuration (with the group key) to <dir>
 *   e2e bob   <dir>   store B: identity bob, his PEERIDENTITYINFO to <dir>; import of
 *                     alice's identity (wrong password first)
 *   e2e alice2 <dir>  store A: PeerGroupOpen, an invitation for bob (from his XML),
 *                     parsed; credentials issued from the parsed public key
 *   e2e bob2  <dir>   store B: parse + join, enumeration, config export, delete, config
 *                     import, open; alice's group configuration imported and opened;
 *                     cleanup in the documented order
 *
 * Run in that order by crates/peernet-capi/tests/c_abi/c_programs.rs (each phase a new
 * process), plain and under valgrind. Prints "e2e <phase>: ok", exit status 0 when every
 * check passed. Every returned buffer is released with PeerFreeData, every enumeration
 * with PeerEndEnumeration, every group handle with PeerGroupClose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p.h"
#include "check.h"
#include "support.h"

/* ---- UTF-16 -> UTF-8 and comparisons (the rest is in support.h) ---------------------- */

/* UTF-16 -> new UTF-8 string (caller frees with free()); NULL -> "(null)". */
static char *utf8(PCWSTR w)
{
    size_t n = 0, i, o = 0;
    char *s;
    if (w == NULL) {
        s = (char *)xmalloc(7);
        memcpy(s, "(null)", 7);
        return s;
    }
    while (w[n] != 0) n++;
    s = (char *)xmalloc(n * 3 + 1);
    for (i = 0; i < n; i++) {
        uint32_t cp = w[i];
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < n) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (w[i + 1] - 0xDC00);
            i++;
        }
        if (cp < 0x80) {
            s[o++] = (char)cp;
        } else if (cp < 0x800) {
            s[o++] = (char)(0xC0 | (cp >> 6));
            s[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s[o++] = (char)(0xE0 | (cp >> 12));
            s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            s[o++] = (char)(0xF0 | (cp >> 18));
            s[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    s[o] = 0;
    return s;
}

/* Compare a returned UTF-16 string with UTF-8 text. */
static int weq(PCWSTR w, const char *s)
{
    char *u = utf8(w);
    int eq = w != NULL && strcmp(u, s) == 0;
    if (!eq) fprintf(stderr, "  got \"%s\", want \"%s\"\n", u, s);
    free(u);
    return eq;
}

static int wcontains(PCWSTR w, const char *needle)
{
    char *u = utf8(w);
    int found = strstr(u, needle) != NULL;
    free(u);
    return found;
}

/* ---- files of the exchange directory (UTF-8) --------------------------------------- */

static const char *xdir;

static char *path_of(const char *name)
{
    char *p = (char *)xmalloc(strlen(xdir) + strlen(name) + 2);
    sprintf(p, "%s/%s", xdir, name);
    return p;
}

/* Write a returned UTF-16 string to <dir>/<name> as UTF-8. */
static void put_file(const char *name, PCWSTR w)
{
    char *p = path_of(name), *u = utf8(w);
    FILE *f = fopen(p, "wb");
    if (f == NULL || fwrite(u, 1, strlen(u), f) != strlen(u) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", p);
        exit(2);
    }
    free(u);
    free(p);
}

/* <dir>/<name> as a UTF-16 string owned by the W() arena. */
static PCWSTR get_file(const char *name)
{
    char *p = path_of(name), *u;
    size_t n;
    PCWSTR w;
    u = read_file(p, &n);
    w = W(u);
    free(u);
    free(p);
    return w;
}

/* ---- helpers ------------------------------------------------------------------------ */

static const char *IDENTITY_PASSWORD = "Ident1ty pässword";
static const char *CONFIG_PASSWORD = "c0nfig";
static const char *GROUP_PASSWORD = "group s3cret";
static const char *UNKNOWN_GROUP = "0123456789abcdef0123456789abcdef01234567.nothere";

static void startup(void)
{
    PEER_VERSION_DATA v;
    REQUIRE_HR(PeerGroupStartup(PEER_GROUP_VERSION, &v), S_OK);
    CHECK(v.wVersion == PEER_GROUP_VERSION);
}

static int guid_eq(const GUID *a, const GUID *b)
{
    return memcmp(a, b, sizeof(GUID)) == 0;
}

/* Number of items of an enumeration, all fetched at once; frees everything. Returns
 * 1 in *found when one item's peer name is `name`. */
static ULONG enum_names(HPEERENUM e, const char *name, int *found)
{
    ULONG count = 0, total = 0, i;
    PVOID *items = NULL;
    *found = 0;
    CHECK_HR(PeerGetItemCount(e, &total), S_OK);
    count = total + 5; /* ask for more than there is */
    CHECK_HR(PeerGetNextItem(e, &count, &items), S_OK);
    CHECK(count == total);
    for (i = 0; i < count; i++) {
        PEER_NAME_PAIR *p = (PEER_NAME_PAIR *)items[i];
        char *u = utf8(p->pwzPeerName);
        CHECK(p->dwSize == sizeof(PEER_NAME_PAIR));
        CHECK(p->pwzFriendlyName != NULL);
        if (strcmp(u, name) == 0) *found = 1;
        free(u);
    }
    PeerFreeData(items);
    /* Exhausted: count 0, NULL items. */
    count = 1;
    CHECK_HR(PeerGetNextItem(e, &count, &items), S_OK);
    CHECK(count == 0 && items == NULL);
    CHECK_HR(PeerEndEnumeration(e), S_OK);
    return total;
}

static void fill_properties(PEER_GROUP_PROPERTIES *p)
{
    memset(p, 0, sizeof *p);
    p->dwSize = sizeof *p;
}

/* ---- phase alice -------------------------------------------------------------------- */

static void phase_alice(void)
{
    PWSTR alice = NULL, s = NULL, carol = NULL;
    HCRYPTPROV prov = 99;
    HGROUP g = NULL, g2 = NULL;
    HPEERENUM e = NULL;
    PEER_GROUP_PROPERTIES props, *got = NULL;
    FILETIME now, out;
    DWORD status = 7;
    int found;

    /* Grouping needs PeerGroupStartup; the Identity Manager does not. */
    fill_properties(&props);
    CHECK_HR(PeerGroupCreate(&props, &g), PEER_E_NOT_INITIALIZED);
    CHECK_HR(PeerGroupShutdown(), E_UNEXPECTED);

    /* NULL arguments. */
    CHECK_HR(PeerIdentityCreate(NULL, NULL, 0, NULL), E_INVALIDARG);
    CHECK_HR(PeerIdentityGetFriendlyName(NULL, &s), E_INVALIDARG);
    CHECK(s == NULL);
    CHECK_HR(PeerIdentityExport(W("x.y"), NULL, &s), E_INVALIDARG);
    CHECK_HR(PeerEnumIdentities(NULL), E_INVALIDARG);
    /* No CSP handles here. */
    CHECK_HR(PeerIdentityCreate(NULL, NULL, (HCRYPTPROV)1, &s), E_HANDLE);

    /* The identity (non-ASCII friendly name). */
    REQUIRE_HR(PeerIdentityCreate(W("alice"), W("Ålice 🐇"), 0, &alice), S_OK);
    CHECK(wcontains(alice, ".alice"));
    put_file("alice.name", alice);
    CHECK_HR(PeerIdentityGetFriendlyName(alice, &s), S_OK);
    CHECK(weq(s, "Ålice 🐇"));
    PeerFreeData(s);
    s = NULL;
    CHECK_HR(PeerIdentitySetFriendlyName(alice, W("Alice")), S_OK);
    CHECK_HR(PeerIdentityGetFriendlyName(alice, &s), S_OK);
    CHECK(weq(s, "Alice"));
    PeerFreeData(s);
    s = NULL;
    CHECK_HR(PeerIdentityGetCryptKey(alice, &prov), E_NOTIMPL);
    CHECK(prov == 0);
    CHECK_HR(PeerCreatePeerName(alice, W("files"), &s), S_OK);
    CHECK(wcontains(s, ".files"));
    PeerFreeData(s);
    s = NULL;
    CHECK_HR(PeerCreatePeerName(NULL, W("plain"), &s), S_OK);
    CHECK(weq(s, "0.plain"));
    PeerFreeData(s);
    s = NULL;
    CHECK_HR(PeerEnumIdentities(&e), S_OK);
    CHECK(enum_names(e, "", &found) == 1);
    CHECK_HR(PeerIdentityDelete(W(UNKNOWN_GROUP)), PEER_E_NOT_FOUND);

    startup();

    /* A password-enabled group (Vista structure). */
    fill_properties(&props);
    props.pwzClassifier = (PWSTR)W("chat");
    props.pwzFriendlyName = (PWSTR)W("Chat room");
    props.pwzCreatorPeerName = alice;
    props.pwzComment = (PWSTR)W("for tests");
    props.ulMemberDataLifetime = 0;
    props.ulPresenceLifetime = 300;
    props.dwAuthenticationSchemes = PEER_GROUP_GMC_AUTHENTICATION | PEER_GROUP_PASSWORD_AUTHENTICATION;
    props.pwzGroupPassword = (PWSTR)W(GROUP_PASSWORD);
    props.groupPasswordRole = PEER_GROUP_ROLE_MEMBER;
    CHECK_HR(PeerGroupCreate(NULL, &g), E_INVALIDARG);
    REQUIRE_HR(PeerGroupCreate(&props, &g), S_OK);

    CHECK_HR(PeerGroupGetProperties(g, &got), S_OK);
    CHECK(got != NULL && got->dwSize == sizeof(PEER_GROUP_PROPERTIES));
    if (got != NULL) {
        CHECK(weq(got->pwzFriendlyName, "Chat room"));
        CHECK(weq(got->pwzClassifier, "chat"));
        CHECK(weq(got->pwzCloud, "Global_"));
        CHECK(weq(got->pwzComment, "for tests"));
        CHECK(wcontains(got->pwzGroupPeerName, ".chat"));
        CHECK(got->pwzGroupPassword == NULL); /* never returned */
        CHECK(got->dwAuthenticationSchemes == 3);
        CHECK(guid_eq(&got->groupPasswordRole, &PEER_GROUP_ROLE_MEMBER));
        put_file("group.name", got->pwzGroupPeerName);
        /* Get -> modify -> Set. */
        got->pwzComment = (PWSTR)W("changed");
        CHECK_HR(PeerGroupSetProperties(g, got), S_OK);
        PeerFreeData(got->pwzComment); /* not a block: ignored */
        PeerFreeData(got);
        got = NULL;
    }
    CHECK_HR(PeerGroupGetProperties(g, &got), S_OK);
    CHECK(got != NULL && weq(got->pwzComment, "changed"));
    PeerFreeData(got);

    CHECK_HR(PeerGroupGetStatus(g, &status), S_OK);
    CHECK(status == 0); /* not connected: no node runs for this store */
    CHECK_HR(PeerGroupConnectByAddress(g, 0, NULL), E_INVALIDARG);
    now.dwLowDateTime = 0x12345678u;
    now.dwHighDateTime = 0x01DC0000u;
    out.dwLowDateTime = out.dwHighDateTime = 1;
    CHECK_HR(PeerGroupUniversalTimeToPeerTime(g, &now, &out), PEER_E_GROUP_NOT_READY);
    CHECK(out.dwLowDateTime == 0 && out.dwHighDateTime == 0);
    CHECK_HR(PeerGroupPeerTimeToUniversalTime(g, &now, &out), PEER_E_GROUP_NOT_READY);
    CHECK_HR(PeerGroupUniversalTimeToPeerTime(g, NULL, &out), E_INVALIDARG);
    CHECK_HR(PeerGroupGetStatus((HGROUP)(ULONG_PTR)0x7770, &status), PEER_E_INVALID_GROUP);

    /* Password invitation and join, in the owner's store (which knows the password). */
    CHECK_HR(PeerGroupCreatePasswordInvitation(g, &s), S_OK);
    REQUIRE_HR(PeerIdentityCreate(W("carol"), W("Carol"), 0, &carol), S_OK);
    CHECK_HR(PeerGroupPasswordJoin(carol, s, W("wrong"), NULL, &g2),
             HRESULT_FROM_WIN32_ERROR_INVALID_PASSWORD);
    CHECK(g2 == NULL);
    CHECK_HR(PeerGroupPasswordJoin(carol, s, W(GROUP_PASSWORD), NULL, &g2), S_OK);
    CHECK_HR(PeerGroupClose(g2), S_OK);
    CHECK_HR(PeerGroupPasswordJoin(carol, s, W(GROUP_PASSWORD), NULL, &g2), PEER_S_ALREADY_A_MEMBER);
    CHECK_HR(PeerGroupClose(g2), S_OK);
    CHECK_HR(PeerGroupClose(g2), PEER_E_INVALID_GROUP); /* closed */
    PeerFreeData(s);
    s = NULL;

    /* Exports for the other computer. */
    CHECK_HR(PeerIdentityExport(alice, W(IDENTITY_PASSWORD), &s), S_OK);
    CHECK(wcontains(s, "PEERIDENTITYEXPORT"));
    put_file("alice.export", s);
    PeerFreeData(s);
    s = NULL;
    CHECK_HR(PeerGroupExportConfig(g, W(CONFIG_PASSWORD), &s), S_OK);
    CHECK(wcontains(s, "GROUPKEY"));
    put_file("alice.config", s);
    PeerFreeData(s);
    s = NULL;

    /* Unknown group. */
    CHECK_HR(PeerGroupOpen(alice, W(UNKNOWN_GROUP), NULL, &g2), PEER_E_NOT_FOUND);
    CHECK(g2 == NULL);
    CHECK_HR(PeerGroupDelete(alice, W(UNKNOWN_GROUP)), PEER_E_NOT_FOUND);

    CHECK_HR(PeerEnumGroups(carol, &e), S_OK);
    CHECK(enum_names(e, "", &found) == 1);

    CHECK_HR(PeerGroupClose(g), S_OK);
    PeerFreeData(carol);
    PeerFreeData(alice);
    CHECK_HR(PeerGroupShutdown(), S_OK);
}

/* ---- phase bob ---------------------------------------------------------------------- */

static void phase_bob(void)
{
    PWSTR bob = NULL, s = NULL, imported = NULL;
    PCWSTR export_xml = get_file("alice.export");
    char *alice8 = utf8(get_file("alice.name"));

    REQUIRE_HR(PeerIdentityCreate(W("bob"), W("Bob"), 0, &bob), S_OK);
    put_file("bob.name", bob);
    CHECK_HR(PeerIdentityGetXML(bob, &s), S_OK);
    CHECK(wcontains(s, "PEERIDENTITYINFO"));
    put_file("bob.xml", s);
    PeerFreeData(s);

    /* Alice's identity moves to this computer: wrong password first. */
    CHECK_HR(PeerIdentityImport(export_xml, W("not it"), &imported),
             HRESULT_FROM_WIN32_ERROR_INVALID_PASSWORD);
    CHECK(imported == NULL);
    CHECK_HR(PeerIdentityImport(export_xml, NULL, &imported), E_INVALIDARG);
    CHECK_HR(PeerIdentityImport(export_xml, W(IDENTITY_PASSWORD), &imported), S_OK);
    CHECK(imported != NULL && weq(imported, alice8));
    CHECK_HR(PeerIdentityGetFriendlyName(imported, &s), S_OK);
    CHECK(weq(s, "Alice"));
    PeerFreeData(s);
    CHECK_HR(PeerIdentityImport(export_xml, W(IDENTITY_PASSWORD), &s), PEER_E_ALREADY_EXISTS);
    PeerFreeData(imported);
    PeerFreeData(bob);
    free(alice8);
}

/* ---- phase alice2 ------------------------------------------------------------------- */

static void phase_alice2(void)
{
    PCWSTR alice = get_file("alice.name");
    PCWSTR group = get_file("group.name");
    char *group8 = utf8(group);
    PCWSTR bob_xml = get_file("bob.xml");
    PCWSTR bob = get_file("bob.name");
    HGROUP g = NULL;
    PWSTR inv = NULL, creds = NULL;
    PEER_INVITATION_INFO *info = NULL;
    PEER_CREDENTIAL_INFO ci;
    const GUID member = PEERNET_GUID_PEER_GROUP_ROLE_MEMBER;
    GUID roles[1];

    startup();
    CHECK_HR(PeerGroupOpen(NULL, group, NULL, &g), E_INVALIDARG);
    REQUIRE_HR(PeerGroupOpen(alice, group, NULL, &g), S_OK);

    roles[0] = member;
    CHECK_HR(PeerGroupCreateInvitation(g, NULL, NULL, 1, roles, &inv), E_INVALIDARG);
    CHECK_HR(PeerGroupCreateInvitation(g, bob_xml, NULL, 1, NULL, &inv), E_INVALIDARG);
    REQUIRE_HR(PeerGroupCreateInvitation(g, bob_xml, NULL, 1, roles, &inv), S_OK);
    put_file("bob.inv", inv);

    REQUIRE_HR(PeerGroupParseInvitation(inv, &info), S_OK);
    CHECK(info->dwSize == sizeof(PEER_INVITATION_INFO));
    CHECK(weq(info->pwzGroupPeerName, group8));
    CHECK(weq(info->pwzSubjectFriendlyName, "Bob"));
    CHECK(weq(info->pwzGroupFriendlyName, "Chat room"));
    CHECK(weq(info->pwzCloudName, "Global_"));
    CHECK(info->dwScope == PNRP_GLOBAL_SCOPE);
    CHECK(info->authScheme == PEER_GROUP_GMC_AUTHENTICATION);
    CHECK(info->cRoles == 1 && guid_eq(&info->pRoles[0], &PEER_GROUP_ROLE_MEMBER));
    CHECK(info->ftValidityEnd.dwHighDateTime > info->ftValidityStart.dwHighDateTime ||
          info->ftValidityEnd.dwLowDateTime > info->ftValidityStart.dwLowDateTime);
    CHECK(info->pSubjectPublicKey != NULL);
    CHECK(strcmp(info->pSubjectPublicKey->Algorithm.pszObjId, "1.2.840.113549.1.1.1") == 0);
    CHECK(info->pSubjectPublicKey->PublicKey.cbData == 140); /* RSA-1024 RSAPublicKey */

    /* Credentials for the same subject, from the parsed public key: Inviting Member. */
    memset(&ci, 0, sizeof ci);
    ci.dwSize = sizeof ci;
    ci.pwzFriendlyName = info->pwzSubjectFriendlyName;
    ci.pPublicKey = info->pSubjectPublicKey;
    ci.cRoles = 1;
    ci.pRoles = (GUID *)&PEER_GROUP_ROLE_INVITING_MEMBER;
    CHECK_HR(PeerGroupIssueCredentials(g, bob, &ci, 2, &creds), E_INVALIDARG); /* bad flag */
    CHECK_HR(PeerGroupIssueCredentials(g, bob, &ci, PEER_GROUP_STORE_CREDENTIALS, &creds), S_OK);
    put_file("bob.creds", creds);
    ci.dwSize = 3;
    CHECK_HR(PeerGroupIssueCredentials(g, bob, &ci, 0, NULL), E_INVALIDARG);
    PeerFreeData(creds);
    PeerFreeData(info);
    PeerFreeData(inv);
    CHECK_HR(PeerGroupClose(g), S_OK);
    CHECK_HR(PeerGroupShutdown(), S_OK);
    free(group8);
}

/* ---- phase bob2 --------------------------------------------------------------------- */

static void phase_bob2(void)
{
    PCWSTR bob = get_file("bob.name");
    PCWSTR alice = get_file("alice.name");
    PCWSTR group = get_file("group.name");
    PCWSTR inv = get_file("bob.inv");
    PCWSTR creds = get_file("bob.creds");
    PCWSTR alice_config = get_file("alice.config");
    HGROUP g = NULL, ga = NULL;
    HPEERENUM e = NULL;
    PEER_INVITATION_INFO *info = NULL;
    PEER_GROUP_PROPERTIES *props = NULL;
    PWSTR config = NULL, id = NULL, grp = NULL, again = NULL;
    char *group8 = utf8(group), *bob8 = utf8(bob), *alice8 = utf8(alice);
    PCWSTR bob_config;
    int found;

    /* Parsing needs startup. */
    CHECK_HR(PeerGroupParseInvitation(inv, &info), PEER_E_NOT_INITIALIZED);
    startup();
    CHECK_HR(PeerGroupParseInvitation(inv, &info), S_OK);
    CHECK(weq(info->pwzSubjectPeerName, bob8));
    PeerFreeData(info);
    CHECK_HR(PeerGroupParseInvitation(W("<PEERINVITATION/>"), &info), PEER_E_INVITATION_NOT_TRUSTED);
    CHECK(info == NULL);

    /* Join, then the newer credentials replace the first ones. */
    CHECK_HR(PeerGroupJoin(bob, NULL, NULL, &g), E_INVALIDARG);
    REQUIRE_HR(PeerGroupJoin(bob, inv, NULL, &g), S_OK);
    CHECK_HR(PeerGroupClose(g), S_OK);
    REQUIRE_HR(PeerGroupJoin(bob, creds, NULL, &g), S_OK);
    CHECK_HR(PeerGroupJoin(bob, creds, NULL, &ga), PEER_E_ALREADY_EXISTS);
    CHECK(ga == NULL);
    CHECK_HR(PeerGroupGetProperties(g, &props), S_OK);
    CHECK(props != NULL && weq(props->pwzGroupPeerName, group8));
    CHECK(props != NULL && weq(props->pwzFriendlyName, "Chat room"));
    PeerFreeData(props);
    props = NULL;
    /* Only the creator may change properties. */
    {
        PEER_GROUP_PROPERTIES p;
        fill_properties(&p);
        p.pwzFriendlyName = (PWSTR)W("mine now");
        CHECK_HR(PeerGroupSetProperties(g, &p), PEER_E_NOT_AUTHORIZED);
    }
    CHECK_HR(PeerEnumGroups(bob, &e), S_OK);
    CHECK(enum_names(e, group8, &found) == 1 && found);

    /* Export this membership, delete it, import it again, open it. */
    CHECK_HR(PeerGroupExportConfig(g, W(CONFIG_PASSWORD), &config), S_OK);
    CHECK(config != NULL && !wcontains(config, "GROUPKEY"));
    CHECK_HR(PeerGroupClose(g), S_OK);
    g = NULL;
    bob_config = W("");
    if (config != NULL) {
        char *c8 = utf8(config);
        bob_config = W(c8);
        free(c8);
        PeerFreeData(config);
    }
    CHECK_HR(PeerIdentityDelete(bob), PEER_E_GROUPS_EXIST);
    CHECK_HR(PeerGroupDelete(bob, group), S_OK);
    CHECK_HR(PeerGroupOpen(bob, group, NULL, &g), PEER_E_NOT_FOUND);
    CHECK_HR(PeerGroupImportConfig(bob_config, W(CONFIG_PASSWORD), FALSE, NULL, &grp), E_INVALIDARG);
    CHECK_HR(PeerGroupImportConfig(bob_config, W(CONFIG_PASSWORD), FALSE, &id, &grp), S_OK);
    CHECK(weq(id, bob8) && weq(grp, group8));
    PeerFreeData(id);
    PeerFreeData(grp);
    id = grp = NULL;
    CHECK_HR(PeerGroupImportConfig(bob_config, W(CONFIG_PASSWORD), FALSE, &id, &grp), PEER_E_ALREADY_EXISTS);
    CHECK(id == NULL && grp == NULL);
    REQUIRE_HR(PeerGroupOpen(bob, group, NULL, &g), S_OK);

    /* Alice's group configuration (with the group key) on this computer. */
    CHECK_HR(PeerGroupImportConfig(alice_config, W("wrong"), FALSE, &id, &grp),
             HRESULT_FROM_WIN32_ERROR_INVALID_PASSWORD);
    CHECK(id == NULL && grp == NULL);
    CHECK_HR(PeerGroupImportConfig(alice_config, W(CONFIG_PASSWORD), FALSE, &id, &grp), S_OK);
    CHECK(weq(id, alice8) && weq(grp, group8));
    REQUIRE_HR(PeerGroupOpen(id, grp, NULL, &ga), S_OK);
    CHECK_HR(PeerGroupGetProperties(ga, &props), S_OK);
    CHECK(props != NULL && weq(props->pwzCreatorPeerName, alice8));
    PeerFreeData(props);
    /* As the owner, alice can invite from here too. */
    {
        PWSTR bob_info = NULL;
        CHECK_HR(PeerIdentityGetXML(bob, &bob_info), S_OK);
        CHECK_HR(PeerGroupCreateInvitation(ga, bob_info, NULL, 0, NULL, &again), S_OK);
        PeerFreeData(bob_info);
        PeerFreeData(again);
    }

    /* Cleanup in the documented order: groups, then identities. */
    CHECK_HR(PeerGroupClose(ga), S_OK);
    CHECK_HR(PeerGroupDelete(id, grp), S_OK);
    CHECK_HR(PeerGroupDelete(bob, group), S_OK);
    /* The still open handle of a deleted group is invalid. */
    CHECK_HR(PeerGroupConnect(g), PEER_E_INVALID_GROUP);
    CHECK_HR(PeerIdentityDelete(id), S_OK);
    CHECK_HR(PeerIdentityDelete(bob), S_OK);
    CHECK_HR(PeerIdentityDelete(bob), PEER_E_NOT_FOUND);
    PeerFreeData(id);
    PeerFreeData(grp);
    free(group8);
    free(bob8);
    free(alice8);
    /* The last shutdown closes the handle left open. */
    CHECK_HR(PeerGroupShutdown(), S_OK);
    CHECK_HR(PeerGroupClose(g), PEER_E_NOT_INITIALIZED);
}

int main(int argc, char **argv)
{
    const char *phase;
    char name[64];
    if (argc != 3) {
        fprintf(stderr, "usage: e2e alice|bob|alice2|bob2 <exchange-dir>\n");
        return 2;
    }
    phase = argv[1];
    xdir = argv[2];
    if (strcmp(phase, "alice") == 0) phase_alice();
    else if (strcmp(phase, "bob") == 0) phase_bob();
    else if (strcmp(phase, "alice2") == 0) phase_alice2();
    else if (strcmp(phase, "bob2") == 0) phase_bob2();
    else {
        fprintf(stderr, "unknown phase %s\n", phase);
        return 2;
    }
    wfree_all();
    snprintf(name, sizeof name, "e2e %s", phase);
    return check_report(name);
}
