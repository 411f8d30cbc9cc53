/*
 * The Windows SDK GroupChat sample's call sequence (Samples/Win7Samples/netds/peertopeer/
 * groupchat, GroupChat.c), between two stores on one machine, as two processes:
 *
 *   chat identity <name> <file.idt>      PEERNET_HOME: the guest's store. Creates the
 *                                         identity and saves its info (Identity > Save
 *                                         Identity Info: raw UTF-16LE).
 *   chat host <name> <guest.idt> <out.inv>
 *                                         PEERNET_HOME: the host's store. Creates the
 *                                         identity and the group, writes an invitation
 *                                         for the guest, then chats: waits for the
 *                                         guest's message, answers it, answers its
 *                                         whisper, and ends when the guest closed the
 *                                         direct connection.
 *   chat guest <in.inv>                   PEERNET_HOME: the guest's store. Joins with the
 *                                         invitation, chats, whispers to the host over a
 *                                         direct connection and waits for the answer.
 *
 * Both register GroupChat's 5 events (RECORD_CHANGED for chat records, MEMBER_CHANGED,
 * STATUS_CHANGED, DIRECT_CONNECTION for whispers, INCOMING_DATA), connect with
 * PeerGroupConnect (same-machine discovery), read the status, the properties and the
 * present members, and chat as records of type {4d5b2f11-6522-433b-84ef-a298e60757b0}
 * with a 2-minute expiration converted in place by PeerGroupUniversalTimeToPeerTime; the
 * whisper is data of type {4d5b2f11-6522-433b-84ef-a298e607bbbb} on a direct connection
 * to the member's address from PeerGroupEnumMembers. GroupChat waits on a Win32 event;
 * this program polls PeerGroupGetEventData (hEvent NULL), every wait bounded (60 s).
 *
 * Built and run by crates/peernet-capi/tests/c_abi/c_programs.rs. Prints "chat: ok",
 * exit status 0 when every check passed.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p2p.h"
#include "check.h"
#include "support.h"

static const GUID RECORD_TYPE_CHAT_MESSAGE =
    {0x4d5b2f11, 0x6522, 0x433b, {0x84, 0xef, 0xa2, 0x98, 0xe6, 0x07, 0x57, 0xb0}};
static const GUID DATA_TYPE_WHISPER_MESSAGE =
    {0x4d5b2f11, 0x6522, 0x433b, {0x84, 0xef, 0xa2, 0x98, 0xe6, 0x07, 0xbb, 0xbb}};

#define WAIT_STEPS 1200 /* of 50 ms: 60 s */

static HGROUP g_hGroup = NULL;
static HPEEREVENT g_hPeerEvent = NULL;
static PWSTR g_pwzMe = NULL; /* this process's identity (PeerFreeData) */

static void sleep_50ms(void)
{
    struct timespec t;
    t.tv_sec = 0;
    t.tv_nsec = 50L * 1000L * 1000L;
    nanosleep(&t, NULL);
}

static int guid_eq(const GUID *a, const GUID *b) { return memcmp(a, b, sizeof *a) == 0; }

/* Now plus `seconds`, as a UTC FILETIME. */
static FILETIME utc_in(long seconds)
{
    FILETIME ft;
    unsigned long long t = ((unsigned long long)time(NULL) + 11644473600ULL + (unsigned long long)seconds) * 10000000ULL;
    ft.dwLowDateTime = (DWORD)(t & 0xffffffffu);
    ft.dwHighDateTime = (DWORD)(t >> 32);
    return ft;
}

/* A file of raw UTF-16LE (as GroupChat's fputws in "wb" mode), written whole then renamed
 * so that a reader never sees half of it. */
static void save_wide(const char *path, PCWSTR text)
{
    char tmp[4096];
    size_t n = 0;
    FILE *f;
    while (text[n] != 0) n++;
    snprintf(tmp, sizeof tmp, "%s.part", path);
    f = fopen(tmp, "wb");
    if (f == NULL || fwrite(text, sizeof(WCHAR), n, f) != n || fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* GroupChat reads a file into a zeroed WCHAR[64*1024]; so does this. */
static PWSTR load_wide(const char *path)
{
    size_t len = 0;
    char *raw = read_file(path, &len);
    PWSTR w = (PWSTR)xmalloc(64 * 1024 * sizeof(WCHAR));
    memset(w, 0, 64 * 1024 * sizeof(WCHAR));
    if (len >= 64 * 1024 * sizeof(WCHAR)) {
        fprintf(stderr, "%s is too long\n", path);
        exit(2);
    }
    memcpy(w, raw, len);
    free(raw);
    return w;
}

/* GroupChat's PrepareToChat: register the 5 events, connect, read the status, the
 * properties and the present members. */
static void prepare_to_chat(void)
{
    PEER_GROUP_EVENT_REGISTRATION regs[5];
    DWORD status = 0;
    PEER_GROUP_PROPERTIES *props = NULL;
    HPEERENUM e = NULL;
    int rounds = 0;

    memset(regs, 0, sizeof regs);
    regs[0].eventType = PEER_GROUP_EVENT_RECORD_CHANGED;
    regs[0].pType = (GUID *)&RECORD_TYPE_CHAT_MESSAGE;
    regs[1].eventType = PEER_GROUP_EVENT_MEMBER_CHANGED;
    regs[2].eventType = PEER_GROUP_EVENT_STATUS_CHANGED;
    regs[3].eventType = PEER_GROUP_EVENT_DIRECT_CONNECTION;
    regs[3].pType = (GUID *)&DATA_TYPE_WHISPER_MESSAGE;
    regs[4].eventType = PEER_GROUP_EVENT_INCOMING_DATA;
    REQUIRE_HR(PeerGroupRegisterEvent(g_hGroup, NULL, 5, regs, &g_hPeerEvent), S_OK);
    REQUIRE_HR(PeerGroupConnect(g_hGroup), S_OK);
    CHECK_HR(PeerGroupGetStatus(g_hGroup, &status), S_OK);
    REQUIRE_HR(PeerGroupGetProperties(g_hGroup, &props), S_OK);
    CHECK(wide_eq(props->pwzFriendlyName, W("Chat")));
    PeerFreeData(props);
    REQUIRE_HR(PeerGroupEnumMembers(g_hGroup, PEER_MEMBER_PRESENT, NULL, &e), S_OK);
    for (;;) {
        PVOID *items = NULL;
        ULONG c = 1;
        CHECK_HR(PeerGetNextItem(e, &c, &items), S_OK);
        if (c == 0) {
            PeerFreeData(items);
            break;
        }
        {
            PEER_MEMBER *m = (PEER_MEMBER *)items[0];
            /* Read unchecked by GroupChat. */
            CHECK(m->pCredentialInfo != NULL && m->pCredentialInfo->pwzFriendlyName != NULL);
        }
        PeerFreeData(items);
        if (++rounds > 100) break;
    }
    CHECK_HR(PeerEndEnumeration(e), S_OK);
}

/* GroupChat's chat message: a record with the UTF-16 text and its NUL, expiring in 2
 * minutes of peer time. */
static void send_chat(const char *text)
{
    PEER_RECORD record;
    GUID id;
    FILETIME ft = utc_in(120);
    PCWSTR w = W(text);
    size_t n = 0;
    while (w[n] != 0) n++;
    memset(&record, 0, sizeof record);
    record.dwSize = sizeof record;
    record.type = RECORD_TYPE_CHAT_MESSAGE;
    record.data.cbData = (ULONG)((n + 1) * sizeof(WCHAR));
    record.data.pbData = (PBYTE)w;
    REQUIRE_HR(PeerGroupUniversalTimeToPeerTime(g_hGroup, &ft, &ft), S_OK);
    record.ftExpiration = ft;
    REQUIRE_HR(PeerGroupAddRecord(g_hGroup, &record, &id), S_OK);
}

/* Whether an INCOMING_DATA event is the whisper `w`. */
static int data_is(const PEER_EVENT_INCOMING_DATA *d, PCWSTR w)
{
    size_t n = 0;
    while (w[n] != 0) n++;
    return guid_eq(&d->type, &DATA_TYPE_WHISPER_MESSAGE) && d->data.cbData == (n + 1) * sizeof(WCHAR) &&
           memcmp(d->data.pbData, w, d->data.cbData) == 0;
}

static void whisper(ULONGLONG connection, const char *text)
{
    PCWSTR w = W(text);
    size_t n = 0;
    while (w[n] != 0) n++;
    REQUIRE_HR(PeerGroupSendData(g_hGroup, connection, &DATA_TYPE_WHISPER_MESSAGE, (ULONG)((n + 1) * sizeof(WCHAR)),
                                 (PVOID)w),
               S_OK);
}

/* What the event loop saw. */
struct seen {
    int chat;                /* the other side's chat message */
    PWSTR chat_author;       /* its pwzCreatorId (malloc) */
    int whisper;             /* the other side's whisper */
    ULONGLONG whisper_conn;  /* the connection it came on */
    int direct_in;           /* a member opened a direct connection to us */
    int direct_closed;       /* ... and closed it */
    int member_connected;    /* MEMBER_CHANGED CONNECTED for the other side */
    DWORD status;            /* the last STATUS_CHANGED */
};

static PWSTR wdup(PCWSTR s)
{
    size_t n = 0;
    PWSTR d;
    while (s[n] != 0) n++;
    d = (PWSTR)xmalloc((n + 1) * sizeof(WCHAR));
    memcpy(d, s, (n + 1) * sizeof(WCHAR));
    return d;
}

/* GroupChat's EventCallback: drain PeerGroupGetEventData. */
static void drain(struct seen *s, PCWSTR expect_chat, PCWSTR expect_whisper)
{
    for (;;) {
        PEER_GROUP_EVENT_DATA *p = NULL;
        HRESULT hr = PeerGroupGetEventData(g_hPeerEvent, &p);
        if (hr == PEER_S_NO_EVENT_DATA || FAILED(hr) || p == NULL) {
            CHECK(hr == PEER_S_NO_EVENT_DATA);
            return;
        }
        switch (p->eventType) {
        case PEER_GROUP_EVENT_RECORD_CHANGED:
            CHECK(guid_eq(&p->recordChangeData.recordType, &RECORD_TYPE_CHAT_MESSAGE));
            if (p->recordChangeData.changeType == PEER_RECORD_ADDED) {
                PEER_RECORD *r = NULL;
                if (PeerGroupGetRecord(g_hGroup, &p->recordChangeData.recordId, &r) == S_OK) {
                    PCWSTR text = (PCWSTR)r->data.pbData;
                    if (!wide_eq(r->pwzCreatorId, g_pwzMe) && wide_eq(text, expect_chat)) {
                        s->chat = 1;
                        if (s->chat_author == NULL) s->chat_author = wdup(r->pwzCreatorId);
                    }
                    PeerFreeData(r);
                }
            }
            break;
        case PEER_GROUP_EVENT_MEMBER_CHANGED:
            if (p->memberChangeData.changeType == PEER_MEMBER_CONNECTED &&
                !wide_eq(p->memberChangeData.pwzIdentity, g_pwzMe)) {
                /* GroupChat looks the member up for its friendly name. */
                HPEERENUM e = NULL;
                if (PeerGroupEnumMembers(g_hGroup, 0, p->memberChangeData.pwzIdentity, &e) == S_OK) {
                    PVOID *items = NULL;
                    ULONG c = 1;
                    CHECK_HR(PeerGetNextItem(e, &c, &items), S_OK);
                    CHECK(c == 1);
                    if (c == 1) {
                        PEER_MEMBER *m = (PEER_MEMBER *)items[0];
                        CHECK(m->pCredentialInfo != NULL && m->pCredentialInfo->pwzFriendlyName != NULL);
                    }
                    PeerFreeData(items);
                    PeerEndEnumeration(e);
                }
                s->member_connected = 1;
            }
            break;
        case PEER_GROUP_EVENT_STATUS_CHANGED:
            s->status = p->dwStatus;
            break;
        case PEER_GROUP_EVENT_DIRECT_CONNECTION:
            CHECK(p->connectionChangeData.dwSize == sizeof(PEER_EVENT_CONNECTION_CHANGE_DATA));
            if (p->connectionChangeData.status == PEER_CONNECTED) s->direct_in = 1;
            if (p->connectionChangeData.status == PEER_DISCONNECTED) s->direct_closed = 1;
            break;
        case PEER_GROUP_EVENT_INCOMING_DATA:
            CHECK(p->incomingData.dwSize == sizeof(PEER_EVENT_INCOMING_DATA));
            if (data_is(&p->incomingData, expect_whisper)) {
                s->whisper = 1;
                s->whisper_conn = p->incomingData.ullConnectionId;
            }
            break;
        default:
            break;
        }
        PeerFreeData(p);
    }
}

/* GroupChat's cleanup. */
static void finish(void)
{
    CHECK_HR(PeerGroupUnregisterEvent(g_hPeerEvent), S_OK);
    CHECK_HR(PeerGroupClose(g_hGroup), S_OK);
}

static void make_identity(const char *name, const char *idt)
{
    PWSTR xml = NULL;
    REQUIRE_HR(PeerIdentityCreate(W("GroupChatMember"), W(name), 0, &g_pwzMe), S_OK);
    REQUIRE_HR(PeerIdentityGetXML(g_pwzMe, &xml), S_OK);
    save_wide(idt, xml);
    PeerFreeData(xml);
    PeerFreeData(g_pwzMe);
}

static void host(const char *name, const char *idt, const char *inv)
{
    PEER_GROUP_PROPERTIES props;
    PWSTR info = load_wide(idt);
    PWSTR invitation = NULL;
    FILETIME ft = utc_in(15L * 24 * 3600);
    struct seen s;
    int i, answered = 0, whispered = 0;
    PCWSTR chat_in = W("hello from the guest"), whisper_in = W("psst, host");

    REQUIRE_HR(PeerIdentityCreate(W("GroupChatMember"), W(name), 0, &g_pwzMe), S_OK);
    memset(&props, 0, sizeof props);
    props.dwSize = sizeof props;
    props.pwzClassifier = (PWSTR)W("SampleChatGroup");
    props.pwzFriendlyName = (PWSTR)W("Chat");
    props.pwzCreatorPeerName = g_pwzMe;
    props.dwAuthenticationSchemes = PEER_GROUP_GMC_AUTHENTICATION;
    REQUIRE_HR(PeerGroupCreate(&props, &g_hGroup), S_OK);
    REQUIRE_HR(PeerGroupCreateInvitation(g_hGroup, info, &ft, 1, &PEER_GROUP_ROLE_MEMBER, &invitation), S_OK);
    free(info);
    prepare_to_chat();
    save_wide(inv, invitation);
    PeerFreeData(invitation);

    memset(&s, 0, sizeof s);
    for (i = 0; i < WAIT_STEPS && !(answered && whispered && s.direct_closed); i++) {
        drain(&s, chat_in, whisper_in);
        if (s.chat && !answered) {
            send_chat("hello from the host");
            answered = 1;
        }
        if (s.whisper && !whispered) {
            /* GroupChat shows who whispered: the direct connection's pwzPeerId. */
            HPEERENUM e = NULL;
            ULONG n = 0, k;
            PVOID *items = NULL;
            int found = 0;
            CHECK(s.direct_in);
            REQUIRE_HR(PeerGroupEnumConnections(g_hGroup, PEER_CONNECTION_DIRECT, &e), S_OK);
            CHECK_HR(PeerGetItemCount(e, &n), S_OK);
            CHECK_HR(PeerGetNextItem(e, &n, &items), S_OK);
            for (k = 0; k < n; k++) {
                PEER_CONNECTION_INFO *c = (PEER_CONNECTION_INFO *)items[k];
                CHECK(c->dwFlags == PEER_CONNECTION_DIRECT);
                if (c->ullConnectionId == s.whisper_conn) {
                    found = 1;
                    CHECK(s.chat_author != NULL && wide_eq(c->pwzPeerId, s.chat_author));
                }
            }
            CHECK(found);
            PeerFreeData(items);
            PeerEndEnumeration(e);
            whisper(s.whisper_conn, "psst, guest");
            whispered = 1;
        }
        if (!(answered && whispered && s.direct_closed)) sleep_50ms();
    }
    CHECK(s.member_connected);
    CHECK(answered);
    CHECK(whispered);
    CHECK(s.direct_closed);
    free(s.chat_author);
    finish();
    PeerFreeData(g_pwzMe);
}

static void guest(const char *inv)
{
    HPEERENUM e = NULL;
    PEER_NAME_PAIR **pairs = NULL;
    ULONG n = 1;
    PWSTR invitation = load_wide(inv);
    struct seen s;
    DWORD status = 0;
    ULONGLONG connection = 0;
    HRESULT hr = E_FAIL;
    int i;
    PCWSTR chat_in = W("hello from the host"), whisper_in = W("psst, guest");

    /* The identity combo: the one identity of this store. */
    REQUIRE_HR(PeerEnumIdentities(&e), S_OK);
    REQUIRE_HR(PeerGetNextItem(e, &n, (PVOID **)&pairs), S_OK);
    REQUIRE_HR(n == 1 ? S_OK : E_FAIL, S_OK);
    g_pwzMe = wdup(pairs[0]->pwzPeerName);
    PeerFreeData(pairs);
    PeerEndEnumeration(e);

    REQUIRE_HR(PeerGroupJoin(g_pwzMe, invitation, NULL, &g_hGroup), S_OK);
    free(invitation);
    prepare_to_chat();
    memset(&s, 0, sizeof s);
    for (i = 0; i < WAIT_STEPS; i++) {
        REQUIRE_HR(PeerGroupGetStatus(g_hGroup, &status), S_OK);
        if (status & PEER_GROUP_STATUS_HAS_CONNECTIONS) break;
        sleep_50ms();
    }
    CHECK(status & PEER_GROUP_STATUS_HAS_CONNECTIONS);
    send_chat("hello from the guest");
    for (i = 0; i < WAIT_STEPS && !s.chat; i++) {
        drain(&s, chat_in, whisper_in);
        if (!s.chat) sleep_50ms();
    }
    REQUIRE_HR(s.chat && s.chat_author != NULL ? S_OK : E_FAIL, S_OK);

    /* Whisper: the member's present entry and its address, as GroupChat does. A direct
     * connection to oneself is PEER_E_CONNECT_SELF. */
    CHECK_HR(PeerGroupOpenDirectConnection(g_hGroup, g_pwzMe, NULL, &connection), PEER_E_CONNECT_SELF);
    REQUIRE_HR(PeerGroupEnumMembers(g_hGroup, PEER_MEMBER_PRESENT, s.chat_author, &e), S_OK);
    {
        PVOID *items = NULL;
        ULONG c = 1;
        REQUIRE_HR(PeerGetNextItem(e, &c, &items), S_OK);
        REQUIRE_HR(c == 1 ? S_OK : E_FAIL, S_OK);
        {
            PEER_MEMBER *m = (PEER_MEMBER *)items[0];
            CHECK(m->dwFlags & PEER_MEMBER_PRESENT);
            /* The host is a neighbour: its address is there, as GroupChat expects. */
            CHECK(m->cAddresses >= 1 && m->pAddresses != NULL);
            if (m->cAddresses >= 1 && m->pAddresses != NULL) {
                CHECK(m->pAddresses[0].dwSize == sizeof(PEER_ADDRESS));
                CHECK(m->pAddresses[0].sin6.sin6_addr.u.Byte[12] == 127);
            }
            /* The host's node may not listen for direct connections yet: refused until it
             * does (bounded). */
            for (i = 0; i < WAIT_STEPS; i++) {
                hr = PeerGroupOpenDirectConnection(g_hGroup, m->pwzIdentity, m->pAddresses, &connection);
                if (hr != PEER_E_CONNECTION_REFUSED) break;
                sleep_50ms();
            }
        }
        PeerFreeData(items);
        PeerEndEnumeration(e);
    }
    REQUIRE_HR(hr, S_OK);
    whisper(connection, "psst, host");
    for (i = 0; i < WAIT_STEPS && !s.whisper; i++) {
        drain(&s, chat_in, whisper_in);
        if (!s.whisper) sleep_50ms();
    }
    CHECK(s.whisper);
    CHECK(s.whisper_conn == connection);
    /* Cancel in GroupChat's whisper dialog. */
    CHECK_HR(PeerGroupCloseDirectConnection(g_hGroup, connection), S_OK);
    CHECK_HR(PeerGroupSendData(g_hGroup, connection, &DATA_TYPE_WHISPER_MESSAGE, 2, (PVOID)W("x")),
             PEER_E_CONNECTION_NOT_FOUND);
    free(s.chat_author);
    finish();
    free(g_pwzMe);
    g_pwzMe = NULL;
}

int main(int argc, char **argv)
{
    PEER_VERSION_DATA v;
    REQUIRE_HR(PeerGroupStartup(PEER_GROUP_VERSION, &v), S_OK);
    if (argc == 4 && strcmp(argv[1], "identity") == 0) {
        make_identity(argv[2], argv[3]);
    } else if (argc == 5 && strcmp(argv[1], "host") == 0) {
        host(argv[2], argv[3], argv[4]);
    } else if (argc == 3 && strcmp(argv[1], "guest") == 0) {
        guest(argv[2]);
    } else {
        fprintf(stderr, "usage: chat identity <name> <file.idt> | host <name> <guest.idt> <out.inv> | guest <in.inv>\n");
        return 2;
    }
    CHECK_HR(PeerGroupShutdown(), S_OK);
    wfree_all();
    return check_report("chat");
}
