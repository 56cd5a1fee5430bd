/* units.h — strict parsing of the quantities experiment files hold.
 *
 * A quantity with a dimension needs its unit: "10" is no duration, "10s"
 * is.  The number is a plain non-negative decimal (digits, one optional
 * point, an optional exponent): no sign, hex, inf or nan, no spaces inside.
 * Every kind has a canonical spelling (unit_format) that parses back to the
 * same value, and a CSV spelling in its base unit (seconds, bit/s, octets,
 * packets/s, fractions).
 */
#ifndef IKESIM_SIM_UNITS_H
#define IKESIM_SIM_UNITS_H

#include <stdbool.h>

typedef enum unit_kind {
    UNIT_DURATION, /* ns us ms s min h d            -> seconds */
    UNIT_BITRATE,  /* bit kbit Mbit Gbit (bps, /s)  -> bit/s */
    UNIT_SIZE,     /* B kB KiB MB MiB GB GiB, whole   -> octets */
    UNIT_PKTRATE,  /* pps or /s                     -> packets/s */
    UNIT_PERSEC,   /* /s: events per second         -> 1/s */
    UNIT_FRACTION, /* 0..1, or 0%..100%             -> fraction */
    UNIT_REAL,     /* a plain decimal */
    UNIT_COUNT,    /* a whole number */
} unit_kind;

/* true and *out in base units, or false: unit_expect() says what was wanted. */
bool unit_parse(unit_kind k, const char *s, double *out);
/* "a duration with its unit (ns, us, ms, s, min, h, d), e.g. 10ms, 2s, 1.5min" */
const char *unit_expect(unit_kind k);
/* Canonical spelling, e.g. "2.5s"; g_free() it. */
char *unit_format(unit_kind k, double v);
/* Base-unit number for CSV files, e.g. "2.5"; g_free() it. */
char *unit_csv(unit_kind k, double v);

#endif
