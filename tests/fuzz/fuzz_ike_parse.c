/* libFuzzer target: the IKEv2 parser on arbitrary bytes.  Beyond "no crash,
 * no sanitizer report" it checks these properties: what the encoder writes
 * from a parsed message parses again, and encoding that is a fixed point;
 * what the CREATE_CHILD_SA and IKE_SESSION_RESUME readers accept, their
 * builders accept too. */
#include <string.h>

#include "ike_ccsa.h"
#include "ike_resume_wire.h"
#include "ike_wire.h"

/* The payload-set readers on a parsed message (its payloads read as if they
 * were an SK payload's content). */
static void read_sets(const ike_msg *m)
{
    bool response = (m->hdr.flags & IKE_FLAG_R) != 0;
    ike_ccsa c;
    ike_payload pl[IKE_CCSA_MAX_PAYLOADS];
    size_t n;
    if (ike_ccsa_read(m, 0, response, &c) == IKE_OK && c.error == 0 &&
        ike_ccsa_build(&c, response, pl, IKE_CCSA_MAX_PAYLOADS, &n) != IKE_OK)
        __builtin_trap();
    ike_ticket_reply r;
    (void)ike_ticket_reply_read(m, 0, &r);
    (void)ike_ticket_requested(m, 0);
    static ike_msg again;
    ike_resume_msg rm;
    if (ike_resume_read(m, &rm) == IKE_OK &&
        (response ? ike_resume_response(m->hdr.spi_i, rm.nonce.len ? m->hdr.spi_r : 0, &rm, &again)
                  : ike_resume_request(m->hdr.spi_i, &rm, &again)) != IKE_OK)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ike_msg m, m2;
    static uint8_t out[2 * IKE_MAX_MSG], out2[2 * IKE_MAX_MSG];
    if (ike_parse(data, size, &m) != IKE_OK)
        return 0;
    read_sets(&m);
    size_t len, len2;
    if (ike_encode(&m, out, sizeof out, &len) != IKE_OK)
        return 0;
    if (ike_parse(out, len, &m2) != IKE_OK)
        __builtin_trap();
    if (ike_encode(&m2, out2, sizeof out2, &len2) != IKE_OK || len2 != len || memcmp(out, out2, len) != 0)
        __builtin_trap();
    return 0;
}
