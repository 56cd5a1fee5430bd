/* ikesim collect: shards from many machines -> one results directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "outdir.h"

static const char summary[] =
    "Merges the shards that `ikesim run --task ID --out DIR` wrote (DIR/shards/ID.csv,\n"
    "DIR/timeline/ID.csv) and the rows of any DIR/runs.csv, in one or more\n"
    "directories, into OUT: runs.csv (sorted by run_id), summary.csv, timeline.csv,\n"
    "the plots and manifest.txt.  Every DIR must hold the same experiment (same\n"
    "SHA-256, same --set values).  OUT may be one of the DIRs.  Missing tasks are\n"
    "listed; the rest is still collected.";

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
    return g_file_get_contents(tl, &data, &len, err) && out_mkdirs(tl_dir, err) &&
           out_write(tl_dir, name, data, (gssize)len, err);
}

/* Adds the complete rows of DIR's runs.csv (a sweep's) to rows (by task id). */
static bool gather_runs(const char *dir, const char *header, const sim_exp *e, GHashTable *rows, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "runs.csv", NULL), *text = NULL;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true;
    if (!g_file_get_contents(path, &text, NULL, err))
        return false;
    if (!g_str_has_prefix(text, header)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s has other columns than this experiment's runs", path);
        return false;
    }
    for (char *row = text + strlen(header), *nl; (nl = strchr(row, '\n')); row = nl + 1) {
        char *stop;
        gsize id = (gsize)g_ascii_strtoull(row, &stop, 10);
        if (stop > row && *stop == ',' && id < exp_n_tasks(e))
            g_hash_table_replace(rows, GSIZE_TO_POINTER(id), g_strndup(row, (gsize)(nl + 1 - row)));
    }
    return true;
}

/* Adds DIR's runs.csv rows and shard rows to rows (by task id) and copies
 * their timelines. */
static bool gather(const char *dir, const char *out, const char *header, const sim_exp *e, GHashTable *rows,
                   GError **err)
{
    g_autoptr(GHashTable) mine = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    if (!gather_runs(dir, header, e, mine, err))
        return false;
    g_autofree char *shards = g_build_filename(dir, "shards", NULL), *runs = g_build_filename(dir, "runs.csv", NULL);
    GDir *d = NULL; /* a sweep's directory may have no shards */
    if ((g_file_test(shards, G_FILE_TEST_IS_DIR) || !g_file_test(runs, G_FILE_TEST_EXISTS)) &&
        !(d = g_dir_open(shards, 0, err)))
        return false;
    bool ok = true;
    const char *name;
    size_t hlen = strlen(header);
    while (ok && d && (name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".csv"))
            continue;
        g_autofree char *path = g_build_filename(shards, name, NULL);
        g_autofree char *text = NULL;
        if (!g_file_get_contents(path, &text, NULL, err)) {
            ok = false;
            break;
        }
        bool has_header = strncmp(text, header, hlen) == 0;
        char *row = has_header ? text + hlen : text, *nl = strchr(row, '\n');
        gsize id = (gsize)g_ascii_strtoull(row, NULL, 10);
        g_autofree char *prefix = g_strdup_printf("%zu,", id);
        if (!has_header || !nl || nl[1] || id >= exp_n_tasks(e) || !g_str_has_prefix(row, prefix)) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s is not a shard of this experiment (expected its header and one row)", path);
            ok = false;
            break;
        }
        g_hash_table_replace(mine, GSIZE_TO_POINTER(id), g_strdup(row));
    }
    if (d)
        g_dir_close(d);
    GHashTableIter it;
    gpointer id, row;
    g_hash_table_iter_init(&it, mine);
    while (ok && g_hash_table_iter_next(&it, &id, &row)) {
        g_autofree char *tl_name = g_strdup_printf("%zu.csv", GPOINTER_TO_SIZE(id));
        ok = !exp_timeline(e) || copy_timeline(dir, out, tl_name, err);
        g_hash_table_iter_steal(&it);
        g_hash_table_replace(rows, id, row);
    }
    return ok;
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
    ok = out_mkdirs(out, &err);
    for (int i = 2; ok && i < argc; i++)
        ok = gather(argv[i], out, header, e, rows, &err);
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
        g_string_append(csv, g_ptr_array_index(sorted, i));
    size_t total = exp_n_tasks(e), have = sorted->len;
    ok = out_write(out, "runs.csv", csv->str, (gssize)csv->len, &err) &&
         out_manifest_write(out, e, (const char *const *)sets, scripts, have == total ? "complete" : "incomplete",
                            have, 0, &err);
    g_string_free(csv, TRUE);
    g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
    if (ok && !cli_finish(out, e, scripts, made, &err))
        code = cli_fail_error("collect", CLI_FAILED, &err);
    else if (!ok)
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
