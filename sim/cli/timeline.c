#include "timeline.h"

#include <string.h>

#include "summary.h"

bool timeline_write(const char *path, const sim_timeline *tl, GError **err)
{
    GString *s = g_string_new("t_s,pkts_0to1,pkts_1to0\n");
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t i = 0; i < tl->n_bins; i++) {
        double t = -tl->before_s + (double)i * tl->bin_s;
        g_string_append_printf(s, "%s,%u,%u\n", g_ascii_formatd(buf, sizeof buf, "%.6g", t), tl->bins[0][i],
                               tl->bins[1][i]);
    }
    bool ok = g_file_set_contents_full(path, s->str, (gssize)s->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, err);
    g_string_free(s, TRUE);
    return ok;
}

typedef struct {
    char **first;
    guint runs;
    GArray *t;          /* double */
    GArray *sum[2];     /* double */
} series;

static void series_free(gpointer p)
{
    series *s = p;
    g_array_free(s->t, TRUE);
    g_array_free(s->sum[0], TRUE);
    g_array_free(s->sum[1], TRUE);
    g_free(s);
}

static bool add_run(series *se, const csv_table *t)
{
    int ct = csv_col(t, "t_s"), c0 = csv_col(t, "pkts_0to1"), c1 = csv_col(t, "pkts_1to0");
    if (ct < 0 || c0 < 0 || c1 < 0)
        return false;
    if (se->runs == 0)
        for (guint i = 0; i < t->rows->len; i++) {
            double tv = g_ascii_strtod(((char **)g_ptr_array_index(t->rows, i))[ct], NULL), zero = 0;
            g_array_append_val(se->t, tv);
            g_array_append_val(se->sum[0], zero);
            g_array_append_val(se->sum[1], zero);
        }
    if (t->rows->len != se->t->len)
        return false; /* another window: not comparable */
    for (guint i = 0; i < t->rows->len; i++) {
        char **row = g_ptr_array_index(t->rows, i);
        g_array_index(se->sum[0], double, i) += g_ascii_strtod(row[c0], NULL);
        g_array_index(se->sum[1], double, i) += g_ascii_strtod(row[c1], NULL);
    }
    se->runs++;
    return true;
}

char *timeline_aggregate(const char *dir, const csv_table *runs, GError **err)
{
    summary_cols c;
    if (!summary_columns(runs, &c, err))
        return NULL;
    g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(series_free);
    for (guint i = 0; i < runs->rows->len; i++) {
        char **row = g_ptr_array_index(runs->rows, i);
        g_autofree char *file = g_strdup_printf("%s.csv", row[0]);
        g_autofree char *path = g_build_filename(dir, "timeline", file, NULL);
        csv_table *t = g_file_test(path, G_FILE_TEST_EXISTS) ? csv_read(path, NULL) : NULL;
        if (!t || t->rows->len == 0) {
            csv_table_free(t);
            continue; /* no crash, or no timeline kept */
        }
        char *key = summary_point_key(runs, &c, row);
        series *se = g_hash_table_lookup(by_key, key);
        if (!se) {
            se = g_new0(series, 1);
            se->first = row;
            se->t = g_array_new(FALSE, FALSE, sizeof(double));
            se->sum[0] = g_array_new(FALSE, FALSE, sizeof(double));
            se->sum[1] = g_array_new(FALSE, FALSE, sizeof(double));
            g_hash_table_insert(by_key, key, se);
            g_ptr_array_add(order, se);
        } else {
            g_free(key);
        }
        add_run(se, t);
        csv_table_free(t);
    }
    GString *s = g_string_new("method");
    for (int i = 0; i < c.n_params; i++)
        g_string_append_printf(s, ",%s", runs->header[c.first_param + i]);
    g_string_append(s, ",t_s,runs,pkts_0to1,pkts_1to0,pkts\n");
    char b[4][G_ASCII_DTOSTR_BUF_SIZE];
    for (guint p = 0; p < order->len; p++) {
        series *se = g_ptr_array_index(order, p);
        for (guint i = 0; i < se->t->len; i++) {
            double a = g_array_index(se->sum[0], double, i) / se->runs;
            double r = g_array_index(se->sum[1], double, i) / se->runs;
            g_string_append(s, se->first[c.method]);
            for (int j = 0; j < c.n_params; j++)
                g_string_append_printf(s, ",%s", se->first[c.first_param + j]);
            g_string_append_printf(s, ",%s,%u,%s,%s,%s\n",
                                   g_ascii_formatd(b[0], sizeof b[0], "%.6g", g_array_index(se->t, double, i)),
                                   se->runs, g_ascii_formatd(b[1], sizeof b[1], "%.6g", a),
                                   g_ascii_formatd(b[2], sizeof b[2], "%.6g", r),
                                   g_ascii_formatd(b[3], sizeof b[3], "%.6g", a + r));
        }
        g_string_append_c(s, '\n'); /* a blank line between series: gnuplot data blocks */
    }
    return g_string_free(s, FALSE);
}
