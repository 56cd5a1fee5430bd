# What a failover costs against the sync interval, per replication mode and
# inbound policy (one colour each); solid lines at the lower traffic rate,
# dashed at the higher.  Means over the seeds (resume time: median).
# Lenient replicate and rfc6311 lie on each other in the replay panels: the
# sync moves the peer's counters, not the member's inbound window.
# Lines overlap where modes agree: the earlier modes are drawn wider, underneath.
# Variables from ikesim: dir, out, experiment, axis_cluster_ha,
# axis_cluster_rx_policy, axis_traffic_rate.
set terminal pngcairo size 1200,900 font ",10" noenhanced
set output out
set datafile separator ","
set datafile columnheaders
s = dir.'/summary.csv'
modes = "none/lenient replicate/lenient replicate/strict rfc6311/lenient rfc6311/strict"
names = "none replicate replicate,strict rfc6311 rfc6311,strict"
rates = axis_traffic_rate
mode = 'strcol("cluster_ha")."/".strcol("cluster_rx_policy")'
is(m, r) = @mode eq m && strcol("traffic_rate") eq r
curve(col, m, r) = is(m, r) ? column(col) : NaN
label(i, r) = sprintf("%s, %g pkt/s", word(names, i), real(r))
set multiplot layout 2,2 title experiment.": active member crashes; standby takes over by heartbeat (1 s, timeout 3 s) + 0.5 s"
set grid
set xlabel "sync interval (s, log scale)"
set logscale x
set xrange [0.8:25]
set key top left font ",8"
set title "attacker's replays accepted by the new member"
set ylabel "packets (mean)"
plot for [i = 1:5] for [j = 1:words(rates)] s using "cluster_sync_interval":(curve("replays_accepted_mean", word(modes, i), word(rates, j))) \
     with linespoints lc i dt j pt i lw (1 + 0.7 * (5 - i)) title label(i, word(rates, j))
set title "legitimate packets refused by anti-replay"
set ylabel "packets (mean)"
set key top left
plot for [i = 1:5] for [j = 1:words(rates)] s using "cluster_sync_interval":(curve("replay_drops_mean", word(modes, i), word(rates, j))) \
     with linespoints lc i dt j pt i lw (1 + 0.7 * (5 - i)) notitle
set title "failover -> traffic flows both ways again"
set ylabel "resume time (s, median, log scale)"
set logscale y
plot for [i = 1:5] for [j = 1:words(rates)] s using "cluster_sync_interval":(curve("resume_s_median", word(modes, i), word(rates, j))) \
     with linespoints lc i dt j pt i lw (1 + 0.7 * (5 - i)) notitle
unset logscale y
set title "gateway 0 keeps its IKE SA (fraction of runs)"
set ylabel "SA survived"
set yrange [-0.05:1.05]
plot for [i = 1:5] for [j = 1:words(rates)] s using "cluster_sync_interval":(curve("sa_survived_mean", word(modes, i), word(rates, j))) \
     with linespoints lc i dt j pt i lw (1 + 0.7 * (5 - i)) notitle
unset multiplot
