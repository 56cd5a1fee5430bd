/* ESP across a reauthentication in ns-3: both gateways send 100 packets/s
 * over a 10 ms link (RTT 20 ms), gateway 0 reauthenticates 10 s after its
 * IKE SA came up.  Make-before-break loses nothing; break-before-make loses
 * what is sent while no Child SA carries it: gateway 0 from the Delete until
 * its new Child SA is up, three round trips (Delete, IKE_SA_INIT, IKE_AUTH),
 * gateway 1 from the Delete's arrival until its new Child SA is up, two
 * round trips; a Child SA rekey (CREATE_CHILD_SA) loses nothing either.
 * The expected counts come from the send times (start + k / rate) and the
 * round trip, not from the run. */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "run.h"

#define MS 1000000ull
#define SEC 1000000000ull

static const double RATE = 100, START = 1.005, RTT = 0.020;

typedef struct {
    uint64_t reauth_at; /* gateway 0's IKE_EV_REAUTH_STARTED */
    guint reauths, established[2], children[2], rekeyed;
} log_t;

static void trace(void *arg, int gw, const ike_event *ev)
{
    log_t *l = arg;
    if (ev->type == IKE_EV_REAUTH_STARTED && gw == 0) {
        l->reauths++;
        l->reauth_at = ev->now;
    }
    if (ev->type == IKE_EV_SA_ESTABLISHED)
        l->established[gw]++;
    if (ev->type == IKE_EV_CHILD_ESTABLISHED)
        l->children[gw]++;
    if (ev->type == IKE_EV_CHILD_REKEYED && gw == 0)
        l->rekeyed++;
}

/* Packets of one direction sent in [from, to) seconds. */
static guint sends_in(double from, double to)
{
    guint n = 0;
    for (int k = 0; START + k / RATE < to; k++)
        n += START + k / RATE >= from;
    return n;
}

static void run(sim_run_cfg *c, log_t *l, sim_row *row)
{
    memset(l, 0, sizeof *l);
    c->trace = trace;
    c->trace_arg = l;
    g_assert_cmpint(sim_run(c, row), ==, 0);
}

static void base_cfg(sim_run_cfg *c)
{
    sim_run_cfg_defaults(c);
    c->horizon_s = 15;
    c->link.delay_ns = 10 * MS;
    c->gw[1].establish = SIM_EST_NEVER;
    for (int i = 0; i < 2; i++)
        c->traffic[i] = (sim_traffic_cfg){SIM_TRAFFIC_CONSTANT, RATE, 200, START, c->horizon_s, 0, 0};
    c->gw[0].ike.ike_life = (ike_sa_lifetime){.reauth_s = 10, .rand_s = 0};
}

static void run_reauth(ike_reauth_mode mode, log_t *l, sim_row *row)
{
    sim_run_cfg c;
    base_cfg(&c);
    c.gw[0].ike.reauth_mode = mode;
    run(&c, l, row);
}

static void test_make_before_break_loses_nothing(void)
{
    log_t l;
    sim_row row;
    run_reauth(IKE_REAUTH_MBB, &l, &row);
    g_assert_cmpuint(l.reauths, ==, 1);
    g_assert_cmpuint(row.reauths, ==, 1);
    g_assert_cmpuint(l.established[0], ==, 2);
    g_assert_cmpuint(l.established[1], ==, 2);
    g_assert_cmpuint(row.esp_lost, ==, 0);
    g_assert_cmpfloat(row.outage_max_s, ==, 0);
}

static void test_break_before_make_loses_round_trips(void)
{
    log_t l;
    sim_row row;
    run_reauth(IKE_REAUTH_BBM, &l, &row);
    g_assert_cmpuint(l.reauths, ==, 1);
    g_assert_cmpuint(l.established[0], ==, 2);
    double t0 = l.reauth_at / 1e9;
    /* the reauth time: establishment (two round trips after 0) + 10 s, no jitter */
    g_assert_cmpfloat(fabs(t0 - (10 + 2 * RTT)), <, 0.001);
    guint fwd = sends_in(t0, t0 + 3 * RTT), rev = sends_in(t0 + RTT / 2, t0 + 5 * RTT / 2);
    g_assert_cmpuint(fwd, ==, 6); /* 3 round trips at 100/s */
    g_assert_cmpuint(rev, ==, 4); /* 2 round trips */
    g_assert_cmpuint(row.esp_lost, ==, fwd + rev);
    /* the longest outage: gateway 0's first packet lost to its first one delivered, 60 ms */
    g_assert_cmpfloat(fabs(row.outage_max_s - fwd / RATE), <, 1e-9);
}

static void test_child_rekey_loses_nothing(void)
{
    sim_run_cfg c;
    base_cfg(&c);
    c.gw[0].ike.ike_life.reauth_s = 0;
    c.gw[0].ike.child_life = (ike_child_lifetime){.rekey_s = 10, .life_s = 20, .rand_s = 0};
    log_t l;
    sim_row row;
    run(&c, &l, &row);
    g_assert_cmpuint(l.reauths, ==, 0);
    g_assert_cmpuint(l.established[0], ==, 1);
    g_assert_cmpuint(l.rekeyed, ==, 1);
    g_assert_cmpuint(row.esp_lost, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reauth-esp/make-before-break", test_make_before_break_loses_nothing);
    g_test_add_func("/reauth-esp/break-before-make", test_break_before_make_loses_round_trips);
    g_test_add_func("/reauth-esp/child-rekey", test_child_rekey_loses_nothing);
    return g_test_run();
}
