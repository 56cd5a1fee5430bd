/* ikesim-bench-resume — a headend's CPU per full handshake against per
 * session resumption (RFC 5723), responder side, measured in one process.
 *
 * Full handshake: IKE_SA_INIT (parse, X25519 key pair and shared secret,
 * SKEYSEED and keys, the response) and IKE_AUTH (open SK, check the
 * client's PSK AUTH, own AUTH, Child SA KEYMAT, a ticket sealed for
 * TICKET_LT_OPAQUE, the sealed response).  Resumption: IKE_SESSION_RESUME
 * (parse, open the ticket, SKEYSEED from its SK_d and the keys: no DH, the
 * response) and the IKE_AUTH that follows (the same work, but AUTH =
 * prf(SK_p, ...) without the PSK step, RFC 5723 §4.3.3).
 *
 * The client's messages are prepared before the clock starts (from the same
 * seeded draws the responder then uses, so its keys open them); the clock
 * covers only the responder's work, as thread CPU time and as wall time.
 * Not a test: a benchmark run by hand (and with --quick in CI).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "bench_util.h"

#include "ike_crypto.h"
#include "ike_rekey_keys.h"
#include "ike_resume_wire.h"
#include "ike_ticket.h"
#include "rng.h"

static const ike_suite SUITE = { IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256,
                                 IKE_DH_CURVE25519 };
static const uint8_t PSK[] = "benchmark key";
static const uint8_t IDI[] = { IKE_ID_FQDN, 0, 0, 0, 'c', 'l', 'i', 'e', 'n', 't' };
static const uint8_t IDR[] = { IKE_ID_FQDN, 0, 0, 0, 'g', 'w' };
static const uint64_t NOW = 1000000000ull; /* every ticket is opened at 1 s */

/* One client's messages and the responder's draws for them. */
typedef struct job {
    uint64_t spi_i, spi_r;
    uint8_t ni[32], nr[32], dh_rand[IKE_DH_PRIV_RAND], iv[2][8], ticket_nonce[IKE_TICKET_NONCE_LEN];
    size_t init_len, auth_len;
    uint8_t init[400], auth[IKE_MAX_MSG];
} job;

typedef struct responder {
    ike_ticket_keys tk;
    uint8_t sent[IKE_MAX_MSG]; /* the last response */
    size_t sent_len;
    unsigned ok;
} responder;

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static ike_payload ike_sa_payload(void)
{
    ike_payload p = { .type = IKE_PL_SA };
    p.u.sa.n = 1;
    p.u.sa.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_IKE, .n_transforms = 3,
                                  .t = { { IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
                                         { IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, false },
                                         { IKE_TT_DH, IKE_DH_CURVE25519, 0, false } } };
    return p;
}

/* The IKE_AUTH payloads after the AUTH: the Child SA and the ticket notify. */
static size_t child_payloads(ike_payload *pl, const uint8_t spi[4], ike_payload ticket)
{
    size_t n = 0;
    pl[n] = (ike_payload){ .type = IKE_PL_SA };
    pl[n].u.sa.n = 1;
    pl[n].u.sa.p[0] = (ike_proposal){ .num = 1, .proto = IKE_PROTO_ESP, .spi_size = 4, .n_transforms = 2,
                                      .t = { { IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false },
                                             { IKE_TT_ESN, IKE_ESN_NO, 0, false } } };
    memcpy(pl[n++].u.sa.p[0].spi, spi, 4);
    ike_ts_pl ts = { .n = 1 };
    ts.s[0] = (ike_ts_sel){ .type = IKE_TS_IPV4_RANGE, .end_port = 0xffff, .end = { 255, 255, 255, 255 } };
    pl[n++] = (ike_payload){ .type = IKE_PL_TSI, .u.ts = ts };
    pl[n++] = (ike_payload){ .type = IKE_PL_TSR, .u.ts = ts };
    pl[n++] = ticket;
    return n;
}

/* AUTH over the signed octets (RFC 7296 §2.15): with the PSK for a full
 * handshake, with SK_p alone after a resumption (RFC 5723 §4.3.3). */
static void auth_value(bool resumed, const uint8_t *msg, size_t len, const uint8_t *nonce,
                       const uint8_t sk_p[IKE_PRF_LEN], const uint8_t *id, size_t id_len,
                       uint8_t out[IKE_PRF_LEN])
{
    if (resumed)
        ike_resumed_auth(msg, len, nonce, 32, sk_p, id, id_len, out);
    else
        ike_psk_auth(IKE_PRF_HMAC_SHA2_256, PSK, sizeof PSK - 1, msg, len, nonce, 32, sk_p, id, id_len, out);
}

static ike_ticket_state ticket_state(uint64_t spi_i, uint64_t spi_r, const uint8_t sk_d[IKE_PRF_LEN])
{
    ike_ticket_state st = { .spi_i = spi_i, .spi_r = spi_r, .suite = SUITE,
                            .auth_method = IKE_AUTH_SHARED_KEY, .id_i_type = IKE_ID_FQDN,
                            .id_i_len = sizeof IDI - 4, .id_r_type = IKE_ID_FQDN,
                            .id_r_len = sizeof IDR - 4, .expires = 3600 * NOW };
    memcpy(st.id_i, IDI + 4, st.id_i_len);
    memcpy(st.id_r, IDR + 4, st.id_r_len);
    memcpy(st.sk_d, sk_d, IKE_PRF_LEN);
    return st;
}

/* ---- the client's side, untimed ----------------------------------------- */

/* The client's sealed IKE_AUTH request (MID 1) under keys k, signed over first. */
static void client_auth(job *j, bool resumed, const ike_keys *k, const uint8_t *first, size_t first_len)
{
    uint8_t auth[IKE_PRF_LEN], spi[4] = { 1, 2, 3, 4 };
    auth_value(resumed, first, first_len, j->nr, k->pi, IDI, sizeof IDI, auth);
    ike_payload pl[8];
    size_t n = 0;
    pl[n++] = (ike_payload){ .type = IKE_PL_IDI, .u.id = { IKE_ID_FQDN, { IDI + 4, sizeof IDI - 4 } } };
    pl[n++] = (ike_payload){ .type = IKE_PL_AUTH, .u.auth = { IKE_AUTH_SHARED_KEY, { auth, sizeof auth } } };
    n += child_payloads(pl + n, spi, ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_REQUEST, NULL, 0));
    ike_hdr h = { .spi_i = j->spi_i, .spi_r = j->spi_r, .version = IKE_VERSION, .exchange = IKE_AUTH,
                  .flags = IKE_FLAG_I, .msg_id = 1 };
    ike_sk_seal(&SUITE, k->ei, k->ai, &h, pl, n, j->iv[0], j->auth, sizeof j->auth, &j->auth_len);
}

static void prepare_full(job *j, sim_rng *rng)
{
    uint8_t *ni = j->ni, rand_i[IKE_DH_PRIV_RAND], pub_i[32], pub_r[32], gir[32];
    sim_rng_bytes(rng, rand_i, sizeof rand_i);
    ike_dh *di, *dr;
    ike_dh_new(IKE_DH_CURVE25519, rand_i, &di);
    ike_dh_new(IKE_DH_CURVE25519, j->dh_rand, &dr);
    ike_dh_public(di, pub_i, 32);
    ike_dh_public(dr, pub_r, 32);
    ike_msg m = { .hdr = { .spi_i = j->spi_i, .version = IKE_VERSION, .exchange = IKE_SA_INIT,
                           .flags = IKE_FLAG_I } };
    m.pl[0] = ike_sa_payload();
    m.pl[1] = (ike_payload){ .type = IKE_PL_KE, .u.ke = { IKE_DH_CURVE25519, { pub_i, 32 } } };
    m.pl[2] = ike_pl_bytes(IKE_PL_NONCE, ni, 32);
    m.n = 3;
    ike_encode(&m, j->init, sizeof j->init, &j->init_len);
    size_t gl;
    ike_dh_shared(di, pub_r, 32, gir, sizeof gir, &gl);
    ike_keys k;
    ike_derive_keys(&SUITE, ni, 32, j->nr, 32, gir, gl, j->spi_i, j->spi_r, &k);
    client_auth(j, false, &k, j->init, j->init_len);
    ike_dh_free(di);
    ike_dh_free(dr);
}

static void prepare_resume(job *j, sim_rng *rng, const ike_ticket_keys *tk)
{
    uint8_t *ni = j->ni, sk_d[IKE_PRF_LEN], nonce[IKE_TICKET_NONCE_LEN], ticket[300];
    sim_rng_bytes(rng, sk_d, sizeof sk_d);
    sim_rng_bytes(rng, nonce, sizeof nonce);
    ike_ticket_state st = ticket_state(j->spi_i ^ 1, j->spi_r ^ 1, sk_d); /* the old SA's */
    size_t tlen;
    ike_ticket_seal(tk, &st, nonce, ticket, sizeof ticket, &tlen);
    ike_resume_msg r = { .nonce = { ni, 32 }, .ticket = { ticket, tlen } };
    ike_msg m;
    ike_resume_request(j->spi_i, &r, &m);
    ike_encode(&m, j->init, sizeof j->init, &j->init_len);
    ike_keys k;
    ike_resume_keys(&SUITE, sk_d, ni, 32, j->nr, 32, j->spi_i, j->spi_r, &k);
    client_auth(j, true, &k, j->init, j->init_len);
}

/* ---- the responder's side, timed ---------------------------------------- */

/* IKE_AUTH: open, check AUTH, answer with AUTH, the Child SA and a ticket. */
static bool respond_auth(responder *r, const job *j, bool resumed, const ike_keys *k)
{
    static ike_msg m;
    uint8_t plain[IKE_MAX_MSG], want[IKE_PRF_LEN], auth[IKE_PRF_LEN], km[2 * IKE_MAX_KEY];
    if (ike_parse(j->auth, j->auth_len, &m) != IKE_OK ||
        ike_sk_open(&SUITE, k->ei, k->ai, j->auth, j->auth_len, &m, plain, sizeof plain) != IKE_OK)
        return false;
    const ike_payload *a = ike_find(&m, IKE_PL_AUTH, NULL);
    const ike_payload *sa = ike_find(&m, IKE_PL_SA, NULL);
    if (a == NULL || sa == NULL || a->u.auth.data.len != IKE_PRF_LEN || !ike_ticket_requested(&m, 0))
        return false;
    /* the client signed its first message and our nonce; we sign ours and its nonce */
    auth_value(resumed, j->init, j->init_len, j->nr, k->pi, IDI, sizeof IDI, want);
    if (!ike_ct_equal(want, a->u.auth.data.p, IKE_PRF_LEN))
        return false;
    auth_value(resumed, r->sent, r->sent_len, j->ni, k->pr, IDR, sizeof IDR, auth);
    ike_child_keymat(IKE_PRF_HMAC_SHA2_256, k->d, j->ni, 32, j->nr, 32, km, sizeof km);
    ike_ticket_state st = ticket_state(j->spi_i, j->spi_r, k->d);
    uint8_t ticket[300], lt[320];
    size_t tlen;
    ike_payload tp;
    if (ike_ticket_seal(&r->tk, &st, j->ticket_nonce, ticket, sizeof ticket, &tlen) != IKE_OK ||
        ike_ticket_lt_payload(3600, ticket, tlen, lt, sizeof lt, &tp) != IKE_OK)
        return false;
    ike_payload pl[8];
    size_t n = 0;
    pl[n++] = (ike_payload){ .type = IKE_PL_IDR, .u.id = { IKE_ID_FQDN, { IDR + 4, sizeof IDR - 4 } } };
    pl[n++] = (ike_payload){ .type = IKE_PL_AUTH, .u.auth = { IKE_AUTH_SHARED_KEY, { auth, sizeof auth } } };
    n += child_payloads(pl + n, sa->u.sa.p[0].spi, tp);
    ike_hdr h = { .spi_i = j->spi_i, .spi_r = j->spi_r, .version = IKE_VERSION, .exchange = IKE_AUTH,
                  .flags = IKE_FLAG_R, .msg_id = 1 };
    return ike_sk_seal(&SUITE, k->er, k->ar, &h, pl, n, j->iv[1], r->sent, sizeof r->sent,
                       &r->sent_len) == IKE_OK;
}

static bool respond_init(responder *r, const job *j, ike_keys *k)
{
    static ike_msg m;
    if (ike_parse(j->init, j->init_len, &m) != IKE_OK)
        return false;
    const ike_payload *ke = ike_find(&m, IKE_PL_KE, NULL), *ni = ike_find(&m, IKE_PL_NONCE, NULL);
    if (ke == NULL || ni == NULL || ke->u.ke.group != IKE_DH_CURVE25519)
        return false;
    ike_dh *dh;
    uint8_t pub[32], gir[32];
    size_t gl;
    bool ok = ike_dh_new(IKE_DH_CURVE25519, j->dh_rand, &dh) == IKE_OK &&
              ike_dh_public(dh, pub, 32) == IKE_OK &&
              ike_dh_shared(dh, ke->u.ke.data.p, ke->u.ke.data.len, gir, sizeof gir, &gl) == IKE_OK &&
              ike_derive_keys(&SUITE, ni->u.nonce.p, ni->u.nonce.len, j->nr, 32, gir, gl, j->spi_i,
                              j->spi_r, k) == IKE_OK;
    ike_dh_free(dh);
    if (!ok)
        return false;
    ike_msg resp = { .hdr = { .spi_i = j->spi_i, .spi_r = j->spi_r, .version = IKE_VERSION,
                              .exchange = IKE_SA_INIT, .flags = IKE_FLAG_R } };
    resp.pl[0] = ike_sa_payload();
    resp.pl[1] = (ike_payload){ .type = IKE_PL_KE, .u.ke = { IKE_DH_CURVE25519, { pub, 32 } } };
    resp.pl[2] = ike_pl_bytes(IKE_PL_NONCE, j->nr, 32);
    resp.n = 3;
    return ike_encode(&resp, r->sent, sizeof r->sent, &r->sent_len) == IKE_OK;
}

static bool respond_resume(responder *r, const job *j, ike_keys *k)
{
    static ike_msg m;
    ike_resume_msg req;
    ike_ticket_state st;
    if (ike_parse(j->init, j->init_len, &m) != IKE_OK || ike_resume_read(&m, &req) != IKE_OK ||
        ike_ticket_open(&r->tk, req.ticket.p, req.ticket.len, NOW, &st) != IKE_OK ||
        ike_resume_keys(&st.suite, st.sk_d, req.nonce.p, req.nonce.len, j->nr, 32, j->spi_i, j->spi_r,
                        k) != IKE_OK)
        return false;
    ike_resume_msg ans = { .nonce = { j->nr, 32 } };
    ike_msg resp;
    return ike_resume_response(j->spi_i, j->spi_r, &ans, &resp) == IKE_OK &&
           ike_encode(&resp, r->sent, sizeof r->sent, &r->sent_len) == IKE_OK;
}

typedef struct timing {
    double cpu, wall;
} timing;

/* The first exchange of every job, then (with auth) its IKE_AUTH, per job. */
static timing run(responder *r, job *jobs, unsigned n, bool resumed, bool auth)
{
    ike_keys k;
    r->ok = 0;
    double c0 = thread_cpu_s(), w0 = bench_now_s();
    for (unsigned i = 0; i < n; i++) {
        bool ok = resumed ? respond_resume(r, &jobs[i], &k) : respond_init(r, &jobs[i], &k);
        if (ok && auth)
            ok = respond_auth(r, &jobs[i], resumed, &k);
        r->ok += ok;
    }
    return (timing){ (thread_cpu_s() - c0) / n, (bench_now_s() - w0) / n };
}

static void draws(job *j, sim_rng *rng, unsigned i)
{
    j->spi_i = 0x1000000000000000u + i;
    j->spi_r = 0x2000000000000000u + i;
    sim_rng_bytes(rng, j->ni, sizeof j->ni);
    sim_rng_bytes(rng, j->nr, sizeof j->nr);
    sim_rng_bytes(rng, j->dh_rand, sizeof j->dh_rand);
    sim_rng_bytes(rng, (uint8_t *)j->iv, sizeof j->iv);
    sim_rng_bytes(rng, j->ticket_nonce, sizeof j->ticket_nonce);
}

int main(int argc, char **argv)
{
    gboolean quick = FALSE;
    gint reps = 5;
    GOptionEntry entries[] = {
        {"quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Few handshakes: a smoke run", NULL},
        {"reps", 0, 0, G_OPTION_ARG_INT, &reps, "Timed runs per measurement, median reported (default 5)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("— responder CPU per full handshake and per resumption");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || reps < 1 || reps > 99) {
        fprintf(stderr, "ikesim-bench-resume: %s\n", err ? err->message : "--reps must be 1..99");
        return 2;
    }
    unsigned n = quick ? 200 : 3000;
    job *full = g_new0(job, n), *res = g_new0(job, n);
    responder r = { 0 };
    uint8_t kid[IKE_TICKET_KEY_ID_LEN], key[IKE_TICKET_KEY_LEN];
    sim_rng *rng = sim_rng_new(5, 1, 0);
    sim_rng_bytes(rng, kid, sizeof kid);
    sim_rng_bytes(rng, key, sizeof key);
    ike_ticket_keys_init(&r.tk, kid, key);
    for (unsigned i = 0; i < n; i++) {
        draws(&full[i], rng, i);
        draws(&res[i], rng, i);
    }
    for (unsigned i = 0; i < n; i++) {
        prepare_full(&full[i], rng);
        prepare_resume(&res[i], rng, &r.tk);
    }
    sim_rng_free(rng);

    static const struct {
        const char *name;
        bool resumed, auth;
    } rows[] = {
        { "IKE_SA_INIT (X25519)", false, false },
        { "IKE_SA_INIT + IKE_AUTH", false, true },
        { "IKE_SESSION_RESUME", true, false },
        { "IKE_SESSION_RESUME + IKE_AUTH", true, true },
    };
    double cpu[4], wall[4];
    for (size_t row = 0; row < 4; row++) {
        job *jobs = rows[row].resumed ? res : full;
        run(&r, jobs, n / 10 + 1, rows[row].resumed, rows[row].auth); /* warm-up */
        double c[99], w[99];
        for (int i = 0; i < reps; i++) {
            timing t = run(&r, jobs, n, rows[row].resumed, rows[row].auth);
            c[i] = t.cpu;
            w[i] = t.wall;
        }
        cpu[row] = bench_median(c, reps);
        wall[row] = bench_median(w, reps);
        if (r.ok != n) {
            fprintf(stderr, "ikesim-bench-resume: %s: only %u of %u answered\n", rows[row].name, r.ok, n);
            return 1;
        }
    }
    printf("responder side, AES-GCM-256 / PRF-HMAC-SHA2-256 / X25519, PSK; %u clients, median of %d\n", n, reps);
    printf("%-32s %12s %12s %14s\n", "exchange", "CPU us", "wall us", "per s (CPU)");
    for (size_t row = 0; row < 4; row++)
        printf("%-32s %12.1f %12.1f %14.0f\n", rows[row].name, cpu[row] * 1e6, wall[row] * 1e6, 1 / cpu[row]);
    printf("full handshake / resumption exchange: %.2f (CPU)\n", cpu[1] / cpu[2]);
    printf("full handshake / resumption with its IKE_AUTH: %.2f (CPU)\n", cpu[1] / cpu[3]);
    printf("IKE_SA_INIT / IKE_SESSION_RESUME: %.2f (CPU)\n", cpu[0] / cpu[2]);
    g_free(full);
    g_free(res);
    return 0;
}
