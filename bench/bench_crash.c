/* ikesim-bench-crash — what the protocol models cost on top of ns-3.
 *
 * A crash run (two gateways, traffic both ways protected by ESP, a crash,
 * QCD recovery) next to a run of the same length on the same ns-3 topology
 * in which the models are replaced by bare UDP: the same number of
 * datagrams of the same size, each answered by nothing.  Target: the
 * models add at most 30% to the raw ns-3 cost.  Then the same crash run
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

static double bare_run(const sim_run_cfg *c, uint64_t datagrams_each, size_t len)
{
    double t0 = bench_now_s();
    ns3_sim_init(c->seed, c->run);
    ns3_node_id n[2] = {ns3_node_create(), ns3_node_create()};
    int l = ns3_link_create(n[0], n[1], &c->link);
    bare_flow f[2];
    for (int i = 0; i < 2; i++) {
        f[i] = (bare_flow){.dst = ns3_link_addr(l, 1 - i), .left = datagrams_each, .len = len,
                           .interval = (uint64_t)(c->horizon_s * 1e9 / (double)datagrams_each)};
        f[i].sock = ns3_udp_open(n[i], 4500, bare_rx, &f[i]);
        ns3_timer_init(&f[i].t, n[i], bare_tick, &f[i]);
        ns3_timer_start(&f[i].t, 1000000000ull);
    }
    ns3_sim_stop_at((uint64_t)(c->horizon_s * 1e9));
    ns3_sim_run();
    ns3_sim_destroy();
    return bench_now_s() - t0;
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
    int reps = quick ? 1 : 5;
    double model[5], bare[5], traced[5];
    size_t trace_len = 0;
    sim_row row = {0};
    for (int r = 0; r < reps; r++) {
        sim_run_cfg c;
        crash_cfg(&c, horizon, pps);
        double t0 = bench_now_s();
        if (sim_run(&c, &row) != 0) {
            fprintf(stderr, "ikesim-bench-crash: the crash run failed\n");
            return 1;
        }
        model[r] = bench_now_s() - t0;
        /* as many datagrams as the crash run carried, ESP-sized */
        uint64_t each = (uint64_t)(pps * (horizon - 1)) + row.ike_msgs / 2;
        size_t esp_len = c.traffic[0].size + 8 + 8 + 2 + 16 + 2;
        bare[r] = bare_run(&c, each, esp_len);
        c.on_trace = format_trace;
        c.on_trace_arg = &trace_len;
        t0 = bench_now_s();
        if (sim_run(&c, &row) != 0)
            return 1;
        traced[r] = bench_now_s() - t0;
    }
    double m = bench_median(model, reps), b = bench_median(bare, reps);
    printf("crash run (QCD, %.0f s simulated, %.0f pkt/s each way): %.3f s wall, %" G_GUINT64_FORMAT
           " events, detect %.3f s\n", horizon, pps, m, row.events, row.detect_s);
    printf("bare UDP, same datagrams and topology:                %.3f s wall\n", b);
    printf("models add %.0f%% to the raw ns-3 cost (target <= 30%%: %s)\n", (m / b - 1) * 100,
           m / b <= 1.3 ? "met" : "NOT met");
    double tr = bench_median(traced, reps);
    printf("the same crash run with its event trace (%zu octets of CSV): %.3f s wall, %+.1f%% over the run "
           "without (ratio %.3f)\n", trace_len, tr, (tr / m - 1) * 100, tr / m);
    return 0;
}
