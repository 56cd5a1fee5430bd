/* exp_internal.h — what the exp_*.c files share; not for other modules. */
#ifndef IKESIM_SIM_EXP_INTERNAL_H
#define IKESIM_SIM_EXP_INTERNAL_H

#include "exp.h"
#include "units.h"

/* One "path = value" as written somewhere: in a file (where = "f.ini:12"),
 * on the command line (where = "--set") or in a built-in method. */
typedef struct exp_setting {
    char *path;  /* "gateway.1.dpd_delay", "gateways.qcd", "experiment.method" */
    char *value; /* unescaped, surrounding blanks stripped */
    char *where;
} exp_setting;

exp_setting *exp_setting_new(const char *path, const char *value, const char *where);
void exp_setting_free(gpointer s);
/* "WHERE: PATH: message" as an EXP_ERROR_INVALID GError. */
void exp_fail(GError **err, const exp_setting *s, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* ---- exp_text.c: where every group and key is (GKeyFile has no lines) */
typedef struct exp_lines exp_lines;
/* Checks the file line by line as GKeyFile would read it, but stricter:
 * every line is blank, a comment, [group] or key = value; no group or key
 * twice; valid UTF-8.  Fails naming the line. */
exp_lines *exp_lines_scan(const char *file, const char *text, gsize len, GError **err);
void exp_lines_free(exp_lines *l);
int exp_lines_group(const exp_lines *l, const char *group); /* 0: absent */
int exp_lines_key(const exp_lines *l, const char *group, const char *key);

/* ---- exp_keys.c: every key, one row: its type, range, default, meaning
 * and how it applies to a run (exp_value.c parses, exp_reference.c prints
 * REFERENCE.md's tables from the rows) */
typedef enum exp_group {
    EXP_G_EXPERIMENT,
    EXP_G_TOPOLOGY,
    EXP_G_GATEWAY,  /* [gateways] (both), [gateway.0], [gateway.1] */
    EXP_G_TRAFFIC,  /* [traffic] (both directions), [traffic.0], [traffic.1] */
    EXP_G_SCENARIO,
    EXP_G_CLUSTER,  /* gateway 1 as an HA cluster (needs scenario.standby) */
    EXP_G_STORM,    /* [storm]: a headend and its clients instead of two gateways */
    EXP_G_COUNT
} exp_group;

typedef enum exp_vtype {
    EXP_V_UNIT,   /* a quantity of .unit, or .word */
    EXP_V_BOOL,   /* true or false */
    EXP_V_ENUM,   /* one of .choices */
    EXP_V_NAME,   /* letters, digits, . _ - + */
    EXP_V_TEXT,   /* anything */
    EXP_V_SEEDS,  /* list of seeds and seed ranges */
    EXP_V_FILES,  /* list of file names beside the experiment file */
    EXP_V_EVENTS, /* list of "TIME ACTION [ARG]" */
} exp_vtype;

/* Checks of a quantity beyond its range (a keyword is never checked). */
enum {
    EXP_ABOVE_ZERO = 1,    /* > 0 */
    EXP_WHOLE_MS = 2,      /* whole milliseconds that fit 32 bits (about 49 days) */
    EXP_WHOLE_PERCENT = 4, /* a fraction of whole percents */
    EXP_BELOW_MAX = 8,     /* the range's max itself is out (a phase below 1 s) */
    EXP_REQUIRED = 16,     /* no default: the file must set it */
    EXP_WHOLE_S = 32,      /* whole seconds that fit 32 bits (strongSwan's lifetimes) */
};

typedef struct exp_value {
    double num;      /* EXP_V_UNIT, in base units */
    bool is_word;    /* EXP_V_UNIT: the keyword was given */
    bool flag;       /* EXP_V_BOOL */
    int choice;      /* EXP_V_ENUM: index into choices */
} exp_value;

typedef struct exp_builder exp_builder;
typedef struct exp_key exp_key;
/* How a key's value lands in the run under construction; i: the gateway or
 * direction (0 or 1), for the other groups 0. */
typedef bool (*exp_apply_fn)(exp_builder *b, const exp_key *k, const exp_setting *s, const exp_value *v, int i,
                             GError **err);

struct exp_key {
    exp_group group;
    const char *name;
    exp_vtype type;
    unit_kind unit;             /* EXP_V_UNIT */
    const char *word;           /* EXP_V_UNIT: a keyword instead of a quantity */
    const char *min, *max;      /* EXP_V_UNIT: the range, in the key's units ("0s", "30d") */
    unsigned check;             /* EXP_ABOVE_ZERO, ... */
    const char *const *choices; /* EXP_V_ENUM */
    const int *values;          /* EXP_V_ENUM: what each choice stores (NULL: its index) */
    const char *value;          /* what may be written, for REFERENCE.md and errors (NULL: from the type) */
    const char *def, *def1;     /* the default as written (NULL: none); def1: gateway/traffic 1's, if other */
    const char *help;           /* what it does, for REFERENCE.md */
    exp_apply_fn apply;         /* NULL: read when the experiment is loaded (not per run) */
    size_t field;               /* for the generic appliers: offset in sim_run_cfg (index 0) ... */
    bool in_builder;            /* ... or in exp_builder */
    bool per_run;               /* may differ between runs: sweepable */
};

/* The rows, in the order keys apply within a group (presets first). */
const exp_key *exp_keys(size_t *n);
const char *exp_group_name(exp_group g); /* as written in the first group header: "gateways" */

/* The key a path names, and which gateway or direction it applies to
 * (*index = -1: both).  NULL with an error naming the setting. */
const exp_key *exp_key_find(const exp_setting *s, int *index, GError **err);
/* The row of "group.key" (group as in exp_group_name), or NULL. */
const exp_key *exp_key_by_path(const char *path);
/* Checks a value against its key's type and range (lists: every element). */
bool exp_value_parse(const exp_key *k, const exp_setting *s, exp_value *v, GError **err);
/* The value as a CSV field. */
char *exp_value_csv(const exp_key *k, const exp_setting *s);
/* Order in which one layer's settings apply: groups as in the table,
 * [gateways] before [gateway.N], presets before the keys they preset. */
int exp_setting_rank(const exp_setting *s);

/* Lists in values are comma-separated; elements are stripped. */
char **exp_split_list(const char *value);
bool exp_parse_seeds(const exp_setting *s, GArray *seeds, GError **err);
/* scenario.events: "TIME ACTION [ARG]" elements -> sim_script_ev, and for
 * each a sim_trigger (all zero unless "on G KIND +DELAY ACTION") (exp_events.c) */
bool exp_parse_events(const exp_setting *s, GArray *out, GArray *triggers, GError **err);

/* ---- exp_script.c: a script that makes sense (crash of a running
 * gateway, reboot of a crashed one, ...).  cluster_members: gateway 1's
 * members, 0 if it is no cluster.  Triggered entries may or may not fire:
 * what they touch is not checked afterwards.  The index of the first event that makes
 * none, with why (g_free it), or -1. */
long exp_script_check(const sim_script_ev *script, const sim_trigger *triggers, size_t n, unsigned cluster_members,
                      char **why);

/* ---- exp_estimate.c: how big a run will be, before it starts */
typedef struct exp_estimate {
    double events, bytes;          /* the whole run */
    double traffic, forger, cluster; /* events of the main parts */
} exp_estimate;
exp_estimate exp_estimate_run(const sim_run_cfg *c);

/* ---- exp_build.c: applying settings to a run under construction */
struct exp_builder {
    exp_run *run;
    sim_run_cfg *cfg;
    GHashTable *origin; /* field ("gateway.1.dpd_delay") -> const exp_setting* */
    int crash;          /* -1: none */
    double crash_at, crash_jitter, reboot_after; /* reboot_after < 0: never */
    GArray *events;     /* sim_script_ev */
    GArray *triggers;   /* sim_trigger, one per event */
    bool stop_end[2], phase_random[2];
    bool strongswan_liveness[2]; /* liveness = strongswan: strongSwan's lifetimes too, as deployed */
    const exp_setting *cluster_key; /* the first [cluster] setting */
    double max_memory;
};

/* Starts from every key's default. */
exp_builder *exp_builder_new(exp_run *run);
void exp_builder_free(exp_builder *b);
bool exp_builder_apply(exp_builder *b, const exp_setting *s, GError **err);
/* Notes that s wrote group.i.key (for blaming a failed check on it). */
void exp_builder_mark(exp_builder *b, const exp_setting *s, const char *group, int i, const char *key);
/* Gateway i's lifetime keys that no setting wrote get strongSwan 5.9.8's
 * defaults (`lifetimes = strongswan`). */
void exp_lifetimes_implied(exp_builder *b, int i);
/* Derived values and checks across keys; then b->run is complete. */
bool exp_builder_finish(exp_builder *b, uint32_t seed, GError **err);

/* ---- exp_reference.c: REFERENCE.md's key tables from the rows */
char *exp_reference_table(exp_group g);
/* text with every keys section replaced by its table (NULL if a group has none). */
char *exp_reference_update(const char *text, GError **err);

/* ---- exp_star.c: the [storm] group */
/* Why a star run cannot have this configuration, or NULL. */
const char *exp_star_conflict(const sim_run_cfg *c, int crash, bool events);

/* ---- exp_load.c: a loaded experiment */
struct sim_exp {
    char *file, *dir, *sha256, *name, *text;
    gsize text_len;
    GPtrArray *base;     /* exp_setting*: the file's sections */
    GHashTable *methods; /* name -> GPtrArray of exp_setting*: [method.NAME] */
    GPtrArray *axes;     /* exp_axis* */
    GPtrArray *sets;     /* exp_setting*: --set */
    GArray *seeds;       /* uint32_t */
    char **plots;
    exp_setting *plots_where;
    bool timeline, recovery_cost;
    double tl_before, tl_after, tl_bin;
    GPtrArray *params;   /* char*: swept paths but experiment.method */
    GPtrArray *columns;  /* char*: their CSV column names */
    size_t n_points;
    bool has_cluster;    /* some point makes gateway 1 a cluster */
    bool reauthenticates; /* some point has a gateway reauthenticate */
};

/* The last setting of path among layers (a NULL-terminated list). */
const exp_setting *exp_last_of(GPtrArray *const *layers, const char *path);

/* ---- exp_point.c: one grid point's run (point < 0: first values) */
bool exp_build_point(const sim_exp *e, long point, uint32_t seed, exp_run *out, GError **err);

/* ---- exp_sweep.c: axes of the grid */
typedef struct exp_axis {
    GPtrArray *paths;  /* char*: one, or several changed together */
    GPtrArray *tuples; /* char**: one value per path */
    char *where;
} exp_axis;

/* key: "path" or "path/path/..."; value: the comma-separated list. */
exp_axis *exp_axis_parse(const char *key, const char *value, const char *where, GError **err);
void exp_axis_free(gpointer a);

#endif
