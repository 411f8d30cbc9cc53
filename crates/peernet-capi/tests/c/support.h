/*
 * Helpers shared by the C test programs in this directory: checked allocation, reading a
 * whole file, and UTF-16 (C99 has no char16_t literals): UTF-8 to UTF-16 conversion, a
 * pool of argument strings and a comparison. Everything is static inline so that a
 * program may use only part of it.
 */
#ifndef PEERNET_TEST_SUPPORT_H
#define PEERNET_TEST_SUPPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p.h"

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* The whole file at `path`, NUL-terminated (caller frees with free()); its length in
 * *len. Exits with status 2 when it cannot be read. */
static inline char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf = (char *)xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* UTF-8 (n bytes, stops at a NUL like a C string) -> new NUL-terminated UTF-16 string
 * (caller frees with free()). */
static inline PWSTR utf16n(const char *s, size_t n)
{
    size_t i = 0, o = 0;
    PWSTR w = (PWSTR)xmalloc((n + 1) * sizeof(WCHAR));
    while (i < n && s[i] != 0) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        int extra;
        if (c < 0x80) { cp = c; extra = 0; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
        else { cp = c & 0x07; extra = 3; }
        i++;
        while (extra-- > 0 && i < n) {
            cp = (cp << 6) | ((unsigned char)s[i] & 0x3F);
            i++;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            w[o++] = (WCHAR)(0xD800 + (cp >> 10));
            w[o++] = (WCHAR)(0xDC00 + (cp & 0x3FF));
        } else {
            w[o++] = (WCHAR)cp;
        }
    }
    w[o] = 0;
    return w;
}

/* UTF-8 C string -> new NUL-terminated UTF-16 string (caller frees with free()). */
static inline PWSTR utf16(const char *s) { return utf16n(s, strlen(s)); }

/* Strings made by W() live until wfree_all(). */
#define MAX_W 128
static PWSTR w_made[MAX_W];
static int w_count = 0;

static inline PCWSTR W(const char *s)
{
    if (w_count == MAX_W) {
        fprintf(stderr, "too many strings\n");
        exit(2);
    }
    w_made[w_count] = utf16(s);
    return w_made[w_count++];
}

static inline void wfree_all(void)
{
    while (w_count > 0) free(w_made[--w_count]);
}

/* Two UTF-16 strings are equal (two NULLs are). */
static inline int wide_eq(PCWSTR w, PCWSTR v)
{
    if (w == NULL || v == NULL) return w == v;
    while (*w != 0 && *w == *v) { w++; v++; }
    return *w == *v;
}

#endif
