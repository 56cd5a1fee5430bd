/* A crashed node receives and sends nothing, forwards nothing, loses its
 * queued and half-sent frames, and its timers never fire; revived, it works
 * again. */
#include "testnet.h"

#define SEC 1000000000ull
#define MS 1000000ull

typedef struct {
    GArray *fired; /* uint64_t */
} fire_log;

static void record_fire(void *arg)
{
    uint64_t now = ns3_now_ns();
    g_array_append_val(((fire_log *)arg)->fired, now);
}

static void crash_cb(void *arg) { g_assert_cmpint(ns3_node_crash(GPOINTER_TO_UINT(arg)), ==, NS3_OK); }
static void revive_cb(void *arg) { g_assert_cmpint(ns3_node_revive(GPOINTER_TO_UINT(arg)), ==, NS3_OK); }

static void at(uint64_t t, ns3_timer_cb cb, ns3_node_id n)
{
    ns3_schedule(NS3_NO_NODE, t - ns3_now_ns(), cb, GUINT_TO_POINTER(n));
}

typedef struct {
    int sock;
    uint32_t dst;
    int rc_down, rc_up;
} send_probe;

static void probe_send(void *arg)
{
    send_probe *p = arg;
    uint8_t msg[4] = {0xee, 0xee, 0xee, 0xee};
    int rc = ns3_udp_send(p->sock, p->dst, 1, msg, sizeof msg);
    if (ns3_node_is_up(0) && ns3_node_is_up(1))
        p->rc_up = rc;
    else
        p->rc_down = rc;
}

static void test_crashed_endpoint(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *rx_a = g_array_new(FALSE, FALSE, sizeof(rx_record));
    GArray *rx_b = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(n[0], 1, rx_log, rx_a);
    int b = ns3_udp_open(n[1], 1, rx_log, rx_b);
    for (guint i = 0; i < 300; i++)
        send_at(i * 10 * MS, a, ns3_link_addr(l[0], 1), 1, i, 100);

    /* B's timers: one due during the outage, a one-shot too, one armed
     * after revival */
    fire_log fl = {g_array_new(FALSE, FALSE, sizeof(uint64_t))};
    ns3_timer t_before, t_after;
    ns3_timer_init(&t_before, n[1], record_fire, &fl);
    ns3_timer_init(&t_after, n[1], record_fire, &fl);
    g_assert_cmpint(ns3_timer_start(&t_before, 1500 * MS), ==, NS3_OK);
    g_assert_cmpint(ns3_schedule(n[1], 1200 * MS, record_fire, &fl), ==, NS3_OK);

    at(1 * SEC, crash_cb, n[1]);
    at(2 * SEC, revive_cb, n[1]);
    send_probe down = {b, ns3_link_addr(l[0], 0), 1, 1}, up = down;
    ns3_schedule(NS3_NO_NODE, 1500 * MS, probe_send, &down); /* B sends while down */
    ns3_schedule(NS3_NO_NODE, 2500 * MS, probe_send, &up);

    ns3_sim_stop_at(1500 * MS);
    ns3_sim_run();
    g_assert_false(ns3_node_is_up(n[1]));
    g_assert_false(ns3_timer_pending(&t_before)); /* stopped by the crash */
    g_assert_cmpint(ns3_timer_start(&t_after, 1), ==, NS3_EDOWN);
    ns3_sim_stop_at(2000 * MS);
    ns3_sim_run();
    g_assert_true(ns3_node_is_up(n[1]));
    g_assert_cmpint(ns3_timer_start(&t_after, 100 * MS), ==, NS3_OK);
    ns3_sim_run();

    /* B heard everything outside [1 s, 2 s) and nothing inside */
    g_assert_cmpuint(rx_b->len, ==, 200);
    for (guint i = 0; i < rx_b->len; i++) {
        rx_record r = g_array_index(rx_b, rx_record, i);
        g_assert_true(r.t_ns < 1 * SEC || r.t_ns >= 2 * SEC);
    }
    /* B could not send while down; after revival its datagram arrives */
    g_assert_cmpint(down.rc_down, ==, NS3_EDOWN);
    g_assert_cmpint(up.rc_up, ==, NS3_OK);
    g_assert_cmpuint(rx_a->len, ==, 1);
    g_assert_cmpuint(g_array_index(rx_a, rx_record, 0).t_ns, ==, 2500 * MS + udp_frame_ns(4, 8000000) + 5 * MS);
    /* only the timer armed after revival fired */
    g_assert_cmpuint(fl.fired->len, ==, 1);
    g_assert_cmpuint(g_array_index(fl.fired, uint64_t, 0), ==, 2100 * MS);
    ns3_sim_destroy();
    g_array_free(rx_a, TRUE);
    g_array_free(rx_b, TRUE);
    g_array_free(fl.fired, TRUE);
}

typedef struct {
    int sock;
    uint32_t dst;
} burst;

static void send_burst(void *arg)
{
    burst *bu = arg;
    for (uint32_t i = 0; i < 20; i++) {
        uint8_t msg[1000] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        g_assert_cmpint(ns3_udp_send(bu->sock, bu->dst, 1, msg, sizeof msg), ==, NS3_OK);
    }
}

static void test_queued_and_half_sent_frames_are_lost(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    /* 1030-octet frames at 1 Mbit/s take 8.24 ms each */
    ns3_link_cfg cfg = {.rate_bps = 1000000, .delay_ns = 2 * MS, .queue_pkts = 100};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *rx_a = g_array_new(FALSE, FALSE, sizeof(rx_record));
    ns3_udp_open(n[0], 1, rx_log, rx_a);
    int b = ns3_udp_open(n[1], 1, rx_log, NULL);
    uint64_t frame = udp_frame_ns(1000, 1000000);
    g_assert_cmpuint(frame, ==, 8240000);
    burst bu = {b, ns3_link_addr(l[0], 0)};
    ns3_schedule(NS3_NO_NODE, SEC, send_burst, &bu);
    /* crash half-way through the fourth frame */
    at(SEC + 3 * frame + frame / 2, crash_cb, n[1]);
    ns3_sim_run();
    /* three frames were complete; the fourth was cut, sixteen were queued */
    g_assert_cmpuint(rx_a->len, ==, 3);
    for (guint i = 0; i < 3; i++) {
        g_assert_cmpuint(g_array_index(rx_a, rx_record, i).tag, ==, i);
        g_assert_cmpuint(g_array_index(rx_a, rx_record, i).t_ns, ==, SEC + (i + 1) * frame + 2 * MS);
    }
    ns3_sim_destroy();
    g_array_free(rx_a, TRUE);
}

static void test_crashed_router_forwards_nothing(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg[2] = {
        {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100},
        {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100},
    };
    ns3_node_id n[3];
    int l[2];
    chain_build(2, cfg, n, l);
    GArray *rx_c = g_array_new(FALSE, FALSE, sizeof(rx_record));
    GArray *rx_r = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(n[0], 1, rx_log, NULL);
    ns3_udp_open(n[1], 1, rx_log, rx_r);
    ns3_udp_open(n[2], 1, rx_log, rx_c);
    for (guint i = 0; i < 300; i++) {
        send_at(i * 10 * MS, a, ns3_link_addr(l[1], 1), 1, i, 100);   /* through R */
        send_at(i * 10 * MS, a, ns3_link_addr(l[0], 1), 1, i, 100);   /* to R */
    }
    at(1 * SEC, crash_cb, n[1]);
    at(2 * SEC, revive_cb, n[1]);
    ns3_sim_run();
    /* A's frames reaching R in [1 s, 2 s) die there: those sent at
     * 1000..1990 ms.  Each side of R adds 130 us + 5 ms. */
    g_assert_cmpuint(rx_r->len, ==, 200);
    g_assert_cmpuint(rx_c->len, ==, 200);
    for (guint i = 0; i < rx_c->len; i++) {
        uint32_t tag = g_array_index(rx_c, rx_record, i).tag;
        g_assert_true(tag < 100 || tag >= 200);
    }
    ns3_sim_destroy();
    g_array_free(rx_c, TRUE);
    g_array_free(rx_r, TRUE);
}

static void test_crash_errors(void)
{
    g_assert_cmpint(ns3_node_crash(0), ==, NS3_ENOSIM);
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id a = ns3_node_create();
    g_assert_cmpint(ns3_node_crash(a + 1), ==, NS3_ENODE);
    g_assert_cmpint(ns3_node_revive(a + 1), ==, NS3_ENODE);
    g_assert_cmpint(ns3_node_crash(a), ==, NS3_OK);
    g_assert_cmpint(ns3_node_crash(a), ==, NS3_OK); /* idempotent */
    g_assert_cmpint(ns3_schedule(a, 1, record_fire, NULL), ==, NS3_EDOWN);
    g_assert_cmpint(ns3_node_revive(a), ==, NS3_OK);
    g_assert_true(ns3_node_is_up(a));
    ns3_sim_destroy();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crash/endpoint-silent-timers-dead", test_crashed_endpoint);
    g_test_add_func("/crash/queued-and-half-sent-frames-lost", test_queued_and_half_sent_frames_are_lost);
    g_test_add_func("/crash/router-forwards-nothing", test_crashed_router_forwards_nothing);
    g_test_add_func("/crash/errors", test_crash_errors);
    return g_test_run();
}
