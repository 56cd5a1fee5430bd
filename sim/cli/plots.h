/* plots.h — the experiment's gnuplot scripts, driven from its CSV files.
 * Each script NAME.gp is run as
 *   gnuplot -e "dir='DIR'; out='DIR/.NAME.png.tmp'; experiment='E';
 *               methods='m1 m2'; axis_<column>='v1 v2' ..." NAME.gp
 * and reads dir.'/runs.csv', dir.'/summary.csv' or dir.'/timeline.csv';
 * its PNG is then renamed to DIR/NAME.png. */
#ifndef IKESIM_CLI_PLOTS_H
#define IKESIM_CLI_PLOTS_H

#include "exp.h"

/* made: the PNG paths drawn (may be NULL).  Fails on the first script
 * that fails, with gnuplot's message. */
bool plots_draw(const char *dir, const char *scripts_dir, const sim_exp *e, GPtrArray *made, GError **err);

#endif
