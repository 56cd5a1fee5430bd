/* ike_wire.c — IKEv2 wire codec (RFC 7296 §3).
 *
 * Error choice, used throughout: the outer buffer running out is
 * IKE_E_TRUNCATED; a length or count field that disagrees with the structure
 * holding it, or is below its fixed part, is IKE_E_BAD_LENGTH; a value the
 * field cannot carry is IKE_E_SYNTAX.
 */
#include "ike_wire.h"

#include <string.h>

enum {
    PROP_MORE = 2,      /* Last Substruc of a proposal that is not the last */
    XFORM_MORE = 3,     /* ... of a transform that is not the last */
    PROP_FIXED = 8,
    XFORM_FIXED = 8,
    ATTR_TV = 0x8000,   /* AF bit: 2-octet value follows the type */
    TS_FIXED = 8,       /* type, protocol, length, start and end port */
    CRITICAL_BIT = 0x80,
    NONCE_MIN = 16,
    NONCE_MAX = 256,
    PL_LEN_MAX = 0xFFFF,
};

/* ---- reading ---------------------------------------------------------- */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static size_t ts_addr_len(uint8_t type)
{
    return type == 7 ? 4 : type == 8 ? 16 : 0;
}

/* RFC 7296 §3.3.1, §3.10: none, ESP/AH, or IKE. */
static bool spi_size_ok(uint8_t n)
{
    return n == 0 || n == 4 || n == 8;
}

/* Only these have a struct in the union; the rest stay raw. */
static bool decoded_type(uint8_t t)
{
    switch (t) {
    case IKE_PL_SA: case IKE_PL_KE: case IKE_PL_IDI: case IKE_PL_IDR:
    case IKE_PL_AUTH: case IKE_PL_NONCE: case IKE_PL_NOTIFY:
    case IKE_PL_DELETE: case IKE_PL_TSI: case IKE_PL_TSR: case IKE_PL_SK:
        return true;
    default:
        return false;
    }
}

static int parse_attrs(const uint8_t *b, size_t len, ike_transform *t)
{
    size_t off = 0;
    while (off < len) {
        if (len - off < 4)
            return IKE_E_BAD_LENGTH;
        uint16_t type = rd16(b + off);
        size_t vlen = type & ATTR_TV ? 0 : rd16(b + off + 2);
        if (vlen > len - off - 4)
            return IKE_E_BAD_LENGTH;
        if (type == (ATTR_TV | IKE_ATTR_KEY_LENGTH))
            t->key_bits = rd16(b + off + 2);
        else
            t->unknown_attr = true;
        off += 4 + vlen;
    }
    return IKE_OK;
}

static int parse_transforms(const uint8_t *b, size_t len, ike_proposal *pr)
{
    size_t off = 0, n = 0;
    while (off < len) {
        if (n == IKE_MAX_TRANSFORMS)
            return IKE_E_LIMIT;
        const uint8_t *p = b + off;
        if (len - off < XFORM_FIXED)
            return IKE_E_BAD_LENGTH;
        size_t tlen = rd16(p + 2);
        if (tlen < XFORM_FIXED || tlen > len - off)
            return IKE_E_BAD_LENGTH;
        ike_transform *t = &pr->t[n++];
        *t = (ike_transform){ .type = p[4], .id = rd16(p + 6) };
        int rc = parse_attrs(p + XFORM_FIXED, tlen - XFORM_FIXED, t);
        if (rc)
            return rc;
        /* Checked after the contents so a wrong length reads as one. */
        if (p[0] != (off + tlen == len ? 0 : XFORM_MORE))
            return IKE_E_SYNTAX;
        off += tlen;
    }
    pr->n_transforms = (uint8_t)n;
    return IKE_OK;
}

static int parse_sa(const uint8_t *b, size_t len, ike_sa_pl *sa)
{
    sa->n = 0;
    if (len == 0)
        return IKE_E_SYNTAX; /* §3.3: at least one proposal */
    size_t off = 0;
    while (off < len) {
        if (sa->n == IKE_MAX_PROPOSALS)
            return IKE_E_LIMIT;
        const uint8_t *p = b + off;
        if (len - off < PROP_FIXED)
            return IKE_E_BAD_LENGTH;
        size_t plen = rd16(p + 2);
        if (plen < PROP_FIXED || plen > len - off)
            return IKE_E_BAD_LENGTH;
        ike_proposal *pr = &sa->p[sa->n++];
        memset(pr->spi, 0, sizeof pr->spi);
        pr->n_transforms = 0;
        pr->num = p[4];
        pr->proto = p[5];
        pr->spi_size = p[6];
        if (!spi_size_ok(pr->spi_size))
            return IKE_E_SYNTAX;
        if (pr->spi_size > plen - PROP_FIXED)
            return IKE_E_BAD_LENGTH;
        memcpy(pr->spi, p + PROP_FIXED, pr->spi_size);
        size_t skip = PROP_FIXED + pr->spi_size;
        int rc = parse_transforms(p + skip, plen - skip, pr);
        if (rc)
            return rc;
        if (pr->n_transforms != p[7])
            return IKE_E_BAD_LENGTH;
        if (p[0] != (off + plen == len ? 0 : PROP_MORE))
            return IKE_E_SYNTAX;
        off += plen;
    }
    return IKE_OK;
}

static int parse_ts(const uint8_t *b, size_t len, ike_ts_pl *ts)
{
    if (len < 4)
        return IKE_E_BAD_LENGTH;
    if (b[0] > IKE_MAX_TS)
        return IKE_E_LIMIT;
    size_t off = 4;
    for (ts->n = 0; ts->n < b[0]; ts->n++) {
        const uint8_t *p = b + off;
        if (len - off < 4)
            return IKE_E_BAD_LENGTH;
        ike_ts_sel *s = &ts->s[ts->n];
        *s = (ike_ts_sel){ .type = p[0] };
        size_t alen = ts_addr_len(s->type);
        if (alen == 0)
            return IKE_E_SYNTAX;
        size_t slen = rd16(p + 2);
        if (slen != TS_FIXED + 2 * alen || slen > len - off)
            return IKE_E_BAD_LENGTH;
        s->ip_proto = p[1];
        s->start_port = rd16(p + 4);
        s->end_port = rd16(p + 6);
        memcpy(s->start, p + TS_FIXED, alen);
        memcpy(s->end, p + TS_FIXED + alen, alen);
        off += slen;
    }
    return off == len ? IKE_OK : IKE_E_BAD_LENGTH;
}

/* Decodes pl->body by type; KE, ID, AUTH, Notify and Delete share a
 * 4-octet fixed part. */
static int parse_body(ike_payload *pl)
{
    const uint8_t *b = pl->body.p;
    size_t len = pl->body.len;
    switch (pl->type) {
    case IKE_PL_SA:
        return parse_sa(b, len, &pl->u.sa);
    case IKE_PL_TSI:
    case IKE_PL_TSR:
        return parse_ts(b, len, &pl->u.ts);
    case IKE_PL_NONCE:
        if (len < NONCE_MIN || len > NONCE_MAX)
            return IKE_E_SYNTAX;
        pl->u.nonce = pl->body;
        return IKE_OK;
    case IKE_PL_KE: case IKE_PL_IDI: case IKE_PL_IDR: case IKE_PL_AUTH:
    case IKE_PL_NOTIFY: case IKE_PL_DELETE:
        break;
    default: /* SK stays sealed; CERT, V, CP, EAP, unknown stay raw */
        pl->u.raw = pl->body;
        return IKE_OK;
    }
    if (len < 4)
        return IKE_E_BAD_LENGTH;
    ike_bytes rest = { b + 4, len - 4 };
    switch (pl->type) {
    case IKE_PL_KE:
        if (rest.len == 0)
            return IKE_E_SYNTAX;
        pl->u.ke = (ike_ke_pl){ .group = rd16(b), .data = rest };
        return IKE_OK;
    case IKE_PL_IDI:
    case IKE_PL_IDR:
        pl->u.id = (ike_id_pl){ .type = b[0], .data = rest };
        return IKE_OK;
    case IKE_PL_AUTH:
        pl->u.auth = (ike_auth_pl){ .method = b[0], .data = rest };
        return IKE_OK;
    case IKE_PL_NOTIFY: {
        ike_notify_pl *n = &pl->u.notify;
        *n = (ike_notify_pl){ .proto = b[0], .spi_size = b[1], .type = rd16(b + 2) };
        if (!spi_size_ok(n->spi_size))
            return IKE_E_SYNTAX;
        if (n->spi_size > rest.len)
            return IKE_E_BAD_LENGTH;
        memcpy(n->spi, rest.p, n->spi_size);
        n->data = (ike_bytes){ rest.p + n->spi_size, rest.len - n->spi_size };
        return IKE_OK;
    }
    default: { /* Delete */
        ike_delete_pl *d = &pl->u.del;
        *d = (ike_delete_pl){ .proto = b[0], .spi_size = b[1], .n_spi = rd16(b + 2),
                              .spis = rest };
        return (size_t)d->n_spi * d->spi_size == rest.len ? IKE_OK : IKE_E_BAD_LENGTH;
    }
    }
}

int ike_parse_header(const uint8_t *buf, size_t len, ike_hdr *h)
{
    if (len < IKE_HDR_LEN)
        return IKE_E_TRUNCATED;
    /* Filled before the checks so a caller can still answer
     * INVALID_MAJOR_VERSION with the sender's SPIs and Message ID. */
    *h = (ike_hdr){
        .spi_i = rd64(buf),
        .spi_r = rd64(buf + 8),
        .next_payload = buf[16],
        .version = buf[17],
        .exchange = buf[18],
        .flags = buf[19],
        .msg_id = rd32(buf + 20),
        .length = rd32(buf + 24),
    };
    if (h->version >> 4 != IKE_VERSION >> 4)
        return IKE_E_VERSION; /* the minor version is ignored (§2.5) */
    if (h->length < IKE_HDR_LEN || h->length != len)
        return IKE_E_BAD_LENGTH;
    return IKE_OK;
}

int ike_parse_chain(uint8_t first, const uint8_t *buf, size_t len, ike_msg *m)
{
    uint8_t type = first;
    size_t off = 0;
    while (type != IKE_PL_NONE) {
        if (m->n >= IKE_MAX_PAYLOADS)
            return IKE_E_LIMIT;
        if (len - off < IKE_GENERIC_HDR_LEN)
            return IKE_E_TRUNCATED;
        const uint8_t *p = buf + off;
        size_t plen = rd16(p + 2);
        if (plen < IKE_GENERIC_HDR_LEN)
            return IKE_E_BAD_LENGTH;
        if (plen > len - off)
            return IKE_E_TRUNCATED;
        /* the generic header; parse_body sets the member of the union the
         * type uses (zeroing the whole payload, 2 KB for an SA's room, cost
         * more than parsing it) */
        ike_payload *pl = &m->pl[m->n];
        pl->type = type;
        pl->critical = (p[1] & CRITICAL_BIT) != 0;
        pl->next = p[0];
        pl->body = (ike_bytes){ p + IKE_GENERIC_HDR_LEN, plen - IKE_GENERIC_HDR_LEN };
        /* RFC 7296 §3.2: the critical bit matters only for a type we do
         * not understand. */
        if (pl->critical && !decoded_type(type)) {
            m->critical_type = type;
            return IKE_E_CRITICAL;
        }
        int rc = parse_body(pl);
        if (rc)
            return rc;
        m->n++;
        off += plen;
        if (type == IKE_PL_SK) /* its Next Payload names the inner chain */
            return off == len ? IKE_OK : IKE_E_SYNTAX;
        type = p[0];
    }
    return off == len ? IKE_OK : IKE_E_BAD_LENGTH;
}

int ike_parse(const uint8_t *buf, size_t len, ike_msg *m)
{
    m->hdr = (ike_hdr){ 0 }; /* a truncated header reads as zeros */
    m->n = 0;
    m->critical_type = 0;
    int rc = ike_parse_header(buf, len, &m->hdr);
    if (rc)
        return rc;
    return ike_parse_chain(m->hdr.next_payload, buf + IKE_HDR_LEN, len - IKE_HDR_LEN, m);
}

const ike_payload *ike_find(const ike_msg *m, uint8_t type, size_t *from)
{
    size_t n = m->n < IKE_MAX_PAYLOADS ? m->n : IKE_MAX_PAYLOADS;
    for (size_t i = from ? *from : 0; i < n; i++) {
        if (m->pl[i].type == type) {
            if (from)
                *from = i + 1;
            return &m->pl[i];
        }
    }
    return NULL;
}

const ike_payload *ike_find_notify(const ike_msg *m, uint16_t notify_type)
{
    size_t from = 0;
    const ike_payload *pl;
    while ((pl = ike_find(m, IKE_PL_NOTIFY, &from)) != NULL)
        if (pl->u.notify.type == notify_type)
            return pl;
    return NULL;
}

/* ---- writing ---------------------------------------------------------- */

/* Counts every octet but stores only those that fit, so one pass both
 * fills the buffer and learns whether cap was enough.  A piece that could
 * never fit a payload marks the buffer instead of being counted, so the
 * count cannot overflow. */
typedef struct wbuf {
    uint8_t *p;
    size_t cap, len;
    bool too_big;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (n > PL_LEN_MAX) {
        w->too_big = true;
        return;
    }
    if (n != 0 && w->len <= w->cap && n <= w->cap - w->len)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put8(wbuf *w, uint8_t v)
{
    put(w, &v, 1);
}

static void put16(wbuf *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put(w, b, 2);
}

static void put_bytes(wbuf *w, ike_bytes b)
{
    put(w, b.p, b.len);
}

static void put_zero(wbuf *w, size_t n)
{
    static const uint8_t zero[4];
    put(w, zero, n);
}

/* Writes the length of the structure that began at start into its
 * 16-bit Length field at start + 2. */
static int close16(wbuf *w, size_t start)
{
    size_t len = w->len - start;
    if (w->too_big || len > PL_LEN_MAX)
        return IKE_E_BAD_LENGTH;
    if (start + 4 <= w->cap) {
        w->p[start + 2] = (uint8_t)(len >> 8);
        w->p[start + 3] = (uint8_t)len;
    }
    return IKE_OK;
}

static int put_sa(wbuf *w, const ike_sa_pl *sa)
{
    if (sa->n > IKE_MAX_PROPOSALS)
        return IKE_E_LIMIT;
    for (size_t i = 0; i < sa->n; i++) {
        const ike_proposal *pr = &sa->p[i];
        if (pr->n_transforms > IKE_MAX_TRANSFORMS)
            return IKE_E_LIMIT;
        if (!spi_size_ok(pr->spi_size))
            return IKE_E_SYNTAX;
        size_t pstart = w->len;
        put8(w, i + 1 < sa->n ? PROP_MORE : 0);
        put_zero(w, 3);
        put8(w, pr->num);
        put8(w, pr->proto);
        put8(w, pr->spi_size);
        put8(w, pr->n_transforms);
        put(w, pr->spi, pr->spi_size);
        for (size_t j = 0; j < pr->n_transforms; j++) {
            const ike_transform *t = &pr->t[j];
            size_t tstart = w->len;
            put8(w, j + 1 < pr->n_transforms ? XFORM_MORE : 0);
            put_zero(w, 3);
            put8(w, t->type);
            put8(w, 0);
            put16(w, t->id);
            if (t->key_bits != 0) {
                put16(w, ATTR_TV | IKE_ATTR_KEY_LENGTH);
                put16(w, t->key_bits);
            }
            if (close16(w, tstart))
                return IKE_E_BAD_LENGTH;
        }
        if (close16(w, pstart))
            return IKE_E_BAD_LENGTH;
    }
    return IKE_OK;
}

static int put_ts(wbuf *w, const ike_ts_pl *ts)
{
    if (ts->n > IKE_MAX_TS)
        return IKE_E_LIMIT;
    put8(w, ts->n);
    put_zero(w, 3);
    for (size_t i = 0; i < ts->n; i++) {
        const ike_ts_sel *s = &ts->s[i];
        size_t alen = ts_addr_len(s->type);
        if (alen == 0)
            return IKE_E_SYNTAX;
        put8(w, s->type);
        put8(w, s->ip_proto);
        put16(w, (uint16_t)(TS_FIXED + 2 * alen));
        put16(w, s->start_port);
        put16(w, s->end_port);
        put(w, s->start, alen);
        put(w, s->end, alen);
    }
    return IKE_OK;
}

static int put_body(wbuf *w, const ike_payload *pl)
{
    switch (pl->type) {
    case IKE_PL_SA:
        return put_sa(w, &pl->u.sa);
    case IKE_PL_TSI:
    case IKE_PL_TSR:
        return put_ts(w, &pl->u.ts);
    case IKE_PL_KE:
        put16(w, pl->u.ke.group);
        put_zero(w, 2);
        put_bytes(w, pl->u.ke.data);
        return IKE_OK;
    case IKE_PL_IDI:
    case IKE_PL_IDR:
        put8(w, pl->u.id.type);
        put_zero(w, 3);
        put_bytes(w, pl->u.id.data);
        return IKE_OK;
    case IKE_PL_AUTH:
        put8(w, pl->u.auth.method);
        put_zero(w, 3);
        put_bytes(w, pl->u.auth.data);
        return IKE_OK;
    case IKE_PL_NONCE:
        put_bytes(w, pl->u.nonce);
        return IKE_OK;
    case IKE_PL_NOTIFY: {
        const ike_notify_pl *n = &pl->u.notify;
        if (!spi_size_ok(n->spi_size))
            return IKE_E_SYNTAX;
        put8(w, n->proto);
        put8(w, n->spi_size);
        put16(w, n->type);
        put(w, n->spi, n->spi_size);
        put_bytes(w, n->data);
        return IKE_OK;
    }
    case IKE_PL_DELETE: {
        const ike_delete_pl *d = &pl->u.del;
        if ((size_t)d->n_spi * d->spi_size != d->spis.len)
            return IKE_E_BAD_LENGTH;
        put8(w, d->proto);
        put8(w, d->spi_size);
        put16(w, d->n_spi);
        put_bytes(w, d->spis);
        return IKE_OK;
    }
    default:
        put_bytes(w, pl->u.raw);
        return IKE_OK;
    }
}

static int put_chain(wbuf *w, const ike_payload *pl, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (pl[i].type == IKE_PL_NONE)
            return IKE_E_SYNTAX;
        bool last = i + 1 == n;
        if (pl[i].type == IKE_PL_SK && !last)
            return IKE_E_SYNTAX; /* its Next Payload cannot link onward */
        size_t start = w->len;
        put8(w, pl[i].type == IKE_PL_SK ? pl[i].next : last ? IKE_PL_NONE : pl[i + 1].type);
        put8(w, pl[i].critical ? CRITICAL_BIT : 0);
        put_zero(w, 2);
        int rc = put_body(w, &pl[i]);
        if (rc)
            return rc;
        if (close16(w, start))
            return IKE_E_BAD_LENGTH;
    }
    return IKE_OK;
}

int ike_encode_chain(const ike_payload *pl, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    wbuf w = { out, cap, 0, false };
    int rc = put_chain(&w, pl, n);
    if (rc)
        return rc;
    if (w.len > cap)
        return IKE_E_SPACE;
    *out_len = w.len;
    return IKE_OK;
}

void ike_encode_header(const ike_hdr *h, uint8_t next_payload, uint32_t length,
                       uint8_t out[IKE_HDR_LEN])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(h->spi_i >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(h->spi_r >> (56 - 8 * i));
    }
    out[16] = next_payload;
    out[17] = h->version;
    out[18] = h->exchange;
    out[19] = h->flags;
    for (int i = 0; i < 4; i++) {
        out[20 + i] = (uint8_t)(h->msg_id >> (24 - 8 * i));
        out[24 + i] = (uint8_t)(length >> (24 - 8 * i));
    }
}

int ike_encode(const ike_msg *m, uint8_t *out, size_t cap, size_t *out_len)
{
    if (m->n > IKE_MAX_PAYLOADS)
        return IKE_E_LIMIT;
    wbuf w = { out, cap, IKE_HDR_LEN, false };
    int rc = put_chain(&w, m->pl, m->n);
    if (rc)
        return rc;
    if (w.len > UINT32_MAX)
        return IKE_E_BAD_LENGTH;
    if (w.len > cap)
        return IKE_E_SPACE;
    ike_encode_header(&m->hdr, m->n ? m->pl[0].type : IKE_PL_NONE, (uint32_t)w.len, out);
    *out_len = w.len;
    return IKE_OK;
}

ike_payload ike_pl_notify(uint8_t proto, uint16_t type, const uint8_t *data, size_t len)
{
    return (ike_payload){
        .type = IKE_PL_NOTIFY,
        .u.notify = { .proto = proto, .type = type, .data = { data, len } },
    };
}

ike_payload ike_pl_bytes(uint8_t type, const uint8_t *p, size_t len)
{
    ike_payload pl = { .type = type };
    if (type == IKE_PL_NONCE)
        pl.u.nonce = (ike_bytes){ p, len };
    else
        pl.u.raw = (ike_bytes){ p, len };
    return pl;
}
