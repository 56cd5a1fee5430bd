/* ike_keylog.c — an IKE SA's keys as a line of Wireshark's
 * ikev2_decryption_table and a Child SA's outbound keys as a line of its
 * esp_sa table, so captures can be decrypted and their ICVs checked by an
 * implementation other than ours.  Keys include the salt (GCM and ChaCha20
 * 4 octets, CCM 3); Wireshark's names come from ike_algs.c. */
#include <stdio.h>

#include "ike_algs.h"
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
    char ai[2 * IKE_PRF_MAX + 1], ar[2 * IKE_PRF_MAX + 1];
    const ike_encr_alg *e = ike_encr_alg_find(s->encr);
    const ike_hmac_alg *i = ike_integ_alg_find(s->integ);
    if (e == NULL || e->ike_uat[0] == 0)
        return IKE_E_UNSUPPORTED; /* Wireshark has no name for it */
    snprintf(encr, sizeof encr, e->ike_uat, s->encr_bits);
    const char *integ = i ? i->ike_uat : "NONE [RFC4306]";
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
    char key[2 * IKE_MAX_KEY + 1], ikey[2 * IKE_PRF_MAX + 1];
    const ike_encr_alg *e = ike_encr_alg_find(c->suite.encr);
    const ike_hmac_alg *i = ike_integ_alg_find(c->suite.integ);
    if (e == NULL || e->esp_uat[0] == 0)
        return IKE_E_UNSUPPORTED; /* Wireshark's ESP has no name for it */
    hex(key, c->key_out, ike_encr_key_len(&c->suite));
    hex(ikey, c->integ_out, ike_integ_key_len(&c->suite));
    int n = snprintf(out, cap,
                     "\"IPv4\",\"%u.%u.%u.%u\",\"%u.%u.%u.%u\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s%s\"",
                     src >> 24, src >> 16 & 255, src >> 8 & 255, src & 255, dst >> 24, dst >> 16 & 255,
                     dst >> 8 & 255, dst & 255, c->spi_out, e->esp_uat, key, i ? i->esp_uat : "NULL",
                     i ? "0x" : "", i ? ikey : "");
    return n < 0 || (size_t)n >= cap ? IKE_E_SPACE : n;
}
