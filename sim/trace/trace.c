#include "trace.h"

#include <string.h>

#include "esp_udp.h"
#include "gw.h"
#include "trace_msg.h"

static const char *const kind_names[TR_N_KINDS] = {
    [TR_SEND] = "send", [TR_RECV] = "recv", [TR_REFUSED] = "refused", [TR_LOST] = "lost",
    [TR_DROPPED] = "dropped", [TR_RETRANSMIT] = "retransmit", [TR_LIVENESS_CHECK] = "liveness-check",
    [TR_LIVENESS_OK] = "liveness-ok", [TR_SA_UP] = "sa-up", [TR_CHILD_UP] = "child-up",
    [TR_SA_DELETED] = "sa-deleted", [TR_SA_IMPORTED] = "sa-imported", [TR_HINT] = "hint",
    [TR_QCD_ANSWER] = "qcd-answer", [TR_QCD_REJECTED] = "qcd-rejected", [TR_SYNC_SENT] = "sync-sent",
    [TR_SYNC_ANSWERED] = "sync-answered", [TR_SYNC_DROPPED] = "sync-dropped", [TR_REPLAY_DELTA] = "replay-delta",
    [TR_ABANDONED] = "request-abandoned", [TR_COOKIE] = "cookie", [TR_CRASH] = "crash", [TR_REBOOT] = "reboot",
    [TR_LINK_DOWN] = "link-down", [TR_LINK_UP] = "link-up", [TR_LOSS] = "loss", [TR_TAKEOVER] = "takeover",
    [TR_MEMBER_LINKS_DOWN] = "member-links-down", [TR_MEMBER_LINKS_UP] = "member-links-up",
    [TR_FORGE] = "forge", [TR_PROBE] = "probe", [TR_REPLAY] = "replay", [TR_ESP_FIRST] = "esp-first",
    [TR_ESP_LAST] = "esp-last", [TR_ESP_GAP] = "esp-gap", [TR_TICKET] = "ticket", [TR_RESUME] = "resume",
    [TR_CHILD_REKEYED] = "child-rekeyed", [TR_CHILD_REMOVED] = "child-removed",
    [TR_REAUTH] = "reauth",
    [TR_SA_REKEYED] = "sa-rekeyed",
};

const char *trace_kind_name(trace_kind k) { return k < TR_N_KINDS ? kind_names[k] : "unknown"; }

bool trace_kind_parse(const char *s, trace_kind *k)
{
    for (int i = 0; i < TR_N_KINDS; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *k = (trace_kind)i;
            return true;
        }
    return false;
}

/* Messages with the same bytes: the sends still waiting for their fate
 * (links are FIFO, so the oldest is the one that arrives), and what the
 * sender's keys said they carry (an attacker's copy is named the same). */
typedef struct same_bytes {
    trace_msg kind;
    const char *payloads;
    GQueue waiting; /* record numbers, as pointers */
} same_bytes;

/* ESP of one SA in one direction at one actor. */
typedef struct esp_sum {
    int actor;
    bool rx;
    uint32_t spi;
    uint64_t first_t, first_seq, last_t, last_seq, packets, missing, refused, lost;
} esp_sum;

struct run_trace {
    GArray *actors;   /* trace_actor */
    GArray *recs;     /* trace_rec */
    GStringChunk *strings;
    GHashTable *bytes;    /* digest -> same_bytes */
    GHashTable *requests; /* "spi_i spi_r exchange mid" -> trace_msg of the request */
    GHashTable *esp;      /* "actor dir spi" key -> esp_sum */
    GArray *open_recv;    /* per actor: the record of the message its model is processing, or -1 */
    void (*listen)(void *arg, const trace_rec *r);
    void *listen_arg;
    GPtrArray *esp_order; /* esp_sum, in order of first packet */
};

static uint64_t digest(const uint8_t *p, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ len; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void same_bytes_free(gpointer p)
{
    same_bytes *s = p;
    g_queue_clear(&s->waiting);
    g_free(s);
}

static void on_drop(void *arg, ns3_drop why, ns3_node_id from, ns3_node_id to, const uint8_t *data, size_t len,
                    uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);

run_trace *sim_trace_new(void)
{
    run_trace *t = g_new0(run_trace, 1);
    t->actors = g_array_new(FALSE, TRUE, sizeof(trace_actor));
    t->recs = g_array_new(FALSE, TRUE, sizeof(trace_rec));
    t->strings = g_string_chunk_new(4096);
    t->bytes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, same_bytes_free);
    t->requests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    t->esp = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    t->esp_order = g_ptr_array_new();
    t->open_recv = g_array_new(FALSE, TRUE, sizeof(long));
    ns3_watch_drops(on_drop, t);
    return t;
}

void sim_trace_free(run_trace *t)
{
    if (!t)
        return;
    ns3_watch_drops(NULL, NULL);
    for (guint i = 0; i < t->actors->len; i++)
        g_free(g_array_index(t->actors, trace_actor, i).name);
    g_array_free(t->actors, TRUE);
    g_array_free(t->recs, TRUE);
    g_string_chunk_free(t->strings);
    g_hash_table_destroy(t->bytes);
    g_hash_table_destroy(t->requests);
    g_hash_table_destroy(t->esp);
    g_ptr_array_free(t->esp_order, TRUE);
    g_array_free(t->open_recv, TRUE);
    g_free(t);
}

int sim_trace_actor(run_trace *t, const char *name, int side, ns3_node_id node, uint32_t addr)
{
    trace_actor a = {g_strdup(name), side, node, addr};
    long none = -1;
    g_array_append_val(t->actors, a);
    g_array_append_val(t->open_recv, none);
    return (int)t->actors->len - 1;
}

void sim_trace_actor_addr(run_trace *t, int actor, uint32_t addr)
{
    g_array_index(t->actors, trace_actor, actor).addr = addr;
}

void sim_trace_listen(run_trace *t, void (*fn)(void *arg, const trace_rec *r), void *arg)
{
    t->listen = fn;
    t->listen_arg = arg;
}

const trace_rec *sim_trace_records(const run_trace *t, size_t *n)
{
    *n = t->recs->len;
    return (const trace_rec *)(void *)t->recs->data;
}

const trace_actor *sim_trace_actors(const run_trace *t, size_t *n)
{
    *n = t->actors->len;
    return (const trace_actor *)(void *)t->actors->data;
}

/* The actor at addr (a live one first: a crashed member keeps the address
 * it claimed); -1 if none. */
static int actor_at(const run_trace *t, uint32_t addr)
{
    int found = -1;
    for (guint i = 0; i < t->actors->len; i++) {
        const trace_actor *a = &g_array_index(t->actors, trace_actor, i);
        if (a->addr != addr)
            continue;
        if (ns3_node_is_up(a->node))
            return (int)i;
        if (found < 0)
            found = (int)i;
    }
    return found;
}

static int actor_on(const run_trace *t, ns3_node_id node)
{
    for (guint i = 0; i < t->actors->len; i++)
        if (g_array_index(t->actors, trace_actor, i).node == node)
            return (int)i;
    return -1;
}

static const char *str(run_trace *t, const char *s) { return s && *s ? g_string_chunk_insert_const(t->strings, s) : ""; }

static long push(run_trace *t, trace_rec *r)
{
    if (!r->payloads)
        r->payloads = "";
    if (!r->detail)
        r->detail = "";
    g_array_append_val(t->recs, *r);
    long i = (long)t->recs->len - 1;
    /* a message counts for the listener once its model accepted it */
    if (t->listen && r->kind != TR_RECV)
        t->listen(t->listen_arg, &g_array_index(t->recs, trace_rec, i));
    return i;
}

static trace_rec *rec(run_trace *t, long i) { return &g_array_index(t->recs, trace_rec, i); }

static char *request_key(const ike_hdr *h)
{
    return g_strdup_printf("%016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER "x %u %u", h->spi_i, h->spi_r,
                           h->exchange, h->msg_id);
}

/* Responses that look alike are named after their request. */
static trace_msg name_response(run_trace *t, const ike_hdr *h, trace_msg kind)
{
    g_autofree char *key = request_key(h);
    trace_msg req = GPOINTER_TO_INT(g_hash_table_lookup(t->requests, key));
    if (kind == TM_LIVENESS_ANSWER && req == TM_DELETE_REQ)
        return TM_DELETE_RESP;
    if ((kind == TM_LIVENESS_ANSWER || kind == TM_INFO_RESP) && req == TM_REPLAY_SYNC_REQ)
        return TM_REPLAY_SYNC_RESP;
    return kind;
}

static void fill_header(trace_rec *r, const ike_hdr *h)
{
    r->exchange = h->exchange;
    r->flags = h->flags;
    r->msg_id = h->msg_id;
    r->spi_i = h->spi_i;
    r->spi_r = h->spi_r;
}

void sim_trace_ike_sent(run_trace *t, int actor, ike_ep *ep, uint64_t peer, const uint8_t *msg, size_t len)
{
    trace_msg_info info;
    trace_msg_describe(msg, len, ep, &info);
    trace_rec r = {.t_ns = ns3_now_ns(), .kind = TR_SEND, .node = actor, .peer_addr = sim_peer_addr(peer),
                   .len = (uint32_t)len, .pair = -1};
    r.peer = actor_at(t, r.peer_addr);
    fill_header(&r, &info.hdr);
    bool resp = (info.hdr.flags & IKE_FLAG_R) != 0;
    r.msg = resp ? name_response(t, &info.hdr, info.kind) : info.kind;
    if (!resp && r.msg != TM_UNKNOWN && r.msg != TM_INVALID_SPI)
        g_hash_table_replace(t->requests, request_key(&info.hdr), GINT_TO_POINTER(r.msg));
    r.payloads = str(t, info.payloads->str);
    g_string_free(info.payloads, TRUE);
    uint64_t d = digest(msg, len);
    same_bytes *s = g_hash_table_lookup(t->bytes, &d);
    if (!s) {
        s = g_new0(same_bytes, 1);
        g_queue_init(&s->waiting);
        g_hash_table_insert(t->bytes, g_memdup2(&d, sizeof d), s);
    }
    s->kind = r.msg;
    s->payloads = r.payloads;
    g_queue_push_tail(&s->waiting, GSIZE_TO_POINTER((gsize)t->recs->len));
    push(t, &r);
}

/* A message reaching its end (received, lost or dropped): paired with the
 * oldest send of the same bytes; named as that send, or parsed in the
 * clear if nobody here sent it (an attacker's). */
static long fate(run_trace *t, trace_kind kind, int actor, uint32_t from, const uint8_t *msg, size_t len,
                 const char *detail)
{
    trace_rec r = {.t_ns = ns3_now_ns(), .kind = kind, .node = actor, .peer_addr = from, .len = (uint32_t)len,
                   .pair = -1, .detail = str(t, detail)};
    r.peer = actor_at(t, from);
    uint64_t d = digest(msg, len);
    same_bytes *s = g_hash_table_lookup(t->bytes, &d);
    ike_hdr h;
    if (ike_parse_header(msg, len, &h) == IKE_OK)
        fill_header(&r, &h);
    if (s) {
        r.msg = s->kind;
        r.payloads = s->payloads;
        if (!g_queue_is_empty(&s->waiting))
            r.pair = (long)GPOINTER_TO_SIZE(g_queue_pop_head(&s->waiting));
    } else {
        trace_msg_info info;
        trace_msg_describe(msg, len, NULL, &info);
        r.msg = info.kind;
        r.payloads = str(t, info.payloads->str);
        g_string_free(info.payloads, TRUE);
    }
    long i = (long)t->recs->len;
    if (r.pair >= 0) {
        rec(t, r.pair)->pair = i;
        if (r.peer < 0)
            r.peer = rec(t, r.pair)->node;
    }
    return push(t, &r);
}

void sim_trace_ike_received(run_trace *t, int actor, uint64_t from, const uint8_t *msg, size_t len)
{
    g_array_index(t->open_recv, long, actor) = fate(t, TR_RECV, actor, sim_peer_addr(from), msg, len, NULL);
}

/* ---- ESP, summarised ---- */

static esp_sum *esp_of(run_trace *t, int actor, bool rx, uint32_t spi)
{
    uint64_t key = (uint64_t)actor << 33 | (uint64_t)rx << 32 | spi;
    esp_sum *e = g_hash_table_lookup(t->esp, &key);
    if (!e) {
        e = g_new0(esp_sum, 1);
        *e = (esp_sum){.actor = actor, .rx = rx, .spi = spi};
        g_hash_table_insert(t->esp, g_memdup2(&key, sizeof key), e);
        g_ptr_array_add(t->esp_order, e);
    }
    return e;
}

static void esp_line(run_trace *t, esp_sum *e, trace_kind kind, uint64_t at, const char *detail)
{
    g_autofree char *d = g_strdup_printf("%s spi 0x%08x %s", e->rx ? "in" : "out", e->spi, detail);
    trace_rec r = {.t_ns = at, .kind = kind, .node = e->actor, .peer = -1, .pair = -1, .detail = str(t, d)};
    push(t, &r);
}

static void esp_packet(run_trace *t, int actor, bool rx, uint32_t spi, uint64_t seq)
{
    esp_sum *e = esp_of(t, actor, rx, spi);
    uint64_t now = ns3_now_ns();
    if (!e->packets) {
        e->first_t = now;
        e->first_seq = seq;
        g_autofree char *d = g_strdup_printf("seq %" G_GUINT64_FORMAT, seq);
        esp_line(t, e, TR_ESP_FIRST, now, d);
    } else if (rx && seq > e->last_seq + 1) {
        uint64_t n = seq - e->last_seq - 1;
        e->missing += n;
        g_autofree char *d = g_strdup_printf("seq %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " missing (%" G_GUINT64_FORMAT "); %.6f s since the last",
                                             e->last_seq + 1, seq - 1, n, (double)(now - e->last_t) / 1e9);
        esp_line(t, e, TR_ESP_GAP, now, d);
    }
    e->packets++;
    if (seq >= e->last_seq) {
        e->last_seq = seq;
        e->last_t = now;
    }
}

void sim_trace_esp_sent(run_trace *t, int actor, uint32_t spi, uint64_t seq) { esp_packet(t, actor, false, spi, seq); }
void sim_trace_esp_received(run_trace *t, int actor, uint32_t spi, uint64_t seq) { esp_packet(t, actor, true, spi, seq); }

void sim_trace_esp_refused(run_trace *t, int actor, uint32_t spi, const char *why)
{
    (void)why;
    esp_of(t, actor, true, spi)->refused++;
}

void sim_trace_finish(run_trace *t)
{
    for (guint i = 0; i < t->esp_order->len; i++) {
        esp_sum *e = g_ptr_array_index(t->esp_order, i);
        if (!e->packets)
            continue;
        g_autofree char *d =
            e->rx ? g_strdup_printf("seq %" G_GUINT64_FORMAT "; %" G_GUINT64_FORMAT " packets from seq %" G_GUINT64_FORMAT
                                    "; %" G_GUINT64_FORMAT " missing; %" G_GUINT64_FORMAT " refused",
                                    e->last_seq, e->packets, e->first_seq, e->missing, e->refused)
                  : g_strdup_printf("seq %" G_GUINT64_FORMAT "; %" G_GUINT64_FORMAT " packets from seq %" G_GUINT64_FORMAT
                                    "; %" G_GUINT64_FORMAT " lost in the network",
                                    e->last_seq, e->packets, e->first_seq, e->lost);
        esp_line(t, e, TR_ESP_LAST, e->last_t, d);
    }
}

/* ---- the network's drops ---- */

static void on_drop(void *arg, ns3_drop why, ns3_node_id from, ns3_node_id to, const uint8_t *data, size_t len,
                    uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
    run_trace *t = arg;
    (void)from;
    const uint8_t *body = data;
    size_t body_len = len;
    esp_udp_kind kind = ESP_UDP_IKE;
    if (sport != IKE_PORT && dport != IKE_PORT && esp_udp_classify(data, len, &kind, &body, &body_len) != ESP_OK)
        return;
    if (kind == ESP_UDP_ESP) {
        uint32_t spi = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 | (uint32_t)body[2] << 8 | body[3];
        int sender = actor_at(t, src);
        if (sender >= 0)
            esp_of(t, sender, false, spi)->lost++;
        return;
    }
    if (kind != ESP_UDP_IKE)
        return;
    /* where it was going: the next hop if that is an actor, else the destination */
    int at = actor_on(t, to);
    bool dest = at >= 0 && g_array_index(t->actors, trace_actor, at).addr == dst;
    if (at < 0 || !dest)
        at = actor_at(t, dst);
    bool dropped = why == NS3_DROP_RECEIVER_DOWN && dest;
    fate(t, dropped ? TR_DROPPED : TR_LOST, at, src, body, body_len,
         dropped ? "receiver crashed" : ns3_drop_name(why));
}

/* ---- the model's events ---- */

static void model_line(run_trace *t, trace_kind kind, int actor, const ike_event *ev, const char *detail)
{
    trace_rec r = {.t_ns = ev->now ? ev->now : ns3_now_ns(), .kind = kind, .node = actor, .peer = -1,
                   .spi_i = ev->spi_i, .spi_r = ev->spi_r, .exchange = ev->exchange, .msg_id = ev->msg_id,
                   .pair = -1, .detail = str(t, detail)};
    if (ev->peer) {
        r.peer_addr = sim_peer_addr(ev->peer);
        r.peer = actor_at(t, r.peer_addr);
    }
    push(t, &r);
}

void sim_trace_ike_event(run_trace *t, int actor, const ike_event *ev)
{
    g_autofree char *d = NULL;
    long *open = &g_array_index(t->open_recv, long, actor);
    switch (ev->type) {
    case IKE_EV_MSG_RECEIVED:
        if (*open >= 0 && t->listen)
            t->listen(t->listen_arg, rec(t, *open));
        *open = -1;
        return;
    case IKE_EV_MSG_DROPPED:
        if (*open >= 0) {
            rec(t, *open)->kind = TR_REFUSED;
            rec(t, *open)->detail = str(t, ike_strerror(ev->err));
        }
        *open = -1;
        return;
    case IKE_EV_MSG_SENT:
        return; /* the send line comes from the datagram */
    case IKE_EV_RETRANSMIT:
        d = g_strdup_printf("%u", ev->count);
        model_line(t, TR_RETRANSMIT, actor, ev, d);
        return;
    case IKE_EV_LIVENESS_SENT: model_line(t, TR_LIVENESS_CHECK, actor, ev, NULL); return;
    case IKE_EV_LIVENESS_ANSWERED: model_line(t, TR_LIVENESS_OK, actor, ev, NULL); return;
    case IKE_EV_SA_ESTABLISHED: model_line(t, TR_SA_UP, actor, ev, NULL); return;
    case IKE_EV_CHILD_ESTABLISHED:
        d = g_strdup_printf("spi in 0x%08x out 0x%08x", ev->child->spi_in, ev->child->spi_out);
        model_line(t, TR_CHILD_UP, actor, ev, d);
        return;
    case IKE_EV_SA_DELETED:
        if (ev->reason == IKE_DEL_SHUTDOWN || !ike_sa_established(ev->sa))
            d = g_strdup_printf("%s%s", ike_del_reason_name(ev->reason), ike_sa_established(ev->sa) ? "" : " (not established)");
        model_line(t, TR_SA_DELETED, actor, ev, d ? d : ike_del_reason_name(ev->reason));
        return;
    case IKE_EV_SA_IMPORTED: model_line(t, TR_SA_IMPORTED, actor, ev, NULL); return;
    case IKE_EV_HINT:
        d = g_strdup_printf("%s", ev->notify == IKE_N_INVALID_SPI ? "INVALID_SPI" : "INVALID_IKE_SPI");
        model_line(t, TR_HINT, actor, ev, d);
        return;
    case IKE_EV_QCD_ANSWERED:
        d = g_strdup_printf("%s with %u token%s", ev->notify == IKE_N_INVALID_SPI ? "INVALID_SPI" : "INVALID_IKE_SPI",
                            ev->count, ev->count == 1 ? "" : "s");
        model_line(t, TR_QCD_ANSWER, actor, ev, d);
        return;
    case IKE_EV_QCD_REJECTED: model_line(t, TR_QCD_REJECTED, actor, ev, ike_strerror(ev->err)); return;
    case IKE_EV_HA_SYNC_SENT:
    case IKE_EV_HA_SYNC_ANSWERED:
        d = g_strdup_printf("%s%snonce 0x%08x M %u P %u delta %" G_GUINT64_FORMAT,
                            ev->ha_what & IKE_HA_MID ? "mid " : "", ev->ha_what & IKE_HA_REPLAY ? "replay " : "",
                            ev->ha_nonce, ev->ha_m, ev->ha_p, ev->ha_delta);
        model_line(t, ev->type == IKE_EV_HA_SYNC_SENT ? TR_SYNC_SENT : TR_SYNC_ANSWERED, actor, ev, d);
        return;
    case IKE_EV_HA_SYNC_DROPPED: model_line(t, TR_SYNC_DROPPED, actor, ev, ike_ha_drop_name(ev->ha_drop)); return;
    case IKE_EV_HA_REPLAY_DELTA:
        d = g_strdup_printf("%" G_GUINT64_FORMAT, ev->ha_delta);
        model_line(t, TR_REPLAY_DELTA, actor, ev, d);
        return;
    case IKE_EV_REQUEST_ABANDONED: model_line(t, TR_ABANDONED, actor, ev, NULL); return;
    case IKE_EV_COOKIE_SENT: model_line(t, TR_COOKIE, actor, ev, NULL); return;
    case IKE_EV_TICKET_GRANTED:
        d = g_strdup_printf("%zu octets for %u s", ev->len, ev->count);
        model_line(t, TR_TICKET, actor, ev, d);
        return;
    case IKE_EV_RESUME_SENT: model_line(t, TR_RESUME, actor, ev, "sent"); return;
    case IKE_EV_RESUME_ACCEPTED: model_line(t, TR_RESUME, actor, ev, "accepted"); return;
    case IKE_EV_RESUME_REFUSED:
        if (ev->notify == IKE_N_TICKET_NACK)
            d = g_strdup_printf("refused: %s", ev->err ? ike_strerror(ev->err) : "TICKET_NACK");
        else
            d = g_strdup_printf("unanswered after %u sends: full handshake", ev->count);
        model_line(t, TR_RESUME, actor, ev, d);
        return;
    case IKE_EV_CHILD_REKEYED:
        d = g_strdup_printf("spi in 0x%08x out 0x%08x replaces 0x%08x%s", ev->child->spi_in, ev->child->spi_out,
                            ev->old_child->spi_in, ev->child_outbound ? "; sends on it" : "");
        model_line(t, TR_CHILD_REKEYED, actor, ev, d);
        return;
    case IKE_EV_CHILD_REMOVED:
        d = g_strdup_printf("spi in 0x%08x %s", ev->child->spi_in, ike_del_reason_name(ev->reason));
        model_line(t, TR_CHILD_REMOVED, actor, ev, d);
        return;
    case IKE_EV_REAUTH_STARTED:
        model_line(t, TR_REAUTH, actor, ev, ev->count == IKE_REAUTH_MBB ? "make-before-break" : "break-before-make");
        return;
    case IKE_EV_REAUTH_INITIATED: model_line(t, TR_REAUTH, actor, ev, "new IKE SA"); return;
    case IKE_EV_SA_REKEYED:
        d = g_strdup_printf("from %016" G_GINT64_MODIFIER "x_%016" G_GINT64_MODIFIER "x", ev->old_spi_i,
                            ev->old_spi_r);
        model_line(t, TR_SA_REKEYED, actor, ev, d);
        return;
    }
}

void sim_trace_world(run_trace *t, trace_kind kind, int actor, const char *detail)
{
    trace_rec r = {.t_ns = ns3_now_ns(), .kind = kind, .node = actor, .peer = -1, .pair = -1, .detail = str(t, detail)};
    push(t, &r);
}
