/*
 * Several threads start up and shut down grouping and probe invalid handles at once;
 * the startup count must come back to zero. Built and run (also under valgrind) by
 * crates/peernet-capi/tests/c_abi/c_programs.rs.
 */
#include <pthread.h>
#include <stdio.h>

#include "p2p.h"

#define THREADS 4
#define ROUNDS 500

static void *worker(void *arg)
{
    int i;
    long bad = 0;
    (void)arg;
    for (i = 0; i < ROUNDS; i++) {
        PEER_VERSION_DATA v;
        ULONG n = 1;
        PVOID *items = NULL;
        if (PeerGroupStartup(PEER_GROUP_VERSION, &v) != S_OK || v.wVersion != PEER_GROUP_VERSION)
            bad++;
        if (PeerGetNextItem((HPEERENUM)(ULONG_PTR)(0x1000u + (unsigned)i * 16u + 5u), &n, &items) != E_INVALIDARG
            || items != NULL)
            bad++;
        PeerFreeData(NULL);
        if (PeerGroupShutdown() != S_OK)
            bad++;
    }
    return (void *)bad;
}

int main(void)
{
    pthread_t t[THREADS];
    long failures = 0;
    int i;
    for (i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, NULL) != 0)
            return 2;
    for (i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        failures += (long)r;
    }
    if (PeerGroupShutdown() != E_UNEXPECTED)
        failures++;
    if (failures != 0) {
        fprintf(stderr, "threads: %ld failure(s)\n", failures);
        return 1;
    }
    printf("threads: ok\n");
    return 0;
}
