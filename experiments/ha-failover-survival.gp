# Does gateway 0 keep its IKE SA through the failover?  The fraction of runs
# per mode (all sync intervals, rates and seeds together).
# Variables from ikesim: dir, out, experiment.
set terminal pngcairo size 900,500 font ",10" noenhanced
set output out
set bmargin 4
set datafile separator ","
set datafile columnheaders
r = dir.'/runs.csv'
array modes[5] = ["none/lenient", "replicate/lenient", "replicate/strict", "rfc6311/lenient", "rfc6311/strict"]
array names[5] = ["none", "replicate", "replicate\nstrict", "rfc6311", "rfc6311\nstrict"]
mode = 'strcol("cluster_ha")."/".strcol("cluster_rx_policy")'
set print $bars
print "mode,survived"
do for [i = 1:5] {
    stats r using (@mode eq modes[i] ? column("sa_survived") : NaN) name "S" nooutput
    print sprintf("%d,%g", i, S_mean)
}
unset print
set title experiment.": IKE SA survival per mode (fraction of runs; liveness checks every 30 s)"
set ylabel "SA survived (fraction of runs)"
set yrange [0:1.15]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.6
set xrange [0.4:5.6]
set xtics (names[1] 1, names[2] 2, names[3] 3, names[4] 4, names[5] 5)
plot $bars using 1:2 with boxes lc rgb "#4477aa" notitle, \
     $bars using 1:2:(sprintf("%.2f", $2)) with labels offset 0,1 notitle
