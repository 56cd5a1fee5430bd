#include "ike_err.h"

const char *ike_strerror(int err)
{
    switch ((ike_err)err) {
    case IKE_OK: return "success";
    case IKE_E_TRUNCATED: return "message truncated";
    case IKE_E_BAD_LENGTH: return "inconsistent length field";
    case IKE_E_VERSION: return "unsupported major version";
    case IKE_E_CRITICAL: return "unsupported critical payload";
    case IKE_E_SYNTAX: return "invalid syntax";
    case IKE_E_LIMIT: return "too many elements for the model";
    case IKE_E_SPACE: return "output buffer too small";
    case IKE_E_ICV: return "integrity check failed";
    case IKE_E_CRYPTO: return "cryptographic operation failed";
    case IKE_E_UNSUPPORTED: return "unsupported algorithm";
    case IKE_E_STATE: return "message does not fit the exchange state";
    case IKE_E_MSG_ID: return "unexpected message ID";
    case IKE_E_AUTH: return "authentication failed";
    case IKE_E_PROPOSAL: return "no acceptable proposal";
    case IKE_E_UNKNOWN_SA: return "unknown IKE SA";
    case IKE_E_ONCE: return "counter sync already sent in this failover";
    case IKE_E_NOT_NEGOTIATED: return "capability not negotiated";
    case IKE_E_PAYLOADS: return "payloads do not fit the exchange";
    case IKE_E_EXPIRED: return "ticket expired";
    case IKE_E_TICKET_KEY: return "ticket key unknown or retired";
    case IKE_E_BUSY: return "too many half-open SAs";
    }
    return "unknown error";
}
