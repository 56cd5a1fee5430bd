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

bool timeline_write_storm(const char *path, const sim_storm_curve *cv, GError **err)
{
    GString *s = g_string_new("t_s,recovered,init_per_s\n");
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t i = 0; i < cv->n_bins; i++)
        g_string_append_printf(s, "%s,%s,%s\n", g_ascii_formatd(a, sizeof a, "%.6g", (double)(i + 1) * cv->bin_s),
                               g_ascii_formatd(b, sizeof b, "%.6g", cv->recovered[i]),
                               g_ascii_formatd(c, sizeof c, "%.6g", cv->init_per_s[i]));
    bool ok = g_file_set_contents_full(path, s->str, (gssize)s->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, err);
    g_string_free(s, TRUE);
    return ok;
}

/* One point's runs: the sum of every value column (the columns after t_s
 * of the first run's file), bin by bin. */
typedef struct {
    char **first;
    guint runs;
    char **names;       /* value column names */
    GArray *t;          /* double */
    GPtrArray *sum;     /* GArray of double, one per value column */
} series;

static void series_free(gpointer p)
{
    series *s = p;
    g_array_free(s->t, TRUE);
    g_ptr_array_free(s->sum, TRUE);
    g_strfreev(s->names);
    g_free(s);
}

static bool add_run(series *se, const csv_table *t)
{
    int ct = csv_col(t, "t_s");
    if (ct != 0 || !t->header[1])
        return false;
    if (se->runs == 0) {
        se->names = g_strdupv(t->header + 1);
        for (guint c = 0; se->names[c]; c++)
            g_ptr_array_add(se->sum, g_array_new(FALSE, TRUE, sizeof(double)));
        for (guint i = 0; i < t->rows->len; i++) {
            double tv = g_ascii_strtod(((char **)g_ptr_array_index(t->rows, i))[ct], NULL);
            g_array_append_val(se->t, tv);
        }
        for (guint c = 0; c < se->sum->len; c++)
            g_array_set_size(g_ptr_array_index(se->sum, c), t->rows->len);
    }
    if (t->rows->len != se->t->len || g_strv_length(t->header) != se->sum->len + 1)
        return false; /* another window or other columns: not comparable */
    for (guint i = 0; i < t->rows->len; i++) {
        char **row = g_ptr_array_index(t->rows, i);
        for (guint c = 0; c < se->sum->len; c++)
            g_array_index((GArray *)g_ptr_array_index(se->sum, c), double, i) += g_ascii_strtod(row[c + 1], NULL);
    }
    se->runs++;
    return true;
}

/* Packet timelines also get the total of both directions. */
static bool is_packets(const series *se)
{
    return se->sum->len == 2 && strcmp(se->names[0], "pkts_0to1") == 0 && strcmp(se->names[1], "pkts_1to0") == 0;
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
            se->sum = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
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
    g_string_append(s, ",t_s,runs");
    series *head = order->len ? g_ptr_array_index(order, 0) : NULL;
    if (!head || is_packets(head)) {
        g_string_append(s, ",pkts_0to1,pkts_1to0,pkts\n");
    } else {
        for (guint k = 0; head->names[k]; k++)
            g_string_append_printf(s, ",%s", head->names[k]);
        g_string_append_c(s, '\n');
    }
    char b[G_ASCII_DTOSTR_BUF_SIZE];
    for (guint p = 0; p < order->len; p++) {
        series *se = g_ptr_array_index(order, p);
        if (se->sum->len != head->sum->len)
            continue; /* not comparable with the first point */
        for (guint i = 0; i < se->t->len; i++) {
            g_string_append(s, se->first[c.method]);
            for (int j = 0; j < c.n_params; j++)
                g_string_append_printf(s, ",%s", se->first[c.first_param + j]);
            g_string_append_printf(s, ",%s,%u", g_ascii_formatd(b, sizeof b, "%.6g", g_array_index(se->t, double, i)),
                                   se->runs);
            double total = 0;
            for (guint k = 0; k < se->sum->len; k++) {
                double v = g_array_index((GArray *)g_ptr_array_index(se->sum, k), double, i) / se->runs;
                total += v;
                g_string_append_printf(s, ",%s", g_ascii_formatd(b, sizeof b, "%.6g", v));
            }
            if (is_packets(se))
                g_string_append_printf(s, ",%s", g_ascii_formatd(b, sizeof b, "%.6g", total));
            g_string_append_c(s, '\n');
        }
        g_string_append_c(s, '\n'); /* a blank line between series: gnuplot data blocks */
    }
    return g_string_free(s, FALSE);
}
