#include <string.h>

#include "ikepair.h"

typedef struct {
    ike_pair *p;
    int side;
} side_ctx;

static side_ctx ctxs[2]; /* the tests run one pair at a time */

static void io_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    side_ctx *s = ctx;
    (void)peer;
    ike_dgram *d = g_new(ike_dgram, 1);
    d->from = s->side;
    d->sent_at = s->p->now;
    d->bytes = g_bytes_new(msg, len);
    g_queue_push_tail(&s->p->wire, d);
    g_ptr_array_add(s->p->sent[s->side], g_bytes_ref(d->bytes));
}

static void io_random(void *ctx, uint8_t *out, size_t len)
{
    side_ctx *s = ctx;
    g_assert_cmpint(sim_rng_bytes(s->p->rng[s->side], out, len), ==, 0);
}

static void io_event(void *ctx, const ike_event *ev)
{
    side_ctx *s = ctx;
    ike_ev_rec r = {s->side, *ev, ev->child ? ev->child->spi_in : 0};
    g_array_append_val(s->p->events, r);
    if (s->p->on_event)
        s->p->on_event(s->p, s->side, ev);
}

GBytes *pair_forge(const ike_sa *from, uint8_t exchange, bool response, uint32_t mid,
                   const ike_payload *inner, size_t n, uint64_t iv)
{
    bool initiator = ike_sa_is_initiator(from);
    ike_hdr h = {.spi_i = ike_sa_spi_i(from), .spi_r = ike_sa_spi_r(from), .version = IKE_VERSION,
                 .exchange = exchange, .msg_id = mid,
                 .flags = (uint8_t)((initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0))};
    uint8_t ivb[8], out[IKE_MAX_MSG];
    for (int i = 0; i < 8; i++)
        ivb[i] = (uint8_t)(iv >> (56 - 8 * i));
    const ike_keys *k = ike_sa_keys(from);
    size_t len;
    g_assert_cmpint(ike_sk_seal(ike_sa_suite(from), initiator ? k->ei : k->er, initiator ? k->ai : k->ar, &h,
                                inner, n, ivb, out, sizeof out, &len), ==, IKE_OK);
    return g_bytes_new(out, len);
}

void ike_test_cfg(ike_cfg *cfg, const char *id)
{
    ike_cfg_defaults(cfg);
    static const char psk[] = "a pre-shared key of the tests";
    memcpy(cfg->psk, psk, sizeof psk - 1);
    cfg->psk_len = sizeof psk - 1;
    cfg->id_type = IKE_ID_FQDN;
    cfg->id_len = strlen(id);
    memcpy(cfg->id, id, cfg->id_len);
}

static ike_ep *endpoint(int side, const ike_cfg *cfg)
{
    ike_io io = {.ctx = &ctxs[side], .send = io_send, .random = io_random, .event = io_event};
    ike_ep *ep = ike_ep_new(cfg, &io);
    g_assert_nonnull(ep);
    return ep;
}

void pair_reboot(ike_pair *p, int side, const ike_cfg *cfg)
{
    ike_ep_free(p->ep[side], p->now);
    p->ep[side] = endpoint(side, cfg);
}

void pair_init(ike_pair *p, const ike_cfg *a, const ike_cfg *b, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    g_queue_init(&p->wire);
    p->events = g_array_new(FALSE, FALSE, sizeof(ike_ev_rec));
    for (int i = 0; i < 2; i++) {
        ctxs[i] = (side_ctx){p, i};
        p->rng[i] = sim_rng_new(seed, 1, (uint64_t)i);
        p->sent[i] = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        p->ep[i] = endpoint(i, i ? b : a);
    }
}

void dgram_free(ike_dgram *d)
{
    if (!d)
        return;
    g_bytes_unref(d->bytes);
    g_free(d);
}

void pair_drop_all(ike_pair *p)
{
    ike_dgram *d;
    while ((d = g_queue_pop_head(&p->wire)))
        dgram_free(d);
}

void pair_free(ike_pair *p)
{
    for (int i = 0; i < 2; i++) {
        ike_ep_free(p->ep[i], p->now);
        sim_rng_free(p->rng[i]);
        g_ptr_array_free(p->sent[i], TRUE);
    }
    pair_drop_all(p);
    g_array_free(p->events, TRUE);
}

void pair_advance(ike_pair *p, uint64_t t)
{
    g_assert_cmpuint(t, >=, p->now);
    for (;;) {
        uint64_t d0 = ike_ep_next_deadline(p->ep[0]), d1 = ike_ep_next_deadline(p->ep[1]);
        int side = d0 <= d1 ? 0 : 1;
        uint64_t d = MIN(d0, d1);
        if (d > t)
            break;
        g_assert_cmpuint(d, >=, p->now); /* no deadline in the past */
        p->now = d;
        ike_ep_handle_timeout(p->ep[side], d);
    }
    p->now = t;
}

ike_dgram *pair_pop(ike_pair *p)
{
    return g_queue_pop_head(&p->wire);
}

void pair_inject(ike_pair *p, int to, const uint8_t *msg, size_t len)
{
    ike_ep_receive(p->ep[to], p->now, (uint64_t)(1 - to), msg, len);
}

int pair_deliver(ike_pair *p, uint64_t hop)
{
    int n = 0;
    ike_dgram *d;
    while ((d = pair_pop(p))) {
        pair_advance(p, MAX(p->now, d->sent_at + hop));
        gsize len;
        const uint8_t *b = g_bytes_get_data(d->bytes, &len);
        ike_ep_receive(p->ep[1 - d->from], p->now, (uint64_t)d->from, b, len);
        dgram_free(d);
        n++;
    }
    return n;
}

ike_sa *pair_sa(ike_pair *p, int side)
{
    g_assert_cmpuint(ike_ep_sa_count(p->ep[side]), ==, 1);
    const ike_ev_rec *r = last_event(p, side, IKE_EV_SA_ESTABLISHED);
    g_assert_nonnull(r);
    /* our local SPI is one of the two, whichever role we had */
    ike_sa *sa = ike_ep_find(p->ep[side], r->ev.spi_i);
    if (!sa || ike_sa_spi_r(sa) != r->ev.spi_r)
        sa = ike_ep_find(p->ep[side], r->ev.spi_r);
    g_assert_nonnull(sa);
    g_assert_cmpuint(ike_sa_spi_i(sa), ==, r->ev.spi_i);
    return sa;
}

void pair_establish(ike_pair *p)
{
    g_assert_nonnull(ike_ep_initiate(p->ep[0], p->now, 1));
    g_assert_cmpint(pair_deliver(p, 1 * MS), ==, 4);
    g_assert_cmpuint(count_events(p, 0, IKE_EV_SA_ESTABLISHED), ==, 1);
    g_assert_cmpuint(count_events(p, 1, IKE_EV_SA_ESTABLISHED), ==, 1);
}

guint count_events(const ike_pair *p, int side, ike_event_type type)
{
    guint n = 0;
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        n += r->side == side && r->ev.type == type;
    }
    return n;
}

const ike_ev_rec *last_event(const ike_pair *p, int side, ike_event_type type)
{
    for (guint i = p->events->len; i-- > 0;) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        if (r->side == side && r->ev.type == type)
            return r;
    }
    return NULL;
}
