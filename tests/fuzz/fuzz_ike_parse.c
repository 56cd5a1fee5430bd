/* libFuzzer target: the IKEv2 parser on arbitrary bytes.  Beyond "no crash,
 * no sanitizer report" it checks two properties: what the encoder writes
 * from a parsed message parses again, and encoding that is a fixed point. */
#include <string.h>

#include "ike_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ike_msg m, m2;
    static uint8_t out[2 * IKE_MAX_MSG], out2[2 * IKE_MAX_MSG];
    if (ike_parse(data, size, &m) != IKE_OK)
        return 0;
    size_t len, len2;
    if (ike_encode(&m, out, sizeof out, &len) != IKE_OK)
        return 0;
    if (ike_parse(out, len, &m2) != IKE_OK)
        __builtin_trap();
    if (ike_encode(&m2, out2, sizeof out2, &len2) != IKE_OK || len2 != len || memcmp(out, out2, len) != 0)
        __builtin_trap();
    return 0;
}
