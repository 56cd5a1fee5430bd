/* ikesim plot: redraw a results directory from its CSV files, or draw the
 * sequence chart of one of its runs. */
#include <stdio.h>

#include "cli.h"
#include "msc.h"
#include "outdir.h"

static const char plot_summary[] =
    "Rewrites summary.csv and timeline.csv from runs.csv (and timeline/*.csv) in DIR\n"
    "and redraws the experiment's plots with gnuplot, e.g. after editing a .gp script.\n"
    "The scripts are taken from the experiment's directory recorded in\n"
    "DIR/manifest.txt, or from --scripts.\n"
    "With --msc ID it draws instead the message sequence chart of run ID (mscgen):\n"
    "from DIR/trace/ID.csv if the sweep kept it (--trace), else by running the\n"
    "task again (a run is a pure function of the experiment and its seed).";
static const char plot_description[] = "Examples:\n  ikesim plot results/recovery\n"
                                       "  ikesim plot results/recovery --msc 40          # -> results/recovery/msc/40.svg\n"
                                       "  ikesim plot results/recovery --msc 40 --msc-out qcd.png --msc-window 5s,30s\n\n"
                                       "Exit status: 0 done, 1 a plot failed, 2 not a results directory.";

static void keep_csv(void *arg, const run_trace *t) { *(char **)arg = sim_trace_text(t, false); }

/* The trace of task id: kept by the sweep, or made again. */
static char *trace_of(const char *dir, const sim_exp *e, size_t id, GError **err)
{
    g_autofree char *name = g_strdup_printf("%zu.csv", id);
    g_autofree char *path = g_build_filename(dir, "trace", name, NULL);
    char *csv = NULL;
    if (g_file_test(path, G_FILE_TEST_EXISTS))
        return g_file_get_contents(path, &csv, NULL, err) ? csv : NULL;
    exp_run run;
    if (!exp_task_run(e, id, &run, err))
        return NULL;
    if (run.cfg.star.clients) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--msc: a storm run has no trace");
        exp_run_clear(&run);
        return NULL;
    }
    run.cfg.on_trace = keep_csv;
    run.cfg.on_trace_arg = &csv;
    sim_row row;
    int rc = sim_run(&run.cfg, &row);
    exp_run_clear(&run);
    if (rc < 0) {
        g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "task %zu: the simulation could not be built (%d)", id, rc);
        g_free(csv);
        return NULL;
    }
    return csv;
}

static int draw_msc(const char *dir, const sim_exp *e, const char *id_arg, const char *out, const char *window)
{
    guint64 id;
    msc_window w;
    GError *err = NULL;
    if (!g_ascii_string_to_unsigned(id_arg, 10, 0, exp_n_tasks(e) ? exp_n_tasks(e) - 1 : 0, &id, NULL) ||
        !exp_n_tasks(e))
        return cli_fail("plot", CLI_USAGE, "--msc: expected a task id from 0 to %zu (see ikesim tasks), got “%s”",
                        exp_n_tasks(e) ? exp_n_tasks(e) - 1 : 0, id_arg);
    if (!msc_window_parse(window, &w, &err))
        return cli_fail_error("plot", CLI_USAGE, &err);
    g_autofree char *name = g_strdup_printf("%" G_GUINT64_FORMAT ".svg", id);
    g_autofree char *msc_dir = g_build_filename(dir, "msc", NULL);
    g_autofree char *path = out ? g_strdup(out) : g_build_filename(msc_dir, name, NULL);
    if (!g_str_has_suffix(path, ".svg") && !g_str_has_suffix(path, ".png"))
        return cli_fail("plot", CLI_USAGE, "--msc-out: the chart's file name ends in .svg or .png, got “%s”", path);
    g_autofree char *csv = NULL;
    if ((out || out_mkdirs(msc_dir, &err)) && (csv = trace_of(dir, e, (size_t)id, &err)) &&
        msc_from_csv(csv, &w, path, &err)) {
        printf("%s\n", path);
        return CLI_OK;
    }
    return cli_fail_error("plot", CLI_FAILED, &err);
}

int cmd_plot(int argc, char **argv)
{
    g_autofree char *scripts = NULL, *msc = NULL, *msc_out = NULL, *msc_window = NULL;
    const GOptionEntry entries[] = {
        {"scripts", 0, 0, G_OPTION_ARG_FILENAME, &scripts, "Directory of the gnuplot scripts", "DIR"},
        {"msc", 0, 0, G_OPTION_ARG_STRING, &msc, "Draw the sequence chart of run ID instead", "ID"},
        {"msc-out", 0, 0, G_OPTION_ARG_FILENAME, &msc_out, "The chart's file (.svg or .png; default DIR/msc/ID.svg)",
         "FILE"},
        {"msc-window", 0, 0, G_OPTION_ARG_STRING, &msc_window,
         "The chart's window around the first crash (default 2s,auto)", "BEFORE,AFTER"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse("plot", "DIR", plot_summary, plot_description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2)
        return cli_fail("plot", CLI_USAGE, "expected one results directory; try --help");
    if ((msc_out || msc_window) && !msc)
        return cli_fail("plot", CLI_USAGE, "--msc-out and --msc-window go with --msc ID");
    int code = CLI_OK;
    sim_exp *e = cli_load_outdir("plot", argv[1], &scripts, &code);
    if (!e)
        return code;
    if (msc) {
        code = draw_msc(argv[1], e, msc, msc_out, msc_window);
        exp_free(e);
        return code;
    }
    GError *err = NULL;
    g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
    if (!exp_check_plots(e, scripts, &err) || !cli_finish(argv[1], e, scripts, made, &err))
        code = cli_fail_error("plot", CLI_FAILED, &err);
    for (guint i = 0; i < made->len; i++)
        printf("%s\n", (char *)g_ptr_array_index(made, i));
    exp_free(e);
    return code;
}
