/* esp_udp.h — ESP and IKE sharing UDP port 4500 (RFC 3948 §2; RFC 7296
 * §2.23).  On 4500 an IKE message is preceded by the 4-octet non-ESP marker
 * (all zero); an ESP packet starts directly with its SPI, which is never 0;
 * a single 0xFF octet is a NAT-keepalive.  Sans I/O, typed errors. */
#ifndef IKESIM_ESP_UDP_H
#define IKESIM_ESP_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

enum {
    ESP_NATT_PORT = 4500,
    ESP_NON_ESP_MARKER_LEN = 4,
    ESP_NATT_KEEPALIVE = 0xff,
};

typedef enum esp_udp_kind {
    ESP_UDP_IKE,        /* body: the IKE message after the marker */
    ESP_UDP_ESP,        /* body: the whole datagram, an ESP packet */
    ESP_UDP_KEEPALIVE,  /* body: empty */
} esp_udp_kind;

/* Classifies one port-4500 UDP payload.  ESP_E_TRUNCATED for anything
 * shorter than the marker (other than a keepalive) and for an "ESP packet"
 * shorter than the 8-octet ESP header. */
int esp_udp_classify(const uint8_t *d, size_t len, esp_udp_kind *kind,
                     const uint8_t **body, size_t *body_len);

/* Writes marker | ike into out (no overlap); ESP_E_SPACE if cap is short. */
int esp_udp_frame_ike(const uint8_t *ike, size_t len, uint8_t *out, size_t cap,
                      size_t *out_len);

#endif
