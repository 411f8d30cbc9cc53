/*
 * Group records, members, database export/import and events through include/p2p.h, the
 * way a Windows program uses P2P.dll. PEERNET_HOME is set by the caller to an empty
 * directory and the database file goes there ("records <dir>").
 *
 * Events: off Windows there are no Win32 events, so one registration passes a pipe's
 * write end as hEvent (the library writes 8 bytes per wake-up; we poll() the read end)
 * and another passes NULL and blocks in PeernetWaitForGroupEvent.
 *
 * Built and run (also under valgrind) by crates/peernet-capi/tests/c_abi/c_programs.rs.
 * Prints "records: ok", exit status 0 when every check passed. Every returned buffer is
 * released with PeerFreeData, every enumeration with PeerEndEnumeration.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p2p.h"
#include "check.h"
#include "support.h"

/* Now + secs as a FILETIME (100 ns ticks since 1601). */
static FILETIME filetime_in(long secs)
{
    unsigned long long t = ((unsigned long long)time(NULL) + 11644473600ULL + (unsigned long long)secs)
                           * 10000000ULL;
    FILETIME ft;
    ft.dwLowDateTime = (DWORD)t;
    ft.dwHighDateTime = (DWORD)(t >> 32);
    return ft;
}

static const GUID TYPE_A = {0x7a7a0001, 0x1, 0x2, {1, 2, 3, 4, 5, 6, 7, 8}};
static const GUID TYPE_B = {0x7a7a0002, 0x1, 0x2, {1, 2, 3, 4, 5, 6, 7, 8}};
static const GUID MEMBERSHIP = {0x01000000, 0, 0, {0, 0, 0, 0, 0, 0, 0, 0}};

static void init_record(PEER_RECORD *r, const GUID *type, PCWSTR attrs, const char *data)
{
    memset(r, 0, sizeof *r);
    r->dwSize = sizeof *r;
    r->type = *type;
    r->pwzAttributes = (PWSTR)attrs;
    r->ftExpiration = filetime_in(3600);
    r->data.cbData = (ULONG)strlen(data);
    r->data.pbData = (PBYTE)data;
}

/* Drain one registration; record change types go to changes[], returns how many. */
static int drain(HPEEREVENT h, DWORD *changes, GUID *ids, int max)
{
    int n = 0;
    for (;;) {
        PEER_GROUP_EVENT_DATA *e = NULL;
        HRESULT hr = PeerGroupGetEventData(h, &e);
        if (hr == PEER_S_NO_EVENT_DATA) {
            CHECK(e == NULL);
            return n;
        }
        CHECK_HR(hr, S_OK);
        if (hr != S_OK) return n;
        CHECK(e->eventType == PEER_GROUP_EVENT_RECORD_CHANGED);
        CHECK(e->recordChangeData.dwSize == sizeof(PEER_EVENT_RECORD_CHANGE_DATA));
        if (n < max) {
            changes[n] = (DWORD)e->recordChangeData.changeType;
            ids[n] = e->recordChangeData.recordId;
        }
        n++;
        PeerFreeData(e);
    }
}

static void wait_pipe(int fd)
{
    struct pollfd p;
    unsigned char buf[64];
    p.fd = fd;
    p.events = POLLIN;
    CHECK(poll(&p, 1, 10000) == 1);
    CHECK(read(fd, buf, sizeof buf) >= 8);
}

int main(int argc, char **argv)
{
    PEER_VERSION_DATA v;
    PWSTR identity = NULL;
    PEER_GROUP_PROPERTIES props;
    HGROUP group = NULL;
    HPEEREVENT ev_pipe = NULL, ev_wait = NULL;
    PEER_GROUP_EVENT_REGISTRATION regs[2];
    int fds[2];
    PEER_RECORD rec, *got = NULL;
    GUID id, id_b, ids[16];
    DWORD changes[16];
    HPEERENUM en = NULL;
    ULONG count;
    PVOID *items = NULL;
    PCWSTR attrs = W("<attributes><attribute name=\"n\" type=\"int\">7</attribute></attributes>");
    char path[4096];
    int total, i;

    if (argc != 2) {
        fprintf(stderr, "usage: records <dir>\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/records.pndb", argv[1]);

    REQUIRE_HR(PeerGroupStartup(PEER_GROUP_VERSION, &v), S_OK);
    REQUIRE_HR(PeerIdentityCreate(W("rec"), W("Rec"), 0, &identity), S_OK);
    memset(&props, 0, sizeof props);
    props.dwSize = sizeof props;
    props.pwzClassifier = (PWSTR)W("records");
    props.pwzFriendlyName = (PWSTR)W("Records");
    props.pwzCreatorPeerName = identity;
    REQUIRE_HR(PeerGroupCreate(&props, &group), S_OK);

    /* Two registrations: a pipe as hEvent, and NULL + PeernetWaitForGroupEvent. */
    REQUIRE_HR(pipe(fds) == 0 ? S_OK : E_FAIL, S_OK);
    regs[0].eventType = PEER_GROUP_EVENT_RECORD_CHANGED;
    regs[0].pType = NULL;
    regs[1].eventType = PEER_GROUP_EVENT_RECORD_CHANGED;
    regs[1].pType = (GUID *)&TYPE_A;
    CHECK_HR(PeerGroupRegisterEvent(group, NULL, 0, regs, &ev_pipe), E_INVALIDARG);
    CHECK(ev_pipe == NULL);
    REQUIRE_HR(PeerGroupRegisterEvent(group, (HANDLE)(ULONG_PTR)fds[1], 1, regs, &ev_pipe), S_OK);
    REQUIRE_HR(PeerGroupRegisterEvent(group, NULL, 1, &regs[1], &ev_wait), S_OK);
    CHECK_HR(PeernetWaitForGroupEvent(ev_wait, 0), PEER_S_NO_EVENT_DATA);

    /* Add, get. */
    init_record(&rec, &TYPE_A, attrs, "hello");
    REQUIRE_HR(PeerGroupAddRecord(group, &rec, &id), S_OK);
    REQUIRE_HR(PeerGroupGetRecord(group, &id, &got), S_OK);
    CHECK(got->dwSize == sizeof(PEER_RECORD));
    CHECK(memcmp(&got->id, &id, sizeof id) == 0);
    CHECK(memcmp(&got->type, &TYPE_A, sizeof id) == 0);
    CHECK(got->dwVersion == 1);
    CHECK(wide_eq(got->pwzCreatorId, identity));
    CHECK(wide_eq(got->pwzModifiedById, identity));
    CHECK(wide_eq(got->pwzAttributes, attrs));
    CHECK(got->data.cbData == 5 && memcmp(got->data.pbData, "hello", 5) == 0);
    CHECK(got->securityData.cbData > 17);

    /* Update: Get -> modify -> Update. */
    got->data.cbData = 3;
    got->data.pbData = (PBYTE)"bye";
    CHECK_HR(PeerGroupUpdateRecord(group, got), S_OK);
    PeerFreeData(got);
    got = NULL;
    CHECK_HR(PeerGroupGetRecord(group, &id, &got), S_OK);
    if (got != NULL) {
        CHECK(got->dwVersion == 2);
        CHECK(got->data.cbData == 3 && memcmp(got->data.pbData, "bye", 3) == 0);
        PeerFreeData(got);
        got = NULL;
    }

    /* Refusals. */
    init_record(&rec, &MEMBERSHIP, NULL, "x");
    CHECK_HR(PeerGroupAddRecord(group, &rec, &id_b), PEER_E_NOT_AUTHORIZED);
    init_record(&rec, &TYPE_B, W("<attributes>"), "x");
    CHECK_HR(PeerGroupAddRecord(group, &rec, &id_b), PEER_E_INVALID_ATTRIBUTES);
    init_record(&rec, &TYPE_B, NULL, "x");
    rec.ftExpiration = filetime_in(-10);
    CHECK_HR(PeerGroupAddRecord(group, &rec, &id_b), PEER_E_INVALID_RECORD_EXPIRATION);
    CHECK_HR(PeerGroupAddRecord(group, NULL, &id_b), E_INVALIDARG);

    /* A second record of another type; enumerate by type and all; search. */
    init_record(&rec, &TYPE_B, NULL, "b");
    REQUIRE_HR(PeerGroupAddRecord(group, &rec, &id_b), S_OK);
    CHECK_HR(PeerGroupEnumRecords(group, &TYPE_B, &en), S_OK);
    CHECK_HR(PeerGetItemCount(en, &count), S_OK);
    CHECK(count == 1);
    count = 10;
    CHECK_HR(PeerGetNextItem(en, &count, &items), S_OK);
    CHECK(count == 1 && memcmp(&((PEER_RECORD *)items[0])->id, &id_b, sizeof id) == 0);
    PeerFreeData(items);
    CHECK_HR(PeerEndEnumeration(en), S_OK);
    CHECK_HR(PeerGroupEnumRecords(group, NULL, &en), S_OK);
    CHECK_HR(PeerGetItemCount(en, &count), S_OK);
    CHECK(count == 2);
    CHECK_HR(PeerEndEnumeration(en), S_OK);
    CHECK_HR(PeerGroupSearchRecords(group,
                 W("<peersearch><clause attrib=\"n\" type=\"int\" compare=\"greater\">5</clause></peersearch>"),
                 &en), S_OK);
    count = 10;
    CHECK_HR(PeerGetNextItem(en, &count, &items), S_OK);
    CHECK(count == 1 && memcmp(&((PEER_RECORD *)items[0])->id, &id, sizeof id) == 0);
    PeerFreeData(items);
    CHECK_HR(PeerEndEnumeration(en), S_OK);
    CHECK_HR(PeerGroupSearchRecords(group, W("<peersearch><and/></peersearch>"), &en), PEER_E_INVALID_SEARCH);
    CHECK(en == NULL);

    /* Members: the publisher. */
    CHECK_HR(PeerGroupEnumMembers(group, 0, NULL, &en), S_OK);
    count = 10;
    CHECK_HR(PeerGetNextItem(en, &count, &items), S_OK);
    CHECK(count == 1);
    if (count == 1) {
        PEER_MEMBER *m = (PEER_MEMBER *)items[0];
        CHECK(m->dwSize == sizeof(PEER_MEMBER));
        CHECK(wide_eq(m->pwzIdentity, identity));
        CHECK(m->pCredentialInfo != NULL && m->pCredentialInfo->cRoles == 1);
        CHECK(m->pCredentialInfo != NULL &&
              memcmp(m->pCredentialInfo->pRoles, &PEER_GROUP_ROLE_ADMIN, sizeof(GUID)) == 0);
        PeerFreeData(items);
    }
    CHECK_HR(PeerEndEnumeration(en), S_OK);

    /* Export, delete, import: the record is back. */
    CHECK_HR(PeerGroupExportDatabase(group, W(path)), S_OK);
    CHECK_HR(PeerGroupDeleteRecord(group, &id), S_OK);
    CHECK_HR(PeerGroupGetRecord(group, &id, &got), PEER_E_RECORD_NOT_FOUND);
    CHECK(got == NULL);
    CHECK_HR(PeerGroupImportDatabase(group, W(path)), S_OK);
    CHECK_HR(PeerGroupGetRecord(group, &id, &got), S_OK);
    PeerFreeData(got);
    got = NULL;

    /* Events: ADDED(a) UPDATED(a) ADDED(b) DELETED(a) ADDED(a) on the pipe registration;
     * the type-A registration sees the four of record a. */
    total = 0;
    for (i = 0; i < 20 && total < 5; i++) {
        wait_pipe(fds[0]);
        total += drain(ev_pipe, changes + total, ids + total, 16 - total);
    }
    CHECK(total == 5);
    CHECK(changes[0] == PEER_RECORD_ADDED && changes[1] == PEER_RECORD_UPDATED &&
          changes[2] == PEER_RECORD_ADDED && changes[3] == PEER_RECORD_DELETED &&
          changes[4] == PEER_RECORD_ADDED);
    CHECK(memcmp(&ids[2], &id_b, sizeof id) == 0 && memcmp(&ids[4], &id, sizeof id) == 0);
    total = 0;
    for (i = 0; i < 20 && total < 4; i++) {
        CHECK_HR(PeernetWaitForGroupEvent(ev_wait, 10000), S_OK);
        total += drain(ev_wait, changes + total, ids + total, 16 - total);
    }
    CHECK(total == 4);
    CHECK(changes[0] == PEER_RECORD_ADDED && changes[3] == PEER_RECORD_ADDED);

    CHECK_HR(PeerGroupUnregisterEvent(ev_pipe), S_OK);
    CHECK_HR(PeerGroupUnregisterEvent(ev_pipe), E_INVALIDARG);
    CHECK_HR(PeerGroupUnregisterEvent(ev_wait), S_OK);
    close(fds[0]);
    close(fds[1]);

    CHECK_HR(PeerGroupClose(group), S_OK);
    PeerFreeData(identity);
    CHECK_HR(PeerGroupShutdown(), S_OK);
    wfree_all();

    return check_report("records");
}
