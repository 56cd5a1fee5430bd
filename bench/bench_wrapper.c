/* ikesim-bench-wrapper — what the C wrapper costs over plain ns-3.
 *
 * Each workload runs through the wrapper (loops below, C11) and as the same
 * loop written directly against ns-3 (raw_ns3.cc, C++), in this one process,
 * one simulation at a time.  Runs alternate wrapper and raw so that noise
 * hits both alike; the table gives medians.  Only the simulation is timed
 * (arming the first events and Run), not building the topology or tearing
 * it down, and both sides start from a warmed-up simulator.
 *
 * Not a test: a benchmark run by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "bench_util.h"
#include "ns3_net.h"
#include "raw_ns3.h"

/* ---- scheduler loop through the wrapper ---- */

typedef struct {
    uint64_t fired;
    uint64_t rearm_limit; /* fired events beyond this do not re-arm */
} timer_loop;

typedef struct {
    ns3_timer timer;
    timer_loop *loop;
    uint64_t delay_ns;
} timer_slot;

static void on_tick(void *arg)
{
    timer_slot *s = arg;
    if (++s->loop->fired <= s->loop->rearm_limit)
        ns3_timer_start(&s->timer, s->delay_ns);
}

static int wrap_timer_loop(uint32_t inflight, uint64_t events, bool node_owned, bench_result *out)
{
    if (inflight == 0 || events < inflight || ns3_sim_init(1, 1) != NS3_OK)
        return -1;
    ns3_node_id owner = node_owned ? ns3_node_create() : NS3_NO_NODE;
    timer_loop loop = {0, events - inflight}; /* so exactly `events` fire */
    timer_slot *slots = g_new(timer_slot, inflight);
    for (uint32_t i = 0; i < inflight; i++) {
        slots[i].loop = &loop;
        slots[i].delay_ns = bench_delay_ns(i);
        ns3_timer_init(&slots[i].timer, owner, on_tick, &slots[i]);
    }

    int rc = 0;
    double t0 = bench_now_s();
    for (uint32_t i = 0; i < inflight && rc == 0; i++)
        rc = ns3_timer_start(&slots[i].timer, slots[i].delay_ns);
    ns3_sim_run();
    *out = (bench_result){loop.fired, bench_now_s() - t0};
    ns3_sim_destroy();
    g_free(slots);
    return rc == 0 && loop.fired == events ? 0 : -1;
}

/* ---- UDP through the wrapper ---- */

typedef struct {
    int tx;
    uint32_t dst;
    uint64_t to_send, sent;
    uint8_t payload[BENCH_UDP_PAYLOAD];
    ns3_timer tick;
    uint64_t delivered, bytes;
} udp_app;

static void on_datagram(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t port)
{
    udp_app *app = arg;
    (void)data, (void)src, (void)port;
    app->delivered++;
    app->bytes += len;
}

static void on_send_tick(void *arg)
{
    udp_app *app = arg;
    ns3_udp_send(app->tx, app->dst, BENCH_UDP_PORT, app->payload, sizeof app->payload);
    if (++app->sent < app->to_send)
        ns3_timer_start(&app->tick, BENCH_UDP_INTERVAL_NS);
}

static int wrap_udp_loop(uint64_t datagrams, bench_result *out)
{
    if (datagrams == 0 || ns3_sim_init(1, 1) != NS3_OK)
        return -1;
    udp_app app = {.to_send = datagrams};
    ns3_node_id a = ns3_node_create(), b = ns3_node_create();
    ns3_link_cfg cfg = {BENCH_UDP_RATE_BPS, BENCH_UDP_DELAY_NS, 0.0, BENCH_UDP_QUEUE_PKTS};
    int link = ns3_link_create(a, b, &cfg);
    app.tx = ns3_udp_open(a, BENCH_UDP_PORT, on_datagram, &app);
    int rx = ns3_udp_open(b, BENCH_UDP_PORT, on_datagram, &app);
    app.dst = ns3_link_addr(link, 1);
    ns3_timer_init(&app.tick, a, on_send_tick, &app);
    int rc = link < 0 || app.tx < 0 || rx < 0 ? -1 : 0;

    double t0 = bench_now_s();
    if (rc == 0)
        rc = ns3_timer_start(&app.tick, 0);
    ns3_sim_run();
    *out = (bench_result){app.delivered, bench_now_s() - t0};
    ns3_sim_destroy();
    return rc == 0 && app.delivered == datagrams && app.bytes == datagrams * BENCH_UDP_PAYLOAD ? 0 : -1;
}

/* ---- driver ---- */

typedef struct {
    const char *name;
    const char *unit;
    double unit_scale;  /* rate / unit_scale is printed */
    uint32_t inflight;  /* 0: the UDP workload */
    bool node_owned;
    uint64_t count;     /* events fired or datagrams sent per run */
    double *rate[2];    /* per rep: [0] wrapper, [1] raw */
} workload;

static int run_one(const workload *w, int raw, bench_result *r)
{
    if (w->inflight == 0)
        return raw ? raw_udp_loop(w->count, r) : wrap_udp_loop(w->count, r);
    return raw ? raw_timer_loop(w->inflight, w->count, w->node_owned, r)
               : wrap_timer_loop(w->inflight, w->count, w->node_owned, r);
}

int main(int argc, char **argv)
{
    gboolean quick = FALSE;
    gint reps = 5;
    GOptionEntry entries[] = {
        {"quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Counts / 10 and 3 runs: a smoke run of a few seconds", NULL},
        {"reps", 'r', 0, G_OPTION_ARG_INT, &reps, "Timed runs per side and workload (default 5; median reported)", "N"},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the ns-3 C wrapper's speed against plain ns-3");
    g_option_context_set_summary(ctx,
        "Events per second of the scheduler (1 and 1,000 events in flight, timers owned by\n"
        "no node and by a node) and UDP datagrams delivered per second over one\n"
        "point-to-point link, through the C wrapper and written directly in C++ against\n"
        "ns-3, in one process; medians of alternating runs, and the ratio wrapper/raw.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "%s\n", err->message);
        return 2;
    }
    if (quick && reps == 5)
        reps = 3;
    if (reps < 1 || reps > 1000) {
        fprintf(stderr, "--reps must be 1..1000\n");
        return 2;
    }
    double t_start = bench_now_s();
    uint64_t div = quick ? 10 : 1;

    workload ws[] = {
        {"timers, no owner, 1 in flight", "Mev/s", 1e6, 1, false, 8000000 / div, {0}},
        {"timers, no owner, 1000 in flight", "Mev/s", 1e6, 1000, false, 4000000 / div, {0}},
        {"timers, node-owned, 1 in flight", "Mev/s", 1e6, 1, true, 8000000 / div, {0}},
        {"timers, node-owned, 1000 in flight", "Mev/s", 1e6, 1000, true, 4000000 / div, {0}},
        {"udp 100 B every 10 us, 1 Gbit/s", "kdgram/s", 1e3, 0, false, 120000 / div, {0}},
    };
    enum { NW = sizeof ws / sizeof ws[0] };

    printf("ikesim-bench-wrapper: %d timed runs per side, median; counts per run:", reps);
    for (int i = 0; i < NW; i++)
        printf(" %" G_GUINT64_FORMAT, ws[i].count);
    printf("\n");
    fflush(stdout); /* before the progress lines on stderr */

    /* One untimed round at small counts first: the first simulation of a
     * process pays for ns-3's lazy set-up and for growing the heap. */
    for (int i = 0; i < NW; i++) {
        workload small = ws[i];
        small.count = ws[i].count / 10 > small.inflight ? ws[i].count / 10 : ws[i].count;
        bench_result r;
        for (int raw = 0; raw < 2; raw++)
            if (run_one(&small, raw, &r) != 0) {
                fprintf(stderr, "%s (%s): wrong count %" G_GUINT64_FORMAT "\n", small.name,
                        raw ? "raw" : "wrapper", r.count);
                return 1;
            }
    }

    for (int i = 0; i < NW; i++)
        for (int raw = 0; raw < 2; raw++)
            ws[i].rate[raw] = g_new(double, reps);
    for (int rep = 0; rep < reps; rep++) {
        for (int i = 0; i < NW; i++) {
            for (int k = 0; k < 2; k++) {
                int raw = (rep + k) % 2; /* wrapper first on even reps, raw first on odd */
                bench_result r;
                if (run_one(&ws[i], raw, &r) != 0) {
                    fprintf(stderr, "%s (%s): wrong count %" G_GUINT64_FORMAT "\n", ws[i].name,
                            raw ? "raw" : "wrapper", r.count);
                    return 1;
                }
                ws[i].rate[raw][rep] = (double)r.count / r.secs;
            }
        }
        fprintf(stderr, "run %d/%d done\n", rep + 1, reps);
    }

    double ratio[NW];
    printf("\n%-36s %-9s %9s %6s %9s %6s %7s\n", "workload", "unit", "wrapper", "(+-%)", "raw",
           "(+-%)", "ratio");
    for (int i = 0; i < NW; i++) {
        double med[2], spread[2];
        for (int raw = 0; raw < 2; raw++) {
            double *v = ws[i].rate[raw];
            med[raw] = bench_median(v, reps);
            spread[raw] = 100.0 * (v[reps - 1] - v[0]) / 2 / med[raw]; /* half the range */
        }
        ratio[i] = med[0] / med[1];
        printf("%-36s %-9s %9.3f %6.1f %9.3f %6.1f %7.3f\n", ws[i].name, ws[i].unit,
               med[0] / ws[i].unit_scale, spread[0], med[1] / ws[i].unit_scale, spread[1], ratio[i]);
    }
    printf("\n");
    for (int i = 0; i < NW; i++)
        printf("ratio wrapper/raw, %-36s %.3f  (target >= 0.95: %s)\n", ws[i].name, ratio[i],
               ratio[i] >= 0.95 ? "met" : "NOT met");
    printf("wall time %.1f s\n", bench_now_s() - t_start);

    for (int i = 0; i < NW; i++)
        for (int raw = 0; raw < 2; raw++)
            g_free(ws[i].rate[raw]);
    return 0;
}
