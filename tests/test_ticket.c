/* test_ticket.c — session tickets by value (RFC 5723 §6.1, App. A.1):
 * byte-exact sealing (the expected octets computed apart from this code with
 * python3-cryptography's AESGCM over the documented layout), and the refusals
 * a gateway owes: tampered, expired, under a retired or unknown key. */
#include <glib.h>
#include <string.h>

#include "hex.h"
#include "ike_ticket.h"

static const uint64_t S = 1000000000ull; /* ns */

static const char SEALED[] =
    "010000007469636b65746b31a0a1a2a3a4a5a6a7a8a9aaab010d733459a694386f7d15a291179d9ead3e07b12f"
    "888228c0bf84390eb5bdb5ab165ac4bbddf0bcee95b38c89b84e7b9744262e90db99a5b315ce880ab380d9eee4"
    "774d5984404eec1cfd4a7d3b09ecfb92ec0175ec266874cf2f1a49f44998ab30ba2d048cd385186121908e30f3";

static uint8_t KEY[32], NONCE[12];

static ike_ticket_state state(void)
{
    ike_ticket_state st = {
        .spi_i = 0x0102030405060708u, .spi_r = 0x1112131415161718u,
        .suite = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519 },
        .auth_method = IKE_AUTH_SHARED_KEY,
        .id_i_type = IKE_ID_FQDN, .id_i_len = 14, .id_r_type = IKE_ID_FQDN, .id_r_len = 10,
        .expires = 3605 * S,
    };
    memcpy(st.id_i, "client.example", 14);
    memcpy(st.id_r, "gw.example", 10);
    for (int i = 0; i < 32; i++)
        st.sk_d[i] = (uint8_t)(0x40 + i);
    return st;
}

static ike_ticket_keys keys(void)
{
    ike_ticket_keys k;
    ike_ticket_keys_init(&k, (const uint8_t *)"ticketk1", KEY);
    return k;
}

static size_t seal(const ike_ticket_keys *k, uint8_t *out, size_t cap)
{
    ike_ticket_state st = state();
    size_t len = 0;
    g_assert_cmpint(ike_ticket_seal(k, &st, NONCE, out, cap, &len), ==, IKE_OK);
    g_assert_cmpuint(len, ==, ike_ticket_len(&st));
    return len;
}

/* Opens a heap copy of exactly len octets. */
static int open_copy(const ike_ticket_keys *k, const uint8_t *t, size_t len, uint64_t now,
                     ike_ticket_state *st)
{
    uint8_t *c = g_memdup2(t, len);
    int rc = ike_ticket_open(k, c, len, now, st);
    g_free(c);
    return rc;
}

static void test_seal_bytes(void)
{
    ike_ticket_keys k = keys();
    uint8_t t[256], want[256];
    size_t len = seal(&k, t, sizeof t), wlen = unhex(SEALED, want, sizeof want);
    g_assert_cmpmem(t, len, want, wlen);
    ike_ticket_state st, ref = state();
    g_assert_cmpint(open_copy(&k, t, len, 5 * S, &st), ==, IKE_OK);
    g_assert_cmpmem(&st, sizeof st, &ref, sizeof ref);
    g_assert_cmpuint(ike_ticket_lifetime_s(&st, 5 * S), ==, 3600);
    g_assert_cmpuint(ike_ticket_lifetime_s(&st, 5 * S + 1), ==, 3599);
    g_assert_cmpint(ike_ticket_seal(&k, &ref, NONCE, t, len - 1, &len), ==, IKE_E_SPACE);
}

/* One flipped bit anywhere: a wrong version is no ticket, a wrong key id
 * names no key, everything else fails the tag. */
static void test_tampered(void)
{
    ike_ticket_keys k = keys();
    uint8_t t[256];
    size_t len = seal(&k, t, sizeof t);
    for (size_t i = 0; i < len; i++) {
        ike_ticket_state st;
        t[i] ^= 0x01;
        int want = i == 0 ? IKE_E_SYNTAX : i >= 4 && i < 12 ? IKE_E_TICKET_KEY : IKE_E_ICV;
        g_assert_cmpint(open_copy(&k, t, len, 5 * S, &st), ==, want);
        t[i] ^= 0x01;
    }
    for (size_t cut = 0; cut < len; cut++) {
        ike_ticket_state st;
        int rc = open_copy(&k, t, cut, 5 * S, &st);
        g_assert_true(rc == IKE_E_TRUNCATED || rc == IKE_E_ICV);
    }
}

static void test_expired(void)
{
    ike_ticket_keys k = keys();
    uint8_t t[256];
    size_t len = seal(&k, t, sizeof t);
    ike_ticket_state st;
    g_assert_cmpint(open_copy(&k, t, len, 3605 * S - 1, &st), ==, IKE_OK);
    g_assert_cmpint(open_copy(&k, t, len, 3605 * S, &st), ==, IKE_E_EXPIRED);
    g_assert_cmpuint(st.expires, ==, 0); /* nothing handed out */
}

/* Rolled over at 100 s with 600 s of grace: the old key opens its tickets
 * until 700 s, then none; after three more rollovers it is forgotten. */
static void test_rollover(void)
{
    ike_ticket_keys k = keys();
    uint8_t t[256], t2[256], key2[32];
    size_t len = seal(&k, t, sizeof t);
    memset(key2, 0x5a, sizeof key2);
    ike_ticket_keys_roll(&k, (const uint8_t *)"ticketk2", key2, 100 * S, 600 * S);
    ike_ticket_state st;
    g_assert_cmpint(open_copy(&k, t, len, 700 * S - 1, &st), ==, IKE_OK);
    g_assert_cmpint(open_copy(&k, t, len, 700 * S, &st), ==, IKE_E_TICKET_KEY);
    /* new tickets are under the new key, which a gateway without it refuses */
    size_t len2 = seal(&k, t2, sizeof t2);
    g_assert_cmpmem(t2 + 4, 8, "ticketk2", 8);
    g_assert_cmpint(open_copy(&k, t2, len2, 700 * S, &st), ==, IKE_OK);
    ike_ticket_keys other = keys();
    g_assert_cmpint(open_copy(&other, t2, len2, 5 * S, &st), ==, IKE_E_TICKET_KEY);
    /* the keys are a value: what survives a crash opens the same tickets */
    ike_ticket_keys stored = k;
    g_assert_cmpint(open_copy(&stored, t, len, 699 * S, &st), ==, IKE_OK);
    /* three more rollovers, no grace limit: ticketk1 drops out of the four kept */
    const char *ids[] = { "ticketk3", "ticketk4", "ticketk5" };
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(open_copy(&k, t, len, 200 * S, &st), ==, IKE_OK);
        ike_ticket_keys_roll(&k, (const uint8_t *)ids[i], key2, 100 * S, UINT64_MAX);
    }
    g_assert_cmpuint(k.n_old, ==, 3);
    g_assert_cmpint(open_copy(&k, t, len, 200 * S, &st), ==, IKE_E_TICKET_KEY);
    g_assert_cmpint(open_copy(&k, t2, len2, 3000 * S, &st), ==, IKE_OK); /* ticketk2: no grace limit */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (int i = 0; i < 32; i++)
        KEY[i] = (uint8_t)(0x80 + i);
    for (int i = 0; i < 12; i++)
        NONCE[i] = (uint8_t)(0xa0 + i);
    g_test_add_func("/ticket/seal-bytes", test_seal_bytes);
    g_test_add_func("/ticket/tampered", test_tampered);
    g_test_add_func("/ticket/expired", test_expired);
    g_test_add_func("/ticket/rollover", test_rollover);
    return g_test_run();
}
