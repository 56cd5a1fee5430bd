/* UDP over point-to-point links: a datagram arrives exactly after its
 * serialisation time plus propagation delay on every hop; back-to-back
 * datagrams queue; the device queue is the bottleneck. */
#include "testnet.h"

#define SEC 1000000000ull
#define MS 1000000ull

static void test_one_hop_exact(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(n[0], 1000, rx_log, rx);
    int b = ns3_udp_open(n[1], 2000, rx_log, rx);
    send_at(1 * SEC, a, ns3_link_addr(l[0], 1), 2000, 0xabcd0001, 100);
    ns3_sim_run();

    g_assert_cmpuint(rx->len, ==, 1);
    rx_record r = g_array_index(rx, rx_record, 0);
    /* 130 octets at 8 Mbit/s = 130 us, then 5 ms on the wire */
    g_assert_cmpuint(udp_frame_ns(100, 8000000), ==, 130000);
    g_assert_cmpuint(r.t_ns, ==, 1 * SEC + 130000 + 5 * MS);
    g_assert_cmpuint(r.len, ==, 100);
    g_assert_cmpuint(r.tag, ==, 0xabcd0001);
    g_assert_cmpuint(r.src_addr, ==, ns3_link_addr(l[0], 0));
    g_assert_cmpuint(r.src_addr, ==, 0x0a000001); /* 10.0.0.1 */
    g_assert_cmpuint(r.src_port, ==, 1000);
    (void)b;
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
}

static void test_three_hops_exact(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    /* different rate and delay on each hop; store-and-forward adds them up */
    ns3_link_cfg cfg[3] = {
        {.rate_bps = 8000000, .delay_ns = 1 * MS, .queue_pkts = 100},
        {.rate_bps = 80000000, .delay_ns = 2 * MS, .queue_pkts = 100},
        {.rate_bps = 1000000, .delay_ns = 3 * MS, .queue_pkts = 100},
    };
    ns3_node_id n[4];
    int l[3];
    chain_build(3, cfg, n, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(n[0], 500, rx_log, rx);
    int d = ns3_udp_open(n[3], 500, rx_log, rx);
    send_at(2 * SEC, a, ns3_link_addr(l[2], 1), 500, 1, 200);
    send_at(3 * SEC, d, ns3_link_addr(l[0], 0), 500, 2, 200); /* and back */
    ns3_sim_run();

    uint64_t path = 0;
    for (int i = 0; i < 3; i++)
        path += udp_frame_ns(200, cfg[i].rate_bps) + cfg[i].delay_ns;
    /* 230 B: 230 us + 1 ms, 23 us + 2 ms, 1840 us + 3 ms */
    g_assert_cmpuint(path, ==, 230000 + 23000 + 1840000 + 6 * MS);
    g_assert_cmpuint(rx->len, ==, 2);
    g_assert_cmpuint(g_array_index(rx, rx_record, 0).t_ns, ==, 2 * SEC + path);
    g_assert_cmpuint(g_array_index(rx, rx_record, 0).tag, ==, 1);
    g_assert_cmpuint(g_array_index(rx, rx_record, 1).t_ns, ==, 3 * SEC + path);
    g_assert_cmpuint(g_array_index(rx, rx_record, 1).src_addr, ==, ns3_link_addr(l[2], 1));
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
}

static void test_back_to_back_and_queue_limit(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 3};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int a = ns3_udp_open(n[0], 1, rx_log, rx);
    ns3_udp_open(n[1], 2, rx_log, rx);
    for (uint32_t i = 0; i < 10; i++)
        send_at(SEC, a, ns3_link_addr(l[0], 1), 2, i, 100);
    ns3_sim_run();
    /* one goes straight onto the wire, three wait in the queue, six drop */
    g_assert_cmpuint(rx->len, ==, 4);
    for (guint i = 0; i < rx->len; i++) {
        rx_record r = g_array_index(rx, rx_record, i);
        g_assert_cmpuint(r.tag, ==, i);
        g_assert_cmpuint(r.t_ns, ==, SEC + (i + 1) * 130000 + 5 * MS);
    }
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
}

static void test_socket_errors(void)
{
    g_assert_cmpint(ns3_udp_open(0, 1, rx_log, NULL), ==, NS3_ENOSIM);
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id a = ns3_node_create(), b = ns3_node_create(), c = ns3_node_create();
    ns3_link_cfg cfg = {.rate_bps = 1000000, .delay_ns = MS, .queue_pkts = 10};
    ns3_link_cfg bad = cfg;
    g_assert_cmpint(ns3_link_create(a, 99, &cfg), ==, NS3_ENODE);
    g_assert_cmpint(ns3_link_create(a, a, &cfg), ==, NS3_EINVAL);
    bad.rate_bps = 0;
    g_assert_cmpint(ns3_link_create(a, b, &bad), ==, NS3_EINVAL);
    bad = cfg, bad.loss = 1.5;
    g_assert_cmpint(ns3_link_create(a, b, &bad), ==, NS3_EINVAL);
    bad = cfg, bad.queue_pkts = 0;
    g_assert_cmpint(ns3_link_create(a, b, &bad), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_link_create(a, b, NULL), ==, NS3_EINVAL);
    int l = ns3_link_create(a, b, &cfg);
    g_assert_cmpint(l, ==, 0);
    g_assert_cmpint(ns3_link_set_loss(l, -0.1), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_link_set_loss(7, 0.1), ==, NS3_ELINK);
    g_assert_cmpuint(ns3_link_addr(7, 0), ==, 0);
    g_assert_cmpuint(ns3_link_addr(l, 2), ==, 0);

    int s = ns3_udp_open(a, 9, rx_log, NULL);
    g_assert_cmpint(s, >=, 0);
    g_assert_cmpint(ns3_udp_open(a, 9, rx_log, NULL), ==, NS3_EADDRINUSE);
    g_assert_cmpint(ns3_udp_open(a, 10, NULL, NULL), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_udp_open(77, 10, rx_log, NULL), ==, NS3_ENODE);
    uint8_t byte = 0;
    g_assert_cmpint(ns3_udp_send(s + 5, ns3_link_addr(l, 1), 9, &byte, 1), ==, NS3_ESOCK);
    g_assert_cmpint(ns3_udp_send(s, ns3_link_addr(l, 1), 9, &byte, NS3_UDP_MAX_PAYLOAD + 1), ==, NS3_EINVAL);
    /* c has no link at all, so no route anywhere */
    int sc = ns3_udp_open(c, 9, rx_log, NULL);
    g_assert_cmpint(ns3_udp_send(sc, ns3_link_addr(l, 1), 9, &byte, 1), ==, NS3_ENOROUTE);
    ns3_sim_destroy();
}

typedef struct {
    ns3_node_id r, m2;
    int l_m1, l_m2;
    uint32_t vip;
} takeover_arg;

/* The standby answers to the virtual address and the router steers it
 * there with a host route, more specific than the member's subnet. */
static void take_over(void *arg)
{
    takeover_arg *t = arg;
    g_assert_cmpint(ns3_node_add_address(t->m2, t->l_m2, t->vip), ==, NS3_OK);
    g_assert_cmpint(ns3_route_add(t->r, t->vip, 0xffffffff, ns3_link_addr(t->l_m2, 0)), ==, NS3_OK);
}

static void fall_back(void *arg)
{
    takeover_arg *t = arg;
    g_assert_cmpint(ns3_route_del(t->r, t->vip, 0xffffffff), ==, NS3_OK);
    g_assert_cmpint(ns3_route_del(t->r, t->vip, 0xffffffff), ==, NS3_ENOROUTE);
}

static void test_virtual_address_takeover(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id a = ns3_node_create(), r = ns3_node_create(), m1 = ns3_node_create(), m2 = ns3_node_create();
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    int l_a = ns3_link_create(a, r, &cfg), l_m1 = ns3_link_create(m1, r, &cfg), l_m2 = ns3_link_create(m2, r, &cfg);
    g_assert_cmpint(ns3_routing_global(), ==, NS3_OK);
    GArray *rx1 = g_array_new(FALSE, FALSE, sizeof(rx_record)), *rx2 = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int s = ns3_udp_open(a, 1, rx_log, rx1);
    ns3_udp_open(m1, 2, rx_log, rx1);
    ns3_udp_open(m2, 2, rx_log, rx2);
    uint32_t vip = ns3_link_addr(l_m1, 0); /* M1's address is the cluster's */
    for (uint32_t i = 0; i < 30; i++)
        send_at(i * 100 * MS, s, vip, 2, i, 100);
    takeover_arg t = {r, m2, l_m1, l_m2, vip};
    ns3_schedule(NS3_NO_NODE, 1000 * MS + 50 * MS, take_over, &t);
    ns3_schedule(NS3_NO_NODE, 2000 * MS + 50 * MS, fall_back, &t);
    ns3_sim_run();
    /* sends 0..10 reach M1, 11..20 the standby, 21..29 M1 again */
    g_assert_cmpuint(rx2->len, ==, 10);
    for (guint i = 0; i < rx2->len; i++)
        g_assert_cmpuint(g_array_index(rx2, rx_record, i).tag, ==, 11 + i);
    g_assert_cmpuint(rx1->len, ==, 20);
    g_assert_cmpint(ns3_node_add_address(m2, l_a, vip), ==, NS3_EINVAL); /* not on that link */
    ns3_sim_destroy();
    g_array_free(rx1, TRUE);
    g_array_free(rx2, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/udp/one-hop-exact", test_one_hop_exact);
    g_test_add_func("/udp/three-hops-exact", test_three_hops_exact);
    g_test_add_func("/udp/back-to-back-and-queue-limit", test_back_to_back_and_queue_limit);
    g_test_add_func("/udp/socket-errors", test_socket_errors);
    g_test_add_func("/udp/virtual-address-takeover", test_virtual_address_takeover);
    return g_test_run();
}
