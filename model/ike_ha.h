/* ike_ha.h — IKEv2/IPsec high availability (RFC 6311), sans I/O.
 *
 * Capabilities: an endpoint whose ike_cfg sets mid_sync / replay_sync
 * asserts 16420 / 16421 in IKE_AUTH; the responder echoes only what the
 * initiator asserted; a capability is usable only if both asserted it.
 *
 * Replication: ike_sa_export() copies an established IKE SA into a plain
 * struct; ike_ep_import() makes it an established SA of another endpoint (a
 * standby member taking over).  A request of ours in flight is not carried
 * (its MID is: the new member starts idle above it).  An import starts a
 * new failover epoch in which ike_ep_ha_sync() may run once.
 *
 * GCM IVs: the IV is a per-SA counter under a key both members share, so a
 * counter value must never be used twice across members.  The importer sets
 * its counter to the exported value plus its cfg.ha_iv_margin: that is safe
 * as long as the old active member sealed fewer than ha_iv_margin messages
 * after the export it was replicated from (default 2^32, room for 2^32
 * failovers of one IKE SA).
 *
 * Sync after a failover (RFC 6311 §5): MID sync (INFORMATIONAL with Message
 * ID 0 carrying IKEV2_MESSAGE_ID_SYNC, optionally IPSEC_REPLAY_COUNTER_SYNC)
 * or replay-counter sync alone (an ordinary INFORMATIONAL).  The peer side
 * runs inside ike_ep_receive(); its results come out as IKE_EV_HA_* events.
 * The ESP SAs live outside ike_ep: on IKE_EV_HA_REPLAY_DELTA the caller adds
 * the delta to the outbound sequence numbers of the IKE SA's Child SAs.
 *
 * Rekeys: RFC 6311 leaves only the counters to the sync and assumes the
 * rest of the SA's state reached the standby.  An IKE SA rekey changes SPIs
 * and keys (IKE_EV_SA_REKEYED), so it must be replicated like a new SA; a
 * replica from before it is of an SA the peer has deleted: its import works,
 * but its sync names the old SPIs, goes unanswered and the replica ends as
 * IKE_DEL_TIMEOUT when retransmissions run out, the peer's SA untouched.  An
 * exported state keeps the negotiated capabilities across rekeys.
 */
#ifndef IKESIM_IKE_HA_H
#define IKESIM_IKE_HA_H

#include "ike.h"

enum {
    IKE_HA_MID_SYNC_LEN = 12, /* nonce | EXPECTED_SEND | EXPECTED_RECV */
};

/* Everything a standby member needs to continue an IKE SA.  It holds keys:
 * the caller wipes it after use. */
typedef struct ike_sa_state {
    uint64_t peer;                  /* the exporter's token for the peer */
    uint64_t spi_i, spi_r;
    bool initiator;                 /* this side initiated the IKE SA */
    ike_suite suite;
    ike_keys keys;
    uint64_t iv_counter;            /* GCM IVs used under our outbound key */
    uint32_t next_mid_out;          /* our next request */
    uint32_t next_mid_in;           /* the peer's next request */
    bool has_resp;                  /* a cached response to next_mid_in - 1 */
    uint8_t resp[IKE_MAX_MSG];
    size_t resp_len;
    bool mid_sync, replay_sync;     /* negotiated */
    bool has_child;
    ike_child child;
    uint8_t peer_id_type;
    uint8_t peer_id[64];
    size_t peer_id_len;
    uint8_t peer_token[QCD_MAX_TOKEN]; /* the peer's QCD token (taker) */
    uint8_t peer_token_len;
    bool sync_sent;                 /* a member sent a MID sync on this SA... */
    uint32_t sync_m1, sync_p1;      /* ...with these values (multiple failover) */
    int64_t sync_m_seen;            /* peer side: highest M1 accepted, -1 if none */
} ike_sa_state;

/* IKE_E_STATE unless sa is established (and not being deleted). */
int ike_sa_export(const ike_sa *sa, ike_sa_state *out);
/* A new established SA from st, reached through the importer's token for
 * the peer; its IV counter jumps ahead by cfg.ha_iv_margin, DPD starts
 * afresh, IKE_EV_SA_IMPORTED is reported.  NULL if st is inconsistent, its
 * SPI is already in use here or the IV counter would overflow. */
ike_sa *ike_ep_import(ike_ep *ep, uint64_t now, uint64_t peer, const ike_sa_state *st);

/* What the new active member asks for (RFC 6311 §5, §5.1, §5.2). */
typedef struct ike_ha_sync_req {
    bool mid;            /* IKEV2_MESSAGE_ID_SYNC, in an exchange with Message ID 0 */
    uint32_t m1;         /* our next request MID: above every value ever used */
    uint32_t p1;         /* the peer's next request MID as we know it */
    bool replay;         /* IPSEC_REPLAY_COUNTER_SYNC (without mid: the current MID) */
    uint64_t delta;      /* 4 octets, or 8 if the Child SA uses ESN */
} ike_ha_sync_req;

/* Sends the sync on an imported SA, retransmitted on the normal schedule.
 * IKE_E_ONCE: already sent in this failover epoch; IKE_E_NOT_NEGOTIATED;
 * IKE_E_STATE: not imported, not established, replay sync without a Child
 * SA, or replay-only while a request is in flight (a MID sync abandons ours:
 * IKE_EV_REQUEST_ABANDONED); IKE_E_SYNTAX: nothing asked, m1/p1 below the
 * SA's own counters, or a delta that does not fit 4 octets without ESN. */
int ike_ep_ha_sync(ike_ep *ep, ike_sa *sa, uint64_t now, const ike_ha_sync_req *req);

/* The sync of a member that took over sa: MID sync with
 * ike_sa_ha_values(sa, 1, ...), and the replay counters by delta if that was
 * negotiated and sa has a Child SA (a delta beyond 4 octets without ESN is
 * cut to 2^32 - 1).  lazy: not now but when the peer next sends something
 * for sa (RFC 6311 §5 lets a member wait for it): an IKE message naming it,
 * or ESP for its Child SA (ike_ep_esp_arrived()).  Errors as
 * ike_ep_ha_sync(). */
int ike_ep_ha_takeover(ike_ep *ep, ike_sa *sa, uint64_t now, uint64_t delta, bool lazy);
/* An ESP packet arrived for the Child SA with inbound SPI spi_in (before it
 * is checked): a lazy takeover sync waiting for the peer starts. */
void ike_ep_esp_arrived(ike_ep *ep, uint64_t now, uint32_t spi_in);

/* RFC 6311 §5.1 values for a member taking over sa: M1 above our next
 * request MID and any M1 sent before on this SA, plus the sender window;
 * P1 the peer's next request MID (or the last P1 sent, if higher).
 * IKE_E_LIMIT if M1 would not fit 32 bits. */
int ike_sa_ha_values(const ike_sa *sa, uint32_t window, uint32_t *m1, uint32_t *p1);

/* Negotiated capabilities, and the last MID sync values sent on sa (false:
 * none known), to replicate for a later failover. */
bool ike_sa_mid_sync(const ike_sa *sa);
bool ike_sa_replay_sync(const ike_sa *sa);
bool ike_sa_ha_last_sync(const ike_sa *sa, uint32_t *m1, uint32_t *p1);

/* --- the notify payloads (RFC 6311 §6) --- */

typedef struct ike_ha_mid_sync {
    uint32_t nonce;
    uint32_t expected_send; /* the sender's next request MID */
    uint32_t expected_recv; /* the next request MID the sender expects */
} ike_ha_mid_sync;

/* Builders: Protocol ID 0, no SPI; data points into the caller's buffer. */
ike_payload ike_ha_cap_notify(uint16_t type); /* 16420 or 16421, no data */
ike_payload ike_ha_mid_sync_notify(const ike_ha_mid_sync *v, uint8_t data[IKE_HA_MID_SYNC_LEN]);
/* len 4 or 8 (ESN); IKE_E_SYNTAX if delta does not fit. */
int ike_ha_replay_notify(uint64_t delta, uint8_t len, uint8_t data[8], ike_payload *out);

/* Parsers: IKE_E_SYNTAX for another notify type, a Protocol ID other than
 * 0 or an SPI; IKE_E_BAD_LENGTH for data of the wrong length (16420/16421:
 * none; 16422: 12 octets; 16423: 4 or 8). */
int ike_ha_cap_parse(const ike_payload *p, uint16_t type);
int ike_ha_mid_sync_parse(const ike_payload *p, ike_ha_mid_sync *v);
int ike_ha_replay_parse(const ike_payload *p, uint64_t *delta, uint8_t *len);

#endif
