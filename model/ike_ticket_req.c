/* ike_ticket_req.c — a ticket asked for on an established SA (RFC 5723
 * §4.1): the client's INFORMATIONAL with N(TICKET_REQUEST), e.g. after a
 * TICKET_ACK or before its ticket expires; the gateway adds
 * N(TICKET_LT_OPAQUE) or N(TICKET_NACK) to whatever else the INFORMATIONAL
 * answers.  Only the client (the original initiator) asks (§4.1). */
#include "ike_internal.h"

int ticket_req_start(ike_sa *sa, uint64_t now)
{
    ike_payload n = ike_pl_notify(IKE_PROTO_NONE, IKE_N_TICKET_REQUEST, NULL, 0);
    return sa_start_request(sa, now, TASK_TICKET, IKE_INFORMATIONAL, &n, 1);
}

void ticket_req_on_response(ike_sa *sa, uint64_t now, const ike_rx *rx)
{
    sa_request_done(sa, now);
    resume_keep_ticket(sa, now, rx->m, rx->first);
    queue_run(sa, now);
    ep_rearm(sa->ep, sa);
}

task_verdict ticket_req_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    if (reply->n < IKE_REPLY_MAX)
        reply->n += resume_ticket_answer(sa, now, rx->m, rx->first, reply->ticket, sizeof reply->ticket,
                                         &reply->pl[reply->n]);
    return TASK_CONTINUE;
}

int ike_ep_request_ticket(ike_ep *ep, ike_sa *sa, uint64_t now)
{
    if (sa->state != SA_ESTABLISHED || !sa->initiator || !ep->cfg->resume.client)
        return IKE_E_STATE;
    return queue_add(sa, now, TASK_TICKET);
}
