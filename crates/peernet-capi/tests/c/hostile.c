/*
 * Hostile corpus rows through include/p2p.h and libpeernet_capi (the C-program variant of
 * crates/peernet-capi/tests/hardening_corpus.rs, run plain and under valgrind by
 * crates/peernet-capi/tests/c_abi/c_programs.rs).
 *
 *   hostile <list>   PEERNET_HOME: a store holding the corpus identity and group.
 *
 * <list>: line 1 the owner's peer name, line 2 the group peer name, then one row per line:
 * "<expected HRESULT, hex> <entry point> <file>", entry points as in
 * fixtures/hostile/manifest.txt. Each file is read whole, converted from UTF-8 to UTF-16
 * (the list holds UTF-8 files only) and given to its function; the HRESULT must be the
 * expected one; every returned buffer is freed with PeerFreeData, every handle closed.
 * Prints "hostile: ok" and exits 0 when every row behaved.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p.h"
#include "support.h"

/* "hostile corpus pässword" (tests/src/hostile.rs PASSWORD), UTF-8. */
static const char PASSWORD[] = "hostile corpus p\xc3\xa4ssword";

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

int main(int argc, char **argv)
{
    static char owner[512], group[512], line[4096];
    FILE *list;
    PEER_VERSION_DATA version;
    HGROUP hGroup = NULL;
    PWSTR wOwner, wGroup, wPassword;
    int failures = 0, rows = 0;
    HRESULT hr;

    if (argc != 2 || (list = fopen(argv[1], "r")) == NULL) {
        fprintf(stderr, "usage: hostile <list>\n");
        return 2;
    }
    if (fgets(owner, sizeof owner, list) == NULL || fgets(group, sizeof group, list) == NULL) {
        fprintf(stderr, "bad list\n");
        return 2;
    }
    chomp(owner);
    chomp(group);
    wOwner = utf16(owner);
    wGroup = utf16(group);
    wPassword = utf16(PASSWORD);

    hr = PeerGroupStartup(PEER_GROUP_VERSION, &version);
    if (hr != S_OK) {
        fprintf(stderr, "PeerGroupStartup: 0x%08X\n", (unsigned)hr);
        return 2;
    }
    hr = PeerGroupOpen(wOwner, wGroup, NULL, &hGroup);
    if (hr != S_OK) {
        fprintf(stderr, "PeerGroupOpen: 0x%08X\n", (unsigned)hr);
        return 2;
    }

    while (fgets(line, sizeof line, list) != NULL) {
        char entry[64], path[3072];
        unsigned long want;
        size_t len;
        char *bytes;
        PWSTR xml, s1 = NULL, s2 = NULL;
        HGROUP h = NULL;
        PEER_INVITATION_INFO *info = NULL;
        chomp(line);
        if (line[0] == 0) continue;
        if (sscanf(line, "%lx %63s %3071[^\n]", &want, entry, path) != 3) {
            fprintf(stderr, "bad row: %s\n", line);
            return 2;
        }
        bytes = read_file(path, &len);
        xml = utf16n(bytes, len);
        if (strcmp(entry, "identity_import") == 0) {
            hr = PeerIdentityImport(xml, wPassword, &s1);
        } else if (strcmp(entry, "group_import_config") == 0) {
            hr = PeerGroupImportConfig(xml, wPassword, FALSE, &s1, &s2);
        } else if (strcmp(entry, "group_join") == 0) {
            hr = PeerGroupJoin(wOwner, xml, NULL, &h);
            if (h != NULL) PeerGroupClose(h);
        } else if (strcmp(entry, "group_parse_invitation") == 0) {
            hr = PeerGroupParseInvitation(xml, &info);
            PeerFreeData(info);
        } else if (strcmp(entry, "create_invitation") == 0) {
            hr = PeerGroupCreateInvitation(hGroup, xml, NULL, 1, &PEER_GROUP_ROLE_MEMBER, &s1);
        } else {
            fprintf(stderr, "unknown entry point %s\n", entry);
            return 2;
        }
        PeerFreeData(s1);
        PeerFreeData(s2);
        if ((unsigned long)(unsigned)hr != want) {
            fprintf(stderr, "%s %s: 0x%08X, want 0x%08lX\n", path, entry, (unsigned)hr, want);
            failures++;
        }
        free(xml);
        free(bytes);
        rows++;
    }
    fclose(list);
    PeerGroupClose(hGroup);
    PeerGroupShutdown();
    free(wOwner);
    free(wGroup);
    free(wPassword);
    if (failures > 0 || rows == 0) {
        fprintf(stderr, "hostile: %d of %d rows failed\n", failures, rows);
        return 1;
    }
    printf("hostile: ok\n");
    return 0;
}
