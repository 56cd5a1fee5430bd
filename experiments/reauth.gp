# Packets lost and the longest outage per reauthentication against the
# round-trip time: one colour per method, one dash and point type per link
# loss; means over the seeds (one reauthentication, or rekey, per run).
# Variables from ikesim: dir, out, experiment, methods, axis_topology_loss,
# axis_topology_delay.
set terminal pngcairo size 1200,550 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
set datafile missing NaN   # the other points of the file: skipped, the lines go on
s = dir.'/summary.csv'
losses = axis_topology_loss
n_m = words(methods)
n_l = words(losses)
rtt_ms = '(2000 * column("topology_delay"))'
seen(m, l) = strcol("method") eq m && strcol("topology_loss") eq l
label(m, l) = sprintf("%s, loss %g%%", m, 100 * real(l))
set multiplot layout 1,2 title experiment.": traffic both ways at 100 packets/s, one reauthentication (or rekey) per run"
set xlabel "round-trip time (ms)"
set grid
set key top left font ",8"
set ylabel "packets lost for want of an SA (both directions, mean)"
plot for [i = 1:n_m] for [j = 1:n_l] s using (seen(word(methods, i), word(losses, j)) ? @rtt_ms : NaN):"esp_lost_mean" \
         with linespoints lw 2 lc i dt j pt j title label(word(methods, i), word(losses, j))
set ylabel "longest outage (ms, mean)"
set key top left font ",8"
plot for [i = 1:n_m] for [j = 1:n_l] s using (seen(word(methods, i), word(losses, j)) ? @rtt_ms : NaN):(1000 * column("outage_max_s_mean")) \
         with linespoints lw 2 lc i dt j pt j notitle
unset multiplot
