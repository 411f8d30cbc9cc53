/*
 * PeerGroupConnectByAddress, PeerGroupGetStatus, PeerGroupEnumConnections and the
 * NEIGHBOR_CONNECTION event from C, against a member listening on loopback:
 *
 *   connect <identity> <group> <port> <member>
 *       PEERNET_HOME: a store where <identity> joined <group>; <member> (another store's
 *       identity, created the group) listens on 127.0.0.1:<port>.
 *
 * Built and run by crates/peernet-capi/tests/c_abi/c_programs.rs. Prints "connect: ok",
 * exit status 0 when every check passed. Every wait is bounded (20 s).
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "p2p.h"
#include "check.h"
#include "support.h"

#define WAIT_STEPS 400 /* of 50 ms */

static void sleep_50ms(void)
{
    struct timespec t;
    t.tv_sec = 0;
    t.tv_nsec = 50L * 1000L * 1000L;
    nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
    HGROUP g = NULL;
    HPEEREVENT ev = NULL;
    HPEERENUM e = NULL;
    PEER_ADDRESS addr;
    PEER_GROUP_EVENT_REGISTRATION reg;
    DWORD status = 0;
    ULONG n = 0;
    int i, connected = 0;
    unsigned short port;

    if (argc != 5) {
        fprintf(stderr, "usage: connect <identity> <group> <port> <member>\n");
        return 2;
    }
    port = (unsigned short)atoi(argv[3]);
    PEER_VERSION_DATA v;
    REQUIRE_HR(PeerGroupStartup(PEER_GROUP_VERSION, &v), S_OK);
    REQUIRE_HR(PeerGroupOpen(W(argv[1]), W(argv[2]), NULL, &g), S_OK);

    memset(&reg, 0, sizeof reg);
    reg.eventType = PEER_GROUP_EVENT_NEIGHBOR_CONNECTION;
    REQUIRE_HR(PeerGroupRegisterEvent(g, NULL, 1, &reg, &ev), S_OK);

    /* Argument checks: no address, a wrong size, unknown flags. */
    CHECK_HR(PeerGroupConnectByAddress(g, 0, NULL), E_INVALIDARG);
    memset(&addr, 0, sizeof addr);
    addr.dwSize = 1;
    CHECK_HR(PeerGroupConnectByAddress(g, 1, &addr), E_INVALIDARG);
    CHECK_HR(PeerGroupEnumConnections(g, 0, &e), E_INVALIDARG);
    CHECK(e == NULL);
    CHECK_HR(PeerGroupEnumConnections(g, 0x100, &e), E_INVALIDARG);

    /* 127.0.0.1 as the v4-mapped IPv6 address PEER_ADDRESS carries. */
    memset(&addr, 0, sizeof addr);
    addr.dwSize = sizeof addr;
    addr.sin6.sin6_family = AF_INET6;
    addr.sin6.sin6_port = htons(port);
    addr.sin6.sin6_addr.u.Byte[10] = 0xff;
    addr.sin6.sin6_addr.u.Byte[11] = 0xff;
    addr.sin6.sin6_addr.u.Byte[12] = 127;
    addr.sin6.sin6_addr.u.Byte[15] = 1;
    REQUIRE_HR(PeerGroupConnectByAddress(g, 1, &addr), S_OK);

    for (i = 0; i < WAIT_STEPS; i++) {
        REQUIRE_HR(PeerGroupGetStatus(g, &status), S_OK);
        if (status & PEER_GROUP_STATUS_HAS_CONNECTIONS) break;
        sleep_50ms();
    }
    CHECK(status == (PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS));

    for (i = 0; i < WAIT_STEPS && !connected; i++) {
        PEER_GROUP_EVENT_DATA *d = NULL;
        HRESULT hr = PeerGroupGetEventData(ev, &d);
        if (hr == PEER_S_NO_EVENT_DATA) {
            sleep_50ms();
            continue;
        }
        REQUIRE_HR(hr, S_OK);
        CHECK(d->eventType == PEER_GROUP_EVENT_NEIGHBOR_CONNECTION);
        CHECK(d->connectionChangeData.dwSize == sizeof(PEER_EVENT_CONNECTION_CHANGE_DATA));
        if (d->connectionChangeData.status == PEER_CONNECTED) {
            connected = 1;
            CHECK(d->connectionChangeData.ullConnectionId != 0 || d->connectionChangeData.ullNodeId != 0);
            CHECK(d->connectionChangeData.hrConnectionFailedReason == S_OK);
        }
        PeerFreeData(d);
    }
    CHECK(connected);

    REQUIRE_HR(PeerGroupEnumConnections(g, PEER_CONNECTION_NEIGHBOR, &e), S_OK);
    REQUIRE_HR(PeerGetItemCount(e, &n), S_OK);
    CHECK(n == 1);
    if (n == 1) {
        PVOID *items = NULL;
        ULONG got = n;
        PEER_CONNECTION_INFO *c;
        REQUIRE_HR(PeerGetNextItem(e, &got, &items), S_OK);
        CHECK(got == 1);
        c = (PEER_CONNECTION_INFO *)items[0];
        CHECK(c->dwSize == sizeof *c);
        CHECK(c->dwFlags == PEER_CONNECTION_NEIGHBOR);
        CHECK(c->ullNodeId != 0);
        CHECK(wide_eq(c->pwzPeerId, W(argv[4])));
        CHECK(c->address.sin6.sin6_family == AF_INET6);
        CHECK(ntohs(c->address.sin6.sin6_port) == port);
        CHECK(c->address.sin6.sin6_addr.u.Byte[12] == 127);
        PeerFreeData(items);
    }
    CHECK_HR(PeerEndEnumeration(e), S_OK);
    /* Direct connections do not exist yet: an empty enumeration. */
    REQUIRE_HR(PeerGroupEnumConnections(g, PEER_CONNECTION_DIRECT, &e), S_OK);
    REQUIRE_HR(PeerGetItemCount(e, &n), S_OK);
    CHECK(n == 0);
    CHECK_HR(PeerEndEnumeration(e), S_OK);

    CHECK_HR(PeerGroupUnregisterEvent(ev), S_OK);
    CHECK_HR(PeerGroupClose(g), S_OK);
    /* The closed handle released the group: after it nothing holds it. */
    CHECK_HR(PeerGroupShutdown(), S_OK);
    wfree_all();
    return check_report("connect");
}
