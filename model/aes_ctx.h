/* aes_ctx.h — the thread's AES context for a mode (GCM with a 12-octet
 * nonce, or CBC without padding), key size (128, 192, 256 bits) and
 * direction, keyed with key and set to the nonce or IV iv (key NULL:
 * unkeyed, to check the cipher is there); NULL on failure.  Valid until the
 * thread's next call: run one message through it. */
#ifndef IKESIM_AES_CTX_H
#define IKESIM_AES_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

EVP_CIPHER_CTX *aes_ctx(bool gcm, uint16_t bits, const uint8_t *key, const uint8_t *iv, int enc);

#endif
