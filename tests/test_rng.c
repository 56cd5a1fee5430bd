/* The deterministic byte generator the models draw SPIs, nonces and keys
 * from. */
#include <string.h>

#include <glib.h>

#include "rng.h"

static void test_known_answer(void)
{
    /* key = SHA-256("ikesim-rng-v1" || be64(1) || be64(1) || be64(0)),
     * keystream = AES-256-CTR(key, IV 0) over zeros; computed independently
     * with Python's hashlib and `openssl enc -aes-256-ctr`. */
    static const uint8_t want[32] = {
        0xc6, 0x25, 0x8e, 0xd3, 0xf2, 0x76, 0x8f, 0x68, 0x8b, 0xda, 0x6b, 0x71, 0x43, 0x19, 0x7b, 0x47,
        0xfa, 0x17, 0xef, 0x2f, 0xad, 0xba, 0x68, 0x48, 0x47, 0xaf, 0x10, 0xbe, 0x63, 0x1d, 0x9d, 0x76,
    };
    sim_rng *r = sim_rng_new(1, 1, 0);
    uint8_t got[32];
    g_assert_cmpint(sim_rng_bytes(r, got, sizeof got), ==, 0);
    g_assert_cmpmem(got, sizeof got, want, sizeof want);
    sim_rng_free(r);
}

static void test_split_invariance(void)
{
    sim_rng *a = sim_rng_new(5, 2, 9), *b = sim_rng_new(5, 2, 9);
    uint8_t whole[1000], parts[1000];
    sim_rng_bytes(a, whole, sizeof whole);
    size_t off = 0, step = 1;
    while (off < sizeof parts) {
        size_t n = MIN(step, sizeof parts - off);
        sim_rng_bytes(b, parts + off, n);
        off += n;
        step = step * 3 + 1; /* 1, 4, 13, 40, ... crosses block boundaries */
    }
    g_assert_cmpmem(whole, sizeof whole, parts, sizeof parts);
    sim_rng_free(a);
    sim_rng_free(b);
}

static void test_inputs_separate_streams(void)
{
    const uint64_t keys[][3] = {{1, 1, 0}, {2, 1, 0}, {1, 2, 0}, {1, 1, 1}, {1ull << 40, 1, 0}};
    uint8_t out[G_N_ELEMENTS(keys)][16];
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        sim_rng *r = sim_rng_new(keys[i][0], keys[i][1], keys[i][2]);
        sim_rng_bytes(r, out[i], 16);
        sim_rng_free(r);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        for (size_t j = i + 1; j < G_N_ELEMENTS(keys); j++)
            g_assert_true(memcmp(out[i], out[j], 16) != 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rng/known-answer", test_known_answer);
    g_test_add_func("/rng/split-invariance", test_split_invariance);
    g_test_add_func("/rng/inputs-separate-streams", test_inputs_separate_streams);
    return g_test_run();
}
