/* ike_err.h — typed errors of the IKEv2 model.  Every failure on input from
 * outside is one of these; nothing in the model aborts. */
#ifndef IKESIM_IKE_ERR_H
#define IKESIM_IKE_ERR_H

typedef enum ike_err {
    IKE_OK = 0,
    IKE_E_TRUNCATED = -1,  /* fewer octets than a structure or length field needs */
    IKE_E_BAD_LENGTH = -2, /* a length field below its fixed part or disagreeing with its container */
    IKE_E_VERSION = -3,    /* major version is not 2 */
    IKE_E_CRITICAL = -4,   /* unknown payload with the critical bit set */
    IKE_E_SYNTAX = -5,     /* a field holds a value its payload cannot carry */
    IKE_E_LIMIT = -6,      /* more payloads, proposals, transforms or selectors than the model holds */
    IKE_E_SPACE = -7,      /* output buffer too small */
    IKE_E_ICV = -8,        /* integrity check failed */
    IKE_E_CRYPTO = -9,     /* the crypto library failed, or a peer value is unusable */
    IKE_E_UNSUPPORTED = -10, /* an algorithm or group the model does not implement */
    IKE_E_STATE = -11,     /* the message does not fit the exchange's state */
    IKE_E_MSG_ID = -12,    /* unexpected message ID */
    IKE_E_AUTH = -13,      /* AUTH payload did not verify */
    IKE_E_PROPOSAL = -14,  /* no acceptable proposal */
    IKE_E_UNKNOWN_SA = -15,/* no IKE SA with these SPIs */
    IKE_E_ONCE = -16,      /* RFC 6311 §7: one counter sync per IKE SA per failover */
    IKE_E_NOT_NEGOTIATED = -17, /* the peer did not assert the capability */
    IKE_E_PAYLOADS = -18,  /* a payload the exchange needs is missing or repeated, or one it forbids is present */
    IKE_E_EXPIRED = -19,   /* a session ticket past its expiry */
    IKE_E_TICKET_KEY = -20,/* a session ticket under a key this gateway does not hold or has retired */
    IKE_E_BUSY = -21,      /* responder: as many SAs half-open as it admits */
} ike_err;

const char *ike_strerror(int err);

#endif
