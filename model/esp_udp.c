/* esp_udp.c — port-4500 demultiplexing (RFC 3948 §2.2, §2.3). */
#include "esp_udp.h"

#include <string.h>

enum { ESP_MIN_HDR = 8 };

int esp_udp_classify(const uint8_t *d, size_t len, esp_udp_kind *kind,
                     const uint8_t **body, size_t *body_len)
{
    *body = NULL;
    *body_len = 0;
    if (len == 1 && d[0] == ESP_NATT_KEEPALIVE) {
        *kind = ESP_UDP_KEEPALIVE;
        return ESP_OK;
    }
    if (len < ESP_NON_ESP_MARKER_LEN)
        return ESP_E_TRUNCATED;
    if ((d[0] | d[1] | d[2] | d[3]) == 0) {
        *kind = ESP_UDP_IKE;
        *body = d + ESP_NON_ESP_MARKER_LEN;
        *body_len = len - ESP_NON_ESP_MARKER_LEN;
        return ESP_OK;
    }
    if (len < ESP_MIN_HDR)
        return ESP_E_TRUNCATED;
    *kind = ESP_UDP_ESP;
    *body = d;
    *body_len = len;
    return ESP_OK;
}

int esp_udp_frame_ike(const uint8_t *ike, size_t len, uint8_t *out, size_t cap,
                      size_t *out_len)
{
    *out_len = 0;
    if (cap < ESP_NON_ESP_MARKER_LEN || cap - ESP_NON_ESP_MARKER_LEN < len)
        return ESP_E_SPACE;
    memset(out, 0, ESP_NON_ESP_MARKER_LEN);
    if (len > 0)
        memcpy(out + ESP_NON_ESP_MARKER_LEN, ike, len);
    *out_len = ESP_NON_ESP_MARKER_LEN + len;
    return ESP_OK;
}
