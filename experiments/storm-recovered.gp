# Fraction of clients with a tunnel again over time after the headend's
# crash, one curve per method, for the largest fleet of the sweep and each
# reboot time (mean over seeds; timeline.csv).
# Variables from ikesim: dir, out, experiment, methods, axis_storm_clients,
# axis_scenario_reboot_after.
set terminal pngcairo size 1000,520 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
tl = dir.'/timeline.csv'
big = word(axis_storm_clients, words(axis_storm_clients))
reboots = axis_scenario_reboot_after
set multiplot layout 1, words(reboots) title experiment.": clients recovered after a crash of the headend (".big." clients)"
do for [r=1:words(reboots)] {
    rb = word(reboots, r)
    set title "reboot after ".rb." s"
    set xlabel "time since the crash (s)"
    set ylabel "fraction of clients recovered"
    set yrange [0:1.02]
    set xrange [0:*]
    set grid
    set key bottom right
    pick(m) = strcol("method") eq m && strcol("storm_clients") eq big && strcol("scenario_reboot_after") eq rb \
              ? column("recovered") : NaN
    plot for [i=1:words(methods)] tl using "t_s":(pick(word(methods, i))) with lines lw 2 title word(methods, i)
}
unset multiplot
