/* ikesim: experiments on IPsec failure detection, from the command line.
 * One subcommand per job; each has its own --help. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"run", cmd_run, "one simulation -> one CSV row (optionally pcaps, key table, timeline)"},
    {"sweep", cmd_sweep, "the grid x seeds in parallel workers or a SLURM job array -> runs.csv, summary.csv, plots"},
    {"tasks", cmd_tasks, "one line per run with its exact command, for GNU parallel / SLURM / HTCondor"},
    {"collect", cmd_collect, "merge the shards of `ikesim run --task ID --out DIR` into one results directory"},
    {"status", cmd_status, "done, queued, running, failed or missing: each task of a results directory"},
    {"plot", cmd_plot, "redraw a results directory's summary and plots from its CSV files"},
    {"report", cmd_report, "a short table of what a results directory found"},
    {"calibrate", cmd_calibrate, "a responder's CPU per handshake, per suite, on this machine"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: ikesim COMMAND [OPTION...] ARGS\n\n"
               "ikesim simulates IKEv2 gateways in ns-3 and measures how fast failures are\n"
               "detected and recovered from: Quick Crash Detection (RFC 6290) against liveness\n"
               "checks (dead peer detection), HA cluster failover with and without RFC 6311\n"
               "counter sync, and the reconnection storm at a remote-access headend.  An\n"
               "experiment file (experiments/*.ini; every key in experiments/REFERENCE.md)\n"
               "describes the network, the gateways or the headend and its clients, a cluster,\n"
               "the traffic, a crash script and the parameters to sweep.\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
    fprintf(f, "\nStart with:\n"
               "  ikesim run experiments/recovery.ini --header     # one run\n"
               "  ikesim sweep experiments/recovery.ini            # the whole experiment -> results/recovery/\n"
               "  ikesim report results/recovery                   # what it found\n"
               "`ikesim COMMAND --help` explains each command.  --version prints the version.\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* numbers in tables and files: always a decimal point */
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            char *sub[] = {argv[2], "--help", NULL};
            for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
                if (strcmp(argv[2], commands[i].name) == 0)
                    return commands[i].fn(2, sub);
        }
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ikesim %s (%s)\n", IKESIM_VERSION, IKESIM_COMMIT);
        return CLI_OK;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "ikesim: unknown command “%s”\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
