#include "probe.h"

#include <string.h>

#include <glib.h>

#include "gw.h"

#define NS 1000000000ull
#define MS 1000000ull
#define PORT IKE_NATT_PORT

typedef struct {
    const sim_probe_cfg *cfg;
    sim_gw *p, *m1, *m2;
    int x_sock;
    uint32_t x_addr, p_addr, m2_addr;
    bool probed;
    sim_probe_row *row;
} probe_world;

/* What the observer sees of a clear-text answer: its QCD tokens. */
static unsigned clear_tokens(const uint8_t *msg, size_t len)
{
    ike_msg *m = g_new0(ike_msg, 1);
    unsigned n = 0;
    if (ike_parse(msg, len, m) == IKE_OK && m->hdr.next_payload != IKE_PL_SK)
        for (size_t i = 0; i < m->n; i++)
            n += m->pl[i].type == IKE_PL_NOTIFY && m->pl[i].u.notify.type == IKE_N_QCD_TOKEN;
    g_free(m);
    return n;
}

static void send_marked(int sock, uint32_t addr, const uint8_t *msg, size_t len)
{
    uint8_t buf[4 + IKE_MAX_MSG];
    if (len > IKE_MAX_MSG)
        return;
    memset(buf, 0, 4);
    memcpy(buf + 4, msg, len);
    ns3_udp_send(sock, addr, PORT, buf, len + 4);
}

/* X taps P's link: the first protected request after attack_from goes to M2. */
static void tap(void *arg, sim_gw *gw, uint64_t peer, const uint8_t *msg, size_t len)
{
    probe_world *w = arg;
    ike_hdr h;
    (void)peer;
    if (gw != w->p || w->probed || ns3_now_ns() < w->cfg->attack_from_s * NS)
        return;
    if (ike_parse_header(msg, len, &h) != IKE_OK || (h.flags & IKE_FLAG_R) || h.next_payload != IKE_PL_SK)
        return;
    w->probed = true;
    w->row->probes++;
    send_marked(w->x_sock, w->m2_addr, msg, len);
}

/* M2's answer reaches X, which forwards it to P from its own address (a
 * taker accepts tokens from any address, RFC 6290 §3). */
static void x_receive(void *arg, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    probe_world *w = arg;
    (void)src, (void)sport;
    if (len < 4)
        return;
    w->row->tokens_in_clear += clear_tokens(data + 4, len - 4);
    send_marked(w->x_sock, w->p_addr, data + 4, len - 4);
}

static void on_ike_event(void *arg, sim_gw *gw, const ike_event *ev)
{
    probe_world *w = arg;
    if (gw != w->p)
        return;
    if (ev->type == IKE_EV_SA_ESTABLISHED)
        w->row->sas_established++;
    if (ev->type == IKE_EV_SA_DELETED && (ev->reason == IKE_DEL_QCD || ev->reason == IKE_DEL_TIMEOUT) &&
        sim_gw_holds(w->m1, ev->spi_i, ev->spi_r))
        w->row->false_positives++;
}

/* Cluster-wide knowledge: M2 asks whether M1 holds the SA. */
static bool alive_on_m1(void *arg, uint64_t spi_i, uint64_t spi_r)
{
    probe_world *w = arg;
    return sim_gw_holds(w->m1, spi_i, spi_r);
}

void sim_probe_cfg_defaults(sim_probe_cfg *cfg)
{
    *cfg = (sim_probe_cfg){.seed = 1, .run = 1, .attack_from_s = 20, .horizon_s = 60};
}

int sim_probe_run(const sim_probe_cfg *cfg, sim_probe_row *row)
{
    memset(row, 0, sizeof *row);
    int rc = ns3_sim_init(cfg->seed, cfg->run);
    if (rc < 0)
        return rc;
    probe_world w = {.cfg = cfg, .row = row};
    ns3_node_id r = ns3_node_create(), n[4];
    ns3_link_cfg slow = {.rate_bps = 100000000, .delay_ns = 10 * MS, .queue_pkts = 1000};
    ns3_link_cfg fast = slow;
    fast.delay_ns = 1 * MS;
    int l[4];
    for (int i = 0; i < 4; i++) {
        n[i] = ns3_node_create();
        l[i] = ns3_link_create(n[i], r, i == 3 ? &fast : &slow);
    }
    ns3_routing_global();
    uint32_t addr[4];
    for (int i = 0; i < 4; i++)
        addr[i] = ns3_link_addr(l[i], 0);
    w.p_addr = addr[0];
    w.m2_addr = addr[2];
    w.x_addr = addr[3];

    sim_gw_cfg pc, mc;
    sim_gw_cfg_defaults(&pc);
    memcpy(pc.ike.psk, "cluster key", 11);
    pc.ike.psk_len = 11;
    mc = pc;
    memcpy(pc.ike.id, "peer.ikesim", pc.ike.id_len = 11);
    memcpy(mc.ike.id, "cluster.ikesim", mc.ike.id_len = 14);
    pc.ike.qcd.role = IKE_QCD_TAKER;
    pc.ike.qcd.taker_needs_request = cfg->taker_needs_request;
    pc.ike.dpd_delay_ms = 5000;
    mc.ike.qcd.role = IKE_QCD_MAKER;
    mc.establish = SIM_EST_NEVER;
    memset(mc.qcd_secret, 0x3c, QCD_SECRET_LEN); /* shared by both members */
    w.p = sim_gw_new(n[0], addr[0], PORT, &pc, cfg->seed, cfg->run, 0);
    w.m1 = sim_gw_new(n[1], addr[1], PORT, &mc, cfg->seed, cfg->run, 1);
    w.m2 = sim_gw_new(n[2], addr[2], PORT, &mc, cfg->seed, cfg->run, 2);
    w.x_sock = ns3_udp_open(n[3], PORT, x_receive, &w);
    if (!w.p || !w.m1 || !w.m2 || w.x_sock < 0) {
        rc = NS3_EINVAL;
        goto out;
    }
    sim_gw_listener l_p = {.arg = &w, .ike_event = on_ike_event, .ike_sent = tap};
    sim_gw_listen(w.p, &l_p);
    if (cfg->cluster_knowledge)
        sim_gw_set_cluster(w.m2, alive_on_m1, &w);
    sim_gw_set_peer(w.p, addr[1], PORT);
    sim_gw_boot(w.m1);
    sim_gw_boot(w.m2);
    sim_gw_boot(w.p);
    ns3_sim_stop_at((uint64_t)(cfg->horizon_s * NS));
    ns3_sim_run();
    rc = 0;
out:
    sim_gw_free(w.p);
    sim_gw_free(w.m1);
    sim_gw_free(w.m2);
    ns3_sim_destroy();
    return rc;
}
