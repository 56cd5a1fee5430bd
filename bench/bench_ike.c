/* ikesim-bench-ike — IKEv2 handshakes per second on one core, next to the
 * crypto floor: the DH and PRF work one handshake needs, timed alone; and
 * RFC 5723 resumptions per second (IKE_SESSION_RESUME, then IKE_AUTH with
 * a Child SA and a new ticket) next to theirs.
 *
 * Two endpoints in one process, no ns-3: each handshake is IKE_SA_INIT and
 * IKE_AUTH with a Child SA, delivered directly, in each of a set of suites.  The floor repeats, per
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
#include "ike_rekey_keys.h"
#include "ike_resume_wire.h"
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

static ike_ticket_keys ticket_keys; /* the responder's, for the resumptions */

static void config(ike_cfg *cfg, const ike_suite *suite, const char *id)
{
    ike_cfg_defaults(cfg);
    cfg->ike = *suite;
    memcpy(cfg->psk, "benchmark key", 13);
    cfg->psk_len = 13;
    cfg->id_len = strlen(id);
    memcpy(cfg->id, id, cfg->id_len);
}

static void endpoints(bench *b, const ike_suite *suite, bool resume)
{
    ike_cfg c[2];
    config(&c[0], suite, "initiator.bench");
    config(&c[1], suite, "responder.bench");
    if (resume) {
        c[0].resume.client = true;
        c[1].resume = (ike_resume_cfg){.keys = &ticket_keys, .lifetime_s = 3600};
    }
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
    endpoints(&b, suite, false);
    uint64_t t = 0;
    double t0 = bench_cpu_s();
    for (unsigned h = 0; h < n; h++) {
        if (h && h % 1000 == 0) {
            ike_ep_free(b.ep[0], t);
            ike_ep_free(b.ep[1], t);
            endpoints(&b, suite, false);
        }
        ike_ep_initiate(b.ep[0], t, 1);
        datagram *d;
        while ((d = g_queue_pop_head(&b.q))) {
            ike_ep_receive(b.ep[d->to], ++t, (uint64_t)(1 - d->to), d->msg, d->len);
            g_free(d);
        }
    }
    double dt = bench_cpu_s() - t0;
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
    uint8_t ni[32], nr[32], rand[IKE_DH_PRIV_RAND], pub[2][IKE_MAX_KE], gir[IKE_MAX_SHARED];
    uint8_t msg[300], idb[20], auth[IKE_PRF_MAX], km[2 * (IKE_MAX_KEY + IKE_PRF_MAX)];
    memset(msg, 7, sizeof msg);
    memset(idb, 3, sizeof idb);
    size_t ke = ike_dh_ke_len(suite->dh), gir_len;
    ike_keys keys;
    ike_cfg defaults; /* the Child SA's suite the handshakes negotiate */
    ike_cfg_defaults(&defaults);
    ike_suite esp = defaults.esp;
    double t0 = bench_cpu_s();
    for (unsigned h = 0; h < n; h++) {
        ike_dh *dh[2];
        sim_rng_bytes(rng, ni, sizeof ni);
        sim_rng_bytes(rng, nr, sizeof nr);
        for (int s = 0; s < 2; s++) {
            sim_rng_bytes(rng, rand, ike_dh_priv_len(suite->dh));
            ike_dh_new(suite->dh, rand, &dh[s]);
            ike_dh_public(dh[s], pub[s], ke);
        }
        for (int s = 0; s < 2; s++) {
            ike_dh_shared(dh[s], pub[1 - s], ke, gir, sizeof gir, &gir_len);
            ike_derive_keys(suite, ni, 32, nr, 32, gir, gir_len, h + 1, h + 2, &keys);
            for (int a = 0; a < 2; a++) /* own AUTH and the peer's, checked */
                ike_psk_auth(suite->prf, (const uint8_t *)"benchmark key", 13, msg, sizeof msg, nr, 32,
                             keys.pi, idb, sizeof idb, auth);
            ike_child_keymat(suite->prf, keys.d, ni, 32, nr, 32, km,
                             2 * (ike_encr_key_len(&esp) + ike_integ_key_len(&esp)));
            ike_dh_free(dh[s]);
        }
    }
    double dt = bench_cpu_s() - t0;
    sim_rng_free(rng);
    return n / dt;
}

static void deliver(bench *b, uint64_t *t)
{
    datagram *d;
    while ((d = g_queue_pop_head(&b->q))) {
        ike_ep_receive(b->ep[d->to], ++*t, (uint64_t)(1 - d->to), d->msg, d->len);
        g_free(d);
    }
}

/* n resumptions, each from the ticket the one before granted; endpoints
 * renewed every 1,000 (then one full handshake, untimed, for a ticket). */
static double run_resumptions(const ike_suite *suite, unsigned n)
{
    bench b = {0};
    g_queue_init(&b.q);
    for (int i = 0; i < 2; i++)
        b.side[i] = (side_ctx){.rng = sim_rng_new(3, 1, (uint64_t)i), .side = i, .b = &b};
    uint64_t t = 0;
    double busy = 0;
    unsigned done = 0;
    for (unsigned h = 0; h < n;) {
        if (h) {
            ike_ep_free(b.ep[0], t);
            ike_ep_free(b.ep[1], t);
        }
        endpoints(&b, suite, true);
        ike_sa *sa = ike_ep_initiate(b.ep[0], t, 1);
        deliver(&b, &t);
        double t0 = bench_cpu_s(); /* the clock read once a block: it costs a system call */
        for (unsigned end = h + 1000 < n ? h + 1000 : n; h < end; h++) {
            /* a client resumes once it gave up its SA (a dead peer), so it
             * holds one SA, as the gateway does once the resumed SA is up */
            if (sa && ike_ep_start_over(b.ep[0], sa, t) != IKE_OK)
                break;
            sa = ike_ep_resume(b.ep[0], t, 1);
            done += sa != NULL;
            deliver(&b, &t);
        }
        busy += bench_cpu_s() - t0;
    }
    ike_ep_free(b.ep[0], t);
    ike_ep_free(b.ep[1], t);
    if (done != n)
        fprintf(stderr, "ikesim-bench-ike: only %u/%u resumptions started\n", done, n);
    sim_rng_free(b.side[0].rng);
    sim_rng_free(b.side[1].rng);
    return n / busy;
}

/* The cryptographic work of n resumptions, nothing else: the ticket opened
 * and the next one sealed (AES-256-GCM), the keys from SK_d on both sides,
 * four AUTH values, two Child KEYMATs, and the two IKE_AUTH messages sealed
 * and opened (the IKE SA has no other protection to lean on: no DH). */
static double run_resume_floor(const ike_suite *suite, unsigned n)
{
    sim_rng *rng = sim_rng_new(4, 1, 0);
    uint8_t ni[32], nr[32], msg[300], idb[20], auth[IKE_PRF_MAX], km[2 * (IKE_MAX_KEY + IKE_PRF_MAX)];
    uint8_t ticket[IKE_TICKET_MAX], tnonce[IKE_TICKET_NONCE_LEN] = {0}, body[300], wire[IKE_MAX_MSG],
        plain[IKE_MAX_MSG], iv[16] = {0};
    memset(msg, 7, sizeof msg);
    memset(idb, 3, sizeof idb);
    memset(body, 5, sizeof body);
    ike_cfg defaults;
    ike_cfg_defaults(&defaults);
    ike_suite esp = defaults.esp;
    ike_ticket_state st = {.suite = *suite, .auth_method = IKE_AUTH_SHARED_KEY, .id_i_type = IKE_ID_FQDN,
                           .id_i_len = 15, .id_r_type = IKE_ID_FQDN, .id_r_len = 15, .expires = UINT64_MAX};
    size_t tlen;
    ike_ticket_seal(&ticket_keys, &st, tnonce, ticket, sizeof ticket, &tlen);
    ike_payload pl = ike_pl_notify(IKE_PROTO_NONE, 40000, body, sizeof body); /* IKE_AUTH's size */
    ike_keys keys;
    static ike_msg m;
    double t0 = bench_cpu_s();
    for (unsigned h = 0; h < n; h++) {
        sim_rng_bytes(rng, ni, sizeof ni);
        sim_rng_bytes(rng, nr, sizeof nr);
        ike_ticket_state open;
        ike_ticket_open(&ticket_keys, ticket, tlen, 1, &open);
        tnonce[0] = (uint8_t)h;
        ike_ticket_seal(&ticket_keys, &st, tnonce, ticket, sizeof ticket, &tlen);
        for (int s = 0; s < 2; s++) {
            ike_resume_keys(suite, open.sk_d, ni, 32, nr, 32, h + 1, h + 2, &keys);
            for (int a = 0; a < 2; a++)
                ike_resumed_auth(msg, sizeof msg, nr, 32, keys.pi, idb, sizeof idb, auth);
            ike_child_keymat(suite->prf, keys.d, ni, 32, nr, 32, km,
                             2 * (ike_encr_key_len(&esp) + ike_integ_key_len(&esp)));
            ike_hdr hd = {.spi_i = h + 1, .spi_r = h + 2, .version = IKE_VERSION, .exchange = IKE_AUTH,
                          .msg_id = 1, .flags = s ? IKE_FLAG_R : IKE_FLAG_I};
            size_t len;
            iv[7] = (uint8_t)(h + 1);
            /* the request under SK_ei (and SK_ai), the response under SK_er: four keyings */
            const uint8_t *ke = s ? keys.er : keys.ei, *ka = s ? keys.ar : keys.ai;
            ike_sk_seal(suite, ke, ka, &hd, &pl, 1, iv, wire, sizeof wire, &len);
            if (ike_parse(wire, len, &m) == IKE_OK)
                ike_sk_open(suite, ke, ka, wire, len, &m, plain, sizeof plain);
        }
    }
    double dt = bench_cpu_s() - t0;
    sim_rng_free(rng);
    return n / dt;
}

int main(int argc, char **argv)
{
    gboolean quick = FALSE;
    gboolean resume_only = FALSE;
    gint reps = 5;
    GOptionEntry entries[] = {
        {"quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Few handshakes: a smoke run of a second", NULL},
        {"resumptions", 0, 0, G_OPTION_ARG_NONE, &resume_only, "Only the resumptions (for profilers)", NULL},
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
    /* every group, every cipher family and every PRF at least once; n gives
     * each suite about a second */
    static const struct {
        const char *name;
        unsigned n;
    } suites[] = {
        {"aes256gcm16-prfsha256-x25519", 4000},  {"aes128-sha256-prfsha256-modp2048", 300},
        {"aes256gcm16-prfsha256-x448", 1000},    {"aes256gcm16-prfsha256-ecp256", 3000},
        {"aes256gcm16-prfsha256-ecp384", 250},   {"aes256gcm16-prfsha256-ecp521", 700},
        {"aes256gcm16-prfsha256-modp3072", 200}, {"aes256gcm16-prfsha256-modp4096", 80},
        {"aes128gcm8-prfsha1-x25519", 4000},     {"aes256ccm16-prfsha384-ecp256", 3000},
        {"chacha20poly1305-prfsha256-x25519", 4000}, {"aes192-sha1-prfsha1-x25519", 4000},
        {"aes256-sha512-prfsha512-ecp256", 3000},
    };
    if (!resume_only)
        printf("%-36s %14s %14s %7s\n", "suite", "handshakes/s", "floor/s", "ratio");
    bool all = true;
    for (size_t i = 0; i < (resume_only ? 0 : G_N_ELEMENTS(suites)); i++) {
        ike_props p;
        if (ike_props_parse(suites[i].name, IKE_PROTO_IKE, &p, NULL) != IKE_OK)
            return 2;
        ike_suite s = ike_props_first(&p);
        unsigned n = quick ? suites[i].n / 20 + 1 : suites[i].n;
        double hs[99], fl[99];
        run_handshakes(&s, n / 10 + 1); /* warm-up */
        for (int r = 0; r < reps; r++) {
            hs[r] = run_handshakes(&s, n);
            fl[r] = run_floor(&s, n);
        }
        double h = bench_median(hs, reps), f = bench_median(fl, reps);
        all = all && h / f >= 0.7;
        printf("%-36s %14.0f %14.0f %7.3f  (target >= 0.70: %s)\n", suites[i].name, h, f, h / f,
               h / f >= 0.7 ? "met" : "NOT met");
        fflush(stdout);
    }
    if (!resume_only)
        printf("every suite %s the target\n", all ? "meets" : "does NOT meet");

    /* resumptions: no DH, so the floor is symmetric crypto and the model's own work weighs more */
    uint8_t kid[IKE_TICKET_KEY_ID_LEN] = {1}, key[IKE_TICKET_KEY_LEN] = {2};
    ike_ticket_keys_init(&ticket_keys, kid, key);
    static const char *const resumable[] = {"aes256gcm16-prfsha256-x25519", "aes128-sha256-prfsha256-x25519",
                                            "chacha20poly1305-prfsha256-x25519"};
    printf("\n%-36s %14s %14s %7s\n", "suite (RFC 5723 resumption)", "resumptions/s", "floor/s", "ratio");
    bool all_r = true;
    for (size_t i = 0; i < G_N_ELEMENTS(resumable); i++) {
        ike_props p;
        if (ike_props_parse(resumable[i], IKE_PROTO_IKE, &p, NULL) != IKE_OK)
            return 2;
        ike_suite s = ike_props_first(&p);
        unsigned n = quick ? 400 : 20000;
        double rs[99], fl[99];
        run_resumptions(&s, n / 10 + 1); /* warm-up */
        for (int r = 0; r < reps; r++) {
            rs[r] = run_resumptions(&s, n);
            fl[r] = run_resume_floor(&s, n);
        }
        double h = bench_median(rs, reps), f = bench_median(fl, reps);
        all_r = all_r && h / f >= 0.7;
        printf("%-36s %14.0f %14.0f %7.3f  (target >= 0.70: %s)\n", resumable[i], h, f, h / f,
               h / f >= 0.7 ? "met" : "NOT met");
        fflush(stdout);
    }
    printf("every resumption suite %s the target\n", all_r ? "meets" : "does NOT meet");
    return 0;
}
