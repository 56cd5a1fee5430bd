# Which method sets the SA up again first after gateway 1's reboot, and by how
# many half round trips: per scenario (gateway-to-gateway above, remote access
# below; traffic direction and reboot time along x), the median time from the
# reboot until both gateways hold a new IKE SA, in half round trips of the link
# (log scale).  Hollow points at the top found the crash only by the liveness
# schedule (strongSwan's: dead after 30 s idle + 165 s): they never recover
# before it.
# Variables from ikesim: dir, out, experiment, methods.
set terminal pngcairo size 1400,900 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
s = dir.'/summary.csv'
n = words(methods)
set multiplot layout 2,1 title experiment.": reboot -> new IKE SA, in half round trips (RTT 20 ms; boot delay 50 ms = 5 half RTTs)"
set logscale y
set yrange [4:100000]
set ytics ("5" 5, "10" 10, "20" 20, "50" 50, "100" 100, "1000" 1000, "10^4" 10000)
set ylabel "reboot -> new SA (half RTTs)"
set grid ytics
set xrange [-0.6:11.6]
set key outside right top
set bmargin 4
# the traffic axis in debate.ini's order; the reboot times from ikesim
ways = "both-ways survivor-only restarted-only no-traffic"
nr = words(axis_scenario_reboot_after)
set xtics () scale 0
do for [k = 0:11] {
  set xtics add (sprintf("%s\nreboot %s s", word(ways, k / nr + 1), word(axis_scenario_reboot_after, k % nr + 1)) k)
}
# functions, not macros: the loop below is parsed once
slot(r) = int(r / n) % 12
x(i) = slot(column(0)) - 0.3 + 0.6 * (i - 1) / (n > 1 ? n - 1 : 1)
half(c) = 2 * column(c)
late(c) = strcol(c) eq "liveness" || strcol(c) eq "none"
mine(i) = strcol("gateway_1_can_initiate") eq ra && strcol("method") eq word(methods, i)
do for [p = 1:2] {
  ra = p == 1 ? "true" : "false"
  set title (p == 1 ? "gateway-to-gateway: both gateways may initiate" : "remote access: gateway 1 is a headend and cannot initiate (its clients sit behind NAT)")
  plot for [i = 1:n] s using (mine(i) && !late("detect_reason") ? x(i) : NaN):(half("sa_rtt_median")) \
           with points pt 7 ps 1.3 lc i title word(methods, i), \
       for [i = 1:n] s using (mine(i) && late("detect_reason") ? x(i) : NaN):(half("sa_rtt_median")) \
           with points pt 6 ps 1.3 lc i notitle, \
       for [i = 1:n] s using (mine(i) && !late("detect_reason") ? x(i) : NaN):(half("sa_rtt_median")):(sprintf("%.1f", half("sa_rtt_median"))) \
           with labels offset 0,(i % 2 ? 0.9 : -0.9) font ",7" tc lt i notitle
}
unset multiplot
