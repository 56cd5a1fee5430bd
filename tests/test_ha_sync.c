/* RFC 6311 in the IKE model, with hand-picked times: capability
 * negotiation, replication of an IKE SA to a standby member, MID sync and
 * replay-counter sync after a failover (both sides), replays that must
 * change nothing, multiple failover, and GCM IVs across members.
 *
 * The pair's side 0 is the peer (IKE_SA initiator); side 1 is the cluster:
 * member A established the SA, and a takeover replaces side 1's endpoint by
 * a new member importing A's replicated state. */
#include <string.h>

#include "ike_internal.h"
#include "ikepair.h"

/* strongSwan's default schedule: sends at 0, 4, 11.2, 24.16, 47.488,
 * 89.478 s, gives up at 165.06 s. */
static const uint64_t schedule_ms[] = {0, 4000, 11200, 24160, 47488, 89478};
#define GIVE_UP_MS 165060ull

static void ha_cfgs(ike_cfg *a, ike_cfg *b)
{
    ike_test_cfg(a, "peer.example");
    ike_test_cfg(b, "cluster.example");
    a->mid_sync = a->replay_sync = true;
    b->mid_sync = b->replay_sync = true;
}

static GBytes *last_sent(ike_pair *p, int side)
{
    g_assert_cmpuint(p->sent[side]->len, >, 0);
    return g_ptr_array_index(p->sent[side], p->sent[side]->len - 1);
}

static ike_hdr wire_hdr(GBytes *b)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    ike_hdr h;
    g_assert_cmpint(ike_parse_header(d, len, &h), ==, IKE_OK);
    return h;
}

/* Opens a protected message with the SA of its receiver; returns the index
 * of the first inner payload (views point into plain). */
static size_t open_msg(GBytes *b, ike_sa *rx, ike_msg *m, uint8_t *plain)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    g_assert_cmpint(ike_parse(d, len, m), ==, IKE_OK);
    size_t first = m->n;
    g_assert_cmpint(sa_open(rx, d, len, m, plain), ==, IKE_OK);
    return first;
}

/* A payload as it was on the wire: generic header, then body. */
static const uint8_t *wire_of(const ike_payload *p)
{
    return p->body.p - IKE_GENERIC_HDR_LEN;
}

static void inject(ike_pair *p, int to, GBytes *b)
{
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    pair_inject(p, to, d, len);
}

/* A protected INFORMATIONAL as `from` would seal it, with a chosen IV far
 * above any counter the tests reach. */
static GBytes *forge(const ike_sa *from, bool response, uint32_t mid, const ike_payload *inner,
                     size_t n, uint64_t iv)
{
    return pair_forge(from, IKE_INFORMATIONAL, response, mid, inner, n, iv);
}

/* A liveness check from side that must be answered, with its MID. */
static void check(ike_pair *p, int side, ike_sa *sa, uint32_t want_mid)
{
    guint answered = count_events(p, side, IKE_EV_LIVENESS_ANSWERED);
    g_assert_cmpint(ike_ep_liveness(p->ep[side], sa, p->now), ==, IKE_OK);
    ike_hdr h = wire_hdr(last_sent(p, side));
    g_assert_cmpuint(h.msg_id, ==, want_mid);
    g_assert_cmpuint(h.exchange, ==, IKE_INFORMATIONAL);
    pair_deliver(p, MS);
    g_assert_cmpuint(count_events(p, side, IKE_EV_LIVENESS_ANSWERED), ==, answered + 1);
    g_assert_cmpuint(wire_hdr(last_sent(p, 1 - side)).msg_id, ==, want_mid);
}

/* Peer and member A up; A checks the peer a_checks times (its first
 * request is MID 0); the peer checks once (MID 2); A's state is
 * replicated to *st at 1 s; with lag, one more check each way that the
 * replica misses.  Ends at 3 s. */
static void prepare(ike_pair *p, const ike_cfg *a, const ike_cfg *b, uint64_t seed, unsigned a_checks,
                    bool lag, ike_sa_state *st)
{
    pair_init(p, a, b, seed);
    pair_establish(p);
    ike_sa *peer = pair_sa(p, 0), *ma = pair_sa(p, 1);
    check(p, 0, peer, 2);
    for (unsigned i = 0; i < a_checks; i++)
        check(p, 1, ma, i);
    pair_advance(p, 1 * SEC);
    g_assert_cmpint(ike_sa_export(ma, st), ==, IKE_OK);
    if (lag) {
        pair_advance(p, 2 * SEC);
        check(p, 0, peer, 3);
        check(p, 1, ma, a_checks);
    }
    pair_advance(p, 3 * SEC);
}

/* The failover: side 1's endpoint dies, a new member imports st. */
static ike_sa *take_over(ike_pair *p, const ike_cfg *b, const ike_sa_state *st)
{
    pair_reboot(p, 1, b);
    ike_sa *sa = ike_ep_import(p->ep[1], p->now, 0, st);
    g_assert_nonnull(sa);
    return sa;
}

static ike_ha_sync_req mid_req(ike_sa *sa)
{
    ike_ha_sync_req r = {.mid = true};
    g_assert_cmpint(ike_sa_ha_values(sa, 1, &r.m1, &r.p1), ==, IKE_OK);
    return r;
}

static guint count_drops(const ike_pair *p, int side, ike_ha_drop why)
{
    guint n = 0;
    for (guint i = 0; i < p->events->len; i++) {
        const ike_ev_rec *r = &g_array_index(p->events, ike_ev_rec, i);
        n += r->side == side && r->ev.type == IKE_EV_HA_SYNC_DROPPED && r->ev.ha_drop == why;
    }
    return n;
}

/* --- codec --- */

static void encode_one(const ike_payload *p, uint8_t *out, size_t *len)
{
    g_assert_cmpint(ike_encode_chain(p, 1, out, 64, len), ==, IKE_OK);
}

static void test_codec(void)
{
    uint8_t data[12], out[64];
    size_t len;
    ike_ha_mid_sync v = {0x01020304, 7, 9}, back;
    ike_payload p = ike_ha_mid_sync_notify(&v, data);
    encode_one(&p, out, &len);
    static const uint8_t want_mid[20] = {0, 0, 0, 20, 0, 0, 0x40, 0x26, 1, 2, 3, 4,
                                         0, 0, 0, 7, 0, 0, 0, 9};
    g_assert_cmpmem(out, len, want_mid, sizeof want_mid);
    ike_msg m = {0};
    g_assert_cmpint(ike_parse_chain(IKE_PL_NOTIFY, out, len, &m), ==, IKE_OK);
    g_assert_cmpint(ike_ha_mid_sync_parse(&m.pl[0], &back), ==, IKE_OK);
    g_assert_cmpmem(&back, sizeof back, &v, sizeof v);

    /* 16423: 4 octets, 8 with ESN */
    uint8_t d8[8];
    g_assert_cmpint(ike_ha_replay_notify(0x10000, 4, d8, &p), ==, IKE_OK);
    encode_one(&p, out, &len);
    static const uint8_t want4[12] = {0, 0, 0, 12, 0, 0, 0x40, 0x27, 0, 1, 0, 0};
    g_assert_cmpmem(out, len, want4, sizeof want4);
    g_assert_cmpint(ike_ha_replay_notify((1ull << 32) + 5, 8, d8, &p), ==, IKE_OK);
    encode_one(&p, out, &len);
    static const uint8_t want8[16] = {0, 0, 0, 16, 0, 0, 0x40, 0x27, 0, 0, 0, 1, 0, 0, 0, 5};
    g_assert_cmpmem(out, len, want8, sizeof want8);
    uint64_t delta;
    uint8_t dlen;
    m = (ike_msg){0};
    g_assert_cmpint(ike_parse_chain(IKE_PL_NOTIFY, out, len, &m), ==, IKE_OK);
    g_assert_cmpint(ike_ha_replay_parse(&m.pl[0], &delta, &dlen), ==, IKE_OK);
    g_assert_cmpuint(delta, ==, (1ull << 32) + 5);
    g_assert_cmpuint(dlen, ==, 8);
    g_assert_cmpint(ike_ha_replay_notify(1ull << 32, 4, d8, &p), ==, IKE_E_SYNTAX); /* does not fit */
    g_assert_cmpint(ike_ha_replay_notify(1, 5, d8, &p), ==, IKE_E_SYNTAX);

    /* capabilities: 8 octets, no data */
    p = ike_ha_cap_notify(IKE_N_MESSAGE_ID_SYNC_SUPPORTED);
    encode_one(&p, out, &len);
    static const uint8_t want_cap[8] = {0, 0, 0, 8, 0, 0, 0x40, 0x24};
    g_assert_cmpmem(out, len, want_cap, sizeof want_cap);
    g_assert_cmpint(ike_ha_cap_parse(&p, IKE_N_MESSAGE_ID_SYNC_SUPPORTED), ==, IKE_OK);
    g_assert_cmpint(ike_ha_cap_parse(&p, IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED), ==, IKE_E_SYNTAX);

    /* wrong lengths and headers are typed errors */
    uint8_t junk[16] = {0};
    for (size_t n = 0; n <= 16; n++) {
        ike_payload q = ike_pl_notify(IKE_PROTO_NONE, IKE_N_MESSAGE_ID_SYNC, junk, n);
        g_assert_cmpint(ike_ha_mid_sync_parse(&q, &back), ==, n == 12 ? IKE_OK : IKE_E_BAD_LENGTH);
        q = ike_pl_notify(IKE_PROTO_NONE, IKE_N_REPLAY_COUNTER_SYNC, junk, n);
        g_assert_cmpint(ike_ha_replay_parse(&q, &delta, &dlen), ==,
                        n == 4 || n == 8 ? IKE_OK : IKE_E_BAD_LENGTH);
        q = ike_pl_notify(IKE_PROTO_NONE, IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED, junk, n);
        g_assert_cmpint(ike_ha_cap_parse(&q, IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED), ==,
                        n == 0 ? IKE_OK : IKE_E_BAD_LENGTH);
    }
    ike_payload q = ike_pl_notify(IKE_PROTO_IKE, IKE_N_MESSAGE_ID_SYNC, junk, 12);
    g_assert_cmpint(ike_ha_mid_sync_parse(&q, &back), ==, IKE_E_SYNTAX);
    q.u.notify.proto = IKE_PROTO_NONE;
    q.u.notify.spi_size = 4;
    g_assert_cmpint(ike_ha_mid_sync_parse(&q, &back), ==, IKE_E_SYNTAX);
    q = ike_pl_notify(IKE_PROTO_NONE, IKE_N_QCD_TOKEN, junk, 12);
    g_assert_cmpint(ike_ha_mid_sync_parse(&q, &back), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_ha_replay_parse(&q, &delta, &dlen), ==, IKE_E_SYNTAX);
}

static void test_names(void)
{
    g_assert_cmpstr(ike_event_name(IKE_EV_SA_IMPORTED), ==, "sa_imported");
    g_assert_cmpstr(ike_event_name(IKE_EV_HA_SYNC_SENT), ==, "ha_sync_sent");
    g_assert_cmpstr(ike_event_name(IKE_EV_HA_SYNC_ANSWERED), ==, "ha_sync_answered");
    g_assert_cmpstr(ike_event_name(IKE_EV_HA_SYNC_DROPPED), ==, "ha_sync_dropped");
    g_assert_cmpstr(ike_event_name(IKE_EV_HA_REPLAY_DELTA), ==, "ha_replay_delta");
    g_assert_cmpstr(ike_event_name(IKE_EV_REQUEST_ABANDONED), ==, "request_abandoned");
    g_assert_cmpstr(ike_ha_drop_name(IKE_HA_DROP_STALE), ==, "stale");
    g_assert_cmpstr(ike_ha_drop_name(IKE_HA_DROP_BAD_NONCE), ==, "bad_nonce");
    g_assert_cmpstr(ike_ha_drop_name(IKE_HA_DROP_DUPLICATE), ==, "duplicate");
    g_assert_cmpstr(ike_ha_drop_name(IKE_HA_DROP_NOT_NEGOTIATED), ==, "not_negotiated");
    g_assert_cmpstr(ike_ha_drop_name(IKE_HA_DROP_MALFORMED), ==, "malformed");
    g_assert_cmpstr(ike_strerror(IKE_E_ONCE), !=, "unknown error");
    g_assert_cmpstr(ike_strerror(IKE_E_NOT_NEGOTIATED), !=, "unknown error");
}

/* --- capability negotiation --- */

/* Which capability notifies the inner payloads carry; each must be the
 * 8-octet form (Protocol ID 0, no SPI, no data) and follow AUTH. */
static unsigned caps_in(const ike_msg *m, size_t first)
{
    unsigned caps = 0;
    for (size_t i = first; i < m->n; i++) {
        const ike_payload *p = &m->pl[i];
        if (p->type != IKE_PL_NOTIFY)
            continue;
        uint16_t t = p->u.notify.type;
        if (t != IKE_N_MESSAGE_ID_SYNC_SUPPORTED && t != IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED)
            continue;
        g_assert_cmpint(ike_ha_cap_parse(p, t), ==, IKE_OK);
        g_assert_cmpuint(get_be16(wire_of(p) + 2), ==, 8);
        g_assert_cmpuint(m->pl[i - 1 - (t == IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED &&
                                        (caps & 1))].type, ==, IKE_PL_AUTH);
        caps |= t == IKE_N_MESSAGE_ID_SYNC_SUPPORTED ? 1 : 2;
    }
    return caps;
}

static void test_capability_matrix(void)
{
    for (unsigned mask = 0; mask < 16; mask++) {
        ike_cfg a, b;
        ike_test_cfg(&a, "peer.example");
        ike_test_cfg(&b, "cluster.example");
        a.mid_sync = mask & 1;
        a.replay_sync = (mask & 2) != 0;
        b.mid_sync = (mask & 4) != 0;
        b.replay_sync = (mask & 8) != 0;
        ike_pair p;
        pair_init(&p, &a, &b, 100 + mask);
        pair_establish(&p);
        ike_sa *sa = pair_sa(&p, 0), *sb = pair_sa(&p, 1);
        bool mid = a.mid_sync && b.mid_sync, replay = a.replay_sync && b.replay_sync;
        g_assert_cmpint(ike_sa_mid_sync(sa), ==, mid);
        g_assert_cmpint(ike_sa_mid_sync(sb), ==, mid);
        g_assert_cmpint(ike_sa_replay_sync(sa), ==, replay);
        g_assert_cmpint(ike_sa_replay_sync(sb), ==, replay);
        /* the request asserts what the initiator supports; the response
         * echoes only what both do */
        ike_msg m;
        uint8_t plain[IKE_MAX_MSG];
        size_t first = open_msg(g_ptr_array_index(p.sent[0], 1), sb, &m, plain);
        g_assert_cmpuint(caps_in(&m, first), ==, mask & 3);
        first = open_msg(g_ptr_array_index(p.sent[1], 1), sa, &m, plain);
        g_assert_cmpuint(caps_in(&m, first), ==, (mid ? 1u : 0u) | (replay ? 2u : 0u));
        pair_free(&p);
    }
}

/* --- failover without and with MID sync --- */

static void test_no_sync_peer_dies(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 41, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_SA_IMPORTED)->ev.spi_i, ==, ike_sa_spi_i(peer));
    g_assert_cmpuint(mb->next_mid_in, ==, 3); /* stale: the peer sent 3 to A */
    g_assert_cmpuint(peer->next_mid_out, ==, 4);
    guint b_sent = p.sent[1]->len;
    uint64_t t0 = 5 * SEC;
    pair_advance(&p, t0);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], peer, t0), ==, IKE_OK);
    for (guint i = 0; i < G_N_ELEMENTS(schedule_ms); i++) {
        pair_advance(&p, t0 + schedule_ms[i] * MS);
        g_assert_cmpint(pair_deliver(&p, MS), ==, 1);
    }
    g_assert_cmpuint(p.sent[1]->len, ==, b_sent); /* never answered */
    g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_MSG_ID);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.msg_id, ==, 4);
    pair_advance(&p, t0 + GIVE_UP_MS * MS - 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    pair_advance(&p, t0 + GIVE_UP_MS * MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 0);
    const ike_ev_rec *del = last_event(&p, 0, IKE_EV_SA_DELETED);
    g_assert_cmpuint(del->ev.now, ==, t0 + GIVE_UP_MS * MS);
    g_assert_cmpint(del->ev.reason, ==, IKE_DEL_TIMEOUT);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1); /* the member still holds it */
    pair_free(&p);
}

/* The sync and its answer on the wire, byte for byte. */
static void assert_sync_wire(GBytes *req, GBytes *resp, ike_sa *peer, ike_sa *mb, uint32_t nonce,
                             uint32_t m1, uint32_t p1, uint32_t m2, uint32_t p2)
{
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG], want[20] = {0, 0, 0, 20, 0, 0, 0x40, 0x26};
    ike_hdr h = wire_hdr(req);
    g_assert_cmpuint(h.exchange, ==, IKE_INFORMATIONAL);
    g_assert_cmpuint(h.msg_id, ==, 0);
    g_assert_cmpuint(h.flags, ==, 0); /* from the original responder, a request */
    size_t first = open_msg(req, peer, &m, plain);
    g_assert_cmpuint(m.n - first, ==, 1);
    put_be32(want + 8, nonce);
    put_be32(want + 12, m1); /* the member's EXPECTED_SEND */
    put_be32(want + 16, p1);
    g_assert_cmpmem(wire_of(&m.pl[first]), 20, want, 20);
    h = wire_hdr(resp);
    g_assert_cmpuint(h.exchange, ==, IKE_INFORMATIONAL);
    g_assert_cmpuint(h.msg_id, ==, 0);
    g_assert_cmpuint(h.flags, ==, IKE_FLAG_I | IKE_FLAG_R);
    first = open_msg(resp, mb, &m, plain);
    g_assert_cmpuint(m.n - first, ==, 1);
    put_be32(want + 12, p2); /* "the opposite order": the peer's SEND slot holds P2 */
    put_be32(want + 16, m2);
    g_assert_cmpmem(wire_of(&m.pl[first]), 20, want, 20);
}

/* a_checks, lag: see prepare(); the expected M1, P1, M2, P2. */
static void sync_survives(unsigned a_checks, bool lag, uint32_t m1, uint32_t p1, uint32_t m2, uint32_t p2)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 42 + a_checks, a_checks, lag, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    pair_advance(&p, 4 * SEC);
    ike_ha_sync_req r = mid_req(mb);
    g_assert_cmpuint(r.m1, ==, m1);
    g_assert_cmpuint(r.p1, ==, p1);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    const ike_ev_rec *sent = last_event(&p, 1, IKE_EV_HA_SYNC_SENT);
    g_assert_cmpuint(sent->ev.ha_m, ==, m1);
    g_assert_cmpuint(sent->ev.ha_p, ==, p1);
    g_assert_cmpuint(sent->ev.ha_what, ==, IKE_HA_MID);
    g_assert_cmpuint(sent->ev.msg_id, ==, 0);
    uint32_t nonce = sent->ev.ha_nonce;
    GBytes *req = g_bytes_ref(last_sent(&p, 1));
    g_assert_cmpint(pair_deliver(&p, MS), ==, 2);
    GBytes *resp = g_bytes_ref(last_sent(&p, 0));
    assert_sync_wire(req, resp, peer, mb, nonce, m1, p1, m2, p2);

    /* both sides use the synchronised values */
    const ike_ev_rec *ans = last_event(&p, 0, IKE_EV_HA_SYNC_ANSWERED);
    g_assert_false(ans->ev.is_response);
    g_assert_cmpuint(ans->ev.ha_m, ==, m2);
    g_assert_cmpuint(ans->ev.ha_p, ==, p2);
    ans = last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED);
    g_assert_true(ans->ev.is_response);
    g_assert_cmpuint(ans->ev.ha_m, ==, m2);
    g_assert_cmpuint(ans->ev.ha_p, ==, p2);
    g_assert_cmpuint(ans->ev.now, ==, 4 * SEC + 2 * MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_REQUEST_ABANDONED), ==, 0);
    /* replayed at once, before any request under the new IDs: M1 itself
     * now counts as seen (earlier syncs count), so it is dropped */
    guint peer_sent = p.sent[0]->len;
    inject(&p, 0, req);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_STALE), ==, 1);
    g_assert_cmpuint(p.sent[0]->len, ==, peer_sent);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    /* the member's replicated cache answered MID 2, the request before its
     * stale next_mid_in; once the sync moved that to P2 the cache is void,
     * so a replayed MID P2 - 1 request (one that A answered) gets nothing */
    if (lag) {
        GBytes *old = NULL;
        for (guint i = 0; i < p.sent[0]->len && !old; i++) {
            ike_hdr h = wire_hdr(g_ptr_array_index(p.sent[0], i));
            if (!(h.flags & IKE_FLAG_R) && h.exchange == IKE_INFORMATIONAL && h.msg_id == p2 - 1)
                old = g_ptr_array_index(p.sent[0], i);
        }
        g_assert_nonnull(old);
        guint b_sent = p.sent[1]->len;
        inject(&p, 1, old);
        g_assert_cmpuint(p.sent[1]->len, ==, b_sent);
        g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_MSG_ID);
    }
    pair_advance(&p, 6 * SEC);
    check(&p, 0, peer, p2);
    check(&p, 1, mb, m2);
    check(&p, 0, peer, p2 + 1);

    /* a replayed sync request: silently dropped, nothing moves */
    uint32_t in = peer->next_mid_in, out = peer->next_mid_out;
    guint received = count_events(&p, 0, IKE_EV_MSG_RECEIVED);
    peer_sent = p.sent[0]->len;
    inject(&p, 0, req);
    g_assert_cmpuint(p.sent[0]->len, ==, peer_sent);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_STALE), ==, 2);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_MSG_RECEIVED), ==, received); /* no liveness credit */
    g_assert_cmpuint(peer->next_mid_in, ==, in);
    g_assert_cmpuint(peer->next_mid_out, ==, out);
    /* a replayed sync response: a duplicate, processed once only */
    in = mb->next_mid_in, out = mb->next_mid_out;
    inject(&p, 1, resp);
    g_assert_cmpuint(count_drops(&p, 1, IKE_HA_DROP_DUPLICATE), ==, 1);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    g_assert_cmpuint(mb->next_mid_in, ==, in);
    g_assert_cmpuint(mb->next_mid_out, ==, out);
    check(&p, 1, mb, m2 + 1); /* and the SA goes on */
    g_bytes_unref(req);
    g_bytes_unref(resp);
    pair_free(&p);
}

/* The peer's answer to the sync is lost and the member retransmits the
 * same request.  Read literally, the RFC has the peer drop it (M1 is no
 * longer above what it has seen): the member never hears back and gives up
 * on the SA after its schedule.  With ha_answer_retransmitted_sync the peer
 * sends the same answer again, moving nothing and applying no second delta,
 * and both sides go on with M2/P2. */
static void test_lost_sync_answer(gconstpointer data)
{
    bool answer_again = GPOINTER_TO_INT(data);
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    a.ha_answer_retransmitted_sync = answer_again;
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 77, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    pair_advance(&p, 4 * SEC);
    ike_ha_sync_req r = mid_req(mb);
    r.replay = false;
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    ike_dgram *req = pair_pop(&p);                      /* the request arrives... */
    gsize len;
    const uint8_t *bytes = g_bytes_get_data(req->bytes, &len);
    pair_inject(&p, 0, bytes, len);
    dgram_free(req);
    dgram_free(pair_pop(&p));                           /* ...its answer is lost */
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    uint32_t in = peer->next_mid_in, out = peer->next_mid_out;
    pair_advance(&p, 4 * SEC + schedule_ms[1] * MS);    /* the member retransmits */
    g_assert_cmpint(pair_deliver(&p, MS), ==, answer_again ? 2 : 1);
    g_assert_cmpuint(peer->next_mid_in, ==, in);
    g_assert_cmpuint(peer->next_mid_out, ==, out);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    if (answer_again) {
        g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_STALE), ==, 0);
        const ike_ev_rec *ans = last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED);
        g_assert_nonnull(ans);
        g_assert_cmpuint(ans->ev.ha_m, ==, in);
        g_assert_cmpuint(ans->ev.ha_p, ==, out);
        pair_advance(&p, 10 * SEC);
        check(&p, 0, peer, out);
        check(&p, 1, mb, in);
    } else {
        g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_STALE), ==, 1);
        g_assert_null(last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED));
        pair_drop_all(&p);
        pair_advance(&p, 4 * SEC + GIVE_UP_MS * MS);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
        g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_TIMEOUT);
    }
    pair_free(&p);
}

static void test_sync_survives(void)
{
    /* A checked once (MID 0), replicated, then MID 1 each way unreplicated:
     * M1 = 1 + window 1; P1 = 3; the peer has seen MID 1 from A and used 3 */
    sync_survives(1, true, 2, 3, 2, 4);
}

static void test_sync_first_member_request(void)
{
    /* A never sent a request, so the peer expects MID 0 from the cluster:
     * the sync is told from an ordinary first request by its content */
    sync_survives(0, false, 1, 3, 1, 3);
}

/* The member drops answers with a wrong nonce or a malformed notify and
 * keeps retransmitting; a forged or replayed answer never moves it. */
static void test_member_checks_answer(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 45, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    ike_ha_sync_req r = mid_req(mb);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    uint32_t nonce = last_event(&p, 1, IKE_EV_HA_SYNC_SENT)->ev.ha_nonce;
    ike_dgram *req = pair_pop(&p);
    pair_advance(&p, p.now + MS);
    inject(&p, 0, req->bytes);
    dgram_free(req);
    ike_dgram *resp = pair_pop(&p); /* the real answer: M2 2, P2 4 */
    g_assert_nonnull(resp);

    uint8_t data[12], bad[11] = {0};
    ike_ha_mid_sync wrong = {nonce ^ 1, 4, 2};
    ike_payload n = ike_ha_mid_sync_notify(&wrong, data);
    GBytes *forged = forge(peer, true, 0, &n, 1, 0xffff000000000001ull);
    inject(&p, 1, forged);
    g_assert_cmpuint(count_drops(&p, 1, IKE_HA_DROP_BAD_NONCE), ==, 1);
    n = ike_pl_notify(IKE_PROTO_NONE, IKE_N_MESSAGE_ID_SYNC, bad, sizeof bad);
    GBytes *malformed = forge(peer, true, 0, &n, 1, 0xffff000000000002ull);
    inject(&p, 1, malformed);
    g_assert_cmpuint(count_drops(&p, 1, IKE_HA_DROP_MALFORMED), ==, 1);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_HA_SYNC_DROPPED)->ev.err, ==, IKE_E_BAD_LENGTH);
    g_assert_true(mb->req.active); /* still waiting: the real answer may come */
    g_assert_cmpuint(mb->next_mid_out, ==, 1);
    g_assert_cmpuint(mb->next_mid_in, ==, 3);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 0);

    inject(&p, 1, resp->bytes);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    g_assert_cmpuint(mb->next_mid_out, ==, 2);
    g_assert_cmpuint(mb->next_mid_in, ==, 4);
    g_assert_false(mb->req.active);
    inject(&p, 1, resp->bytes);
    inject(&p, 1, forged);
    g_assert_cmpuint(count_drops(&p, 1, IKE_HA_DROP_DUPLICATE), ==, 1);
    g_assert_cmpuint(count_drops(&p, 1, IKE_HA_DROP_BAD_NONCE), ==, 2);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    g_assert_cmpuint(mb->next_mid_out, ==, 2);
    g_assert_cmpuint(mb->next_mid_in, ==, 4);
    /* no retransmission after the answer */
    guint b_sent = p.sent[1]->len;
    pair_advance(&p, p.now + 200 * SEC);
    g_assert_cmpuint(p.sent[1]->len, ==, b_sent);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    dgram_free(resp);
    g_bytes_unref(forged);
    g_bytes_unref(malformed);
    pair_drop_all(&p);
    pair_free(&p);
}

/* The peer silently drops malformed sync requests, and sync requests on an
 * SA for which MID sync was not negotiated. */
static void test_peer_drops_bad_requests(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 46, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    guint peer_sent = p.sent[0]->len;
    uint8_t data[13] = {0}, d12[12];
    ike_payload n[2];
    n[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_MESSAGE_ID_SYNC, data, 13);
    GBytes *f = forge(mb, false, 0, n, 1, 0xffff000000000001ull);
    inject(&p, 0, f);
    g_bytes_unref(f);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_HA_SYNC_DROPPED)->ev.err, ==, IKE_E_BAD_LENGTH);
    /* nothing but the sync notifies may ride along */
    ike_ha_mid_sync v = {1, 10, 3};
    n[0] = ike_ha_mid_sync_notify(&v, d12);
    n[1] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_INITIAL_CONTACT, NULL, 0);
    f = forge(mb, false, 0, n, 2, 0xffff000000000002ull);
    inject(&p, 0, f);
    g_bytes_unref(f);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_HA_SYNC_DROPPED)->ev.err, ==, IKE_E_SYNTAX);
    /* two MID syncs in one message */
    n[1] = n[0];
    f = forge(mb, false, 0, n, 2, 0xffff000000000003ull);
    inject(&p, 0, f);
    g_bytes_unref(f);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_MALFORMED), ==, 3);
    g_assert_cmpuint(p.sent[0]->len, ==, peer_sent);
    g_assert_cmpuint(peer->next_mid_in, ==, 2);
    g_assert_cmpuint(peer->next_mid_out, ==, 4);
    pair_free(&p);

    /* the peer did not assert 16420; a member that believes otherwise
     * (a corrupt replica) is never answered and loses the SA */
    ha_cfgs(&a, &b);
    a.mid_sync = false;
    prepare(&p, &a, &b, 47, 1, true, &st);
    g_assert_false(st.mid_sync);
    mb = take_over(&p, &b, &st);
    ike_ha_sync_req r = mid_req(mb);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_E_NOT_NEGOTIATED);
    st.mid_sync = true;
    pair_reboot(&p, 1, &b);
    mb = ike_ep_import(p.ep[1], p.now, 0, &st);
    uint64_t t0 = p.now;
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, t0, &r), ==, IKE_OK);
    peer_sent = p.sent[0]->len;
    for (guint i = 0; i < G_N_ELEMENTS(schedule_ms); i++) {
        pair_advance(&p, t0 + schedule_ms[i] * MS);
        g_assert_cmpint(pair_deliver(&p, MS), ==, 1);
    }
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_NOT_NEGOTIATED), ==, 6);
    g_assert_cmpuint(p.sent[0]->len, ==, peer_sent);
    pair_advance(&p, t0 + GIVE_UP_MS * MS - 1);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    pair_advance(&p, t0 + GIVE_UP_MS * MS);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_SA_DELETED)->ev.reason, ==, IKE_DEL_TIMEOUT);
    pair_free(&p);
}

static void test_once_per_failover(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 48, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_ha_sync_req r = {.mid = true, .m1 = 10, .p1 = 10};
    g_assert_cmpint(ike_ep_ha_sync(p.ep[0], peer, p.now, &r), ==, IKE_E_STATE); /* no failover here */
    ike_sa *mb = take_over(&p, &b, &st);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[0], mb, p.now, &r), ==, IKE_E_STATE); /* not its SA */
    ike_ha_sync_req none = {0}, low_m = {.mid = true, .m1 = 0, .p1 = 3}, low_p = {.mid = true, .m1 = 2, .p1 = 2};
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &none), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &low_m), ==, IKE_E_SYNTAX);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &low_p), ==, IKE_E_SYNTAX);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_SENT), ==, 0); /* refusals use nothing up */
    r = mid_req(mb);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_E_ONCE); /* in flight */
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_E_ONCE); /* answered */
    ike_ha_sync_req rep = {.replay = true, .delta = 1000};
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &rep), ==, IKE_E_ONCE);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_SENT), ==, 1);
    /* a new failover is a new epoch */
    ike_sa_state st2;
    g_assert_cmpint(ike_sa_export(mb, &st2), ==, IKE_OK);
    ike_sa *mc = take_over(&p, &b, &st2);
    r = mid_req(mc);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mc, p.now, &r), ==, IKE_OK);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 2);
    pair_free(&p);
}

/* The peer's own request in flight at the sync is abandoned: no answer,
 * no retransmission, no liveness failure. */
static void test_peer_abandons_request(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 49, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    uint64_t t0 = 5 * SEC;
    pair_advance(&p, t0);
    g_assert_cmpint(ike_ep_liveness(p.ep[0], peer, t0), ==, IKE_OK); /* MID 4: stale for B */
    pair_deliver(&p, MS);
    g_assert_cmpint(last_event(&p, 1, IKE_EV_MSG_DROPPED)->ev.err, ==, IKE_E_MSG_ID);
    pair_advance(&p, t0 + 2 * SEC);
    ike_ha_sync_req r = mid_req(mb); /* M1 2, P1 3 */
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    pair_deliver(&p, MS);
    const ike_ev_rec *ab = last_event(&p, 0, IKE_EV_REQUEST_ABANDONED);
    g_assert_nonnull(ab);
    g_assert_cmpuint(ab->ev.msg_id, ==, 4);
    g_assert_cmpuint(ab->ev.exchange, ==, IKE_INFORMATIONAL);
    g_assert_false(peer->req.active);
    const ike_ev_rec *ans = last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED);
    g_assert_cmpuint(ans->ev.ha_m, ==, 2);
    g_assert_cmpuint(ans->ev.ha_p, ==, 5); /* above the abandoned request */
    guint retx = count_events(&p, 0, IKE_EV_RETRANSMIT);
    pair_advance(&p, t0 + GIVE_UP_MS * MS + 10 * SEC);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_RETRANSMIT), ==, retx);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    g_assert_null(last_event(&p, 0, IKE_EV_SA_DELETED));
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_LIVENESS_ANSWERED), ==, 2); /* prepare's two */
    check(&p, 0, peer, 5);
    check(&p, 1, mb, 2);
    pair_free(&p);
}

/* Without sync the member's own stale request is taken by the peer for a
 * retransmission and answered from its cache (RFC 6027 §3.6): the member
 * believes an exchange succeeded that the peer never processed. */
static void test_stale_member_request_answered_from_cache(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 58, 1, true, &st);
    ike_sa *mb = take_over(&p, &b, &st);
    guint received = count_events(&p, 0, IKE_EV_MSG_RECEIVED);
    guint answered = count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED);
    GBytes *cached = g_ptr_array_index(p.sent[0], p.sent[0]->len - 1); /* the answer to A's MID 1 */
    g_assert_cmpint(ike_ep_liveness(p.ep[1], mb, p.now), ==, IKE_OK);
    g_assert_cmpuint(wire_hdr(last_sent(&p, 1)).msg_id, ==, 1);
    pair_deliver(&p, MS);
    g_assert_true(g_bytes_equal(last_sent(&p, 0), cached));
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_MSG_RECEIVED), ==, received); /* not processed */
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED), ==, answered + 1); /* yet "answered" */
    pair_free(&p);
}

/* A MID sync abandons the member's own request in flight: its MID is
 * re-based by the sync. */
static void test_member_abandons_request(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 59, 1, true, &st);
    ike_sa *mb = take_over(&p, &b, &st);
    g_assert_cmpint(ike_ep_liveness(p.ep[1], mb, p.now), ==, IKE_OK); /* MID 1, lost */
    pair_drop_all(&p);
    ike_ha_sync_req r = mid_req(mb); /* M1 above the lost request: 3 */
    g_assert_cmpuint(r.m1, ==, 3);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    const ike_ev_rec *ab = last_event(&p, 1, IKE_EV_REQUEST_ABANDONED);
    g_assert_nonnull(ab);
    g_assert_cmpuint(ab->ev.msg_id, ==, 1);
    g_assert_cmpuint(mb->req.mid, ==, 0);
    pair_deliver(&p, MS);
    g_assert_cmpuint(last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED)->ev.ha_m, ==, 3);
    guint retx = count_events(&p, 1, IKE_EV_RETRANSMIT);
    pair_advance(&p, p.now + 200 * SEC);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_RETRANSMIT), ==, retx);
    g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
    check(&p, 1, mb, 3);
    pair_free(&p);
}

/* --- multiple failover A -> B -> C --- */

/* B takes over from A's replica, syncs, then exchanges unreplicated
 * checks both ways and dies; C takes over from *for_c.  With
 * replicate_sync, C's replica was taken from B right after B sent its
 * sync (RFC 6311 §5.1 SHOULD); without, C has A's replica only. */
static void test_multiple_failover(gconstpointer data)
{
    bool replicate_sync = GPOINTER_TO_INT(data);
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st_a, st_b;
    prepare(&p, &a, &b, 50, 1, true, &st_a);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st_a);
    ike_ha_sync_req r = mid_req(mb);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    g_assert_cmpint(ike_sa_export(mb, &st_b), ==, IKE_OK);
    g_assert_true(st_b.sync_sent);
    g_assert_cmpuint(st_b.sync_m1, ==, 2);
    g_assert_cmpuint(st_b.sync_p1, ==, 3);
    uint32_t m1, p1;
    g_assert_true(ike_sa_ha_last_sync(mb, &m1, &p1));
    g_assert_cmpuint(m1, ==, 2);
    pair_deliver(&p, MS);
    GBytes *b_resp = g_bytes_ref(last_sent(&p, 0));
    pair_advance(&p, 5 * SEC);
    check(&p, 1, mb, 2);
    check(&p, 0, peer, 4);
    pair_advance(&p, 6 * SEC);
    ike_sa *mc = take_over(&p, &b, replicate_sync ? &st_b : &st_a);
    r = mid_req(mc);
    /* with B's values C goes above them; without, it repeats B's M1 */
    g_assert_cmpuint(r.m1, ==, replicate_sync ? 4 : 2);
    g_assert_cmpuint(r.p1, ==, 3);
    uint64_t t0 = 7 * SEC;
    pair_advance(&p, t0);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mc, t0, &r), ==, IKE_OK);
    /* B's answer from the earlier failover does not fit C's nonce */
    inject(&p, 1, b_resp);
    g_assert_cmpuint(count_drops(&p, 1, IKE_HA_DROP_BAD_NONCE), ==, 1);
    g_assert_true(mc->req.active);
    guint peer_sent = p.sent[0]->len;
    if (replicate_sync) {
        pair_deliver(&p, MS);
        const ike_ev_rec *ans = last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED);
        g_assert_cmpuint(ans->ev.now, ==, t0 + 2 * MS);
        g_assert_cmpuint(ans->ev.ha_m, ==, 4);
        g_assert_cmpuint(ans->ev.ha_p, ==, 5);
        check(&p, 0, peer, 5);
        check(&p, 1, mc, 4);
        pair_advance(&p, t0 + GIVE_UP_MS * MS + SEC);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[0]), ==, 1);
    } else {
        /* the peer has seen M1 = 2 (B's sync and B's request): every copy
         * of C's sync is dropped silently; C gives up on its schedule */
        for (guint i = 0; i < G_N_ELEMENTS(schedule_ms); i++) {
            pair_advance(&p, t0 + schedule_ms[i] * MS);
            g_assert_cmpint(pair_deliver(&p, MS), ==, 1);
        }
        g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_STALE), ==, 6);
        g_assert_cmpuint(p.sent[0]->len, ==, peer_sent);
        g_assert_cmpuint(peer->next_mid_in, ==, 3);
        pair_advance(&p, t0 + GIVE_UP_MS * MS - 1);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 1);
        pair_advance(&p, t0 + GIVE_UP_MS * MS);
        g_assert_cmpuint(ike_ep_sa_count(p.ep[1]), ==, 0);
        const ike_ev_rec *del = last_event(&p, 1, IKE_EV_SA_DELETED);
        g_assert_cmpint(del->ev.reason, ==, IKE_DEL_TIMEOUT);
        g_assert_cmpuint(del->ev.now, ==, t0 + GIVE_UP_MS * MS);
    }
    g_bytes_unref(b_resp);
    pair_free(&p);
}

/* --- replay counter sync --- */

static void replay_with_mid(bool esn, uint64_t delta, const uint8_t *want, size_t want_len)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    a.esp_esn = b.esp_esn = esn;
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 51 + esn, 1, true, &st);
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    g_assert_cmpint(mb->child.esn, ==, esn);
    if (!esn) {
        ike_ha_sync_req big = mid_req(mb);
        big.replay = true;
        big.delta = 1ull << 32;
        g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &big), ==, IKE_E_SYNTAX);
    }
    ike_ha_sync_req r = mid_req(mb);
    r.replay = true;
    r.delta = delta;
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    const ike_ev_rec *sent = last_event(&p, 1, IKE_EV_HA_SYNC_SENT);
    g_assert_cmpuint(sent->ev.ha_what, ==, IKE_HA_MID | IKE_HA_REPLAY);
    g_assert_cmpuint(sent->ev.ha_delta, ==, delta);
    g_assert_cmpuint(sent->ev.ha_delta_len, ==, esn ? 8 : 4);
    GBytes *req = g_bytes_ref(last_sent(&p, 1));
    pair_deliver(&p, MS);

    /* request: MID 0, N(16422) then N(16423) */
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG];
    g_assert_cmpuint(wire_hdr(req).msg_id, ==, 0);
    size_t first = open_msg(req, peer, &m, plain);
    g_assert_cmpuint(m.n - first, ==, 2);
    g_assert_cmpuint(wire_of(&m.pl[first])[0], ==, IKE_PL_NOTIFY); /* next payload */
    g_assert_cmpuint(get_be16(wire_of(&m.pl[first]) + 2), ==, 20);
    g_assert_cmpuint(get_be16(wire_of(&m.pl[first]) + 6), ==, IKE_N_MESSAGE_ID_SYNC);
    g_assert_cmpmem(wire_of(&m.pl[first + 1]), want_len, want, want_len);
    /* response: MID 0, N(16422) only */
    GBytes *resp = last_sent(&p, 0);
    g_assert_cmpuint(wire_hdr(resp).msg_id, ==, 0);
    first = open_msg(resp, mb, &m, plain);
    g_assert_cmpuint(m.n - first, ==, 1);
    g_assert_cmpuint(m.pl[first].u.notify.type, ==, IKE_N_MESSAGE_ID_SYNC);

    /* the peer: MID sync first, then the delta for its Child SAs */
    const ike_ev_rec *d = last_event(&p, 0, IKE_EV_HA_REPLAY_DELTA);
    g_assert_nonnull(d);
    g_assert_cmpuint(d->ev.ha_delta, ==, delta);
    g_assert_cmpuint(d->ev.ha_delta_len, ==, esn ? 8 : 4);
    g_assert_nonnull(d->ev.child);
    g_assert_cmpuint(d->ev.child->spi_out, ==, ike_sa_child(peer)->spi_out);
    const ike_ev_rec *ans = last_event(&p, 0, IKE_EV_HA_SYNC_ANSWERED);
    g_assert_true(ans < d);
    g_assert_cmpuint(ans->ev.ha_what, ==, IKE_HA_MID | IKE_HA_REPLAY);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    /* replayed: dropped at the MID step, so no second delta */
    inject(&p, 0, req);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HA_REPLAY_DELTA), ==, 1);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_STALE), ==, 1);
    g_bytes_unref(req);
    pair_free(&p);
}

static void test_replay_delta_4(void)
{
    static const uint8_t want[12] = {0, 0, 0, 12, 0, 0, 0x40, 0x27, 0x00, 0x01, 0x86, 0xa0};
    replay_with_mid(false, 100000, want, sizeof want);
}

static void test_replay_delta_8_esn(void)
{
    static const uint8_t want[16] = {0, 0, 0, 16, 0, 0, 0x40, 0x27, 0, 0, 0, 1, 0, 0, 0, 5};
    replay_with_mid(true, (1ull << 32) + 5, want, sizeof want);
}

/* Case 2: replay counters only, in an ordinary INFORMATIONAL at the
 * current Message ID, answered empty. */
static void test_replay_only(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 53, 1, false, &st); /* the replica is current */
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    ike_ha_sync_req r = {.replay = true, .delta = 5000};
    /* window 1: not while our own request is out (and that costs nothing) */
    g_assert_cmpint(ike_ep_liveness(p.ep[1], mb, p.now), ==, IKE_OK);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_E_STATE);
    guint answered = count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_LIVENESS_ANSWERED), ==, answered + 1);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    GBytes *req = last_sent(&p, 1);
    ike_hdr h = wire_hdr(req);
    g_assert_cmpuint(h.msg_id, ==, 2);
    g_assert_cmpuint(h.flags, ==, 0);
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG];
    size_t first = open_msg(req, peer, &m, plain);
    g_assert_cmpuint(m.n - first, ==, 1);
    static const uint8_t want[12] = {0, 0, 0, 12, 0, 0, 0x40, 0x27, 0, 0, 0x13, 0x88};
    g_assert_cmpmem(wire_of(&m.pl[first]), 12, want, 12);
    pair_deliver(&p, MS);
    GBytes *resp = last_sent(&p, 0);
    g_assert_cmpuint(wire_hdr(resp).msg_id, ==, 2);
    first = open_msg(resp, mb, &m, plain);
    g_assert_cmpuint(m.n, ==, first); /* an empty SK */
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_HA_REPLAY_DELTA)->ev.ha_delta, ==, 5000);
    g_assert_cmpuint(last_event(&p, 0, IKE_EV_HA_REPLAY_DELTA)->ev.ha_delta_len, ==, 4);
    g_assert_null(last_event(&p, 0, IKE_EV_HA_SYNC_ANSWERED)); /* no MID sync on the peer */
    const ike_ev_rec *ans = last_event(&p, 1, IKE_EV_HA_SYNC_ANSWERED);
    g_assert_cmpuint(ans->ev.ha_what, ==, IKE_HA_REPLAY);
    g_assert_cmpuint(ans->ev.msg_id, ==, 2);
    check(&p, 1, mb, 3);
    check(&p, 0, peer, 3);
    /* a replayed copy is an old MID: answered from cache at most, never re-applied */
    inject(&p, 0, req);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HA_REPLAY_DELTA), ==, 1);
    pair_drop_all(&p);
    pair_free(&p);

    /* not negotiated: still an INFORMATIONAL to answer, but no delta */
    ha_cfgs(&a, &b);
    a.replay_sync = false;
    prepare(&p, &a, &b, 54, 1, false, &st);
    mb = take_over(&p, &b, &st);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_E_NOT_NEGOTIATED);
    st.replay_sync = true; /* a corrupt replica */
    pair_reboot(&p, 1, &b);
    mb = ike_ep_import(p.ep[1], p.now, 0, &st);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_NOT_NEGOTIATED), ==, 1);
    g_assert_null(last_event(&p, 0, IKE_EV_HA_REPLAY_DELTA));
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    /* the same with MID sync: the MID part is answered, the delta is not */
    ike_sa_state st2;
    g_assert_cmpint(ike_sa_export(mb, &st2), ==, IKE_OK);
    mb = take_over(&p, &b, &st2);
    ike_ha_sync_req both = mid_req(mb);
    both.replay = true;
    both.delta = 77;
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &both), ==, IKE_OK);
    pair_deliver(&p, MS);
    g_assert_cmpuint(count_events(&p, 0, IKE_EV_HA_SYNC_ANSWERED), ==, 1);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_NOT_NEGOTIATED), ==, 2);
    g_assert_null(last_event(&p, 0, IKE_EV_HA_REPLAY_DELTA));
    g_assert_cmpuint(count_events(&p, 1, IKE_EV_HA_SYNC_ANSWERED), ==, 2);
    pair_free(&p);
}

/* With ESN the delta must be 8 octets: a 4-octet one is malformed. */
static void test_replay_length_must_match_esn(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    a.esp_esn = b.esp_esn = true;
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 55, 1, true, &st);
    ike_sa *mb = take_over(&p, &b, &st);
    guint peer_sent = p.sent[0]->len;
    uint8_t d12[12], d4[4] = {0, 0, 0, 9};
    ike_ha_mid_sync v = {7, 2, 3};
    ike_payload n[2] = {ike_ha_mid_sync_notify(&v, d12),
                        ike_pl_notify(IKE_PROTO_NONE, IKE_N_REPLAY_COUNTER_SYNC, d4, 4)};
    GBytes *f = forge(mb, false, 0, n, 2, 0xffff000000000001ull);
    inject(&p, 0, f);
    g_bytes_unref(f);
    g_assert_cmpuint(count_drops(&p, 0, IKE_HA_DROP_MALFORMED), ==, 1);
    g_assert_cmpint(last_event(&p, 0, IKE_EV_HA_SYNC_DROPPED)->ev.err, ==, IKE_E_BAD_LENGTH);
    g_assert_cmpuint(p.sent[0]->len, ==, peer_sent); /* the MID part was not applied either */
    g_assert_null(last_event(&p, 0, IKE_EV_HA_SYNC_ANSWERED));
    pair_free(&p);
}

/* --- export and import --- */

static void test_export_import_state(void)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    ike_pair p;
    ike_sa_state st;
    prepare(&p, &a, &b, 56, 2, false, &st);
    ike_sa *ma = pair_sa(&p, 1);
    g_assert_cmpuint(st.spi_i, ==, ike_sa_spi_i(ma));
    g_assert_cmpuint(st.spi_r, ==, ike_sa_spi_r(ma));
    g_assert_false(st.initiator);
    g_assert_cmpuint(st.next_mid_out, ==, 2);
    g_assert_cmpuint(st.next_mid_in, ==, 3);
    g_assert_true(st.has_resp);
    g_assert_cmpmem(st.resp, st.resp_len, ma->resp, ma->resp_len);
    g_assert_true(st.mid_sync && st.replay_sync);
    g_assert_true(st.has_child);
    g_assert_cmpmem(&st.child, sizeof st.child, ike_sa_child(ma), sizeof st.child);
    g_assert_cmpmem(st.peer_id, st.peer_id_len, "peer.example", 12);
    g_assert_false(st.sync_sent);
    g_assert_cmpint(st.sync_m_seen, ==, -1);
    /* the same SPI twice on one endpoint: refused */
    g_assert_null(ike_ep_import(p.ep[1], p.now, 0, &st));
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    g_assert_cmpmem(ike_sa_keys(mb), sizeof(ike_keys), ike_sa_keys(peer), sizeof(ike_keys));
    g_assert_true(ike_sa_established(mb));
    g_assert_false(ike_sa_is_initiator(mb));
    g_assert_cmpuint(ike_sa_peer(mb), ==, 0);
    g_assert_true(ike_sa_mid_sync(mb) && ike_sa_replay_sync(mb));
    g_assert_false(ike_sa_ha_last_sync(mb, &(uint32_t){0}, &(uint32_t){0}));
    const ike_ev_rec *imp = last_event(&p, 1, IKE_EV_SA_IMPORTED);
    g_assert_nonnull(imp->ev.child);
    g_assert_cmpuint(imp->ev.child->spi_in, ==, st.child.spi_in);
    /* the replica was current: the peer's retransmission of its last
     * request is answered from the replicated cache, bit for bit */
    GBytes *last_req = NULL;
    for (guint i = p.sent[0]->len; i-- > 0;) {
        ike_hdr h = wire_hdr(g_ptr_array_index(p.sent[0], i));
        if (!(h.flags & IKE_FLAG_R) && h.msg_id == 2) {
            last_req = g_ptr_array_index(p.sent[0], i);
            break;
        }
    }
    g_assert_nonnull(last_req);
    guint b_sent = p.sent[1]->len;
    inject(&p, 1, last_req);
    g_assert_cmpuint(p.sent[1]->len, ==, b_sent + 1);
    gsize rlen;
    const uint8_t *rb = g_bytes_get_data(last_sent(&p, 1), &rlen);
    g_assert_cmpmem(rb, rlen, st.resp, st.resp_len);
    pair_drop_all(&p);
    /* and without any sync the SA simply goes on */
    check(&p, 0, peer, 3);
    check(&p, 1, mb, 2);
    /* bad states are refused */
    ike_sa_state bad = st;
    bad.spi_r = 0;
    g_assert_null(ike_ep_import(p.ep[0], p.now, 1, &bad));
    bad = st;
    bad.resp_len = sizeof bad.resp + 1;
    g_assert_null(ike_ep_import(p.ep[0], p.now, 1, &bad));
    bad = st;
    bad.iv_counter = UINT64_MAX - 10;
    bad.spi_r ^= 1;
    bad.child.spi_in ^= 1;
    g_assert_null(ike_ep_import(p.ep[1], p.now, 0, &bad));
    pair_free(&p);
}

/* --- GCM IVs across members --- */

/* Distinct messages that side 1 sealed under one IV (one key: the
 * responder's SK_er, shared by every member). */
static guint iv_reuses(ike_pair *p)
{
    guint reuses = 0;
    GPtrArray *s = p->sent[1];
    for (guint i = 0; i < s->len; i++)
        for (guint j = i + 1; j < s->len; j++) {
            gsize li, lj;
            const uint8_t *x = g_bytes_get_data(s->pdata[i], &li), *y = g_bytes_get_data(s->pdata[j], &lj);
            if (x[16] != IKE_PL_SK || y[16] != IKE_PL_SK)
                continue;
            if (memcmp(x + 32, y + 32, 8) == 0 && !g_bytes_equal(s->pdata[i], s->pdata[j]))
                reuses++;
        }
    return reuses;
}

static uint64_t iv_of(GBytes *b)
{
    const uint8_t *d = g_bytes_get_data(b, NULL);
    return (uint64_t)get_be32(d + 32) << 32 | get_be32(d + 36);
}

static guint failovers_iv(uint64_t margin)
{
    ike_cfg a, b;
    ha_cfgs(&a, &b);
    b.ha_iv_margin = margin;
    ike_pair p;
    ike_sa_state st, st2;
    prepare(&p, &a, &b, 57, 1, true, &st); /* A seals two messages after the replica */
    ike_sa *peer = pair_sa(&p, 0);
    ike_sa *mb = take_over(&p, &b, &st);
    g_assert_cmpuint(mb->iv_counter, ==, st.iv_counter + margin);
    ike_ha_sync_req r = mid_req(mb);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mb, p.now, &r), ==, IKE_OK);
    g_assert_cmpuint(iv_of(last_sent(&p, 1)), ==, st.iv_counter + margin + 1);
    pair_deliver(&p, MS);
    check(&p, 0, peer, 4);
    g_assert_cmpint(ike_sa_export(mb, &st2), ==, IKE_OK);
    check(&p, 1, mb, 2); /* unreplicated again */
    ike_sa *mc = take_over(&p, &b, &st2);
    r = mid_req(mc);
    g_assert_cmpint(ike_ep_ha_sync(p.ep[1], mc, p.now, &r), ==, IKE_OK);
    pair_deliver(&p, MS);
    check(&p, 0, peer, 5);
    check(&p, 1, mc, 4);
    guint n = iv_reuses(&p);
    pair_free(&p);
    return n;
}

static void test_iv_never_repeats(void)
{
    g_assert_cmpuint(failovers_iv(1ull << 32), ==, 0);
    /* the check is real: without the margin the new member repeats IVs the
     * old one used after the replica (AES-GCM nonce reuse) */
    g_assert_cmpuint(failovers_iv(0), >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ha/codec", test_codec);
    g_test_add_func("/ha/names", test_names);
    g_test_add_func("/ha/capability/matrix", test_capability_matrix);
    g_test_add_func("/ha/export-import/state", test_export_import_state);
    g_test_add_func("/ha/failover/no-sync-peer-dies", test_no_sync_peer_dies);
    g_test_add_func("/ha/failover/stale-member-request-answered-from-cache",
                    test_stale_member_request_answered_from_cache);
    g_test_add_func("/ha/mid-sync/survives", test_sync_survives);
    g_test_add_func("/ha/mid-sync/first-member-request", test_sync_first_member_request);
    g_test_add_func("/ha/mid-sync/member-checks-answer", test_member_checks_answer);
    g_test_add_func("/ha/mid-sync/peer-drops-bad-requests", test_peer_drops_bad_requests);
    g_test_add_func("/ha/mid-sync/once-per-failover", test_once_per_failover);
    g_test_add_data_func("/ha/mid-sync/lost-answer-kills-sa", GINT_TO_POINTER(0), test_lost_sync_answer);
    g_test_add_data_func("/ha/mid-sync/lost-answer-answered-again", GINT_TO_POINTER(1), test_lost_sync_answer);
    g_test_add_func("/ha/mid-sync/peer-abandons-request", test_peer_abandons_request);
    g_test_add_func("/ha/mid-sync/member-abandons-request", test_member_abandons_request);
    g_test_add_data_func("/ha/multiple-failover/without-replicated-values", GINT_TO_POINTER(0),
                         test_multiple_failover);
    g_test_add_data_func("/ha/multiple-failover/with-replicated-values", GINT_TO_POINTER(1),
                         test_multiple_failover);
    g_test_add_func("/ha/replay/delta-4", test_replay_delta_4);
    g_test_add_func("/ha/replay/delta-8-esn", test_replay_delta_8_esn);
    g_test_add_func("/ha/replay/only", test_replay_only);
    g_test_add_func("/ha/replay/length-must-match-esn", test_replay_length_must_match_esn);
    g_test_add_func("/ha/iv/never-repeats", test_iv_never_repeats);
    return g_test_run();
}
