#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "csv.h"
#include "read_file.h"
#include "rows.h"
#include "version.h"

bool out_mkdirs(const char *dir, GError **err)
{
    if (g_mkdir_with_parents(dir, 0755) == 0)
        return true;
    int e = errno;
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s: %s", dir, g_strerror(e));
    return false;
}

bool out_write(const char *dir, const char *name, const char *data, gssize len, GError **err)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GError *e = NULL;
    if (g_file_set_contents_full(path, data, len, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &e))
        return true;
    /* GLib names its temporary file; the user needs the directory and why
     * (the reason ends GLib's message) */
    const char *why = g_strrstr(e->message, ": ");
    g_set_error(err, G_FILE_ERROR, e->code, "cannot write %s in the output directory %s: %s", name, dir,
                why ? why + 2 : e->message);
    g_error_free(e);
    return false;
}

void out_manifest_free(out_manifest *m)
{
    if (!m)
        return;
    g_free(m->file);
    g_free(m->scripts);
    g_free(m->sha256);
    g_strfreev(m->sets);
    g_free(m);
}

out_manifest *out_manifest_read(const char *dir, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "manifest.txt", NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!read_regular_file(path, (gsize)1 << 20, &text, &len, err))
        return NULL;
    if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not an ikesim manifest: %s", path, e->message);
        g_error_free(e);
        return NULL;
    }
    out_manifest *m = g_new0(out_manifest, 1);
    m->file = g_key_file_get_string(kf, "experiment", "file", NULL);
    m->scripts = g_key_file_get_string(kf, "experiment", "scripts", NULL);
    m->sha256 = g_key_file_get_string(kf, "experiment", "sha256", NULL);
    m->sets = g_key_file_get_string_list(kf, "experiment", "sets", NULL, NULL);
    if (!m->file || !m->sha256) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not an ikesim manifest", path);
        out_manifest_free(m);
        return NULL;
    }
    if (!m->sets)
        m->sets = g_new0(char *, 1);
    if (!m->scripts)
        m->scripts = g_path_get_dirname(m->file);
    return m;
}

static bool same_sets(char **a, const char *const *b)
{
    size_t n = 0;
    for (; b && b[n]; n++)
        if (!a[n] || strcmp(a[n], b[n]) != 0)
            return false;
    return a[n] == NULL;
}

bool out_manifest_matches(const out_manifest *m, const char *dir, const sim_exp *e, const char *const *sets,
                          GError **err)
{
    if (strcmp(m->sha256, exp_sha256(e)) != 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    "%s holds runs of another experiment file (%s, SHA-256 %.12s..., not %.12s...); "
                    "choose another --out or remove it",
                    dir, m->file, m->sha256, exp_sha256(e));
        return false;
    }
    if (!same_sets(m->sets, sets)) {
        g_autofree char *was = g_strjoinv(" ", m->sets);
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    "%s holds runs made with other --set values (“%s”); use the same ones, another --out, "
                    "or remove it",
                    dir, was);
        return false;
    }
    return true;
}

bool out_manifest_write(const char *dir, const sim_exp *e, const char *const *sets, const char *scripts,
                        const char *status, size_t done, size_t failed, GError **err)
{
    size_t len;
    const char *text = exp_text(e, &len);
    if (!out_write(dir, "experiment.ini", text, (gssize)len, err))
        return false;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *abs = g_canonicalize_filename(exp_file(e), NULL);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *date = g_date_time_format_iso8601(now);
    g_key_file_set_string(kf, "ikesim", "version", IKESIM_VERSION);
    g_key_file_set_string(kf, "ikesim", "commit", IKESIM_COMMIT);
    g_key_file_set_string(kf, "experiment", "name", exp_name(e));
    g_key_file_set_string(kf, "experiment", "file", abs);
    g_key_file_set_string(kf, "experiment", "sha256", exp_sha256(e));
    g_key_file_set_string(kf, "experiment", "scripts", scripts);
    g_key_file_set_string_list(kf, "experiment", "sets", sets ? sets : (const char *const[]){NULL},
                               sets ? g_strv_length((char **)sets) : 0);
    GString *seeds = g_string_new(NULL);
    for (size_t i = 0; i < exp_n_seeds(e); i++)
        g_string_append_printf(seeds, "%s%u", i ? "," : "", exp_seed(e, i));
    g_key_file_set_string(kf, "experiment", "seeds", seeds->str);
    g_string_free(seeds, TRUE);
    g_key_file_set_uint64(kf, "experiment", "points", exp_n_points(e));
    g_key_file_set_uint64(kf, "experiment", "tasks", exp_n_tasks(e));
    g_key_file_set_string(kf, "status", "state", status);
    g_key_file_set_uint64(kf, "status", "done", done);
    g_key_file_set_uint64(kf, "status", "failed", failed);
    g_key_file_set_string(kf, "status", "date", date);
    gsize n;
    g_autofree char *data = g_key_file_to_data(kf, &n, NULL);
    return out_write(dir, "manifest.txt", data, (gssize)n, err);
}

static bool fail_errno(GError **err, const char *what, const char *path)
{
    int e = errno;
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s %s: %s", what, path, g_strerror(e));
    return false;
}

/* The largest runs.csv or shard read. */
#define RUNS_MAX ((gsize)1 << 30)

out_runs *out_runs_load(const char *dir, const sim_exp *e, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "runs.csv", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    if (g_file_test(path, G_FILE_TEST_EXISTS) && !read_regular_file(path, RUNS_MAX, &text, &len, err))
        return NULL;
    g_autofree char *header = csv_header(e);
    size_t hlen = strlen(header);
    /* complete lines only: a kill mid-write leaves at most one half */
    gsize keep = 0;
    for (gsize i = 0; i < len; i++)
        if (text[i] == '\n')
            keep = i + 1;
    if (keep > 0 && (keep < hlen || memcmp(text, header, hlen) != 0)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    "%s:1: other columns than this experiment's runs; choose another --out or remove it", path);
        return NULL;
    }
    out_runs *r = g_new0(out_runs, 1);
    r->text = g_string_new(header);
    r->done = g_hash_table_new(g_direct_hash, g_direct_equal);
    r->dropped = g_ptr_array_new_with_free_func(g_free);
    r->rewrite = keep < len || keep == 0;
    g_autoptr(GHashTable) line_of = g_hash_table_new(g_direct_hash, g_direct_equal); /* task -> line number */
    g_autoptr(GHashTable) row_of = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    rows_grid *g = rows_grid_new(e);
    int n = 1;
    bool ok = true;
    for (const char *p = text ? text + hlen : NULL; ok && p && p < text + keep;) {
        const char *nl = memchr(p, '\n', (size_t)(text + keep - p));
        g_autofree char *line = g_strndup(p, (gsize)(nl - p));
        p = nl + 1;
        n++;
        size_t task;
        g_autofree char *why = NULL;
        row_verdict v = rows_check_line(g, line, &task, &why);
        if (v == ROW_OK && g_hash_table_contains(row_of, GSIZE_TO_POINTER(task))) {
            int first = GPOINTER_TO_INT(g_hash_table_lookup(line_of, GSIZE_TO_POINTER(task)));
            if (!rows_same_run(g, g_hash_table_lookup(row_of, GSIZE_TO_POINTER(task)), line)) {
                g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "%s:%d: run %zu again, with other results than at line %d: which is true cannot be "
                            "told; remove one (or both: the sweep runs it again)",
                            path, n, task, first);
                ok = false;
                break;
            }
            why = g_strdup_printf("run %zu again (as at line %d)", task, first);
            v = ROW_DAMAGED;
        }
        if (v == ROW_FOREIGN) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: %s; remove the line or choose another --out",
                        path, n, why);
            ok = false;
        } else if (v == ROW_DAMAGED) {
            g_ptr_array_add(r->dropped, g_strdup_printf("%s:%d: %s", path, n, why));
            r->rewrite = true;
        } else {
            g_hash_table_add(r->done, GSIZE_TO_POINTER(task));
            g_hash_table_insert(line_of, GSIZE_TO_POINTER(task), GINT_TO_POINTER(n));
            g_hash_table_insert(row_of, GSIZE_TO_POINTER(task), g_strdup(line));
            g_string_append_printf(r->text, "%s\n", line);
        }
    }
    rows_grid_free(g);
    if (!ok) {
        out_runs_free(r);
        return NULL;
    }
    return r;
}

void out_runs_free(out_runs *r)
{
    if (!r)
        return;
    g_string_free(r->text, TRUE);
    g_hash_table_destroy(r->done);
    g_ptr_array_free(r->dropped, TRUE);
    g_free(r);
}

int out_runs_open(const char *dir, const out_runs *r, GError **err)
{
    if (r->rewrite && !out_write(dir, "runs.csv", r->text->str, (gssize)r->text->len, err))
        return -1;
    g_autofree char *path = g_build_filename(dir, "runs.csv", NULL);
    int fd = g_open(path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
    if (fd < 0)
        fail_errno(err, "cannot open", path);
    return fd;
}

bool out_runs_append(int fd, const char *dir, const char *line, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "runs.csv", NULL);
    size_t len = strlen(line), off = 0;
    while (off < len) {
        ssize_t n = write(fd, line + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail_errno(err, "cannot append to", path);
        off += (size_t)n;
    }
    if (fsync(fd) != 0)
        return fail_errno(err, "cannot sync", path);
    return true;
}

/* The run_id of every complete line after the header. */
static void add_row_ids(const char *text, gsize len, GHashTable *done)
{
    const char *end = text + len, *p = memchr(text, '\n', len);
    while (p && ++p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        char *stop;
        guint64 id = g_ascii_strtoull(p, &stop, 10);
        if (stop > p && *stop == ',')
            g_hash_table_add(done, GSIZE_TO_POINTER((gsize)id));
        p = nl;
    }
}

void out_done_tasks(const char *dir, GHashTable *done)
{
    g_autofree char *runs = g_build_filename(dir, "runs.csv", NULL), *text = NULL;
    gsize len;
    if (g_file_get_contents(runs, &text, &len, NULL))
        add_row_ids(text, len, done);
    g_autofree char *shards = g_build_filename(dir, "shards", NULL);
    GDir *d = g_dir_open(shards, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        char *stop;
        guint64 id = g_ascii_strtoull(name, &stop, 10);
        if (stop > name && g_ascii_isdigit(*name) && strcmp(stop, ".csv") == 0)
            g_hash_table_add(done, GSIZE_TO_POINTER((gsize)id));
    }
    if (d)
        g_dir_close(d);
}
