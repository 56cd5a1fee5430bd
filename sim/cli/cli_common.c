#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "outdir.h"
#include "plots.h"
#include "summary.h"
#include "timeline.h"

int cli_fail(const char *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "ikesim %s: %s\n", cmd, msg);
    return code;
}

int cli_fail_error(const char *cmd, int code, GError **err)
{
    cli_fail(cmd, code, "%s", *err ? (*err)->message : "failed");
    g_clear_error(err);
    return code;
}

bool cli_parse(const char *cmd, const char *params, const char *summary, const char *description,
               const GOptionEntry *entries, int *argc, char ***argv)
{
    g_autofree char *prg = g_strconcat("ikesim ", cmd, NULL);
    g_set_prgname(prg);
    GOptionContext *ctx = g_option_context_new(params);
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_description(ctx, description);
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    bool ok = g_option_context_parse(ctx, argc, argv, &err);
    if (!ok) {
        fprintf(stderr, "ikesim %s: %s\nTry “ikesim %s --help”.\n", cmd, err->message, cmd);
        g_error_free(err);
    }
    g_option_context_free(ctx);
    return ok;
}

const char *cli_self(void)
{
    static char *self;
    if (!self)
        self = g_file_read_link("/proc/self/exe", NULL);
    if (!self)
        self = g_strdup("ikesim");
    return self;
}

bool cli_finish(const char *dir, const sim_exp *e, const char *scripts, GPtrArray *made, GError **err)
{
    g_autofree char *runs_path = g_build_filename(dir, "runs.csv", NULL);
    csv_table *runs = csv_read(runs_path, err);
    if (!runs)
        return false;
    g_autofree char *summary = summary_csv(runs, err);
    bool ok = summary && out_write(dir, "summary.csv", summary, -1, err);
    g_autofree char *tl_dir = g_build_filename(dir, "timeline", NULL);
    /* without per-run files (e.g. a checked-in results directory) the
     * existing timeline.csv stays as it is */
    if (ok && exp_timeline(e) && g_file_test(tl_dir, G_FILE_TEST_IS_DIR)) {
        g_autofree char *tl = timeline_aggregate(dir, runs, err);
        ok = tl && out_write(dir, "timeline.csv", tl, -1, err);
    }
    csv_table_free(runs);
    return ok && plots_draw(dir, scripts, e, made, err);
}

sim_exp *cli_load_outdir(const char *cmd, const char *dir, char **scripts, int *code)
{
    GError *err = NULL;
    out_manifest *m = out_manifest_read(dir, &err);
    if (!m) {
        *code = err ? cli_fail_error(cmd, CLI_USAGE, &err)
                    : cli_fail(cmd, CLI_USAGE, "%s: no manifest.txt: not a results directory of ikesim", dir);
        return NULL;
    }
    g_autofree char *copy = g_build_filename(dir, "experiment.ini", NULL);
    sim_exp *e = exp_load(copy, (const char *const *)m->sets, &err);
    if (e && strcmp(exp_sha256(e), m->sha256) != 0) {
        g_set_error(&err, EXP_ERROR, EXP_ERROR_INVALID, "%s does not match the SHA-256 in %s/manifest.txt", copy,
                    dir);
        g_clear_pointer(&e, exp_free);
    }
    if (!e)
        *code = cli_fail_error(cmd, CLI_USAGE, &err);
    else if (scripts && !*scripts)
        *scripts = g_strdup(m->scripts);
    out_manifest_free(m);
    return e;
}
