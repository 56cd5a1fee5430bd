/* The endpoint's tasks and their queue (model/ike_task.h): the responders
 * of a request's exchange type, the order of waiting tasks, and the
 * contract of ike.h about deletion events. */
#include <string.h>

#include "ike_internal.h"
#include "ikepair.h"

static void pair_up(ike_pair *p, uint64_t seed)
{
    ike_cfg a, b;
    ike_test_cfg(&a, "a.example");
    ike_test_cfg(&b, "b.example");
    pair_init(p, &a, &b, seed);
    pair_establish(p);
}

/* The last datagram side sent, opened with the keys of the side receiving it. */
static ike_msg *open_last(ike_pair *p, int side, uint8_t *plain)
{
    GBytes *b = g_ptr_array_index(p->sent[side], p->sent[side]->len - 1);
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    ike_msg *m = g_new0(ike_msg, 1);
    g_assert_cmpint(ike_parse(d, len, m), ==, IKE_OK);
    g_assert_cmpint(sa_open(pair_sa(p, 1 - side), d, len, m, plain), ==, IKE_OK);
    return m;
}

static void inject(ike_pair *p, int to, GBytes *b)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    pair_inject(p, to, d, len);
    g_bytes_unref(b);
}

/* RFC 7296 §1.3: a CREATE_CHILD_SA this model does not serve is refused with
 * NO_PROPOSAL_CHOSEN at its Message ID; the IKE SA stays up. */
static void test_create_child_sa_refused(void)
{
    ike_pair p;
    pair_up(&p, 41);
    ike_sa *sa0 = pair_sa(&p, 0);
    uint32_t mid = sa0->next_mid_out; /* 2 after IKE_AUTH */
    g_assert_cmpuint(mid, ==, 2);
    inject(&p, 1, pair_forge(sa0, IKE_CREATE_CHILD_SA, false, mid, NULL, 0, 1ull << 40));
    uint8_t *plain = g_malloc(IKE_MAX_MSG);
    ike_msg *m = open_last(&p, 1, plain);
    g_assert_cmpuint(m->hdr.exchange, ==, IKE_CREATE_CHILD_SA);
    g_assert_cmpuint(m->hdr.msg_id, ==, mid);
    g_assert_true(m->hdr.flags & IKE_FLAG_R);
    g_assert_nonnull(ike_find_notify(m, IKE_N_NO_PROPOSAL_CHOSEN));
    g_assert_cmpuint(m->n, ==, 2); /* SK, then the notify alone */
    g_assert_true(ike_sa_established(pair_sa(&p, 1)));
    g_assert_cmpuint(pair_sa(&p, 1)->next_mid_in, ==, mid + 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_MSG_RECEIVED), >=, 1);
    g_free(m);
    g_free(plain);
    pair_free(&p);
}

/* Tasks asked for while a request is out wait; Delete goes before a
 * liveness check and ends the queue: no check after it. */
static void test_queue_order(void)
{
    ike_pair p;
    pair_up(&p, 42);
    ike_sa *sa = pair_sa(&p, 0);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], sa, p.now), ==, IKE_OK); /* out now */
    g_assert_cmpint(ike_ep_liveness(p.ep[0], sa, p.now), ==, IKE_OK); /* waits */
    g_assert_cmpint(ike_ep_delete(p.ep[0], sa, p.now), ==, IKE_OK);   /* waits, goes first */
    g_assert_cmpuint(sa->pending, ==, 1u << TASK_DELETE | 1u << TASK_LIVENESS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 1);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 1);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_SENT), ==, 1);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_LOCAL);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_PEER_DELETE);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    pair_free(&p);
}

/* The peer deletes the Child SA: the INFORMATIONAL responders answer with
 * our half (RFC 7296 §1.4.1) and the IKE SA stays. */
static void test_child_delete_answered(void)
{
    ike_pair p;
    pair_up(&p, 43);
    ike_sa *sa0 = pair_sa(&p, 0), *sa1 = pair_sa(&p, 1);
    uint32_t theirs = sa0->child.spi_in, ours = sa1->child.spi_in;
    g_assert_cmpuint(sa1->child.spi_out, ==, theirs);
    uint8_t spi[4] = {(uint8_t)(theirs >> 24), (uint8_t)(theirs >> 16), (uint8_t)(theirs >> 8), (uint8_t)theirs};
    ike_payload d = {.type = IKE_PL_DELETE, .u.del = {IKE_PROTO_ESP, 4, 1, {spi, 4}}};
    inject(&p, 1, pair_forge(sa0, IKE_INFORMATIONAL, false, sa0->next_mid_out, &d, 1, 1ull << 40));
    g_assert_null(ike_sa_child(sa1));
    g_assert_true(ike_sa_established(sa1));
    uint8_t *plain = g_malloc(IKE_MAX_MSG);
    ike_msg *m = open_last(&p, 1, plain);
    g_assert_cmpuint(m->n, ==, 2); /* SK, then the Delete */
    const ike_payload *r = &m->pl[1];
    g_assert_cmpuint(r->type, ==, IKE_PL_DELETE);
    g_assert_cmpuint(r->u.del.proto, ==, IKE_PROTO_ESP);
    g_assert_cmpuint(r->u.del.n_spi, ==, 1);
    g_assert_cmpuint(get_be32(r->u.del.spis.p), ==, ours);
    g_free(m);
    g_free(plain);
    pair_free(&p);
}

/* ike.h: IKE_EV_SA_DELETED comes after the SA left every table. */
typedef struct {
    ike_ep *ep;
    uint64_t local_spi;
    int deleted;
    GPtrArray *sent;
} lone;

static void lone_send(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    lone *l = ctx;
    (void)peer;
    g_ptr_array_add(l->sent, g_bytes_new(msg, len));
}

static void lone_random(void *ctx, uint8_t *out, size_t len)
{
    static uint8_t x;
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(++x * 151u + 7u);
}

static void lone_event(void *ctx, const ike_event *ev)
{
    lone *l = ctx;
    if (ev->type != IKE_EV_SA_DELETED)
        return;
    l->deleted++;
    g_assert_null(ike_ep_find(l->ep, l->local_spi));
    g_assert_cmpuint(ike_ep_sa_count(l->ep), ==, 0);
    g_assert_cmpuint(ike_ep_half_open(l->ep), ==, 0);
    g_assert_cmpuint(ike_ep_next_deadline(l->ep), ==, UINT64_MAX);
    g_assert_false(ike_sa_established(ev->sa)); /* as it was: never established */
}

/* Runs the endpoint's timers in deadline order up to t. */
static void lone_advance(lone *l, uint64_t t)
{
    uint64_t d;
    while ((d = ike_ep_next_deadline(l->ep)) <= t)
        ike_ep_handle_timeout(l->ep, d);
}

static ike_ep *lone_new(lone *l, const char *id)
{
    ike_cfg c;
    ike_test_cfg(&c, id);
    ike_io io = {.ctx = l, .send = lone_send, .random = lone_random, .event = lone_event};
    l->sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    return l->ep = ike_ep_new(&c, &io);
}

static void test_deleted_after_tables(void)
{
    /* an initiator whose retransmissions run out */
    lone i = {0};
    lone_new(&i, "i.example");
    ike_sa *sa = ike_ep_initiate(i.ep, 0, 1);
    i.local_spi = ike_sa_spi_i(sa);
    ike_retx retx = IKE_RETX_STRONGSWAN; /* ike_test_cfg's */
    lone_advance(&i, ike_retx_total_ns(&retx) - 1);
    g_assert_cmpint(i.deleted, ==, 0);
    lone_advance(&i, ike_retx_total_ns(&retx));
    g_assert_cmpint(i.deleted, ==, 1);
    /* a responder whose half-open SA expires (30 s) */
    lone r = {0};
    lone_new(&r, "r.example");
    GBytes *init = g_ptr_array_index(i.sent, 0);
    gsize len;
    const uint8_t *d = g_bytes_get_data(init, &len);
    ike_ep_receive(r.ep, 0, 2, d, len);
    g_assert_cmpuint(ike_ep_half_open(r.ep), ==, 1);
    g_assert_cmpuint(ike_ep_sa_count(r.ep), ==, 1);
    ike_hdr h;
    g_assert_cmpint(ike_parse_header(g_bytes_get_data(g_ptr_array_index(r.sent, 0), NULL),
                                     g_bytes_get_size(g_ptr_array_index(r.sent, 0)), &h), ==, IKE_OK);
    r.local_spi = h.spi_r;
    g_assert_nonnull(ike_ep_find(r.ep, r.local_spi));
    lone_advance(&r, 30 * SEC - 1);
    g_assert_cmpint(r.deleted, ==, 0);
    lone_advance(&r, 30 * SEC);
    g_assert_cmpint(r.deleted, ==, 1);
    ike_ep_free(i.ep, 0);
    ike_ep_free(r.ep, 0);
    g_ptr_array_free(i.sent, TRUE);
    g_ptr_array_free(r.sent, TRUE);
}

/* One definition of a dead peer for the simulator and its metrics. */
static void test_peer_dead(void)
{
    for (ike_del_reason r = 0; r < IKE_DEL_REASONS; r++) {
        bool want = r == IKE_DEL_TIMEOUT || r == IKE_DEL_QCD || r == IKE_DEL_INITIAL_CONTACT ||
                    r == IKE_DEL_APP_TIMEOUT; /* the application judged it dead */
        g_assert_cmpint(ike_del_peer_dead(r), ==, want);
        g_assert_cmpstr(ike_del_reason_name(r), !=, "unknown");
    }
}

/* Wireshark's esp_sa line for an outbound Child SA, byte for byte. */
static void test_esp_keylog_line(void)
{
    ike_child c = {.spi_out = 0xc0ffee01, .suite = {IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0, 0}};
    for (int i = 0; i < 20; i++)
        c.key_out[i] = (uint8_t)i;
    char line[256];
    int n = esp_keylog_line(&c, 0x0a000001, 0x0a000102, line, sizeof line);
    const char *want = "\"IPv4\",\"10.0.0.1\",\"10.0.1.2\",\"0xc0ffee01\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                       "\"0x000102030405060708090a0b0c0d0e0f10111213\",\"NULL\",\"\"";
    g_assert_cmpstr(line, ==, want);
    g_assert_cmpint(n, ==, (int)strlen(want));
    g_assert_cmpint(esp_keylog_line(&c, 1, 2, line, 40), ==, IKE_E_SPACE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ike/tasks/create-child-sa-refused", test_create_child_sa_refused);
    g_test_add_func("/ike/tasks/queue-order", test_queue_order);
    g_test_add_func("/ike/tasks/child-delete-answered", test_child_delete_answered);
    g_test_add_func("/ike/tasks/deleted-after-tables", test_deleted_after_tables);
    g_test_add_func("/ike/tasks/peer-dead", test_peer_dead);
    g_test_add_func("/ike/tasks/esp-keylog-line", test_esp_keylog_line);
    return g_test_run();
}
