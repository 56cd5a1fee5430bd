/* Two gateways over an ns-3 link: establish, answer liveness checks, Delete.
 * The capture is then checked by tshark, which must dissect every frame
 * without a malformed or warning mark and, given our exported keys, decrypt
 * every SK payload with a correct ICV. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gw.h"
#include "tshark.h"

#define MS 1000000ull
#define SEC 1000000000ull

typedef struct {
    guint established, liveness_sent, liveness_answered, deleted, retransmits;
    ike_del_reason reason;
    uint64_t deleted_at;
    ike_sa *sa;
} gw_log;

static void on_ike_event(void *arg, const sim_trace *t)
{
    if (t->type != SIM_TR_IKE_EVENT)
        return;
    const ike_event *ev = t->ike;
    gw_log *l = arg;
    switch (ev->type) {
    case IKE_EV_SA_ESTABLISHED: l->established++; l->sa = ev->sa; break;
    case IKE_EV_LIVENESS_SENT: l->liveness_sent++; break;
    case IKE_EV_LIVENESS_ANSWERED: l->liveness_answered++; break;
    case IKE_EV_RETRANSMIT: l->retransmits++; break;
    case IKE_EV_SA_DELETED:
        l->deleted++;
        l->reason = ev->reason;
        l->deleted_at = ev->now;
        l->sa = NULL;
        break;
    default: break;
    }
}

static void start(void *arg)
{
    g_assert_nonnull(sim_gw_initiate(arg));
}

typedef struct {
    sim_gw *gw;
    gw_log *log;
} delete_arg;

static void delete_sa(void *arg)
{
    delete_arg *d = arg;
    g_assert_nonnull(d->log->sa);
    g_assert_cmpint(sim_gw_delete(d->gw, d->log->sa), ==, IKE_OK);
}

static void test_establish_liveness_delete_tshark(void)
{
    g_autofree char *dir = g_dir_make_tmp("ikesim-ike-ns3-XXXXXX", NULL);
    g_autofree char *ws = g_build_filename(dir, "ws", NULL);
    g_assert_cmpint(g_mkdir(ws, 0700), ==, 0);
    g_autofree char *keys_path = g_build_filename(ws, "ikev2_decryption_table", NULL);
    FILE *keys = fopen(keys_path, "w");
    g_assert_nonnull(keys);

    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_node_id a = ns3_node_create(), b = ns3_node_create();
    ns3_link_cfg link = {.rate_bps = 10000000, .delay_ns = 5 * MS, .queue_pkts = 100};
    int l = ns3_link_create(a, b, &link);
    g_assert_cmpint(ns3_pcap_enable(l, dir), ==, NS3_OK);

    sim_gw_cfg cfg_a, cfg_b;
    sim_gw_cfg_defaults(&cfg_a);
    memcpy(cfg_a.ike.psk, "ns-3 system test key", 20);
    cfg_a.ike.psk_len = 20;
    cfg_a.establish = SIM_EST_NEVER; /* A initiates by hand at 0.1 s */
    cfg_b = cfg_a;
    memcpy(cfg_a.ike.id, "gw-a.example", cfg_a.ike.id_len = 12);
    memcpy(cfg_b.ike.id, "gw-b.example", cfg_b.ike.id_len = 12);
    cfg_a.ike.dpd_delay_ms = 5000; /* only A checks liveness */
    uint32_t addr_a = ns3_link_addr(l, 0), addr_b = ns3_link_addr(l, 1);
    sim_gw *ga = sim_gw_new(a, addr_a, 500, &cfg_a, 1, 1, 0), *gb = sim_gw_new(b, addr_b, 500, &cfg_b, 1, 1, 1);
    g_assert_nonnull(ga);
    g_assert_nonnull(gb);
    gw_log la = {0}, lb = {0};
    sim_gw_listen(ga, &(sim_listener){.arg = &la, .on = on_ike_event});
    sim_gw_listen(gb, &(sim_listener){.arg = &lb, .on = on_ike_event});
    sim_gw_keylog(ga, keys);
    sim_gw_set_peer(ga, addr_b, 500);
    sim_gw_set_peer(gb, addr_a, 500);
    sim_gw_boot(ga);
    sim_gw_boot(gb);

    ns3_schedule(NS3_NO_NODE, 100 * MS, start, ga);
    delete_arg d = {ga, &la};
    ns3_schedule(NS3_NO_NODE, 20 * SEC, delete_sa, &d);
    ns3_sim_stop_at(30 * SEC);
    ns3_sim_run();

    g_assert_cmpuint(la.established, ==, 1);
    g_assert_cmpuint(lb.established, ==, 1);
    /* A checks every 5 s from its establishment (~0.12 s) until the Delete
     * at 20 s */
    g_assert_cmpuint(la.liveness_sent, ==, 3);
    g_assert_cmpuint(la.liveness_answered, ==, 3);
    g_assert_cmpuint(lb.liveness_sent, ==, 0);
    g_assert_cmpuint(la.retransmits + lb.retransmits, ==, 0);
    g_assert_cmpuint(la.deleted, ==, 1);
    g_assert_cmpint(la.reason, ==, IKE_DEL_LOCAL);
    g_assert_cmpint(lb.reason, ==, IKE_DEL_PEER_DELETE);
    /* B learns at 20 s + one way; A when the answer is back */
    g_assert_cmpuint(lb.deleted_at, >, 20 * SEC + 5 * MS);
    g_assert_cmpuint(la.deleted_at, >, lb.deleted_at + 5 * MS);
    sim_gw_free(ga);
    sim_gw_free(gb);
    ns3_sim_destroy();
    fclose(keys);

    if (!tshark_available()) {
        g_test_skip("tshark is not installed (scripts/install-deps.sh installs it)");
        return;
    }
    g_autofree char *pcap = g_build_filename(dir, "link-0-0.pcap", NULL);
    g_autofree char *bad = tshark_bad_frames(ws, pcap);
    g_assert_cmpstr(bad, ==, "");
    /* 2 IKE_SA_INIT + 2 IKE_AUTH + 3 x 2 liveness + 2 Delete */
    g_autofree char *ike = tshark_fields(ws, pcap, "isakmp", "frame.number");
    g_assert_cmpuint(count_lines(ike), ==, 12);
    g_autofree char *sk = tshark_fields(ws, pcap, "isakmp.nextpayload == 46", "frame.number");
    g_autofree char *decrypted = tshark_fields(ws, pcap, "isakmp.enc.decrypted", "frame.number");
    g_assert_cmpuint(count_lines(sk), ==, 10);
    g_assert_cmpstr(decrypted, ==, sk); /* every SK payload decrypted... */
    g_autofree char *ids = tshark_fields(ws, pcap, "isakmp.id.type", "isakmp.id.type");
    g_assert_cmpuint(count_lines(ids), ==, 2); /* ...so IDi and IDr show */
    g_autofree char *del = tshark_fields(ws, pcap, "isakmp.delete.protoid", "isakmp.delete.protoid");
    g_assert_cmpstr(del, ==, "1\n"); /* one Delete of the IKE SA */
    g_autofree char *flags = tshark_fields(ws, pcap, "isakmp", "isakmp.flags");
    g_assert_true(g_str_has_prefix(flags, "0x08\n0x20\n0x08\n0x20\n"));

    const char *files[] = {"link-0-0.pcap", "link-0-1.pcap", "ws/ikev2_decryption_table", "ws"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dir, files[i], NULL);
        g_remove(p);
    }
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike-ns3/establish-liveness-delete-tshark", test_establish_liveness_delete_tshark);
    return g_test_run();
}
