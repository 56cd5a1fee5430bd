/* ikesim-demo — a small run of the ns-3 wrapper: echo traffic between two
 * hosts across a router that crashes and comes back, with RTTs in a CSV
 * file and the links captured as pcap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ns3_net.h"

#define PORT 7
#define MAX_PINGS 4096

typedef struct {
    int sock_a, sock_b;
    uint32_t addr_a, addr_b;
    ns3_timer tick;
    uint32_t next_seq, n_pings;
    uint64_t interval_ns;
    uint64_t sent_ns[MAX_PINGS];
    int64_t rtt_ns[MAX_PINGS]; /* -1: no echo came back */
} demo;

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_tick(void *arg)
{
    demo *d = arg;
    if (d->next_seq >= d->n_pings)
        return;
    uint8_t msg[64] = {0};
    put_u32(msg, d->next_seq);
    d->sent_ns[d->next_seq] = ns3_now_ns();
    d->next_seq++;
    ns3_udp_send(d->sock_a, d->addr_b, PORT, msg, sizeof msg);
    ns3_timer_start(&d->tick, d->interval_ns);
}

static void on_echo_request(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    demo *d = arg;
    ns3_udp_send(d->sock_b, src, sport, data, len);
}

static void on_echo_reply(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    demo *d = arg;
    (void)src, (void)sport;
    if (len < 4)
        return;
    uint32_t seq = get_u32(data);
    if (seq < d->next_seq && d->rtt_ns[seq] < 0)
        d->rtt_ns[seq] = (int64_t)(ns3_now_ns() - d->sent_ns[seq]);
}

static void crash_router(void *arg) { ns3_node_crash(*(ns3_node_id *)arg); }
static void revive_router(void *arg) { ns3_node_revive(*(ns3_node_id *)arg); }

static int write_csv(const demo *d, const char *path)
{
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "seq,sent_s,rtt_ms\n");
    for (uint32_t i = 0; i < d->next_seq; i++) {
        if (d->rtt_ns[i] >= 0)
            fprintf(f, "%u,%.6f,%.3f\n", i, d->sent_ns[i] / 1e9, d->rtt_ns[i] / 1e6);
        else
            fprintf(f, "%u,%.6f,\n", i, d->sent_ns[i] / 1e9);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        g_remove(tmp);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    gint64 seed = 1;
    double loss = 0.01, crash_s = 2.0, down_s = 2.0, end_s = 6.0;
    g_autofree char *out = NULL;
    GOptionEntry entries[] = {
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed, 1..4294967086 (default 1)", "N"},
        {"loss", 0, 0, G_OPTION_ARG_DOUBLE, &loss, "Frame loss probability on each link (default 0.01)", "P"},
        {"crash-at", 0, 0, G_OPTION_ARG_DOUBLE, &crash_s, "Router crash time in seconds (default 2)", "S"},
        {"down-for", 0, 0, G_OPTION_ARG_DOUBLE, &down_s, "How long the router stays down (default 2)", "S"},
        {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &end_s, "Simulated seconds (default 6)", "S"},
        {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Output folder (default results/demo)", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("— echo traffic across a crashing router");
    g_option_context_set_summary(ctx,
        "Host A sends a 64-byte UDP echo request to host B every 50 ms across a\n"
        "router (10 Mbit/s, 10 ms links).  The router crashes and comes back;\n"
        "DIR/rtt.csv gets one row per request (empty rtt_ms: no reply), and\n"
        "DIR/pcap/ a capture of both links.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "ikesim-demo: %s\n", err->message);
        return 2;
    }
    if (seed < 1 || seed > 4294967086 || !(loss >= 0 && loss <= 1) || !(crash_s >= 0) ||
        !(down_s >= 0) || !(end_s > 0 && end_s <= 200)) {
        fprintf(stderr, "ikesim-demo: an option is out of range (see --help)\n");
        return 2;
    }
    if (!out)
        out = g_strdup("results/demo");
    g_autofree char *pcap_dir = g_build_filename(out, "pcap", NULL);
    if (g_mkdir_with_parents(pcap_dir, 0777) != 0) {
        fprintf(stderr, "ikesim-demo: cannot create %s: %s\n", pcap_dir, g_strerror(errno));
        return 2;
    }

    demo *d = g_new0(demo, 1);
    d->interval_ns = 50 * 1000 * 1000;
    d->n_pings = (uint32_t)(end_s * 1e9 / d->interval_ns);
    if (d->n_pings > MAX_PINGS)
        d->n_pings = MAX_PINGS;
    for (int i = 0; i < MAX_PINGS; i++)
        d->rtt_ns[i] = -1;

    ns3_sim_init((uint32_t)seed, 1);
    ns3_node_id a = ns3_node_create(), r = ns3_node_create(), b = ns3_node_create();
    ns3_link_cfg cfg = {.rate_bps = 10000000, .delay_ns = 10000000, .loss = loss, .queue_pkts = 100};
    int l0 = ns3_link_create(a, r, &cfg), l1 = ns3_link_create(r, b, &cfg);
    ns3_routing_global();
    d->addr_a = ns3_link_addr(l0, 0);
    d->addr_b = ns3_link_addr(l1, 1);
    d->sock_a = ns3_udp_open(a, 40000, on_echo_reply, d);
    d->sock_b = ns3_udp_open(b, PORT, on_echo_request, d);
    if (ns3_pcap_enable(l0, pcap_dir) < 0 || ns3_pcap_enable(l1, pcap_dir) < 0) {
        fprintf(stderr, "ikesim-demo: cannot write captures into %s\n", pcap_dir);
        ns3_sim_destroy();
        return 2;
    }
    ns3_timer_init(&d->tick, a, on_tick, d);
    ns3_timer_start(&d->tick, 0);
    ns3_schedule(NS3_NO_NODE, (uint64_t)(crash_s * 1e9), crash_router, &r);
    ns3_schedule(NS3_NO_NODE, (uint64_t)((crash_s + down_s) * 1e9), revive_router, &r);
    ns3_sim_stop_at((uint64_t)(end_s * 1e9) + 1000000000ull); /* let the last replies in */
    ns3_sim_run();
    uint64_t events = ns3_sim_events();
    ns3_sim_destroy();

    uint32_t answered = 0;
    for (uint32_t i = 0; i < d->next_seq; i++)
        answered += d->rtt_ns[i] >= 0;
    g_autofree char *csv = g_build_filename(out, "rtt.csv", NULL);
    if (write_csv(d, csv) != 0) {
        fprintf(stderr, "ikesim-demo: cannot write %s\n", csv);
        return 2;
    }
    printf("%u echo requests, %u answered, %u lost (router down %.1f s of %.1f s); "
           "%" G_GUINT64_FORMAT " events\n",
           d->next_seq, answered, d->next_seq - answered, down_s, end_s, events);
    printf("wrote %s and captures in %s\n", csv, pcap_dir);
    g_free(d);
    return 0;
}
