/* scenario.events: a script of "TIME ACTION [ARG]" elements, e.g.
 * "40s link-down, 42s link-up, 50s loss 5%, 60s crash 0, 90s reboot 0",
 * and of triggers "on G KIND[#N] +DELAY ACTION [ARG]", e.g.
 * "on 0 liveness-answer +0.5s crash 1": the action DELAY after the N-th
 * (default first) event KIND of the trace (trace.h) at gateway G. */
#include <stdlib.h>
#include <string.h>

#include "exp_internal.h"

static const char *const usage = "expected events “TIME ACTION [ARG]” separated by commas, with ACTION one of "
                                 "crash G, reboot G (G = 0 or 1), link-down, link-up, loss P, forge G RATE (RATE 0 stops), probe, "
                                 "member-links-down, member-links-up, replay; "
                                 "e.g. “40s link-down”, or a trigger “on G KIND[#N] +DELAY ACTION [ARG]”, "
                                 "e.g. “on 0 liveness-answer +0.5s crash 1”";

/* "on G KIND[#N] +DELAY": the trigger and the delay; w then starts at the delay. */
static bool parse_trigger(const exp_setting *s, const char *item, const char *const *w, int n, sim_trigger *on,
                          GError **err)
{
    if (n < 5) {
        exp_fail(err, s, "event “%s”: a trigger is “on G KIND[#N] +DELAY ACTION [ARG]”, e.g. “on 0 liveness-answer +0.5s crash 1”",
                 item);
        return false;
    }
    if (strcmp(w[1], "0") && strcmp(w[1], "1")) {
        exp_fail(err, s, "event “%s”: “on” expects gateway 0 or 1, got “%s”", item, w[1]);
        return false;
    }
    *on = (sim_trigger){.on = true, .gw = w[1][0] - '0', .n = 1};
    g_autofree char *kind = g_strdup(w[2]);
    char *hash = strchr(kind, '#');
    if (hash) {
        char *end;
        *hash++ = 0;
        unsigned long count = strtoul(hash, &end, 10);
        if (!g_ascii_isdigit(*hash) || *end || count < 1 || count > 1000000) {
            exp_fail(err, s, "event “%s”: “#%s”: expected the event's number, 1 to 1000000, e.g. “liveness-answer#2”",
                     item, hash);
            return false;
        }
        on->n = (unsigned)count;
    }
    if (trace_msg_parse(kind, &on->msg))
        on->kind = TR_RECV;
    else if (!trace_kind_parse(kind, &on->kind)) {
        exp_fail(err, s, "event “%s”: unknown event “%s”; expected a message (e.g. liveness-answer, "
                         "ike-auth-request) or an event of the trace (e.g. liveness-check, retransmit, sa-deleted, "
                         "takeover); experiments/REFERENCE.md lists them",
                 item, kind);
        return false;
    }
    if (w[3][0] != '+') {
        exp_fail(err, s, "event “%s”: a trigger's delay starts with “+”, e.g. “+0.5s”, got “%s”", item, w[3]);
        return false;
    }
    return true;
}

static bool parse_one(const exp_setting *s, const char *item, sim_script_ev *ev, sim_trigger *on, GError **err)
{
    g_auto(GStrv) words = g_strsplit_set(item, " \t", -1);
    const char *all[8] = {NULL}, **w = all;
    int n = 0;
    *on = (sim_trigger){0};
    for (char **p = words; *p; p++)
        if (**p) {
            if (n == 7) {
                exp_fail(err, s, "event “%s”: too many words; %s", item, usage);
                return false;
            }
            w[n++] = *p;
        }
    if (n && strcmp(w[0], "on") == 0) {
        if (!parse_trigger(s, item, w, n, on, err))
            return false;
        w += 3, n -= 3;
        w[0]++; /* the delay, after its "+" */
    }
    if (n > 4) {
        exp_fail(err, s, "event “%s”: too many words; %s", item, usage);
        return false;
    }
    if (n < 2) {
        exp_fail(err, s, "event “%s”: %s", item, usage);
        return false;
    }
    if (!unit_parse(UNIT_DURATION, w[0], &ev->at_s)) {
        exp_fail(err, s, "event “%s”: its time: expected %s", item, unit_expect(UNIT_DURATION));
        return false;
    }
    ev->target = 0;
    ev->value = 0;
    bool gw_arg = false, loss_arg = false, forge = false;
    if (strcmp(w[1], "crash") == 0)
        ev->action = SIM_ACT_CRASH, gw_arg = true;
    else if (strcmp(w[1], "reboot") == 0)
        ev->action = SIM_ACT_REBOOT, gw_arg = true;
    else if (strcmp(w[1], "link-down") == 0)
        ev->action = SIM_ACT_LINK_DOWN;
    else if (strcmp(w[1], "link-up") == 0)
        ev->action = SIM_ACT_LINK_UP;
    else if (strcmp(w[1], "loss") == 0)
        ev->action = SIM_ACT_LOSS, loss_arg = true;
    else if (strcmp(w[1], "probe") == 0)
        ev->action = SIM_ACT_PROBE, ev->target = 1;
    else if (strcmp(w[1], "member-links-down") == 0)
        ev->action = SIM_ACT_MEMBER_LINKS_DOWN, ev->target = 1;
    else if (strcmp(w[1], "member-links-up") == 0)
        ev->action = SIM_ACT_MEMBER_LINKS_UP, ev->target = 1;
    else if (strcmp(w[1], "replay") == 0)
        ev->action = SIM_ACT_REPLAY, ev->target = 1;
    else if (strcmp(w[1], "forge") == 0)
        ev->action = SIM_ACT_FORGE, gw_arg = forge = true;
    else {
        exp_fail(err, s, "event “%s”: unknown action “%s”; %s", item, w[1], usage);
        return false;
    }
    int want = forge ? 4 : gw_arg || loss_arg ? 3 : 2;
    if (n != want) {
        exp_fail(err, s, "event “%s”: %s %s", item, w[1],
                 forge ? "needs the target gateway and a rate, e.g. “forge 0 1000/s”"
                 : gw_arg ? "needs the gateway, 0 or 1" : loss_arg ? "needs a loss probability, e.g. 5%"
                                                                   : "takes no argument");
        return false;
    }
    if (gw_arg) {
        if (strcmp(w[2], "0") && strcmp(w[2], "1")) {
            exp_fail(err, s, "event “%s”: expected gateway 0 or 1, got “%s”", item, w[2]);
            return false;
        }
        ev->target = w[2][0] - '0';
    }
    if (forge && (!unit_parse(UNIT_PERSEC, w[3], &ev->value) || ev->value > 1e6)) {
        exp_fail(err, s, "event “%s”: expected %s, at most 1000000/s, got “%s”", item, unit_expect(UNIT_PERSEC), w[3]);
        return false;
    }
    if (loss_arg && !unit_parse(UNIT_FRACTION, w[2], &ev->value)) {
        exp_fail(err, s, "event “%s”: expected %s, got “%s”", item, unit_expect(UNIT_FRACTION), w[2]);
        return false;
    }
    return true;
}

bool exp_parse_events(const exp_setting *s, GArray *out, GArray *triggers, GError **err)
{
    if (!*s->value)
        return true; /* an empty script */
    g_auto(GStrv) items = exp_split_list(s->value);
    for (char **p = items; *p; p++) {
        sim_script_ev ev;
        sim_trigger on;
        if (!parse_one(s, *p, &ev, &on, err))
            return false;
        g_array_append_val(out, ev);
        g_array_append_val(triggers, on);
    }
    return true;
}
