#include "seq_set.h"

typedef struct {
    uint64_t lo, hi;
} seq_run;

struct sim_seq_set {
    GArray *runs; /* seq_run, sorted, neither overlapping nor touching */
};

sim_seq_set *sim_seq_set_new(void)
{
    sim_seq_set *s = g_new(sim_seq_set, 1);
    s->runs = g_array_new(FALSE, FALSE, sizeof(seq_run));
    return s;
}

void sim_seq_set_free(sim_seq_set *s)
{
    if (!s)
        return;
    g_array_free(s->runs, TRUE);
    g_free(s);
}

static seq_run *run_at(const sim_seq_set *s, guint i) { return &g_array_index(s->runs, seq_run, i); }

bool sim_seq_set_add(sim_seq_set *s, uint64_t seq)
{
    guint n = s->runs->len;
    /* the common case first: the next number after the highest */
    if (n > 0 && seq == run_at(s, n - 1)->hi + 1 && seq != 0) {
        run_at(s, n - 1)->hi = seq;
        return true;
    }
    /* i: the first run with lo > seq */
    guint a = 0, b = n;
    while (a < b) {
        guint m = a + (b - a) / 2;
        if (run_at(s, m)->lo > seq)
            b = m;
        else
            a = m + 1;
    }
    guint i = a;
    if (i > 0 && run_at(s, i - 1)->hi >= seq)
        return false; /* inside the run before */
    bool joins_prev = i > 0 && run_at(s, i - 1)->hi + 1 == seq;
    bool joins_next = i < n && run_at(s, i)->lo == seq + 1;
    if (joins_prev && joins_next) {
        run_at(s, i - 1)->hi = run_at(s, i)->hi;
        g_array_remove_index(s->runs, i);
    } else if (joins_prev) {
        run_at(s, i - 1)->hi = seq;
    } else if (joins_next) {
        run_at(s, i)->lo = seq;
    } else {
        seq_run r = {seq, seq};
        g_array_insert_val(s->runs, i, r);
    }
    return true;
}
