# CDF of recovery time per method, every reboot time pooled: the fraction of
# runs in which traffic flowed again both ways within x seconds of the
# crash.  Runs that never recovered keep a curve below 1.
# Variables from ikesim: dir, out, experiment, methods.
set terminal pngcairo size 900,520 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
runs = dir.'/runs.csv'
set title experiment.": recovery time after a crash of gateway 1 (all reboot times)"
set xlabel "crash -> traffic flows again both ways (s, log scale)"
set ylabel "fraction of runs"
set logscale x
set yrange [0:1.02]
set grid
set key bottom right
n = words(methods)
array N[n]
do for [i=1:n] {
    m = word(methods, i)
    stats runs using (strcol("method") eq m ? 1 : 0) nooutput
    N[i] = STATS_sum
}
recovered(m) = strcol("method") eq m && strlen(strcol("recover_s")) ? column("recover_s") : NaN
plot for [i=1:n] runs using (recovered(word(methods, i))):(1.0/N[i]) smooth cumulative with steps lw 2 \
     title word(methods, i)
