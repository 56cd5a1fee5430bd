/* trace_msg.h — an IKE message as the trace names it (trace_msg.c). */
#ifndef IKESIM_SIM_TRACE_MSG_H
#define IKESIM_SIM_TRACE_MSG_H

#include "ike_wire.h"
#include "trace.h"

typedef struct trace_msg_info {
    ike_hdr hdr;
    trace_msg kind;     /* responses to liveness and Delete look alike: the
                           caller names them after their request */
    GString *payloads;  /* the caller frees it */
    bool opened;        /* the SK payload was opened */
} trace_msg_info;

/* ep: the sender's endpoint, whose SA keys open the SK payload (NULL: left
 * sealed).  False if msg is not an IKE message (kind TM_UNKNOWN). */
bool trace_msg_describe(const uint8_t *msg, size_t len, ike_ep *ep, trace_msg_info *out);

#endif
