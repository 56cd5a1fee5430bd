# Median detection time per setup (log scale): which gateway crashed, which
# way traffic flowed, and QCD asymmetric (only gateway 1 makes tokens) or
# symmetric (both do).  Bars reaching ~195 s fell back to liveness checks.
# Variables from ikesim: dir, out, experiment, methods.
set terminal pngcairo size 1000,600 font ",10"
set bmargin 4
set output out
set datafile separator ","
set datafile columnheaders
s = dir.'/summary.csv'
set title experiment.": median detection time (crash -> survivor deletes the stale SA), reboot after 20 s"
set ylabel "median detection time (s, log scale)"
set logscale y
set yrange [1:1000]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.36
set key top left
set xrange [-0.6:5.6]
n = words(methods)
way(a, b) = a eq "none" ? "1 -> 0 only" : (b eq "none" ? "0 -> 1 only" : "both ways")
setup = 'sprintf("gw%s crashes\n%s", strcol("scenario_crash"), way(strcol("traffic_0_pattern"), strcol("traffic_1_pattern")))'
slot = 'int(column(0)) % 6'
# the first method's six rows name the setups (method is the first axis)
plot s every ::0::5 using (@slot):(NaN):xtic(@setup) notitle, \
     for [i = 1:n] s using (strcol("method") eq word(methods, i) ? @slot - 0.2 + 0.4 * (i - 1) : NaN):"detect_s_median" \
         with boxes lc i title word(methods, i), \
     for [i = 1:n] s using (strcol("method") eq word(methods, i) ? @slot - 0.2 + 0.4 * (i - 1) : NaN):"detect_s_median":(sprintf("%.3g", column("detect_s_median"))) \
         with labels offset 0,0.7 font ",8" notitle
