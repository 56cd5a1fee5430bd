/* esp_inner.h — the application packet that rides inside ESP tunnel mode:
 * a minimal IPv4 header (20 octets, no options, DF set, TTL 64, protocol 17,
 * correct header checksum), a UDP header (8 octets, checksum 0: "none" for
 * IPv4, RFC 768), and an application payload
 *     flow id (4) | sequence (8) | send time ns (8) | zero padding
 * all big-endian, up to the requested total length.  Wireshark dissects a
 * decrypted packet as IPv4/UDP; metrics match a receive to its send by
 * (flow, sequence).  Sans I/O; typed errors, no aborts.
 */
#ifndef IKESIM_ESP_INNER_H
#define IKESIM_ESP_INNER_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

enum {
    ESP_IPV4_HDR_LEN = 20,
    ESP_UDP_HDR_LEN = 8,
    ESP_APP_HDR_LEN = 20,     /* flow 4 + seq 8 + send time 8 */
    ESP_INNER_MIN = 48,       /* 20 + 8 + 20 */
    ESP_INNER_MAX = 65535,    /* IPv4 Total Length */
    ESP_IPPROTO_UDP = 17,
};

typedef struct esp_app_pkt {
    uint32_t src, dst;        /* IPv4 addresses, host order */
    uint16_t sport, dport;
    uint32_t flow;
    uint64_t seq;
    uint64_t sent_ns;
} esp_app_pkt;

/* Writes a total_len-octet IPv4 packet (ESP_INNER_MIN..ESP_INNER_MAX, else
 * ESP_E_ARG) into out; ESP_E_SPACE if cap < total_len.  The IPv4
 * Identification is the low 16 bits of seq. */
int esp_inner_build(const esp_app_pkt *a, size_t total_len, uint8_t *out, size_t cap);

/* Parses a packet built as above.  Octets after the IPv4 Total Length are
 * ignored (as link padding would be); *total_len gets the Total Length (may
 * be NULL).  Errors: ESP_E_TRUNCATED (fewer octets than a header or the
 * Total Length says), ESP_E_SYNTAX (not IPv4, IHL < 5, a fragment, not UDP),
 * ESP_E_CHECKSUM (IPv4 header, or a non-zero UDP checksum), ESP_E_BAD_LENGTH
 * (UDP Length disagrees with the IPv4 Total Length, or no room for the
 * application header). */
int esp_inner_parse(const uint8_t *pkt, size_t len, esp_app_pkt *a, size_t *total_len);

/* The Internet checksum (RFC 1071) of len octets: the one's complement of
 * the one's-complement sum.  Over a header with a correct checksum it is 0. */
uint16_t esp_inet_checksum(const uint8_t *p, size_t len);

#endif
