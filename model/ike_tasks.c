/* ike_tasks.c — the exchanges this endpoint knows, one entry each (see
 * ike_task.h); the order of the entries is the order of task_kind. */
#include "ike_internal.h"

const ike_task_def ike_tasks[TASK_COUNT] = {
    [TASK_SA_INIT] = {.name = "ike_sa_init", .exchange = IKE_SA_INIT, .flags = TASK_VETS_RESPONSE,
                      .initiate = init_start, .on_response = init_on_response, .on_new_sa = init_on_request},
    [TASK_AUTH] = {.name = "ike_auth", .exchange = IKE_AUTH, .initiate = auth_start,
                   .on_response = auth_on_response, .takes = auth_takes, .on_request = auth_on_request},
    [TASK_HA_SYNC] = {.name = "ha_sync", .exchange = IKE_INFORMATIONAL, .flags = TASK_VETS_RESPONSE,
                      .on_response = ha_on_response, .takes = task_if_established, .on_request = ha_on_info_request},
    [TASK_DELETE] = {.name = "delete", .exchange = IKE_INFORMATIONAL, .flags = TASK_ENDS_SA,
                     .initiate = delete_start, .on_response = delete_on_response, .takes = task_if_established,
                     .on_request = delete_on_request},
    [TASK_LIVENESS] = {.name = "liveness", .exchange = IKE_INFORMATIONAL, .initiate = liveness_start,
                       .on_response = liveness_on_response, .takes = task_if_established,
                       .on_request = liveness_on_request},
    [TASK_CHILD_SA] = {.name = "create_child_sa", .exchange = IKE_CREATE_CHILD_SA, .initiate = child_rekey_start,
                       .on_response = child_sa_on_response, .takes = task_if_established,
                       .on_request = child_sa_on_request},
    [TASK_CHILD_DELETE] = {.name = "child_delete", .exchange = IKE_INFORMATIONAL, .initiate = child_delete_start,
                           .on_response = child_delete_on_response},
    [TASK_RESUME] = {.name = "ike_session_resume", .exchange = IKE_SESSION_RESUME, .flags = TASK_VETS_RESPONSE,
                     .on_response = resume_on_response, .on_new_sa = resume_on_request,
                     .on_give_up = resume_give_up},
    [TASK_TICKET] = {.name = "ticket_request", .exchange = IKE_INFORMATIONAL, .initiate = ticket_req_start,
                     .on_response = ticket_req_on_response, .takes = task_if_established,
                     .on_request = ticket_req_on_request},
};
