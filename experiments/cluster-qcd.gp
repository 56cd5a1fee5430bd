# Median recovery time per cluster setup (log scale), one bar per method,
# with the setup's false positives (all seeds together) above each bar.
# Variables from ikesim: dir, out, experiment, methods.
set terminal pngcairo size 1000,600 font ",10"
set bmargin 4
set output out
set datafile separator ","
set datafile columnheaders
s = dir.'/summary.csv'
set title experiment.": median recovery time after a member crashes; fp = false positives (a prober from 5 s)"
set ylabel "median recovery time (s, log scale)"
set logscale y
set yrange [0.5:1000]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.36
set key top left
set xrange [-0.6:5.6]
n = words(methods)
know(k) = k eq "true" || k eq "1" ? "knows live SAs" : "no SA knowledge"
setup = 'sprintf("%s\n%s", strcol("scenario_standby"), know(strcol("scenario_cluster_knowledge")))'
slot = 'int(column(0)) % 6'
plot s every ::0::5 using (@slot):(NaN):xtic(@setup) notitle, \
     for [i = 1:n] s using (strcol("method") eq word(methods, i) ? @slot - 0.2 + 0.4 * (i - 1) : NaN):"recover_s_median" \
         with boxes lc i title word(methods, i), \
     for [i = 1:n] s using (strcol("method") eq word(methods, i) ? @slot - 0.2 + 0.4 * (i - 1) : NaN):"recover_s_median":(sprintf("%.3g\nfp %g", column("recover_s_median"), column("false_positives_mean") * column("n"))) \
         with labels offset 0,1.2 font ",8" notitle
