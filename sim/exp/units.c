#include "units.h"

#include <math.h>
#include <string.h>

#include <glib.h>

typedef struct {
    const char *suffix;
    double scale;
} unit_suffix;

static const unit_suffix durations[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}, {NULL, 0},
};
static const unit_suffix bitrates[] = {
    {"bit", 1},      {"bit/s", 1},     {"bps", 1},      {"kbit", 1e3},   {"kbit/s", 1e3}, {"kbps", 1e3},
    {"Mbit", 1e6},   {"Mbit/s", 1e6},  {"Mbps", 1e6},   {"Gbit", 1e9},   {"Gbit/s", 1e9}, {"Gbps", 1e9},
    {NULL, 0},
};
static const unit_suffix sizes[] = {
    {"B", 1}, {"kB", 1e3}, {"KiB", 1024}, {"MB", 1e6}, {"MiB", 1048576}, {"GB", 1e9}, {"GiB", 1073741824},
    {NULL, 0},
};
static const unit_suffix pktrates[] = {{"pps", 1}, {"/s", 1}, {"/min", 1.0 / 60}, {NULL, 0}};
static const unit_suffix persec[] = {{"/s", 1}, {NULL, 0}};
static const unit_suffix fractions[] = {{"", 1}, {"%", 0.01}, {NULL, 0}};
static const unit_suffix bare[] = {{"", 1}, {NULL, 0}};

static const unit_suffix *suffixes(unit_kind k)
{
    switch (k) {
    case UNIT_DURATION: return durations;
    case UNIT_BITRATE: return bitrates;
    case UNIT_SIZE: return sizes;
    case UNIT_PKTRATE: return pktrates;
    case UNIT_PERSEC: return persec;
    case UNIT_FRACTION: return fractions;
    case UNIT_REAL:
    case UNIT_COUNT: return bare;
    }
    return bare;
}

/* Length of the plain decimal at the start of s (0: none). */
static size_t number_len(const char *s)
{
    size_t i = 0, digits = 0;
    while (g_ascii_isdigit(s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (g_ascii_isdigit(s[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (g_ascii_isdigit(s[j])) {
            while (g_ascii_isdigit(s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

bool unit_parse(unit_kind k, const char *s, double *out)
{
    if (!s)
        return false;
    size_t n = number_len(s);
    if (!n)
        return false;
    char *num = g_strndup(s, n);
    double v = g_ascii_strtod(num, NULL);
    g_free(num);
    const char *unit = s + n;
    for (const unit_suffix *u = suffixes(k); u->suffix; u++) {
        if (strcmp(unit, u->suffix) != 0)
            continue;
        v *= u->scale;
        if (!isfinite(v))
            return false;
        if (k == UNIT_FRACTION && v > 1)
            return false;
        /* whole numbers a double holds exactly (each key's range is smaller) */
        if ((k == UNIT_COUNT || k == UNIT_SIZE) && (v != floor(v) || v > 9007199254740992.0))
            return false;
        *out = v;
        return true;
    }
    return false;
}

const char *unit_expect(unit_kind k)
{
    switch (k) {
    case UNIT_DURATION: return "a duration with its unit (ns, us, ms, s, min, h, d), e.g. 10ms, 2s, 1.5min";
    case UNIT_BITRATE: return "a bit rate with its unit (bit, kbit, Mbit, Gbit; /s or bps optional), e.g. 100Mbit";
    case UNIT_SIZE: return "a whole number of octets with its unit (B, kB, KiB, MB, MiB, GB, GiB), e.g. 200B";
    case UNIT_PKTRATE: return "a packet rate with its unit (pps, /s or /min), e.g. 10pps";
    case UNIT_PERSEC: return "a rate per second, e.g. 10/s (0/s: no limit)";
    case UNIT_FRACTION: return "a fraction from 0 to 1 or a percentage, e.g. 0.01 or 1%";
    case UNIT_REAL: return "a plain non-negative number, e.g. 1.8";
    case UNIT_COUNT: return "a whole non-negative number, e.g. 5";
    }
    return "a value";
}

static const char *base_suffix(unit_kind k)
{
    switch (k) {
    case UNIT_DURATION: return "s";
    case UNIT_BITRATE: return "bit";
    case UNIT_SIZE: return "B";
    case UNIT_PKTRATE: return "pps";
    case UNIT_PERSEC: return "/s";
    default: return "";
    }
}

char *unit_csv(unit_kind k, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (k == UNIT_COUNT || k == UNIT_SIZE)
        return g_strdup_printf("%.0f", v);
    /* 12 significant digits: sums of steps such as 0.1 + 0.2 print as 0.3 */
    return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.12g", v));
}

char *unit_format(unit_kind k, double v)
{
    char *num = unit_csv(k, v);
    char *s = g_strconcat(num, base_suffix(k), NULL);
    g_free(num);
    return s;
}
