#include "replayer.h"

#include <string.h>

#include <glib.h>

#include "esp_udp.h"
#include "ike_const.h"

typedef struct recorded {
    uint32_t dst;
    GBytes *bytes;
} recorded;

struct sim_replayer {
    int sock;
    uint32_t addr, vip;
    bool esp_done;      /* the failover happened */
    bool resumed;       /* ...and the cluster sent ESP since */
    bool armed;
    GQueue esp;     /* GBytes, oldest first */
    GArray *ike;    /* recorded */
    uint64_t sent;
};

static void ignore(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    (void)arg, (void)data, (void)len, (void)src, (void)sport;
}

sim_replayer *sim_replayer_new(ns3_node_id node, uint32_t addr, uint32_t vip)
{
    sim_replayer *r = g_new0(sim_replayer, 1);
    r->addr = addr;
    r->vip = vip;
    g_queue_init(&r->esp);
    r->ike = g_array_new(FALSE, FALSE, sizeof(recorded));
    r->sock = ns3_udp_open(node, IKE_NATT_PORT, ignore, r);
    if (r->sock < 0) {
        sim_replayer_free(r);
        return NULL;
    }
    return r;
}

void sim_replayer_free(sim_replayer *r)
{
    if (!r)
        return;
    g_queue_clear_full(&r->esp, (GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i < r->ike->len; i++)
        g_bytes_unref(g_array_index(r->ike, recorded, i).bytes);
    g_array_free(r->ike, TRUE);
    g_free(r);
}

uint32_t sim_replayer_addr(const sim_replayer *r) { return r->addr; }
uint64_t sim_replayer_sent(const sim_replayer *r) { return r->sent; }
void sim_replayer_stop_esp(sim_replayer *r) { r->esp_done = true; }

void sim_replayer_see_esp(sim_replayer *r, const uint8_t *pkt, size_t len)
{
    if (r->esp_done)
        return;
    g_queue_push_tail(&r->esp, g_bytes_new(pkt, len));
    if (r->esp.length > SIM_REPLAY_KEEP)
        g_bytes_unref(g_queue_pop_head(&r->esp));
}

void sim_replayer_see_ike(sim_replayer *r, uint32_t dst_addr, const uint8_t *msg, size_t len)
{
    /* the header is in the clear: exchange type at 18, Message ID at 20 */
    if (len < IKE_HDR_LEN || len > IKE_MAX_MSG || msg[18] != IKE_INFORMATIONAL ||
        msg[20] | msg[21] | msg[22] | msg[23])
        return;
    recorded rec = {dst_addr, g_bytes_new(msg, len)};
    g_array_append_val(r->ike, rec);
}

static void resend(sim_replayer *r, uint32_t dst, bool ike, GBytes *b)
{
    gsize len;
    const uint8_t *data = g_bytes_get_data(b, &len);
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    if (ike) { /* IKE on port 4500 carries the non-ESP marker */
        if (esp_udp_frame_ike(data, len, buf, sizeof buf, &len) != ESP_OK)
            return;
        data = buf;
    }
    if (ns3_udp_send(r->sock, dst, IKE_NATT_PORT, data, len) == NS3_OK)
        r->sent++;
}

static void fire(sim_replayer *r)
{
    r->armed = false;
    /* newest first: the first one accepted moves the window up to it, and
     * the older ones still inside it follow */
    for (GList *l = r->esp.tail; l; l = l->prev)
        resend(r, r->vip, false, l->data);
    for (guint i = 0; i < r->ike->len; i++) {
        recorded *rec = &g_array_index(r->ike, recorded, i);
        resend(r, rec->dst, true, rec->bytes);
    }
}

void sim_replayer_see_cluster_send(sim_replayer *r)
{
    if (!r->esp_done || r->resumed)
        return;
    r->resumed = true;
    if (r->armed)
        fire(r);
}

void sim_replayer_arm(sim_replayer *r)
{
    r->armed = true;
    if (r->resumed)
        fire(r);
}
