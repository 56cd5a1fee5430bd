/* Units in experiment files: what parses, to what, and what is refused. */
#include <math.h>

#include <glib.h>

#include "units.h"

typedef struct {
    unit_kind kind;
    const char *text;
    double value;
} good;

static void test_accepted(void)
{
    static const good cases[] = {
        {UNIT_DURATION, "10ms", 0.01},     {UNIT_DURATION, "2s", 2},          {UNIT_DURATION, "1.5min", 90},
        {UNIT_DURATION, "1h", 3600},       {UNIT_DURATION, "1d", 86400},      {UNIT_DURATION, "250us", 250e-6},
        {UNIT_DURATION, "7ns", 7e-9},      {UNIT_DURATION, "0s", 0},          {UNIT_DURATION, ".5s", 0.5},
        {UNIT_DURATION, "1e3ms", 1},       {UNIT_BITRATE, "100Mbit", 1e8},    {UNIT_BITRATE, "1.5Gbit/s", 1.5e9},
        {UNIT_BITRATE, "64kbps", 64000},   {UNIT_BITRATE, "9600bit", 9600},   {UNIT_SIZE, "200B", 200},
        {UNIT_SIZE, "1KiB", 1024},         {UNIT_SIZE, "1.5kB", 1500},        {UNIT_PKTRATE, "10pps", 10},
        {UNIT_PKTRATE, "0.5/s", 0.5},      {UNIT_PERSEC, "10/s", 10},         {UNIT_FRACTION, "0.01", 0.01},
        {UNIT_FRACTION, "1%", 0.01},       {UNIT_FRACTION, "100%", 1},        {UNIT_FRACTION, "0", 0},
        {UNIT_REAL, "1.8", 1.8},           {UNIT_COUNT, "5", 5},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        double v = -1;
        g_test_message("%s", cases[i].text);
        g_assert_true(unit_parse(cases[i].kind, cases[i].text, &v));
        g_assert_cmpfloat_with_epsilon(v, cases[i].value, 1e-12 * fmax(1, cases[i].value));
    }
}

static void test_refused(void)
{
    static const struct {
        unit_kind kind;
        const char *text;
    } cases[] = {
        {UNIT_DURATION, "10"},       /* no unit */
        {UNIT_DURATION, "10 s"},     /* a space inside */
        {UNIT_DURATION, " 10s"},     /* or before */
        {UNIT_DURATION, "s"},        /* no number */
        {UNIT_DURATION, "-1s"},      /* no sign */
        {UNIT_DURATION, "+1s"},
        {UNIT_DURATION, "10sec"},    /* not a unit */
        {UNIT_DURATION, "10MS"},     /* units are case-sensitive */
        {UNIT_DURATION, "1.5.2s"},
        {UNIT_DURATION, "0x10s"},
        {UNIT_DURATION, "infs"},
        {UNIT_DURATION, "nans"},
        {UNIT_DURATION, "1e999s"},   /* not finite */
        {UNIT_DURATION, ""},
        {UNIT_BITRATE, "100"},
        {UNIT_BITRATE, "100MB"},     /* octets are not bits */
        {UNIT_SIZE, "200"},
        {UNIT_SIZE, "1.5B"},         /* whole octets */
        {UNIT_PKTRATE, "10"},
        {UNIT_PKTRATE, "10Mbit"},
        {UNIT_FRACTION, "1.1"},
        {UNIT_FRACTION, "101%"},
        {UNIT_FRACTION, "5 %"},
        {UNIT_COUNT, "2.5"},
        {UNIT_COUNT, "5x"},
        {UNIT_REAL, "1,8"},          /* no decimal comma */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        double v;
        g_test_message("“%s”", cases[i].text);
        g_assert_false(unit_parse(cases[i].kind, cases[i].text, &v));
    }
    g_assert_false(unit_parse(UNIT_DURATION, NULL, &(double){0}));
}

/* The canonical spelling parses back to the same value, and CSV fields
 * are base units. */
static void test_canonical(void)
{
    static const unit_kind kinds[] = {UNIT_DURATION, UNIT_BITRATE, UNIT_PKTRATE, UNIT_PERSEC, UNIT_FRACTION,
                                      UNIT_REAL};
    static const double values[] = {0, 0.001, 0.1 + 0.2, 1, 2.5, 1e-9, 123456.789};
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
        for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
            if (kinds[k] == UNIT_FRACTION && values[i] > 1)
                continue;
            g_autofree char *s = unit_format(kinds[k], values[i]);
            double back;
            g_assert_true(unit_parse(kinds[k], s, &back));
            g_assert_cmpfloat_with_epsilon(back, values[i], 1e-11 * fmax(1, values[i]));
        }
    g_autofree char *a = unit_csv(UNIT_DURATION, 0.1 + 0.2), *b = unit_format(UNIT_DURATION, 90);
    g_autofree char *c = unit_csv(UNIT_SIZE, 200), *d = unit_format(UNIT_BITRATE, 1e8);
    g_assert_cmpstr(a, ==, "0.3");
    g_assert_cmpstr(b, ==, "90s");
    g_assert_cmpstr(c, ==, "200");
    g_assert_cmpstr(d, ==, "100000000bit");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/units/accepted", test_accepted);
    g_test_add_func("/units/refused", test_refused);
    g_test_add_func("/units/canonical", test_canonical);
    return g_test_run();
}
