/* ikesim run: one simulation, one CSV row. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "csv.h"
#include "msc.h"
#include "outdir.h"
#include "timeline.h"

static const char summary[] =
    "Runs one simulation of an experiment and prints its CSV row on stdout:\n"
    "run_id, experiment, seed, the swept parameters, method, then the metrics\n"
    "(detect_s ... events; see experiments/REFERENCE.md).  Without --task, every\n"
    "sweep axis takes its first value unless a --set says otherwise.";

static const char description[] =
    "Examples:\n"
    "  ikesim run experiments/recovery.ini --header\n"
    "  ikesim run experiments/recovery.ini --set experiment.method=qcd \\\n"
    "      --set scenario.reboot_after=5s --seed 3 --timeline tl.csv\n"
    "  ikesim run experiments/recovery.ini --pcap /tmp/cap     # then: tshark -r /tmp/cap/link-0-0.pcap\n"
    "  ikesim run experiments/recovery.ini --set experiment.method=qcd --set scenario.reboot_after=60s \\\n"
    "      --trace run.csv --msc run.png    # every IKE message and event; the chart around the crash\n"
    "  ikesim run experiments/recovery.ini --task 7 --out results/recovery\n"
    "      (task 7 of the sweep, as `ikesim tasks` lists it; writes shards/7.csv)\n"
    "\n"
    "Exit status: 0 done, 1 the simulation failed, 2 bad command line or experiment file.";

/* What a run writes from its trace, once it is complete. */
typedef struct run_outputs {
    const char *trace_path, *msc_path;
    msc_window window;
    GError *err;
} run_outputs;

static void write_outputs(void *arg, const run_trace *t)
{
    run_outputs *o = arg;
    if (o->trace_path && !sim_trace_write(t, o->trace_path, &o->err))
        return;
    if (o->msc_path) {
        g_autofree char *csv = sim_trace_text(t, false);
        msc_from_csv(csv, &o->window, o->msc_path, &o->err);
    }
}

int cmd_run(int argc, char **argv)
{
    g_auto(GStrv) sets = NULL;
    gboolean header = FALSE;
    g_autofree char *pcap = NULL, *timeline = NULL, *out = NULL, *seed_arg = NULL, *task_arg = NULL, *trace = NULL,
                     *msc = NULL, *msc_window_arg = NULL;
    const GOptionEntry entries[] = {
        {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a key, e.g. topology.loss=1% (repeatable)",
         "KEY=VALUE"},
        {"seed", 0, 0, G_OPTION_ARG_STRING, &seed_arg, "Seed (default: the experiment's first)", "N"},
        {"task", 't', 0, G_OPTION_ARG_STRING, &task_arg, "Run task ID of the sweep grid (see ikesim tasks)", "ID"},
        {"header", 'H', 0, G_OPTION_ARG_NONE, &header, "Print the CSV header line first", NULL},
        {"pcap", 0, 0, G_OPTION_ARG_FILENAME, &pcap,
         "Write pcaps of the link and the Wireshark IKEv2 key table (ikev2_decryption_table) into DIR", "DIR"},
        {"timeline", 0, 0, G_OPTION_ARG_FILENAME, &timeline,
         "Write delivered packets per bin around the crash to FILE (CSV)", "FILE"},
        {"trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
         "Write the run's event trace to FILE: CSV, or JSON Lines if FILE ends in .jsonl", "FILE"},
        {"msc", 0, 0, G_OPTION_ARG_FILENAME, &msc,
         "Draw a message sequence chart of the IKE exchanges around the first crash to FILE (.svg or .png; mscgen)",
         "FILE"},
        {"msc-window", 0, 0, G_OPTION_ARG_STRING, &msc_window_arg,
         "The chart's window around the first crash (default 2s,auto: until traffic can flow again)", "BEFORE,AFTER"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
         "With --task: write the row to DIR/shards/ID.csv (and the timeline) instead of stdout", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse("run", "EXP.ini", summary, description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc != 2)
        return cli_fail("run", CLI_USAGE, "expected one experiment file, got %d arguments; try --help", argc - 1);
    gint64 seed = -1, task = -1; /* -1: not given */
    guint64 v;
    if (seed_arg && !g_ascii_string_to_unsigned(seed_arg, 10, 1, EXP_SEED_MAX, &v, NULL))
        return cli_fail("run", CLI_USAGE, "--seed must be a whole number from 1 to %u, got “%s”", EXP_SEED_MAX,
                        seed_arg);
    if (seed_arg)
        seed = (gint64)v;
    if (task_arg && !g_ascii_string_to_unsigned(task_arg, 10, 0, G_MAXINT32, &v, NULL))
        return cli_fail("run", CLI_USAGE, "--task must be a task id, a whole number from 0 (see ikesim tasks), got “%s”",
                        task_arg);
    if (task_arg)
        task = (gint64)v;
    if (task >= 0 && seed >= 0)
        return cli_fail("run", CLI_USAGE, "--task fixes the seed: drop --seed");
    if (out && task < 0)
        return cli_fail("run", CLI_USAGE, "--out writes a task's shard: it needs --task");
    run_outputs ro = {.trace_path = trace, .msc_path = msc};
    GError *werr = NULL;
    if (!msc_window_parse(msc_window_arg, &ro.window, &werr))
        return cli_fail_error("run", CLI_USAGE, &werr);
    if (msc && !g_str_has_suffix(msc, ".svg") && !g_str_has_suffix(msc, ".png"))
        return cli_fail("run", CLI_USAGE, "--msc: the chart's file name ends in .svg or .png, got “%s”", msc);
    GError *err = NULL;
    sim_exp *e = exp_load(argv[1], (const char *const *)sets, &err);
    if (!e)
        return cli_fail_error("run", CLI_USAGE, &err);
    exp_run run;
    bool ok = task >= 0 ? exp_check_sets_for_tasks(e, &err) && exp_task_run(e, (size_t)task, &run, &err)
                        : exp_single_run(e, seed >= 0 ? (uint32_t)seed : exp_seed(e, 0), &run, &err);
    if (!ok) {
        exp_free(e);
        return cli_fail_error("run", CLI_USAGE, &err);
    }
    if ((trace || msc) && run.cfg.star.clients) {
        exp_run_clear(&run);
        exp_free(e);
        return cli_fail("run", CLI_USAGE, "--trace and --msc: a storm run (storm.clients > 0) has no trace");
    }
    /* where the outputs go; directories first, so a failure writes nothing else */
    g_autofree char *shards = out ? g_build_filename(out, "shards", NULL) : NULL;
    g_autofree char *tl_path = g_strdup(timeline);
    if (out && exp_timeline(e) && !tl_path) {
        g_autofree char *name = g_strdup_printf("%ld.csv", run.task);
        tl_path = g_build_filename(out, "timeline", name, NULL);
    }
    g_autofree char *keylog = pcap ? g_build_filename(pcap, "ikev2_decryption_table", NULL) : NULL;
    int code = CLI_OK;
    if (out) {
        out_manifest *m = out_manifest_read(out, &err);
        if (m && !out_manifest_matches(m, out, e, (const char *const *)sets, &err))
            code = CLI_USAGE;
        else if (!m && err)
            code = CLI_USAGE;
        out_manifest_free(m);
    }
    if (code == CLI_OK && ((pcap && !out_mkdirs(pcap, &err)) || (shards && !out_mkdirs(shards, &err))))
        code = CLI_FAILED;
    if (code == CLI_OK && tl_path) {
        g_autofree char *tl_dir = g_path_get_dirname(tl_path);
        if (!out_mkdirs(tl_dir, &err))
            code = CLI_FAILED;
    }
    if (code != CLI_OK) {
        exp_run_clear(&run);
        exp_free(e);
        return cli_fail_error("run", code, &err);
    }
    run.cfg.pcap_dir = pcap;
    run.cfg.keylog_path = keylog;
    run.cfg.timeline = tl_path ? &run.timeline : NULL;
    if (trace || msc) {
        run.cfg.on_trace = write_outputs;
        run.cfg.on_trace_arg = &ro;
    }
    sim_row row;
    bool star = run.cfg.star.clients > 0;
    sim_storm_curve curve = {.bin_s = run.timeline.bin_s, .after_s = run.timeline.after_s};
    int rc = star ? sim_storm_run(&run.cfg, &row, tl_path ? &curve : NULL) : sim_run(&run.cfg, &row);
    if (rc == NS3_ELIMIT) {
        code = cli_fail("run", CLI_FAILED,
                        "stopped at %.9g s of simulated time after %" G_GUINT64_FORMAT " simulator events: the "
                        "run reached experiment.max_events = %" G_GUINT64_FORMAT " (though estimated below it); "
                        "nothing written; raise experiment.max_events if it is meant to be this big",
                        row.sim_s, row.events, run.cfg.max_events);
    } else if (rc < 0) {
        code = cli_fail("run", CLI_FAILED, "the simulation could not be built (ns-3 wrapper error %d)", rc);
    } else {
        g_autofree char *line = csv_row(e, &run, &row);
        g_autofree char *head = csv_header(e);
        if (ro.err) {
            code = CLI_FAILED;
            err = ro.err;
        }
        if (code == CLI_OK && tl_path && !(star ? timeline_write_storm(tl_path, &curve, &err) : timeline_write(tl_path, &run.timeline, &err)))
            code = CLI_FAILED;
        if (code == CLI_OK && out) {
            g_autofree char *name = g_strdup_printf("%ld.csv", run.task);
            g_autofree char *both = g_strconcat(head, line, NULL);
            g_autofree char *scripts = g_canonicalize_filename(exp_dir(e), NULL);
            g_autofree char *mpath = g_build_filename(out, "manifest.txt", NULL);
            if (!out_write(shards, name, both, -1, &err) ||
                (!g_file_test(mpath, G_FILE_TEST_EXISTS) &&
                 !out_manifest_write(out, e, (const char *const *)sets, scripts, "tasks", 0, 0, &err)))
                code = CLI_FAILED;
        } else if (code == CLI_OK) {
            if (header)
                fputs(head, stdout);
            fputs(line, stdout);
            if (fflush(stdout) != 0)
                code = cli_fail("run", CLI_FAILED, "cannot write the row to stdout");
        }
        if (err)
            code = cli_fail_error("run", CLI_FAILED, &err);
    }
    sim_storm_curve_clear(&curve);
    g_free(run.timeline.bins[0]);
    g_free(run.timeline.bins[1]);
    exp_run_clear(&run);
    exp_free(e);
    return code;
}
