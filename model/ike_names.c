#include "ike.h"

const char *ike_event_name(ike_event_type t)
{
    switch (t) {
    case IKE_EV_MSG_SENT: return "msg_sent";
    case IKE_EV_MSG_RECEIVED: return "msg_received";
    case IKE_EV_MSG_DROPPED: return "msg_dropped";
    case IKE_EV_RETRANSMIT: return "retransmit";
    case IKE_EV_SA_ESTABLISHED: return "sa_established";
    case IKE_EV_CHILD_ESTABLISHED: return "child_established";
    case IKE_EV_LIVENESS_SENT: return "liveness_sent";
    case IKE_EV_LIVENESS_ANSWERED: return "liveness_answered";
    case IKE_EV_HINT: return "hint";
    case IKE_EV_QCD_ANSWERED: return "qcd_answered";
    case IKE_EV_QCD_REJECTED: return "qcd_rejected";
    case IKE_EV_SA_DELETED: return "sa_deleted";
    case IKE_EV_SA_IMPORTED: return "sa_imported";
    case IKE_EV_HA_SYNC_SENT: return "ha_sync_sent";
    case IKE_EV_HA_SYNC_ANSWERED: return "ha_sync_answered";
    case IKE_EV_HA_SYNC_DROPPED: return "ha_sync_dropped";
    case IKE_EV_HA_REPLAY_DELTA: return "ha_replay_delta";
    case IKE_EV_REQUEST_ABANDONED: return "request_abandoned";
    case IKE_EV_COOKIE_SENT: return "cookie_sent";
    case IKE_EV_TICKET_GRANTED: return "ticket_granted";
    case IKE_EV_RESUME_SENT: return "resume_sent";
    case IKE_EV_RESUME_ACCEPTED: return "resume_accepted";
    case IKE_EV_RESUME_REFUSED: return "resume_refused";
    case IKE_EV_CHILD_REKEYED: return "child_rekeyed";
    case IKE_EV_CHILD_REMOVED: return "child_removed";
    case IKE_EV_REAUTH_STARTED: return "reauth_started";
    case IKE_EV_REAUTH_INITIATED: return "reauth_initiated";
    case IKE_EV_SA_REKEYED: return "sa_rekeyed";
    }
    return "unknown";
}

const char *ike_del_reason_name(ike_del_reason r)
{
    switch (r) {
    case IKE_DEL_TIMEOUT: return "timeout";
    case IKE_DEL_PEER_DELETE: return "delete";
    case IKE_DEL_LOCAL: return "local";
    case IKE_DEL_AUTH_FAILED: return "auth_failed";
    case IKE_DEL_NEGOTIATION: return "negotiation";
    case IKE_DEL_HALF_OPEN: return "half_open";
    case IKE_DEL_INITIAL_CONTACT: return "initial_contact";
    case IKE_DEL_SHUTDOWN: return "shutdown";
    case IKE_DEL_QCD: return "qcd";
    case IKE_DEL_APP_TIMEOUT: return "app_timeout";
    case IKE_DEL_RESUMED: return "resumed";
    case IKE_DEL_EXPIRED: return "expired";
    case IKE_DEL_REASONS: break;
    }
    return "unknown";
}

bool ike_del_peer_dead(ike_del_reason r)
{
    return r == IKE_DEL_TIMEOUT || r == IKE_DEL_QCD || r == IKE_DEL_INITIAL_CONTACT || r == IKE_DEL_APP_TIMEOUT;
}

const char *ike_ha_drop_name(ike_ha_drop d)
{
    switch (d) {
    case IKE_HA_DROP_STALE: return "stale";
    case IKE_HA_DROP_BAD_NONCE: return "bad_nonce";
    case IKE_HA_DROP_DUPLICATE: return "duplicate";
    case IKE_HA_DROP_NOT_NEGOTIATED: return "not_negotiated";
    case IKE_HA_DROP_MALFORMED: return "malformed";
    }
    return "unknown";
}

const char *ike_exchange_name(uint8_t x)
{
    switch (x) {
    case IKE_SA_INIT: return "IKE_SA_INIT";
    case IKE_AUTH: return "IKE_AUTH";
    case IKE_CREATE_CHILD_SA: return "CREATE_CHILD_SA";
    case IKE_INFORMATIONAL: return "INFORMATIONAL";
    case IKE_SESSION_RESUME: return "IKE_SESSION_RESUME";
    }
    return "exchange?";
}

/* IANA's names, which tshark prints too. */
const char *ike_notify_name(uint16_t t)
{
    switch (t) {
    case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case IKE_N_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
    case IKE_N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
    case IKE_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
    case IKE_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
    case IKE_N_INVALID_SPI: return "INVALID_SPI";
    case IKE_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
    case IKE_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
    case IKE_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
    case IKE_N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
    case IKE_N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
    case IKE_N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
    case IKE_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
    case IKE_N_INITIAL_CONTACT: return "INITIAL_CONTACT";
    case IKE_N_SET_WINDOW_SIZE: return "SET_WINDOW_SIZE";
    case IKE_N_NAT_DETECTION_SOURCE_IP: return "NAT_DETECTION_SOURCE_IP";
    case IKE_N_NAT_DETECTION_DESTINATION_IP: return "NAT_DETECTION_DESTINATION_IP";
    case IKE_N_COOKIE: return "COOKIE";
    case IKE_N_USE_TRANSPORT_MODE: return "USE_TRANSPORT_MODE";
    case IKE_N_REKEY_SA: return "REKEY_SA";
    case IKE_N_TICKET_LT_OPAQUE: return "TICKET_LT_OPAQUE";
    case IKE_N_TICKET_REQUEST: return "TICKET_REQUEST";
    case IKE_N_TICKET_ACK: return "TICKET_ACK";
    case IKE_N_TICKET_NACK: return "TICKET_NACK";
    case IKE_N_TICKET_OPAQUE: return "TICKET_OPAQUE";
    case IKE_N_CHILDLESS_IKEV2_SUPPORTED: return "CHILDLESS_IKEV2_SUPPORTED";
    case IKE_N_QCD_TOKEN: return "QUICK_CRASH_DETECTION";
    case IKE_N_MESSAGE_ID_SYNC_SUPPORTED: return "IKEV2_MESSAGE_ID_SYNC_SUPPORTED";
    case IKE_N_REPLAY_COUNTER_SYNC_SUPPORTED: return "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED";
    case IKE_N_MESSAGE_ID_SYNC: return "IKEV2_MESSAGE_ID_SYNC";
    case IKE_N_REPLAY_COUNTER_SYNC: return "IPSEC_REPLAY_COUNTER_SYNC";
    }
    return "notify?";
}
