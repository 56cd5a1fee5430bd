/* ikesim-bench-ike — IKEv2 handshakes per second on one core, next to the
 * crypto floor: the DH and PRF work one handshake needs, timed alone.
 *
 * Two endpoints in one process, no ns-3: each handshake is IKE_SA_INIT and
 * IKE_AUTH with a Child SA, delivered directly.  The floor repeats, per
 * handshake, what the two sides must compute: two DH key pairs, two shared
 * secrets, two key derivations, four AUTH values and two Child KEYMATs.
 * Not a test: a benchmark run by hand.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "bench_util.h"

#include "ike.h"
#include "rng.h"

typedef struct {
    int to;
    size_t len;
    uint8_t msg[IKE_MAX_MSG];
} datagram;

typedef struct {
    sim_rng *rng;
    int side;
    struct bench *b;
    unsigned established;
} side_ctx;

typedef struct bench {
    GQueue q; /* datagram*, both directions, in send order */
    side_ctx side[2];
    ike_ep *ep[2];
} bench;

static void io_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    side_ctx *s = ctx;
    (void)peer;
    datagram *d = g_new(datagram, 1);
    d->to = 1 - s->side;
    d->len = len;
    memcpy(d->msg, msg, len);
    g_queue_push_tail(&s->b->q, d);
}

static void io_random(void *ctx, uint8_t *out, size_t len)
{
    sim_rng_bytes(((side_ctx *)ctx)->rng, out, len);
}

static void io_event(void *ctx, const ike_event *ev)
{
    if (ev->type == IKE_EV_SA_ESTABLISHED)
        ((side_ctx *)ctx)->established++;
}

static void config(ike_cfg *cfg, const ike_suite *suite, const char *id)
{
    ike_cfg_defaults(cfg);
    cfg->ike = *suite;
    memcpy(cfg->psk, "benchmark key", 13);
    cfg->psk_len = 13;
    cfg->id_len = strlen(id);
    memcpy(cfg->id, id, cfg->id_len);
}

static void endpoints(bench *b, const ike_suite *suite)
{
    ike_cfg c[2];
    config(&c[0], suite, "initiator.bench");
    config(&c[1], suite, "responder.bench");
    for (int i = 0; i < 2; i++) {
        ike_io io = {.ctx = &b->side[i], .send = io_send, .random = io_random, .event = io_event};
        b->ep[i] = ike_ep_new(&c[i], &io);
    }
}

/* n full handshakes; endpoints are renewed every 1,000 so the SA tables
 * stay small, as they would on a gateway that also deletes SAs. */
static double run_handshakes(const ike_suite *suite, unsigned n)
{
    bench b = {0};
    g_queue_init(&b.q);
    for (int i = 0; i < 2; i++)
        b.side[i] = (side_ctx){.rng = sim_rng_new(1, 1, (uint64_t)i), .side = i, .b = &b};
    endpoints(&b, suite);
    uint64_t t = 0;
    double t0 = bench_now_s();
    for (unsigned h = 0; h < n; h++) {
        if (h && h % 1000 == 0) {
            ike_ep_free(b.ep[0], t);
            ike_ep_free(b.ep[1], t);
            endpoints(&b, suite);
        }
        ike_ep_initiate(b.ep[0], t, 1);
        datagram *d;
        while ((d = g_queue_pop_head(&b.q))) {
            ike_ep_receive(b.ep[d->to], ++t, (uint64_t)(1 - d->to), d->msg, d->len);
            g_free(d);
        }
    }
    double dt = bench_now_s() - t0;
    ike_ep_free(b.ep[0], t);
    ike_ep_free(b.ep[1], t);
    if (b.side[0].established != n || b.side[1].established != n)
        fprintf(stderr, "ikesim-bench-ike: only %u/%u handshakes completed\n", b.side[0].established, n);
    sim_rng_free(b.side[0].rng);
    sim_rng_free(b.side[1].rng);
    return n / dt;
}

/* The cryptographic work of n handshakes, nothing else. */
static double run_floor(const ike_suite *suite, unsigned n)
{
    sim_rng *rng = sim_rng_new(2, 1, 0);
    uint8_t ni[32], nr[32], rand[IKE_DH_PRIV_RAND], pub[2][IKE_MAX_KE], gir[IKE_MAX_KE];
    uint8_t msg[300], idb[20], auth[IKE_PRF_LEN], km[2 * (IKE_MAX_KEY + IKE_PRF_LEN)];
    memset(msg, 7, sizeof msg);
    memset(idb, 3, sizeof idb);
    size_t ke = ike_dh_ke_len(suite->dh), gir_len;
    ike_keys keys;
    ike_suite esp = *suite;
    double t0 = bench_now_s();
    for (unsigned h = 0; h < n; h++) {
        ike_dh *dh[2];
        sim_rng_bytes(rng, ni, sizeof ni);
        sim_rng_bytes(rng, nr, sizeof nr);
        for (int s = 0; s < 2; s++) {
            sim_rng_bytes(rng, rand, sizeof rand);
            ike_dh_new(suite->dh, rand, &dh[s]);
            ike_dh_public(dh[s], pub[s], ke);
        }
        for (int s = 0; s < 2; s++) {
            ike_dh_shared(dh[s], pub[1 - s], ke, gir, sizeof gir, &gir_len);
            ike_derive_keys(suite, ni, 32, nr, 32, gir, gir_len, h + 1, h + 2, &keys);
            for (int a = 0; a < 2; a++) /* own AUTH and the peer's, checked */
                ike_psk_auth((const uint8_t *)"benchmark key", 13, msg, sizeof msg, nr, 32,
                             keys.pi, idb, sizeof idb, auth);
            ike_child_keymat(keys.d, ni, 32, nr, 32, km,
                             2 * (ike_encr_key_len(&esp) + ike_integ_key_len(&esp)));
            ike_dh_free(dh[s]);
        }
    }
    double dt = bench_now_s() - t0;
    sim_rng_free(rng);
    return n / dt;
}

int main(int argc, char **argv)
{
    gboolean quick = FALSE;
    gint reps = 5;
    GOptionEntry entries[] = {
        {"quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Few handshakes: a smoke run of a second", NULL},
        {"reps", 0, 0, G_OPTION_ARG_INT, &reps, "Timed runs per measurement, median reported (default 5)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("— IKEv2 handshakes/s against the crypto floor");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || reps < 1 || reps > 99) {
        fprintf(stderr, "ikesim-bench-ike: %s\n", err ? err->message : "--reps must be 1..99");
        return 2;
    }
    static const struct {
        const char *name;
        ike_suite s;
        unsigned n;
    } suites[] = {
        {"AES-GCM-256, X25519", {IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519}, 4000},
        {"AES-CBC-128+HMAC, MODP-2048", {IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, IKE_DH_MODP2048}, 300},
    };
    printf("%-30s %14s %14s %7s\n", "suite", "handshakes/s", "floor/s", "ratio");
    for (size_t i = 0; i < G_N_ELEMENTS(suites); i++) {
        unsigned n = quick ? suites[i].n / 20 : suites[i].n;
        double hs[99], fl[99];
        run_handshakes(&suites[i].s, n / 10 + 1); /* warm-up */
        for (int r = 0; r < reps; r++) {
            hs[r] = run_handshakes(&suites[i].s, n);
            fl[r] = run_floor(&suites[i].s, n);
        }
        double h = bench_median(hs, reps), f = bench_median(fl, reps);
        printf("%-30s %14.0f %14.0f %7.3f  (target >= 0.70: %s)\n", suites[i].name, h, f, h / f,
               h / f >= 0.7 ? "met" : "NOT met");
    }
    return 0;
}
