/* The `strongswan` liveness preset is strongSwan 5.9.8 as deployed, its
 * lifetimes included: in a run of `liveness-strongswan` (no traffic, just
 * over 4 h) every Child SA rekey request goes out a whole number of seconds
 * in [3600 s - 360 s, 3600 s] after its sender installed the Child SA, and
 * the IKE SA's in [14400 s - 1440 s, 14400 s] after its sender established
 * it, read from `ikesim run --trace`; `lifetimes = none` has no rekey. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clirun.h"

enum { T_S, NODE, EVENT, MESSAGE, PAYLOADS = 11 };

static char *dir;

/* The trace's rows, split at the first 12 commas (the detail may hold more). */
static GPtrArray *run_trace(const char *set)
{
    g_autofree char *ini = g_build_filename(dir, "life.ini", NULL);
    g_autofree char *trace = g_build_filename(dir, "trace.csv", NULL);
    g_assert_true(g_file_set_contents(ini,
                                      "[experiment]\nname = life\nhorizon = 14500s\nmethod = liveness-strongswan\n"
                                      "[traffic]\npattern = none\n",
                                      -1, NULL));
    const char *argv[] = {"ikesim", "run", ini, "--trace", trace, "--set", set, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(clirun(argv, &out, &err), ==, 0);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(trace, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (char **l = lines + 1; *l && **l; l++) {
        char **f = g_strsplit(*l, ",", PAYLOADS + 2);
        g_assert_cmpuint(g_strv_length(f), >, PAYLOADS);
        g_ptr_array_add(rows, f);
    }
    return rows;
}

/* t - since is whole seconds in [lo, hi]. */
static void assert_whole_within(double t, double since, double lo, double hi)
{
    double d = t - since;
    g_test_message("%.9f s after %.9f s", d, since);
    g_assert_cmpfloat(fabs(d - round(d)), <, 1e-6);
    g_assert_cmpfloat(d, >=, lo);
    g_assert_cmpfloat(d, <=, hi);
}

static void test_strongswan_rekeys(void)
{
    GPtrArray *rows = run_trace("experiment.seeds=1");
    double up[2] = {-1, -1}, installed[2] = {-1, -1};
    guint child_rekeys = 0, ike_rekeys = 0, sa_rekeyed = 0;
    for (guint i = 0; i < rows->len; i++) {
        char **f = g_ptr_array_index(rows, i);
        double t = g_ascii_strtod(f[T_S], NULL);
        int gw = strcmp(f[NODE], "gw1") == 0;
        g_assert_true(gw || strcmp(f[NODE], "gw0") == 0);
        g_assert_cmpstr(f[EVENT], !=, "sa-deleted"); /* nothing expires or fails */
        if (strcmp(f[EVENT], "sa-up") == 0) {
            g_assert_cmpfloat(up[gw], <, 0);
            up[gw] = installed[gw] = t;
        } else if (strcmp(f[EVENT], "child-rekeyed") == 0) {
            installed[gw] = t;
        } else if (strcmp(f[EVENT], "sa-rekeyed") == 0) {
            sa_rekeyed++;
        } else if (strcmp(f[EVENT], "send") == 0 && strcmp(f[MESSAGE], "create-child-sa-request") == 0) {
            if (strstr(f[PAYLOADS], "N(REKEY_SA)")) { /* a Child SA: 1 h less up to 360 s */
                assert_whole_within(t, installed[gw], 3600 - 360, 3600);
                child_rekeys++;
            } else { /* the IKE SA: 4 h less up to 1440 s */
                assert_whole_within(t, up[gw], 14400 - 1440, 14400);
                ike_rekeys++;
            }
        }
    }
    g_assert_cmpuint(child_rekeys, >=, 14400 / 3600);
    g_assert_cmpuint(ike_rekeys, ==, 1);
    g_assert_cmpuint(sa_rekeyed, ==, 2); /* both ends go on with the new IKE SA */
    g_ptr_array_free(rows, TRUE);

    rows = run_trace("gateways.lifetimes=none");
    for (guint i = 0; i < rows->len; i++) {
        char **f = g_ptr_array_index(rows, i);
        g_assert_cmpstr(f[MESSAGE], !=, "create-child-sa-request");
    }
    g_ptr_array_free(rows, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = g_dir_make_tmp("ikesim-life-XXXXXX", NULL);
    g_test_add_func("/preset-life/strongswan-rekeys", test_strongswan_rekeys);
    int rc = g_test_run();
    clirun_rm_rf(dir);
    g_free(dir);
    return rc;
}
