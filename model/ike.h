/* ike.h — an IKEv2 endpoint (RFC 7296), sans I/O.
 *
 * An ike_ep is one gateway's IKE daemon: its configuration, its IKE SAs and
 * their Child SAs.  It never touches a socket or a clock: every entry point
 * takes `now` (ns); datagrams leave through io.send, randomness comes from
 * io.random, and what happens is reported through io.event.  Timers are a
 * single deadline: after any call, ike_ep_next_deadline() says when
 * ike_ep_handle_timeout() must run next.
 *
 * Peers are opaque 64-bit tokens chosen by the caller (e.g. address and
 * port); replies go to the token a request came from.
 *
 * The contract with the caller:
 * - Callbacks run inside an ike_ep_* call.  io.send, io.random and
 *   io.sa_alive_elsewhere must not call into this endpoint.  io.event may
 *   read anything (ike_ep_find, ike_sa_*, ike_ep_foreach, ike_keylog_line)
 *   but must not change the endpoint (no ike_ep_initiate, _receive, _delete,
 *   _liveness, _handle_timeout, _free, _import, _ha_sync): note what is to
 *   be done and do it after the call returned, then ask
 *   ike_ep_next_deadline() again.  Other endpoints may be called freely.
 * - Events arrive in the order things happen: a message's
 *   IKE_EV_MSG_RECEIVED before what it caused, IKE_EV_MSG_SENT right after
 *   io.send handed the bytes over, IKE_EV_SA_ESTABLISHED before the SA's
 *   IKE_EV_CHILD_ESTABLISHED.
 * - A Child SA rekey: IKE_EV_CHILD_REKEYED when the new Child SA is
 *   installed (the rekey's responder before it answers, its initiator when
 *   it processed the answer), IKE_EV_CHILD_REMOVED of the old one when its
 *   Delete is done.  Outbound traffic follows the newest Child SA the peer
 *   can receive on: of those not yet removed, the newest reported with
 *   child_outbound (or by IKE_EV_CHILD_ESTABLISHED), else the newest.  A
 *   Child SA still held when its IKE SA goes is reported removed before the
 *   IKE SA's IKE_EV_SA_DELETED, except the current one, which that event
 *   carries.  A rekey answered CHILD_SA_NOT_FOUND: IKE_EV_CHILD_REMOVED,
 *   then IKE_EV_CHILD_ESTABLISHED of the new Child SA asked for in its
 *   place (ike_ep_child_coming), on both sides (the responder's before it
 *   answers).
 * - IKE_EV_SA_DELETED comes once per SA that was in the SA table, after
 *   the SA left every table of the endpoint (ike_ep_find no longer finds
 *   it, its Child SA's inbound SPI is free, it no longer counts as
 *   half-open) and before it is freed: ev->sa and ev->child may be read
 *   during the callback only; ike_sa_established(ev->sa) says whether it
 *   was established.
 * - ike_ep_free() reports every SA as IKE_DEL_SHUTDOWN and sends nothing.
 * - An IKE SA rekey (RFC 7296 §2.18) keeps the ike_sa object: once the new
 *   SA is in place, the same object carries the new SPIs, keys and Message
 *   IDs (from 0) and its Child SA, and IKE_EV_SA_REKEYED says so (ev->spi_*
 *   new, ev->old_spi_* old); ike_ep_find() finds it by its new local SPI
 *   only.  The old SA's last exchanges (its Delete, answers to
 *   retransmissions), and those of the redundant new SA when both ends
 *   rekeyed at once (RFC 7296 §2.8.2), run on a retired object of the endpoint's own that
 *   events carry as ev->sa (with the old SPIs; ike_sa_user() as the SA's),
 *   that ike_ep_find/_foreach/_sa_count never show, and that ends without
 *   IKE_EV_SA_DELETED: a rekey deletes no SA a caller holds.
 */
#ifndef IKESIM_IKE_H
#define IKESIM_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"
#include "ike_lifetime.h"
#include "ike_natd.h"
#include "ike_proposal.h"
#include "ike_retx.h"
#include "ike_ticket.h"
#include "qcd.h"

typedef struct ike_ep ike_ep;
typedef struct ike_sa ike_sa;

/* How the liveness (DPD) timer counts idle time. */
typedef enum ike_dpd_clock {
    IKE_DPD_EXACT,        /* check when exactly dpd_delay passed without inbound */
    IKE_DPD_WHOLE_SECONDS /* strongSwan: idle counted in whole seconds of a clock
                             whose phase is dpd_clock_phase_ns (brief §5.1b) */
} ike_dpd_clock;

typedef struct ike_ts_range {
    uint32_t start_addr, end_addr; /* IPv4, host order */
    uint16_t start_port, end_port;
    uint8_t ip_proto;              /* 0 = any */
} ike_ts_range;

/* Quick Crash Detection roles (RFC 6290), independent of each other. */
enum { IKE_QCD_MAKER = 1, IKE_QCD_TAKER = 2 };

typedef struct ike_qcd_cfg {
    unsigned role;              /* IKE_QCD_MAKER | IKE_QCD_TAKER, or 0 */
    const qcd_secrets *secrets; /* maker: the caller's non-volatile storage */
    double maker_rate, maker_burst; /* token answers per second (0: no limit) */
    double taker_rate, taker_burst; /* token verifications per second */
    uint64_t boot_ns;           /* when this endpoint (re)started */
    uint64_t answer_window_ns;  /* maker answers only this long after boot (0: always) */
    bool taker_needs_request;   /* a token counts only while our own request
                                   on that SA is outstanding */
} ike_qcd_cfg;

/* RFC 5723 session resumption (ike_resume.c).  A client asks for a ticket
 * in every IKE_AUTH and keeps the last one per peer with what the ticket
 * stands for (SK_d, suite, the gateway's ID); the ticket outlives the SA it
 * came from when that SA died with its peer (ike_del_peer_dead) and goes with
 * any other deletion (§6.2).  A gateway with keys grants tickets and takes
 * them in IKE_SESSION_RESUME; one without ignores TICKET_REQUEST, as an
 * implementation without RFC 5723 does. */
typedef struct ike_resume_cfg {
    bool client;              /* ask for tickets; ike_ep_resume() presents one */
    uint32_t timeout_ms;      /* client: an IKE_SESSION_RESUME unanswered this long (from its first
                                 send) falls back to a full handshake; 0: when the retransmission
                                 schedule runs out */
    ike_ticket_keys *keys;    /* gateway: the caller's non-volatile ticket keys, which the
                                 endpoint rolls over (NULL: no tickets) */
    uint32_t lifetime_s;      /* gateway: a ticket's lifetime (must be > 0 with keys) */
    uint32_t roll_s;          /* gateway: a new ticket key once the current one is this old
                                 (checked when a ticket is sealed; 0: never) */
    uint32_t grace_s;         /* gateway: a replaced key still opens tickets this long */
} ike_resume_cfg;

/* Reauthentication (RFC 7296 §2.8.3): a new IKE SA and Child SA made from
 * scratch (IKE_SA_INIT, IKE_AUTH) replace the old ones (ike_reauth.c). */
typedef enum ike_reauth_mode {
    IKE_REAUTH_BBM, /* break-before-make: Delete the old IKE SA, then the new one
                       (strongSwan 5.9's default): an outage */
    IKE_REAUTH_MBB, /* make-before-break: the new IKE SA first, its IKE_AUTH without
                       INITIAL_CONTACT, then the old deleted (charon.make_before_break) */
} ike_reauth_mode;

typedef struct ike_cfg {
    ike_suite ike;            /* the IKE SA suite offered and accepted */
    uint16_t ike_dh_alt;      /* a second DH group offered (0: none); an
                                 INVALID_KE_PAYLOAD may switch to it */
    ike_suite esp;            /* the Child SA suite (dh unused: no PFS) */
    bool esp_esn;
    /* Proposals with several transforms per type (ike_proposal.h); n == 0
     * means the single suites above.  The first KE group is the first
     * proposal's first group. */
    ike_props ike_props, esp_props;
    bool prefer_supplied;     /* responder: choose in the initiator's order
                                 (strongSwan's prefer_configured_proposals = no) */
    uint8_t psk[64];
    size_t psk_len;
    uint8_t id_type;          /* e.g. IKE_ID_FQDN */
    uint8_t id[64];
    size_t id_len;
    ike_retx retx;
    uint32_t half_open_ms;    /* responder drops a half-open SA after this */
    uint32_t cookie_threshold; /* responder: a new IKE_SA_INIT needs a COOKIE while at least
                                  this many SAs are half-open (RFC 7296 §2.6; 0: never) */
    uint32_t half_open_max;   /* responder: a new IKE_SA_INIT is dropped (IKE_E_BUSY) while
                                 this many SAs are half-open, COOKIE or not (0: no cap) */
    uint32_t dpd_delay_ms;    /* 0 = no liveness checks */
    ike_dpd_clock dpd_clock;
    uint64_t dpd_clock_phase_ns;
    bool dpd_counts_esp;      /* inbound ESP resets the idle time */
    bool hint_starts_dpd;     /* an unprotected INVALID_(IKE_)SPI starts a check */
    double hint_rate, hint_burst; /* such checks per second (0: no limit) */
    bool childless;           /* IKE_AUTH without a Child SA */
    ike_child_lifetime child_life; /* when the Child SA is rekeyed, with strongSwan's jitter
                                   (ike_lifetime.h; resolved values; rekey_s 0: never) */
    bool child_pfs;           /* Child SA rekeys exchange keys (KEi/KEr, RFC 7296 §1.3.3) in
                                 the esp suite's group (esp.dh, else the IKE group); as
                                 responder, a rekey without them is refused */
    bool initial_contact;     /* send INITIAL_CONTACT in the first IKE_AUTH */
    ike_sa_lifetime ike_life; /* IKE SA times as strongSwan resolves them (ike_lifetime.h; resolved
                                 values, 0: never); reauth_s: each end reauthenticates its SAs;
                                 rekey_s: each end rekeys them (CREATE_CHILD_SA, ike_ike_rekey.c);
                                 over_s: an SA not rekeyed or reauthenticated by its first such time
                                 + over_s is deleted (ike_expiry.c; 0: never, where strongSwan's
                                 over_time 0 would delete it at that time) */
    ike_reauth_mode reauth_mode;
    bool answer_unknown_spi;  /* INVALID_IKE_SPI for protected requests of unknown SAs */
    double unknown_ike_spi_rate, unknown_ike_spi_burst; /* such answers per second */
    double unknown_spi_rate, unknown_spi_burst; /* INVALID_SPI answers to unknown ESP, per second
                                   (a separate budget: a flood of stale ESP must not
                                   silence the answers to IKE requests) */
    ike_qcd_cfg qcd;
    ike_ts_range ts_local, ts_remote;
    /* RFC 6311 (ike_ha.h): capabilities this endpoint asserts in IKE_AUTH */
    bool mid_sync;            /* IKEV2_MESSAGE_ID_SYNC_SUPPORTED (16420) */
    bool replay_sync;         /* IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED (16421) */
    uint64_t ha_iv_margin;    /* an imported SA's GCM IV counter jumps this far ahead */
    /* peer side: a sync request whose nonce and M1 equal the last one answered
     * is a retransmission (its answer was lost) and gets that answer again,
     * changing nothing (strongSwan's choice).  Off: dropped as stale, as the
     * RFC's "M1 not above every value seen" reads literally. */
    bool ha_answer_retransmitted_sync;
    /* RFC 7815's minimal initiator (ike_minimal.c): only IKE_SA_INIT and IKE_AUTH
     * are ever initiated, whatever the liveness and lifetime settings say; the
     * peer's requests get empty answers; unprotected notifies are ignored
     * unless qcd.role makes it a taker */
    bool minimal;
    ike_resume_cfg resume;    /* RFC 5723 (all off by default) */
} ike_cfg;

/* A defaults-filled configuration: AES-GCM-16-256, PRF-HMAC-SHA2-256,
 * X25519; strongSwan's retransmission schedule; no liveness checks; no
 * RFC 6311 capabilities; an IV margin of 2^32 messages. */
void ike_cfg_defaults(ike_cfg *cfg);

typedef enum ike_event_type {
    IKE_EV_MSG_SENT,          /* exchange, msg_id, len, is_response */
    IKE_EV_MSG_RECEIVED,      /* a message accepted for processing */
    IKE_EV_MSG_DROPPED,       /* err says why */
    IKE_EV_RETRANSMIT,        /* count = retransmission number, 1.. */
    IKE_EV_SA_ESTABLISHED,
    IKE_EV_CHILD_ESTABLISHED, /* child */
    IKE_EV_LIVENESS_SENT,
    IKE_EV_LIVENESS_ANSWERED,
    IKE_EV_HINT,              /* unprotected INVALID_IKE_SPI / INVALID_SPI, notify */
    IKE_EV_QCD_ANSWERED,      /* maker: INVALID_IKE_SPI / INVALID_SPI with count tokens,
                                 sent in the clear (notify: which) */
    IKE_EV_QCD_REJECTED,      /* taker: presented tokens did not verify (or were not
                                 checked: err says why) */
    IKE_EV_SA_DELETED,        /* reason; the SA is freed right after */
    /* RFC 6311 counter sync (ike_ha.h); the ha_* fields carry the values */
    IKE_EV_SA_IMPORTED,       /* ike_ep_import() made an established SA; child */
    IKE_EV_HA_SYNC_SENT,      /* member: msg_id, ha_what, ha_nonce, M1/P1 in ha_m/ha_p, delta */
    IKE_EV_HA_SYNC_ANSWERED,  /* M2/P2 in ha_m/ha_p, now in use; is_response: the member
                                 processed the answer, else the peer sent it */
    IKE_EV_HA_SYNC_DROPPED,   /* ha_drop says why (err for a malformed one); nothing changed */
    IKE_EV_HA_REPLAY_DELTA,   /* peer: add ha_delta to the outbound sequence counters of
                                 every Child SA of this IKE SA (child: the one it has) */
    IKE_EV_REQUEST_ABANDONED, /* exchange, msg_id of our request that a MID sync made moot:
                                 never answered, not a liveness failure */
    IKE_EV_COOKIE_SENT,       /* responder: a new IKE_SA_INIT was answered with N(COOKIE) */
    /* RFC 5723 session resumption */
    IKE_EV_TICKET_GRANTED,    /* gateway: sent TICKET_LT_OPAQUE; client: stored it; count =
                                 lifetime (s), len = ticket octets */
    IKE_EV_RESUME_SENT,       /* client: IKE_SESSION_RESUME with a ticket went out */
    IKE_EV_RESUME_ACCEPTED,   /* gateway: the ticket opened, Nr sent; client: Nr came back */
    IKE_EV_RESUME_REFUSED,    /* gateway: refused with TICKET_NACK, err says why; client: a
                                 TICKET_NACK (notify) or no answer (notify 0, count = sends)
                                 ends the resumption: a full IKE_SA_INIT follows on the same
                                 SA under a new SPIi */
    IKE_EV_CHILD_REKEYED,     /* child replaces old_child (CREATE_CHILD_SA, RFC 7296 §2.8):
                                 accept inbound on child now, keep old_child inbound until
                                 its IKE_EV_CHILD_REMOVED; child_outbound: send on child from
                                 now on, else keep sending on old_child until it is removed */
    IKE_EV_CHILD_REMOVED,     /* child (a rekeyed, redundant, expired or deleted Child SA) is
                                 gone, its inbound SPI free; reason: IKE_DEL_LOCAL (our
                                 Delete or expiry), IKE_DEL_PEER_DELETE, or its IKE SA's */
    IKE_EV_REAUTH_STARTED,    /* sa is to be replaced by a reauthentication; count: its ike_reauth_mode */
    IKE_EV_REAUTH_INITIATED,  /* sa is the new IKE SA of a reauthentication, its IKE_SA_INIT about to go
                                 out (make-before-break: at once; break-before-make: once the old is gone) */
    IKE_EV_SA_REKEYED,        /* sa now carries new SPIs and keys (spi_i, spi_r); old_spi_i,
                                 old_spi_r: the SA it replaced; child: its Child SA, moved */
} ike_event_type;

/* What a counter sync carried (ike_event.ha_what). */
enum { IKE_HA_MID = 1, IKE_HA_REPLAY = 2 };

/* Why a sync message changed nothing. */
typedef enum ike_ha_drop {
    IKE_HA_DROP_STALE,        /* peer: M1 not above every member-side MID seen (a replay,
                                 or a member without the last sync values) */
    IKE_HA_DROP_BAD_NONCE,    /* member: the answer's nonce is not the one sent */
    IKE_HA_DROP_DUPLICATE,    /* member: the answer was already processed */
    IKE_HA_DROP_NOT_NEGOTIATED, /* the capability was not negotiated on this SA */
    IKE_HA_DROP_MALFORMED,    /* bad notify data or extra payloads; err says which */
} ike_ha_drop;

typedef enum ike_del_reason {
    IKE_DEL_TIMEOUT,          /* retransmissions ran out */
    IKE_DEL_PEER_DELETE,      /* the peer sent Delete */
    IKE_DEL_LOCAL,            /* ike_ep_delete() finished */
    IKE_DEL_AUTH_FAILED,
    IKE_DEL_NEGOTIATION,      /* no proposal, bad KE, peer error notify */
    IKE_DEL_HALF_OPEN,        /* responder: IKE_AUTH never came */
    IKE_DEL_INITIAL_CONTACT,  /* a new SA with the same peer identity said so */
    IKE_DEL_SHUTDOWN,         /* ike_ep_free() */
    IKE_DEL_QCD,              /* a QCD token from the peer verified */
    IKE_DEL_APP_TIMEOUT,      /* its application got no answers: ike_ep_start_over() */
    IKE_DEL_RESUMED,          /* gateway: the peer resumed it from a ticket (RFC 5723 §4.3.4:
                                 deleted silently) */
    IKE_DEL_EXPIRED,          /* its hard lifetime ran out unrekeyed (cfg->ike_life.over_s): our Delete
                                 finished, answered or not; not a verdict on the peer */
    IKE_DEL_REASONS           /* not a reason: how many there are (for tables) */
} ike_del_reason;

/* The peer lost the SA's state (it crashed or restarted): our requests went
 * unanswered until retransmissions ran out, its QCD token verified, or a
 * new SA with its identity said INITIAL_CONTACT.  The one definition of "the
 * peer is dead" that sim/ and its metrics use. */
bool ike_del_peer_dead(ike_del_reason r);

typedef struct ike_child {
    uint32_t spi_in, spi_out;     /* inbound: ours; outbound: the peer's */
    ike_suite suite;
    bool esn;
    uint8_t key_out[IKE_MAX_KEY], key_in[IKE_MAX_KEY];
    uint8_t integ_out[IKE_PRF_MAX], integ_in[IKE_PRF_MAX];
    ike_ts_range ts_local, ts_remote;
} ike_child;

typedef struct ike_event {
    ike_event_type type;
    uint64_t now;
    ike_sa *sa;               /* NULL for messages outside any SA */
    uint64_t peer;
    uint64_t spi_i, spi_r;
    uint8_t exchange;
    uint32_t msg_id;
    size_t len;
    bool is_response;
    uint32_t count;
    uint16_t notify;
    ike_del_reason reason;
    int err;
    const ike_child *child;
    uint8_t ha_what;          /* IKE_HA_MID | IKE_HA_REPLAY */
    uint32_t ha_nonce;
    uint32_t ha_m, ha_p;      /* member-side and peer-side MID: M1/P1 or M2/P2 */
    uint64_t ha_delta;
    uint8_t ha_delta_len;     /* 4, or 8 with ESN */
    ike_ha_drop ha_drop;
    const ike_child *old_child; /* IKE_EV_CHILD_REKEYED */
    bool child_outbound;        /* IKE_EV_CHILD_REKEYED */
    uint64_t old_spi_i, old_spi_r; /* IKE_EV_SA_REKEYED */
} ike_event;

typedef struct ike_io {
    void *ctx;
    void (*send)(void *ctx, uint64_t peer, const uint8_t *msg, size_t len);
    void (*random)(void *ctx, uint8_t *out, size_t len);
    void (*event)(void *ctx, const ike_event *ev); /* may be NULL */
    /* Cluster-wide knowledge for a QCD maker: is this IKE SA alive on
     * another member?  NULL: unknown (a token is then revealed). */
    bool (*sa_alive_elsewhere)(void *ctx, uint64_t spi_i, uint64_t spi_r);
    /* NAT traversal (RFC 7296 §2.23).  NULL: none (no NAT-D notifies; the
     * simulator's links have no NATs).  Otherwise the local and the remote
     * address of the datagrams exchanged with peer; false: unknown.  Then
     * IKE_SA_INIT carries NAT_DETECTION_SOURCE_IP and _DESTINATION_IP (a
     * response only if the request did), and once they show the peer
     * behind a NAT, the SA's messages go where its latest authenticated
     * message came from.  The caller does what else NAT-T asks (port 4500,
     * the non-ESP marker, ESP in UDP). */
    bool (*addresses)(void *ctx, uint64_t peer, ike_endpoint *local, ike_endpoint *remote);
} ike_io;

/* Stable lower-case names, for logs and CSV files. */
const char *ike_event_name(ike_event_type t);
const char *ike_del_reason_name(ike_del_reason r);
const char *ike_ha_drop_name(ike_ha_drop d);

/* NULL if cfg is invalid (ike_cfg_check says why) or memory ran out. */
ike_ep *ike_ep_new(const ike_cfg *cfg, const ike_io *io);
int ike_cfg_check(const ike_cfg *cfg);
/* As ike_ep_new() with *shared but its own ID (of type shared->id_type) and
 * DPD clock phase, which replace shared->id and ->dpd_clock_phase_ns; the
 * rest is read from *shared, which must outlive the endpoint.  A fleet's
 * clients differ only in those: a copy of ike_cfg each would be a tenth of
 * a client's memory. */
ike_ep *ike_ep_new_shared(const ike_cfg *shared, const uint8_t *id, size_t id_len, uint64_t dpd_clock_phase_ns,
                          const ike_io *io);
/* Frees every SA (reported as IKE_DEL_SHUTDOWN); sends nothing. */
void ike_ep_free(ike_ep *ep, uint64_t now);

/* Starts IKE_SA_INIT towards peer; returns the new SA or NULL. */
ike_sa *ike_ep_initiate(ike_ep *ep, uint64_t now, uint64_t peer);
/* A datagram from peer (IKE message, no non-ESP marker).  What it caused
 * comes out as events; a message that changed nothing is IKE_EV_MSG_DROPPED
 * (err says why) or answered from cache. */
void ike_ep_receive(ike_ep *ep, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len);
uint64_t ike_ep_next_deadline(const ike_ep *ep); /* UINT64_MAX: none */
void ike_ep_handle_timeout(ike_ep *ep, uint64_t now);

/* An ESP packet with an unknown SPI arrived from peer: answer with a
 * one-way INVALID_SPI (rate-limited).  parent: the IKE SPIs the SPI belonged
 * to, from a persisted map (NULL if unknown); a maker then adds its tokens. */
int ike_ep_invalid_spi(ike_ep *ep, uint64_t now, uint64_t peer, uint32_t spi,
                       const uint64_t parent[2]);
/* Authenticated inbound ESP on the Child SA with inbound SPI spi_in (counts
 * as liveness if dpd_counts_esp). */
void ike_ep_esp_seen(ike_ep *ep, uint64_t now, uint32_t spi_in);
/* Starts a liveness check now unless an exchange is in flight. */
int ike_ep_liveness(ike_ep *ep, ike_sa *sa, uint64_t now);
/* Sends Delete for the IKE SA; it is freed when answered or timed out. */
int ike_ep_delete(ike_ep *ep, ike_sa *sa, uint64_t now);
/* The application got no answers over sa for too long (a constrained
 * node's own test of its peer, RFC 7815 §1.1): sa is forgotten without a
 * message, reported as IKE_DEL_APP_TIMEOUT; the caller initiates anew.
 * IKE_E_STATE unless sa is established. */
int ike_ep_start_over(ike_ep *ep, ike_sa *sa, uint64_t now);
/* Rekeys sa's Child SA (CREATE_CHILD_SA with N(REKEY_SA)), then deletes
 * the Child SA it replaced, which stays inbound until then (RFC 7296
 * §1.3.3, §2.8): IKE_EV_CHILD_REKEYED, then IKE_EV_CHILD_REMOVED.
 * IKE_E_STATE without an established Child SA or while a rekey is under way. */
int ike_ep_rekey_child(ike_ep *ep, ike_sa *sa, uint64_t now);
/* Whether an IKE SA with peer is getting a new Child SA in place of one the
 * peer lost (a rekey answered CHILD_SA_NOT_FOUND, RFC 7296 §2.25), its
 * IKE_EV_CHILD_ESTABLISHED to come: traffic that finds no Child SA waits
 * for it rather than starting a new IKE SA. */
bool ike_ep_child_coming(ike_ep *ep, uint64_t peer);
/* Reauthenticates sa now, in cfg->reauth_mode (ike_reauth_mode); it happens by
 * itself at cfg->ike_life's jittered reauth time.  IKE_E_STATE unless sa is
 * established and not yet being replaced. */
int ike_ep_reauth(ike_ep *ep, ike_sa *sa, uint64_t now);
/* Rekeys the IKE SA (CREATE_CHILD_SA with an IKE proposal and a new SPI,
 * KE in the SA's group), then deletes the old one (RFC 7296 §1.3.2, §2.18);
 * see IKE_EV_SA_REKEYED above.  IKE_E_STATE unless established and no IKE
 * SA rekey is under way. */
int ike_ep_rekey_ike(ike_ep *ep, ike_sa *sa, uint64_t now);

/* RFC 5723: resumes the session with peer from the ticket held for it
 * (IKE_SESSION_RESUME, then IKE_AUTH and the Child SA), or NULL when none is
 * held or it expired (then ike_ep_initiate() is the way).  The ticket is
 * used up: a refusal or no answer falls back to a full handshake on the
 * same SA. */
ike_sa *ike_ep_resume(ike_ep *ep, uint64_t now, uint64_t peer);
/* Does this client hold an unexpired ticket for peer? */
bool ike_ep_has_ticket(const ike_ep *ep, uint64_t now, uint64_t peer);
/* Asks for a new ticket on an established SA (INFORMATIONAL with
 * N(TICKET_REQUEST), RFC 5723 §4.1); IKE_E_STATE unless established. */
int ike_ep_request_ticket(ike_ep *ep, ike_sa *sa, uint64_t now);

/* Admission before the expensive part of a handshake (ike_admit.c): a
 * responder that spends CPU per IKE_SA_INIT classifies a datagram first.
 * IKE_ADMIT_HANDSHAKE: a new IKE_SA_INIT request that passed the COOKIE
 * check: ike_ep_receive() will run a DH for it.  IKE_ADMIT_ANSWERED: it
 * lacked a valid COOKIE while one is required and was answered with one;
 * nothing more to do.  IKE_ADMIT_OTHER: anything else (cheap). */
typedef enum ike_admit {
    IKE_ADMIT_OTHER, IKE_ADMIT_HANDSHAKE, IKE_ADMIT_ANSWERED,
    IKE_ADMIT_RESUME, /* a new IKE_SESSION_RESUME (RFC 5723) that passed the COOKIE check, to a
                         responder with ticket keys: it will open a ticket and derive keys, no DH */
} ike_admit;
/* A request dropped for half_open_max is IKE_ADMIT_OTHER: it costs no DH. */
ike_admit ike_ep_admit(ike_ep *ep, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len);
/* Responder SAs waiting for IKE_AUTH. */
size_t ike_ep_half_open(const ike_ep *ep);

size_t ike_ep_sa_count(const ike_ep *ep);
/* Calls fn for every SA (in no particular order); fn must not delete SAs. */
void ike_ep_foreach(const ike_ep *ep, void (*fn)(void *arg, ike_sa *sa), void *arg);
ike_sa *ike_ep_find(const ike_ep *ep, uint64_t local_spi);
/* The SA with both SPIs, whichever side of it we are (a rekey may swap the roles). */
ike_sa *ike_ep_find_pair(const ike_ep *ep, uint64_t spi_i, uint64_t spi_r);

/* Read-only views of an SA. */
bool ike_sa_established(const ike_sa *sa);
bool ike_sa_is_initiator(const ike_sa *sa);
uint64_t ike_sa_spi_i(const ike_sa *sa);
uint64_t ike_sa_spi_r(const ike_sa *sa);
uint64_t ike_sa_peer(const ike_sa *sa);
const ike_child *ike_sa_child(const ike_sa *sa); /* NULL if childless */
/* NAT-D in IKE_SA_INIT (ike_io.addresses) found a NAT in front of either
 * end: from IKE_AUTH on its messages go to and from port 4500 (RFC 7296 §2.23). */
bool ike_sa_nat_detected(const ike_sa *sa);
const ike_keys *ike_sa_keys(const ike_sa *sa);
const ike_suite *ike_sa_suite(const ike_sa *sa);
void ike_sa_set_user(ike_sa *sa, void *user);
void *ike_sa_user(const ike_sa *sa);

/* One line of Wireshark's ikev2_decryption_table for sa (no newline);
 * returns the length, IKE_E_SPACE, or IKE_E_UNSUPPORTED for a cipher
 * Wireshark cannot decrypt (ChaCha20-Poly1305). */
int ike_keylog_line(const ike_sa *sa, char *out, size_t cap);
/* One line of Wireshark's esp_sa table for the outbound ESP SA of c, sent
 * from src to dst (IPv4, host order): "IPv4","src","dst","0xSPI",
 * "encryption","0xkey","authentication","0xkey".  Length, IKE_E_SPACE, or
 * IKE_E_UNSUPPORTED for a cipher Wireshark cannot decrypt in ESP (AES-CCM,
 * ChaCha20-Poly1305 in 4.0). */
int esp_keylog_line(const ike_child *c, uint32_t src, uint32_t dst, char *out, size_t cap);

#endif
