#!/bin/sh
# debate-demo.sh IKESIM — one line per method of experiments/debate.ini: the
# time from gateway 1's reboot (after 20 s) to a new IKE SA, in round trips,
# in three scenarios of the grid (seed 1).
set -e
ikesim=$1
ini=experiments/debate.ini
methods=$(sed -n 's/^experiment\.method *= *//p' $ini | tr -d ' ' | tr ',' ' ')
# column NAME of a run's row, by the header
cell() {
    "$ikesim" run $ini --header --set scenario.reboot_after=20s --set experiment.method="$1" \
        --set gateway.1.can_initiate="$2" --set traffic.0.pattern="$3" --set traffic.1.pattern=constant |
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                 { r = $c["detect_reason"]; printf "%s", (r == "liveness" || r == "none") ? "liveness " : "";
                   printf "%.2f", $c["sa_rtt"] }'
}
echo "debate: gateway 1 reboots 20 s after its crash; reboot -> new IKE SA, in round trips (20 ms);"
echo "\"liveness\": found only by the survivor's liveness schedule"
printf '%-20s %-22s %-22s %s\n' method "gw-to-gw, both ways" "gw-to-gw, 1 -> 0 only" "remote access, both"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in $methods; do # the three runs of a method side by side
    cell "$m" true constant >"$tmp/a" & a=$!
    cell "$m" true none >"$tmp/b" & b=$!
    cell "$m" false constant >"$tmp/c"
    wait $a && wait $b
    printf '%-20s %-22s %-22s %s\n' "$m" "$(cat "$tmp/a")" "$(cat "$tmp/b")" "$(cat "$tmp/c")"
done
