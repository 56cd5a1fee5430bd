/* The wrapper's clock and timers: order, exact instants, cancellation,
 * re-arming, stop times and input checks. */
#include <glib.h>

#include "ns3_sim.h"
#include "rng.h"

typedef struct {
    GArray *fired; /* of uint64_t firing times */
    GArray *ids;   /* of int */
} fire_log;

typedef struct {
    fire_log *log;
    int id;
    ns3_timer timer;
} tagged;

static void record(void *arg)
{
    tagged *t = arg;
    uint64_t now = ns3_now_ns();
    g_array_append_val(t->log->fired, now);
    g_array_append_val(t->log->ids, t->id);
}

static void test_time_order_and_cancel(void)
{
    g_assert_cmpint(ns3_sim_init(7, 1), ==, NS3_OK);
    sim_rng *rng = sim_rng_new(7, 1, 0);
    fire_log log = {g_array_new(FALSE, FALSE, sizeof(uint64_t)), g_array_new(FALSE, FALSE, sizeof(int))};
    enum { N = 500 };
    tagged *t = g_new0(tagged, N);
    for (int i = 0; i < N; i++) {
        uint32_t r;
        sim_rng_bytes(rng, (uint8_t *)&r, sizeof r);
        t[i].log = &log;
        t[i].id = i;
        ns3_timer_init(&t[i].timer, NS3_NO_NODE, record, &t[i]);
        g_assert_cmpint(ns3_timer_start(&t[i].timer, r % 1000000), ==, NS3_OK);
        g_assert_true(ns3_timer_pending(&t[i].timer));
        g_assert_cmpuint(ns3_timer_expiry(&t[i].timer), ==, r % 1000000);
    }
    for (int i = 0; i < N; i += 3)
        ns3_timer_stop(&t[i].timer);
    ns3_sim_run();

    g_assert_cmpuint(log.ids->len, ==, N - (N + 2) / 3);
    uint64_t prev = 0;
    for (guint k = 0; k < log.ids->len; k++) {
        int id = g_array_index(log.ids, int, k);
        uint64_t at = g_array_index(log.fired, uint64_t, k);
        g_assert_cmpint(id % 3, !=, 0); /* cancelled ones never run */
        g_assert_cmpuint(at, >=, prev);  /* time order */
        g_assert_false(ns3_timer_pending(&t[id].timer));
        prev = at;
    }
    /* each fired exactly at its expiry: re-derive from the same stream */
    sim_rng *again = sim_rng_new(7, 1, 0);
    uint64_t *want = g_new(uint64_t, N);
    for (int i = 0; i < N; i++) {
        uint32_t r;
        sim_rng_bytes(again, (uint8_t *)&r, sizeof r);
        want[i] = r % 1000000;
    }
    for (guint k = 0; k < log.ids->len; k++)
        g_assert_cmpuint(g_array_index(log.fired, uint64_t, k), ==,
                         want[g_array_index(log.ids, int, k)]);
    ns3_sim_destroy();
    g_free(want);
    g_free(t);
    sim_rng_free(rng);
    sim_rng_free(again);
    g_array_free(log.fired, TRUE);
    g_array_free(log.ids, TRUE);
}

static void test_same_instant_fifo(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    fire_log log = {g_array_new(FALSE, FALSE, sizeof(uint64_t)), g_array_new(FALSE, FALSE, sizeof(int))};
    tagged t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = (tagged){&log, i, {0}};
        ns3_timer_init(&t[i].timer, NS3_NO_NODE, record, &t[i]);
        ns3_timer_start(&t[i].timer, 5000);
    }
    ns3_sim_run();
    g_assert_cmpuint(log.ids->len, ==, 10);
    for (int i = 0; i < 10; i++) {
        g_assert_cmpint(g_array_index(log.ids, int, i), ==, i);
        g_assert_cmpuint(g_array_index(log.fired, uint64_t, i), ==, 5000);
    }
    ns3_sim_destroy();
    g_array_free(log.fired, TRUE);
    g_array_free(log.ids, TRUE);
}

static void test_rearm_replaces(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    fire_log log = {g_array_new(FALSE, FALSE, sizeof(uint64_t)), g_array_new(FALSE, FALSE, sizeof(int))};
    tagged t = {&log, 1, {0}};
    ns3_timer_init(&t.timer, NS3_NO_NODE, record, &t);
    ns3_timer_start(&t.timer, 10);
    ns3_timer_start(&t.timer, 20); /* later */
    ns3_timer_start(&t.timer, 15); /* earlier than the last, later than the first */
    ns3_sim_run();
    g_assert_cmpuint(log.fired->len, ==, 1);
    g_assert_cmpuint(g_array_index(log.fired, uint64_t, 0), ==, 15);
    ns3_timer_stop(&t.timer); /* stopping a fired timer is a no-op */
    ns3_sim_destroy();
    g_array_free(log.fired, TRUE);
    g_array_free(log.ids, TRUE);
}

typedef struct {
    ns3_timer timer;
    int left;
    GArray *at;
} periodic;

static void tick(void *arg)
{
    periodic *p = arg;
    uint64_t now = ns3_now_ns();
    g_array_append_val(p->at, now);
    g_assert_false(ns3_timer_pending(&p->timer)); /* may re-arm itself */
    if (--p->left > 0)
        ns3_timer_start(&p->timer, 1000000000ull);
}

static void test_rearm_from_callback_and_stop_at(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    periodic p = {.left = 10, .at = g_array_new(FALSE, FALSE, sizeof(uint64_t))};
    ns3_timer_init(&p.timer, NS3_NO_NODE, tick, &p);
    ns3_timer_start(&p.timer, 0);
    /* stop at 4.5 s: ticks at 0..4 s run, the one at 5 s waits */
    g_assert_cmpint(ns3_sim_stop_at(4500000000ull), ==, NS3_OK);
    ns3_sim_run();
    g_assert_cmpuint(ns3_now_ns(), ==, 4500000000ull);
    g_assert_cmpuint(p.at->len, ==, 5);
    g_assert_true(ns3_timer_pending(&p.timer));
    g_assert_cmpuint(ns3_timer_expiry(&p.timer), ==, 5000000000ull);
    g_assert_cmpint(ns3_sim_stop_at(4000000000ull), ==, NS3_EINVAL); /* in the past */
    ns3_sim_run(); /* resumes to the end */
    g_assert_cmpuint(p.at->len, ==, 10);
    for (guint i = 0; i < 10; i++)
        g_assert_cmpuint(g_array_index(p.at, uint64_t, i), ==, i * 1000000000ull);
    g_assert_cmpuint(ns3_sim_events(), >=, 10);
    ns3_sim_destroy();
    g_array_free(p.at, TRUE);
}

static void noop(void *arg) { (void)arg; }

static void test_bad_input(void)
{
    ns3_timer t;
    ns3_timer_init(&t, NS3_NO_NODE, noop, NULL);
    g_assert_cmpint(ns3_timer_start(&t, 1), ==, NS3_ENOSIM);
    g_assert_cmpint(ns3_sim_run(), ==, NS3_ENOSIM);
    g_assert_cmpint(ns3_sim_init(0, 1), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_sim_init(4294967087u, 1), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_sim_init(4294967086u, 1), ==, NS3_OK);
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_EACTIVE);
    g_assert_cmpint(ns3_schedule(NS3_NO_NODE, 10, noop, NULL), ==, NS3_OK);
    ns3_sim_run();
    g_assert_cmpuint(ns3_now_ns(), ==, 10);
    /* a delay that would overflow simulated time is refused */
    g_assert_cmpint(ns3_timer_start(&t, NS3_TIME_MAX - 9), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_timer_start(&t, NS3_TIME_MAX - 10), ==, NS3_OK);
    ns3_timer_stop(&t);
    g_assert_cmpint(ns3_timer_start(&t, UINT64_MAX), ==, NS3_EINVAL);
    g_assert_cmpint(ns3_sim_stop_at(UINT64_MAX), ==, NS3_EINVAL);
    /* a timer owned by a node that does not exist */
    ns3_timer_init(&t, 42, noop, NULL);
    g_assert_cmpint(ns3_timer_start(&t, 1), ==, NS3_ENODE);
    g_assert_false(ns3_timer_pending(&t));
    g_assert_cmpstr(ns3_strerror(NS3_EDOWN), ==, "node is crashed");
    ns3_sim_destroy();
    ns3_sim_destroy(); /* twice is harmless */
}

static void test_destroy_with_pending_timers(void)
{
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    ns3_timer t;
    ns3_timer_init(&t, NS3_NO_NODE, noop, NULL);
    ns3_timer_start(&t, 100);
    ns3_schedule(NS3_NO_NODE, 200, noop, NULL); /* freed by destroy */
    ns3_sim_destroy();
    g_assert_false(ns3_timer_pending(&t));
    /* a new simulation starts at time zero */
    g_assert_cmpint(ns3_sim_init(1, 1), ==, NS3_OK);
    g_assert_cmpuint(ns3_now_ns(), ==, 0);
    ns3_sim_destroy();
}

/* Timers due from nanoseconds to minutes ahead (the queue keeps those due
 * within a second apart from the rest), many at the same instant, each
 * re-armed from its own callback a few times and some stopped by others:
 * they fire by time, and at one instant in the order they were started. */
typedef struct spread_timer {
    ns3_timer timer;
    struct spread_ctx *ctx;
    uint64_t started;  /* when (in start order) it was last armed */
    int left;          /* re-arms still to do */
} spread_timer;

typedef struct spread_ctx {
    sim_rng *rng;
    spread_timer t[300];
    uint64_t starts, fired, last_ns, last_started;
} spread_ctx;

static uint64_t spread_delay(sim_rng *rng)
{
    uint32_t r;
    sim_rng_bytes(rng, (uint8_t *)&r, sizeof r);
    switch (r % 4) {
    case 0: return r % 1000;                          /* near */
    case 1: return 1000000000ull - 2 + r % 4;         /* on the edge */
    case 2: return (uint64_t)(r % 90) * 1000000000ull; /* far, on whole seconds */
    default: return (uint64_t)(r % 3) * 500000000ull; /* near and far, on half seconds */
    }
}

static void spread_arm(spread_timer *s)
{
    s->started = s->ctx->starts++;
    g_assert_cmpint(ns3_timer_start(&s->timer, spread_delay(s->ctx->rng)), ==, NS3_OK);
}

static void spread_fire(void *arg)
{
    spread_timer *s = arg;
    spread_ctx *c = s->ctx;
    uint64_t now = ns3_now_ns();
    g_assert_cmpuint(now, >=, c->last_ns);
    if (now == c->last_ns && c->fired > 0)
        g_assert_cmpuint(s->started, >, c->last_started);
    c->last_ns = now;
    c->last_started = s->started;
    c->fired++;
    if (s->left-- > 0)
        spread_arm(s);
    uint32_t r;
    sim_rng_bytes(c->rng, (uint8_t *)&r, sizeof r);
    if (r % 8 == 0) /* re-arm or stop another one: its old event stays queued, cancelled */
        (r & 8) ? spread_arm(&c->t[r / 16 % 300]) : ns3_timer_stop(&c->t[r / 16 % 300].timer);
}

static void test_near_and_far_in_order(void)
{
    g_assert_cmpint(ns3_sim_init(3, 1), ==, NS3_OK);
    spread_ctx *c = g_new0(spread_ctx, 1);
    c->rng = sim_rng_new(3, 1, 0);
    for (int i = 0; i < 300; i++) {
        c->t[i].ctx = c;
        c->t[i].left = 20;
        ns3_timer_init(&c->t[i].timer, NS3_NO_NODE, spread_fire, &c->t[i]);
        spread_arm(&c->t[i]);
    }
    ns3_sim_run();
    g_assert_cmpuint(c->fired, >, 3000);
    g_assert_cmpuint(c->last_ns, >, 60000000000ull);
    ns3_sim_destroy();
    sim_rng_free(c->rng);
    g_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/scheduler/time-order-and-cancel", test_time_order_and_cancel);
    g_test_add_func("/scheduler/same-instant-fifo", test_same_instant_fifo);
    g_test_add_func("/scheduler/rearm-replaces", test_rearm_replaces);
    g_test_add_func("/scheduler/rearm-from-callback-and-stop-at", test_rearm_from_callback_and_stop_at);
    g_test_add_func("/scheduler/bad-input", test_bad_input);
    g_test_add_func("/scheduler/destroy-with-pending-timers", test_destroy_with_pending_timers);
    g_test_add_func("/scheduler/near-and-far-in-order", test_near_and_far_in_order);
    return g_test_run();
}
