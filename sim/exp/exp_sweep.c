/* Sweep axes: [sweep] keys name what varies, values list what it takes.
 *   scenario.reboot_after = 5s, 20s, 60s             a list
 *   topology.loss = 0..0.05 step 0.01                 a linear range
 *   topology.loss = 0.001..0.1 x10                    a geometric range
 *   scenario.crash/gateway.0.establish = 1/at-boot, 0/never
 *                                                     keys changed together
 * Values are checked against their keys' types by the loader. */
#include <math.h>
#include <string.h>

#include "exp_internal.h"

void exp_axis_free(gpointer p)
{
    exp_axis *a = p;
    if (!a)
        return;
    g_ptr_array_free(a->paths, TRUE);
    g_ptr_array_free(a->tuples, TRUE);
    g_free(a->where);
    g_free(a);
}

static bool is_range(const char *item) { return strstr(item, "..") != NULL; }

/* "A..B step S" or "A..B xF", in the key's unit; appends the values. */
static bool expand_range(const exp_key *k, const exp_setting *s, const char *item, GPtrArray *out, GError **err)
{
    if (k->type != EXP_V_UNIT) {
        exp_fail(err, s, "“%s”: ranges need a numeric key; list the values instead", item);
        return false;
    }
    const char *dots = strstr(item, "..");
    g_autofree char *from_s = g_strstrip(g_strndup(item, (gsize)(dots - item)));
    g_auto(GStrv) rest = g_strsplit_set(dots + 2, " \t", -1);
    const char *w[3] = {NULL};
    int n = 0;
    for (char **p = rest; *p; p++)
        if (**p && n < 3)
            w[n++] = *p;
        else if (**p)
            n = 4;
    double from, to, step = 0, factor = 0;
    bool ok = unit_parse(k->unit, from_s, &from) && n >= 1 && unit_parse(k->unit, w[0], &to);
    if (ok && n == 3 && strcmp(w[1], "step") == 0)
        ok = unit_parse(k->unit, w[2], &step) && step > 0;
    else if (ok && n == 2 && w[1][0] == 'x')
        ok = unit_parse(UNIT_REAL, w[1] + 1, &factor) && factor > 1 && from > 0;
    else if (ok && n == 1 && k->unit == UNIT_COUNT)
        step = 1;
    else
        ok = false;
    if (!ok || to < from) {
        exp_fail(err, s, "“%s”: expected a range “FROM..TO step STEP” or “FROM..TO xFACTOR” (FACTOR > 1, "
                         "FROM > 0) with FROM <= TO, each %s", item, unit_expect(k->unit));
        return false;
    }
    for (size_t i = 0;; i++) {
        double v = step > 0 ? from + (double)i * step : from * pow(factor, (double)i);
        if (v > to * (1 + 1e-9) + 1e-12)
            break;
        if (i >= 10000) {
            exp_fail(err, s, "“%s”: a range of more than 10000 values", item);
            return false;
        }
        char **tuple = g_new0(char *, 2);
        tuple[0] = unit_format(k->unit, v);
        g_ptr_array_add(out, tuple);
    }
    return true;
}

exp_axis *exp_axis_parse(const char *key, const char *value, const char *where, GError **err)
{
    exp_axis *a = g_new0(exp_axis, 1);
    a->paths = g_ptr_array_new_with_free_func(g_free);
    a->tuples = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    a->where = g_strdup(where);
    g_auto(GStrv) paths = g_strsplit(key, "/", -1);
    exp_setting probe = {(char *)key, (char *)value, (char *)where};
    size_t n = g_strv_length(paths);
    const exp_key **k = g_new0(const exp_key *, n);
    g_auto(GStrv) items = exp_split_list(value);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        g_strstrip(paths[i]);
        exp_setting ps = {paths[i], (char *)value, (char *)where};
        int index;
        ok = (k[i] = exp_key_find(&ps, &index, err)) != NULL;
        if (ok && !k[i]->per_run) {
            exp_fail(err, &ps, "cannot be swept: it is the same for every run of an experiment");
            ok = false;
        }
        for (size_t j = 0; ok && j < i; j++)
            if (strcmp(paths[i], paths[j]) == 0) {
                exp_fail(err, &ps, "named twice in one axis");
                ok = false;
            }
        if (ok)
            g_ptr_array_add(a->paths, g_strdup(paths[i]));
    }
    if (ok && (!items[0] || (!items[1] && !*items[0]))) {
        exp_fail(err, &probe, "expected a comma-separated list of values (or ranges) to sweep over");
        ok = false;
    }
    for (char **it = items; ok && *it; it++) {
        if (n == 1 && is_range(*it)) {
            exp_setting ps = {paths[0], *it, (char *)where};
            ok = expand_range(k[0], &ps, *it, a->tuples, err);
            continue;
        }
        char **parts = n == 1 ? g_strdupv((char *[]){*it, NULL}) : g_strsplit(*it, "/", -1);
        if (g_strv_length(parts) != n) {
            exp_fail(err, &probe, "“%s”: expected %zu values separated by “/”, one for each key", *it, n);
            ok = false;
        }
        for (size_t i = 0; ok && i < n; i++) {
            exp_setting ps = {paths[i], g_strstrip(parts[i]), (char *)where};
            exp_value v;
            ok = exp_value_parse(k[i], &ps, &v, err);
        }
        if (ok)
            g_ptr_array_add(a->tuples, parts);
        else
            g_strfreev(parts);
    }
    g_free(k);
    if (!ok) {
        exp_axis_free(a);
        return NULL;
    }
    return a;
}
