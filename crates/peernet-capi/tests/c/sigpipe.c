/*
 * PeerGroupStartup and SIGPIPE:
 *
 *   sigpipe default   SIGPIPE at its default disposition: after PeerGroupStartup it is
 *                     ignored, and a write to a socket whose peer closed fails with EPIPE
 *                     instead of ending the process.
 *   sigpipe own       the host installed its own handler first: PeerGroupStartup keeps it.
 *
 * Built and run by crates/peernet-capi/tests/c_abi/c_programs.rs. Prints "sigpipe: ok",
 * exit status 0 when every check passed.
 */
#define _POSIX_C_SOURCE 200112L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "p2p.h"
#include "check.h"

static volatile sig_atomic_t caught = 0;

static void on_sigpipe(int sig)
{
    (void)sig;
    caught = 1;
}

static void (*disposition(void))(int)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigaction(SIGPIPE, NULL, &sa);
    return sa.sa_handler;
}

int main(int argc, char **argv)
{
    PEER_VERSION_DATA v;
    int sv[2];
    int own = argc == 2 && strcmp(argv[1], "own") == 0;
    if (argc != 2 || (!own && strcmp(argv[1], "default") != 0)) {
        fprintf(stderr, "usage: sigpipe default | own\n");
        return 2;
    }
    if (own) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigpipe;
        sigemptyset(&sa.sa_mask);
        REQUIRE_HR(sigaction(SIGPIPE, &sa, NULL) == 0 ? S_OK : E_FAIL, S_OK);
    } else {
        CHECK(disposition() == SIG_DFL);
    }
    REQUIRE_HR(PeerGroupStartup(PEER_GROUP_VERSION, &v), S_OK);
    CHECK(disposition() == (own ? on_sigpipe : SIG_IGN));

    /* A write to a closed peer: EPIPE, the process goes on (with its own handler, the
     * handler ran). */
    REQUIRE_HR(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 ? S_OK : E_FAIL, S_OK);
    close(sv[1]);
    CHECK(write(sv[0], "x", 1) == -1 && errno == EPIPE);
    close(sv[0]);
    CHECK(own == (int)caught);

    CHECK_HR(PeerGroupShutdown(), S_OK);
    return check_report("sigpipe");
}
