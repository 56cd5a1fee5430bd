/* The corpus of malformed experiment files (tests/exp-bad/): every one is
 * refused with exit code 2 by `ikesim sweep` and `ikesim run`, with a
 * message that names the file, the line and the key; nothing is written.
 * Each file says in a comment what is wrong and, on a line
 * "# expect: LINE KEY", where the message must point. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clirun.h"

typedef struct {
    char *file, *name, *key;
    int line;
} bad_case;

static void check_one(gconstpointer data)
{
    const bad_case *c = data;
    g_autofree char *tmp = g_dir_make_tmp("ikesim-bad-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *where = g_strdup_printf("%s:%d:", c->file, c->line);
    const char *sweep[] = {"ikesim", "sweep", c->file, "--out", out, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(clirun(sweep, NULL, &err), ==, 2);
    g_test_message("%s", err);
    g_assert_nonnull(strstr(err, where));
    g_assert_nonnull(strstr(err, c->key));
    g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS)); /* nothing written */
    /* run refuses it too (a missing plot script only matters to a sweep) */
    if (strstr(c->name, "plots-missing") == NULL) {
        const char *run[] = {"ikesim", "run", c->file, NULL};
        g_autofree char *rout = NULL, *rerr = NULL;
        g_assert_cmpint(clirun(run, &rout, &rerr), ==, 2);
        g_assert_cmpstr(rout, ==, "");
        g_assert_nonnull(strstr(rerr, where));
    }
    g_rmdir(tmp);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autofree char *dir = clirun_source("tests/exp-bad");
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)))
        if (g_str_has_suffix(n, ".ini"))
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, by_name);
    g_assert_cmpuint(names->len, >=, 30);
    for (guint i = 0; i < names->len; i++) {
        bad_case *c = g_new0(bad_case, 1);
        c->name = g_strdup(g_ptr_array_index(names, i));
        c->file = g_build_filename(dir, c->name, NULL);
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(c->file, &text, NULL, NULL));
        const char *exp = strstr(text, "\n# expect: ");
        g_assert_nonnull(exp);
        g_assert_true(g_str_has_prefix(text, "# exp-bad: ")); /* says what is wrong */
        char *end = NULL;
        c->line = (int)g_ascii_strtoll(exp + 11, &end, 10);
        const char *nl = strchr(end, '\n');
        c->key = g_strstrip(g_strndup(end, (gsize)(nl ? nl - end : (long)strlen(end))));
        g_autofree char *path = g_strdup_printf("/exp-bad/%s", c->name);
        g_test_add_data_func(path, c, check_one);
    }
    int rc = g_test_run();
    g_ptr_array_free(names, TRUE);
    return rc;
}
