# False positives per SA-day (log scale) against mean detection time: one
# curve per loss rate through the liveness schedules, QCD as its own
# points (the summary lists each loss rate's schedules together, so the
# lines connect them in the experiment's order).  An SA-day is one day of simulated time of the one IKE SA pair.
# A point where no false positive was seen is drawn open, at the 95% upper
# bound 3 / (SA-days simulated) (the rule of three).
# Variables from ikesim: dir, out, experiment, methods, axis_topology_loss.
set terminal pngcairo size 1000,600 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
s = dir.'/summary.csv'
losses = axis_topology_loss
set title experiment.": false positives against detection time (crash, reboot after 10 s)"
set xlabel "mean detection time: crash -> survivor deletes the stale SA (s, log scale)"
set ylabel "false positives per SA-day (log scale)"
set logscale xy
set yrange [0.3:*]
set grid
set key top right
is_qcd = 'strstrt(strcol("method"), "qcd") == 1'
days = 'column("n") * column("sim_s_mean") / 86400'
seen(l, q) = strcol("topology_loss") eq l && (q ? @is_qcd : !(@is_qcd))
fp = 'column("false_positives_mean") * 86400 / column("sim_s_mean")'
bound = '3 / (@days)'
yval = '(@fp > 0 ? @fp : @bound)'
label(l) = sprintf("loss %g%%", 100 * real(l))
n = words(losses)
plot for [i = 1:n] s using (seen(word(losses, i), 0) ? column("detect_s_mean") : NaN):(@yval) \
         with lines lw 2 lc i title label(word(losses, i)), \
     for [i = 1:n] s using (seen(word(losses, i), 0) && @fp > 0 ? column("detect_s_mean") : NaN):(@fp) \
         with points pt 7 ps 1.2 lc i notitle, \
     for [i = 1:n] s using (seen(word(losses, i), 0) && @fp == 0 ? column("detect_s_mean") : NaN):(@bound) \
         with points pt 11 ps 1.4 lc i notitle, \
     for [i = 1:n] s using (seen(word(losses, i), 1) && @fp > 0 ? column("detect_s_mean") : NaN):(@fp) \
         with points pt 5 ps 2.2 lc i title "QCD, ".label(word(losses, i)), \
     for [i = 1:n] s using (seen(word(losses, i), 1) && @fp == 0 ? column("detect_s_mean") : NaN):(@bound) \
         with points pt 4 ps 2.2 lc i title "QCD, ".label(word(losses, i))." (none seen)", \
     s using (seen(word(losses, n), 0) ? column("detect_s_mean") : NaN):(@yval):"method" \
         with labels left offset 1,0.6 font ",8" notitle, \
     NaN with points pt 11 lc rgb "black" title "none seen: 95% upper bound"
