/* Random frame loss matches its probability; a link taken down loses
 * everything and works again when brought up. */
#include <math.h>

#include "testnet.h"

#define MS 1000000ull

/* Sends n datagrams 1 ms apart over one hop with loss p; returns how many
 * arrived. */
static guint deliver_count(uint32_t seed, double p, guint n)
{
    g_assert_cmpint(ns3_sim_init(seed, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 100000000, .delay_ns = MS, .loss = p, .queue_pkts = 10};
    ns3_node_id nd[2];
    int l[1];
    chain_build(1, &cfg, nd, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(nd[0], 1, rx_log, rx);
    ns3_udp_open(nd[1], 2, rx_log, rx);
    for (guint i = 0; i < n; i++)
        send_at(i * MS, a, ns3_link_addr(l[0], 1), 2, i, 50);
    ns3_sim_run();
    guint got = rx->len;
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
    return got;
}

static void test_loss_within_binomial_interval(void)
{
    const double probs[] = {0.01, 0.1, 0.5};
    const guint n = 20000;
    for (guint k = 0; k < G_N_ELEMENTS(probs); k++) {
        for (uint32_t seed = 1; seed <= 3; seed++) {
            double p = probs[k];
            guint lost = n - deliver_count(seed, p, n);
            /* 99% normal approximation of Binomial(n, p) */
            double half = 2.5758 * sqrt(n * p * (1 - p));
            g_test_message("p=%.2f seed=%u lost %u of %u (expect %.0f +- %.0f)", p, seed, lost,
                           n, n * p, half);
            g_assert_cmpfloat(lost, >=, n * p - half);
            g_assert_cmpfloat(lost, <=, n * p + half);
        }
    }
    g_assert_cmpuint(deliver_count(1, 0.0, 1000), ==, 1000);
    g_assert_cmpuint(deliver_count(1, 1.0, 1000), ==, 0);
}

typedef struct {
    int link;
    bool up;
    double loss;
} link_change;

static void apply_change(void *arg)
{
    link_change *c = arg;
    if (c->loss >= 0)
        ns3_link_set_loss(c->link, c->loss);
    else
        ns3_link_set_up(c->link, c->up);
}

/* Datagrams every 10 ms from 0 to 3 s; the link changes at 1 s and back at
 * 2 s.  Exactly those in flight during [1 s, 2 s) are gone. */
static void run_outage(link_change *down, link_change *up)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 10};
    ns3_node_id nd[2];
    int l[1];
    chain_build(1, &cfg, nd, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(nd[0], 1, rx_log, rx);
    ns3_udp_open(nd[1], 2, rx_log, rx);
    for (guint i = 0; i < 300; i++)
        send_at(i * 10 * MS, a, ns3_link_addr(l[0], 1), 2, i, 100);
    ns3_schedule(NS3_NO_NODE, 1000 * MS, apply_change, down);
    ns3_schedule(NS3_NO_NODE, 2000 * MS, apply_change, up);
    ns3_sim_run();
    /* arrival = send + 130 us + 5 ms, so sends at 1000..1990 ms arrive in
     * the outage and sends from 2000 ms on arrive after it */
    g_assert_cmpuint(rx->len, ==, 200);
    for (guint i = 0; i < rx->len; i++) {
        rx_record r = g_array_index(rx, rx_record, i);
        g_assert_true(r.tag < 100 || r.tag >= 200);
        g_assert_true(r.t_ns < 1000 * MS || r.t_ns >= 2000 * MS);
    }
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
}

static void test_link_down_up(void)
{
    link_change down = {0, false, -1}, up = {0, true, -1};
    run_outage(&down, &up);
}

static void test_loss_burst(void)
{
    link_change burst = {0, true, 1.0}, clear = {0, true, 0.0};
    run_outage(&burst, &clear);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loss/within-binomial-99-interval", test_loss_within_binomial_interval);
    g_test_add_func("/loss/link-down-up", test_link_down_up);
    g_test_add_func("/loss/loss-burst", test_loss_burst);
    return g_test_run();
}
