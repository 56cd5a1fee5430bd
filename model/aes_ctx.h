/* aes_ctx.h — the thread's cipher context for a mode (CBC without padding;
 * GCM or ChaCha20-Poly1305 with a 12-octet nonce), key size (128, 192, 256
 * bits; ChaCha20 only 256) and direction, keyed with key and set to the
 * nonce or IV iv (key NULL: unkeyed, to check the cipher is there); NULL on
 * failure.  Valid until the thread's next call: run one message through it.
 * CCM, whose nonce length varies and whose tag is set before the data, is
 * not kept here (ike_cipher.c makes a context per message). */
#ifndef IKESIM_AES_CTX_H
#define IKESIM_AES_CTX_H

#include <stdint.h>

#include <openssl/evp.h>

#include "ike_algs.h"

EVP_CIPHER_CTX *aes_ctx(ike_mode mode, uint16_t bits, const uint8_t *key, const uint8_t *iv, int enc);

#endif
