#include "fleet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "deadline.h"
#include "esp_udp.h"
#include "esp_inner.h"

#define NS 1e9

typedef struct sim_client {
    sim_fleet *fleet;
    ike_ep *ep;
    esp_sa *esp;        /* the Child SA towards the headend */
    esp_sa *other;      /* during a rekey, the other one: inbound only (outbound.h's rule) */
    uint32_t index;
    double rate_pps;    /* 0: idle */
    uint64_t seq;
    bool acquiring;     /* an initiation is in flight */
    bool reinitiate;    /* the tunnel went: initiate once the model call returned */
    uint32_t unanswered; /* readings sent since the last answer */
    uint64_t reading_seq, reading_ns;  /* the latest reading sent */
    uint64_t answered_ns, answer_ns;   /* the latest reading answered, and its answer */
    ns3_timer timer, traffic;
    ns3_timer silence;  /* the application's patience (app_silence_ns) */
} sim_client;

/* One port range per node receives for all of the node's clients. */
typedef struct fleet_node {
    sim_fleet *fleet;
    uint32_t first_client;
    int range;
} fleet_node;

struct sim_fleet {
    sim_fleet_cfg cfg;
    uint32_t n, per_node;
    const ns3_node_id *nodes;
    const uint32_t *addrs, *headend_addrs;
    sim_rng *rng;
    sim_listener listener;
    sim_client *c;
    fleet_node *fn;
};


static uint32_t node_of(const sim_fleet *f, uint32_t i) { return i / f->per_node; }
static uint16_t port_of(const sim_fleet *f, uint32_t i) { return (uint16_t)(SIM_FLEET_BASE_PORT + i % f->per_node); }
uint64_t sim_fleet_peer(const sim_fleet *f, uint32_t i) { return sim_peer(f->addrs[node_of(f, i)], port_of(f, i)); }

static void send_from(sim_client *c, uint64_t to, const uint8_t *data, size_t len)
{
    const sim_fleet *f = c->fleet;
    ns3_udp_range_send(f->fn[node_of(f, c->index)].range, port_of(f, c->index), sim_peer_addr(to),
                       sim_peer_port(to), data, len);
}
uint64_t sim_fleet_headend(const sim_fleet *f, uint32_t i)
{
    return sim_peer(f->headend_addrs[node_of(f, i)], IKE_NATT_PORT);
}

static void rearm(sim_client *c) { sim_timer_follow(&c->timer, c->ep); }

static void cl_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    sim_client *c = ctx;
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    size_t n;
    if (esp_udp_frame_ike(msg, len, buf, sizeof buf, &n) != ESP_OK)
        return;
    sim_tell(&c->fleet->listener, &(sim_trace){.type = SIM_TR_IKE_SENT, .node = c->fleet, .index = c->index,
                                               .peer = peer, .bytes = msg, .len = len});
    send_from(c, peer, buf, n);
}

static void cl_random(void *ctx, uint8_t *out, size_t len)
{
    sim_client *c = ctx;
    if (sim_rng_bytes(c->fleet->rng, out, len) != 0)
        g_error("random generator failed");
}

static void initiate(sim_client *c)
{
    uint64_t now = ns3_now_ns(), he = sim_fleet_headend(c->fleet, c->index);
    /* RFC 5723: from the ticket held for the headend when there is one */
    c->acquiring = ike_ep_resume(c->ep, now, he) != NULL || ike_ep_initiate(c->ep, now, he) != NULL;
    rearm(c);
}

/* After every call into the model: what its events asked for, then the timer. */
static void settle(sim_client *c)
{
    bool again = c->reinitiate && !c->esp && !c->acquiring;
    c->reinitiate = false;
    if (again)
        initiate(c);
    else
        rearm(c);
}

/* The Child SA we receive on with child->spi_in is gone; sending moves to
 * the other one, if any. */
static void child_gone(sim_client *c, const ike_child *child)
{
    if (c->esp && esp_sa_spi_in(c->esp) == child->spi_in) {
        esp_sa_free(c->esp);
        c->esp = c->other;
        c->other = NULL;
    } else if (c->other && esp_sa_spi_in(c->other) == child->spi_in) {
        esp_sa_free(c->other);
        c->other = NULL;
    }
}

/* The application's patience starts again: an answer came, or a tunnel. */
static void patience(sim_client *c)
{
    c->unanswered = 0;
    if (c->fleet->cfg.client.app_silence_ns)
        ns3_timer_start(&c->silence, c->fleet->cfg.client.app_silence_ns);
}

static void find_established(void *arg, ike_sa *sa)
{
    if (ike_sa_established(sa))
        *(ike_sa **)arg = sa;
}

/* The application got no answers: the tunnel is dead to it.  It forgets
 * the SA (the model sends nothing) and, as after any dead peer, initiates
 * anew (settle). */
static void start_over(sim_client *c)
{
    ike_sa *sa = NULL;
    ike_ep_foreach(c->ep, find_established, &sa);
    if (sa)
        ike_ep_start_over(c->ep, sa, ns3_now_ns());
    settle(c);
}

static void on_silence(void *arg)
{
    sim_client *c = arg;
    if (c->esp)
        start_over(c);
}

static void cl_event(void *ctx, const ike_event *ev)
{
    sim_client *c = ctx;
    sim_fleet *f = c->fleet;
    switch (ev->type) {
    case IKE_EV_SA_IMPORTED:
    case IKE_EV_CHILD_ESTABLISHED:
        if (ev->child) {
            esp_sa *sa;
            if (esp_sa_new(ev->child, &f->cfg.client.esp, &sa) == ESP_OK) {
                esp_sa_free(c->esp);
                c->esp = sa;
            }
        }
        c->acquiring = false;
        patience(c);
        break;
    case IKE_EV_CHILD_REKEYED: {
        esp_sa *sa;
        if (esp_sa_new(ev->child, &f->cfg.client.esp, &sa) != ESP_OK)
            break;
        esp_sa_free(c->other);
        c->other = ev->child_outbound ? c->esp : sa;
        if (ev->child_outbound)
            c->esp = sa;
        break;
    }
    case IKE_EV_CHILD_REMOVED:
        child_gone(c, ev->child);
        break;
    case IKE_EV_SA_DELETED:
        if (ev->child)
            child_gone(c, ev->child);
        if (ike_sa_is_initiator(ev->sa) && !ike_sa_established(ev->sa))
            c->acquiring = false; /* our initiation failed */
        /* the tunnel is wanted: start again (settle), whatever ended it but a local deletion */
        if (ev->reason != IKE_DEL_SHUTDOWN && ev->reason != IKE_DEL_LOCAL)
            c->reinitiate = true;
        break;
    default:
        break;
    }
    sim_tell(&f->listener, &(sim_trace){.type = SIM_TR_IKE_EVENT, .node = f, .index = c->index, .ike = ev});
}

static void on_timer(void *arg)
{
    sim_client *c = arg;
    ike_ep_handle_timeout(c->ep, ns3_now_ns());
    settle(c);
}

/* Poisson arrivals, or evenly spaced ones (the first at a random phase). */
static void schedule_tick(sim_client *c, bool first)
{
    const sim_traffic_cfg *t = &c->fleet->cfg.traffic;
    double gap = t->kind == SIM_TRAFFIC_POISSON ? -log(1.0 - sim_rng_uniform(c->fleet->rng)) / c->rate_pps
                                                : (first ? sim_rng_uniform(c->fleet->rng) : 1.0) / c->rate_pps;
    if (ns3_now_ns() / NS + gap < t->stop_s)
        ns3_timer_start(&c->traffic, (uint64_t)llround(gap * NS));
}

static void tick(void *arg)
{
    sim_client *c = arg;
    sim_fleet *f = c->fleet;
    uint8_t inner[1500], pkt[1600];
    size_t pkt_len, len = f->cfg.traffic.size;
    uint32_t k = f->cfg.client.app_unanswered;
    if (k && c->esp && c->unanswered >= k)
        start_over(c); /* this reading then asks for the new SA */
    sim_tell(&f->listener, &(sim_trace){.type = SIM_TR_APP_SENT, .node = f, .index = c->index});
    uint64_t me = sim_fleet_peer(f, c->index), he = sim_fleet_headend(f, c->index);
    esp_app_pkt in = {.src = sim_peer_addr(me), .dst = sim_peer_addr(he), .sport = 9, .dport = 9,
                      .flow = c->index, .seq = c->seq++, .sent_ns = ns3_now_ns()};
    if (c->esp && len <= sizeof inner && esp_inner_build(&in, len, inner, sizeof inner) == ESP_OK &&
        esp_sa_seal(c->esp, ESP_NH_IPV4, inner, len, pkt, sizeof pkt, &pkt_len) == ESP_OK) {
        sim_tell(&f->listener, &(sim_trace){.type = SIM_TR_ESP_SENT, .node = f, .index = c->index, .peer = he,
                                            .spi = esp_sa_spi_out(c->esp), .bytes = pkt, .len = pkt_len});
        send_from(c, he, pkt, pkt_len);
        c->unanswered++;
        c->reading_seq = in.seq;
        c->reading_ns = in.sent_ns;
    } else if (!c->esp && !c->acquiring && !ike_ep_child_coming(c->ep, he))
        initiate(c); /* the acquire: a packet found no SA (nor an IKE SA getting one) */
    schedule_tick(c, false);
}

static void on_esp(sim_client *c, const uint8_t *data, size_t len)
{
    uint32_t spi;
    if (!c->esp || esp_peek_spi(data, len, &spi) != ESP_OK)
        return;
    esp_sa *sa = spi == esp_sa_spi_in(c->esp) ? c->esp : c->other && spi == esp_sa_spi_in(c->other) ? c->other : NULL;
    if (!sa)
        return;
    uint8_t plain[2048];
    esp_rx rx;
    esp_app_pkt in;
    size_t inner_len;
    if (len > sizeof plain || esp_sa_open(sa, data, len, plain, sizeof plain, &rx) != ESP_OK ||
        rx.next_header != ESP_NH_IPV4 || esp_inner_parse(rx.payload, rx.len, &in, &inner_len) != ESP_OK)
        return;
    ike_ep_esp_seen(c->ep, ns3_now_ns(), spi);
    patience(c);
    if (in.seq == c->reading_seq) {
        c->answered_ns = c->reading_ns;
        c->answer_ns = ns3_now_ns();
    }
    sim_app_pkt app = {in.flow, in.seq, in.sent_ns, inner_len, in.src, spi, rx.seq};
    sim_tell(&c->fleet->listener,
             &(sim_trace){.type = SIM_TR_DELIVERED, .node = c->fleet, .index = c->index, .app = &app});
}

static void on_datagram(void *arg, uint16_t port, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    fleet_node *fn = arg;
    sim_client *c = &fn->fleet->c[fn->first_client + (uint32_t)(port - SIM_FLEET_BASE_PORT)];
    esp_udp_kind kind;
    const uint8_t *body;
    size_t body_len;
    if (esp_udp_classify(data, len, &kind, &body, &body_len) != ESP_OK)
        return;
    if (kind == ESP_UDP_IKE)
        ike_ep_receive(c->ep, ns3_now_ns(), sim_peer(src, sport), body, body_len);
    else if (kind == ESP_UDP_ESP)
        on_esp(c, body, body_len);
    settle(c);
}

sim_fleet *sim_fleet_new(const sim_fleet_cfg *cfg, uint32_t n, uint32_t per_node, const ns3_node_id *nodes,
                         const uint32_t *addrs, const uint32_t *headend_addrs, sim_rng *rng)
{
    if (n == 0 || per_node == 0 || per_node > 50000)
        return NULL;
    sim_fleet *f = g_new0(sim_fleet, 1);
    f->cfg = *cfg;
    if (f->cfg.client.resume) /* RFC 5723: clients ask for tickets and resume with them */
        f->cfg.client.ike.resume = (ike_resume_cfg){.client = true, .timeout_ms = f->cfg.client.resume_timeout_ms};
    f->n = n;
    f->per_node = per_node;
    f->nodes = nodes;
    f->addrs = addrs;
    f->headend_addrs = headend_addrs;
    f->rng = rng;
    f->c = g_new0(sim_client, n);
    uint32_t n_nodes = (n + per_node - 1) / per_node;
    f->fn = g_new0(fleet_node, n_nodes);
    for (uint32_t k = 0; k < n_nodes; k++) {
        uint32_t first = k * per_node, count = MIN(per_node, n - first);
        f->fn[k] = (fleet_node){f, first, ns3_udp_range_open(nodes[k], SIM_FLEET_BASE_PORT, count, on_datagram, &f->fn[k])};
        if (f->fn[k].range < 0) {
            f->n = 0;
            sim_fleet_free(f);
            return NULL;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        sim_client *c = &f->c[i];
        c->fleet = f;
        c->index = i;
        char id[64];
        size_t id_len = (size_t)snprintf(id, sizeof id, "c%u.fleet.ikesim", i);
        uint64_t phase = cfg->client.ike.dpd_clock_phase_ns;
        if (cfg->random_dpd_phase)
            phase = (uint64_t)(sim_rng_uniform(rng) * 1e9);
        /* a log-uniform spread of rates: most clients are light, a few heavy */
        bool idle = sim_rng_uniform(rng) < cfg->idle_fraction || cfg->traffic.kind == SIM_TRAFFIC_NONE;
        double u = 2 * sim_rng_uniform(rng) - 1;
        c->rate_pps = idle ? 0 : cfg->traffic.rate_pps * pow(cfg->rate_spread, u);
        ike_io io = {.ctx = c, .send = cl_send, .random = cl_random, .event = cl_event};
        /* the fleet's configuration, shared: the clients differ in ID and phase only */
        c->ep = ike_ep_new_shared(&f->cfg.client.ike, (const uint8_t *)id, id_len, phase, &io);
        if (!c->ep) {
            f->n = i + 1;
            sim_fleet_free(f);
            return NULL;
        }
        ns3_timer_init(&c->timer, nodes[node_of(f, i)], on_timer, c);
        ns3_timer_init(&c->traffic, nodes[node_of(f, i)], tick, c);
        ns3_timer_init(&c->silence, nodes[node_of(f, i)], on_silence, c);
    }
    return f;
}

void sim_fleet_free(sim_fleet *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; i < f->n; i++) {
        sim_client *c = &f->c[i];
        ns3_timer_stop(&c->timer);
        ns3_timer_stop(&c->traffic);
        ns3_timer_stop(&c->silence);
        ike_ep *ep = c->ep;
        c->ep = NULL;
        if (ep) {
            esp_sa_free(c->esp);
            esp_sa_free(c->other);
            c->esp = c->other = NULL;
            ike_ep_free(ep, ns3_now_ns());
        }
    }
    g_free(f->c);
    g_free(f->fn);
    g_free(f);
}

void sim_fleet_listen(sim_fleet *f, const sim_listener *l) { f->listener = *l; }
uint32_t sim_fleet_size(const sim_fleet *f) { return f->n; }
bool sim_fleet_active(const sim_fleet *f, uint32_t i) { return f->c[i].rate_pps > 0; }
ike_ep *sim_fleet_ep(sim_fleet *f, uint32_t i) { return f->c[i].ep; }

void sim_fleet_last_answer(const sim_fleet *f, uint32_t i, uint64_t *reading_ns, uint64_t *answer_ns)
{
    *reading_ns = f->c[i].answered_ns;
    *answer_ns = f->c[i].answer_ns;
}

const char *sim_fleet_id(const sim_fleet *f, uint32_t i, size_t *len)
{
    static char id[64];
    *len = (size_t)snprintf(id, sizeof id, "c%u.fleet.ikesim", i);
    (void)f;
    return id;
}

bool sim_fleet_provision(sim_fleet *f, uint32_t i, const ike_sa_state *st)
{
    sim_client *c = &f->c[i];
    ike_sa *sa = ike_ep_import(c->ep, ns3_now_ns(), sim_fleet_headend(f, i), st);
    bool ok = sa != NULL;
    /* RFC 5723: the ticket a real client got in its IKE_AUTH, asked for now (INFORMATIONAL) */
    if (ok && f->cfg.client.resume)
        ike_ep_request_ticket(c->ep, sa, ns3_now_ns());
    settle(c);
    if (ok && c->rate_pps > 0)
        schedule_tick(c, true);
    return ok;
}

bool sim_fleet_holds(const sim_fleet *f, uint32_t i, uint64_t spi_i, uint64_t spi_r)
{
    ike_sa *sa = ike_ep_find_pair(f->c[i].ep, spi_i, spi_r); /* either role: a rekey may swap them */
    return sa && ike_sa_established(sa);
}
