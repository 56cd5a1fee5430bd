/* ike_internal.h — the state behind ike.h, shared by the files that make up
 * the endpoint: ike_ep.c (configuration, SA table, dispatch, timers),
 * ike_qcd.c (QCD and the other unprotected notifies), ike_xchg.c (message
 * IDs, sealing, retransmission), ike_queue.c (an SA's tasks, ike_task.h),
 * one file per exchange (ike_init.c, ike_auth.c, ike_liveness.c,
 * ike_delete.c, ike_child_sa.c, ike_ha_sync.c) and the RFC 6311 files
 * ike_ha_*.c. */
#ifndef IKESIM_IKE_INTERNAL_H
#define IKESIM_IKE_INTERNAL_H

#include <glib.h>

#include "ike.h"
#include "ike_ha.h"
#include "ike_task.h"
#include "rate_limit.h"

#define IKE_NEVER UINT64_MAX
#define IKE_NONCE_LEN 32
#define IKE_MAX_PEER_ID 64 /* octets of the peer's ID kept (ike_sa_state.peer_id) */

typedef enum sa_state {
    SA_INIT_SENT,    /* initiator: IKE_SA_INIT in flight */
    SA_AUTH_SENT,    /* initiator: IKE_AUTH in flight */
    SA_HALF_OPEN,    /* responder: answered IKE_SA_INIT, waiting for IKE_AUTH */
    SA_ESTABLISHED,
    SA_DELETING,     /* our Delete is in flight */
} sa_state;

/* Our outstanding request: the exact bytes, resent bit for bit. */
typedef struct ike_request {
    bool active;
    task_kind kind;
    uint8_t exchange;
    uint32_t mid;
    uint8_t *msg;
    size_t len;
    uint32_t sends;      /* 1 after the first send */
    uint64_t deadline;   /* next retransmission or giving up */
    uint64_t give_up_at; /* given up at this time even with retransmissions left (0: none) */
} ike_request;

/* A Child SA rekey under way (ike_child_sa.c), out of line: most SAs never
 * have one.  Replaced and redundant Child SAs stay inbound (retiring) until
 * a Delete, ours or the peer's, removes them. */
typedef struct ike_rekey {
    bool sent;                    /* our CREATE_CHILD_SA is in flight */
    uint8_t nonce[IKE_NONCE_LEN]; /* Ni of our exchange */
    uint32_t spi_in;              /* our new inbound SPI, proposed */
    uint32_t target;              /* inbound SPI of the Child SA our request rekeys */
    uint32_t delete_spi;          /* our inbound SPI of the SA our Delete names (0: none) */
    uint16_t group;               /* PFS: the group of our KEi (0: the configured one) */
    ike_dh *dh;                   /* PFS: our key pair while our request is in flight */
    uint8_t n_retiring;
    ike_child retiring[2];        /* the replaced SA; after a collision, also the redundant one */
    bool create;                  /* our request makes a new Child SA in place of one the peer lost
                                     (its traffic selectors stay in ike_sa.child meanwhile) */
} ike_rekey;

/* An IKE SA rekey under way (ike_ike_rekey.c), out of line: ours as its
 * initiator until the response, or the peer's that crossed ours (§2.8.2). */
typedef struct ike_sa_rekey {
    ike_dh *dh;
    uint16_t group;               /* of KEi */
    unsigned retries;             /* INVALID_KE_PAYLOAD round trips */
    uint8_t nonce[IKE_NONCE_LEN]; /* Ni */
    uint64_t spi;                 /* our new SPI, proposed */
    uint64_t crossed;             /* the peer's rekey answered meanwhile (§2.8.2): our SPI
                                     of its new SA, in ep->retired until settled; 0: none */
} ike_sa_rekey;

/* What only the initial exchanges need; freed once established. */
typedef struct ike_hs {
    ike_dh *dh;
    uint16_t dh_group;
    uint8_t *ni, *nr;              /* exactly as long as they are: ours 32 octets,
                                      a peer's 16 to 256 (every waiting client has one) */
    size_t ni_len, nr_len;
    uint8_t *init_req, *init_resp; /* RealMessage1 and 2, signed by AUTH */
    size_t init_req_len, init_resp_len;
    uint8_t cookie[64];
    size_t cookie_len;
    unsigned retries;              /* IKE_SA_INIT restarts so far */
    uint32_t child_spi;            /* our inbound ESP SPI, proposed */
    struct ike_resuming *resuming; /* RFC 5723: the SA resumes another (ike_resume.c); NULL if not */
} ike_hs;

/* A ticket a client holds for a peer, with what it stands for (RFC 5723 §4.2:
 * "all items marked as from the ticket"). */
typedef struct ike_held_ticket {
    uint64_t peer;                 /* the key in ep->tickets */
    uint64_t expires;              /* our clock */
    uint64_t spi_i, spi_r;         /* of the SA it came from */
    ike_suite suite;
    uint8_t sk_d[IKE_PRF_LEN];
    uint8_t id_r[1 + IKE_MAX_PEER_ID]; /* the gateway's ID type | ID */
    size_t id_r_len;
    size_t len;
    uint8_t ticket[];
} ike_held_ticket;

/* What an SA being resumed needs until IKE_AUTH is done. */
typedef struct ike_resuming {
    uint8_t peer_id[1 + IKE_MAX_PEER_ID]; /* the peer's ID type | ID the ticket names */
    size_t peer_id_len;
    uint64_t old_spi_i, old_spi_r;        /* the SA the ticket came from */
    ike_held_ticket *ticket;              /* initiator: the ticket presented */
} ike_resuming;

/* RFC 6311 state of an IKE SA (widest fields first: every SA has one). */
typedef struct ike_ha {
    uint64_t delta;      /* of the sync sent */
    int64_t m_seen;      /* peer side: highest M1 accepted, -1 if none */
    uint32_t nonce;
    uint32_t m1, p1;     /* the MID sync values sent */
    uint32_t last_m1, last_p1;
    uint32_t ans_nonce, ans_m1, ans_m2, ans_p2; /* peer side: what the last answer carried */
    bool mid_sync, replay_sync; /* negotiated in IKE_AUTH */
    bool imported;       /* a failover epoch began with ike_ep_import() */
    bool used;           /* this epoch's sync went out... */
    bool answered;       /* ...and its answer was processed */
    uint8_t what;        /* IKE_HA_MID | IKE_HA_REPLAY, of the sync sent */
    uint8_t delta_len;
    bool last_sent;      /* last MID sync values sent on this SA, by any member */
    bool answered_any;   /* peer side: the last sync was answered (ans_*) */
    bool lazy;           /* member: the takeover sync waits for the peer (delta: its delta) */
} ike_ha;

/* ike_map.c: a map with its first entry inline (a client endpoint's maps
 * rarely get a second); same semantics as a GHashTable without value
 * destructor. */
typedef struct ep_map_kind {
    GHashFunc hash;
    GEqualFunc equal;
    GDestroyNotify key_free; /* may be NULL */
} ep_map_kind;

typedef struct ep_map {
    const ep_map_kind *kind;
    GHashTable *t;           /* NULL while it holds at most the inline entry */
    gpointer k, v;
    bool has;
} ep_map;

gpointer ep_map_lookup(const ep_map *m, gconstpointer key);
void ep_map_replace(ep_map *m, gpointer key, gpointer value);
void ep_map_remove(ep_map *m, gconstpointer key);
void ep_map_clear(ep_map *m);

struct ike_sa {
    ike_ep *ep;
    uint64_t peer;
    uint64_t spi_i, spi_r;
    uint64_t local_spi;  /* key in ep->sas */
    bool initiator;      /* original initiator of the IKE SA */
    sa_state state;
    ike_suite suite;
    ike_keys keys;
    ike_hs *hs;
    uint32_t next_mid_out, next_mid_in;
    ike_request req;
    uint8_t *resp;       /* cached response to request next_mid_in - 1 (resp_valid) */
    size_t resp_len;
    uint64_t iv_counter; /* GCM IVs: never repeat under one key */
    uint64_t last_in;    /* last authenticated inbound traffic */
    uint64_t dpd_at, expire_at, deadline;
    uint64_t rekey_at;   /* the Child SA's next timer: child_rekey_at or child_expire_at */
    uint64_t child_rekey_at, child_expire_at; /* ike_child_sa.c */
    uint64_t reauth_at;  /* reauthentication (ike_reauth.c) */
    uint64_t reauth_of;  /* make-before-break: the local SPI of the IKE SA this one replaces (0: none) */
    unsigned pending;    /* tasks waiting for the window: 1 << task_kind (ike_queue.c) */
    bool has_child;
    bool resp_valid;
    bool id_indexed;     /* in ep->by_peer_id */
    bool nat_there;      /* NAT-D: the peer is behind a NAT, its address may change */
    bool nat_here;       /* NAT-D: we are behind a NAT */
    bool reauthing;      /* being replaced by a reauthentication */
    bool child_coming;   /* a new Child SA is asked for, or due again (ike_child_sa.c) */
    uint8_t peer_token_len;
    ike_child child;
    GBytes *peer_key;    /* the peer's ID type | ID (at most 64 octets), NULL until known;
                            shared with ep->by_peer_id */
    uint8_t *peer_token; /* taker: the peer's QCD token, peer_token_len octets (out of line:
                            a maker's SAs have none) */
    ike_ha ha;
    ike_rekey *rekey;    /* NULL unless a Child SA rekey is under way */
    struct ike_crossed *crossed; /* ike_queue.c: a peer's request that collided with ours */
    ike_sa_rekey *ike_rekey; /* NULL unless our IKE SA rekey is under way */
    uint64_t ike_rekey_at; /* the IKE SA's rekey (ike_ike_rekey.c) */
    bool retired;        /* the old SA of a rekey, in ep->retired until its Delete is done */
    bool expired;        /* its hard lifetime ran out: its Delete is queued (ike_expiry.c) */
    void *user;
    GSequenceIter *timer; /* in ep->timers, if that exists */
};

struct ike_ep {
    const ike_cfg *cfg;    /* its own copy (after the struct), or shared: ike_ep_new_shared() */
    const uint8_t *id;     /* this endpoint's ID and DPD clock phase, which override cfg's */
    size_t id_len;
    uint64_t dpd_clock_phase_ns;
    ike_io io;
    GHashTable *sas;       /* local SPI -> ike_sa */
    GHashTable *responder; /* (peer, SPIi) -> ike_sa, for IKE_SA_INIT duplicates; NULL until needed */
    ep_map child_in;       /* inbound child SPI -> ike_sa */
    GSequence *timers;     /* SAs with a deadline, earliest first, while there are two or more */
    ike_sa *timer_one;     /* the only SA with a deadline while timers is NULL */
    size_t n_timers;       /* SAs with a deadline */
    GSequenceIter *first_timer; /* first of timers (or end); NULL: not known since the last change */
    rate_limit maker_lim, taker_lim, hint_lim, unknown_spi_lim, unknown_ike_spi_lim;
    size_t half_open;      /* responder SAs in SA_HALF_OPEN */
    uint8_t cookie_secret[32];
    ep_map by_peer_id;     /* GBytes (ID type | ID) -> GSList of ike_sa, for INITIAL_CONTACT */
    GHashTable *tickets;   /* client: peer -> ike_held_ticket (RFC 5723); NULL until one */
    GHashTable *retired;   /* local SPI -> the old SA of a rekey (ike_ike_rekey.c); NULL until needed */
};

/* ike_ep.c */
void ep_emit(ike_ep *ep, ike_event_type type, ike_sa *sa, const ike_event *extra);
void ep_rearm(ike_ep *ep, ike_sa *sa);
ike_sa *ep_sa_new(ike_ep *ep, uint64_t now, uint64_t peer, bool initiator);
int ep_sa_set_local_spi(ike_ep *ep, ike_sa *sa);
/* Replaces an initiator SA's SPIi by a fresh one (its timer is unarmed after). */
int ep_sa_new_local_spi(ike_ep *ep, ike_sa *sa);
uint64_t ep_draw_spi(ike_ep *ep); /* a fresh local SPI, in no table yet; 0 if none was found */
void ep_sa_destroy(ike_ep *ep, ike_sa *sa, uint64_t now, ike_del_reason why);
/* A new IKE SA to peer (ike_ep_initiate).  reauth: it replaces another
 * (IKE_EV_REAUTH_INITIATED), reauth_of: the local SPI of that one while it
 * lives on (make-before-break), else 0. */
ike_sa *ep_initiate(ike_ep *ep, uint64_t now, uint64_t peer, bool reauth, uint64_t reauth_of);
void ep_random(ike_ep *ep, uint8_t *out, size_t len);
uint8_t *hs_nonce(uint8_t **nonce, size_t *nonce_len, size_t len); /* (re)allocates it */
void hs_free(ike_hs *hs);
void ep_child_index(ike_ep *ep, ike_sa *sa, bool add);
void ep_responder_index(ike_ep *ep, ike_sa *sa);
void ep_responder_unindex(ike_ep *ep, ike_sa *sa);
ike_sa *ep_responder_lookup(ike_ep *ep, uint64_t peer, uint64_t spi_i);
/* An authenticated message of sa came from peer: behind a NAT, it moves there. */
void ep_sa_peer_seen(ike_ep *ep, ike_sa *sa, uint64_t peer);
/* ike_nat.c: NAT-D in IKE_SA_INIT (ike_io.addresses); natd_add returns the payloads added */
size_t natd_add(ike_ep *ep, uint64_t peer, uint64_t spi_i, uint64_t spi_r, uint8_t hashes[2][IKE_NATD_LEN],
                ike_payload *pl);
bool natd_seen(ike_ep *ep, ike_sa *sa, uint64_t peer, const ike_msg *m);
void ep_send_raw(ike_ep *ep, uint64_t now, ike_sa *sa, uint64_t peer, const uint8_t *msg,
                 size_t len);
/* IKE_EV_MSG_DROPPED for a datagram from peer (h NULL: no header). */
void ep_drop(ike_ep *ep, uint64_t now, ike_sa *sa, uint64_t peer, const ike_hdr *h, size_t len,
             int err);

/* ike_qcd.c: QCD (RFC 6290) in the exchanges, and the unprotected notifies */
bool ep_qcd_maker(const ike_ep *ep);
size_t ep_qcd_own_token(ike_ep *ep, const ike_sa *sa, uint8_t *token, ike_payload *pl);
void ep_qcd_store_peer_token(ike_sa *sa, const ike_msg *m, size_t first);
/* A protected request for an SA we do not have (rate-limited answer). */
void ep_answer_unknown_spi(ike_ep *ep, uint64_t now, uint64_t peer, const ike_hdr *h);
/* An unprotected message other than IKE_SA_INIT: a hint or QCD tokens. */
void ep_unprotected_info(ike_ep *ep, uint64_t now, uint64_t peer, ike_sa *sa, const ike_msg *m);

/* ike_xchg.c */
int sa_start_request(ike_sa *sa, uint64_t now, task_kind kind, uint8_t exchange,
                     const ike_payload *inner, size_t n);
/* A request with Message ID mid, next_mid_out unchanged (RFC 6311 MID 0). */
int sa_start_request_mid(ike_sa *sa, uint64_t now, task_kind kind, uint8_t exchange,
                         uint32_t mid, const ike_payload *inner, size_t n);
/* Sends m (freed), the unprotected request that opens an SA (IKE_SA_INIT,
 * IKE_SESSION_RESUME), kept as RealMessage1 for AUTH. */
int sa_send_opening(ike_sa *sa, uint64_t now, task_kind kind, ike_msg *m);
void sa_request_sent_raw(ike_sa *sa, uint64_t now, task_kind kind, uint8_t exchange,
                         uint8_t *msg, size_t len);
int sa_respond(ike_sa *sa, uint64_t now, uint8_t exchange, uint32_t mid,
               const ike_payload *inner, size_t n);
/* A response that is neither cached nor moves next_mid_in (RFC 6311 MID 0). */
int sa_respond_uncached(ike_sa *sa, uint64_t now, uint8_t exchange, uint32_t mid,
                        const ike_payload *inner, size_t n);
int sa_open(ike_sa *sa, const uint8_t *msg, size_t len, ike_msg *m, uint8_t *plain);
bool sa_retransmit_due(ike_sa *sa, uint64_t now); /* true: sa was destroyed */
void sa_request_done(ike_sa *sa, uint64_t now);
void sa_received(ike_sa *sa, uint64_t now, const ike_hdr *h, size_t len);
void sa_dropped(ike_sa *sa, uint64_t now, const ike_hdr *h, size_t len, int err);

/* ike_peers.c: SAs by the peer's identity */
void ep_sa_set_peer_id(ike_sa *sa, uint8_t type, const uint8_t *id, size_t len); /* and indexes it */
void ep_peer_index_add(ike_ep *ep, ike_sa *sa);
void ep_peer_index_remove(ike_ep *ep, ike_sa *sa);
GSList *ep_peer_sas(ike_ep *ep, const ike_sa *sa); /* every SA with sa's peer ID; the index's own list */
void ep_sa_set_state(ike_sa *sa, sa_state state);  /* keeps ep->half_open right */

/* ike_admit.c: COOKIE (RFC 7296 §2.6), the half-open cap */
bool cookie_required(const ike_ep *ep);
bool half_open_full(const ike_ep *ep);
bool cookie_valid(const ike_ep *ep, uint64_t peer, const ike_msg *m);
void cookie_send(ike_ep *ep, uint64_t now, uint64_t peer, const ike_msg *m);

/* ike_init.c: TASK_SA_INIT */
int init_start(ike_sa *sa, uint64_t now);
void init_on_request(ike_ep *ep, uint64_t now, uint64_t peer, const ike_rx *rx);
void init_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
/* The proposals this endpoint offers and accepts: cfg's lists, or its
 * single suites (into *tmp). */
const ike_props *ep_ike_props(const ike_ep *ep, ike_props *tmp);
const ike_props *ep_esp_props(const ike_ep *ep, ike_props *tmp);

/* Answers a request that opens an SA with HDR(SPIi, 0), N(notify) in the clear. */
void ep_answer_clear(ike_ep *ep, uint64_t now, uint64_t peer, const ike_hdr *req, uint16_t notify,
                     const uint8_t *data, size_t data_len);

/* ike_resume.c: TASK_RESUME (IKE_SESSION_RESUME, RFC 5723) and the tickets */
void resume_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
void resume_on_request(ike_ep *ep, uint64_t now, uint64_t peer, const ike_rx *rx);
void resume_give_up(ike_sa *sa, uint64_t now);
void resuming_free(ike_resuming *r);
/* IKE_AUTH of a resumed SA: is a peer's ID the one its ticket names (§4.3.3)? */
bool resume_peer_id_ok(const ike_sa *sa, uint8_t type, const uint8_t *id, size_t len);
/* Responder: the answer to a TICKET_REQUEST in m->pl[first..] (0 payloads
 * when none was asked for or tickets are off), its body written into buf. */
size_t resume_ticket_answer(ike_sa *sa, uint64_t now, const ike_msg *m, size_t first, uint8_t *buf,
                            size_t cap, ike_payload *pl);
/* Initiator: keeps a ticket the response granted. */
void resume_keep_ticket(ike_sa *sa, uint64_t now, const ike_msg *m, size_t first);
/* The ticket of a deleted SA goes unless its peer died (§6.2). */
void resume_sa_gone(ike_sa *sa, ike_del_reason why);
/* Responder, after a resumed IKE_AUTH: the old SA goes silently (§4.3.4). */
void resume_supersede(ike_sa *sa, uint64_t now);
void resume_tickets_free(ike_ep *ep);

/* ike_ticket_req.c: TASK_TICKET, a ticket asked for in INFORMATIONAL (§4.1) */
int ticket_req_start(ike_sa *sa, uint64_t now);
void ticket_req_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict ticket_req_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);

/* ike_auth.c: TASK_AUTH */
int auth_start(ike_sa *sa, uint64_t now);
bool auth_takes(const ike_sa *sa, const ike_hdr *h);
task_verdict auth_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);
void auth_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
void sa_established(ike_sa *sa, uint64_t now);
ike_ts_range ts_from(const ike_ts_sel *s);
ike_payload ts_payload(uint8_t type, const ike_ts_range *r);
uint32_t new_child_spi(ike_sa *sa);

/* ike_liveness.c: TASK_LIVENESS and the liveness (DPD) timer */
int liveness_start(ike_sa *sa, uint64_t now);
void liveness_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict liveness_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);
void dpd_due(ike_sa *sa, uint64_t now);
void dpd_arm(ike_sa *sa, uint64_t now);

/* ike_delete.c: TASK_DELETE */
int delete_start(ike_sa *sa, uint64_t now);
void delete_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict delete_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);

/* ike_child_sa.c: TASK_CHILD_SA (a Child SA rekey, or a new Child SA after
 * CHILD_SA_NOT_FOUND) and TASK_CHILD_DELETE (of the SA it replaced) */
int child_rekey_start(ike_sa *sa, uint64_t now);
void child_sa_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict child_sa_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);
int child_delete_start(ike_sa *sa, uint64_t now);
void child_delete_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
/* The peer deletes the Child SA our side of which sends on spi_out: if we
 * have it (replaced, redundant or current), it is gone and *spi_in is our
 * half for the reply. */
bool child_deleted_by_peer(ike_sa *sa, uint64_t now, uint32_t spi_out, uint32_t *spi_in);
/* With the IKE SA: its retiring Child SAs go first (IKE_EV_CHILD_REMOVED, why). */
void child_rekey_free(ike_sa *sa, uint64_t now, ike_del_reason why);
/* Schedules the rekey and hard expiry of the Child SA just established
 * (cfg->child_life); child_rekey_due() runs them when sa->rekey_at has come. */
void child_rekey_schedule(ike_sa *sa, uint64_t now);
void child_rekey_due(ike_sa *sa, uint64_t now);

/* ike_minimal.c: RFC 7815's minimal initiator */
bool ep_minimal(const ike_ep *ep);
bool minimal_may_initiate(const ike_ep *ep, task_kind kind);
void minimal_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx); /* answers, acting on nothing */
/* ike_ike_rekey.c: TASK_IKE_REKEY (an IKE SA rekey), TASK_QCD_TOKEN (the
 * rekey initiator's token for the new SPIs, RFC 6290 §4.3) */
int ike_rekey_start(ike_sa *sa, uint64_t now);
void ike_rekey_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict ike_rekey_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);
void ike_rekey_free(ike_sa *sa, uint64_t now); /* with the IKE SA */
/* The peer deleted the old SA while our rekey crossed its own: its new SA
 * goes on in sa (true), or there is none (false). */
bool ike_rekey_crossed_delete(ike_sa *sa, uint64_t now);
void ike_rekey_schedule(ike_sa *sa, uint64_t now); /* cfg->ike_life, from now */
void ike_rekey_due(ike_sa *sa, uint64_t now);
int qcd_token_start(ike_sa *sa, uint64_t now);
void qcd_token_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict qcd_token_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);

/* ike_expiry.c: an established SA's lifetimes.  At establishment or import:
 * the Child SA's rekey, the IKE SA's rekey and reauthentication (their draws
 * in that order), and its hard expiry in sa->expire_at (which a half-open SA
 * uses for its half-open limit); after an IKE SA rekey the new expiry.  When
 * it comes, the SA is deleted (IKE_DEL_EXPIRED). */
void sa_lifetimes_start(ike_sa *sa, uint64_t now);
void ike_expiry_schedule(ike_sa *sa, uint64_t now);
void ike_expiry_due(ike_sa *sa, uint64_t now);

/* ike_reauth.c: reauthentication, break-before-make or make-before-break */
void reauth_schedule(ike_sa *sa, uint64_t now); /* at establishment (cfg->ike_life.reauth_s) */
void reauth_due(ike_sa *sa, uint64_t now);      /* sa->reauth_at has come */
/* Does INITIAL_CONTACT belong in sa's IKE_AUTH?  Not while the SA it replaces lives. */
bool reauth_initial_contact(const ike_sa *sa);
/* sa (the new one) is established: a make-before-break deletes the old now. */
void reauth_established(ike_sa *sa, uint64_t now);
/* sa is being destroyed: true if a new IKE SA must follow (break-before-make,
 * the Delete answered or given up); a failed new SA leaves its old one alone. */
bool reauth_on_destroy(ike_sa *sa, ike_del_reason why);

/* ike_ha_caps.c: capability notifies in IKE_AUTH (RFC 6311 §5) */
size_t ha_caps_offer(const ike_ep *ep, ike_payload *pl);
void ha_caps_negotiate(ike_sa *sa, const ike_msg *m, size_t first);
size_t ha_caps_echo(const ike_sa *sa, ike_payload *pl);

/* ike_ha_sync.c: TASK_HA_SYNC, the counter sync exchange, both sides */
bool ha_maybe_sync(const ike_sa *sa, const ike_hdr *h, bool fresh);
void ha_peer_seen(ike_sa *sa, uint64_t now); /* starts a lazy takeover sync */
bool ha_on_sync(ike_sa *sa, uint64_t now, const ike_rx *rx);
void ha_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx);
task_verdict ha_on_info_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);

/* Big-endian helpers */
static inline void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}
static inline uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
