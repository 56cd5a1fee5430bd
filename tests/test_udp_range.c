/* UDP port ranges: one receiver for many ports of a node.  A datagram to
 * any port of the range arrives as a socket's would (same time, source,
 * bytes) and says which port it was sent to; sends leave from the port
 * chosen; other ports still reach ordinary sockets; ranges and sockets
 * never share a port; a crashed node's range is silent; a changed route is
 * followed at once. */
#include "testnet.h"

#define SEC 1000000000ull
#define MS 1000000ull

typedef struct {
    uint64_t t_ns;
    uint16_t port, src_port;
    uint32_t src_addr, len;
} range_rx;

static void range_log(void *log, uint16_t port, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    (void)data;
    range_rx r = {ns3_now_ns(), port, sport, src, (uint32_t)len};
    g_array_append_val((GArray *)log, r);
}

typedef struct {
    int range;
    uint16_t sport, dport;
    uint32_t dst;
    size_t len;
    int rc;
} range_send;

static void do_range_send(void *arg)
{
    range_send *s = arg;
    uint8_t buf[1500] = {0};
    s->rc = ns3_udp_range_send(s->range, s->sport, s->dst, s->dport, buf, s->len);
}

static void test_every_port_delivers_like_a_socket(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(range_rx)), *plain = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int r = ns3_udp_range_open(n[1], 20000, 1000, range_log, rx);
    g_assert_cmpint(r, >=, 0);
    int other = ns3_udp_open(n[1], 21000, rx_log, plain); /* just past the range */
    g_assert_cmpint(other, >=, 0);
    int a = ns3_udp_open(n[0], 7, rx_log, plain);
    send_at(1 * SEC, a, ns3_link_addr(l[0], 1), 20000, 1, 100);
    send_at(2 * SEC, a, ns3_link_addr(l[0], 1), 20999, 2, 100);
    send_at(3 * SEC, a, ns3_link_addr(l[0], 1), 21000, 3, 100);
    ns3_sim_run();

    g_assert_cmpuint(rx->len, ==, 2);
    range_rx first = g_array_index(rx, range_rx, 0), last = g_array_index(rx, range_rx, 1);
    g_assert_cmpuint(first.t_ns, ==, 1 * SEC + udp_frame_ns(100, cfg.rate_bps) + 5 * MS);
    g_assert_cmpuint(first.port, ==, 20000);
    g_assert_cmpuint(first.src_addr, ==, ns3_link_addr(l[0], 0));
    g_assert_cmpuint(first.src_port, ==, 7);
    g_assert_cmpuint(first.len, ==, 100);
    g_assert_cmpuint(last.port, ==, 20999);
    g_assert_cmpuint(plain->len, ==, 1); /* 21000 went to the socket */
    g_assert_cmpuint(g_array_index(plain, rx_record, 0).tag, ==, 3);
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
    g_array_free(plain, TRUE);
}

static void test_sends_leave_from_the_chosen_port(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *plain = g_array_new(FALSE, FALSE, sizeof(rx_record));
    int r = ns3_udp_range_open(n[0], 10000, 50, range_log, NULL);
    ns3_udp_open(n[1], 4500, rx_log, plain);
    range_send s = {r, 10042, 4500, ns3_link_addr(l[0], 1), 200, -100};
    ns3_schedule(NS3_NO_NODE, 1 * SEC, do_range_send, &s);
    ns3_sim_run();

    g_assert_cmpint(s.rc, ==, NS3_OK);
    g_assert_cmpuint(plain->len, ==, 1);
    rx_record got = g_array_index(plain, rx_record, 0);
    g_assert_cmpuint(got.t_ns, ==, 1 * SEC + udp_frame_ns(200, cfg.rate_bps) + 5 * MS);
    g_assert_cmpuint(got.src_addr, ==, ns3_link_addr(l[0], 0));
    g_assert_cmpuint(got.src_port, ==, 10042);
    g_assert_cmpuint(got.len, ==, 200);
    ns3_sim_destroy();
    g_array_free(plain, TRUE);
}

static void test_ports_are_never_shared(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id a = ns3_node_create(), b = ns3_node_create();
    g_assert_cmpint(ns3_udp_open(a, 500, rx_log, NULL), >=, 0);
    g_assert_cmpint(ns3_udp_range_open(a, 400, 101, range_log, NULL), ==, NS3_EADDRINUSE); /* 400..500 */
    int r = ns3_udp_range_open(a, 400, 100, range_log, NULL);                             /* 400..499 */
    g_assert_cmpint(r, >=, 0);
    g_assert_cmpint(ns3_udp_open(a, 499, rx_log, NULL), ==, NS3_EADDRINUSE);
    g_assert_cmpint(ns3_udp_range_open(a, 300, 101, range_log, NULL), ==, NS3_EADDRINUSE); /* touches 400 */
    g_assert_cmpint(ns3_udp_range_open(a, 300, 100, range_log, NULL), >=, 0);
    g_assert_cmpint(ns3_udp_range_open(b, 400, 100, range_log, NULL), >=, 0); /* another node */
    g_assert_cmpint(ns3_udp_range_open(a, 65000, 536, range_log, NULL), >=, 0); /* up to 65535 */
    g_assert_cmpint(ns3_udp_range_open(b, 65000, 537, range_log, NULL), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_udp_range_open(b, 0, 10, range_log, NULL), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_udp_range_open(b, 1, 0, range_log, NULL), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_udp_range_open(b, 1, 1, NULL, NULL), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_udp_range_open(99, 1, 1, range_log, NULL), ==, NS3_ENODE);
    uint8_t byte = 0;
    g_assert_cmpint(ns3_udp_range_send(r, 500, 1, 1, &byte, 1), ==, NS3_EINVAL); /* not its port */
    g_assert_cmpint(ns3_udp_range_send(r, 399, 1, 1, &byte, 1), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_udp_range_send(77, 400, 1, 1, &byte, 1), ==, NS3_ESOCK);
    g_assert_cmpint(ns3_udp_range_send(r, 400, 0x0b000001, 1, &byte, 1), ==, NS3_ENOROUTE);
    ns3_sim_destroy();
    g_assert_cmpint(ns3_udp_range_open(a, 400, 1, range_log, NULL), ==, NS3_ENOSIM);
}

static void test_crashed_node_is_silent(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg cfg = {.rate_bps = 8000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    ns3_node_id n[2];
    int l[1];
    chain_build(1, &cfg, n, l);
    GArray *rx = g_array_new(FALSE, FALSE, sizeof(range_rx));
    int r = ns3_udp_range_open(n[1], 1000, 10, range_log, rx);
    int a = ns3_udp_open(n[0], 7, rx_log, NULL);
    g_assert_cmpint(ns3_node_crash(n[1]), ==, NS3_OK);
    send_at(1 * SEC, a, ns3_link_addr(l[0], 1), 1005, 1, 100);
    range_send s = {r, 1001, 7, ns3_link_addr(l[0], 0), 10, -100};
    ns3_schedule(NS3_NO_NODE, 2 * SEC, do_range_send, &s);
    ns3_sim_run();
    g_assert_cmpuint(rx->len, ==, 0);
    g_assert_cmpint(s.rc, ==, NS3_EDOWN);
    ns3_sim_destroy();
    g_array_free(rx, TRUE);
}

/* Two paths from n0 to n3: via n1 (1 ms links) and via n2 (10 ms links).
 * Sends reuse their route until a route changes. */
static void test_changed_route_is_followed(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_link_cfg fast = {.rate_bps = 1000000000, .delay_ns = 1 * MS, .queue_pkts = 100};
    ns3_link_cfg slow = fast;
    slow.delay_ns = 10 * MS;
    ns3_node_id n[4];
    for (int i = 0; i < 4; i++)
        n[i] = ns3_node_create();
    int l01 = ns3_link_create(n[0], n[1], &fast), l13 = ns3_link_create(n[1], n[3], &fast);
    int l02 = ns3_link_create(n[0], n[2], &slow), l23 = ns3_link_create(n[2], n[3], &slow);
    uint32_t dst = ns3_link_addr(l13, 1), mask = 0xffffff00;
    g_assert_cmpint(ns3_route_add(n[0], dst & mask, mask, ns3_link_addr(l01, 1)), ==, NS3_OK);
    g_assert_cmpint(ns3_route_add(n[2], dst & mask, mask, ns3_link_addr(l23, 1)), ==, NS3_OK);
    GArray *plain = g_array_new(FALSE, FALSE, sizeof(rx_record));
    ns3_udp_open(n[3], 9, rx_log, plain);
    int r = ns3_udp_range_open(n[0], 100, 1, range_log, NULL);
    range_send s = {r, 100, 9, dst, 100, -100};
    ns3_schedule(NS3_NO_NODE, 1 * SEC, do_range_send, &s);
    ns3_sim_stop_at(2 * SEC);
    ns3_sim_run();
    g_assert_cmpint(ns3_route_del(n[0], dst & mask, mask), ==, NS3_OK);
    g_assert_cmpint(ns3_route_add(n[0], dst & mask, mask, ns3_link_addr(l02, 1)), ==, NS3_OK);
    ns3_schedule(NS3_NO_NODE, 1 * SEC, do_range_send, &s);
    ns3_sim_stop_at(4 * SEC);
    ns3_sim_run();

    g_assert_cmpuint(plain->len, ==, 2);
    uint64_t took_fast = g_array_index(plain, rx_record, 0).t_ns - 1 * SEC;
    uint64_t took_slow = g_array_index(plain, rx_record, 1).t_ns - 3 * SEC;
    g_assert_cmpuint(took_fast, ==, 2 * (udp_frame_ns(100, fast.rate_bps) + 1 * MS));
    g_assert_cmpuint(took_slow, ==, 2 * (udp_frame_ns(100, slow.rate_bps) + 10 * MS));
    g_assert_cmpuint(g_array_index(plain, rx_record, 1).src_addr, ==, ns3_link_addr(l02, 0));
    ns3_sim_destroy();
    g_array_free(plain, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/udp-range/every-port-delivers-like-a-socket", test_every_port_delivers_like_a_socket);
    g_test_add_func("/udp-range/sends-leave-from-the-chosen-port", test_sends_leave_from_the_chosen_port);
    g_test_add_func("/udp-range/ports-are-never-shared", test_ports_are_never_shared);
    g_test_add_func("/udp-range/crashed-node-is-silent", test_crashed_node_is_silent);
    g_test_add_func("/udp-range/changed-route-is-followed", test_changed_route_is_followed);
    return g_test_run();
}
