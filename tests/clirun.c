#include "clirun.h"

#include <string.h>

#include <gio/gio.h>

const char *clirun_ikesim(void)
{
    const char *p = g_getenv("IKESIM");
    if (!p)
        g_error("IKESIM is not set (run the tests with meson test)");
    return p;
}

char *clirun_source(const char *relative)
{
    const char *root = g_getenv("IKESIM_SOURCE_ROOT");
    if (!root)
        g_error("IKESIM_SOURCE_ROOT is not set (run the tests with meson test)");
    return g_build_filename(root, relative, NULL);
}

int clirun(const char *const *argv, char **out, char **err)
{
    GPtrArray *a = g_ptr_array_new();
    for (size_t i = 0; argv[i]; i++)
        g_ptr_array_add(a, (gpointer)(i == 0 && strcmp(argv[0], "ikesim") == 0 ? clirun_ikesim() : argv[i]));
    g_ptr_array_add(a, NULL);
    char *o = NULL, *e = NULL;
    gint status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)a->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &e, &status, &error))
        g_error("cannot run %s: %s", (char *)a->pdata[0], error->message);
    g_ptr_array_free(a, TRUE);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (out)
        *out = o;
    else
        g_free(o);
    if (err)
        *err = e;
    else
        g_free(e);
    return code;
}

int clirun_sh(const char *cmd, char **out, char **err)
{
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    return clirun(argv, out, err);
}

static gint by_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *clirun_rows_key(const char *runs_csv)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(runs_csv, &text, NULL, NULL))
        return g_strdup("(no runs.csv)");
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_auto(GStrv) head = g_strsplit(lines[0], ",", -1);
    int wall = -1;
    for (int i = 0; head[i]; i++)
        if (strcmp(head[i], "wall_s") == 0)
            wall = i;
    g_assert_cmpint(wall, >=, 0);
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    for (size_t l = 0; lines[l]; l++) {
        if (!*lines[l])
            continue;
        g_auto(GStrv) f = g_strsplit(lines[l], ",", -1);
        g_free(f[wall]);
        f[wall] = g_strdup("-");
        g_ptr_array_add(rows, g_strjoinv(",", f));
    }
    g_ptr_array_sort(rows, by_str);
    g_ptr_array_add(rows, NULL);
    char *key = g_strjoinv("\n", (char **)rows->pdata);
    g_ptr_array_free(rows, TRUE);
    return key;
}

void clirun_rm_rf(const char *path)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", path);
    g_assert_cmpint(clirun_sh(cmd, NULL, NULL), ==, 0);
}
