#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

bool summary_columns(const csv_table *runs, summary_cols *c, GError **err)
{
    int seed = csv_col(runs, "seed"), method = csv_col(runs, "method");
    if (seed < 0 || method < seed || csv_col(runs, "run_id") != 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a runs table: no run_id, seed and method columns");
        return false;
    }
    for (size_t i = 0; i < csv_first_ha_metric; i++)
        if (csv_col(runs, csv_metrics[i]) < 0) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a runs table: no %s column", csv_metrics[i]);
            return false;
        }
    c->first_param = seed + 1;
    c->n_params = method - seed - 1;
    c->method = method;
    return true;
}

char *summary_point_key(const csv_table *runs, const summary_cols *c, char **row)
{
    (void)runs;
    GString *k = g_string_new(row[c->method]);
    for (int i = 0; i < c->n_params; i++)
        g_string_append_printf(k, "\x1f%s", row[c->first_param + i]);
    return g_string_free(k, FALSE);
}

typedef struct {
    char **first; /* the point's first row */
    long first_id;
    GPtrArray *rows;
} point;

static void point_free(gpointer p)
{
    point *pt = p;
    g_ptr_array_free(pt->rows, TRUE);
    g_free(pt);
}

static gint by_first_id(gconstpointer a, gconstpointer b)
{
    const point *x = *(point *const *)a, *y = *(point *const *)b;
    return (x->first_id > y->first_id) - (x->first_id < y->first_id);
}

static void put(GString *s, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_c(s, ',');
    if (isfinite(v))
        g_string_append(s, g_ascii_formatd(buf, sizeof buf, "%.6g", v));
}

static void stats(GString *s, GPtrArray *rows, int col)
{
    double *x = g_new(double, rows->len);
    size_t n = 0;
    for (guint i = 0; i < rows->len; i++) {
        const char *f = ((char **)g_ptr_array_index(rows, i))[col];
        if (*f)
            x[n++] = g_ascii_strtod(f, NULL);
    }
    g_string_append_printf(s, ",%zu", n);
    double mean = NAN, median = NAN, p95 = NAN, lo = NAN, hi = NAN;
    if (n) {
        gsl_sort(x, 1, n);
        mean = gsl_stats_mean(x, 1, n);
        median = gsl_stats_median_from_sorted_data(x, 1, n);
        p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
    }
    if (n >= 2) {
        double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * gsl_stats_sd_m(x, 1, n, mean) / sqrt((double)n);
        lo = mean - half;
        hi = mean + half;
    }
    put(s, mean);
    put(s, median);
    put(s, p95);
    put(s, lo);
    put(s, hi);
    g_free(x);
}

static const char *mode(GPtrArray *rows, int col)
{
    g_autoptr(GHashTable) count = g_hash_table_new(g_str_hash, g_str_equal);
    const char *best = "";
    int best_n = 0;
    for (guint i = 0; i < rows->len; i++) {
        const char *f = ((char **)g_ptr_array_index(rows, i))[col];
        int n = GPOINTER_TO_INT(g_hash_table_lookup(count, f)) + 1;
        g_hash_table_insert(count, (gpointer)f, GINT_TO_POINTER(n));
        if (n > best_n)
            best = f, best_n = n;
    }
    return best;
}

char *summary_csv(const csv_table *runs, GError **err)
{
    summary_cols c;
    if (!summary_columns(runs, &c, err))
        return NULL;
    g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func(point_free);
    for (guint i = 0; i < runs->rows->len; i++) {
        char **row = g_ptr_array_index(runs->rows, i);
        char *key = summary_point_key(runs, &c, row);
        point *pt = g_hash_table_lookup(by_key, key);
        long id = *row[0] ? atol(row[0]) : G_MAXLONG;
        if (!pt) {
            pt = g_new0(point, 1);
            pt->rows = g_ptr_array_new();
            pt->first = row;
            pt->first_id = id;
            g_hash_table_insert(by_key, key, pt);
            g_ptr_array_add(points, pt);
        } else {
            g_free(key);
        }
        if (id < pt->first_id)
            pt->first_id = id, pt->first = row;
        g_ptr_array_add(pt->rows, row);
    }
    g_ptr_array_sort(points, by_first_id);
    GString *s = g_string_new("method");
    for (int i = 0; i < c.n_params; i++)
        g_string_append_printf(s, ",%s", runs->header[c.first_param + i]);
    g_string_append(s, ",n,detect_reason");
    for (size_t m = 0; csv_metrics[m]; m++)
        if (csv_metric_numeric[m] && csv_col(runs, csv_metrics[m]) >= 0) /* HA columns if there */
            g_string_append_printf(s, ",%s_n,%s_mean,%s_median,%s_p95,%s_ci_lo,%s_ci_hi", csv_metrics[m],
                                   csv_metrics[m], csv_metrics[m], csv_metrics[m], csv_metrics[m], csv_metrics[m]);
    const char *const *const extra[] = {csv_star_metrics, csv_cost_metrics, csv_star_cost_metrics,
                                        csv_reauth_metrics, csv_device_metrics};
    for (size_t l = 0; l < G_N_ELEMENTS(extra); l++)
        for (const char *const *m = extra[l]; *m && csv_col(runs, *m) >= 0; m++)
            g_string_append_printf(s, ",%s_n,%s_mean,%s_median,%s_p95,%s_ci_lo,%s_ci_hi", *m, *m, *m, *m, *m, *m);
    g_string_append_c(s, '\n');
    int reason = csv_col(runs, "detect_reason");
    for (guint p = 0; p < points->len; p++) {
        point *pt = g_ptr_array_index(points, p);
        g_string_append(s, pt->first[c.method]);
        for (int i = 0; i < c.n_params; i++)
            g_string_append_printf(s, ",%s", pt->first[c.first_param + i]);
        g_string_append_printf(s, ",%u,%s", pt->rows->len, mode(pt->rows, reason));
        for (size_t m = 0; csv_metrics[m]; m++)
            if (csv_metric_numeric[m] && csv_col(runs, csv_metrics[m]) >= 0)
                stats(s, pt->rows, csv_col(runs, csv_metrics[m]));
        for (size_t l = 0; l < G_N_ELEMENTS(extra); l++)
            for (const char *const *m = extra[l]; *m && csv_col(runs, *m) >= 0; m++)
                stats(s, pt->rows, csv_col(runs, *m));
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}
