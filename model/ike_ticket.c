/* ike_ticket.c — session tickets sealed with AES-256-GCM (RFC 5723 §6.1, App. A.1). */
#include "ike_ticket.h"

#include <string.h>

#include <openssl/crypto.h>

#include "ike_cipher.h"

enum {
    STATE_FIXED = 8 + 8 + 5 * 2 + 1 + 2 + 2 + IKE_PRF_LEN + 8, /* all but the ID data */
    STATE_MAX = STATE_FIXED + 2 * IKE_TICKET_ID_MAX,
    NS_PER_S = 1000000000,
};

void ike_ticket_keys_init(ike_ticket_keys *k, const uint8_t id[IKE_TICKET_KEY_ID_LEN],
                          const uint8_t key[IKE_TICKET_KEY_LEN])
{
    memset(k, 0, sizeof *k);
    memcpy(k->cur.id, id, IKE_TICKET_KEY_ID_LEN);
    memcpy(k->cur.key, key, IKE_TICKET_KEY_LEN);
    k->cur.retire_at = UINT64_MAX;
}

void ike_ticket_keys_roll(ike_ticket_keys *k, const uint8_t id[IKE_TICKET_KEY_ID_LEN],
                          const uint8_t key[IKE_TICKET_KEY_LEN], uint64_t now, uint64_t grace)
{
    OPENSSL_cleanse(&k->old[IKE_TICKET_OLD_KEYS - 1], sizeof k->old[0]);
    memmove(&k->old[1], &k->old[0], (IKE_TICKET_OLD_KEYS - 1) * sizeof k->old[0]);
    k->old[0] = k->cur;
    k->old[0].retire_at = grace > UINT64_MAX - now ? UINT64_MAX : now + grace;
    if (k->n_old < IKE_TICKET_OLD_KEYS)
        k->n_old++;
    memcpy(k->cur.id, id, IKE_TICKET_KEY_ID_LEN);
    memcpy(k->cur.key, key, IKE_TICKET_KEY_LEN);
    k->cur.retire_at = UINT64_MAX;
    k->cur_since = now;
}

size_t ike_ticket_len(const ike_ticket_state *st)
{
    return IKE_TICKET_HDR_LEN + STATE_FIXED + st->id_i_len + st->id_r_len + IKE_TICKET_TAG_LEN;
}

/* ---- the sealed state, big endian -------------------------------------- */

static uint8_t *put(uint8_t *p, uint64_t v, int octets)
{
    for (int i = octets - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
    return p + octets;
}

static uint8_t *put_id(uint8_t *p, uint8_t type, uint8_t len, const uint8_t *id)
{
    *p++ = type;
    *p++ = len;
    memcpy(p, id, len);
    return p + len;
}

static size_t encode_state(const ike_ticket_state *st, uint8_t *p)
{
    uint8_t *s = p;
    p = put(p, st->spi_i, 8);
    p = put(p, st->spi_r, 8);
    p = put(p, st->suite.encr, 2);
    p = put(p, st->suite.encr_bits, 2);
    p = put(p, st->suite.integ, 2);
    p = put(p, st->suite.prf, 2);
    p = put(p, st->suite.dh, 2);
    *p++ = st->auth_method;
    p = put_id(p, st->id_i_type, st->id_i_len, st->id_i);
    p = put_id(p, st->id_r_type, st->id_r_len, st->id_r);
    memcpy(p, st->sk_d, IKE_PRF_LEN);
    p = put(p + IKE_PRF_LEN, st->expires, 8);
    return (size_t)(p - s);
}

typedef struct reader {
    const uint8_t *p;
    size_t left;
    bool short_read;
} reader;

static uint64_t get(reader *r, int octets)
{
    uint64_t v = 0;
    if (r->left < (size_t)octets) {
        r->short_read = true;
        return 0;
    }
    for (int i = 0; i < octets; i++)
        v = v << 8 | r->p[i];
    r->p += octets;
    r->left -= (size_t)octets;
    return v;
}

static void get_bytes(reader *r, uint8_t *out, size_t len)
{
    if (r->left < len) {
        r->short_read = true;
        return;
    }
    memcpy(out, r->p, len);
    r->p += len;
    r->left -= len;
}

static void get_id(reader *r, uint8_t *type, uint8_t *len, uint8_t *id)
{
    *type = (uint8_t)get(r, 1);
    *len = (uint8_t)get(r, 1);
    if (*len > IKE_TICKET_ID_MAX)
        r->short_read = true;
    else
        get_bytes(r, id, *len);
}

static int decode_state(const uint8_t *p, size_t len, ike_ticket_state *st)
{
    reader r = { p, len, false };
    memset(st, 0, sizeof *st);
    st->spi_i = get(&r, 8);
    st->spi_r = get(&r, 8);
    st->suite.encr = (uint16_t)get(&r, 2);
    st->suite.encr_bits = (uint16_t)get(&r, 2);
    st->suite.integ = (uint16_t)get(&r, 2);
    st->suite.prf = (uint16_t)get(&r, 2);
    st->suite.dh = (uint16_t)get(&r, 2);
    st->auth_method = (uint8_t)get(&r, 1);
    get_id(&r, &st->id_i_type, &st->id_i_len, st->id_i);
    get_id(&r, &st->id_r_type, &st->id_r_len, st->id_r);
    get_bytes(&r, st->sk_d, IKE_PRF_LEN);
    st->expires = get(&r, 8);
    return r.short_read || r.left != 0 ? IKE_E_BAD_LENGTH : IKE_OK;
}

/* ---- sealing and opening ----------------------------------------------- */

int ike_ticket_seal(const ike_ticket_keys *k, const ike_ticket_state *st,
                    const uint8_t nonce[IKE_TICKET_NONCE_LEN], uint8_t *out, size_t cap,
                    size_t *out_len)
{
    if (st->id_i_len > IKE_TICKET_ID_MAX || st->id_r_len > IKE_TICKET_ID_MAX)
        return IKE_E_LIMIT;
    size_t len = ike_ticket_len(st);
    if (cap < len)
        return IKE_E_SPACE;
    uint8_t plain[STATE_MAX];
    size_t plen = encode_state(st, plain);
    out[0] = IKE_TICKET_VERSION;
    memset(out + 1, 0, 3);
    memcpy(out + 4, k->cur.id, IKE_TICKET_KEY_ID_LEN);
    memcpy(out + 12, nonce, IKE_TICKET_NONCE_LEN);
    int rc = ike_gcm_seal(k->cur.key, IKE_TICKET_KEY_LEN, nonce, out, IKE_TICKET_HDR_LEN, plain, plen,
                          out + IKE_TICKET_HDR_LEN, out + IKE_TICKET_HDR_LEN + plen);
    OPENSSL_cleanse(plain, sizeof plain);
    if (rc == IKE_OK)
        *out_len = len;
    return rc;
}

/* The key a ticket names, if held and not retired at now. */
static const ike_ticket_key *find_key(const ike_ticket_keys *k, const uint8_t *id, uint64_t now)
{
    if (memcmp(k->cur.id, id, IKE_TICKET_KEY_ID_LEN) == 0)
        return &k->cur;
    for (unsigned i = 0; i < k->n_old && i < IKE_TICKET_OLD_KEYS; i++)
        if (memcmp(k->old[i].id, id, IKE_TICKET_KEY_ID_LEN) == 0)
            return now < k->old[i].retire_at ? &k->old[i] : NULL;
    return NULL;
}

int ike_ticket_open(const ike_ticket_keys *k, const uint8_t *t, size_t len, uint64_t now,
                    ike_ticket_state *st)
{
    if (len < IKE_TICKET_HDR_LEN + STATE_FIXED + IKE_TICKET_TAG_LEN)
        return IKE_E_TRUNCATED;
    if (len > IKE_TICKET_HDR_LEN + STATE_MAX + IKE_TICKET_TAG_LEN)
        return IKE_E_BAD_LENGTH;
    if (t[0] != IKE_TICKET_VERSION)
        return IKE_E_SYNTAX;
    const ike_ticket_key *key = find_key(k, t + 4, now);
    if (key == NULL)
        return IKE_E_TICKET_KEY;
    size_t clen = len - IKE_TICKET_HDR_LEN - IKE_TICKET_TAG_LEN;
    uint8_t plain[STATE_MAX];
    int rc = ike_gcm_open(key->key, IKE_TICKET_KEY_LEN, t + 12, t, IKE_TICKET_HDR_LEN,
                          t + IKE_TICKET_HDR_LEN, clen, t + IKE_TICKET_HDR_LEN + clen, plain);
    if (rc == IKE_OK)
        rc = decode_state(plain, clen, st);
    OPENSSL_cleanse(plain, sizeof plain);
    if (rc == IKE_OK && now >= st->expires)
        rc = IKE_E_EXPIRED;
    if (rc != IKE_OK)
        OPENSSL_cleanse(st, sizeof *st);
    return rc;
}

uint32_t ike_ticket_lifetime_s(const ike_ticket_state *st, uint64_t now)
{
    if (now >= st->expires)
        return 0;
    uint64_t s = (st->expires - now) / NS_PER_S;
    return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}
