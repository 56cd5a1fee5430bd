/* Loading an experiment: the text is checked line by line (exp_text.c),
 * read with GKeyFile, every group and key is looked up in the key table,
 * every value type-checked, and every grid point built once, so that any
 * mistake is reported before a single run starts. */
#include <string.h>

#include "exp_internal.h"
#include "presets.h"
#include "read_file.h"

G_DEFINE_QUARK(ikesim-experiment-error-quark, exp_error)


const char *exp_file(const sim_exp *e) { return e->file; }
const char *exp_dir(const sim_exp *e) { return e->dir; }
const char *exp_name(const sim_exp *e) { return e->name; }
const char *exp_sha256(const sim_exp *e) { return e->sha256; }
const char *const *exp_plots(const sim_exp *e) { return (const char *const *)e->plots; }
bool exp_timeline(const sim_exp *e) { return e->timeline; }
bool exp_recovery_cost(const sim_exp *e) { return e->recovery_cost; }
bool exp_has_cluster(const sim_exp *e) { return e->has_cluster; }
bool exp_reauthenticates(const sim_exp *e) { return e->reauthenticates; }
size_t exp_n_points(const sim_exp *e) { return e->n_points; }
size_t exp_n_seeds(const sim_exp *e) { return e->seeds->len; }
uint32_t exp_seed(const sim_exp *e, size_t i) { return g_array_index(e->seeds, uint32_t, i); }
size_t exp_n_tasks(const sim_exp *e) { return e->n_points * e->seeds->len; }
size_t exp_n_params(const sim_exp *e) { return e->params->len; }
const char *exp_param_column(const sim_exp *e, size_t i) { return g_ptr_array_index(e->columns, i); }

const char *exp_text(const sim_exp *e, size_t *len)
{
    *len = e->text_len;
    return e->text;
}

void exp_free(sim_exp *e)
{
    if (!e)
        return;
    g_free(e->file);
    g_free(e->dir);
    g_free(e->sha256);
    g_free(e->name);
    g_free(e->text);
    if (e->base)
        g_ptr_array_free(e->base, TRUE);
    if (e->methods)
        g_hash_table_destroy(e->methods);
    if (e->axes)
        g_ptr_array_free(e->axes, TRUE);
    if (e->sets)
        g_ptr_array_free(e->sets, TRUE);
    if (e->seeds)
        g_array_free(e->seeds, TRUE);
    g_strfreev(e->plots);
    exp_setting_free(e->plots_where);
    if (e->params)
        g_ptr_array_free(e->params, TRUE);
    if (e->columns)
        g_ptr_array_free(e->columns, TRUE);
    g_free(e);
}


/* The default a key's row gives (for the keys read here, not per run). */
static const char *key_default(const char *path)
{
    return exp_key_by_path(path)->def;
}

static const char *const plain_groups[] = {"experiment", "topology", "gateways", "gateway.0", "gateway.1",
                                           "traffic", "traffic.0", "traffic.1", "scenario", "cluster", "storm", NULL};

static bool is_plain_group(const char *g) { return g_strv_contains(plain_groups, g); }

/* The value of group/key, unescaped; an invalid escape is the key's error. */
static char *get_value(GKeyFile *kf, const char *file, int line, const char *group, const char *key,
                       const char *shown, GError **err)
{
    GError *e = NULL;
    char *v = g_key_file_get_string(kf, group, key, &e);
    if (e) { /* an invalid escape: GKeyFile may still return a string */
        g_clear_pointer(&v, g_free);
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s:%d: %s: %s", file, line, shown, e->message);
        g_error_free(e);
    }
    return v;
}

static bool load_group(sim_exp *e, GKeyFile *kf, exp_lines *lines, const char *group, GError **err)
{
    int gline = exp_lines_group(lines, group);
    bool sweep = strcmp(group, "sweep") == 0, method = g_str_has_prefix(group, "method.");
    if (!sweep && !method && !is_plain_group(group)) {
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID,
                    "%s:%d: [%s]: unknown group; groups are [experiment], [topology], [gateways], [gateway.0], "
                    "[gateway.1], [traffic], [traffic.0], [traffic.1], [scenario], [cluster], [storm], [sweep] and [method.NAME]",
                    e->file, gline, group);
        return false;
    }
    GPtrArray *msettings = NULL;
    if (method) {
        const char *name = group + 7;
        exp_setting probe = {(char *)group, (char *)name, NULL};
        probe.where = g_strdup_printf("%s:%d", e->file, gline);
        exp_value v; /* a method's name is written as experiment.name is */
        bool ok = exp_value_parse(exp_key_by_path("experiment.name"), &probe, &v, err);
        if (ok && sim_method_find(name)) {
            exp_fail(err, &probe, "redefines the built-in method “%s”; give it another name", name);
            ok = false;
        }
        g_free(probe.where);
        if (!ok)
            return false;
        msettings = g_ptr_array_new_with_free_func(exp_setting_free);
        g_hash_table_insert(e->methods, g_strdup(name), msettings);
    }
    gsize n = 0;
    g_auto(GStrv) keys = g_key_file_get_keys(kf, group, &n, NULL);
    for (gsize i = 0; i < n; i++) {
        int line = exp_lines_key(lines, group, keys[i]);
        g_autofree char *where = g_strdup_printf("%s:%d", e->file, line);
        g_autofree char *path = sweep || method ? g_strdup(keys[i]) : g_strconcat(group, ".", keys[i], NULL);
        g_autofree char *value = get_value(kf, e->file, line, group, keys[i], path, err);
        if (!value)
            return false;
        if (sweep) {
            exp_axis *a = exp_axis_parse(keys[i], value, where, err);
            if (!a)
                return false;
            g_ptr_array_add(e->axes, a);
            continue;
        }
        exp_setting *s = exp_setting_new(path, value, where);
        int index;
        const exp_key *k = exp_key_find(s, &index, err);
        exp_value v;
        if (k && method && k->group != EXP_G_GATEWAY) {
            exp_fail(err, s, "a method sets gateway keys only (gateways.KEY, gateway.0.KEY, gateway.1.KEY)");
            k = NULL;
        }
        if (!k || !exp_value_parse(k, s, &v, err)) {
            exp_setting_free(s);
            return false;
        }
        g_ptr_array_add(method ? msettings : e->base, s);
    }
    return true;
}

const exp_setting *exp_last_of(GPtrArray *const *layers, const char *path)
{
    const exp_setting *found = NULL;
    for (size_t l = 0; layers[l]; l++)
        for (guint i = 0; i < layers[l]->len; i++) {
            const exp_setting *s = g_ptr_array_index(layers[l], i);
            if (strcmp(s->path, path) == 0)
                found = s;
        }
    return found;
}

static bool load_experiment_keys(sim_exp *e, exp_lines *lines, GError **err)
{
    GPtrArray *layers[] = {e->base, e->sets, NULL};
    const exp_setting *s = exp_last_of(layers, "experiment.name");
    if (!s) {
        int line = exp_lines_group(lines, "experiment");
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID,
                    "%s:%d: experiment.name: missing; expected [experiment] with name = NAME (letters, digits, "
                    ". _ -), which names the runs in CSV files",
                    e->file, line ? line : 1);
        return false;
    }
    e->name = g_strdup(s->value);
    e->seeds = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    s = exp_last_of(layers, "experiment.seeds");
    exp_setting seeds = {.path = "experiment.seeds", .value = (char *)key_default("experiment.seeds"),
                         .where = "defaults"};
    if (!exp_parse_seeds(s ? s : &seeds, e->seeds, err))
        return false;
    s = exp_last_of(layers, "experiment.plots");
    e->plots = s && *s->value ? exp_split_list(s->value) : g_new0(char *, 1);
    e->plots_where = s ? exp_setting_new(s->path, s->value, s->where) : NULL;
    s = exp_last_of(layers, "experiment.recovery_cost");
    e->recovery_cost = strcmp(s ? s->value : key_default("experiment.recovery_cost"), "true") == 0;
    s = exp_last_of(layers, "experiment.timeline");
    e->timeline = strcmp(s ? s->value : key_default("experiment.timeline"), "true") == 0;
    const char *tl_keys[] = {"experiment.timeline_before", "experiment.timeline_after", "experiment.timeline_bin"};
    double *tl[] = {&e->tl_before, &e->tl_after, &e->tl_bin};
    for (int i = 0; i < 3; i++) {
        s = exp_last_of(layers, tl_keys[i]);
        unit_parse(UNIT_DURATION, s ? s->value : key_default(tl_keys[i]), tl[i]); /* checked when loaded */
    }
    if ((e->tl_before + e->tl_after) / e->tl_bin > 1e6) {
        s = exp_last_of(layers, "experiment.timeline_bin");
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s: experiment.timeline_bin: more than a million bins",
                    s ? s->where : e->file);
        return false;
    }
    return true;
}

static bool load_sets(sim_exp *e, const char *const *sets, GError **err)
{
    for (size_t i = 0; sets && sets[i]; i++) {
        const char *eq = strchr(sets[i], '=');
        if (!eq || eq == sets[i]) {
            g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID,
                        "--set “%s”: expected KEY=VALUE with KEY a path such as topology.loss, e.g. "
                        "--set topology.loss=1%%", sets[i]);
            return false;
        }
        g_autofree char *path = g_strstrip(g_strndup(sets[i], (gsize)(eq - sets[i])));
        exp_setting *s = exp_setting_new(path, eq + 1, "--set");
        int index;
        exp_value v;
        const exp_key *k = exp_key_find(s, &index, err);
        if (!k || !exp_value_parse(k, s, &v, err)) {
            exp_setting_free(s);
            return false;
        }
        g_ptr_array_add(e->sets, s);
    }
    return true;
}

/* Sweep axes name each path once; their columns follow. */
static bool load_axes(sim_exp *e, GError **err)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    e->n_points = 1;
    for (guint a = 0; a < e->axes->len; a++) {
        exp_axis *ax = g_ptr_array_index(e->axes, a);
        for (guint i = 0; i < ax->paths->len; i++) {
            const char *p = g_ptr_array_index(ax->paths, i);
            const char *first = g_hash_table_lookup(seen, p);
            if (first) {
                g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s: %s: swept twice (first at %s)", ax->where, p,
                            first);
                return false;
            }
            g_hash_table_insert(seen, (gpointer)p, ax->where);
            if (strcmp(p, "experiment.method") == 0)
                continue;
            g_ptr_array_add(e->params, g_strdup(p));
            g_ptr_array_add(e->columns, g_strdelimit(g_strdup(p), ".", '_'));
        }
        e->n_points *= ax->tuples->len;
        if (e->n_points > 10000000) {
            g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s: [sweep]: the grid has over 10 million points",
                        ax->where);
            return false;
        }
    }
    return true;
}

/* Points x seeds: a grid no sweep could finish is refused, not allocated. */
static bool check_tasks(sim_exp *e, GError **err)
{
    if ((double)e->n_points * e->seeds->len <= 10000000)
        return true;
    GPtrArray *layers[] = {e->base, e->sets, NULL};
    const exp_setting *s = exp_last_of(layers, "experiment.seeds");
    g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID,
                "%s: experiment.seeds: %zu points x %u seeds is over 10 million runs", s ? s->where : e->file,
                e->n_points, e->seeds->len);
    return false;
}

bool exp_check_plots(const sim_exp *e, const char *dir, GError **err)
{
    for (char **p = e->plots; *p; p++) {
        g_autofree char *path = g_build_filename(dir, *p, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            exp_fail(err, e->plots_where, "no gnuplot script “%s”; expected it beside the experiment file", path);
            return false;
        }
    }
    return true;
}

bool exp_check_sets_for_tasks(const sim_exp *e, GError **err)
{
    for (guint i = 0; i < e->sets->len; i++) {
        const exp_setting *s = g_ptr_array_index(e->sets, i);
        for (guint a = 0; a < e->axes->len; a++) {
            exp_axis *ax = g_ptr_array_index(e->axes, a);
            for (guint j = 0; j < ax->paths->len; j++)
                if (strcmp(g_ptr_array_index(ax->paths, j), s->path) == 0) {
                    exp_fail(err, s, "is swept in [sweep] (%s): a task takes its value from the grid; "
                                     "change the sweep instead",
                             ax->where);
                    return false;
                }
        }
    }
    return true;
}

sim_exp *exp_load(const char *file, const char *const *sets, GError **err)
{
    sim_exp *e = g_new0(sim_exp, 1);
    e->file = g_strdup(file);
    e->dir = g_path_get_dirname(file);
    GError *io = NULL;
    if (!read_regular_file(file, EXP_FILE_MAX, &e->text, &e->text_len, &io)) {
        g_set_error(err, EXP_ERROR, EXP_ERROR_IO, "%s; an experiment file is a regular file of at most 4 MiB",
                    io->message);
        g_error_free(io);
        exp_free(e);
        return NULL;
    }
    e->sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)e->text, e->text_len);
    e->base = g_ptr_array_new_with_free_func(exp_setting_free);
    e->methods = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    e->axes = g_ptr_array_new_with_free_func(exp_axis_free);
    e->sets = g_ptr_array_new_with_free_func(exp_setting_free);
    e->params = g_ptr_array_new_with_free_func(g_free);
    e->columns = g_ptr_array_new_with_free_func(g_free);
    exp_lines *lines = exp_lines_scan(file, e->text, e->text_len, err);
    GKeyFile *kf = g_key_file_new();
    bool ok = lines != NULL;
    if (ok && !g_key_file_load_from_data(kf, e->text, e->text_len, G_KEY_FILE_NONE, &io)) {
        g_set_error(err, EXP_ERROR, EXP_ERROR_INVALID, "%s:1: not a key file: %s", file, io->message);
        g_error_free(io);
        ok = false;
    }
    g_auto(GStrv) groups = ok ? g_key_file_get_groups(kf, NULL) : NULL;
    for (size_t i = 0; ok && groups[i]; i++)
        ok = load_group(e, kf, lines, groups[i], err);
    ok = ok && load_sets(e, sets, err) && load_experiment_keys(e, lines, err) && load_axes(e, err) &&
         check_tasks(e, err);
    g_key_file_free(kf);
    exp_lines_free(lines);
    /* every point once, with the first seed: cross-key mistakes show now */
    for (size_t p = 0; ok && p < e->n_points; p++) {
        exp_run r;
        ok = exp_build_point(e, (long)p, exp_seed(e, 0), &r, err);
        if (ok) {
            e->has_cluster |= r.cfg.standby.enabled;
            e->reauthenticates |= r.cfg.gw[0].ike.ike_life.reauth_s || r.cfg.gw[1].ike.ike_life.reauth_s;
            exp_run_clear(&r);
        }
    }
    if (!ok) {
        exp_free(e);
        return NULL;
    }
    return e;
}
