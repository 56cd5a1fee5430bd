/* test_lifetime.c — rekey and expiry times as strongSwan 5.9 computes them
 * (model/ike_lifetime.h cites the sources), at exact seconds, and the
 * simultaneous-rekey verdict of RFC 7296 §2.8.1 on crafted nonces. */
#include <glib.h>
#include <string.h>

#include "ike_collide.h"
#include "ike_lifetime.h"

static const uint64_t S = 1000000000ull;
enum { U = IKE_LFT_UNSET };

static void assert_ike(ike_sa_lifetime l, uint32_t rekey, uint32_t reauth, uint32_t over, uint32_t rnd)
{
    ike_sa_lifetime_resolve(&l);
    g_assert_cmpuint(l.rekey_s, ==, rekey);
    g_assert_cmpuint(l.reauth_s, ==, reauth);
    g_assert_cmpuint(l.over_s, ==, over);
    g_assert_cmpuint(l.rand_s, ==, rnd);
}

static void test_ike_defaults(void)
{
    assert_ike((ike_sa_lifetime){ U, U, U, U }, 14400, 0, 1440, 1440); /* 4 h, 10 %, min(over, 2 h) */
    assert_ike((ike_sa_lifetime){ 3600, U, U, U }, 3600, 0, 360, 360);
    assert_ike((ike_sa_lifetime){ U, 3600, U, U }, 0, 3600, 360, 360);  /* reauth only: no rekey */
    assert_ike((ike_sa_lifetime){ 7200, 3600, U, U }, 7200, 3600, 720, 720);
    assert_ike((ike_sa_lifetime){ 600, U, U, U }, 600, 0, 60, 60);
    assert_ike((ike_sa_lifetime){ 14400, U, 100, U }, 14400, 0, 100, 100); /* rand <= over */
    assert_ike((ike_sa_lifetime){ 14400, U, U, 0 }, 14400, 0, 1440, 0);
}

static void test_ike_times(void)
{
    ike_sa_lifetime l = { U, U, U, U };
    ike_sa_lifetime_resolve(&l);
    uint64_t t0 = 10 * S;
    ike_sa_times t = ike_sa_times_at(&l, t0, 0, 0);
    g_assert_cmpuint(t.rekey_at, ==, t0 + 14400 * S);
    g_assert_cmpuint(t.reauth_at, ==, 0);
    g_assert_cmpuint(t.expire_at, ==, t0 + 15840 * S);
    /* the draw seen in a lab log: "rekeying in 14299s", "maximum IKE_SA lifetime 15739s" */
    t = ike_sa_times_at(&l, t0, 101, 0);
    g_assert_cmpuint(t.rekey_at, ==, t0 + 14299 * S);
    g_assert_cmpuint(t.expire_at, ==, t0 + 15739 * S);
    /* the jitter is draw % 1440 over the low 31 bits: 2^31 - 1 = 1491308 * 1440 + 127 */
    g_assert_cmpuint(ike_sa_times_at(&l, t0, 0x7fffffffu, 0).rekey_at, ==, t0 + 14273 * S);
    g_assert_cmpuint(ike_sa_times_at(&l, t0, 0xffffffffu, 0).rekey_at, ==, t0 + 14273 * S);
    g_assert_cmpuint(ike_sa_times_at(&l, t0, 1439, 0).rekey_at, ==, t0 + 12961 * S);
    g_assert_cmpuint(ike_sa_times_at(&l, t0, 1440, 0).rekey_at, ==, t0 + 14400 * S);

    /* rekey and reauth, each with its own draw; the hard limit follows the earlier */
    l = (ike_sa_lifetime){ 7200, 3600, U, U };
    ike_sa_lifetime_resolve(&l);
    t = ike_sa_times_at(&l, t0, 0, 100);
    g_assert_cmpuint(t.rekey_at, ==, t0 + 7200 * S);
    g_assert_cmpuint(t.reauth_at, ==, t0 + 3500 * S);
    g_assert_cmpuint(t.expire_at, ==, t0 + 4220 * S);
    /* neither: the SA lives until deleted */
    l = (ike_sa_lifetime){ 0, 0, 0, 0 };
    t = ike_sa_times_at(&l, t0, 5, 5);
    g_assert_cmpuint(t.rekey_at + t.reauth_at + t.expire_at, ==, 0);
    /* a rand_time beyond the rekey time still rekeys, a second in */
    l = (ike_sa_lifetime){ 10, 0, 5, 100 };
    g_assert_cmpuint(ike_sa_times_at(&l, t0, 50, 0).rekey_at, ==, t0 + 1 * S);
}

static void test_child(void)
{
    ike_child_lifetime l = { U, U, U };
    ike_child_lifetime_resolve(&l);
    g_assert_cmpuint(l.rekey_s, ==, 3600);
    g_assert_cmpuint(l.life_s, ==, 3960);
    g_assert_cmpuint(l.rand_s, ==, 360);
    uint64_t t0 = 7 * S;
    ike_sa_times t = ike_child_times_at(&l, t0, 0, 0);
    g_assert_cmpuint(t.rekey_at, ==, t0 + 3600 * S);
    g_assert_cmpuint(t.expire_at, ==, t0 + 3960 * S);
    g_assert_cmpuint(t.reauth_at, ==, 0);
    /* 3600 - 361 * 0.5 = 3419.5, truncated; the pair rekeys at its earlier SA */
    g_assert_cmpuint(ike_child_times_at(&l, t0, 1u << 30, 0).rekey_at, ==, t0 + 3419 * S);
    g_assert_cmpuint(ike_child_times_at(&l, t0, 0, 1u << 30).rekey_at, ==, t0 + 3419 * S);
    /* the largest draw: 3600 - 361 * (1 - 2^-31) = 3239.0000002 -> 3239 */
    t = ike_child_times_at(&l, t0, 0x7fffffffu, 1u << 30);
    g_assert_cmpuint(t.rekey_at, ==, t0 + 3239 * S);
    g_assert_cmpuint(t.expire_at, ==, t0 + 3960 * S); /* no jitter on the hard limit */

    l = (ike_child_lifetime){ 1200, U, U };
    ike_child_lifetime_resolve(&l);
    g_assert_cmpuint(l.life_s, ==, 1320);
    g_assert_cmpuint(l.rand_s, ==, 120);
    l = (ike_child_lifetime){ 1200, 1000, U }; /* life below rekey: no jitter */
    ike_child_lifetime_resolve(&l);
    g_assert_cmpuint(l.rand_s, ==, 0);
    g_assert_cmpuint(ike_child_times_at(&l, 0, 0x7fffffffu, 0x7fffffffu).rekey_at, ==, 1200 * S);
    l = (ike_child_lifetime){ 0, 0, 0 };
    t = ike_child_times_at(&l, t0, 1, 1);
    g_assert_cmpuint(t.rekey_at + t.expire_at, ==, 0);
}

/* ---- §2.8.1 -------------------------------------------------------------- */

static void test_nonce_order(void)
{
    static const uint8_t a[] = { 1, 2, 3 }, a0[] = { 1, 2, 3, 0 };
    static const uint8_t two[] = { 0x02, 0x00 }, big[] = { 0x01, 0xff, 0xff };
    g_assert_cmpint(ike_nonce_cmp(a, 3, a0, 4), <, 0); /* ends first: lower */
    g_assert_cmpint(ike_nonce_cmp(a0, 4, a, 3), >, 0);
    g_assert_cmpint(ike_nonce_cmp(a, 3, a, 3), ==, 0);
    /* octets, not integers: 0x0200 < 0x01ffff as numbers, but not here */
    g_assert_cmpint(ike_nonce_cmp(two, 2, big, 3), >, 0);
    g_assert_cmpint(ike_nonce_cmp(a, 0, a, 3), <, 0);
}

/* A's exchange: Ni = n[0], Nr = n[1]; B's: Ni = n[2], Nr = n[3].  The
 * lowest at position k: the exchange holding it (k < 2: A's) loses. */
static void test_collision(void)
{
    for (int k = 0; k < 4; k++) {
        uint8_t n[4][16];
        for (int i = 0; i < 4; i++)
            memset(n[i], 0x40 + 0x10 * i, 16);
        n[k][0] = 0x01; /* lowest in its first octet */
        ike_collision a = ike_rekey_collision(n[0], 16, n[1], 16, n[2], 16, n[3], 16);
        ike_collision b = ike_rekey_collision(n[2], 16, n[3], 16, n[0], 16, n[1], 16);
        g_test_message("lowest at %d", k);
        g_assert_cmpint(a, ==, k < 2 ? IKE_COLLISION_LOST : IKE_COLLISION_WON);
        g_assert_cmpint(b, ==, k < 2 ? IKE_COLLISION_WON : IKE_COLLISION_LOST);
    }
    /* decided by the last octet, and by length: B's Nr is a prefix of A's Ni */
    uint8_t ni_a[32], nr_a[32], ni_b[32], nr_b[24];
    memset(ni_a, 0x33, 32);
    memset(nr_a, 0x77, 32);
    memset(ni_b, 0x33, 32);
    ni_b[31] = 0x34;
    memset(nr_b, 0x33, 24);
    g_assert_cmpint(ike_rekey_collision(ni_a, 32, nr_a, 32, ni_b, 32, nr_b, 24), ==, IKE_COLLISION_WON);
    g_assert_cmpint(ike_rekey_collision(ni_b, 32, nr_b, 24, ni_a, 32, nr_a, 32), ==, IKE_COLLISION_LOST);
    /* without the short one, A's Ni (…33) is below B's Ni (…34): A loses */
    g_assert_cmpint(ike_rekey_collision(ni_a, 32, nr_a, 32, ni_b, 32, nr_a, 32), ==, IKE_COLLISION_LOST);
    /* a repeated lowest nonce in both exchanges: both win, no SA is lost */
    g_assert_cmpint(ike_rekey_collision(ni_a, 32, nr_a, 32, ni_a, 32, nr_a, 32), ==, IKE_COLLISION_WON);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lifetime/ike/defaults", test_ike_defaults);
    g_test_add_func("/lifetime/ike/times", test_ike_times);
    g_test_add_func("/lifetime/child", test_child);
    g_test_add_func("/collide/nonce-order", test_nonce_order);
    g_test_add_func("/collide/verdict", test_collision);
    return g_test_run();
}
