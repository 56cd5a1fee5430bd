/* esp_inner.c — the inner IPv4/UDP application packet (RFC 791, RFC 768,
 * RFC 1071). */
#include "esp_inner.h"

#include <string.h>

enum {
    IPV4_VERSION = 4,
    IPV4_TTL = 64,
    IPV4_DF = 0x4000,
    IPV4_MF = 0x2000,
    IPV4_OFFSET_MASK = 0x1fff,
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        acc += get16(p + i);
    if (len % 2 != 0)
        acc += (uint32_t)p[len - 1] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

uint16_t esp_inet_checksum(const uint8_t *p, size_t len)
{
    return fold(sum16(0, p, len));
}

int esp_inner_build(const esp_app_pkt *a, size_t total_len, uint8_t *out, size_t cap)
{
    if (total_len < ESP_INNER_MIN || total_len > ESP_INNER_MAX)
        return ESP_E_ARG;
    if (cap < total_len)
        return ESP_E_SPACE;
    memset(out, 0, total_len);

    uint8_t *ip = out;
    ip[0] = IPV4_VERSION << 4 | ESP_IPV4_HDR_LEN / 4;
    ip[1] = 0;                                 /* DSCP / ECN */
    put16(ip + 2, (uint16_t)total_len);
    put16(ip + 4, (uint16_t)a->seq);           /* Identification */
    put16(ip + 6, IPV4_DF);                    /* atomic datagram (RFC 6864) */
    ip[8] = IPV4_TTL;
    ip[9] = ESP_IPPROTO_UDP;
    put32(ip + 12, a->src);
    put32(ip + 16, a->dst);
    put16(ip + 10, esp_inet_checksum(ip, ESP_IPV4_HDR_LEN));

    uint8_t *udp = ip + ESP_IPV4_HDR_LEN;
    put16(udp, a->sport);
    put16(udp + 2, a->dport);
    put16(udp + 4, (uint16_t)(total_len - ESP_IPV4_HDR_LEN));
    put16(udp + 6, 0);                         /* no checksum (RFC 768, IPv4) */

    uint8_t *app = udp + ESP_UDP_HDR_LEN;
    put32(app, a->flow);
    put64(app + 4, a->seq);
    put64(app + 12, a->sent_ns);
    return ESP_OK;                             /* the rest stays zero */
}

/* UDP checksum over the IPv4 pseudo-header and the datagram; 0 if right. */
static uint16_t udp_check(const uint8_t *ip, const uint8_t *udp, size_t udp_len)
{
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = ESP_IPPROTO_UDP;
    put16(pseudo + 10, (uint16_t)udp_len);
    return fold(sum16(sum16(0, pseudo, sizeof pseudo), udp, udp_len));
}

int esp_inner_parse(const uint8_t *pkt, size_t len, esp_app_pkt *a, size_t *total_len)
{
    memset(a, 0, sizeof *a);
    if (len < ESP_IPV4_HDR_LEN)
        return ESP_E_TRUNCATED;
    if (pkt[0] >> 4 != IPV4_VERSION)
        return ESP_E_SYNTAX;
    size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
    if (ihl < ESP_IPV4_HDR_LEN)
        return ESP_E_SYNTAX;
    if (len < ihl)
        return ESP_E_TRUNCATED;
    if (esp_inet_checksum(pkt, ihl) != 0)
        return ESP_E_CHECKSUM;
    size_t tot = get16(pkt + 2);
    if (tot < ihl)
        return ESP_E_BAD_LENGTH;
    if (tot > len)
        return ESP_E_TRUNCATED;
    uint16_t frag = get16(pkt + 6);
    if ((frag & IPV4_MF) != 0 || (frag & IPV4_OFFSET_MASK) != 0)
        return ESP_E_SYNTAX;
    if (pkt[9] != ESP_IPPROTO_UDP)
        return ESP_E_SYNTAX;

    const uint8_t *udp = pkt + ihl;
    size_t udp_len = tot - ihl;
    if (udp_len < ESP_UDP_HDR_LEN)
        return ESP_E_TRUNCATED;
    if (get16(udp + 4) != udp_len)
        return ESP_E_BAD_LENGTH;
    if (get16(udp + 6) != 0 && udp_check(pkt, udp, udp_len) != 0)
        return ESP_E_CHECKSUM;
    if (udp_len < ESP_UDP_HDR_LEN + ESP_APP_HDR_LEN)
        return ESP_E_BAD_LENGTH;

    const uint8_t *app = udp + ESP_UDP_HDR_LEN;
    a->src = get32(pkt + 12);
    a->dst = get32(pkt + 16);
    a->sport = get16(udp);
    a->dport = get16(udp + 2);
    a->flow = get32(app);
    a->seq = get64(app + 4);
    a->sent_ns = get64(app + 12);
    if (total_len != NULL)
        *total_len = tot;
    return ESP_OK;
}
