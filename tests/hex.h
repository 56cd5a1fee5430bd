/* hex.h — test vectors written as hex strings. */
#ifndef IKESIM_TESTS_HEX_H
#define IKESIM_TESTS_HEX_H

#include <stdint.h>
#include <string.h>

#include <glib.h>

/* Decodes s (an even number of hex digits) into out; returns the octets. */
static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    g_assert_cmpuint(strlen(s) % 2, ==, 0);
    g_assert_cmpuint(n, <=, cap);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(g_ascii_xdigit_value(s[2 * i]) << 4 | g_ascii_xdigit_value(s[2 * i + 1]));
    return n;
}

#endif
