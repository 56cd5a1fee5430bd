#include "esp_err.h"

const char *esp_strerror(int err)
{
    switch ((esp_err)err) {
    case ESP_OK: return "success";
    case ESP_E_TRUNCATED: return "packet truncated";
    case ESP_E_BAD_LENGTH: return "inconsistent length";
    case ESP_E_SPI: return "SPI does not match the SA";
    case ESP_E_REPLAY: return "replayed sequence number";
    case ESP_E_STALE: return "sequence number left of the replay window";
    case ESP_E_ICV: return "integrity check failed";
    case ESP_E_BAD_PAD: return "invalid padding";
    case ESP_E_SEQ_EXHAUSTED: return "sequence number space exhausted";
    case ESP_E_SPACE: return "output buffer too small";
    case ESP_E_UNSUPPORTED: return "unsupported suite";
    case ESP_E_CRYPTO: return "cryptographic operation failed";
    case ESP_E_NOMEM: return "out of memory";
    case ESP_E_ARG: return "argument out of range";
    case ESP_E_CHECKSUM: return "bad checksum";
    case ESP_E_SYNTAX: return "not an unfragmented IPv4/UDP packet";
    }
    return "unknown error";
}
