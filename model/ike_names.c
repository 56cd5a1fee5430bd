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
    }
    return "unknown";
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
