/* Rekeys in ns-3 with traffic both ways on a clean link (10 ms each way).
 * Child SA rekeys: every rekey (and the collisions that both ends'
 * jittered rekey times make) ends with both gateways sending on the new
 * Child SA, the old one accepted inbound until its Delete, and not one
 * packet lost (counted).  IKE SA rekeys by both gateways at the same
 * instant or 5 ms apart (RFC 7296 §2.8.2): each ends with one new IKE SA
 * per gateway, the same on both, the Child SA moved along unchanged, and
 * not one packet lost.  A rekey of a Child SA the peer lost is followed by
 * a new Child SA in the same IKE SA, and the traffic flows on it. */
#include <string.h>

#include <glib/gstdio.h>

#include "gw.h"
#include "tshark.h"

#define MS 1000000ull
#define SEC 1000000000ull

typedef struct {
    guint rekeyed, removed, deleted, sent, delivered, sa_rekeyed, ccsa_sent;
    uint32_t last_spi_out;
    guint spi_changes; /* outbound SPI changes seen on ESP_SENT */
    uint64_t since;    /* sent_since, delivered_since count from this time on */
    guint sent_since, delivered_since, established, children;
    uint64_t child_at[3], removed_at; /* the first Child SAs' IKE_EV_CHILD_ESTABLISHED, the last removal */
    uint32_t child_out[3];            /* their outbound SPIs */
} gw_log;

static void on_trace(void *arg, const sim_trace *t)
{
    gw_log *l = arg;
    bool late = l->since && ns3_now_ns() >= l->since;
    if (t->type == SIM_TR_ESP_SENT) {
        if (t->spi != l->last_spi_out)
            l->spi_changes++;
        l->last_spi_out = t->spi;
        l->sent++;
        l->sent_since += late;
    } else if (t->type == SIM_TR_DELIVERED) {
        l->delivered++;
        l->delivered_since += late;
    } else if (t->type == SIM_TR_IKE_EVENT) {
        l->rekeyed += t->ike->type == IKE_EV_CHILD_REKEYED;
        l->removed += t->ike->type == IKE_EV_CHILD_REMOVED;
        l->deleted += t->ike->type == IKE_EV_SA_DELETED;
        l->sa_rekeyed += t->ike->type == IKE_EV_SA_REKEYED;
        l->ccsa_sent += t->ike->type == IKE_EV_MSG_SENT && t->ike->exchange == IKE_CREATE_CHILD_SA;
        l->established += t->ike->type == IKE_EV_SA_ESTABLISHED;
        if (t->ike->type == IKE_EV_CHILD_ESTABLISHED && l->children < G_N_ELEMENTS(l->child_at)) {
            l->child_out[l->children] = t->ike->child->spi_out;
            l->child_at[l->children++] = t->ike->now;
        }
        if (t->ike->type == IKE_EV_CHILD_REMOVED)
            l->removed_at = t->ike->now;
    }
}

typedef struct {
    sim_gw *gw;
    uint32_t flow;
    uint64_t seq, until;
} app;

static void tick(void *arg)
{
    app *a = arg;
    sim_gw_send_app(a->gw, a->flow, a->seq++, 200);
    if (ns3_now_ns() < a->until)
        ns3_schedule(NS3_NO_NODE, 20 * MS, tick, a);
}

/* Two gateways with cfg (gw-0 initiates), logging into log, sending every
 * 20 ms from 1 s to `until` (a[2] must live while the simulation runs);
 * returns the link between them. */
static int gateways(sim_gw_cfg cfg[2], sim_gw *gw[2], gw_log log[2], app a[2], uint64_t until)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id n0 = ns3_node_create(), n1 = ns3_node_create();
    ns3_link_cfg link = {.rate_bps = 100000000, .delay_ns = 10 * MS, .queue_pkts = 1000};
    int l = ns3_link_create(n0, n1, &link);
    for (int i = 0; i < 2; i++) {
        memcpy(cfg[i].ike.psk, "rekey test key", 14);
        cfg[i].ike.psk_len = 14;
        cfg[i].ike.id_len = 12;
        memcpy(cfg[i].ike.id, i ? "gw-1.example" : "gw-0.example", 12);
    }
    cfg[1].establish = SIM_EST_NEVER;
    uint32_t addr[2] = {ns3_link_addr(l, 0), ns3_link_addr(l, 1)};
    for (int i = 0; i < 2; i++) {
        gw[i] = sim_gw_new(i ? n1 : n0, addr[i], IKE_NATT_PORT, &cfg[i], 5, 1, (uint64_t)i);
        g_assert_nonnull(gw[i]);
        sim_gw_listen(gw[i], &(sim_listener){.arg = &log[i], .on = on_trace});
        sim_gw_set_peer(gw[i], addr[1 - i], IKE_NATT_PORT);
    }
    sim_gw_boot(gw[1]);
    sim_gw_boot(gw[0]);
    for (int i = 0; i < 2; i++) {
        a[i] = (app){gw[i], (uint32_t)i, 0, until};
        ns3_schedule(NS3_NO_NODE, 1 * SEC + (uint64_t)i * 7 * MS, tick, &a[i]);
    }
    return l;
}

static void test_traffic_across_rekeys(void)
{
    sim_gw_cfg cfg[2];
    for (int i = 0; i < 2; i++) {
        sim_gw_cfg_defaults(&cfg[i]);
        /* rekey 100 s less up to 10 s, hard expiry at 120 s */
        cfg[i].ike.child_life = (ike_child_lifetime){100, 120, 10};
    }
    sim_gw *gw[2];
    gw_log log[2] = {{0}};
    app a[2];
    gateways(cfg, gw, log, a, 400 * SEC);
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

static void only(void *arg, ike_sa *sa)
{
    *(ike_sa **)arg = sa;
}

static ike_sa *the_sa(sim_gw *gw)
{
    ike_sa *sa = NULL;
    g_assert_cmpuint(ike_ep_sa_count(sim_gw_ep(gw)), ==, 1);
    ike_ep_foreach(sim_gw_ep(gw), only, &sa);
    return sa;
}

static void rekey(void *arg)
{
    sim_gw *gw = arg;
    g_assert_cmpint(sim_gw_rekey_ike(gw, the_sa(gw)), ==, IKE_OK);
}

static void test_traffic_across_collisions(void)
{
    sim_gw_cfg cfg[2];
    sim_gw_cfg_defaults(&cfg[0]);
    sim_gw_cfg_defaults(&cfg[1]);
    sim_gw *gw[2];
    gw_log log[2] = {{0}};
    app a[2];
    int l = gateways(cfg, gw, log, a, 100 * SEC);
    /* the capture and both gateways' key table (each SA it sends or receives on) */
    g_autofree char *dir = g_dir_make_tmp("ikesim-ike-collide-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *uat = g_build_filename(dir, "ikev2_decryption_table", NULL);
    FILE *keys = fopen(uat, "w");
    g_assert_nonnull(keys);
    g_assert_cmpint(ns3_pcap_enable(l, dir), ==, NS3_OK);
    for (int i = 0; i < 2; i++)
        sim_gw_keylog(gw[i], keys);
    static const uint64_t at[3][2] = {{30 * SEC, 30 * SEC}, {60 * SEC, 60 * SEC + 5 * MS}, {90 * SEC + 3 * MS, 90 * SEC + 3 * MS}};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 2; i++)
            ns3_schedule(NS3_NO_NODE, at[k][i], rekey, gw[i]);
    ns3_sim_stop_at(102 * SEC);
    ns3_sim_run();
    fclose(keys);
    for (int i = 0; i < 2; i++)
        g_test_message("gw%d: %u IKE SA rekeys, %u CREATE_CHILD_SA sent, %u sent, %u delivered to it", i,
                       log[i].sa_rekeyed, log[i].ccsa_sent, log[i].sent, log[i].delivered);
    ike_sa *sa[2] = {the_sa(gw[0]), the_sa(gw[1])};
    g_assert_cmphex(ike_sa_spi_i(sa[0]), ==, ike_sa_spi_i(sa[1]));
    g_assert_cmphex(ike_sa_spi_r(sa[0]), ==, ike_sa_spi_r(sa[1]));
    g_assert_cmphex(ike_sa_child(sa[0])->spi_out, ==, ike_sa_child(sa[1])->spi_in);
    g_assert_cmphex(ike_sa_child(sa[1])->spi_out, ==, ike_sa_child(sa[0])->spi_in);
    for (int i = 0; i < 2; i++) {
        /* three collisions: each side's request and its answer to the other's, each time */
        g_assert_cmpuint(log[i].sa_rekeyed, ==, 3);
        g_assert_cmpuint(log[i].ccsa_sent, ==, 3 * 2);
        g_assert_cmpuint(log[i].deleted, ==, 0);
        g_assert_cmpuint(log[i].rekeyed + log[i].removed, ==, 0); /* the Child SA stays as it was */
        g_assert_cmpuint(log[i].sent, ==, 4951); /* every 20 ms from 1 s to 100 s */
        g_assert_cmpuint(log[i].delivered, ==, log[1 - i].sent); /* nothing lost */
    }
    sim_gw_free(gw[0]);
    sim_gw_free(gw[1]);
    ns3_sim_destroy(); /* the pcap is complete now */
    /* tshark: every frame sound, every SK payload decrypted, the three redundant SAs' Deletes too */
    g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
    if (tshark_available()) {
        g_autofree char *bad = tshark_bad_frames(dir, pcap);
        g_assert_cmpstr(bad, ==, "");
        g_autofree char *sk = tshark_fields(dir, pcap, "isakmp.nextpayload == 46", "frame.number");
        g_autofree char *dec = tshark_fields(dir, pcap, "isakmp.enc.decrypted", "frame.number");
        g_assert_cmpuint(count_lines(sk), ==, 2 + 3 * 8); /* IKE_AUTH; per collision 4 + 2 Deletes answered */
        g_assert_cmpstr(dec, ==, sk);
        g_autofree char *dels = tshark_fields(dir, pcap, "isakmp.delete.protoid == 1", "frame.number");
        g_assert_cmpuint(count_lines(dels), ==, 3 * 2); /* the old SA's and the redundant one's, each time */
    } else {
        g_test_message("tshark not installed: capture not checked");
    }
    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ikev2_decryption_table"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *f = g_build_filename(dir, files[i], NULL);
        g_assert_cmpint(g_remove(f), ==, 0);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

typedef struct {
    int link;
    bool up;
} link_switch;

static void switch_link(void *arg)
{
    link_switch *s = arg;
    g_assert_cmpint(ns3_link_set_up(s->link, s->up), ==, NS3_OK);
    if (!s->up) { /* up again 600 ms later */
        s->up = true;
        ns3_schedule(NS3_NO_NODE, 600 * MS, switch_link, s);
    }
}

/* gw 1 holds its Child SA 99 s and never rekeys it; its Delete goes while
 * the link is down (98.9 s to 99.5 s) and is lost.  gw 0 rekeys at 100 s
 * after its Child SA came up (time T): CHILD_SA_NOT_FOUND one round trip
 * later, the new Child SA in the same IKE SA after two, and from then on
 * every packet either way arrives (counted from 101 s to the end). */
static void test_new_child_after_not_found(void)
{
    sim_gw_cfg cfg[2];
    sim_gw_cfg_defaults(&cfg[0]);
    sim_gw_cfg_defaults(&cfg[1]);
    cfg[0].ike.child_life = (ike_child_lifetime){100, 0, 0};
    cfg[1].ike.child_life = (ike_child_lifetime){0, 99, 0};
    sim_gw *gw[2];
    gw_log log[2] = {{.since = 101 * SEC}, {.since = 101 * SEC}};
    app a[2];
    link_switch down = {.link = gateways(cfg, gw, log, a, 150 * SEC), .up = false};
    ns3_schedule(NS3_NO_NODE, 98900 * MS, switch_link, &down);
    ns3_sim_stop_at(152 * SEC);
    ns3_sim_run();
    for (int i = 0; i < 2; i++)
        g_test_message("gw%d: Child SAs at %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " ns, removed at %" G_GUINT64_FORMAT
                       " ns; since 101 s %u sent, %u delivered to it", i, log[i].child_at[0], log[i].child_at[1],
                       log[i].removed_at, log[i].sent_since, log[i].delivered_since);
    uint64_t T = log[0].child_at[0] + 100 * SEC;
    for (int i = 0; i < 2; i++) {
        g_assert_cmpuint(log[i].established, ==, 1); /* one IKE SA throughout */
        g_assert_cmpuint(log[i].deleted, ==, 0);
        g_assert_cmpuint(log[i].children, ==, 2);
        g_assert_cmpuint(log[i].removed, ==, 1);
        g_assert_cmpuint(log[i].rekeyed, ==, 0);
        g_assert_cmpuint(log[i].delivered_since, ==, log[1 - i].sent_since);
        g_assert_cmpuint(log[i].sent_since, ==, 2451); /* every 20 ms from 101 s to 150 s */
        g_assert_cmphex(log[i].last_spi_out, ==, log[i].child_out[1]);
        g_assert_cmphex(log[i].child_out[1], !=, log[i].child_out[0]);
    }
    g_assert_cmpuint(log[1].removed_at, ==, log[1].child_at[0] + 99 * SEC);
    /* one round trip is 20 ms and some microseconds of serialisation */
    g_assert_cmpuint(log[0].removed_at, >=, T + 20 * MS);
    g_assert_cmpuint(log[0].removed_at, <, T + 21 * MS);
    g_assert_cmpuint(log[1].child_at[1], >=, T + 30 * MS);
    g_assert_cmpuint(log[1].child_at[1], <, T + 32 * MS);
    g_assert_cmpuint(log[0].child_at[1], >=, T + 40 * MS);
    g_assert_cmpuint(log[0].child_at[1], <, T + 42 * MS);
    sim_gw_free(gw[0]);
    sim_gw_free(gw[1]);
    ns3_sim_destroy();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/child-rekey-ns3/traffic-across-rekeys", test_traffic_across_rekeys);
    g_test_add_func("/child-rekey-ns3/ike-rekey-collisions", test_traffic_across_collisions);
    g_test_add_func("/child-rekey-ns3/new-child-after-not-found", test_new_child_after_not_found);
    return g_test_run();
}
