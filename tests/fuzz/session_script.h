/* session_script.h — the input language of fuzz_ike_session: what the peer
 * of an established IKE SA does, one operation after another.  Every read
 * past the end of the input yields 0, so any byte string is a script.
 *
 *   input   := setup op*
 *   setup   := 1 octet: bit 0 the endpoint's role (0 original initiator,
 *              1 responder), bit 1 AES-CBC + HMAC instead of AES-GCM, bits
 *              2-6 configuration switches (SETUP_*)
 *   op      := 1 octet (its value mod OP_COUNT), then its arguments:
 *   OP_REQUEST / OP_RESPONSE  msg: a protected message from the peer
 *   OP_UNPROTECTED            msg without SK (hints, QCD tokens)
 *   OP_TIME                   2 octets: advance by that many times 16 ms
 *   OP_LOCAL                  1 octet LOCAL_*, then its arguments
 *   OP_REPLAY                 the last message the peer sent, again
 *   OP_TAMPER                 2 octets position, 1 octet XOR: the last one, changed
 *   OP_RAW                    1 octet length, that many octets as a datagram
 *   OP_RESUME                 1 octet RESUME_*: IKE_SESSION_RESUME (RFC 5723)
 *                             with a ticket for the SA the session started
 *                             from, under a new SPIi; once answered, the
 *                             script plays the initiator of the resumed SA
 *                             (its IKE_AUTH: PL_AUTH method 0 is the right
 *                             AUTH, §4.3.3)
 *   msg     := head mid? npl payload*
 *   head    := 1 octet: bits 0-1 exchange (HEAD_X_*), bit 2 flips the I
 *              flag, bits 3-4 the Message ID (MID_*), bit 5 a wrong SPI (the
 *              endpoint's own),
 *              bit 6 version 2.1
 *   mid     := 4 octets when MID_RAW (else chosen from the SA's state)
 *   npl     := 1 octet, its value mod 8 payloads
 *   payload := 1 octet kind (PL_*), then its fields (see fuzz_ike_session.c)
 */
#ifndef IKESIM_FUZZ_SESSION_SCRIPT_H
#define IKESIM_FUZZ_SESSION_SCRIPT_H

enum {
    SETUP_RESPONDER = 1,
    SETUP_CBC = 2,
    SETUP_TAKER_NEEDS_REQUEST = 4,
    SETUP_ANSWER_RETRANSMITTED_SYNC = 8,
    SETUP_HINT_STARTS_DPD = 16,
    SETUP_NO_QCD = 32,
    SETUP_CHILD_PFS = 64,
};

enum { OP_REQUEST, OP_RESPONSE, OP_UNPROTECTED, OP_TIME, OP_LOCAL, OP_REPLAY, OP_TAMPER, OP_RAW,
       OP_RESUME, OP_COUNT };

/* OP_RESUME: the gateway's ticket, one sealed with an unknown key, or one expired */
enum { RESUME_TICKET, RESUME_UNKNOWN_KEY, RESUME_EXPIRED, RESUME_COUNT };

enum { HEAD_X_INFORMATIONAL, HEAD_X_CREATE_CHILD_SA, HEAD_X_IKE_AUTH, HEAD_X_RAW };
enum { HEAD_FLIP_I = 4, HEAD_WRONG_SPI = 32, HEAD_MINOR = 64 };
/* requests: the peer's next, the one before (a retransmission), 0, raw;
 * responses: our outstanding request, the one after, 0, raw */
enum { MID_EXPECTED, MID_PREVIOUS, MID_ZERO, MID_RAW };
#define HEAD_MID(m) ((m) << 3)

enum { PL_NOTIFY, PL_DELETE, PL_NONCE, PL_KE, PL_ID, PL_AUTH, PL_SA, PL_TS, PL_VENDOR, PL_UNKNOWN,
       PL_COUNT };

/* PL_NOTIFY: 1 octet type (NOTIFY_TYPES index, or NT_RAW: 2 octets
 * follow), then the data:
 *   NT_MID_SYNC     1 octet: 0 the nonce of the endpoint's last sync, else 4
 *                   octets nonce follow; then EXPECTED_SEND and EXPECTED_RECV,
 *                   each 1 octet base BASE_* and 2 octets delta
 *   NT_REPLAY_SYNC  1 octet (bit 0: 8 octets, else 4), 8 octets value
 *   NT_QCD_TOKEN    1 octet: 0 the right token, else that many raw octets
 *   NT_INVALID_SPI  1 octet: 0 our Child SA's inbound SPI, 1 its outbound, else 4 raw
 *   NT_REKEY_SA     the same choice, as the ESP SPI a CREATE_CHILD_SA rekeys
 *   others          1 octet length, that many raw octets */
enum { NT_INITIAL_CONTACT, NT_MID_SYNC, NT_REPLAY_SYNC, NT_QCD_TOKEN, NT_INVALID_SPI,
       NT_INVALID_IKE_SPI, NT_MID_SYNC_SUPPORTED, NT_REPLAY_SYNC_SUPPORTED, NT_COOKIE,
       NT_INVALID_SYNTAX, NT_AUTH_FAILED, NT_NO_PROPOSAL, NT_TEMPORARY_FAILURE,
       NT_CHILD_SA_NOT_FOUND, NT_UNSUPPORTED_CRITICAL, NT_SET_WINDOW_SIZE, NT_RAW, NT_REKEY_SA, NT_COUNT };
/* MID sync values: base +- delta (delta as int16) */
enum { BASE_PEER_NEXT, BASE_OUR_NEXT, BASE_ZERO, BASE_MAX, BASE_COUNT };

/* PL_SA: 1 octet protocol (mod 4), its SPI (8 octets for IKE, else 4), 1
 * octet transform count (mod 6), each transform 1 octet type (mod 6), 2
 * octets ID, 1 octet (bit 0: Key Length 256).  An IKE proposal rekeys the
 * IKE SA; the session then follows the new SA (its keys from the endpoint). */

/* PL_DELETE: 1 octet: 0 the IKE SA, 1 our Child SA (its outbound SPI), 2
 * an unknown ESP SPI, else protocol and SPI size raw, with 1 octet count of
 * 4-octet SPIs */

/* OP_LOCAL */
enum { LOCAL_LIVENESS, LOCAL_DELETE, LOCAL_MID_SYNC, LOCAL_REPLAY_SYNC, LOCAL_ESP_SEEN,
       LOCAL_INVALID_SPI, LOCAL_REKEY_CHILD, LOCAL_REKEY_IKE, LOCAL_REQUEST_TICKET, LOCAL_COUNT };

#endif
