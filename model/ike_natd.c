/* ike_natd.c — NAT detection hashes (RFC 7296 §2.23) over OpenSSL's SHA-1. */
#include "ike_natd.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

int ike_natd_hash(uint64_t spi_i, uint64_t spi_r, const ike_endpoint *e, uint8_t out[IKE_NATD_LEN])
{
    if (e->addr_len != 4 && e->addr_len != 16)
        return IKE_E_SYNTAX;
    uint8_t in[8 + 8 + 16 + 2];
    for (int i = 0; i < 8; i++) {
        in[i] = (uint8_t)(spi_i >> (56 - 8 * i));
        in[8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
    }
    memcpy(in + 16, e->addr, e->addr_len);
    in[16 + e->addr_len] = (uint8_t)(e->port >> 8);
    in[17 + e->addr_len] = (uint8_t)e->port;
    unsigned int len = 0;
    int ok = EVP_Digest(in, 18u + e->addr_len, out, &len, EVP_sha1(), NULL) == 1 && len == IKE_NATD_LEN;
    return ok ? IKE_OK : IKE_E_CRYPTO;
}

int ike_natd_payloads(uint64_t spi_i, uint64_t spi_r, const ike_endpoint *from,
                      const ike_endpoint *to, uint8_t hashes[2][IKE_NATD_LEN], ike_payload pl[2])
{
    int rc = ike_natd_hash(spi_i, spi_r, from, hashes[0]);
    if (rc == IKE_OK)
        rc = ike_natd_hash(spi_i, spi_r, to, hashes[1]);
    if (rc != IKE_OK)
        return rc;
    pl[0] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_NAT_DETECTION_SOURCE_IP, hashes[0], IKE_NATD_LEN);
    pl[1] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_NAT_DETECTION_DESTINATION_IP, hashes[1], IKE_NATD_LEN);
    return IKE_OK;
}

int ike_natd_check(const ike_msg *m, const ike_endpoint *local, const ike_endpoint *peer,
                   ike_natd_result *r)
{
    uint8_t want_src[IKE_NATD_LEN], want_dst[IKE_NATD_LEN];
    uint64_t spi_r = m->hdr.flags & IKE_FLAG_R ? m->hdr.spi_r : 0;
    int rc = ike_natd_hash(m->hdr.spi_i, spi_r, peer, want_src);
    if (rc == IKE_OK)
        rc = ike_natd_hash(m->hdr.spi_i, spi_r, local, want_dst);
    if (rc != IKE_OK)
        return rc;
    bool src_seen = false, dst_seen = false, src_match = false, dst_match = false;
    size_t from = 0;
    const ike_payload *p;
    while ((p = ike_find(m, IKE_PL_NOTIFY, &from)) != NULL) {
        const ike_notify_pl *n = &p->u.notify;
        bool src = n->type == IKE_N_NAT_DETECTION_SOURCE_IP;
        if (!src && n->type != IKE_N_NAT_DETECTION_DESTINATION_IP)
            continue;
        if (n->data.len != IKE_NATD_LEN)
            return IKE_E_SYNTAX;
        bool match = CRYPTO_memcmp(n->data.p, src ? want_src : want_dst, IKE_NATD_LEN) == 0;
        if (src) {
            src_seen = true;
            src_match |= match;
        } else {
            dst_seen = true;
            dst_match |= match;
        }
    }
    r->seen = src_seen && dst_seen;
    r->nat_there = r->seen && !src_match;
    r->nat_here = r->seen && !dst_match;
    return IKE_OK;
}
