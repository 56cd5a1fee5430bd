/* ike_keylog.c — an IKE SA's keys as a line of Wireshark's
 * ikev2_decryption_table and a Child SA's outbound keys as a line of its
 * esp_sa table, so captures can be decrypted and their ICVs checked by an
 * implementation other than ours. */
#include <stdio.h>

#include "ike_internal.h"

static void hex(char *out, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * len] = 0;
}

int ike_keylog_line(const ike_sa *sa, char *out, size_t cap)
{
    return ike_keylog_keys(sa->spi_i, sa->spi_r, &sa->suite, &sa->keys, out, cap);
}

int ike_keylog_keys(uint64_t spi_i, uint64_t spi_r, const ike_suite *s, const ike_keys *k, char *out,
                    size_t cap)
{
    char encr[64], ei[2 * IKE_MAX_KEY + 1], er[2 * IKE_MAX_KEY + 1];
    char ai[2 * IKE_PRF_LEN + 1], ar[2 * IKE_PRF_LEN + 1];
    if (s->encr == IKE_ENCR_AES_GCM_16)
        snprintf(encr, sizeof encr, "AES-GCM-%u with 16 octet ICV [RFC5282]", s->encr_bits);
    else
        snprintf(encr, sizeof encr, "AES-CBC-%u [RFC3602]", s->encr_bits);
    const char *integ = s->integ == IKE_INTEG_HMAC_SHA2_256_128 ? "HMAC_SHA2_256_128 [RFC4868]"
                                                                 : "NONE [RFC4306]";
    hex(ei, k->ei, k->encr_len);
    hex(er, k->er, k->encr_len);
    hex(ai, k->ai, k->integ_len);
    hex(ar, k->ar, k->integ_len);
    int n = snprintf(out, cap, "%016llx,%016llx,%s,%s,\"%s\",%s,%s,\"%s\"",
                     (unsigned long long)spi_i, (unsigned long long)spi_r, ei, er, encr,
                     ai, ar, integ);
    return n < 0 || (size_t)n >= cap ? IKE_E_SPACE : n;
}

int esp_keylog_line(const ike_child *c, uint32_t src, uint32_t dst, char *out, size_t cap)
{
    char key[2 * IKE_MAX_KEY + 1], ikey[2 * IKE_PRF_LEN + 1];
    hex(key, c->key_out, ike_encr_key_len(&c->suite));
    hex(ikey, c->integ_out, ike_integ_key_len(&c->suite));
    bool gcm = c->suite.encr == IKE_ENCR_AES_GCM_16;
    int n = snprintf(out, cap,
                     "\"IPv4\",\"%u.%u.%u.%u\",\"%u.%u.%u.%u\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s%s\"",
                     src >> 24, src >> 16 & 255, src >> 8 & 255, src & 255, dst >> 24, dst >> 16 & 255,
                     dst >> 8 & 255, dst & 255, c->spi_out,
                     gcm ? "AES-GCM with 16 octet ICV [RFC4106]" : "AES-CBC [RFC3602]", key,
                     gcm ? "NULL" : "HMAC-SHA-256-128 [RFC4868]", gcm ? "" : "0x", gcm ? "" : ikey);
    return n < 0 || (size_t)n >= cap ? IKE_E_SPACE : n;
}
