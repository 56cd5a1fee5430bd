#include "rows.h"

#include <string.h>

#include "csv.h"

struct rows_grid {
    const sim_exp *e;
    char **header;
    guint n_cols;
    int wall;            /* the wall_s column */
    bool *numeric;       /* per column */
    GHashTable *prefix;  /* point -> "name,params...,method" */
};

static bool is_numeric_metric(const char *col)
{
    for (size_t i = 0; csv_metrics[i]; i++)
        if (strcmp(csv_metrics[i], col) == 0)
            return csv_metric_numeric[i];
    for (size_t i = 0; csv_star_metrics[i]; i++)
        if (strcmp(csv_star_metrics[i], col) == 0)
            return true;
    for (size_t i = 0; csv_cost_metrics[i]; i++)
        if (strcmp(csv_cost_metrics[i], col) == 0)
            return true;
    for (size_t i = 0; csv_star_cost_metrics[i]; i++)
        if (strcmp(csv_star_cost_metrics[i], col) == 0)
            return true;
    for (size_t i = 0; csv_reauth_metrics[i]; i++)
        if (strcmp(csv_reauth_metrics[i], col) == 0)
            return true;
    for (size_t i = 0; csv_device_metrics[i]; i++)
        if (strcmp(csv_device_metrics[i], col) == 0)
            return true;
    return false;
}

rows_grid *rows_grid_new(const sim_exp *e)
{
    rows_grid *g = g_new0(rows_grid, 1);
    g->e = e;
    g_autofree char *header = csv_header(e);
    header[strlen(header) - 1] = '\0';
    g->header = g_strsplit(header, ",", -1);
    g->n_cols = g_strv_length(g->header);
    g->numeric = g_new0(bool, g->n_cols);
    g->wall = -1;
    for (guint i = 3 + exp_n_params(e) + 1; i < g->n_cols; i++) {
        g->numeric[i] = is_numeric_metric(g->header[i]);
        if (strcmp(g->header[i], "wall_s") == 0)
            g->wall = (int)i;
    }
    g->prefix = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    return g;
}

void rows_grid_free(rows_grid *g)
{
    if (!g)
        return;
    g_strfreev(g->header);
    g_free(g->numeric);
    g_hash_table_destroy(g->prefix);
    g_free(g);
}

/* The fields a row of this point must start with after run_id and seed:
 * experiment, parameters, method. */
static const char *point_prefix(rows_grid *g, size_t point)
{
    char *p = g_hash_table_lookup(g->prefix, GSIZE_TO_POINTER(point));
    if (p)
        return p;
    exp_run r;
    if (!exp_task_run(g->e, point * exp_n_seeds(g->e), &r, NULL))
        return "";
    GString *s = g_string_new(exp_name(g->e));
    for (size_t i = 0; i < exp_n_params(g->e); i++)
        g_string_append_printf(s, ",%s", r.params[i]);
    g_string_append_printf(s, ",%s", r.method);
    exp_run_clear(&r);
    p = g_string_free(s, FALSE);
    g_hash_table_insert(g->prefix, GSIZE_TO_POINTER(point), p);
    return p;
}

static bool is_number(const char *s)
{
    char *end = NULL;
    if (!*s || g_ascii_isspace(*s))
        return false;
    g_ascii_strtod(s, &end);
    return *end == '\0';
}

row_verdict rows_check_line(rows_grid *g, const char *line, size_t *task, char **why)
{
    g_auto(GStrv) f = g_strsplit(line, ",", -1);
    guint n = g_strv_length(f);
    if (!*line) {
        *why = g_strdup("not a row: an empty line");
        return ROW_DAMAGED;
    }
    if (!g_utf8_validate(line, -1, NULL) || n != g->n_cols) {
        *why = g_strdup_printf("not a row: %u fields, the header has %u", n, g->n_cols);
        return ROW_DAMAGED;
    }
    for (guint i = 0; i < n; i++)
        if (g->numeric[i] && *f[i] && !is_number(f[i])) {
            *why = g_strdup_printf("not a row: %s is “%s”, not a number", g->header[i], f[i]);
            return ROW_DAMAGED;
        }
    size_t total = exp_n_tasks(g->e);
    guint64 id;
    if (!g_ascii_string_to_unsigned(f[0], 10, 0, total - 1, &id, NULL)) {
        *why = g_strdup_printf("run_id “%s” is not a task of the grid (0 to %zu)", f[0], total - 1);
        return ROW_FOREIGN;
    }
    if (strcmp(f[1], exp_name(g->e)) != 0) {
        *why = g_strdup_printf("a row of experiment “%s”, not “%s”", f[1], exp_name(g->e));
        return ROW_FOREIGN;
    }
    size_t n_seeds = exp_n_seeds(g->e);
    g_autofree char *seed = g_strdup_printf("%u", exp_seed(g->e, id % n_seeds));
    /* experiment, parameters, method: fields 1, 3 .. 3 + n_params */
    GString *got = g_string_new(f[1]);
    for (size_t i = 0; i <= exp_n_params(g->e); i++)
        g_string_append_printf(got, ",%s", f[3 + i]);
    const char *want = point_prefix(g, id / n_seeds);
    bool same = strcmp(f[2], seed) == 0 && strcmp(got->str, want) == 0;
    g_string_free(got, TRUE);
    if (!same) {
        *why = g_strdup_printf("run %" G_GUINT64_FORMAT " is seed %s of point “%s” in this grid, not what the row says",
                               id, seed, want);
        return ROW_FOREIGN;
    }
    *task = (size_t)id;
    return ROW_OK;
}

bool rows_same_run(rows_grid *g, const char *a, const char *b)
{
    g_auto(GStrv) fa = g_strsplit(a, ",", -1);
    g_auto(GStrv) fb = g_strsplit(b, ",", -1);
    for (guint i = 0; i < g->n_cols; i++)
        if ((int)i != g->wall && (!fa[i] || !fb[i] || strcmp(fa[i], fb[i]) != 0))
            return false;
    return true;
}
