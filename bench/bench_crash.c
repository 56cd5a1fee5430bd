/* ikesim-bench-crash — what the protocol models cost on top of ns-3.
 *
 * A crash run (two gateways, traffic both ways protected by ESP, a crash,
 * QCD recovery) next to a run of the same length on the same ns-3 topology
 * in which the models are replaced by bare UDP: as many datagrams as the
 * crash run sent (counted by the wrapper), ESP-sized, each answered by
 * nothing.  Target: the models add at most 30% to the raw ns-3 cost.
 * Times are the thread's CPU time (a run is one thread), so a busy
 * machine's waits for a core count against neither.  Then the same crash run
 * with its event trace made and formatted as `ikesim run --trace` does:
 * what the trace costs when on (off, the first run, makes none of it).
 * Not a test.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "bench_util.h"

#include "run.h"

static void crash_cfg(sim_run_cfg *c, double horizon, double pps)
{
    sim_run_cfg_defaults(c);
    c->horizon_s = horizon;
    for (int i = 0; i < 2; i++) {
        c->traffic[i].rate_pps = pps;
        c->traffic[i].stop_s = horizon;
    }
    c->gw[1].establish = SIM_EST_NEVER;
    c->gw[0].ike.qcd.role = IKE_QCD_TAKER;
    c->gw[0].ike.hint_starts_dpd = true;
    c->gw[0].ike.dpd_delay_ms = 30000;
    c->gw[1].ike.qcd.role = IKE_QCD_MAKER;
    c->script[c->n_script++] = (sim_script_ev){horizon / 3, SIM_ACT_CRASH, 1, 0};
    c->script[c->n_script++] = (sim_script_ev){horizon / 3 + 10, SIM_ACT_REBOOT, 1, 0};
}

/* ---- the same datagrams without the models ---- */

typedef struct {
    int sock;
    uint32_t dst;
    ns3_timer t;
    uint64_t interval, left;
    size_t len;
    uint64_t received;
} bare_flow;

static void bare_rx(void *arg, const uint8_t *d, size_t len, uint32_t src, uint16_t sport)
{
    (void)d, (void)len, (void)src, (void)sport;
    ((bare_flow *)arg)->received++;
}

static void bare_tick(void *arg)
{
    bare_flow *f = arg;
    static const uint8_t payload[1500];
    ns3_udp_send(f->sock, f->dst, 4500, payload, f->len);
    if (--f->left)
        ns3_timer_start(&f->t, f->interval);
}

static double bare_run(const sim_run_cfg *c, uint64_t datagrams, size_t len)
{
    double t0 = bench_cpu_s();
    ns3_sim_init(c->seed, c->run);
    ns3_node_id n[2] = {ns3_node_create(), ns3_node_create()};
    int l = ns3_link_create(n[0], n[1], &c->link);
    bare_flow f[2];
    for (int i = 0; i < 2; i++) {
        /* evenly from 1 s until just before the horizon: all of them sent */
        uint64_t each = MAX((datagrams + (uint64_t)i) / 2, 1);
        f[i] = (bare_flow){.dst = ns3_link_addr(l, 1 - i), .left = each, .len = len,
                           .interval = (uint64_t)((c->horizon_s - 1) * 1e9 / (double)(each + 1))};
        f[i].sock = ns3_udp_open(n[i], 4500, bare_rx, &f[i]);
        ns3_timer_init(&f[i].t, n[i], bare_tick, &f[i]);
        ns3_timer_start(&f[i].t, 1000000000ull);
    }
    uint64_t sent = ns3_datagrams_sent();
    ns3_sim_stop_at((uint64_t)(c->horizon_s * 1e9));
    ns3_sim_run();
    ns3_sim_destroy();
    double t = bench_cpu_s() - t0;
    if (ns3_datagrams_sent() - sent != datagrams)
        g_error("the bare run sent %" G_GUINT64_FORMAT " datagrams, not %" G_GUINT64_FORMAT,
                ns3_datagrams_sent() - sent, datagrams);
    return t;
}

/* One crash run's CPU seconds; -1 if it failed. */
static double crash_run(const sim_run_cfg *c, sim_row *row)
{
    double t0 = bench_cpu_s();
    if (sim_run(c, row) != 0) {
        fprintf(stderr, "ikesim-bench-crash: the crash run failed\n");
        return -1;
    }
    return bench_cpu_s() - t0;
}

/* What `--trace` does with the trace: format it (and here, drop it). */
static void format_trace(void *arg, const run_trace *t)
{
    size_t *len = arg;
    char *csv = sim_trace_text(t, false);
    *len = strlen(csv);
    g_free(csv);
}

int main(int argc, char **argv)
{
    gboolean quick = FALSE;
    GOptionEntry entries[] = {
        {"quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A short run (smoke test)", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("— crash run vs bare UDP on the same topology");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "ikesim-bench-crash: %s\n", err->message);
        return 2;
    }
    double horizon = quick ? 60 : 600, pps = 200;
    enum { REPS = 9 };
    int reps = quick ? 1 : REPS;
    double model[REPS], bare[REPS], traced[REPS], ratio[REPS], traced_ratio[REPS];
    size_t trace_len = 0;
    sim_row row = {0};
    sim_run_cfg c;
    crash_cfg(&c, horizon, pps);
    size_t esp_len = c.traffic[0].size + 8 + 8 + 2 + 16 + 2;
    /* an untimed crash run first: how many datagrams the bare runs send */
    uint64_t sent = ns3_datagrams_sent();
    if (sim_run(&c, &row) != 0) {
        fprintf(stderr, "ikesim-bench-crash: the crash run failed\n");
        return 1;
    }
    uint64_t datagrams = ns3_datagrams_sent() - sent;
    /* Pairs in alternating order, each judged by its own ratio: on a shared
     * machine the speed drifts between pairs more than within one. */
    for (int r = 0; r < reps; r++) {
        if (r % 2)
            bare[r] = bare_run(&c, datagrams, esp_len);
        if ((model[r] = crash_run(&c, &row)) < 0)
            return 1;
        if (r % 2 == 0)
            bare[r] = bare_run(&c, datagrams, esp_len);
        sim_run_cfg t = c;
        t.on_trace = format_trace;
        t.on_trace_arg = &trace_len;
        if ((traced[r] = crash_run(&t, &row)) < 0)
            return 1;
        ratio[r] = model[r] / bare[r];
        traced_ratio[r] = traced[r] / model[r];
    }
    double m = bench_median(model, reps), b = bench_median(bare, reps), q = bench_median(ratio, reps);
    printf("crash run (QCD, %.0f s simulated, %.0f pkt/s each way): %.3f s CPU, %" G_GUINT64_FORMAT
           " events, %" G_GUINT64_FORMAT " datagrams, detect %.3f s\n", horizon, pps, m, row.events, datagrams,
           row.detect_s);
    printf("bare UDP, as many datagrams on the same topology:     %.3f s CPU\n", b);
    printf("models add %.0f%% to the raw ns-3 cost (median of %d pairs; target <= 30%%: %s)\n", (q - 1) * 100, reps,
           q <= 1.3 ? "met" : "NOT met");
    double tq = bench_median(traced_ratio, reps);
    printf("the same crash run with its event trace (%zu octets of CSV): %.3f s CPU, %+.1f%% over the run "
           "without (ratio %.3f)\n", trace_len, bench_median(traced, reps), (tq - 1) * 100, tq);
    return 0;
}
