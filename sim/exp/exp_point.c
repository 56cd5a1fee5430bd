/* From a loaded experiment to runs: the layers of settings (file, method,
 * sweep point, --set) applied in order to one grid point and seed. */
#include <string.h>

#include "exp_internal.h"
#include "presets.h"

static gint by_rank(gconstpointer a, gconstpointer b)
{
    return exp_setting_rank(*(exp_setting *const *)a) - exp_setting_rank(*(exp_setting *const *)b);
}

static bool apply_layer(exp_builder *b, GPtrArray *layer, GError **err)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new(layer->len); /* borrows: no free function */
    for (guint i = 0; i < layer->len; i++)
        g_ptr_array_add(sorted, g_ptr_array_index(layer, i));
    g_ptr_array_sort(sorted, by_rank);
    for (guint i = 0; i < sorted->len; i++)
        if (!exp_builder_apply(b, g_ptr_array_index(sorted, i), err))
            return false;
    return true;
}

/* The method's bundle as settings (a built-in's, or a [method.NAME]). */
static GPtrArray *method_layer(const sim_exp *e, const exp_setting *named, GError **err)
{
    const char *name = named ? named->value : "custom";
    GPtrArray *user = g_hash_table_lookup(e->methods, name);
    if (user)
        return g_ptr_array_ref(user);
    GPtrArray *layer = g_ptr_array_new_with_free_func(exp_setting_free);
    if (strcmp(name, "custom") == 0)
        return layer;
    const sim_method *m = sim_method_find(name);
    if (!m) {
        GString *known = g_string_new("custom");
        for (const sim_method *p = sim_methods; p->name; p++)
            g_string_append_printf(known, ", %s", p->name);
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, e->methods);
        while (g_hash_table_iter_next(&it, &key, NULL))
            g_string_append_printf(known, ", %s", (char *)key);
        exp_fail(err, named, "unknown method “%s”; methods are %s", name, known->str);
        g_string_free(known, TRUE);
        g_ptr_array_free(layer, TRUE);
        return NULL;
    }
    g_autofree char *where = g_strdup_printf("method %s", name);
    for (size_t i = 0; m->settings[i]; i++) {
        const char *eq = strchr(m->settings[i], '=');
        g_autofree char *path = g_strndup(m->settings[i], (gsize)(eq - m->settings[i]));
        g_ptr_array_add(layer, exp_setting_new(path, eq + 1, where));
    }
    return layer;
}

/* point < 0: every axis at its first value. */
bool exp_build_point(const sim_exp *e, long point, uint32_t seed, exp_run *out, GError **err)
{
    g_autoptr(GPtrArray) at = g_ptr_array_new_with_free_func(exp_setting_free);
    size_t rest = point < 0 ? 0 : (size_t)point;
    for (guint a = e->axes->len; a-- > 0;) { /* the last axis varies fastest */
        exp_axis *ax = g_ptr_array_index(e->axes, a);
        char **tuple = g_ptr_array_index(ax->tuples, rest % ax->tuples->len);
        rest /= ax->tuples->len;
        for (guint i = 0; i < ax->paths->len; i++)
            g_ptr_array_add(at, exp_setting_new(g_ptr_array_index(ax->paths, i), tuple[i], ax->where));
    }
    GPtrArray *layers[] = {e->base, at, e->sets, NULL};
    GPtrArray *mlayer = method_layer(e, exp_last_of(layers, "experiment.method"), err);
    if (!mlayer)
        return false;
    exp_builder *b = exp_builder_new(out);
    bool ok = apply_layer(b, e->base, err) && apply_layer(b, mlayer, err) && apply_layer(b, at, err) &&
              apply_layer(b, e->sets, err) && exp_builder_finish(b, seed, err);
    exp_builder_free(b);
    g_ptr_array_unref(mlayer);
    out->params = g_new0(char *, e->params->len + 1);
    for (guint i = 0; i < e->params->len; i++) {
        const exp_setting *s = exp_last_of(layers, g_ptr_array_index(e->params, i));
        int index;
        const exp_key *k = exp_key_find(s, &index, NULL);
        out->params[i] = exp_value_csv(k, s);
    }
    out->timeline = (sim_timeline){.before_s = e->tl_before, .after_s = e->tl_after, .bin_s = e->tl_bin};
    if (!ok)
        exp_run_clear(out);
    return ok;
}

bool exp_task_run(const sim_exp *e, size_t task, exp_run *out, GError **err)
{
    if (task >= exp_n_tasks(e)) {
        memset(out, 0, sizeof *out);
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s: no task %zu: the experiment has tasks 0 to %zu",
                    e->file, task, exp_n_tasks(e) - 1);
        return false;
    }
    if (!exp_build_point(e, (long)(task / e->seeds->len), exp_seed(e, task % e->seeds->len), out, err))
        return false;
    out->task = (long)task;
    return true;
}

bool exp_single_run(const sim_exp *e, uint32_t seed, exp_run *out, GError **err)
{
    if (!exp_build_point(e, -1, seed, out, err))
        return false;
    /* the grid's task if no --set moved it off the grid */
    for (size_t i = 0; e->sets->len == 0 && i < e->seeds->len; i++)
        if (exp_seed(e, i) == seed)
            out->task = (long)i;
    return true;
}

void exp_run_clear(exp_run *r)
{
    g_free(r->method);
    g_strfreev(r->params);
    r->method = NULL;
    r->params = NULL;
}

char *exp_axis_values(const sim_exp *e, long i)
{
    const char *path = i < 0 ? "experiment.method" : g_ptr_array_index(e->params, i);
    GString *out = g_string_new(NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint a = 0; a < e->axes->len; a++) {
        exp_axis *ax = g_ptr_array_index(e->axes, a);
        for (guint j = 0; j < ax->paths->len; j++) {
            if (strcmp(g_ptr_array_index(ax->paths, j), path) != 0)
                continue;
            for (guint t = 0; t < ax->tuples->len; t++) {
                char **tuple = g_ptr_array_index(ax->tuples, t);
                exp_setting s = {(char *)path, tuple[j], ax->where};
                int index;
                char *v = exp_value_csv(exp_key_find(&s, &index, NULL), &s);
                if (g_hash_table_contains(seen, v)) {
                    g_free(v);
                    continue;
                }
                g_string_append_printf(out, "%s%s", out->len ? " " : "", v);
                g_hash_table_add(seen, v);
            }
        }
    }
    if (out->len == 0 && i < 0) { /* not swept: the one method */
        GPtrArray *layers[] = {e->base, e->sets, NULL};
        const exp_setting *s = exp_last_of(layers, path);
        g_string_append(out, s ? s->value : "custom");
    }
    return g_string_free(out, FALSE);
}

