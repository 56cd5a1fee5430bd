# What a sensor spends on the air against what it loses: IPv4 octets per
# sensor per day on its link (both ways, IKE and ESP) against the mean time
# it spends blackholed after the headend's crash (to the end of the day if
# it never recovers), one point per profile: full IKEv2 drawn as circles,
# RFC 7815 minimal as squares.
# Variables from ikesim: dir, out, experiment, methods.
set terminal pngcairo size 1000,600 font ",10"
set output out
set datafile separator ","
set datafile columnheaders
s = dir.'/summary.csv'
set title experiment.": octets on the air against time blackholed (headend crash, reboot after 60 s)"
set xlabel "mean time blackholed after the crash (s, log scale)"
set ylabel "octets per sensor per day, both ways (kB)"
set logscale x
set xrange [30:200000]
set yrange [0:1000]
set grid
set key top right
minimal = 'strstrt(strcol("method"), "minimal") == 1'
kb = 'column("air_octets_day_mean") / 1000'
plot s using (@minimal ? NaN : column("blackhole_s_mean")):(@kb) \
         with points pt 7 ps 2 lc 1 title "full IKEv2", \
     s using (@minimal ? column("blackhole_s_mean") : NaN):(@kb) \
         with points pt 5 ps 2 lc 2 title "RFC 7815 minimal", \
     s using (column("blackhole_s_mean")):(@kb):"method" \
         with labels left rotate by 45 offset 0.6,0.9 font ",9" notitle
