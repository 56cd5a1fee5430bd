/* hmac_ctx.h — the thread's HMAC context for a digest (OpenSSL's name:
 * SHA1, SHA256, SHA384, SHA512), fetched and set to that digest once; NULL
 * on failure.  Valid until the thread's next call: key it (EVP_MAC_init)
 * and run one MAC, or a prf+ of MACs under one key, through it. */
#ifndef IKESIM_HMAC_CTX_H
#define IKESIM_HMAC_CTX_H

#include <openssl/evp.h>

EVP_MAC_CTX *hmac_ctx(const char *digest);

#endif
