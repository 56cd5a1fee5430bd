/* ikesim report: a short table of what a results directory found, per
 * method or per any columns: detection reasons, median detection and
 * recovery times, false positives. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "cli.h"
#include "csv.h"

static const char report_summary[] =
    "Prints, per method (or per value of the --by columns), the runs, how the crash\n"
    "was detected, the median detection and recovery times, and the false positives\n"
    "(total and per SA-day: per day of simulated time of one IKE SA pair), then the\n"
    "plots of each directory.";
static const char report_description[] = "Example:\n  ikesim report results/recovery results/tradeoff\n"
                                         "  ikesim report results/tradeoff --by topology_loss";

static double median_of(GArray *a)
{
    if (a->len == 0)
        return NAN;
    gsl_sort((double *)(void *)a->data, 1, a->len);
    return gsl_stats_median_from_sorted_data((double *)(void *)a->data, 1, a->len);
}

typedef struct {
    char *key;
    guint runs;
    GArray *detect, *recover;
    GHashTable *reasons; /* reason -> count */
    GPtrArray *reason_order;
    double fp, sim_s;
} group;

static void group_free(gpointer p)
{
    group *g = p;
    g_free(g->key);
    g_array_free(g->detect, TRUE);
    g_array_free(g->recover, TRUE);
    g_hash_table_destroy(g->reasons);
    g_ptr_array_free(g->reason_order, TRUE);
    g_free(g);
}

static char *fmt_s(double v)
{
    return isnan(v) ? g_strdup("-") : g_strdup_printf("%.2f s", v);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static void add_field(GArray *a, const char *field)
{
    if (*field) {
        double v = g_ascii_strtod(field, NULL);
        g_array_append_val(a, v);
    }
}

static int report_dir(const char *dir, char **by)
{
    g_autofree char *path = g_build_filename(dir, "runs.csv", NULL);
    GError *err = NULL;
    csv_table *t = csv_read(path, &err);
    if (!t)
        return cli_fail_error("report", CLI_USAGE, &err);
    GArray *cols = g_array_new(FALSE, FALSE, sizeof(int));
    int c = csv_col(t, "method");
    if (!by || !*by)
        g_array_append_val(cols, c);
    for (char **b = by; b && *b; b++) {
        c = csv_col(t, *b);
        if (c < 0) {
            g_array_free(cols, TRUE);
            csv_table_free(t);
            return cli_fail("report", CLI_USAGE, "%s has no column “%s”", path, *b);
        }
        g_array_append_val(cols, c);
    }
    int cd = csv_col(t, "detect_s"), cr = csv_col(t, "recover_s"), cfp = csv_col(t, "false_positives"),
        csim = csv_col(t, "sim_s"), creason = csv_col(t, "detect_reason"), cexp = csv_col(t, "experiment");
    g_autoptr(GHashTable) groups = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(group_free);
    for (guint i = 0; i < t->rows->len; i++) {
        char **row = g_ptr_array_index(t->rows, i);
        GString *k = g_string_new(NULL);
        for (guint j = 0; j < cols->len; j++)
            g_string_append_printf(k, "%s%s", j ? " " : "", row[g_array_index(cols, int, j)]);
        group *g = g_hash_table_lookup(groups, k->str);
        if (!g) {
            g = g_new0(group, 1);
            g->key = g_strdup(k->str);
            g->detect = g_array_new(FALSE, FALSE, sizeof(double));
            g->recover = g_array_new(FALSE, FALSE, sizeof(double));
            g->reasons = g_hash_table_new(g_str_hash, g_str_equal);
            g->reason_order = g_ptr_array_new();
            g_hash_table_insert(groups, g->key, g);
            g_ptr_array_add(order, g);
        }
        g_string_free(k, TRUE);
        g->runs++;
        add_field(g->detect, row[cd]);
        add_field(g->recover, row[cr]);
        g->fp += g_ascii_strtod(row[cfp], NULL);
        g->sim_s += g_ascii_strtod(row[csim], NULL);
        gpointer n = g_hash_table_lookup(g->reasons, row[creason]);
        if (!n)
            g_ptr_array_add(g->reason_order, row[creason]);
        g_hash_table_insert(g->reasons, row[creason], GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
    }
    printf("%s: %u runs in %s\n", t->rows->len ? ((char **)g_ptr_array_index(t->rows, 0))[cexp] : "(none)",
           t->rows->len, dir);
    int w = 20;
    for (guint i = 0; i < order->len; i++)
        w = MAX(w, (int)strlen(((group *)g_ptr_array_index(order, i))->key));
    printf("  %-*s %5s  %-22s %14s %15s %10s %10s\n", w, by && *by ? "group" : "method", "runs", "detected by",
           "median detect", "median recover", "false pos", "FP/SA-day");
    for (guint i = 0; i < order->len; i++) {
        group *g = g_ptr_array_index(order, i);
        GString *reasons = g_string_new(NULL);
        for (guint j = 0; j < g->reason_order->len; j++) {
            const char *r = g_ptr_array_index(g->reason_order, j);
            g_string_append_printf(reasons, "%s%s:%d", j ? " " : "", r,
                                   GPOINTER_TO_INT(g_hash_table_lookup(g->reasons, r)));
        }
        g_autofree char *d = fmt_s(median_of(g->detect)), *r = fmt_s(median_of(g->recover));
        printf("  %-*s %5u  %-22s %14s %15s %10.0f %10.3g\n", w, g->key, g->runs, reasons->str, d, r, g->fp,
               g->sim_s > 0 ? g->fp / g->sim_s * 86400 : 0.0);
        g_string_free(reasons, TRUE);
    }
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    g_autoptr(GPtrArray) pngs = g_ptr_array_new_with_free_func(g_free);
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".png") && name[0] != '.')
            g_ptr_array_add(pngs, g_build_filename(dir, name, NULL));
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(pngs, by_name);
    for (guint i = 0; i < pngs->len; i++)
        printf("  plot: %s\n", (char *)g_ptr_array_index(pngs, i));
    g_array_free(cols, TRUE);
    csv_table_free(t);
    return CLI_OK;
}

int cmd_report(int argc, char **argv)
{
    g_auto(GStrv) by = NULL;
    const GOptionEntry entries[] = {
        {"by", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &by, "Group by these columns instead of method (repeatable)",
         "COLUMN"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse("report", "DIR...", report_summary, report_description, entries, &argc, &argv))
        return CLI_USAGE;
    if (argc < 2)
        return cli_fail("report", CLI_USAGE, "expected at least one results directory; try --help");
    int code = CLI_OK;
    for (int i = 1; i < argc; i++) {
        int c = report_dir(argv[i], by);
        if (c != CLI_OK)
            code = c;
        if (i + 1 < argc)
            printf("\n");
    }
    return code;
}
