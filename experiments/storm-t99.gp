# Time until 99 % of the clients recovered against the fleet size, one
# curve per method and reboot time (mean over seeds; summary.csv).
# Variables from ikesim: dir, out, experiment, methods, axis_scenario_reboot_after.
set terminal pngcairo size 900,520 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
# The rows of one curve are not adjacent in summary.csv: the others (NaN in
# pick) count as missing, so the curve's line runs through them unbroken.
set datafile missing NaN
s = dir.'/summary.csv'
set title experiment.": time until 99 % of the clients recovered"
set xlabel "clients"
set ylabel "crash -> 99 % recovered (s)"
set logscale x
set grid
set key outside right
reboots = axis_scenario_reboot_after
pick(m, rb) = strcol("method") eq m && strcol("scenario_reboot_after") eq rb ? column("t99_s_mean") : NaN
plot for [r=1:words(reboots)] for [i=1:words(methods)] s \
     using "storm_clients":(pick(word(methods, i), word(reboots, r))) with linespoints lw 2 \
     dt r title word(methods, i)." (reboot ".word(reboots, r)." s)"
