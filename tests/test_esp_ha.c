/* ESP SA replication to a cluster member (RFC 6027 §3.4-§3.5, RFC 6311
 * §5.2): export/import keeps behaviour byte for byte, GCM nonces repeat
 * unless the new member skips ahead, the imported window answers as the
 * original did, and the two inbound policies after a stale failover
 * (lenient: replays accepted; strict: legitimate packets dropped). */
#include <glib.h>
#include <string.h>

#include "child_mirror.h"
#include "esp.h"
#include "esp_ha.h"

/* ---------- helpers ---------- */

enum { SPI_A = 0x0a0b0c0d, SPI_B = 0x51525354, PAYLOAD = 40, PKT = 256 };
#define TWO32 (UINT64_C(1) << 32)

static const ike_suite GCM = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0, 0 };
static const ike_suite CBC = { IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 0, 0 };

static bool is_gcm(const ike_suite *s) { return s->encr == IKE_ENCR_AES_GCM_16; }

/* The member's child: out SPI_A, in SPI_B, a different key per direction. */
static ike_child make_child(const ike_suite *s, bool esn)
{
    ike_child c;
    memset(&c, 0, sizeof c);
    c.suite = *s;
    c.esn = esn;
    c.spi_out = SPI_A;
    c.spi_in = SPI_B;
    size_t k = s->encr_bits / 8u + (is_gcm(s) ? 4u : 0u);
    for (size_t i = 0; i < k; i++) {
        c.key_out[i] = (uint8_t)(0x31 * i + 7);
        c.key_in[i] = (uint8_t)(0x17 * i + 99);
    }
    if (!is_gcm(s))
        for (size_t i = 0; i < IKE_PRF_LEN; i++) {
            c.integ_out[i] = (uint8_t)(0x05 * i + 1);
            c.integ_in[i] = (uint8_t)(0x0b * i + 3);
        }
    return c;
}

/* CBC IVs: the same 16 octets every time, so two SAs given the same
 * inputs produce the same bytes. */
static void const_iv(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 0x5c, len);
}

static esp_cfg cfg_of(uint32_t window, bool anti_replay)
{
    esp_cfg cfg;
    esp_cfg_defaults(&cfg);
    cfg.window = window;
    cfg.anti_replay = anti_replay;
    cfg.random = const_iv;
    return cfg;
}

static esp_sa *sa_make(const ike_child *c, uint32_t window)
{
    esp_cfg cfg = cfg_of(window, true);
    esp_sa *sa = NULL;
    g_assert_cmpint(esp_sa_new(c, &cfg, &sa), ==, ESP_OK);
    return sa;
}

/* export, then import with the importer's own cfg (random only). */
static esp_sa *clone_sa(const esp_sa *sa)
{
    esp_sa_state st;
    g_assert_cmpint(esp_sa_export(sa, &st), ==, ESP_OK);
    esp_cfg cfg = cfg_of(ESP_WINDOW_DEFAULT, true);
    esp_sa *out = NULL;
    g_assert_cmpint(esp_sa_import(&st, &cfg, &out), ==, ESP_OK);
    g_assert_nonnull(out);
    memset(&st, 0, sizeof st);
    return out;
}

/* Seals a payload that depends on tag; returns the packet. */
static GBytes *seal(esp_sa *tx, uint8_t tag)
{
    uint8_t in[PAYLOAD], out[PKT];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(tag + 3 * i);
    size_t n = 0;
    g_assert_cmpint(esp_sa_seal(tx, ESP_NH_IPV4, in, sizeof in, out, sizeof out, &n), ==,
                    ESP_OK);
    return g_bytes_new(out, n);
}

/* A packet numbered seq under c's outbound keys, from a fresh sender. */
static GBytes *pkt_at(const ike_child *c, uint64_t seq)
{
    esp_sa *tx = sa_make(c, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(esp_sa_skip(tx, seq - 1), ==, ESP_OK);
    GBytes *b = seal(tx, (uint8_t)seq);
    esp_sa_free(tx);
    return b;
}

static int open_pkt(esp_sa *rx, GBytes *b, uint64_t *seq)
{
    uint8_t plain[PKT];
    gsize n;
    const uint8_t *p = g_bytes_get_data(b, &n);
    esp_rx r;
    int rc = esp_sa_open(rx, p, n, plain, sizeof plain, &r);
    if (seq != NULL)
        *seq = rc == ESP_OK ? r.seq : 0;
    return rc;
}

/* Delivers a fresh packet seq from the peer (peer = mirror of rx's child). */
static int rx_seq(esp_sa *rx, const ike_child *peer, uint64_t seq)
{
    GBytes *b = pkt_at(peer, seq);
    uint64_t got = 0;
    int rc = open_pkt(rx, b, &got);
    if (rc == ESP_OK)
        g_assert_cmpuint(got, ==, seq);
    g_bytes_unref(b);
    return rc;
}

static uint64_t iv_of(GBytes *b)
{
    const uint8_t *p = g_bytes_get_data(b, NULL);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[8 + i];
    return v;
}

static void assert_state_equal(const esp_sa_state *a, const esp_sa_state *b)
{
    g_assert_cmpuint(a->spi_in, ==, b->spi_in);
    g_assert_cmpuint(a->spi_out, ==, b->spi_out);
    g_assert_true(memcmp(&a->suite, &b->suite, sizeof a->suite) == 0);
    g_assert_cmpint(a->esn, ==, b->esn);
    g_assert_true(memcmp(a->key_out, b->key_out, sizeof a->key_out) == 0);
    g_assert_true(memcmp(a->key_in, b->key_in, sizeof a->key_in) == 0);
    g_assert_true(memcmp(a->integ_out, b->integ_out, sizeof a->integ_out) == 0);
    g_assert_true(memcmp(a->integ_in, b->integ_in, sizeof a->integ_in) == 0);
    g_assert_cmpuint(a->tx_next, ==, b->tx_next);
    g_assert_cmpint(a->anti_replay, ==, b->anti_replay);
    g_assert_cmpuint(a->window, ==, b->window);
    g_assert_cmpuint(a->rx_top, ==, b->rx_top);
    g_assert_true(memcmp(a->rx_map, b->rx_map, sizeof a->rx_map) == 0);
}

/* ---------- round trip ---------- */

/* Some traffic both ways (with ESN across the 2^32 boundary), export,
 * import: the next packets of the original and the copy are the same bytes,
 * the peer accepts the copy's, the copy accepts the peer's, and exporting
 * the copy gives the same state. */
static void roundtrip(const ike_suite *s, bool esn)
{
    ike_child c = make_child(s, esn), m = child_mirror(&c);
    esp_sa *orig = sa_make(&c, ESP_WINDOW_DEFAULT), *peer = sa_make(&m, ESP_WINDOW_DEFAULT);
    uint64_t base = esn ? TWO32 - 3 : 0;
    g_assert_cmpint(esp_sa_skip(orig, base), ==, ESP_OK);
    g_assert_cmpint(esp_sa_skip(peer, base), ==, ESP_OK);
    /* a receiver whose edge is 0 cannot place a low half near 2^32 (App.
     * A2.2 case B would need epoch -1): start both edges at base */
    g_assert_cmpint(esp_sa_rx_advance(orig, base, ESP_RX_STRICT), ==, ESP_OK);
    g_assert_cmpint(esp_sa_rx_advance(peer, base, ESP_RX_STRICT), ==, ESP_OK);
    for (int i = 0; i < 6; i++) {
        GBytes *a = seal(orig, (uint8_t)i), *b = seal(peer, (uint8_t)(100 + i));
        g_assert_cmpint(open_pkt(peer, a, NULL), ==, ESP_OK);
        if (i != 2) /* a hole the window must remember */
            g_assert_cmpint(open_pkt(orig, b, NULL), ==, ESP_OK);
        g_bytes_unref(a);
        g_bytes_unref(b);
    }
    g_assert_cmpuint(esp_sa_rx_highest(orig), ==, base + 6);

    esp_sa *copy = clone_sa(orig);
    g_assert_cmpuint(esp_sa_spi_in(copy), ==, SPI_B);
    g_assert_cmpuint(esp_sa_spi_out(copy), ==, SPI_A);
    g_assert_cmpint(esp_sa_esn(copy), ==, esn);
    g_assert_cmpuint(esp_sa_next_seq(copy), ==, base + 7);
    g_assert_cmpuint(esp_sa_rx_highest(copy), ==, base + 6);
    g_assert_cmpuint(esp_sa_stats(copy)->sent, ==, 0); /* statistics are local */

    esp_sa_state s1, s2;
    g_assert_cmpint(esp_sa_export(orig, &s1), ==, ESP_OK);
    g_assert_cmpint(esp_sa_export(copy, &s2), ==, ESP_OK);
    assert_state_equal(&s1, &s2);

    GBytes *a = seal(orig, 42), *b = seal(copy, 42);
    g_assert_true(g_bytes_equal(a, b));
    uint64_t seq = 0;
    g_assert_cmpint(open_pkt(peer, b, &seq), ==, ESP_OK);
    g_assert_cmpuint(seq, ==, base + 7);
    g_bytes_unref(a);
    g_bytes_unref(b);

    /* inbound: the hole is still open in both, the rest is a replay */
    GBytes *hole = pkt_at(&m, base + 3), *dup = pkt_at(&m, base + 4);
    g_assert_cmpint(open_pkt(copy, dup, NULL), ==, ESP_E_REPLAY);
    g_assert_cmpint(open_pkt(orig, dup, NULL), ==, ESP_E_REPLAY);
    g_assert_cmpint(open_pkt(copy, hole, &seq), ==, ESP_OK);
    g_assert_cmpuint(seq, ==, base + 3);
    g_assert_cmpint(open_pkt(orig, hole, NULL), ==, ESP_OK);
    g_bytes_unref(hole);
    g_bytes_unref(dup);
    esp_sa_free(orig);
    esp_sa_free(copy);
    esp_sa_free(peer);
}

static void test_roundtrip_gcm(void) { roundtrip(&GCM, false); }
static void test_roundtrip_gcm_esn(void) { roundtrip(&GCM, true); }
static void test_roundtrip_cbc(void) { roundtrip(&CBC, false); }
static void test_roundtrip_cbc_esn(void) { roundtrip(&CBC, true); }

/* A spent counter travels as tx_next 0 and stays spent. */
static void test_roundtrip_exhausted(void)
{
    ike_child c = make_child(&GCM, false);
    esp_sa *orig = sa_make(&c, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(esp_sa_skip(orig, UINT32_MAX - 1), ==, ESP_OK);
    GBytes *last = seal(orig, 1);
    g_assert_cmpuint(iv_of(last), ==, UINT32_MAX);
    g_bytes_unref(last);
    esp_sa_state st;
    g_assert_cmpint(esp_sa_export(orig, &st), ==, ESP_OK);
    g_assert_cmpuint(st.tx_next, ==, 0);
    esp_sa *copy = clone_sa(orig);
    g_assert_cmpuint(esp_sa_next_seq(copy), ==, 0);
    uint8_t in[4] = {0}, out[PKT];
    size_t n = 0;
    g_assert_cmpint(esp_sa_seal(copy, 4, in, sizeof in, out, sizeof out, &n), ==,
                    ESP_E_SEQ_EXHAUSTED);
    esp_sa_free(orig);
    esp_sa_free(copy);
}

/* Anti-replay off and a non-default window travel with the state; the
 * importer's cfg cannot change them. */
static void test_roundtrip_window_and_policy(void)
{
    ike_child c = make_child(&GCM, false), m = child_mirror(&c);
    esp_cfg cfg = cfg_of(1000, false);
    esp_sa *orig = NULL;
    g_assert_cmpint(esp_sa_new(&c, &cfg, &orig), ==, ESP_OK);
    g_assert_cmpint(rx_seq(orig, &m, 500), ==, ESP_OK);
    esp_sa_state st;
    g_assert_cmpint(esp_sa_export(orig, &st), ==, ESP_OK);
    g_assert_cmpuint(st.window, ==, 1000);
    g_assert_false(st.anti_replay);
    esp_cfg other = cfg_of(32, true);
    esp_sa *copy = NULL;
    g_assert_cmpint(esp_sa_import(&st, &other, &copy), ==, ESP_OK);
    g_assert_cmpint(rx_seq(copy, &m, 500), ==, ESP_OK); /* no replay check */
    g_assert_cmpint(rx_seq(copy, &m, 1), ==, ESP_OK);   /* nor a stale one */
    esp_sa_state again;
    g_assert_cmpint(esp_sa_export(copy, &again), ==, ESP_OK);
    g_assert_cmpuint(again.window, ==, 1000);
    g_assert_false(again.anti_replay);
    esp_sa_free(orig);
    esp_sa_free(copy);
}

/* ---------- GCM nonces across a failover ---------- */

/* The old member keeps sending after the export; a copy that continues at
 * the exported number seals its first packet under the same key and nonce
 * as the old member did: the keystreams cancel, ct1 ^ ct2 = pt1 ^ pt2. */
static void test_nonce_repeat_without_skip(void)
{
    ike_child c = make_child(&GCM, false);
    esp_sa *old = sa_make(&c, ESP_WINDOW_DEFAULT);
    for (int i = 0; i < 10; i++)
        g_bytes_unref(seal(old, (uint8_t)i));
    esp_sa *copy = clone_sa(old);
    GBytes *a = seal(old, 0x11), *b = seal(copy, 0x77); /* different plaintexts */
    g_assert_cmpuint(iv_of(a), ==, 11);
    g_assert_cmpuint(iv_of(b), ==, 11); /* the same nonce under the same key */
    gsize na, nb;
    const uint8_t *pa = g_bytes_get_data(a, &na), *pb = g_bytes_get_data(b, &nb);
    g_assert_cmpuint(na, ==, nb);
    g_assert_true(memcmp(pa, pb, 16) == 0); /* SPI, number, IV */
    for (size_t i = 0; i < PAYLOAD; i++) {
        uint8_t pt_a = (uint8_t)(0x11 + 3 * i), pt_b = (uint8_t)(0x77 + 3 * i);
        g_assert_cmpuint(pa[16 + i] ^ pb[16 + i], ==, pt_a ^ pt_b);
    }
    g_bytes_unref(a);
    g_bytes_unref(b);
    esp_sa_free(old);
    esp_sa_free(copy);
}

/* The old member sends k packets after the export.  A skip of k (or more)
 * before the copy's first packet keeps every nonce unique; k - 1 repeats
 * exactly one. */
static guint repeats_after_skip(uint64_t sent_after, uint64_t skip, uint64_t copy_sends)
{
    ike_child c = make_child(&GCM, false);
    esp_sa *old = sa_make(&c, ESP_WINDOW_DEFAULT);
    GHashTable *used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    guint repeats = 0;
    esp_sa *copy = NULL;
    for (int phase = 0; phase < 3; phase++) {
        esp_sa *tx = phase == 2 ? copy : old;
        uint64_t n = phase == 0 ? 20 : phase == 1 ? sent_after : copy_sends;
        if (phase == 1) {
            copy = clone_sa(old);
            g_assert_cmpint(esp_sa_skip(copy, skip), ==, ESP_OK);
        }
        for (uint64_t i = 0; i < n; i++) {
            GBytes *b = seal(tx, (uint8_t)i);
            gint64 *iv = g_new(gint64, 1);
            *iv = (gint64)iv_of(b);
            g_bytes_unref(b);
            if (!g_hash_table_add(used, iv))
                repeats++;
        }
    }
    g_hash_table_destroy(used);
    esp_sa_free(old);
    esp_sa_free(copy);
    return repeats;
}

static void test_nonce_skip_margin(void)
{
    g_assert_cmpuint(repeats_after_skip(300, 0, 300), ==, 300); /* every one repeats */
    g_assert_cmpuint(repeats_after_skip(300, 299, 300), ==, 1);
    g_assert_cmpuint(repeats_after_skip(300, 300, 300), ==, 0);
    g_assert_cmpuint(repeats_after_skip(300, 1000, 300), ==, 0); /* rate x interval, rounded up */
}

/* RFC 6311 §5.2's jump when the rate is unknown: 2^30 fits a 32-bit SA
 * that has used at most 2^32 - 1 - 2^30 numbers; the peer takes the jump. */
static void test_nonce_skip_2p30(void)
{
    ike_child c = make_child(&GCM, false), m = child_mirror(&c);
    esp_sa *old = sa_make(&c, ESP_WINDOW_DEFAULT), *peer = sa_make(&m, ESP_WINDOW_DEFAULT);
    for (int i = 0; i < 5; i++) {
        GBytes *b = seal(old, (uint8_t)i);
        g_assert_cmpint(open_pkt(peer, b, NULL), ==, ESP_OK);
        g_bytes_unref(b);
    }
    esp_sa *copy = clone_sa(old);
    g_assert_cmpint(esp_sa_skip(copy, UINT64_C(1) << 30), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_next_seq(copy), ==, (UINT64_C(1) << 30) + 6);
    GBytes *b = seal(copy, 9);
    uint64_t seq = 0;
    g_assert_cmpint(open_pkt(peer, b, &seq), ==, ESP_OK);
    g_assert_cmpuint(seq, ==, (UINT64_C(1) << 30) + 6);
    g_bytes_unref(b);
    /* a 32-bit SA close to its end cannot jump: rekey instead */
    g_assert_cmpint(esp_sa_skip(copy, UINT32_MAX), ==, ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpuint(esp_sa_next_seq(copy), ==, (UINT64_C(1) << 30) + 7);
    esp_sa_free(old);
    esp_sa_free(copy);
    esp_sa_free(peer);
}

/* ---------- the imported receiver ---------- */

/* After an irregular history (holes, reordering), the copy gives the same
 * answer as the original for every number around the window, one after
 * another (so the windows keep moving together). */
static void same_answers(bool esn, uint32_t window)
{
    ike_child c = make_child(&GCM, esn), m = child_mirror(&c);
    esp_sa *orig = sa_make(&c, window);
    uint64_t base = esn ? TWO32 - 2 * (uint64_t)window : 0; /* ESN: across 2^32 */
    g_assert_cmpint(esp_sa_rx_advance(orig, base, ESP_RX_STRICT), ==, ESP_OK); /* see roundtrip */
    uint64_t top = 0, below = 0, hole = 0;
    for (uint64_t i = 3 * (uint64_t)window; i > 0; i--) { /* backwards: all reordered */
        if (i % 7 == 0 || i % 11 == 3) {
            hole = hole != 0 || top == 0 ? hole : base + i;
            continue;
        }
        int rc = rx_seq(orig, &m, base + i);
        if (top == 0 || top - (base + i) < window)
            g_assert_cmpint(rc, ==, ESP_OK);
        else /* left of the window; with ESN App. A2.2 may place it in the
              * next epoch instead, where integrity rejects it */
            g_assert_true(rc == ESP_E_STALE || (esn && rc == ESP_E_ICV));
        if (top == 0)
            top = base + i;
        else if (below == 0)
            below = base + i;
    }
    g_assert_cmpuint(esp_sa_rx_highest(orig), ==, top);
    g_assert_cmpuint(top - hole, <, window);

    esp_sa *copy = clone_sa(orig);
    /* duplicates within the window are still duplicates (the hole is
     * filled in both, so the comparison below starts from equal windows) */
    g_assert_cmpint(rx_seq(copy, &m, top), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(copy, &m, below), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(copy, &m, top - window), ==, esn ? ESP_E_ICV : ESP_E_STALE);
    g_assert_cmpint(rx_seq(orig, &m, hole), ==, ESP_OK); /* a hole in both... */
    g_assert_cmpint(rx_seq(copy, &m, hole), ==, ESP_OK);
    g_assert_cmpint(rx_seq(copy, &m, hole), ==, ESP_E_REPLAY); /* ...filled once */
    guint checked = 0;
    for (uint64_t s = top - window - 3; s <= top + window + 3; s += 1) {
        GBytes *b = pkt_at(&m, s);
        int want = open_pkt(orig, b, NULL), got = open_pkt(copy, b, NULL);
        if (want != got)
            g_test_message("seq %" G_GUINT64_FORMAT ": original %s, copy %s", s,
                           esp_strerror(want), esp_strerror(got));
        g_assert_cmpint(got, ==, want);
        g_bytes_unref(b);
        checked++;
    }
    g_assert_cmpuint(checked, ==, 2 * window + 7);
    g_assert_cmpuint(esp_sa_rx_highest(copy), ==, esp_sa_rx_highest(orig));
    esp_sa_free(orig);
    esp_sa_free(copy);
}

static void test_rx_same_answers(void) { same_answers(false, 64); }
static void test_rx_same_answers_esn(void) { same_answers(true, 64); }
static void test_rx_same_answers_wide(void) { same_answers(false, 1024); }

/* ---------- stale state: the two inbound policies ----------
 *
 * The original member accepted 1..1000 from the peer; the state the new
 * member imports was exported when 600 was the right edge.  The peer's
 * packets 1..1000 were captured by an attacker. */

typedef struct stale {
    ike_child c, m;
    esp_sa *peer;        /* the peer's sender, at 1001 */
    GPtrArray *captured; /* [seq] = packet, 1..1000 */
    GHashTable *accepted;/* ground truth: numbers the cluster accepted (direct keys) */
    esp_sa *member;      /* the imported SA, state of 600 */
} stale;

static void stale_init(stale *t, uint32_t window)
{
    t->c = make_child(&GCM, false);
    t->m = child_mirror(&t->c);
    t->peer = sa_make(&t->m, window);
    t->captured = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    t->accepted = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(t->captured, NULL);
    esp_sa *old = sa_make(&t->c, window);
    esp_sa_state st;
    for (int i = 1; i <= 1000; i++) {
        GBytes *b = seal(t->peer, (uint8_t)i);
        g_ptr_array_add(t->captured, b);
        g_assert_cmpint(open_pkt(old, b, NULL), ==, ESP_OK);
        g_hash_table_add(t->accepted, GINT_TO_POINTER(i));
        if (i == 600)
            g_assert_cmpint(esp_sa_export(old, &st), ==, ESP_OK);
    }
    esp_sa_free(old); /* the old member dies */
    esp_cfg cfg = cfg_of(window, true);
    g_assert_cmpint(esp_sa_import(&st, &cfg, &t->member), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(t->member), ==, 600);
}

static void stale_free(stale *t)
{
    esp_sa_free(t->peer);
    esp_sa_free(t->member);
    g_ptr_array_free(t->captured, TRUE);
    g_hash_table_destroy(t->accepted);
}

static int replay(stale *t, uint64_t seq)
{
    return open_pkt(t->member, g_ptr_array_index(t->captured, seq), NULL);
}

static void test_stale_lenient(void)
{
    stale t;
    stale_init(&t, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(esp_sa_rx_advance(t.member, 500, ESP_RX_LENIENT), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(t.member), ==, 600); /* the stale edge stays */
    g_assert_cmpint(replay(&t, 600), ==, ESP_E_REPLAY); /* known to the state */
    g_assert_cmpint(replay(&t, 700), ==, ESP_OK); /* a replay, accepted */
    g_assert_true(g_hash_table_contains(t.accepted, GINT_TO_POINTER(700)));
    g_assert_cmpint(replay(&t, 700), ==, ESP_E_REPLAY); /* but only once more */
    /* the peer's packet sent before it applied its delta gets through */
    g_assert_cmpint(rx_seq(t.member, &t.m, 1050), ==, ESP_OK);
    stale_free(&t);
}

static void test_stale_strict(void)
{
    stale t;
    stale_init(&t, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(esp_sa_rx_advance(t.member, 500, ESP_RX_STRICT), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(t.member), ==, 1100);
    g_assert_cmpint(replay(&t, 700), ==, ESP_E_STALE); /* 1100 - 700 >= W = 64 */
    g_assert_cmpint(replay(&t, 1000), ==, ESP_E_STALE); /* every capture is left of it */
    /* legitimate, sent before the peer applied its delta: dropped */
    g_assert_cmpint(rx_seq(t.member, &t.m, 1050), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(t.member, &t.m, 1100), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(t.member, &t.m, 1101), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_stats(t.member)->accepted, ==, 1);
    stale_free(&t);
}

/* With a window wider than the gap, the old replay is inside it: the same
 * drop, reported as a replay. */
static void test_stale_strict_wide(void)
{
    stale t;
    stale_init(&t, 1024);
    g_assert_cmpint(esp_sa_rx_advance(t.member, 500, ESP_RX_STRICT), ==, ESP_OK);
    g_assert_cmpint(replay(&t, 700), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(t.member, &t.m, 1050), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(t.member, &t.m, 77), ==, ESP_E_REPLAY); /* left edge: 1100 - 1023 */
    g_assert_cmpint(rx_seq(t.member, &t.m, 76), ==, ESP_E_STALE);
    stale_free(&t);
}

/* The metric the simulator computes from ground truth: the attacker replays
 * all of 1..1000, the peer sends 1001..1050 before the sync reaches it,
 * then jumps by the delta (500) and sends 50 more. */
typedef struct tally {
    guint replays_accepted, legit_dropped, legit_ok;
} tally;

static tally run_policy(esp_rx_policy policy, uint32_t window)
{
    stale t;
    stale_init(&t, window);
    tally r = {0, 0, 0};
    g_assert_cmpint(esp_sa_rx_advance(t.member, 500, policy), ==, ESP_OK);
    for (uint64_t s = 1; s <= 1000; s++) {
        uint64_t got = 0;
        if (open_pkt(t.member, g_ptr_array_index(t.captured, s), &got) == ESP_OK &&
            g_hash_table_contains(t.accepted, GINT_TO_POINTER((int)got)))
            r.replays_accepted++;
    }
    for (int phase = 0; phase < 2; phase++) {
        if (phase == 1)
            g_assert_cmpint(esp_sa_skip(t.peer, 500), ==, ESP_OK);
        for (int i = 0; i < 50; i++) {
            GBytes *b = seal(t.peer, (uint8_t)i);
            if (open_pkt(t.member, b, NULL) == ESP_OK)
                r.legit_ok++;
            else
                r.legit_dropped++;
            g_bytes_unref(b);
        }
    }
    g_assert_cmpuint(esp_sa_rx_highest(t.member), ==, 1600);
    stale_free(&t);
    return r;
}

static void test_stale_tally(void)
{
    tally l = run_policy(ESP_RX_LENIENT, ESP_WINDOW_DEFAULT);
    g_assert_cmpuint(l.replays_accepted, ==, 400); /* 601..1000 */
    g_assert_cmpuint(l.legit_dropped, ==, 0);
    g_assert_cmpuint(l.legit_ok, ==, 100);
    tally s = run_policy(ESP_RX_STRICT, ESP_WINDOW_DEFAULT);
    g_assert_cmpuint(s.replays_accepted, ==, 0);
    g_assert_cmpuint(s.legit_dropped, ==, 50); /* 1001..1050 */
    g_assert_cmpuint(s.legit_ok, ==, 50);      /* 1551..1600 */
}

/* STRICT on an edge below the window: numbers 1..T+delta seen, nothing for
 * numbers below 1, and the result still exports and imports; delta 0 closes
 * the holes under the edge. */
static void test_strict_small_edge(void)
{
    ike_child c = make_child(&GCM, false), m = child_mirror(&c);
    esp_sa *rx = sa_make(&c, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(rx_seq(rx, &m, 3), ==, ESP_OK);
    g_assert_cmpint(rx_seq(rx, &m, 10), ==, ESP_OK);
    g_assert_cmpint(esp_sa_rx_advance(rx, 0, ESP_RX_STRICT), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(rx), ==, 10);
    g_assert_cmpint(rx_seq(rx, &m, 5), ==, ESP_E_REPLAY); /* was a hole */
    g_assert_cmpint(esp_sa_rx_advance(rx, 5, ESP_RX_STRICT), ==, ESP_OK);
    esp_sa_state st;
    g_assert_cmpint(esp_sa_export(rx, &st), ==, ESP_OK);
    g_assert_cmpuint(st.rx_top, ==, 15);
    g_assert_cmpuint(st.rx_map[0], ==, (UINT64_C(1) << 15) - 1);
    esp_sa *copy = clone_sa(rx);
    for (uint64_t s = 1; s <= 15; s++)
        g_assert_cmpint(rx_seq(copy, &m, s), ==, ESP_E_REPLAY);
    g_assert_cmpint(rx_seq(copy, &m, 16), ==, ESP_OK);
    /* the edge cannot pass the last number; nothing changes */
    g_assert_cmpint(esp_sa_rx_advance(copy, UINT32_MAX - 15, ESP_RX_STRICT), ==,
                    ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpuint(esp_sa_rx_highest(copy), ==, 16);
    g_assert_cmpint(esp_sa_rx_advance(copy, UINT32_MAX - 16, ESP_RX_STRICT), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(copy), ==, UINT32_MAX);
    esp_sa_free(rx);
    esp_sa_free(copy);
}

/* ---------- ESN ---------- */

/* The stale edge just below 2^32, the delta carries the edge into the next
 * epoch: STRICT decodes the peer's new low halves there and drops the old
 * epoch's replays (by integrity, not by the window); LENIENT accepts them. */
static void esn_epoch(esp_rx_policy policy)
{
    ike_child c = make_child(&CBC, true), m = child_mirror(&c);
    esp_sa *old = sa_make(&c, ESP_WINDOW_DEFAULT), *peer = sa_make(&m, ESP_WINDOW_DEFAULT);
    uint64_t start = TWO32 - 40;
    g_assert_cmpint(esp_sa_skip(peer, start - 1), ==, ESP_OK);
    g_assert_cmpint(esp_sa_rx_advance(old, start - 1, ESP_RX_STRICT), ==, ESP_OK);
    GPtrArray *cap = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    esp_sa_state st;
    for (uint64_t s = start; s < TWO32 - 5 + 1; s++) { /* accepts up to 2^32 - 5 */
        GBytes *b = seal(peer, (uint8_t)s);
        g_assert_cmpint(open_pkt(old, b, NULL), ==, ESP_OK);
        g_ptr_array_add(cap, b);
        if (s == TWO32 - 10)
            g_assert_cmpint(esp_sa_export(old, &st), ==, ESP_OK);
    }
    esp_sa_free(old);
    esp_cfg cfg = cfg_of(ESP_WINDOW_DEFAULT, true);
    esp_sa *member = NULL;
    g_assert_cmpint(esp_sa_import(&st, &cfg, &member), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(member), ==, TWO32 - 10);
    g_assert_cmpint(esp_sa_rx_advance(member, 100, policy), ==, ESP_OK);

    GBytes *old_pkt = g_ptr_array_index(cap, (TWO32 - 7) - start); /* 2^32 - 7 */
    uint64_t seq = 0;
    int rc = open_pkt(member, old_pkt, &seq);
    if (policy == ESP_RX_LENIENT) {
        g_assert_cmpint(rc, ==, ESP_OK); /* accepted a second time */
        g_assert_cmpuint(seq, ==, TWO32 - 7);
    } else {
        g_assert_cmpuint(esp_sa_rx_highest(member), ==, TWO32 + 90);
        /* App. A2.2 puts low half 2^32 - 7 into epoch 1 (above the edge):
         * the window lets it through and the ICV, computed with high half
         * 0, rejects it */
        g_assert_cmpint(rc, ==, ESP_E_ICV);
        g_assert_cmpint(rx_seq(member, &m, TWO32 + 50), ==, ESP_E_REPLAY);
    }
    g_assert_cmpint(esp_sa_skip(peer, 100), ==, ESP_OK); /* the peer applies the delta */
    GBytes *b = seal(peer, 1);
    g_assert_cmpint(open_pkt(member, b, &seq), ==, ESP_OK);
    g_assert_cmpuint(seq, ==, TWO32 - 5 + 1 + 100);
    g_bytes_unref(b);
    g_ptr_array_free(cap, TRUE);
    esp_sa_free(member);
    esp_sa_free(peer);
}

static void test_esn_epoch_lenient(void) { esn_epoch(ESP_RX_LENIENT); }
static void test_esn_epoch_strict(void) { esn_epoch(ESP_RX_STRICT); }

/* An ESN state may carry numbers beyond 2^32 and an edge near 2^64. */
static void test_esn_limits(void)
{
    ike_child c = make_child(&GCM, true);
    esp_sa *sa = sa_make(&c, ESP_WINDOW_DEFAULT);
    esp_sa_state st;
    g_assert_cmpint(esp_sa_export(sa, &st), ==, ESP_OK);
    st.tx_next = UINT64_MAX;
    st.rx_top = UINT64_MAX - 5;
    st.rx_map[0] = 1;
    esp_sa *copy = NULL;
    g_assert_cmpint(esp_sa_import(&st, NULL, &copy), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_next_seq(copy), ==, UINT64_MAX);
    g_assert_cmpint(esp_sa_rx_advance(copy, 6, ESP_RX_STRICT), ==, ESP_E_SEQ_EXHAUSTED);
    g_assert_cmpint(esp_sa_rx_advance(copy, 5, ESP_RX_STRICT), ==, ESP_OK);
    g_assert_cmpuint(esp_sa_rx_highest(copy), ==, UINT64_MAX);
    esp_sa_free(copy);
    /* the same numbers do not fit a 32-bit SA */
    st.esn = false;
    g_assert_cmpint(esp_sa_import(&st, NULL, &copy), ==, ESP_E_ARG);
    g_assert_null(copy);
    esp_sa_free(sa);
}

/* ---------- bad input ---------- */

static void expect_import(const esp_sa_state *st, const esp_cfg *cfg, int want)
{
    esp_sa *sa = (esp_sa *)(uintptr_t)1; /* must come back NULL */
    g_assert_cmpint(esp_sa_import(st, cfg, &sa), ==, want);
    g_assert_null(sa);
}

static void test_bad_input(void)
{
    ike_child c = make_child(&GCM, false), m = child_mirror(&c);
    esp_sa *sa = sa_make(&c, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(rx_seq(sa, &m, 3), ==, ESP_OK);
    esp_sa_state good, st;
    g_assert_cmpint(esp_sa_export(sa, &good), ==, ESP_OK);
    g_assert_cmpuint(good.rx_map[0], ==, 1);

    static const uint32_t windows[] = { 0, 31, ESP_WINDOW_MAX + 1, UINT32_MAX };
    for (size_t i = 0; i < G_N_ELEMENTS(windows); i++) {
        st = good;
        st.window = windows[i];
        expect_import(&st, NULL, ESP_E_ARG);
    }
    st = good;
    st.spi_in = 0;
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.spi_out = 0;
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.suite.encr_bits = 100;
    expect_import(&st, NULL, ESP_E_UNSUPPORTED);
    st = good;
    st.suite.encr = 99;
    expect_import(&st, NULL, ESP_E_UNSUPPORTED);
    st = good;
    st.tx_next = TWO32; /* beyond a 32-bit SA */
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.rx_top = TWO32;
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.rx_top = 1000;
    st.rx_map[1] = 1; /* bit 64: outside a window of 64 */
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.rx_map[ESP_HA_MAP_WORDS - 1] = UINT64_C(1) << 63;
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.rx_map[0] = 1u << 3; /* T = 3: bit 3 would be number 0 */
    expect_import(&st, NULL, ESP_E_ARG);
    st = good;
    st.rx_top = 0;
    expect_import(&st, NULL, ESP_E_ARG); /* nothing accepted, yet a bit set */

    /* CBC needs the importer's random callback */
    ike_child cc = make_child(&CBC, false);
    esp_sa *cbc = sa_make(&cc, ESP_WINDOW_DEFAULT);
    g_assert_cmpint(esp_sa_export(cbc, &st), ==, ESP_OK);
    expect_import(&st, NULL, ESP_E_ARG);
    esp_cfg no_rand;
    esp_cfg_defaults(&no_rand);
    expect_import(&st, &no_rand, ESP_E_ARG);
    esp_sa_free(cbc);

    /* the good state still imports; GCM needs no cfg */
    esp_sa *copy = NULL;
    g_assert_cmpint(esp_sa_import(&good, NULL, &copy), ==, ESP_OK);
    g_assert_cmpint(esp_sa_rx_advance(copy, 1, (esp_rx_policy)7), ==, ESP_E_ARG);
    g_assert_cmpint(esp_sa_rx_advance(copy, 1, (esp_rx_policy)-1), ==, ESP_E_ARG);
    g_assert_cmpuint(esp_sa_rx_highest(copy), ==, 3);
    esp_sa_free(copy);
    esp_sa_free(sa);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/esp-ha/roundtrip/gcm", test_roundtrip_gcm);
    g_test_add_func("/esp-ha/roundtrip/gcm-esn", test_roundtrip_gcm_esn);
    g_test_add_func("/esp-ha/roundtrip/cbc", test_roundtrip_cbc);
    g_test_add_func("/esp-ha/roundtrip/cbc-esn", test_roundtrip_cbc_esn);
    g_test_add_func("/esp-ha/roundtrip/exhausted", test_roundtrip_exhausted);
    g_test_add_func("/esp-ha/roundtrip/window-and-policy", test_roundtrip_window_and_policy);
    g_test_add_func("/esp-ha/nonce/repeat-without-skip", test_nonce_repeat_without_skip);
    g_test_add_func("/esp-ha/nonce/skip-margin", test_nonce_skip_margin);
    g_test_add_func("/esp-ha/nonce/skip-2p30", test_nonce_skip_2p30);
    g_test_add_func("/esp-ha/rx/same-answers", test_rx_same_answers);
    g_test_add_func("/esp-ha/rx/same-answers-esn", test_rx_same_answers_esn);
    g_test_add_func("/esp-ha/rx/same-answers-1024", test_rx_same_answers_wide);
    g_test_add_func("/esp-ha/stale/lenient", test_stale_lenient);
    g_test_add_func("/esp-ha/stale/strict", test_stale_strict);
    g_test_add_func("/esp-ha/stale/strict-1024", test_stale_strict_wide);
    g_test_add_func("/esp-ha/stale/tally", test_stale_tally);
    g_test_add_func("/esp-ha/stale/strict-small-edge", test_strict_small_edge);
    g_test_add_func("/esp-ha/esn/epoch-lenient", test_esn_epoch_lenient);
    g_test_add_func("/esp-ha/esn/epoch-strict", test_esn_epoch_strict);
    g_test_add_func("/esp-ha/esn/limits", test_esn_limits);
    g_test_add_func("/esp-ha/bad-input", test_bad_input);
    return g_test_run();
}
