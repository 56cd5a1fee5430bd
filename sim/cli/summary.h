/* summary.h — summary.csv: one row per parameter point (method and
 * parameter columns), with n and, for each numeric metric m, m_n (runs
 * where m exists), m_mean, m_median, m_p95 and m_ci_lo, m_ci_hi: the 95%
 * confidence interval of the mean (Student t; empty below two values).
 * detect_reason is the most frequent reason.  Points keep grid order. */
#ifndef IKESIM_CLI_SUMMARY_H
#define IKESIM_CLI_SUMMARY_H

#include "csv.h"

/* The point columns of a runs table: its parameters and method. */
typedef struct summary_cols {
    int first_param, n_params, method;
} summary_cols;
bool summary_columns(const csv_table *runs, summary_cols *c, GError **err);
/* One key per point: parameter values and method, joined. */
char *summary_point_key(const csv_table *runs, const summary_cols *c, char **row);

char *summary_csv(const csv_table *runs, GError **err);

#endif
