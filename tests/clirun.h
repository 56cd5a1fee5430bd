/* clirun.h — running the ikesim command from tests.  $IKESIM names the
 * binary, $IKESIM_SOURCE_ROOT the source tree (meson sets both). */
#ifndef IKESIM_TESTS_CLIRUN_H
#define IKESIM_TESTS_CLIRUN_H

#include <glib.h>

const char *clirun_ikesim(void);
char *clirun_source(const char *relative); /* g_free() it */
/* Runs argv (argv[0] may be "ikesim"); returns the exit code (-1: killed),
 * stdout and stderr into out/err (may be NULL). */
int clirun(const char *const *argv, char **out, char **err);
/* Same, through sh -c. */
int clirun_sh(const char *cmd, char **out, char **err);
/* runs.csv rows without the wall-clock column, sorted: what an interrupted
 * and an uninterrupted sweep must agree on. */
char *clirun_rows_key(const char *runs_csv);
void clirun_rm_rf(const char *path);

#endif
