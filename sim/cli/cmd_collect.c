/* ikesim collect: shards from many machines -> one results directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "outdir.h"
#include "read_file.h"
#include "rows.h"

static const char summary[] =
    "Merges the shards that `ikesim run --task ID --out DIR` wrote (DIR/shards/ID.csv,\n"
    "DIR/timeline/ID.csv) and the rows of any DIR/runs.csv, in one or more\n"
    "directories, into OUT: runs.csv (sorted by run_id), summary.csv, timeline.csv,\n"
    "the plots and manifest.txt.  Every DIR must hold the same experiment (same\n"
    "SHA-256, same --set values).  OUT may be one of the DIRs.  Missing tasks are\n"
    "listed; the rest is still collected.  Every row is checked against the grid\n"
    "first: a damaged one is skipped (said on stderr), one that is not its run's, or\n"
    "two rows of a run with different results, refused (exit 2).";

static const char description[] =
    "Example:\n"
    "  ikesim tasks experiments/recovery.ini --out shards-a | cut -f2- | parallel\n"
    "  ikesim collect results/recovery shards-a\n"
    "\n"
    "Exit status: 0 every task collected, 1 some missing, 2 bad command line or\n"
    "directories that do not belong together.";

static gint by_id(gconstpointer a, gconstpointer b)
{
    long x = atol(*(const char *const *)a), y = atol(*(const char *const *)b);
    return (x > y) - (x < y);
}

/* Copies the timeline of task name ("ID.csv") from DIR to OUT. */
static bool copy_timeline(const char *dir, const char *out, const char *name, GError **err)
{
    g_autofree char *tl = g_build_filename(dir, "timeline", name, NULL);
    g_autofree char *tl_out = g_build_filename(out, "timeline", name, NULL);
    if (strcmp(tl, tl_out) == 0 || !g_file_test(tl, G_FILE_TEST_EXISTS))
        return true;
    g_autofree char *data = NULL;
    gsize len;
    g_autofree char *tl_dir = g_build_filename(out, "timeline", NULL);
    return read_regular_file(tl, (gsize)64 << 20, &data, &len, err) && out_mkdirs(tl_dir, err) &&
           out_write(tl_dir, name, data, (gssize)len, err);
}

/* The rows gathered so far, checked against the grid (rows.h). */
typedef struct gathered {
    rows_grid *g;
    GHashTable *rows;  /* task id -> row (without '\n') */
    GHashTable *where; /* task id -> the file (and line) it came from */
} gathered;

/* One row found at where: a damaged one is skipped and said so; one that
 * lies, or a second row of a run with other results, fails naming both. */
static bool take(gathered *c, const char *where, const char *row, GHashTable *mine, GError **err)
{
    size_t id;
    g_autofree char *why = NULL;
    row_verdict v = rows_check_line(c->g, row, &id, &why);
    if (v == ROW_DAMAGED) {
        fprintf(stderr, "ikesim collect: %s: skipped, %s (a task without a row is listed missing)\n", where, why);
        return true;
    }
    if (v == ROW_FOREIGN) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s; remove it or collect another directory", where,
                    why);
        return false;
    }
    const char *have = g_hash_table_lookup(c->rows, GSIZE_TO_POINTER(id));
    if (have && !rows_same_run(c->g, have, row)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s and %s hold run %zu with other results: which is true cannot be told; remove one", where,
                    (char *)g_hash_table_lookup(c->where, GSIZE_TO_POINTER(id)), id);
        return false;
    }
    g_hash_table_replace(c->rows, GSIZE_TO_POINTER(id), g_strdup(row));
    g_hash_table_replace(c->where, GSIZE_TO_POINTER(id), g_strdup(where));
    g_hash_table_add(mine, GSIZE_TO_POINTER(id));
    return true;
}

/* The complete rows of DIR's runs.csv (a sweep's). */
static bool gather_runs(gathered *c, const char *dir, const char *header, GHashTable *mine, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "runs.csv", NULL), *text = NULL;
    gsize len;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    if (!read_regular_file(path, (gsize)1 << 30, &text, &len, err))
        return false;
    if (!g_str_has_prefix(text, header)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:1: other columns than this experiment's runs", path);
        return false;
    }
    int n = 1;
    for (char *row = text + strlen(header), *nl; (nl = strchr(row, '\n')); row = nl + 1) {
        *nl = '\0';
        g_autofree char *where = g_strdup_printf("%s:%d", path, ++n);
        if (!take(c, where, row, mine, err))
            return false;
    }
    return true;
}

/* DIR's shards: each its header and one row. */
static bool gather_shards(gathered *c, const char *dir, const char *header, GHashTable *mine, GError **err)
{
    g_autofree char *shards = g_build_filename(dir, "shards", NULL), *runs = g_build_filename(dir, "runs.csv", NULL);
    if (!g_file_test(shards, G_FILE_TEST_IS_DIR) && g_file_test(runs, G_FILE_TEST_EXISTS))
        return true; /* a sweep's directory may have no shards */
    GDir *d = g_dir_open(shards, 0, err);
    if (!d)
        return false;
    size_t hlen = strlen(header);
    bool ok = true;
    const char *name;
    while (ok && (name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".csv"))
            continue;
        g_autofree char *path = g_build_filename(shards, name, NULL), *text = NULL;
        gsize len;
        if (!read_regular_file(path, (gsize)1 << 20, &text, &len, err)) {
            ok = false;
            break;
        }
        char *row = text + MIN(hlen, len), *nl = strchr(row, '\n');
        const char *why = len < hlen || memcmp(text, header, hlen) != 0 ? "not this experiment's header"
                          : !nl || nl[1]                                 ? "not one complete row"
                                                                        : NULL;
        if (why) {
            fprintf(stderr, "ikesim collect: %s: skipped, %s (a task without a row is listed missing)\n", path, why);
            continue;
        }
        *nl = '\0';
        ok = take(c, path, row, mine, err);
    }
    g_dir_close(d);
    return ok;
}

/* Adds DIR's runs.csv rows and shard rows and copies their timelines. */
static bool gather(gathered *c, const char *dir, const char *out, const char *header, const sim_exp *e, GError **err)
{
    g_autoptr(GHashTable) mine = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (!gather_runs(c, dir, header, mine, err) || !gather_shards(c, dir, header, mine, err))
        return false;
    GHashTableIter it;
    gpointer id;
    g_hash_table_iter_init(&it, mine);
    while (exp_timeline(e) && g_hash_table_iter_next(&it, &id, NULL)) {
        g_autofree char *tl_name = g_strdup_printf("%zu.csv", GPOINTER_TO_SIZE(id));
        if (!copy_timeline(dir, out, tl_name, err))
            return false;
    }
    return true;
}

int cmd_collect(int argc, char **argv)
{
    const GOptionEntry entries[] = {{NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse("collect", "OUT DIR...", summary, description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc < 3)
        return cli_fail("collect", CLI_USAGE, "expected OUT and at least one shard directory; try --help");
    const char *out = argv[1];
    int code = CLI_OK;
    g_autofree char *scripts = NULL;
    sim_exp *e = cli_load_outdir("collect", argv[2], &scripts, &code);
    if (!e)
        return code;
    GError *err = NULL;
    g_autofree char *header = csv_header(e);
    for (int i = 3; i < argc; i++) { /* the others must be the same experiment */
        int c2 = CLI_OK;
        sim_exp *other = cli_load_outdir("collect", argv[i], NULL, &c2);
        bool same = other && strcmp(exp_sha256(other), exp_sha256(e)) == 0;
        g_autofree char *h2 = other ? csv_header(other) : NULL;
        same = same && strcmp(h2, header) == 0;
        exp_free(other);
        if (!same) {
            exp_free(e);
            return c2 != CLI_OK ? c2
                                : cli_fail("collect", CLI_USAGE, "%s holds another experiment than %s", argv[i],
                                           argv[2]);
        }
    }
    out_manifest *m = out_manifest_read(argv[2], NULL);
    g_auto(GStrv) sets = g_strdupv(m->sets);
    out_manifest_free(m);
    bool ok = true;
    /* every shard directory, and OUT if it has runs, must be this edition */
    for (int i = 1; ok && i < argc; i++) {
        m = out_manifest_read(argv[i], &err);
        ok = !err && (!m || out_manifest_matches(m, argv[i], e, (const char *const *)sets, &err));
        out_manifest_free(m);
    }
    if (!ok) {
        exp_free(e);
        return cli_fail_error("collect", CLI_USAGE, &err);
    }
    g_autoptr(GHashTable) rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    g_autoptr(GHashTable) where = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    gathered c = {rows_grid_new(e), rows, where};
    ok = out_mkdirs(out, &err);
    for (int i = 2; ok && i < argc; i++)
        ok = gather(&c, argv[i], out, header, e, &err);
    rows_grid_free(c.g);
    if (!ok) {
        exp_free(e);
        return cli_fail_error("collect", CLI_USAGE, &err);
    }
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    GList *values = g_hash_table_get_values(rows);
    for (GList *l = values; l; l = l->next)
        g_ptr_array_add(sorted, l->data);
    g_list_free(values);
    g_ptr_array_sort(sorted, by_id);
    GString *csv = g_string_new(header);
    for (guint i = 0; i < sorted->len; i++)
        g_string_append_printf(csv, "%s\n", (char *)g_ptr_array_index(sorted, i));
    size_t total = exp_n_tasks(e), have = sorted->len;
    /* the manifest last, saying what the directory now holds */
    g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
    ok = out_write(out, "runs.csv", csv->str, (gssize)csv->len, &err) && cli_finish(out, e, scripts, made, &err);
    g_string_free(csv, TRUE);
    if (!ok)
        code = cli_fail_error("collect", CLI_FAILED, &err);
    if (!out_manifest_write(out, e, (const char *const *)sets, scripts,
                            !ok ? "failed" : have == total ? "complete" : "incomplete", have, 0, &err))
        code = cli_fail_error("collect", CLI_FAILED, &err);
    if (have < total) {
        GString *missing = g_string_new(NULL);
        size_t shown = 0;
        for (size_t t = 0; t < total && shown < 20; t++)
            if (!g_hash_table_contains(rows, GSIZE_TO_POINTER(t)))
                g_string_append_printf(missing, "%s%zu", shown++ ? " " : "", t);
        code = cli_fail("collect", CLI_FAILED, "%zu of %zu tasks missing: %s%s", total - have, total, missing->str,
                        total - have > 20 ? " ..." : "");
        g_string_free(missing, TRUE);
    }
    fprintf(stderr, "ikesim collect: %s: %zu of %zu runs in %s\n", exp_name(e), have, total, out);
    exp_free(e);
    return code;
}
