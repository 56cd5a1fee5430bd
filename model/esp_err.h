/* esp_err.h — typed errors of the ESP data-plane model (RFC 4303, RFC 4106,
 * RFC 3948).  Every failure on input from outside is one of these; nothing
 * in the model aborts.  The codes sit below -100 so that they never collide
 * with ike_err values when both travel through one int. */
#ifndef IKESIM_ESP_ERR_H
#define IKESIM_ESP_ERR_H

typedef enum esp_err {
    ESP_OK = 0,
    ESP_E_TRUNCATED = -101,     /* fewer octets than the header, IV, trailer and ICV need */
    ESP_E_BAD_LENGTH = -102,    /* a length that is not a block multiple, or disagrees with a length field */
    ESP_E_SPI = -103,           /* the SPI is not this SA's inbound SPI */
    ESP_E_REPLAY = -104,        /* inside the window and already received (auditable) */
    ESP_E_STALE = -105,         /* left of the replay window */
    ESP_E_ICV = -106,           /* integrity check (HMAC ICV or GCM tag) failed (auditable) */
    ESP_E_BAD_PAD = -107,       /* Pad Length too large or padding not 1, 2, 3, ... */
    ESP_E_SEQ_EXHAUSTED = -108, /* the outbound counter would wrap: the SA must be replaced */
    ESP_E_SPACE = -109,         /* output buffer too small */
    ESP_E_UNSUPPORTED = -110,   /* a suite the model does not implement */
    ESP_E_CRYPTO = -111,        /* the crypto library failed */
    ESP_E_NOMEM = -112,         /* memory ran out */
    ESP_E_ARG = -113,           /* a configuration value or argument out of range */
    ESP_E_CHECKSUM = -114,      /* inner IPv4 header (or non-zero UDP) checksum is wrong */
    ESP_E_SYNTAX = -115,        /* inner packet is not an unfragmented IPv4/UDP datagram */
} esp_err;

const char *esp_strerror(int err);

#endif
