/* ike_task.h — one exchange, one task.
 *
 * A task is one exchange seen from both ends: the initiator builds the
 * request and processes the response; the responder processes the request
 * and adds its part to the response.  Each task lives in a file of its own
 * and has one entry in ike_tasks[] (ike_tasks.c); ike_queue.c runs an IKE
 * SA's tasks one at a time (window 1), in the order of that table, and is
 * the one place where our request meets the peer's.
 *
 * Adding an exchange: a file with its functions, a task_kind, an entry in
 * ike_tasks[], its tests.
 */
#ifndef IKESIM_IKE_TASK_H
#define IKESIM_IKE_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "ike_resume_wire.h"
#include "ike_collide.h"
#include "ike_crypto.h"
#include "ike_wire.h"

/* The order is the queue's: of two waiting tasks the first listed starts
 * first, and the responders of one exchange type run in this order. */
typedef enum task_kind {
    TASK_SA_INIT,  /* ike_init.c: IKE_SA_INIT */
    TASK_AUTH,     /* ike_auth.c: IKE_AUTH and the first Child SA */
    TASK_HA_SYNC,  /* ike_ha_sync.c: RFC 6311 counter sync (INFORMATIONAL) */
    TASK_DELETE,   /* ike_delete.c: Delete (INFORMATIONAL) */
    TASK_LIVENESS, /* ike_liveness.c: liveness check (INFORMATIONAL) */
    TASK_CHILD_SA, /* ike_child_sa.c: CREATE_CHILD_SA */
    TASK_CHILD_DELETE, /* ike_child_sa.c: Delete of a rekeyed Child SA (INFORMATIONAL) */
    TASK_RESUME,   /* ike_resume.c: IKE_SESSION_RESUME (RFC 5723) */
    TASK_TICKET,   /* ike_ticket_req.c: a ticket asked for in INFORMATIONAL (RFC 5723 §4.1) */
    TASK_IKE_REKEY, /* ike_ike_rekey.c: CREATE_CHILD_SA rekeying the IKE SA */
    TASK_QCD_TOKEN, /* ike_ike_rekey.c: a QCD token for new SPIs (INFORMATIONAL) */
    TASK_COUNT
} task_kind;

/* A received message, as the tasks see it. */
typedef struct ike_rx {
    const ike_hdr *h;
    const uint8_t *msg;  /* the datagram as received (IKE_AUTH signs IKE_SA_INIT's) */
    size_t len;
    const ike_msg *m;
    size_t first;        /* m->pl[first..]: the payloads inside SK (0 if unprotected) */
} ike_rx;

enum { IKE_REPLY_MAX = 12 };

/* The response a request's responders build together. */
typedef struct ike_reply {
    ike_payload pl[IKE_REPLY_MAX];
    size_t n;
    uint8_t data[IKE_REPLY_MAX][8]; /* small payload contents (SPIs) the replies point into */
    uint8_t ticket[IKE_TICKET_LIFETIME_LEN + IKE_TICKET_MAX]; /* a TICKET_LT_OPAQUE body */
    uint8_t nonce[32], ke[IKE_MAX_KE]; /* a CREATE_CHILD_SA response's Nr and KEr */
} ike_reply;

typedef enum task_verdict {
    TASK_CONTINUE, /* the next responder of this exchange type may add to the reply */
    TASK_DONE,     /* the response went out (or the SA is gone): stop here */
} task_verdict;

enum {
    TASK_ENDS_SA = 1,       /* starting it drops the waiting tasks; running out of
                               retransmissions is then a local deletion, not a timeout */
    TASK_VETS_RESPONSE = 2, /* its on_response decides whether the response counts as
                               received (IKE_EV_MSG_RECEIVED); else the queue reports it */
};

typedef struct ike_task_def {
    const char *name;
    uint8_t exchange;
    unsigned flags;
    /* initiator: build and send the request (NULL: started with arguments
     * through its own entry point, or not yet initiated by this model) */
    int (*initiate)(ike_sa *sa, uint64_t now);
    /* initiator: the response to our request of this kind */
    void (*on_response)(ike_sa *sa, uint64_t now, const ike_rx *rx);
    /* responder on an existing SA: is this request for us (NULL: always),
     * and process it, adding to *reply */
    bool (*takes)(const ike_sa *sa, const ike_hdr *h);
    task_verdict (*on_request)(ike_sa *sa, uint64_t now, const ike_rx *rx, ike_reply *reply);
    /* responder of a request that opens a new IKE SA (no SA exists yet) */
    void (*on_new_sa)(ike_ep *ep, uint64_t now, uint64_t peer, const ike_rx *rx);
    /* initiator: our request went unanswered (NULL: the SA is deleted) */
    void (*on_give_up)(ike_sa *sa, uint64_t now);
} ike_task_def;

extern const ike_task_def ike_tasks[TASK_COUNT];

/* ike_queue.c */
/* A takes() for exchanges on an established SA (or one being deleted). */
bool task_if_established(const ike_sa *sa, const ike_hdr *h);
/* Queues a task of this kind (started now if nothing is in flight). */
int queue_add(ike_sa *sa, uint64_t now, task_kind kind);
/* Starts the first waiting task if the SA is established and idle. */
void queue_run(ike_sa *sa, uint64_t now);
/* A message for sa: a response goes to the task that sent the request, a
 * request to the responders of its exchange type. */
void queue_receive(ike_sa *sa, uint64_t now, uint64_t peer, const uint8_t *msg, size_t len, ike_msg *m);
/* Our outstanding request is moot (a MID sync re-based the counters):
 * dropped, reported as IKE_EV_REQUEST_ABANDONED. */
void queue_abandon(ike_sa *sa, uint64_t now);
/* Our request ran out of retransmissions: why the SA is deleted. */
ike_del_reason queue_give_up_reason(const ike_sa *sa);

/* Crossing requests (RFC 7296 §2.25.1, §2.25.2): what the peer's request of
 * kind theirs does while our own request is in flight. */
typedef enum queue_cross {
    QUEUE_INDEPENDENT, /* answer it as usual */
    QUEUE_REFUSE,      /* answer TEMPORARY_FAILURE: our exchange changes what it acts on */
    QUEUE_COLLIDE,     /* answer it as usual, then weigh both exchanges by their
                          nonces when our response comes (§2.8.1: queue_collision) */
} queue_cross;
queue_cross queue_crossing(const ike_sa *sa, task_kind theirs);
/* The responder of a QUEUE_COLLIDE request keeps its exchange's nonces. */
void queue_collided(ike_sa *sa, task_kind theirs, const uint8_t *peer_ni, size_t peer_ni_len,
                    const uint8_t *our_nr, size_t our_nr_len);
/* The initiator, at its response: true if a request of kind theirs collided
 * with it, and *verdict (ike_collide.h) from the four nonces.  Either way
 * the record is gone. */
bool queue_collision(ike_sa *sa, task_kind theirs, const uint8_t *our_ni, size_t our_ni_len,
                     const uint8_t *peer_nr, size_t peer_nr_len, ike_collision *verdict);
void queue_free(ike_sa *sa); /* with the IKE SA */

#endif
