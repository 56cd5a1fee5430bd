#include "headend.h"

#include <math.h>
#include <string.h>

#include "deadline.h"
#include "esp_udp.h"
#include "esp_inner.h"
#include "ike_ha.h"
#include "rng.h"

/* An IKE_SA_INIT (or an IKE_SESSION_RESUME) waiting for the CPU. */
typedef struct pending_init {
    uint64_t peer;
    uint64_t cost_ns;
    bool resume;
    size_t len;
    uint8_t msg[];
} pending_init;

struct sim_headend {
    ns3_node_id node;
    int range;             /* UDP 4500 */
    sim_gw_cfg cfg;
    uint64_t cost_ns;
    uint64_t resume_cost_ns; /* per IKE_SESSION_RESUME (RFC 5723: no DH) */
    uint64_t cpu_ns;       /* spent on the handshakes and resumptions served */
    uint32_t queue_limit;
    sim_rng *rng;
    ns3_timer timer, cpu;
    ns3_timer start;       /* the daemon starts after a reboot (boot delay) */
    sim_listener listener;
    bool up, booted;
    /* volatile */
    ike_ep *ep;
    GHashTable *esp_in;    /* inbound SPI -> esp_sa */
    GQueue queue;          /* pending_init*, served in order */
    /* non-volatile */
    qcd_secrets secrets;
    GHashTable *child_map; /* inbound SPI -> uint64_t[2] IKE SPIs */
    ike_ticket_keys ticket_keys; /* RFC 5723, with cfg.resume */
};

static void rearm(sim_headend *h)
{
    if (h->ep)
        sim_timer_follow(&h->timer, h->ep);
}

static void he_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    sim_headend *h = ctx;
    uint8_t buf[ESP_NON_ESP_MARKER_LEN + IKE_MAX_MSG];
    size_t n;
    if (esp_udp_frame_ike(msg, len, buf, sizeof buf, &n) != ESP_OK)
        return;
    sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_IKE_SENT, .node = h, .peer = peer, .bytes = msg, .len = len});
    ns3_udp_range_send(h->range, IKE_NATT_PORT, sim_peer_addr(peer), sim_peer_port(peer), buf, n);
}

static void he_random(void *ctx, uint8_t *out, size_t len)
{
    sim_headend *h = ctx;
    if (sim_rng_bytes(h->rng, out, len) != 0)
        g_error("random generator failed");
}

static void child_up(sim_headend *h, const ike_event *ev)
{
    esp_sa *sa;
    if (esp_sa_new(ev->child, &h->cfg.esp, &sa) != ESP_OK)
        return;
    g_hash_table_replace(h->esp_in, GUINT_TO_POINTER(ev->child->spi_in), sa);
    if (h->cfg.persist_child_map) {
        uint64_t *spis = g_new(uint64_t, 2);
        spis[0] = ev->spi_i;
        spis[1] = ev->spi_r;
        g_hash_table_replace(h->child_map, GUINT_TO_POINTER(ev->child->spi_in), spis);
    }
}

/* A client's packet is answered on the SA it came in on: inbound is all a
 * headend keeps, and after a rekey the client's choice of SA is ours. */
static void child_down(sim_headend *h, const ike_child *c, ike_del_reason why)
{
    g_hash_table_remove(h->esp_in, GUINT_TO_POINTER(c->spi_in));
    if (why != IKE_DEL_SHUTDOWN) /* a crash leaves the persisted map alone */
        g_hash_table_remove(h->child_map, GUINT_TO_POINTER(c->spi_in));
}

static void he_event(void *ctx, const ike_event *ev)
{
    sim_headend *h = ctx;
    if ((ev->type == IKE_EV_CHILD_ESTABLISHED || ev->type == IKE_EV_SA_IMPORTED ||
         ev->type == IKE_EV_CHILD_REKEYED) && ev->child)
        child_up(h, ev);
    else if ((ev->type == IKE_EV_SA_DELETED || ev->type == IKE_EV_CHILD_REMOVED) && ev->child)
        child_down(h, ev->child, ev->reason);
    else if (ev->type == IKE_EV_SA_REKEYED && ev->child && h->cfg.persist_child_map) {
        uint64_t *spis = g_hash_table_lookup(h->child_map, GUINT_TO_POINTER(ev->child->spi_in));
        if (spis) { /* the QCD fast path names the new IKE SPIs */
            spis[0] = ev->spi_i;
            spis[1] = ev->spi_r;
        }
    }
    sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_IKE_EVENT, .node = h, .ike = ev});
}

static void on_timer(void *arg)
{
    sim_headend *h = arg;
    ike_ep_handle_timeout(h->ep, ns3_now_ns());
    rearm(h);
}

/* The CPU finished the handshake at the head of the queue. */
static void serve_next(void *arg);

static void cpu_start(sim_headend *h)
{
    const pending_init *p = g_queue_peek_head(&h->queue);
    if (!ns3_timer_pending(&h->cpu) && p)
        ns3_timer_start(&h->cpu, p->cost_ns);
}

static void serve_next(void *arg)
{
    sim_headend *h = arg;
    pending_init *p = g_queue_pop_head(&h->queue);
    if (!p || !h->ep) {
        g_free(p);
        return;
    }
    h->cpu_ns += p->cost_ns;
    if (!p->resume)
        sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_INIT_SERVED, .node = h});
    ike_ep_receive(h->ep, ns3_now_ns(), p->peer, p->msg, p->len);
    g_free(p);
    rearm(h);
    cpu_start(h);
}

static void on_ike(sim_headend *h, uint64_t from, const uint8_t *msg, size_t len)
{
    uint64_t now = ns3_now_ns();
    ike_admit a = ike_ep_admit(h->ep, now, from, msg, len);
    if (a == IKE_ADMIT_ANSWERED)
        return; /* a COOKIE went back; no state, no CPU */
    uint64_t cost = a == IKE_ADMIT_HANDSHAKE ? h->cost_ns : a == IKE_ADMIT_RESUME ? h->resume_cost_ns : 0;
    if (a == IKE_ADMIT_OTHER || cost == 0) {
        if (a == IKE_ADMIT_HANDSHAKE)
            sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_INIT_SERVED, .node = h});
        ike_ep_receive(h->ep, now, from, msg, len);
        return;
    }
    if (g_queue_get_length(&h->queue) >= h->queue_limit) {
        sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_INIT_DROPPED, .node = h});
        return;
    }
    pending_init *p = g_malloc(sizeof *p + len);
    p->peer = from;
    p->cost_ns = cost;
    p->resume = a == IKE_ADMIT_RESUME;
    p->len = len;
    memcpy(p->msg, msg, len);
    g_queue_push_tail(&h->queue, p);
    cpu_start(h);
}

/* Opens a client's packet and answers it on the same Child SA. */
static void on_esp(sim_headend *h, uint64_t from, const uint8_t *data, size_t len)
{
    uint32_t spi;
    if (esp_peek_spi(data, len, &spi) != ESP_OK)
        return;
    esp_sa *sa = g_hash_table_lookup(h->esp_in, GUINT_TO_POINTER(spi));
    if (!sa) {
        if (h->cfg.answer_invalid_spi) {
            const uint64_t *parent =
                h->cfg.persist_child_map ? g_hash_table_lookup(h->child_map, GUINT_TO_POINTER(spi)) : NULL;
            ike_ep_invalid_spi(h->ep, ns3_now_ns(), from, spi, parent);
        }
        return;
    }
    uint8_t plain[2048], pkt[2048];
    esp_rx rx;
    esp_app_pkt in;
    size_t inner_len, out_len;
    if (len > sizeof plain || esp_sa_open(sa, data, len, plain, sizeof plain, &rx) != ESP_OK ||
        rx.next_header != ESP_NH_IPV4 || esp_inner_parse(rx.payload, rx.len, &in, &inner_len) != ESP_OK)
        return;
    ike_ep_esp_seen(h->ep, ns3_now_ns(), spi);
    sim_app_pkt app = {in.flow, in.seq, in.sent_ns, inner_len, sim_peer_addr(from), spi, rx.seq};
    sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_DELIVERED, .node = h, .app = &app});
    esp_app_pkt back = {.src = in.dst, .dst = in.src, .sport = in.dport, .dport = in.sport, .flow = in.flow,
                        .seq = in.seq, .sent_ns = ns3_now_ns()};
    if (esp_inner_build(&back, inner_len, plain, sizeof plain) == ESP_OK &&
        esp_sa_seal(sa, ESP_NH_IPV4, plain, inner_len, pkt, sizeof pkt, &out_len) == ESP_OK) {
        sim_tell(&h->listener, &(sim_trace){.type = SIM_TR_ESP_SENT, .node = h, .peer = from,
                                            .spi = esp_sa_spi_out(sa), .bytes = pkt, .len = out_len});
        ns3_udp_range_send(h->range, IKE_NATT_PORT, sim_peer_addr(from), sim_peer_port(from), pkt, out_len);
    }
}

static void on_datagram(void *arg, uint16_t port, const uint8_t *data, size_t len, uint32_t src, uint16_t sport)
{
    sim_headend *h = arg;
    (void)port;
    if (!h->ep)
        return;
    esp_udp_kind kind;
    const uint8_t *body;
    size_t body_len;
    if (esp_udp_classify(data, len, &kind, &body, &body_len) != ESP_OK)
        return;
    if (kind == ESP_UDP_IKE)
        on_ike(h, sim_peer(src, sport), body, body_len);
    else if (kind == ESP_UDP_ESP)
        on_esp(h, sim_peer(src, sport), body, body_len);
    rearm(h);
}

static void daemon_start(void *arg);

sim_headend *sim_headend_new(ns3_node_id node, const sim_gw_cfg *cfg, double handshake_cost_s,
                             uint32_t init_queue, uint64_t seed, uint64_t run, uint64_t stream)
{
    sim_headend *h = g_new0(sim_headend, 1);
    h->node = node;
    h->cfg = *cfg;
    h->cost_ns = (uint64_t)llround(handshake_cost_s * 1e9);
    h->queue_limit = init_queue;
    qcd_secrets_init(&h->secrets, cfg->qcd_secret);
    h->cfg.ike.qcd.secrets = &h->secrets;
    h->child_map = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    g_queue_init(&h->queue);
    h->rng = sim_rng_new(seed, run, stream);
    if (h->rng && cfg->resume)
        sim_resume_setup(cfg, &h->ticket_keys, h->rng, &h->cfg.ike);
    /* a range of one port: sends reuse their routes (see ns3_net.h) */
    h->range = h->rng ? ns3_udp_range_open(node, IKE_NATT_PORT, 1, on_datagram, h) : -1;
    if (h->range < 0 || ike_cfg_check(&h->cfg.ike) != IKE_OK) {
        sim_headend_free(h);
        return NULL;
    }
    ns3_timer_init(&h->timer, node, on_timer, h);
    ns3_timer_init(&h->cpu, node, serve_next, h);
    ns3_timer_init(&h->start, node, daemon_start, h);
    return h;
}

void sim_headend_set_resume_cost(sim_headend *h, double resume_cost_s)
{
    h->resume_cost_ns = (uint64_t)llround(resume_cost_s * 1e9);
}

/* Everything volatile goes: SAs, keys, timers, the handshakes waiting. */
static void wipe(sim_headend *h)
{
    ns3_timer_stop(&h->timer);
    ns3_timer_stop(&h->cpu);
    ns3_timer_stop(&h->start);
    if (h->ep) {
        ike_ep *ep = h->ep;
        h->ep = NULL;
        ike_ep_free(ep, ns3_now_ns());
    }
    if (h->esp_in)
        g_hash_table_destroy(h->esp_in);
    h->esp_in = NULL;
    g_queue_clear_full(&h->queue, g_free);
}

void sim_headend_free(sim_headend *h)
{
    if (!h)
        return;
    wipe(h);
    g_hash_table_destroy(h->child_map);
    sim_rng_free(h->rng);
    g_free(h);
}

void sim_headend_listen(sim_headend *h, const sim_listener *l) { h->listener = *l; }

static void daemon_start(void *arg)
{
    sim_headend *h = arg;
    ike_cfg ike = h->cfg.ike;
    ike.qcd.boot_ns = ns3_now_ns();
    ike_io io = {.ctx = h, .send = he_send, .random = he_random, .event = he_event};
    h->ep = ike_ep_new(&ike, &io);
    h->esp_in = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)esp_sa_free);
}

/* The first boot is the run's start, with the fleet's SAs provisioned
 * right after: only a reboot waits for the daemon (boot_delay_ns). */
void sim_headend_boot(sim_headend *h)
{
    bool reboot = h->booted;
    wipe(h);
    ns3_node_revive(h->node);
    h->up = h->booted = true;
    if (reboot && h->cfg.boot_delay_ns)
        ns3_timer_start(&h->start, h->cfg.boot_delay_ns);
    else
        daemon_start(h);
}

void sim_headend_crash(sim_headend *h)
{
    h->up = false;
    ns3_node_crash(h->node);
    wipe(h);
    if (!h->cfg.persist_child_map)
        g_hash_table_remove_all(h->child_map);
}

ike_ep *sim_headend_ep(sim_headend *h) { return h->ep; }
const qcd_secrets *sim_headend_secrets(const sim_headend *h) { return &h->secrets; }
double sim_headend_cpu_s(const sim_headend *h) { return h->cpu_ns / 1e9; }

bool sim_headend_provision(sim_headend *h, uint64_t peer, const ike_sa_state *st)
{
    if (!h->ep)
        return false;
    bool ok = ike_ep_import(h->ep, ns3_now_ns(), peer, st) != NULL;
    rearm(h);
    return ok;
}

bool sim_headend_holds(const sim_headend *h, uint64_t spi_i, uint64_t spi_r)
{
    if (!h->ep)
        return false;
    ike_sa *sa = ike_ep_find_pair(h->ep, spi_i, spi_r); /* either role: a rekey may swap them */
    return sa && ike_sa_established(sa);
}
