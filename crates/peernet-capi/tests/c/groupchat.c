/*
 * What the Windows SDK's GroupChat sample (Samples/Win7Samples/netds/peertopeer/groupchat)
 * assumes about p2p.h results, and the NULL identity it passes ("NULL Identity" in its
 * identity list):
 *
 *   groupchat empty                         PEERNET_HOME: a store without identities
 *   groupchat group <identity> <group> <member>
 *                                           PEERNET_HOME: a store where <identity> has
 *                                           <group>, whose database knows <member>
 *                                           without its credentials
 *
 * - PeerFreeData(NULL) is a no-op;
 * - PeerGroupStartup accepts 0x0001 (XP build) and 0x0101 (Vista build);
 * - PeerGroupDelete(NULL, ...) without identities is PEER_E_NOT_FOUND and creates none;
 *   PeerEnumGroups(NULL, ...) there is an empty enumeration and creates none;
 *   a refused PeerGroupJoin / PeerGroupCreate with a NULL identity creates none;
 * - PeerGroupUniversalTimeToPeerTime(h, &ft, &ft) (in place);
 * - PeerGroupEnumMembers items always have pCredentialInfo and its pwzFriendlyName,
 *   which GroupChat reads unchecked; PeerGetNextItem with nothing left sets the count
 *   to 0 and returns something PeerFreeData accepts.
 *
 * Built and run (also under valgrind) by crates/peernet-capi/tests/c_abi/c_programs.rs.
 * Prints "groupchat: ok", exit status 0 when every check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p.h"
#include "check.h"
#include "support.h"

static ULONG identity_count(void)
{
    HPEERENUM e = NULL;
    ULONG n = 99;
    REQUIRE_HR(PeerEnumIdentities(&e), S_OK);
    CHECK_HR(PeerGetItemCount(e, &n), S_OK);
    CHECK_HR(PeerEndEnumeration(e), S_OK);
    return n;
}

static void startup_versions(void)
{
    PEER_VERSION_DATA v;
    memset(&v, 0, sizeof v);
    REQUIRE_HR(PeerGroupStartup(0x0001, &v), S_OK);
    CHECK(v.wVersion == 0x0001);
    memset(&v, 0, sizeof v);
    REQUIRE_HR(PeerGroupStartup(0x0101, &v), S_OK);
    CHECK(v.wVersion == 0x0101);
    CHECK(v.wHighestVersion == PEER_GROUP_VERSION);
    CHECK_HR(PeerGroupShutdown(), S_OK);
}

static void empty_store(void)
{
    HGROUP g = (HGROUP)&g;
    HPEERENUM e = (HPEERENUM)&e;
    ULONG n = 99;
    PEER_GROUP_PROPERTIES props;
    CHECK(identity_count() == 0);
    /* GroupChat lists the groups of the NULL identity: the default identity's, none yet. */
    REQUIRE_HR(PeerEnumGroups(NULL, &e), S_OK);
    CHECK_HR(PeerGetItemCount(e, &n), S_OK);
    CHECK(n == 0);
    CHECK_HR(PeerEndEnumeration(e), S_OK);
    CHECK_HR(PeerGroupDelete(NULL, W("0123456789abcdef0123456789abcdef01234567.chat")),
             PEER_E_NOT_FOUND);
    CHECK_HR(PeerGroupJoin(NULL, W("<PEERINVITATION/>"), NULL, &g), PEER_E_INVITATION_NOT_TRUSTED);
    CHECK(g == NULL);
    CHECK_HR(PeerGroupPasswordJoin(NULL, W("<PEERINVITATION/>"), W("pw"), NULL, &g),
             PEER_E_INVITATION_NOT_TRUSTED);
    /* A password without password authentication: refused before the creator is made. */
    memset(&props, 0, sizeof props);
    props.dwSize = sizeof props;
    props.pwzClassifier = (PWSTR)W("SampleChatGroup");
    props.pwzFriendlyName = (PWSTR)W("Chat");
    props.pwzGroupPassword = (PWSTR)W("pw");
    CHECK_HR(PeerGroupCreate(&props, &g), PEER_E_INVALID_GROUP_PROPERTIES);
    CHECK(g == NULL);
    CHECK(identity_count() == 0);
}

static void group_chat(const char *identity, const char *group, const char *member)
{
    HGROUP g = NULL;
    HPEERENUM e = NULL;
    FILETIME ft;
    ULONG c;
    int seen = 0, rounds = 0;
    PCWSTR wm = W(member);

    REQUIRE_HR(PeerGroupOpen(W(identity), W(group), NULL, &g), S_OK);

    /* In place, as GroupChat converts a record's expiration. No synchronized peer time
     * without connecting: PEER_E_GROUP_NOT_READY, the output zeroed. */
    ft.dwLowDateTime = 0x12345678u;
    ft.dwHighDateTime = 0x01d00000u;
    CHECK_HR(PeerGroupUniversalTimeToPeerTime(g, &ft, &ft), PEER_E_GROUP_NOT_READY);
    CHECK(ft.dwLowDateTime == 0 && ft.dwHighDateTime == 0);

    /* GroupChat's member loop: one item at a time until the count is 0, PeerFreeData
     * every time, pCredentialInfo->pwzFriendlyName read without a check. */
    REQUIRE_HR(PeerGroupEnumMembers(g, 0, NULL, &e), S_OK);
    for (;;) {
        PVOID *items = (PVOID *)&g;
        c = 1;
        CHECK_HR(PeerGetNextItem(e, &c, &items), S_OK);
        if (c == 0) {
            PeerFreeData(items);
            break;
        }
        CHECK(c == 1 && items != NULL);
        if (items != NULL) {
            PEER_MEMBER *m = (PEER_MEMBER *)items[0];
            CHECK(m->pwzIdentity != NULL);
            CHECK(m->pCredentialInfo != NULL);
            if (m->pCredentialInfo != NULL) {
                CHECK(m->pCredentialInfo->pwzFriendlyName != NULL);
                if (wide_eq(m->pwzIdentity, wm)) {
                    seen++;
                    CHECK(wide_eq(m->pCredentialInfo->pwzFriendlyName, m->pwzIdentity));
                }
            }
        }
        PeerFreeData(items);
        if (++rounds > 100) break;
    }
    CHECK(seen == 1);
    /* Asking again after the end: still 0, still freeable. */
    {
        PVOID *items = (PVOID *)&e;
        c = 5;
        CHECK_HR(PeerGetNextItem(e, &c, &items), S_OK);
        CHECK(c == 0);
        PeerFreeData(items);
    }
    CHECK_HR(PeerEndEnumeration(e), S_OK);
    CHECK_HR(PeerGroupClose(g), S_OK);
}

int main(int argc, char **argv)
{
    PeerFreeData(NULL);
    startup_versions(); /* leaves one startup */
    if (argc == 2 && strcmp(argv[1], "empty") == 0) {
        empty_store();
    } else if (argc == 5 && strcmp(argv[1], "group") == 0) {
        group_chat(argv[2], argv[3], argv[4]);
    } else {
        fprintf(stderr, "usage: groupchat empty | group <identity> <group> <member>\n");
        return 2;
    }
    CHECK_HR(PeerGroupShutdown(), S_OK);
    CHECK_HR(PeerGroupShutdown(), E_UNEXPECTED);
    wfree_all();
    return check_report("groupchat");
}
