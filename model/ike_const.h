/* ike_const.h — IKEv2 numbers on the wire (RFC 7296 §3, RFC 6290, RFC 6311,
 * RFC 5282, RFC 4868, RFC 5903, RFC 7634, RFC 8031, RFC 5723). */
#ifndef IKESIM_IKE_CONST_H
#define IKESIM_IKE_CONST_H

enum {
    IKE_PORT = 500,
    IKE_NATT_PORT = 4500, /* messages carry a 4-octet zero non-ESP marker */
    IKE_HDR_LEN = 28,
    IKE_GENERIC_HDR_LEN = 4,
    IKE_VERSION = 0x20, /* major 2, minor 0 */
    IKE_MAX_MSG = 3000, /* largest message the model builds or accepts */
};

/* Exchange types */
enum {
    IKE_SA_INIT = 34,
    IKE_AUTH = 35,
    IKE_CREATE_CHILD_SA = 36,
    IKE_INFORMATIONAL = 37,
    IKE_SESSION_RESUME = 38, /* RFC 5723 §4.3.2 */
};

/* Header flags */
enum {
    IKE_FLAG_I = 0x08, /* sent by the original initiator of the IKE SA */
    IKE_FLAG_V = 0x10,
    IKE_FLAG_R = 0x20, /* a response */
};

/* Payload types */
enum {
    IKE_PL_NONE = 0,
    IKE_PL_SA = 33,
    IKE_PL_KE = 34,
    IKE_PL_IDI = 35,
    IKE_PL_IDR = 36,
    IKE_PL_CERT = 37,
    IKE_PL_CERTREQ = 38,
    IKE_PL_AUTH = 39,
    IKE_PL_NONCE = 40,
    IKE_PL_NOTIFY = 41,
    IKE_PL_DELETE = 42,
    IKE_PL_VENDOR = 43,
    IKE_PL_TSI = 44,
    IKE_PL_TSR = 45,
    IKE_PL_SK = 46,
    IKE_PL_CP = 47,
    IKE_PL_EAP = 48,
};

/* Protocol IDs (SA proposals, Notify, Delete) */
enum {
    IKE_PROTO_NONE = 0,
    IKE_PROTO_IKE = 1,
    IKE_PROTO_AH = 2,
    IKE_PROTO_ESP = 3,
};

/* Notify message types: < 16384 errors, >= 16384 status */
enum {
    IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
    IKE_N_INVALID_IKE_SPI = 4,
    IKE_N_INVALID_MAJOR_VERSION = 5,
    IKE_N_INVALID_SYNTAX = 7,
    IKE_N_INVALID_MESSAGE_ID = 9,
    IKE_N_INVALID_SPI = 11,
    IKE_N_NO_PROPOSAL_CHOSEN = 14,
    IKE_N_INVALID_KE_PAYLOAD = 17,
    IKE_N_AUTHENTICATION_FAILED = 24,
    IKE_N_NO_ADDITIONAL_SAS = 35,
    IKE_N_TS_UNACCEPTABLE = 38,
    IKE_N_TEMPORARY_FAILURE = 43,
    IKE_N_CHILD_SA_NOT_FOUND = 44,
    IKE_N_ERROR_MAX = 16383,
    IKE_N_INITIAL_CONTACT = 16384,
    IKE_N_SET_WINDOW_SIZE = 16385,
    IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
    IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
    IKE_N_COOKIE = 16390,
    IKE_N_USE_TRANSPORT_MODE = 16391,
    IKE_N_REKEY_SA = 16393,
    IKE_N_TICKET_LT_OPAQUE = 16409, /* RFC 5723 §7: 4-octet lifetime, then the ticket */
    IKE_N_TICKET_REQUEST = 16410,
    IKE_N_TICKET_ACK = 16411,
    IKE_N_TICKET_NACK = 16412,
    IKE_N_TICKET_OPAQUE = 16413,    /* the ticket alone */
    IKE_N_CHILDLESS_IKEV2_SUPPORTED = 16418,
    IKE_N_QCD_TOKEN = 16419,
    IKE_N_MESSAGE_ID_SYNC_SUPPORTED = 16420,
    IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED = 16421,
    IKE_N_MESSAGE_ID_SYNC = 16422,
    IKE_N_REPLAY_COUNTER_SYNC = 16423,
};

/* Transform types and IDs */
enum {
    IKE_TT_ENCR = 1,
    IKE_TT_PRF = 2,
    IKE_TT_INTEG = 3,
    IKE_TT_DH = 4,
    IKE_TT_ESN = 5,

    IKE_ENCR_AES_CBC = 12,
    IKE_ENCR_AES_CCM_8 = 14,  /* RFC 4309, RFC 5282 */
    IKE_ENCR_AES_CCM_12 = 15,
    IKE_ENCR_AES_CCM_16 = 16,
    IKE_ENCR_AES_GCM_8 = 18,  /* RFC 4106, RFC 5282 */
    IKE_ENCR_AES_GCM_12 = 19,
    IKE_ENCR_AES_GCM_16 = 20,
    IKE_ENCR_CHACHA20_POLY1305 = 28, /* RFC 7634 */
    IKE_PRF_HMAC_SHA1 = 2,
    IKE_PRF_HMAC_SHA2_256 = 5,
    IKE_PRF_HMAC_SHA2_384 = 6,
    IKE_PRF_HMAC_SHA2_512 = 7,
    IKE_INTEG_NONE = 0,
    IKE_INTEG_HMAC_SHA1_96 = 2,
    IKE_INTEG_HMAC_SHA2_256_128 = 12,
    IKE_INTEG_HMAC_SHA2_384_192 = 13,
    IKE_INTEG_HMAC_SHA2_512_256 = 14,
    IKE_DH_MODP2048 = 14,
    IKE_DH_MODP3072 = 15,
    IKE_DH_MODP4096 = 16,
    IKE_DH_ECP256 = 19, /* RFC 5903 */
    IKE_DH_ECP384 = 20,
    IKE_DH_ECP521 = 21,
    IKE_DH_CURVE25519 = 31, /* RFC 8031 */
    IKE_DH_CURVE448 = 32,
    IKE_ESN_NO = 0,
    IKE_ESN_YES = 1,

    IKE_ATTR_KEY_LENGTH = 14, /* TV form: 0x800E + 2-octet bits */
};

/* ID types, auth methods, traffic selector types */
enum {
    IKE_ID_IPV4_ADDR = 1,
    IKE_ID_FQDN = 2,
    IKE_ID_RFC822_ADDR = 3,
    IKE_ID_KEY_ID = 11,
    IKE_AUTH_SHARED_KEY = 2,
    IKE_TS_IPV4_RANGE = 7,
};

#endif
