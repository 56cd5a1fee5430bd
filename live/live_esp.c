/* live_esp.c — the Child SAs' ESP for ikesim-live (live_esp.h). */
#include "live_esp.h"

#include <string.h>

#include <glib.h>

struct live_esp {
    GHashTable *by_spi; /* inbound SPI -> entry */
    esp_cfg cfg;
};

typedef struct entry {
    esp_sa *sa;
    ike_sa *owner;
} entry;

static void entry_free(gpointer p)
{
    entry *e = p;
    esp_sa_free(e->sa);
    g_free(e);
}

live_esp *live_esp_new(void (*random)(void *ctx, uint8_t *out, size_t len), void *rand_ctx)
{
    live_esp *le = g_new0(live_esp, 1);
    le->by_spi = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, entry_free);
    esp_cfg_defaults(&le->cfg);
    le->cfg.random = random;
    le->cfg.rand_ctx = rand_ctx;
    return le;
}

void live_esp_free(live_esp *le)
{
    if (!le)
        return;
    g_hash_table_destroy(le->by_spi);
    g_free(le);
}

int live_esp_add(live_esp *le, ike_sa *sa, const ike_child *c)
{
    entry *e = g_new0(entry, 1);
    int rc = esp_sa_new(c, &le->cfg, &e->sa);
    if (rc != ESP_OK) {
        g_free(e);
        return rc;
    }
    e->owner = sa;
    g_hash_table_replace(le->by_spi, GUINT_TO_POINTER(c->spi_in), e);
    return ESP_OK;
}

static gboolean of_ike_sa(gpointer key, gpointer value, gpointer sa)
{
    (void)key;
    return ((entry *)value)->owner == sa;
}

void live_esp_forget(live_esp *le, const ike_sa *sa)
{
    g_hash_table_foreach_remove(le->by_spi, of_ike_sa, (gpointer)sa);
}

int live_esp_open(live_esp *le, const uint8_t *pkt, size_t len, uint8_t *plain, size_t cap, live_esp_rx *out)
{
    int rc = esp_peek_spi(pkt, len, &out->spi);
    if (rc != ESP_OK)
        return rc;
    entry *e = g_hash_table_lookup(le->by_spi, GUINT_TO_POINTER(out->spi));
    if (!e)
        return ESP_E_SPI;
    out->sa = e->owner;
    return esp_sa_open(e->sa, pkt, len, plain, cap, &out->rx);
}

int live_esp_seal(live_esp *le, uint32_t spi_in, uint8_t next_header, const uint8_t *payload, size_t len,
                  uint8_t *out, size_t cap, size_t *out_len, uint64_t *seq)
{
    entry *e = g_hash_table_lookup(le->by_spi, GUINT_TO_POINTER(spi_in));
    if (!e)
        return ESP_E_SPI;
    *seq = esp_sa_next_seq(e->sa);
    return esp_sa_seal(e->sa, next_header, payload, len, out, cap, out_len);
}

/* The Internet checksum (RFC 1071) of len octets. */
static uint16_t inet_sum(const uint8_t *p, size_t len)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)(p[len - 1] << 8);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

enum { IP_MIN_HDR = 20, ICMP_HDR = 8, PROTO_ICMP = 1, ICMP_ECHO_REPLY = 0, ICMP_ECHO = 8 };

size_t live_icmp_echo_reply(const uint8_t *ip, size_t len, uint8_t *out, size_t cap)
{
    if (len < IP_MIN_HDR || ip[0] >> 4 != 4)
        return 0;
    size_t hl = (size_t)(ip[0] & 0x0f) * 4, total = (size_t)(ip[2] << 8 | ip[3]);
    if (hl < IP_MIN_HDR || total < hl + ICMP_HDR || total > len || total > cap || ip[9] != PROTO_ICMP ||
        (ip[6] & 0x3f) != 0 || ip[7] != 0 /* a fragment */ || ip[hl] != ICMP_ECHO || ip[hl + 1] != 0)
        return 0;
    memcpy(out, ip, total);
    memcpy(out + 12, ip + 16, 4); /* back to where it came from */
    memcpy(out + 16, ip + 12, 4);
    out[8] = 64;                  /* TTL */
    out[10] = out[11] = 0;
    uint16_t sum = inet_sum(out, hl);
    out[10] = (uint8_t)(sum >> 8);
    out[11] = (uint8_t)sum;
    uint8_t *icmp = out + hl;
    icmp[0] = ICMP_ECHO_REPLY;
    icmp[2] = icmp[3] = 0;
    sum = inet_sum(icmp, total - hl);
    icmp[2] = (uint8_t)(sum >> 8);
    icmp[3] = (uint8_t)sum;
    return total;
}
