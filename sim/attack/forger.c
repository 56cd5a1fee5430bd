#include "forger.h"

#include <string.h>

#include <glib.h>

struct sim_forger {
    sim_gw *target;
    uint32_t target_addr;
    int sock;
    sim_rng *rng;
    ns3_timer timer;
    uint64_t interval_ns, sent;
};

typedef struct {
    uint64_t spi_i, spi_r;
    uint32_t child_out;
    bool found;
} victim;

static void pick(void *arg, ike_sa *sa)
{
    victim *v = arg;
    if (v->found || !ike_sa_established(sa))
        return;
    v->spi_i = ike_sa_spi_i(sa);
    v->spi_r = ike_sa_spi_r(sa);
    v->child_out = ike_sa_child(sa) ? ike_sa_child(sa)->spi_out : 0;
    v->found = true;
}

static void forge(void *arg)
{
    sim_forger *f = arg;
    ns3_timer_start(&f->timer, f->interval_ns);
    victim v = {0};
    if (sim_gw_ep(f->target))
        ike_ep_foreach(sim_gw_ep(f->target), pick, &v);
    if (!v.found)
        return;
    uint8_t token[QCD_TOKEN_LEN], spi[4];
    sim_rng_bytes(f->rng, token, sizeof token);
    ike_msg *m = g_new0(ike_msg, 1);
    bool child = (f->sent & 1) && v.child_out;
    /* alternate: an answer to "its" liveness check, and an INVALID_SPI for
     * its outbound Child SA (as the fast path would send) */
    m->hdr = (ike_hdr){.spi_i = v.spi_i, .spi_r = v.spi_r, .version = IKE_VERSION,
                       .exchange = IKE_INFORMATIONAL,
                       .flags = child ? IKE_FLAG_I : IKE_FLAG_R | IKE_FLAG_I};
    if (child) {
        spi[0] = (uint8_t)(v.child_out >> 24), spi[1] = (uint8_t)(v.child_out >> 16);
        spi[2] = (uint8_t)(v.child_out >> 8), spi[3] = (uint8_t)v.child_out;
        m->pl[0] = ike_pl_notify(IKE_PROTO_ESP, IKE_N_INVALID_SPI, spi, 4);
    } else {
        m->pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INVALID_IKE_SPI, NULL, 0);
    }
    m->pl[1] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, token, sizeof token);
    m->n = 2;
    uint8_t buf[4 + 256];
    size_t len;
    memset(buf, 0, 4); /* the non-ESP marker: IKE on port 4500 */
    if (ike_encode(m, buf + 4, sizeof buf - 4, &len) == IKE_OK &&
        ns3_udp_send(f->sock, f->target_addr, IKE_NATT_PORT, buf, len + 4) == NS3_OK)
        f->sent++;
    g_free(m);
}

static void ignore(void *arg, const uint8_t *d, size_t len, uint32_t src, uint16_t sport)
{
    (void)arg, (void)d, (void)len, (void)src, (void)sport;
}

sim_forger *sim_forger_new(ns3_node_id node, sim_gw *target, uint32_t target_addr, sim_rng *rng)
{
    sim_forger *f = g_new0(sim_forger, 1);
    *f = (sim_forger){.target = target, .target_addr = target_addr, .rng = rng};
    f->sock = ns3_udp_open(node, IKE_NATT_PORT, ignore, NULL);
    if (f->sock < 0) {
        g_free(f);
        return NULL;
    }
    ns3_timer_init(&f->timer, node, forge, f);
    return f;
}

void sim_forger_free(sim_forger *f)
{
    if (!f)
        return;
    ns3_timer_stop(&f->timer);
    g_free(f);
}

void sim_forger_start(sim_forger *f, double rate_pps)
{
    if (!(rate_pps > 0))
        return;
    f->interval_ns = (uint64_t)(1e9 / rate_pps);
    if (f->interval_ns == 0)
        f->interval_ns = 1;
    ns3_timer_start(&f->timer, 0);
}

void sim_forger_stop(sim_forger *f) { ns3_timer_stop(&f->timer); }
uint64_t sim_forger_sent(const sim_forger *f) { return f->sent; }
