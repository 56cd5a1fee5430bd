/* ike_ep.c — the endpoint: configuration, the SA table, dispatch of
 * incoming datagrams to the SA's queue (ike_queue.c) or to the task that
 * opens an SA, timers and events. */
#include <string.h>

#include "ike_internal.h"

void ike_cfg_defaults(ike_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ike = (ike_suite){IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256,
                           IKE_DH_CURVE25519};
    cfg->esp = (ike_suite){IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256, 0};
    cfg->id_type = IKE_ID_FQDN;
    cfg->retx = IKE_RETX_STRONGSWAN;
    cfg->half_open_ms = 30000;
    cfg->dpd_clock = IKE_DPD_EXACT;
    cfg->initial_contact = true;
    cfg->dpd_counts_esp = true; /* as strongSwan: any inbound IKE or ESP resets the idle time */
    /* Unprotected messages must be rate-limited both ways (RFC 7296 §2.1,
     * §2.4; RFC 6290 §4.5, §8.1): one-way answers, hint-started checks, QCD
     * answers and verifications. */
    cfg->unknown_spi_rate = cfg->unknown_spi_burst = 10;
    cfg->unknown_ike_spi_rate = cfg->unknown_ike_spi_burst = 10;
    cfg->hint_rate = cfg->hint_burst = 1;
    cfg->qcd.maker_rate = cfg->qcd.maker_burst = 10;
    cfg->qcd.taker_rate = cfg->qcd.taker_burst = 10;
    cfg->ts_local = cfg->ts_remote = (ike_ts_range){0, UINT32_MAX, 0, 65535, 0};
    cfg->ha_iv_margin = 1ull << 32;
}

int ike_cfg_check(const ike_cfg *cfg)
{
    if (ike_suite_check(&cfg->ike) != IKE_OK || ike_dh_ke_len(cfg->ike.dh) == 0)
        return IKE_E_UNSUPPORTED;
    if ((cfg->ike_props.n && cfg->ike_props.proto != IKE_PROTO_IKE) ||
        (cfg->esp_props.n && cfg->esp_props.proto != IKE_PROTO_ESP))
        return IKE_E_SYNTAX;
    if (cfg->ike_dh_alt && ike_dh_ke_len(cfg->ike_dh_alt) == 0)
        return IKE_E_UNSUPPORTED;
    ike_suite esp = cfg->esp;
    esp.dh = cfg->ike.dh; /* ESP has no DH without PFS; check the rest */
    esp.prf = IKE_PRF_HMAC_SHA2_256;
    if (ike_suite_check(&esp) != IKE_OK)
        return IKE_E_UNSUPPORTED;
    if (cfg->psk_len == 0 || cfg->psk_len > sizeof cfg->psk || cfg->id_len == 0 ||
        cfg->id_len > sizeof cfg->id || !ike_retx_valid(&cfg->retx))
        return IKE_E_SYNTAX;
    if (cfg->dpd_clock == IKE_DPD_WHOLE_SECONDS && cfg->dpd_delay_ms % 1000 != 0)
        return IKE_E_SYNTAX;
    if ((cfg->qcd.role & IKE_QCD_MAKER) && !cfg->qcd.secrets)
        return IKE_E_SYNTAX;
    if (cfg->resume.keys && cfg->resume.lifetime_s == 0) /* a ticket's lifetime must be finite (§6.2) */
        return IKE_E_SYNTAX;
    return IKE_OK;
}

/* Responder index key: a peer and the initiator's SPI. */
typedef struct {
    uint64_t peer, spi_i;
} resp_key;

static guint resp_key_hash(gconstpointer k)
{
    const resp_key *r = k;
    uint64_t h = r->peer * 0x9e3779b97f4a7c15ull ^ r->spi_i;
    return (guint)(h ^ h >> 32);
}

static gboolean resp_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(resp_key)) == 0;
}

static const ep_map_kind child_in_kind = {g_direct_hash, g_direct_equal, NULL};
static const ep_map_kind peer_id_kind = {g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref};

/* An endpoint whose settings are *cfg, with id and phase as its own ID and
 * DPD clock phase; extra octets are allocated after it for the caller. */
static ike_ep *ep_alloc(const ike_cfg *cfg, const uint8_t *id, size_t id_len, uint64_t phase,
                        const ike_io *io, size_t extra)
{
    ike_cfg check = *cfg;
    if (id_len > sizeof check.id)
        return NULL;
    memcpy(check.id, id, id_len);
    check.id_len = id_len;
    check.dpd_clock_phase_ns = phase;
    if (ike_cfg_check(&check) != IKE_OK || !io->send || !io->random)
        return NULL;
    ike_ep *ep = g_malloc0(sizeof *ep + extra);
    ep->cfg = cfg;
    ep->id = id;
    ep->id_len = id_len;
    ep->dpd_clock_phase_ns = phase;
    ep->io = *io;
    ep->sas = g_hash_table_new(g_int64_hash, g_int64_equal);
    ep->child_in.kind = &child_in_kind;
    ep->by_peer_id.kind = &peer_id_kind;
    if (cfg->cookie_threshold) /* drawn only when used: other runs keep their random streams */
        ep->io.random(ep->io.ctx, ep->cookie_secret, sizeof ep->cookie_secret);
    rate_limit_init(&ep->maker_lim, cfg->qcd.maker_rate, cfg->qcd.maker_burst);
    rate_limit_init(&ep->taker_lim, cfg->qcd.taker_rate, cfg->qcd.taker_burst);
    rate_limit_init(&ep->hint_lim, cfg->hint_rate, cfg->hint_burst);
    rate_limit_init(&ep->unknown_spi_lim, cfg->unknown_spi_rate, cfg->unknown_spi_burst);
    rate_limit_init(&ep->unknown_ike_spi_lim, cfg->unknown_ike_spi_rate, cfg->unknown_ike_spi_burst);
    return ep;
}

ike_ep *ike_ep_new(const ike_cfg *cfg, const ike_io *io)
{
    ike_ep *ep = ep_alloc(cfg, cfg->id, cfg->id_len, cfg->dpd_clock_phase_ns, io, sizeof *cfg);
    if (!ep)
        return NULL;
    ike_cfg *own = (ike_cfg *)(ep + 1); /* one allocation with the endpoint */
    *own = *cfg;
    ep->cfg = own;
    ep->id = own->id;
    return ep;
}

ike_ep *ike_ep_new_shared(const ike_cfg *shared, const uint8_t *id, size_t id_len, uint64_t dpd_clock_phase_ns,
                          const ike_io *io)
{
    ike_ep *ep = ep_alloc(shared, id, id_len, dpd_clock_phase_ns, io, id_len);
    if (!ep)
        return NULL;
    uint8_t *own_id = (uint8_t *)(ep + 1);
    memcpy(own_id, id, id_len);
    ep->id = own_id;
    return ep;
}

void ike_ep_free(ike_ep *ep, uint64_t now)
{
    if (!ep)
        return;
    GList *all = g_hash_table_get_values(ep->sas);
    if (ep->retired)
        all = g_list_concat(all, g_hash_table_get_values(ep->retired));
    for (GList *l = all; l; l = l->next)
        ep_sa_destroy(ep, l->data, now, IKE_DEL_SHUTDOWN);
    g_list_free(all);
    g_hash_table_destroy(ep->sas);
    if (ep->retired)
        g_hash_table_destroy(ep->retired);
    if (ep->responder)
        g_hash_table_destroy(ep->responder);
    ep_map_clear(&ep->child_in);
    ep_map_clear(&ep->by_peer_id);
    resume_tickets_free(ep);
    if (ep->timers)
        g_sequence_free(ep->timers);
    g_free(ep);
}

void ep_emit(ike_ep *ep, ike_event_type type, ike_sa *sa, const ike_event *extra)
{
    if (!ep->io.event)
        return;
    ike_event ev = extra ? *extra : (ike_event){0};
    ev.type = type;
    ev.sa = sa;
    if (sa) {
        ev.peer = sa->peer;
        ev.spi_i = sa->spi_i;
        ev.spi_r = sa->spi_r;
    }
    ep->io.event(ep->io.ctx, &ev);
}

void ep_random(ike_ep *ep, uint8_t *out, size_t len)
{
    ep->io.random(ep->io.ctx, out, len);
}

void ep_send_raw(ike_ep *ep, uint64_t now, ike_sa *sa, uint64_t peer, const uint8_t *msg,
                 size_t len)
{
    ike_hdr h;
    ep->io.send(ep->io.ctx, peer, msg, len);
    if (ike_parse_header(msg, len, &h) == IKE_OK) {
        ike_event ev = {.now = now, .peer = peer, .spi_i = h.spi_i, .spi_r = h.spi_r,
                        .exchange = h.exchange, .msg_id = h.msg_id, .len = len,
                        .is_response = (h.flags & IKE_FLAG_R) != 0};
        ep_emit(ep, IKE_EV_MSG_SENT, sa, &ev);
    }
}

/* --- timers: one ordered sequence, so the next deadline is the first.  A
 * client endpoint has two SAs with deadlines only briefly (a new one is
 * started while the old one is deleted): a single one is kept without a
 * sequence. --- */

static gint by_deadline(gconstpointer a, gconstpointer b, gpointer unused)
{
    const ike_sa *x = a, *y = b;
    (void)unused;
    if (x->deadline != y->deadline)
        return x->deadline < y->deadline ? -1 : 1;
    return x->local_spi < y->local_spi ? -1 : x->local_spi > y->local_spi;
}

static bool timer_armed(const ike_ep *ep, const ike_sa *sa)
{
    return ep->timers ? sa->timer != NULL : ep->timer_one == sa;
}

static void timer_unlink(ike_ep *ep, ike_sa *sa)
{
    ep->n_timers--;
    ep->first_timer = NULL;
    if (!ep->timers) {
        ep->timer_one = NULL;
        return;
    }
    g_sequence_remove(sa->timer);
    sa->timer = NULL;
    if (ep->n_timers == 1) { /* back to one: no sequence */
        ike_sa *one = g_sequence_get(g_sequence_get_begin_iter(ep->timers));
        one->timer = NULL;
        g_sequence_free(ep->timers);
        ep->timers = NULL;
        ep->timer_one = one;
    }
}

static void timer_link(ike_ep *ep, ike_sa *sa)
{
    ep->n_timers++;
    if (!ep->timers && !ep->timer_one) {
        ep->timer_one = sa;
        return;
    }
    if (!ep->timers) {
        ike_sa *one = ep->timer_one;
        ep->timers = g_sequence_new(NULL);
        ep->timer_one = NULL;
        one->timer = g_sequence_insert_sorted(ep->timers, one, by_deadline, NULL);
    }
    sa->timer = g_sequence_insert_sorted(ep->timers, sa, by_deadline, NULL);
}

void ep_rearm(ike_ep *ep, ike_sa *sa)
{
    uint64_t d = sa->dpd_at;
    if (sa->req.active && sa->req.deadline < d)
        d = sa->req.deadline;
    if (sa->expire_at < d)
        d = sa->expire_at;
    if (sa->rekey_at < d)
        d = sa->rekey_at;
    if (sa->reauth_at < d)
        d = sa->reauth_at;
    if (sa->ike_rekey_at < d)
        d = sa->ike_rekey_at;
    bool armed = timer_armed(ep, sa);
    if (armed && d == sa->deadline)
        return;
    if (armed)
        timer_unlink(ep, sa);
    sa->deadline = d;
    if (d != IKE_NEVER)
        timer_link(ep, sa);
    ep->first_timer = NULL;
}

/* The SA with the earliest deadline, or NULL.  Finding the first of the
 * sequence walks its tree; a headend asks after every datagram, and its
 * timers change far less often. */
static ike_sa *first_timer(const ike_ep *ep)
{
    if (!ep->timers)
        return ep->timer_one;
    if (!ep->first_timer) /* a cache, not state: filled in from const callers too */
        ((ike_ep *)ep)->first_timer = g_sequence_get_begin_iter(ep->timers);
    return g_sequence_iter_is_end(ep->first_timer) ? NULL : g_sequence_get(ep->first_timer);
}

uint64_t ike_ep_next_deadline(const ike_ep *ep)
{
    const ike_sa *first = first_timer(ep);
    return first ? first->deadline : IKE_NEVER;
}

void ike_ep_handle_timeout(ike_ep *ep, uint64_t now)
{
    for (;;) {
        ike_sa *sa = first_timer(ep);
        if (!sa || sa->deadline > now)
            return;
        timer_unlink(ep, sa);
        sa->deadline = IKE_NEVER;
        if (sa->expire_at <= now && (!ike_sa_established(sa) || sa->retired)) {
            ep_sa_destroy(ep, sa, now, IKE_DEL_HALF_OPEN);
            continue;
        }
        if (sa->expire_at <= now) /* an established SA's hard lifetime */
            ike_expiry_due(sa, now);
        if (sa->req.active && sa->req.deadline <= now) {
            if (sa_retransmit_due(sa, now))
                continue; /* gave up: sa is gone */
        }
        if (sa->dpd_at <= now)
            dpd_due(sa, now);
        if (sa->rekey_at <= now)
            child_rekey_due(sa, now);
        if (sa->reauth_at <= now)
            reauth_due(sa, now);
        if (sa->ike_rekey_at <= now)
            ike_rekey_due(sa, now);
        ep_rearm(ep, sa);
    }
}

/* --- the SA table --- */

ike_sa *ep_sa_new(ike_ep *ep, uint64_t now, uint64_t peer, bool initiator)
{
    ike_sa *sa = g_new0(ike_sa, 1);
    sa->ep = ep;
    sa->peer = peer;
    sa->initiator = initiator;
    sa->suite = ep->cfg->ike;
    sa->last_in = now;
    sa->dpd_at = sa->expire_at = sa->deadline = sa->rekey_at = sa->reauth_at = sa->ike_rekey_at = IKE_NEVER;
    sa->ha.m_seen = -1;
    sa->hs = g_new0(ike_hs, 1);
    sa->hs->dh_group = ep->cfg->ike_props.n ? ike_props_first(&ep->cfg->ike_props).dh : ep->cfg->ike.dh;
    return sa;
}

const ike_props *ep_ike_props(const ike_ep *ep, ike_props *tmp)
{
    const ike_cfg *cfg = ep->cfg;
    if (cfg->ike_props.n)
        return &cfg->ike_props;
    ike_props_from_suite(tmp, IKE_PROTO_IKE, &cfg->ike, cfg->ike_dh_alt != cfg->ike.dh ? cfg->ike_dh_alt : 0,
                         false);
    return tmp;
}

const ike_props *ep_esp_props(const ike_ep *ep, ike_props *tmp)
{
    const ike_cfg *cfg = ep->cfg;
    if (cfg->esp_props.n)
        return &cfg->esp_props;
    ike_props_from_suite(tmp, IKE_PROTO_ESP, &cfg->esp, 0, cfg->esp_esn);
    return tmp;
}

uint64_t ep_draw_spi(ike_ep *ep)
{
    for (int tries = 0; tries < 16; tries++) {
        uint8_t b[8];
        ep_random(ep, b, sizeof b);
        uint64_t spi = 0;
        for (int i = 0; i < 8; i++)
            spi = spi << 8 | b[i];
        if (spi != 0 && !g_hash_table_contains(ep->sas, &spi) &&
            !(ep->retired && g_hash_table_contains(ep->retired, &spi)))
            return spi;
    }
    return 0;
}

/* Draws a fresh non-zero local SPI and enters sa in the table. */
int ep_sa_set_local_spi(ike_ep *ep, ike_sa *sa)
{
    uint64_t spi = ep_draw_spi(ep);
    if (spi != 0) {
        sa->local_spi = spi;
        if (sa->initiator)
            sa->spi_i = spi;
        else
            sa->spi_r = spi;
        g_hash_table_insert(ep->sas, &sa->local_spi, sa);
        return IKE_OK;
    }
    return IKE_E_CRYPTO;
}

int ep_sa_new_local_spi(ike_ep *ep, ike_sa *sa)
{
    if (timer_armed(ep, sa)) /* the timer order depends on the SPI */
        timer_unlink(ep, sa);
    sa->deadline = IKE_NEVER;
    g_hash_table_remove(ep->sas, &sa->local_spi);
    return ep_sa_set_local_spi(ep, sa);
}

uint8_t *hs_nonce(uint8_t **nonce, size_t *nonce_len, size_t len)
{
    g_free(*nonce);
    *nonce_len = len;
    return *nonce = g_malloc(len);
}

void hs_free(ike_hs *hs)
{
    if (!hs)
        return;
    ike_dh_free(hs->dh);
    g_free(hs->ni);
    g_free(hs->nr);
    g_free(hs->init_req);
    g_free(hs->init_resp);
    resuming_free(hs->resuming);
    g_free(hs);
}

void ep_sa_destroy(ike_ep *ep, ike_sa *sa, uint64_t now, ike_del_reason why)
{
    /* Out of every table and count first: whoever hears IKE_EV_SA_DELETED
     * finds the endpoint without the SA.  Its state stays as it was for the
     * event (established or not). */
    bool listed = sa->local_spi && g_hash_table_lookup(ep->sas, &sa->local_spi) == sa;
    if (sa->expired && why == IKE_DEL_LOCAL)
        why = IKE_DEL_EXPIRED; /* its Delete ended, answered or not */
    bool reestablish = listed && reauth_on_destroy(sa, why);
    uint64_t peer = sa->peer;
    if (listed)
        g_hash_table_remove(ep->sas, &sa->local_spi);
    else if (sa->retired && g_hash_table_lookup(ep->retired, &sa->local_spi) == sa)
        g_hash_table_remove(ep->retired, &sa->local_spi); /* no event: its object lives on */
    if (sa->has_child)
        ep_child_index(ep, sa, false);
    child_rekey_free(sa, now, why);
    queue_free(sa);
    resume_sa_gone(sa, why);
    ike_rekey_free(sa, now);
    ep_peer_index_remove(ep, sa);
    if (sa->state == SA_HALF_OPEN)
        ep->half_open--;
    if (!sa->initiator)
        ep_responder_unindex(ep, sa);
    if (timer_armed(ep, sa))
        timer_unlink(ep, sa);
    if (listed) {
        ike_event ev = {.now = now, .reason = why, .child = sa->has_child ? &sa->child : NULL};
        ep_emit(ep, IKE_EV_SA_DELETED, sa, &ev);
    }
    hs_free(sa->hs);
    g_free(sa->req.msg);
    g_free(sa->resp);
    g_free(sa->peer_token);
    if (sa->peer_key)
        g_bytes_unref(sa->peer_key);
    memset(&sa->keys, 0, sizeof sa->keys);
    memset(&sa->child, 0, sizeof sa->child);
    g_free(sa);
    if (reestablish)
        ep_initiate(ep, now, peer, true, 0);
}

void ep_responder_index(ike_ep *ep, ike_sa *sa)
{
    if (!ep->responder) /* first responder SA: a client endpoint never has one */
        ep->responder = g_hash_table_new_full(resp_key_hash, resp_key_equal, g_free, NULL);
    resp_key *k = g_new(resp_key, 1);
    *k = (resp_key){sa->peer, sa->spi_i};
    g_hash_table_replace(ep->responder, k, sa);
}

void ep_responder_unindex(ike_ep *ep, ike_sa *sa)
{
    resp_key k = {sa->peer, sa->spi_i};
    if (ep->responder && g_hash_table_lookup(ep->responder, &k) == sa)
        g_hash_table_remove(ep->responder, &k);
}

ike_sa *ep_responder_lookup(ike_ep *ep, uint64_t peer, uint64_t spi_i)
{
    resp_key k = {peer, spi_i};
    return ep->responder ? g_hash_table_lookup(ep->responder, &k) : NULL;
}

/* --- public entry points --- */

ike_sa *ep_initiate(ike_ep *ep, uint64_t now, uint64_t peer, bool reauth, uint64_t reauth_of)
{
    ike_sa *sa = ep_sa_new(ep, now, peer, true);
    sa->reauth_of = reauth_of;
    bool ok = ep_sa_set_local_spi(ep, sa) == IKE_OK;
    if (ok && reauth)
        ep_emit(ep, IKE_EV_REAUTH_INITIATED, sa, &(ike_event){.now = now});
    if (!ok || init_start(sa, now) != IKE_OK) {
        ep_sa_destroy(ep, sa, now, IKE_DEL_NEGOTIATION);
        return NULL;
    }
    ep_rearm(ep, sa);
    return sa;
}

ike_sa *ike_ep_initiate(ike_ep *ep, uint64_t now, uint64_t peer)
{
    return ep_initiate(ep, now, peer, false, 0);
}

void ep_drop(ike_ep *ep, uint64_t now, ike_sa *sa, uint64_t peer, const ike_hdr *h, size_t len,
             int err)
{
    ike_event ev = {.now = now, .peer = peer, .len = len, .err = err};
    if (h) {
        ev.spi_i = h->spi_i;
        ev.spi_r = h->spi_r;
        ev.exchange = h->exchange;
        ev.msg_id = h->msg_id;
        ev.is_response = (h->flags & IKE_FLAG_R) != 0;
    }
    ep_emit(ep, IKE_EV_MSG_DROPPED, sa, &ev);
}

/* The task whose request opens a new IKE SA with this exchange, or NULL. */
static const ike_task_def *opener(uint8_t exchange)
{
    for (task_kind k = 0; k < TASK_COUNT; k++)
        if (ike_tasks[k].exchange == exchange && ike_tasks[k].on_new_sa)
            return &ike_tasks[k];
    return NULL;
}

void ike_ep_receive(ike_ep *ep, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len)
{
    /* on the stack, not zeroed: ike_parse sets what it read, and a 50 KB heap block
     * (room for 24 payloads) cost malloc a consolidation of its bins per message */
    ike_msg msg_room, *m = &msg_room;
    int rc = ike_parse(msg, len, m);
    const ike_hdr *h = &m->hdr;
    bool response = (h->flags & IKE_FLAG_R) != 0;
    bool from_initiator = (h->flags & IKE_FLAG_I) != 0;
    bool is_protected = h->next_payload == IKE_PL_SK;
    const ike_task_def *opens = rc == IKE_OK || rc == IKE_E_CRITICAL ? opener(h->exchange) : NULL;
    ike_rx rx = {h, msg, len, m, 0};

    if (rc == IKE_E_CRITICAL && opens && !response && !ep_minimal(ep)) {
        opens->on_new_sa(ep, now, peer, &rx); /* answers UNSUPPORTED_CRITICAL_PAYLOAD */
        return;
    }
    if (rc != IKE_OK) {
        ike_hdr bare;
        ep_drop(ep, now, NULL, peer, ike_parse_header(msg, len, &bare) == IKE_OK ? &bare : NULL, len, rc);
        return;
    }
    if (opens && !response && from_initiator) {
        /* a request that opens an SA names no responder SPI and is message 0;
         * a minimal initiator opens none */
        if (h->spi_r == 0 && h->msg_id == 0 && !ep_minimal(ep))
            opens->on_new_sa(ep, now, peer, &rx);
        else
            ep_drop(ep, now, NULL, peer, h, len, IKE_E_STATE);
        return;
    }
    uint64_t local = from_initiator ? h->spi_r : h->spi_i;
    ike_sa *sa = g_hash_table_lookup(ep->sas, &local);
    if (!sa && ep->retired)
        sa = g_hash_table_lookup(ep->retired, &local); /* the old SA of a rekey */
    if (sa)
        ha_peer_seen(sa, now); /* a takeover sync may wait for this */
    if (!is_protected && h->exchange != IKE_SA_INIT && h->exchange != IKE_SESSION_RESUME) {
        ep_unprotected_info(ep, now, peer, sa, m); /* hints and QCD tokens */
        return;
    }
    if (!sa) {
        if (is_protected && !response)
            ep_answer_unknown_spi(ep, now, peer, h);
        ep_drop(ep, now, NULL, peer, h, len, IKE_E_UNKNOWN_SA);
        return;
    }
    if (from_initiator == sa->initiator) { /* the I flag must name the other side */
        ep_drop(ep, now, sa, peer, h, len, IKE_E_SYNTAX);
        return;
    }
    queue_receive(sa, now, peer, msg, len, m);
}

void ep_answer_clear(ike_ep *ep, uint64_t now, uint64_t peer, const ike_hdr *req, uint16_t notify,
                     const uint8_t *data, size_t data_len)
{
    ike_msg r = {0};
    r.hdr = (ike_hdr){.spi_i = req->spi_i, .version = IKE_VERSION, .exchange = req->exchange,
                      .flags = IKE_FLAG_R};
    r.pl[0] = ike_pl_notify(IKE_PROTO_NONE, notify, data, data_len);
    r.n = 1;
    uint8_t out[128];
    size_t len;
    if (ike_encode(&r, out, sizeof out, &len) == IKE_OK)
        ep_send_raw(ep, now, NULL, peer, out, len);
}

void ep_child_index(ike_ep *ep, ike_sa *sa, bool add)
{
    gpointer key = GUINT_TO_POINTER(sa->child.spi_in);
    if (add)
        ep_map_replace(&ep->child_in, key, sa);
    else if (ep_map_lookup(&ep->child_in, key) == sa)
        ep_map_remove(&ep->child_in, key);
}

void ike_ep_esp_seen(ike_ep *ep, uint64_t now, uint32_t spi_in)
{
    ike_sa *sa = ep_map_lookup(&ep->child_in, GUINT_TO_POINTER(spi_in));
    if (sa && ep->cfg->dpd_counts_esp && now > sa->last_in)
        sa->last_in = now;
}

int ike_ep_liveness(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (sa->state != SA_ESTABLISHED)
        return IKE_E_STATE;
    (void)ep;
    return queue_add(sa, now, TASK_LIVENESS);
}

int ike_ep_delete(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (sa->state != SA_ESTABLISHED) {
        if (sa->state == SA_DELETING)
            return IKE_OK;
        ep_sa_destroy(ep, sa, now, IKE_DEL_LOCAL);
        return IKE_OK;
    }
    return queue_add(sa, now, TASK_DELETE);
}

size_t ike_ep_sa_count(const ike_ep *ep) { return g_hash_table_size(ep->sas); }

void ike_ep_foreach(const ike_ep *ep, void (*fn)(void *arg, ike_sa *sa), void *arg)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ep->sas);
    while (g_hash_table_iter_next(&it, &k, &v))
        fn(arg, v);
}
ike_sa *ike_ep_find(const ike_ep *ep, uint64_t local_spi) { return g_hash_table_lookup(ep->sas, &local_spi); }

ike_sa *ike_ep_find_pair(const ike_ep *ep, uint64_t spi_i, uint64_t spi_r)
{
    ike_sa *sa = ike_ep_find(ep, spi_i);
    if (!sa || sa->spi_r != spi_r)
        sa = ike_ep_find(ep, spi_r);
    return sa && sa->spi_i == spi_i && sa->spi_r == spi_r ? sa : NULL;
}

bool ike_sa_established(const ike_sa *sa) { return sa->state == SA_ESTABLISHED || sa->state == SA_DELETING; }
bool ike_sa_is_initiator(const ike_sa *sa) { return sa->initiator; }
bool ike_sa_nat_detected(const ike_sa *sa) { return sa->nat_there || sa->nat_here; }
uint64_t ike_sa_spi_i(const ike_sa *sa) { return sa->spi_i; }
uint64_t ike_sa_spi_r(const ike_sa *sa) { return sa->spi_r; }
uint64_t ike_sa_peer(const ike_sa *sa) { return sa->peer; }
const ike_child *ike_sa_child(const ike_sa *sa) { return sa->has_child ? &sa->child : NULL; }
const ike_keys *ike_sa_keys(const ike_sa *sa) { return &sa->keys; }
const ike_suite *ike_sa_suite(const ike_sa *sa) { return &sa->suite; }
void ike_sa_set_user(ike_sa *sa, void *user) { sa->user = user; }
void *ike_sa_user(const ike_sa *sa) { return sa->user; }
