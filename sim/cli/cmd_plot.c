/* ikesim plot: redraw a results directory from its CSV files. */
#include <stdio.h>

#include "cli.h"

static const char plot_summary[] =
    "Rewrites summary.csv and timeline.csv from runs.csv (and timeline/*.csv) in DIR\n"
    "and redraws the experiment's plots with gnuplot, e.g. after editing a .gp script.\n"
    "The scripts are taken from the experiment's directory recorded in\n"
    "DIR/manifest.txt, or from --scripts.";
static const char plot_description[] = "Example:\n  ikesim plot results/recovery\n\n"
                                       "Exit status: 0 done, 1 a plot failed, 2 not a results directory.";

int cmd_plot(int argc, char **argv)
{
    g_autofree char *scripts = NULL;
    const GOptionEntry entries[] = {
        {"scripts", 0, 0, G_OPTION_ARG_FILENAME, &scripts, "Directory of the gnuplot scripts", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse("plot", "DIR", plot_summary, plot_description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2)
        return cli_fail("plot", CLI_USAGE, "expected one results directory; try --help");
    int code = CLI_OK;
    sim_exp *e = cli_load_outdir("plot", argv[1], &scripts, &code);
    if (!e)
        return code;
    GError *err = NULL;
    g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
    if (!exp_check_plots(e, scripts, &err) || !cli_finish(argv[1], e, scripts, made, &err))
        code = cli_fail_error("plot", CLI_FAILED, &err);
    for (guint i = 0; i < made->len; i++)
        printf("%s\n", (char *)g_ptr_array_index(made, i));
    exp_free(e);
    return code;
}
