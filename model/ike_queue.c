/* ike_queue.c — an IKE SA's tasks, one at a time.
 *
 * Window 1 both ways (RFC 7296 §2.3): one request of ours in flight
 * (sa->req), the peer's next request expected at next_mid_in.  Tasks asked
 * for while ours is in flight wait in sa->pending and start in the order of
 * ike_tasks[] once the SA is established and idle.
 *
 * Our request and the peer's can cross; this file decides what one does to
 * the other.  Today: the peer's Delete of the IKE SA ends ours with the SA
 * (its responder deletes the SA after answering); the peer's MID sync makes
 * ours moot (queue_abandon).  Which other requests cross ours is the table
 * `crossing` below: refused with TEMPORARY_FAILURE, or answered and weighed
 * by the nonces of both exchanges (RFC 7296 §2.8.1, ike_collide.h) once
 * our response is in.
 */
#include <string.h>

#include "ike_internal.h"

bool task_if_established(const ike_sa *sa, const ike_hdr *h)
{
    (void)h;
    return ike_sa_established(sa);
}

static unsigned bit(task_kind kind) { return 1u << kind; }

void queue_run(ike_sa *sa, uint64_t now)
{
    if (sa->state != SA_ESTABLISHED || sa->req.active || !sa->pending)
        return;
    for (task_kind k = 0; k < TASK_COUNT; k++) {
        if (!(sa->pending & bit(k)))
            continue;
        sa->pending &= ~bit(k);
        if (ike_tasks[k].flags & TASK_ENDS_SA)
            sa->pending = 0; /* nothing runs after the SA's end */
        ike_tasks[k].initiate(sa, now);
        return;
    }
}

int queue_add(ike_sa *sa, uint64_t now, task_kind kind)
{
    if (!minimal_may_initiate(sa->ep, kind))
        return IKE_E_STATE;
    if (sa->req.active) {
        sa->pending |= bit(kind);
        return IKE_OK;
    }
    if (ike_tasks[kind].flags & TASK_ENDS_SA)
        sa->pending = 0;
    int rc = ike_tasks[kind].initiate(sa, now);
    ep_rearm(sa->ep, sa);
    return rc;
}

/* [ours in flight][theirs]: RFC 7296 §2.25.1 (Child SAs), §2.25.2 (the IKE SA). */
static const uint8_t crossing[TASK_COUNT][TASK_COUNT] = {
    [TASK_CHILD_SA][TASK_CHILD_SA] = QUEUE_COLLIDE, /* the same Child SA: one table row per SA here */
    [TASK_DELETE][TASK_CHILD_SA] = QUEUE_REFUSE,    /* we are closing the IKE SA */
    [TASK_IKE_REKEY][TASK_CHILD_SA] = QUEUE_REFUSE, /* we are rekeying the IKE SA */
    /* the peer's IKE SA rekey: while we change the SA (a Child SA rekey, a Delete), TEMPORARY_FAILURE;
     * ike_ike_rekey.c also refuses it while any other request of ours is in flight, which the old SA
     * could not take along; crossing our own IKE SA rekey, §2.8.2's nonces decide */
    [TASK_CHILD_SA][TASK_IKE_REKEY] = QUEUE_REFUSE,
    [TASK_CHILD_DELETE][TASK_IKE_REKEY] = QUEUE_REFUSE,
    [TASK_DELETE][TASK_IKE_REKEY] = QUEUE_REFUSE,
    [TASK_IKE_REKEY][TASK_IKE_REKEY] = QUEUE_COLLIDE,
};

enum { NONCE_MAX = 256 }; /* RFC 7296 §3.9 */

/* The peer's exchange that collided with ours: its Ni, our Nr. */
struct ike_crossed {
    task_kind theirs;
    size_t ni_len, nr_len;
    uint8_t ni[NONCE_MAX], nr[NONCE_MAX];
};

queue_cross queue_crossing(const ike_sa *sa, task_kind theirs)
{
    return sa->req.active ? (queue_cross)crossing[sa->req.kind][theirs] : QUEUE_INDEPENDENT;
}

void queue_collided(ike_sa *sa, task_kind theirs, const uint8_t *peer_ni, size_t peer_ni_len,
                    const uint8_t *our_nr, size_t our_nr_len)
{
    if (peer_ni_len > NONCE_MAX || our_nr_len > NONCE_MAX)
        return;
    struct ike_crossed *c = sa->crossed ? sa->crossed : g_new0(struct ike_crossed, 1);
    c->theirs = theirs;
    memcpy(c->ni, peer_ni, peer_ni_len);
    c->ni_len = peer_ni_len;
    memcpy(c->nr, our_nr, our_nr_len);
    c->nr_len = our_nr_len;
    sa->crossed = c;
}

bool queue_collision(ike_sa *sa, task_kind theirs, const uint8_t *our_ni, size_t our_ni_len,
                     const uint8_t *peer_nr, size_t peer_nr_len, ike_collision *verdict)
{
    struct ike_crossed *c = sa->crossed;
    bool hit = c && c->theirs == theirs;
    if (hit)
        *verdict = ike_rekey_collision(our_ni, our_ni_len, peer_nr, peer_nr_len, c->ni, c->ni_len, c->nr,
                                       c->nr_len);
    queue_free(sa);
    return hit;
}

void queue_free(ike_sa *sa)
{
    g_free(sa->crossed);
    sa->crossed = NULL;
}

void queue_abandon(ike_sa *sa, uint64_t now)
{
    if (!sa->req.active)
        return;
    queue_free(sa);
    ike_event ev = {.now = now, .exchange = sa->req.exchange, .msg_id = sa->req.mid};
    sa_request_done(sa, now);
    ep_emit(sa->ep, IKE_EV_REQUEST_ABANDONED, sa, &ev);
}

ike_del_reason queue_give_up_reason(const ike_sa *sa)
{
    return ike_tasks[sa->req.kind].flags & TASK_ENDS_SA ? IKE_DEL_LOCAL : IKE_DEL_TIMEOUT;
}

/* A fresh request: every responder of its exchange type that takes it adds
 * to one response. */
static void on_request(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    const ike_hdr *h = rx->h;
    ike_reply reply;
    reply.n = 0;
    bool taken = false;
    sa_received(sa, now, h, rx->len); /* authentic: the peer is alive, whatever follows */
    if (ep_minimal(sa->ep)) {
        minimal_on_request(sa, now, rx);
        return;
    }
    for (task_kind k = 0; k < TASK_COUNT; k++) {
        const ike_task_def *t = &ike_tasks[k];
        if (t->exchange != h->exchange || !t->on_request || (t->takes && !t->takes(sa, h)))
            continue;
        taken = true;
        if (t->on_request(sa, now, rx, &reply) == TASK_DONE)
            return;
    }
    if (taken)
        sa_respond(sa, now, h->exchange, h->msg_id, reply.pl, reply.n);
    else
        sa_dropped(sa, now, h, rx->len, IKE_E_STATE);
}

/* The response to our request goes to the task that sent it. */
static void on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    const ike_task_def *t = &ike_tasks[sa->req.kind];
    if (!(t->flags & TASK_VETS_RESPONSE))
        sa_received(sa, now, rx->h, rx->len);
    t->on_response(sa, now, rx);
}

static void receive_protected(ike_sa *sa, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len,
                              ike_msg *m)
{
    const ike_hdr h = m->hdr;
    bool response = (h.flags & IKE_FLAG_R) != 0;
    if (sa->state == SA_INIT_SENT) { /* no keys yet */
        sa_dropped(sa, now, &h, len, IKE_E_STATE);
        return;
    }
    /* Only a request we are about to process, or the response we wait for,
     * is worth decrypting; the rest is dropped or answered from cache. */
    bool fresh = response ? (sa->req.active && h.msg_id == sa->req.mid && h.exchange == sa->req.exchange)
                          : h.msg_id == sa->next_mid_in;
    bool retransmitted = !response && sa->resp_valid && h.msg_id + 1 == sa->next_mid_in;
    /* RFC 6311: Message ID 0 may be a counter sync, told apart by its content */
    bool maybe_sync = ha_maybe_sync(sa, &h, fresh);
    if (!fresh && !retransmitted && !maybe_sync) {
        sa_dropped(sa, now, &h, len, IKE_E_MSG_ID);
        return;
    }
    uint8_t *plain = g_malloc(IKE_MAX_MSG);
    ike_rx rx = {&m->hdr, msg, len, m, m->n};
    int rc = sa_open(sa, msg, len, m, plain);
    if (rc == IKE_OK)
        ep_sa_peer_seen(sa->ep, sa, peer);
    if (rc == IKE_E_CRITICAL && fresh && !response) {
        uint8_t type = m->critical_type;
        ike_payload n = ike_pl_notify(IKE_PROTO_NONE, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
        sa_received(sa, now, &h, len);
        sa_respond(sa, now, h.exchange, h.msg_id, &n, 1);
    } else if (rc != IKE_OK) {
        sa_dropped(sa, now, &h, len, rc);
    } else if (maybe_sync && ha_on_sync(sa, now, &rx)) {
        /* a counter sync, answered or dropped */
    } else if (!fresh && !retransmitted) {
        sa_dropped(sa, now, &h, len, IKE_E_MSG_ID);
    } else if (retransmitted) { /* authentic duplicate: replay our answer */
        ep_send_raw(sa->ep, now, sa, sa->peer, sa->resp, sa->resp_len);
    } else if (response) {
        on_response(sa, now, &rx);
    } else {
        on_request(sa, now, &rx);
    }
    g_free(plain);
}

void queue_receive(ike_sa *sa, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len, ike_msg *m)
{
    const ike_hdr *h = &m->hdr;
    if (h->next_payload == IKE_PL_SK) {
        receive_protected(sa, now, peer, msg, len, m);
        return;
    }
    /* in the clear on an SA: only the answer to our IKE_SA_INIT or IKE_SESSION_RESUME */
    bool ours = (h->flags & IKE_FLAG_R) && sa->state == SA_INIT_SENT && sa->req.active &&
                sa->req.mid == h->msg_id && h->exchange == sa->req.exchange;
    if (!ours) {
        sa_dropped(sa, now, h, len, IKE_E_STATE);
        return;
    }
    ike_rx rx = {h, msg, len, m, 0};
    ike_tasks[sa->req.kind].on_response(sa, now, &rx);
}
