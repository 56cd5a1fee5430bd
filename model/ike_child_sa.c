/* ike_child_sa.c — CREATE_CHILD_SA (RFC 7296 §1.3).  This model neither
 * creates nor rekeys Child or IKE SAs yet: a request is refused with
 * NO_PROPOSAL_CHOSEN (§1.3: the SA it asked for is not created, the IKE SA
 * stays up), and none is initiated. */
#include "ike_internal.h"

task_verdict child_sa_on_request(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply)
{
    (void)sa, (void)now, (void)rx;
    reply->pl[reply->n++] = ike_pl_notify(IKE_PROTO_NONE, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
    return TASK_CONTINUE;
}
