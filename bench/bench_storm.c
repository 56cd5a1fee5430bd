/* ikesim-bench-storm — what a reconnection storm costs as the fleet grows.
 *
 * For N = 1,000, 10,000 and 100,000 clients (--quick: 250, 500, 1,000) it
 * runs the same storm twice in child processes: QCD, strongSwan liveness,
 * the headend crashing at 30 s and rebooting 20 s later, horizon 120 s (the
 * storm is over about 35 s after the crash), once with half the fleet
 * sending traffic and once with an idle fleet (every client finds the crash
 * by its own liveness check).  The headend is sized to its fleet so that
 * the storm has one shape at every N and the growth is the simulator's:
 * per 1,000 clients it handles 500 IKE_SA_INIT/s (2 ms of CPU each) and
 * answers 1,000 QCD and 500 error notifications/s.  The clients share 40
 * ns-3 nodes (10 with --quick) whatever N.  Each row: wall time, peak RSS,
 * events, t99/t100 (a storm that did not finish is an error: the floor
 * would then count handshakes the run never did) and the crypto floor: the
 * DH and PRF work of N handshakes timed alone in this process (target: a
 * storm at most 2x the floor at the largest N); wall times and floors are
 * medians of 3.  Then the growth exponent
 * of wall time over N (log-log least squares; target <= 1.1).
 *
 * Memory per client (target <= 4 KiB beyond ns-3's per-node cost), two
 * ways: (1) in a storm, the peak RSS of a second run with the same ns-3
 * nodes and twice the clients per node, minus the first, per added client
 * (everything a client costs: its endpoint, both ends of its SAs, its
 * timers, events and packets in flight, the run's bookkeeping); (2) the
 * model alone, counted by malloc: a client's endpoint and both ends of its
 * IKE and Child SAs, without ns-3.
 *
 * --clients N [--per-node K] [--idle] runs one storm in this process,
 * --floor N times the crypto floor alone, --model N counts the model's
 * memory alone (for profilers).  Not a test.
 */
#include <malloc.h>
#ifdef HAVE_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "bench_util.h"

#include "esp.h"
#include "ike_ha.h"
#include "rng.h"
#include "storm.h"

/* idle: every client sends no application traffic (it finds the crash by
 * its own liveness check): the storm without the background. */
static void storm_cfg(sim_run_cfg *c, uint32_t n, bool idle)
{
    double per_1000 = n / 1000.0; /* the headend sized to its fleet */
    sim_run_cfg_defaults(c);
    c->horizon_s = 120;
    c->star = (sim_star_cfg){.clients = n, .clients_per_node = 250, .idle_fraction = idle ? 1.0 : 0.5, .rate_spread = 10,
                             .handshake_cost_s = 0.002 / per_1000, .init_queue = 1000};
    for (int i = 0; i < 2; i++) {
        c->gw[i].ike.dpd_delay_ms = 30000; /* strongSwan preset */
        c->gw[i].ike.dpd_clock = IKE_DPD_WHOLE_SECONDS;
    }
    c->gw[1].establish = SIM_EST_NEVER;
    c->gw[0].ike.qcd.role = IKE_QCD_TAKER;
    c->gw[0].ike.hint_starts_dpd = true;
    c->gw[1].ike.qcd.role = IKE_QCD_MAKER;
    c->gw[1].ike.cookie_threshold = 50;
    c->gw[1].ike.qcd.maker_rate = c->gw[1].ike.qcd.maker_burst = 1000 * per_1000;
    c->gw[1].ike.unknown_spi_rate = c->gw[1].ike.unknown_spi_burst = 500 * per_1000;
    c->gw[1].ike.unknown_ike_spi_rate = c->gw[1].ike.unknown_ike_spi_burst = 500 * per_1000;
    c->traffic[0] = (sim_traffic_cfg){SIM_TRAFFIC_POISSON, 0.2, 200, 1, c->horizon_s, 0, 0};
    c->traffic[1].kind = SIM_TRAFFIC_NONE;
    c->script[c->n_script++] = (sim_script_ev){30, SIM_ACT_CRASH, 1, 0};
    c->script[c->n_script++] = (sim_script_ev){50, SIM_ACT_REBOOT, 1, 0};
}

typedef struct {
    double wall_s, t99_s, t100_s;
    long maxrss_kib;
    uint64_t events, never;
} storm_result;

/* One storm in a child: peak RSS is per process. */
static bool run_child(uint32_t n, uint32_t per_node, bool idle, storm_result *out)
{
    int fd[2];
    if (pipe(fd) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        sim_run_cfg c;
        storm_cfg(&c, n, idle);
        c.star.clients_per_node = per_node;
        sim_row row;
        storm_result r = {0};
        if (sim_storm_run(&c, &row, NULL) == 0) {
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            r = (storm_result){row.wall_s, row.t99_s, row.t100_s, ru.ru_maxrss, row.events, row.never_recovered};
        }
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], out, sizeof *out);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof *out && WIFEXITED(status) && WEXITSTATUS(status) == 0 && out->wall_s > 0;
}

enum { REPEAT = 3 }; /* this machine's timings vary by several percent from run to run */

static int by_wall(const void *a, const void *b)
{
    double x = ((const storm_result *)a)->wall_s, y = ((const storm_result *)b)->wall_s;
    return (x > y) - (x < y);
}

/* The run with the median wall time of REPEAT (the runs are otherwise identical). */
static bool run_median(uint32_t n, uint32_t per_node, bool idle, storm_result *out)
{
    storm_result r[REPEAT];
    for (int k = 0; k < REPEAT; k++)
        if (!run_child(n, per_node, idle, &r[k]))
            return false;
    qsort(r, REPEAT, sizeof r[0], by_wall);
    *out = r[REPEAT / 2];
    return true;
}

/* --- the model's memory per client, without ns-3 --- */

static void nop_send(void *ctx, uint64_t peer, const uint8_t *m, size_t l) { (void)ctx, (void)peer, (void)m, (void)l; }
static void rnd(void *ctx, uint8_t *out, size_t len) { sim_rng_bytes(ctx, out, len); }

/* Bytes the program has allocated: tcmalloc's count when it is the
 * allocator (the build links it; glibc's mallinfo2 then sees nothing). */
static size_t heap_used(void)
{
#ifdef HAVE_TCMALLOC
    size_t v = 0;
    MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &v);
    return v;
#else
    return mallinfo2().uordblks;
#endif
}

/* Bytes per client: *headend_side the headend's IKE and Child SA for it. */
static double model_bytes_per_client(uint32_t n, double *headend_side)
{
    sim_rng *rng = sim_rng_new(1, 1, 9);
    ike_cfg cc, hc;
    ike_cfg_defaults(&cc);
    memcpy(cc.psk, "ikesim experiment key", 21);
    cc.psk_len = 21;
    cc.dpd_delay_ms = 30000;
    hc = cc;
    const ike_cfg fleet_cfg = cc;
    memcpy(hc.id, "headend", 7);
    hc.id_len = 7;
    ike_io io = {.ctx = rng, .send = nop_send, .random = rnd};
    ike_ep *he = ike_ep_new(&hc, &io);
    ike_ep **cl = g_new(ike_ep *, n);
    esp_sa **esp = g_new(esp_sa *, 2 * (size_t)n);
    ike_sa_state *st = g_new0(ike_sa_state, 1);
    size_t before = heap_used(), at_headend = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* as the fleet makes them: one shared configuration, an ID each */
        cc.id_len = (size_t)snprintf((char *)cc.id, sizeof cc.id, "c%u.fleet.ikesim", i);
        cl[i] = ike_ep_new_shared(&fleet_cfg, cc.id, cc.id_len, 0, &io);
        memset(st, 0, sizeof *st);
        sim_rng_bytes(rng, (uint8_t *)&st->spi_i, 8);
        sim_rng_bytes(rng, (uint8_t *)&st->spi_r, 8);
        st->spi_i |= 1, st->spi_r |= 1;
        st->suite = cc.ike;
        st->keys.encr_len = ike_encr_key_len(&cc.ike);
        st->has_child = true;
        st->child.suite = cc.esp;
        st->child.spi_in = 256 + 2 * i;
        st->child.spi_out = 257 + 2 * i;
        st->peer_token_len = QCD_TOKEN_LEN;
        st->sync_m_seen = -1;
        st->initiator = true;
        st->next_mid_out = 2;
        st->peer_id_len = 7;
        memcpy(st->peer_id, "headend", 7);
        ike_ep_import(cl[i], 0, 1, st);
        esp_sa_new(&st->child, NULL, &esp[2 * i]);
        st->initiator = false;
        st->next_mid_out = 0;
        st->next_mid_in = 2;
        st->peer_token_len = 0;
        st->peer_id_len = cc.id_len;
        memcpy(st->peer_id, cc.id, cc.id_len);
        uint32_t t = st->child.spi_in;
        st->child.spi_in = st->child.spi_out;
        st->child.spi_out = t;
        size_t he_before = heap_used();
        ike_ep_import(he, 0, 2 + i, st);
        esp_sa_new(&st->child, NULL, &esp[2 * i + 1]);
        at_headend += heap_used() - he_before;
    }
    double per = (double)(heap_used() - before) / n;
    *headend_side = (double)at_headend / n;
    for (uint32_t i = 0; i < n; i++) {
        ike_ep_free(cl[i], 0);
        esp_sa_free(esp[2 * i]);
        esp_sa_free(esp[2 * i + 1]);
    }
    ike_ep_free(he, 0);
    g_free(cl);
    g_free(esp);
    g_free(st);
    sim_rng_free(rng);
    return per;
}

/* --- the crypto floor: DH and PRF work of n handshakes, alone --- */

static double crypto_floor_s(uint32_t n)
{
    sim_rng *rng = sim_rng_new(1, 1, 10);
    ike_suite s = {IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519};
    uint8_t r[IKE_DH_PRIV_RAND], ke[2][IKE_MAX_KE], gir[IKE_MAX_KE], ni[32], nr[32], msg[300], auth[IKE_PRF_LEN];
    uint8_t km[2 * IKE_MAX_KEY];
    size_t gl;
    ike_keys k;
    double t0 = bench_now_s();
    for (uint32_t i = 0; i < n; i++) {
        ike_dh *dh[2];
        for (int side = 0; side < 2; side++) {
            sim_rng_bytes(rng, r, sizeof r);
            ike_dh_new(s.dh, r, &dh[side]);
            ike_dh_public(dh[side], ke[side], 32);
        }
        sim_rng_bytes(rng, ni, 32);
        sim_rng_bytes(rng, nr, 32);
        for (int side = 0; side < 2; side++) {
            ike_dh_shared(dh[side], ke[1 - side], 32, gir, sizeof gir, &gl);
            ike_derive_keys(&s, ni, 32, nr, 32, gir, gl, 1, 2, &k);
            for (int a = 0; a < 2; a++) /* its own AUTH and the peer's, checked */
                ike_psk_auth(IKE_PRF_HMAC_SHA2_256, (const uint8_t *)"ikesim experiment key", 21, msg, sizeof msg, nr, 32, k.pi,
                             (const uint8_t *)"c1.fleet.ikesim", 15, auth);
            ike_child_keymat(IKE_PRF_HMAC_SHA2_256, k.d, ni, 32, nr, 32, km, sizeof km);
            ike_dh_free(dh[side]);
        }
    }
    double dt = bench_now_s() - t0;
    sim_rng_free(rng);
    return dt;
}

/* --clients N [--per-node K] [--idle]: one storm in this process (for profilers). */
static int run_one(uint32_t n, uint32_t per_node, bool idle)
{
    sim_run_cfg c;
    storm_cfg(&c, n, idle);
    c.star.clients_per_node = per_node;
    sim_row row;
    if (sim_storm_run(&c, &row, NULL) != 0)
        return 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%u clients, %u per node: wall %.2f s, peak %.1f MiB, %" G_GUINT64_FORMAT " events, t99 %.2f s, "
           "t100 %.2f s, never %" G_GUINT64_FORMAT "\n", n, per_node, row.wall_s, ru.ru_maxrss / 1024.0, row.events, row.t99_s, row.t100_s,
           row.never_recovered);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--clients") == 0) {
        uint32_t per_node = 250;
        bool idle = false;
        for (int i = 3; i < argc; i++)
            if (strcmp(argv[i], "--per-node") == 0 && i + 1 < argc)
                per_node = (uint32_t)atoi(argv[++i]);
            else
                idle |= strcmp(argv[i], "--idle") == 0;
        return run_one((uint32_t)atoi(argv[2]), per_node, idle);
    }
    if (argc >= 3 && strcmp(argv[1], "--floor") == 0) {
        printf("crypto floor of %s handshakes: %.2f s\n", argv[2], crypto_floor_s((uint32_t)atoi(argv[2])));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--model") == 0) {
        double at_headend, per = model_bytes_per_client((uint32_t)atoi(argv[2]), &at_headend);
        printf("model memory per client: %.0f B, of which the headend's SAs: %.0f B\n", per, at_headend);
        return 0;
    }
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const uint32_t full[] = {1000, 10000, 100000}, small[] = {250, 500, 1000};
    const uint32_t *ns = quick ? small : full;
    const uint32_t nodes = quick ? 10 : 40;
    printf("storm: QCD, strongSwan liveness, crash 30 s, reboot +20 s, horizon 120 s; per 1,000 clients the headend "
           "handles 500 IKE_SA_INIT/s; clients on %u nodes\n", nodes);
    printf("%-7s %8s %9s %9s %10s %8s %8s %7s %9s %10s\n", "fleet", "clients", "wall_s", "peak_MiB", "events", "t99_s",
           "t100_s", "never", "floor_s", "wall/floor");
    double floor[3], lx[3], ly[2][3], ratio[2] = {0};
    storm_result mid = {0};
    for (int i = 0; i < 3; i++) {
        double f[REPEAT];
        for (int k = 0; k < REPEAT; k++)
            f[k] = crypto_floor_s(ns[i]);
        floor[i] = bench_median(f, REPEAT);
        lx[i] = log(ns[i]);
        for (int idle = 0; idle < 2; idle++) {
            storm_result r;
            if (!run_median(ns[i], ns[i] / nodes, idle, &r)) {
                fprintf(stderr, "storm with %u clients failed\n", ns[i]);
                return 1;
            }
            printf("%-7s %8u %9.2f %9.1f %10" G_GUINT64_FORMAT " %8.2f %8.2f %7" G_GUINT64_FORMAT " %9.2f %10.2f\n",
                   idle ? "idle" : "active", ns[i], r.wall_s, r.maxrss_kib / 1024.0, r.events, r.t99_s, r.t100_s,
                   r.never, floor[i], r.wall_s / floor[i]);
            fflush(stdout);
            if (r.never > 0) {
                fprintf(stderr, "the storm with %u clients did not finish by the horizon\n", ns[i]);
                return 1;
            }
            ly[idle][i] = log(r.wall_s);
            ratio[idle] = r.wall_s / floor[i];
            if (i == 1 && !idle)
                mid = r;
        }
    }
    for (int idle = 0; idle < 2; idle++) {
        double mx = (lx[0] + lx[1] + lx[2]) / 3, my = (ly[idle][0] + ly[idle][1] + ly[idle][2]) / 3, sxy = 0, sxx = 0;
        for (int i = 0; i < 3; i++) {
            sxy += (lx[i] - mx) * (ly[idle][i] - my);
            sxx += (lx[i] - mx) * (lx[i] - mx);
        }
        printf("%s fleet: growth exponent of wall time over clients %.3f (target <= 1.1), storm / crypto floor at %u "
               "clients %.2f (target <= 2)\n", idle ? "idle" : "active", sxy / sxx, ns[2], ratio[idle]);
    }

    /* the middle run again with twice the clients on the same nodes */
    storm_result twice;
    if (!run_child(2 * ns[1], 2 * ns[1] / nodes, false, &twice)) {
        fprintf(stderr, "storm with %u clients failed\n", 2 * ns[1]);
        return 1;
    }
    printf("memory per client in a storm (%u vs %u clients on %u nodes, peak RSS): %.0f B (target <= 4096)\n",
           ns[1], 2 * ns[1], nodes, (twice.maxrss_kib - mid.maxrss_kib) * 1024.0 / ns[1]);
    uint32_t mem_n = quick ? 1000 : 20000;
    double at_headend, per_client = model_bytes_per_client(mem_n, &at_headend);
    printf("model memory per client (both ends of IKE and Child SA, its endpoint; %u clients): %.0f B, "
           "of which the headend's SAs: %.0f B\n", mem_n, per_client, at_headend);
    return 0;
}
