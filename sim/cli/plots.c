#include "plots.h"

#include <string.h>

#include <glib/gstdio.h>

/* A gnuplot single-quoted string: '' stands for a quote. */
static void quoted(GString *s, const char *name, const char *value)
{
    g_autofree char *esc = NULL;
    g_auto(GStrv) parts = g_strsplit(value, "'", -1);
    esc = g_strjoinv("''", parts);
    g_string_append_printf(s, "%s='%s'; ", name, esc);
}

bool plots_draw(const char *dir, const char *scripts_dir, const sim_exp *e, GPtrArray *made, GError **err)
{
    const char *const *scripts = exp_plots(e);
    if (!scripts[0])
        return true;
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) {
        g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT, "gnuplot is not installed: no plots drawn");
        return false;
    }
    GString *vars = g_string_new(NULL);
    quoted(vars, "dir", dir);
    quoted(vars, "experiment", exp_name(e));
    g_autofree char *methods = exp_axis_values(e, -1);
    quoted(vars, "methods", methods);
    for (size_t i = 0; i < exp_n_params(e); i++) {
        g_autofree char *name = g_strconcat("axis_", exp_param_column(e, i), NULL);
        g_autofree char *values = exp_axis_values(e, (long)i);
        quoted(vars, name, values);
    }
    bool ok = true;
    for (size_t i = 0; ok && scripts[i]; i++) {
        g_autofree char *script = g_build_filename(scripts_dir, scripts[i], NULL);
        g_autofree char *stem = g_str_has_suffix(scripts[i], ".gp")
                                    ? g_strndup(scripts[i], strlen(scripts[i]) - 3)
                                    : g_strdup(scripts[i]);
        g_autofree char *png_name = g_strconcat(stem, ".png", NULL);
        g_autofree char *tmp_name = g_strconcat(".", png_name, ".tmp", NULL);
        g_autofree char *png = g_build_filename(dir, png_name, NULL);
        g_autofree char *tmp = g_build_filename(dir, tmp_name, NULL);
        GString *e_arg = g_string_new(vars->str);
        quoted(e_arg, "out", tmp);
        const char *argv[] = {gnuplot, "-e", e_arg->str, script, NULL};
        g_autofree char *err_out = NULL;
        gint status;
        ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_out,
                          &status, err);
        g_string_free(e_arg, TRUE);
        if (ok && !g_spawn_check_wait_status(status, NULL)) {
            g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "gnuplot %s failed:\n%s", script, err_out);
            ok = false;
        }
        if (ok && g_rename(tmp, png) != 0) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot rename %s to %s", tmp, png);
            ok = false;
        }
        g_remove(tmp);
        if (ok && made)
            g_ptr_array_add(made, g_steal_pointer(&png));
    }
    g_string_free(vars, TRUE);
    return ok;
}
