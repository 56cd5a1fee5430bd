/* rows.h — rows of runs.csv or of shards checked against the experiment's
 * grid before they are trusted.
 *
 * A line that is no row (garbage, a wrong number of fields, a metric that
 * is no number) is damaged: it is dropped, and its run is run again.  A row
 * that is well formed but lies — a run_id outside the grid, another
 * experiment's name, a seed, parameters or method that are not its task's,
 * a second row of one run with other results — makes the whole file
 * refused: which one is true cannot be told.  A second row of a run equal
 * to the first but for wall_s is dropped. */
#ifndef IKESIM_CLI_ROWS_H
#define IKESIM_CLI_ROWS_H

#include "exp.h"

typedef struct rows_grid rows_grid;

rows_grid *rows_grid_new(const sim_exp *e);
void rows_grid_free(rows_grid *g);

typedef enum { ROW_OK, ROW_DAMAGED, ROW_FOREIGN } row_verdict;

/* line without its '\n'; *task on ROW_OK; *why otherwise (g_free it). */
row_verdict rows_check_line(rows_grid *g, const char *line, size_t *task, char **why);
/* Two rows of one task: equal but for wall_s? */
bool rows_same_run(rows_grid *g, const char *a, const char *b);

#endif
