/* libFuzzer target: an established IKE SA behind its integrity check.
 *
 * Two endpoints complete a real handshake once (X25519, PSK, QCD tokens and
 * both RFC 6311 capabilities), with AES-GCM and again with AES-CBC + HMAC,
 * and their SAs are exported.  Each input imports one side into a fresh
 * endpoint and plays the other side: a script (session_script.h) of
 * messages sealed with the peer's real keys — requests and responses with
 * chosen Message IDs, notifies (MID and replay-counter sync, QCD tokens,
 * hints, errors), Delete, unknown and critical payloads — plus unprotected
 * hints, replays, tampered copies, time passing and the endpoint's own
 * liveness checks, Deletes, syncs, Child and IKE SA rekeys and ticket
 * requests; after a rekey (either side's) the script plays the peer of the
 * new SA, and after an IKE_SESSION_RESUME it sent with a ticket the
 * gateway sealed (RFC 5723) the initiator of the resumed SA.
 *
 * Properties, checked as crashes: every datagram the endpoint sends parses,
 * and a protected one opens with the endpoint's outbound keys of its SA or,
 * after a rekey, of the SA it replaced (as the peer would open it); on
 * any other SA only the Delete of a redundant SA that a rekey collision
 * made (RFC 7296 §2.8.2), opening with that SA's keys; no AES-GCM IV is
 * sent twice under one SA's key with different bytes (a retransmission is
 * the same datagram). */
#include <string.h>

#include <glib.h>

#include "fuzz_ticket.h"
#include "ike.h"
#include "ike_crypto.h"
#include "ike_ha.h"
#include "ike_rekey_keys.h"
#include "ike_resume_wire.h"
#include "ike_wire.h"
#include "ikepair.h"
#include "session_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

enum { PEER = 7, MAX_OPS = 64 };

static const uint16_t notify_types[NT_COUNT] = {
    [NT_INITIAL_CONTACT] = IKE_N_INITIAL_CONTACT,
    [NT_MID_SYNC] = IKE_N_MESSAGE_ID_SYNC,
    [NT_REPLAY_SYNC] = IKE_N_REPLAY_COUNTER_SYNC,
    [NT_QCD_TOKEN] = IKE_N_QCD_TOKEN,
    [NT_INVALID_SPI] = IKE_N_INVALID_SPI,
    [NT_INVALID_IKE_SPI] = IKE_N_INVALID_IKE_SPI,
    [NT_MID_SYNC_SUPPORTED] = IKE_N_MESSAGE_ID_SYNC_SUPPORTED,
    [NT_REPLAY_SYNC_SUPPORTED] = IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED,
    [NT_COOKIE] = IKE_N_COOKIE,
    [NT_INVALID_SYNTAX] = IKE_N_INVALID_SYNTAX,
    [NT_AUTH_FAILED] = IKE_N_AUTHENTICATION_FAILED,
    [NT_NO_PROPOSAL] = IKE_N_NO_PROPOSAL_CHOSEN,
    [NT_TEMPORARY_FAILURE] = IKE_N_TEMPORARY_FAILURE,
    [NT_CHILD_SA_NOT_FOUND] = IKE_N_CHILD_SA_NOT_FOUND,
    [NT_UNSUPPORTED_CRITICAL] = IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,
    [NT_SET_WINDOW_SIZE] = IKE_N_SET_WINDOW_SIZE,
    [NT_REKEY_SA] = IKE_N_REKEY_SA,
};

/* --- the handshake, once --- */

static struct {
    ike_cfg cfg[2][2];        /* [suite][side] */
    ike_sa_state st[2][2];    /* [suite][side]: side 0 the original initiator */
    qcd_secrets secrets[2];
    ike_ticket_keys tickets;  /* RFC 5723: the responder grants tickets */
} world;

static void handshake(int cbc)
{
    fuzz_ticket_keys(&world.tickets);
    for (int side = 0; side < 2; side++) {
        ike_cfg *c = &world.cfg[cbc][side];
        ike_test_cfg(c, side ? "responder.fuzz" : "initiator.fuzz");
        if (cbc) {
            c->ike = (ike_suite){IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
                                 IKE_PRF_HMAC_SHA2_256, IKE_DH_CURVE25519};
            c->esp = (ike_suite){IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
                                 IKE_PRF_HMAC_SHA2_256, 0};
        }
        c->mid_sync = c->replay_sync = true;
        c->qcd.role = IKE_QCD_MAKER | IKE_QCD_TAKER;
        c->qcd.secrets = &world.secrets[side];
        c->dpd_delay_ms = 10000;
        c->resume = (ike_resume_cfg){.client = true, .keys = &world.tickets, .lifetime_s = 3600};
    }
    ike_pair p;
    pair_init(&p, &world.cfg[cbc][0], &world.cfg[cbc][1], 11 + (uint64_t)cbc);
    pair_establish(&p);
    for (int side = 0; side < 2; side++)
        CHECK(ike_sa_export(pair_sa(&p, side), &world.st[cbc][side]) == IKE_OK);
    pair_free(&p);
}

static void world_init(void)
{
    static bool ready;
    if (ready)
        return;
    for (int side = 0; side < 2; side++) {
        uint8_t secret[QCD_SECRET_LEN];
        memset(secret, 0x51 + side, sizeof secret);
        qcd_secrets_init(&world.secrets[side], secret);
    }
    handshake(0);
    handshake(1);
    ready = true;
}

/* --- one input --- */

typedef struct script {
    const uint8_t *p;
    size_t left;
} script;

static uint8_t u8(script *s)
{
    if (!s->left)
        return 0;
    s->left--;
    return *s->p++;
}

static uint16_t u16(script *s) { return (uint16_t)(u8(s) << 8 | u8(s)); }
static uint32_t u32(script *s) { return (uint32_t)u16(s) << 16 | u16(s); }
static uint64_t u64(script *s) { return (uint64_t)u32(s) << 32 | u32(s); }

/* n octets of the script (fewer if it ends), copied into out */
static size_t take(script *s, uint8_t *out, size_t n)
{
    n = MIN(n, s->left);
    memcpy(out, s->p, n);
    s->p += n;
    s->left -= n;
    return n;
}

typedef struct session {
    ike_ep *ep;
    const ike_sa_state *ours;   /* the endpoint's SA as exported */
    const ike_sa_state *theirs; /* the peer's, whose keys the script uses */
    ike_sa_state *rekeyed[MAX_OPS]; /* after each IKE SA rekey: [0] ours, [1] theirs */
    unsigned rekeys;
    int side, cbc;              /* which world state the session started from */
    uint64_t local_spi;
    uint64_t now;
    uint32_t peer_next;         /* the peer's next request MID */
    uint32_t our_req;           /* the endpoint's last request MID */
    uint64_t peer_iv;           /* GCM IVs of the peer's messages */
    uint32_t our_sync_nonce;    /* of the endpoint's last MID sync */
    GHashTable *ivs;            /* IV of each GCM message sent -> its bytes (GBytes) */
    uint8_t last[IKE_MAX_MSG];  /* the peer's last message */
    size_t last_len;
    uint8_t stray[IKE_MAX_MSG]; /* sent on an SA the script does not know, until its MSG_SENT */
    size_t stray_len;
    uint64_t resume_spi;        /* SPIi of the last IKE_SESSION_RESUME sent, 0 if none */
    const ike_sa_state *resumed_from; /* the SA its ticket names */
    uint8_t resume_req[IKE_MAX_MSG]; /* RealMessage1 of the resumed SA's AUTH */
    size_t resume_req_len;
    uint8_t resume_nr[256];     /* Nr, once the gateway answered */
    size_t resume_nr_len;
} session;

static session *current; /* the endpoint's I/O reaches the session through it */

static void rng_bytes(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *ctr = ctx;
    for (size_t i = 0; i < len; i++) { /* no secrecy wanted: a counter will do */
        *ctr = *ctr * 6364136223846793005ull + 1442695040888963407ull;
        out[i] = (uint8_t)(*ctr >> 56);
    }
}

/* From now on the script plays the peer of the SA `ours` describes (the
 * endpoint's side; allocated in ss->rekeyed, freed with the session). */
static void follow_sa(session *ss, ike_sa_state *ours)
{
    ike_sa_state *theirs = ours + 1;
    *theirs = *ours;
    theirs->initiator = !ours->initiator;
    ss->ours = ours;
    ss->theirs = theirs;
    ss->peer_next = ours->next_mid_in;
    ss->our_req = ours->next_mid_out - 1;
    ss->local_spi = ours->initiator ? ours->spi_i : ours->spi_r;
}

/* The gateway accepted our IKE_SESSION_RESUME: the resumed SA's keys from
 * the ticket's SK_d (RFC 5723 §5.1), its IKE_AUTH next (Message ID 1). */
static void resume_answered(session *ss, const ike_msg *m)
{
    ike_resume_msg r;
    if (!ss->resume_spi || m->hdr.spi_i != ss->resume_spi || ss->resume_nr_len ||
        ike_resume_read(m, &r) != IKE_OK || r.nonce.len == 0)
        return; /* not ours, answered already, or a refusal */
    CHECK(ss->rekeys < MAX_OPS);
    ike_sa_state *ours = ss->rekeyed[ss->rekeys++] = g_new0(ike_sa_state, 2);
    const ike_sa_state *from = ss->resumed_from;
    *ours = (ike_sa_state){.peer = from->peer, .spi_i = m->hdr.spi_i, .spi_r = m->hdr.spi_r,
                           .suite = from->suite, .next_mid_in = 1, .sync_m_seen = -1};
    static const uint8_t ni[32] = {0x4e, 0x69};
    CHECK(ike_resume_keys(&from->suite, from->keys.d, ni, sizeof ni, r.nonce.p, r.nonce.len, ours->spi_i,
                          ours->spi_r, &ours->keys) == IKE_OK);
    memcpy(ss->resume_nr, r.nonce.p, r.nonce.len);
    ss->resume_nr_len = r.nonce.len;
    follow_sa(ss, ours);
}

/* Every datagram the endpoint sends: it parses, a protected one opens with
 * its outbound keys, and a GCM IV never comes back with other bytes. */
static void on_sent(void *ctx, uint64_t peer, const uint8_t *msg, size_t len)
{
    session *ss = current;
    (void)ctx;
    CHECK(peer == PEER);
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    CHECK(ike_parse(msg, len, &m) == IKE_OK);
    CHECK(ss->stray_len == 0);
    if (m.hdr.exchange == IKE_SESSION_RESUME)
        resume_answered(ss, &m);
    if (m.hdr.next_payload != IKE_PL_SK)
        return;
    const ike_sa_state *o = ss->ours;
    for (unsigned g = ss->rekeys; g-- > 0 && (m.hdr.spi_i != o->spi_i || m.hdr.spi_r != o->spi_r);)
        o = g ? &ss->rekeyed[g - 1][0] : &world.st[ss->cbc][ss->side]; /* a replaced SA's last messages */
    if (m.hdr.spi_i != o->spi_i || m.hdr.spi_r != o->spi_r) { /* checked with its MSG_SENT event */
        CHECK(len <= sizeof ss->stray);
        memcpy(ss->stray, msg, len);
        ss->stray_len = len;
        return;
    }
    const uint8_t *ke = o->initiator ? o->keys.ei : o->keys.er;
    const uint8_t *ka = o->initiator ? o->keys.ai : o->keys.ar;
    CHECK(ike_sk_open(&o->suite, ke, ka, msg, len, &m, plain, sizeof plain) == IKE_OK);
    const ike_payload *sync = ike_find_notify(&m, IKE_N_MESSAGE_ID_SYNC);
    ike_ha_mid_sync v;
    if (o == ss->ours && !(m.hdr.flags & IKE_FLAG_R) && sync && ike_ha_mid_sync_parse(sync, &v) == IKE_OK)
        ss->our_sync_nonce = v.nonce;
    if (o != ss->ours)
        ; /* the old SA's counters are no longer the script's */
    else if (!(m.hdr.flags & IKE_FLAG_R))
        ss->our_req = m.hdr.msg_id;
    else if (m.hdr.msg_id == ss->peer_next)
        ss->peer_next++;
    if (o->suite.encr == IKE_ENCR_AES_GCM_16) {
        uint8_t key[24]; /* IVs count per key: per SA (a peer may propose the same SPI again) */
        memcpy(key, &o->spi_i, 8);
        memcpy(key + 8, &o->spi_r, 8);
        memcpy(key + 16, msg + IKE_HDR_LEN + IKE_GENERIC_HDR_LEN, 8);
        GBytes *k = g_bytes_new(key, sizeof key), *b = g_bytes_new(msg, len);
        GBytes *seen = g_hash_table_lookup(ss->ivs, k);
        CHECK(!seen || g_bytes_equal(seen, b));
        if (seen) {
            g_bytes_unref(b);
            g_bytes_unref(k);
        } else {
            g_hash_table_insert(ss->ivs, k, b);
        }
    }
}

/* A datagram on an SA the script does not know: a collision's redundant
 * SA (ev->sa), whose only message is its Delete. */
static void check_stray(session *ss, const ike_event *ev)
{
    static ike_msg m;
    static uint8_t plain[IKE_MAX_MSG];
    CHECK(ike_parse(ss->stray, ss->stray_len, &m) == IKE_OK);
    CHECK(m.hdr.spi_i == ev->spi_i && m.hdr.spi_r == ev->spi_r);
    CHECK(ike_sa_spi_i(ev->sa) == ev->spi_i && ike_sa_spi_r(ev->sa) == ev->spi_r);
    const ike_keys *k = ike_sa_keys(ev->sa);
    bool i = ike_sa_is_initiator(ev->sa);
    CHECK(ike_sk_open(ike_sa_suite(ev->sa), i ? k->ei : k->er, i ? k->ai : k->ar, ss->stray, ss->stray_len, &m,
                      plain, sizeof plain) == IKE_OK);
    const ike_payload *d = ike_find(&m, IKE_PL_DELETE, &(size_t){1});
    CHECK(m.hdr.exchange == IKE_INFORMATIONAL && !(m.hdr.flags & IKE_FLAG_R) && d && d->u.del.proto == IKE_PROTO_IKE);
    ss->stray_len = 0;
}

/* After an IKE SA rekey the script plays the peer of the new SA: its state
 * is the endpoint's, seen from the other end. */
static void on_event(void *ctx, const ike_event *ev)
{
    session *ss = current;
    (void)ctx;
    if (ev->type == IKE_EV_MSG_SENT && ss->stray_len)
        check_stray(ss, ev);
    if (ev->type != IKE_EV_SA_REKEYED)
        return;
    CHECK(ss->rekeys < MAX_OPS);
    ike_sa_state *ours = ss->rekeyed[ss->rekeys++] = g_new0(ike_sa_state, 2);
    CHECK(ike_sa_export(ev->sa, ours) == IKE_OK);
    CHECK(ours->spi_i == ev->spi_i && ours->spi_r == ev->spi_r && ours->next_mid_out == 0 && ours->next_mid_in == 0);
    follow_sa(ss, ours);
}

static uint32_t mid_base(const session *ss, uint8_t base)
{
    switch (base % BASE_COUNT) {
    case BASE_PEER_NEXT: return ss->peer_next;
    case BASE_OUR_NEXT: return ss->our_req + 1;
    case BASE_ZERO: return 0;
    }
    return UINT32_MAX;
}

/* One payload of the script into pl; its octets go to buf (lasting as long
 * as the message). */
static void read_payload(session *ss, script *s, ike_payload *pl, uint8_t *buf)
{
    const ike_sa_state *o = ss->ours;
    uint8_t kind = u8(s) % PL_COUNT;
    size_t n;
    switch (kind) {
    case PL_NOTIFY: {
        uint8_t t = u8(s) % NT_COUNT;
        uint16_t type = t == NT_RAW ? u16(s) : notify_types[t];
        if (t == NT_MID_SYNC) {
            ike_ha_mid_sync v = {.nonce = u8(s) ? u32(s) : ss->our_sync_nonce};
            v.expected_send = mid_base(ss, u8(s)) + (uint32_t)(int16_t)u16(s);
            v.expected_recv = mid_base(ss, u8(s)) + (uint32_t)(int16_t)u16(s);
            *pl = ike_ha_mid_sync_notify(&v, buf);
        } else if (t == NT_REPLAY_SYNC) {
            uint8_t len = (u8(s) & 1) ? 8 : 4;
            uint64_t delta = u64(s);
            if (ike_ha_replay_notify(len == 8 ? delta : (uint32_t)delta, len, buf, pl) != IKE_OK)
                *pl = ike_pl_notify(IKE_PROTO_NONE, type, NULL, 0);
        } else if (t == NT_QCD_TOKEN && (n = u8(s)) == 0) {
            memcpy(buf, o->peer_token, o->peer_token_len);
            *pl = ike_pl_notify(IKE_PROTO_NONE, type, buf, o->peer_token_len);
        } else if (t == NT_QCD_TOKEN) {
            *pl = ike_pl_notify(IKE_PROTO_NONE, type, buf, take(s, buf, n));
        } else if (t == NT_INVALID_SPI || t == NT_REKEY_SA) {
            uint8_t w = u8(s);
            uint32_t spi = w == 0 ? o->child.spi_in : w == 1 ? o->child.spi_out : u32(s);
            for (int i = 0; i < 4; i++)
                buf[i] = (uint8_t)(spi >> (24 - 8 * i));
            *pl = ike_pl_notify(IKE_PROTO_ESP, type, t == NT_REKEY_SA ? NULL : buf, t == NT_REKEY_SA ? 0 : 4);
            if (t == NT_REKEY_SA) { /* §3.10: the SPI in the SPI field */
                pl->u.notify.spi_size = 4;
                memcpy(pl->u.notify.spi, buf, 4);
            }
        } else {
            *pl = ike_pl_notify(IKE_PROTO_NONE, type, buf, take(s, buf, u8(s)));
        }
        break;
    }
    case PL_DELETE: {
        uint8_t w = u8(s);
        *pl = (ike_payload){.type = IKE_PL_DELETE};
        if (w == 0) {
            pl->u.del.proto = IKE_PROTO_IKE;
            break;
        }
        uint32_t spi = w == 1 ? o->child.spi_out : u32(s);
        pl->u.del.proto = w <= 2 ? IKE_PROTO_ESP : u8(s);
        pl->u.del.spi_size = w <= 2 ? 4 : u8(s) % 9;
        pl->u.del.n_spi = w <= 2 ? 1 : u8(s) % 8;
        for (int i = 0; i < 4; i++)
            buf[i] = (uint8_t)(spi >> (24 - 8 * i));
        size_t want = (size_t)pl->u.del.spi_size * pl->u.del.n_spi;
        if (w > 2)
            want = take(s, buf, want) == want ? want : 0;
        if (!want)
            pl->u.del.n_spi = 0;
        pl->u.del.spis = (ike_bytes){buf, want};
        break;
    }
    case PL_NONCE:
        *pl = ike_pl_bytes(IKE_PL_NONCE, buf, take(s, buf, u8(s)));
        break;
    case PL_KE:
        *pl = (ike_payload){.type = IKE_PL_KE};
        pl->u.ke.group = u16(s);
        pl->u.ke.data = (ike_bytes){buf, take(s, buf, u8(s))};
        break;
    case PL_ID:
        *pl = (ike_payload){.type = (u8(s) & 1) ? IKE_PL_IDR : IKE_PL_IDI};
        pl->u.id.type = u8(s);
        pl->u.id.data = (ike_bytes){buf, take(s, buf, u8(s))};
        break;
    case PL_AUTH:
        *pl = (ike_payload){.type = IKE_PL_AUTH};
        pl->u.auth.method = u8(s);
        if (pl->u.auth.method == 0 && ss->resume_nr_len && ss->ours->spi_i == ss->resume_spi) {
            /* the resumed SA's AUTH (§4.3.3): prf(SK_pi, RealMessage1 | Nr | prf(SK_pi, IDi')) */
            const ike_cfg *me = &world.cfg[ss->cbc][1 - ss->side];
            uint8_t idb[4 + sizeof me->id] = {me->id_type};
            memcpy(idb + 4, me->id, me->id_len);
            pl->u.auth.method = IKE_AUTH_SHARED_KEY;
            if (ike_resumed_auth(ss->resume_req, ss->resume_req_len, ss->resume_nr, ss->resume_nr_len,
                                 ss->theirs->keys.pi, idb, 4 + me->id_len, buf) == IKE_OK)
                pl->u.auth.data = (ike_bytes){buf, IKE_PRF_LEN};
            break;
        }
        pl->u.auth.data = (ike_bytes){buf, take(s, buf, u8(s))};
        break;
    case PL_SA: { /* one ESP proposal: SPI, then transforms as (type, id) */
        *pl = (ike_payload){.type = IKE_PL_SA};
        ike_proposal *p = &pl->u.sa.p[0];
        pl->u.sa.n = 1;
        p->num = 1;
        p->proto = u8(s) % 4;
        p->spi_size = p->proto == IKE_PROTO_IKE ? 8 : 4;
        take(s, p->spi, p->spi_size);
        p->n_transforms = u8(s) % 6;
        for (int i = 0; i < p->n_transforms; i++) {
            p->t[i].type = u8(s) % 6;
            p->t[i].id = u16(s);
            p->t[i].key_bits = (u8(s) & 1) ? 256 : 0;
        }
        break;
    }
    case PL_TS: {
        *pl = (ike_payload){.type = (u8(s) & 1) ? IKE_PL_TSR : IKE_PL_TSI};
        pl->u.ts.n = 1 + u8(s) % 2;
        for (int i = 0; i < pl->u.ts.n; i++) {
            ike_ts_sel *t = &pl->u.ts.s[i];
            t->type = 7; /* IPv4 range */
            t->ip_proto = u8(s);
            t->start_port = u16(s);
            t->end_port = u16(s);
            take(s, t->start, 4);
            take(s, t->end, 4);
        }
        break;
    }
    case PL_VENDOR:
        *pl = ike_pl_bytes(IKE_PL_VENDOR, buf, take(s, buf, u8(s)));
        break;
    default: { /* a type nobody knows, critical or not */
        uint8_t t = u8(s);
        *pl = ike_pl_bytes((uint8_t)(49 + t % 64), buf, take(s, buf, u8(s)));
        pl->critical = t & 0x80;
        break;
    }
    }
}

/* A message from the peer: header as the script says, payloads sealed with
 * the peer's keys (or in the clear); delivered and kept for OP_REPLAY. */
static void peer_message(session *ss, script *s, bool response, bool sealed)
{
    const ike_sa_state *t = ss->theirs;
    uint8_t head = u8(s);
    static const uint8_t exchanges[] = {IKE_INFORMATIONAL, IKE_CREATE_CHILD_SA, IKE_AUTH};
    uint8_t exchange = (head & 3) == HEAD_X_RAW ? u8(s) : exchanges[head & 3];
    uint32_t mid;
    switch ((head >> 3) & 3) {
    case MID_EXPECTED: mid = response ? ss->our_req : ss->peer_next; break;
    case MID_PREVIOUS: mid = response ? ss->our_req + 1 : ss->peer_next - 1; break;
    case MID_ZERO: mid = 0; break;
    default: mid = u32(s); break;
    }
    uint8_t flags = (uint8_t)((t->initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0));
    if (head & HEAD_FLIP_I)
        flags ^= IKE_FLAG_I;
    uint64_t wrong = (head & HEAD_WRONG_SPI) ? 1 : 0; /* in the endpoint's own SPI */
    ike_hdr h = {.spi_i = t->spi_i ^ (t->initiator ? 0 : wrong),
                 .spi_r = t->spi_r ^ (t->initiator ? wrong : 0),
                 .version = (uint8_t)(IKE_VERSION | ((head & HEAD_MINOR) ? 1 : 0)),
                 .exchange = exchange, .flags = flags, .msg_id = mid};
    static ike_msg m;
    static uint8_t bufs[8][256];
    memset(&m, 0, sizeof m);
    m.hdr = h;
    m.n = u8(s) % 8;
    for (size_t i = 0; i < m.n; i++)
        read_payload(ss, s, &m.pl[i], bufs[i]);
    int rc;
    if (sealed) {
        uint8_t iv[16] = {0};
        size_t iv_len = ike_iv_len(&t->suite);
        uint64_t v = ss->peer_iv++;
        for (int i = 0; i < 8; i++)
            iv[iv_len - 1 - (size_t)i] = (uint8_t)(v >> (8 * i));
        const uint8_t *ke = t->initiator ? t->keys.ei : t->keys.er;
        const uint8_t *ka = t->initiator ? t->keys.ai : t->keys.ar;
        rc = ike_sk_seal(&t->suite, ke, ka, &h, m.pl, m.n, iv, ss->last, sizeof ss->last,
                         &ss->last_len);
    } else {
        rc = ike_encode(&m, ss->last, sizeof ss->last, &ss->last_len);
    }
    if (rc != IKE_OK) {
        ss->last_len = 0;
        return;
    }
    ike_ep_receive(ss->ep, ss->now, PEER, ss->last, ss->last_len);
}

/* IKE_SESSION_RESUME with a ticket for the SA the session started from, as
 * the endpoint (holding the gateway's ticket keys) would have sealed it for
 * the script's side; the endpoint answers as a gateway. */
static void resume_op(session *ss, script *s)
{
    uint8_t what = u8(s) % RESUME_COUNT;
    const ike_sa_state *from = &world.st[ss->cbc][ss->side];
    const ike_cfg *me = &world.cfg[ss->cbc][ss->side], *peer = &world.cfg[ss->cbc][1 - ss->side];
    ike_ticket_state st = {.spi_i = from->spi_i, .spi_r = from->spi_r, .suite = from->suite,
                           .auth_method = IKE_AUTH_SHARED_KEY, .id_i_type = peer->id_type,
                           .id_i_len = (uint8_t)peer->id_len, .id_r_type = me->id_type,
                           .id_r_len = (uint8_t)me->id_len, .expires = what == RESUME_EXPIRED ? 1 : UINT64_MAX};
    memcpy(st.id_i, peer->id, peer->id_len);
    memcpy(st.id_r, me->id, me->id_len);
    memcpy(st.sk_d, from->keys.d, IKE_PRF_LEN);
    ike_ticket_keys keys = world.tickets;
    if (what == RESUME_UNKNOWN_KEY)
        keys.cur.id[0] ^= 0xff;
    uint8_t ticket[IKE_TICKET_MAX], tnonce[IKE_TICKET_NONCE_LEN] = {(uint8_t)ss->rekeys, 0x7e};
    size_t tlen;
    CHECK(ike_ticket_seal(&keys, &st, tnonce, ticket, sizeof ticket, &tlen) == IKE_OK);
    static const uint8_t ni[32] = {0x4e, 0x69}; /* resume_answered() knows it too */
    ike_resume_msg r = {.nonce = {ni, sizeof ni}, .ticket = {ticket, tlen}};
    static ike_msg m;
    ss->resume_spi = 0x5e55000000000000ull | (ss->peer_iv & 0xffffff);
    CHECK(ike_resume_request(ss->resume_spi, &r, &m) == IKE_OK);
    CHECK(ike_encode(&m, ss->last, sizeof ss->last, &ss->last_len) == IKE_OK);
    memcpy(ss->resume_req, ss->last, ss->last_len);
    ss->resume_req_len = ss->last_len;
    ss->resume_nr_len = 0;
    ss->resumed_from = from;
    ss->peer_iv++; /* a fresh SPIi for the next one */
    ike_ep_receive(ss->ep, ss->now, PEER, ss->last, ss->last_len);
}

static void local_op(session *ss, script *s)
{
    ike_sa *sa = ike_ep_find(ss->ep, ss->local_spi);
    uint8_t what = u8(s) % LOCAL_COUNT;
    if (what == LOCAL_INVALID_SPI) {
        uint64_t parent[2] = {ss->ours->spi_i, ss->ours->spi_r};
        ike_ep_invalid_spi(ss->ep, ss->now, PEER, u32(s), (u8(s) & 1) ? parent : NULL);
        return;
    }
    if (what == LOCAL_ESP_SEEN) {
        ike_ep_esp_seen(ss->ep, ss->now, ss->ours->child.spi_in);
        return;
    }
    if (!sa)
        return;
    if (what == LOCAL_REKEY_IKE) {
        ike_ep_rekey_ike(ss->ep, sa, ss->now);
    } else if (what == LOCAL_LIVENESS) {
        ike_ep_liveness(ss->ep, sa, ss->now);
    } else if (what == LOCAL_DELETE) {
        ike_ep_delete(ss->ep, sa, ss->now);
    } else if (what == LOCAL_REKEY_CHILD) {
        ike_ep_rekey_child(ss->ep, sa, ss->now);
    } else if (what == LOCAL_REQUEST_TICKET) {
        ike_ep_request_ticket(ss->ep, sa, ss->now);
    } else {
        ike_ha_sync_req r = {.mid = what == LOCAL_MID_SYNC, .replay = (u8(s) & 1) || what == LOCAL_REPLAY_SYNC};
        if (ike_sa_ha_values(sa, 1, &r.m1, &r.p1) != IKE_OK)
            return;
        r.m1 += u8(s) % 4;
        r.delta = u32(s);
        ike_ep_ha_sync(ss->ep, sa, ss->now, &r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    world_init();
    script s = {data, size};
    uint8_t setup = u8(&s);
    int side = setup & SETUP_RESPONDER ? 1 : 0, cbc = setup & SETUP_CBC ? 1 : 0;
    ike_cfg cfg = world.cfg[cbc][side];
    cfg.qcd.taker_needs_request = setup & SETUP_TAKER_NEEDS_REQUEST;
    cfg.ha_answer_retransmitted_sync = setup & SETUP_ANSWER_RETRANSMITTED_SYNC;
    cfg.hint_starts_dpd = setup & SETUP_HINT_STARTS_DPD;
    if (setup & SETUP_NO_QCD)
        cfg.qcd.role = 0;
    cfg.child_pfs = setup & SETUP_CHILD_PFS;

    static session ss;
    uint64_t ctr = 1;
    ss = (session){.ours = &world.st[cbc][side], .theirs = &world.st[cbc][1 - side], .side = side, .cbc = cbc,
                   .now = 1000000000ull, .peer_iv = 1ull << 40};
    ss.peer_next = ss.ours->next_mid_in;
    ss.our_req = ss.ours->next_mid_out - 1;
    ss.local_spi = side ? ss.ours->spi_r : ss.ours->spi_i;
    ss.ivs = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                   (GDestroyNotify)g_bytes_unref);
    current = &ss;
    ike_io io = {.ctx = &ctr, .send = on_sent, .random = rng_bytes, .event = on_event};
    ss.ep = ike_ep_new(&cfg, &io);
    CHECK(ss.ep && ike_ep_import(ss.ep, ss.now, PEER, ss.ours));

    for (int ops = 0; s.left && ops < MAX_OPS; ops++) {
        switch (u8(&s) % OP_COUNT) {
        case OP_REQUEST: peer_message(&ss, &s, false, true); break;
        case OP_RESPONSE: peer_message(&ss, &s, true, true); break;
        case OP_UNPROTECTED: peer_message(&ss, &s, false, false); break;
        case OP_TIME:
            ss.now += (uint64_t)u16(&s) * 16000000ull;
            ike_ep_handle_timeout(ss.ep, ss.now);
            break;
        case OP_LOCAL: local_op(&ss, &s); break;
        case OP_RESUME: resume_op(&ss, &s); break;
        case OP_REPLAY:
            if (ss.last_len)
                ike_ep_receive(ss.ep, ss.now, PEER, ss.last, ss.last_len);
            break;
        case OP_TAMPER:
            if (ss.last_len) {
                size_t at = u16(&s) % ss.last_len;
                ss.last[at] ^= u8(&s) | 1;
                ike_ep_receive(ss.ep, ss.now, PEER, ss.last, ss.last_len);
            }
            break;
        default: { /* OP_RAW */
            uint8_t raw[256];
            size_t n = take(&s, raw, u8(&s));
            ike_ep_receive(ss.ep, ss.now, PEER, raw, n);
            break;
        }
        }
        CHECK(ike_ep_next_deadline(ss.ep) >= ss.now || ike_ep_next_deadline(ss.ep) == UINT64_MAX);
    }
    CHECK(ss.stray_len == 0);
    ike_ep_free(ss.ep, ss.now);
    g_hash_table_destroy(ss.ivs);
    for (unsigned g = 0; g < ss.rekeys; g++) {
        memset(ss.rekeyed[g], 0, 2 * sizeof(ike_sa_state));
        g_free(ss.rekeyed[g]);
    }
    current = NULL;
    return 0;
}
