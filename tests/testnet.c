#include "testnet.h"

void rx_log(void *log, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    rx_record r = {ns3_now_ns(), src, sport, (uint32_t)len, 0};
    if (len >= 4)
        r.tag = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    g_array_append_val((GArray *)log, r);
}

void chain_build(int hops, const ns3_link_cfg *cfg, ns3_node_id *nodes, int *links)
{
    for (int i = 0; i <= hops; i++)
        nodes[i] = ns3_node_create();
    for (int i = 0; i < hops; i++) {
        links[i] = ns3_link_create(nodes[i], nodes[i + 1], &cfg[i]);
        g_assert_cmpint(links[i], ==, i);
    }
    g_assert_cmpint(ns3_routing_global(), ==, NS3_OK);
}

typedef struct {
    int sock;
    uint32_t dst, tag;
    uint16_t dport;
    size_t len;
} pending_send;

static void do_send(void *arg)
{
    pending_send *p = arg;
    uint8_t buf[2048] = {0};
    g_assert_cmpuint(p->len, <=, sizeof buf);
    buf[0] = (uint8_t)(p->tag >> 24);
    buf[1] = (uint8_t)(p->tag >> 16);
    buf[2] = (uint8_t)(p->tag >> 8);
    buf[3] = (uint8_t)p->tag;
    ns3_udp_send(p->sock, p->dst, p->dport, buf, p->len);
    g_free(p);
}

void send_at(uint64_t t_ns, int sock, uint32_t dst, uint16_t dport, uint32_t tag, size_t len)
{
    pending_send *p = g_new(pending_send, 1);
    *p = (pending_send){sock, dst, tag, dport, len};
    g_assert_cmpuint(t_ns, >=, ns3_now_ns());
    g_assert_cmpint(ns3_schedule(NS3_NO_NODE, t_ns - ns3_now_ns(), do_send, p), ==, NS3_OK);
}

uint64_t udp_frame_ns(size_t payload, uint64_t rate_bps)
{
    return (uint64_t)(payload + 30) * 8 * 1000000000ull / rate_bps;
}
