/* test_resume.c — RFC 5723 session resumption in the model, both ends, at
 * exact times: the ticket in IKE_AUTH, IKE_SESSION_RESUME after the gateway
 * crashed (keys from the old SK_d and this exchange's nonces, no key
 * exchange), the fallback to a full handshake on TICKET_NACK and on no
 * answer, expired, forged and unknown-key tickets refused, the ticket key
 * kept across a crash and rolled over, a ticket asked for in INFORMATIONAL,
 * and the old SA deleted silently when a live gateway resumes it.
 *
 * With a pre-shared key a resumption takes as many round trips as a full
 * handshake (IKE_SESSION_RESUME and IKE_AUTH against IKE_SA_INIT and
 * IKE_AUTH: RFC 5723 saves round trips only where IKE_AUTH takes several,
 * as with EAP); what it saves is the Diffie-Hellman, asserted here by the
 * keys being exactly those of §5.1, and measured by ikesim-bench-resume. */
#include <string.h>

#include "ike_rekey_keys.h"
#include "ike_resume_wire.h"
#include "ikepair.h"

#define HOP (5 * MS)

typedef struct world {
    ike_pair p;
    ike_cfg client, gw;
    ike_ticket_keys keys; /* the gateway's non-volatile ticket keys */
} world;

static void world_init(world *w, uint32_t lifetime_s)
{
    ike_test_cfg(&w->client, "client.example");
    ike_test_cfg(&w->gw, "gw.example");
    w->client.resume.client = true;
    uint8_t id[IKE_TICKET_KEY_ID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8}, key[IKE_TICKET_KEY_LEN] = {42};
    ike_ticket_keys_init(&w->keys, id, key);
    w->gw.resume.keys = &w->keys;
    w->gw.resume.lifetime_s = lifetime_s;
    pair_init(&w->p, &w->client, &w->gw, 11);
    pair_establish(&w->p);
}

/* The nth datagram side `from` sent, parsed, its SK payload opened with sa's keys. */
static void open_sent(ike_pair *p, int from, guint nth, const ike_sa *sa, ike_msg *m, uint8_t *plain)
{
    g_assert_cmpuint(p->sent[from]->len, >, nth);
    gsize len;
    const uint8_t *b = g_bytes_get_data(g_ptr_array_index(p->sent[from], nth), &len);
    g_assert_cmpint(ike_parse(b, len, m), ==, IKE_OK);
    if (m->hdr.next_payload != IKE_PL_SK)
        return;
    bool by_initiator = (m->hdr.flags & IKE_FLAG_I) != 0;
    const ike_keys *k = ike_sa_keys(sa);
    g_assert_cmpint(ike_sk_open(ike_sa_suite(sa), by_initiator ? k->ei : k->er, by_initiator ? k->ai : k->ar, b,
                                len, m, plain, IKE_MAX_MSG),
                    ==, IKE_OK);
}

/* The ticket of the nth TICKET_LT_OPAQUE the gateway sent in message `msg`. */
static GBytes *ticket_sent(ike_pair *p, guint msg, const ike_sa *gw_sa, uint32_t *lifetime)
{
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG];
    open_sent(p, 1, msg, gw_sa, &m, plain);
    ike_ticket_reply r;
    g_assert_cmpint(ike_ticket_reply_read(&m, 1, &r), ==, IKE_OK);
    g_assert_cmpint(r.answer, ==, IKE_TICKET_GRANTED);
    *lifetime = r.lifetime_s;
    return g_bytes_new(r.ticket.p, r.ticket.len);
}

/* The client's SA goes as it would after the gateway crashed: a liveness
 * check unanswered until the retransmissions run out.  Returns that time. */
static uint64_t client_sees_dead(ike_pair *p)
{
    ike_sa *sa = pair_sa(p, 0);
    g_assert_cmpint(ike_ep_liveness(p->ep[0], sa, p->now), ==, IKE_OK);
    while (count_events(p, 0, IKE_EV_SA_DELETED) == 0) {
        pair_advance(p, ike_ep_next_deadline(p->ep[0]));
        pair_drop_all(p);
    }
    const ike_ev_rec *d = last_event(p, 0, IKE_EV_SA_DELETED);
    g_assert_cmpint(d->ev.reason, ==, IKE_DEL_TIMEOUT);
    return d->ev.now;
}

static void test_ticket_in_auth(void)
{
    world w;
    world_init(&w, 3600);
    ike_pair *p = &w.p;
    ike_sa *c = pair_sa(p, 0), *g = pair_sa(p, 1);
    /* IKE_AUTH request carries N(TICKET_REQUEST), its response N(TICKET_LT_OPAQUE) */
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG];
    open_sent(p, 0, 1, c, &m, plain);
    g_assert_true(ike_ticket_requested(&m, 1));
    uint32_t lifetime;
    g_autoptr(GBytes) t = ticket_sent(p, 1, g, &lifetime);
    g_assert_cmpuint(lifetime, ==, 3600);
    /* the ticket opens with the gateway's key and carries the SA's state */
    ike_ticket_state st;
    gsize tlen;
    const uint8_t *tb = g_bytes_get_data(t, &tlen);
    g_assert_cmpint(ike_ticket_open(&w.keys, tb, tlen, p->now, &st), ==, IKE_OK);
    g_assert_cmpuint(st.spi_i, ==, ike_sa_spi_i(g));
    g_assert_cmpuint(st.spi_r, ==, ike_sa_spi_r(g));
    g_assert_cmpmem(st.sk_d, IKE_PRF_LEN, ike_sa_keys(g)->d, IKE_PRF_LEN);
    g_assert_cmpmem(st.id_i, st.id_i_len, "client.example", 14);
    g_assert_cmpmem(st.id_r, st.id_r_len, "gw.example", 10);
    g_assert_cmpuint(st.expires, ==, 3 * MS + 3600 * SEC); /* sealed when the response went out, at 3 ms */
    g_assert_cmpuint(count_events(p, 0, IKE_EV_TICKET_GRANTED), ==, 1);
    g_assert_cmpuint(count_events(p, 1, IKE_EV_TICKET_GRANTED), ==, 1);
    g_assert_cmpuint(last_event(p, 0, IKE_EV_TICKET_GRANTED)->ev.len, ==, tlen);
    /* held until its lifetime is over, measured from its arrival at 4 ms */
    g_assert_true(ike_ep_has_ticket(p->ep[0], 4 * MS + 3600 * SEC - 1, 1));
    g_assert_false(ike_ep_has_ticket(p->ep[0], 4 * MS + 3600 * SEC, 1));
    g_assert_null(ike_ep_resume(p->ep[0], 4 * MS + 3600 * SEC, 1)); /* never present an expired ticket */
    g_assert_false(ike_ep_has_ticket(p->ep[0], p->now, 1));         /* ...and it is gone */
    pair_free(p);
}

/* The gateway crashes; the client resumes: two round trips, no KE payload,
 * keys exactly §5.1's from the old SK_d; then a Child SA both sides agree on. */
static void test_resume_after_crash(void)
{
    world w;
    world_init(&w, 3600);
    ike_pair *p = &w.p;
    ike_sa *g = pair_sa(p, 1);
    uint8_t sk_d_old[IKE_PRF_LEN];
    memcpy(sk_d_old, ike_sa_keys(g)->d, IKE_PRF_LEN);
    pair_advance(p, 10 * SEC);
    pair_reboot(p, 1, &w.gw); /* the ticket keys survive: they are the caller's */
    uint64_t dead = client_sees_dead(p);
    g_assert_true(ike_ep_has_ticket(p->ep[0], dead, 1)); /* the ticket outlived its SA */
    guint sent0 = p->sent[0]->len, sent1 = p->sent[1]->len;

    ike_sa *c = ike_ep_resume(p->ep[0], dead, 1);
    g_assert_nonnull(c);
    g_assert_false(ike_ep_has_ticket(p->ep[0], dead, 1)); /* used once */
    g_assert_cmpint(pair_deliver(p, HOP), ==, 4);
    g_assert_cmpuint(p->sent[0]->len - sent0, ==, 2); /* IKE_SESSION_RESUME, IKE_AUTH */
    g_assert_cmpuint(p->sent[1]->len - sent1, ==, 2);
    g_assert_cmpuint(last_event(p, 1, IKE_EV_RESUME_ACCEPTED)->ev.now, ==, dead + HOP);
    g_assert_cmpuint(last_event(p, 0, IKE_EV_RESUME_ACCEPTED)->ev.now, ==, dead + 2 * HOP);
    g_assert_cmpuint(last_event(p, 1, IKE_EV_SA_ESTABLISHED)->ev.now, ==, dead + 3 * HOP);
    g_assert_cmpuint(last_event(p, 0, IKE_EV_SA_ESTABLISHED)->ev.now, ==, dead + 4 * HOP);

    /* the exchange on the wire: HDR(38), Ni, N(TICKET_OPAQUE) and HDR(38), Nr; no SA, no KE */
    ike_msg req, resp;
    uint8_t plain[IKE_MAX_MSG];
    ike_resume_msg rq, rs;
    open_sent(p, 0, sent0, c, &req, plain);
    open_sent(p, 1, sent1, c, &resp, plain);
    g_assert_cmpint(req.hdr.exchange, ==, IKE_SESSION_RESUME);
    g_assert_cmpuint(req.hdr.spi_r, ==, 0);
    g_assert_cmpint(ike_resume_read(&req, &rq), ==, IKE_OK);
    g_assert_cmpint(ike_resume_read(&resp, &rs), ==, IKE_OK);
    g_assert_null(ike_find(&req, IKE_PL_KE, NULL));
    g_assert_null(ike_find(&resp, IKE_PL_KE, NULL));
    ike_keys want;
    g_assert_cmpint(ike_resume_keys(ike_sa_suite(c), sk_d_old, rq.nonce.p, rq.nonce.len, rs.nonce.p, rs.nonce.len,
                                    ike_sa_spi_i(c), ike_sa_spi_r(c), &want),
                    ==, IKE_OK);
    ike_sa *c2 = pair_sa(p, 0), *g2 = pair_sa(p, 1);
    g_assert_true(c2 == c);
    g_assert_cmpmem(ike_sa_keys(c)->ei, 36, want.ei, 36);
    g_assert_cmpmem(ike_sa_keys(g2)->er, 36, want.er, 36);
    g_assert_cmpmem(ike_sa_keys(g2)->d, IKE_PRF_LEN, want.d, IKE_PRF_LEN);
    /* the Child SA: each side's outbound is the other's inbound */
    const ike_child *cc = ike_sa_child(c), *gc = ike_sa_child(g2);
    g_assert_nonnull(cc);
    g_assert_nonnull(gc);
    g_assert_cmpuint(cc->spi_out, ==, gc->spi_in);
    g_assert_cmpmem(cc->key_out, 36, gc->key_in, 36);
    /* a new ticket came with the resumed IKE_AUTH (§4.3.3) */
    g_assert_true(ike_ep_has_ticket(p->ep[0], p->now, 1));
    g_assert_cmpuint(count_events(p, 0, IKE_EV_TICKET_GRANTED), ==, 2);
    pair_free(p);
}

/* The same crash answered with a full handshake: also two round trips, and a KE each way. */
static void test_full_handshake_after_crash(void)
{
    world w;
    world_init(&w, 3600);
    ike_pair *p = &w.p;
    pair_advance(p, 10 * SEC);
    pair_reboot(p, 1, &w.gw);
    uint64_t dead = client_sees_dead(p);
    guint sent0 = p->sent[0]->len;
    g_assert_nonnull(ike_ep_initiate(p->ep[0], dead, 1));
    g_assert_cmpint(pair_deliver(p, HOP), ==, 4);
    g_assert_cmpuint(p->sent[0]->len - sent0, ==, 2);
    g_assert_cmpuint(last_event(p, 0, IKE_EV_SA_ESTABLISHED)->ev.now, ==, dead + 4 * HOP);
    ike_msg m;
    uint8_t plain[IKE_MAX_MSG];
    open_sent(p, 0, sent0, pair_sa(p, 0), &m, plain);
    g_assert_nonnull(ike_find(&m, IKE_PL_KE, NULL));
    pair_free(p);
}

/* A gateway that lost its ticket keys answers TICKET_NACK; the client runs
 * IKE_SA_INIT at once under a new SPIi: one round trip more than a
 * resumption that works. */
static void test_nack_falls_back(void)
{
    world w;
    world_init(&w, 3600);
    ike_pair *p = &w.p;
    pair_advance(p, 10 * SEC);
    uint8_t id[IKE_TICKET_KEY_ID_LEN] = {9}, key[IKE_TICKET_KEY_LEN] = {9};
    ike_ticket_keys_init(&w.keys, id, key); /* new keys: the old tickets are unknown */
    pair_reboot(p, 1, &w.gw);
    uint64_t dead = client_sees_dead(p);
    ike_sa *c = ike_ep_resume(p->ep[0], dead, 1);
    uint64_t spi_resume = ike_sa_spi_i(c);
    g_assert_cmpint(pair_deliver(p, HOP), ==, 6);
    const ike_ev_rec *r = last_event(p, 1, IKE_EV_RESUME_REFUSED);
    g_assert_cmpint(r->ev.err, ==, IKE_E_TICKET_KEY);
    g_assert_cmpuint(r->ev.now, ==, dead + HOP);
    r = last_event(p, 0, IKE_EV_RESUME_REFUSED);
    g_assert_cmpuint(r->ev.notify, ==, IKE_N_TICKET_NACK);
    g_assert_cmpuint(r->ev.now, ==, dead + 2 * HOP);
    ike_sa *c2 = pair_sa(p, 0);
    g_assert_true(c2 == c);
    g_assert_cmpuint(ike_sa_spi_i(c), !=, spi_resume);
    g_assert_cmpuint(last_event(p, 0, IKE_EV_SA_ESTABLISHED)->ev.now, ==, dead + 6 * HOP);
    g_assert_cmpuint(count_events(p, 0, IKE_EV_SA_DELETED), ==, 1); /* only the dead one */
    /* the NACK on the wire: HDR(SPIi, 0, 38, R), N(TICKET_NACK) in the clear */
    ike_msg m;
    ike_resume_msg rm;
    uint8_t plain[IKE_MAX_MSG];
    open_sent(p, 1, p->sent[1]->len - 3, c, &m, plain);
    g_assert_cmpint(ike_resume_read(&m, &rm), ==, IKE_OK);
    g_assert_true(rm.nack);
    g_assert_cmpuint(m.hdr.spi_i, ==, spi_resume);
    g_assert_cmpuint(m.hdr.spi_r, ==, 0);
    g_assert_true(ike_ep_has_ticket(p->ep[0], p->now, 1)); /* the full handshake asked for a new one */
    pair_free(p);
}

/* A gateway without RFC 5723 (as charon 5.9.8) does not answer: the client
 * falls back after resume.timeout_ms, or when the schedule runs out. */
static void no_answer(uint32_t timeout_ms, uint64_t want_after)
{
    world w;
    ike_test_cfg(&w.client, "client.example");
    w.client.resume.client = true;
    w.client.resume.timeout_ms = timeout_ms;
    ike_test_cfg(&w.gw, "gw.example");
    uint8_t id[IKE_TICKET_KEY_ID_LEN] = {1}, key[IKE_TICKET_KEY_LEN] = {1};
    ike_ticket_keys_init(&w.keys, id, key);
    w.gw.resume.keys = &w.keys;
    w.gw.resume.lifetime_s = 3600;
    pair_init(&w.p, &w.client, &w.gw, 3);
    ike_pair *p = &w.p;
    pair_establish(p);
    pair_advance(p, 10 * SEC);
    w.gw.resume.keys = NULL; /* back without resumption */
    pair_reboot(p, 1, &w.gw);
    uint64_t dead = client_sees_dead(p);
    ike_sa *c = ike_ep_resume(p->ep[0], dead, 1);
    g_assert_nonnull(c);
    while (count_events(p, 0, IKE_EV_RESUME_REFUSED) == 0) {
        pair_deliver(p, HOP); /* delivered and dropped unanswered */
        pair_advance(p, ike_ep_next_deadline(p->ep[0]));
    }
    const ike_ev_rec *r = last_event(p, 0, IKE_EV_RESUME_REFUSED);
    g_assert_cmpuint(r->ev.now, ==, dead + want_after);
    g_assert_cmpuint(r->ev.notify, ==, 0);
    g_assert_cmpuint(pair_deliver(p, HOP), ==, 4); /* then IKE_SA_INIT and IKE_AUTH */
    g_assert_cmpuint(last_event(p, 0, IKE_EV_SA_ESTABLISHED)->ev.now, ==, dead + want_after + 4 * HOP);
    pair_free(p);
}

static void test_no_answer_timeout(void) { no_answer(2000, 2 * SEC); }

static void test_no_answer_schedule(void)
{
    ike_retx r = IKE_RETX_STRONGSWAN;
    no_answer(0, ike_retx_total_ns(&r));
}

/* A resumption request with this ticket, as the client at spi_i would send it. */
static GBytes *resume_request(GBytes *ticket, uint64_t spi_i)
{
    uint8_t ni[32] = {7};
    gsize len;
    const uint8_t *t = g_bytes_get_data(ticket, &len);
    ike_resume_msg r = {.nonce = {ni, sizeof ni}, .ticket = {t, len}};
    ike_msg m;
    uint8_t buf[IKE_MAX_MSG];
    size_t n;
    g_assert_cmpint(ike_resume_request(spi_i, &r, &m), ==, IKE_OK);
    g_assert_cmpint(ike_encode(&m, buf, sizeof buf, &n), ==, IKE_OK);
    return g_bytes_new(buf, n);
}

/* Presents a ticket to the gateway at time t: its verdict (IKE_OK: accepted). */
static int present(ike_pair *p, GBytes *ticket, uint64_t t, uint64_t spi_i)
{
    pair_advance(p, t);
    guint before = count_events(p, 1, IKE_EV_RESUME_ACCEPTED);
    g_autoptr(GBytes) req = resume_request(ticket, spi_i);
    gsize len;
    const uint8_t *b = g_bytes_get_data(req, &len);
    pair_inject(p, 1, b, len);
    pair_drop_all(p);
    if (count_events(p, 1, IKE_EV_RESUME_ACCEPTED) > before)
        return IKE_OK;
    const ike_ev_rec *r = last_event(p, 1, IKE_EV_RESUME_REFUSED);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->ev.now, ==, t);
    return r->ev.err;
}

static void test_refused_tickets(void)
{
    world w;
    world_init(&w, 60);
    ike_pair *p = &w.p;
    uint32_t lifetime;
    g_autoptr(GBytes) t = ticket_sent(p, 1, pair_sa(p, 1), &lifetime);
    g_assert_cmpuint(lifetime, ==, 60);
    /* sealed at 3 ms: expired from 60.003 s on */
    /* a headend with a CPU budget queues it as a resumption, not as a handshake */
    g_autoptr(GBytes) rq = resume_request(t, 0x1111);
    gsize rq_len;
    const uint8_t *rq_b = g_bytes_get_data(rq, &rq_len);
    g_assert_cmpint(ike_ep_admit(p->ep[1], p->now, 0, rq_b, rq_len), ==, IKE_ADMIT_RESUME);
    g_assert_cmpint(ike_ep_admit(p->ep[0], p->now, 1, rq_b, rq_len), ==, IKE_ADMIT_OTHER); /* no ticket keys */
    g_assert_cmpint(present(p, t, 60 * SEC + 3 * MS - 1, 0x1111), ==, IKE_OK);
    g_assert_cmpint(present(p, t, 60 * SEC + 3 * MS, 0x2222), ==, IKE_E_EXPIRED);
    /* forged: one bit of the sealed part flipped */
    gsize len;
    const uint8_t *orig = g_bytes_get_data(t, &len);
    uint8_t *f = g_memdup2(orig, len);
    f[IKE_TICKET_HDR_LEN + 3] ^= 1;
    g_autoptr(GBytes) forged = g_bytes_new_take(f, len);
    g_assert_cmpint(present(p, forged, 61 * SEC, 0x3333), ==, IKE_E_ICV);
    /* and a key id the gateway never had */
    uint8_t *k = g_memdup2(orig, len);
    k[4] ^= 0xff;
    g_autoptr(GBytes) unknown = g_bytes_new_take(k, len);
    g_assert_cmpint(present(p, unknown, 62 * SEC, 0x4444), ==, IKE_E_TICKET_KEY);
    pair_free(p);
}

/* roll_s 100, grace_s 50: the ticket from 3 ms is sealed under the first
 * key; the ticket asked for in INFORMATIONAL at 150 s rolls the key over;
 * the first key still opens tickets until 200 s, then none. */
static void test_key_rollover(void)
{
    world w;
    ike_test_cfg(&w.client, "client.example");
    ike_test_cfg(&w.gw, "gw.example");
    w.client.resume.client = true;
    uint8_t id[IKE_TICKET_KEY_ID_LEN] = {1}, key[IKE_TICKET_KEY_LEN] = {1};
    ike_ticket_keys_init(&w.keys, id, key);
    w.gw.resume = (ike_resume_cfg){.keys = &w.keys, .lifetime_s = 3600, .roll_s = 100, .grace_s = 50};
    pair_init(&w.p, &w.client, &w.gw, 5);
    ike_pair *p = &w.p;
    pair_establish(p);
    uint32_t lifetime;
    g_autoptr(GBytes) first = ticket_sent(p, 1, pair_sa(p, 1), &lifetime);
    g_assert_cmpuint(w.keys.n_old, ==, 0);

    pair_advance(p, 150 * SEC);
    guint sent1 = p->sent[1]->len;
    g_assert_cmpint(ike_ep_request_ticket(p->ep[0], pair_sa(p, 0), p->now), ==, IKE_OK);
    g_assert_cmpint(pair_deliver(p, HOP), ==, 2);
    g_assert_cmpuint(w.keys.n_old, ==, 1);
    g_assert_cmpmem(w.keys.old[0].id, IKE_TICKET_KEY_ID_LEN, id, IKE_TICKET_KEY_ID_LEN);
    g_assert_cmpuint(w.keys.old[0].retire_at, ==, 150 * SEC + HOP + 50 * SEC);
    g_assert_cmpuint(w.keys.cur_since, ==, 150 * SEC + HOP);
    g_autoptr(GBytes) second = ticket_sent(p, sent1, pair_sa(p, 1), &lifetime);
    gsize l1, l2;
    const uint8_t *b1 = g_bytes_get_data(first, &l1), *b2 = g_bytes_get_data(second, &l2);
    g_assert_cmpmem(b2 + 4, IKE_TICKET_KEY_ID_LEN, w.keys.cur.id, IKE_TICKET_KEY_ID_LEN);
    g_assert_true(memcmp(b1 + 4, b2 + 4, IKE_TICKET_KEY_ID_LEN) != 0);
    g_assert_cmpuint(count_events(p, 0, IKE_EV_TICKET_GRANTED), ==, 2);

    /* across a crash: the keys are the caller's */
    pair_reboot(p, 1, &w.gw);
    g_assert_cmpint(present(p, first, 200 * SEC + HOP - 1, 0x5555), ==, IKE_OK);
    g_assert_cmpint(present(p, first, 200 * SEC + HOP, 0x6666), ==, IKE_E_TICKET_KEY);
    g_assert_cmpint(present(p, second, 200 * SEC + HOP, 0x7777), ==, IKE_OK);
    pair_free(p);
}

/* The gateway never crashed (the client only lost its path): the resumed
 * SA replaces the old one, which goes without a Delete (§4.3.4). */
static void test_old_sa_superseded(void)
{
    world w;
    world_init(&w, 3600);
    ike_pair *p = &w.p;
    ike_sa *g = pair_sa(p, 1);
    uint64_t old_i = ike_sa_spi_i(g), old_r = ike_sa_spi_r(g);
    pair_advance(p, 10 * SEC);
    uint64_t dead = client_sees_dead(p); /* its liveness checks were lost */
    guint sent1 = p->sent[1]->len;
    g_assert_nonnull(ike_ep_resume(p->ep[0], dead, 1));
    g_assert_cmpint(pair_deliver(p, HOP), ==, 4);
    const ike_ev_rec *d = last_event(p, 1, IKE_EV_SA_DELETED);
    g_assert_nonnull(d);
    g_assert_cmpint(d->ev.reason, ==, IKE_DEL_RESUMED);
    g_assert_cmpuint(d->ev.spi_i, ==, old_i);
    g_assert_cmpuint(d->ev.spi_r, ==, old_r);
    g_assert_cmpuint(d->ev.now, ==, dead + 3 * HOP);
    g_assert_false(ike_del_peer_dead(IKE_DEL_RESUMED));
    g_assert_cmpuint(p->sent[1]->len - sent1, ==, 2); /* no Delete went out */
    g_assert_cmpuint(ike_ep_sa_count(p->ep[1]), ==, 1);
    pair_free(p);
}

/* A Delete ends the ticket with its SA (§6.2); a client without resume asks for none. */
static void test_ticket_lifecycle(void)
{
    world w;
    world_init(&w, 3600);
    ike_pair *p = &w.p;
    g_assert_true(ike_ep_has_ticket(p->ep[0], p->now, 1));
    g_assert_cmpint(ike_ep_delete(p->ep[0], pair_sa(p, 0), p->now), ==, IKE_OK);
    pair_deliver(p, HOP);
    g_assert_false(ike_ep_has_ticket(p->ep[0], p->now, 1));
    g_assert_null(ike_ep_resume(p->ep[0], p->now, 1));
    pair_free(p);

    ike_cfg a, b;
    ike_test_cfg(&a, "client.example");
    ike_test_cfg(&b, "gw.example");
    ike_ticket_keys keys;
    uint8_t id[IKE_TICKET_KEY_ID_LEN] = {1}, key[IKE_TICKET_KEY_LEN] = {1};
    ike_ticket_keys_init(&keys, id, key);
    b.resume.keys = &keys;
    b.resume.lifetime_s = 10;
    pair_init(p, &a, &b, 1);
    pair_establish(p);
    g_assert_cmpuint(count_events(p, 1, IKE_EV_TICKET_GRANTED), ==, 0);
    g_assert_false(ike_ep_has_ticket(p->ep[0], p->now, 1));
    b.resume.lifetime_s = 0;
    g_assert_cmpint(ike_cfg_check(&b), ==, IKE_E_SYNTAX); /* a ticket's lifetime is finite */
    pair_free(p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/resume/ticket-in-auth", test_ticket_in_auth);
    g_test_add_func("/resume/after-crash", test_resume_after_crash);
    g_test_add_func("/resume/full-handshake-after-crash", test_full_handshake_after_crash);
    g_test_add_func("/resume/nack-falls-back", test_nack_falls_back);
    g_test_add_func("/resume/no-answer-timeout", test_no_answer_timeout);
    g_test_add_func("/resume/no-answer-schedule", test_no_answer_schedule);
    g_test_add_func("/resume/refused-tickets", test_refused_tickets);
    g_test_add_func("/resume/key-rollover", test_key_rollover);
    g_test_add_func("/resume/old-sa-superseded", test_old_sa_superseded);
    g_test_add_func("/resume/ticket-lifecycle", test_ticket_lifecycle);
    return g_test_run();
}
