# Delivered application packets per 100 ms around the crash (t = 0), both
# directions together, mean over seeds.  One panel per reboot time, one row
# per method; a row sits at its baseline while traffic is lost and one
# unit above it while everything arrives (scaled by the rate before the
# crash).  The gap is the outage users see.
# Variables from ikesim: dir, out, experiment, methods, axis_scenario_reboot_after.
set terminal pngcairo size 1000,900 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
tl = dir.'/timeline.csv'
reboots = axis_scenario_reboot_after
n = words(methods)
stats tl using (column("t_s") < 0 ? column("pkts") : NaN) nooutput
full = STATS_mean
set multiplot layout words(reboots), 1 title experiment.": packets delivered per 100 ms around a crash of gateway 1 (t = 0)"
set grid xtics
set xrange [-5:*]
set yrange [0.7:n + 1]
set ytics () font ",9"
do for [i = 1:n] { set ytics add (word(methods, i) i) }
set key off
row(m, i, rb) = strcol("method") eq m && strcol("scenario_reboot_after") eq rb ? i + 0.8 * column("pkts") / full : NaN
do for [r = 1:words(reboots)] {
    rb = word(reboots, r)
    set title "gateway 1 reboots ".rb." s after the crash"
    if (r == words(reboots)) { set xlabel "time since the crash (s)" }
    plot for [i = 1:n] tl using "t_s":(row(word(methods, i), i, rb)) with lines lw 1.5 lc i
}
unset multiplot
