/*
 * Exercises libpeernet_capi through include/p2p.h the way a Windows application would:
 * startup / version negotiation / shutdown, PeerFreeData, invalid enumeration handles,
 * HRESULT constants and role GUIDs. Built and run (also under valgrind) by
 * crates/peernet-capi/tests/c_abi/c_programs.rs. Exit status 0 = every check passed.
 */
#include <stdio.h>
#include <string.h>

#include "p2p.h"
#include "check.h"

static void startup_and_shutdown(void)
{
    PEER_VERSION_DATA v;

    /* Nothing started yet: shutdown has nothing to undo. */
    CHECK_HR(PeerGroupShutdown(), E_UNEXPECTED);

    CHECK_HR(PeerGroupStartup(PEER_GROUP_VERSION, NULL), E_INVALIDARG);
    CHECK_HR(PeerGroupStartup(MAKEWORD(0, 9), &v), PEER_E_UNSUPPORTED_VERSION);

    memset(&v, 0, sizeof v);
    CHECK_HR(PeerGroupStartup(PEER_GROUP_VERSION, &v), S_OK);
    CHECK(v.wVersion == MAKEWORD(1, 1));
    CHECK(v.wHighestVersion == PEER_GROUP_VERSION);

    /* An XP-era caller asks for 1.0 and gets 1.0. */
    memset(&v, 0, sizeof v);
    CHECK_HR(PeerGroupStartup(MAKEWORD(1, 0), &v), S_OK);
    CHECK(v.wVersion == MAKEWORD(1, 0));
    CHECK(v.wHighestVersion == MAKEWORD(1, 1));

    /* A newer caller gets our highest version. */
    CHECK_HR(PeerGroupStartup(MAKEWORD(2, 0), &v), S_OK);
    CHECK(v.wVersion == PEER_GROUP_VERSION);

    CHECK_HR(PeerGroupShutdown(), S_OK);
    CHECK_HR(PeerGroupShutdown(), S_OK);
    CHECK_HR(PeerGroupShutdown(), S_OK);
    CHECK_HR(PeerGroupShutdown(), E_UNEXPECTED);
}

static void free_data(void)
{
    int on_stack = 42;
    PeerFreeData(NULL);
    /* Not a block the library returned: ignored, never dereferenced or freed. */
    PeerFreeData(&on_stack);
    CHECK(on_stack == 42);
}

static void invalid_enumeration_handles(void)
{
    ULONG count = 7;
    PVOID *items = (PVOID *)&count;
    HPEERENUM garbage = (HPEERENUM)(ULONG_PTR)0x12345675u;

    CHECK_HR(PeerGetItemCount(NULL, &count), E_INVALIDARG);
    CHECK_HR(PeerGetItemCount(garbage, &count), E_INVALIDARG);
    CHECK_HR(PeerGetItemCount(garbage, NULL), E_INVALIDARG);
    CHECK_HR(PeerGetNextItem(NULL, &count, &items), E_INVALIDARG);
    CHECK(items == NULL); /* the out-pointer is initialised before the handle check */
    CHECK_HR(PeerGetNextItem(garbage, NULL, &items), E_INVALIDARG);
    CHECK_HR(PeerGetNextItem(garbage, &count, NULL), E_INVALIDARG);
    CHECK_HR(PeerEndEnumeration(NULL), E_INVALIDARG);
    CHECK_HR(PeerEndEnumeration(garbage), E_INVALIDARG);
    CHECK(count == 7);
}

static void hresult_constants(void)
{
    CHECK(SUCCEEDED(S_OK));
    CHECK(SUCCEEDED(PEER_S_NO_EVENT_DATA));
    CHECK(SUCCEEDED(PEER_S_ALREADY_A_MEMBER));
    CHECK(FAILED(E_INVALIDARG));
    CHECK(FAILED(PEER_E_NOT_INITIALIZED));
    CHECK((uint32_t)E_INVALIDARG == 0x80070057u);
    CHECK((uint32_t)PEER_E_NOT_FOUND == 0x80070490u);
    CHECK((uint32_t)PEER_E_IDENTITY_NOT_FOUND == 0x80630401u);
    CHECK((uint32_t)PEER_E_INVALID_GROUP == 0x80632093u);
    CHECK((uint32_t)PEER_E_CLOUD_NOT_FOUND == 0x80072CEDu);
    CHECK((uint32_t)PEER_S_NO_EVENT_DATA == 0x00630002u);
    CHECK(E_HANDLE == (HRESULT)0x80070006u);
}

static void role_guids(void)
{
    static const GUID admin = PEERNET_GUID_PEER_GROUP_ROLE_ADMIN;
    static const GUID member = PEERNET_GUID_PEER_GROUP_ROLE_MEMBER;
    static const GUID inviting = PEERNET_GUID_PEER_GROUP_ROLE_INVITING_MEMBER;

    CHECK(memcmp(&PEER_GROUP_ROLE_ADMIN, &admin, sizeof(GUID)) == 0);
    CHECK(memcmp(&PEER_GROUP_ROLE_MEMBER, &member, sizeof(GUID)) == 0);
    CHECK(memcmp(&PEER_GROUP_ROLE_INVITING_MEMBER, &inviting, sizeof(GUID)) == 0);
    CHECK(PEER_GROUP_ROLE_ADMIN.Data1 == 0x04387127u);
    CHECK(PEER_GROUP_ROLE_MEMBER.Data4[7] == 0xc2);
    CHECK(PEER_GROUP_ROLE_INVITING_MEMBER.Data2 == 0xdc18);
}

static void sizes(void)
{
    CHECK(sizeof(WCHAR) == 2);
    CHECK(sizeof(ULONG) == 4);
    CHECK(sizeof(GUID) == 16);
    CHECK(sizeof(FILETIME) == 8);
    CHECK(sizeof(SOCKADDR_IN6) == 28);
    CHECK(sizeof(PEER_VERSION_DATA) == 4);
}

int main(void)
{
    startup_and_shutdown();
    free_data();
    invalid_enumeration_handles();
    hresult_constants();
    role_guids();
    sizes();
    return check_report("enum_and_startup");
}
