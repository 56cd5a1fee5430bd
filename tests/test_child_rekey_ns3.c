/* Child SA rekeys in ns-3 with traffic both ways on a clean link: every
 * rekey (and the collisions that both ends' jittered rekey times make) ends
 * with both gateways sending on the new Child SA, the old one accepted
 * inbound until its Delete, and not one packet lost (counted). */
#include <string.h>

#include "gw.h"

#define MS 1000000ull
#define SEC 1000000000ull

typedef struct {
    guint rekeyed, removed, deleted, sent, delivered;
    uint32_t last_spi_out;
    guint spi_changes; /* outbound SPI changes seen on ESP_SENT */
} gw_log;

static void on_trace(void *arg, const sim_trace *t)
{
    gw_log *l = arg;
    if (t->type == SIM_TR_ESP_SENT) {
        if (t->spi != l->last_spi_out)
            l->spi_changes++;
        l->last_spi_out = t->spi;
        l->sent++;
    } else if (t->type == SIM_TR_DELIVERED) {
        l->delivered++;
    } else if (t->type == SIM_TR_IKE_EVENT) {
        l->rekeyed += t->ike->type == IKE_EV_CHILD_REKEYED;
        l->removed += t->ike->type == IKE_EV_CHILD_REMOVED;
        l->deleted += t->ike->type == IKE_EV_SA_DELETED;
    }
}

typedef struct {
    sim_gw *gw;
    uint32_t flow;
    uint64_t seq;
} app;

static void tick(void *arg)
{
    app *a = arg;
    sim_gw_send_app(a->gw, a->flow, a->seq++, 200);
    if (ns3_now_ns() < 400 * SEC)
        ns3_schedule(NS3_NO_NODE, 20 * MS, tick, a);
}

static void test_traffic_across_rekeys(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id n0 = ns3_node_create(), n1 = ns3_node_create();
    ns3_link_cfg link = {.rate_bps = 100000000, .delay_ns = 10 * MS, .queue_pkts = 1000};
    int l = ns3_link_create(n0, n1, &link);
    sim_gw_cfg cfg[2];
    for (int i = 0; i < 2; i++) {
        sim_gw_cfg_defaults(&cfg[i]);
        memcpy(cfg[i].ike.psk, "rekey test key", 14);
        cfg[i].ike.psk_len = 14;
        cfg[i].ike.id_len = 12;
        memcpy(cfg[i].ike.id, i ? "gw-1.example" : "gw-0.example", 12);
        /* rekey 100 s less up to 10 s, hard expiry at 120 s */
        cfg[i].ike.child_life = (ike_child_lifetime){100, 120, 10};
    }
    cfg[1].establish = SIM_EST_NEVER;
    uint32_t addr[2] = {ns3_link_addr(l, 0), ns3_link_addr(l, 1)};
    sim_gw *gw[2];
    gw_log log[2] = {{0}};
    for (int i = 0; i < 2; i++) {
        gw[i] = sim_gw_new(i ? n1 : n0, addr[i], IKE_NATT_PORT, &cfg[i], 5, 1, (uint64_t)i);
        g_assert_nonnull(gw[i]);
        sim_gw_listen(gw[i], &(sim_listener){.arg = &log[i], .on = on_trace});
        sim_gw_set_peer(gw[i], addr[1 - i], IKE_NATT_PORT);
    }
    sim_gw_boot(gw[1]);
    sim_gw_boot(gw[0]);
    app a[2] = {{gw[0], 0, 0}, {gw[1], 1, 0}};
    ns3_schedule(NS3_NO_NODE, 1 * SEC, tick, &a[0]);
    ns3_schedule(NS3_NO_NODE, 1 * SEC + 7 * MS, tick, &a[1]);
    ns3_sim_stop_at(402 * SEC);
    ns3_sim_run();
    for (int i = 0; i < 2; i++)
        g_test_message("gw%d: %u rekeyed, %u removed, %u sent, %u delivered to it, %u outbound SPIs", i,
                       log[i].rekeyed, log[i].removed, log[i].sent, log[i].delivered, log[i].spi_changes);
    for (int i = 0; i < 2; i++) {
        /* about 400 / 95 rekeys, each ending with one new SA per side and
         * the replaced (or redundant) one removed */
        g_assert_cmpuint(log[i].rekeyed, >=, 4);
        g_assert_cmpuint(log[i].removed, >=, log[i].rekeyed - 1);
        g_assert_cmpuint(log[i].deleted, ==, 0);
        g_assert_cmpuint(log[i].spi_changes, >=, 4 + 1);
        g_assert_cmpuint(log[i].sent, ==, 19951); /* every 20 ms from 1 s to 400 s */
        /* nothing lost: every packet the other side sent arrived */
        g_assert_cmpuint(log[i].delivered, ==, log[1 - i].sent);
    }
    sim_gw_free(gw[0]);
    sim_gw_free(gw[1]);
    ns3_sim_destroy();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/child-rekey-ns3/traffic-across-rekeys", test_traffic_across_rekeys);
    return g_test_run();
}
