/* The set of ESP sequence numbers a run has seen sent under one SPI: the
 * count of numbers sent twice (sequence-number reuse after a failover)
 * depends on it. */
#include <glib.h>

#include "seq_set.h"

static void test_counting_up_and_jumps(void)
{
    sim_seq_set *s = sim_seq_set_new();
    for (uint64_t q = 1; q <= 1000; q++)
        g_assert_true(sim_seq_set_add(s, q));
    g_assert_false(sim_seq_set_add(s, 1));
    g_assert_false(sim_seq_set_add(s, 500));
    g_assert_false(sim_seq_set_add(s, 1000));
    /* a member that jumped ahead by 100, then one that fell back by 10 */
    g_assert_true(sim_seq_set_add(s, 1100));
    g_assert_true(sim_seq_set_add(s, 1101));
    g_assert_false(sim_seq_set_add(s, 991));
    g_assert_true(sim_seq_set_add(s, 1001)); /* the gap fills from below */
    g_assert_true(sim_seq_set_add(s, 1099)); /* and from above */
    g_assert_false(sim_seq_set_add(s, 1100));
    g_assert_true(sim_seq_set_add(s, 0));
    g_assert_false(sim_seq_set_add(s, 0));
    g_assert_true(sim_seq_set_add(s, UINT64_MAX));
    g_assert_false(sim_seq_set_add(s, UINT64_MAX));
    sim_seq_set_free(s);
}

/* Against a hash set, in random order: runs merge, nothing is lost. */
static void test_matches_a_hash_set(void)
{
    GRand *r = g_rand_new_with_seed(7);
    sim_seq_set *s = sim_seq_set_new();
    GHashTable *oracle = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (int i = 0; i < 20000; i++) {
        uint64_t q = (uint64_t)g_rand_int_range(r, 0, 3000);
        bool fresh = !g_hash_table_contains(oracle, &q);
        if (fresh)
            g_hash_table_add(oracle, g_memdup2(&q, sizeof q));
        g_assert_cmpint(sim_seq_set_add(s, q), ==, fresh);
    }
    /* then every number once more, in order: the gaps fill and merge */
    for (uint64_t q = 0; q < 3000; q++)
        g_assert_cmpint(sim_seq_set_add(s, q), ==, !g_hash_table_contains(oracle, &q));
    for (uint64_t q = 0; q < 3000; q++)
        g_assert_false(sim_seq_set_add(s, q));
    g_assert_true(sim_seq_set_add(s, 3000));
    g_hash_table_destroy(oracle);
    sim_seq_set_free(s);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/seq-set/counting-up-and-jumps", test_counting_up_and_jumps);
    g_test_add_func("/seq-set/matches-a-hash-set", test_matches_a_hash_set);
    return g_test_run();
}
