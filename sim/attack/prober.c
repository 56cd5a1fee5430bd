#include "prober.h"

#include <string.h>

#include <glib.h>

#include "esp_udp.h"
#include "ike_wire.h"

struct sim_prober {
    int sock;
    uint32_t member, peer;
    bool armed;
    uint64_t probes;
};

static void send_marked(sim_prober *p, uint32_t addr, const uint8_t *msg, size_t len)
{
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    size_t n;
    if (esp_udp_frame_ike(msg, len, buf, sizeof buf, &n) == ESP_OK) /* IKE on port 4500 */
        ns3_udp_send(p->sock, addr, IKE_NATT_PORT, buf, n);
}

/* The member's answer: straight on to the peer. */
static void on_answer(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    sim_prober *p = arg;
    (void)src, (void)sport;
    if (len > 4)
        send_marked(p, p->peer, data + 4, len - 4);
}

sim_prober *sim_prober_new(ns3_node_id node, uint32_t member_addr, uint32_t peer_addr)
{
    sim_prober *p = g_new0(sim_prober, 1);
    *p = (sim_prober){.member = member_addr, .peer = peer_addr};
    p->sock = ns3_udp_open(node, IKE_NATT_PORT, on_answer, p);
    if (p->sock < 0) {
        g_free(p);
        return NULL;
    }
    return p;
}

void sim_prober_free(sim_prober *p) { g_free(p); }
void sim_prober_arm(sim_prober *p) { p->armed = true; }
uint64_t sim_prober_probes(const sim_prober *p) { return p->probes; }

void sim_prober_observe(sim_prober *p, const uint8_t *msg, size_t len)
{
    ike_hdr h;
    if (!p->armed || ike_parse_header(msg, len, &h) != IKE_OK || (h.flags & IKE_FLAG_R) ||
        h.next_payload != IKE_PL_SK)
        return;
    p->armed = false;
    p->probes++;
    send_marked(p, p->member, msg, len);
}
